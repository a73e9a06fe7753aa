"""`python -m arena …`: what users script. Each command prints a one-line reason and exits
non-zero when it cannot do its job."""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from arena import cli_accuracy, cli_judge, ratings, shrinkage, tiers
from arena.cli_common import (
    FORMATS,
    CommandError,
    db_path,
    open_for_reading,
    open_store,
    print_table,
    say,
)
from arena.files.checks import ImportRejected, RowErrors, VoteFileError, check_names
from arena.files.read import counted_votes, read_votes_file
from arena.files.schema import is_own
from arena.prompt_sets import EXAMPLE_SETS
from arena.ratings import RatingInputError
from arena.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from arena.db import Store

# What only some commands need (the Ollama client, the database's writers, the exporters) is
# imported inside them: `leaderboard --from FILE` starts without them.


def _category_aliases(store: Store) -> dict[str, str]:
    """Every way to name a stored category (slug or name, any case) -> its slug."""
    aliases = {}
    for c in store.categories():
        aliases[c.name.lower()] = aliases[c.slug.lower()] = c.slug
    return aliases


def _no_such_category(category: str, known: set[str]) -> CommandError:
    return CommandError(f"--category {category!r}: no such category (known: "
                        f"{', '.join(sorted(known)) or 'none'})")


def _category_slug(store: Store, category: str) -> str:
    """The slug of a stored category named by `--category` (slug or name, any case)."""
    aliases = _category_aliases(store)
    if category.lower() not in aliases:
        raise _no_such_category(category, set(aliases.values()))
    return aliases[category.lower()]


@contextlib.contextmanager
def _writing(path: str, nothing_done: str) -> Iterator[None]:
    """A write to the database at `path`: another program holding it is a one-line reason."""
    try:
        yield
    except sqlite3.OperationalError as exc:  # another write holds the lock, most often
        raise CommandError(f"{path}: the database is busy ({exc}); {nothing_done}, "
                           f"try again") from None


def _count_table_from_db(path: str, judge: str | None = None) -> pd.DataFrame:
    with open_for_reading(path) as store:
        # Votes on one set item resampled together; a judge's board reads its judgements alone.
        table = store.vote_counts(clusters=True) if judge is None else \
            cli_judge.judge_count_table(store, judge)
        # Votes store category slugs; also accept a category's display name.
        table.attrs["aliases"] = _category_aliases(store)
    return table


_DICTIONARIES = ("model_a", "model_b", "winner", "category")


def _count_table_from_file(path: str) -> pd.DataFrame:
    limits = load_settings().imports
    # The names and labels of a Parquet file read once each (see read_votes_file).
    votes = read_votes_file(path, limits=limits, dictionaries=_DICTIONARIES)
    if is_own(votes.columns):  # the arena's own export: its counted votes, nothing else
        votes = counted_votes(path, limits)
    errors = RowErrors()
    for name in ("model_a", "model_b"):
        if name in votes.columns:  # rows numbered from 1, as everywhere
            check_names(votes[name].set_axis(range(1, len(votes) + 1)), name, limits, errors)
    errors.raise_if_any(Path(path))
    by = ["category"] if "category" in votes.columns else []
    if "prompt_set" in votes.columns:  # votes on one item are resampled together, as from --db
        votes = votes.assign(**{ratings.CLUSTER: ratings.item_clusters(votes)})
        by.append(ratings.CLUSTER)
    try:
        return ratings.count_table(votes, by=by)
    except RatingInputError as exc:
        raise VoteFileError(f"{path}: {exc}") from None


def _select_category(table: pd.DataFrame, category: str | None) -> tuple[str, pd.DataFrame]:
    """The category's name as the votes have it (ratings.OVERALL for none), and its votes."""
    if category is None or category == ratings.OVERALL:
        return ratings.OVERALL, ratings.category_table(table)
    if "category" not in table.columns:
        raise CommandError(f"--category {category!r}: these votes have no category column")
    aliases = table.attrs.get("aliases", {})
    with_votes = sorted(table["category"].dropna().unique())
    wanted = aliases.get(category.lower(), category)
    if wanted not in with_votes and category.lower() not in aliases:
        raise _no_such_category(category, set(aliases.values()) | set(with_votes))
    chosen = ratings.category_table(table, wanted)
    if chosen.empty:
        raise CommandError(f"--category {category!r}: no votes in it (categories with votes: "
                           f"{', '.join(with_votes) or 'none'})")
    return wanted, chosen


