"""Side by side with lmarena's arena-rank: the Overall board of the same 1M-vote Parquet file,
whole process each.

(a) ours: `python -m arena leaderboard --from FILE --format json` (1,000 bootstrap rounds, the
    default), run from this checkout (or --arena-dir, e.g. an older checkout to compare).
(b) arena-rank (PyPI `arena-rank`, module `arena_rank`): this same file, run with --board FILE by
    the Python of its own virtual environment, reads the Parquet file with pandas and fits
    `BradleyTerry` on `PairDataset.from_pandas(votes)` with `compute_ratings_and_cis(...,
    ci_method="sandwich")` (the robust intervals, its default).

The arena never depends on arena-rank: it lives in --venv (default: arena-rank-venv in the
system's temporary folder), made on first use with `python -m venv` and `pip install arena-rank`
(its wheels pull in JAX). The votes are those of benchmarks/ratings.py (tests/seed.py
simulated_rows: 30 models with known ratings, 8 categories, ties 10%), written once to
--data-dir. After one untimed warm-up run of each (the file in the page cache, bytecode written),
the commands alternate, which goes first rotating every round, so a busy machine slows all
alike (--before adds an older checkout's `python -m arena` to the rotation). Printed: wall
times (median, min), the speed ratio of the medians, and the largest rating difference
between the two boards in Elo points.

Scales: both are 400 · log10 odds. arena-rank reports `ratings · 400 / ln 10 + 1000`
(`scale=400, base=10, init_rating=1000`); it fixes no anchor, but its fit starts at 0 and the
likelihood's gradient sums to zero, so the mean stays at 1000. Ours is centred at 1000 too
(arena/bradley_terry.py, with a prior of one virtual game per model, worth hundredths of a point
at 1M votes). Both boards are re-centred to mean 1000 over the same models before comparing,
and the shift this took is printed.

Usage: python benchmarks/arena_rank.py [--votes 1000000] [--runs 5] [--venv PATH]
       [--data-dir DIR] [--arena-dir CHECKOUT]
Run by hand, never in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMP = Path(tempfile.gettempdir())


def board_with_arena_rank(path: str) -> None:
    """(b), in arena-rank's environment: its Overall board as JSON records on stdout."""
    # This file is named arena_rank too: its folder must not shadow the package.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
    import pandas as pd
    from arena_rank.models.bradley_terry import BradleyTerry
    from arena_rank.utils.data_utils import PairDataset

    votes = pd.read_parquet(path, columns=["model_a", "model_b", "winner"])
    dataset = PairDataset.from_pandas(votes)
    model = BradleyTerry(n_competitors=len(dataset.competitors))
    board = model.compute_ratings_and_cis(dataset, significance_level=0.05, ci_method="sandwich")
    rows = zip(board["competitors"], board["ratings"], board["rating_lower"],
               board["rating_upper"])
    print(json.dumps([{"model": m, "rating": float(r), "ci_low": float(lo), "ci_high": float(hi)}
                      for m, r, lo, hi in rows]))


def arena_rank_python(venv: Path) -> Path:
    """The venv's Python, the venv made and arena-rank installed into it if it is missing."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"making {venv} with arena-rank (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "arena-rank"], check=True)
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('arena-rank'))"],
        capture_output=True, text=True)
    if version.returncode != 0:
        raise SystemExit(f"{venv}: arena-rank is not installed there "
                         f"({version.stderr.strip().splitlines()[-1:]}); remove the folder")
    print(f"arena-rank {version.stdout.strip()} in {venv}")
    return python


def votes_file(votes: int, data_dir: Path) -> Path:
    """The Parquet file of `votes` simulated votes (benchmarks/ratings.py's), written once."""
    path = data_dir / f"arena-rank-{votes}.parquet"
    if path.exists():
        return path
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]
    import pandas as pd
    from ratings import CATEGORIES, models
    from seed import simulated_rows

    data_dir.mkdir(parents=True, exist_ok=True)
    rows = simulated_rows(models(), votes, seed=votes, categories=CATEGORIES)
    frame = pd.DataFrame(rows, columns=["model_a", "model_b", "winner", "category"])
    frame.to_parquet(path.with_suffix(".part"))
    path.with_suffix(".part").rename(path)
    return path


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, list[dict]]:
    """Wall time of the whole process, and the board it printed as JSON."""
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return took, json.loads(done.stdout)


