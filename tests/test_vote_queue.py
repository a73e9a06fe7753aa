"""The vote queue (arena.vote_queue, Store.queue_candidates): which two stored answers a voter
sees next, the battle built from them, and its vote through a Round, as for live battles."""

import random
from collections import Counter
from dataclasses import fields

import pytest
from seed import ANSWER_OPTIONS, answered_set, stored_answer

from arena.access import Voter
from arena.db import CANDIDATE_COLUMNS, BattleFilter
from arena.db.rules import NAMES_VISIBLE
from arena.identity import IDENTITY_LEAK
from arena.prompt_sets import PromptItem, PromptSet
from arena.records import ArenaOptions, Side, contestant_name
from arena.round import AWAITING_VOTE, VOTED, Round
from arena.vote_queue import choose_queue_pair, next_queue_battle, pair_key

REVIEWS = PromptSet("评论 reviews", "classification", ("positive", "negative"))
SLOGANS = PromptSet("Slogans", "copywriting")
MODELS = ("gemma3:4b", "phi4", "qwen3:8b")


def vote_through(store, voter: str, rng: random.Random, **where) -> list:
    """Vote on queue battles until none is left for `voter`; the battles."""
    battles, seen = [], frozenset()
    while (battle := next_queue_battle(store, voter, seen=seen, rng=rng, **where)) is not None:
        store.record_vote(battle.id, "tie", voter=voter)
        battles.append(battle)
        seen |= {pair_key(battle.answer_id_a, battle.answer_id_b)}
        assert len(battles) < 100, "the queue never ends"
    return battles


def test_candidates_are_pairs_of_complete_answers_of_items_with_two(store):
    one, two, three = answered_set(store, REVIEWS, 3, models=())
    for model in MODELS:
        store.save_answer(stored_answer(one, model))
    store.save_answer(stored_answer(two, "phi4"))
    store.save_answer(stored_answer(two, "gemma3:4b", failed=True))  # failed: not shown
    store.save_answer(stored_answer(three, "qwen3:8b", "on"))
    store.save_answer(stored_answer(three, "qwen3:8b", "off"))  # same model, other contestant
    frame = store.queue_candidates("ann")
    assert list(frame.columns) == CANDIDATE_COLUMNS
    assert Counter(frame["item_row"]) == {one: 3, three: 1}
    assert (frame["answer_a"] < frame["answer_b"]).all()
    first = frame.iloc[0]
    assert (first["set_name"], first["item_id"], first["prompt"], first["expected"],
            first["category"]) == (REVIEWS.name, "q0", f"{REVIEWS.name} prompt 0", "positive",
                                   "classification")
    assert (frame["votes"] == 0).all() and not frame["shown"].any()
    assert (frame["answers_seen"] == 0).all()
    assert {frozenset(p) for p in zip(frame["contestant_a"], frame["contestant_b"])} == \
        {frozenset(("phi4", "qwen3:8b")), frozenset(("gemma3:4b", "phi4")),
         frozenset(("gemma3:4b", "qwen3:8b")), frozenset(("qwen3:8b (thinking)", "qwen3:8b (no thinking)"))}


def test_candidates_filter_by_set_and_category(store):
    answered_set(store, REVIEWS, 2)
    answered_set(store, SLOGANS, 1)
    assert len(store.queue_candidates("ann")) == 9
    assert set(store.queue_candidates("ann", prompt_set=SLOGANS.name)["set_name"]) == {SLOGANS.name}
    assert len(store.queue_candidates("ann", category="classification")) == 6
    assert store.queue_candidates("ann", SLOGANS.name, "classification").empty
    assert store.queue_candidates("ann", "no such set").empty


