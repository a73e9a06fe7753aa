"""The Models page's choices per model: whether it takes part, whether a thinking model competes
twice (thinking on and off), and the levels of a model that thinks by level. Changes are admin
actions (arena.access)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from arena.lineup import ModelEntry, choice_for
from arena.records import ArenaOptions, ModelChoice
from arena.ui.cloud_view import include_help, marked
from arena.ui.common import PageContext
from arena.ui.think_levels_view import level_controls


def _save_choice(ctx: PageContext, name: str, stored: ModelChoice, cloud: bool) -> None:
    """Checkbox callback: store what the model's checkboxes now say (a box not drawn this time,
    and its levels, keep what was stored), and whether it is a cloud model."""
    if not ctx.admin:
        return
    ctx.store.set_model_choice(name, cloud=cloud, choice=replace(
        stored, included=st.session_state.get(f"models.include.{name}", stored.included),
        split_thinking=st.session_state.get(f"models.split.{name}", stored.split_thinking)))


def choices_section(ctx: PageContext, entries: list[ModelEntry],
                    choices: dict[str, ModelChoice], options: ArenaOptions) -> None:
    """Per model: whether it takes part, and whether a thinking model competes twice (or, for
    one that thinks by level, at which levels)."""
    t = ctx.t
    st.markdown(f"**{t('models.choose')}**")
    st.caption(t("models.choose_help"))
    for entry in entries:
        choice = choice_for(entry, choices, options)
        name, cloud, include, split = entry.name, entry.info.cloud, \
            f"models.include.{entry.name}", f"models.split.{entry.name}"
        # Re-assigned each run so the boxes show what is stored, whoever changed it.
        st.session_state[include] = choice.included
        left, right = st.columns([2, 3])
        left.checkbox(marked(name, cloud, t), key=include, help=include_help(cloud, t),
                      disabled=not ctx.admin or not entry.info.can_chat,
                      on_change=_save_choice, args=(ctx, name, choice, cloud))
        if entry.info.thinks_by_level:  # levels, not on/off (arena.think_levels)
            level_controls(ctx, right, entry, choice)
        elif entry.info.supports_thinking:
            st.session_state[split] = choice.split_thinking
            right.checkbox(t("models.split"), key=split,
                           disabled=not ctx.admin or not choice.included or not entry.think_hosts,
                           on_change=_save_choice, args=(ctx, name, choice, cloud),
                           help=t("models.split_help") if entry.think_hosts
                           else t("models.split_unavailable"))
