"""The Leaderboard page's accuracy section: per prompt set with expected answers, how often each
contestant gave them (arena.set_accuracy), beside the votes' board.

It names models, as the board above does, and shows only totals per contestant: no answer text
and no result per item, which would tie an answer the vote queue shows blind to its model.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from arena.db import Store
from arena.display import literal_markdown
from arena.set_accuracy import accuracy_text, scored_sets, set_accuracy
from arena.ui.common import PageContext, keep_choice

SET_KEY = "accuracy.set"


def _answers_version(store: Store) -> tuple:
    """What changes whenever a set's table can: items are only added, and a complete answer is
    never replaced (a failed one only by a complete one), so these counts say it exactly."""
    return tuple((s.prompt_set.name, s.items, s.answers, s.failed) for s in store.prompt_sets())


@st.cache_data(show_spinner=False, max_entries=8)
def _scored_set_names(db_path: str, answers_version: tuple, _store: Store) -> list[str]:
    return [s.name for s in scored_sets(_store)]


@st.cache_data(show_spinner=False, max_entries=32)
def _table(db_path: str, name: str, answers_version: tuple,
           _store: Store) -> tuple[pd.DataFrame | None, bool]:
    """The set's accuracy table, and whether the set has labels."""
    prompt_set = _store.prompt_set(name)
    return set_accuracy(_store, name), bool(prompt_set and prompt_set.labels)


def shown_table(table: pd.DataFrame, labelled: bool, t) -> pd.DataFrame:
    """The accuracy table as displayed: the interval as text; "no label" only where the set has
    labels to find."""
    shown = pd.DataFrame({
        t("accuracy.col.contestant"): table["contestant"],
        t("accuracy.col.answered"): table["answered"],
        t("accuracy.col.correct"): table["correct"],
        t("accuracy.col.accuracy"): accuracy_text(table),
        t("accuracy.col.no_label"): table["no_label"],
        t("accuracy.col.tokens_per_s"): table["median_tokens_per_s"],
        t("accuracy.col.total_s"): table["median_total_s"],
    })
    return shown if labelled else shown.drop(columns=t("accuracy.col.no_label"))


def section(ctx: PageContext) -> None:
    """The section, or nothing when no prompt set has an expected answer."""
    t, db_path = ctx.t, str(ctx.settings.db_path)
    version = _answers_version(ctx.store)
    names = _scored_set_names(db_path, version, ctx.store)
    if not names:
        return
    st.divider()
    st.subheader(t("accuracy.title"))
    st.caption(t("accuracy.caption"))
    if len(names) > 1:
        keep_choice(SET_KEY, names)  # a set that is gone falls back to the first
        name = st.selectbox(t("accuracy.set"), options=names, key=SET_KEY)
    else:
        name = names[0]
        st.markdown(t("accuracy.one_set", name=literal_markdown(name)))
    table, labelled = _table(db_path, name, version, ctx.store)
    if table is None or table.empty:
        st.info(t("accuracy.no_answers"), icon="⏳")
        return
    st.dataframe(
        shown_table(table, labelled, t),
        hide_index=True,
        width="stretch",
        height=min(35 * (len(table) + 1) + 6, 1100),
        column_config={
            t("accuracy.col.answered"): st.column_config.NumberColumn(
                help=t("accuracy.help.answered")),
            t("accuracy.col.accuracy"): st.column_config.TextColumn(
                help=t("accuracy.help.accuracy_labels" if labelled else "accuracy.help.accuracy")),
            t("accuracy.col.no_label"): st.column_config.NumberColumn(
                help=t("accuracy.help.no_label")),
            t("accuracy.col.tokens_per_s"): st.column_config.NumberColumn(
                format="%.1f", help=t("accuracy.help.tokens_per_s")),
            t("accuracy.col.total_s"): st.column_config.NumberColumn(
                format="%.1f s", help=t("accuracy.help.total_s")),
        },
    )
