"""Checks an imported file passes before and while it is read, so that a hostile or broken file
is refused with the file and the row named, nothing written, and memory bounded by the limits
(arena.settings.ImportLimits): not a regular file, too big, too many rows or columns, a value
too long, text that is not valid Unicode, a model name with control characters, JSON nested
too deep for pyarrow's reader, Parquet columns that hold lists or records."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from arena.files.schema import IMAGE_FIELDS
from arena.settings import ImportLimits

MAX_ERRORS = 20  # errors listed before the rest are only counted
MAX_MESSAGE = 300  # characters of one row's error: a 5 MB value is not quoted whole
# pyarrow's JSON reader crashes the whole process on a line nested some 20,000 deep (10,000 is
# fine): a file with a line that may nest deeper than this never reaches it.
PYARROW_MAX_OPENERS = 5000
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SCAN_BLOCK = 1 << 24


class VoteFileError(ValueError):
    """A file that cannot be read as votes; the message names the file."""


class ImportRejected(VoteFileError):
    """A file that cannot be imported; `errors` lists 'row N: reason' lines."""

    def __init__(self, path: str, errors: list[str], total: int | None = None):
        self.errors = errors
        more = (total or len(errors)) - len(errors)
        shown = "; ".join(errors) + (f"; and {more} more" if more > 0 else "")
        super().__init__(f"{path}: {shown}")


class RowErrors:
    """Bad rows found column by column, reported in row order."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.total = 0

    def add(self, bad: pd.Series, message: Callable[[object], str],
            values: pd.Series | None = None) -> None:
        """Rows where `bad` is true; `message` is given the row's value from `values`."""
        rows = bad.index[bad.to_numpy(dtype=bool)]
        self.total += len(rows)
        for row in rows[:MAX_ERRORS]:
            self.found.append((row, _short(message(None if values is None else values[row]))))

    def row(self, number: int, message: str) -> None:
        self.total += 1
        if len(self.found) < 10 * MAX_ERRORS:
            self.found.append((number, _short(message)))

    def raise_if_any(self, path: Path) -> None:
        if self.found:
            shown = [f"row {n}: {m}" for n, m in sorted(self.found, key=lambda e: e[0])]
            raise ImportRejected(str(path), shown[:MAX_ERRORS], self.total)


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…"


_KINDS = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]


