"""Models that think by level on the pages (AppTest): the Models page's levels become
contestants; the Arena's thinking choice maps to levels, says so, and sends the level."""

import pytest
from apptest_helpers import all_text, battle, db, open_app, open_page, texts, vote_button
from fake_ollama import THINKING, FakeModel, FakeOllama, gpt_oss

from arena.records import ModelChoice

LEVEL_NOTE_ON = "think at the level an admin chose"
LEVEL_NOTE_OFF = "cannot switch it off"


@pytest.fixture
def served(monkeypatch):
    with FakeOllama([gpt_oss(), FakeModel("qwen3:8b", style=THINKING),
                     FakeModel("llama3.2:3b")]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        yield fake


def test_an_admin_chooses_the_levels_that_compete(served, admin):
    at = open_page("pages/models.py", admin=True)
    assert not at.exception, texts(at.exception)
    assert at.multiselect(key="models.levels.gpt-oss:20b").value == ["medium"]  # the default
    assert not [c for c in at.checkbox if c.key == "models.split.gpt-oss:20b"]  # no on/off
    at.multiselect(key="models.levels.gpt-oss:20b").set_value(["low", "high"]).run()
    at.selectbox(key="models.level_on.gpt-oss:20b").select("low").run()
    assert not at.exception, texts(at.exception)
    assert db().model_choices()["gpt-oss:20b"] == ModelChoice(levels=("low", "high"),
                                                              level_on="low")
    competes = at.dataframe[1].value.set_index("Model")["Takes part"]
    assert competes["gpt-oss:20b"] == "yes, at levels: Low, High"
    # Including or excluding it keeps its levels.
    at.checkbox(key="models.include.gpt-oss:20b").uncheck().run()
    assert db().model_choices()["gpt-oss:20b"] == ModelChoice(
        included=False, levels=("low", "high"), level_on="low")


def test_no_level_at_all_keeps_the_stored_levels(served, admin):
    at = open_page("pages/models.py", admin=True)
    at.multiselect(key="models.levels.gpt-oss:20b").set_value([]).run()
    assert not at.exception, texts(at.exception)
    assert "gpt-oss:20b" not in db().model_choices()
    assert at.multiselect(key="models.levels.gpt-oss:20b").value == ["medium"]


def test_thinking_on_plays_the_admins_level_and_says_so(served):
    db().set_model_choice("gpt-oss:20b", ModelChoice(levels=("low", "high"), level_on="high"))
    db().set_model_choice("llama3.2:3b", ModelChoice(included=False))
    at = open_app()
    assert LEVEL_NOTE_ON not in all_text(at) and LEVEL_NOTE_OFF not in all_text(at)
    at.radio(key="arena.think").set_value("on").run()
    assert any(LEVEL_NOTE_ON in c for c in texts(at.caption))
    at = battle(at)
    assert not at.exception, texts(at.exception)
    sent = {r["model"]: r.get("think") for r in served.chat_requests()}
    assert sent == {"gpt-oss:20b": "high", "qwen3:8b": True}  # the level, as a string
    before = all_text(at)
    assert "gpt-oss" not in before and "think high" not in before  # nothing names a side
    vote_button(at, "tie").click().run()
    assert "High" in all_text(at)  # the reveal names the level played
    assert sorted(db().contestant_names()) == ["gpt-oss:20b (think high)", "qwen3:8b (thinking)"]


def test_thinking_off_plays_the_lowest_level_and_says_so(served):
    db().set_model_choice("gpt-oss:20b", ModelChoice(levels=("medium", "high"), level_on="high"))
    db().set_model_choice("qwen3:8b", ModelChoice(included=False))
    at = open_app()
    at.radio(key="arena.think").set_value("off").run()
    assert any(LEVEL_NOTE_OFF in c for c in texts(at.caption))
    at = battle(at)
    assert not at.exception, texts(at.exception)
    sent = {r["model"]: r.get("think") for r in served.chat_requests()}
    assert sent == {"gpt-oss:20b": "medium", "llama3.2:3b": None}


def test_the_caption_is_translated(served):
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at.radio(key="arena.think").set_value("off").run()
    assert any("最低档位" in c for c in texts(at.caption))
