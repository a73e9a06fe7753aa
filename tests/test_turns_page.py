"""The Arena page's follow-ups with AppTest: a two-turn battle, nothing naming a model before
the vote, the vote on the whole conversation, then no follow-up box; and the turn limit."""

import pytest
from apptest_helpers import (
    all_text,
    battle,
    db,
    open_app,
    open_page,
    texts,
    vote_button,
    vote_buttons,
)
from fake_ollama import FakeModel, FakeOllama


@pytest.fixture
def served(monkeypatch):
    models = [FakeModel("alpha:1b", reply=lambda p: f"First says: {p}"),
              FakeModel("beta:1b", reply=lambda p: f"Second says: {p}")]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        yield fake


def send_followup(at, text: str):
    at.text_area(key="arena.followup").input(text)
    return at.button(key="arena.followup_send").click().run()


def test_a_two_turn_battle_then_the_vote(served):
    at = battle(open_app("pages/arena.py"), "Capital of France?")
    assert not at.exception, texts(at.exception)
    at = send_followup(at, "And of Italy?")
    assert not at.exception, texts(at.exception)
    page = all_text(at)
    assert "Turn 1" in page and "Turn 2" in page
    assert page.count("says: Capital of France?") == 2 and page.count("says: And of Italy?") == 2
    assert "alpha" not in page and "beta" not in page  # no names before the vote
    assert len(vote_buttons(at)) == 4
    store = db()
    with store.reading() as conn:
        [battle_id] = [r[0] for r in conn.execute("SELECT id FROM battles")]
    assert store.get_battle(battle_id).turn_count == 2
    at = vote_button(at, "tie").click().run()
    page = all_text(at)
    assert "alpha:1b" in page and "beta:1b" in page
    assert "Figures of turn 1 of 2" in " ".join(texts(at.caption))  # the table's turn, said
    assert not [a for a in at.text_area if a.key == "arena.followup"]
    assert store.get_vote(battle_id).winner == "tie"


def test_the_limit_replaces_the_follow_up_box(served, monkeypatch):
    monkeypatch.setenv("ARENA_MAX_TURNS", "2")
    at = battle(open_app("pages/arena.py"), "Capital of France?")
    at = send_followup(at, "And of Italy?")
    assert not [a for a in at.text_area if a.key == "arena.followup"]
    assert "limit of 2 turns" in all_text(at)


def test_the_data_page_shows_the_conversation(served):
    at = battle(open_app("pages/arena.py"), "Capital of France?")
    at = send_followup(at, "And of Italy?")
    at = vote_button(at, "model_a").click().run()
    at = open_page("pages/data.py")
    assert not at.exception, texts(at.exception)
    page = all_text(at)
    assert "Turn 2" in page and "And of Italy?" in page
    assert page.count("says: And of Italy?") == 2


def test_new_answers_abandon_the_battle_and_ask_the_first_prompt_again(served):
    at = battle(open_app("pages/arena.py"), "Capital of France?")
    at = send_followup(at, "And of Italy?")
    at = at.button(key="arena.new_answers").click().run()
    assert not at.exception, texts(at.exception)
    store = db()
    with store.reading() as conn:
        rows = conn.execute("SELECT prompt, abandoned_at IS NOT NULL, followups IS NOT NULL"
                            " FROM battles ORDER BY created_at").fetchall()
    assert [tuple(r) for r in rows] == [("Capital of France?", 1, 1), ("Capital of France?", 0, 0)]
    assert "Turn 2" not in all_text(at) and len(vote_buttons(at)) == 4
