"""Data: every battle with its vote, filters, one battle whole, downloads and import."""

import streamlit as st

from arena.ui import data_view as view
from arena.ui.common import setup_page, show_notice

ctx = setup_page()
t = ctx.t

st.title(t("data.title"))
st.caption(t("data.intro"))
view.hidden_note(ctx)

show_notice()
where = view.battle_filter(ctx)
rows = view.battle_table(ctx, where)
view.downloads(ctx, where)
view.battle_detail(ctx, rows)
view.import_form(ctx)
