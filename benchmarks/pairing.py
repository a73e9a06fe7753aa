"""Does adaptive pairing decide the top of the board with fewer votes than uniform pairing?

8 models with known ratings, spread like a real local line-up (0.6B to 32B). Votes are simulated
from Bradley–Terry with ties (a fixed share of ties, the rest won with the Bradley–Terry
probability). Every `--every` votes the board is recomputed with arena.ratings.leaderboard (the
intervals the Leaderboard page shows: bootstrap percentiles widened to the normal approximation,
here with `--rounds` bootstrap rounds), and two moments are recorded:

  * top 1: the true best model leads and its interval no longer overlaps the second's;
  * top 3: the true top three lead in the right order, each interval clear of the next one's.

Each run draws its pairs with one policy — uniform (arena.pairing.draw_pair) or adaptive
(arena.pairing.choose_pair) — and the same seed gives both policies the same vote randomness
stream. Median and 90th percentile over `--runs` runs. Goal (issue 13): adaptive needs at least
30% fewer votes at the median and never more at the 90th percentile.

Usage: python benchmarks/pairing.py [--runs 30] [--every 10] [--rounds 100] [--max-votes 3000]
       [--policy uniform|adaptive]...
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arena.bradley_terry import (
    DEFAULT_PRIOR_GAMES,
    ELO_SCALE,
    fit_bradley_terry,
    normal_halfwidth,
    to_elo,
)
from arena.pairing import choose_pair, draw_pair
from arena.ratings import leaderboard

# Known ratings (Elo points): bigger models ahead, the gaps narrowing at the top as they do.
TRUE_RATINGS = {
    "qwen3:32b": 1300, "qwen3:14b": 1200, "gemma3:12b": 1110, "qwen3:8b": 1030,
    "llama3.1:8b": 960, "qwen3:4b": 880, "llama3.2:3b": 780, "qwen3:0.6b": 620,
}
TIE_SHARE = 0.15


def outcome(rating_a: float, rating_b: float, rng: random.Random) -> str:
    if rng.random() < TIE_SHARE:
        return "tie"
    p_a = 1.0 / (1.0 + np.exp(-(rating_a - rating_b) / ELO_SCALE))
    return "model_a" if rng.random() < p_a else "model_b"


def decided(board: pd.DataFrame, truth: list[str], places: int) -> bool:
    top = board.head(places)
    if list(top["model"]) != truth[:places]:
        return False
    if len(board) <= places:
        return False
    low, high = board["ci_low"].to_numpy(), board["ci_high"].to_numpy()
    # each of the first `places` clear of the next model
    return all(low[k] > high[k + 1] for k in range(places))


def normal_decided(score: np.ndarray, games: np.ndarray, truth_index: list[int],
                   places: int) -> bool:
    """The same check on the normal-approximation intervals alone (the leaderboard with
    rounds=0). The leaderboard's intervals are never narrower than these, so while this says
    no, so would the leaderboard: it screens out most of the costly bootstrap boards."""
    m = score.shape[0]
    i, j = np.triu_indices(m, 1)
    theta = fit_bradley_terry(score[i, j], games[i, j], i, j, m, DEFAULT_PRIOR_GAMES)[0]
    half = normal_halfwidth(theta, games[i, j], i, j, DEFAULT_PRIOR_GAMES)
    order = np.argsort(-theta)
    if list(order[:places]) != truth_index[:places]:
        return False
    low, high = to_elo(theta[order]) - half[order], to_elo(theta[order]) + half[order]
    return all(low[k] > high[k + 1] for k in range(places))


def run(policy: str, seed: int, every: int, rounds: int, max_votes: int) -> tuple[int, int]:
    """Votes until the top 1 and the top 3 are decided (max_votes if never)."""
    names = list(TRUE_RATINGS)
    truth = sorted(names, key=lambda n: -TRUE_RATINGS[n])
    pick_rng, vote_rng = random.Random(seed), random.Random(10_000 + seed)
    tally: dict[tuple[str, str, str], int] = {}
    index = {name: k for k, name in enumerate(names)}
    truth_index = [index[n] for n in truth]
    score, games = np.zeros((len(names), len(names))), np.zeros((len(names), len(names)))
    top1 = top3 = None
    for vote in range(1, max_votes + 1):
        counts = pd.DataFrame([(a, b, w, c) for (a, b, w), c in tally.items()],
                              columns=["model_a", "model_b", "winner", "count"])
        if policy == "uniform":
            a, b = draw_pair(names, pick_rng)
        else:
            a, b = choose_pair(counts, names, pick_rng)
        key = (a, b, outcome(TRUE_RATINGS[a], TRUE_RATINGS[b], vote_rng))
        tally[key] = tally.get(key, 0) + 1
        points = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5}[key[2]]
        score[index[a], index[b]] += points
        score[index[b], index[a]] += 1.0 - points
        games[index[a], index[b]] += 1
        games[index[b], index[a]] += 1
        if vote % every:
            continue
        wanted = [p for p, seen in ((1, top1), (3, top3)) if seen is None]
        if not any(normal_decided(score, games, truth_index, p) for p in wanted):
            continue
        counts = pd.DataFrame([(a, b, w, c) for (a, b, w), c in tally.items()],
                              columns=["model_a", "model_b", "winner", "count"])
        board = leaderboard(counts, rounds=rounds, seed=seed)
        if top1 is None and decided(board, truth, 1):
            top1 = vote
        if top3 is None and decided(board, truth, 3):
            top3 = vote
        if top1 is not None and top3 is not None:
            break
    return top1 or max_votes, top3 or max_votes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--max-votes", type=int, default=3000)
    parser.add_argument("--policy", choices=("uniform", "adaptive"), action="append",
                        help="run only this policy (repeatable); both by default")
    args = parser.parse_args()
    started = time.perf_counter()
    results = {}
    policies = args.policy or ["uniform", "adaptive"]
    for policy in policies:
        results[policy] = np.array([run(policy, seed, args.every, args.rounds, args.max_votes)
                                    for seed in range(args.runs)])
    print(f"{args.runs} runs, board every {args.every} votes, {args.rounds} bootstrap rounds, "
          f"cap {args.max_votes} votes ({time.perf_counter() - started:.0f} s)")
    for column, label in ((0, "top 1 separated"), (1, "top 3 in order, separated")):
        line = [label]
        for policy in policies:
            values = results[policy][:, column]
            line.append(f"{policy}: median {np.median(values):.0f}, "
                        f"p90 {np.percentile(values, 90):.0f}, "
                        f"capped {(values >= args.max_votes).sum()}")
        if len(policies) == 2:
            u, a = (np.median(results[p][:, column]) for p in policies)
            line.append(f"adaptive saves {100 * (1 - a / u):.0f}% at the median")
        print(" | ".join(line))


if __name__ == "__main__":
    main()
