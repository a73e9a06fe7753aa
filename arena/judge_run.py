"""A background judge run (issue 14): a judge model judges, in both orders, every subject it has
not judged yet (Store.judge_subjects: live battles first, then prompt-set pairs), each judgement
stored whole the moment both orders are done: stopping, Ctrl-C or a crash loses at most the
subject in progress, and the next run goes on where it stopped. A failed call is stored with its
reason (no outcome) and judged again by the next run.

Modelled on arena.generator: its run states, one worker holding the host's turn (host_turn,
shared with generation runs: a GPU never swaps between a set's contestants and the judge answer
by answer), pause / resume / stop, and yielding while `live_busy()` says people wait for battles.

Options, fixed so that a judgement can be repeated: temperature 0 and JUDGE_SEED; num_predict
JUDGE_NUM_PREDICT, generous since a thinking judge's thinking counts against it and a cut-off
output has no verdict line; num_ctx at least JUDGE_NUM_CTX, as the prompt holds two answers.
Thinking is left to the judge model (think "default") unless a Contestant says otherwise.
No Streamlit: a page keeps one `Judges` per server and draws `status()`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

import ollama

from arena.abortable_transport import AbortableTransport
from arena.background_run import (
    FAILED,
    FINISHED,
    PAUSED,
    QUEUED,
    RUNNING,
    STOPPED,
    YIELDING,
    BackgroundRun,
)
from arena.db import JudgementRefused, Store
from arena.engine import STOPPED as SIDE_STOPPED
from arena.engine import AbortableClientFactory, close_client, stream_answer
from arena.generation_plan import progress
from arena.generator import POLL_S, host_turn
from arena.i18n import Explained
from arena.judging import (
    PROMPT_VERSION,
    Judgement,
    JudgeRates,
    JudgeSubject,
    combine,
    default_instruction,
    judge_messages,
    judge_rates,
    parse_verdict,
)
from arena.lineup import Contestant
from arena.ollama_api import make_client
from arena.records import Side, utc_now
from arena.settings import Settings

__all__ = ["FAILED", "FINISHED", "PAUSED", "QUEUED", "RUNNING", "STOPPED", "YIELDING",
           "JudgeRun", "JudgeStatus", "Judges", "judge_options"]

JUDGE_SEED = 14  # the same for every call: a judgement repeated is the same judgement
JUDGE_NUM_PREDICT = 2048
JUDGE_NUM_CTX = 8192
# Failures of the judge or its host rather than of one call: the run ends, nothing is stored.
_FATAL = {"unreachable": "judge.problem.unreachable", "model_not_found": "judge.problem.no_model"}

_PAUSED, _STOPPED = object(), object()  # why a subject's judgement did not come


def judge_options(settings: Settings) -> dict:
    """The Ollama options of every judge call."""
    return {"temperature": 0, "seed": JUDGE_SEED,
            "num_ctx": max(settings.generation.num_ctx, JUDGE_NUM_CTX),
            "num_predict": JUDGE_NUM_PREDICT}


@dataclass(frozen=True)
class JudgeStatus:
    judge_model: str
    state: str  # one of arena.generator's run states
    done: int  # subjects this run is through with (judged, failed, or judged meanwhile)
    total: int  # subjects it set out to judge
    elapsed_s: float  # on the run's clock, which stands still while it is paused
    remaining_s: float | None  # None until a judgement gives a rate
    rates: JudgeRates  # this run's complete judgements counted
    failed: int  # this run's failed attempts (stored, judged again by the next run)
    problem: str | None = None  # why the run stopped as a whole, in English
    problems: tuple[Explained, ...] = ()  # the same, each in the catalog's words
    running: bool = False  # a subject's calls are under way (stored before this turns False)

    def problem_text(self, lang: str) -> str | None:
        return "; ".join(p.text(lang) for p in self.problems) or None

    @property
    def per_minute(self) -> float:
        """Complete judgements of this run per minute of its running time (0.0 before any)."""
        return self.rates.judged * 60.0 / self.elapsed_s if self.elapsed_s > 0 else 0.0


class JudgeRun(BackgroundRun):
    """One judge model's run over the subjects it has left, on one host, in a background thread;
    thread-safe. `judge`: a Contestant (its model, digest and thinking mode) or a model name."""

    def __init__(self, store: Store, settings: Settings, judge: Contestant | str, host: str,
                 category: str | None = None, prompt_set: str | None = None,
                 limit: int | None = None, live_busy: Callable[[], bool] = lambda: False,
                 client_factory: AbortableClientFactory | None = None) -> None:
        if isinstance(judge, Contestant):
            self.judge_model, self._model = judge.name, judge.entry.name
            self._digest, self._think = judge.entry.info.digest, judge.think
        else:
            self.judge_model, self._model, self._digest, self._think = judge, judge, "", "default"
        self.host = host
        self._store, self._settings = store, settings
        self._category, self._prompt_set, self._limit = category, prompt_set, limit
        self._live_busy = live_busy
        self._client_factory = client_factory or (
            lambda url, transport: make_client(url, settings.ollama_read_timeout,
                                               settings.ollama_connect_timeout, transport))
        self._options = judge_options(settings)
        self._instructions: dict[str, str] = {}
        super().__init__()
        self._total = 0
        self._finished: list[float] = []  # when each subject of this run was stored
        self._skipped = 0  # judged meanwhile by another run
        self._outcomes: list[str] = []
        self._failed = 0
        self._yielding = self._queued = self._judging = False
        self._link: tuple[AbortableTransport, ollama.Client] | None = None

    # --- control -----------------------------------------------------------------------------

    def start(self) -> JudgeRun:
        """Start the worker; returns at once."""
        if not self._begin():
            return self
        threading.Thread(target=self._run, name="arena-judge", daemon=True).start()
        return self

    def _in_flight(self):
        return [self._link[0]] if self._link is not None else []

    def status(self) -> JudgeStatus:
        with self._lock:
            state = self._state() or (QUEUED if self._queued
                                      else YIELDING if self._yielding and not self._judging
                                      else RUNNING)
            figures = progress(self._total, self._started, self._now(), list(self._finished),
                               self._skipped)
            return JudgeStatus(self.judge_model, state, figures.done, figures.total,
                               figures.elapsed_s, figures.remaining_s,
                               judge_rates(self._outcomes), self._failed,
                               self._problem_text(), tuple(self._problems), self._judging)

    # --- the work ----------------------------------------------------------------------------

    def _run(self) -> None:
        turn = host_turn(self.host)
        try:
            subjects = self._store.judge_subjects(self.judge_model, PROMPT_VERSION,
                                                  self._category, self._prompt_set, self._limit)
            with self._lock:
                self._total, self._queued = len(subjects), True
            while subjects and not turn.acquire(timeout=POLL_S):
                if self._stop.is_set():
                    return
            with self._lock:
                self._queued = False
            if subjects:
                try:
                    self._judge_all(subjects)
                finally:
                    turn.release()
        except sqlite3.Error as exc:
            self._problem("judge.problem.storage", reason=exc)
        except Exception as exc:  # a fault of the worker ends the run, with a reason
            self._problem("judge.problem.unexpected", reason=f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                link, self._link = self._link, None
                self._end()
                self._queued = self._yielding = self._judging = False
            if link is not None:
                close_client(link[1])
            self._ended.set()

    def _judge_all(self, subjects: list[JudgeSubject]) -> None:
        for subject in subjects:
            result = _PAUSED
            while result is _PAUSED:
                if not self._turn():
                    return
                already = self._store.has_judgement(subject, self.judge_model, PROMPT_VERSION)
                result = None if already else self._judge(subject)
            if result is _STOPPED:
                return
            if isinstance(result, Explained):
                with self._lock:
                    self._problems.append(result)
                return
            try:
                if result is not None:
                    self._store.save_judgement(result)
            except JudgementRefused:  # another run stored it meanwhile
                result = None
            with self._lock:  # stored and counted at once, for status() to see both
                self._judging = False
                if result is None:
                    self._skipped += 1
                    continue
                self._finished.append(self._clock())
                if result.outcome is None:
                    self._failed += 1
                else:
                    self._outcomes.append(result.outcome)

    def _turn(self) -> bool:
        """Wait until a subject may start: not paused, no live battle waiting or running.
        False once the run is stopped."""
        while not self._stop.is_set():
            if not self._go.is_set():
                self._go.wait(POLL_S)
            elif self._live_busy():
                with self._lock:
                    self._yielding = True
                self._stop.wait(POLL_S)
            else:
                with self._lock:
                    self._yielding = False
                return True
        return False

    def _instruction(self, category: str) -> str:
        if category not in self._instructions:
            self._instructions[category] = self._store.judge_instruction(category) or \
                default_instruction(category)
        return self._instructions[category]

    def _judge(self, subject: JudgeSubject) -> Judgement | Explained | object:
        """Both orders of one subject: its Judgement (complete, or failed with the reason),
        an Explained problem that ends the run, _STOPPED, or _PAUSED if paused before it
        started."""
        instruction = self._instruction(subject.category)
        started = utc_now()
        sides = []
        for first, second in ((subject.text_a, subject.text_b),
                              (subject.text_b, subject.text_a)):
            side = Side(model=self._model, digest=self._digest, host=self.host, think=self._think)
            messages = judge_messages(subject.prompt, instruction, first, second,
                                      subject.system_prompt or None)
            transport, client = self._client()
            with self._lock:  # under the lock pause() and stop() take: none starts after them
                if self._stop.is_set():
                    return _STOPPED
                if not sides and not self._go.is_set():
                    return _PAUSED
                self._judging = True
            stream_answer(side, messages, self._options, client, transport, self._stop,
                          keep_alive=self._settings.keep_alive,
                          stall_timeout=self._settings.ollama_stall_timeout)
            if self._stop.is_set() and side.error_kind in (SIDE_STOPPED[0], "connection_lost"):
                return _STOPPED
            if side.failed:
                self._drop_client()
                if side.error_kind in _FATAL:
                    return Explained(_FATAL[side.error_kind], model=self._model, host=self.host,
                                     reason=side.error)
                order = "first" if not sides else "second"
                return self._judgement(subject, instruction, started, sides,
                                       error=f"{order} order: {side.error_kind}: {side.error}")
            sides.append(side)
        return self._judgement(subject, instruction, started, sides)

    def _judgement(self, subject: JudgeSubject, instruction: str, started: str,
                   sides: list[Side], error: str | None = None) -> Judgement:
        outputs = [s.answer for s in sides] + [""] * (2 - len(sides))
        thinking = [s.thinking for s in sides] + [""] * (2 - len(sides))
        verdicts = [parse_verdict(text) for text in outputs] if error is None else [None, None]
        return Judgement(
            subject=subject, judge_model=self.judge_model, judge_digest=self._digest,
            judge_host=self.host, prompt_version=PROMPT_VERSION, instruction=instruction,
            started_at=started, finished_at=utc_now(), output_first=outputs[0],
            output_second=outputs[1], thinking_first=thinking[0], thinking_second=thinking[1],
            verdict_first=verdicts[0], verdict_second=verdicts[1],
            outcome=None if error else combine(*verdicts), error=error)

    def _client(self) -> tuple[AbortableTransport, ollama.Client]:
        """The worker's client, kept from one call to the next, made anew after a failure."""
        with self._lock:
            if self._link is None:
                fresh = AbortableTransport()
                self._link = (fresh, self._client_factory(self.host, fresh))
            return self._link

    def _drop_client(self) -> None:
        with self._lock:
            link, self._link = self._link, None
        if link is not None:
            close_client(link[1])



class Judges:
    """The server's judge run: one at a time, so that everyone who opens the page sees (and
    pauses, resumes or stops) the same run; thread-safe."""

    def __init__(self) -> None:
        self._run: JudgeRun | None = None
        self._lock = threading.Lock()

    def start(self, store: Store, settings: Settings, judge: Contestant | str, host: str,
              category: str | None = None, prompt_set: str | None = None,
              limit: int | None = None, live_busy: Callable[[], bool] = lambda: False,
              client_factory: AbortableClientFactory | None = None) -> JudgeRun:
        """The run that has not ended if there is one (whatever its judge), else a new one,
        started."""
        with self._lock:
            if self._run is None or self._run.ended:
                self._run = JudgeRun(store, settings, judge, host, category, prompt_set, limit,
                                     live_busy, client_factory).start()
            return self._run

    def run(self) -> JudgeRun | None:
        """The latest run, if any."""
        with self._lock:
            return self._run

    def any_going(self) -> bool:
        with self._lock:
            return self._run is not None and not self._run.ended
