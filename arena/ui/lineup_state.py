"""What the pages share about hosts: a short-lived cache of the hosts' reports, and the one
registry of pulls on this server."""

from __future__ import annotations

import time

import streamlit as st

from arena.lineup import Host, HostReport, all_hosts, survey
from arena.ollama_api import make_client
from arena.pulls import Pulls
from arena.settings import Settings
from arena.ui.common import PageContext

# Long enough that a rerun (a vote, a click) does not ask every host again; short enough that a
# model pulled from the command line shows up soon.
SURVEY_TTL_S = 5
PULL_READ_TIMEOUT_S = 600.0  # the longest silence of a pull stream (a big layer being verified)


DOWN_RETRY_S = 30.0  # a host that did not answer is asked again after this long


@st.cache_resource(show_spinner=False)
def _down() -> dict[str, tuple[HostReport, float]]:
    """Hosts that did not answer lately, with the time to ask again: a host that drops packets
    must not cost every page a connect timeout each time the survey is renewed."""
    return {}


@st.cache_data(show_spinner=False, ttl=SURVEY_TTL_S, max_entries=16)
def _survey(hosts: tuple[Host, ...], settings: Settings) -> list[HostReport]:
    down, now = _down(), time.monotonic()
    ask = [h for h in hosts if h.url not in down or down[h.url][1] <= now]
    fresh = dict(zip(ask, survey(ask, settings)))
    for host, report in fresh.items():
        if report.reachable:
            down.pop(host.url, None)
        else:
            down[host.url] = (report, now + DOWN_RETRY_S)
    return [fresh[h] if h in fresh else down[h.url][0] for h in hosts]


def hosts(ctx: PageContext) -> list[Host]:
    return all_hosts(ctx.settings, ctx.store.added_hosts())


def host_reports(ctx: PageContext) -> list[HostReport]:
    """Every host's report, asked at most every few seconds."""
    return _survey(tuple(hosts(ctx)), ctx.settings)


def forget_reports() -> None:
    """Ask the hosts again on the next run (after a pull, a host added or removed, or a click
    on the refresh button), the ones that were down included."""
    _survey.clear()
    _down().clear()


@st.cache_resource(show_spinner=False)
def pulls(connect_timeout: float) -> Pulls:
    """The pulls of this server, shared by every session."""
    return Pulls(lambda host: make_client(host, PULL_READ_TIMEOUT_S, connect_timeout))
