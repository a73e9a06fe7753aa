"""The schema's steps of the second round (prompt sets, the vote queue, style control, the
judge), listed in arena.db.migrations.MIGRATIONS with the others. Append, never edit."""

from __future__ import annotations

import sqlite3

_PROMPT_SETS = """
-- Prompt sets (arena.prompt_sets): a category's prompts that every contestant answers once.
-- A set's category is checked when it is added, as a battle's is: no foreign key, so that
-- deleting a category stays a question the Store answers (Categories.delete_category).
CREATE TABLE prompt_sets (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    category   TEXT NOT NULL,
    labels     TEXT NOT NULL DEFAULT '[]',  -- JSON list: a classification set's allowed answers
    created_at TEXT NOT NULL
);

-- An item is known in its set by its key: the id its file gave (file_id), or its prompt.
CREATE TABLE prompt_items (
    id       INTEGER PRIMARY KEY,
    set_id   INTEGER NOT NULL REFERENCES prompt_sets (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    file_id  TEXT,
    prompt   TEXT NOT NULL,
    expected TEXT,
    position INTEGER NOT NULL,
    UNIQUE (set_id, key)
);

-- One stored answer per item and contestant (model and thinking mode), with the same fields as
-- a battle's side, and the options and system prompt it was generated with. A failed answer
-- may be replaced (a retry); a complete one never is (Store.save_answer).
CREATE TABLE prompt_answers (
    id             INTEGER PRIMARY KEY,
    item_id        INTEGER NOT NULL REFERENCES prompt_items (id) ON DELETE CASCADE,
    model          TEXT NOT NULL,
    digest         TEXT NOT NULL DEFAULT '',
    host           TEXT NOT NULL DEFAULT '',
    think          TEXT NOT NULL CHECK (think IN ('default', 'on', 'off')),
    answer         TEXT NOT NULL DEFAULT '',
    thinking       TEXT NOT NULL DEFAULT '',
    ttft_s         REAL,
    total_s        REAL,
    load_s         REAL,
    prompt_tokens  INTEGER,
    output_tokens  INTEGER,
    tokens_per_s   REAL,
    done_reason    TEXT,
    error_kind     TEXT,
    error          TEXT,
    status         TEXT NOT NULL CHECK (status IN ('complete', 'failed')),
    failure_reason TEXT,
    options        TEXT NOT NULL,               -- JSON, identical for every contestant of a set
    system_prompt  TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    UNIQUE (item_id, model, think),
    CHECK ((status = 'failed') = (error_kind IS NOT NULL))
);
"""


_QUEUE_BATTLES = """
-- A battle of the vote queue shows two stored answers of a prompt set's item (source
-- 'prompt_set'): it keeps the set's name, the item's id in its file (if it had one) and its
-- expected answer, so that files carry them and imports keep them, and, in this database, the
-- two answers it showed (answer_id_a / _b: NULL for live and imported battles).
ALTER TABLE battles ADD COLUMN prompt_set TEXT;
ALTER TABLE battles ADD COLUMN item_id TEXT;
ALTER TABLE battles ADD COLUMN expected TEXT;
ALTER TABLE battles ADD COLUMN answer_id_a INTEGER REFERENCES prompt_answers (id) ON DELETE SET NULL;
ALTER TABLE battles ADD COLUMN answer_id_b INTEGER REFERENCES prompt_answers (id) ON DELETE SET NULL;
CREATE INDEX battles_answers ON battles (answer_id_a, answer_id_b) WHERE answer_id_a IS NOT NULL;
-- The battles of prompt sets (from the vote queue, or imported with their set): the leaderboard
-- reads their votes item by item (arena.db.votes, clustered bootstrap) through this index,
-- without a scan of every battle; live battles are not in it.
CREATE INDEX battles_in_sets ON battles (prompt_set) WHERE prompt_set IS NOT NULL;
-- The contestants an admin chose for a set (JSON list of contestant names); empty: every model
-- that takes part.
ALTER TABLE prompt_sets ADD COLUMN contestants TEXT NOT NULL DEFAULT '[]';
"""


