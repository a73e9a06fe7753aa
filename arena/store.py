"""SQLite storage: a versioned schema, and battles and votes written in transactions.

One short-lived connection per operation keeps this safe to use from Streamlit's many script threads
and from worker threads alike; WAL mode lets readers run while a vote is written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import weakref
from collections import deque
from operator import attrgetter
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote

try:
    import fcntl
except ImportError:  # Windows: writers of one process still queue on the thread lock
    fcntl = None

import pandas as pd

from arena.categories import DEFAULT_CATEGORIES, Category
from arena.records import (
    SCHEDULES,
    WINNERS,
    ArenaOptions,
    Battle,
    ModelChoice,
    Side,
    Vote,
    contestant,
    iso_utc,
    parse_contestant,
    utc_now,
)

SIDE_COLUMNS = [f.name for f in fields(Side)]
# A side's values in SIDE_COLUMNS order; much faster than dataclasses.asdict, which deep-copies.
side_values = attrgetter(*SIDE_COLUMNS)


class NewerSchema(sqlite3.DatabaseError):
    """The database was written by a newer version of the arena than this one."""


class NotArenaDatabase(sqlite3.DatabaseError):
    """The file is not an arena database (another program's SQLite file, or not SQLite)."""


class OlderSchema(sqlite3.DatabaseError):
    """Opened read-only, a database whose schema needs migrating first."""


class VoteRejected(Exception):
    """A vote the database refused; `reason` is one of the keys below, for the UI to translate."""

    ALREADY_VOTED = "already_voted"
    BATTLE_FAILED = "battle_failed"
    UNKNOWN_BATTLE = "unknown_battle"
    BAD_WINNER = "bad_winner"

    def __init__(self, reason: str, battle_id: str):
        super().__init__(f"vote for battle {battle_id} refused: {reason}")
        self.reason = reason
        self.battle_id = battle_id


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
        [(r[1], r[2], contestant(r[3], r[4]), contestant(r[5], r[6]), r[0]) for r in rows],
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
        for suffixed in (contestant(model, "on"), contestant(model, "off")):
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
]


def _apply(conn: sqlite3.Connection, migration: str | Callable[[sqlite3.Connection], None]) -> None:
    if callable(migration):
        migration(conn)
        return
    # executescript would COMMIT the open transaction; run statement by statement instead.
    statement = ""
    for line in migration.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _pair_of(conn: sqlite3.Connection, battle_id: str) -> tuple:
    """(category, battle time, contestant a, contestant b) of a battle; Nones if there is none
    (the insert is then refused by the trigger, which reports it)."""
    battle = conn.execute("SELECT category, created_at FROM battles WHERE id = ?",
                          (battle_id,)).fetchone()
    sides = dict(
        (r["side"], contestant(r["model"], r["think"]))
        for r in conn.execute("SELECT side, model, think FROM battle_sides WHERE battle_id = ?",
                              (battle_id,))
    )
    if battle is None or len(sides) != 2:
        return None, None, None, None
    return battle["category"], battle["created_at"], sides["a"], sides["b"]



BATTLE_COLUMNS = ["id", "created_at", "category", "prompt", "system_prompt", "options", "status",
                  "failure_reason", "source"]
VOTE_COLUMNS = ["battle_id", "winner", "voter", "voted_at", "counts", "not_counted_reason",
                "category", "battle_at", "model_a", "model_b"]
_VOTE_INSERT = (f"INSERT INTO votes ({', '.join(VOTE_COLUMNS)})"
                f" VALUES ({', '.join('?' for _ in VOTE_COLUMNS)})")


def _insert_rows(conn: sqlite3.Connection, table: str, columns: dict[str, list]) -> None:
    """Insert rows given column by column (none when the columns are empty). A column whose every value is what the table would
    put there anyway (NULL, or its '' default) is left out: binding values from Python is most
    of the cost of a bulk write, and imported battles leave most side fields empty."""
    info = {r[1]: (r[3], r[4]) for r in conn.execute(f"PRAGMA table_info({table})")}

    def implied(name: str, values: list) -> bool:
        not_null, default = info[name]
        if default is None and not not_null:
            return values.count(None) == len(values)
        return default == "''" and values.count("") == len(values)

    if not next(iter(columns.values()), None):
        return  # no rows
    kept = {n: v for n, v in columns.items() if not implied(n, v)}
    names = ", ".join(kept)
    marks = ", ".join("?" for _ in kept)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", zip(*kept.values()))


