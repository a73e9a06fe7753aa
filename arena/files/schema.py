"""The columns of the arena's battle files: the one definition behind the export, the import and
the documented table (docs/file-formats.md, checked by tests/test_file_formats.py).

Two shapes:
- nested (JSON Lines): one battle per line, its sides as objects, its vote's fields beside it;
- flat (CSV, Parquet): one row per battle, side fields suffixed `_a` / `_b`.

`model_a` / `model_b` are always the contestant names (see arena.records.contestant_name), and `winner`
uses Chatbot Arena's labels, so the files load straight into its tools.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

import pyarrow as pa

from arena.records import Side

SIDE_FIELDS = [f.name for f in fields(Side)]
# Flat names of the side fields: the raw Ollama model is `ollama_model_a`, since `model_a` is the
# contestant name that arena tools expect.
FLAT_SIDE = {name: ("ollama_model" if name == "model" else name) for name in SIDE_FIELDS}
# A vote-queue battle's prompt set, its item's id in the set's file and the expected answer
# (None for a live battle). Not the stored answers' ids: they mean nothing in another database.
SET_FIELDS = ["prompt_set", "item_id", "expected"]
# Why the vote was cast (arena.vote_reasons): its reasons' codes (JSON Lines: a list; CSV and
# Parquet: the same list as JSON text, as `options` is) and a comment. Empty without them.
REASON_FIELDS = ["reasons", "comment"]
# A battle's own fields and its vote's, first in a flat row, beside the sides in a nested one.
EXPORT_BATTLE_FIELDS = ["id", "tstamp", "category", "model_a", "model_b", "winner", "voter",
                        "voted_at", "counted", "not_counted_reason", "status", "failure_reason",
                        "source", "prompt", "system_prompt", "options", *SET_FIELDS,
                        *REASON_FIELDS]
NESTED_SIDES = ["side_a", "side_b"]
# A battle's images (arena.files.images): JSON Lines has `images` (each image's hash, type and
# base64) after the sides; CSV and Parquet the hashes and the images' data as JSON text.
NESTED_IMAGES = "images"
IMAGE_FIELDS = ["images", "image_data"]
# A multi-turn battle's turns in a flat row: how many (1 for a single-turn battle) and all of
# them, the first included, as JSON text (arena.conversation.conversation_json). JSON Lines
# nests the turns after the first instead, as `followups`.
TURN_FIELDS = ["turns", "conversation"]
NESTED_FOLLOWUPS = "followups"
FLAT_COLUMNS = (EXPORT_BATTLE_FIELDS + [f"{FLAT_SIDE[n]}_{s}" for s in "ab" for n in SIDE_FIELDS]
                + IMAGE_FIELDS + TURN_FIELDS)
INTEGER_COLUMNS = [f"{n}_{s}" for s in "ab" for n in ("prompt_tokens", "output_tokens")] \
    + ["turns"]
FLOAT_COLUMNS = [f"{n}_{s}" for s in "ab" for n in ("ttft_s", "total_s", "load_s",
                                                   "tokens_per_s")]
FLAT_SCHEMA = pa.schema([
    (name, pa.int64() if name in INTEGER_COLUMNS else pa.float64() if name in FLOAT_COLUMNS
     else pa.bool_() if name == "counted" else pa.string())
    for name in FLAT_COLUMNS])
FLAT_TEXT_COLUMNS = [f.name for f in FLAT_SCHEMA if f.type == pa.string()]
# Where the flat columns come from in the store's rows (arena.db.ROW_COLUMNS).
FROM_STORE = {"tstamp": "created_at", "counted": "counts",
              **{f"{FLAT_SIDE[n]}_{s}": f"{n}_{s}" for s in "ab" for n in SIDE_FIELDS}}

# Chatbot Arena style vote rows: these three are required; category, tstamp, id, voter, counts
# (or counted) and the set fields are used when present.
ARENA_REQUIRED = ["model_a", "model_b", "winner"]
# The vote columns always read as text (a model named 7 is "7", not a number; an item "007"
# stays "007"): the prompt and the set fields say which item a vote is on (its cluster).
VOTE_TEXT_COLUMNS = ARENA_REQUIRED + ["category", "prompt", *SET_FIELDS]
# What makes a file ours (rather than Chatbot Arena style rows): the whole battle is in it.
OWN_MARKERS = {"id", "prompt", "answer_a", "answer_b", "ollama_model_a", "ollama_model_b"}


def is_nested(columns: Iterable[str]) -> bool:
    """Our JSON Lines export: each side an object."""
    return {"id", *NESTED_SIDES} <= set(columns)


def is_own(columns: Iterable[str]) -> bool:
    """This arena's export (either shape), not Chatbot Arena style rows."""
    return set(columns) >= OWN_MARKERS or is_nested(columns)
