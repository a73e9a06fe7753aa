"""The order in which a prompt set's missing answers are generated, and the progress of a run.

Built for a GPU that holds one model at a time: switching models costs a load (seconds to
minutes), so each host answers all of one model's items in a row and every model is loaded once
per host for the whole set. Models are spread over the hosts that serve them, whole: splitting a
model over two hosts would load it twice, and balancing whole models already keeps the hosts
within one model's share of each other (the greedy rule below). A model only one host serves goes
there first, so the freely placed ones can even out around it.

Pure functions: no Ollama, no store. The caller gives the missing work as (item key, contestant)
pairs; a contestant is anything with `.name` and `.hosts` (arena.lineup.Contestant). The model a
contestant runs is the name without its thinking suffix (arena.records.parse_contestant_name), so
a model's "thinking on" and "thinking off" contestants share one load.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from arena.records import parse_contestant_name


class Runnable(Protocol):
    """What the plan needs of a contestant."""

    @property
    def name(self) -> str: ...

    @property
    def hosts(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Job:
    """One answer to generate: an item by one contestant."""

    item: Hashable
    contestant: Runnable


@dataclass(frozen=True)
class Plan:
    """Each host's jobs in the order to run them, and the jobs no given host serves."""

    by_host: dict[str, tuple[Job, ...]]
    unserved: tuple[Job, ...] = ()

    def models(self, host: str, model_of: Callable[[Runnable], str] | None = None) -> list[str]:
        """The models `host` loads, in order: once each when the plan is followed."""
        model_of = model_of or model_name
        order: list[str] = []
        for job in self.by_host.get(host, ()):
            if not order or order[-1] != model_of(job.contestant):
                order.append(model_of(job.contestant))
        return order

    @property
    def total(self) -> int:
        return sum(len(jobs) for jobs in self.by_host.values())


def model_name(contestant: Runnable) -> str:
    """The Ollama model a contestant runs: its name without the thinking suffix."""
    return parse_contestant_name(contestant.name)[0]


@dataclass
class _Group:
    """A model's jobs, placed on one host together."""

    model: str
    jobs: list[Job]
    hosts: tuple[str, ...]  # the given hosts that serve every contestant of the group


def plan_generation(work: Iterable[tuple[Hashable, Runnable]], hosts: Sequence[str],
                    seed: int = 0, loaded: Mapping[str, Iterable[str]] | None = None,
                    model_of: Callable[[Runnable], str] | None = None) -> Plan:
    """Each host's order of work for the missing `work` on `hosts`.

    Every job appears once; on each host a model's jobs are consecutive (one load each), its
    contestants one after the other, items in the order given. Models are placed whole, those
    with fewer possible hosts first, then the largest first, each on the possible host with the
    fewest answers so far. `seed` breaks ties and orders the models on a host, so the result is
    the same for the same input and seed. `loaded` (host -> models already in its memory, as
    /api/ps says) puts such a model first on that host, saving its load.
    """
    model_of = model_of or model_name
    rng = random.Random(seed)
    groups = _groups(work, hosts, model_of)
    served = [g for g in groups if g.hosts]
    unserved = tuple(job for g in groups if not g.hosts for job in g.jobs)

    # Sorted by name before the seeded shuffle: the input's order does not change the plan.
    served.sort(key=lambda g: (g.model, g.hosts))
    rng.shuffle(served)
    served.sort(key=lambda g: (len(g.hosts), -len(g.jobs)))  # stable: ties keep the shuffle
    answers = {host: 0 for host in hosts}
    placed: dict[str, list[_Group]] = {host: [] for host in hosts}
    for group in served:
        fewest = min(answers[h] for h in group.hosts)
        host = rng.choice([h for h in group.hosts if answers[h] == fewest])
        placed[host].append(group)
        answers[host] += len(group.jobs)

    warm = {host: set(models) for host, models in (loaded or {}).items()}
    by_host = {}
    for host in hosts:
        rng.shuffle(placed[host])
        placed[host].sort(key=lambda g: g.model not in warm.get(host, ()))  # loaded ones first
        by_host[host] = tuple(job for group in placed[host] for job in group.jobs)
    return Plan(by_host, unserved)


def _groups(work: Iterable[tuple[Hashable, Runnable]], hosts: Sequence[str],
            model_of: Callable[[Runnable], str]) -> list[_Group]:
    """The work as groups of one model each. A model whose contestants share no host (thinking
    off where only some hosts obey it, and the rest elsewhere) is one group per contestant."""
    by_contestant: dict[str, list[Job]] = {}
    for item, contestant in work:
        by_contestant.setdefault(contestant.name, []).append(Job(item, contestant))
    by_model: dict[str, list[list[Job]]] = {}
    for name in sorted(by_contestant):
        jobs = by_contestant[name]
        by_model.setdefault(model_of(jobs[0].contestant), []).append(jobs)

    def serving(jobs: list[Job]) -> tuple[str, ...]:
        return tuple(h for h in hosts if h in jobs[0].contestant.hosts)

    groups = []
    for model, parts in by_model.items():
        shared = tuple(h for h in hosts if all(h in serving(jobs) for jobs in parts))
        if shared or len(parts) == 1:
            groups.append(_Group(model, [job for jobs in parts for job in jobs], shared))
        else:
            groups.extend(_Group(model, jobs, serving(jobs)) for jobs in parts)
    return groups


@dataclass(frozen=True)
class Progress:
    """Where a generation run stands, for the progress bar (the page and the command line)."""

    done: int
    total: int
    elapsed_s: float
    remaining_s: float | None  # None until an answer of this run gives a rate
    running: tuple[tuple[str, str], ...] = ()  # (contestant, host) being generated now

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


def progress(total: int, started: float, now: float, finished: Sequence[float],
             done_before: int = 0, running: Iterable[tuple[str, str]] = ()) -> Progress:
    """The run's progress at `now` (all times in seconds on one clock, such as time.time()).

    `finished` holds when each answer of this run was stored; `done_before` counts answers
    stored before the run started (a resumed run), which give no rate. The estimate projects
    this run's pace so far (loads included, as they will recur for the models still to come)
    over the answers left, and counts down between answers rather than jumping.
    """
    done = min(total, done_before + len(finished))
    elapsed = max(0.0, float(now - started))
    remaining = None
    if done >= total:
        remaining = 0.0
    elif finished:
        per_answer = max(0.0, max(finished) - started) / len(finished)
        remaining = max(0.0, per_answer * (total - done_before) - elapsed)
    return Progress(done, total, elapsed, remaining, tuple(running))
