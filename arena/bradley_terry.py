"""The Bradley–Terry fit: strengths from pair scores by batched Newton, bootstrap replicates
refitted together, and the normal-approximation interval.

Pure numpy. A strength is in natural-log odds, mean 0; `to_elo` puts it on the Elo scale shown
everywhere: 400 · log10 odds, mean 1000. Pairs come as index arrays `i`, `j` (first and second
model of each pair) with the first model's score (wins + half the ties) and the games played.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

ELO_SCALE = 400 / math.log(10)  # Elo points per natural-log unit of odds
ELO_MEAN = 1000.0
DEFAULT_PRIOR_GAMES = 1.0  # virtual games per model, half won, against an average opponent


@dataclass(frozen=True)
class GaussianPrior:
    """Strengths expected near `centre` (natural-log odds), with a normal prior of the given
    precision (inverse covariance): what a category board knows from the other categories
    before its own votes (arena.shrinkage). Either one prior for every round, centre (M,) and
    precision (M, M), or one per round, (R, M) and (R, M, M)."""

    centre: np.ndarray
    precision: np.ndarray

    def rows(self, active: np.ndarray) -> GaussianPrior:
        """The prior of the rounds `active` (the same prior when it is shared)."""
        if self.precision.ndim == 2:
            return self
        return GaussianPrior(self.centre[active], self.precision[active])


# A prior is virtual games (a float, 0 for none: the mean is then pinned) or a GaussianPrior.
Prior = float | GaussianPrior


def _rows(prior: Prior, active: np.ndarray) -> Prior:
    return prior.rows(active) if isinstance(prior, GaussianPrior) else prior


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _gradient(theta, score, games, i, j, prior_games):
    """Gradient of the penalised log-likelihood, for every round at once: (R, M).

    The pair terms are computed in the dtype of `score` (float32 for bootstrap rounds, where it
    halves the cost and its rounding is far below the tolerance), the result in float64.
    """
    incidence = _incidence(i, j, theta.shape[1], score.dtype)
    residual = score - games * _sigmoid(theta.astype(score.dtype) @ incidence.T)  # (R, P)
    # Each pair pushes its first model up and its second down by the same residual.
    grad = (residual @ incidence).astype(np.float64)
    if isinstance(prior_games, GaussianPrior):
        offset = (theta - prior_games.centre)[..., None]
        grad -= (prior_games.precision @ offset)[..., 0]
    elif prior_games:
        grad += prior_games * (0.5 - _sigmoid(theta))
    else:
        grad -= theta.sum(axis=1, keepdims=True)  # pins the mean; the likelihood ignores it
    return grad


_incidence_cache: dict[tuple, np.ndarray] = {}
_incidence_lock = threading.Lock()


def _incidence(i: np.ndarray, j: np.ndarray, m: int, dtype=np.float64) -> np.ndarray:
    """(P, M) matrix with +1 at each pair's first model and −1 at its second."""
    key = (i.tobytes(), j.tobytes(), m, np.dtype(dtype).str)
    with _incidence_lock:
        matrix = _incidence_cache.get(key)
    if matrix is None:
        matrix = np.zeros((len(i), m), dtype=dtype)
        matrix[np.arange(len(i)), i] = 1.0
        matrix[np.arange(len(i)), j] = -1.0
        with _incidence_lock:
            if len(_incidence_cache) > 64:
                _incidence_cache.clear()
            _incidence_cache[key] = matrix
    return matrix


def _information(theta, games, i, j, prior_games):
    """Minus the Hessian of the penalised log-likelihood (positive definite): (R, M, M)."""
    info = likelihood_information(theta, games, i, j)
    m = theta.shape[1]
    if isinstance(prior_games, GaussianPrior):
        return info + prior_games.precision
    if prior_games:
        s = _sigmoid(theta)
        info[:, np.arange(m), np.arange(m)] += prior_games * s * (1.0 - s)
    else:
        info += 1.0
    info[:, np.arange(m), np.arange(m)] += 1e-9  # keeps a model with no games solvable
    return info


def likelihood_information(theta: np.ndarray, games: np.ndarray, i: np.ndarray,
                           j: np.ndarray) -> np.ndarray:
    """Minus the Hessian of the log-likelihood alone, (R, M, M): a weighted graph Laplacian,
    singular along the common shift of all strengths, which the likelihood cannot see."""
    r, m = theta.shape
    p = _sigmoid(theta[:, i] - theta[:, j])
    weight = games * p * (1.0 - p)  # (R, P)
    info = np.zeros((r, m, m))
    info[:, i, j] = -weight
    info[:, j, i] = -weight
    diagonal = np.zeros((r, m))
    np.add.at(diagonal.T, i, weight.T)
    np.add.at(diagonal.T, j, weight.T)
    info[:, np.arange(m), np.arange(m)] += diagonal
    return info


