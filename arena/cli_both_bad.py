"""`python -m arena leaderboard --both-bad`: per model and category, the share of its battles
voted both bad (arena.both_bad), from the same votes as the ratings."""

from __future__ import annotations

import pandas as pd

from arena.both_bad import both_bad_by_category, both_bad_rates
from arena.cli_common import print_table
from arena.set_accuracy import accuracy_text

_ROUNDING = {"rate": 4, "ci_low": 4, "ci_high": 4, "win_rate": 4}


def print_both_bad(table: pd.DataFrame, form: str, category: str | None) -> None:
    """`table` is a count table: of one category when `category` was asked for (already
    selected), else every vote, shown Overall and then category by category."""
    rates = both_bad_rates(table) if category else both_bad_by_category(table)
    print_table(rates, form, _ROUNDING, _shown, "No counted votes yet.")


def _shown(rates: pd.DataFrame) -> pd.DataFrame:
    shown = pd.DataFrame({
        "model": rates["model"], "battles": rates["battles"], "both_bad": rates["both_bad"],
        "both_bad_rate (95% CI)": accuracy_text(rates.rename(columns={"rate": "accuracy"}),
                                                dash="-"),
        "win_rate": (rates["win_rate"] * 100).round(1).astype(str) + "%",
        "watch": rates["watch"].map({True: "yes", False: ""}),
    })
    if "category" in rates.columns:
        shown.insert(0, "category", rates["category"])
    return shown
