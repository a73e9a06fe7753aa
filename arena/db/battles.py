"""The Store's battles: written one by one or in bulk, read back, listed for the Data page and
exports, and which contestants' names may be shown (arena.db.rules.REVEALED)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

import pandas as pd

from arena.db import bulk
from arena.db.bulk import (
    BATTLE_COLUMNS,
    SIDE_COLUMNS,
    VOTE_COLUMNS,
    VOTE_REASON_COLUMNS,
    columns_of,
    options_text,
)
from arena.db.connection import IN_CHUNK, Database, in_chunks
from arena.db.filters import BATTLE_LIST, BattleFilter
from arena.db.images import image_data, image_hashes, read_images, write_images
from arena.db.rules import HIDDEN_BATTLES, HIDDEN_CUTOFFS
from arena.db.turns import read_followups, write_followups
from arena.records import Battle, Side, Vote, contestant_name, utc_now
from arena.vote_reasons import reasons_text

# A battle with its vote as one flat row (Store.battle_rows): the battle's columns, its vote's,
# then each side's suffixed _a / _b.
ROW_VOTE_COLUMNS = ["winner", "voter", "voted_at", "counts", "not_counted_reason",
                    *VOTE_REASON_COLUMNS]
ROW_COLUMNS = (BATTLE_COLUMNS + ROW_VOTE_COLUMNS
               + [f"{c}_{side}" for side in "ab" for c in SIDE_COLUMNS]
               + ["followups"])  # the follow-up turns' JSON (arena.db.turns), last


class Battles(Database):
    """The battles and battle_sides tables (and the votes written with battles)."""

    def save_battle(self, battle: Battle) -> None:
        """Write a battle and both its sides in one transaction."""
        self.save_battles([battle])

    def save_battles(self, battles: Iterable[Battle], votes: Iterable[Vote] = ()) -> None:
        """Write many battles, and votes on them, in one transaction: all or nothing."""
        battles, votes = list(battles), list(votes)
        battle_rows = [(b.id, b.created_at, b.category, b.prompt, b.system_prompt,
                        options_text(b.options), b.status, b.failure_reason, b.source,
                        b.prompt_set, b.item_id, b.expected, b.answer_id_a, b.answer_id_b)
                       for b in battles]
        side_rows = [(b.id, name, *bulk.side_values(side))
                     for b in battles for name, side in b.sides.items()]
        by_id = {b.id: b for b in battles}
        with self.transaction() as conn:
            # Votes on battles of this batch take their pair from it, without a query each.
            pairs = {v.battle_id: _pair_of(conn, v.battle_id) if v.battle_id not in by_id else
                     _pair_of_battle(by_id[v.battle_id]) for v in votes}
            bulk.write_columns(conn, columns_of(BATTLE_COLUMNS, battle_rows),
                               columns_of(["battle_id", "side", *SIDE_COLUMNS], side_rows),
                               _vote_columns(votes, pairs), ())
            write_images(conn, [(b.id, b.images) for b in battles])
            write_followups(conn, battles)

    def save_battle_columns(self, battles: dict[str, list], sides: dict[str, list],
                            votes: dict[str, list], categories: Iterable[str] = (),
                            images: Iterable[tuple[str, tuple]] = ()) -> None:
        """The bulk form of save_battles, for imports: rows given column by column (names as in
        the tables; votes with VOTE_COLUMNS) and (battle id, images) pairs, written in one
        transaction."""
        with self.transaction() as conn:
            # A bigger page cache for this connection: index pages of random ids stay in memory.
            conn.execute("PRAGMA cache_size = -65536")
            bulk.write_columns(conn, battles, sides, votes, categories)
            write_images(conn, images)

    def battle_image_hashes(self, battle_ids: list[str]) -> dict[str, list[tuple[str, str, int]]]:
        """(sha256, mime, bytes) of each battle's images, in order (arena.db.images)."""
        with self.reading() as conn:
            return image_hashes(conn, battle_ids)

    def images_by_hash(self, hashes: Iterable[str]) -> dict:
        """The stored images of these hashes, by hash (arena.images.ImageRecord)."""
        with self.reading() as conn:
            return image_data(conn, hashes)

    def get_battle(self, battle_id: str) -> Battle | None:
        with self.reading() as conn:
            return read_battle(conn, battle_id)

    def battle_rows(self, where: BattleFilter = BattleFilter(),
                    chunk: int = 5000) -> Iterator[list[tuple]]:
        """The battles a filter selects, oldest first, with their votes: flat rows in the order
        of ROW_COLUMNS (vote fields None where there is no vote), `chunk` rows at a time."""
        clause, params = where.where(self._hidden_after())
        select = ", ".join([f"b.{c}" for c in BATTLE_COLUMNS]
                           + [f"v.{c}" for c in ROW_VOTE_COLUMNS]
                           + [f"s{side}.{c}" for side in "ab" for c in SIDE_COLUMNS]
                           + ["b.followups"])
        with self.reading() as conn:
            cursor = conn.cursor()
            cursor.row_factory = None  # plain tuples
            cursor.execute(f"SELECT {select} {BATTLE_LIST} WHERE {clause}"
                           " ORDER BY b.created_at, b.rowid", params)
            while rows := cursor.fetchmany(chunk):
                yield rows

    def count_battles_where(self, where: BattleFilter) -> int:
        clause, params = where.where(self._hidden_after())
        with self.reading() as conn:
            return conn.execute(f"SELECT COUNT(*) {BATTLE_LIST} WHERE {clause}",
                                params).fetchone()[0]

    def battle_list(self, where: BattleFilter, offset: int = 0, limit: int = 50) -> pd.DataFrame:
        """One page of battles, newest first, one row each with its vote's fields."""
        clause, params = where.where(self._hidden_after())
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT b.id, b.created_at, b.category, sa.model, sa.think, sb.model, sb.think,"
                " v.winner, v.voter, v.counts, b.status, b.source"
                f" {BATTLE_LIST} WHERE {clause}"
                " ORDER BY b.created_at DESC, b.rowid DESC LIMIT ? OFFSET ?",
                params + [limit, offset],
            ).fetchall()
        frame = pd.DataFrame(
            [(r[0], r[1], r[2], contestant_name(r[3], r[4]), contestant_name(r[5], r[6]), r[7], r[8],
              None if r[9] is None else bool(r[9]), r[10], r[11]) for r in rows],
            columns=["id", "tstamp", "category", "model_a", "model_b", "winner", "voter",
                     "counted", "status", "source"])
        return frame

    def contestant_names(self, revealed_only: bool = True) -> list[str]:
        """Every contestant name of the stored battles; by default only of battles whose names
        may be shown (a brand-new model in its first, unvoted battle is not listed)."""
        query = "SELECT DISTINCT model, think FROM battle_sides"
        params: list = []
        if revealed_only:
            query += f" WHERE battle_id NOT IN ({HIDDEN_BATTLES})"
            params += [self._hidden_after()] * HIDDEN_CUTOFFS
        with self.reading() as conn:
            rows = conn.execute(query, params).fetchall()
        return sorted({contestant_name(m, t) for m, t in rows})

    def count_hidden(self) -> int:
        """How many stored battles' names are still hidden (not REVEALED): those the Data page
        and exports leave out for now."""
        with self.reading() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM ({HIDDEN_BATTLES})",
                                [self._hidden_after()] * HIDDEN_CUTOFFS).fetchone()[0]

    def names_hidden(self) -> bool:
        """Whether some stored battle's names are still hidden (REVEALED): while one is, what
        Ollama has loaded may name its models."""
        with self.reading() as conn:
            return conn.execute(f"SELECT EXISTS ({HIDDEN_BATTLES})",
                                [self._hidden_after()] * HIDDEN_CUTOFFS).fetchone()[0] == 1

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
        with self.transaction() as conn:
            return sum(c.rowcount for c in
                       in_chunks(conn, "DELETE FROM battles WHERE id IN ({marks})", ids))

    def existing_battle_ids(self, ids: list[str], chunk: int = IN_CHUNK) -> set[str]:
        """Those of `ids` stored already (an import skips them)."""
        with self.reading() as conn:
            return {r[0] for cursor in in_chunks(
                conn, "SELECT id FROM battles WHERE id IN ({marks})", ids, chunk) for r in cursor}


