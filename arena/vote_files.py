"""Reading vote files: CSV, JSON Lines (or one JSON array) or Parquet, ours or Chatbot Arena's,
within the import limits (arena.import_checks).

Only model_a, model_b and winner are required; category, tstamp and counts are used when present.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pandas as pd

from arena.import_checks import (
    ImportRejected,
    RowErrors,
    VoteFileError,
    check_file,
    check_parquet,
    check_shape,
    check_text,
)
from arena.settings import ImportLimits

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".pq": "parquet"}
TEXT_COLUMNS = ["model_a", "model_b", "winner", "category"]


__all__ = ["FORMATS", "ImportRejected", "VoteFileError", "file_format", "is_json_array",
           "json_rows", "read_votes_file"]


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise VoteFileError(f"{path}: unknown file type {path.suffix!r} (use {known})") from None


def is_json_array(path: Path) -> bool:
    """True for one JSON array (lmarena's clean_battle_*.json), False for JSON Lines."""
    with open(path, "rb") as handle:
        start = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"[")


_JSON_BLOCK = 1 << 20


def _parse(number: int, text: str, errors: RowErrors) -> tuple[bool, object]:
    """(parsed, value) of one line; a broken or too deep line is reported with its number."""
    try:
        return True, json.loads(text)
    except json.JSONDecodeError as exc:
        errors.row(number, f"broken JSON ({exc.msg})")
    except RecursionError:
        errors.row(number, "JSON nested too deeply")
    return False, None


def _array_items(handle, path: Path) -> Iterator[tuple[int, object]]:
    """(position, value) of each item of one JSON array, read a block at a time: memory is
    that of the largest item, not of the whole file parsed at once."""
    decoder = json.JSONDecoder()
    buffer, pos, number, ended = "", 0, 0, False

    def more() -> bool:
        nonlocal buffer, pos, ended
        block = handle.read(max(_JSON_BLOCK, len(buffer) - pos))  # doubles for a big item
        buffer, pos, ended = buffer[pos:] + block, 0, not block
        return bool(block)

    def next_char() -> str:
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n\ufeff":
                pos += 1
            if pos < len(buffer) or not more():
                return buffer[pos] if pos < len(buffer) else ""

    def broken(message: str):
        return ImportRejected(str(path), [f"row {number}: {message}" if number else message])

    if next_char() != "[":
        raise broken("broken JSON: not an array")
    pos += 1
    while True:
        char = next_char()
        if char == "]":
            pos += 1
            if next_char():
                raise broken("broken JSON: text after the array")
            return
        if number:
            if char != ",":
                raise broken("broken JSON: expected ',' or ']'")
            pos += 1
            next_char()
        number += 1
        while True:
            try:
                value, end = decoder.raw_decode(buffer, pos)
                if end < len(buffer) or ended or not more():
                    break  # complete, not cut short by the end of the buffer
            except json.JSONDecodeError as exc:
                if ended or not more():
                    raise broken(f"broken JSON ({exc.msg})") from None
            except RecursionError:
                raise broken("JSON nested too deeply") from None
        yield number, value
        pos = end


def json_rows(path: Path, errors: RowErrors,
              limits: ImportLimits) -> Iterator[tuple[int, object]]:
    """(row number, value) of a JSON Lines file (a line's number) or of one JSON array (a
    position in it). Broken lines are reported and skipped; bytes that are not UTF-8 are kept
    (as lone surrogates) for arena.import_checks.check_text to name their rows."""
    try:
        array = is_json_array(path)
        with open(path, encoding="utf-8-sig", errors="surrogateescape") as handle:
            if array:
                items = _array_items(handle, path)
            else:
                items = ((n, value) for n, line in enumerate(handle, start=1) if line.strip()
                         for parsed, value in [_parse(n, line, errors)] if parsed)
            for count, item in enumerate(items, start=1):
                if count > limits.max_rows:
                    check_shape(path, count, None, limits)
                yield item
    except OSError as exc:
        raise VoteFileError(f"{path}: cannot read it: {exc}") from None


def _read_csv(path: Path, text_columns: list[str], limits: ImportLimits) -> pd.DataFrame:
    header = pd.read_csv(path, nrows=0)
    check_shape(path, None, len(header.columns), limits)
    options = {"keep_default_na": False, "na_values": [""], "nrows": limits.max_rows + 1}
    try:
        return pd.read_csv(path, dtype={c: "string" for c in text_columns}, **options)
    except UnicodeDecodeError:
        # Read again keeping the bad bytes (as lone surrogates), to name the rows they are in.
        frame = pd.read_csv(path, dtype=object, encoding_errors="surrogateescape", **options)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        errors = RowErrors()
        check_text(frame, limits, errors)
        errors.raise_if_any(path)
        raise


def read_votes_file(path: str | Path, text_columns: list[str] = TEXT_COLUMNS,
                    limits: ImportLimits = ImportLimits()) -> pd.DataFrame:
    """The rows of a vote file as a data frame, with text columns read as text (in a CSV file
    also those of `text_columns`, so that an answer "007" stays "007"); a file that is not a
    regular file, or past the limits, is refused before it is read."""
    path = Path(path)
    kind = file_format(path)
    check_file(path, limits)
    try:
        if kind == "csv":
            frame = _read_csv(path, text_columns, limits)
        elif kind == "jsonl":
            # One object per line, or (lmarena's clean_battle_*.json) one JSON array.
            frame = pd.read_json(path, lines=not is_json_array(path),
                                 dtype={c: "string" for c in TEXT_COLUMNS})
        else:
            check_parquet(path, limits)
            frame = pd.read_parquet(path)
    except VoteFileError:
        raise
    except FileNotFoundError:
        raise VoteFileError(f"{path}: no such file") from None
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise VoteFileError(f"{path}: cannot read it as {kind}: {reason}") from None
    except Exception as exc:  # pyarrow's own errors for a damaged Parquet file, among others
        raise VoteFileError(f"{path}: cannot read it as {kind}: {exc}") from None
    check_shape(path, len(frame), len(frame.columns), limits)
    for column in ("model_a", "model_b", "winner", "category"):
        if column in frame.columns and frame[column].dtype != "string":
            frame[column] = frame[column].astype("string")
    return frame