def centred(board: list[dict], names: list[str]) -> tuple[dict[str, float], float]:
    """Ratings of `names`, shifted so their mean is 1000; and the shift."""
    ratings = {row["model"]: row["rating"] for row in board}
    shift = 1000.0 - statistics.fmean(ratings[m] for m in names)
    return {m: ratings[m] + shift for m in names}, shift


def compare(ours: list[dict], theirs: list[dict]) -> None:
    names = sorted(row["model"] for row in ours)
    if names != sorted(row["model"] for row in theirs):
        raise SystemExit("the two boards rate different models")
    mine, my_shift = centred(ours, names)
    other, their_shift = centred(theirs, names)
    worst = max(names, key=lambda m: abs(mine[m] - other[m]))
    print(f"largest rating difference: {abs(mine[worst] - other[worst]):.3f} points ({worst}); "
          f"our JSON rounds to 0.01 (re-centring moved ours {my_shift:+.4f}, "
          f"arena-rank's {their_shift:+.4f})")
    half = {row["model"]: (row["ci_high"] - row["ci_low"]) / 2 for row in ours}
    their_half = {row["model"]: (row["ci_high"] - row["ci_low"]) / 2 for row in theirs}
    ratios = [half[m] / their_half[m] for m in names]
    print(f"interval half-widths, ours (bootstrap) / theirs (sandwich): median "
          f"{statistics.median(ratios):.3f}, range {min(ratios):.3f}–{max(ratios):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--venv", type=Path, default=TEMP / "arena-rank-venv",
                        help="arena-rank's virtual environment, made if missing")
    parser.add_argument("--data-dir", type=Path, default=TEMP / "arena-bench")
    parser.add_argument("--arena-dir", type=Path, default=ROOT,
                        help="the checkout whose `python -m arena` is timed (default: this one)")
    parser.add_argument("--before", type=Path, metavar="CHECKOUT",
                        help="also time this older checkout's `python -m arena`, in the same "
                             "rotation (a before/after under the same load)")
    parser.add_argument("--board", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.board:
        board_with_arena_rank(args.board)
        return

    python = arena_rank_python(args.venv)
    path = votes_file(args.votes, args.data_dir)
    # Bytecode as a user's Python writes it (some shells here set PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "arena": ([sys.executable, "-m", "arena", "leaderboard", "--from", str(path), "--format",
                   "json"], args.arena_dir.resolve()),
        "arena-rank": ([str(python), str(Path(__file__).resolve()), "--board", str(path)], TEMP),
    }
    if args.before:
        commands["arena before"] = (commands["arena"][0], args.before.resolve())
    print(f"{args.votes:,} votes in {path}; {args.runs} timed runs of each, alternating")
    for name, (command, cwd) in commands.items():
        print(f"  {name}: {' '.join(command)}  (in {cwd})")
    boards = {name: timed(command, cwd, env)[1] for name, (command, cwd) in commands.items()}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for k in range(args.runs):
        order = list(commands)[k % len(commands):] + list(commands)[:k % len(commands)]
        for name in order:
            took, boards[name] = timed(*commands[name], env)
            times[name].append(took)
        print(f"  round {k + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in commands),
              flush=True)
    for name, taken in times.items():
        print(f"{name:>12}: median {statistics.median(taken):.3f} s, min {min(taken):.3f} s")
    ratio = statistics.median(times["arena-rank"]) / statistics.median(times["arena"])
    best = min(times["arena-rank"]) / min(times["arena"])
    print(f"speed ratio (arena-rank / ours): {ratio:.1f}× on medians, {best:.1f}× on minima")
    if args.before:
        gain = statistics.median(times["arena before"]) / statistics.median(times["arena"])
        print(f"before / after: {gain:.2f}× on medians")
        if boards["arena before"] != boards["arena"]:
            print("the boards before and after differ")
    compare(boards["arena"], boards["arena-rank"])


if __name__ == "__main__":
    main()