def _board_shown(board: pd.DataFrame) -> pd.DataFrame:
    return board.assign(
        rating=board["rating"].round().astype(int),
        interval=ratings.interval_text(board, minus="-"),
        win_rate=(board["win_rate"] * 100).round(1).astype(str) + "%",
        provisional=board["provisional"].map({True: "yes", False: ""}),
    )[["rank", "tier", "model", "rating", "interval", "votes", "win_rate", "provisional"]]


def leaderboard_command(args: argparse.Namespace) -> None:
    if args.rounds < 0:
        raise CommandError(f"--rounds {args.rounds}: must be 0 or more")
    if args.both_bad and (args.style_control or args.board == "judge"):
        raise CommandError("--both-bad is the human votes' rate: not with "
                           + ("--style-control" if args.style_control else "--board judge"))
    if args.independent and args.category is None:
        raise CommandError("--independent is for a category's board: add --category")
    if args.style_control:
        from arena import cli_style  # only when asked for: the plain board starts faster

        return cli_style.print_style_board(args, _board_shown, _category_aliases)
    judge = cli_judge.board_judge(args)
    if args.source_file:
        table = _count_table_from_file(args.source_file)
    else:
        table = _count_table_from_db(db_path(args), judge)
    if args.both_bad:
        from arena.cli_both_bad import print_both_bad

        return print_both_bad(_select_category(table, args.category)[1] if args.category
                              else table, args.format, args.category)
    category, chosen = _select_category(table, args.category)
    borrowing = None if args.independent or category == ratings.OVERALL \
        else shrinkage.borrow_strength(table)
    board, borrowed = shrinkage.category_board(table, category, borrowing, args.rounds, args.seed)
    print_table(board, args.format, {"rating": 2, "ci_low": 2, "ci_high": 2, "win_rate": 4},
                _board_shown, "No counted votes yet.", csv_float_format="%.2f")
    if args.format == "table" and not board.empty:
        # Under the table, as on the Leaderboard page: what would split the top neighbours.
        for line in tiers.gap_lines(tiers.separating_votes(board, chosen), say):
            print(line)
    if category != ratings.OVERALL and not board.empty:  # what the board shows, on stderr
        print(say("board.borrowing", tau=f"{borrowing.tau:.0f}") if borrowed
              else say("board.own_votes"), file=sys.stderr)


def export_command(args: argparse.Namespace) -> None:
    if args.judgements or args.judge is not None:
        return cli_judge.export_judgements_command(args)
    from arena.db import BattleFilter
    from arena.files.export import write_export

    out = args.out or f"arena-export.{args.format}"
    with open_for_reading(db_path(args)) as store:
        category = None if args.category is None else _category_slug(store, args.category)
        count = write_export(store, out, args.format, BattleFilter(category=category))
    print(say("cli.exported", count=count, path=out))


def import_command(args: argparse.Namespace) -> None:
    from arena.files.importer import import_file

    # Importing writes: it creates or migrates the database (never another program's file).
    limits = load_settings().imports
    path = db_path(args)
    with _writing(path, "nothing was imported"), open_store(path) as store:
        result = import_file(store, args.file, limits)
    print(say("cli.imported", count=result.added, path=args.file, skipped=result.skipped))


def migrate_command(args: argparse.Namespace) -> None:
    path = db_path(args)
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such database (set --db or ARENA_DB)")
    with open_store(path) as store:
        print(f"{path}: schema version {store.schema_version()}")


def prompts_add_command(args: argparse.Namespace) -> None:
    from arena.db import PromptSetRefused
    from arena.files.set_file import add_example_set, add_set_file, parse_labels

    if (args.file is None) == (args.example is None):
        raise CommandError("give a set FILE or --example NAME (one of them)")
    if args.example and (args.category or args.labels):
        raise CommandError("--example sets its own category and labels (--name may rename it)")
    if args.file and not (args.name and args.category):
        raise CommandError("a set FILE needs --name and --category")
    try:
        given_labels = parse_labels(args.labels)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    settings = load_settings()
    path = db_path(args)
    # Adding writes: it creates or migrates the database (never another program's file).
    try:
        with _writing(path, "nothing was added"), open_store(path) as store:
            if args.example:
                result = add_example_set(store, args.example, settings, args.name)
            else:
                result = add_set_file(store, Path(args.file), args.name,
                                      _category_slug(store, args.category), given_labels,
                                      settings)
    except PromptSetRefused as exc:
        raise CommandError(str(exc)) from None
    print(say("cli.prompts_added", count=result.added, name=result.name,
               skipped=result.already))


