"""The vote queue: which two stored answers a voter sees next, and the battle that shows them.

Pure policy and assembly, no Streamlit. The choice is `choose_queue_pair` alone: the model pair
by the live Arena's policy (arena.pairing.choose_pair), or by fewest votes when the arena's
Pairing option is uniform; the candidates come from Store.queue_candidates.
"""

from __future__ import annotations

import random

import pandas as pd

from arena.access import ANONYMOUS
from arena.db import Store
from arena.pairing import choose_pair
from arena.ratings import category_table
from arena.records import STATUS_COMPLETE, Battle

QUEUE_SOURCE = "prompt_set"  # Battle.source of a queue battle
# choose_pair draws before the fewest-voted pair left is taken instead: a pair the policy gives
# one chance in eight is still found nine times in ten, and at a few milliseconds a draw a
# near-empty queue costs well under a tenth of a second.
REDRAWS = 16


def pair_key(answer_a: int, answer_b: int) -> frozenset[int]:
    """How a pair of answers is known in `seen`, whichever side each was shown on."""
    return frozenset((int(answer_a), int(answer_b)))


def _unseen(candidates: pd.DataFrame, seen: frozenset) -> list[int]:
    """The positions of the candidates of which neither answer was shown to the voter (store
    or session)."""
    session = set().union(*seen) if seen else set()
    return [k for k, (shown, seen_before, a, b) in enumerate(zip(
        candidates["shown"], candidates["answers_seen"], candidates["answer_a"],
        candidates["answer_b"])) if not shown and seen_before == 0
        and a not in session and b not in session]


def _policy_pair(available: set[frozenset[str]], counts: pd.DataFrame,
                 rng: random.Random) -> frozenset[str] | None:
    """The model pair choose_pair gives, among the `available` ones: drawn again while it is
    not one of them, so the choice keeps choose_pair's odds, only restricted to what can be
    shown (its contestants are the models of these pairs). None after REDRAWS misses."""
    if len(available) == 1:
        return next(iter(available))
    contestants = sorted(set().union(*available))
    for _ in range(REDRAWS):
        pair = frozenset(choose_pair(counts, contestants, rng))
        if pair in available:
            return pair
    return None


def choose_queue_pair(candidates: pd.DataFrame, rng: random.Random,
                      seen: frozenset = frozenset(),
                      counts: pd.DataFrame | None = None) -> pd.Series | None:
    """The pair to show next (a row of Store.queue_candidates), or None when none is left.

    Never an answer the voter has been shown before, by the store's record of their votes or in
    `seen` (pair_key's of this session, skipped battles included): once a battle is voted or
    left, its names are shown, so a shown answer names its model and the next battle with it
    would not be blind. A voter thus meets each item at most once per two of its answers (with
    four contestants: two battles); other voters get the other pairs.

    Among the rest, with `counts` (the counted votes by category, as Store.vote_counts gives
    them): the category of the fewest-voted pair left (random among ties), then the model pair
    arena.pairing.choose_pair picks from that category's votes (see `_policy_pair`; the
    fewest-voted pair left when it misses), then that pair's fewest-voted item. Without
    `counts` (the uniform Pairing option): the fewest-voted pair, for even coverage. Ties are
    broken at random."""
    left = _unseen(candidates, seen)
    if not left:
        return None
    # Plain lists, not pandas: this runs on every vote, over every pair of a set.
    votes = candidates["votes"].tolist()
    tie = {k: rng.random() for k in left}
    ranked = sorted(left, key=lambda k: (votes[k], tie[k]))
    if counts is None:
        return candidates.iloc[ranked[0]]
    category = candidates["category"].tolist()
    ranked = [k for k in ranked if category[k] == category[ranked[0]]]
    pairs = [frozenset(p) for p in zip(candidates["contestant_a"], candidates["contestant_b"])]
    chosen = _policy_pair({pairs[k] for k in ranked},
                          category_table(counts, category[ranked[0]]), rng)
    return candidates.iloc[next((k for k in ranked if pairs[k] == chosen), ranked[0])]


def next_queue_battle(store: Store, voter: str, prompt_set: str | None = None,
                      category: str | None = None, seen: frozenset = frozenset(),
                      rng: random.Random | None = None) -> Battle | None:
    """The voter's next queue battle, stored so that a vote can be recorded on it; None when
    nothing is left for them. The sides are the stored answers whole (so nothing about timing
    shows), placed at random. A voter without a nickname shares the name ANONYMOUS with
    everyone else without one: their pairs are known from `seen` (the session) alone. The
    pair is chosen as the live Arena's are (the arena's Pairing option; adaptive: from the
    counted votes)."""
    rng = rng or random.SystemRandom()
    name = voter.strip()
    candidates = store.queue_candidates(None if name in ("", ANONYMOUS) else name,
                                        prompt_set, category)
    counts = None if store.arena_options().pairing == "uniform" else store.vote_counts()
    while (row := choose_queue_pair(candidates, rng, seen, counts)) is not None:
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
