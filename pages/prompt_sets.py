"""Prompt sets: add a set, see its items, choose who answers it, and generate the answers in
the background with live progress."""

import streamlit as st

from arena.ui import generation_view as generation
from arena.ui import prompt_sets_view as view
from arena.ui.common import setup_page, show_notice

ctx = setup_page()
t = ctx.t

st.title(t("sets.title"))
st.caption(t("sets.intro"))

show_notice()
sets = ctx.store.prompt_sets()
view.add_set_form(ctx, expanded=not sets)
if not sets:
    st.info(t("sets.none"), icon="📋")
else:
    generation.sets_overview(ctx, lambda fresh: view.sets_table(ctx, fresh))
    name = view.set_picker(ctx, sets)
    view.items_table(ctx, name)
    contestants = view.chosen_contestants(ctx, name)
    generation.generation_panel(ctx, name, contestants)
