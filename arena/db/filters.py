"""Which votes a leaderboard reads and which battles the Data page lists: filters that turn into
SQL conditions (dates are whole UTC days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from arena.db.rules import REVEALED, REVEALED_CUTOFFS
from arena.records import parse_contestant_name

# What BattleFilter.where is a condition over: each battle with its vote (if any) and two sides.
BATTLE_LIST = ("FROM battles b LEFT JOIN votes v ON v.battle_id = b.id"
               " JOIN battle_sides sa ON sa.battle_id = b.id AND sa.side = 'a'"
               " JOIN battle_sides sb ON sb.battle_id = b.id AND sb.side = 'b'")


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
        """SQL over BATTLE_LIST; `hidden_after` is the cutoff of REVEALED."""
        clauses, params = ["1 = 1"], []
        if self.revealed_only:
            clauses.append(REVEALED)
            params += [hidden_after] * REVEALED_CUTOFFS
        if self.category:
            clauses.append("b.category = ?")
            params.append(self.category)
        if self.model:
            clauses.append("((sa.model = ? AND sa.think = ?) OR (sb.model = ? AND sb.think = ?))")
            params += list(parse_contestant_name(self.model)) * 2
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
