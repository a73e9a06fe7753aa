"""The write path of many rows at once: the tables' columns, rows given column by column, and
votes inserted with the work of their row triggers done once for the whole write (imports write
hundreds of thousands of rows in one transaction)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import fields
from operator import attrgetter

from arena.db.rules import REFUSED_VOTES, ROW_TRIGGERS, TALLY_ADD, VERSION_BUMP
from arena.records import Side
from arena.style_features import STYLE_FEATURES, answer_style

BATTLE_COLUMNS = ["id", "created_at", "category", "prompt", "system_prompt", "options", "status",
                  "failure_reason", "source", "prompt_set", "item_id", "expected", "answer_id_a",
                  "answer_id_b"]
SIDE_COLUMNS = [f.name for f in fields(Side)]
# A side's values in SIDE_COLUMNS order; much faster than dataclasses.asdict, which deep-copies.
side_values = attrgetter(*SIDE_COLUMNS)
VOTE_COLUMNS = ["battle_id", "winner", "voter", "voted_at", "counts", "not_counted_reason",
                "category", "battle_at", "model_a", "model_b"]
# Why the vote was cast (schema 16, arena.vote_reasons): set after the vote, or imported with it.
VOTE_REASON_COLUMNS = ["reasons", "comment"]
# Each answer's style counts (arena.style_features), NULL for a side with no answer text; and
# their copies on each vote, each side's packed into one integer (pack_style), so that style
# control reads one table and few values, as the leaderboard does (schema 13).
SIDE_STYLE_COLUMNS = [f"style_{f}" for f in STYLE_FEATURES]
VOTE_STYLE_COLUMNS = ["style_a", "style_b"]
# The packing: tokens in the low 24 bits, then headers, list items and bold spans in 12 bits
# each, every count clipped to its field (16,777,215 tokens; 4,095 of the others).
STYLE_BITS = (24, 12, 12, 12)
STYLE_SHIFTS = (0, 24, 36, 48)
# From this many votes in one write, the per-row vote triggers are replaced by one set-based
# statement each (see insert_votes_in_bulk).
BULK_VOTES = 1000

# json.dumps(options, sort_keys=True) without building an encoder per call (imports call it
# once per battle).
_OPTIONS_ENCODER = json.JSONEncoder(sort_keys=True)


def options_text(options: dict) -> str:
    """A battle's options as the JSON text stored with it (keys sorted, one form per value)."""
    return _OPTIONS_ENCODER.encode(options) if options else "{}"


def columns_of(names: list[str], rows: list[tuple]) -> dict[str, list]:
    """Rows of values in `names` order as one list per name (empty lists when no rows)."""
    if not rows:
        return {name: [] for name in names}
    return {name: list(values) for name, values in zip(names, zip(*rows))}


def write_columns(conn: sqlite3.Connection, battles: dict[str, list], sides: dict[str, list],
                  votes: dict[str, list], categories: Iterable[str]) -> None:
    """Write battles, their sides and votes given column by column (names as in the tables),
    adding the categories named (slugs) that are not there yet, in the caller's transaction."""
    conn.executemany(
        "INSERT OR IGNORE INTO categories (slug, name, position)"
        " VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories))",
        [(c, c) for c in sorted(set(categories))],
    )
    if _has_styles(conn):
        sides = with_side_styles(sides)
        votes = with_vote_styles(conn, votes, sides)
    insert_rows(conn, "battles", battles)
    insert_rows(conn, "battle_sides", sides)
    if len(votes["battle_id"]) >= BULK_VOTES:
        insert_votes_in_bulk(conn, votes)
    else:
        insert_rows(conn, "votes", votes)


def _has_styles(conn: sqlite3.Connection) -> bool:
    """Whether the schema has the style columns (a test may write at an older version)."""
    return any(r[1] == SIDE_STYLE_COLUMNS[0]
               for r in conn.execute("PRAGMA table_info(battle_sides)"))


def stored_style(answer: str | None) -> tuple:
    """An answer's style counts as stored: NULLs for no answer text (an imported battle
    without texts), which style control leaves out."""
    return answer_style(answer) if answer else (None,) * len(STYLE_FEATURES)


