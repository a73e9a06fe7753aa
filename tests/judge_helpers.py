"""Subjects for a judge (issue 14): live battles and a prompt set's stored answers whose lengths
differ, human votes cast by the longer-answer rule (as tests/fake_ollama.longer_answer_judge
judges), and the fake Ollama serving the judges."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fake_ollama import FakeOllama, always_a_judge, longer_answer_judge, malformed_judge
from seed import seed_answers

from arena.db import Store
from arena.prompt_sets import PromptItem, PromptSet
from arena.records import Battle, Side, Vote, iso_utc
from arena.settings import load_settings
from arena.vote_queue import QUEUE_SOURCE

LONGER, ALWAYS_A, MALFORMED = "judge-longer:1", "judge-always-a:1", "judge-malformed:1"
SET = "reviews"
SET_ANSWERS = {"m1": ["Good.", "A long answer about the second review."],
               "m2": ["A fairly long answer.", "Bad."],
               "m3": ["The longest answer of them all, by far.", "Mid answer."]}
SET_PAIRS = 6  # two items, three contestants: three pairs each


def longer(text_a: str, text_b: str) -> str:
    """The human vote by the rule the consistent fake judge follows."""
    return "model_a" if len(text_a) > len(text_b) else \
        "model_b" if len(text_b) > len(text_a) else "tie"


def seed_live(store: Store, count: int = 4, voted: bool = True,
              category: str = "general") -> list[str]:
    """`count` live battles (oldest first, a minute apart), side a longer in every other one,
    voted by the longer-answer rule; their ids."""
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    battles, votes = [], []
    for k in range(count):
        short, long_ = f"Answer {k}.", f"A much longer answer number {k}."
        text_a, text_b = (long_, short) if k % 2 == 0 else (short, long_)
        battle = Battle(category=category, prompt=f"Question {k}?", system_prompt="",
                        options={}, side_a=Side("m1", answer=text_a),
                        side_b=Side("m2", answer=text_b),
                        created_at=iso_utc(start + timedelta(minutes=k)))
        battles.append(battle)
        if voted:
            votes.append(Vote(battle.id, longer(text_a, text_b), "ann", battle.created_at))
    store.save_battles(battles, votes)
    return [b.id for b in battles]


def seed_set(store: Store) -> None:
    """A set of two items, each answered by m1, m2 and m3 (answers of different lengths)."""
    seed_answers(store, PromptSet(SET, "general"),
                 [PromptItem("Review one"), PromptItem("Review two")], SET_ANSWERS)


def vote_queue_battles(store: Store, set_name: str = SET) -> list[Battle]:
    """A vote-queue battle on every pair of the set, shown as the queue shows them (the high
    answer as side a in every other one), each voted by the rule; the battles."""
    shown = []
    for k, row in enumerate(store.queue_candidates(None, set_name).itertuples(index=False)):
        first, second = store.stored_answers([int(row.answer_a), int(row.answer_b)])
        if k % 2:
            first, second = second, first
        battle = Battle(category=row.category, prompt=row.prompt,
                        system_prompt=first.system_prompt, options=first.options,
                        side_a=first.side, side_b=second.side, source=QUEUE_SOURCE,
                        prompt_set=set_name, item_id=row.item_id, answer_id_a=first.answer_id,
                        answer_id_b=second.answer_id)
        store.save_battle(battle)
        store.record_vote(battle.id, longer(battle.side_a.answer, battle.side_b.answer))
        shown.append(battle)
    return shown


def judges(token_delay: float = 0.0, **fields) -> FakeOllama:
    """The fake Ollama serving the three kinds of judge (not started)."""
    return FakeOllama([always_a_judge(ALWAYS_A, **fields), longer_answer_judge(LONGER, **fields),
                       malformed_judge(MALFORMED, **fields)], token_delay=token_delay)


def judge_settings(fake: FakeOllama, **env: str):
    return load_settings({"OLLAMA_HOST": fake.url, **env})
