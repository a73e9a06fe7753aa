"""Ratings from votes: the leaderboard with its intervals, and pair matrices.

Small pure functions on numpy and pandas, one job each. The flow is:

    votes ──count_table──▶ (model_a, model_b, winner, count) ──leaderboard──▶ one row per model

Everything after `count_table` costs the same for a hundred votes or ten million: the fit sees one
row per (pair, outcome), and the bootstrap redraws those counts from a multinomial, which is the
same as resampling the votes with replacement. Votes that are not independent (several battles
showing the same stored answers) carry a `cluster` in the count table, and the bootstrap then
resamples clusters. The fit itself is in arena.bradley_terry, the redraws in arena.bootstrap.

Scale: Elo points, 400 · log10 odds, mean 1000. A tie and a both-bad count as half a win each,
in the fit and in every win rate and win share shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from arena.bootstrap import VoteClusters, bootstrap_chunks
from arena.bradley_terry import (
    DEFAULT_PRIOR_GAMES,
    Prior,
    fit_bradley_terry,
    normal_halfwidth,
    refine_near,
    score_and_games,
    to_elo,
)
from arena.records import FLAG_WORDS, WINNERS
from arena.tiers import tier_numbers

DEFAULT_ROUNDS = 1000
DEFAULT_MIN_VOTES = 20  # fewer than this and a model's rating is marked provisional
OVERALL = "Overall"
CLUSTER = "cluster"  # optional count-table column: votes that share it are resampled together

REQUIRED_COLUMNS = ("model_a", "model_b", "winner")
LEADERBOARD_COLUMNS = ["rank", "tier", "model", "rating", "ci_low", "ci_high", "votes", "wins", "ties",
                       "losses", "win_rate", "provisional"]


class RatingInputError(ValueError):
    """Votes the ratings cannot use; the message names the column or row."""


# --- input ----------------------------------------------------------------------------------


def check_votes(votes: pd.DataFrame) -> pd.DataFrame:
    """The votes that count, checked: required columns present, known winner labels, two models.

    Rows are named by position, 1 being the first vote (the first data row of a file).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in votes.columns]
    if missing:
        raise RatingInputError(f"missing column(s): {', '.join(missing)}")
    positions = np.arange(1, len(votes) + 1)
    for column in REQUIRED_COLUMNS:
        empty = votes[column].isna().to_numpy()
        if empty.any():
            raise RatingInputError(f"row {positions[empty][0]}: {column} is empty")
    unknown = ~votes["winner"].isin(WINNERS).to_numpy()
    if unknown.any():
        row = positions[unknown][0]
        label = votes["winner"].to_numpy()[unknown][0]
        raise RatingInputError(
            f"row {row}: unknown winner label {label!r} (expected one of {', '.join(WINNERS)})")
    same = (votes["model_a"].astype(str) == votes["model_b"].astype(str)).to_numpy()
    if same.any():
        raise RatingInputError(f"row {positions[same][0]}: model_a and model_b are the same model")
    if "counts" in votes.columns:
        votes = votes[_counts_flags(votes["counts"], positions)]
    return votes


def _counts_flags(column: pd.Series, positions: np.ndarray) -> np.ndarray:
    """The `counts` column as booleans; anything but a clear yes or no is an error naming its
    row."""
    text = column.astype("string").str.strip().str.lower().fillna("")
    known = text.isin(FLAG_WORDS).to_numpy()
    if not known.all():
        row = positions[~known][0]
        raise RatingInputError(f"row {row}: counts is {column.iloc[row - 1]!r}, not true or false")
    return text.map(FLAG_WORDS).to_numpy(dtype=bool)


def category_table(table: pd.DataFrame, category: str | None = None) -> pd.DataFrame:
    """The count table of one category (None or OVERALL: every vote), without the category
    column. Rows may repeat a pair and outcome; the fit adds them up."""
    if category is not None and category != OVERALL:
        table = table[table["category"] == category]
    return table.drop(columns="category", errors="ignore")


def count_table(votes: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Aggregate the votes that count (see check_votes) to one row per (…by, model_a, model_b,
    winner) with its `count`.

    The checks look at the groups, not at every row: a million votes hold a few thousand
    groups, and a name read as a dictionary (a Categorical column) is never turned into a
    million strings. Only when a group is bad are the rows searched, to name the first bad one.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in votes.columns]
    if missing:
        raise RatingInputError(f"missing column(s): {', '.join(missing)}")
    keys = (by or []) + list(REQUIRED_COLUMNS)
    flags = ["counts"] if "counts" in votes.columns else []
    # dropna=False: a vote with no category still counts Overall.
    table = votes.groupby(keys + flags, observed=True, sort=False, dropna=False).size() \
        .rename("count").reset_index()
    if _has_bad_group(table):
        check_votes(votes)  # names the first bad row
        raise RatingInputError("these votes cannot be rated")  # not reached: check_votes raised
    if flags:
        table = table[_counts_flags(table["counts"], np.arange(1, len(table) + 1))]
        table = table.groupby(keys, observed=True, sort=False, dropna=False)["count"].sum() \
            .reset_index()
    for column in keys:  # the small table in plain values, whatever the file's columns were
        if isinstance(table[column].dtype, pd.CategoricalDtype):
            table[column] = table[column].astype(object)
    table["model_a"] = table["model_a"].astype(str)
    table["model_b"] = table["model_b"].astype(str)
    return table


