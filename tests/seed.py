"""Battles and votes, and prompt sets with stored answers, written straight to a store, for
leaderboard, accuracy and vote-queue tests and benchmarks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd

from arena import ratings
from arena.db import Store
from arena.prompt_sets import PromptAnswer, PromptItem, PromptSet
from arena.records import Battle, Side, Vote, iso_utc, parse_contestant_name


def seed_votes(store: Store, rows: list[tuple], start: datetime | None = None) -> None:
    """rows: (model_a, model_b, winner[, category[, voter[, counts]]]), one battle each, one
    minute apart from `start`."""
    start = start or datetime(2026, 11, 1, tzinfo=timezone.utc)
    battles, votes = [], []
    for k, row in enumerate(rows):
        model_a, model_b, winner = row[:3]
        category = row[3] if len(row) > 3 else "general"
        voter = row[4] if len(row) > 4 else "anonymous"
        counts = row[5] if len(row) > 5 else True
        when = iso_utc(start + timedelta(minutes=k))
        battle = Battle(category=category, prompt=f"prompt {k}", system_prompt="", options={},
                        side_a=Side(model_a, answer="a"), side_b=Side(model_b, answer="b"),
                        created_at=when)
        battles.append(battle)
        votes.append(Vote(battle.id, winner, voter, battle.created_at, counts))
    store.save_battles(battles, votes)


def seed_set_votes(store: Store, rows: list[tuple], prompt_set: str = "评论情感 reviews",
                   category: str = "general", start: datetime | None = None) -> None:
    """rows: (model_a, model_b, winner, item_id[, prompt]), one vote-queue battle each on an item
    of `prompt_set` (the prompt is "item <id>" unless given; an item_id None is an item known by
    its prompt), one minute apart from `start`. No stored answers: the battles are as imported."""
    start = start or datetime(2026, 11, 1, tzinfo=timezone.utc)
    battles, votes = [], []
    for k, row in enumerate(rows):
        model_a, model_b, winner, item_id = row[:4]
        prompt = row[4] if len(row) > 4 else f"item {item_id}"
        battle = Battle(category=category, prompt=prompt, system_prompt="", options={},
                        side_a=Side(model_a, answer=f"{model_a} on {prompt}"),
                        side_b=Side(model_b, answer=f"{model_b} on {prompt}"),
                        created_at=iso_utc(start + timedelta(minutes=k)), source="prompt_set",
                        prompt_set=prompt_set, item_id=item_id)
        battles.append(battle)
        votes.append(Vote(battle.id, winner, "ann", battle.created_at))
    store.save_battles(battles, votes)


def shared_answer_rows(models: list[str], items: int, battles_per_item: int,
                       seed: int = 0) -> list[tuple]:
    """Vote-queue rows (model_a, model_b, winner, item_id) where each item's stored answers are
    shown again and again: on an item, the better of two answers always wins (quality is the
    model's strength, index in `models`, plus a large draw per item and model), so the votes on
    one item repeat one another."""
    rng = np.random.default_rng(seed)
    quality = np.arange(len(models)) * 0.3 + rng.normal(0, 1.5, (items, len(models)))
    rows = []
    for item in range(items):
        for _ in range(battles_per_item):
            a, b = rng.choice(len(models), 2, replace=False)
            winner = "model_a" if quality[item, a] > quality[item, b] else "model_b"
            rows.append((models[a], models[b], winner, f"r{item:03d}"))
    return rows


def simulated_rows(true: dict[str, float], n: int, seed: int = 0,
                   categories: tuple[str, ...] = ("general",)) -> list[tuple]:
    """Votes drawn from known ratings (ties 10%), spread over the given categories."""
    rng = np.random.default_rng(seed)
    names = list(true)
    strengths = np.array([true[m] for m in names])
    a = rng.integers(0, len(names), n)
    b = (a + rng.integers(1, len(names), n)) % len(names)
    p = 1 / (1 + 10 ** ((strengths[b] - strengths[a]) / 400))
    p_win = np.clip((p - 0.05) / 0.9, 0, 1)
    tie = rng.random(n) < 0.1
    win = rng.random(n) < p_win
    winners = np.where(tie, "tie", np.where(win, "model_a", "model_b"))
    cats = rng.integers(0, len(categories), n)
    return [(names[a[k]], names[b[k]], winners[k], categories[cats[k]]) for k in range(n)]


def write_votes(frame, path) -> None:
    """Vote rows written as the file's suffix says: CSV, JSON Lines or Parquet."""
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        raise ValueError(f"no vote file format for {suffix!r}")


def seed_answers(store: Store, prompt_set: PromptSet, items: list[PromptItem],
                 answers: dict[str, list[str | None]], thinking: str = "") -> None:
    """Add the set with its items, and each contestant's answers to them in order (None: a failed
    answer; fewer answers than items: the rest not answered yet). The k-th item's answers run at
    10·(k+1) tokens/s and take k+1 seconds; a thinking contestant's answers carry `thinking`."""
    store.add_prompt_set(prompt_set, items)
    stored = store.set_items(prompt_set.name)
    for contestant, texts in answers.items():
        model, think = parse_contestant_name(contestant)
        for k, (item, text) in enumerate(zip(stored, texts)):
            failed = text is None
            side = Side(model=model, think=think, answer=text or "",
                        thinking=thinking if think == "on" else "",
                        tokens_per_s=None if failed else 10.0 * (k + 1),
                        total_s=None if failed else k + 1.0,
                        error_kind="timeout" if failed else None,
                        error="no answer in 300 s" if failed else None)
            store.save_answer(PromptAnswer(item.item_id, side, {"seed": 1}))


ANSWER_OPTIONS = {"temperature": 0.7, "seed": 11}  # what every stored answer was generated with


def stored_answer(item_id: int, model: str, think: str = "default", text: str = "",
                  failed: bool = False) -> PromptAnswer:
    """An answer as the generator stores it, every Side field filled (no Ollama needed)."""
    side = Side(model=model, think=think, digest=f"sha-{model}", host="http://gpu:11434",
                answer=text or f"It reads as positive ({len(model)}, {think}).",
                thinking="hmm" if think == "on" else "", ttft_s=0.4, total_s=2.5, load_s=1.2,
                prompt_tokens=30, output_tokens=12, tokens_per_s=48.0,
                done_reason=None if failed else "stop",
                error_kind="timeout" if failed else None, error="slow" if failed else None)
    return PromptAnswer(item_id, side, ANSWER_OPTIONS, "You classify.")


def answered_set(store: Store, prompt_set: PromptSet, items: int,
                 models: tuple[str, ...] = ("gemma3:4b", "phi4", "qwen3:8b")) -> list[int]:
    """A set of `items` items (ids q0, q1, ..., expected "positive"), each answered by every
    model; the items' row ids."""
    store.add_prompt_set(prompt_set, [PromptItem(f"{prompt_set.name} prompt {n}", f"q{n}",
                                                 "positive") for n in range(items)])
    rows = [s.item_id for s in store.set_items(prompt_set.name)]
    for row in rows:
        for model in models:
            store.save_answer(stored_answer(row, model))
    return rows


# Ratings spread like a real local line-up, 0.6B to 32B.
LINEUP = {"qwen3:0.6b": 700, "llama3.2:1b": 760, "gemma3:1b": 800, "qwen3:4b": 930,
          "llama3.1:8b": 980, "gemma3:12b": 1060, "qwen3:14b": 1110, "qwen3:32b": 1160}
CATEGORY_TIE_RATE = 0.1


def simulated_category_votes(rng: np.random.Generator, votes_per_category: int, effect: float,
             categories: int = 6, lineup: dict[str, float] = LINEUP):
    """A count table with `category`, and each category's true ratings (mean 1000): the
    line-up's ratings plus a category effect drawn with SD `effect`, ties 10%, expected score
    the Bradley–Terry probability."""
    names = np.array(list(lineup))
    base = np.array(list(lineup.values()), dtype=float)
    truth, frames = {}, []
    n = votes_per_category
    for c in range(categories):
        true = base + rng.normal(0.0, effect, len(names))
        true += 1000.0 - true.mean()
        truth[f"c{c}"] = pd.Series(true, index=names)
        a = rng.integers(0, len(names), n)
        b = (a + rng.integers(1, len(names), n)) % len(names)
        p = 1.0 / (1.0 + 10.0 ** ((true[b] - true[a]) / 400.0))
        p_win = np.clip((p - CATEGORY_TIE_RATE / 2) / (1 - CATEGORY_TIE_RATE), 0, 1)  # expected score is p
        winner = np.where(rng.random(n) < CATEGORY_TIE_RATE, "tie",
                          np.where(rng.random(n) < p_win, "model_a", "model_b"))
        frames.append(pd.DataFrame({"model_a": names[a], "model_b": names[b],
                                    "winner": winner, "category": f"c{c}"}))
    return ratings.count_table(pd.concat(frames), by=["category"]), truth
