"""Style control: Bradley–Terry ratings with the answers' style held equal, as lmarena does it.

Each vote has, besides its two models, style covariates: for each count of arena.style_features
(tokens, headers, list items, bold spans) the difference (a − b) / (a + b + 1) of its two answers,
standardised over the board's votes (mean 0, SD 1). The model is

    logit P(a wins) = θ_a − θ_b + x · γ

fitted by maximum likelihood with ties (and both-bads) as half a win each side, the same weak
prior on θ as the plain fit (arena.bradley_terry: DEFAULT_PRIOR_GAMES virtual games per model),
and a small ridge on γ. θ on the Elo scale (to_elo) are the ratings with style held equal; γ says
how much each style count moves a vote.

Unlike the plain fit, the covariates are per vote, so the fit sees every vote, not a count table:
Newton steps whose model block of the information matrix is summed per pair, cross terms summed
over the runs of votes of one pair and outcome, and style block one (k × N)(N × k) product:
O(N · k) per step, never an N × (M + k) matrix.
Intervals are sandwich intervals (H⁻¹ · Cov(gradients) · H⁻¹ at the fit, votes on one
prompt-set item taken together as the plain board's bootstrap takes them; the wider of that and
H⁻¹ per model), not a bootstrap: 1,000 refits over a million votes would take minutes. Method and
the conversion to points in docs/ratings.md (item 13, "Style control").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from arena import ratings
from arena.bradley_terry import DEFAULT_PRIOR_GAMES, ELO_MEAN, ELO_SCALE, _sigmoid, to_elo
from arena.style_features import STYLE_FEATURES
from arena.tiers import Z95, tier_numbers

STYLE_RIDGE = 1.0  # L2 on each standardised coefficient: about one vote's worth of curvature
GROUP_COLUMNS = ["category", "model_a", "model_b", "winner", "count"]
COEFFICIENT_COLUMNS = ["feature", "coefficient", "coef_low", "coef_high", "points",
                       "points_low", "points_high", "sd"]
# The style difference each coefficient is put in points for (docs/ratings.md): twice as long
# as the other answer, f = (2L − L) / (3L + 1) → 1/3; one header (list item, bold span) against
# none, f = 1 / 2.
REFERENCE_DIFFERENCE = {"tokens": 1.0 / 3.0, "headers": 0.5, "list_items": 0.5, "bold": 0.5}


@dataclass(frozen=True)
class StyleVotes:
    """Counted votes with their answers' style counts. `groups` is a count table (GROUP_COLUMNS)
    whose row g stands for `count[g]` consecutive rows of `counts` (one per vote: side a's
    STYLE_FEATURES counts, then side b's). `left_out`: votes without answer texts, per category,
    not in `groups`."""

    groups: pd.DataFrame
    counts: np.ndarray
    left_out: pd.Series
    # Each vote's cluster (votes on one prompt-set item, which show the same stored answers):
    # an index ≥ 0, or −1 for a vote on its own; None when every vote is on its own.
    clusters: np.ndarray | None = None

    @classmethod
    def from_frame(cls, votes: pd.DataFrame, left_out: pd.Series | None = None) -> StyleVotes:
        """From one row per vote: model_a, model_b, winner, optional category and `cluster`
        (arena.ratings.CLUSTER: None for a vote on its own), and the counts `tokens_a`, …,
        `bold_b` (STYLE_FEATURES suffixed _a and _b)."""
        votes = votes.assign(category=votes["category"] if "category" in votes.columns
                             else ratings.OVERALL)
        votes = votes.sort_values(["category", "model_a", "model_b", "winner"], kind="stable")
        groups = votes.groupby(["category", "model_a", "model_b", "winner"], sort=False) \
            .size().rename("count").reset_index()
        names = [f"{f}_{side}" for side in "ab" for f in STYLE_FEATURES]
        clusters = None
        if ratings.CLUSTER in votes.columns and votes[ratings.CLUSTER].notna().any():
            clusters = pd.factorize(votes[ratings.CLUSTER].astype("string"))[0] \
                .astype(np.int64)
        return cls(groups, votes[names].to_numpy(dtype=np.int64),
                   pd.Series(dtype="int64") if left_out is None else left_out, clusters)

    @cached_property
    def raw(self) -> np.ndarray:
        """The votes' raw covariates (raw_covariates), worked out once."""
        return raw_covariates(self.counts)

    def board(self, category: str | None = None) -> StyleVotes:
        """The votes of one category (None or OVERALL: every vote)."""
        if category is None or category == ratings.OVERALL:
            return self
        chosen = (self.groups["category"] == category).to_numpy()
        rows = np.repeat(chosen, self.groups["count"].to_numpy())
        board = StyleVotes(self.groups[chosen].reset_index(drop=True), self.counts[rows],
                           self.left_out[self.left_out.index == category],
                           None if self.clusters is None else self.clusters[rows])
        if "raw" in self.__dict__:  # worked out for every vote already (Overall): kept
            board.__dict__["raw"] = self.__dict__["raw"][rows]
        return board

    @property
    def votes(self) -> int:
        return int(self.groups["count"].sum())

    @property
    def votes_left_out(self) -> int:
        return int(self.left_out.sum())


@dataclass(frozen=True)
class StyleFit:
    """θ (natural-log odds, mean 0, models in name order) and γ (per SD of each covariate), with
    their covariance (sandwich; centred θ first, then γ)."""

    theta: np.ndarray
    gamma: np.ndarray
    covariance: np.ndarray
    model_variance: np.ndarray  # the centred θ's variance from H⁻¹ alone


@dataclass(frozen=True)
class StyleBoard:
    """A style-controlled board: ratings as ratings.leaderboard's columns, the coefficients
    (COEFFICIENT_COLUMNS, one row per style feature), and how many votes had no answer texts."""

    board: pd.DataFrame
    coefficients: pd.DataFrame
    left_out: int


def raw_covariates(counts: np.ndarray) -> np.ndarray:
    """(a − b) / (a + b + 1) for each count of votes' style counts (N, 2k): (N, k)."""
    k = counts.shape[1] // 2
    a, b = counts[:, :k].astype(np.float32), counts[:, k:].astype(np.float32)
    return ((a - b) / (a + b + 1.0)).astype(np.float64)


def covariates(counts: np.ndarray, raw: np.ndarray | None = None) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    """The standardised covariates (N, k) of votes' style counts (N, 2k) (or of their
    `raw_covariates`, when worked out already), and each raw covariate's SD (0 where it does
    not vary: that column is all zeros)."""
    x = raw_covariates(counts) if raw is None else raw.copy()
    if not len(x):
        return x, np.zeros(x.shape[1])
    mean, sd = x.mean(axis=0), x.std(axis=0)
    varies = sd > 1e-12
    x -= mean
    x /= np.where(varies, sd, 1.0)
    x[:, ~varies] = 0.0
    return x, np.where(varies, sd, 0.0)


def _blocks(weight: np.ndarray, starts: np.ndarray, a: np.ndarray, b: np.ndarray,
            x: np.ndarray, m: int) -> np.ndarray:
    """Σ weight · z zᵀ over the votes, z = (e_a − e_b, x). The votes come in runs of one group
    each (one pair and outcome, starting at `starts`; a, b: each group's models), so the model
    block and the cross terms are sums over runs (reduceat, no scatter) placed per group, and
    the style block is one (k × N)(N × k) product."""
    k = x.shape[1]
    per_group = np.add.reduceat(weight, starts)
    pair = np.bincount(a * m + b, per_group, minlength=m * m).reshape(m, m)
    out = np.zeros((m + k, m + k))
    out[:m, :m] = np.diag(pair.sum(axis=1) + pair.sum(axis=0)) - pair - pair.T
    wx = x * weight[:, None]
    group_wx = np.add.reduceat(wx, starts, axis=0)  # (G, k)
    cross = np.zeros((m, k))
    np.add.at(cross, a, group_wx)
    np.subtract.at(cross, b, group_wx)
    out[:m, m:], out[m:, :m] = cross, cross.T
    out[m:, m:] = x.T @ wx
    return out


def _meat(residual: np.ndarray, starts: np.ndarray, a: np.ndarray, b: np.ndarray,
          size: np.ndarray, x: np.ndarray, m: int, clusters: np.ndarray | None) -> np.ndarray:
    """Σ g gᵀ over the independent units: each vote on its own (g = residual · z), and each
    cluster as one unit, its votes' gradients summed first."""
    square = residual * residual
    if clusters is None or not (clusters >= 0).any():
        return _blocks(square, starts, a, b, x, m)
    grouped = clusters >= 0
    meat = _blocks(np.where(grouped, 0.0, square), starts, a, b, x, m)
    cluster, vote_a, vote_b = clusters[grouped], np.repeat(a, size)[grouped], \
        np.repeat(b, size)[grouped]
    count = int(cluster.max()) + 1
    r = residual[grouped]
    per_cluster = np.zeros((count, m + x.shape[1]))
    per_cluster[:, :m] = (np.bincount(cluster * m + vote_a, r, count * m)
                          - np.bincount(cluster * m + vote_b, r, count * m)).reshape(count, m)
    for c in range(x.shape[1]):
        per_cluster[:, m + c] = np.bincount(cluster, r * x[grouped, c], count)
    return meat + per_cluster.T @ per_cluster


def fit_style(a: np.ndarray, b: np.ndarray, score: np.ndarray, size: np.ndarray,
              x: np.ndarray, n_models: int, prior_games: float = DEFAULT_PRIOR_GAMES,
              ridge: float = STYLE_RIDGE, start: np.ndarray | None = None,
              clusters: np.ndarray | None = None, tol: float = 1e-7,
              max_iter: int = 100) -> StyleFit:
    """Newton's method on the penalised log-likelihood of votes given in groups: group g's
    models a[g], b[g], side a's score (1, 0, or 0.5 for a tie) and its `size[g]` votes, whose
    standardised covariates are the next rows of x (N, k). `start`: θ to start from (the plain
    fit's, say), else zeros. `clusters` (N,): votes that share an index ≥ 0 are not independent
    (one prompt-set item's), and the sandwich adds their gradients up before squaring them."""
    m, k = n_models, x.shape[1]
    starts = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    group_score = score * size
    theta = np.zeros(m) if start is None else np.asarray(start, dtype=float).copy()
    gamma = np.zeros(k)

    def probabilities():
        return _sigmoid(np.repeat(theta[a] - theta[b], size) + x @ gamma)

    def information(p):
        info = _blocks(p * (1.0 - p), starts, a, b, x, m)
        s = _sigmoid(theta)
        info[np.arange(m), np.arange(m)] += prior_games * s * (1.0 - s) + 1e-9
        info[np.arange(m, m + k), np.arange(m, m + k)] += ridge
        return info

    info, biggest = None, np.inf
    for _ in range(max_iter):
        p = probabilities()
        residual = group_score - np.add.reduceat(p, starts)  # per group
        grad = np.concatenate([
            np.bincount(a, residual, m) - np.bincount(b, residual, m)
            + prior_games * (0.5 - _sigmoid(theta)),
            x.T @ (np.repeat(score, size) - p) - ridge * gamma])
        # Close to the maximum the information hardly changes: it is kept (the chord method),
        # as its cost is most of a step's.
        if info is None or biggest > 1e-3:
            info = information(p)
        step = np.linalg.solve(info, grad)
        biggest = np.abs(step).max(initial=0.0)
        step *= min(1.0, 2.0 / max(biggest, 1e-300))  # no overshoot on near-separable data
        theta, gamma = theta + step[:m], gamma + step[m:]
        if biggest <= tol:
            break
    p = probabilities()
    # The information of the last full step, taken within 1e-3 of the maximum (a change in
    # the intervals far below the half point they are shown to).
    inverse = np.linalg.inv(info if info is not None else information(p))
    residual = np.repeat(score, size) - p
    sandwich = inverse @ _meat(residual, starts, a, b, size, x, m, clusters) @ inverse
    centre = np.zeros((m + k, m + k))
    centre[:m, :m] = np.eye(m) - 1.0 / m
    centre[m:, m:] = np.eye(k)
    covariance = centre @ sandwich @ centre.T
    model_variance = np.diag(centre @ inverse @ centre.T)[:m]
    return StyleFit(theta - theta.mean(), gamma, covariance, model_variance)


def style_leaderboard(votes: StyleVotes, prior_games: float = DEFAULT_PRIOR_GAMES,
                      min_votes: int = ratings.DEFAULT_MIN_VOTES) -> StyleBoard:
    """The board of `votes` (one category's, or every vote for Overall) with style held equal:
    ratings.leaderboard's columns (rank and tier from these intervals; tallies as there), the
    style coefficients, and the votes left out for having no answer texts."""
    groups = votes.groups
    if groups.empty or votes.votes == 0:
        return StyleBoard(pd.DataFrame(columns=ratings.LEADERBOARD_COLUMNS),
                          pd.DataFrame(columns=COEFFICIENT_COLUMNS), votes.votes_left_out)
    models = sorted(set(pd.unique(groups["model_a"])) | set(pd.unique(groups["model_b"])))
    size = groups["count"].to_numpy(dtype=np.int64)
    a = pd.Categorical(groups["model_a"], categories=models).codes.astype(np.int64)
    b = pd.Categorical(groups["model_b"], categories=models).codes.astype(np.int64)
    winner = groups["winner"].to_numpy(dtype=object)
    score = np.where(winner == "model_a", 1.0, np.where(winner == "model_b", 0.0, 0.5))
    # The plain board of the same votes: its tallies, win rates and provisional marks are
    # this board's too, and its ratings are where Newton starts.
    table = groups.groupby(["model_a", "model_b", "winner"], sort=False, observed=True)["count"] \
        .sum().reset_index()  # Overall: the categories' cells merged
    plain = ratings.leaderboard(table, rounds=0, prior_games=prior_games, min_votes=min_votes)
    start = (plain.set_index("model")["rating"].reindex(models).to_numpy() - ELO_MEAN) \
        / ELO_SCALE
    x, sd = covariates(votes.counts, votes.raw)
    fit = fit_style(a, b, score, size, x, len(models), prior_games, start=start,
                    clusters=votes.clusters)
    return StyleBoard(_board(plain, models, fit), _coefficients(fit, sd), votes.votes_left_out)


def _board(plain: pd.DataFrame, models: list[str], fit: StyleFit) -> pd.DataFrame:
    """The plain board with the style-controlled ratings and intervals in place of its own,
    ranked and tiered again."""
    m = len(models)
    variance = np.maximum(np.diag(fit.covariance)[:m], fit.model_variance)
    halfwidth = Z95 * ELO_SCALE * np.sqrt(np.maximum(variance, 0.0))
    rating = pd.Series(to_elo(fit.theta), index=models)
    half = pd.Series(halfwidth, index=models)
    board = plain.copy()
    board["rating"] = board["model"].map(rating)
    board["ci_low"] = board["rating"] - board["model"].map(half)
    board["ci_high"] = board["rating"] + board["model"].map(half)
    board["rank"] = ratings.rank_by_intervals(board["ci_low"].to_numpy(),
                                              board["ci_high"].to_numpy())
    board = board.sort_values(["rating", "model"], ascending=[False, True]) \
        .reset_index(drop=True)
    board["tier"] = tier_numbers(board["ci_low"].to_numpy(), board["ci_high"].to_numpy())
    return board[ratings.LEADERBOARD_COLUMNS]


def _coefficients(fit: StyleFit, sd: np.ndarray) -> pd.DataFrame:
    """Each coefficient with its 95% interval, and in Elo points for its reference difference
    (REFERENCE_DIFFERENCE): points = ELO_SCALE · γ · f / SD. NaN where the covariate never
    varied (nothing to learn from)."""
    k = len(fit.gamma)
    se = np.sqrt(np.maximum(np.diag(fit.covariance)[-k:], 0.0)) if k else np.zeros(0)
    rows = []
    for c, feature in enumerate(STYLE_FEATURES[:k]):
        if sd[c] == 0:
            rows.append((feature, *[np.nan] * 6, 0.0))
            continue
        low, high = fit.gamma[c] - Z95 * se[c], fit.gamma[c] + Z95 * se[c]
        per = ELO_SCALE * REFERENCE_DIFFERENCE[feature] / sd[c]
        rows.append((feature, fit.gamma[c], low, high, per * fit.gamma[c], per * low,
                     per * high, sd[c]))
    return pd.DataFrame(rows, columns=COEFFICIENT_COLUMNS)


def coefficient_lines(coefficients: pd.DataFrame, t: Callable[..., str]) -> list[str]:
    """Each style coefficient in plain words ("a 2× longer answer is worth about +35 points
    (95%: +30 to +40)"), in the language of `t` (arena.i18n.translate bound to a language); a
    feature that never varied says so."""
    lines = []
    for row in coefficients.itertuples(index=False):
        if pd.isna(row.points):
            lines.append(t("style.no_variation", feature=t(f"style.feature.{row.feature}")))
            continue
        lines.append(t(f"style.worth.{row.feature}", points=_signed(row.points),
                       low=_signed(row.points_low), high=_signed(row.points_high)))
    return lines


def _signed(points: float) -> str:
    rounded = int(round(points))
    return f"+{rounded}" if rounded > 0 else ("0" if rounded == 0 else f"−{-rounded}")
