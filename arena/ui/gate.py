"""The access gate of every page: the voter passcode, admin sign-in, who may administer, who
may upload, and the sign-in a reload keeps.

The rules live in arena.access and arena.tokens; this applies them to a browser session.
Passcodes come from the environment (arena.settings) or, failing that, Streamlit's secrets
(`passcode`, `admin_passcode` in .streamlit/secrets.toml). They are never shown, logged or
stored anywhere but in memory (a sign-in token holds a MAC over a hash of the voter passcode,
not the passcode).
"""

from __future__ import annotations

import math
import os
import secrets
import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from arena import tokens
from arena.access import Connection, Guesses, Voter, may_administer, may_vote
from arena.settings import Settings
from arena.ui.components.cookie import set_cookie

PASSED_KEY = "access.passed"  # this session has entered the voter passcode
ADMIN_KEY = "access.admin"  # this session has entered the admin passcode
VOTER_KEY = "voter"  # the sidebar's nickname box (arena.ui.common)
_RESTORED_KEY = "access.restored"  # this session has read its sign-in cookie
_ISSUED_KEY = "access.issued"  # (what the last token said, the token)
_ANON_KEY = "access.anonymous"  # this session's own name for its wrong tries, address unknown
_UPLOAD_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def _guesses() -> Guesses:
    """Wrong tries per client, shared by every session of the server."""
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


def _session_client():
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    return runtime.get_instance().get_client(ctx.session_id)


def _raw_peer(client) -> str | None:
    """The TCP peer of the browser's WebSocket as the socket reports it. Streamlit's remote_ip
    is not it: uvicorn replaces that with X-Forwarded-For when the peer is loopback, so any
    local process could claim any address."""
    receive = getattr(getattr(client, "_websocket", None), "_receive", None)
    peer = getattr(getattr(receive, "__self__", None), "client", None)
    if isinstance(peer, (tuple, list)) and peer and isinstance(peer[0], str):
        return peer[0]
    return None


def connection() -> Connection | None:
    """This session's connection (None when there is no browser, as under AppTest)."""
    client = _session_client()
    context = getattr(client, "client_context", None)
    if context is None:
        return None
    headers = {name.lower(): value for name, value in context.headers}
    forwarded = "x-forwarded-for" in headers
    peer = _raw_peer(client)
    if peer is None and not forwarded:
        # Without the header nothing was replaced: Streamlit's address is the socket's.
        ip = getattr(context, "remote_ip", None)
        peer = ip if isinstance(ip, str) else None
    return Connection(peer=peer, host=headers.get("host"), origin=headers.get("origin"),
                      forwarded=forwarded)


def _client_key() -> str:
    """Whom wrong tries are counted against: the TCP address, or this session alone when the
    address is unknown (one shared bucket would let a stranger lock out everyone in it)."""
    found = connection()
    if found is not None and found.peer:
        return "ip:" + found.peer
    if _ANON_KEY not in st.session_state:
        st.session_state[_ANON_KEY] = secrets.token_hex(8)
    return "session:" + st.session_state[_ANON_KEY]


def _check(typed: str, expected: str, t: Callable[..., str]) -> bool:
    """Compare a typed passcode, counting wrong tries; says what went wrong on the page."""
    attempt = _guesses().attempt(_client_key(), typed, expected)
    if attempt.matched:
        return True
    if attempt.wait_s > 0:
        key = "gate.wait_everyone" if attempt.everyone else "gate.wait"
        st.error(t(key, seconds=math.ceil(attempt.wait_s)), icon="⏳")
    else:
        st.error(t("gate.wrong", count=attempt.tries_left), icon="🔒")
    return False


# --- Sign-in kept across reloads (arena.tokens) ---------------------------------------------

@st.cache_resource(show_spinner=False)
def _signing_secret(db_path: str) -> bytes | None:
    try:
        return tokens.load_or_create_secret(tokens.secret_path(db_path))
    except OSError:
        return None  # a read-only folder: reloads ask again, nothing else breaks


def _ttl_s(settings: Settings) -> float:
    return settings.signin_days * 86400.0


def _restore(settings: Settings, expected: str | None) -> None:
    """Once per session, before anything is drawn: the sign-in this browser's cookie carries."""
    if st.session_state.get(_RESTORED_KEY):
        return
    st.session_state[_RESTORED_KEY] = True
    secret = _signing_secret(str(settings.db_path))
    if secret is None or _ttl_s(settings) <= 0:
        return
    try:
        cookie = st.context.cookies.get(tokens.cookie_name(secret))
    except Exception:  # no browser request behind this run (AppTest)
        cookie = None
    found = tokens.verify(secret, expected, cookie, time.time(), _ttl_s(settings))
    if found is None:
        return
    if found.passed and expected is not None:
        st.session_state[PASSED_KEY] = True
    if found.nickname and not st.session_state.get(VOTER_KEY):
        st.session_state[VOTER_KEY] = found.nickname