def test_the_candidates_count_votes_and_what_the_voter_has_seen(store):
    answered_set(store, REVIEWS, 1)
    rng = random.Random(1)
    battle = next_queue_battle(store, "ann", rng=rng)
    store.record_vote(battle.id, "model_a", voter="ann")
    again = next_queue_battle(store, "bob", rng=rng)  # not counted: left unvoted
    store.abandon_battle(again.id)
    frame = store.queue_candidates("ann").set_index(["answer_a", "answer_b"])
    shown = tuple(sorted((battle.answer_id_a, battle.answer_id_b)))
    assert frame.loc[shown, "votes"] == 1 and frame.loc[shown, "shown"]
    others = frame.drop(index=[shown])
    assert not others["shown"].any() and (others["answers_seen"] == 1).all()
    assert not store.queue_candidates("bob")["shown"].any()  # bob did not vote


def test_uniform_pairing_takes_the_fewest_votes_first_and_keeps_the_counts_even(store):
    store.set_arena_options(ArenaOptions(pairing="uniform"))
    answered_set(store, REVIEWS, 4)  # 12 pairs
    answered_set(store, SLOGANS, 2)  # 6 more, in another set
    rng = random.Random(7)
    for voter in ("ann", "bob", "cy"):  # one battle per item each (3 models: one pair)
        seen = frozenset()
        while (battle := next_queue_battle(store, voter, seen=seen, rng=rng)) is not None:
            store.record_vote(battle.id, "tie", voter=voter)
            seen |= {pair_key(battle.answer_id_a, battle.answer_id_b)}
            votes = store.queue_candidates("nobody")["votes"]
            assert votes.max() - votes.min() <= 1
    assert (store.queue_candidates("nobody")["votes"] == 1).all()  # every pair once


def test_no_answer_twice_for_a_voter_until_none_is_left(store):
    answered_set(store, REVIEWS, 3)
    rng = random.Random(3)
    battles = vote_through(store, "ann", rng)
    shown = [a for b in battles for a in (b.answer_id_a, b.answer_id_b)]
    assert len(battles) == 3 and len(shown) == len(set(shown))  # one pair of each item
    assert next_queue_battle(store, "ann", rng=rng) is None
    assert next_queue_battle(store, "bob", rng=rng) is not None  # another voter still has pairs


def test_pairs_seen_in_the_session_are_not_shown_again(store):
    answered_set(store, REVIEWS, 1, models=MODELS[:2])
    battle = next_queue_battle(store, "anonymous", rng=random.Random(0))
    store.abandon_battle(battle.id)  # not voted: the store does not know it was seen
    seen = frozenset({pair_key(battle.answer_id_a, battle.answer_id_b)})
    assert next_queue_battle(store, "anonymous", seen=seen) is None


def test_voters_without_a_nickname_are_known_by_their_session_alone(store):
    answered_set(store, REVIEWS, 1)
    first = vote_through(store, "anonymous", random.Random(0))
    second = vote_through(store, "  ", random.Random(1))  # another tab, no nickname either
    assert len(first) == len(second) == 1


def test_an_item_without_id_or_expected_answer_gives_a_battle_without_them(store):
    store.add_prompt_set(SLOGANS, [PromptItem("A slogan for tea")])
    (item,) = store.set_items(SLOGANS.name)
    for model in MODELS[:2]:
        store.save_answer(stored_answer(item.item_id, model))
    battle = next_queue_battle(store, "ann", rng=random.Random(0))
    assert (battle.item_id, battle.expected, battle.category) == (None, None, "copywriting")
    assert store.get_battle(battle.id) == battle


def test_an_answer_once_shown_is_never_shown_to_that_voter_again(store):
    answered_set(store, REVIEWS, 1, models=("a:1b", "b:1b", "c:1b", "d:1b"))
    rng = random.Random(5)
    first = next_queue_battle(store, "ann", rng=rng)
    store.record_vote(first.id, "tie", voter="ann")
    second = next_queue_battle(store, "ann", rng=rng)  # the one pair of the two others
    assert not {second.answer_id_a, second.answer_id_b} & {first.answer_id_a, first.answer_id_b}
    store.record_vote(second.id, "tie", voter="ann")
    # Every other pair has an answer whose model ann has seen revealed: not blind any more.
    assert next_queue_battle(store, "ann", rng=rng) is None
    skipped = next_queue_battle(store, "bob", rng=rng)
    store.abandon_battle(skipped.id)  # left unvoted: its names may be shown now too
    shown = pair_key(skipped.answer_id_a, skipped.answer_id_b)
    again = next_queue_battle(store, "bob", seen=frozenset({shown}), rng=rng)
    assert not {again.answer_id_a, again.answer_id_b} & shown


