"""Who may do what: the passcode checks, the rule for admin actions, and the limit on guessing.

Pure policy, no Streamlit: arena/ui/gate.py applies it to a browser session.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from dataclasses import dataclass

MAX_WRONG_TRIES = 5
LOCKOUT_S = 60.0


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


def may_administer(admin_passcode_set: bool, admin_signed_in: bool, ip: str | None) -> bool:
    """The one rule for admin actions (hosts, pulls, contestants, options, import, delete):
    with an admin passcode, whoever has entered it; without one, only this computer."""
    if admin_passcode_set:
        return admin_signed_in
    return is_local(ip)


def may_see_loaded_models(admin: bool, unvoted_battle: bool) -> bool:
    """Whether a session may be told which models Ollama has in memory: during a battle, and
    for the keep-alive after it, those are the two contestants. Admins only (they manage the
    hosts), and never while their own battle awaits its vote."""
    return admin and not unvoted_battle


@dataclass(frozen=True)
class Attempt:
    matched: bool
    wait_s: float  # how long this client must wait before trying again (0: it may)
    tries_left: int  # wrong tries left before a wait


class Guesses:
    """Wrong passcode tries per client: after MAX_WRONG_TRIES, that client waits LOCKOUT_S.
    Shared by the server's sessions, so that opening a new tab does not reset the count."""

    def __init__(self, max_wrong: int = MAX_WRONG_TRIES, lockout_s: float = LOCKOUT_S):
        self.max_wrong = max_wrong
        self.lockout_s = lockout_s
        self._wrong: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def attempt(self, client: str, typed: str, expected: str) -> Attempt:
        """Check a typed passcode for a client: the wait, the comparison and the count happen
        as one step, so tries sent at the same moment from many tabs cannot slip past."""
        with self._lock:
            now = time.monotonic()
            locked_until = self._locked_until.get(client)
            if locked_until is not None:
                if locked_until > now:
                    return Attempt(False, locked_until - now, 0)
                del self._locked_until[client]
                self._wrong.pop(client, None)
            if passcode_matches(typed, expected):
                self._wrong.pop(client, None)
                return Attempt(True, 0.0, self.max_wrong)
            count = self._wrong.get(client, 0) + 1
            self._wrong[client] = count
            if count >= self.max_wrong:
                self._locked_until[client] = now + self.lockout_s
                return Attempt(False, self.lockout_s, 0)
            return Attempt(False, 0.0, self.max_wrong - count)
