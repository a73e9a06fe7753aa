"""The Leaderboard page's "unacceptable answers" table: per model, the share of its battles voted
both bad (arena.both_bad), under the board and from the same filtered votes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from arena import ratings
from arena.both_bad import both_bad_rates
from arena.db import Store, VoteFilter
from arena.display import literal_markdown
from arena.set_accuracy import accuracy_text
from arena.ui.common import PageContext


@st.cache_data(show_spinner=False, max_entries=64)
def _rates(db_path: str, category: str, since: date | None, until: date | None,
           voter: str | None, votes_version: int, _store: Store) -> pd.DataFrame:
    """Keyed as the board's computation (leaderboard_view._compute): the same votes, fresh after
    any vote."""
    table = _store.vote_counts(VoteFilter(since, until, voter))
    return both_bad_rates(ratings.category_table(table, category))


def rate_text(rates: pd.DataFrame) -> pd.Series:
    """Each rate with its interval in whole percent, as the accuracy table writes it."""
    return accuracy_text(rates.rename(columns={"rate": "accuracy"}))


def shown_table(rates: pd.DataFrame, t) -> pd.DataFrame:
    return pd.DataFrame({
        t("bothbad.col.model"): rates["model"],
        t("bothbad.col.rate"): rate_text(rates),
        t("bothbad.col.battles"): rates["battles"],
        t("bothbad.col.both_bad"): rates["both_bad"],
        t("bothbad.col.watch"): rates["watch"],
    })


def section(ctx: PageContext, category: str, where: VoteFilter) -> None:
    """The table with its caption; one line when no battle in these votes was voted both bad
    (a column of zeros says nothing the line does not)."""
    t = ctx.t
    rates = _rates(str(ctx.settings.db_path), category, where.since, where.until, where.voter,
                   ctx.store.votes_version(), ctx.store)
    if rates.empty:
        return
    if not rates["both_bad"].any():
        st.caption(t("bothbad.none"))
        return
    st.subheader(t("bothbad.title"))
    st.caption(t("bothbad.caption"))
    st.dataframe(
        shown_table(rates, t),
        hide_index=True,
        width="stretch",
        height=min(35 * (len(rates) + 1) + 6, 1100),
        column_config={
            t("bothbad.col.rate"): st.column_config.TextColumn(help=t("bothbad.help.rate")),
            t("bothbad.col.watch"): st.column_config.CheckboxColumn(help=t("bothbad.help.watch")),
        },
    )
    watched = rates.loc[rates["watch"], "model"].tolist()
    if watched:
        st.warning(t("bothbad.watch_note", models=", ".join(literal_markdown(m) for m in watched)),
                   icon="👀")
