"""`python -m arena accuracy NAME`: how often each contestant gave a prompt set's expected answers
(arena.set_accuracy), beside the leaderboard of what people prefer."""

from __future__ import annotations

import argparse

import pandas as pd

from arena.cli_common import FORMATS, CommandError, db_path, open_for_reading, print_table

# arena.set_accuracy is imported by the command that scores: the other commands start without it.

# JSON and CSV: the shares to 4 places, the medians to 2.
_ROUNDING = {"accuracy": 4, "ci_low": 4, "ci_high": 4, "median_tokens_per_s": 2,
             "median_total_s": 2}


def accuracy_command(args: argparse.Namespace) -> None:
    from arena.set_accuracy import scored_sets, set_accuracy

    with open_for_reading(db_path(args)) as store:
        prompt_set = store.prompt_set(args.name)
        if prompt_set is None:
            known = [s.prompt_set.name for s in store.prompt_sets()]
            raise CommandError(f"no prompt set {args.name!r} (known: "
                               f"{', '.join(known) or 'none'})")
        table = set_accuracy(store, args.name)
        if table is None:
            scored = [s.name for s in scored_sets(store)]
            raise CommandError(f"prompt set {args.name!r} has no expected answers, so there is "
                               f"nothing to score (sets with expected answers: "
                               f"{', '.join(scored) or 'none'})")
    print_table(table, args.format, _ROUNDING, lambda t: _shown(t, bool(prompt_set.labels)),
                "No answers to score yet: generate the set's answers first.")


def _shown(table: pd.DataFrame, labelled: bool) -> pd.DataFrame:
    """The table for people; "no label" only where the set has labels to find."""
    from arena.set_accuracy import accuracy_text

    shown = pd.DataFrame({
        "contestant": table["contestant"], "answered": table["answered"],
        "correct": table["correct"], "no_label": table["no_label"],
        "accuracy (95% CI)": accuracy_text(table, dash="-"),
        "median tokens/s": _figure(table["median_tokens_per_s"]),
        "median answer s": _figure(table["median_total_s"]),
    })
    return shown if labelled else shown.drop(columns="no_label")


def _figure(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")


def add_command(commands: argparse._SubParsersAction) -> None:
    """The `accuracy` subcommand, on the command line's subparsers."""
    command = commands.add_parser(
        "accuracy", help="how often each model gave a prompt set's expected answers",
        description="Per contestant: answers scored, correct, no label found, accuracy with its "
                    "95% Wilson interval, median tokens/s and median answer time (seconds). "
                    "Items without an expected answer and failed answers are not counted.")
    command.add_argument("name", help="the prompt set's name (see `prompts list`)")
    command.add_argument("--format", choices=FORMATS, default="table")
    command.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    command.set_defaults(run=accuracy_command)
