"""`python -m arena generate NAME`: a prompt set's missing answers generated on the Ollama hosts,
for headless overnight runs, with a progress bar on stderr and a one-line summary at the end.

Exit 0 only when every answer of the set is stored complete; otherwise one line says why (failed
answers, no host reachable, an unknown set or model, nobody to answer). Ctrl-C stops at once: the
answers stored are kept, and running the same command again goes on where it stopped.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from arena.cli_common import CommandError, db_path, follow_run, open_store, say
from arena.db import Store
from arena.generator import FAILED, GenerationRun, GenerationStatus
from arena.lineup import (
    Contestant,
    Host,
    HostReport,
    all_hosts,
    catalogue,
    eligible_contestants,
    survey,
)
from arena.settings import Settings, load_settings, normalise_host

POLL_S = 0.2  # how often the bar is brought up to date


class Interrupted(CommandError):
    """Ctrl-C: the run was stopped, its stored answers kept."""

    exit_code = 130  # as a shell reports a program ended by SIGINT


def generate_command(args: argparse.Namespace) -> None:
    settings = load_settings()
    path = db_path(args)
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such database (set --db or ARENA_DB)")
    with open_store(path) as store:  # answers are written: it may migrate the database
        require_set(store, args.name)
        reports = command_reports(store, settings, args.host)
        contestants = _contestants(store, reports, args.name, args.models)
        run = GenerationRun(store, settings, args.name, contestants)
        before, status, interrupted = _follow(run, args.name)
        failures = Counter(a.failure_reason.split(":")[0] for a in store.answers(args.name)
                           if a.failure_reason is not None and
                           a.contestant in {c.name for c in contestants})
    figures = status.progress
    print(say("cli.generated", done=figures.done, count=figures.total, name=args.name,
               new=figures.done - before, failed=status.failed,
               elapsed=tqdm.format_interval(figures.elapsed_s)))
    if interrupted:
        raise Interrupted("stopped by Ctrl-C; the answers stored are kept: run the same "
                          "command to go on")
    if status.state == FAILED:
        raise CommandError(status.problem or "the run could not go on")
    if failures or figures.done < figures.total:
        kinds = ", ".join(f"{kind} x{n}" for kind, n in failures.most_common())
        raise CommandError(f"{sum(failures.values())} answers failed ({kinds or 'none'}), "
                           f"{figures.total - figures.done} missing; run the same command "
                           f"again to retry them")


def command_hosts(store: Store, settings: Settings, given: Sequence[str] | None) -> list[Host]:
    """--host URLs, or the hosts the server uses: the settings' and those added on the page."""
    if given:
        return [Host(url) for url in dict.fromkeys(normalise_host(h, "--host") for h in given)]
    return all_hosts(settings, store.added_hosts())


def require_set(store: Store, name: str, flag: str = "") -> None:
    """A prompt set of that name, or a one-line reason naming the known ones (`flag`: the
    option that named it, e.g. "--set: ")."""
    if store.prompt_set(name) is None:
        known = ", ".join(repr(s.prompt_set.name) for s in store.prompt_sets()) or "none"
        raise CommandError(f"{flag}no prompt set named {name!r} (known: {known})")


def command_reports(store: Store, settings: Settings,
                    given: Sequence[str] | None) -> list[HostReport]:
    """Every host's report (see command_hosts); a one-line reason when none answers."""
    reports = survey(command_hosts(store, settings, given), settings)
    if not any(r.reachable for r in reports):
        raise CommandError("no Ollama host answered: " + "; ".join(
            f"{r.url}: {r.error}" for r in reports))
    return reports


def _contestants(store: Store, reports: list[HostReport], set_name: str,
                 models: str | None) -> list[Contestant]:
    """Who answers: --models, else the set's chosen contestants, else every model that takes
    part; a name is a contestant's or a model's (all its contestants)."""
    everyone = eligible_contestants(catalogue(reports), store.model_choices(),
                                    store.arena_options(), "default")
    if models is not None:
        wanted, source = [m.strip() for m in models.split(",") if m.strip()], "--models"
        if not wanted:
            raise CommandError("--models: give at least one model name")
    else:
        wanted, source = store.set_contestants(set_name), "the set's chosen contestants"
    if not wanted:
        chosen = everyone
    else:
        chosen, unknown = [], []
        for name in dict.fromkeys(wanted):
            found = [c for c in everyone if c.name == name] or \
                [c for c in everyone if c.entry.name == name]
            chosen += [c for c in found if c not in chosen]
            if not found:
                unknown.append(name)
        if unknown:
            taking_part = ", ".join(c.name for c in everyone) or "none"
            raise CommandError(f"{source}: {', '.join(unknown)}: not a model taking part on a "
                               f"reachable host (taking part: {taking_part})")
    if not chosen:
        raise CommandError("no contestant: no model takes part on the reachable hosts")
    return chosen


def _follow(run: GenerationRun, name: str) -> tuple[int, GenerationStatus, bool]:
    """Start the run and draw its progress on stderr until it ends: (answers stored before it,
    its last status, whether Ctrl-C stopped it)."""
    run.start()
    first = run.status()
    bar = tqdm(total=first.progress.total, initial=first.progress.done, desc=name,
               unit="answer", file=sys.stderr, dynamic_ncols=True, mininterval=POLL_S)
    status, interrupted = follow_run(run, bar, _draw, POLL_S)
    return first.progress.done, status, interrupted


def _draw(bar: tqdm, status: GenerationStatus) -> None:
    """Answers done, the rate and time left (tqdm's), and who is generating on which host."""
    bar.update(status.progress.done - bar.n)
    bar.set_postfix_str(", ".join(f"{who} @ {host}" for who, host in status.progress.running),
                        refresh=False)
    bar.refresh()
