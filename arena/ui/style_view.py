"""The Leaderboard page's style control: a toggle that shows the board with answer style held
equal (arena.style_control) instead of the plain one, with what each style difference was worth
and how many votes had no answer texts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from arena import ratings
from arena.db import Store, VoteFilter
from arena.style_control import StyleBoard, StyleVotes, coefficient_lines, style_leaderboard
from arena.ui.common import PageContext
from arena.ui.leaderboard_view import CategoryResults, table, verdict


def toggle(ctx: PageContext) -> bool:
    return st.toggle(ctx.t("style.toggle"), key="board.style", help=ctx.t("style.toggle_help"))


@st.cache_data(show_spinner=False, max_entries=64)
def _compute(db_path: str, category: str, since: date | None, until: date | None,
             voter: str | None, votes_version: int, min_votes: int,
             _store: Store) -> StyleBoard:
    """Keyed as the plain board's computation (leaderboard_view._compute): fresh after any
    vote, reused across widget changes."""
    votes = _style_votes(db_path, since, until, voter, votes_version, _store)
    return style_leaderboard(votes.board(category), min_votes=min_votes)


@st.cache_resource(show_spinner=False, max_entries=2)
def _style_votes(db_path: str, since: date | None, until: date | None, voter: str | None,
                 votes_version: int, _store: Store) -> StyleVotes:
    """Every counted vote with its style counts, read once per vote count and filter: one scan
    of the votes (seconds at a million), shared by every category's board. A resource, not a
    copy: StyleVotes is frozen and its boards are new objects."""
    return _store.style_votes(VoteFilter(since, until, voter))


def section(ctx: PageContext, category: str, where: VoteFilter,
            plain: CategoryResults) -> CategoryResults:
    """The style-controlled board of `category` (or Overall), in place of the plain one; the
    results for the charts below, with the style-controlled board in place of the plain one
    (the plain one when there is none)."""
    t = ctx.t
    with st.spinner(t("board.computing")):
        found = _compute(str(ctx.settings.db_path), category, where.since, where.until,
                         where.voter, ctx.store.votes_version(), ctx.settings.min_votes,
                         ctx.store)
    if found.board.empty:
        st.info(t("style.empty"), icon="🎨")
    else:
        st.caption(t("style.caption"))
        if category != ratings.OVERALL:
            st.caption(t("style.own_votes"))
        verdict(ctx, found.board)
        table(ctx, found.board)
        st.subheader(t("style.effects"), help=t("style.effects_help"))
        st.markdown("  \n".join(coefficient_lines(found.coefficients, t)))
    if found.left_out:
        st.caption(t("style.left_out", count=found.left_out))
    return plain if found.board.empty else replace(plain, board=found.board, gaps=[])
