"""Generating a prompt set on a GPU that holds one model at a time: grouped by model, or as live
battles one after the other?

Runs the fake Ollama in its own process as a one-model GPU (`--gpu-models 1`, a load delay per
model switch) and answers ITEMS items with each of MODELS models twice:

- grouped: the order of arena.generation_plan (all of one model's items in a row), one request at
  a time with the official `ollama` client;
- live battles: each item's models split at random into pairs, each pair a battle whose two sides
  stream at the same time (as the arena runs them), battles one after the other.

Prints, for each, the model loads (counted by the fake) and wall time ÷ the ideal, where the ideal
is one load per model plus every answer's generation time (the `eval_duration` Ollama reports).
Goal for grouped: loads = MODELS, ratio <= 1.1.

Usage: python benchmarks/generation.py [--items 20] [--models 4] [--load-delay 2]
       [--tokens 20] [--token-delay 0.02]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import ollama

ROOT = Path(__file__).resolve().parent.parent

from arena.generation_plan import plan_generation  # noqa: E402

MESSAGES = [{"role": "user", "content": "Write a slogan."}]


@dataclass(frozen=True)
class Model:
    name: str
    hosts: tuple[str, ...]


def start_fake(args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fake_ollama.py"), "--tokens", str(args.tokens),
         "--token-delay", str(args.token_delay), "--model-count", str(args.models),
         "--gpu-models", "1", "--load-delay", str(args.load_delay)],
        stdout=subprocess.PIPE, text=True,
    )
    return process, process.stdout.readline().strip()


def answer(client: ollama.Client, model: str) -> float:
    """One streamed answer; its generation time in seconds, as Ollama reports it."""
    last = None
    for chunk in client.chat(model=model, messages=MESSAGES, stream=True):
        last = chunk
    return last.eval_duration / 1e9


def grouped(url: str, models: list[str], items: int, seed: int) -> float:
    work = [(f"item-{i}", Model(name, (url,))) for name in models for i in range(items)]
    plan = plan_generation(work, [url], seed=seed)
    client = ollama.Client(host=url, timeout=600)
    return sum(answer(client, job.contestant.name) for job in plan.by_host[url])


def live_battles(url: str, models: list[str], items: int, seed: int) -> float:
    rng = random.Random(seed)
    client = ollama.Client(host=url, timeout=600)
    generation = 0.0
    with ThreadPoolExecutor(max_workers=2) as sides:
        for _ in range(items):
            order = rng.sample(models, len(models))
            for pair in zip(order[::2], order[1::2]):
                generation += sum(sides.map(lambda m: answer(client, m), pair))
    return generation


def measure(args: argparse.Namespace, run) -> tuple[int, float, float]:
    """(loads, wall seconds, ideal seconds) of one way of generating the set, on a fresh GPU."""
    process, url = start_fake(args)
    try:
        models = sorted(m.model for m in ollama.Client(host=url).list().models)
        began = time.perf_counter()
        generation = run(url, models, args.items, args.seed)
        wall = time.perf_counter() - began
        loads = len(httpx.get(f"{url}/fake/loads").json()["loads"])
    finally:
        process.terminate()
        process.wait()
    return loads, wall, len(models) * args.load_delay + generation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--models", type=int, default=4, help="an even number, 2 to 8")
    parser.add_argument("--load-delay", type=float, default=2.0, help="seconds a load takes")
    parser.add_argument("--tokens", type=int, default=20, help="tokens in each answer")
    parser.add_argument("--token-delay", type=float, default=0.02, help="seconds per token")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(f"generation: {args.items} items x {args.models} models, one model on the GPU at a "
          f"time, {args.load_delay:g} s a load, {args.tokens} tokens at "
          f"{args.token_delay * 1000:g} ms/token")
    for label, run in (("grouped by model", grouped), ("live battles", live_battles)):
        loads, wall, ideal = measure(args, run)
        print(f"  {label:<17} loads {loads:>3}   wall {wall:6.1f} s   ideal {ideal:6.1f} s   "
              f"wall / ideal {wall / ideal:.2f}")


if __name__ == "__main__":
    main()
