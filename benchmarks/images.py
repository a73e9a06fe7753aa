"""Battles with images through the store, the exports and the imports: time, size and memory.

Writes --battles battles, each with one to four PNG images of about --image-mb MB (a quarter of
them shared with another battle, as a picture asked about twice), then in a fresh process each:
export to CSV, JSON Lines and Parquet, and import each export into an empty database. Peak
memory is the resident set size of the whole process; it must stay bounded by the images of a
few battles, not grow with the file.

Usage: python benchmarks/images.py [--battles 200] [--image-mb 2] [--data-dir DIR]
(DIR defaults to arena-bench in the system's temporary folder)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path


def noise_png(seed: int, megabytes: float) -> bytes:
    """A real PNG of random pixels (incompressible: its file is about its pixels' size)."""
    import numpy as np

    side = int((megabytes * 1e6 / 3) ** 0.5)
    rows = np.random.default_rng(seed).integers(0, 256, (side, side * 3), dtype=np.uint8)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + \
        chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")


def prepare(n: int, megabytes: float, data_dir: Path) -> Path:
    from arena.db import Store
    from arena.images import make_image
    from arena.records import Battle, Side, Vote

    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / f"images-{n}-{megabytes:g}.db"
    if db.exists():
        return db
    store = Store(db)
    shared = None
    for k in range(n):
        count = 1 + k % 4
        images = [make_image(noise_png(k * 10 + j, megabytes), max_mb=megabytes * 2) for j in range(count)]
        if k % 4 == 3 and shared is not None:
            images[0] = shared  # the same picture as an earlier battle: stored once
        shared = images[-1]
        battle = Battle("general", f"What is in picture set {k}?", "",
                        {"temperature": 0.7, "seed": k},
                        Side("gemma3:4b", "d" * 64, "http://gpu:11434", "default", "A square."),
                        Side("qwen2.5vl:7b", "e" * 64, "http://gpu:11434", "default", "Noise."),
                        images=tuple(images))
        store.save_battles([battle], [Vote(battle.id, "model_a", "ann", battle.created_at)])
    return db


def measure(task: str, source: str, target: str) -> dict:
    from arena.db import Store
    from arena.files.export import write_export
    from arena.files.importer import import_file
    from arena.settings import load_settings

    began = time.perf_counter()
    if task.startswith("export"):
        count = write_export(Store(source), target, task.split(":")[1])
    else:
        count = import_file(Store(target), source, load_settings().imports).added
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "count": count,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(task: str, source: Path, target: Path) -> dict:
    # Images make big files: the import limit is raised so that every size can be measured.
    env = {**os.environ, "ARENA_IMPORT_MAX_MB": "8192"}
    out = subprocess.run([sys.executable, __file__, "--measure", task, str(source), str(target)],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--battles", type=int, default=200)
    parser.add_argument("--image-mb", type=float, default=2.0)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "arena-bench")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    began = time.perf_counter()
    db = prepare(args.battles, args.image_mb, args.data_dir)
    from arena.db import Store
    with Store(db).reading() as conn:
        stored, links = conn.execute("SELECT COUNT(*), SUM(LENGTH(data)) FROM images").fetchone()
    print(f"images: {args.battles:,} battles, {stored:,} images stored once "
          f"({links / 2**20:,.0f} MiB), database {os.path.getsize(db) / 2**20:,.0f} MiB, "
          f"prepared in {time.perf_counter() - began:.1f}s")
    print(f"{'task':>16} {'time':>8} {'file':>9} {'peak RSS':>9}")
    for form in ("csv", "jsonl", "parquet"):
        out = args.data_dir / f"images-export.{form}"
        r = child(f"export:{form}", db, out)
        print(f"{'export ' + form:>16} {r['seconds']:>7.1f}s {out.stat().st_size / 2**20:>6.0f}MiB "
              f"{r['peak_rss_mib']:>6.0f}MiB", flush=True)
        target = args.data_dir / f"images-import-{form}.db"
        for leftover in args.data_dir.glob(f"images-import-{form}.db*"):
            leftover.unlink()
        r = child("import", out, target)
        print(f"{'import ' + form:>16} {r['seconds']:>7.1f}s {'':>9} {r['peak_rss_mib']:>6.0f}MiB"
              f"  ({r['count']:,} battles)", flush=True)


if __name__ == "__main__":
    main()
