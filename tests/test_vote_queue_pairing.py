"""The vote queue picks its model pair as the live Arena does (arena.pairing.choose_pair, from the
category's counted votes), never shows a voter an answer twice, and keeps fewest-votes-first
under the uniform Pairing option. Statistical, but deterministic: every rng is seeded."""

import itertools
import random
from collections import Counter

from seed import answered_set, seed_votes

from arena.prompt_sets import PromptSet
from arena.records import ArenaOptions
from arena.vote_queue import choose_queue_pair, next_queue_battle, pair_key

REVIEWS = PromptSet("评论 reviews", "classification", ("positive", "negative"))
SLOGANS = PromptSet("Slogans", "copywriting")
# a and b level at the top; the rest far below, each settled in its place.
RATINGS = {"a:1b": 1300, "b:1b": 1295, "c:1b": 1050, "d:1b": 850, "e:1b": 650, "f:1b": 450}


def seed_board(store, ratings: dict[str, float], games: int, category: str) -> None:
    """`games` counted votes per pair in `category`, won as Bradley–Terry expects."""
    rows = []
    for a, b in itertools.combinations(ratings, 2):
        wins = round(games / (1 + 10 ** ((ratings[b] - ratings[a]) / 400)))
        rows += [(a, b, "model_a", category)] * wins + [(a, b, "model_b", category)] * (games - wins)
    seed_votes(store, rows)


def models_drawn(store, draws: int, rng: random.Random, adaptive: bool = True) -> Counter:
    """How often each contestant is in the pair chosen, over `draws` choices (none voted)."""
    candidates = store.queue_candidates("ann")
    counts = store.vote_counts() if adaptive else None
    games = Counter()
    for _ in range(draws):
        row = choose_queue_pair(candidates, rng, counts=counts)
        games.update((row["contestant_a"], row["contestant_b"]))
    return games


def test_the_queue_spends_its_votes_on_the_models_still_in_play(store):
    answered_set(store, REVIEWS, 3, models=tuple(RATINGS))  # 15 pairs an item
    seed_board(store, RATINGS, 60, REVIEWS.category)
    adaptive = models_drawn(store, 450, random.Random(7))
    top, rest = min(adaptive["a:1b"], adaptive["b:1b"]), max(adaptive[m] for m in list(RATINGS)[2:])
    assert top > 1.2 * rest
    assert top > 1.2 * 450 / 3  # uniform: each model in a third of the pairs
    uniform = models_drawn(store, 450, random.Random(7), adaptive=False)
    assert max(uniform.values()) < 1.4 * min(uniform.values())  # even without the policy


def test_only_the_votes_of_the_items_category_decide(store):
    # The same board, but voted in another category: the reviews have no votes yet, so every
    # contestant is new there and the draws are even.
    answered_set(store, REVIEWS, 3, models=tuple(RATINGS))
    seed_board(store, RATINGS, 60, "general")
    drawn = models_drawn(store, 450, random.Random(7))
    assert max(drawn.values()) < 1.4 * min(drawn.values())


def test_a_model_with_no_votes_is_drawn_first(store):
    answered_set(store, REVIEWS, 4, models=("a:1b", "b:1b", "c:1b", "new:1b"))
    seed_board(store, {"a:1b": 1100, "b:1b": 1000, "c:1b": 900}, 30, REVIEWS.category)
    assert models_drawn(store, 60, random.Random(3))["new:1b"] == 60
    for voter in ("ann", "bob", "cy"):  # through the store, with the arena's default option
        battle = next_queue_battle(store, voter, rng=random.Random(len(voter)))
        assert "new:1b" in (battle.side_a.model, battle.side_b.model)


