"""Category boards that borrow strength from Overall.

Twenty votes in a category say little on their own. A model's rating in one category is mostly
its rating everywhere else, plus a category effect: θ(c, m) = μ(m) + δ(c, m), δ ~ N(0, τ²). So
each category's board is fitted with a prior centred on what the *other* categories' votes say
about each model (left out, so that no vote counts twice), and it moves away from that only as
far as its own votes justify. τ — how much categories really differ — is estimated from the data:
a grid of values under a flat prior, each weighted by the product over categories of the Laplace
approximation to the chance of the category's votes given τ. The board is the posterior mixture
over the grid (its mean, and its covariance with the spread between grid values), so the
uncertainty about τ is in the intervals too. Formulas: docs/ratings.md ("Category boards").

Pure numpy/pandas; the fits are arena.bradley_terry's, the board rows arena.ratings'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from arena import ratings
from arena.bradley_terry import (
    DEFAULT_PRIOR_GAMES,
    ELO_SCALE,
    GaussianPrior,
    centre_covariance,
    centred_covariance,
    fit_bradley_terry,
    likelihood_information,
    log_likelihood,
    score_and_games,
    to_elo,
)

# τ in Elo points: fine where boards usually sit, up to differences no category shows.
TAU_GRID = np.array([1, 3, 6, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100, 120, 150, 180,
                     220, 270, 330, 400], dtype=float)
Z95 = 1.959964


@dataclass(frozen=True)
class BorrowedFit:
    """One category's ratings after borrowing: centred strengths (natural-log odds) and their
    covariance, models in name order (as ratings.pair_cells has them)."""

    models: list[str]
    theta: np.ndarray  # (M,)
    covariance: np.ndarray  # (M, M)
    prior: GaussianPrior  # the prior at the most likely τ, for a bootstrap of clustered votes


@dataclass(frozen=True)
class Borrowing:
    """What the categories lent each other: each category's fit, and τ (Elo points, the
    posterior mean) with the weight of each grid value."""

    fits: dict[str, BorrowedFit]
    tau: float
    tau_weights: np.ndarray  # over TAU_GRID


@dataclass(frozen=True)
class _CategoryPrior:
    cells: ratings.PairCells
    centre: np.ndarray  # (M,) log-odds, what the other categories say
    known: np.ndarray  # (M,) bool: the model has votes in other categories
    spread: np.ndarray  # (M, M) the other categories' own uncertainty about `centre`
    concentration: float  # Σ w² of the other categories' vote shares (see _prior_covariances)


def _category_prior(cells: ratings.PairCells, others: ratings.PairCells, concentration: float,
                    prior_games: float) -> _CategoryPrior | None:
    """The prior of one category's board (its `cells`) from the other categories' votes
    (`others`); None when they say nothing about two of its models."""
    score, games = score_and_games(others.counts)
    theta = fit_bradley_terry(score, games, others.i, others.j, len(others.models),
                              prior_games)[0]
    covariance = centred_covariance(theta, games, others.i, others.j, prior_games)
    where = {name: k for k, name in enumerate(others.models)}
    known = np.array([name in where for name in cells.models])
    if known.sum() < 2:
        return None
    index = np.array([where[name] for name in cells.models if name in where])
    centre = np.zeros(len(cells.models))
    centre[known] = theta[index] - theta[index].mean()
    spread = np.zeros((len(cells.models), len(cells.models)))
    spread[np.ix_(known, known)] = centre_covariance(covariance[np.ix_(index, index)])
    return _CategoryPrior(cells, centre, known, spread, concentration)


def _category_priors(table: pd.DataFrame, prior_games: float) -> dict[str, _CategoryPrior]:
    """Every category's prior, from one pass over the count table: each category's cells, and
    the rest of the votes (votes without a category included) as the others'."""
    grouped, values = ratings.grouped_cells(table, "category")
    total = grouped.counts.sum(axis=0)
    votes = grouped.counts.sum(axis=(1, 2)).astype(float)
    priors = {}
    for g, value in enumerate(values):
        rest = total - grouped.counts[g]
        if pd.isna(value) or rest.sum() == 0:
            continue
        shares = np.delete(votes, g) / (votes.sum() - votes[g])
        prior = _category_prior(ratings.played_cells(grouped, grouped.counts[g]),
                                ratings.played_cells(grouped, rest),
                                float((shares ** 2).sum()), prior_games)
        if prior is not None:
            priors[str(value)] = prior
    return priors


def _prior_covariances(prior: _CategoryPrior, prior_games: float) -> np.ndarray:
    """(K, M, M): the prior covariance of the category's strengths at each τ of the grid.

    Around the other categories' rating, a model's rating here differs by its own category
    effect and by the others' average effect, τ²(1 + Σ w²) with w their vote shares, plus the
    others' own estimation error (`spread`). A model with no votes elsewhere gets the weak prior
    every board has (ratings.leaderboard's virtual games), centred on the average model."""
    tau = TAU_GRID / ELO_SCALE
    m = len(prior.centre)
    effect = (tau ** 2 * (1.0 + prior.concentration))[:, None, None] * np.eye(m)
    covariances = effect + prior.spread
    unknown = np.flatnonzero(~prior.known)
    covariances[:, unknown, unknown] = 1.0 / (0.25 * max(prior_games, 1e-3))
    return covariances


