"""A battle's images in the battle files (docs/file-formats.md, "Images"):

- JSON Lines: `images`, a list of {"sha256", "mime", "base64"} objects, in order;
- CSV and Parquet: `images`, the JSON list of the hashes in order, and `image_data`, a JSON
  object {sha256: {"mime", "base64"}} of the same images: each row carries its own images, so a
  file is whole on its own and any row can be read without the others.

An export loads the images' bytes a few battles at a time (IMAGE_BUDGET); an import checks each
image as an upload is checked (type by its bytes, size, at most MAX_IMAGES) and that its bytes
have the hash that names them, and reports a bad one with its row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd

from arena.files.checks import RowErrors
from arena.images import MAX_IMAGES, ImageRecord, from_base64, sniff_mime
from arena.settings import ImportLimits

IMAGE_BUDGET = 64 * 1024 * 1024  # image bytes an export holds in memory at once, about


def image_pieces(store, rows: list[tuple], id_column: int = 0
                 ) -> Iterator[tuple[list[tuple], list[tuple[ImageRecord, ...]]]]:
    """Store rows in pieces, each with its battles' images (in row order), the images of a
    piece together no more than about IMAGE_BUDGET bytes (one battle's at the least)."""
    ids = [r[id_column] for r in rows]
    hashes = store.battle_image_hashes(ids)
    if not hashes:
        yield rows, [()] * len(rows)
        return
    start, size = 0, 0
    for k, battle_id in enumerate(ids):
        size += sum(s for _, _, s in hashes.get(battle_id, ()))
        if size >= IMAGE_BUDGET or k == len(ids) - 1:
            part = ids[start:k + 1]
            lookup = store.images_by_hash(h for i in part for h, _, _ in hashes.get(i, ()))
            yield rows[start:k + 1], [
                tuple(lookup[h] for h, _, _ in hashes.get(i, ()) if h in lookup) for i in part]
            start, size = k + 1, 0


def nested_images(images: tuple[ImageRecord, ...]) -> list[dict]:
    """A battle's images as the JSON Lines `images` list."""
    return [{"sha256": i.sha256, "mime": i.mime, "base64": i.base64} for i in images]


def flat_images(images: tuple[ImageRecord, ...]) -> tuple[str | None, str | None]:
    """A battle's `images` and `image_data` cells (None, None without images)."""
    if not images:
        return None, None
    return (json.dumps([i.sha256 for i in images]),
            json.dumps({i.sha256: {"mime": i.mime, "base64": i.base64} for i in images}))


def _blank(value) -> bool:
    if isinstance(value, (list, dict)):
        return not value
    return value is None or (isinstance(value, float) and pd.isna(value)) or (
        isinstance(value, str) and not value.strip()) or value is pd.NA


def _described(listed, data) -> list[tuple[str, str, str]]:
    """(sha256, mime, base64) of a row's images, from the nested list or the two flat cells;
    ValueError says what is malformed."""
    if isinstance(listed, list) and (not listed or isinstance(listed[0], dict)):
        entries = listed  # JSON Lines
        if not all(isinstance(e, dict) for e in entries):
            raise ValueError("images is not a list of image objects")
        return [(e.get("sha256"), e.get("mime"), e.get("base64")) for e in entries]
    hashes = json.loads(listed) if isinstance(listed, str) else listed
    table = {} if _blank(data) else json.loads(data) if isinstance(data, str) else data
    if not isinstance(hashes, list) or not isinstance(table, dict):
        raise ValueError("images is not a list of hashes, or image_data not an object")
    if len(hashes) > MAX_IMAGES:
        raise ValueError(f"{len(hashes)} images, more than {MAX_IMAGES}")
    described = []
    for sha256 in hashes:
        entry = table.get(sha256) if isinstance(sha256, str) else None
        if not isinstance(entry, dict):
            raise ValueError(f"image {str(sha256)[:12]}… is listed but not in image_data")
        described.append((sha256, entry.get("mime"), entry.get("base64")))
    return described


def row_images(listed, data, max_mb: float) -> tuple[ImageRecord, ...]:
    """One row's images, checked; ValueError (the row's message) for any that is not right."""
    described = _described(listed, data)
    if len(described) > MAX_IMAGES:
        raise ValueError(f"{len(described)} images, more than {MAX_IMAGES}")
    records = []
    for number, (sha256, mime, text) in enumerate(described, start=1):
        if not all(isinstance(v, str) for v in (sha256, mime, text)):
            raise ValueError(f"image {number} lacks its sha256, mime or base64")
        over = ValueError(f"image {number} is over the image limit of {max_mb:g} MB "
                          "(ARENA_MAX_IMAGE_MB)")
        if len(text) > max_mb * 1024 * 1024 * 4 / 3 + 4:  # before decoding it
            raise over
        record = from_base64(sha256, mime, text)
        if record.size > max_mb * 1024 * 1024:
            raise over
        if sniff_mime(record.data) != mime:
            raise ValueError(f"image {number} is said to be {mime} but is not")
        records.append(record)
    return tuple(records)


def check_images(raw: pd.DataFrame, out: pd.DataFrame, errors: RowErrors,
                 limits: ImportLimits) -> None:
    """Each row's images, checked, into `out`: `images` as the JSON list of hashes (None
    without images) and `image_data` as the ImageRecords (None without images). Files from
    before images had none: every row then has none."""
    out["images"], out["image_data"] = None, None
    if "images" not in raw.columns:
        return
    data = raw["image_data"] if "image_data" in raw.columns else pd.Series(None, index=raw.index)
    found: dict = {}
    for row, listed in raw["images"].items():
        if _blank(listed):
            continue
        try:
            images = row_images(listed, data[row], limits.max_image_mb)
        except (ValueError, TypeError, RecursionError) as exc:  # JSONDecodeError is one
            errors.row(row, f"images: {exc}")
            continue
        if images:
            found[row] = images
    if found:
        rows = list(found)
        out.loc[rows, "images"] = [json.dumps([i.sha256 for i in found[r]]) for r in rows]
        out["image_data"] = out["image_data"].astype(object)
        for r in rows:
            out.at[r, "image_data"] = found[r]
