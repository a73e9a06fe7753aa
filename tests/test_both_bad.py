"""The share of a model's battles voted both bad (arena.both_bad), its Wilson interval, per
category and under the Leaderboard page's filters; and `arena leaderboard --both-bad`."""

import json
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest
from cli_helpers import arena
from seed import seed_votes

from arena.accuracy import wilson_interval
from arena.both_bad import BOTH_BAD_COLUMNS, both_bad_by_category, both_bad_rates
from arena.db import Store, VoteFilter
from arena.ratings import category_table


def counts(rows) -> pd.DataFrame:
    """rows: (model_a, model_b, winner, count[, category])."""
    return pd.DataFrame([r if len(r) == 5 else (*r, "general") for r in rows],
                        columns=["model_a", "model_b", "winner", "count", "category"])


# x in 10 battles, 3 of them both bad; y in 7 (2 both bad), z in 3 (1 both bad).
TEN = counts([("x:1", "y:1", "model_a", 4), ("x:1", "y:1", "tie (bothbad)", 2),
              ("z:1", "x:1", "tie (bothbad)", 1), ("z:1", "x:1", "model_b", 2),
              ("y:1", "x:1", "tie", 1)])


def test_three_both_bad_in_ten_battles_is_thirty_percent_with_its_wilson_interval():
    rates = both_bad_rates(TEN).set_index("model")
    x = rates.loc["x:1"]
    assert (x["battles"], x["both_bad"], x["rate"]) == (10, 3, 0.3)
    assert x["ci_low"] == pytest.approx(0.1078, abs=1e-4)
    assert x["ci_high"] == pytest.approx(0.6032, abs=1e-4)
    low, high = wilson_interval(2, 7)
    assert rates.loc["y:1", ["battles", "both_bad", "ci_low", "ci_high"]].tolist() == \
        pytest.approx([7, 2, float(low), float(high)])
    assert rates.loc["z:1", ["battles", "both_bad"]].tolist() == [3, 1]
    assert list(both_bad_rates(TEN).columns) == BOTH_BAD_COLUMNS


def test_highest_rate_first_and_win_rate_counts_ties_as_half():
    rates = both_bad_rates(TEN)
    assert rates["model"].tolist() == ["z:1", "x:1", "y:1"]  # 1/3, 3/10, 2/7
    # x: 6 wins, and 3 both-bads and 1 tie as half → 8 of 10.
    assert rates.set_index("model").loc["x:1", "win_rate"] == 0.8


def test_a_model_that_wins_often_but_is_often_in_both_bad_battles_is_to_watch():
    rows = [("w:1", f"m{k}:1", "model_a", 6) for k in range(3)] + \
           [("w:1", f"m{k}:1", "tie (bothbad)", 6) for k in range(3)] + \
           [(f"m{k}:1", f"m{k + 1}:1", "model_a", 30) for k in range(2)]
    rates = both_bad_rates(counts(rows)).set_index("model")
    assert rates.loc["w:1", "rate"] == 0.5 and rates.loc["w:1", "win_rate"] == 0.75
    assert rates["watch"].tolist() == [True, False, False, False]
    # Losing those battles instead: often both bad, but no winner to watch.
    losing = [(b, a, w, n) for a, b, w, n in rows[:3]] + rows[3:]
    assert not both_bad_rates(counts(losing))["watch"].any()


def test_per_category_overall_first():
    table = counts([("x:1", "y:1", "tie (bothbad)", 3, "coding"), ("x:1", "y:1", "model_a", 1,
                    "coding"), ("x:1", "z:1", "model_a", 4, "translation")])
    by = both_bad_by_category(table)
    assert by["category"].unique().tolist() == ["Overall", "coding", "translation"]
    rate = by.set_index(["category", "model"])["rate"]
    assert rate[("Overall", "x:1")] == 3 / 8 and rate[("coding", "x:1")] == 0.75
    assert rate[("translation", "x:1")] == 0.0 and ("translation", "y:1") not in rate.index
    assert both_bad_rates(category_table(table, "coding")).set_index("model")["rate"].to_dict() \
        == {"x:1": 0.75, "y:1": 0.75}


def test_no_votes_no_rows():
    empty = counts([])
    assert both_bad_rates(empty).empty and list(both_bad_rates(empty).columns) == BOTH_BAD_COLUMNS
    assert both_bad_by_category(empty).empty
    assert both_bad_rates(counts([("x:1", "y:1", "tie (bothbad)", 0)])).empty


def test_from_the_store_respects_voter_and_dates(tmp_path):
    store = Store(tmp_path / "arena.db")
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    seed_votes(store, [("x:1", "y:1", "tie (bothbad)", "general", "ann")] * 3 +
               [("x:1", "y:1", "model_a", "general", "bob")] * 7, start=start)
    def rate(where):
        return both_bad_rates(category_table(store.vote_counts(where))).set_index("model")

    assert rate(VoteFilter()).loc["x:1", "rate"] == 0.3
    assert rate(VoteFilter(voter="ann")).loc["x:1", "rate"] == 1.0
    assert rate(VoteFilter(voter="bob")).loc["x:1", "rate"] == 0.0
    first = start.date()  # every vote is cast on 1 November, a minute apart
    assert rate(VoteFilter(since=first, until=first)).loc["x:1", "battles"] == 10
    assert rate(VoteFilter(since=date(2026, 11, 2))).empty


def test_cli_both_bad_table_json_and_category(tmp_path):
    path = tmp_path / "arena.db"
    seed_votes(Store(path), [("x:1", "y:1", "tie (bothbad)", "coding")] * 3 +
               [("x:1", "y:1", "model_a", "coding")] * 5 + [("x:1", "z:1", "model_a")] * 2)
    text = arena("leaderboard", "--db", str(path), "--both-bad")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["category", "model", "battles", "both_bad",
                                "both_bad_rate", "(95%", "CI)", "win_rate", "watch"]
    assert any(line.split()[:5] == ["Overall", "x:1", "10", "3", "30%"] and "(11-60%)" in line
               for line in lines)
    assert any(line.split()[:2] == ["coding", "y:1"] and "38%" in line for line in lines)
    records = json.loads(arena("leaderboard", "--db", str(path), "--both-bad", "--category",
                               "coding", "--format", "json").stdout)
    assert [r["model"] for r in records] == ["x:1", "y:1"] and "category" not in records[0]
    assert records[0]["both_bad"] == 3 and records[0]["battles"] == 8
    assert records[0]["rate"] == 0.375 and records[0]["ci_low"] == pytest.approx(
        float(wilson_interval(3, 8)[0]), abs=1e-4)
    csv = arena("leaderboard", "--db", str(path), "--both-bad", "--format", "csv").stdout
    assert csv.splitlines()[0] == ",".join(["category", *BOTH_BAD_COLUMNS])
    missing = arena("leaderboard", "--db", str(path), "--both-bad", "--category", "poetry")
    assert missing.returncode == 1 and "poetry" in missing.stderr


def test_cli_both_bad_from_a_vote_file(tmp_path):
    path = tmp_path / "votes.csv"
    pd.DataFrame({"model_a": ["a", "a", "b"], "model_b": ["b", "c", "c"],
                  "winner": ["tie (bothbad)", "model_a", "tie"]}).to_csv(path, index=False)
    records = json.loads(arena("leaderboard", "--from", str(path), "--both-bad",
                               "--format", "json").stdout)
    assert {r["model"]: r["rate"] for r in records} == {"a": 0.5, "b": 0.5, "c": 0.0}
    assert {r["category"] for r in records} == {"Overall"}
    assert np.isfinite([r["ci_high"] for r in records]).all()