def prompts_list_command(args: argparse.Namespace) -> None:
    with open_for_reading(db_path(args)) as store:
        sets = store.prompt_sets()
    if not sets:
        print(say("cli.no_prompt_sets"))
        return
    table = pd.DataFrame(
        [(s.prompt_set.name, s.prompt_set.category, ", ".join(s.prompt_set.labels), s.items,
          s.answers, s.failed) for s in sets],
        columns=["name", "category", "labels", "items", "answers", "failed"])
    with pd.option_context("display.unicode.east_asian_width", True):  # Chinese names align
        print(table.to_string(index=False))


def generate_command(args: argparse.Namespace) -> None:
    from arena.cli_generate import generate_command as generate  # the Ollama client

    generate(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m arena",
                                     description="The local model arena's command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    board = commands.add_parser(
        "leaderboard", help="Bradley–Terry ratings with 95%% intervals",
        description="Ratings from the arena's database or from a vote file (CSV, JSON Lines or "
                    "Parquet with model_a, model_b, winner; optional category, tstamp).")
    source = board.add_mutually_exclusive_group()
    source.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    source.add_argument("--from", dest="source_file", metavar="FILE", help="a vote file")
    board.add_argument("--category", help="one category (slug or name); default: Overall")
    board.add_argument("--rounds", type=int, default=ratings.DEFAULT_ROUNDS,
                       help="bootstrap rounds for the intervals (default %(default)s)")
    board.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    board.add_argument("--format", choices=FORMATS, default="table")
    board.add_argument("--independent", action="store_true",
                       help="a category's own votes alone (default: it borrows strength from "
                            "the other categories, see docs/ratings.md)")
    board.add_argument("--both-bad", action="store_true", help="instead of the ratings, each "
                       "model's share of battles voted both bad, per category, with 95%% CIs")
    board.add_argument("--style-control", action="store_true", help="ratings with answer "
                       "style (length, headers, lists, bold) held equal; sandwich intervals")
    cli_judge.add_board_options(board)
    board.set_defaults(run=leaderboard_command)

    export = commands.add_parser("export", help="battles and votes to a file")
    export.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    export.add_argument("--format", choices=["csv", "jsonl", "parquet"], default="jsonl")
    export.add_argument("--out", help="file to write (default: arena-export.FORMAT)")
    export.add_argument("--category", help="only this category (slug or name)")
    cli_judge.add_export_options(export)
    export.set_defaults(run=export_command)

    load = commands.add_parser("import", help="battles from this arena's export, or Chatbot "
                                              "Arena style vote rows; all or nothing")
    load.add_argument("file")
    load.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    load.set_defaults(run=import_command)

    migrate = commands.add_parser("migrate", help="bring a database written by an older arena "
                                                  "up to date (reading commands never write)")
    migrate.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    migrate.set_defaults(run=migrate_command)

    prompts = commands.add_parser("prompts", help="prompt sets: add one from a file, list them")
    actions = prompts.add_subparsers(dest="prompts_command", required=True)
    add = actions.add_parser(
        "add", help="add a prompt set, or more items to one (items already there are skipped)",
        description="A set file is CSV (a header: prompt, and optionally id, expected), JSON "
                    "Lines (objects with those keys) or plain text (one prompt a line).")
    add.add_argument("file", nargs="?", help="the set file (.csv, .jsonl, .json, .txt)")
    add.add_argument("--example", choices=sorted(EXAMPLE_SETS),
                     help="add a set shipped with the arena instead of a file")
    add.add_argument("--name", help="the set's name (a new set, or one to add items to)")
    add.add_argument("--category", help="the set's category (slug or name)")
    add.add_argument("--labels", help="a classification set's allowed answers: a,b,c")
    add.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    add.set_defaults(run=prompts_add_command)
    listing = actions.add_parser("list", help="the prompt sets with their items and answers")
    listing.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    listing.set_defaults(run=prompts_list_command)

    generate = commands.add_parser(
        "generate", help="generate a prompt set's missing answers (progress on stderr)",
        description="Every contestant answers every item of the set once, each model loaded "
                    "once per host; answers stored already are kept. Exit 0 when all are stored.")
    generate.add_argument("name", help="the prompt set's name")
    generate.add_argument("--models", help="only these contestants: m1,m2 (default: the set's "
                                           "chosen ones, else every model that takes part)")
    generate.add_argument("--host", action="append", metavar="URL",
                          help="an Ollama host, repeatable (default: the settings' hosts and "
                               "those added on the Models page)")
    generate.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    generate.set_defaults(run=generate_command)
    cli_accuracy.add_command(commands)
    cli_judge.add_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (VoteFileError, RatingInputError, SettingsError, ImportRejected) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        # Python would complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # sqlite3 and OS errors: one line, not a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
