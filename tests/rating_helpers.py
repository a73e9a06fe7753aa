"""Rating helpers only the tests use: all redraws at once, every category's board, and the
Bradley–Terry win probability from ratings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from arena.bootstrap import bootstrap_chunks
from arena.bradley_terry import (
    DEFAULT_PRIOR_GAMES,
    ELO_SCALE,
    fit_bradley_terry,
    refine_near,
    score_and_games,
)
from arena.ratings import (
    DEFAULT_MIN_VOTES,
    DEFAULT_ROUNDS,
    OVERALL,
    category_table,
    leaderboard,
    pair_cells,
)


def bootstrap_counts(counts: np.ndarray, rounds: int, seed: int | None) -> np.ndarray:
    """All (rounds, P, 3) redraws at once (see bootstrap_chunks)."""
    return np.concatenate(list(bootstrap_chunks(counts, rounds, seed)))


def leaderboards(
    table: pd.DataFrame,
    rounds: int = DEFAULT_ROUNDS,
    seed: int | None = 0,
    prior_games: float = DEFAULT_PRIOR_GAMES,
    min_votes: int = DEFAULT_MIN_VOTES,
) -> dict[str, pd.DataFrame]:
    """Overall first, then one leaderboard per category, from a count table with `category`."""
    boards = {OVERALL: leaderboard(category_table(table), rounds, seed, prior_games, min_votes)}
    if "category" in table.columns:
        for category in sorted(table["category"].dropna().unique()):
            boards[str(category)] = leaderboard(category_table(table, category), rounds, seed,
                                                prior_games, min_votes)
    return boards


def predicted_win(ratings: pd.Series) -> pd.DataFrame:
    """Bradley–Terry probability that the row model beats the column model."""
    values = ratings.to_numpy(dtype=float)
    matrix = 1.0 / (1.0 + 10.0 ** ((values[None, :] - values[:, None]) / 400.0))
    np.fill_diagonal(matrix, np.nan)
    return pd.DataFrame(matrix, index=ratings.index, columns=ratings.index)


def difference_interval(table: pd.DataFrame, model_a: str, model_b: str, rounds: int = 400,
                        seed: int = 0) -> tuple[float, float]:
    """The bootstrap 95% interval of model_a's rating minus model_b's, in Elo points: the same
    redraws and refits as the leaderboard's, on the difference instead of each rating."""
    cells = pair_cells(table)
    score, games = score_and_games(cells.counts)
    theta = fit_bradley_terry(score, games, cells.i, cells.j, len(cells.models),
                              DEFAULT_PRIOR_GAMES)[0]
    a, b = cells.models.index(model_a), cells.models.index(model_b)
    replicas = np.concatenate([
        refine_near(theta, *score_and_games(chunk), cells.i, cells.j, DEFAULT_PRIOR_GAMES)
        for chunk in bootstrap_chunks(cells.counts, rounds, seed)])
    low, high = np.percentile(ELO_SCALE * (replicas[:, a] - replicas[:, b]), [2.5, 97.5])
    return float(low), float(high)