def _answer_styles(conn: sqlite3.Connection) -> None:
    """Each answer's style counts (arena.style_features: tokens, headers, list items, bold
    spans; NULL for a side with no answer text), and both on each vote, each side's packed into
    one integer (tokens in the low 24 bits, then 12 bits each, clipped), so that the
    style-controlled leaderboard is one scan of the votes, as the plain one is. The counts of
    the answers stored so far are worked out here: this migration reads answer_style() from the
    code."""
    from arena.style_features import STYLE_FEATURES, answer_style

    sides = [f"style_{f}" for f in STYLE_FEATURES]
    for column in sides:
        conn.execute(f"ALTER TABLE battle_sides ADD COLUMN {column} INTEGER")
    for side in "ab":
        conn.execute(f"ALTER TABLE votes ADD COLUMN style_{side} INTEGER")
    last = 0  # in rowid order, a part at a time: no scan is open while rows change
    while rows := conn.execute("SELECT rowid, answer FROM battle_sides WHERE rowid > ?"
                               " AND answer != '' ORDER BY rowid LIMIT 10000",
                               (last,)).fetchall():
        last = rows[-1][0]
        conn.executemany(f"UPDATE battle_sides SET {', '.join(f'{c} = ?' for c in sides)}"
                         " WHERE rowid = ?", [(*answer_style(r[1]), r[0]) for r in rows])
    packed = ("MIN(s.style_tokens, 16777215) + (MIN(s.style_headers, 4095) << 24)"
              " + (MIN(s.style_list_items, 4095) << 36) + (MIN(s.style_bold, 4095) << 48)")
    for side in "ab":
        conn.execute(f"UPDATE votes SET style_{side} = (SELECT {packed} FROM battle_sides s"
                     f" WHERE s.battle_id = votes.battle_id AND s.side = '{side}')")


