"""Multi-turn battles: each side's own conversation as the fake Ollama saw it, the turn limit,
refusals, a failed follow-up, and the stored turns."""

import dataclasses

import pytest
from fake_ollama import FakeModel, FakeOllama
from test_round import ANN, SETTINGS, play

from arena.battle_queue import BattleQueue
from arena.conversation import (
    TurnRefused,
    conversation_for,
    conversation_json,
    followups_from_json,
    followups_of_conversation,
    new_turn,
)
from arena.db import Store
from arena.db.migrations import MIGRATIONS
from arena.db.migrations_round2 import _FOLLOWUPS
from arena.records import Battle, Side
from arena.round import AWAITING_VOTE, FAILED, STOPPED_STATE, VOTED, Round
from arena.turns import followup_blocked


def echo(name: str):
    """A model whose answer depends on the conversation: it names the message it answers and
    how many answers of its own it was sent back."""
    def reply(prompt: str) -> str:
        return f"{name} answers {prompt}"
    return FakeModel(name, reply=reply)


def follow_up(round_: Round, prompt: str) -> Round:
    ticket = round_.join(BattleQueue(1))
    try:
        run = round_.start_followup(ticket, prompt)
        assert run is not None
        assert run.wait(10)
        assert round_.finish(run)
    finally:
        round_.leave(ticket)
    return round_


def test_each_side_is_sent_its_own_conversation_only(store):
    with FakeOllama([echo("alpha:1b"), echo("beta:1b")]) as fake:
        round_ = play(Round(), store, fake, prompt="first?")
        follow_up(round_, "second?")
        follow_up(round_, "third?")
        chats = fake.chat_requests()
    battle = round_.battle
    assert round_.state == AWAITING_VOTE and battle.turn_count == 3
    by_model = {}
    for body in chats:
        by_model.setdefault(body["model"], []).append(body["messages"])
    for name, side in battle.sides.items():
        sent = by_model[side.model]
        assert [len(m) for m in sent] == [1, 3, 5]
        own = [t.sides[name].answer for t in battle.turns]
        assert sent[2] == [{"role": "user", "content": "first?"},
                           {"role": "assistant", "content": own[0]},
                           {"role": "user", "content": "second?"},
                           {"role": "assistant", "content": own[1]},
                           {"role": "user", "content": "third?"}]
        assert own[1] == f"{side.model} answers second?"
        other = battle.sides["b" if name == "a" else "a"].model
        assert not any(other in m["content"] for m in sent[2])  # never the other side's answer
    assert conversation_for(battle, "a")[-1]["content"] == battle.followups[-1].side_a.answer
    stored = store.get_battle(battle.id)
    assert stored.followups == battle.followups
    assert stored.followups[0].side_a.output_tokens and stored.followups[0].side_a.total_s


def test_the_turn_limit_and_no_follow_up_after_the_vote(store, fake_ollama):
    settings = dataclasses.replace(SETTINGS, max_turns=2)
    round_ = play(Round(), store, fake_ollama)
    round_._settings = settings
    follow_up(round_, "more?")
    assert followup_blocked(round_) == "limit"
    with pytest.raises(TurnRefused) as refused:
        store.add_turn(round_.battle.id, new_turn(round_.battle, "again"), 2)
    assert refused.value.reason == "limit"
    round_.vote("model_a", ANN)
    assert round_.state == VOTED and followup_blocked(round_) == "state"


def test_the_store_refuses_a_turn_on_a_voted_or_abandoned_battle(store, fake_ollama):
    round_ = play(Round(), store, fake_ollama)
    battle = round_.battle
    round_.vote("tie", ANN)
    with pytest.raises(TurnRefused) as refused:
        store.add_turn(battle.id, new_turn(battle, "more"), 5)
    assert refused.value.reason == "voted"
    assert store.get_battle(battle.id).followups == []
    other = play(Round(), store, fake_ollama).battle
    store.abandon_battle(other.id)
    with pytest.raises(TurnRefused) as refused:
        store.add_turn(other.id, new_turn(other, "more"), 5)
    assert refused.value.reason == "ended"
    with pytest.raises(TurnRefused):
        store.add_turn("no-such-battle", new_turn(other, "more"), 5)


def test_a_failed_follow_up_fails_the_battle(store):
    flaky = FakeModel("flaky:1b", fail="drop", fail_after=1000)
    with FakeOllama([flaky, FakeModel("steady:1b")]) as fake:
        round_ = play(Round(), store, fake)
        assert round_.state == AWAITING_VOTE
        flaky.fail_after = 1
        follow_up(round_, "and then?")
    assert round_.state == FAILED
    stored = store.get_battle(round_.battle.id)
    assert stored.status == "failed" and "turn 2" in stored.failure_reason
    assert len(stored.followups) == 1
    round_.vote("model_a", ANN)
    assert store.get_vote(round_.battle.id) is None


def test_a_stopped_follow_up_stops_both_sides_and_fails_the_battle(store):
    # Stop during a follow-up: Ollama stops generating for both sides, the turn is stored as
    # stopped, and the battle takes no vote (as a stopped first turn).
    slow = [FakeModel("alpha:1b", answer="word " * 400), FakeModel("beta:1b", answer="word " * 400)]
    with FakeOllama(slow) as fake:
        round_ = play(Round(), store, fake)
        for model in slow:
            model.token_delay = 0.02
        ticket = round_.join(BattleQueue(1))
        try:
            run = round_.start_followup(ticket, "go on")
            assert run is not None
            for _ in range(200):  # both sides streaming (at most 10 s)
                if all(run.phase(name) == "streaming" for name in run.sides):
                    break
                run.poll(0.05)
            run.stop()
            assert round_.finish(run)
        finally:
            round_.leave(ticket)
        assert fake.wait_idle(5)
        assert sorted(fake.cancelled) == ["alpha:1b", "beta:1b"]
    assert round_.state == STOPPED_STATE
    stored = store.get_battle(round_.battle.id)
    assert stored.status == "failed" and len(stored.followups) == 1
    assert {s.error_kind for s in stored.followups[0].sides.values()} == {"stopped"}
    round_.vote("model_a", ANN)
    assert store.get_vote(round_.battle.id) is None


def test_the_leak_check_reads_every_turn(store):
    def talker(prompt: str) -> str:
        return "I am alpha, made by Alpha Labs." if "who" in prompt else "Fine."
    with FakeOllama([FakeModel("alpha:1b", reply=talker), FakeModel("beta:1b")]) as fake:
        round_ = play(Round(), store, fake, prompt="hello")
        assert not round_.leaks
        follow_up(round_, "who are you?")
    assert round_.leaks


def test_turns_as_json_round_trip_and_malformed_text_is_refused():
    battle = Battle("general", "p", "", {}, Side("m", answer="x"), Side("n", answer="y"))
    battle.followups.append(new_turn(battle, "q"))
    battle.followups[0].side_a.answer = "z"
    assert followups_of_conversation(conversation_json(battle)) == battle.followups
    for bad in ("{", "{}", '[{"prompt": 1}]', '[{"prompt": "q", "side_a": {}}]'):
        with pytest.raises(ValueError):
            followups_from_json(bad)


def test_the_migration_adds_the_followups_column(tmp_path):
    with Store(tmp_path / "a.db") as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert 0 < MIGRATIONS.index(_FOLLOWUPS) < len(MIGRATIONS)
        with store.reading() as conn:
            columns = [r[1] for r in conn.execute("PRAGMA table_info(battles)")]
        assert "followups" in columns