def columns_of(names: list[str], rows: list[tuple]) -> dict[str, list]:
    """Rows of values in `names` order as one list per name (empty lists when no rows)."""
    if not rows:
        return {name: [] for name in names}
    return {name: list(values) for name, values in zip(names, zip(*rows))}


# json.dumps(options, sort_keys=True) without building an encoder per call (imports call it
# once per battle).
_OPTIONS_ENCODER = json.JSONEncoder(sort_keys=True)


def options_text(options: dict) -> str:
    """A battle's options as the JSON text stored with it (keys sorted, one form per value)."""
    return _OPTIONS_ENCODER.encode(options) if options else "{}"



def _vote_columns(votes: list[Vote], pairs: dict[str, tuple]) -> dict[str, list]:
    """Votes as columns, each with its battle's (category, time, contestant a, contestant b)."""
    return columns_of(VOTE_COLUMNS, [
        (v.battle_id, v.winner, v.voter, v.voted_at, int(v.counts), v.not_counted_reason,
         *pairs[v.battle_id]) for v in votes])


def _pair_of_battle(battle: Battle) -> tuple:
    return (battle.category, battle.created_at, contestant(battle.side_a.model, battle.side_a.think),
            contestant(battle.side_b.model, battle.side_b.think))


def _battle_from_row(row: sqlite3.Row, sides: dict[str, Side]) -> Battle:
    return Battle(
        id=row["id"],
        created_at=row["created_at"],
        category=row["category"],
        prompt=row["prompt"],
        system_prompt=row["system_prompt"],
        options=json.loads(row["options"]),
        status=row["status"],
        failure_reason=row["failure_reason"],
        source=row["source"],
        side_a=sides["a"],
        side_b=sides["b"],
    )


def _vote_from_row(row: sqlite3.Row) -> Vote:
    return Vote(
        battle_id=row["battle_id"],
        winner=row["winner"],
        voter=row["voter"],
        voted_at=row["voted_at"],
        counts=bool(row["counts"]),
        not_counted_reason=row["not_counted_reason"],
    )


# From this many votes in one write, the per-row vote triggers are replaced by one set-based
# statement each (see _insert_votes_in_bulk).
BULK_VOTES = 1000
_ROW_TRIGGERS = ("votes_only_for_complete_battles", "vote_tally_add", "votes_version_insert")


def _insert_votes_in_bulk(conn: sqlite3.Connection, votes: dict[str, list]) -> None:
    """Insert many votes with the work of the row triggers done once for all of them.

    Runs inside the caller's write transaction: the triggers are dropped, the votes inserted,
    what each trigger does is done by one statement, and the triggers are created again from
    their own stored SQL. Schema changes are transactional in SQLite and the write lock is held
    throughout, so no other connection ever sees the database without them, and any failure
    rolls all of it back.
    """
    triggers = dict(conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)",
        _ROW_TRIGGERS).fetchall())
    if len(triggers) != len(_ROW_TRIGGERS):  # an older schema: the row-by-row way is right
        _insert_rows(conn, "votes", votes)
        return
    first_new = conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM votes").fetchone()[0]
    for name in _ROW_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    _insert_rows(conn, "votes", votes)
    refused = conn.execute(
        "SELECT COUNT(*) FROM votes v LEFT JOIN battles b ON b.id = v.battle_id"
        " WHERE v.rowid >= ? AND b.status IS NOT 'complete'", (first_new,)).fetchone()[0]
    if refused:
        raise sqlite3.IntegrityError("vote refused: battle missing or not complete")
    conn.execute(
        "INSERT INTO vote_tally (category, model_a, model_b, winner, count)"
        " SELECT category, model_a, model_b, winner, COUNT(*) FROM votes"
        " WHERE rowid >= ? AND counts = 1 GROUP BY category, model_a, model_b, winner"
        " ON CONFLICT (category, model_a, model_b, winner)"
        " DO UPDATE SET count = count + excluded.count", (first_new,))
    conn.execute("UPDATE votes_version SET version = version + 1 WHERE id = 1")
    for name in _ROW_TRIGGERS:
        conn.execute(triggers[name])


def _date_range(column: str, since: date | None, until: date | None) -> tuple[list, list]:
    """SQL conditions for an inclusive range of UTC days on an ISO time column."""
    clauses, params = [], []
    if since:
        clauses.append(f"{column} >= ?")
        params.append(since.isoformat())
    if until:
        clauses.append(f"{column} < ?")
        params.append((until + timedelta(days=1)).isoformat())
    return clauses, params


