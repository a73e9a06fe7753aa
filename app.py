"""Entry point: page config and navigation. Each page draws the shared sidebar itself."""

import streamlit as st

from arena.i18n import translate
from arena.settings import SettingsError, load_settings
from arena.ui.common import PAGES


def default_language() -> str:
    try:
        return load_settings().language
    except SettingsError:
        return "en"  # the page itself explains the bad setting


lang = st.session_state.get("lang") or default_language()
navigation = st.navigation(
    [st.Page(script, title=translate(lang, title), icon=icon, default=(k == 0))
     for k, (script, title, icon) in enumerate(PAGES)],
    position="hidden",  # the shared sidebar draws the menu (arena.ui.common)
)
navigation.run()
