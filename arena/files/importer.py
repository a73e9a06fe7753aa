"""Battles into the store: a file checked whole (arena.files.read.read_import), then what is new
written in one transaction, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from arena.db import VOTE_COLUMNS, Store
from arena.files.read import read_import
from arena.files.schema import FLAT_SIDE, REASON_FIELDS, SET_FIELDS, SIDE_FIELDS
from arena.settings import ImportLimits


@dataclass
class ImportResult:
    """What an import did."""

    added: int
    skipped: int  # already in the database (same id)


def _store_columns(frame: pd.DataFrame) -> tuple[dict, dict, dict]:
    """Checked flat rows as the store's battle, side and vote columns."""
    def values(name: str) -> list:
        return frame[name].tolist()

    battles = {"id": values("id"), "created_at": values("tstamp"),
               **{n: values(n) for n in ("category", "prompt", "system_prompt", "options",
                                          "status", "failure_reason", "source", *SET_FIELDS)}}
    # The follow-ups as stored: arena.files.rows puts their JSON in `conversation`.
    battles["followups"] = [None if pd.isna(c) else c for c in values("conversation")]
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
    votes.update({n: voted[n].tolist() for n in REASON_FIELDS})
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
    images = [(i, found) for i, found in zip(new["id"], new["image_data"])
              if isinstance(found, tuple) and found]
    store.save_battle_columns(*_store_columns(new), categories=set(new["category"]),
                              images=images)
    return ImportResult(added=len(new), skipped=len(frame) - len(new))