def _has_bad_group(table: pd.DataFrame) -> bool:
    """Whether a group of the count table breaks a rule of check_votes (the same rules, on the
    few groups instead of every row)."""
    try:
        check_votes(table)
    except RatingInputError:
        return True
    return False


def item_clusters(votes: pd.DataFrame) -> pd.Series:
    """Each vote's cluster (the CLUSTER column): the prompt-set item it was cast on, known by its
    `prompt_set` and `item_id`, or by its `prompt` when the item has no id (as an item is known in
    its set: arena.prompt_sets.PromptItem.key). None for a live battle (no prompt_set), or when
    the item cannot be told: such a vote is a cluster of its own. Columns that are missing count
    as empty."""
    def text(name: str) -> pd.Series:
        values = votes[name] if name in votes.columns else pd.Series(None, index=votes.index)
        values = values.astype("string")
        return values.where(values != "")

    prompt_set, item = text("prompt_set"), text("item_id")
    item = item.fillna(text("prompt"))
    cluster = (prompt_set + "\x1f" + item).astype(object)
    return cluster.where(cluster.notna(), None)


# --- the pair cells ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PairCells:
    """Counts per unordered pair (i < j) and outcome: i won, j won, tie. Order of play is
    irrelevant to Bradley–Terry, so merging (a, b) with (b, a) loses nothing."""

    models: list[str]
    i: np.ndarray  # (P,) index of the first model of each pair
    j: np.ndarray  # (P,) index of the second
    counts: np.ndarray  # (P, 3) i won, j won, tie (ties and both-bad)

    @property
    def games(self) -> np.ndarray:
        return self.counts.sum(axis=1)


_RowCells = tuple[list[str], np.ndarray, np.ndarray, np.ndarray]


def _row_cells(table: pd.DataFrame) -> _RowCells:
    """Models in name order, the unordered pairs met (as i · M + j), and each row's pair (an
    index into those) and outcome (0 first won, 1 second won, 2 tie)."""
    # unique() first: iterating every row's name in Python is most of the time on big tables.
    models = sorted(set(table["model_a"].unique()) | set(table["model_b"].unique()))
    # Categorical codes: each model's place in `models`, many times faster than a dict lookup.
    a = pd.Categorical(table["model_a"], categories=models).codes.astype(np.int64)
    b = pd.Categorical(table["model_b"], categories=models).codes.astype(np.int64)
    winner = table["winner"].to_numpy()
    i, j = np.minimum(a, b), np.maximum(a, b)
    first_won = ((winner == "model_a") & (a < b)) | ((winner == "model_b") & (b < a))
    second_won = ((winner == "model_a") & (a > b)) | ((winner == "model_b") & (b > a))
    outcome = np.where(first_won, 0, np.where(second_won, 1, 2))
    pair_id, pairs = np.unique(i * len(models) + j, return_inverse=True)
    return models, pair_id, pairs.reshape(-1), outcome


def pair_cells(table: pd.DataFrame, rows: _RowCells | None = None) -> PairCells:
    """The count table's cells per unordered pair, models in name order. (`rows`: the table's
    `_row_cells`, when already worked out.)"""
    models, pair_id, pairs, outcome = rows or _row_cells(table)
    counts = np.zeros((len(pair_id), 3), dtype=np.int64)
    np.add.at(counts, (pairs, outcome), table["count"].to_numpy(dtype=np.int64))
    return PairCells(models, pair_id // max(len(models), 1), pair_id % max(len(models), 1),
                     counts)


