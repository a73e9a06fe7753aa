"""Battles in and out: export to CSV, JSON Lines or Parquet, and import them back (or Chatbot Arena
style vote rows) with everything validated before anything is written.

Two shapes:
- nested (JSON Lines): one battle per line, its sides as objects, its vote's fields beside it;
- flat (CSV, Parquet): one row per battle, side fields suffixed `_a` / `_b`.

`model_a` / `model_b` are always the contestant names (see arena.records.contestant), and `winner`
uses Chatbot Arena's labels, so the files load straight into its tools.

Both directions work a column at a time (pyarrow for writing flat files, pandas for checking
imports) rather than building an object per battle: at 100,000 battles, per-row Python is what
takes the time.
"""

from __future__ import annotations

import json
import re
import tempfile
import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from arena.import_checks import (
    MAX_ERRORS,
    PYARROW_MAX_OPENERS,
    ImportRejected,
    RowErrors,
    VoteFileError,
    check_file,
    check_names,
    check_shape,
    check_text,
    most_openers_on_a_line,
)
from arena.records import (
    FLAG_WORDS,
    STATUS_COMPLETE,
    STATUS_FAILED,
    THINK_MODES,
    WINNERS,
    Side,
    contestant,
    iso_utc,
    utc_now,
)
from arena.spreadsheet import neutralise_formulas
from arena.db import (
    ROW_COLUMNS,
    VOTE_COLUMNS,
    BattleFilter,
    Store,
    columns_of,
    options_text,
)
from arena.settings import ImportLimits
from arena.vote_files import file_format, json_rows, read_votes_file

__all__ = ["MAX_ERRORS", "ImportRejected", "ImportResult", "VoteFileError", "import_file",
           "read_import", "records", "write_export", "export_bytes"]

SIDE_FIELDS = [f.name for f in fields(Side)]
# Flat names of the side fields: the raw Ollama model is `ollama_model_a`, since `model_a` is the
# contestant name that arena tools expect.
FLAT_SIDE = {name: ("ollama_model" if name == "model" else name) for name in SIDE_FIELDS}
BATTLE_COLUMNS = ["id", "tstamp", "category", "model_a", "model_b", "winner", "voter", "voted_at",
                  "counted", "not_counted_reason", "status", "failure_reason", "source", "prompt",
                  "system_prompt", "options"]
FLAT_COLUMNS = BATTLE_COLUMNS + [f"{FLAT_SIDE[n]}_{s}" for s in "ab" for n in SIDE_FIELDS]
INTEGER_COLUMNS = [f"{n}_{s}" for s in "ab" for n in ("prompt_tokens", "output_tokens")]
FLOAT_COLUMNS = [f"{n}_{s}" for s in "ab" for n in ("ttft_s", "total_s", "load_s",
                                                   "tokens_per_s")]
FLAT_SCHEMA = pa.schema([
    (name, pa.int64() if name in INTEGER_COLUMNS else pa.float64() if name in FLOAT_COLUMNS
     else pa.bool_() if name == "counted" else pa.string())
    for name in FLAT_COLUMNS])
TEXT_COLUMNS = [f.name for f in FLAT_SCHEMA if f.type == pa.string()]
# Where the flat columns come from in the store's rows (arena.db.ROW_COLUMNS).
_FROM_STORE = {"tstamp": "created_at", "counted": "counts",
               **{f"{FLAT_SIDE[n]}_{s}": f"{n}_{s}" for s in "ab" for n in SIDE_FIELDS}}
# What makes a file ours (rather than Chatbot Arena style rows): the whole battle is in it.
OWN_MARKERS = {"id", "prompt", "answer_a", "answer_b", "ollama_model_a", "ollama_model_b"}
IMPORT_NAMESPACE = uuid.UUID("6f1c3b2e-0d4a-4c59-9a57-7d1c5f0e2b11")
CHUNK = 5000  # battles per piece of an export: bounds memory whatever the size
UNIX_TIME = re.compile(r"\d+(\.\d*)?")
OUR_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")  # arena.records.iso_utc


