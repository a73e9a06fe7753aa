"""Altair charts for the leaderboard. Each takes plain data frames and returns a chart; sizes grow
with the number of models so that thirty stay readable."""

from __future__ import annotations

import altair as alt
import pandas as pd

ROW_PX = 26  # height per model on a model axis: thirty models stay legible

# Vega's categorical schemes, spelled out so that lines beyond them can be told apart by dash.
TABLEAU10 = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
             "#ff9da6", "#9d755d", "#bab0ac"]
TABLEAU20 = ["#4c78a8", "#9ecae9", "#f58518", "#ffbf79", "#54a24b", "#88d27a", "#b79a20",
             "#f2cf5b", "#439894", "#83bcb6", "#e45756", "#ff9d98", "#79706e", "#bab0ac",
             "#d67195", "#fcbfd2", "#b279a2", "#d6a5c9", "#9e765f", "#d8b5a5"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]  # solid, dashed, dotted, dash-dot


def _model_axis(**kwargs) -> alt.Axis:
    # labelOverlap=False: never drop model names, which Vega does by default when crowded.
    return alt.Axis(labelOverlap=False, labelLimit=260, **kwargs)


def ratings_with_intervals(board: pd.DataFrame, title: str, x_title: str,
                           tier_title: str) -> alt.Chart:
    """One row per model: the rating as a point, its 95% interval as a bar, on a band coloured
    by the model's tier (the tiers are runs in rating order, so each is one band)."""
    order = board.sort_values("rating", ascending=False)["model"].tolist()
    base = alt.Chart(board).encode(
        y=alt.Y("model:N", sort=order, title=None, axis=_model_axis()),
        tooltip=[
            alt.Tooltip("model:N"),
            alt.Tooltip("tier:O", title=tier_title),
            alt.Tooltip("rating:Q", format=".0f"),
            alt.Tooltip("ci_low:Q", format=".0f"),
            alt.Tooltip("ci_high:Q", format=".0f"),
            alt.Tooltip("votes:Q"),
        ],
    )
    # A rect with a band on y and no x spans the plot's width: the tier's band behind its rows.
    bands = base.mark_rect(opacity=0.45).encode(
        color=alt.Color("tier:O", title=tier_title, scale=alt.Scale(scheme="pastel1"),
                        legend=alt.Legend(orient="right")))
    bars = base.mark_rule(strokeWidth=3, opacity=0.5).encode(
        x=alt.X("ci_low:Q", title=x_title, scale=alt.Scale(zero=False)), x2="ci_high:Q")
    points = base.mark_point(filled=True, size=70).encode(x="rating:Q")
    return (bands + bars + points).properties(title=title, height=alt.Step(ROW_PX))


