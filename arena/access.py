"""Who may do what: the passcode checks, the rule for admin actions, and the limit on guessing.

Pure policy, no Streamlit: arena/ui/gate.py applies it to a browser session.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time

MAX_WRONG_TRIES = 5
LOCKOUT_S = 60.0


def passcode_matches(given: str, expected: str) -> bool:
    """Compared in constant time, so the time taken says nothing about how much was right."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def is_local(ip: str | None) -> bool:
    """Whether a browser connects from the machine that runs the arena. Streamlit reports no
    address for a loopback connection; a LAN client cannot make its TCP address loopback."""
    if ip is None:
        return True
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


class Guesses:
    """Wrong passcode tries per client: after MAX_WRONG_TRIES, that client waits LOCKOUT_S.
    Shared by the server's sessions, so that opening a new tab does not reset the count."""

    def __init__(self, max_wrong: int = MAX_WRONG_TRIES, lockout_s: float = LOCKOUT_S):
        self.max_wrong = max_wrong
        self.lockout_s = lockout_s
        self._wrong: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds this client must still wait before trying again (0 when it may try)."""
        with self._lock:
            left = self._locked_until.get(client, 0.0) - time.monotonic()
            if left <= 0 and client in self._locked_until:
                del self._locked_until[client]
                self._wrong.pop(client, None)
            return max(left, 0.0)

    def wrong(self, client: str) -> int:
        """Count a wrong try; returns the tries left before the wait (0: waiting now)."""
        with self._lock:
            count = self._wrong.get(client, 0) + 1
            self._wrong[client] = count
            if count >= self.max_wrong:
                self._locked_until[client] = time.monotonic() + self.lockout_s
                return 0
            return self.max_wrong - count

    def right(self, client: str) -> None:
        with self._lock:
            self._wrong.pop(client, None)