def with_side_styles(sides: dict[str, list]) -> dict[str, list]:
    """Sides given column by column, with their style columns worked out from their answers
    (unless given)."""
    if SIDE_STYLE_COLUMNS[0] in sides or not sides.get("battle_id"):
        return sides
    answers = sides.get("answer") or [None] * len(sides["battle_id"])
    return {**sides, **columns_of(SIDE_STYLE_COLUMNS, [stored_style(a) for a in answers])}


def pack_style(counts: tuple) -> int | None:
    """An answer's stored counts (STYLE_FEATURES order) as the one integer a vote carries;
    None for a side with no answer text."""
    if counts[0] is None:
        return None
    return sum(min(int(n), (1 << bits) - 1) << shift
               for n, bits, shift in zip(counts, STYLE_BITS, STYLE_SHIFTS))


def side_styles(conn: sqlite3.Connection, battle_id: str) -> tuple:
    """The packed style counts of a stored battle's two answers, in VOTE_STYLE_COLUMNS order
    (Nones for a battle that is not there)."""
    select = ", ".join(SIDE_STYLE_COLUMNS)
    found = {r[0]: pack_style(tuple(r[1:])) for r in conn.execute(
        f"SELECT side, {select} FROM battle_sides WHERE battle_id = ?", (battle_id,))}
    return found.get("a"), found.get("b")


def with_vote_styles(conn: sqlite3.Connection, votes: dict[str, list],
                     sides: dict[str, list]) -> dict[str, list]:
    """Votes given column by column, with their battles' packed style counts (unless given):
    from the sides written with them, else from the stored battle."""
    if VOTE_STYLE_COLUMNS[0] in votes or not votes.get("battle_id"):
        return votes
    written = {}
    if sides.get("battle_id"):
        styles = zip(*(sides[c] for c in SIDE_STYLE_COLUMNS))
        for battle_id, side, style in zip(sides["battle_id"], sides["side"], styles):
            written[battle_id, side] = pack_style(style)
    rows = []
    for battle_id in votes["battle_id"]:
        if (battle_id, "a") in written:
            rows.append((written[battle_id, "a"], written[battle_id, "b"]))
        else:
            rows.append(side_styles(conn, battle_id))
    return {**votes, **columns_of(VOTE_STYLE_COLUMNS, rows)}


def insert_rows(conn: sqlite3.Connection, table: str, columns: dict[str, list]) -> None:
    """Insert rows given column by column (none when the columns are empty). A column whose
    every value is what the table would put there anyway (NULL, or its '' default) is left out:
    binding values from Python is most of the cost of a bulk write, and imported battles leave
    most side fields empty."""
    info = {r[1]: (r[3], r[4]) for r in conn.execute(f"PRAGMA table_info({table})")}

    def implied(name: str, values: list) -> bool:
        if name not in info:  # a field added by a later migration, empty: an older schema's row
            return values.count(None) == len(values)
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


def insert_votes_in_bulk(conn: sqlite3.Connection, votes: dict[str, list]) -> None:
    """Insert many votes with the work of the row triggers done once for all of them.

    Runs inside the caller's write transaction: the triggers are dropped, the votes inserted,
    what each trigger does is done by one statement, and the triggers are created again from
    their own stored SQL. Schema changes are transactional in SQLite and the write lock is held
    throughout, so no other connection ever sees the database without them, and any failure
    rolls all of it back.
    """
    triggers = dict(conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)",
        ROW_TRIGGERS).fetchall())
    if len(triggers) != len(ROW_TRIGGERS):  # an older schema: the row-by-row way is right
        insert_rows(conn, "votes", votes)
        return
    first_new = conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM votes").fetchone()[0]
    for name in ROW_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    insert_rows(conn, "votes", votes)
    if conn.execute(REFUSED_VOTES, (first_new,)).fetchone()[0]:
        raise sqlite3.IntegrityError("vote refused: battle missing or not complete")
    conn.execute(TALLY_ADD, (first_new,))
    conn.execute(VERSION_BUMP)
    for name in ROW_TRIGGERS:
        conn.execute(triggers[name])
