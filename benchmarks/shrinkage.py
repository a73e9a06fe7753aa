"""Do category boards that borrow from Overall get closer to the truth, and do their intervals
still cover it?

Simulated votes (tests/seed.py simulated_category_votes): 8 models spread like a real local
line-up, six categories, each category's true ratings the line-up's plus a category effect of
--effect points SD, ties 10%. For each number of votes per category, over --runs data sets:
the RMSE of each category's board from its own votes alone and from borrowing
(arena.shrinkage), the borrowing boards' 95% coverage of the truth, the τ they read, and how far
the borrowing board sits from the plain one (mean and largest, Elo points).

Usage: python benchmarks/shrinkage.py [--votes 20 40 60 1250 5000 20000] [--runs 20]
       [--effect 40]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from seed import simulated_category_votes

from arena import shrinkage


def one_size(votes: int, runs: int, effect: float) -> dict:
    rng = np.random.default_rng(votes)
    own_sq, borrowed_sq, covered, gaps, taus = [], [], [], [], []
    for _ in range(runs):
        table, truth = simulated_category_votes(rng, votes, effect)
        borrowing = shrinkage.borrow_strength(table)
        taus.append(borrowing.tau)
        for category, true in truth.items():
            own = shrinkage.category_board(table, category, None, rounds=0)[0].set_index("model")
            borrowed = shrinkage.category_board(table, category, borrowing, rounds=0)[0] \
                .set_index("model")
            true = true.reindex(borrowed.index)
            true += 1000.0 - true.mean()
            own_sq.extend((own["rating"].reindex(true.index) - true) ** 2)
            borrowed_sq.extend((borrowed["rating"] - true) ** 2)
            covered.extend((borrowed["ci_low"] <= true) & (true <= borrowed["ci_high"]))
            gaps.extend((borrowed["rating"] - own["rating"].reindex(true.index)).abs())
    own_rmse, borrowed_rmse = np.sqrt(np.mean(own_sq)), np.sqrt(np.mean(borrowed_sq))
    return {"own": own_rmse, "borrowed": borrowed_rmse, "ratio": borrowed_rmse / own_rmse,
            "coverage": float(np.mean(covered)), "tau": float(np.median(taus)),
            "gap_mean": float(np.mean(gaps)), "gap_max": float(np.max(gaps))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, nargs="+", default=[20, 40, 60, 1250, 5000, 20000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--effect", type=float, default=40.0)
    args = parser.parse_args()
    print(f"category effect {args.effect:g} points SD, {args.runs} data sets per size")
    print(f"{'votes/cat':>9} {'RMSE own':>9} {'borrowing':>9} {'ratio':>6} {'coverage':>8} "
          f"{'tau':>5} {'gap mean':>8} {'gap max':>8}")
    for votes in args.votes:
        r = one_size(votes, args.runs, args.effect)
        print(f"{votes:>9,} {r['own']:>9.1f} {r['borrowed']:>9.1f} {r['ratio']:>6.2f} "
              f"{r['coverage']:>8.1%} {r['tau']:>5.0f} {r['gap_mean']:>8.1f} {r['gap_max']:>8.1f}",
              flush=True)


if __name__ == "__main__":
    main()
