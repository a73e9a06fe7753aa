"""The schema's history, FROZEN: one migration per schema version, applied in order by
arena.db.schema.

A migration once released is never edited, moved or removed, not even its whitespace: databases
out there are at every version, and each must reach the same schema by the same steps. To change
the schema, append a new migration at the end of MIGRATIONS. These migrations read WINNERS,
DEFAULT_CATEGORIES and contestant_name() from the code: changing those changes what a migration does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from arena.categories import DEFAULT_CATEGORIES
from arena.db.migrations_round2 import (  # the second round's steps
    _FOLLOWUPS,
    _IMAGES,
    _JUDGEMENTS,
    _PROMPT_SETS,
    _QUEUE_BATTLES,
    _VOTE_REASONS,
    _answer_styles,
    _think_levels,
)
from arena.records import WINNERS, contestant_name

_SCHEMA_V1 = f"""
CREATE TABLE categories (
    slug          TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    description   TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    presets       TEXT NOT NULL DEFAULT '[]',  -- JSON list of prompts
    position      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE battles (
    id             TEXT PRIMARY KEY,
    created_at     TEXT NOT NULL,               -- ISO 8601, UTC
    category       TEXT NOT NULL,
    prompt         TEXT NOT NULL,
    system_prompt  TEXT NOT NULL DEFAULT '',
    options        TEXT NOT NULL,               -- JSON, identical for both sides
    status         TEXT NOT NULL CHECK (status IN ('complete', 'failed')),
    failure_reason TEXT,
    source         TEXT NOT NULL DEFAULT 'local'
);
CREATE INDEX battles_created_at ON battles (created_at);
CREATE INDEX battles_category ON battles (category);

CREATE TABLE battle_sides (
    battle_id     TEXT NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    side          TEXT NOT NULL CHECK (side IN ('a', 'b')),
    model         TEXT NOT NULL,
    digest        TEXT NOT NULL DEFAULT '',
    host          TEXT NOT NULL DEFAULT '',
    think         TEXT NOT NULL CHECK (think IN ('default', 'on', 'off')),
    answer        TEXT NOT NULL DEFAULT '',
    thinking      TEXT NOT NULL DEFAULT '',
    ttft_s        REAL,
    total_s       REAL,
    load_s        REAL,
    prompt_tokens INTEGER,
    output_tokens INTEGER,
    tokens_per_s  REAL,
    done_reason   TEXT,
    error_kind    TEXT,
    error         TEXT,
    PRIMARY KEY (battle_id, side)
);
CREATE INDEX battle_sides_model ON battle_sides (model);

-- One row per battle at most: the primary key is what makes a vote count once,
-- whatever the UI does (double clicks, a second tab, a replayed request).
CREATE TABLE votes (
    battle_id          TEXT PRIMARY KEY REFERENCES battles (id) ON DELETE CASCADE,
    winner             TEXT NOT NULL CHECK (winner IN ({", ".join(repr(w) for w in WINNERS)})),
    voter              TEXT NOT NULL DEFAULT 'anonymous',
    voted_at           TEXT NOT NULL,
    counts             INTEGER NOT NULL DEFAULT 1 CHECK (counts IN (0, 1)),
    not_counted_reason TEXT
);

CREATE TRIGGER votes_only_for_complete_battles
BEFORE INSERT ON votes
WHEN (SELECT status FROM battles WHERE id = NEW.battle_id) IS NOT 'complete'
BEGIN
    SELECT RAISE(ABORT, 'vote refused: battle missing or not complete');
END;
"""


def _seed_default_categories(conn: sqlite3.Connection) -> None:
    conn.executemany(
        "INSERT INTO categories (slug, name, description, system_prompt, presets, position)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (c.slug, c.name, c.description, c.system_prompt, json.dumps(c.presets, ensure_ascii=False), i)
            for i, c in enumerate(DEFAULT_CATEGORIES)
        ],
    )


def _votes_carry_their_pair(conn: sqlite3.Connection) -> None:
    """Copy each vote's category, time and contestants onto it, so that the leaderboard is one
    scan of one table (GROUP BY) even at millions of votes. Battles never change once stored."""
    for column in ("category", "model_a", "model_b", "battle_at"):
        conn.execute(f"ALTER TABLE votes ADD COLUMN {column} TEXT")
    rows = conn.execute(
        "SELECT v.battle_id, b.category, b.created_at, a.model, a.think, bb.model, bb.think"
        " FROM votes v JOIN battles b ON b.id = v.battle_id"
        " JOIN battle_sides a ON a.battle_id = v.battle_id AND a.side = 'a'"
        " JOIN battle_sides bb ON bb.battle_id = v.battle_id AND bb.side = 'b'"
    ).fetchall()
    conn.executemany(
        "UPDATE votes SET category = ?, battle_at = ?, model_a = ?, model_b = ? WHERE battle_id = ?",
        [(r[1], r[2], contestant_name(r[3], r[4]), contestant_name(r[5], r[6]), r[0]) for r in rows],
    )
    conn.execute("CREATE INDEX votes_battle_at ON votes (battle_at)")


_VOTE_TALLY = """
-- Counted votes per (category, pair, outcome), kept up to date by triggers, so that the
-- unfiltered leaderboard reads a few thousand rows instead of grouping millions of votes.
CREATE TABLE vote_tally (
    category TEXT NOT NULL,
    model_a  TEXT NOT NULL,
    model_b  TEXT NOT NULL,
    winner   TEXT NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (category, model_a, model_b, winner)
) WITHOUT ROWID;

INSERT INTO vote_tally (category, model_a, model_b, winner, count)
SELECT category, model_a, model_b, winner, COUNT(*) FROM votes WHERE counts = 1
GROUP BY category, model_a, model_b, winner;

CREATE TRIGGER vote_tally_add AFTER INSERT ON votes WHEN NEW.counts = 1
BEGIN
    INSERT INTO vote_tally (category, model_a, model_b, winner, count)
    VALUES (NEW.category, NEW.model_a, NEW.model_b, NEW.winner, 1)
    ON CONFLICT (category, model_a, model_b, winner) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER vote_tally_remove AFTER DELETE ON votes WHEN OLD.counts = 1
BEGIN
    UPDATE vote_tally SET count = count - 1
    WHERE category = OLD.category AND model_a = OLD.model_a AND model_b = OLD.model_b
      AND winner = OLD.winner;
END;

CREATE TRIGGER vote_tally_change
AFTER UPDATE OF counts, winner, category, model_a, model_b ON votes
BEGIN
    UPDATE vote_tally SET count = count - 1
    WHERE OLD.counts = 1 AND category = OLD.category AND model_a = OLD.model_a
      AND model_b = OLD.model_b AND winner = OLD.winner;
    INSERT INTO vote_tally (category, model_a, model_b, winner, count)
    SELECT NEW.category, NEW.model_a, NEW.model_b, NEW.winner, 1 WHERE NEW.counts = 1
    ON CONFLICT (category, model_a, model_b, winner) DO UPDATE SET count = count + 1;
END;
"""


_VOTES_VERSION = """
-- Bumped by every change to votes (insert, update, delete): the cache key of anything computed
-- from them. A count and the largest rowid miss updates and reused rowids.
CREATE TABLE votes_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO votes_version (id, version) VALUES (1, 0);
CREATE TRIGGER votes_version_insert AFTER INSERT ON votes
BEGIN UPDATE votes_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER votes_version_update AFTER UPDATE ON votes
BEGIN UPDATE votes_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER votes_version_delete AFTER DELETE ON votes
BEGIN UPDATE votes_version SET version = version + 1 WHERE id = 1; END;
"""


_LINEUP = """
-- Ollama hosts added on the Models page (hosts named by settings are not stored).
CREATE TABLE hosts (url TEXT PRIMARY KEY, added_at TEXT NOT NULL);
-- An admin's choice per model name; models without a row follow the include_new_models option.
CREATE TABLE model_choices (
    model          TEXT PRIMARY KEY,
    included       INTEGER NOT NULL CHECK (included IN (0, 1)),
    split_thinking INTEGER NOT NULL DEFAULT 0 CHECK (split_thinking IN (0, 1))
);
-- Options an admin changes on the Models page (arena.records.ArenaOptions), as text.
CREATE TABLE options (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


_ABANDONED = """
-- When the tab that ran a battle moved on without voting (Store.abandon_battle): from then on
-- its names may be shown, and a late vote on it is stored but does not count.
ALTER TABLE battles ADD COLUMN abandoned_at TEXT;
"""


def _merge_plain_contestants(conn: sqlite3.Connection) -> None:
    """A model that cannot think is one contestant under its plain name, whatever thinking
    setting its battles asked for (until now, `llama3.2:3b (no thinking)` and `llama3.2:3b` split
    its votes).

    The rule, from stored data alone: a model cannot think when none of its sides ever produced
    thinking text, none asked for thinking (think "on") and completed, and there is evidence:
    a completed side with thinking left to the model (a thinking model thinks then, with
    `think` tags on old servers) or an "on" side that failed saying it "does not support
    thinking". A model seen only with thinking off is left alone (there is nothing to merge
    and no evidence). Its sides get think "default" and its votes' names lose the suffix; the
    tally triggers move its counts to the plain name."""
    rows = conn.execute(
        "SELECT model FROM battle_sides GROUP BY model"
        " HAVING MAX(thinking != '') = 0"
        " AND MAX(think = 'on' AND error_kind IS NULL) = 0"
        " AND MAX((think = 'default' AND error_kind IS NULL)"
        "  OR (think = 'on' AND error LIKE '%does not support thinking%')) = 1"
        " AND MAX(think != 'default') = 1").fetchall()
    for (model,) in rows:
        conn.execute("UPDATE battle_sides SET think = 'default' WHERE model = ?", (model,))
        for suffixed in (contestant_name(model, "on"), contestant_name(model, "off")):
            for column in ("model_a", "model_b"):
                conn.execute(f"UPDATE votes SET {column} = ? WHERE {column} = ?",
                             (model, suffixed))


_NO_SELF_BATTLES = """
-- A model battling itself (same model, same thinking) counts as a double tie: refused.
CREATE TRIGGER battle_sides_differ BEFORE INSERT ON battle_sides
WHEN EXISTS (SELECT 1 FROM battle_sides WHERE battle_id = NEW.battle_id
             AND side = (CASE NEW.side WHEN 'a' THEN 'b' ELSE 'a' END)
             AND model = NEW.model AND think = NEW.think)
BEGIN
    SELECT RAISE(ABORT, 'battle refused: both sides are the same contestant');
END;
CREATE TRIGGER battle_sides_differ_update BEFORE UPDATE OF model, think ON battle_sides
WHEN EXISTS (SELECT 1 FROM battle_sides WHERE battle_id = NEW.battle_id
             AND side = (CASE NEW.side WHEN 'a' THEN 'b' ELSE 'a' END)
             AND model = NEW.model AND think = NEW.think)
BEGIN
    SELECT RAISE(ABORT, 'battle refused: both sides are the same contestant');
END;
-- Votes already stored on such battles stop counting (the tally trigger follows).
UPDATE votes SET counts = 0, not_counted_reason = 'same contestant'
WHERE counts = 1 AND model_a = model_b;
"""


# The schema's history. Append, never edit: position i + 1 is schema version i + 1.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    _SCHEMA_V1,
    _seed_default_categories,
    _votes_carry_their_pair,
    _VOTE_TALLY,
    _VOTES_VERSION,
    # No query looks battles up by side model (the Data page's model filter goes through the
    # battle's own rows), and the index cost bulk imports a tenth of their time.
    "DROP INDEX battle_sides_model;",
    _LINEUP,
    _ABANDONED,
    _merge_plain_contestants,
    _NO_SELF_BATTLES,
    _PROMPT_SETS,
    _QUEUE_BATTLES,
    _answer_styles,
    _JUDGEMENTS,
    _VOTE_REASONS,
    _IMAGES,
    _think_levels,
    _FOLLOWUPS,
]
