"""The lineup: the Ollama hosts, what each serves, and who competes on which host.

`survey` asks every host at once (a thread each), so one slow or dead host costs one timeout, not
one per host. `catalogue` merges the hosts' lists: a model served by several hosts under the same
name and digest is one model. `contestants` applies the admins' choices (arena.records.ModelChoice)
and the battle's thinking choice; `sides_for` routes a drawn pair to hosts, each side to a
different host where it can, so that both really generate at the same time.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from arena.ollama_api import (
    LoadedModel,
    ModelInfo,
    OllamaUnavailable,
    list_models,
    loaded_models,
    make_client,
    server_version,
    version_tuple,
)
from arena.records import ArenaOptions, ModelChoice, Side, ThinkMode, contestant_name
from arena.settings import Settings
from arena.think_levels import levels_for

QWEN3_MIN_VERSION = (0, 6, 6)  # older servers cannot run Qwen3 models
THINK_FIELD_MIN_VERSION = (0, 9, 0)  # older servers ignore `think` (thinking cannot be switched)
SURVEY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Host:
    url: str
    added: bool = False  # added on the Models page (removable there), not named by settings


@dataclass(frozen=True)
class HostReport:
    """What one host said, or why it could not be asked."""

    host: Host
    version: str | None = None
    error: str | None = None  # None when the host answered
    models: tuple[ModelInfo, ...] = ()
    loaded: dict[str, LoadedModel] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.host.url

    @property
    def reachable(self) -> bool:
        return self.error is None

    @property
    def _version(self) -> tuple[int, ...] | None:
        return version_tuple(self.version) if self.version else None

    @property
    def think_control(self) -> bool:
        """Whether `think` on/off is obeyed (an unknown version, such as a development build,
        is given the benefit of the doubt)."""
        version = self._version
        return version is None or version >= THINK_FIELD_MIN_VERSION

    @property
    def warnings(self) -> tuple[str, ...]:
        """Catalog keys of version warnings: each names the minimum version it needs."""
        version = self._version
        if version is None:
            return ()
        found = []
        if version < QWEN3_MIN_VERSION:
            found.append("hosts.warning.qwen3")
        if version < THINK_FIELD_MIN_VERSION:
            found.append("hosts.warning.think")
        return tuple(found)


def all_hosts(settings: Settings, added: list[str]) -> list[Host]:
    """The hosts settings name, then those added on the page (without repeats)."""
    hosts = [Host(url) for url in settings.ollama_hosts]
    named = {h.url for h in hosts}
    return hosts + [Host(url, added=True) for url in added if url not in named]


def survey_host(host: Host, settings: Settings, timeout: float = SURVEY_TIMEOUT_S) -> HostReport:
    client = make_client(host.url, timeout, settings.ollama_connect_timeout)
    try:
        version = server_version(host.url, timeout, settings.ollama_connect_timeout)
        models = tuple(list_models(client, host.url))
        loaded = loaded_models(client, host.url)
    except OllamaUnavailable as exc:
        return HostReport(host, error=exc.detail)
    except Exception as exc:  # a reply no Ollama gives: this host is unusable, not the page
        return HostReport(host, error=f"unexpected answer: {type(exc).__name__}: {exc}")
    finally:
        client.close()
    return HostReport(host, version=version, models=models, loaded=loaded)


def survey(hosts: list[Host], settings: Settings,
           timeout: float = SURVEY_TIMEOUT_S) -> list[HostReport]:
    """Every host's report, asked in parallel, in the order given."""
    if not hosts:
        return []
    with ThreadPoolExecutor(max_workers=len(hosts), thread_name_prefix="arena-survey") as pool:
        return list(pool.map(lambda h: survey_host(h, settings, timeout), hosts))


DOWN_RETRY_S = 30.0  # a host that did not answer is asked again after this long


class Surveyor:
    """Surveys hosts, remembering those that did not answer: a host that drops packets must not
    cost every page a connect timeout each time the survey is renewed."""

    def __init__(self, retry_s: float = DOWN_RETRY_S):
        self.retry_s = retry_s
        self._down: dict[str, tuple[HostReport, float]] = {}  # url -> (report, ask again at)
        self._lock = threading.Lock()

    def survey(self, hosts: list[Host], settings: Settings) -> list[HostReport]:
        """Every host's report, in order; a host that was down lately keeps its report."""
        now = time.monotonic()
        with self._lock:
            known = {url: report for url, (report, until) in self._down.items() if until > now}
        ask = [h for h in hosts if h.url not in known]
        fresh = dict(zip(ask, survey(ask, settings)))
        with self._lock:
            for host, report in fresh.items():
                if report.reachable:
                    self._down.pop(host.url, None)
                else:
                    self._down[host.url] = (report, now + self.retry_s)
        return [fresh[h] if h in fresh else known[h.url] for h in hosts]

    def forget(self) -> None:
        """Ask every host on the next survey, those that were down included."""
        with self._lock:
            self._down.clear()


