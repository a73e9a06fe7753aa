"""Battles in and out: export to CSV, JSON Lines or Parquet, and import them back (or Chatbot Arena
style vote rows) with everything validated before anything is written.

Two shapes:
- nested (JSON Lines): one battle per line, its sides as objects, its vote's fields beside it;
- flat (CSV, Parquet): one row per battle, side fields suffixed `_a` / `_b`.

`model_a` / `model_b` are always the contestant names (see arena.records.contestant), and `winner`
uses Chatbot Arena's labels, so the files load straight into its tools.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
import uuid
from datetime import datetime, timezone
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from arena.records import (
    STATUS_COMPLETE,
    STATUS_FAILED,
    FLAG_WORDS,
    THINK_MODES,
    WINNERS,
    Battle,
    Side,
    Vote,
    contestant,
    iso_utc,
    utc_now,
)
from arena.store import Store, side_values
from arena.vote_files import VoteFileError, file_format, is_json_array, read_votes_file

SIDE_FIELDS = [f.name for f in fields(Side)]
# Flat names of the side fields: the raw Ollama model is `ollama_model_a`, since `model_a` is the
# contestant name that arena tools expect.
FLAT_SIDE = {name: ("ollama_model" if name == "model" else name) for name in SIDE_FIELDS}
BATTLE_COLUMNS = ["id", "tstamp", "category", "model_a", "model_b", "winner", "voter", "voted_at",
                  "counted", "not_counted_reason", "status", "failure_reason", "source", "prompt",
                  "system_prompt", "options"]
FLAT_COLUMNS = BATTLE_COLUMNS + [f"{FLAT_SIDE[n]}_{s}" for s in "ab" for n in SIDE_FIELDS]
# What makes a file ours (rather than Chatbot Arena style rows): the whole battle is in it.
OWN_MARKERS = {"id", "prompt", "answer_a", "answer_b", "ollama_model_a", "ollama_model_b"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
MAX_ERRORS = 20  # errors listed before the rest are only counted
IMPORT_NAMESPACE = uuid.UUID("6f1c3b2e-0d4a-4c59-9a57-7d1c5f0e2b11")


class ImportRejected(ValueError):
    """A file that cannot be imported; `errors` lists 'row N: reason' lines."""

    def __init__(self, path: str, errors: list[str], total: int | None = None):
        self.errors = errors
        more = (total or len(errors)) - len(errors)
        shown = "; ".join(errors) + (f"; and {more} more" if more > 0 else "")
        super().__init__(f"{path}: {shown}")


# --- export ---------------------------------------------------------------------------------


def nested_record(battle: Battle, vote: Vote | None) -> dict:
    return {
        "id": battle.id,
        "tstamp": battle.created_at,
        "category": battle.category,
        "model_a": contestant(battle.side_a.model, battle.side_a.think),
        "model_b": contestant(battle.side_b.model, battle.side_b.think),
        "winner": vote.winner if vote else None,
        "voter": vote.voter if vote else None,
        "voted_at": vote.voted_at if vote else None,
        "counted": vote.counts if vote else None,
        "not_counted_reason": vote.not_counted_reason if vote else None,
        "status": battle.status,
        "failure_reason": battle.failure_reason,
        "source": battle.source,
        "prompt": battle.prompt,
        "system_prompt": battle.system_prompt,
        "options": battle.options,
        "side_a": dict(zip(SIDE_FIELDS, side_values(battle.side_a))),
        "side_b": dict(zip(SIDE_FIELDS, side_values(battle.side_b))),
    }


def flat_record(record: dict) -> dict:
    flat = {k: record[k] for k in BATTLE_COLUMNS}
    flat["options"] = json.dumps(record["options"], sort_keys=True)
    for side in "ab":
        for name, value in record[f"side_{side}"].items():
            flat[f"{FLAT_SIDE[name]}_{side}"] = value
    return flat


def records(store: Store, category: str | None = None,
            ids: list[str] | None = None) -> Iterator[dict]:
    """Every battle (or those of `ids`) with its vote, if any, oldest first, as nested records."""
    for battle, vote in store.battles_with_votes(category=category, ids=ids):
        yield nested_record(battle, vote)


def export_bytes(store: Store, ids: list[str], form: str) -> bytes:
    """An export of the given battles as the bytes of a file (for a download button)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{form}"
        write_export(records(store, ids=ids), path, form)
        return path.read_bytes()