def test_an_item_without_an_expected_answer_among_others_gives_none_not_nan(store):
    store.add_prompt_set(SLOGANS, [PromptItem("A slogan for tea", "t1", "Tea time"),
                                   PromptItem("A slogan for rice")])
    for item in store.set_items(SLOGANS.name):
        for model in MODELS[:2]:
            store.save_answer(stored_answer(item.item_id, model))
    battles = vote_through(store, "ann", random.Random(0))
    assert sorted((b.item_id or "", b.expected or "") for b in battles) == \
        [("", ""), ("t1", "Tea time")]
    assert all(b.expected is None or isinstance(b.expected, str) for b in battles)
    assert all(b.item_id is None or isinstance(b.item_id, str) for b in battles)


def test_the_choice_is_random_among_ties_and_none_when_nothing_is_left(store):
    answered_set(store, REVIEWS, 2)
    frame = store.queue_candidates("ann")
    picked = {choose_queue_pair(frame, random.Random(seed))["answer_a"] for seed in range(20)}
    assert len(picked) > 1
    assert choose_queue_pair(frame.iloc[0:0], random.Random(0)) is None
    everything = frozenset(pair_key(a, b) for a, b in zip(frame["answer_a"], frame["answer_b"]))
    assert choose_queue_pair(frame, random.Random(0), everything) is None


def test_the_battle_shows_the_stored_answers_at_random_sides(store):
    answered_set(store, REVIEWS, 1, models=MODELS[:2])
    stored = {a.answer_id: a for a in store.answers(REVIEWS.name)}
    placements = set()
    for seed in range(12):
        battle = next_queue_battle(store, f"voter {seed}", rng=random.Random(seed))
        assert store.get_battle(battle.id) == battle  # stored, ready for a vote
        for side, answer_id in ((battle.side_a, battle.answer_id_a),
                                (battle.side_b, battle.answer_id_b)):
            assert side == stored[answer_id].side
            assert [getattr(side, f.name) for f in fields(Side)] == \
                [getattr(stored[answer_id].side, f.name) for f in fields(Side)]
        placements.add(battle.side_a.model)
        assert (battle.source, battle.prompt_set, battle.item_id, battle.expected,
                battle.category, battle.status) == ("prompt_set", REVIEWS.name, "q0",
                                                     "positive", "classification", "complete")
        assert (battle.system_prompt, battle.options) == ("You classify.", ANSWER_OPTIONS)
        assert battle.prompt == f"{REVIEWS.name} prompt 0"
    assert placements == set(MODELS[:2])  # both placements happen


def test_a_queue_vote_through_a_round_counts_like_a_live_one(store):
    answered_set(store, REVIEWS, 1)
    round_ = Round()
    battle = next_queue_battle(store, "ann", rng=random.Random(2))
    round_.offer(battle, store)
    assert round_.state == AWAITING_VOTE and not round_.leaks
    round_.vote("model_a", Voter("ann"))
    assert round_.state == VOTED and round_.stored_vote.counts
    counts = store.vote_counts()
    assert counts["count"].sum() == 1
    row = counts.iloc[0]
    assert (row["model_a"], row["model_b"], row["winner"]) == (
        contestant_name(battle.side_a.model, battle.side_a.think),
        contestant_name(battle.side_b.model, battle.side_b.think), "model_a")
    round_.clear()  # voted: nothing is abandoned
    assert store.count_battles_where(BattleFilter(revealed_only=True)) == 1


