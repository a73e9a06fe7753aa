"""Models: the Ollama hosts, their models, who takes part, pulling a new model, and the task
categories."""

import streamlit as st

from arena.ui import models_view as view
from arena.ui.common import setup_page
from arena.ui.lineup_state import forget_reports, host_reports

ctx = setup_page()
t = ctx.t

st.title(t("models.title"))
st.caption(t("models.intro"))
admin = view.admin_note(ctx)
view.notice()
if st.button(t("models.refresh"), key="models.refresh"):
    forget_reports()
reports = host_reports(ctx)
view.hosts_section(ctx, reports, admin)
view.models_section(ctx, reports, admin)
view.options_section(ctx, admin)
view.pull_form(ctx, reports, admin)
view.categories_section(ctx, admin)
