"""Small real images made in code (no image library): a PNG of one colour, a JPEG and a WebP
with the headers and ends their formats have, for the arena's checks by magic bytes."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(colour: tuple[int, int, int] = (200, 30, 30), side: int = 8) -> bytes:
    """A valid side×side PNG filled with one colour (browsers draw it)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(colour) * side for _ in range(side))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def jpeg(fill: int = 7) -> bytes:
    """JPEG framing: start of image, an APP0 (JFIF) segment, some bytes, end of image."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + bytes([fill]) * 64 + b"\xff\xd9"


def webp(fill: int = 3) -> bytes:
    """RIFF/WEBP framing with one VP8L chunk."""
    body = b"\x2f" + bytes([fill]) * 15
    chunk = b"VP8L" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,"
