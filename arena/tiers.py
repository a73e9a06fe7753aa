"""Tiers of a leaderboard, and how many more votes would tell two neighbours apart.

Pure functions on a board (rows sorted by rating, best first, with `rating`, `ci_low`,
`ci_high`, as arena.ratings.leaderboard returns it) and, for the head-to-head record, its count
table. Formulas in docs/ratings.md ("Tiers" and "Votes to tell two models apart").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from arena.bradley_terry import ELO_SCALE

Z95 = 1.959964  # the board's intervals are 95%
DEFAULT_PAIRS = 3  # adjacent pairs from the top that the board reports on
MIN_GAP = 0.5  # Elo points: a smaller gap is no gap that more votes could confirm
# Past this many votes between two models, a team will not cast them: the two are as good as
# level, and the board says so instead of a five-digit figure.
PRACTICALLY_LEVEL = 1000


def tier_numbers(ci_low: np.ndarray, ci_high: np.ndarray) -> np.ndarray:
    """Each model's tier (1, 2, ...), models in rating order, best first. A tier's leader is its
    first model; the tier holds it and the models after it whose interval reaches the leader's
    lower bound (ci_high >= the leader's ci_low); the first model short of it leads the next
    tier. Tiers are runs in rating order, so each is one band on the chart."""
    tiers = np.zeros(len(ci_low), dtype=int)
    tier, floor = 0, math.inf
    for k, high in enumerate(np.asarray(ci_high, dtype=float)):
        if high < floor:  # outside the current tier (always, for the first model)
            tier, floor = tier + 1, float(ci_low[k])
        tiers[k] = tier
    return tiers


class PairGap(NamedTuple):
    """Two adjacent models (a rated above b) and the votes between them that would tell them
    apart; more_votes is None when they are told apart already, never met, or are level."""

    model_a: str
    model_b: str
    more_votes: int | None


def head_to_head(table: pd.DataFrame, model_a: str, model_b: str) -> tuple[float, int]:
    """model_a's score against model_b (wins plus half the ties and both-bads) and their games,
    either side, from a count table (model_a, model_b, winner, count)."""
    a, b = table["model_a"].to_numpy(), table["model_b"].to_numpy()
    forward, backward = (a == model_a) & (b == model_b), (a == model_b) & (b == model_a)
    count = table["count"].to_numpy(dtype=float)
    winner = table["winner"].to_numpy()
    won = np.where(forward, winner == "model_a", backward & (winner == "model_b"))
    tied = (forward | backward) & np.isin(winner, ["tie", "tie (bothbad)"])
    games = int(count[forward | backward].sum())
    return float(count[won].sum() + 0.5 * count[tied].sum()), games


def votes_to_separate(gap: float, half_a: float, half_b: float, score: float,
                      games: int) -> int | None:
    """How many more votes between two models would make the 95% interval of their rating
    difference exclude zero, if the gap and their head-to-head win share held.

    The difference's variance now is V0 = (half_a² + half_b²) / z² (the two half-widths taken as
    independent). Each vote between them adds p(1 − p) / s² to the information on the difference
    (s = 400 / ln 10, p their win share smoothed as (score + 1) / (games + 2)), so after n votes
    its variance is 1 / (1/V0 + n · p(1 − p) / s²), and the interval excludes zero once
    z · √that < gap:  n = s² z² / (p(1 − p)) · (1/gap² − 1/(half_a² + half_b²)), rounded up.
    None when they never met, when the gap is under MIN_GAP, or when the difference already
    excludes zero (gap² ≥ half_a² + half_b²)."""
    gap = abs(gap)
    spread = half_a ** 2 + half_b ** 2
    if games <= 0 or gap < MIN_GAP or gap ** 2 >= spread:
        return None
    p = (score + 1.0) / (games + 2.0)
    n = ELO_SCALE ** 2 * Z95 ** 2 / (p * (1.0 - p)) * (1.0 / gap ** 2 - 1.0 / spread)
    return max(1, math.ceil(n))


def _half_widths(board: pd.DataFrame) -> np.ndarray:
    return ((board["ci_high"] - board["ci_low"]) / 2.0).to_numpy(dtype=float)


def separating_votes(board: pd.DataFrame, table: pd.DataFrame,
                     pairs: int = DEFAULT_PAIRS) -> list[PairGap]:
    """For the top `pairs` adjacent pairs of the board (1st and 2nd, 2nd and 3rd, ...): the
    more votes between the two that would tell them apart (see votes_to_separate). A pair whose
    intervals do not overlap is told apart already (None), as the board's rank says."""
    half = _half_widths(board)
    models = board["model"].tolist()
    rating, low, high = (board[c].to_numpy(dtype=float) for c in ("rating", "ci_low", "ci_high"))
    found = []
    for k in range(min(pairs, len(models) - 1)):
        if low[k] > high[k + 1]:
            found.append(PairGap(models[k], models[k + 1], None))
            continue
        score, games = head_to_head(table, models[k], models[k + 1])
        found.append(PairGap(models[k], models[k + 1], votes_to_separate(
            rating[k] - rating[k + 1], half[k], half[k + 1], score, games)))
    return found


def gap_lines(gaps: list[PairGap], t: Callable[..., str],
              name: Callable[[str], str] = str) -> list[str]:
    """One line per pair that more votes could split, in the words of `t` (the catalog's
    "board.more_votes", or "board.practically_level" past PRACTICALLY_LEVEL votes); `name`
    writes a model's name (e.g. as literal Markdown)."""
    lines = []
    for gap in gaps:
        if gap.more_votes is None:
            continue
        key = "board.more_votes" if gap.more_votes <= PRACTICALLY_LEVEL \
            else "board.practically_level"
        lines.append(t(key, count=gap.more_votes, limit=f"{PRACTICALLY_LEVEL:,}",
                       a=name(gap.model_a), b=name(gap.model_b)))
    return lines
