"""Models: the Ollama hosts, their models, who takes part, pulling a new model, and the task
categories."""

import streamlit as st

from arena.ui import models_view as view
from arena.ui.common import setup_page, show_notice
from arena.ui.lineup_state import forget_reports, host_reports

ctx = setup_page()
t = ctx.t

st.title(t("models.title"))
st.caption(t("models.intro"))
view.admin_note(ctx)
show_notice()
if st.button(t("models.refresh"), key="models.refresh"):
    forget_reports()
reports = host_reports(ctx)
view.hosts_section(ctx, reports)
view.models_section(ctx, reports)
view.options_section(ctx)
view.pull_form(ctx, reports)
view.categories_section(ctx)
