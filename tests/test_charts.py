"""The leaderboard's charts, checked on the Vega-Lite specs they produce."""

import numpy as np
import pandas as pd

from arena import online_elo, ratings
from arena.ui import charts


def spec_data(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def pair_table() -> pd.DataFrame:
    """x met y three times and z once; y and z never met."""
    votes = pd.DataFrame({"model_a": ["x", "x", "y", "z"], "model_b": ["y", "y", "x", "x"],
                          "winner": ["model_a", "tie", "model_a", "model_b"]})
    return ratings.count_table(votes)


def test_a_pair_that_never_met_is_left_uncoloured():
    table = pair_table()
    order = ["x", "y", "z"]
    counts = ratings.battle_counts(table).reindex(index=order, columns=order)
    assert counts.loc["y", "z"] == 0
    chart = charts.battle_count_heatmap(counts, order, "t", "Battles", "m", "m")
    cells = {(c["row"], c["column"]): c["value"] for c in spec_data(chart)}
    # No cell for y–z (nor the diagonal): nothing is painted there, not even the palest green.
    assert ("y", "z") not in cells and ("z", "y") not in cells and ("x", "x") not in cells
    assert cells[("x", "y")] == 3 and cells[("x", "z")] == 1
    shares = ratings.win_fraction(table).reindex(index=order, columns=order)
    chart = charts.win_share_heatmap(shares, order, "t", "Win share", "m", "m")
    assert ("y", "z") not in {(c["row"], c["column"]) for c in spec_data(chart)}


def test_heatmap_scales_do_not_make_a_value_look_empty():
    order = ["x", "y", "z"]
    table = pair_table()
    shares = charts.win_share_heatmap(ratings.win_fraction(table).reindex(
        index=order, columns=order), order, "t", "v", "m", "m").to_dict()
    scale = shares["layer"][0]["encoding"]["color"]["scale"]
    # An even record sits in the middle of a fixed 0–100% scale, whatever the data's extremes.
    assert scale["domain"] == [0, 1] and scale["domainMid"] == 0.5
    counts = charts.battle_count_heatmap(ratings.battle_counts(table).reindex(
        index=order, columns=order), order, "t", "v", "m", "m").to_dict()
    scale = counts["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domainMin"] == 1 and scale["scheme"]["extent"][0] > 0
    assert counts["layer"][0]["encoding"]["color"]["legend"]["format"] == "d"  # whole battles


def test_line_colours_stay_distinct_for_many_models():
    for n in (2, 8, 10):
        colours, dashes = charts.line_styles([f"m{k}" for k in range(n)])
        assert len(set(colours)) == n and all(d == [1, 0] for d in dashes)
    colours, _ = charts.line_styles([f"m{k}" for k in range(20)])
    assert len(set(colours)) == 20
    colours, dashes = charts.line_styles([f"m{k}" for k in range(45)])
    assert len(set(zip(colours, map(tuple, dashes)))) == 45  # no two lines look alike


def history(start: str, span: pd.Timedelta, models: int = 3, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    names = [f"m{k}" for k in range(models)]
    a = rng.integers(0, models, n)
    b = (a + rng.integers(1, models, n)) % models
    times = pd.Timestamp(start, tz="UTC") + span * np.linspace(0, 1, n)
    votes = pd.DataFrame({"model_a": np.array(names)[a], "model_b": np.array(names)[b],
                          "winner": rng.choice(["model_a", "model_b", "tie"], n),
                          "tstamp": times})
    return online_elo.online_elo(votes)


def test_the_time_axis_reads_the_same_in_every_language_and_in_utc():
    hours = charts.rating_over_time(history("2026-11-01", pd.Timedelta(hours=7)),
                                    "t", "Battle time (UTC)", "Elo", "Votes").to_dict()
    x = hours["encoding"]["x"]
    assert x["scale"]["type"] == "utc" and x["axis"]["format"] == "%m-%d %H:%M"
    assert x["axis"]["labelAngle"] == 0
    months = charts.rating_over_time(history("2026-01-01", pd.Timedelta(days=90)),
                                     "t", "x", "Elo", "Votes").to_dict()
    assert months["encoding"]["x"]["axis"]["format"] == "%Y-%m-%d"
    years = charts.rating_over_time(history("2024-01-01", pd.Timedelta(days=800)),
                                    "t", "x", "Elo", "Votes").to_dict()
    assert years["encoding"]["x"]["axis"]["format"] == "%Y-%m"


def test_rating_over_time_lists_models_by_last_rating_with_their_own_colours():
    data = history("2026-11-01", pd.Timedelta(hours=3), models=12)
    spec = charts.rating_over_time(data, "t", "x", "Elo", "Votes").to_dict()
    colour = spec["encoding"]["color"]["scale"]
    last = data.sort_values("step").groupby("model")["rating"].last()
    assert colour["domain"] == last.sort_values(ascending=False).index.tolist()
    assert len(set(colour["range"])) == 12
    # The plot keeps its height however long the legend (Streamlit's default would squeeze it).
    assert spec["autosize"]["type"] == "fit-x" and spec["height"] == 360
    assert any(p.get("bind") == "legend" for p in spec["params"])  # click to pick one out


def test_the_ratings_chart_shows_tiers_as_bands():
    true = {"top:1": 1300.0, "top:2": 1290.0, "mid:1": 1000.0, "low:1": 650.0}
    from seed import simulated_rows

    votes = pd.DataFrame([r[:3] for r in simulated_rows(true, 3000, seed=2)],
                         columns=["model_a", "model_b", "winner"])
    board = ratings.leaderboard(ratings.count_table(votes), rounds=100)
    chart = charts.ratings_with_intervals(board, "Ratings", "Rating", "梯队")
    spec = chart.to_dict()
    bands, bars, points = spec["layer"]
    assert bands["mark"]["type"] == "rect" and "x" not in bands.get("encoding", {})
    assert bands["encoding"]["y"]["field"] == "model"  # one band per model row, full width
    assert bands["encoding"]["color"] == {**bands["encoding"]["color"], "field": "tier",
                                          "type": "ordinal", "title": "梯队"}
    rows = {row["model"]: row["tier"] for row in spec_data(chart)}
    assert rows == {"top:1": 1, "top:2": 1, "mid:1": 2, "low:1": 3}
    assert {"field": "tier", "type": "ordinal", "title": "梯队"} in points["encoding"]["tooltip"]
