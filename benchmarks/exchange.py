"""Export and import of many battles: time and peak memory per format.

Writes --battles full battles (answers, thinking, figures, votes) to a database once, then in a
fresh process each: export to CSV, JSON Lines and Parquet; import each export into an empty
database; and import Chatbot Arena style rows (model_a, model_b, winner, tstamp) as JSON Lines.
Peak memory is the resident set size of the whole process.

Goals (issue 4): each under 15 s and 1 GiB at 100,000 battles; Chatbot Arena rows at 10,000
battles/s or more.

Usage: python benchmarks/exchange.py [--battles 100000] [--data-dir DIR]
(DIR defaults to arena-bench in the system's temporary folder, shared with benchmarks/ratings.py)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def prepare(n: int, data_dir: Path) -> tuple[Path, Path]:
    import numpy as np
    import pandas as pd

    from arena.db import Store
    from arena.records import Battle, Side, Vote

    data_dir.mkdir(parents=True, exist_ok=True)
    db, rows = data_dir / f"exchange-{n}.db", data_dir / f"arena-rows-{n}.jsonl"
    if db.exists() and rows.exists():
        Store(db)
        return db, rows
    rng = np.random.default_rng(0)
    models = [f"model-{k:02d}:7b" for k in range(30)]
    store = Store(db)
    for start in range(0, n, 20_000):
        battles, votes = [], []
        for k in range(start, min(n, start + 20_000)):
            a, b = rng.choice(30, 2, replace=False)
            answer = "An answer of some length, with a list:\n- one\n- two\n" * 4
            battle = Battle("coding", f"Prompt number {k}: write a function.", "Be brief.",
                            {"temperature": 0.7, "seed": k, "num_ctx": 8192, "num_predict": 512},
                            Side(models[a], "d" * 64, "http://gpu:11434", "default", answer,
                                 "thinking " * 20, 0.3, 4.2, 0.1, 40, 300, 71.4, "stop"),
                            Side(models[b], "e" * 64, "http://gpu:11434", "default", answer,
                                 "", 0.2, 3.1, 0.1, 40, 250, 80.6, "stop"))
            battles.append(battle)
            votes.append(Vote(battle.id, "model_a", "ann", battle.created_at))
        store.save_battles(battles, votes)
    a = rng.integers(0, 30, n)
    b = (a + rng.integers(1, 30, n)) % 30
    pd.DataFrame({"model_a": [models[x] for x in a], "model_b": [models[x] for x in b],
                  "winner": rng.choice(["model_a", "model_b", "tie", "tie (bothbad)"], n),
                  "tstamp": 1.7e9 + np.arange(n)}).to_json(rows, orient="records", lines=True)
    return db, rows


def measure(task: str, source: str, target: str) -> dict:
    from arena.db import Store
    from arena.files.export import write_export
    from arena.files.importer import import_file

    began = time.perf_counter()
    if task.startswith("export"):
        count = write_export(Store(source), target, task.split(":")[1])
    else:
        count = import_file(Store(target), source).added
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "count": count, "per_s": count / seconds,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(task: str, source: Path, target: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", task, str(source), str(target)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--battles", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "arena-bench")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    db, rows = prepare(args.battles, args.data_dir)
    print(f"exchange: {args.battles:,} battles")
    print(f"{'task':>28} {'time':>8} {'battles/s':>10} {'peak RSS':>9}")

    def show(label: str, r: dict) -> None:
        print(f"{label:>28} {r['seconds']:>7.1f}s {r['per_s']:>10,.0f} "
              f"{r['peak_rss_mib']:>6.0f}MiB", flush=True)

    for form in ("csv", "jsonl", "parquet"):
        out = args.data_dir / f"export-{args.battles}.{form}"
        show(f"export {form}", child(f"export:{form}", db, out))
        target = args.data_dir / f"import-{form}.db"
        for leftover in args.data_dir.glob(f"import-{form}.db*"):
            leftover.unlink()
        show(f"import {form}", child("import", out, target))
    target = args.data_dir / "import-rows.db"
    for leftover in args.data_dir.glob("import-rows.db*"):
        leftover.unlink()
    show("import Chatbot Arena rows", child("import", rows, target))


if __name__ == "__main__":
    main()
