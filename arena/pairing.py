"""Who meets whom: two different contestants drawn, and placed left and right."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

from arena.bradley_terry import DEFAULT_PRIOR_GAMES, ELO_SCALE, fit_bradley_terry, normal_halfwidth


class NotEnoughModels(Exception):
    """Fewer than two models to draw from; `available` says how many there are."""

    def __init__(self, available: int):
        super().__init__(f"a battle needs two models; {available} available")
        self.available = available


T = TypeVar("T")


def draw_pair(candidates: Sequence[T], rng: random.Random | None = None) -> tuple[T, T]:
    """Two different candidates in random order: the order is the left/right placement."""
    if len(candidates) < 2:
        raise NotEnoughModels(len(candidates))
    first, second = (rng or random.SystemRandom()).sample(list(candidates), 2)
    return first, second


# --- adaptive pairing -----------------------------------------------------------------------

EXPLORE_SHARE = 0.2  # share of draws that stay uniform, so no pair is ever starved
SETTLED_WEIGHT = 0.1  # pick weight of a model whose place the board already tells
TOP_PLACES = 3  # the places whose order the votes are spent on


def _name(contestant) -> str:
    return str(getattr(contestant, "name", contestant))


def _pair_scores(counts: pd.DataFrame, names: list[str]):
    """Pair index arrays with the first model's score and the games, among `names` only: a
    plain numpy pass over the few rows of a count table (pandas' per-call cost would be most
    of the time on every Battle click)."""
    index = {name: k for k, name in enumerate(names)}
    m = len(names)
    score, games = np.zeros((m, m)), np.zeros((m, m))
    for a, b, winner, count in zip(counts["model_a"].astype(str).to_numpy(),
                                   counts["model_b"].astype(str).to_numpy(),
                                   counts["winner"].to_numpy(), counts["count"].to_numpy()):
        if a not in index or b not in index:
            continue
        ia, ib = index[a], index[b]
        points = 1.0 if winner == "model_a" else 0.0 if winner == "model_b" else 0.5
        score[ia, ib] += points * count
        score[ib, ia] += (1.0 - points) * count
        games[ia, ib] += count
        games[ib, ia] += count
    i, j = np.triu_indices(m, 1)
    return i, j, score[i, j], games[i, j]


def _in_play(counts: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each contestant's pick weight: 1 for a model whose interval overlaps the leader's or a
    neighbour's among the top places (a vote on it can change what the board says), less for a
    model whose place is settled; and the fitted strengths. Intervals are the normal approximation (one Bradley–Terry fit
    and its Fisher information), cheap enough for every Battle click."""
    i, j, score, games = _pair_scores(counts, names)
    theta = fit_bradley_terry(score, games, i, j, len(names), DEFAULT_PRIOR_GAMES, tol=1e-6)[0]
    halfwidth = normal_halfwidth(theta, games, i, j, DEFAULT_PRIOR_GAMES)
    order = np.argsort(-theta)
    low, high = (theta[order] * ELO_SCALE - halfwidth[order],
                 theta[order] * ELO_SCALE + halfwidth[order])
    weight = np.full(len(names), SETTLED_WEIGHT)
    weight[high >= low[0]] = 1.0  # could still be the leader (the leader included)
    for place in range(min(TOP_PLACES, len(names) - 1)):  # adjacent pairs 1–2, 2–3, 3–4
        if high[place + 1] >= low[place]:
            weight[place] = weight[place + 1] = 1.0
    by_contestant = np.empty(len(names))
    by_contestant[order] = weight
    return by_contestant, theta


def choose_pair(counts: pd.DataFrame | None, contestants: Sequence[T],
                rng: random.Random) -> tuple[T, T]:
    """The next battle's two contestants, sides in random order, from the category's count
    table (columns model_a, model_b, winner, count; see arena.ratings.count_table).

    A contestant with no votes yet is drawn first, against anyone. Otherwise one draw in five
    is uniform, and the rest pick a model still in play at the top of the board (see
    `_in_play`) and give it a game against the whole field: the board's intervals are ratings
    against the field's mean and narrow with every game played, so the opponent is not just
    the closest rival but anyone, weighted by p(1 − p), the information one game gives.
    """
    if len(contestants) < 2:
        raise NotEnoughModels(len(contestants))
    pool = list(contestants)
    names = [_name(c) for c in pool]
    played: set[str] = set()
    if counts is not None and not counts.empty:
        counts = counts[counts["count"] > 0]
        played = set(counts["model_a"].astype(str)) | set(counts["model_b"].astype(str))
    unseen = [k for k, name in enumerate(names) if name not in played]
    if not unseen and rng.random() < EXPLORE_SHARE:
        return draw_pair(pool, rng)
    if unseen:
        first = rng.choice(unseen)
        information = np.ones(len(pool))
    else:
        weight, theta = _in_play(counts, names)
        first = rng.choices(range(len(pool)), weights=weight.tolist())[0]
        p = 1.0 / (1.0 + np.exp(theta - theta[first]))
        information = p * (1.0 - p)
    information[first] = 0.0
    second = rng.choices(range(len(pool)), weights=information.tolist())[0]
    pair = [pool[first], pool[second]]
    rng.shuffle(pair)
    return pair[0], pair[1]