def test_three_voters_through_a_set_never_see_an_answer_twice(store):
    models = tuple(RATINGS)[:4]  # two battles an item for each voter, then none is blind
    answered_set(store, REVIEWS, 5, models=models)
    answered_set(store, SLOGANS, 2, models=models)  # another category in the same queue
    seed_board(store, {m: RATINGS[m] for m in models}, 20, REVIEWS.category)
    rng = random.Random(11)
    for voter in ("ann", "bob", "cy"):
        battles, seen = [], frozenset()
        while (battle := next_queue_battle(store, voter, seen=seen, rng=rng)) is not None:
            stronger = RATINGS[battle.side_a.model] > RATINGS[battle.side_b.model]
            assert store.record_vote(battle.id, "model_a" if stronger else "model_b",
                                     voter=voter).counts
            battles.append(battle)
            seen |= {pair_key(battle.answer_id_a, battle.answer_id_b)}
            assert len(battles) <= 14
        shown = [a for b in battles for a in (b.answer_id_a, b.answer_id_b)]
        assert len(battles) == 14 and len(shown) == len(set(shown))  # 7 items × 2 battles
    assert store.vote_counts()["count"].sum() == 6 * 20 + 3 * 14


def test_uniform_pairing_covers_every_pair_evenly_on_a_settled_board(store):
    models = tuple(RATINGS)[:4]
    answered_set(store, REVIEWS, 3, models=models)  # 6 pairs an item: 3 voters × 2 battles
    seed_board(store, RATINGS, 60, REVIEWS.category)

    def votes_after_three_voters() -> list[int]:
        for voter in ("ann", "bob", "cy"):
            seen = frozenset()
            while (battle := next_queue_battle(store, voter, seen=seen, rng=rng)) is not None:
                store.record_vote(battle.id, "tie", voter=voter)
                seen |= {pair_key(battle.answer_id_a, battle.answer_id_b)}
        return list(store.queue_candidates(None)["votes"])

    rng = random.Random(5)
    store.set_arena_options(ArenaOptions(pairing="uniform"))
    assert votes_after_three_voters() == [1] * 18  # every pair once: the old even coverage


def test_a_pair_that_cannot_be_shown_is_drawn_again_keeping_the_policys_choice(store):
    answered_set(store, REVIEWS, 3, models=tuple(RATINGS))
    seed_board(store, RATINGS, 60, REVIEWS.category)
    frame = store.queue_candidates("ann")
    top = frozenset(("a:1b", "b:1b"))  # the pair the policy likes best, shown to no one here
    frame = frame[[frozenset(p) != top for p in zip(frame["contestant_a"], frame["contestant_b"])]]
    rng, with_top = random.Random(2), 0
    for _ in range(300):
        row = choose_queue_pair(frame, rng, counts=store.vote_counts())
        pair = frozenset((row["contestant_a"], row["contestant_b"]))
        assert pair != top
        with_top += bool(pair & top)
    # a and b still get their games, against the rest of the field: a uniform draw among the
    # 14 pairs left would give them 8 in 14.
    assert with_top > 1.12 * 300 * 8 / 14


def test_when_every_draw_misses_the_fewest_voted_pair_left_is_taken(store, monkeypatch):
    answered_set(store, REVIEWS, 2, models=tuple(RATINGS)[:4])
    seed_board(store, RATINGS, 60, REVIEWS.category)
    frame = store.queue_candidates("ann")
    frame["votes"] = range(len(frame))  # one fewest-voted pair
    monkeypatch.setattr("arena.vote_queue.REDRAWS", 0)
    row = choose_queue_pair(frame, random.Random(0), counts=store.vote_counts())
    assert row["answer_a"] == frame.iloc[0]["answer_a"]
    assert row["answer_b"] == frame.iloc[0]["answer_b"]


def test_across_categories_the_one_with_the_fewest_voted_pair_goes_first(store):
    answered_set(store, REVIEWS, 2, models=tuple(RATINGS)[:4])
    answered_set(store, SLOGANS, 2, models=tuple(RATINGS)[:4])
    seed_board(store, RATINGS, 60, REVIEWS.category)
    frame = store.queue_candidates("ann")
    frame["votes"] = [0 if c == SLOGANS.category else 1 for c in frame["category"]]
    rng = random.Random(4)
    counts = store.vote_counts()
    assert {choose_queue_pair(frame, rng, counts=counts)["category"] for _ in range(40)} == \
        {SLOGANS.category}
    # Within the model pair chosen, the item with the fewest votes.
    frame["votes"] = [0 if i == frame["item_row"].iloc[0] else 3 for i in frame["item_row"]]
    assert {choose_queue_pair(frame, rng, counts=counts)["item_row"] for _ in range(40)} == \
        {frame["item_row"].iloc[0]}
