"""Online Elo: ratings updated vote by vote, for the rating-over-time chart.

Unlike Bradley–Terry (arena.ratings) it depends on the order of the votes; the board uses
Bradley–Terry, the chart shows the trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arena.bradley_terry import ELO_MEAN
from arena.ratings import check_votes

DEFAULT_ELO_K = 16.0


def online_elo(votes: pd.DataFrame, k: float = DEFAULT_ELO_K, points: int = 100) -> pd.DataFrame:
    """Elo updated vote by vote, in the order given; depends on that order, unlike Bradley–Terry.

    Returns the rating of every model seen so far at up to `points` checkpoints spread evenly over
    the votes (and at the last one): columns step (votes so far), tstamp if given, model, rating.
    """
    votes = check_votes(votes)
    n = len(votes)
    if n == 0:
        return pd.DataFrame(columns=["step", "model", "rating"])
    codes, models = pd.factorize(pd.concat([votes["model_a"], votes["model_b"]]).astype(str))
    a, b = codes[:n].tolist(), codes[n:].tolist()
    score = votes["winner"].map({"model_a": 1.0, "model_b": 0.0, "tie": 0.5,
                                 "tie (bothbad)": 0.5}).tolist()
    checkpoints = set(np.unique(np.linspace(1, n, min(points, n)).round().astype(int)).tolist())
    rating = [ELO_MEAN] * len(models)
    seen = [False] * len(models)
    rows = []
    for step in range(n):
        ra, rb = rating[a[step]], rating[b[step]]
        expected = 1.0 / (1.0 + 10.0 ** ((rb - ra) / 400.0))
        delta = k * (score[step] - expected)
        rating[a[step]] = ra + delta
        rating[b[step]] = rb - delta
        seen[a[step]] = seen[b[step]] = True
        if step + 1 in checkpoints:
            rows.extend((step + 1, models[m], rating[m]) for m in range(len(models)) if seen[m])
    history = pd.DataFrame(rows, columns=["step", "model", "rating"])
    if "tstamp" in votes.columns:
        times = pd.Series(votes["tstamp"].to_numpy())
        history.insert(1, "tstamp", times.iloc[history["step"].to_numpy() - 1].to_numpy())
    return history
