"""`python -m arena …`: what users script. Each command prints a one-line reason and exits
non-zero when it cannot do its job."""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from arena import ratings
from arena.db import BattleFilter, PromptSetRefused, Store
from arena.files.checks import ImportRejected, RowErrors, VoteFileError, check_names
from arena.files.export import write_export
from arena.files.importer import import_file
from arena.files.read import counted_votes, read_votes_file
from arena.files.schema import is_own
from arena.files.set_file import parse_labels, read_set_file
from arena.files.spreadsheet import safe_csv
from arena.i18n import translate
from arena.prompt_sets import EXAMPLE_SETS, PromptSet, example_file
from arena.ratings import RatingInputError
from arena.settings import SettingsError, load_settings


class CommandError(Exception):
    """A reason to stop, shown to the user as one line."""


def open_store(path: str, read_only: bool = False) -> Store:
    """The database at `path`, waiting for other writers as long as the settings say."""
    return Store(path, read_only=read_only,
                 busy_timeout_s=load_settings().db_busy_timeout_s)


def open_for_reading(path: str) -> Store:
    """An existing arena database, read-only: nothing in the file can change, and a file that is
    not an up-to-date arena database is refused with a one-line reason."""
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such database (set --db or ARENA_DB)")
    try:
        return open_store(path, read_only=True)
    except sqlite3.DatabaseError as exc:  # NotArenaDatabase, NewerSchema, OlderSchema
        raise CommandError(str(exc)) from None


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


def _count_table_from_db(path: str) -> pd.DataFrame:
    with open_for_reading(path) as store:
        table = store.vote_counts(clusters=True)  # votes on one set item resampled together
        # Votes store category slugs; also accept a category's display name.
        table.attrs["aliases"] = _category_aliases(store)
    return table


def _count_table_from_file(path: str) -> pd.DataFrame:
    limits = load_settings().imports
    votes = read_votes_file(path, limits=limits)
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


def _select_category(table: pd.DataFrame, category: str | None) -> pd.DataFrame:
    if category is None or category == ratings.OVERALL:
        return ratings.category_table(table)
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
    return chosen


def _print_board(board: pd.DataFrame, form: str) -> None:
    if form == "json":
        records = board.assign(
            rating=board["rating"].round(2), ci_low=board["ci_low"].round(2),
            ci_high=board["ci_high"].round(2), win_rate=board["win_rate"].round(4),
        ).to_dict("records")
        print(json.dumps(records, ensure_ascii=False, indent=2, default=_plain))
    elif form == "csv":
        sys.stdout.write(safe_csv(board, float_format="%.2f"))
    elif board.empty:
        print("No counted votes yet.")
    else:
        shown = board.assign(
            rating=board["rating"].round().astype(int),
            interval=ratings.interval_text(board, minus="-"),
            win_rate=(board["win_rate"] * 100).round(1).astype(str) + "%",
            provisional=board["provisional"].map({True: "yes", False: ""}),
        )[["rank", "model", "rating", "interval", "votes", "win_rate", "provisional"]]
        print(shown.to_string(index=False))


def _plain(value):
    """JSON for numpy scalars."""
    return value.item() if hasattr(value, "item") else str(value)


def _say(key: str, **values: object) -> str:
    """A summary line in the arena's language (ARENA_LANG); errors stay in English."""
    return translate(load_settings().language, key, **values)


def _db_path(args: argparse.Namespace) -> str:
    return args.db or str(load_settings().db_path)


def leaderboard_command(args: argparse.Namespace) -> None:
    if args.rounds < 0:
        raise CommandError(f"--rounds {args.rounds}: must be 0 or more")
    if args.source_file:
        table = _count_table_from_file(args.source_file)
    else:
        table = _count_table_from_db(_db_path(args))
    board = ratings.leaderboard(_select_category(table, args.category), rounds=args.rounds,
                                seed=args.seed)
    _print_board(board, args.format)


def export_command(args: argparse.Namespace) -> None:
    out = args.out or f"arena-export.{args.format}"
    with open_for_reading(_db_path(args)) as store:
        category = None if args.category is None else _category_slug(store, args.category)
        count = write_export(store, out, args.format, BattleFilter(category=category))
    print(_say("cli.exported", count=count, path=out))


def import_command(args: argparse.Namespace) -> None:
    # Importing writes: it creates or migrates the database (never another program's file).
    limits = load_settings().imports
    path = _db_path(args)
    with _writing(path, "nothing was imported"), open_store(path) as store:
        result = import_file(store, args.file, limits)
    print(_say("cli.imported", count=result.added, path=args.file, skipped=result.skipped))


def migrate_command(args: argparse.Namespace) -> None:
    path = _db_path(args)
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such database (set --db or ARENA_DB)")
    with open_store(path) as store:
        print(f"{path}: schema version {store.schema_version()}")


def prompts_add_command(args: argparse.Namespace) -> None:
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
    example = EXAMPLE_SETS.get(args.example)
    name = args.name or example.prompt_set.name
    settings = load_settings()
    path = _db_path(args)
    # Adding writes: it creates or migrates the database (never another program's file).
    try:
        with _writing(path, "nothing was added"), open_store(path) as store:
            if example:
                category, labels = example.prompt_set.category, example.prompt_set.labels
            else:
                category = _category_slug(store, args.category)
                stored = store.prompt_set(name)
                labels = given_labels or (stored.labels if stored else ())
            source = example_file(args.example) if example else \
                contextlib.nullcontext(Path(args.file))
            with source as file:
                items = read_set_file(file, settings.imports, labels, settings.max_prompt_chars)
            added = store.add_prompt_set(PromptSet(name, category, labels), items)
    except PromptSetRefused as exc:
        raise CommandError(str(exc)) from None
    print(_say("cli.prompts_added", count=added, name=name, skipped=len(items) - added))


def prompts_list_command(args: argparse.Namespace) -> None:
    with open_for_reading(_db_path(args)) as store:
        sets = store.prompt_sets()
    if not sets:
        print(_say("cli.no_prompt_sets"))
        return
    table = pd.DataFrame(
        [(s.prompt_set.name, s.prompt_set.category, ", ".join(s.prompt_set.labels), s.items,
          s.answers, s.failed) for s in sets],
        columns=["name", "category", "labels", "items", "answers", "failed"])
    with pd.option_context("display.unicode.east_asian_width", True):  # Chinese names align
        print(table.to_string(index=False))


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
    board.add_argument("--format", choices=["table", "csv", "json"], default="table")
    board.set_defaults(run=leaderboard_command)

    export = commands.add_parser("export", help="battles and votes to a file")
    export.add_argument("--db", help="SQLite database (default: ARENA_DB, else data/arena.db)")
    export.add_argument("--format", choices=["csv", "jsonl", "parquet"], default="jsonl")
    export.add_argument("--out", help="file to write (default: arena-export.FORMAT)")
    export.add_argument("--category", help="only this category (slug or name)")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (CommandError, VoteFileError, RatingInputError, SettingsError,
            ImportRejected) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # sqlite3 and OS errors: one line, not a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