def remember_sign_in(settings: Settings) -> None:
    """Keep this browser's sign-in cookie up to date (a new token when the nickname changes,
    and one per session, so a returning person's time starts again). Call on every run."""
    secret = _signing_secret(str(settings.db_path))
    if secret is None:
        return
    ttl = _ttl_s(settings)
    expected = voter_passcode(settings)
    nickname = (st.session_state.get(VOTER_KEY) or "").strip()
    passed = expected is None or bool(st.session_state.get(PASSED_KEY))
    said = (nickname, passed, ttl)
    issued = st.session_state.get(_ISSUED_KEY)
    if ttl <= 0:
        token = ""
    elif issued is not None and issued[0] == said:
        token = issued[1]
    else:
        token = tokens.issue(secret, expected, nickname, passed, time.time(), ttl)
        st.session_state[_ISSUED_KEY] = (said, token)
    set_cookie(tokens.cookie_name(secret), token, int(ttl), key="access.cookie")


# --- Uploads only for sessions that may import -----------------------------------------------

def _upload_sessions() -> set[str] | None:
    """The sessions whose uploads the server keeps. Streamlit's upload endpoint takes a file
    for any open session, widget or not; this wraps its file manager so that a file sent by
    any other session is refused (403) before it is stored."""
    if not runtime.exists():
        return None
    manager = runtime.get_instance().uploaded_file_mgr
    with _UPLOAD_LOCK:
        allowed = getattr(manager, "_arena_upload_sessions", None)
        if allowed is None:
            allowed = set()
            add_file = manager.add_file

            def guarded_add_file(session_id, file, *args, **kwargs):
                if session_id not in allowed:
                    _refuse_upload()
                return add_file(session_id, file, *args, **kwargs)

            manager.add_file = guarded_add_file
            manager._arena_upload_sessions = allowed
    return allowed


def _refuse_upload() -> None:
    try:
        from starlette.exceptions import HTTPException
    except ImportError:  # another server: still refused, as an error
        raise PermissionError("uploads are not allowed for this session") from None
    raise HTTPException(status_code=403, detail="Uploads are not allowed for this session")


def allow_uploads(allowed: bool) -> None:
    """Whether this session's uploads are kept (an admin, past the passcode: only importing
    data takes a file). Call on every run."""
    sessions = _upload_sessions()
    ctx = get_script_run_ctx()
    if sessions is None or ctx is None:
        return
    with _UPLOAD_LOCK:
        if allowed:
            manager = runtime.get_instance()
            for gone in [s for s in sessions if not manager.is_active_session(s)]:
                sessions.discard(gone)
            sessions.add(ctx.session_id)
        else:
            sessions.discard(ctx.session_id)


# --- The gate ----------------------------------------------------------------------------------

def require_passcode(settings: Settings, t: Callable[..., str]) -> None:
    """With a voter passcode set, show only the passcode prompt until this session enters it
    (or brings a valid sign-in cookie). Restores the nickname a cookie carries either way."""
    expected = voter_passcode(settings)
    _restore(settings, expected)
    if may_vote(voter(settings)):
        return
    allow_uploads(False)
    st.title(t("gate.title"))
    st.caption(t("gate.intro"))
    with st.form("access.gate"):
        typed = st.text_input(t("gate.passcode"), type="password", key="access.typed")
        entered = st.form_submit_button(t("gate.enter"), type="primary")
    if entered and _check(typed, expected, t):
        st.session_state[PASSED_KEY] = True
        st.rerun()
    st.stop()


def voter(settings: Settings) -> Voter:
    """This session as a voter: its nickname, and whether it has passed the voter passcode."""
    return Voter(nickname=st.session_state.get(VOTER_KEY) or "",
                 passcode_set=voter_passcode(settings) is not None,
                 passed=bool(st.session_state.get(PASSED_KEY)))


def is_admin(settings: Settings) -> bool:
    return may_administer(admin_passcode(settings) is not None,
                          bool(st.session_state.get(ADMIN_KEY)), connection())


def admin_reason(settings: Settings, t: Callable[..., str]) -> str:
    """Why admin actions are disabled for this session."""
    if admin_passcode(settings) is not None:
        return t("admin.needs_passcode")
    return t("admin.local_only")


def admin_sidebar(settings: Settings, t: Callable[..., str]) -> None:
    """Admin sign-in and sign-out, in the sidebar, when an admin passcode is set. (Not kept
    across reloads: an admin token in a script-readable cookie, over plain HTTP, for days, is
    more than the convenience is worth.)"""
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
