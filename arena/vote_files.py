"""Reading vote files: CSV, JSON Lines or Parquet, ours or Chatbot Arena's.

Only model_a, model_b and winner are required; category, tstamp and counts are used when present.
"""

from __future__ import annotations

from pathlib import Path

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
           "read_votes_file"]


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
