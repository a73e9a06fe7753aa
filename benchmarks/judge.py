"""How many judgements a minute the judge run makes when the model costs nothing: the arena's own
overhead per judgement (issue 14).

Runs the fake Ollama in its own process with its judges (`tests/fake_ollama.py --judges`) and no
token delay, seeds a scratch database with LIVE live battles and a prompt set of ITEMS items
answered by three contestants (three pairs an item), then times arena.judge_run.JudgeRun (what
`python -m arena judge` runs) judging them all with `judge-longer:1` (a thinking judge): two
streamed chat calls per subject over the official client, the verdicts parsed and combined, each
judgement stored in its own transaction. Also times Store.judge_subjects over the whole database,
judged and not.

Usage: python benchmarks/judge.py [--live 200] [--items 100]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from arena.db import Store  # noqa: E402
from arena.generator import FINISHED  # noqa: E402
from arena.judge_run import JudgeRun  # noqa: E402
from arena.prompt_sets import PromptAnswer, PromptItem, PromptSet  # noqa: E402
from arena.records import Battle, Side  # noqa: E402
from arena.settings import load_settings  # noqa: E402

JUDGE = "judge-longer:1"
CONTESTANTS = ("alpha:1", "beta:1", "gamma:1")


def seed(store: Store, live: int, items: int) -> int:
    """The subjects: live battles and a set's answers of different lengths; how many."""
    store.save_battles([Battle("general", f"Question {k}?", "", {},
                               Side("alpha:1", answer="An answer. " * (1 + k % 5)),
                               Side("beta:1", answer="Another answer. " * (1 + k % 3)))
                        for k in range(live)])
    store.add_prompt_set(PromptSet("bench", "general"),
                         [PromptItem(f"Review {i}: is it positive?") for i in range(items)])
    for item in store.set_items("bench"):
        for n, model in enumerate(CONTESTANTS):
            store.save_answer(PromptAnswer(item.item_id, Side(model, answer="Yes. " * (n + 1)),
                                           {"seed": 1}))
    return live + 3 * items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", type=int, default=200)
    parser.add_argument("--items", type=int, default=100)
    args = parser.parse_args()
    fake = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_ollama.py"), "--judges",
                             "--token-delay", "0"], stdout=subprocess.PIPE, text=True)
    try:
        url = fake.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.db") as store:
            subjects = seed(store, args.live, args.items)
            began = time.perf_counter()
            listed = len(store.judge_subjects(JUDGE))
            listing = time.perf_counter() - began
            assert listed == subjects, (listed, subjects)
            began = time.perf_counter()
            run = JudgeRun(store, load_settings({"OLLAMA_HOST": url}), JUDGE, url).start()
            run.wait()
            wall = time.perf_counter() - began
            status = run.status()
            if status.state != FINISHED or status.rates.judged != subjects:
                raise SystemExit(f"the judge run did not finish: {status}")
            began = time.perf_counter()
            assert store.judge_subjects(JUDGE) == []
            listing_done = time.perf_counter() - began
    finally:
        fake.terminate()
        fake.wait()
    print(f"subjects: {subjects} ({args.live} live battles, {3 * args.items} set pairs)")
    print(f"judge_subjects: {listing * 1000:.0f} ms unjudged, {listing_done * 1000:.0f} ms "
          f"all judged")
    print(f"judged in {wall:.1f} s: {subjects * 60 / wall:.0f} judgements per minute, "
          f"{wall / subjects * 1000:.1f} ms each (two chat calls)")


if __name__ == "__main__":
    main()
