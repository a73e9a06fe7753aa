"""Reading battle and vote files: CSV, JSON Lines (or one JSON array) or Parquet, this arena's
exports or Chatbot Arena's rows, within the import limits (arena.files.checks); `read_import`
checks every row of one (arena.files.rows) for the import.

Chatbot Arena style rows need only model_a, model_b and winner; category, tstamp and counts are
used when present.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from arena.files.checks import (
    PYARROW_MAX_OPENERS,
    ImportRejected,
    RowErrors,
    VoteFileError,
    check_file,
    check_parquet,
    check_shape,
    check_text,
    most_openers_on_a_line,
)
from arena.files.schema import (
    ARENA_REQUIRED,
    EXPORT_BATTLE_FIELDS,
    FLAT_SIDE,
    FLAT_TEXT_COLUMNS,
    NESTED_FOLLOWUPS,
    NESTED_IMAGES,
    NESTED_SIDES,
    SET_FIELDS,
    SIDE_FIELDS,
    VOTE_TEXT_COLUMNS,
    is_nested,
    is_own,
)
from arena.settings import ImportLimits

# The database's helpers (arena.db, and arena.files.rows that uses them) are imported by the
# functions that need them: reading a vote file for `leaderboard --from` loads no database code.

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".pq": "parquet"}
JSON_CHUNK = 5000  # objects made into columns at a time: parsed objects take far more memory


def file_format(path: Path, formats: dict[str, str] = FORMATS) -> str:
    """The kind of file its suffix says (`formats`: suffix -> kind), or a one-line refusal."""
    try:
        return formats[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(formats))
        raise VoteFileError(f"{path}: unknown file type {path.suffix!r} (use {known})") from None


def _is_json_array(path: Path) -> bool:
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
    (as lone surrogates) for arena.files.checks.check_text to name their rows."""
    try:
        array = _is_json_array(path)
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