@dataclass(frozen=True)
class VoteFilter:
    """Which counted votes a leaderboard looks at. Dates are inclusive, in UTC."""

    since: date | None = None
    until: date | None = None
    voter: str | None = None

    def where(self) -> tuple[str, list]:
        clauses, params = _date_range("battle_at", self.since, self.until)
        clauses.insert(0, "counts = 1")
        if self.voter:
            clauses.append("voter = ?")
            params.append(self.voter)
        return " AND ".join(clauses), params


# Whether a battle's names may be shown outside the arena tab that ran it: once voted, failed,
# abandoned, or older than the store's time limit (parameter: the limit's cutoff, ISO UTC).
REVEALED = ("(v.battle_id IS NOT NULL OR b.status = 'failed' OR b.abandoned_at IS NOT NULL"
            " OR b.created_at < ?)")
# The battles whose names are still hidden (parameters: the cutoff, twice). They are few and
# recent: the created_at index finds them without reading the rest.
_HIDDEN_BATTLES = ("SELECT b.id FROM battles b LEFT JOIN votes v ON v.battle_id = b.id"
                   f" WHERE b.created_at >= ? AND NOT {REVEALED}")
# What a vote needs from its battle, and whether the battle's names could already be seen
# (parameters: the cutoff of REVEALED, the battle's id).
_VOTE_PAIR = (f"SELECT b.category, b.created_at, {REVEALED}, a.model, a.think, bb.model, bb.think"
              " FROM battles b LEFT JOIN votes v ON v.battle_id = b.id"
              " JOIN battle_sides a ON a.battle_id = b.id AND a.side = 'a'"
              " JOIN battle_sides bb ON bb.battle_id = b.id AND bb.side = 'b' WHERE b.id = ?")


@dataclass(frozen=True)
class BattleFilter:
    """Which battles the Data page lists and exports. Dates are inclusive, in UTC; `counted`
    and `failed` are None for either."""

    category: str | None = None
    model: str | None = None  # either side, by contestant name (model and thinking)
    voter: str | None = None
    winner: str | None = None
    since: date | None = None
    until: date | None = None
    counted: bool | None = None
    failed: bool | None = None
    # Only battles whose names may be shown (REVEALED): everywhere but the admin's command line.
    revealed_only: bool = False

    def where(self, hidden_after: str = "") -> tuple[str, list]:
        """SQL over _BATTLE_LIST; `hidden_after` is the cutoff of REVEALED."""
        clauses, params = ["1 = 1"], []
        if self.revealed_only:
            clauses.append(REVEALED)
            params.append(hidden_after)
        if self.category:
            clauses.append("b.category = ?")
            params.append(self.category)
        if self.model:
            clauses.append("((sa.model = ? AND sa.think = ?) OR (sb.model = ? AND sb.think = ?))")
            params += list(parse_contestant(self.model)) * 2
        if self.voter:
            clauses.append("v.voter = ?")
            params.append(self.voter)
        if self.winner:
            clauses.append("v.winner = ?")
            params.append(self.winner)
        dates, date_params = _date_range("b.created_at", self.since, self.until)
        clauses += dates
        params += date_params
        if self.counted is not None:
            clauses.append("v.counts = ?" if self.counted else "(v.counts IS NULL OR v.counts = 0)")
            if self.counted:
                params.append(1)
        if self.failed is not None:
            clauses.append("b.status = ?")
            params.append("failed" if self.failed else "complete")
        return " AND ".join(clauses), params


_BATTLE_LIST = ("FROM battles b LEFT JOIN votes v ON v.battle_id = b.id"
                " JOIN battle_sides sa ON sa.battle_id = b.id AND sa.side = 'a'"
                " JOIN battle_sides sb ON sb.battle_id = b.id AND sb.side = 'b'")
# A battle with its vote as one flat row (Store.battle_rows): the battle's columns, its vote's,
# then each side's suffixed _a / _b.
ROW_VOTE_COLUMNS = ["winner", "voter", "voted_at", "counts", "not_counted_reason"]
ROW_COLUMNS = (BATTLE_COLUMNS + ROW_VOTE_COLUMNS
               + [f"{c}_{side}" for side in "ab" for c in SIDE_COLUMNS])


