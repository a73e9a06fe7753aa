"""How long does the style-controlled leaderboard take at a million votes?

Synthetic votes (30 models with known ratings, as benchmarks/ratings.py, 8 categories) whose
answers have style counts (lengths lognormal around a per-model mean, headers, list items and
bold spans Poisson), voted from the style model itself (a taste for long answers), are written
once to a SQLite database under --data-dir. The counts are written as stored (the columns of
schema 13) beside one-word answers: the regular expressions that count real answers run when a
battle is saved, not when the board is computed, so they are not what this measures.

Then a fresh process measures the app's path: read the votes with their counts
(Store.style_votes), and fit the style-controlled board (arena.style_control) for every category
and Overall. It prints its times and peak memory (resident set size of the whole process).

Goal (issue 13): the 9 boards at 1M votes under 5 s.

Usage: python benchmarks/style_control.py [--sizes 100000 1000000] [--repeats 5]
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
sys.path.insert(0, str(ROOT))

CATEGORIES = ("general", "classification", "copywriting", "coding", "math", "translation",
              "summaries", "extraction")
LENGTH_GAMMA = 0.4  # the simulated voters' taste for length, per SD of the covariate


def prepare(size: int, data_dir: Path) -> Path:
    """The database of `size` votes with style counts, written once and reused."""
    import numpy as np

    from arena.bradley_terry import ELO_SCALE
    from arena.db import Store
    from arena.db.bulk import SIDE_STYLE_COLUMNS, STYLE_SHIFTS, VOTE_COLUMNS
    from benchmarks.ratings import models

    db = data_dir / f"styled-{size}.db"
    if db.exists():
        Store(db)
        return db
    data_dir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    rng = np.random.default_rng(size)
    true = models()
    names = np.array(list(true))
    strength = np.array(list(true.values()))
    mean_tokens = rng.uniform(100, 1000, len(names))
    store = Store(db)
    for start in range(0, size, 100_000):
        n = min(100_000, size - start)
        a = rng.integers(0, len(names), n)
        b = (a + rng.integers(1, len(names), n)) % len(names)
        counts = {side: np.stack([np.round(mean_tokens[m] * rng.lognormal(0, 0.3, n)),
                                  rng.poisson(1.5, n), rng.poisson(4, n), rng.poisson(2, n)],
                                 axis=1).astype(int) for side, m in (("a", a), ("b", b))}
        raw = (counts["a"][:, 0] - counts["b"][:, 0]) / (counts["a"][:, 0] + counts["b"][:, 0] + 1)
        logit = (strength[a] - strength[b]) / ELO_SCALE + LENGTH_GAMMA * raw / 0.25
        p = 1 / (1 + np.exp(-logit))
        tie = rng.random(n) < 0.1
        winner = np.where(tie, "tie", np.where(rng.random(n) < p, "model_a", "model_b"))
        ids = [f"b{start + k}" for k in range(n)]
        when = [f"2026-11-01T00:00:{k % 60:02d}.000Z" for k in range(n)]
        category = [CATEGORIES[c] for c in rng.integers(0, len(CATEGORIES), n)]
        battles = {"id": ids, "created_at": when, "category": category, "prompt": ["p"] * n,
                   "options": ["{}"] * n, "status": ["complete"] * n}
        sides = {"battle_id": ids + ids, "side": ["a"] * n + ["b"] * n,
                 "model": names[a].tolist() + names[b].tolist(),
                 "think": ["default"] * (2 * n), "answer": ["x"] * (2 * n),
                 **{c: np.concatenate([counts["a"][:, k], counts["b"][:, k]]).tolist()
                    for k, c in enumerate(SIDE_STYLE_COLUMNS)}}
        votes = dict(zip(VOTE_COLUMNS, [ids, winner.tolist(), ["ann"] * n, when, [1] * n,
                                        [None] * n, category, when, names[a].tolist(),
                                        names[b].tolist()]))
        votes.update({f"style_{side}": sum(counts[side][:, k] << shift
                                           for k, shift in enumerate(STYLE_SHIFTS)).tolist()
                      for side in "ab"})
        store.save_battle_columns(battles, sides, votes)
    print(f"  (wrote {size:,} votes in {time.perf_counter() - began:.0f} s)", flush=True)
    return db


def measure(source: str) -> dict:
    """Run in a fresh process: read, then every style-controlled board; times in seconds."""
    began = time.perf_counter()
    from arena.db import Store
    from arena.style_control import style_leaderboard
    imported = time.perf_counter()
    cpu_before = time.process_time()
    votes = Store(source, read_only=True).style_votes()
    loaded = time.perf_counter()
    per_board = []
    for category in [None] + sorted(set(votes.groups["category"])):
        start = time.perf_counter()
        found = style_leaderboard(votes.board(category))
        per_board.append(time.perf_counter() - start)
        if category is None:
            tokens = found.coefficients.set_index("feature").loc["tokens"]
    done = time.perf_counter()
    return {"imports_s": imported - began, "load_s": loaded - imported,
            "boards_s": done - loaded, "total_s": done - imported,
            "cpu_s": time.process_time() - cpu_before,
            "overall_s": per_board[0], "boards": len(per_board), "votes": votes.votes,
            "length_coefficient": float(tokens["coefficient"]),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "arena-bench")
    parser.add_argument("--repeats", type=int, default=5,
                        help="fresh processes per size; the fastest and the median are shown")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    print(f"style control: 30 models, {len(CATEGORIES)} categories + Overall, "
          f"true length coefficient {LENGTH_GAMMA / 0.25:.2f} per unit of (a − b)/(a + b + 1)")
    print(f"{'votes':>10} {'run':>7} {'load':>8} {'9 boards':>9} {'total':>8} {'CPU':>7} "
          f"{'Overall':>8} {'peak RSS':>9}")
    for size in args.sizes:
        db = prepare(size, args.data_dir)
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, __file__, "--measure", str(db)],
                                 capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout))
        runs.sort(key=lambda r: r["total_s"])
        for label, r in (("fastest", runs[0]), ("median", runs[len(runs) // 2])):
            print(f"{size:>10,} {label:>7} {r['load_s']:>7.3f}s {r['boards_s']:>8.3f}s "
                  f"{r['total_s']:>7.3f}s {r['cpu_s']:>6.2f}s {r['overall_s']:>7.3f}s "
                  f"{r['peak_rss_mib']:>6.0f}MiB",
                  flush=True)
    print("load: the votes with their style counts into memory; 9 boards: the style-controlled "
          "fit with sandwich intervals for every category and Overall; total = load + boards "
          "(imports excluded); CPU: the process's CPU time for both, all threads")


if __name__ == "__main__":
    main()
