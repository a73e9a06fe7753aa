"""Leaderboard: Bradley–Terry ratings with 95% intervals, per category and Overall; below them,
a judge model's own board and its agreement with people; the accuracy against prompt sets'
expected answers."""

import streamlit as st

from arena.ui import accuracy_view, both_bad_view, judge_board_view, reasons_view, style_view
from arena.ui import leaderboard_view as view
from arena.ui.common import setup_page

ctx = setup_page()
t = ctx.t

st.title(t("board.title"))
st.caption(t("board.intro"))

category = view.category_picker(ctx)
where = view.vote_filter(ctx)
styled = style_view.toggle(ctx)
borrow = view.borrow_toggle(ctx, category, disabled=styled)
found = plain = view.results(ctx, category, where, borrow)

if found.board.empty:
    view.empty_state(ctx, where)
else:
    if styled:  # the board with answer style held equal, instead of the plain one
        found = style_view.section(ctx, category, where, found)
    else:
        view.borrowing_note(ctx, found, category)
        view.verdict(ctx, found.board)
        view.table(ctx, found.board)
        view.more_votes(ctx, found.gaps)
        view.download(ctx, found.board, category)
    view.chart_section(ctx, found, category, where)
    both_bad_view.section(ctx, category, where)  # the absolute rate beside the relative one
    reasons_view.section(ctx, category, where)  # why the votes went as they did

judge_board_view.section(ctx, category, plain.board)  # a judge's opinion, never mixed in
accuracy_view.section(ctx)  # answers need no votes to be scored
