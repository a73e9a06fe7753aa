"""What a background run's controls share (arena.generator's GenerationRun, arena.judge_run's
JudgeRun): it starts once, pauses with its clock standing still, resumes, stops (cutting off the
work in progress), and ends in one of the ENDED states, with the problems that ended it.

Pure threading, no Streamlit: the pages draw a run's `status()` and call these controls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from arena.abortable_transport import AbortableTransport
from arena.i18n import Explained

# Run states (a status's `state`): codes the pages translate.
RUNNING = "running"
PAUSED = "paused"
YIELDING = "yielding"  # waiting while live battles run
QUEUED = "queued"  # waiting while another run uses the host
FINISHED = "finished"  # everything done (failed items included: they are counted apart)
STOPPED = "stopped"
FAILED = "failed"  # the run as a whole could not go on (the reason in its problems)
ENDED = (FINISHED, STOPPED, FAILED)
GOING = (RUNNING, PAUSED, YIELDING, QUEUED)  # a run that has not ended


class BackgroundRun:
    """The controls and the clock; a subclass does the work in its own threads, looks at
    `_stop` and `_go` between items, and calls `_end()` when its work is over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._go = threading.Event()  # cleared while paused
        self._go.set()
        self._ended = threading.Event()
        self._begun = False
        self._end_state: str | None = None
        self._ended_at: float | None = None
        self._problems: list[Explained] = []
        self._started = time.time()
        # The run's clock (`_clock`) stands still while the run is paused, so that neither the
        # elapsed time nor the estimate of the time left moves during a pause.
        self._paused_s = 0.0  # time spent paused, pauses ended
        self._paused_at: float | None = None  # when the pause under way began

    def _begin(self) -> bool:
        """Mark the run as started; False if it was already (start is done once)."""
        with self._lock:
            if self._begun:
                return False
            self._begun = True
            self._started = time.time()
            return True

    def pause(self) -> None:
        """Start no new item; the one in progress completes and is stored."""
        with self._lock:
            if self._go.is_set():
                self._paused_at = time.time()
            self._go.clear()

    def resume(self) -> None:
        with self._lock:
            if self._paused_at is not None:
                self._paused_s += time.time() - self._paused_at
                self._paused_at = None
            self._go.set()

    def _clock(self) -> float:
        """time.time() less the time spent paused (call under the lock)."""
        if self._paused_at is not None:  # stands at the pause's start
            return self._paused_at - self._paused_s
        return time.time() - self._paused_s

    def _in_flight(self) -> Iterable[AbortableTransport]:
        """The connections of the work under way, cut off by `stop` (called under the lock)."""
        return ()

    def stop(self, timeout: float = 5.0) -> None:
        """End the run: the item in progress is cut off (Ollama stops generating or loading
        for it) and not stored; those stored are kept."""
        self._stop.set()
        self._go.set()
        with self._lock:
            transports = list(self._in_flight())
            if not self._begun:  # never started: it never will
                self._begun = True
                self._end_state, self._ended_at = STOPPED, self._clock()
                self._ended.set()
        for transport in transports:
            transport.abort()
        self.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """True when the run has ended (within `timeout` seconds)."""
        return self._ended.wait(timeout)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def _state(self) -> str | None:
        """The end state, PAUSED, or None for a run at work (call under the lock)."""
        if self._end_state is not None:
            return self._end_state
        return None if self._go.is_set() else PAUSED

    def _now(self) -> float:
        """The run's clock, or when it ended (call under the lock)."""
        return self._clock() if self._ended_at is None else self._ended_at

    def _end(self) -> None:
        """The work is over: STOPPED if stopped, FAILED with problems, else FINISHED (call
        under the lock; `_ended` is set by the caller once it has let go of its resources)."""
        self._end_state = STOPPED if self._stop.is_set() else \
            FAILED if self._problems else FINISHED
        self._ended_at = self._clock()

    def _problem(self, key: str, **values: object) -> None:
        with self._lock:
            self._problems.append(Explained(key, **values))

    def _problem_text(self) -> str | None:
        """The problems in English, for logs and the command line (call under the lock)."""
        return "; ".join(map(str, self._problems)) or None