# Issue 14, a local model as judge. Self-contained: it only adds tables, so it may follow any
# other migration appended before it.
_JUDGEMENTS = """
-- One judge model's judgement of a subject, both orders in one row (arena.judging): a live
-- battle (battle_id) or a prompt set's pair of stored answers (answer_low < answer_high, the
-- low one being side a). A failed attempt has an error and no outcome, and is retried; a
-- complete one is written once, whole (the two partial unique indexes below).
CREATE TABLE judgements (
    id              INTEGER PRIMARY KEY,
    battle_id       TEXT REFERENCES battles (id) ON DELETE CASCADE,
    answer_low      INTEGER REFERENCES prompt_answers (id) ON DELETE CASCADE,
    answer_high     INTEGER REFERENCES prompt_answers (id) ON DELETE CASCADE,
    category        TEXT NOT NULL,
    model_a         TEXT NOT NULL,                 -- contestant names, as votes have them
    model_b         TEXT NOT NULL,
    judge_model     TEXT NOT NULL,
    judge_digest    TEXT NOT NULL DEFAULT '',
    judge_host      TEXT NOT NULL DEFAULT '',
    prompt_version  TEXT NOT NULL,
    instruction     TEXT NOT NULL DEFAULT '',
    output_first    TEXT NOT NULL DEFAULT '',      -- side a shown as Assistant A
    output_second   TEXT NOT NULL DEFAULT '',      -- the sides swapped
    thinking_first  TEXT NOT NULL DEFAULT '',
    thinking_second TEXT NOT NULL DEFAULT '',
    verdict_first   TEXT CHECK (verdict_first IN ('A', 'B', 'C')),
    verdict_second  TEXT CHECK (verdict_second IN ('A', 'B', 'C')),
    outcome         TEXT CHECK (outcome IN ('model_a', 'model_b', 'tie', 'abstain',
                                            'no_verdict')),
    error           TEXT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    CHECK ((battle_id IS NULL) != (answer_low IS NULL)),
    CHECK ((answer_low IS NULL) = (answer_high IS NULL)),
    CHECK (answer_low IS NULL OR answer_low < answer_high),
    CHECK ((outcome IS NULL) != (error IS NULL))
);
CREATE UNIQUE INDEX judgements_battle_once ON judgements (battle_id, judge_model, prompt_version)
    WHERE battle_id IS NOT NULL AND outcome IS NOT NULL;
CREATE UNIQUE INDEX judgements_pair_once
    ON judgements (answer_low, answer_high, judge_model, prompt_version)
    WHERE answer_low IS NOT NULL AND outcome IS NOT NULL;
-- The judge board and the agreement read a judge's judgements (and the subjects' lookups go
-- through the two indexes above).
CREATE INDEX judgements_judge ON judgements (judge_model, prompt_version);
-- An admin's judging instruction per category slug (none: arena.judging.default_instruction).
CREATE TABLE judge_instructions (category TEXT PRIMARY KEY, instruction TEXT NOT NULL);
-- Judging settings an admin chooses, by name ("judge_model": the chosen judge).
CREATE TABLE judge_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


# Issue 15, why a person voted: the reasons picked after the vote (arena.vote_reasons codes, a
# JSON list; NULL when none were given) and a short comment (NULL: none), set on the vote by
# Store.set_vote_reasons or imported with it. Only adds columns and an index: it may follow any
# other migration appended before it.
_VOTE_REASONS = """
ALTER TABLE votes ADD COLUMN reasons TEXT;
ALTER TABLE votes ADD COLUMN comment TEXT;
-- The Leaderboard's reasons section reads only the votes with reasons, without a scan of all.
CREATE INDEX votes_with_reasons ON votes (category) WHERE reasons IS NOT NULL;
"""


# Issue 15, images in battles (arena.images): each image once, by the SHA-256 of its bytes, and
# a battle's images in order. An image no battle shows any more goes with its last battle (the
# trigger). Only adds tables: it may follow any other migration appended before it.
_IMAGES = """
CREATE TABLE images (
    sha256 TEXT PRIMARY KEY,                  -- hex, of `data`
    mime   TEXT NOT NULL CHECK (mime IN ('image/png', 'image/jpeg', 'image/webp')),
    data   BLOB NOT NULL
);
CREATE TABLE battle_images (
    battle_id TEXT NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position BETWEEN 0 AND 3),
    sha256    TEXT NOT NULL REFERENCES images (sha256),
    PRIMARY KEY (battle_id, position)
);
CREATE INDEX battle_images_sha256 ON battle_images (sha256);
CREATE TRIGGER battle_images_unused AFTER DELETE ON battle_images
WHEN NOT EXISTS (SELECT 1 FROM battle_images WHERE sha256 = OLD.sha256)
BEGIN
    DELETE FROM images WHERE sha256 = OLD.sha256;
END;
"""


# Issue 15, models that think by level (arena.think_levels): a side or a stored answer may run
# at a level, and an admin's choice for such a model keeps its levels (comma-separated; NULL:
# the default) and the level for thinking "on" (NULL: the default). SQLite cannot change a CHECK
# constraint; widening one that every row already meets is the schema-text edit SQLite's
# ALTER TABLE documentation gives for it (section "Making Other Kinds Of Table Schema Changes"),
# done inside the migration's transaction. No data changes.
_OLD_THINK_CHECK = "CHECK (think IN ('default', 'on', 'off'))"
_NEW_THINK_CHECK = "CHECK (think IN ('default', 'on', 'off', 'low', 'medium', 'high'))"


def _think_levels(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table'"
                     " AND name IN ('battle_sides', 'prompt_answers')",
                     (_OLD_THINK_CHECK, _NEW_THINK_CHECK))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    conn.execute("ALTER TABLE model_choices ADD COLUMN think_levels TEXT")
    conn.execute("ALTER TABLE model_choices ADD COLUMN think_level_on TEXT")


# Issue 15, multi-turn battles: the turns after the first, as a JSON list (arena.conversation
# turn records, each side with its own figures; NULL for a single-turn battle). Written by
# Store.add_turn, one turn a transaction. Only adds a column: it may follow any migration.
_FOLLOWUPS = """
ALTER TABLE battles ADD COLUMN followups TEXT;
"""
