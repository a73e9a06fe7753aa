"""The Store's follow-up turns of multi-turn battles (battles.followups, a JSON list of
arena.conversation turn records): added one turn a transaction, under the rules of a vote."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from arena.conversation import TurnRefused, followups_from_json, followups_json, turn_record
from arena.db.connection import Database
from arena.records import STATUS_COMPLETE, Battle, Turn


def write_followups(conn: sqlite3.Connection, battles: Iterable[Battle]) -> None:
    """Store the follow-ups of battles just written (inside the caller's transaction)."""
    rows = [(followups_json(b.followups), b.id) for b in battles if b.followups]
    if rows:
        conn.executemany("UPDATE battles SET followups = ? WHERE id = ?", rows)


def read_followups(row: sqlite3.Row) -> list[Turn]:
    """A stored battle row's follow-ups (none before the column existed, or when NULL)."""
    return followups_from_json(row["followups"]) if "followups" in row.keys() else []  # noqa: SIM118 (a Row tests values with in)


class Turns(Database):
    """Adding a follow-up turn to a stored battle."""

    def add_turn(self, battle_id: str, turn: Turn, max_turns: int) -> int:
        """Append `turn` to the battle's follow-ups in one transaction; the battle's turn count
        after it. Refused (TurnRefused, nothing written) when the battle has a vote, is over
        for anonymity (abandoned, or past the unvoted time limit), failed, or has `max_turns`
        turns already. A failed turn (a side failed or was stopped) is stored and makes the
        battle failed, as a failed first turn would: no vote, names shown."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT b.status, b.abandoned_at, b.created_at, b.followups,"
                " EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = b.id) AS voted"
                " FROM battles b WHERE b.id = ?", (battle_id,)).fetchone()
            if row is None:
                raise TurnRefused("missing")
            if row["voted"]:
                raise TurnRefused("voted")
            if row["status"] != STATUS_COMPLETE:
                raise TurnRefused("failed")
            if row["abandoned_at"] is not None or row["created_at"] < self._hidden_after():
                raise TurnRefused("ended")
            turns = followups_from_json(row["followups"])
            if 1 + len(turns) >= max_turns:
                raise TurnRefused("limit")
            records = [turn_record(t) for t in turns] + [turn_record(turn)]
            failures = [f"turn {len(records) + 1}: {name}: {side.error_kind}: {side.error}"
                        for name, side in turn.sides.items() if side.failed]
            conn.execute(
                "UPDATE battles SET followups = ?, status = ?, failure_reason = ? WHERE id = ?",
                (followups_json(turns + [turn]), "failed" if failures else STATUS_COMPLETE,
                 "; ".join(failures) or None, battle_id))
            return 1 + len(records)
