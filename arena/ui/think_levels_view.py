"""Widgets for models that think by level (arena.think_levels): on the Models page, the levels
that compete and the level for thinking "on"; on the Arena page, a caption saying how the
battle's thinking choice applies to such models (in general words: no model is named)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from arena.lineup import Contestant, ModelEntry
from arena.records import THINK_LEVELS, ModelChoice
from arena.think_levels import chosen_levels, level_on, ordered
from arena.ui.common import PageContext


def levels_key(model: str) -> str:
    return f"models.levels.{model}"


def level_on_key(model: str) -> str:
    return f"models.level_on.{model}"


def _save_levels(ctx: PageContext, name: str, stored: ModelChoice, cloud: bool) -> None:
    """Widget callback: store the levels and the level for "on" the widgets now say. No level
    at all is not a choice: the stored levels stay (the widget shows them again)."""
    if not ctx.admin:
        return
    levels = ordered(st.session_state.get(levels_key(name), stored.levels))
    if not levels:
        return
    on = st.session_state.get(level_on_key(name), stored.level_on)
    ctx.store.set_model_choice(name, replace(stored, levels=levels, level_on=on), cloud=cloud)


def level_controls(ctx: PageContext, column, entry: ModelEntry, choice: ModelChoice) -> None:
    """The levels a level model competes at (a contestant each, with its own rating), and the
    one it plays when a battle asks for thinking "on"."""
    t = ctx.t
    name, cloud = entry.name, entry.info.cloud
    levels = chosen_levels(choice)
    # Re-assigned each run so the widgets show what is stored, whoever changed it.
    st.session_state[levels_key(name)] = list(levels)
    st.session_state[level_on_key(name)] = level_on(choice)
    disabled = not ctx.admin or not choice.included or not entry.think_hosts
    with column:
        left, right = st.columns(2)
        left.multiselect(t("levels.compete"), THINK_LEVELS, key=levels_key(name),
                         format_func=lambda level: t(f"arena.thinking.{level}"),
                         disabled=disabled, on_change=_save_levels,
                         args=(ctx, name, choice, cloud), help=t("levels.compete_help"))
        right.selectbox(t("levels.on"), levels, key=level_on_key(name),
                        format_func=lambda level: t(f"arena.thinking.{level}"),
                        disabled=disabled, on_change=_save_levels,
                        args=(ctx, name, choice, cloud), help=t("levels.on_help"))


def takes_part_text(ctx: PageContext, drawn: list[Contestant]) -> str:
    """The Models page's "takes part" for a level model: at which levels."""
    return ctx.t("levels.takes_part", levels=", ".join(
        ctx.t(f"arena.thinking.{c.think}") for c in drawn))


def level_caption(ctx: PageContext, think_mode: str, drawn: list[Contestant]) -> None:
    """Under the Arena's thinking choice: what it means for models that cannot switch
    thinking, when any may be drawn (said of models in general, not of a side)."""
    if think_mode != "default" and any(c.think in THINK_LEVELS for c in drawn):
        st.caption(ctx.t(f"levels.arena_{think_mode}"))
