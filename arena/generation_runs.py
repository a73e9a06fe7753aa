"""The generation runs of one server: one per prompt set, so that everyone who opens the Prompt
sets page sees (and pauses, resumes or stops) the same run. No Streamlit: the page keeps one
`Generators` with st.cache_resource."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from arena.db import Store
from arena.engine import AbortableClientFactory
from arena.generator import GenerationRun
from arena.lineup import Contestant
from arena.settings import Settings


class Generators:
    """The server's runs, one per set name; thread-safe."""

    def __init__(self) -> None:
        self._runs: dict[str, GenerationRun] = {}
        self._lock = threading.Lock()

    def start(self, store: Store, settings: Settings, set_name: str,
              contestants: Sequence[Contestant], live_busy: Callable[[], bool] = lambda: False,
              retry_failed: bool = True,
              client_factory: AbortableClientFactory | None = None) -> GenerationRun:
        """The run of that set that has not ended if there is one, else a new one, started."""
        with self._lock:
            run = self._runs.get(set_name)
            if run is None or run.ended:
                run = GenerationRun(store, settings, set_name, contestants, live_busy,
                                    retry_failed, client_factory).start()
                self._runs[set_name] = run
            return run

    def run(self, set_name: str) -> GenerationRun | None:
        """The latest run of that set, if any."""
        with self._lock:
            return self._runs.get(set_name)

    def any_going(self) -> bool:
        """Whether a run of any set has not ended (running, paused or yielding)."""
        with self._lock:
            return any(not run.ended for run in self._runs.values())
