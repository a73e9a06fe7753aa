"""Pulling models onto Ollama hosts in the background, with progress anyone can watch.

A pull runs in its own thread and outlives the page that started it; `Pulls` is shared by every
session of the server (the UI keeps one), so everyone sees the same progress and a second pull of
a model on a host is refused while the first runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import ollama

from arena.ollama_api import classify_pull_error, pull_stream


def full_name(model: str) -> str:
    """A model name as Ollama lists it: `llama3` is `llama3:latest`."""
    model = model.strip()
    if model and ":" not in model.rsplit("/", 1)[-1]:
        model += ":latest"
    return model


class PullRefused(Exception):
    """The same model is being pulled onto the same host already."""


@dataclass(frozen=True)
class Pull:
    """A snapshot of one pull."""

    host: str
    model: str
    step: str = "starting"  # Ollama's words: "pulling manifest", "pulling 3f2a…", "success"
    completed: int = 0  # bytes, over the layers seen so far
    total: int = 0
    finished: bool = False
    error_kind: str | None = None  # one of arena.ollama_api.PULL_FAILURES
    error: str | None = None
    started_at: float = field(default_factory=time.time)

    @property
    def running(self) -> bool:
        return not self.finished

    @property
    def succeeded(self) -> bool:
        return self.finished and self.error_kind is None

    @property
    def fraction(self) -> float:
        """0 to 1; 1 once it has succeeded."""
        if self.succeeded:
            return 1.0
        return min(self.completed / self.total, 1.0) if self.total else 0.0


# Builds a client for a host: the pull stream has no read timeout of its own to speak of. (A
# battle side's client also takes the transport that lets it be cut off:
# arena.engine.AbortableClientFactory.)
HostClientFactory = Callable[[str], ollama.Client]


class Pulls:
    """Every pull started on this server, newest first."""

    def __init__(self, client_factory: HostClientFactory):
        self._client_factory = client_factory
        self._pulls: dict[tuple[str, str], Pull] = {}
        self._lock = threading.Lock()

    def start(self, host: str, model: str) -> Pull:
        """Start pulling `model` onto `host`; raises PullRefused if that pull is running."""
        model = full_name(model)
        if not model:
            raise ValueError("a model name is needed")
        key = (host, model)
        with self._lock:
            if key in self._pulls and self._pulls[key].running:
                raise PullRefused(f"{model} is being pulled onto {host} already")
            self._pulls.pop(key, None)  # a finished pull of it is replaced
            pull = self._pulls[key] = Pull(host, model)
        threading.Thread(target=self._run, args=(key,), name=f"arena-pull-{model}",
                         daemon=True).start()
        return pull

    def all(self) -> list[Pull]:
        with self._lock:
            return sorted(self._pulls.values(), key=lambda p: p.started_at, reverse=True)

    def get(self, host: str, model: str) -> Pull | None:
        with self._lock:
            return self._pulls.get((host, full_name(model)))

    def forget_finished(self) -> None:
        with self._lock:
            self._pulls = {k: p for k, p in self._pulls.items() if p.running}

    def _update(self, key: tuple[str, str], **changes) -> None:
        with self._lock:
            self._pulls[key] = replace(self._pulls[key], **changes)

    def _run(self, key: tuple[str, str]) -> None:
        host, model = key
        layers: dict[str, tuple[int, int]] = {}  # digest -> (completed, total)
        client = None
        step = ""
        try:
            client = self._client_factory(host)
            for progress in pull_stream(client, model):
                step = progress.status
                if progress.digest and progress.total:
                    layers[progress.digest] = (progress.completed or 0, progress.total)
                self._update(key, step=step,
                             completed=sum(c for c, _ in layers.values()),
                             total=sum(t for _, t in layers.values()))
            if step != "success":
                self._update(key, finished=True, error_kind="connection_lost",
                             error="the pull stream ended before Ollama said success")
            else:
                self._update(key, finished=True)
        except Exception as exc:  # every failure is shown with the pull, never raised
            kind, detail = classify_pull_error(exc)
            self._update(key, finished=True, error_kind=kind, error=detail)
        finally:
            if client is not None:
                client.close()
