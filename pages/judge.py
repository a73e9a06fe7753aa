"""Judge: a local model judges stored battles in both orders, in the background; its choice,
instructions, run, rates and downloads. Its board and agreement with people are on the
Leaderboard."""

import streamlit as st

from arena.ui import judge_view as view
from arena.ui.common import setup_page

ctx = setup_page()
t = ctx.t

st.title(t("judge.title"))
st.caption(t("judge.intro"))

served = view.served_judges(ctx)
judge = None if served is None else view.judge_picker(ctx, served)
view.instruction_editor(ctx)
scope = view.scope_picker(ctx)
view.run_panel(ctx, judge, scope)
view.rates_table(ctx)
view.downloads(ctx)
