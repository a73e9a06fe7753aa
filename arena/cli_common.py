"""What the command line's commands share (arena.cli and the command modules beside it): the
one-line error, opening the database, and printing a table as text, CSV or JSON."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from arena.files.spreadsheet import safe_csv
from arena.settings import load_settings

if TYPE_CHECKING:
    from arena.db import Store

FORMATS = ["table", "csv", "json"]


class CommandError(Exception):
    """A reason to stop, shown to the user as one line."""

    exit_code = 1


def db_path(args: argparse.Namespace) -> str:
    """The database a command works on: --db, else the settings' (ARENA_DB)."""
    return args.db or str(load_settings().db_path)


def open_store(path: str, read_only: bool = False) -> Store:
    """The database at `path`, waiting for other writers as long as the settings say."""
    from arena.db import Store  # here, not above: `leaderboard --from FILE` needs no database

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


def print_table(frame: pd.DataFrame, form: str, rounding: Mapping[str, int],
                shown: Callable[[pd.DataFrame], pd.DataFrame], empty: str,
                csv_float_format: str | None = None) -> None:
    """`frame` on stdout in one of FORMATS: JSON records (numbers rounded as `rounding` says,
    missing ones null), CSV (safe for spreadsheets; floats as `csv_float_format`, else rounded as
    in JSON), or for people `shown(frame)` as aligned text, `empty` when there are no rows."""
    if form == "json":
        rounded = frame.round(dict(rounding))
        records = rounded.astype(object).where(rounded.notna(), None).to_dict("records")
        print(json.dumps(records, ensure_ascii=False, indent=2, default=_plain))
    elif form == "csv":
        sys.stdout.write(safe_csv(frame, float_format=csv_float_format) if csv_float_format
                         else safe_csv(frame.round(dict(rounding))))
    elif frame.empty:
        print(empty)
    else:
        with pd.option_context("display.unicode.east_asian_width", True):  # Chinese aligns
            print(shown(frame).to_string(index=False))


def _plain(value):
    """JSON for numpy scalars."""
    return value.item() if hasattr(value, "item") else str(value)


def say(key: str, **values: object) -> str:
    """A summary line in the arena's language (ARENA_LANG); errors stay in English."""
    from arena.i18n import translate  # Babel: only for lines people read, not --format json

    return translate(load_settings().language, key, **values)


def follow_run(run, bar, draw: Callable, poll_s: float):
    """Draw a started background run's progress (arena.background_run) on a tqdm `bar` with
    `draw(bar, status)` until the run ends; Ctrl-C stops it. Returns its last status and
    whether Ctrl-C stopped it. The bar is closed."""
    interrupted = False
    try:
        while not run.wait(poll_s):
            draw(bar, run.status())
    except KeyboardInterrupt:
        interrupted = True
        run.stop()
    status = run.status()
    draw(bar, status)
    bar.close()
    return status, interrupted