def log_likelihood(theta: np.ndarray, score: np.ndarray, games: np.ndarray, i: np.ndarray,
                   j: np.ndarray) -> np.ndarray:
    """The log-likelihood of each round's strengths, (R,): a pair's score (wins + half the
    ties) taken as won, the rest of its games as lost."""
    gap = theta[:, i] - theta[:, j]
    # log σ(x) = −log(1 + e^−x), written stably with logaddexp.
    return -(score * np.logaddexp(0.0, -gap) + (games - score) * np.logaddexp(0.0, gap)) \
        .sum(axis=1)


def fit_bradley_terry(
    score: np.ndarray,
    games: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    n_models: int,
    prior_games: float = DEFAULT_PRIOR_GAMES,
    start: np.ndarray | None = None,
    tol: float = 1e-8,
    max_iter: int = 100,
    centred: bool = True,
) -> np.ndarray:
    """Batched Newton: maximum likelihood strengths (natural-log odds, mean 0) for each round.

    score, games: (R, P) — pair p's first model's score (wins + half the ties) and games played.
    `prior_games` is a Prior. Returns (R, M); `centred=False` keeps the maximum where it is
    (a GaussianPrior places it; its mean then need not be 0).
    """
    score = np.atleast_2d(score).astype(float)
    games = np.atleast_2d(games).astype(float)
    rounds = score.shape[0]
    theta = np.zeros((rounds, n_models)) if start is None else \
        np.broadcast_to(start, (rounds, n_models)).copy()
    active = np.arange(rounds)
    for _ in range(max_iter):
        prior = _rows(prior_games, active)
        grad = _gradient(theta[active], score[active], games[active], i, j, prior)
        info = _information(theta[active], games[active], i, j, prior)
        step = np.linalg.solve(info, grad[..., None])[..., 0]
        # A cap on the step keeps Newton from overshooting when the data are nearly separable.
        biggest = np.abs(step).max(axis=1, keepdims=True)
        step *= np.minimum(1.0, 2.0 / np.maximum(biggest, 1e-300))
        theta[active] += step
        still = ~(biggest[:, 0] <= tol)  # a NaN step is not convergence
        active = active[still]
        if active.size == 0:
            break
    return theta - theta.mean(axis=1, keepdims=True) if centred else theta


def refine_near(theta0, score, games, i, j, prior_games, tol=1e-4, max_iter=40):
    """Fit many rounds that are all close to `theta0` (bootstrap replicates).

    Uses the chord method: the information matrix at theta0 is inverted once and reused, so an
    iteration is a matrix product instead of a solve per round. It converges to the same maximum;
    rounds it does not settle within `max_iter` get full Newton steps. `tol` is the last step in
    log-odds (1e-4 is 0.02 Elo points); the error left is larger, but stays around 0.1 Elo
    points, far below the whole points an interval is shown to.
    """
    rounds, m = score.shape[0], theta0.shape[-1]
    base_games = games.mean(axis=0, keepdims=True)
    fast_score, fast_games = score.astype(np.float32), games.astype(np.float32)
    inverse = np.linalg.inv(_information(theta0[None, :], base_games, i, j, prior_games)[0])
    theta = np.broadcast_to(theta0, (rounds, m)).copy()
    active = np.arange(rounds)
    for _ in range(max_iter):
        step = _gradient(theta[active], fast_score[active], fast_games[active], i, j,
                         prior_games) @ inverse
        theta[active] += step
        active = active[~(np.abs(step).max(axis=1) <= tol)]
        if active.size == 0:
            break
    if active.size:
        theta[active] = fit_bradley_terry(score[active], games[active], i, j, m, prior_games,
                                          start=theta[active], tol=tol)
    return theta - theta.mean(axis=1, keepdims=True)


def score_and_games(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From (..., P, 3) outcome counts to the first model's score and the games per pair."""
    return counts[..., 0] + 0.5 * counts[..., 2], counts.sum(axis=-1)


def to_elo(theta: np.ndarray) -> np.ndarray:
    """Strengths in natural-log odds to Elo points."""
    return ELO_MEAN + ELO_SCALE * theta


def centred_covariance(theta: np.ndarray, games: np.ndarray, i: np.ndarray, j: np.ndarray,
                       prior_games: Prior) -> np.ndarray:
    """The normal approximation's covariance of the centred strengths (each minus their mean),
    (M, M) in log-odds², from the curvature of the penalised likelihood at the fit `theta`."""
    covariance = np.linalg.inv(_information(theta[None, :], games[None, :], i, j,
                                            prior_games)[0])
    return centre_covariance(covariance)


def centre_covariance(covariance: np.ndarray) -> np.ndarray:
    """The covariance of strengths each minus their mean, from theirs: C Σ C, C = I − 1/M."""
    m = covariance.shape[-1]
    centre = np.eye(m) - 1.0 / m
    return centre @ covariance @ centre


def normal_halfwidth(theta, games, i, j, prior_games, z: float = 1.959964) -> np.ndarray:
    """Half-width in Elo points of the normal-approximation 95% interval of each centred rating,
    from the curvature of the penalised likelihood at the fit."""
    variance = np.diagonal(centred_covariance(theta, games, i, j, prior_games))
    return z * ELO_SCALE * np.sqrt(np.maximum(variance, 0.0))
