"""The vote queue in a real browser: how long from a vote to the next battle's answers on screen?

Seeds a database with a prompt set whose answers are already stored (ITEMS items × MODELS models,
every answer a distinct text), starts the app (`streamlit run app.py`) on it, opens the Arena in
Debian's Chromium (Playwright), switches to Prompt sets mode and votes VOTES times with the vote
buttons only. For each vote it times the click until the page shows the next battle: both
answer columns hold new texts and the vote buttons are back. Prints the median and worst time.
Goal (issue 12): the next battle visible within 1 s of the vote.

Usage: python benchmarks/vote_queue.py [--votes 50] [--items 30] [--models 4] [--answer-chars 1500]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the browser helpers the end-to-end tests use

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from arena.db import Store  # noqa: E402
from arena.prompt_sets import PromptAnswer, PromptItem, PromptSet  # noqa: E402
from arena.records import Side  # noqa: E402

ANSWERS = "[data-testid='stColumn'] [data-testid='stMarkdownContainer']"
VOTE_A = "👈 A is better"


def seed(path: Path, items: int, models: int, answer_chars: int) -> None:
    """A set of `items` items, each answered by `models` models with a distinct text."""
    with Store(path) as store:
        prompt_set = PromptSet("benchmark", "copywriting")
        store.add_prompt_set(prompt_set, [PromptItem(f"Write a slogan for product {i}.", f"p{i}")
                                          for i in range(items)])
        filler = " ".join(["words"] * (answer_chars // 6))
        for stored in store.set_items(prompt_set.name):
            for m in range(models):
                side = Side(model=f"model-{m}:8b", answer=f"Answer {stored.position}-{m}. {filler}",
                            output_tokens=200, tokens_per_s=40.0, total_s=5.0)
                store.save_answer(PromptAnswer(stored.item_id, side, {"temperature": 0.7}))


def columns_text(page) -> str:
    return " | ".join(page.locator(ANSWERS).all_inner_texts())


def run(votes: int, items: int, models: int, answer_chars: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "arena.db"
        seed(db, items, models, answer_chars)
        env = {"ARENA_DB": str(db), "OLLAMA_HOST": "http://127.0.0.1:9", "ARENA_LANG": "en"}
        with streamlit_server(env, Path(folder) / "streamlit.log") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            wait_idle(page)
            page.locator("button", has_text="Prompt sets").first.click()
            page.get_by_role("button", name=VOTE_A).wait_for(timeout=30_000)
            wait_idle(page)
            times = []
            for _ in range(votes):
                before = columns_text(page)
                began = time.perf_counter()
                page.get_by_role("button", name=VOTE_A).click()
                page.wait_for_function(
                    """([selector, before, label]) => {
                        const texts = [...document.querySelectorAll(selector)]
                            .map(e => e.innerText).join(" | ");
                        const button = [...document.querySelectorAll("button")]
                            .some(b => b.innerText.includes(label));
                        return texts !== before && texts.includes("Answer") && button;
                    }""", arg=[ANSWERS, before, VOTE_A], timeout=30_000)
                times.append(time.perf_counter() - began)
                wait_idle(page)
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=50)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--answer-chars", type=int, default=1500)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    times = run(args.votes, args.items, args.models, args.answer_chars)
    print(f"vote → next battle on screen, {len(times)} votes in Chromium "
          f"({args.items} items × {args.models} models, answers of ~{args.answer_chars} chars):")
    print(f"  median {statistics.median(times) * 1000:.0f} ms, "
          f"90th percentile {sorted(times)[int(0.9 * (len(times) - 1))] * 1000:.0f} ms, "
          f"worst {max(times) * 1000:.0f} ms (goal: within 1 s)")


if __name__ == "__main__":
    main()
