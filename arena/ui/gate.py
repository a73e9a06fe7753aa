"""The access gate of every page: the voter passcode, admin sign-in, and who may administer.

The rules live in arena.access; this applies them to a browser session. Passcodes come from the
environment (arena.settings) or, failing that, Streamlit's secrets (`passcode`,
`admin_passcode` in .streamlit/secrets.toml). They are never shown, logged or stored anywhere
but in memory.
"""

from __future__ import annotations

import math
import os
from typing import Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from arena.access import Guesses, may_administer
from arena.settings import Settings

PASSED_KEY = "access.passed"  # this session has entered the voter passcode
ADMIN_KEY = "access.admin"  # this session has entered the admin passcode


@st.cache_resource(show_spinner=False)
def _guesses() -> Guesses:
    """Wrong tries per client address, shared by every session of the server."""
    return Guesses()


def _secret(name: str) -> str | None:
    try:
        value = st.secrets.get(name)
    except Exception:  # no secrets file, or one that does not parse: no passcode from it
        return None
    return str(value) if value else None


def passcode_configured() -> bool:
    """Whether a voter passcode is set, read without the rest of the settings (which may be
    what is broken)."""
    return bool(os.environ.get("ARENA_PASSCODE") or _secret("passcode"))


def voter_passcode(settings: Settings) -> str | None:
    return settings.passcode or _secret("passcode")


def admin_passcode(settings: Settings) -> str | None:
    return settings.admin_passcode or _secret("admin_passcode")


def client_address() -> str | None:
    """The browser's TCP address as the server sees it (not st.context.ip_address, which reads
    a loopback connection and no connection alike as None); None when there is no browser."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    client = runtime.get_instance().get_client(ctx.session_id)
    ip = getattr(getattr(client, "client_context", None), "remote_ip", None)
    return ip if isinstance(ip, str) else None


def _check(typed: str, expected: str, t: Callable[..., str]) -> bool:
    """Compare a typed passcode, counting wrong tries; says what went wrong on the page."""
    attempt = _guesses().attempt(client_address() or "unknown", typed, expected)
    if attempt.matched:
        return True
    if attempt.wait_s > 0:
        st.error(t("gate.wait", seconds=math.ceil(attempt.wait_s)), icon="⏳")
    else:
        st.error(t("gate.wrong", left=attempt.tries_left), icon="🔒")
    return False


def require_passcode(settings: Settings, t: Callable[..., str]) -> None:
    """With a voter passcode set, show only the passcode prompt until this session enters it."""
    expected = voter_passcode(settings)
    if expected is None or st.session_state.get(PASSED_KEY):
        return
    st.title(t("gate.title"))
    st.caption(t("gate.intro"))
    with st.form("access.gate"):
        typed = st.text_input(t("gate.passcode"), type="password", key="access.typed")
        entered = st.form_submit_button(t("gate.enter"), type="primary")
    if entered and _check(typed, expected, t):
        st.session_state[PASSED_KEY] = True
        st.rerun()
    st.stop()


def is_admin(settings: Settings) -> bool:
    return may_administer(admin_passcode(settings) is not None,
                          bool(st.session_state.get(ADMIN_KEY)), client_address())


def admin_reason(settings: Settings, t: Callable[..., str]) -> str:
    """Why admin actions are disabled for this session."""
    if admin_passcode(settings) is not None:
        return t("admin.needs_passcode")
    return t("admin.local_only")


def admin_sidebar(settings: Settings, t: Callable[..., str]) -> None:
    """Admin sign-in and sign-out, in the sidebar, when an admin passcode is set."""
    expected = admin_passcode(settings)
    if expected is None:
        return
    if st.session_state.get(ADMIN_KEY):
        st.caption(t("admin.signed_in"))
        if st.button(t("admin.sign_out"), key="access.sign_out"):
            st.session_state.pop(ADMIN_KEY, None)
            st.rerun()
        return
    with st.expander(t("admin.sign_in")):
        with st.form("access.admin_form", border=False):
            typed = st.text_input(t("admin.passcode"), type="password", key="access.admin_typed")
            entered = st.form_submit_button(t("admin.enter"))
        if entered and _check(typed, expected, t):
            st.session_state[ADMIN_KEY] = True
            st.rerun()
