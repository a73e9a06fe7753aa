"""The background generator of a prompt set's answers: each contestant answers each item once.

It follows arena.generation_plan: one worker thread per host, each running its host's jobs in
order, so that a GPU holding one model at a time loads each model once for the whole set. Each
answer streams one side (arena.engine.stream_answer) with the same messages and options for every
contestant of an item, and is stored the moment it is complete, so stopping, pausing, Ctrl-C or a
crash loses at most the answer in progress. The store is the source of truth for what is left
(Store.missing_answers), asked again just before each answer. Live battles go first: before each
answer a worker waits while `live_busy()` says people are waiting for a battle.

No Streamlit: the Prompt sets page keeps one `Generators` per server and draws `status()`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ollama

from arena.abortable_transport import AbortableTransport
from arena.background_run import (  # noqa: F401  (the states, as callers import them here)
    ENDED,
    FAILED,
    FINISHED,
    GOING,
    PAUSED,
    QUEUED,
    RUNNING,
    STOPPED,
    YIELDING,
    BackgroundRun,
)
from arena.battle import chat_messages
from arena.db import Store
from arena.engine import STOPPED as SIDE_STOPPED
from arena.engine import AbortableClientFactory, close_client, stream_answer
from arena.generation_plan import Job, Plan, Progress, plan_generation, progress
from arena.i18n import Explained
from arena.lineup import Contestant
from arena.ollama_api import make_client
from arena.prompt_sets import PromptAnswer
from arena.records import STATUS_COMPLETE, Side
from arena.settings import Settings

POLL_S = 0.05  # how often a waiting worker looks again (paused, or yielding to live battles)

# One run at a time on a host, whatever its set, in this process (a judge run, arena.judge_run,
# takes the same turns): two runs taking turns answer by answer would swap models on a GPU that
# holds one, and every answer would pay a load.
_HOST_TURNS: dict[str, threading.Lock] = {}
_HOST_TURNS_LOCK = threading.Lock()


def host_turn(host: str) -> threading.Lock:
    """The lock a background run (generation or judging) holds while it uses `host`."""
    with _HOST_TURNS_LOCK:
        return _HOST_TURNS.setdefault(host, threading.Lock())


@dataclass(frozen=True)
class GenerationStatus:
    set_name: str
    state: str
    progress: Progress  # done/total/elapsed_s/remaining_s/running ((contestant, host), ...)
    failed: int  # answers of this run that failed (stored as failed, retriable)
    problem: str | None = None  # why the run stopped as a whole, in English
    problems: tuple[Explained, ...] = ()  # the same, each in the catalog's words

    def problem_text(self, lang: str) -> str | None:
        """Why the run stopped as a whole, in `lang`."""
        return "; ".join(p.text(lang) for p in self.problems) or None


def item_seed(set_name: str, key: str) -> int:
    """The seed of an item's answers: the same for every contestant, and on every run (a resumed
    run, or a failed answer retried, gets the seed the others had)."""
    digest = hashlib.sha256(f"{set_name}\n{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


_PAUSED, _STOPPED = object(), object()  # why a worker's answer did not come


class _Problem(Explained):
    """Why a run cannot start (catalog key "generate.problem.<what>")."""


class GenerationRun(BackgroundRun):
    """One run over a set's missing answers, in background threads; thread-safe."""

    def __init__(self, store: Store, settings: Settings, set_name: str,
                 contestants: Sequence[Contestant],
                 live_busy: Callable[[], bool] = lambda: False,
                 retry_failed: bool = True,
                 client_factory: AbortableClientFactory | None = None) -> None:
        self.set_name = set_name
        self._store = store
        self._settings = settings
        self._contestants = {c.name: c for c in contestants}
        self._live_busy = live_busy
        self._retry_failed = retry_failed
        super().__init__()
        self._client_factory = client_factory or (
            lambda host, transport: make_client(host, settings.ollama_read_timeout,
                                                settings.ollama_connect_timeout, transport))
        self._system_prompt = ""
        self._pinned: dict = {}  # the options of the set's answers stored already, seed aside
        self._total = 0
        self._done_before = 0  # stored before this run, or meanwhile by another one
        self._finished: list[float] = []  # when each answer was stored, on the run's clock
        self._failed = 0
        self._running: dict[str, tuple[str, str]] = {}  # host -> (contestant, host)
        self._yielding: set[str] = set()  # hosts whose worker waits for live battles
        self._queued: set[str] = set()  # hosts whose worker waits for another set's run
        # host -> its worker's client and the transport it sends over, kept from one answer to
        # the next (making them costs about a tenth of a second), made anew after a failure
        self._links: dict[str, tuple[AbortableTransport, ollama.Client]] = {}

    # --- control -----------------------------------------------------------------------------

    def start(self) -> GenerationRun:
        """Plan the missing answers and start one worker per host; returns at once."""
        if not self._begin():
            return self
        try:
            plan = self._plan()
        except (_Problem, sqlite3.Error) as exc:
            why = exc if isinstance(exc, _Problem) else _Problem("generate.problem.storage",
                                                                 reason=exc)
            self._problem(why.key, **why.values)
            plan = Plan({})
        threading.Thread(target=self._run, args=(plan,), name="arena-generation",
                         daemon=True).start()
        return self

    def _in_flight(self):
        return [transport for transport, _ in self._links.values()]

    def status(self) -> GenerationStatus:
        with self._lock:
            state = self._state() or (YIELDING if self._yielding and not self._running
                                      else QUEUED if self._queued and not self._running
                                      else RUNNING)
            figures = progress(self._total, self._started, self._now(), list(self._finished),
                               self._done_before, tuple(self._running.values()))
            return GenerationStatus(self.set_name, state, figures, self._failed,
                                    self._problem_text(), tuple(self._problems))

    # --- the work ----------------------------------------------------------------------------

    def _plan(self) -> Plan:
        store, name = self._store, self.set_name
        prompt_set = store.prompt_set(name)
        if prompt_set is None:
            raise _Problem("generate.problem.no_set", name=name)
        category = next((c for c in store.categories() if c.slug == prompt_set.category), None)
        if category is None:
            raise _Problem("generate.problem.no_category", category=prompt_set.category)
        if not self._contestants:
            raise _Problem("generate.problem.no_contestant")
        # A set's answers are made alike: once some are stored, the rest follow their system
        # prompt and options (the seed aside), even if the category or the settings changed.
        first = next((a for a in store.answers(name, texts=False)
                      if a.status == STATUS_COMPLETE), None)
        self._system_prompt = category.system_prompt if first is None else first.system_prompt
        self._pinned = {} if first is None else {k: v for k, v in first.options.items()
                                                 if k != "seed"}
        items = store.set_items(name)
        missing = store.missing_answers(name, list(self._contestants), self._retry_failed)
        hosts = list(dict.fromkeys(h for c in self._contestants.values() for h in c.hosts))
        loaded: dict[str, set[str]] = {}
        for c in self._contestants.values():
            for host in c.entry.loaded:
                loaded.setdefault(host, set()).add(c.entry.name)
        plan = plan_generation([(item, self._contestants[who]) for item, who in missing], hosts,
                               seed=item_seed(name, ""), loaded=loaded)
        with self._lock:
            self._total = len(items) * len(self._contestants)
            self._done_before = self._total - len(missing)
        if plan.unserved:
            names = sorted({job.contestant.name for job in plan.unserved})
            self._problem("generate.problem.unserved", models=", ".join(names))
        return plan

    def _run(self, plan: Plan) -> None:
        workers = [threading.Thread(target=self._work, args=(host, jobs),
                                    name=f"arena-generation-{host}", daemon=True)
                   for host, jobs in plan.by_host.items() if jobs]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        with self._lock:
            self._end()
        self._ended.set()

    def _work(self, host: str, jobs: Sequence[Job]) -> None:
        """Run `host`'s jobs in order once the host is this run's (see _HOST_TURNS)."""
        turn = host_turn(host)
        with self._lock:
            self._queued.add(host)
        while not turn.acquire(timeout=POLL_S):
            if self._stop.is_set():
                return
        with self._lock:
            self._queued.discard(host)
        try:
            self._work_jobs(host, jobs)
        finally:
            turn.release()

    def _work_jobs(self, host: str, jobs: Sequence[Job]) -> None:
        """Run `host`'s jobs in order, storing each answer as soon as it is complete."""
        try:
            for job in jobs:
                answer = _PAUSED
                while answer is _PAUSED:
                    if not self._turn(host):
                        return
                    answer = self._generate(host, job) if self._still_missing(job) else None
                if answer is None:  # another run stored it meanwhile
                    with self._lock:
                        self._done_before += 1
                    continue
                if answer is _STOPPED:  # the answer in progress is not stored
                    return
                if answer.side.error_kind == "unreachable":  # not the answer's fault
                    self._problem("generate.problem.unreachable", host=host,
                                  reason=answer.side.error)
                    return
                self._store.save_answer(answer)
                with self._lock:  # stored and counted at once, for status() to see both
                    self._finished.append(self._clock())
                    self._failed += answer.side.failed
                    self._running.pop(host, None)
        except sqlite3.Error as exc:
            self._problem("generate.problem.storage", reason=exc)
        except Exception as exc:  # a fault of this worker ends its host's work, with a reason
            self._problem("generate.problem.unexpected", host=host,
                          reason=f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._running.pop(host, None)
                self._yielding.discard(host)
                link = self._links.pop(host, None)
            if link is not None:
                close_client(link[1])

    def _turn(self, host: str) -> bool:
        """Wait until an answer may start on `host`: not paused, no live battle waiting or
        running. False once the run is stopped."""
        while not self._stop.is_set():
            if not self._go.is_set():
                self._go.wait(POLL_S)
            elif self._live_busy():
                with self._lock:
                    self._yielding.add(host)
                self._stop.wait(POLL_S)
            else:
                with self._lock:
                    self._yielding.discard(host)
                return True
        return False

    def _still_missing(self, job: Job) -> bool:
        """Whether the store still lacks this answer (another run may have stored it)."""
        missing = self._store.missing_answers(self.set_name, [job.contestant.name],
                                              self._retry_failed)
        return any(item.item_id == job.item.item_id for item, _ in missing)

    def _generate(self, host: str, job: Job) -> PromptAnswer | object:
        """One answer, generated on `host`; _STOPPED if the run was stopped before it was
        done, _PAUSED if it was paused before the answer started."""
        contestant, stored = job.contestant, job.item
        side = Side(model=contestant.entry.name, digest=contestant.entry.info.digest, host=host,
                    think=contestant.think)
        options = {**self._settings.generation_options(item_seed(self.set_name,
                                                                   stored.item.key)),
                   **self._pinned}
        link = self._links.get(host)  # only this host's worker sets it
        if link is None:
            fresh = AbortableTransport()
            link = (fresh, self._client_factory(host, fresh))
        transport, client = link
        with self._lock:  # under the lock that pause() and stop() take: none starts after them
            self._links[host] = link
            if self._stop.is_set() or not self._go.is_set():
                return _STOPPED if self._stop.is_set() else _PAUSED
            self._running[host] = (contestant.name, host)
        try:
            stream_answer(side, chat_messages(self._system_prompt, stored.item.prompt), options,
                          client, transport, self._stop, keep_alive=self._settings.keep_alive,
                          stall_timeout=self._settings.ollama_stall_timeout)
        finally:
            with self._lock:  # `_running` is left to the caller: it ends once it is stored
                if side.failed:  # its connection may be cut (a stall): the next gets a new one
                    del self._links[host]
            if side.failed:
                close_client(client)
        if self._stop.is_set() and side.error_kind == SIDE_STOPPED[0]:
            return _STOPPED
        return PromptAnswer(stored.item_id, side, options, self._system_prompt)

