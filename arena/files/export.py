"""Battles out: CSV, JSON Lines or Parquet (the columns of arena.files.schema).

Flat files are written a column at a time with pyarrow rather than an object per battle: at
100,000 battles, per-row Python is what takes the time. Only JSON Lines builds a dict per battle.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from arena.db import ROW_COLUMNS, BattleFilter, Store, columns_of
from arena.files.images import flat_images, image_pieces, nested_images
from arena.files.schema import (
    EXPORT_BATTLE_FIELDS,
    FLAT_COLUMNS,
    FLAT_SCHEMA,
    FLAT_SIDE,
    FROM_STORE,
    IMAGE_FIELDS,
    NESTED_FOLLOWUPS,
    NESTED_IMAGES,
    SIDE_FIELDS,
    TURN_FIELDS,
)
from arena.files.spreadsheet import neutralise_formulas
from arena.records import contestant_name
from arena.vote_reasons import parse_reasons

CHUNK = 5000  # battles per piece of an export: bounds memory whatever the size


def _flat_columns(rows: list[tuple], images: list[tuple] | None = None,
                  names: list[str] = FLAT_COLUMNS) -> dict[str, list]:
    """Store rows (arena.db.ROW_COLUMNS) and their battles' images (arena.files.images) as the
    flat file's columns `names`, in that order (FLAT_COLUMNS: all of them)."""
    stored = columns_of(ROW_COLUMNS, rows)
    cells = columns_of(IMAGE_FIELDS, [flat_images(i) for i in images or [()] * len(rows)])
    followups = _followups(stored) if set(TURN_FIELDS) & set(names) else []
    flat = {}
    for name in names:
        if name in IMAGE_FIELDS:
            flat[name] = cells[name]
        elif name in ("model_a", "model_b"):
            side = name[-1]
            flat[name] = list(map(contestant_name, stored[f"model_{side}"], stored[f"think_{side}"]))
        elif name == "counted":
            flat[name] = [None if c is None else bool(c) for c in stored["counts"]]
        elif name == "turns":
            flat[name] = [1 + len(turns) for turns in followups]
        elif name == "conversation":
            flat[name] = [json.dumps([_first_turn(stored, k), *turns], ensure_ascii=False)
                          for k, turns in enumerate(followups)]
        else:
            flat[name] = stored[FROM_STORE.get(name, name)]
    return flat


# What a nested record takes from the flat columns: the battle's fields and both sides'.
_NESTED_SOURCES = EXPORT_BATTLE_FIELDS + [f"{FLAT_SIDE[n]}_{s}" for s in "ab" for n in SIDE_FIELDS]


def _nested_records(rows: list[tuple], images: list[tuple]) -> Iterator[dict]:
    """Store rows as nested records: the battle and its vote, each side an object, then the
    battle's images and its turns after the first, in order."""
    flat = _flat_columns(rows, names=_NESTED_SOURCES)
    followups = _followups(columns_of(ROW_COLUMNS, rows))
    for k in range(len(rows)):
        record = {name: flat[name][k] for name in EXPORT_BATTLE_FIELDS}
        record["options"] = json.loads(record["options"])
        if record["winner"] is not None:  # a vote's reasons as a list (none: empty)
            record["reasons"] = list(parse_reasons(record["reasons"]))
        for side in "ab":
            record[f"side_{side}"] = {n: flat[f"{FLAT_SIDE[n]}_{side}"][k] for n in SIDE_FIELDS}
        record[NESTED_IMAGES] = nested_images(images[k])
        record[NESTED_FOLLOWUPS] = followups[k]
        yield record


def _followups(stored: dict[str, list]) -> list[list[dict]]:
    """Each row's stored follow-ups (arena.conversation turn records), parsed once."""
    return [json.loads(text) if text else [] for text in stored["followups"]]


def _first_turn(stored: dict[str, list], k: int) -> dict:
    """Row k's first turn as a turn record (arena.conversation.turn_record)."""
    return {"prompt": stored["prompt"][k], "created_at": stored["created_at"][k],
            **{f"side_{s}": {n: stored[f"{n}_{s}"][k] for n in SIDE_FIELDS} for s in "ab"}}


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
                for part, images in image_pieces(store, rows):
                    out.writelines(json.dumps(r, ensure_ascii=False) + "\n"
                                   for r in _nested_records(part, images))
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
                for part, images in image_pieces(store, rows):
                    table = pa.table(_flat_columns(part, images), schema=FLAT_SCHEMA)
                    writer.write_table(neutralise_formulas(table) if form == "csv" else table)
                count += len(rows)
    return count


def export_bytes(store: Store, where: BattleFilter, form: str) -> bytes:
    """An export of the battles a filter selects, as the bytes of a file (for a download)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{form}"
        write_export(store, path, form, where)
        return path.read_bytes()