def _neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text a spreadsheet would run as a formula gets a leading apostrophe, and so does text
    that already starts with one, so that `restore_formula` undoes it exactly. Vectorised, a
    column at a time."""
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            frame[column] = values.where(~risky, "'" + text)
    return frame


def restore_formula(value):
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


INTEGER_COLUMNS = [f"{n}_{s}" for s in "ab" for n in ("prompt_tokens", "output_tokens")]
FLOAT_COLUMNS = [f"{n}_{s}" for s in "ab" for n in ("ttft_s", "total_s", "load_s",
                                                   "tokens_per_s")]
CHUNK = 5000  # battles per piece of an export: bounds memory whatever the size


def flat_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Flat rows with the same column types whatever the values (nullable integers, floats,
    booleans, text), so that every chunk of an export is written alike."""
    frame = pd.DataFrame([flat_record(r) for r in rows], columns=FLAT_COLUMNS)
    for column in INTEGER_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    for column in FLOAT_COLUMNS:
        frame[column] = frame[column].astype("float64")
    frame["counted"] = frame["counted"].astype("boolean")
    return frame


def _chunks(rows: Iterable[dict]) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for record in rows:
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_export(rows: Iterable[dict], path: str | Path, form: str) -> int:
    """Write records to `path` as csv, jsonl or parquet, a chunk at a time; returns how many."""
    path = Path(path)
    count = 0
    if form == "jsonl":
        with open(path, "w", encoding="utf-8") as out:
            for record in rows:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    elif form == "csv":
        # A byte-order mark (written once, by the codec) so that Excel reads Chinese as UTF-8.
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            for k, chunk in enumerate(_chunks(rows)):
                frame = _neutralise_formulas(flat_frame(chunk))
                # Every text cell quoted: pandas leaves a lone carriage return unquoted, which
                # splits the row when read back.
                frame.to_csv(out, index=False, header=k == 0, quoting=csv.QUOTE_NONNUMERIC)
                count += len(frame)
        if count == 0:
            pd.DataFrame(columns=FLAT_COLUMNS).to_csv(path, index=False, encoding="utf-8-sig")
    elif form == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = None
        try:
            for chunk in _chunks(rows):
                table = pa.Table.from_pandas(flat_frame(chunk), preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(path, _parquet_schema(table.schema))
                writer.write_table(table.cast(writer.schema))
                count += table.num_rows
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            flat_frame([]).to_parquet(path, index=False)
    else:
        raise ValueError(f"unknown export format {form!r}")
    return count


def _parquet_schema(schema):
    """The first chunk's schema, with columns that were empty there typed as text."""
    import pyarrow as pa

    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f
                      for f in schema])


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    added: int
    skipped: int  # already in the database (same id)


def _blank(value) -> bool:
    return value is None or value is pd.NA or (type(value) is float and math.isnan(value))


# The converters below run for every field of every imported row: common cases come first.
def _text(value, default: str = "") -> str:
    if type(value) is str:
        return value
    return default if _blank(value) else str(value)


def _number(value):
    if value is None or type(value) is float:
        return None if value is None or math.isnan(value) else value
    if _blank(value):
        return None
    return float(value)


def _integer(value):
    if value is None or type(value) is int:
        return value
    if _blank(value):
        return None
    return int(float(value))


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    flag = FLAG_WORDS.get(str(value).strip().lower())
    if flag is None:
        raise ValueError(f"counted is {value!r}, not true or false")
    return flag


def _tstamp(value) -> str:
    """ISO 8601 UTC from an ISO string or a Unix time (Chatbot Arena's `tstamp`)."""
    if _blank(value):
        return utc_now()
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


