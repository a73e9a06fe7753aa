"""What the pages share about hosts: a short-lived cache of the hosts' reports, the one
registry of pulls on this server, and its one battle queue (the Arena's live battles, which a
prompt set's generation lets go first)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from arena.battle_queue import BattleQueue
from arena.lineup import Host, HostReport, Surveyor, all_hosts
from arena.ollama_api import make_client
from arena.pulls import Pulls
from arena.settings import Settings
from arena.ui.common import PageContext

# Long enough that a rerun (a vote, a click) does not ask every host again; short enough that a
# model pulled from the command line shows up soon.
SURVEY_TTL_S = 5
PULL_READ_TIMEOUT_S = 600.0  # the longest silence of a pull stream (a big layer being verified)


@st.cache_resource(show_spinner=False)
def _surveyor() -> Surveyor:
    """One per server: what it remembers of hosts that were down is for every session."""
    return Surveyor()


@st.cache_data(show_spinner=False, ttl=SURVEY_TTL_S, max_entries=16)
def _survey(hosts: tuple[Host, ...], settings: Settings) -> list[HostReport]:
    return _surveyor().survey(list(hosts), settings)


def hosts(ctx: PageContext) -> list[Host]:
    return all_hosts(ctx.settings, ctx.store.added_hosts())


def host_reports(ctx: PageContext) -> list[HostReport]:
    """Every host's report, asked at most every few seconds."""
    return _survey(tuple(hosts(ctx)), ctx.settings)


def forget_reports() -> None:
    """Ask the hosts again on the next run (after a pull, a host added or removed, or a click
    on the refresh button), the ones that were down included."""
    _survey.clear()
    _surveyor().forget()


@st.cache_resource(show_spinner=False)
def pulls(connect_timeout: float) -> Pulls:
    """The pulls of this server, shared by every session."""
    return Pulls(lambda host: make_client(host, PULL_READ_TIMEOUT_S, connect_timeout))


@st.cache_resource(show_spinner=False)
def battle_queue(capacity: int) -> BattleQueue:
    """The one battle queue of this server, shared by every session (ARENA_MAX_BATTLES)."""
    return BattleQueue(capacity)


def live_busy(ctx: PageContext) -> Callable[[], bool]:
    """Whether live battles run or wait for their turn on this server, asked from any thread
    (a generator's workers): the queue is taken here, in the page's run."""
    queue = battle_queue(ctx.settings.max_battles)
    return lambda: queue.running() + queue.waiting() > 0


def reachable_reports(ctx: PageContext) -> list[HostReport] | None:
    """The hosts that answer, or None after saying none does (and how to start Ollama); a note
    for each host skipped."""
    reports = host_reports(ctx)
    reachable = [r for r in reports if r.reachable]
    if not reachable:
        st.error(ctx.t("ollama.unreachable", host=", ".join(r.url for r in reports)), icon="🔌")
        st.code("ollama serve", language="bash")
        return None
    for report in reports:
        if not report.reachable:
            st.caption(ctx.t("hosts.skipped", host=report.url))
    return reachable