def _fits_on_grid(prior: _CategoryPrior, prior_games: float):
    """For each τ of the grid: the category's posterior mode, its curvature, and the log of
    the Laplace approximation to the chance of the category's votes given τ."""
    cells = prior.cells
    k, m = len(TAU_GRID), len(cells.models)
    precision = np.linalg.inv(_prior_covariances(prior, prior_games))
    centre = np.broadcast_to(prior.centre, (k, m)).copy()
    score, games = score_and_games(cells.counts)
    score, games = np.broadcast_to(score, (k, len(score))), np.broadcast_to(games, (k, len(games)))
    theta = fit_bradley_terry(score, games, cells.i, cells.j, m, GaussianPrior(centre, precision),
                              centred=False)
    curvature = likelihood_information(theta, games, cells.i, cells.j) + precision
    offset = theta - centre
    log_evidence = (log_likelihood(theta, score, games, cells.i, cells.j)
                    - 0.5 * np.einsum("km,kmn,kn->k", offset, precision, offset)
                    + 0.5 * np.linalg.slogdet(precision)[1]
                    - 0.5 * np.linalg.slogdet(curvature)[1])
    return theta, curvature, precision, log_evidence


def _grid_weights(log_evidence: np.ndarray) -> np.ndarray:
    """Posterior weights of the grid's τ values under a flat prior on τ (each value standing
    for the stretch of τ around it)."""
    edges = np.concatenate([[0.0], (TAU_GRID[1:] + TAU_GRID[:-1]) / 2, [TAU_GRID[-1]]])
    log_weight = log_evidence + np.log(np.diff(edges))
    weight = np.exp(log_weight - log_weight.max())
    return weight / weight.sum()


def borrow_strength(table: pd.DataFrame,
                    prior_games: float = DEFAULT_PRIOR_GAMES) -> Borrowing:
    """Every category's fit, shrunk towards the other categories (see the module), from a count
    table with a `category` column. A category whose models have no votes elsewhere is left
    out (its board is its own votes alone)."""
    if "category" not in table.columns:
        return Borrowing({}, float("nan"), np.zeros(len(TAU_GRID)))
    priors = _category_priors(table[table["count"] > 0], prior_games)
    if not priors:
        return Borrowing({}, float("nan"), np.zeros(len(TAU_GRID)))
    grids = {category: _fits_on_grid(prior, prior_games) for category, prior in priors.items()}
    weight = _grid_weights(sum(grid[3] for grid in grids.values()))
    best = int(np.argmax(weight))
    fits = {}
    for category, (theta, curvature, precision, _) in grids.items():
        centred = theta - theta.mean(axis=1, keepdims=True)
        mean = weight @ centred
        offset = centred - mean
        within = centre_covariance(np.linalg.inv(curvature))
        covariance = np.einsum("k,kmn->mn", weight, within) + \
            np.einsum("k,km,kn->mn", weight, offset, offset)
        prior = GaussianPrior(np.asarray(priors[category].centre), precision[best])
        fits[category] = BorrowedFit(priors[category].cells.models, mean, covariance, prior)
    return Borrowing(fits, float(weight @ TAU_GRID), weight)


def borrowed_board(table: pd.DataFrame, fit: BorrowedFit, rounds: int = ratings.DEFAULT_ROUNDS,
                   seed: int | None = 0,
                   min_votes: int = ratings.DEFAULT_MIN_VOTES) -> pd.DataFrame:
    """The board of one category (its count table) from its borrowed fit: each interval the
    posterior's 95% normal interval. Votes that share clusters (prompt-set items) add a
    clustered bootstrap of the shrunk fit, and an interval is the wider of the two: the
    posterior knows nothing of clusters. (For independent votes the bootstrap of a shrunk fit
    is always the narrower, so it is not run.)"""
    cells = ratings.pair_cells(table)
    if cells.models != fit.models:
        raise ValueError("the fit is of other models than the table's")
    rating = to_elo(fit.theta)
    halfwidth = Z95 * ELO_SCALE * np.sqrt(np.maximum(np.diagonal(fit.covariance), 0.0))
    ci_low, ci_high = rating - halfwidth, rating + halfwidth
    if rounds > 0 and ratings.has_clusters(table):
        low, high = ratings.bootstrap_bounds(table, fit.theta, fit.prior, rounds, seed)
        ci_low, ci_high = np.minimum(ci_low, low), np.maximum(ci_high, high)
    return ratings.assemble_board(cells, rating, ci_low, ci_high, min_votes)


def category_board(table: pd.DataFrame, category: str, borrowing: Borrowing | None,
                   rounds: int = ratings.DEFAULT_ROUNDS, seed: int | None = 0,
                   min_votes: int = ratings.DEFAULT_MIN_VOTES) -> tuple[pd.DataFrame, bool]:
    """The board of `category` (ratings.OVERALL: every vote) from the whole count table, and
    whether it borrowed from the other categories. `borrowing` None: the category's own votes
    alone (the plain fit); so is Overall, and a category with nothing to borrow."""
    chosen = ratings.category_table(table, category)
    fit = borrowing.fits.get(category) if borrowing is not None else None
    if fit is None or chosen.empty:
        return ratings.leaderboard(chosen, rounds, seed, min_votes=min_votes), False
    return borrowed_board(chosen[chosen["count"] > 0], fit, rounds, seed, min_votes), True