class _FairLock:
    """A lock granted in the order it was asked for: threading.Lock lets a thread that just
    released it take it again at once, and under 32 writers some waited a hundred times longer
    than others."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder, who hands the lock over

    def __exit__(self, *exc) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False


class _WriteLock:
    """The one writer of a database file at a time: a thread lock for this process, then an
    advisory lock on a file beside the database for other processes. Waiting writers queue in
    the kernel and wake the moment the lock is free, where SQLite's own busy handler would poll
    with sleeps of up to 100 ms (the long tail of vote writes under load)."""

    def __init__(self, path: Path):
        self._thread_lock = _FairLock()
        self._lock_path = None if fcntl is None or str(path) == ":memory:" else \
            Path(f"{path}-writer.lock")
        self._fd: int | None = None

    @contextmanager
    def held(self, across_processes: bool = True) -> Iterator[None]:
        with self._thread_lock:
            if self._lock_path is None or not across_processes:
                yield
                return
            if self._fd is None:
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_write_locks: dict[str, _WriteLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(path: Path) -> _WriteLock:
    """One lock per database file per process, shared by every Store on that file."""
    key = str(path) if str(path) == ":memory:" else str(path.resolve())
    with _write_locks_guard:
        return _write_locks.setdefault(key, _WriteLock(path))


# An unvoted battle older than this counts as abandoned (settings: ARENA_UNVOTED_HIDDEN_S).
UNVOTED_HIDDEN_FOR = timedelta(hours=1)
CHECKPOINT_BYTES = 4 << 20
NAMES_VISIBLE = "names visible"  # the not-counted reason of a vote cast after the names showed
ARENA_TABLES = {"battles", "battle_sides", "votes", "categories"}


_FOREIGN = "{path}: not an arena database (it has tables of another program); nothing changed"


def _foreign(conn: sqlite3.Connection) -> bool:
    """Whether the database belongs to another program: tables, but no arena schema version."""
    return conn.execute("PRAGMA user_version").fetchone()[0] == 0 and conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone() is not None


class Store:
    """The arena's database. Create one per file; it migrates the schema on creation, unless
    opened `read_only`: then nothing is ever written (not even the schema) and a file that is
    not an up-to-date arena database is refused. Close it when done (or use it in `with`)."""

    def __init__(self, path: str | Path, read_only: bool = False,
                 unvoted_hidden_for: timedelta = UNVOTED_HIDDEN_FOR):
        self.path = Path(path)
        self.read_only = read_only
        self.unvoted_hidden_for = unvoted_hidden_for
        self._writer: sqlite3.Connection | None = None  # opened on the first write, kept
        self._lock = _write_lock(self.path)
        self._checkpoint_guard = threading.Lock()
        self._checkpoint_thread: threading.Thread | None = None
        if read_only:
            self._check_arena_schema()
            return
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.reading() as conn:
                if _foreign(conn):  # before WAL mode, which would change its header
                    raise NotArenaDatabase(_FOREIGN.format(path=self.path))
                conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            if type(exc) is sqlite3.DatabaseError:  # not a subclass: locked, read-only, ...
                raise NotArenaDatabase(f"{self.path}: not an arena database ({exc})") from None
            raise
        self.migrate()

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so a transaction is exactly what we say.
        if self.read_only:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None,
                                   check_same_thread=False)
        else:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    def _writer_connection(self) -> sqlite3.Connection:
        """The one connection this Store writes with (under the write lock): its statements stay
        prepared between votes. synchronous=NORMAL under WAL: a commit is a write to the WAL
        without an fsync, so a vote survives the arena being killed (kill -9) though not a power
        cut in the last moments before the next checkpoint."""
        if self._writer is None:
            conn = self._connect()
            conn.execute("PRAGMA synchronous = NORMAL")
            # Checkpoints (which fsync) run beside the writers, not inside a vote: _checkpoint.
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            self._writer = conn
            weakref.finalize(self, conn.close)
        return self._writer

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it is written, or none of it (and the error raised is
        the one that stopped it, not a failed ROLLBACK's)."""
        if self.read_only:
            raise sqlite3.OperationalError(f"{self.path} is open read-only")
        with self._lock.held():
            conn = self._writer_connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite may have rolled back already (a full disk, say)
                raise
        self._checkpoint_if_due()

    def _checkpoint_if_due(self) -> None:
        """Copy the write-ahead log into the database in a thread of its own once it has grown
        past SQLite's usual point (about 4 MB), so that no vote waits for a checkpoint's fsync. A
        PASSIVE checkpoint never blocks writers; the log is reused once it is all copied."""
        try:
            grown = os.path.getsize(f"{self.path}-wal") > CHECKPOINT_BYTES
        except OSError:
            return
        if not grown:
            return

        def checkpoint() -> None:
            try:
                with self.reading() as conn:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # the next one will try again

        with self._checkpoint_guard:
            running = self._checkpoint_thread
            if running is not None and running.is_alive():
                return
            self._checkpoint_thread = threading.Thread(target=checkpoint,
                                                       name="arena-checkpoint", daemon=True)
            self._checkpoint_thread.start()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def close(self) -> None:
        """Close the writing connection (reads open and close their own) and wait for a
        checkpoint under way: after this nothing of this Store touches the file (a connection
        closing late would checkpoint, and remove, whatever log then has the file's name)."""
        with self._lock.held(across_processes=False):
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        if self._checkpoint_thread is not None:
            self._checkpoint_thread.join()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _hidden_after(self) -> str:
        """Battles created before this (ISO UTC) count as abandoned if still unvoted."""
        return iso_utc(datetime.now(timezone.utc) - self.unvoted_hidden_for)

    def schema_version(self) -> int:
        with self.reading() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def _check_arena_schema(self) -> None:
        """For a read-only open: refuse what is not an arena database of this version."""
        if not self.path.is_file():
            raise NotArenaDatabase(f"{self.path}: no such database")
        try:
            with self.reading() as conn:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                tables = {r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            if type(exc) is sqlite3.DatabaseError:  # "file is not a database" and the like
                raise NotArenaDatabase(f"{self.path}: not an arena database ({exc})") from None
            raise sqlite3.OperationalError(f"{self.path}: cannot read it ({exc})") from None
        if version == 0 or not ARENA_TABLES <= tables:
            raise NotArenaDatabase(f"{self.path}: not an arena database (no arena tables)")
        if version > len(MIGRATIONS):
            raise NewerSchema(f"{self.path}: schema version {version} is newer than this arena "
                              f"knows ({len(MIGRATIONS)}): update the app")
        if version < len(MIGRATIONS):
            raise OlderSchema(f"{self.path}: schema version {version}, this arena's is "
                              f"{len(MIGRATIONS)}: run `python -m arena migrate --db "
                              f"{self.path}` (or open it with the app) first")

    def migrate(self) -> None:
        """Bring the schema up to date; safe when several processes start at once. A database
        of another program (tables, but no arena schema version) is refused, not changed."""
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise NewerSchema(
                    f"schema version {version} is newer than this arena knows "
                    f"({len(MIGRATIONS)}): update the app"
                )
            if _foreign(conn):
                raise NotArenaDatabase(_FOREIGN.format(path=self.path))
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                _apply(conn, migration)
                conn.execute(f"PRAGMA user_version = {number}")

    # --- categories -------------------------------------------------------------------------

    def categories(self) -> list[Category]:
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT slug, name, description, system_prompt, presets FROM categories"
                " ORDER BY position, name"
            ).fetchall()
        return [
            Category(
                slug=r["slug"],
                name=r["name"],
                description=r["description"],
                system_prompt=r["system_prompt"],
                presets=json.loads(r["presets"]),
            )
            for r in rows
        ]

    def save_category(self, category: Category) -> None:
        """Add a category, or change the one with its slug (keeping its place in the list)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO categories (slug, name, description, system_prompt, presets, position)"
                " VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories))"
                " ON CONFLICT (slug) DO UPDATE SET name = excluded.name,"
                " description = excluded.description, system_prompt = excluded.system_prompt,"
                " presets = excluded.presets",
                (category.slug, category.name, category.description, category.system_prompt,
                 json.dumps(category.presets, ensure_ascii=False)))

    def delete_category(self, slug: str) -> bool:
        """Delete a category no battle belongs to; False (and nothing deleted) if one does."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM battles WHERE category = ? LIMIT 1",
                            (slug,)).fetchone():
                return False
            return conn.execute("DELETE FROM categories WHERE slug = ?", (slug,)).rowcount == 1

    # --- hosts, model choices and options (the Models page) -----------------------------------

    def added_hosts(self) -> list[str]:
        with self.reading() as conn:
            return [r[0] for r in conn.execute("SELECT url FROM hosts ORDER BY added_at, url")]

    def add_host(self, url: str) -> bool:
        """Add a host (a normalised URL); False if it was there already."""
        with self.transaction() as conn:
            return conn.execute("INSERT OR IGNORE INTO hosts (url, added_at) VALUES (?, ?)",
                                (url, utc_now())).rowcount == 1

    def remove_host(self, url: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM hosts WHERE url = ?", (url,)).rowcount == 1

    def model_choices(self) -> dict[str, ModelChoice]:
        with self.reading() as conn:
            return {r[0]: ModelChoice(bool(r[1]), bool(r[2])) for r in conn.execute(
                "SELECT model, included, split_thinking FROM model_choices")}

    def set_model_choice(self, model: str, choice: ModelChoice) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO model_choices (model, included, split_thinking) VALUES (?, ?, ?)"
                " ON CONFLICT (model) DO UPDATE SET included = excluded.included,"
                " split_thinking = excluded.split_thinking",
                (model, int(choice.included), int(choice.split_thinking)))

    def arena_options(self) -> ArenaOptions:
        with self.reading() as conn:
            stored = dict(conn.execute("SELECT name, value FROM options").fetchall())
        default = ArenaOptions()
        schedule = stored.get("schedule", default.schedule)
        return ArenaOptions(
            include_new_models=stored.get("include_new_models", "1") == "1",
            schedule=schedule if schedule in SCHEDULES else default.schedule,
            show_thinking_before_vote=stored.get("show_thinking_before_vote", "0") == "1",
        )

    def set_arena_options(self, options: ArenaOptions) -> None:
        if options.schedule not in SCHEDULES:
            raise ValueError(f"schedule {options.schedule!r} is not one of {SCHEDULES}")
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO options (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [("include_new_models", "1" if options.include_new_models else "0"),
                 ("schedule", options.schedule),
                 ("show_thinking_before_vote",
                  "1" if options.show_thinking_before_vote else "0")])

    # --- battles ----------------------------------------------------------------------------

    def save_battle(self, battle: Battle) -> None:
        """Write a battle and both its sides in one transaction."""
        self.save_battles([battle])

    def save_battles(self, battles: Iterable[Battle], votes: Iterable[Vote] = ()) -> None:
        """Write many battles, and votes on them, in one transaction: all or nothing."""
        battles, votes = list(battles), list(votes)
        battle_rows = [(b.id, b.created_at, b.category, b.prompt, b.system_prompt,
                        options_text(b.options), b.status, b.failure_reason, b.source)
                       for b in battles]
        side_rows = [(b.id, name, *side_values(side))
                     for b in battles for name, side in b.sides.items()]
        by_id = {b.id: b for b in battles}
        with self.transaction() as conn:
            # Votes on battles of this batch take their pair from it, without a query each.
            pairs = {v.battle_id: _pair_of(conn, v.battle_id) if v.battle_id not in by_id else
                     _pair_of_battle(by_id[v.battle_id]) for v in votes}
            self._write(conn, columns_of(BATTLE_COLUMNS, battle_rows),
                        columns_of(["battle_id", "side", *SIDE_COLUMNS], side_rows),
                        _vote_columns(votes, pairs), ())

    def save_battle_columns(self, battles: dict[str, list], sides: dict[str, list],
                            votes: dict[str, list], categories: Iterable[str] = ()) -> None:
        """The bulk form of save_battles, for imports: rows given column by column (names as in
        the tables; votes with VOTE_COLUMNS), written in one transaction."""
        with self.transaction() as conn:
            # A bigger page cache for this connection: index pages of random ids stay in memory.
            conn.execute("PRAGMA cache_size = -65536")
            self._write(conn, battles, sides, votes, categories)

    @staticmethod
    def _write(conn: sqlite3.Connection, battles: dict[str, list], sides: dict[str, list],
               votes: dict[str, list], categories: Iterable[str]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO categories (slug, name, position)"
            " VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories))",
            [(c, c) for c in sorted(set(categories))],
        )
        _insert_rows(conn, "battles", battles)
        _insert_rows(conn, "battle_sides", sides)
        if len(votes["battle_id"]) >= BULK_VOTES:
            _insert_votes_in_bulk(conn, votes)
        else:
            _insert_rows(conn, "votes", votes)

    def get_battle(self, battle_id: str) -> Battle | None:
        with self.reading() as conn:
            row = conn.execute("SELECT * FROM battles WHERE id = ?", (battle_id,)).fetchone()
            if row is None:
                return None
            sides = {
                r["side"]: Side(**{c: r[c] for c in SIDE_COLUMNS})
                for r in conn.execute(
                    "SELECT * FROM battle_sides WHERE battle_id = ?", (battle_id,)
                )
            }
        return _battle_from_row(row, sides)

    def battle_rows(self, where: BattleFilter = BattleFilter(),
                    chunk: int = 5000) -> Iterator[list[tuple]]:
        """The battles a filter selects, oldest first, with their votes: flat rows in the order
        of ROW_COLUMNS (vote fields None where there is no vote), `chunk` rows at a time."""
        clause, params = where.where(self._hidden_after())
        select = ", ".join([f"b.{c}" for c in BATTLE_COLUMNS]
                           + [f"v.{c}" for c in ROW_VOTE_COLUMNS]
                           + [f"s{side}.{c}" for side in "ab" for c in SIDE_COLUMNS])
        with self.reading() as conn:
            cursor = conn.cursor()
            cursor.row_factory = None  # plain tuples
            cursor.execute(f"SELECT {select} {_BATTLE_LIST} WHERE {clause}"
                           " ORDER BY b.created_at, b.rowid", params)
            while rows := cursor.fetchmany(chunk):
                yield rows

    def count_battles_where(self, where: BattleFilter) -> int:
        clause, params = where.where(self._hidden_after())
        with self.reading() as conn:
            return conn.execute(f"SELECT COUNT(*) {_BATTLE_LIST} WHERE {clause}",
                                params).fetchone()[0]

    def battle_list(self, where: BattleFilter, offset: int = 0, limit: int = 50) -> pd.DataFrame:
        """One page of battles, newest first, one row each with its vote's fields."""
        clause, params = where.where(self._hidden_after())
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT b.id, b.created_at, b.category, sa.model, sa.think, sb.model, sb.think,"
                " v.winner, v.voter, v.counts, b.status, b.source"
                f" {_BATTLE_LIST} WHERE {clause}"
                " ORDER BY b.created_at DESC, b.rowid DESC LIMIT ? OFFSET ?",
                params + [limit, offset],
            ).fetchall()
        frame = pd.DataFrame(
            [(r[0], r[1], r[2], contestant(r[3], r[4]), contestant(r[5], r[6]), r[7], r[8],
              None if r[9] is None else bool(r[9]), r[10], r[11]) for r in rows],
            columns=["id", "tstamp", "category", "model_a", "model_b", "winner", "voter",
                     "counted", "status", "source"])
        return frame

    def contestants(self, revealed_only: bool = True) -> list[str]:
        """Every contestant name of the stored battles; by default only of battles whose names
        may be shown (a brand-new model in its first, unvoted battle is not listed)."""
        query = "SELECT DISTINCT model, think FROM battle_sides"
        params: list = []
        if revealed_only:
            query += f" WHERE battle_id NOT IN ({_HIDDEN_BATTLES})"
            params += [self._hidden_after()] * 2
        with self.reading() as conn:
            rows = conn.execute(query, params).fetchall()
        return sorted({contestant(m, t) for m, t in rows})

    def names_hidden(self) -> bool:
        """Whether some stored battle's names are still hidden (REVEALED): while one is, what
        Ollama has loaded may name its models."""
        with self.reading() as conn:
            return conn.execute(f"SELECT EXISTS ({_HIDDEN_BATTLES})",
                                [self._hidden_after()] * 2).fetchone()[0] == 1

    def abandon_battle(self, battle_id: str) -> bool:
        """The tab that ran a battle moved on without voting: its names may now be shown, and
        a vote cast on it later does not count. False if it was voted or abandoned already."""
        with self.transaction() as conn:
            return conn.execute(
                "UPDATE battles SET abandoned_at = ? WHERE id = ? AND abandoned_at IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM votes WHERE battle_id = ?)",
                (utc_now(), battle_id, battle_id)).rowcount == 1

    def delete_battles(self, ids: list[str]) -> int:
        """Delete battles with their sides and votes (cascade) in one transaction; the tally and
        version triggers follow. Returns how many battles were deleted."""
        deleted = 0
        with self.transaction() as conn:
            for start in range(0, len(ids), 900):
                part = ids[start:start + 900]
                marks = ", ".join("?" for _ in part)
                deleted += conn.execute(f"DELETE FROM battles WHERE id IN ({marks})",
                                        part).rowcount
        return deleted

    def existing_battle_ids(self, ids: list[str], chunk: int = 900) -> set[str]:
        found: set[str] = set()
        with self.reading() as conn:
            for start in range(0, len(ids), chunk):
                part = ids[start:start + chunk]
                marks = ", ".join("?" for _ in part)
                found.update(r[0] for r in conn.execute(
                    f"SELECT id FROM battles WHERE id IN ({marks})", part))
        return found

    def count_battles(self) -> int:
        with self.reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM battles").fetchone()[0]

    # --- votes ------------------------------------------------------------------------------

    def record_vote(
        self,
        battle_id: str,
        winner: str,
        voter: str = "anonymous",
        counts: bool = True,
        not_counted_reason: str | None = None,
    ) -> Vote:
        """Store the one vote of a battle and return it as stored. Raises VoteRejected if the
        database refuses it. A vote on a battle whose names could already be seen (abandoned,
        or unvoted past the time limit) is stored but does not count (NAMES_VISIBLE)."""
        if winner not in WINNERS:
            raise VoteRejected(VoteRejected.BAD_WINNER, battle_id)
        voter = voter.strip() or "anonymous"
        try:
            with self.transaction() as conn:
                # One prepared statement for everything the vote needs from its battle.
                row = conn.execute(_VOTE_PAIR, (self._hidden_after(), battle_id)).fetchone()
                if row is None:
                    pair, visible = (None, None, None, None), False
                else:
                    pair = (row[0], row[1], contestant(row[3], row[4]),
                            contestant(row[5], row[6]))
                    visible = bool(row[2])
                if visible and counts:
                    counts, not_counted_reason = False, NAMES_VISIBLE
                vote = Vote(battle_id=battle_id, winner=winner, voter=voter, voted_at=utc_now(),
                            counts=counts, not_counted_reason=not_counted_reason)
                conn.execute(_VOTE_INSERT, (vote.battle_id, vote.winner, vote.voter,
                                            vote.voted_at, int(vote.counts),
                                            vote.not_counted_reason, *pair))
        except sqlite3.IntegrityError as exc:
            message = str(exc)
            if "UNIQUE" in message or "PRIMARY KEY" in message:
                raise VoteRejected(VoteRejected.ALREADY_VOTED, battle_id) from None
            if "vote refused" in message:
                exists = self.get_battle(battle_id) is not None
                reason = VoteRejected.BATTLE_FAILED if exists else VoteRejected.UNKNOWN_BATTLE
                raise VoteRejected(reason, battle_id) from None
            raise
        return vote

    def get_vote(self, battle_id: str) -> Vote | None:
        with self.reading() as conn:
            row = conn.execute("SELECT * FROM votes WHERE battle_id = ?", (battle_id,)).fetchone()
        return None if row is None else _vote_from_row(row)

    def count_votes(self, voter: str | None = None) -> int:
        """All votes, or those of one voter (counted or not)."""
        with self.reading() as conn:
            if voter is None:
                return conn.execute("SELECT COUNT(*) FROM votes").fetchone()[0]
            return conn.execute("SELECT COUNT(*) FROM votes WHERE voter = ?",
                                (voter,)).fetchone()[0]

    # --- what the ratings read ----------------------------------------------------------------

    def votes_version(self) -> int:
        """Changes whenever a vote is added, changed or removed: a cache key for anything
        computed from votes."""
        with self.reading() as conn:
            return conn.execute("SELECT version FROM votes_version WHERE id = 1").fetchone()[0]

    def vote_counts(self, where: VoteFilter = VoteFilter()) -> pd.DataFrame:
        """Counted votes aggregated to (category, model_a, model_b, winner, count): the input of
        arena.ratings. Unfiltered, it is the trigger-kept tally; filtered, one GROUP BY."""
        if where == VoteFilter():
            query, params = ("SELECT category, model_a, model_b, winner, count FROM vote_tally"
                             " WHERE count > 0"), []
        else:
            clause, params = where.where()
            query = ("SELECT category, model_a, model_b, winner, COUNT(*) FROM votes"
                     f" WHERE {clause} GROUP BY category, model_a, model_b, winner")
        with self.reading() as conn:
            rows = conn.execute(query, params).fetchall()
        return pd.DataFrame([tuple(r) for r in rows],
                            columns=["category", "model_a", "model_b", "winner", "count"])

    def counted_votes(self, where: VoteFilter = VoteFilter(),
                      category: str | None = None) -> pd.DataFrame:
        """Counted votes one row each, oldest first: for Elo, which depends on vote order."""
        clause, params = where.where()
        if category is not None:
            clause += " AND category = ?"
            params.append(category)
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT battle_at, category, model_a, model_b, winner, voter FROM votes"
                f" WHERE {clause} ORDER BY battle_at, rowid",
                params,
            ).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows],
                             columns=["tstamp", "category", "model_a", "model_b", "winner",
                                      "voter"])
        frame["tstamp"] = pd.to_datetime(frame["tstamp"], utc=True, format="ISO8601")
        return frame

    def voters(self) -> list[str]:
        with self.reading() as conn:
            return [r[0] for r in conn.execute(
                "SELECT DISTINCT voter FROM votes WHERE counts = 1 ORDER BY voter")]
