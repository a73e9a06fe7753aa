"""Altair charts for the leaderboard. Each takes plain data frames and returns a chart; sizes grow
with the number of models so that thirty stay readable."""

from __future__ import annotations

import altair as alt
import pandas as pd

ROW_PX = 26  # height per model on a model axis: thirty models stay legible


def _model_axis(**kwargs) -> alt.Axis:
    # labelOverlap=False: never drop model names, which Vega does by default when crowded.
    return alt.Axis(labelOverlap=False, labelLimit=260, **kwargs)


def ratings_with_intervals(board: pd.DataFrame, title: str, x_title: str) -> alt.Chart:
    """One row per model: the rating as a point, its 95% interval as a bar."""
    order = board.sort_values("rating", ascending=False)["model"].tolist()
    base = alt.Chart(board).encode(
        y=alt.Y("model:N", sort=order, title=None, axis=_model_axis()),
        tooltip=[
            alt.Tooltip("model:N"),
            alt.Tooltip("rating:Q", format=".0f"),
            alt.Tooltip("ci_low:Q", format=".0f"),
            alt.Tooltip("ci_high:Q", format=".0f"),
            alt.Tooltip("votes:Q"),
        ],
    )
    bars = base.mark_rule(strokeWidth=3, opacity=0.5).encode(
        x=alt.X("ci_low:Q", title=x_title, scale=alt.Scale(zero=False)), x2="ci_high:Q")
    points = base.mark_point(filled=True, size=70).encode(x="rating:Q")
    return (bars + points).properties(title=title, height=alt.Step(ROW_PX))


def heatmap(matrix: pd.DataFrame, order: list[str], title: str, value_title: str,
            value_format: str, x_title: str, y_title: str, scheme: str) -> alt.Chart:
    """A model × model heatmap (rows against columns), labelled in its cells when it is small."""
    long = matrix.rename_axis(index="row", columns="column").stack(future_stack=True)
    data = long.rename("value").reset_index().dropna(subset=["value"])
    base = alt.Chart(data).encode(
        x=alt.X("column:N", sort=order, title=x_title, axis=_model_axis(labelAngle=-45)),
        y=alt.Y("row:N", sort=order, title=y_title, axis=_model_axis()),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme=scheme)),
        tooltip=[alt.Tooltip("row:N", title=y_title), alt.Tooltip("column:N", title=x_title),
                 alt.Tooltip("value:Q", title=value_title, format=value_format)],
    )
    chart = cells
    if len(order) <= 15:
        chart = cells + base.mark_text(fontSize=11).encode(
            text=alt.Text("value:Q", format=value_format))
    return chart.properties(title=title, height=alt.Step(ROW_PX))


def rating_over_time(history: pd.DataFrame, title: str, x_title: str,
                     y_title: str) -> alt.Chart:
    """Online Elo of each model at checkpoints over the votes."""
    x = alt.X("tstamp:T", title=x_title) if "tstamp" in history.columns else \
        alt.X("step:Q", title=x_title)
    return alt.Chart(history).mark_line(point=False).encode(
        x=x,
        y=alt.Y("rating:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("model:N", title=None,
                        legend=alt.Legend(orient="bottom", columns=4, symbolLimit=0,
                                          labelLimit=240)),
        tooltip=["model:N", alt.Tooltip("rating:Q", format=".0f"), "step:Q"],
    ).properties(title=title, height=360)
