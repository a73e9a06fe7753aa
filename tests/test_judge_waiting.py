"""Anonymity and the judge (issue 14): a battle still waiting for its vote is not judged — a live
one, or a prompt set's pair a waiting queue battle shows — until it is voted or abandoned, so that
no judge board or agreement figure moves while it is on someone's screen."""

from datetime import datetime, timedelta, timezone

from judge_helpers import SET, seed_set

from arena.db import Store
from arena.records import Battle, Side, iso_utc
from arena.vote_queue import QUEUE_SOURCE


def live_now(store: Store, age: timedelta = timedelta(0)) -> str:
    """A live battle made `age` ago (just now by default), not voted: on someone's screen
    until it is abandoned."""
    battle = Battle(category="general", prompt="Now?", system_prompt="", options={},
                    side_a=Side("m1", answer="An answer."), side_b=Side("m2", answer="Another."),
                    created_at=iso_utc(datetime.now(timezone.utc) - age))
    store.save_battle(battle)
    return battle.id


def judged_ids(store: Store) -> list[str]:
    return [s.battle_id for s in store.judge_subjects("judge:1") if s.battle_id]


def test_a_live_battle_waiting_for_its_vote_is_not_judged_until_voted(store):
    waiting = live_now(store)
    assert judged_ids(store) == []
    store.record_vote(waiting, "model_a")
    assert judged_ids(store) == [waiting]


def test_an_abandoned_battle_is_judged(store):
    waiting = live_now(store)
    store.abandon_battle(waiting)
    assert judged_ids(store) == [waiting]


def test_a_battle_past_the_time_limit_counts_as_abandoned(tmp_path):
    with Store(tmp_path / "a.db", unvoted_hidden_for=timedelta(minutes=1)) as store:
        waiting = live_now(store, age=timedelta(minutes=2))
        assert judged_ids(store) == [waiting]
        recent = live_now(store, age=timedelta(seconds=10))
        assert recent not in judged_ids(store)


def test_a_pair_shown_by_a_waiting_queue_battle_waits_for_its_vote(store):
    seed_set(store)
    pairs = {(s.answer_low, s.answer_high) for s in store.judge_subjects("judge:1")}
    low, high = sorted(pairs)[0]
    first, second = store.stored_answers([high, low])  # shown with the high answer as side a
    battle = Battle(category="general", prompt="Review one", system_prompt="",
                    options=first.options, side_a=first.side, side_b=second.side,
                    source=QUEUE_SOURCE, prompt_set=SET, item_id=None,
                    answer_id_a=first.answer_id, answer_id_b=second.answer_id)
    store.save_battle(battle)
    left = {(s.answer_low, s.answer_high) for s in store.judge_subjects("judge:1")}
    # Every pair with one of the two answers on screen waits, not only the pair itself.
    assert (low, high) not in left and all(not {low, high} & set(p) for p in left)
    assert left  # the others are judged meanwhile
    store.record_vote(battle.id, "model_b")
    assert {(s.answer_low, s.answer_high) for s in store.judge_subjects("judge:1")} == pairs


def test_the_export_for_the_page_leaves_out_a_pair_a_waiting_battle_shows(store):
    from arena.judging import PROMPT_VERSION, Judgement

    seed_set(store)
    subject = store.judge_subjects("judge:1")[0]
    store.save_judgement(Judgement(subject, "judge:1", "sha", "h", PROMPT_VERSION, "Be fair.",
                                   "t0", "t1", verdict_first="A", verdict_second="B",
                                   outcome="model_a"))
    assert len(store.judgements(revealed_only=True)) == 1
    first, second = store.stored_answers([subject.answer_low, subject.answer_high])
    battle = Battle(category="general", prompt=subject.prompt, system_prompt="",
                    options=first.options, side_a=first.side, side_b=second.side,
                    source=QUEUE_SOURCE, prompt_set=SET, item_id=None,
                    answer_id_a=first.answer_id, answer_id_b=second.answer_id)
    store.save_battle(battle)  # on someone's screen: the judgement quotes its answers
    assert store.judgements(revealed_only=True).empty
    assert len(store.judgements()) == 1  # the command line's export is the admin's own file
    store.record_vote(battle.id, "model_a")
    assert len(store.judgements(revealed_only=True)) == 1

