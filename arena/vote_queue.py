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
    Never a pair the voter was shown (by the store, or in `seen`: pair_key's of this session);
    then answers the voter has not seen before first (an answer seen before, revealed, names its
    model); then the fewest votes (even coverage); a random one among ties."""
    if candidates.empty:
        return None
    keys = [pair_key(a, b) for a, b in zip(candidates["answer_a"], candidates["answer_b"])]
    fresh = ~candidates["shown"].to_numpy(dtype=bool) & [k not in seen for k in keys]
    left = candidates[fresh]
    if left.empty:
        return None
    # The session's pairs name answers the store may not know this voter saw (a shared name
    # such as "anonymous"); the larger count is the one that is sure.
    session = set().union(*seen) if seen else set()
    in_session = [(a in session) + (b in session) for a, b in zip(left["answer_a"], left["answer_b"])]
    ranked = left.assign(_seen=[max(int(s), n) for s, n in zip(left["answers_seen"], in_session)],
                         _tie=[rng.random() for _ in range(len(left))])
    best = ranked.sort_values(["_seen", "votes", "_tie"], kind="stable").iloc[0]
    return best.drop(["_seen", "_tie"])


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
        seen = seen | {pair_key(*pair)}  # an answer deleted meanwhile: another pair
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