def heatmap_cells(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix as rows (row, column, value), without the cells that hold no value (a pair
    that never met, a model against itself): the chart leaves those uncoloured."""
    long = matrix.rename_axis(index="row", columns="column").stack(future_stack=True)
    return long.rename("value").reset_index().dropna(subset=["value"])


def heatmap(data: pd.DataFrame, order: list[str], title: str, value_title: str,
            value_format: str, x_title: str, y_title: str, scale: alt.Scale,
            legend_step: float | None = None) -> alt.Chart:
    """A model × model heatmap (rows against columns) from `heatmap_cells`, labelled in its
    cells when it is small (in white where `dark` says the cell is); missing cells stay
    blank."""
    base = alt.Chart(data).encode(
        x=alt.X("column:N", sort=order, title=x_title, axis=_model_axis(labelAngle=-45)),
        y=alt.Y("row:N", sort=order, title=y_title, axis=_model_axis()),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", title=value_title, scale=scale,
                        legend=alt.Legend(format=value_format, **(
                            {"tickMinStep": legend_step} if legend_step else {}))),
        tooltip=[alt.Tooltip("row:N", title=y_title), alt.Tooltip("column:N", title=x_title),
                 alt.Tooltip("value:Q", title=value_title, format=value_format)],
    )
    chart = cells
    if len(order) <= 15:
        chart = cells + base.mark_text(fontSize=11).encode(
            text=alt.Text("value:Q", format=value_format),
            color=alt.condition("datum.dark", alt.value("white"), alt.value("black")))
    return chart.properties(title=title, height=alt.Step(ROW_PX))


def win_share_heatmap(matrix: pd.DataFrame, order: list[str], title: str, value_title: str,
                      x_title: str, y_title: str) -> alt.Chart:
    """Shares from 0 to 1 on a diverging scale centred on an even record (50%)."""
    data = heatmap_cells(matrix)
    data["dark"] = (data["value"] - 0.5).abs() >= 0.3
    scale = alt.Scale(scheme="blueorange", domain=[0, 1], domainMid=0.5)
    return heatmap(data, order, title, value_title, ".0%", x_title, y_title, scale)


def battle_count_heatmap(matrix: pd.DataFrame, order: list[str], title: str,
                         value_title: str, x_title: str, y_title: str) -> alt.Chart:
    """Battles per pair from zero up; a pair that never met is left blank, not painted as a
    value; its scale starts at one battle, in a green paler than the rest but not near-white."""
    largest = float(matrix.max().max()) if matrix.size else 0.0
    data = heatmap_cells(matrix.where(matrix > 0))
    data["dark"] = data["value"] >= max(0.6 * largest, 1.0)
    scale = alt.Scale(scheme=alt.SchemeParams("greens", extent=[0.2, 1.0]), domainMin=1)
    return heatmap(data, order, title, value_title, "d", x_title, y_title, scale,
                   legend_step=1)  # whole battles on the legend too


def line_styles(models: list[str]) -> tuple[list[str], list[list[int]]]:
    """A colour and a dash for each model, in order: ten or fewer get ten clearly different
    hues; up to twenty, twenty; beyond that the twenty colours repeat with another dash, so no
    two lines look alike."""
    palette = TABLEAU10 if len(models) <= len(TABLEAU10) else TABLEAU20
    colours = [palette[k % len(palette)] for k in range(len(models))]
    dashes = [DASHES[(k // len(palette)) % len(DASHES)] for k in range(len(models))]
    return colours, dashes


def time_format(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """A time axis format for the span shown, in numbers (the same in every language)."""
    span = end - start
    if span <= pd.Timedelta(days=7):  # ticks may fall within a day: the hour is needed
        return "%m-%d %H:%M"
    if span <= pd.Timedelta(days=400):
        return "%Y-%m-%d"
    return "%Y-%m"


def rating_over_time(history: pd.DataFrame, title: str, x_title: str, y_title: str,
                     votes_title: str) -> alt.Chart:
    """Online Elo of each model at checkpoints over the votes. The legend lists the models by
    their last rating; clicking one highlights its line."""
    last = history.sort_values("step").groupby("model")["rating"].last()
    models = last.sort_values(ascending=False).index.tolist()
    colours, dashes = line_styles(models)
    tooltip = [alt.Tooltip("model:N"), alt.Tooltip("rating:Q", format=".0f"),
               alt.Tooltip("step:Q", title=votes_title)]
    if "tstamp" in history.columns:
        times = pd.to_datetime(history["tstamp"], utc=True)
        history = history.assign(when=times.dt.strftime("%Y-%m-%d %H:%M"))
        # In UTC, like the page's date filter (a utc scale formats its ticks in UTC).
        x = alt.X("tstamp:T", title=x_title, scale=alt.Scale(type="utc"),
                  axis=alt.Axis(format=time_format(times.min(), times.max()), labelAngle=0,
                                tickCount=6, labelOverlap="greedy"))
        tooltip.insert(2, alt.Tooltip("when:N", title=x_title))
    else:
        x = alt.X("step:Q", title=votes_title)
    picked = alt.selection_point(fields=["model"], bind="legend")
    legend = alt.Legend(orient="bottom", columns=4, symbolLimit=0, labelLimit=240,
                        symbolType="stroke", symbolStrokeWidth=3)
    return alt.Chart(history).mark_line(point=False, strokeWidth=2).encode(
        x=x,
        y=alt.Y("rating:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("model:N", title=None, legend=legend,
                        scale=alt.Scale(domain=models, range=colours)),
        # The same field and legend as the colour: Vega-Lite draws one legend showing both.
        strokeDash=alt.StrokeDash("model:N", title=None, legend=legend,
                                  scale=alt.Scale(domain=models, range=dashes)),
        opacity=alt.condition(picked, alt.value(1.0), alt.value(0.15)),
        tooltip=tooltip,
    ).add_params(picked).properties(
        # Fit the width only: under Streamlit's default ("fit") a long legend would squeeze the
        # plot itself, which must keep its height however many models there are.
        title=title, height=360, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
