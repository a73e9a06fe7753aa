"""Are both sides of a battle really generated at the same time, and at full speed?

Runs the fake Ollama server in its own process (so it does not share our interpreter lock), with
two models answering N tokens at a fixed token rate, and prints:

- overlap ratio: battle wall time through the app's path (two worker threads, the queue, and a
  drain loop like the page's) divided by the slower side's time alone with a bare client loop.
  Goal <= 1.15 (1.0 is perfect overlap, 2.0 is one after the other).
- throughput ratio: tokens/s of each side through the app's path divided by tokens/s of a bare
  `ollama` client loop on one model alone. Goal >= 0.95.

Usage: python benchmarks/stream_overlap.py [--tokens 400] [--token-delay 0.005] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from arena.battle import new_battle  # noqa: E402
from arena.engine import BattleRun  # noqa: E402
from arena.ollama_api import list_models, make_client  # noqa: E402
from arena.records import Side  # noqa: E402
from arena.settings import load_settings  # noqa: E402

MESSAGES = [{"role": "user", "content": "Count."}]


def start_fake(tokens: int, token_delay: float) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fake_ollama.py"), "--tokens", str(tokens),
         "--token-delay", str(token_delay)],
        stdout=subprocess.PIPE, text=True,
    )
    url = process.stdout.readline().strip()
    return process, url


def bare_loop(url: str, model: str) -> tuple[float, int]:
    """(seconds, chunks) for one model alone with the plain client: the reference."""
    client = make_client(url, 60)
    began = time.perf_counter()
    chunks = sum(1 for chunk in client.chat(model=model, messages=MESSAGES, stream=True)
                 if chunk.message.content)
    return time.perf_counter() - began, chunks


def app_battle(url: str) -> tuple[float, dict[str, float]]:
    """(battle wall seconds, tokens/s per side) through BattleRun and a page-like drain loop."""
    models = list_models(make_client(url, 10), url)
    sides = tuple(Side(m.name, m.digest, url) for m in models[:2])
    battle = new_battle("general", "Count.", "", sides, load_settings({}))
    began = time.perf_counter()
    run = BattleRun(battle, lambda host, transport: make_client(host, 60, 5, transport)).start()
    while not run.finished:
        run.poll(0.1)  # the page redraws at most every 0.1 s
    wall = time.perf_counter() - began
    result = run.result()
    assert result.status == "complete", result.failure_reason
    rates = {}
    for side in result.sides.values():
        tokens = len(side.answer.split())
        rates[side.model] = tokens / side.total_s
    return wall, rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=400)
    parser.add_argument("--token-delay", type=float, default=0.005,
                        help="seconds between tokens (0.005 = 200 tokens/s per side)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    process, url = start_fake(args.tokens, args.token_delay)
    try:
        bare_loop(url, "alpha:1")  # warm up connections and imports
        overlap, throughput, app_rates, bare_rates = [], [], [], []
        for _ in range(args.repeats):
            alone = {m: bare_loop(url, m) for m in ("alpha:1", "beta:1")}
            slower = max(seconds for seconds, _ in alone.values())
            bare_rate = {m: chunks / seconds for m, (seconds, chunks) in alone.items()}
            wall, rates = app_battle(url)
            overlap.append(wall / slower)
            throughput.extend(rates[m] / bare_rate[m] for m in rates)
            app_rates.extend(rates.values())
            bare_rates.extend(bare_rate.values())
    finally:
        process.terminate()
        process.wait()

    print(f"stream_overlap: {args.tokens} tokens per side at {args.token_delay * 1000:g} ms/token, "
          f"{args.repeats} repeats")
    print(f"  overlap ratio    (battle wall / slower side alone): median "
          f"{statistics.median(overlap):.3f}, worst {max(overlap):.3f}   goal <= 1.15")
    print(f"  throughput ratio (app tokens/s / bare client tokens/s): median "
          f"{statistics.median(throughput):.3f}, worst {min(throughput):.3f}   goal >= 0.95")
    print(f"  tokens/s per side: app {statistics.median(app_rates):.0f} (both sides at once), "
          f"bare client {statistics.median(bare_rates):.0f} (one model alone)")


if __name__ == "__main__":
    main()
