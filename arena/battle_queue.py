"""A fair queue for the GPUs: at most `capacity` battles run at once, across every user, first come
first served, and one battle (running or waiting) per browser session.

Tickets are kept in arrival order; the first `capacity` of them may run. A ticket that nobody has
looked at for `stale_after_s` (a session that vanished without leaving) is dropped, so a closed tab
can never hold a place for ever.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass


class AlreadyQueued(Exception):
    """This session has a battle running or waiting already."""


@dataclass(frozen=True)
class Ticket:
    number: int
    session: str


class BattleQueue:
    def __init__(self, capacity: int, stale_after_s: float = 60.0):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.stale_after_s = stale_after_s
        self._line: list[Ticket] = []
        self._seen: dict[Ticket, float] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def _drop_stale(self) -> None:
        cutoff = time.monotonic() - self.stale_after_s
        for ticket in [t for t in self._line if self._seen[t] < cutoff]:
            self._line.remove(ticket)
            del self._seen[ticket]

    def join(self, session: str) -> Ticket:
        """A place at the end of the line; raises AlreadyQueued if the session holds one."""
        with self._lock:
            self._drop_stale()
            if any(t.session == session for t in self._line):
                raise AlreadyQueued(session)
            ticket = Ticket(next(self._numbers), session)
            self._line.append(ticket)
            self._seen[ticket] = time.monotonic()
            return ticket

    def position(self, ticket: Ticket) -> int | None:
        """0 when the ticket may run now, n when n battles must start before it, None when it
        is no longer in the line (left, or dropped as stale). Asking keeps it fresh."""
        with self._lock:
            self._drop_stale()
            if ticket not in self._seen:
                return None
            self._seen[ticket] = time.monotonic()
            return max(self._line.index(ticket) - self.capacity + 1, 0)

    def leave(self, ticket: Ticket) -> None:
        """Give the place up (done, stopped or cancelled); leaving twice is harmless."""
        with self._lock:
            if ticket in self._seen:
                self._line.remove(ticket)
                del self._seen[ticket]

    def running(self) -> int:
        with self._lock:
            self._drop_stale()
            return min(len(self._line), self.capacity)

    def waiting(self) -> int:
        with self._lock:
            self._drop_stale()
            return max(len(self._line) - self.capacity, 0)