def test_an_answer_naming_its_model_gives_a_vote_that_does_not_count(store):
    (row,) = answered_set(store, REVIEWS, 1, models=())
    store.save_answer(stored_answer(row, "gemma3:4b",
                                    text="I am Gemma, a model made by Google: positive."))
    store.save_answer(stored_answer(row, "phi4", text="positive"))
    round_ = Round()
    round_.offer(next_queue_battle(store, "ann", rng=random.Random(0)), store)
    assert round_.leaks
    round_.vote("model_b", Voter("ann"))
    assert not round_.stored_vote.counts
    assert round_.stored_vote.not_counted_reason == IDENTITY_LEAK
    assert store.vote_counts()["count"].sum() == 0


def test_clear_abandons_an_unvoted_queue_battle(store):
    answered_set(store, REVIEWS, 1)
    round_ = Round()
    battle = next_queue_battle(store, "ann", rng=random.Random(0))
    round_.offer(battle, store)
    round_.clear()
    assert round_.battle is None
    assert store.record_vote(battle.id, "tie").not_counted_reason == NAMES_VISIBLE


def test_an_offer_abandons_the_battle_before_it_unless_voted(store):
    answered_set(store, REVIEWS, 2)
    round_ = Round()
    rng = random.Random(4)
    skipped = next_queue_battle(store, "ann", rng=rng)
    round_.offer(skipped, store)
    round_.offer(next_queue_battle(store, "ann", rng=rng), store)  # moved on without a vote
    assert not store.record_vote(skipped.id, "tie").counts
    round_.vote("tie", Voter("ann"))
    voted = round_.battle
    round_.offer(next_queue_battle(store, "ann", rng=rng), store)
    assert store.get_vote(voted.id).counts and round_.state == AWAITING_VOTE


@pytest.mark.parametrize("items, models", [(20, 8)])
def test_a_whole_set_is_one_quick_query(store, items, models):
    answered_set(store, REVIEWS, items, models=tuple(f"m{n}:1b" for n in range(models)))
    assert len(store.queue_candidates("ann")) == items * models * (models - 1) // 2


def test_answers_made_with_other_settings_are_never_paired(store):
    [row] = answered_set(store, REVIEWS, 1, models=MODELS[:2])
    hotter = stored_answer(row, "qwen3:8b")
    hotter.options = {**ANSWER_OPTIONS, "temperature": 1.5}  # a later run, other settings
    store.save_answer(hotter)
    other_prompt = stored_answer(row, "llama3.2:3b")
    other_prompt.system_prompt = "You are a poet."  # the category's prompt edited meanwhile
    store.save_answer(other_prompt)
    pairs = store.queue_candidates("ann")
    models = {a.answer_id: a.contestant for a in store.answers(REVIEWS.name)}
    shown = {frozenset((models[a], models[b])) for a, b in zip(pairs["answer_a"],
                                                                pairs["answer_b"])}
    assert shown == {frozenset(MODELS[:2])}


def test_a_vote_after_the_same_answer_was_revealed_in_another_tab_does_not_count(store):
    answered_set(store, REVIEWS, 1)  # three answers: any two pairs share one
    first_tab = next_queue_battle(store, "ann", rng=random.Random(0))
    second_tab = next_queue_battle(store, "ann", rng=random.Random(1))  # before any vote
    shared = {first_tab.answer_id_a, first_tab.answer_id_b} & \
        {second_tab.answer_id_a, second_tab.answer_id_b}
    assert shared
    assert store.record_vote(first_tab.id, "model_a", voter="ann").counts
    late = store.record_vote(second_tab.id, "model_b", voter="ann")
    assert (late.counts, late.not_counted_reason) == (False, NAMES_VISIBLE)
    # Another person, or people without a nickname (one shared name), are not held to it.
    third = next_queue_battle(store, "bob", rng=random.Random(2))
    assert store.record_vote(third.id, "tie", voter="bob").counts
    for seed in (3, 4):
        battle = next_queue_battle(store, "anonymous", rng=random.Random(seed))
        assert store.record_vote(battle.id, "tie", voter="anonymous").counts
