"""A round without Streamlit (arena.round): the queue place, the battle, settling and the vote
with its rules, against the fake Ollama and a real store."""

import pytest
from fake_ollama import FakeModel, FakeOllama

from arena.access import Voter, may_vote
from arena.battle_queue import AlreadyQueued, BattleQueue
from arena.categories import DEFAULT_CATEGORIES
from arena.db.rules import NAMES_VISIBLE
from arena.identity import IDENTITY_LEAK
from arena.lineup import Host, catalogue, eligible_contestants, survey
from arena.records import ArenaOptions
from arena.round import (
    AWAITING_VOTE,
    FAILED,
    IDLE,
    NOT_ALLOWED,
    RUNNING,
    STOPPED_STATE,
    UNSTORED,
    VOTED,
    WAITING,
    Round,
)
from arena.settings import load_settings

SETTINGS = load_settings({})
GENERAL = DEFAULT_CATEGORIES[0]
ANN = Voter("ann")


def pair_on(fake: FakeOllama):
    drawn = eligible_contestants(catalogue(survey([Host(fake.url)], SETTINGS)), {}, ArenaOptions(),
                        "default")
    return drawn[0], drawn[1]


def play(round_: Round, store, fake: FakeOllama, prompt: str = "Capital of France?") -> Round:
    """A whole battle, as the page runs it: a place in the line, the run, its end."""
    round_.clear()
    ticket = round_.join(BattleQueue(1))
    try:
        run = round_.start(ticket, store, SETTINGS, GENERAL, prompt, pair_on(fake))
        assert round_.state == RUNNING
        assert run.wait(10)
        assert round_.finish(run)
    finally:
        round_.leave(ticket)
    return round_


def test_a_vote_on_a_complete_battle_counts(store, fake_ollama):
    round_ = play(Round(), store, fake_ollama)
    assert round_.state == AWAITING_VOTE and not round_.leaks
    assert store.get_battle(round_.battle.id).status == "complete"
    round_.vote("model_b", Voter("  ann "))
    assert round_.state == VOTED and round_.vote_problem is None
    vote = store.get_vote(round_.battle.id)
    assert vote == round_.stored_vote
    assert (vote.winner, vote.voter, vote.counts) == ("model_b", "ann", True)


def test_a_second_vote_is_refused(store, fake_ollama):
    round_ = play(Round(), store, fake_ollama)
    round_.vote("model_a", ANN)
    round_.vote("tie", Voter("bob"))
    assert round_.vote_problem == ("vote.already_voted", {})
    assert store.count_votes() == 1 and store.get_vote(round_.battle.id).winner == "model_a"
    assert round_.stored_vote.winner == "model_a" and round_.state == VOTED


def test_a_vote_another_tab_cast_first_is_the_one_kept(store, fake_ollama):
    round_ = play(Round(), store, fake_ollama)
    store.record_vote(round_.battle.id, "tie", voter="other-tab")
    round_.vote("model_a", ANN)
    assert round_.vote_problem == ("vote.already_voted", {})
    assert round_.stored_vote.voter == "other-tab" and round_.state == VOTED


def test_no_vote_on_a_failed_battle(store):
    models = [FakeModel("good:1"), FakeModel("bad:1", fail="not_found")]
    with FakeOllama(models) as fake:
        round_ = play(Round(), store, fake)
    assert round_.state == FAILED
    round_.vote("model_a", ANN)
    assert round_.vote_problem == ("vote.battle_failed", {})
    assert store.count_votes() == 0 and round_.stored_vote is None


def test_no_vote_on_a_stopped_battle(store):
    models = [FakeModel("slow:1", answer="word " * 200), FakeModel("slower:1", answer="x " * 200)]
    queue = BattleQueue(1)
    with FakeOllama(models, token_delay=0.05) as fake:
        round_ = Round()
        ticket = round_.join(queue)
        run = round_.start(ticket, store, SETTINGS, GENERAL, "Go on.", pair_on(fake))
        round_.settle_interrupted()  # a Stop click: the next script run settles the battle
        assert not round_.finish(run)  # the interrupted run finds the round taken over
        assert fake.wait_idle()
    assert round_.state == STOPPED_STATE
    assert queue.running() == 0  # the place was given up with it
    assert store.get_battle(round_.battle.id).status == "failed"
    round_.vote("model_a", ANN)
    assert round_.vote_problem == ("vote.battle_failed", {})
    assert store.count_votes() == 0


def test_a_vote_on_a_battle_that_names_a_model_is_stored_but_not_counted(store):
    models = [FakeModel("qwen3:8b", answer="I am Qwen, a large language model."),
              FakeModel("llama3.2:3b", answer="Hello!")]
    with FakeOllama(models) as fake:
        round_ = play(Round(), store, fake, prompt="Who are you?")
    assert round_.leaks and round_.state == AWAITING_VOTE
    round_.vote("tie", ANN)
    vote = store.get_vote(round_.battle.id)
    assert (vote.counts, vote.not_counted_reason) == (False, IDENTITY_LEAK)
    assert round_.stored_vote == vote and round_.vote_problem is None


def test_thinking_that_names_a_model_leaks_only_when_voters_can_read_it(store):
    models = [FakeModel("qwen3:8b", style="thinking", thinking="I am Qwen, so I answer.",
                        answer="Paris."),
              FakeModel("llama3.2:3b", answer="Paris.")]
    with FakeOllama(models) as fake:
        hidden = play(Round(), store, fake)
        store.set_arena_options(ArenaOptions(show_thinking_before_vote=True))
        shown = play(Round(), store, fake)
    assert not hidden.leaks and shown.leaks
    hidden.vote("tie", ANN)
    assert hidden.stored_vote.counts