def read_battle(conn: sqlite3.Connection, battle_id: str) -> Battle | None:
    """A stored battle with both its sides; None if there is none."""
    row = conn.execute("SELECT * FROM battles WHERE id = ?", (battle_id,)).fetchone()
    if row is None:
        return None
    sides = {
        r["side"]: Side(**{c: r[c] for c in SIDE_COLUMNS})
        for r in conn.execute(
            "SELECT * FROM battle_sides WHERE battle_id = ?", (battle_id,)
        )
    }
    battle = _battle_from_row(row, sides)
    battle.images = read_images(conn, battle_id)
    return battle


def _pair_of(conn: sqlite3.Connection, battle_id: str) -> tuple:
    """(category, battle time, contestant a, contestant b) of a battle; Nones if there is none
    (the insert is then refused by the trigger, which reports it)."""
    battle = conn.execute("SELECT category, created_at FROM battles WHERE id = ?",
                          (battle_id,)).fetchone()
    sides = dict(
        (r["side"], contestant_name(r["model"], r["think"]))
        for r in conn.execute("SELECT side, model, think FROM battle_sides WHERE battle_id = ?",
                              (battle_id,))
    )
    if battle is None or len(sides) != 2:
        return None, None, None, None
    return battle["category"], battle["created_at"], sides["a"], sides["b"]


def _vote_columns(votes: list[Vote], pairs: dict[str, tuple]) -> dict[str, list]:
    """Votes as columns, each with its battle's (category, time, contestant a, contestant b)."""
    return columns_of(VOTE_COLUMNS + VOTE_REASON_COLUMNS, [
        (v.battle_id, v.winner, v.voter, v.voted_at, int(v.counts), v.not_counted_reason,
         *pairs[v.battle_id], reasons_text(v.reasons), v.comment) for v in votes])


def _pair_of_battle(battle: Battle) -> tuple:
    return (battle.category, battle.created_at,
            contestant_name(battle.side_a.model, battle.side_a.think),
            contestant_name(battle.side_b.model, battle.side_b.think))


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
        prompt_set=row["prompt_set"],
        item_id=row["item_id"],
        expected=row["expected"],
        answer_id_a=row["answer_id_a"],
        answer_id_b=row["answer_id_b"],
        side_a=sides["a"],
        side_b=sides["b"],
        followups=read_followups(row),
    )

