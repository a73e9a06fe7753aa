"""Entry point: page config and navigation. Each page draws the shared sidebar itself."""

import streamlit as st

from arena.i18n import translate
from arena.settings import load_settings

lang = st.session_state.get("lang") or load_settings().language
navigation = st.navigation(
    [
        st.Page("pages/arena.py", title=translate(lang, "nav.arena"), icon="⚔️", default=True),
    ]
)
navigation.run()