def test_an_interrupted_battle_is_abandoned_when_a_new_round_starts(store, fake_ollama):
    round_ = Round()
    queue = BattleQueue(1)
    ticket = round_.join(queue)
    run = round_.start(ticket, store, SETTINGS, GENERAL, "Capital of France?",
                       pair_on(fake_ollama))
    assert run.wait(10)
    round_.settle_interrupted()  # a click interrupted the run just as the battle ended
    battle = round_.battle
    assert round_.state == AWAITING_VOTE and queue.running() == 0
    assert store.names_hidden()  # unvoted: the names stay hidden
    round_.clear()  # the next Battle click (or New round)
    assert round_.state == IDLE and round_.battle is None
    assert not store.names_hidden()
    # A vote cast on it later (another tab, a replayed request) is kept but does not count.
    late = store.record_vote(battle.id, "tie", voter="other-tab")
    assert (late.counts, late.not_counted_reason) == (False, NAMES_VISIBLE)


def test_an_offered_queue_battle_awaits_its_vote_without_a_run_or_a_place(store, fake_ollama):
    import random

    from seed import answered_set

    from arena.prompt_sets import PromptSet
    from arena.vote_queue import next_queue_battle

    answered_set(store, PromptSet("reviews", "classification"), 1)
    round_ = play(Round(), store, fake_ollama)  # a live battle first, left unvoted
    live = round_.battle
    round_.clear()
    offered = next_queue_battle(store, "ann", rng=random.Random(0))
    round_.offer(offered, store)
    assert round_.battle is offered and round_.state == AWAITING_VOTE
    assert store.get_vote(live.id) is None and store.names_hidden()  # the offered one waits
    round_.vote("tie", ANN)
    assert round_.state == VOTED and store.get_vote(offered.id).counts
    assert not store.names_hidden()
    round_.clear()
    assert round_.state == IDLE  # no place in the queue was held


def test_a_click_cast_on_the_battle_before_does_not_vote_on_the_next(store):
    import random

    from seed import answered_set

    from arena.prompt_sets import PromptSet
    from arena.vote_queue import next_queue_battle

    answered_set(store, PromptSet("reviews", "classification"), 2)
    round_ = Round()
    first = next_queue_battle(store, "ann", rng=random.Random(0))
    round_.offer(first, store)
    round_.vote("model_a", ANN, first.id)
    second = next_queue_battle(store, "ann", rng=random.Random(1))
    round_.offer(second, store)
    round_.vote("model_a", ANN, first.id)  # a double click, arriving after the next battle
    assert store.get_vote(second.id) is None and round_.state == AWAITING_VOTE
    round_.vote("tie", ANN, second.id)
    assert store.get_vote(second.id).winner == "tie"


def test_a_voted_battle_is_not_abandoned(store, fake_ollama):
    round_ = play(Round(), store, fake_ollama)
    round_.vote("model_a", ANN)
    battle_id = round_.battle.id
    round_.clear()
    assert not store.abandon_battle(battle_id)  # it was voted: nothing to abandon
    assert store.get_vote(battle_id).counts


def test_who_may_vote():
    assert may_vote(Voter("ann"))  # no voter passcode: anyone who opens the arena
    assert may_vote(Voter("ann", passcode_set=True, passed=True))
    assert not may_vote(Voter("ann", passcode_set=True, passed=False))
    assert Voter("  ").name == "anonymous"


def test_a_session_that_has_not_passed_the_passcode_cannot_vote(store, fake_ollama):
    round_ = play(Round(), store, fake_ollama)
    round_.vote("model_a", Voter("mallory", passcode_set=True, passed=False))
    assert round_.vote_problem == NOT_ALLOWED and round_.state == AWAITING_VOTE
    assert store.count_votes() == 0
    round_.vote("model_a", Voter("ann", passcode_set=True, passed=True))
    assert round_.state == VOTED and store.get_vote(round_.battle.id).voter == "ann"


def test_one_place_in_the_line_per_tab_and_first_come_first_served(store, fake_ollama):
    queue = BattleQueue(1)
    first, second = Round(), Round()
    ticket = first.join(queue)
    with pytest.raises(AlreadyQueued):
        first.join(queue)
    later = second.join(queue)
    assert second.state == WAITING and second.position(later) == 1
    assert second.start(later, store, SETTINGS, GENERAL, "Hi", pair_on(fake_ollama)) is None
    first.leave(ticket)
    assert second.position(later) == 0 and first.state == IDLE
    second.settle_interrupted()  # a Cancel click: the place is given up
    assert second.position(later) is None and second.state == IDLE


def test_a_battle_the_database_refuses_is_shown_but_not_votable(store, fake_ollama):
    with store.transaction() as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON battles "
                     "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    round_ = play(Round(), store, fake_ollama)
    assert round_.state == UNSTORED and "disk I/O error" in round_.storage_error
    assert round_.battle.side_a.answer  # the answers stay
    round_.clear()
    assert round_.storage_error is None and round_.state == IDLE


def test_a_vote_the_database_cannot_store_can_be_retried(store, fake_ollama):
    round_ = play(Round(), store, fake_ollama)
    with store.transaction() as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON votes "
                     "BEGIN SELECT RAISE(ABORT, 'database is locked'); END")
    round_.vote("tie", ANN)
    key, values = round_.vote_problem
    assert key == "error.storage_vote" and "database is locked" in str(values["reason"])
    assert round_.state == AWAITING_VOTE
    with store.transaction() as conn:
        conn.execute("DROP TRIGGER refuse")
    round_.vote("tie", ANN)
    assert round_.state == VOTED and store.count_votes() == 1
