"""Arena: two anonymous models answer one prompt side by side; the user votes."""

import streamlit as st

from arena.records import THINK_MODES
from arena.ui import arena_view as view
from arena.ui import followup_view, images_view, queue_view
from arena.ui.common import category_description, category_label, keep_choice, setup_page

ctx = setup_page()
t = ctx.t

st.title(t("arena.title"))
if queue_view.mode_switch(ctx) == queue_view.QUEUE:
    st.caption(t("queue.intro"))
    queue_view.vote_queue(ctx)
    st.stop()
st.caption(t("arena.intro"))

categories = view.load_categories(ctx)
keep_choice("arena.category", list(categories))
slug = st.selectbox(
    t("arena.category"),
    options=list(categories),
    format_func=lambda s: category_label(categories[s], t),
    key="arena.category",
)
category = categories[slug]
st.caption(category_description(category, t))

view.preset_picker(ctx, category)
prompt = view.prompt_box(ctx)
images = images_view.image_uploader(ctx)  # None: an upload was refused (and said why)
keep_choice("arena.think", THINK_MODES)
think_mode = st.radio(
    t("arena.thinking"),
    options=THINK_MODES,
    format_func=lambda m: t(f"arena.thinking.{m}"),
    horizontal=True,
    key="arena.think",
    help=t("arena.thinking_help"),
)
view.settings_summary(ctx)
view.settle_interrupted_battle(ctx)
drawn = view.available_contestants(ctx, think_mode, vision=bool(images))

if view.battle_button(ctx, prompt, drawn, images_view.blocked(images, drawn)):
    view.run_battle(ctx, category, prompt, drawn, images or ())
elif followup_view.sending_followup():
    followup_view.run_followup(ctx, view.current_round())
else:
    view.show_current_battle(ctx)
