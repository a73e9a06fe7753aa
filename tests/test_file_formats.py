"""The documented columns of a battle file (docs/file-formats.md, the README) are the schema's,
and the schema is what an export writes."""

import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import ROOT
from seed import seed_votes

from arena.db import Store
from arena.files.export import write_export
from arena.files.schema import EXPORT_BATTLE_FIELDS, FLAT_COLUMNS, FLAT_SCHEMA, SIDE_FIELDS

DOC = ROOT / "docs" / "file-formats.md"
TYPE_WORDS = {pa.string(): "text", pa.int64(): "integer", pa.float64(): "number",
              pa.bool_(): "true/false"}


def documented_columns() -> list[tuple[str, str]]:
    """(column, type) of each row of the doc's table."""
    return re.findall(r"^\| `(\w+)` \| ([\w/]+) \|", DOC.read_text(encoding="utf-8"), re.M)


def test_the_documented_table_is_the_schema():
    assert documented_columns() == [(f.name, TYPE_WORDS[f.type]) for f in FLAT_SCHEMA]
    text = DOC.read_text(encoding="utf-8")
    assert f"the first {len(EXPORT_BATTLE_FIELDS)} rows" in text  # the nested file's top level
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"this arena's export has {len(FLAT_COLUMNS)})" in readme
    assert "docs/file-formats.md" in readme


def test_exports_write_the_schema(tmp_path):
    store = Store(tmp_path / "arena.db")
    seed_votes(store, [("x:1", "y:1", "model_a")])
    write_export(store, tmp_path / "out.parquet", "parquet")
    assert pq.read_schema(tmp_path / "out.parquet").remove_metadata() == FLAT_SCHEMA
    write_export(store, tmp_path / "out.csv", "csv")
    header = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ",".join(f'"{name}"' for name in FLAT_COLUMNS)
    write_export(store, tmp_path / "out.jsonl", "jsonl")
    [record] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert list(record) == EXPORT_BATTLE_FIELDS + ["side_a", "side_b", "images", "followups"]
    assert list(record["side_a"]) == list(record["side_b"]) == SIDE_FIELDS
