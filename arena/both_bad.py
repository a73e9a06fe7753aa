""""Both are bad" as information: per model, the share of its battles voted both bad.

The rating is relative — a model can top a board of weak models. The share of a model's battles
in which the voter found both answers unacceptable is absolute, so it is shown beside the rating
with its 95% Wilson interval (arena.accuracy.wilson_interval). Input: the same count tables as
arena.ratings (model_a, model_b, winner, count[, category]); a battle counts once for each of
its two models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arena.accuracy import wilson_interval
from arena.ratings import OVERALL, category_table, win_share

BOTH_BAD = "tie (bothbad)"
TIES = ("tie", BOTH_BAD)
BOTH_BAD_COLUMNS = ["model", "battles", "both_bad", "rate", "ci_low", "ci_high", "win_rate",
                    "watch"]
# A model "to watch" wins at least this share of its battles (ties as half, as in the ratings)…
WATCH_WIN_RATE = 0.5


def _per_side(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, battle outcome seen from that model): won, tie, both_bad or lost."""
    count = table["count"].to_numpy(dtype=np.int64)
    winner = table["winner"].to_numpy()
    sides = []
    for side in ("model_a", "model_b"):
        sides.append(pd.DataFrame({
            "model": table[side].astype(str).to_numpy(),
            "battles": count,
            "both_bad": np.where(winner == BOTH_BAD, count, 0),
            "wins": np.where(winner == side, count, 0),
            "ties": np.where(np.isin(winner, TIES), count, 0),
        }))
    return pd.concat(sides, ignore_index=True)


def both_bad_rates(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model in the count table (every category in it): its battles, how many were
    voted both bad, that share (`rate`) with its 95% Wilson interval (ci_low, ci_high), its
    win rate (ties and both-bads as half), and `watch`: it wins at least half its battles, yet
    is in both-bad battles more often than battles in general, beyond doubt (its interval lies
    wholly above the share of all battles voted both bad). Highest rate first, then by name."""
    if table.empty:
        return pd.DataFrame(columns=BOTH_BAD_COLUMNS)
    per_model = _per_side(table).groupby("model", sort=False).sum()
    battles = per_model["battles"].to_numpy()
    both_bad = per_model["both_bad"].to_numpy()
    low, high = wilson_interval(both_bad, battles)
    counts = table["count"].to_numpy(dtype=np.int64)
    all_battles = counts.sum()
    overall_share = counts[table["winner"].to_numpy() == BOTH_BAD].sum() / all_battles \
        if all_battles else np.nan
    win_rate = win_share(per_model["wins"], per_model["ties"], battles)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(battles > 0, both_bad / battles, np.nan)
    rates = pd.DataFrame({
        "model": per_model.index.astype(str),
        "battles": battles.astype(int),
        "both_bad": both_bad.astype(int),
        "rate": rate,
        "ci_low": low,
        "ci_high": high,
        "win_rate": win_rate,
        "watch": (win_rate >= WATCH_WIN_RATE) & (low > overall_share),
    })
    rates = rates[rates["battles"] > 0]  # a row of a vote no longer counted
    return rates.sort_values(["rate", "model"], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)[BOTH_BAD_COLUMNS]


def both_bad_by_category(table: pd.DataFrame) -> pd.DataFrame:
    """both_bad_rates for Overall and then each category with votes (by slug), with a
    `category` column first."""
    categories = [OVERALL]
    if "category" in table.columns:
        categories += sorted(table["category"].dropna().astype(str).unique())
    parts = [both_bad_rates(category_table(table, c)).assign(category=c) for c in categories]
    parts = [p for p in parts if not p.empty]
    columns = ["category", *BOTH_BAD_COLUMNS]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
