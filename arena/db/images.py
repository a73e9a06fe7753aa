"""A battle's images in the database (schema: arena.db.migrations_round2._IMAGES): each image
once by its content hash, and which battle shows which, in order. Written in the caller's
transaction, with the battle; read back with it, at most MAX_IMAGES per battle."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable

from arena.db.connection import IN_CHUNK, in_chunks
from arena.images import MAX_IMAGES, ImageRecord, stored_image


def has_images(conn: sqlite3.Connection) -> bool:
    """Whether the schema has the image tables (a test may write at an older version)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                        " AND name = 'battle_images'").fetchone() is not None


def write_images(conn: sqlite3.Connection,
                 battles: Iterable[tuple[str, tuple[ImageRecord, ...]]]) -> None:
    """Store each battle's images (battle id, images in order), each image's bytes once."""
    battles = [(battle_id, images) for battle_id, images in battles if images]
    if not battles:
        return
    if any(len(images) > MAX_IMAGES for _, images in battles):
        raise sqlite3.IntegrityError(f"a battle has more than {MAX_IMAGES} images")
    distinct = {i.sha256: i for _, images in battles for i in images}
    conn.executemany("INSERT OR IGNORE INTO images (sha256, mime, data) VALUES (?, ?, ?)",
                     [(i.sha256, i.mime, i.data) for i in distinct.values()])
    conn.executemany("INSERT INTO battle_images (battle_id, position, sha256) VALUES (?, ?, ?)",
                     [(battle_id, position, image.sha256) for battle_id, images in battles
                      for position, image in enumerate(images)])


def read_images(conn: sqlite3.Connection, battle_id: str) -> tuple[ImageRecord, ...]:
    """A stored battle's images in order (none at an older schema). Their bytes are checked
    against their hash: a damaged row is left out (and logged) rather than shown as another
    image, or failing the page that shows the battle."""
    if not has_images(conn):
        return ()
    rows = conn.execute(
        "SELECT i.sha256, i.mime, i.data FROM battle_images b JOIN images i USING (sha256)"
        " WHERE b.battle_id = ? ORDER BY b.position LIMIT ?", (battle_id, MAX_IMAGES)).fetchall()
    images = []
    for sha256, mime, data in rows:
        try:
            images.append(stored_image(sha256, mime, bytes(data)))
        except ValueError as exc:
            logging.getLogger(__name__).warning("battle %s: %s", battle_id, exc)
    return tuple(images)


def image_hashes(conn: sqlite3.Connection, battle_ids: list[str], chunk: int = IN_CHUNK
                 ) -> dict[str, list[tuple[str, str, int]]]:
    """(sha256, mime, size in bytes) of each listed battle's images, in order, without their
    bytes (an export loads those a few at a time); battles without images are left out."""
    found: dict[str, list[tuple[str, str, int]]] = {}
    if not battle_ids or not has_images(conn):
        return found
    for cursor in in_chunks(
            conn, "SELECT b.battle_id, b.sha256, i.mime, length(i.data) FROM battle_images b"
            " JOIN images i USING (sha256) WHERE b.battle_id IN ({marks})"
            " ORDER BY b.battle_id, b.position", battle_ids, chunk):
        for battle_id, sha256, mime, size in cursor:
            found.setdefault(battle_id, []).append((sha256, mime, size))
    return found


def image_data(conn: sqlite3.Connection, hashes: Iterable[str]) -> dict[str, ImageRecord]:
    """The images of these hashes, checked (stored_image): a damaged one is left out, logged."""
    found: dict[str, ImageRecord] = {}
    for cursor in in_chunks(conn, "SELECT sha256, mime, data FROM images WHERE sha256 IN"
                            " ({marks})", sorted(set(hashes))):
        for sha256, mime, data in cursor:
            try:
                found[sha256] = stored_image(sha256, mime, bytes(data))
            except ValueError as exc:
                logging.getLogger(__name__).warning("%s", exc)
    return found


def count_images(conn: sqlite3.Connection) -> int:
    """How many distinct images are stored."""
    return conn.execute("SELECT COUNT(*) FROM images").fetchone()[0] if has_images(conn) else 0
