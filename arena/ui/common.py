"""What every page needs: settings, the store, the sidebar and the translator.

Every page calls `setup_page()` itself, because Streamlit can run a file in `pages/` without
`app.py` (the first visitor who opens a page URL directly after a server start).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import streamlit as st
from streamlit.errors import StreamlitAPIException

from arena.access import Voter
from arena.categories import Category, is_default_text
from arena.db import Store
from arena.i18n import LANGUAGES, has_message, normalise_language, translate
from arena.settings import Settings, SettingsError, load_settings
from arena.ui import gate

# The pages, in menu order: (script, catalog key of its title, icon).
PAGES = [
    ("pages/arena.py", "nav.arena", "⚔️"),
    ("pages/prompt_sets.py", "nav.prompt_sets", "📋"),
    ("pages/judge.py", "nav.judge", "⚖️"),
    ("pages/leaderboard.py", "nav.leaderboard", "🏆"),
    ("pages/models.py", "nav.models", "🧩"),
    ("pages/data.py", "nav.data", "🗂️"),
]

LANG_KEY = "lang"
VOTER_KEY = gate.VOTER_KEY
NOTICE_KEY = "page.notice"  # a success message to show after the next rerun
NONE = "—"  # what an empty cell shows, in every language


@st.cache_resource(show_spinner=False)
def get_store(path: str, unvoted_hidden_s: float, busy_timeout_s: float) -> Store:
    """One Store per database file, shared by all sessions (it migrates the schema once)."""
    return Store(path, unvoted_hidden_for=timedelta(seconds=unvoted_hidden_s),
                 busy_timeout_s=busy_timeout_s)


def settings_store() -> Store:
    """The store of the current settings, for a widget callback that has no page context."""
    settings = load_settings()
    return get_store(str(settings.db_path), settings.unvoted_hidden_s,
                     settings.db_busy_timeout_s)


# The cached reads below take the page's Store as `_store` (not hashed: a leading underscore) and
# are keyed by its file, so that they never open a second Store on the same database.


@st.cache_data(show_spinner=False, max_entries=8)
def _voters(db_path: str, votes_version: int, _store: Store) -> list[str]:
    return _store.voters()


@st.cache_data(show_spinner=False, max_entries=256)
def _votes_by(db_path: str, votes_version: int, voter: str, _store: Store) -> int:
    return _store.count_votes(voter=voter)


# Contestants are read again after each vote; one whose battle was abandoned (or waited past the
# limit) may take `ttl` to be offered — never before its names may be shown (Store.contestant_names).
@st.cache_data(show_spinner=False, ttl=30, max_entries=8)
def _contestant_names(db_path: str, unvoted_hidden_s: float, votes_version: int,
                 _store: Store) -> list[str]:
    return _store.contestant_names()


@dataclass
class PageContext:
    settings: Settings
    store: Store
    lang: str
    t: Callable[..., str]
    admin: bool  # may this session take admin actions (arena.access.may_administer)
    admin_reason: str  # why not, for disabled controls

    def voters(self) -> list[str]:
        """Everyone who has cast a counted vote (read again only after votes change: a filter
        widget must not scan every vote on each rerun)."""
        return _voters(str(self.settings.db_path), self.store.votes_version(), self.store)

    def contestant_names(self) -> list[str]:
        return _contestant_names(str(self.settings.db_path), self.settings.unvoted_hidden_s,
                            self.store.votes_version(), self.store)

    @property
    def voter(self) -> Voter:
        return gate.voter(self.settings)


STARTING_KEY = "arena.starting"  # set by a click on Battle: this run streams a battle


def voter_name() -> str:
    return Voter(st.session_state.get(VOTER_KEY) or "").name


def _sidebar(settings: Settings, store: Store | None) -> str:
    # Re-assigning a widget's key keeps its value when another page is opened: Streamlit drops
    # the state of widgets that the previous run did not draw.
    st.session_state[LANG_KEY] = st.session_state.get(LANG_KEY,
                                                   normalise_language(settings.language))
    st.session_state[VOTER_KEY] = st.session_state.get(VOTER_KEY, "")
    # While this run streams a battle, any other click would interrupt it (and the battle
    # would end as stopped): the sidebar waits, and Stop is the way out.
    streaming = bool(st.session_state.get(STARTING_KEY))
    with st.sidebar:
        lang = st.session_state[LANG_KEY]
        # Our own menu rather than Streamlit's: it is translated, and it is the same when a page
        # URL is opened directly on a fresh server (Streamlit then runs the page without app.py).
        for script, title, icon in PAGES:
            page_link(script, translate(lang, title), icon, disabled=streaming)
        st.divider()
        lang = st.selectbox(
            translate(st.session_state[LANG_KEY], "sidebar.language"),
            options=list(LANGUAGES),
            format_func=LANGUAGES.get,
            key=LANG_KEY,
            disabled=streaming,
        )
        st.text_input(
            translate(lang, "sidebar.voter"),
            key=VOTER_KEY,
            max_chars=64,
            placeholder="anonymous",
            help=translate(lang, "sidebar.voter_help"),
            disabled=streaming,
        )
        if streaming:
            st.caption(translate(lang, "sidebar.wait_for_battle"))
        if store is not None:
            try:
                mine = _votes_by(str(settings.db_path), store.votes_version(), voter_name(), store)
                st.caption(translate(lang, "sidebar.my_votes", count=mine))
            except sqlite3.Error:
                pass  # the page itself says what is wrong with the database
        gate.admin_sidebar(settings, partial(translate, lang))
        hosts = settings.ollama_hosts
        st.caption(translate(lang, "sidebar.host", host=hosts[0]) if len(hosts) == 1 else
                   translate(lang, "sidebar.hosts", host=hosts[0], more=len(hosts) - 1))
        gate.remember_sign_in(settings)  # last: its (invisible) element adds a gap
    return lang


def keep_choice(key: str, options: Sequence, default: object = None) -> None:
    """Make a choice widget's value (a select box, a radio) hold across a language switch.

    The browser keeps a choice as its *shown label*; after the language changes that label
    matches no option, and Streamlit would hand the label back as the value (the preset box's
    "— write your own —" then became the prompt). Setting the value from Python before the
    widget is drawn makes the option value, not the old label, what the widget holds. Call it
    before every choice widget whose labels are translated; `default` (the first option if
    None) stands in for a value that is no longer an option.
    """
    options = list(options)
    default = options[0] if default is None and options else default
    value = st.session_state.get(key, default)
    st.session_state[key] = value if value in options else default


def notice_after_rerun(message: str) -> None:
    """Say `message` (a success) at the top of the page once it has rerun."""
    st.session_state[NOTICE_KEY] = message


def show_notice() -> None:
    message = st.session_state.pop(NOTICE_KEY, None)
    if message:
        st.success(message)


def page_link(script: str, label: str, icon: str, disabled: bool = False) -> None:
    """A link to another page; none where there are no pages to link to (a page file run as
    the main script itself, as AppTest does)."""
    with contextlib.suppress(StreamlitAPIException):
        st.page_link(script, label=label, icon=icon, disabled=disabled)


def setup_page() -> PageContext:
    """Load settings and the store, draw the shared sidebar, and return the page's context."""
    st.set_page_config(page_title="Local model arena", page_icon="⚔️", layout="wide")
    try:
        settings = load_settings()
    except SettingsError as exc:
        lang = st.session_state.get(LANG_KEY, "en")
        # Behind a passcode, a stranger learns nothing of the configuration, not even this.
        st.error(translate(lang, "error.settings_private") if gate.passcode_configured() else
                 translate(lang, "error.settings", reason=exc), icon="⚙️")
        st.stop()
    gate.require_passcode(settings,
                          partial(translate, st.session_state.get(LANG_KEY, settings.language)))
    try:
        store = get_store(str(settings.db_path), settings.unvoted_hidden_s,
                          settings.db_busy_timeout_s)
    except (sqlite3.Error, OSError) as exc:
        store, problem = None, exc
    lang = _sidebar(settings, store)
    if store is None:
        st.error(translate(lang, "error.database_open", path=settings.db_path, reason=problem),
                 icon="💾")
        st.stop()

    t = partial(translate, lang)
    admin = gate.is_admin(settings)
    gate.allow_uploads(admin)
    return PageContext(settings=settings, store=store, lang=lang, t=t,
                       admin=admin, admin_reason=gate.admin_reason(settings, t))


def category_label(category: Category, t: Callable[..., str]) -> str:
    """A category's name in the user's language (default categories are in the catalog, until
    an admin renames them)."""
    key = f"category.{category.slug}"
    return t(key) if has_message(key) and is_default_text(category, "name") else category.name


def category_description(category: Category, t: Callable[..., str]) -> str:
    key = f"category.{category.slug}.description"
    translated = has_message(key) and is_default_text(category, "description")
    return t(key) if translated else category.description


def reason_text(reason: str | None, t: Callable[..., str]) -> str:
    """Why a vote does not count, from the reason stored with it ("identity leak", …)."""
    key = "vote.reason." + (reason or "").replace(" ", "_")
    return t(key) if has_message(key) else t("vote.reason.other", reason=reason or "—")