@dataclass(frozen=True)
class ModelEntry:
    """One model (by name) across the hosts that serve it."""

    info: ModelInfo  # as the first host serving it reports it
    hosts: tuple[str, ...]  # hosts serving this name with this digest
    think_hosts: tuple[str, ...]  # those of `hosts` that obey `think` on/off
    loaded: dict[str, LoadedModel]  # host -> the model in that host's memory now
    # Hosts serving the same name with another digest: a different build, not used for it.
    other_builds: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.info.name


def catalogue(reports: list[HostReport]) -> list[ModelEntry]:
    """Every model of every reachable host, once per name, sorted by name. Where hosts serve a
    name with different digests, the build most hosts serve is the model (the first host's on a
    tie) and the others are listed as other builds."""
    served: dict[str, list[tuple[HostReport, ModelInfo]]] = {}
    for report in reports:
        for info in report.models:
            served.setdefault(info.name, []).append((report, info))
    entries = []
    for name, pairs in sorted(served.items()):
        by_digest: dict[str, list[tuple[HostReport, ModelInfo]]] = {}
        for report, info in pairs:
            by_digest.setdefault(info.digest, []).append((report, info))
        chosen = max(by_digest.values(), key=len)  # max keeps the first of equals
        # Capabilities from a host that reports them (an old or busy one may not).
        info = next((i for _, i in chosen if i.capabilities is not None), chosen[0][1])
        entries.append(ModelEntry(
            info=info,
            hosts=tuple(r.url for r, _ in chosen),
            think_hosts=tuple(r.url for r, _ in chosen if r.think_control),
            loaded={r.url: r.loaded[name] for r, _ in chosen if name in r.loaded},
            other_builds=tuple(r.url for r, i in pairs if i.digest != chosen[0][1].digest),
        ))
    return entries


@dataclass(frozen=True)
class Contestant:
    """A model run with one thinking mode: what a battle draws and a rating is kept for."""

    entry: ModelEntry
    think: str  # a ThinkMode, or a level for a model that thinks by level (arena.think_levels)

    @property
    def name(self) -> str:
        return contestant_name(self.entry.name, self.think)

    @property
    def hosts(self) -> tuple[str, ...]:
        """Hosts that can run it: switching thinking on or off needs a host that obeys it."""
        return self.entry.hosts if self.think == "default" else self.entry.think_hosts


def choice_for(entry: ModelEntry, choices: dict[str, ModelChoice],
               options: ArenaOptions) -> ModelChoice:
    """The admin's stored choice, else the default: new models follow the option, but a cloud
    model (someone else's servers, in a local arena) takes part only once an admin includes it."""
    stored = choices.get(entry.name)
    if stored is not None:
        return stored
    return ModelChoice(included=options.include_new_models and not entry.info.cloud)


def _is_split(entry: ModelEntry, choice: ModelChoice) -> bool:
    """Whether the model competes as two contestants, thinking on and thinking off (which needs
    a host that obeys `think`; elsewhere it competes once)."""
    return choice.split_thinking and entry.info.supports_thinking is True and bool(
        entry.think_hosts)


def eligible_contestants(entries: list[ModelEntry], choices: dict[str, ModelChoice],
                options: ArenaOptions, think_mode: ThinkMode,
                vision: bool = False) -> list[Contestant]:
    """Who may be drawn for a battle in which the user chose `think_mode`: models taking part,
    each once with that mode, or twice (on, off) when split, or at their chosen levels (a model
    that thinks by level); the mode applies only to the rest. `vision`: the battle has images,
    so only models that say they see them (both sides are vision models, so that says nothing
    about either)."""
    drawn = []
    for entry in entries:
        choice = choice_for(entry, choices, options)
        if not choice.included or not entry.info.can_chat:
            continue
        if vision and not entry.info.supports_vision:
            continue
        if entry.info.thinks_by_level:
            # It cannot switch thinking: the battle's choice maps to the admin's levels.
            candidates = [Contestant(entry, level) for level in levels_for(choice, think_mode)]
        elif _is_split(entry, choice):
            candidates = [Contestant(entry, "on"), Contestant(entry, "off")]
        elif entry.info.supports_thinking is False:
            if think_mode == "on":
                continue
            # Thinking off changes nothing for it: one contestant, its plain name, whatever
            # the battle asked (arena.records.contestant_name).
            candidates = [Contestant(entry, "default")]
        else:
            candidates = [Contestant(entry, think_mode)]
        drawn += [c for c in candidates if c.hosts]
    return drawn


def sides_for(pair: tuple[Contestant, Contestant],
              rng: random.Random | None = None) -> tuple[Side, Side]:
    """The battle's two sides, each on a host that serves it: different hosts where possible,
    then hosts that have the model loaded already, then at random."""
    rng = rng or random.SystemRandom()
    first, second = pair

    def score(hosts: tuple[str, str]) -> tuple[bool, int, float]:
        loaded = (hosts[0] in first.entry.loaded) + (hosts[1] in second.entry.loaded)
        return hosts[0] != hosts[1], loaded, rng.random()

    hosts = max(((a, b) for a in first.hosts for b in second.hosts), key=score)
    return tuple(  # type: ignore[return-value]
        Side(model=c.entry.name, digest=c.entry.info.digest, host=host, think=c.think)
        for c, host in zip(pair, hosts))
