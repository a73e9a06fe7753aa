"""Entry point: page config and navigation. Each page draws the shared sidebar itself."""

import streamlit as st

from arena.i18n import translate
from arena.settings import SettingsError, load_settings


def default_language() -> str:
    try:
        return load_settings().language
    except SettingsError:
        return "en"  # the page itself explains the bad setting


lang = st.session_state.get("lang") or default_language()
navigation = st.navigation(
    [
        st.Page("pages/arena.py", title=translate(lang, "nav.arena"), icon="⚔️", default=True),
        st.Page("pages/leaderboard.py", title=translate(lang, "nav.leaderboard"), icon="🏆"),
    ]
)
navigation.run()
