"""How long does the whole leaderboard take, and how much memory, as votes grow?

Synthetic votes (30 models with known ratings, 8 categories) are written once per size to a
SQLite database and a Parquet file under --data-dir. Then, for each size, a fresh process
measures the app's path: read the aggregated votes from SQLite (one GROUP BY), and compute the
leaderboard, with `--rounds` bootstrap rounds, for every category and Overall. A second fresh
process does the same from the Parquet file (the command line's path). Each prints its times and
its peak memory (resident set size of the whole process, Python and libraries included).

Goals (issue 3): at 1M votes everything under 2 s and 1 GiB; the fit and bootstrap of one
category under 100 ms whatever the vote count.

With `--set-items N`, a third database holds the same votes with half of them cast in the vote
queue, on N prompt-set items (spread over the categories' sets): the app's path then reads those
votes item by item and the bootstrap resamples items (issue 12).

Usage: python benchmarks/ratings.py [--sizes 10000 100000 1000000] [--rounds 1000]
       [--set-items 25000]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

CATEGORIES = ("general", "classification", "copywriting", "coding", "math", "translation",
              "summaries", "extraction")


def models() -> dict[str, float]:
    import numpy as np

    rng = np.random.default_rng(0)
    return {f"model-{k:02d}:7b": float(r) for k, r in enumerate(rng.normal(1000, 150, 30))}


def prepare(size: int, data_dir: Path) -> tuple[Path, Path]:
    """The database and Parquet file for `size` votes, written once and reused."""
    import pandas as pd
    from seed import seed_votes, simulated_rows

    from arena.db import Store

    db, parquet = data_dir / f"votes-{size}.db", data_dir / f"votes-{size}.parquet"
    if db.exists() and parquet.exists():
        Store(db)  # brings an older benchmark database up to the current schema, untimed
        return db, parquet
    data_dir.mkdir(parents=True, exist_ok=True)
    for leftover in data_dir.glob(f"votes-{size}.*"):
        leftover.unlink()
    began = time.perf_counter()
    rows = simulated_rows(models(), size, seed=size, categories=CATEGORIES)
    store = Store(db)
    for start in range(0, size, 100_000):
        seed_votes(store, rows[start:start + 100_000])
    pd.DataFrame(rows, columns=["model_a", "model_b", "winner", "category"]).to_parquet(parquet)
    print(f"  (wrote {size:,} votes in {time.perf_counter() - began:.0f} s)", flush=True)
    return db, parquet


def prepare_sets(size: int, items: int, data_dir: Path) -> Path:
    """The database of `size` votes, every other one on one of `items` prompt-set items (a set
    per category), written once and reused."""
    from seed import seed_set_votes, seed_votes, simulated_rows

    from arena.db import Store

    db = data_dir / f"votes-{size}-sets-{items}.db"
    if db.exists():
        Store(db)
        return db
    began = time.perf_counter()
    rows = simulated_rows(models(), size, seed=size, categories=CATEGORIES)
    store = Store(db)
    live, queued = rows[0::2], rows[1::2]
    for start in range(0, len(live), 100_000):
        seed_votes(store, live[start:start + 100_000])
    per_set = max(1, items // len(CATEGORIES))
    for category in CATEGORIES:
        mine = [(*r[:3], f"{k % per_set}") for k, r in enumerate(queued) if r[3] == category]
        for start in range(0, len(mine), 100_000):
            seed_set_votes(store, mine[start:start + 100_000], prompt_set=f"set {category}",
                           category=category)
    print(f"  (wrote {size:,} votes, half on {items:,} items, in "
          f"{time.perf_counter() - began:.0f} s)", flush=True)
    return db


def measure(source: str, rounds: int, independent: bool = False) -> dict:
    """Run in a fresh process: load, then every leaderboard, the categories borrowing from each
    other as the app's boards do (or each on its own votes: `independent`); times in seconds."""
    began = time.perf_counter()
    from arena import ratings, shrinkage
    imported = time.perf_counter()
    if source.endswith(".db"):
        from arena.db import Store

        table = Store(source).vote_counts(clusters=True)  # as the app reads them
    else:
        from arena.files.read import read_votes_file

        table = ratings.count_table(read_votes_file(source), by=["category"])
    loaded = time.perf_counter()
    per_category = []
    borrowing = None if independent else shrinkage.borrow_strength(table)
    borrowed = time.perf_counter()
    parts = [ratings.OVERALL] + sorted(table["category"].unique())
    for part in parts:
        start = time.perf_counter()
        shrinkage.category_board(table, part, borrowing, rounds, 0)
        per_category.append(time.perf_counter() - start)
    done = time.perf_counter()
    return {
        "imports_s": imported - began,
        "load_s": loaded - imported,
        "boards_s": done - loaded,
        "borrow_s": borrowed - loaded,
        "total_s": done - imported,
        "per_board_max_s": max(per_category),
        "per_board_median_s": sorted(per_category)[len(per_category) // 2],
        "boards": len(parts),
        "cells": int(len(table)),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(source: Path, rounds: int, independent: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", str(source), "--rounds",
                          str(rounds)] + (["--independent"] if independent else []),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "arena-bench")
    parser.add_argument("--set-items", type=int, default=0,
                        help="also measure the votes with half of them on this many set items")
    parser.add_argument("--independent", action="store_true",
                        help="each category on its own votes (no borrowing from Overall)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.rounds, args.independent)))
        return

    print(f"ratings: 30 models, {len(CATEGORIES)} categories + Overall, "
          f"{args.rounds} bootstrap rounds per board, categories "
          f"{'on their own votes' if args.independent else 'borrowing from Overall'}")
    header = (f"{'votes':>10} {'source':>8} {'load':>8} {'9 boards':>9} {'(borrow)':>9} "
              f"{'total':>8} {'max/board':>10} {'peak RSS':>9}")
    print(header)
    for size in args.sizes:
        db, parquet = prepare(size, args.data_dir)
        sources = [("sqlite", db), ("parquet", parquet)]
        if args.set_items:
            sources.append(("sets", prepare_sets(size, args.set_items, args.data_dir)))
        for label, source in sources:
            r = run_child(source, args.rounds, args.independent)
            print(f"{size:>10,} {label:>8} {r['load_s']:>7.3f}s {r['boards_s']:>8.3f}s "
                  f"{r['borrow_s']:>8.3f}s "
                  f"{r['total_s']:>7.3f}s {r['per_board_max_s'] * 1000:>8.0f}ms "
                  f"{r['peak_rss_mib']:>6.0f}MiB", flush=True)
    print("load: aggregated votes into memory; 9 boards: fit + bootstrap for every category and "
          "Overall, with (borrow): the categories' fits towards each other; total = load + boards (imports excluded); sets: SQLite, half the votes on "
          "prompt-set items (clustered)")


if __name__ == "__main__":
    main()
