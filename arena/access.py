"""Who may do what: the passcode checks, the rule for admin actions, and the limit on guessing.

Pure policy, no Streamlit: arena/ui/gate.py applies it to a browser session.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_WRONG_TRIES = 5  # per client, before the first wait
FIRST_WAIT_S = 30.0  # the first wait; each wrong try after a wait doubles it
MAX_WAIT_S = 3600.0
# Every client together: rotating addresses or tabs buys no more than this before everyone waits.
GLOBAL_MAX_WRONG = 30
FORGET_AFTER_S = 24 * 3600.0  # a client quiet for this long starts again from zero
LOOPBACK_NAMES = ("localhost",)


def passcode_matches(given: str, expected: str) -> bool:
    """Compared in constant time, so the time taken says nothing about how much was right."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def is_local(ip: str | None) -> bool:
    """Whether a browser connects from the machine that runs the arena, by the TCP address the
    server sees (a LAN client cannot make it loopback). No address known: not local."""
    if ip is None:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def is_loopback_host(host: str | None) -> bool:
    """Whether a Host header (or an Origin's host) names this computer: localhost, a loopback
    address, any port. A DNS-rebinding page reaches 127.0.0.1 under its own name, so the TCP
    address alone does not prove that the browser meant this computer."""
    if not host or any(c in host for c in "@/?#\\ "):
        return False
    try:
        parts = urlsplit("//" + host)
        name, _ = parts.hostname, parts.port  # a port that is not a number: not a host
    except ValueError:
        return False
    if not name:
        return False
    name = name.lower().rstrip(".")
    return name in LOOPBACK_NAMES or is_local(name)


def origin_host(origin: str | None) -> str | None:
    """The host[:port] of an Origin header ("null" and garbage: None)."""
    if not origin or origin == "null":
        return None
    try:
        return urlsplit(origin).netloc or None
    except ValueError:
        return None


@dataclass(frozen=True)
class Connection:
    """What the server knows of a browser's connection."""

    peer: str | None  # the raw TCP peer address (never taken from X-Forwarded-For)
    host: str | None = None  # the Host header
    origin: str | None = None  # the Origin header, if the browser sent one
    forwarded: bool = False  # it came through a proxy (an X-Forwarded-For header)

    def is_this_computer(self) -> bool:
        """A browser on this machine that asked for this machine by a loopback name. A proxy in
        between (X-Forwarded-For) hides who is really behind it: not this computer."""
        if self.forwarded or not is_local(self.peer) or not is_loopback_host(self.host):
            return False
        return self.origin is None or is_loopback_host(origin_host(self.origin))


def may_administer(admin_passcode_set: bool, admin_signed_in: bool,
                   connection: Connection | None) -> bool:
    """The one rule for admin actions (hosts, pulls, contestants, options, import, delete):
    with an admin passcode, whoever has entered it; without one, only this computer."""
    if admin_passcode_set:
        return admin_signed_in
    return connection is not None and connection.is_this_computer()


ANONYMOUS = "anonymous"  # the name of a voter without a nickname (shared by all of them)


@dataclass(frozen=True)
class Voter:
    """Who casts a vote: the sidebar's nickname, and what the gate knows of the session."""

    nickname: str = ""
    passcode_set: bool = False  # the arena asks for a voter passcode
    passed: bool = False  # this session has entered it (or brought a sign-in that says so)

    @property
    def name(self) -> str:
        return self.nickname.strip() or ANONYMOUS


def may_vote(voter: Voter) -> bool:
    """The one rule for taking part (every page, and each vote): with a voter passcode,
    whoever has entered it; without one, anyone who can open the arena."""
    return voter.passed or not voter.passcode_set


def may_see_loaded_models(admin: bool, unvoted_battle: bool) -> bool:
    """Whether a session may be told which models Ollama has in memory: during a battle, and
    for the keep-alive after it, those are the two contestants. Admins only (they manage the
    hosts), and never while any battle runs or awaits its vote — in any tab, since the same
    person may have the Arena open in another one."""
    return admin and not unvoted_battle