# --- export ---------------------------------------------------------------------------------


def flat_columns(rows: list[tuple]) -> dict[str, list]:
    """Store rows (arena.db.ROW_COLUMNS) as the flat file's columns, in FLAT_COLUMNS order."""
    stored = columns_of(ROW_COLUMNS, rows)
    flat = {}
    for name in FLAT_COLUMNS:
        if name in ("model_a", "model_b"):
            side = name[-1]
            flat[name] = list(map(contestant, stored[f"model_{side}"], stored[f"think_{side}"]))
        elif name == "counted":
            flat[name] = [None if c is None else bool(c) for c in stored["counts"]]
        else:
            flat[name] = stored[_FROM_STORE.get(name, name)]
    return flat


def nested_records(rows: list[tuple]) -> Iterator[dict]:
    """Store rows as nested records: the battle and its vote, each side an object."""
    flat = flat_columns(rows)
    for k in range(len(rows)):
        record = {name: flat[name][k] for name in BATTLE_COLUMNS}
        record["options"] = json.loads(record["options"])
        for side in "ab":
            record[f"side_{side}"] = {n: flat[f"{FLAT_SIDE[n]}_{side}"][k] for n in SIDE_FIELDS}
        yield record


def records(store: Store, where: BattleFilter = BattleFilter()) -> Iterator[dict]:
    """The battles a filter selects, oldest first, with their votes, as nested records."""
    for rows in store.battle_rows(where, chunk=CHUNK):
        yield from nested_records(rows)


def write_export(store: Store, path: str | Path, form: str,
                 where: BattleFilter = BattleFilter()) -> int:
    """Write the battles a filter selects to `path` as csv, jsonl or parquet, a chunk at a time;
    returns how many."""
    if form not in ("csv", "jsonl", "parquet"):
        raise ValueError(f"unknown export format {form!r}")
    count = 0
    chunks = store.battle_rows(where, chunk=CHUNK)
    if form == "jsonl":
        with open(path, "w", encoding="utf-8") as out:
            for rows in chunks:
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n"
                               for r in nested_records(rows))
                count += len(rows)
        return count
    with open(path, "wb") as out:
        if form == "csv":
            out.write("\ufeff".encode())  # a byte-order mark, so that Excel reads UTF-8
            # Every text cell is quoted, numbers are not, and a missing value is an empty cell.
            writer = pa_csv.CSVWriter(out, FLAT_SCHEMA)
        else:
            writer = pq.ParquetWriter(out, FLAT_SCHEMA)
        with writer:
            for rows in chunks:
                table = pa.table(flat_columns(rows), schema=FLAT_SCHEMA)
                writer.write_table(neutralise_formulas(table) if form == "csv" else table)
                count += len(rows)
    return count


