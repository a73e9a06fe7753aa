"""What every page needs: settings, the store, the sidebar and the translator.

Every page calls `setup_page()` itself, because Streamlit can run a file in `pages/` without
`app.py` (the first visitor who opens a page URL directly after a server start).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from arena.i18n import LANGUAGES, translate
from arena.settings import Settings, SettingsError, load_settings
from arena.store import Store

LANG_KEY = "lang"
VOTER_KEY = "voter"


@st.cache_resource(show_spinner=False)
def get_store(path: str) -> Store:
    """One Store per database file, shared by all sessions (it migrates the schema once)."""
    return Store(path)


@dataclass
class PageContext:
    settings: Settings
    store: Store
    lang: str
    t: Callable[..., str]

    @property
    def voter(self) -> str:
        return (st.session_state.get(VOTER_KEY) or "").strip() or "anonymous"


def _sidebar(settings: Settings) -> str:
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = settings.language
    with st.sidebar:
        lang = st.selectbox(
            translate(st.session_state[LANG_KEY], "sidebar.language"),
            options=list(LANGUAGES),
            format_func=LANGUAGES.get,
            key=LANG_KEY,
        )
        # Keep the nickname across pages: a widget's value is dropped on a page that lacks it.
        st.session_state[VOTER_KEY] = st.session_state.get(VOTER_KEY, "")
        st.text_input(
            translate(lang, "sidebar.voter"),
            key=VOTER_KEY,
            max_chars=64,
            placeholder="anonymous",
            help=translate(lang, "sidebar.voter_help"),
        )
        st.caption(translate(lang, "sidebar.host", host=settings.ollama_host))
    return lang


def setup_page() -> PageContext:
    """Load settings and the store, draw the shared sidebar, and return the page's context."""
    st.set_page_config(page_title="Local model arena", page_icon="⚔️", layout="wide")
    try:
        settings = load_settings()
    except SettingsError as exc:
        st.error(translate(st.session_state.get(LANG_KEY, "en"), "error.settings", reason=exc),
                 icon="⚙️")
        st.stop()
    lang = _sidebar(settings)
    try:
        store = get_store(str(settings.db_path))
    except (sqlite3.Error, OSError) as exc:
        st.error(translate(lang, "error.database_open", path=settings.db_path, reason=exc),
                 icon="💾")
        st.stop()

    def t(key: str, **values: object) -> str:
        return translate(lang, key, **values)

    return PageContext(settings=settings, store=store, lang=lang, t=t)