def grouped_cells(table: pd.DataFrame, by: str) -> tuple[PairCells, list]:
    """The count table's cells split by the values of column `by` (NaN is a value too), on one
    set of models and pairs: PairCells whose counts are (G, P, 3), and the G values in order."""
    models, pair_id, pairs, outcome = _row_cells(table)
    codes, values = pd.factorize(table[by], use_na_sentinel=False)
    counts = np.zeros((len(values), len(pair_id), 3), dtype=np.int64)
    np.add.at(counts, (codes, pairs, outcome), table["count"].to_numpy(dtype=np.int64))
    m = max(len(models), 1)
    return PairCells(models, pair_id // m, pair_id % m, counts), list(values)


def played_cells(cells: PairCells, counts: np.ndarray) -> PairCells:
    """Cells with these (P, 3) counts, kept to the pairs that played and their models, in the
    same order: what pair_cells gives for those votes alone."""
    played = counts.sum(axis=1) > 0
    kept = np.unique(np.concatenate([cells.i[played], cells.j[played]]))
    index = np.full(len(cells.models), -1)
    index[kept] = np.arange(len(kept))
    return PairCells([cells.models[k] for k in kept], index[cells.i[played]],
                     index[cells.j[played]], counts[played])


def vote_clusters(table: pd.DataFrame, rows: _RowCells | None = None) -> VoteClusters:
    """The count table's votes by cluster, for the bootstrap: rows with the same `cluster` are
    one cluster; an empty cluster, or a cluster of one vote, is a vote on its own (a live
    battle). Cells as in `pair_cells(table)`."""
    _, pair_id, pairs, outcome = rows or _row_cells(table)
    cell = pairs * 3 + outcome
    count = table["count"].to_numpy(dtype=np.int64)
    # Clusters in key order (compared as text), so the draws do not depend on the row order;
    # −1 where empty.
    codes = pd.factorize(table[CLUSTER].astype("string"), sort=True)[0]
    present = codes >= 0
    size = np.bincount(codes[present], weights=count[present], minlength=1)
    grouped = present & (size[np.where(present, codes, 0)] > 1)
    singles = np.bincount(cell[~grouped], weights=count[~grouped], minlength=len(pair_id) * 3)
    kept, cluster = np.unique(codes[grouped], return_inverse=True)
    return VoteClusters(singles.astype(np.int64).reshape(-1, 3), cluster.reshape(-1),
                        cell[grouped], count[grouped], len(kept))


# --- the leaderboard --------------------------------------------------------------------------


def rank_by_intervals(ci_low: np.ndarray, ci_high: np.ndarray) -> np.ndarray:
    """1 + the number of models whose lower bound is above this model's upper bound."""
    return 1 + (ci_low[None, :] > ci_high[:, None]).sum(axis=1)


def _tallies(cells: PairCells) -> pd.DataFrame:
    m = len(cells.models)
    wins = np.bincount(cells.i, cells.counts[:, 0], m) + np.bincount(cells.j, cells.counts[:, 1], m)
    losses = np.bincount(cells.i, cells.counts[:, 1], m) + \
        np.bincount(cells.j, cells.counts[:, 0], m)
    ties = np.bincount(cells.i, cells.counts[:, 2], m) + np.bincount(cells.j, cells.counts[:, 2], m)
    votes = wins + losses + ties
    return pd.DataFrame({"votes": votes.astype(int), "wins": wins.astype(int),
                         "ties": ties.astype(int), "losses": losses.astype(int)},
                        index=cells.models)


def leaderboard(
    table: pd.DataFrame,
    rounds: int = DEFAULT_ROUNDS,
    seed: int | None = 0,
    prior_games: float = DEFAULT_PRIOR_GAMES,
    min_votes: int = DEFAULT_MIN_VOTES,
) -> pd.DataFrame:
    """One row per model from a count table, best first: rank, tier (arena.tiers), rating with
    its 95% interval, tallies.

    Intervals are bootstrap percentiles (`rounds` multinomial redraws), widened where the normal
    approximation is wider; `rounds=0` gives the normal approximation alone. With a `cluster`
    column (see `vote_clusters`) the bootstrap resamples clusters instead of votes.
    """
    if table.empty or int(table["count"].sum()) == 0:
        return pd.DataFrame(columns=LEADERBOARD_COLUMNS)
    rows = _row_cells(table)
    cells = pair_cells(table, rows)
    m = len(cells.models)
    score, games = score_and_games(cells.counts)
    theta = fit_bradley_terry(score, games, cells.i, cells.j, m, prior_games)[0]
    rating = to_elo(theta)
    # The bootstrap cannot show uncertainty it has no data to resample (a single vote resampled
    # is always that vote), so each interval is widened to at least the normal approximation.
    halfwidth = normal_halfwidth(theta, games, cells.i, cells.j, prior_games)
    ci_low, ci_high = rating - halfwidth, rating + halfwidth
    if rounds > 0:
        boot_low, boot_high = bootstrap_bounds(table, theta, prior_games, rounds, seed, rows)
        ci_low, ci_high = np.minimum(ci_low, boot_low), np.maximum(ci_high, boot_high)
    return assemble_board(cells, rating, ci_low, ci_high, min_votes)


def bootstrap_bounds(table: pd.DataFrame, theta: np.ndarray, prior: Prior, rounds: int,
                     seed: int | None, rows: _RowCells | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The 2.5th and 97.5th percentiles (Elo points) of `rounds` bootstrap refits of the count
    table around its fit `theta` (models as in `pair_cells(table)`): the votes redrawn, or the
    clusters when the table has any (a `cluster` column not all empty)."""
    rows = rows or _row_cells(table)
    cells = pair_cells(table, rows)
    # Only live votes (every cluster empty): the votes' own redraws, without the clusters'
    # bookkeeping (vote_clusters would find none).
    clusters = vote_clusters(table, rows) if has_clusters(table) else None
    replicas = np.concatenate([
        to_elo(refine_near(theta, *score_and_games(chunk), cells.i, cells.j, prior))
        for chunk in bootstrap_chunks(cells.counts, rounds, seed, clusters)
    ])
    low, high = np.percentile(replicas, [2.5, 97.5], axis=0)
    return low, high


def has_clusters(table: pd.DataFrame) -> bool:
    """Whether some votes of the count table share a cluster (are not independent)."""
    return CLUSTER in table.columns and bool(table[CLUSTER].notna().any())


def assemble_board(cells: PairCells, rating: np.ndarray, ci_low: np.ndarray,
                   ci_high: np.ndarray, min_votes: int = DEFAULT_MIN_VOTES) -> pd.DataFrame:
    """The board's rows from fitted ratings and their intervals (models as in `cells`): rank,
    tier, tallies and win rate added, best first, LEADERBOARD_COLUMNS."""
    board = _tallies(cells)
    board.insert(0, "model", cells.models)
    board.insert(1, "rating", rating)
    board.insert(2, "ci_low", ci_low)
    board.insert(3, "ci_high", ci_high)
    board["win_rate"] = win_share(board["wins"], board["ties"], board["votes"])
    board["provisional"] = board["votes"] < min_votes
    board.insert(0, "rank", rank_by_intervals(board["ci_low"].to_numpy(),
                                              board["ci_high"].to_numpy()))
    board = board.sort_values(["rating", "model"], ascending=[False, True]).reset_index(drop=True)
    board["tier"] = tier_numbers(board["ci_low"].to_numpy(), board["ci_high"].to_numpy())
    return board[LEADERBOARD_COLUMNS]


def interval_text(board: pd.DataFrame, minus: str = "−") -> pd.Series:
    """Each model's 95% interval as `+x / −y`: how many whole Elo points its upper bound is above
    its rating and its lower bound below. `minus="-"` where the minus sign may not print (a
    terminal)."""
    above = (board["ci_high"] - board["rating"]).round().astype(int)
    below = (board["rating"] - board["ci_low"]).round().astype(int)
    return "+" + above.astype(str) + f" / {minus}" + below.astype(str)


def win_share(wins, ties, games) -> np.ndarray:
    """Wins plus half the ties (a both-bad is a tie), over the games: the score the fit
    explains. NaN where there were no games."""
    games = np.asarray(games, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(games > 0, (np.asarray(wins) + 0.5 * np.asarray(ties)) / games, np.nan)


def undecided(board: pd.DataFrame) -> bool:
    """Whether the votes cannot tell any of the board's models apart yet: every model shares
    rank 1 (each interval overlaps the best one's)."""
    return len(board) >= 2 and bool((board["rank"] == 1).all())


def all_provisional(board: pd.DataFrame) -> bool:
    """Whether every model on the board has fewer votes than a settled rating needs."""
    return len(board) >= 1 and bool(board["provisional"].all())


# --- matrices ---------------------------------------------------------------------------------


def _square(cells: PairCells, upper: np.ndarray, lower: np.ndarray) -> pd.DataFrame:
    m = len(cells.models)
    matrix = np.full((m, m), np.nan)
    matrix[cells.i, cells.j] = upper
    matrix[cells.j, cells.i] = lower
    return pd.DataFrame(matrix, index=cells.models, columns=cells.models)


def battle_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Battles between each pair, in either order and with any outcome (0 where none; the
    diagonal, a model against itself, is empty)."""
    cells = pair_cells(table)
    games = cells.games.astype(float)
    matrix = _square(cells, games, games).fillna(0.0)
    values = matrix.to_numpy(copy=True)
    np.fill_diagonal(values, np.nan)
    return pd.DataFrame(values, index=matrix.index, columns=matrix.columns)


def win_fraction(table: pd.DataFrame) -> pd.DataFrame:
    """The row model's win share against the column model: wins plus half the ties, over their
    battles (NaN for a pair that never met)."""
    cells = pair_cells(table)
    first = win_share(cells.counts[:, 0], cells.counts[:, 2], cells.games)
    return _square(cells, first, 1 - first)
