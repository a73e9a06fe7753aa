"""The Store's follow-up turns of multi-turn battles (battles.followups, a JSON list of
arena.conversation turn records): added one turn a transaction, under the rules of a vote."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from arena.conversation import TurnRefused, followups_from_json, followups_json, turn_failure
from arena.db.connection import Database
from arena.db.rules import ENDED
from arena.records import STATUS_COMPLETE, STATUS_FAILED, Battle, Turn


def write_followups(conn: sqlite3.Connection, battles: Iterable[Battle]) -> None:
    """Store the follow-ups of battles just written (inside the caller's transaction)."""
    rows = [(followups_json(b.followups), b.id) for b in battles if b.followups]
    if rows:
        conn.executemany("UPDATE battles SET followups = ? WHERE id = ?", rows)


def read_followups(row: sqlite3.Row) -> list[Turn]:
    """A stored battle row's follow-ups (none before the column existed, or when NULL)."""
    # `in row` would test the row's values: a Row is asked for its column names.
    return followups_from_json(row["followups"]) if "followups" in row.keys() else []  # noqa: SIM118


class Turns(Database):
    """Adding a follow-up turn to a stored battle."""

    def add_turn(self, battle_id: str, turn: Turn, max_turns: int) -> int:
        """Append `turn` to the battle's follow-ups in one transaction; the battle's turn count
        after it. Refused (TurnRefused, nothing written) when the battle has a vote, is over
        for anonymity (abandoned, or past the unvoted time limit), failed, or has `max_turns`
        turns already. A failed turn (a side failed or was stopped) is stored and makes the
        battle failed, as a failed first turn would: no vote, names shown."""
        with self.transaction() as conn:
            # ENDED: the one rule of when a battle's anonymity is over (arena.db.rules).
            row = conn.execute(
                f"SELECT b.status, b.followups, v.battle_id IS NOT NULL AS voted, {ENDED} AS ended"
                " FROM battles b LEFT JOIN votes v ON v.battle_id = b.id WHERE b.id = ?",
                (self._hidden_after(), battle_id)).fetchone()
            if row is None:
                raise TurnRefused("missing")
            if row["voted"]:
                raise TurnRefused("voted")
            if row["status"] != STATUS_COMPLETE:
                raise TurnRefused("failed")
            if row["ended"]:
                raise TurnRefused("ended")
            turns = followups_from_json(row["followups"]) + [turn]
            if len(turns) >= max_turns:
                raise TurnRefused("limit")
            failure = turn_failure(turn, 1 + len(turns))
            conn.execute(
                "UPDATE battles SET followups = ?, status = ?, failure_reason = ? WHERE id = ?",
                (followups_json(turns), STATUS_FAILED if failure else STATUS_COMPLETE, failure,
                 battle_id))
            return 1 + len(turns)