def export_bytes(store: Store, where: BattleFilter, form: str) -> bytes:
    """An export of the battles a filter selects, as the bytes of a file (for a download)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{form}"
        write_export(store, path, form, where)
        return path.read_bytes()


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    added: int
    skipped: int  # already in the database (same id)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype=object)


def _blank(values: pd.Series) -> pd.Series:
    blank = values.isna()
    if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        blank |= (values == "").fillna(False).astype(bool)
    return blank


def _text(values: pd.Series, default: str | None = "") -> pd.Series:
    """Values as Python text (numbers written out), blanks as `default`."""
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) not in (
            "string", "empty"):
        values = values.astype("string").astype(object)
    blank = values.isna()
    if default != "":  # an empty text is already its own default
        blank |= values == ""
    return values.where(~blank, default)


def _numbers(values: pd.Series, name: str, errors: RowErrors, whole: bool = False) -> pd.Series:
    """Values as Python floats (or ints), blanks as None; anything else is a bad row."""
    blank = _blank(values)
    numbers = pd.to_numeric(values.where(~blank), errors="coerce")
    errors.add(numbers.isna() & ~blank, lambda v: f"{name} is {v!r}, not a number", values)
    if whole:
        errors.add(numbers.notna() & (numbers % 1 != 0),
                   lambda v: f"{name} is {v!r}, not a whole number", values)
        return numbers.astype(object).where(numbers.notna(), None).map(
            lambda v: v if v is None else int(v))
    return numbers.astype(object).where(numbers.notna(), None)


def _unknown_winner(label) -> str:
    return f"unknown winner label {label!r} (expected one of {', '.join(WINNERS)})"


def _one_of(values: pd.Series, allowed: tuple[str, ...], errors: RowErrors,
            message: Callable[[object], str]) -> None:
    errors.add(values.notna() & ~values.isin(allowed), message, values)


def _tstamp(value) -> str:
    """ISO 8601 UTC from an ISO string or a Unix time (Chatbot Arena's `tstamp`)."""
    if isinstance(value, str) and UNIX_TIME.fullmatch(value.strip()):
        value = float(value)  # a CSV file's Unix time arrives as text
    if isinstance(value, (int, float)):
        stamp = datetime.fromtimestamp(float(value), tz=timezone.utc)
    else:
        try:
            stamp = datetime.fromisoformat(str(value))
        except ValueError:  # forms Python does not read; pandas reads most of the rest
            stamp = pd.Timestamp(str(value)).to_pydatetime()
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
    return iso_utc(stamp)


def _times(values: pd.Series, name: str, errors: RowErrors) -> pd.Series:
    """Times as our ISO 8601 UTC text (kept as they are when already in it); blanks None."""
    blank = _blank(values)
    text = values.astype("string")
    ours = text.str.fullmatch(OUR_TIME).fillna(False)
    # In our form, but a real time? (A 30 February must not get through unchecked.)
    real = pd.to_datetime(text.where(ours), format="%Y-%m-%dT%H:%M:%S.%fZ", errors="coerce")
    ours &= real.notna()
    times = values.astype(object).where(~blank, None)
    others = (~blank & ~ours).to_numpy(dtype=bool)
    if others.any():
        converted = []
        for row, value in values[others].items():
            try:
                converted.append(_tstamp(value.item() if isinstance(value, np.generic) else value))
            except (ValueError, TypeError, OverflowError, OSError):
                errors.row(row, f"{name} is {value!r}, not a time")
                converted.append(None)
        times[others] = converted
    return times


def _counted(values: pd.Series, name: str, rows: pd.Series, errors: RowErrors) -> pd.Series:
    """Whether each vote counts (blank: it does); any other word than yes/no is a bad row."""
    flags = values.astype("string").str.strip().str.lower().map(FLAG_WORDS)
    blank = _blank(values)
    errors.add(rows & ~blank & flags.isna(), lambda v: f"{name} is {v!r}, not true or false",
               values)
    return flags.astype(object).where(~blank, True)


def _options(value) -> str:
    """A battle's options as the JSON text the store keeps (keys sorted)."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    elif value is None or (isinstance(value, float) and value != value):
        value = {}
    if not isinstance(value, dict):
        raise ValueError("options is not an object")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # would be stored escaped, then break every export
        raise ValueError("options is not valid text (a lone surrogate or bytes that are not "
                         "UTF-8)") from None
    return options_text(value)


def _not_itself(model_a: pd.Series, model_b: pd.Series, errors: RowErrors) -> None:
    """A contestant against itself would count as a tie with itself: no such battle."""
    errors.add((model_a == model_b) & (model_a != ""),
               lambda name: f"model_a and model_b are the same model ({name})", model_a)


def _own_frame(raw: pd.DataFrame, source: str, errors: RowErrors,
               limits: ImportLimits) -> pd.DataFrame:
    """Our own export's rows, checked and put in the form the store takes."""
    out = pd.DataFrame(index=raw.index)
    out["id"] = _text(_column(raw, "id"), None)
    errors.add(out["id"].isna(), lambda _: "id is empty")
    out["status"] = _text(_column(raw, "status"), STATUS_COMPLETE)
    _one_of(out["status"], (STATUS_COMPLETE, STATUS_FAILED), errors,
            lambda v: f"status is {v!r}")
    for side in "ab":
        for name in SIDE_FIELDS:
            column = f"{FLAT_SIDE[name]}_{side}"
            values = _column(raw, column)
            if column in INTEGER_COLUMNS or column in FLOAT_COLUMNS:
                out[column] = _numbers(values, column, errors, whole=column in INTEGER_COLUMNS)
            elif name in ("done_reason", "error_kind", "error"):
                out[column] = _text(values, None)
            else:
                out[column] = _text(values, "default" if name == "think" else "")
        _one_of(out[f"think_{side}"], THINK_MODES, errors,
                lambda v, s=side: f"think_{s} is {v!r}, not one of {', '.join(THINK_MODES)}")
        errors.add(out[f"ollama_model_{side}"] == "",
                   lambda _, s=side: f"the model of side {s} is empty")
        check_names(out[f"ollama_model_{side}"], f"ollama_model_{side}", limits, errors)
        think = out[f"think_{side}"].where(out[f"think_{side}"].isin(THINK_MODES), "default")
        out[f"model_{side}"] = list(map(contestant, out[f"ollama_model_{side}"], think))
    _not_itself(out["model_a"], out["model_b"], errors)
    out["tstamp"] = _times(_column(raw, "tstamp"), "tstamp", errors)
    out["tstamp"] = out["tstamp"].where(out["tstamp"].notna(), utc_now())
    out["category"] = _text(_column(raw, "category"), "general")
    for name in ("prompt", "system_prompt"):
        out[name] = _text(_column(raw, name))
    for name in ("failure_reason", "not_counted_reason"):
        out[name] = _text(_column(raw, name), None)
    out["source"] = _text(_column(raw, "source"), source)
    options = []
    for row, value in _column(raw, "options").items():
        try:
            options.append(_options(value))
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            errors.row(row, str(exc) if "options" in str(exc) else f"options is not JSON: {exc}")
            options.append("{}")
        except RecursionError:
            errors.row(row, "options nested too deeply")
            options.append("{}")
    out["options"] = options

    winner = _text(_column(raw, "winner"), None)
    voted = winner.notna()
    _one_of(winner, WINNERS, errors, _unknown_winner)
    errors.add(voted & (out["status"] == STATUS_FAILED),
               lambda _: "a failed battle cannot have a vote")
    out["winner"] = winner
    out["counted"] = _counted(_column(raw, "counted"), "counted", voted, errors).where(voted, None)
    out["voter"] = _text(_column(raw, "voter"), "imported").where(voted, None)
    voted_at = _times(_column(raw, "voted_at"), "voted_at", errors)
    out["voted_at"] = voted_at.where(voted_at.notna(), out["tstamp"]).where(voted, None)
    return out[FLAT_COLUMNS]


def _arena_frame(raw: pd.DataFrame, source: str, errors: RowErrors,
                 limits: ImportLimits) -> pd.DataFrame:
    """Chatbot Arena style rows: only the pair, the winner and perhaps category, time, id."""
    out = pd.DataFrame(index=raw.index)
    model_a, model_b = _text(raw["model_a"]), _text(raw["model_b"])
    check_names(model_a, "model_a", limits, errors)
    check_names(model_b, "model_b", limits, errors)
    errors.add((model_a == "") | (model_b == ""), lambda _: "model_a and model_b are required")
    _not_itself(model_a, model_b, errors)
    winner = _text(raw["winner"], None)
    errors.add(~winner.isin(WINNERS), _unknown_winner, raw["winner"])
    category = _text(_column(raw, "category"), "general")
    tstamp = _column(raw, "tstamp")
    times = _times(tstamp, "tstamp", errors)
    out["id"] = _text(_column(raw, "id"), None)
    missing = out["id"].isna().to_numpy(dtype=bool)
    if missing.any():
        # Stable across re-imports of the same file: the row's content and how many identical
        # rows came before it.
        content = pd.DataFrame({"a": model_a, "b": model_b, "w": winner.fillna(""),
                                "c": category, "t": _text(tstamp)})[missing]
        occurrence = content.groupby(list(content.columns), sort=False).cumcount() + 1
        out.loc[missing, "id"] = [
            str(uuid.uuid5(IMPORT_NAMESPACE, "\x1f".join([*key, str(n)])))
            for key, n in zip(content.itertuples(index=False, name=None), occurrence)]
    out["tstamp"] = times.where(times.notna(), utc_now())
    out["category"] = category
    out["model_a"], out["model_b"], out["winner"] = model_a, model_b, winner
    out["voter"] = _text(_column(raw, "voter"), "imported")
    name = "counted" if "counted" in raw.columns else "counts"
    out["voted_at"] = out["tstamp"]
    out["counted"] = _counted(_column(raw, name), name, winner.notna(), errors)
    out["status"], out["source"], out["options"] = STATUS_COMPLETE, source, "{}"
    out["prompt"] = out["system_prompt"] = ""
    for side, model in (("a", model_a), ("b", model_b)):
        out[f"ollama_model_{side}"], out[f"think_{side}"] = model, "default"
        for name in ("digest", "host", "answer", "thinking"):
            out[f"{name}_{side}"] = ""
    for name in FLAT_COLUMNS:
        if name not in out.columns:
            out[name] = None
    return out[FLAT_COLUMNS]


def _is_nested(columns) -> bool:
    """Our JSON Lines export: each side an object."""
    return {"id", "side_a", "side_b"} <= set(columns)


def _is_own(columns) -> bool:
    return OWN_MARKERS <= set(columns) or _is_nested(columns)


def _json_frame(path: Path, errors: RowErrors, limits: ImportLimits) -> pd.DataFrame:
    """A JSON file's objects as one flat frame indexed by row number, built CHUNK objects at a
    time (parsed objects take several times the memory of their columns); our nested sides are
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
            nested = _is_nested(value)
        chunk.append((number, value))
        if len(chunk) == CHUNK:
            flush()
    flush()
    frame = pd.concat(frames) if frames else pd.DataFrame()
    check_shape(path, None, len(frame.columns), limits)
    return frame


def _json_chunk(numbered: list[tuple[int, dict]], nested: bool,
                errors: RowErrors) -> pd.DataFrame:
    objects = [o for _, o in numbered]
    if nested:
        names = [n for n in BATTLE_COLUMNS if n not in ("model_a", "model_b")]
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
    if not (isinstance(first, dict) and _is_nested(first)):
        return None
    if most_openers_on_a_line(path) > PYARROW_MAX_OPENERS:
        return None  # pyarrow might crash the process; the line reader names the line
    try:
        table = pa_json.read_json(path)
    except (pa.ArrowException, OSError):
        return None
    if table.num_rows != _line_count(path) or not all(
            pa.types.is_struct(table.column(s).type) for s in ("side_a", "side_b")):
        return None
    rows = table.num_rows
    columns = {}
    for name in table.column_names:  # a column at a time, its Arrow copy let go as we go
        column = table.column(name)
        table = table.drop_columns([name])
        if name in ("side_a", "side_b"):
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
    """Undo the CSV export's leading apostrophe (arena.spreadsheet) on every text cell."""
    for name in frame.columns.intersection(TEXT_COLUMNS):
        text = frame[name].astype("string")
        marked = text.str.startswith("'").fillna(False).to_numpy(dtype=bool)
        if marked.any():
            frame[name] = text.where(~marked, text.str.slice(1))
    return frame


def read_import(path: str | Path, limits: ImportLimits = ImportLimits()) -> pd.DataFrame:
    """Every battle in the file, checked, as flat rows (FLAT_COLUMNS) ready for the store, with
    duplicates dropped; raises ImportRejected listing the bad rows (or VoteFileError for a file
    that cannot be read at all, or is past the limits)."""
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
        raw = read_votes_file(path, text_columns=TEXT_COLUMNS, limits=limits)
        raw.index = pd.RangeIndex(1, len(raw) + 1)
    if raw.empty:
        errors.raise_if_any(path)
        raise ImportRejected(str(path), ["the file has no rows"])
    if check_text(raw, limits, errors):
        errors.raise_if_any(path)  # such values must go no further (Arrow refuses them)
    own = _is_own(raw.columns)
    if own:
        if kind == "csv":
            raw = _restore_formulas(raw)
        frame = _own_frame(raw, source, errors, limits)
    else:
        missing = [c for c in ("model_a", "model_b", "winner") if c not in raw.columns]
        if missing:
            raise ImportRejected(str(path), [f"missing column(s): {', '.join(missing)}"])
        frame = _arena_frame(raw, source, errors, limits)
    # The same id twice: fine when the rows are the same (kept once), refused when they differ.
    twice = frame["id"].duplicated(keep=False) & frame["id"].notna()
    if twice.any():
        distinct = frame[twice].drop_duplicates()
        errors.add(distinct["id"].duplicated(),
                   lambda v: f"id {v} appears twice with different content", distinct["id"])
        frame = frame.drop_duplicates()
    errors.raise_if_any(path)
    return frame


def _store_columns(frame: pd.DataFrame) -> tuple[dict, dict, dict]:
    """Checked flat rows as the store's battle, side and vote columns."""
    def values(name: str) -> list:
        return frame[name].tolist()

    battles = {"id": values("id"), "created_at": values("tstamp"),
               **{n: values(n) for n in ("category", "prompt", "system_prompt", "options",
                                          "status", "failure_reason", "source")}}
    ids = battles["id"]
    sides = {"battle_id": ids + ids, "side": ["a"] * len(ids) + ["b"] * len(ids),
             **{n: values(f"{FLAT_SIDE[n]}_a") + values(f"{FLAT_SIDE[n]}_b")
                for n in SIDE_FIELDS}}
    voted = frame[frame["winner"].notna()]
    votes = dict(zip(VOTE_COLUMNS, [
        voted["id"].tolist(), voted["winner"].tolist(), voted["voter"].tolist(),
        voted["voted_at"].tolist(), [int(c) for c in voted["counted"]],
        voted["not_counted_reason"].tolist(), voted["category"].tolist(),
        voted["tstamp"].tolist(), voted["model_a"].tolist(), voted["model_b"].tolist()]))
    return battles, sides, votes


def _as_known_categories(store: Store, values: pd.Series) -> pd.Series:
    """A file's categories as this arena's: one that matches a category's slug or name,
    whatever the case, is that category; any other is new (and created with the battles)."""
    known = {}
    for category in store.categories():
        known.setdefault(category.name.lower(), category.slug)
        known[category.slug.lower()] = category.slug  # a slug match wins over a name match
    return values.map({v: known.get(v.lower(), v) for v in values.unique()})


def import_file(store: Store, path: str | Path,
                limits: ImportLimits = ImportLimits()) -> ImportResult:
    """Check the whole file, then write what is new in one transaction (all or nothing)."""
    frame = read_import(path, limits)
    frame["category"] = _as_known_categories(store, frame["category"])
    existing = store.existing_battle_ids(frame["id"].tolist())
    new = frame[~frame["id"].isin(existing)] if existing else frame
    store.save_battle_columns(*_store_columns(new), categories=set(new["category"]))
    return ImportResult(added=len(new), skipped=len(frame) - len(new))
