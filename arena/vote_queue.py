"""The vote queue: which two stored answers a voter sees next, and the battle that shows them.

Pure policy and assembly, no Streamlit. The choice is `choose_queue_pair` alone (adaptive
pairing will replace its policy); the candidates come from Store.queue_candidates.
"""

from __future__ import annotations

import random

import pandas as pd

from arena.access import ANONYMOUS
from arena.db import Store
from arena.records import STATUS_COMPLETE, Battle

QUEUE_SOURCE = "prompt_set"  # Battle.source of a queue battle


def pair_key(answer_a: int, answer_b: int) -> frozenset[int]:
    """How a pair of answers is known in `seen`, whichever side each was shown on."""
    return frozenset((int(answer_a), int(answer_b)))


def choose_queue_pair(candidates: pd.DataFrame, rng: random.Random,
                      seen: frozenset = frozenset()) -> pd.Series | None:
    """The pair to show next (a row of Store.queue_candidates), or None when none is left.

    Never an answer the voter has been shown before, by the store's record of their votes or in
    `seen` (pair_key's of this session, skipped battles included): once a battle is voted or
    left, its names are shown, so a shown answer names its model and the next battle with it
    would not be blind. Then the fewest votes (even coverage); a random one among ties. A voter
    thus meets each item at most once per two of its answers (with four contestants: two
    battles); other voters get the other pairs."""
    if candidates.empty:
        return None
    session = set().union(*seen) if seen else set()
    unseen = [not shown and seen_before == 0 and a not in session and b not in session
              for shown, seen_before, a, b in zip(candidates["shown"],
                                                   candidates["answers_seen"],
                                                   candidates["answer_a"], candidates["answer_b"])]
    left = candidates[unseen]
    if left.empty:
        return None
    ranked = left.assign(_tie=[rng.random() for _ in range(len(left))])
    return ranked.sort_values(["votes", "_tie"], kind="stable").iloc[0].drop("_tie")


def next_queue_battle(store: Store, voter: str, prompt_set: str | None = None,
                      category: str | None = None, seen: frozenset = frozenset(),
                      rng: random.Random | None = None) -> Battle | None:
    """The voter's next queue battle, stored so that a vote can be recorded on it; None when
    nothing is left for them. The sides are the stored answers whole (so nothing about timing
    shows), placed at random. A voter without a nickname shares the name ANONYMOUS with
    everyone else without one: their pairs are known from `seen` (the session) alone."""
    rng = rng or random.SystemRandom()
    name = voter.strip()
    candidates = store.queue_candidates(None if name in ("", ANONYMOUS) else name,
                                        prompt_set, category)
    while (row := choose_queue_pair(candidates, rng, seen)) is not None:
        pair = [int(row["answer_a"]), int(row["answer_b"])]
        answers = store.stored_answers(pair)
        if len(answers) == 2:
            break
        # An answer deleted meanwhile: take this pair out and choose again.
        candidates = candidates[(candidates["answer_a"] != pair[0])
                                | (candidates["answer_b"] != pair[1])]
    else:
        return None
    if rng.random() < 0.5:
        answers.reverse()
    first, second = answers
    battle = Battle(
        category=row["category"], prompt=row["prompt"], system_prompt=first.system_prompt,
        options=first.options, side_a=first.side, side_b=second.side, status=STATUS_COMPLETE,
        source=QUEUE_SOURCE, prompt_set=row["set_name"], item_id=row["item_id"],
        expected=row["expected"], answer_id_a=first.answer_id, answer_id_b=second.answer_id)
    store.save_battle(battle)
    return battle