def read_votes_file(path: str | Path, text_columns: list[str] = VOTE_TEXT_COLUMNS,
                    limits: ImportLimits = ImportLimits(),
                    dictionaries: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of a vote file as a data frame, with text columns read as text (in a CSV file
    also those of `text_columns`, so that an answer "007" stays "007"); a file that is not a
    regular file, or past the limits, is refused before it is read. What `python -m arena
    leaderboard --from` reads, and read_import for CSV and Parquet; no row is checked here.

    `dictionaries`: text columns of a Parquet file read as Categoricals, each distinct value
    once (a million votes name a few dozen models): much faster to read and to group."""
    path = Path(path)
    kind = file_format(path)
    check_file(path, limits)
    try:
        if kind == "csv":
            frame = _read_csv(path, text_columns, limits)
        elif kind == "jsonl":
            # One object per line, or (lmarena's clean_battle_*.json) one JSON array.
            frame = pd.read_json(path, lines=not _is_json_array(path),
                                 dtype={c: "string" for c in VOTE_TEXT_COLUMNS})
        else:
            check_parquet(path, limits)
            frame = pd.read_parquet(path, read_dictionary=list(dictionaries) or None)
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
    for column in VOTE_TEXT_COLUMNS:
        if column in frame.columns and frame[column].dtype != "string" \
                and not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("string")
    return frame


def _json_frame(path: Path, errors: RowErrors, limits: ImportLimits) -> pd.DataFrame:
    """A JSON file's objects as one flat frame indexed by row number, built JSON_CHUNK objects
    at a time (parsed objects take several times the memory of their columns); our nested sides are
    flattened. Values stay Python objects: no column is converted until it is checked."""
    frames, nested, chunk = [], None, []

    def flush() -> None:
        if chunk:
            frames.append(_json_chunk(chunk, nested, errors))
            chunk.clear()
            check_shape(path, None, len(frames[-1].columns), limits)

    for number, value in json_rows(path, errors, limits):
        if not isinstance(value, dict):
            errors.row(number, "not a JSON object")
            continue
        if nested is None:  # the first object tells our nested export from flat rows
            nested = is_nested(value)
        chunk.append((number, value))
        if len(chunk) == JSON_CHUNK:
            flush()
    flush()
    frame = pd.concat(frames) if frames else pd.DataFrame()
    check_shape(path, None, len(frame.columns), limits)
    return frame


def _json_chunk(numbered: list[tuple[int, dict]], nested: bool,
                errors: RowErrors) -> pd.DataFrame:
    from arena.db import columns_of

    objects = [o for _, o in numbered]
    if nested:
        names = [n for n in EXPORT_BATTLE_FIELDS if n not in ("model_a", "model_b")] + [
            NESTED_IMAGES, NESTED_FOLLOWUPS]
    else:  # flat rows (ours, or Chatbot Arena's) may carry any columns
        names = list(dict.fromkeys(name for o in objects for name in o))
    columns = columns_of(names, [tuple(map(o.get, names)) for o in objects])
    if nested:
        for side in "ab":
            sides = []
            for number, o in numbered:
                value = o.get(f"side_{side}")
                if not isinstance(value, dict):
                    errors.row(number, f"side_{side} is not an object")
                    value = {}
                sides.append(tuple(map(value.get, SIDE_FIELDS)))
            columns.update(columns_of([f"{FLAT_SIDE[n]}_{side}" for n in SIDE_FIELDS], sides))
    return pd.DataFrame(columns, index=pd.Index([n for n, _ in numbered]), dtype=object)


def _first_object(path: Path) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.loads(handle.readline())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def _line_count(path: Path) -> int:
    """Lines in a file, a last one without a newline included."""
    count, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 24):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _arrow_nested_frame(path: Path) -> pd.DataFrame | None:
    """Our own JSON Lines export read by pyarrow, several times faster than line by line with
    `json`; None when this is not such a file or pyarrow cannot read it whole (a broken line, a
    value of another type, a blank line that would shift row numbers): the line-by-line reader
    then says exactly what is wrong where."""
    first = _first_object(path)
    if not (isinstance(first, dict) and is_nested(first)):
        return None
    if most_openers_on_a_line(path) > PYARROW_MAX_OPENERS:
        return None  # pyarrow might crash the process; the line reader names the line
    try:
        table = pa_json.read_json(path)
    except (pa.ArrowException, OSError):
        return None
    if table.num_rows != _line_count(path) or not all(
            pa.types.is_struct(table.column(s).type) for s in NESTED_SIDES):
        return None
    rows = table.num_rows
    columns = {}
    for name in table.column_names:  # a column at a time, its Arrow copy let go as we go
        column = table.column(name)
        table = table.drop_columns([name])
        if name in NESTED_SIDES:
            for field in {f.name for f in column.type} & set(SIDE_FIELDS):
                columns[f"{FLAT_SIDE[field]}_{name[-1]}"] = _objects(
                    pc.struct_field(column, field).to_pylist())
        elif name == "options" and pa.types.is_struct(column.type):
            # pyarrow gives every row every key seen in any row: keep the ones it had.
            columns[name] = _objects([None if o is None else
                                      {k: v for k, v in o.items() if v is not None}
                                      for o in column.to_pylist()])
        else:
            columns[name] = _objects(column.to_pylist())
        del column
    return pd.DataFrame(columns, index=pd.RangeIndex(1, rows + 1), copy=False)


def _objects(values: list) -> np.ndarray:
    """A list as a one-dimensional array of Python objects (never split into dimensions)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo the CSV export's leading apostrophe (arena.files.spreadsheet) on every text cell."""
    for name in frame.columns.intersection(FLAT_TEXT_COLUMNS):
        text = frame[name].astype("string")
        marked = text.str.startswith("'").fillna(False).to_numpy(dtype=bool)
        if marked.any():
            frame[name] = text.where(~marked, text.str.slice(1))
    return frame


def read_import(path: str | Path, limits: ImportLimits = ImportLimits()) -> pd.DataFrame:
    """Every battle in the file, checked, as flat rows (FLAT_COLUMNS) ready for the store
    (arena.files.importer writes them; nothing is written here), with duplicates dropped;
    raises ImportRejected listing the bad rows (or VoteFileError for a file
    that cannot be read at all, or is past the limits)."""
    from arena.files.rows import arena_frame, own_frame

    path = Path(path)
    kind = file_format(path)
    check_file(path, limits)
    source = f"import:{path.name}"
    errors = RowErrors()
    if kind == "jsonl":
        raw = _arrow_nested_frame(path)
        if raw is None:
            raw = _json_frame(path, errors, limits)
        check_shape(path, len(raw), len(raw.columns), limits)
    else:
        raw = read_votes_file(path, text_columns=FLAT_TEXT_COLUMNS, limits=limits)
        raw.index = pd.RangeIndex(1, len(raw) + 1)
    if raw.empty:
        errors.raise_if_any(path)
        raise ImportRejected(str(path), ["the file has no rows"])
    if check_text(raw, limits, errors):
        errors.raise_if_any(path)  # such values must go no further (Arrow refuses them)
    own = is_own(raw.columns)
    if own:
        if kind == "csv":
            raw = _restore_formulas(raw)
        frame = own_frame(raw, source, errors, limits)
    else:
        missing = [c for c in ARENA_REQUIRED if c not in raw.columns]
        if missing:
            raise ImportRejected(str(path), [f"missing column(s): {', '.join(missing)}"])
        frame = arena_frame(raw, source, errors, limits)
    # The same id twice: fine when the rows are the same (kept once), refused when they differ.
    twice = frame["id"].duplicated(keep=False) & frame["id"].notna()
    if twice.any():
        distinct = frame[twice].drop_duplicates()
        errors.add(distinct["id"].duplicated(),
                   lambda v: f"id {v} appears twice with different content", distinct["id"])
        frame = frame.drop_duplicates()
    errors.raise_if_any(path)
    return frame


def counted_votes(path: str | Path, limits: ImportLimits = ImportLimits()) -> pd.DataFrame:
    """The votes of one of the arena's own exports that count, as vote rows (model_a, model_b,
    winner, category, and the prompt and set fields that say which item each is on): what
    `leaderboard --from` rates, so an export gives the board its database gave. Battles without
    a vote (failed, stopped, unvoted) and votes that do not count are left out; the file is
    checked whole, as for an import."""
    frame = read_import(path, limits)
    counted = frame["winner"].notna() & frame["counted"].eq(True)
    columns = ["model_a", "model_b", "winner", "category", "prompt", *SET_FIELDS]
    return frame.loc[counted, columns].reset_index(drop=True)