@dataclass(frozen=True)
class Attempt:
    matched: bool
    wait_s: float  # how long this client must wait before trying again (0: it may)
    tries_left: int  # wrong tries left before a wait
    everyone: bool = False  # the wait is the server's, for every client (too many in all)


@dataclass
class _Streak:
    wrong: int = 0
    until: float = 0.0  # no try before this
    last: float = 0.0  # time of the last wrong try


class Guesses:
    """Wrong passcode tries, per client and in all. A client (its TCP address, or one session
    when the address is unknown) has `max_wrong` free tries; then it waits `first_wait_s`, and
    every wrong try after a wait doubles the wait, up to `max_wait_s`. The same rule applies to
    all clients together with `global_max_wrong`, so that changing address does not help: while
    that wait runs, no passcode is compared for anyone (a right one included), or guesses from
    many addresses could go on; except for clients that have entered a right passcode before,
    so that a stranger cannot keep out people who already know it. Shared by the server's
    sessions: a new tab does not reset it."""

    def __init__(self, max_wrong: int = MAX_WRONG_TRIES, first_wait_s: float = FIRST_WAIT_S,
                 max_wait_s: float = MAX_WAIT_S, global_max_wrong: int = GLOBAL_MAX_WRONG,
                 forget_after_s: float = FORGET_AFTER_S,
                 clock: Callable[[], float] = time.monotonic):
        self.max_wrong = max_wrong
        self.first_wait_s = first_wait_s
        self.max_wait_s = max_wait_s
        self.global_max_wrong = global_max_wrong
        self.forget_after_s = forget_after_s
        self._clock = clock
        self._clients: dict[str, _Streak] = {}
        self._all = _Streak()
        self._known: dict[str, None] = {}  # clients that got a passcode right, oldest first
        self._lock = threading.Lock()

    def _wait(self, wrong: int, free: int) -> float:
        if wrong < free:
            return 0.0
        return min(self.first_wait_s * 2 ** min(wrong - free, 32), self.max_wait_s)

    def _fresh(self, streak: _Streak, now: float) -> _Streak:
        if streak.wrong and now - streak.last > self.forget_after_s and now >= streak.until:
            return _Streak()
        return streak

    def _prune(self, now: float) -> None:
        """Forget quiet clients, so that many sessions cannot grow the table without end."""
        if len(self._clients) > 10_000:
            self._clients = {k: s for k, s in self._clients.items()
                             if now - s.last <= self.forget_after_s or now < s.until}

    def attempt(self, client: str, typed: str, expected: str) -> Attempt:
        """Check a typed passcode for a client: the wait, the comparison and the count happen
        as one step, so tries sent at the same moment from many tabs cannot slip past."""
        with self._lock:
            now = self._clock()
            self._all = self._fresh(self._all, now)
            streak = self._fresh(self._clients.get(client, _Streak()), now)
            if streak.until > now:
                return Attempt(False, streak.until - now, 0)
            known = client in self._known
            if self._all.until > now and not known:
                return Attempt(False, self._all.until - now, 0, everyone=True)
            if passcode_matches(typed, expected):
                self._clients.pop(client, None)
                self._known[client] = None
                if len(self._known) > 10_000:
                    del self._known[next(iter(self._known))]
                return Attempt(True, 0.0, self.max_wrong)
            streak.wrong += 1
            streak.last = now
            wait = self._wait(streak.wrong, self.max_wrong)
            streak.until = now + wait
            self._clients[client] = streak
            self._all.wrong += 1
            self._all.last = now
            everyone = self._wait(self._all.wrong, self.global_max_wrong)
            self._all.until = now + everyone
            self._prune(now)
            if everyone > wait and not known:
                return Attempt(False, everyone, 0, everyone=True)
            return Attempt(False, wait, max(self.max_wrong - streak.wrong, 0))