def _side_from(record: dict, side: str, nested: bool) -> Side:
    if nested:
        raw = record.get(f"side_{side}") or {}
        if not isinstance(raw, dict):
            raise ValueError(f"side_{side} is not an object")
        get = raw.get
    else:
        def get(name):
            return record.get(f"{FLAT_SIDE[name]}_{side}")
    think = _text(get("think"), "default")
    if think not in THINK_MODES:
        raise ValueError(f"think_{side} is {think!r}, not one of {', '.join(THINK_MODES)}")
    model = _text(get("model"))
    if not model:
        raise ValueError(f"the model of side {side} is empty")
    return Side(
        model=model, digest=_text(get("digest")), host=_text(get("host")), think=think,
        answer=_text(get("answer")), thinking=_text(get("thinking")),
        ttft_s=_number(get("ttft_s")), total_s=_number(get("total_s")),
        load_s=_number(get("load_s")), prompt_tokens=_integer(get("prompt_tokens")),
        output_tokens=_integer(get("output_tokens")), tokens_per_s=_number(get("tokens_per_s")),
        done_reason=_text(get("done_reason")) or None, error_kind=_text(get("error_kind")) or None,
        error=_text(get("error")) or None,
    )


def _own_battle(record: dict, nested: bool, source: str) -> tuple[Battle, Vote | None]:
    battle_id = _text(record.get("id"))
    if not battle_id:
        raise ValueError("id is empty")
    options = record.get("options")
    if isinstance(options, str):
        options = json.loads(options) if options.strip() else {}
    if options is None or _blank(options):
        options = {}
    if not isinstance(options, dict):
        raise ValueError("options is not an object")
    status = _text(record.get("status"), STATUS_COMPLETE)
    if status not in (STATUS_COMPLETE, STATUS_FAILED):
        raise ValueError(f"status is {status!r}")
    battle = Battle(
        id=battle_id, created_at=_tstamp(record.get("tstamp")),
        category=_text(record.get("category"), "general") or "general",
        prompt=_text(record.get("prompt")), system_prompt=_text(record.get("system_prompt")),
        options=options, side_a=_side_from(record, "a", nested),
        side_b=_side_from(record, "b", nested), status=status,
        failure_reason=_text(record.get("failure_reason")) or None,
        source=_text(record.get("source")) or source,
    )
    vote = _vote_from(record, battle)
    return battle, vote


def _vote_from(record: dict, battle: Battle) -> Vote | None:
    winner = record.get("winner")
    if _blank(winner) or winner == "":
        return None
    if winner not in WINNERS:
        raise ValueError(f"unknown winner label {winner!r} (expected one of {', '.join(WINNERS)})")
    if battle.status != STATUS_COMPLETE:
        raise ValueError("a failed battle cannot have a vote")
    counted = record.get("counted")
    return Vote(
        battle_id=battle.id, winner=winner, voter=_text(record.get("voter"), "imported"),
        voted_at=_tstamp(record.get("voted_at") if not _blank(record.get("voted_at"))
                         else record.get("tstamp")),
        counts=True if _blank(counted) else _flag(counted),
        not_counted_reason=_text(record.get("not_counted_reason")) or None,
    )


def _arena_row_battle(record: dict, occurrence: int, source: str) -> tuple[Battle, Vote]:
    """A Chatbot Arena style row: only the pair, the winner and perhaps category, time, id."""
    model_a, model_b = _text(record.get("model_a")), _text(record.get("model_b"))
    if not model_a or not model_b:
        raise ValueError("model_a and model_b are required")
    if model_a == model_b:
        raise ValueError("model_a and model_b are the same model")
    winner = record.get("winner")
    if winner not in WINNERS:
        raise ValueError(f"unknown winner label {winner!r} (expected one of {', '.join(WINNERS)})")
    category = _text(record.get("category"), "general") or "general"
    tstamp = record.get("tstamp")
    battle_id = _text(record.get("id"))
    if not battle_id:
        # Stable across re-imports of the same file: the row's content and how many identical
        # rows came before it.
        content = "\x1f".join([model_a, model_b, winner, category, _text(tstamp),
                               str(occurrence)])
        battle_id = str(uuid.uuid5(IMPORT_NAMESPACE, content))
    battle = Battle(
        id=battle_id, created_at=_tstamp(tstamp), category=category, prompt="",
        system_prompt="", options={}, side_a=Side(model=model_a), side_b=Side(model=model_b),
        source=source,
    )
    return battle, Vote(battle_id, winner, _text(record.get("voter"), "imported"),
                        battle.created_at, True)


