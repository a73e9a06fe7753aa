"""Running a battle: both sides at the same time (or one after the other), and the result.

Each side streams in a worker thread that only puts (side, kind, payload) events on a queue; the
caller (the Streamlit script thread) drains the queue and renders, so no UI call happens off the
script thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

import ollama

from arena.abortable_transport import AbortableTransport
from arena.battle import messages_for
from arena.conversation import conversation_for
from arena.ollama_api import classify_error, stream_chat, think_argument
from arena.records import STATUS_COMPLETE, STATUS_FAILED, Battle, Side, Turn

# Builds the client for one side: (host, transport) -> client, the client sending over that
# transport, which lets a stop or the stall watchdog cut the connection even while the side is
# blocked waiting for Ollama. (A pull needs no such thing: arena.pulls.HostClientFactory.)
AbortableClientFactory = Callable[[str, AbortableTransport], ollama.Client]

STOPPED = ("stopped", "stopped before the answer was complete")
STALLED = ("stalled", "no token came for the stall timeout after the answer had started")


class _Pulse:
    """What the watchdog knows of one side: when a token last came, and whether it gave up."""

    def __init__(self) -> None:
        self.last: float | None = None  # None until the answer (or its thinking) has started
        self.ended = False
        self.stalled = threading.Event()

    def beat(self) -> None:
        self.last = time.monotonic()


def _run_side(
    name: str,
    side: Side,
    messages: list[dict],
    options: dict,
    client: ollama.Client,
    keep_alive: str | None,
    stop: threading.Event,
    events: queue.Queue,
    pulse: _Pulse,
    after: threading.Event | None = None,
    ended: threading.Event | None = None,
) -> None:
    """Stream one side, putting (side, kind, payload) events on `events`. With `after`, wait
    until it is set (the other side has ended) before asking Ollama anything; `ended` is set
    when this side is over."""
    try:
        _stream_side(name, side, messages, options, client, keep_alive, stop,
                     events, pulse, after)
    finally:
        pulse.ended = True
        if ended is not None:
            ended.set()


def _stream_side(name: str, side: Side, messages: list[dict], options: dict,
                 client: ollama.Client, keep_alive: str | None, stop: threading.Event,
                 events: queue.Queue, pulse: _Pulse, after: threading.Event | None) -> None:
    while after is not None and not after.wait(0.05) and not stop.is_set():
        pass  # the other side first
    if stop.is_set():  # stopped before this side asked anything: it never will
        events.put((name, "error", STOPPED))
        events.put((name, "end", None))
        return
    events.put((name, "started", None))
    started = time.perf_counter()
    first_token = False
    try:
        stream = stream_chat(
            client,
            model=side.model,
            messages=messages,
            think=think_argument(side.think),
            options=options,
            keep_alive=keep_alive,
        )
        try:
            for kind, payload in stream:
                pulse.beat()
                if stop.is_set():
                    break
                if kind != "done" and not first_token:
                    first_token = True
                    events.put((name, "ttft", time.perf_counter() - started))
                events.put((name, kind, payload))
        finally:
            stream.close()  # closes the HTTP response: Ollama stops generating
        if stop.is_set():
            events.put((name, "error", STOPPED))
    except Exception as exc:  # every failure becomes a message in that side's column
        # A connection cut by stop() is a stop, and one cut by the watchdog a stall: not faults.
        if stop.is_set():
            events.put((name, "error", STOPPED))
        elif pulse.stalled.is_set():
            events.put((name, "error", STALLED))
        else:
            events.put((name, "error", classify_error(exc)))
    finally:
        events.put((name, "end", time.perf_counter() - started))


def _watch(pulses: dict[str, _Pulse], transports: dict[str, AbortableTransport],
           stop: threading.Event, timeout: float) -> None:
    """Give up on a side that stopped sending tokens after it had started: cut its
    connection, which wakes its worker blocked on the read."""
    while not stop.is_set() and not all(p.ended for p in pulses.values()):
        now = time.monotonic()
        for name, pulse in pulses.items():
            if not pulse.ended and pulse.last is not None and now - pulse.last > timeout \
                    and not pulse.stalled.is_set():
                pulse.stalled.set()
                transports[name].abort()
        stop.wait(min(timeout / 4, 0.5))


def _apply_figures(side: Side, kind: str, payload) -> None:
    """Record on `side` an event other than text: its figures, its failure, its end."""
    if kind == "ttft":
        side.ttft_s = payload
    elif kind == "done":
        side.done_reason = payload.done_reason
        side.load_s = payload.load_s
        side.prompt_tokens = payload.prompt_tokens
        side.output_tokens = payload.output_tokens
        side.tokens_per_s = payload.tokens_per_s
    elif kind == "error":
        side.error_kind, side.error = payload
    elif kind == "end":
        side.total_s = payload


def stream_answer(side: Side, messages: list[dict], options: dict, client: ollama.Client,
                  transport: AbortableTransport, stop: threading.Event,
                  keep_alive: str | None = None, stall_timeout: float | None = None) -> Side:
    """One side on its own, streamed to its end in the calling thread (`client` sending over
    `transport`): `side` filled in with its text and figures, or with why it failed (STOPPED
    once `stop` is set, STALLED after `stall_timeout` seconds without a token). To cut it off
    while it waits for a model to load, set `stop` and abort `transport`."""
    events: queue.Queue = queue.Queue()
    pulse = _Pulse()
    if stall_timeout is not None:
        threading.Thread(target=_watch, args=({"a": pulse}, {"a": transport}, stop,
                                              stall_timeout),
                         name="arena-watchdog", daemon=True).start()
    try:
        _stream_side("a", side, messages, options, client, keep_alive, stop, events, pulse, None)
    finally:
        pulse.ended = True
    text: dict[str, list[str]] = {"thinking": [], "content": []}
    while not events.empty():
        _, kind, payload = events.get_nowait()
        if kind in text:
            text[kind].append(payload)
        else:
            _apply_figures(side, kind, payload)
    side.thinking += "".join(text["thinking"])
    side.answer += "".join(text["content"])
    return side


class BattleRun:
    """Both sides of a battle generating at once in worker threads.

    Events are applied under a lock, and not at all once the battle is settled, because two
    Streamlit script runs (an interrupted one and its successor) may poll the same run.
    """

    def __init__(self, battle: Battle, client_factory: AbortableClientFactory,
                 keep_alive: str | None = None, sequential: bool = False,
                 stall_timeout: float | None = None, turn: Turn | None = None):
        """`turn`: run this follow-up of `battle` instead of its first turn: its sides are
        filled in, each sent its own conversation (arena.conversation). `sequential`: side b
        starts only when side a has ended, for a GPU that cannot hold both models at once
        (Ollama would otherwise swap them in and out). `stall_timeout`: seconds without a token,
        once a side has started answering, before it is given up (the client's read timeout,
        meant for loading a model, is much longer)."""
        self.battle = battle
        self.turn = turn
        # The sides this run fills in: the first turn's, or the follow-up's.
        self.sides: dict[str, Side] = turn.sides if turn is not None else battle.sides
        messages = {name: conversation_for(battle, name, turn.prompt) if turn is not None
                    else messages_for(battle) for name in self.sides}
        self._events: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._ended: set[str] = set()
        self._started_at: dict[str, float] = {}
        a_ended = threading.Event() if sequential else None
        # Text that arrived since the last poll; joined onto the side's text once per poll.
        self._pending = {name: {"thinking": [], "content": []} for name in self.sides}
        self._thinking_chunks = dict.fromkeys(self.sides, 0)
        self._pulses = {name: _Pulse() for name in self.sides}
        self._stall_timeout = stall_timeout
        self._apply_lock = threading.RLock()
        self._settle_lock = threading.Lock()
        self._settled: Battle | None = None
        self._transports = {name: AbortableTransport() for name in self.sides}
        self._clients = {
            name: client_factory(side.host, self._transports[name])
            for name, side in self.sides.items()
        }
        self._threads = [
            threading.Thread(
                target=_run_side,
                args=(name, side, messages[name], battle.options, self._clients[name],
                      keep_alive, self._stop,
                      self._events, self._pulses[name], a_ended if name == "b" else None,
                      a_ended if name == "a" else None),
                name=f"arena-side-{name}",
                daemon=True,
            )
            for name, side in self.sides.items()
        ]

    def start(self) -> BattleRun:
        for thread in self._threads:
            thread.start()
        if self._stall_timeout is not None:
            threading.Thread(target=_watch, args=(self._pulses, self._transports, self._stop,
                                                  self._stall_timeout),
                             name="arena-watchdog", daemon=True).start()
        return self


    def phase(self, name: str) -> str:
        """Where a side is: "waiting" (for the other side, when sequential), "loading" (asked,
        no token yet: Ollama is loading the model or reading the prompt), "streaming", "ended"."""
        side = self.sides[name]
        if name in self._ended:
            return "ended"
        if name not in self._started_at:
            return "waiting"
        return "loading" if side.ttft_s is None else "streaming"

    @property
    def finished(self) -> bool:
        return len(self._ended) == len(self._threads)

    @property
    def settled(self) -> bool:
        return self._settled is not None

    def poll(self, timeout: float) -> bool:
        """Apply the events that arrive within `timeout` seconds; True if anything changed."""
        deadline = time.monotonic() + timeout
        changed = False
        while not self.finished and not self.settled:
            # Events are taken only under the lock: two script runs polling at once must not
            # apply them out of order, nor take one that the other then never applies.
            with self._apply_lock:
                if self.settled:
                    break
                try:
                    event = self._events.get(timeout=max(deadline - time.monotonic(), 0))
                except queue.Empty:
                    break
                self._apply(*event)
                changed = True
                # Take whatever else is already waiting without blocking again.
                while not self.finished:
                    try:
                        self._apply(*self._events.get_nowait())
                    except queue.Empty:
                        break
                self._join_text()
        return changed

    def thinking_tokens(self, name: str) -> int:
        """How many pieces of thinking a side has sent so far (Ollama sends a token a chunk)."""
        return self._thinking_chunks[name]

    def _join_text(self) -> None:
        # Joined once per poll, not per token, and only what is new: answers can run to
        # megabytes.
        for name, parts in self._pending.items():
            side = self.sides[name]
            if parts["thinking"]:
                side.thinking += "".join(parts["thinking"])
                parts["thinking"].clear()
            if parts["content"]:
                side.answer += "".join(parts["content"])
                parts["content"].clear()

    def _apply(self, name: str, kind: str, payload) -> None:
        side = self.sides[name]
        if kind in ("thinking", "content"):
            self._pending[name][kind].append(payload)
            if kind == "thinking":
                self._thinking_chunks[name] += 1
        elif kind == "started":
            self._started_at[name] = time.monotonic()
        else:
            _apply_figures(side, kind, payload)
            if kind == "end":
                self._ended.add(name)

    def wait(self, timeout: float | None = None) -> bool:
        """Apply events until both sides have ended; False if `timeout` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.finished:
            remaining = 1.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.poll(min(remaining, 1.0))
        return True

    def stop(self, grace_s: float = 0.5) -> None:
        """Stop both sides so that Ollama stops generating (or loading) for them.

        A streaming side notices at its next chunk and closes its stream. A side still waiting
        for its first byte (a model loading) is cut off by shutting its connection down, which
        Ollama sees as a cancelled request. Sides that have not ended by then count as stopped.
        """
        self._stop.set()
        if not self.wait(grace_s):
            for name, transport in self._transports.items():
                if name not in self._ended:
                    transport.abort()
            self.wait(grace_s)
        for thread in self._threads:  # so that nothing reaches Ollama after this returns
            if thread.ident is not None:
                thread.join(grace_s)
        for name, side in self.sides.items():
            if name not in self._ended:
                side.error_kind, side.error = STOPPED

    def settle(self, save: Callable[[Battle], None]) -> Battle:
        """Stop the battle if it is still running, store it with `save` exactly once, return it.

        Thread-safe: Streamlit may start a new script run while the interrupted one is still
        unwinding; whichever gets here first stops and saves, the other gets the same battle.
        """
        with self._settle_lock:
            if self._settled is None:
                if not self.finished:
                    self.stop()
                with self._apply_lock:
                    self._join_text()
                    battle = self.result()
                    self._settled = battle
                save(battle)
            return self._settled

    def result(self) -> Battle:
        """The battle with its status set: failed if either side failed or was stopped."""
        for client in self._clients.values():
            close_client(client)
        return _finalize(self.battle)


def close_client(client: ollama.Client) -> None:
    """Close a client's connections (those of a side, once it has ended)."""
    try:
        client.close()
    except Exception:  # closing is best effort; nothing to report to the user
        pass


def _finalize(battle: Battle) -> Battle:
    """The battle with its status set: failed, with the reasons, if either side failed."""
    failures = [
        f"{name}: {side.error_kind}: {side.error}"
        for name, side in battle.sides.items()
        if side.failed
    ]
    if failures:
        battle.status = STATUS_FAILED
        battle.failure_reason = "; ".join(failures)
    else:
        battle.status = STATUS_COMPLETE
        battle.failure_reason = None
    return battle
