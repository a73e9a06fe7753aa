"""Images sent with a battle's prompt (to vision models only): an image record, and what an
upload must be to become one.

An image is known by the SHA-256 of its bytes: stored once however many battles show it
(arena.db.images), carried by that hash in files (arena.files.images). Its type is read from
its first bytes (PNG, JPEG, WebP), never from its file name; a file that starts as one of them
but is cut short or broken is refused as corrupt, before a model is asked to look at it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass

MAX_IMAGES = 4  # per battle
MIMES = ("image/png", "image/jpeg", "image/webp")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


@dataclass(frozen=True)
class ImageRecord:
    """One image: its content hash (hex), its type and its bytes."""

    sha256: str
    mime: str
    data: bytes

    @property
    def base64(self) -> str:
        """The bytes as Ollama's `images` take them."""
        return base64.b64encode(self.data).decode("ascii")

    @property
    def size(self) -> int:
        return len(self.data)


class ImageRejected(ValueError):
    """An image refused: `reason` is a catalog key (images.rejected.*), `name` the file's name
    as the person gave it, `limit` the size limit in MB or the most images a battle takes."""

    def __init__(self, reason: str, name: str = "", limit: float = 0):
        super().__init__(f"image rejected: {reason} ({name})")
        self.reason = reason
        self.name = name
        self.limit = limit


def sniff_mime(data: bytes) -> str | None:
    """The type the first bytes say, or None for anything but PNG, JPEG and WebP."""
    if data.startswith(_PNG):
        return "image/png"
    if data.startswith(_JPEG):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _whole(data: bytes, mime: str) -> bool:
    """Whether a file of that type is whole: its header, and its end where the format has one
    (a cut-off upload fails here, without an image library)."""
    if mime == "image/png":
        # The IHDR chunk first (13 bytes of data), the IEND chunk last.
        return (len(data) >= 8 + 25 + 12 and data[12:16] == b"IHDR"
                and struct.unpack(">I", data[8:12])[0] == 13 and data[-8:-4] == b"IEND")
    if mime == "image/jpeg":
        # The end-of-image marker; some cameras append a few bytes after it.
        return len(data) > 4 and b"\xff\xd9" in data[-64:]
    if mime == "image/webp":
        size = struct.unpack("<I", data[4:8])[0]
        return (len(data) >= 20 and size + 8 <= len(data) <= size + 9
                and data[12:16] in (b"VP8 ", b"VP8L", b"VP8X"))
    return False


def make_image(data: bytes, name: str = "", max_mb: float = 10.0) -> ImageRecord:
    """An upload as an image record; ImageRejected says why it cannot be one."""
    if not data:
        raise ImageRejected("images.rejected.empty", name)
    if len(data) > max_mb * 1024 * 1024:
        raise ImageRejected("images.rejected.too_big", name, max_mb)
    mime = sniff_mime(data)
    if mime is None:
        raise ImageRejected("images.rejected.wrong_type", name)
    if not _whole(data, mime):
        raise ImageRejected("images.rejected.corrupt", name)
    return ImageRecord(hashlib.sha256(data).hexdigest(), mime, bytes(data))


def accept_images(uploads: Iterable[tuple[str, bytes]], max_mb: float = 10.0
                  ) -> tuple[ImageRecord, ...]:
    """A battle's images from (file name, bytes) uploads, in order, the same image once;
    ImageRejected for the first that cannot be used, or for more than MAX_IMAGES."""
    uploads = list(uploads)
    if len(uploads) > MAX_IMAGES:
        raise ImageRejected("images.rejected.too_many", limit=MAX_IMAGES)
    images: dict[str, ImageRecord] = {}
    for name, data in uploads:
        image = make_image(data, name, max_mb)
        images.setdefault(image.sha256, image)
    return tuple(images.values())


def stored_image(sha256: str, mime: str, data: bytes) -> ImageRecord:
    """An image read back (from the database or a file), checked: its bytes must have the hash
    that names them and be of a known type; ValueError says what is wrong."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"image {sha256[:12]}… does not match its bytes (hash mismatch)")
    if sniff_mime(data) is None or mime not in MIMES:
        raise ValueError(f"image {sha256[:12]}… is not a PNG, JPEG or WebP image")
    return ImageRecord(sha256, mime, bytes(data))


def from_base64(sha256: str, mime: str, text: str) -> ImageRecord:
    """An image from a file's base64 text, checked as stored_image checks it."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ValueError(f"image {str(sha256)[:12]}… is not valid base64") from None
    return stored_image(sha256, mime, data)


def ollama_images(images: Iterable[ImageRecord]) -> list[str]:
    """The images as the base64 strings of a message's `images`."""
    return [image.base64 for image in images]