def check_file(path: Path, limits: ImportLimits) -> None:
    """A regular file (after symbolic links) no bigger than the limit; checked before a byte
    is read, since reading a pipe blocks and reading /dev/zero never ends."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise VoteFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise VoteFileError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((k for test, k in _KINDS if test(info.st_mode)), "not a file")
        raise VoteFileError(f"{path}: not a regular file ({kind}); nothing was read")
    if info.st_size > limits.max_bytes:
        raise VoteFileError(
            f"{path}: {info.st_size / 1024 / 1024:,.1f} MB, over the import limit of "
            f"{limits.max_mb:g} MB (ARENA_IMPORT_MAX_MB)")


def check_shape(path: Path, rows: int | None, columns: int | None,
                limits: ImportLimits) -> None:
    if rows is not None and rows > limits.max_rows:
        raise VoteFileError(f"{path}: more than {limits.max_rows:,} rows, the import limit "
                            f"(ARENA_IMPORT_MAX_ROWS)")
    if columns is not None and columns > limits.max_columns:
        raise VoteFileError(f"{path}: {columns:,} columns, over the import limit of "
                            f"{limits.max_columns} (ARENA_IMPORT_MAX_COLUMNS)")


def check_parquet(path: Path, limits: ImportLimits) -> None:
    """Rows, columns and column types from the file's footer, before any data is read: a column
    of lists or records would otherwise be turned into text such as `['m1' 'm2']`."""
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except (pa.ArrowException, OSError) as exc:
        raise VoteFileError(f"{path}: cannot read it as parquet: {exc}") from None
    check_shape(path, meta.num_rows, len(schema), limits)
    nested = [f"{f.name} ({f.type})" for f in schema
              if pa.types.is_nested(f.type) or pa.types.is_binary(f.type)
              or pa.types.is_large_binary(f.type) or pa.types.is_fixed_size_binary(f.type)
              or (pa.types.is_dictionary(f.type) and pa.types.is_nested(f.type.value_type))]
    if nested:
        raise VoteFileError(f"{path}: column(s) holding lists, records or bytes rather than "
                            f"single values: {', '.join(nested)}")


def text_problem(value: str, limit: int) -> str | None:
    """What is wrong with one text value of an imported file (too long, not valid Unicode), or
    None."""
    if len(value) > limit:
        return f"is {len(value):,} characters long (ARENA_IMPORT_MAX_FIELD_CHARS={limit:,})"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        what = ("invalid UTF-8 bytes" if 0xDC80 <= code <= 0xDCFF
                else f"a lone surrogate (U+{code:04X})")
        return f"is not valid text: {what} at character {exc.start + 1}"
    return None


def check_text(frame: pd.DataFrame, limits: ImportLimits, errors: RowErrors,
               structured: tuple[str, ...] = ("options", "reasons", "followups")) -> list[str]:
    """Every text value of the raw frame: no longer than the limit, valid Unicode (a lone
    surrogate from a JSON escape, or an undecodable byte kept as one); and no list or object
    where a single value belongs (only the `structured` columns may hold them), which would
    otherwise become text such as `['m1', 'm2']`. Fast when all is well: a column at a time;
    rows are only looked at one by one in a column found bad. Returns the columns found bad
    (they must not be converted any further)."""
    bad_columns = []
    for name in frame.columns:
        if name in IMAGE_FIELDS:
            continue  # longer than any text, and checked image by image (arena.files.images)
        if name not in structured and frame[name].dtype == object:
            values = frame[name]
            if any(type(v) is list or type(v) is dict for v in values.to_numpy()):
                bad_columns.append(name)
                kinds = values.map(lambda v: {list: "a list", dict: "an object"}.get(type(v)))
                errors.add(kinds.notna(),
                           lambda kind, n=name: f"{n} is {kind}, not a single value", kinds)
                continue
        values = frame[name]
        if pd.api.types.is_string_dtype(values) and values.dtype != object:
            # Text pandas holds in Arrow: valid UTF-8 already; only its length to check.
            long = (values.str.len() > limits.max_field_chars).fillna(False)
            if long.any():
                bad_columns.append(name)
                errors.add(long, lambda v, n=name: f"{n} {text_problem(v, limits.max_field_chars)}",
                           values)
            continue
        if values.dtype != object:
            continue  # numbers
        strings = [v for v in values.to_numpy() if type(v) is str]
        if not strings:
            continue
        longest = max(map(len, strings))
        try:
            if longest <= limits.max_field_chars:
                "".join(strings).encode("utf-8")
                continue
        except UnicodeEncodeError:
            pass
        finally:
            del strings
        bad_columns.append(name)
        for row, value in values.items():
            if type(value) is str and (reason := text_problem(value, limits.max_field_chars)):
                errors.row(row, f"{name} {reason}")
    return bad_columns


def check_names(values: pd.Series, name: str, limits: ImportLimits,
                errors: RowErrors) -> None:
    """Model names: no control characters (they break every table and file they reach), not
    longer than the limit. Each distinct name is checked once: a vote file repeats a few dozen
    names a million times."""
    if isinstance(values.dtype, pd.CategoricalDtype):  # read as a dictionary: its own codes
        codes, distinct = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, distinct = pd.factorize(values.astype("string"))  # −1: no name
    names = pd.Series(distinct, dtype="string")

    def rows_where(flags: pd.Series) -> pd.Series:
        per_name = np.append(flags.fillna(False).to_numpy(dtype=bool), False)
        return pd.Series(per_name[codes], index=values.index)

    control = rows_where(names.str.contains(CONTROL.pattern, regex=True))
    errors.add(control, lambda v: f"{name} has a control character "
                                  f"(U+{ord(CONTROL.search(v).group()):04X})", values)
    long = rows_where(names.str.len() > limits.max_name_chars) & ~control
    errors.add(long, lambda v: f"{name} is {len(v):,} characters long "
                               f"(ARENA_IMPORT_MAX_NAME_CHARS={limits.max_name_chars})", values)


def most_openers_on_a_line(path: Path) -> int:
    """The most opening brackets (`[`, `{`, strings included) on any one line of a file: an
    upper bound of how deep a JSON Lines file nests, found without parsing (only brackets and
    newlines are kept, a block at a time)."""
    most, carried = 0, 0
    with open(path, "rb") as handle:
        while block := handle.read(_SCAN_BLOCK):
            counts = list(map(len, block.translate(None, _NOT_OPENERS).split(b"\n")))
            counts[0] += carried  # the line the last block ended in
            carried = counts[-1]
            most = max(most, *counts)
    return most


_NOT_OPENERS = bytes(b for b in range(256) if b not in b"[{\n")