def _frame_rows(frame: pd.DataFrame) -> Iterator[dict]:
    """Rows of a data frame as dicts with None for missing values, a chunk at a time."""
    for start in range(0, len(frame), CHUNK):
        part = frame.iloc[start:start + CHUNK]
        yield from part.astype(object).where(part.notna(), None).to_dict("records")


def _json_rows(path: Path, errors: list[str]) -> Iterator[dict | None]:
    """Objects of a JSON Lines file (or one JSON array), one at a time. A broken line yields
    None and adds its error, so that row numbers stay right and every bad line is reported."""
    try:
        array = is_json_array(path)
        handle = open(path, encoding="utf-8-sig")
    except OSError as exc:
        raise VoteFileError(f"{path}: cannot read it: {exc}") from None
    with handle:
        try:
            if array:
                try:
                    data = json.load(handle)
                except json.JSONDecodeError as exc:
                    raise ImportRejected(str(path), [f"broken JSON: {exc}"]) from None
                yield from (data if isinstance(data, list) else [])
                return
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    errors.append(f"row {number}: broken JSON ({exc.msg})")
                    yield None
        except UnicodeDecodeError as exc:
            raise VoteFileError(f"{path}: cannot read it: {exc}") from None


def read_import(path: str | Path) -> list[tuple[Battle, Vote | None]]:
    """Every battle in the file, validated; raises ImportRejected listing the bad rows."""
    path = Path(path)
    kind = file_format(path)
    source = f"import:{path.name}"
    errors: list[str] = []
    nested = kind == "jsonl"
    rows = _json_rows(path, errors) if nested else _frame_rows(read_votes_file(path))
    items, seen, occurrences = [], {}, {}
    own = None
    error_count = 0
    for number, row in enumerate(rows, start=1):
        if row is None:  # a broken JSON line, already reported
            error_count += 1
            continue
        if not isinstance(row, dict):
            error_count += 1
            errors.append(f"row {number}: not a JSON object")
            continue
        if own is None:  # the first row tells our export from Chatbot Arena rows
            own = OWN_MARKERS <= set(row) or (nested and {"id", "side_a", "side_b"} <= set(row))
            missing = [c for c in ("model_a", "model_b", "winner") if c not in row]
            if not own and missing:
                raise ImportRejected(str(path), [f"missing column(s): {', '.join(missing)}"])
        try:
            if own:
                if kind == "csv":
                    row = {k: restore_formula(v) for k, v in row.items()}
                battle, vote = _own_battle(row, nested, source)
            else:
                key = tuple(str(row.get(c)) for c in ("model_a", "model_b", "winner",
                                                      "category", "tstamp"))
                occurrences[key] = occurrences.get(key, 0) + 1
                battle, vote = _arena_row_battle(row, occurrences[key], source)
            if battle.id in seen:
                if seen[battle.id] != (battle, vote):  # dataclass equality: every field
                    raise ValueError(f"id {battle.id} appears twice with different content")
                continue
            seen[battle.id] = (battle, vote)
            items.append((battle, vote))
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            error_count += 1
            errors.append(f"row {number}: {exc}")
    if errors:
        raise ImportRejected(str(path), errors[:MAX_ERRORS], max(error_count, len(errors)))
    if own is None:
        raise ImportRejected(str(path), ["the file has no rows"])
    return items


def import_file(store: Store, path: str | Path) -> ImportResult:
    """Validate the whole file, then write what is new in one transaction (all or nothing)."""
    items = read_import(path)
    existing = store.existing_battle_ids([b.id for b, _ in items])
    new = [(b, v) for b, v in items if b.id not in existing]
    store.save_battles([b for b, _ in new], [v for _, v in new if v is not None],
                       categories={b.category for b, _ in new})
    return ImportResult(added=len(new), skipped=len(items) - len(new))
