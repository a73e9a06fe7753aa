"""Votes where people prefer longer answers but the models' true quality is known (the better
models write shorter answers), for the style-control tests: as rows with style counts, or as
battles with answer texts in a store."""

from __future__ import annotations

import numpy as np
import pandas as pd

from arena.bradley_terry import ELO_SCALE
from arena.db import Store
from arena.records import Battle, Side, Vote
from arena.style_features import STYLE_FEATURES

# The better models write shorter answers.
TRUE = {"big:32b": 1120.0, "mid:14b": 1060.0, "small:8b": 1000.0, "tiny:3b": 940.0,
        "wee:1b": 880.0}
MEAN_TOKENS = {"big:32b": 150, "mid:14b": 250, "small:8b": 400, "tiny:3b": 650, "wee:1b": 1000}
LENGTH_GAMMA = 0.6  # per SD of the length covariate: a strong taste for long answers


def simulated_style_votes(n: int, gamma: float = LENGTH_GAMMA, seed: int = 0,
                          ties: float = 0.0, lengths: dict | None = None) -> pd.DataFrame:
    """Votes drawn from the style model itself: logit = (r_a − r_b) / ELO_SCALE + γ · x, x the
    standardised length covariate (mean lengths per model: `lengths`, else MEAN_TOKENS);
    headers, lists and bold drawn at random with no effect."""
    rng = np.random.default_rng(seed)
    names = list(TRUE)
    strength = np.array([TRUE[m] for m in names])
    length = np.array([(lengths or MEAN_TOKENS)[m] for m in names], dtype=float)
    a = rng.integers(0, len(names), n)
    b = (a + rng.integers(1, len(names), n)) % len(names)
    tokens_a = np.round(length[a] * rng.lognormal(0, 0.3, n)).astype(int)
    tokens_b = np.round(length[b] * rng.lognormal(0, 0.3, n)).astype(int)
    extra = {f"{f}_{s}": rng.poisson(2, n) for f in STYLE_FEATURES[1:] for s in "ab"}
    raw = (tokens_a - tokens_b) / (tokens_a + tokens_b + 1)
    x = (raw - raw.mean()) / raw.std()
    p = 1 / (1 + np.exp(-((strength[a] - strength[b]) / ELO_SCALE + gamma * x)))
    u = rng.random(n)
    winner = np.where(u < ties, "tie", np.where(rng.random(n) < p, "model_a", "model_b"))
    return pd.DataFrame({"model_a": np.array(names)[a], "model_b": np.array(names)[b],
                         "winner": winner, "tokens_a": tokens_a, "tokens_b": tokens_b, **extra})


def text_of(tokens: int, lists: int) -> str:
    """An answer of about `tokens` tokens (short words) with `lists` list items."""
    return "\n".join([f"- item {k}" for k in range(lists)] + ["word " * max(tokens - 3 * lists, 0)])


def seed_styled(store: Store, n: int, seed: int = 0) -> None:
    votes = simulated_style_votes(n, seed=seed)
    battles, cast = [], []
    for row in votes.itertuples(index=False):
        battle = Battle(category="coding" if len(battles) % 2 else "general", prompt="p",
                        system_prompt="", options={},
                        side_a=Side(row.model_a, answer=text_of(row.tokens_a, row.list_items_a)),
                        side_b=Side(row.model_b, answer=text_of(row.tokens_b, row.list_items_b)))
        battles.append(battle)
        cast.append(Vote(battle.id, row.winner, "ann", battle.created_at))
    store.save_battles(battles, cast)
