"""`python -m arena judge --judge MODEL`: a local model judges, in both orders, the battles and
prompt-set answer pairs it has not judged yet (arena.judge_run), for headless overnight runs, with
a progress bar on stderr and a one-line summary. Also the judge's side of `leaderboard --board
judge` and `export --judgements`.

Exit 0 only when every subject of the run got a complete judgement; otherwise one line says why.
Ctrl-C stops at once (exit 130): the judgements stored are kept, and the same command goes on
where it stopped.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from arena.cli_common import (
    CommandError,
    db_path,
    follow_run,
    open_for_reading,
    open_store,
    say,
)
from arena.settings import load_settings

if TYPE_CHECKING:
    from tqdm import tqdm

    from arena.db import Store
    from arena.judge_run import JudgeRun, JudgeStatus
    from arena.lineup import Contestant, HostReport

# The judge run's modules (the Ollama client among them) are imported by the command that runs
# it: `leaderboard` builds its options from this module and must start without them.

POLL_S = 0.2  # how often the bar is brought up to date
BOARDS = ["human", "judge"]
EXPORT_FORMATS = ("csv", "jsonl")


def add_command(commands: argparse._SubParsersAction) -> None:
    judge = commands.add_parser(
        "judge", help="a local model judges battles and prompt-set pairs (progress on stderr)",
        description="Every live battle and every fair pair of a prompt set's stored answers not "
                    "yet judged by that model is judged twice, the answers swapped the second "
                    "time; judgements stored already are kept. Exit 0 when all are judged.")
    judge.add_argument("--judge", required=True, metavar="MODEL",
                       help="the judge model (a contestant name: 'qwen3:8b (thinking)' too)")
    judge.add_argument("--host", action="append", metavar="URL",
                       help="an Ollama host, repeatable (default: the settings' hosts and "
                            "those added on the Models page); the first serving the judge")
    judge.add_argument("--category", help="only this category (slug or name)")
    judge.add_argument("--set", help="only this prompt set's answer pairs (no live battle)")
    judge.add_argument("--limit", type=int, help="judge at most N subjects")
    judge.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    judge.set_defaults(run=judge_command)


def judge_command(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from arena.cli import _category_slug  # here: arena.cli imports this module
    from arena.cli_generate import Interrupted, command_reports, require_set
    from arena.generator import FAILED
    from arena.judge_run import JudgeRun

    if args.limit is not None and args.limit < 1:
        raise CommandError(f"--limit {args.limit}: must be 1 or more")
    settings = load_settings()
    path = db_path(args)
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such database (set --db or ARENA_DB)")
    with open_store(path) as store:  # judgements are written: it may migrate the database
        category = None if args.category is None else _category_slug(store, args.category)
        if args.set is not None:
            require_set(store, args.set, "--set: ")
        reports = command_reports(store, settings, args.host)
        judge, host = _judge_on(reports, args.judge)
        run = JudgeRun(store, settings, judge, host, category, args.set, args.limit)
        status, interrupted = _follow(run)
    rates = status.rates
    print(say("cli.judged", judge=status.judge_model, count=rates.judged, failed=status.failed,
              left=status.total - status.done, wins=rates.wins, ties=rates.ties,
              abstained=rates.abstained, no_verdict=rates.no_verdict,
              bias=_percent(rates.position_bias_rate),
              no_verdict_rate=_percent(rates.no_verdict_rate),
              per_minute=f"{status.per_minute:.1f}",
              elapsed=tqdm.format_interval(status.elapsed_s)))
    if interrupted:
        raise Interrupted("stopped by Ctrl-C; the judgements stored are kept: run the same "
                          "command to go on")
    if status.state == FAILED:
        raise CommandError(status.problem or "the run could not go on")
    if status.failed or status.done < status.total:
        raise CommandError(f"{status.failed} judgements failed, {status.total - status.done} "
                           f"not judged; run the same command again to retry them")


def _percent(share: float) -> str:
    return "-" if math.isnan(share) else f"{share:.0%}"


def _judge_on(reports: list[HostReport], name: str) -> tuple[Contestant, str]:
    """The judge (a contestant name, or a model's) and the first reachable host serving it."""
    from arena.lineup import Contestant, catalogue
    from arena.records import parse_contestant_name

    model, think = parse_contestant_name(name.strip())
    entries = catalogue(reports)
    entry = next((e for e in entries if e.name == model), None)
    hosts = () if entry is None else entry.hosts if think == "default" else entry.think_hosts
    if not hosts:
        served = ", ".join(e.name for e in entries) or "none"
        raise CommandError(f"--judge {name!r}: no reachable host serves it (models: {served})")
    return Contestant(entry, think), hosts[0]


def _follow(run: JudgeRun) -> tuple[JudgeStatus, bool]:
    """Start the run and draw its progress on stderr until it ends: (its last status, whether
    Ctrl-C stopped it)."""
    from tqdm import tqdm

    run.start()
    bar = tqdm(total=0, desc=run.judge_model, unit="judgement", file=sys.stderr,
               dynamic_ncols=True, mininterval=POLL_S)
    return follow_run(run, bar, _draw, POLL_S)


def _draw(bar: tqdm, status: JudgeStatus) -> None:
    """Subjects done, the rate and time left (tqdm's), and the outcomes so far."""
    bar.total = status.total
    bar.update(status.done - bar.n)
    rates = status.rates
    bar.set_postfix_str(f"wins {rates.wins}, ties {rates.ties}, abstained {rates.abstained}, "
                        f"no verdict {rates.no_verdict}, failed {status.failed}", refresh=False)
    bar.refresh()


# --- leaderboard --board judge ---------------------------------------------------------------

def add_board_options(board: argparse.ArgumentParser) -> None:
    board.add_argument("--board", choices=BOARDS, default="human",
                       help="human: people's votes (default; never judge outcomes); judge: a "
                            "judge model's judgements (--judge)")
    board.add_argument("--judge", metavar="MODEL", help="the judge of --board judge")


def board_judge(args: argparse.Namespace) -> str | None:
    """The judge whose board `leaderboard` shows, None for the human board."""
    if args.board != "judge":
        if args.judge is not None:
            raise CommandError("--judge is for --board judge")
        return None
    if args.source_file:
        raise CommandError("--board judge reads the database's judgements, not --from a file")
    if args.both_bad:
        raise CommandError("--both-bad counts people's votes; a judge has no both-bad verdict")
    if not args.judge:
        raise CommandError("--board judge needs --judge MODEL")
    return args.judge


def judge_count_table(store: Store, judge: str) -> pd.DataFrame:
    """The judge board's count table; a judge without judgements is a one-line reason."""
    if judge not in store.judge_models():
        raise CommandError(f"--judge {judge!r}: no judgements by it (judges: "
                           f"{', '.join(store.judge_models()) or 'none'})")
    return store.judge_counts(judge)


# --- export --judgements ---------------------------------------------------------------------

def add_export_options(export: argparse.ArgumentParser) -> None:
    export.add_argument("--judgements", action="store_true",
                        help="the judge models' judgements, every audit column (csv or jsonl)")
    export.add_argument("--judge", metavar="MODEL", help="with --judgements: only this judge's")


def export_judgements_command(args: argparse.Namespace) -> None:
    if args.format not in EXPORT_FORMATS:
        raise CommandError(f"--judgements: --format {args.format} is not one of "
                           f"{', '.join(EXPORT_FORMATS)}")
    if args.category is not None:
        raise CommandError("--category is for battle exports, not --judgements")
    out = args.out or f"arena-judgements.{args.format}"
    with open_for_reading(db_path(args)) as store:
        frame = store.judgements(args.judge)
        if args.judge is not None and frame.empty:
            raise CommandError(f"--judge {args.judge!r}: no judgements by it (judges: "
                               f"{', '.join(store.judge_models()) or 'none'})")
    write_judgements(frame, out, args.format)
    print(say("cli.judgements_exported", count=len(frame), path=out))


def judgements_text(frame: pd.DataFrame, form: str) -> str:
    """The judgements as CSV (formula-safe, with a byte-order mark for Excel) or JSON Lines (one
    object a line): the one way they are written, by this command and by the Judge page."""
    from arena.files.spreadsheet import safe_csv

    if form == "csv":
        return "\ufeff" + safe_csv(frame)
    return "".join(json.dumps(record, ensure_ascii=False) + "\n"
                   for record in frame.to_dict("records"))


def write_judgements(frame: pd.DataFrame, path: str, form: str) -> None:
    """judgements_text written beside `path` and moved onto it whole: never half a file."""
    partial = f"{path}.part"
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            out.write(judgements_text(frame, form))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
