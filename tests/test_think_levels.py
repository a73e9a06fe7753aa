"""Models that think by level (gpt-oss): names, the lineup's levels, what is sent to Ollama, the
fake's faithfulness, and storing level sides and choices."""

import sqlite3
import threading

import ollama
import pytest
from fake_ollama import THINKING, FakeModel, FakeOllama, gpt_oss, level_thinking

from arena.abortable_transport import AbortableTransport
from arena.db import Store, migrations
from arena.db.migrations import MIGRATIONS
from arena.db.migrations_round2 import _think_levels
from arena.engine import stream_answer
from arena.lineup import Host, catalogue, eligible_contestants, survey
from arena.ollama_api import make_client, think_argument
from arena.records import (
    THINK_LEVELS,
    ArenaOptions,
    Battle,
    ModelChoice,
    Side,
    contestant_name,
    parse_contestant_name,
)
from arena.settings import load_settings
from arena.think_levels import level_on, levels_for, takes_levels

SETTINGS = load_settings({})
OSS = gpt_oss()
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


def lineup_models():
    return [gpt_oss(), FakeModel("qwen3:8b", style=THINKING), FakeModel("llama3.2:3b")]


def entries_of(fake):
    return catalogue(survey([Host(fake.url)], SETTINGS))


def names(contestants):
    return sorted(c.name for c in contestants)


@pytest.mark.parametrize("think", ["default", "on", "off", *THINK_LEVELS])
def test_contestant_names_round_trip(think):
    name = contestant_name("gpt-oss:20b", think)
    assert parse_contestant_name(name) == ("gpt-oss:20b", think)


def test_level_names_read_as_people_write_them():
    assert contestant_name("gpt-oss:20b", "high") == "gpt-oss:20b (think high)"
    assert contestant_name("qwen3:8b", "on") == "qwen3:8b (thinking)"  # unchanged


def test_the_family_says_which_models_think_by_level():
    assert takes_levels("gptoss") and takes_levels("gpt-oss")
    assert not takes_levels("qwen3") and not takes_levels("")


def test_a_battles_thinking_choice_maps_to_levels():
    choice = ModelChoice(levels=("high", "low", "medium"), level_on="high")
    assert levels_for(choice, "default") == ("low", "medium", "high")
    assert levels_for(choice, "on") == ("high",)
    assert levels_for(choice, "off") == ("low",)
    # A level for "on" that does not compete: the highest that does.
    assert level_on(ModelChoice(levels=("low", "medium"), level_on="high")) == "medium"
    assert levels_for(ModelChoice(levels=()), "default") == ("medium",)  # Ollama's default


def test_lineup_draws_a_level_model_at_its_chosen_levels():
    with FakeOllama(lineup_models()) as fake:
        entries = entries_of(fake)
    options = ArenaOptions()
    assert names(eligible_contestants(entries, {}, options, "default")) == [
        "gpt-oss:20b (think medium)", "llama3.2:3b", "qwen3:8b"]
    choices = {"gpt-oss:20b": ModelChoice(levels=("low", "high"), level_on="high")}
    assert names(eligible_contestants(entries, choices, options, "default")) == [
        "gpt-oss:20b (think high)", "gpt-oss:20b (think low)", "llama3.2:3b", "qwen3:8b"]
    assert names(eligible_contestants(entries, choices, options, "on")) == [
        "gpt-oss:20b (think high)", "qwen3:8b (thinking)"]
    assert names(eligible_contestants(entries, choices, options, "off")) == [
        "gpt-oss:20b (think low)", "llama3.2:3b", "qwen3:8b (no thinking)"]
    # Split thinking means nothing to it: it cannot switch thinking off.
    split = {"gpt-oss:20b": ModelChoice(split_thinking=True)}
    assert names(eligible_contestants(entries, split, options, "default"))[0] == \
        "gpt-oss:20b (think medium)"
    excluded = {"gpt-oss:20b": ModelChoice(included=False, levels=("low", "high"))}
    assert "gpt-oss" not in " ".join(names(eligible_contestants(entries, excluded, options,
                                                                "default")))


def _answer(fake, model, think):
    side = Side(model=model, host=fake.url, think=think)
    client = make_client(fake.url, 10)
    return stream_answer(side, MESSAGES, {}, client, AbortableTransport(), threading.Event())


@pytest.mark.parametrize("level", THINK_LEVELS)
def test_a_level_is_sent_as_its_string_and_thinks_at_that_level(level):
    assert think_argument(level) == level
    with FakeOllama([OSS]) as fake:
        side = _answer(fake, OSS.name, level)
    assert [r["think"] for r in fake.chat_requests()] == [level]
    assert not side.failed
    assert side.thinking == level_thinking(OSS.thinking, level)


@pytest.mark.parametrize("think", [True, False, None])
def test_the_fake_level_model_ignores_booleans_as_ollama_does(think):
    with FakeOllama([OSS]) as fake:
        chunks = list(make_client(fake.url, 10).chat(OSS.name, MESSAGES, stream=True,
                                                      think=think))
    thinking = "".join(c.message.thinking or "" for c in chunks)
    assert thinking == level_thinking(OSS.thinking, "medium")  # its default level, never off


def test_an_unknown_level_is_refused_in_ollamas_words():
    with FakeOllama([OSS]) as fake, pytest.raises(ollama.ResponseError) as refused:
        list(make_client(fake.url, 10).chat(OSS.name, MESSAGES, stream=True, think="extreme"))
    assert refused.value.status_code == 400
    assert refused.value.error == ('invalid think value: "extreme" (must be "high", "medium", '
                                   '"low", "max", true, or false)')


def test_a_level_to_a_model_that_cannot_think_is_refused():
    with FakeOllama([FakeModel("llama3.2:3b")]) as fake:
        side = _answer(fake, "llama3.2:3b", "high")
    assert side.error_kind == "thinking_unsupported"


def test_level_choices_are_stored_with_the_model_choices(store):
    store.set_model_choice("gpt-oss:20b", ModelChoice(levels=("high", "low"), level_on="low"))
    store.set_model_choice("qwen3:8b", ModelChoice(split_thinking=True))
    choices = store.model_choices()
    assert choices["gpt-oss:20b"] == ModelChoice(levels=("low", "high"), level_on="low")
    assert choices["qwen3:8b"] == ModelChoice(split_thinking=True)  # defaults for the rest


def _level_battle() -> Battle:
    return Battle(category="general", prompt="Capital of France?", system_prompt="", options={},
                  side_a=Side(model="gpt-oss:20b", think="high", answer="Paris."),
                  side_b=Side(model="gpt-oss:20b", think="low", answer="Paris!"))


def test_each_level_is_a_contestant_of_its_own(store):
    battle = _level_battle()
    store.save_battle(battle)
    assert store.get_battle(battle.id).side_a.think == "high"
    store.record_vote(battle.id, "model_a", "ann")
    assert store.contestant_names() == ["gpt-oss:20b (think high)", "gpt-oss:20b (think low)"]


def test_a_database_from_before_takes_levels_after_migrating(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:MIGRATIONS.index(_think_levels)])
    old = Store(path)
    with pytest.raises(sqlite3.IntegrityError):
        old.save_battle(_level_battle())  # the old CHECK refuses a level
    kept = Battle(category="general", prompt="p", system_prompt="", options={},
                  side_a=Side(model="qwen3:8b", think="on"), side_b=Side(model="llama3.2:3b"))
    old.save_battle(kept)
    with old.transaction() as conn:  # as the code before stored a choice
        conn.execute("INSERT INTO model_choices (model, included, split_thinking)"
                     " VALUES ('qwen3:8b', 1, 1)")
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    upgraded = Store(path)
    assert upgraded.schema_version() == len(MIGRATIONS)
    assert upgraded.get_battle(kept.id).side_a.think == "on"
    assert upgraded.model_choices()["qwen3:8b"] == ModelChoice(split_thinking=True)
    upgraded.save_battle(_level_battle())
    with upgraded.reading() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_generate_answers_a_set_at_each_chosen_level(tmp_path, monkeypatch):
    from cli_helpers import arena
    from generation_helpers import PROMPTS, SET, add_set

    path = tmp_path / "sets.db"
    with Store(path) as store:
        add_set(store)
        store.set_model_choice(OSS.name, ModelChoice(levels=("low", "high")))
    with FakeOllama([gpt_oss(), FakeModel("llama3.2:3b")]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        done = arena("generate", SET, "--db", str(path))
        assert done.returncode == 0, done.stderr
        sent = sorted({(r["model"], r.get("think")) for r in fake.chat_requests()},
                      key=str)
    assert sent == [("gpt-oss:20b", "high"), ("gpt-oss:20b", "low"), ("llama3.2:3b", None)]
    with Store(path) as store:
        answers = store.answers(SET)
    levels = {(a.side.model, a.side.think): a.side.thinking for a in answers}
    assert len(answers) == 3 * len(PROMPTS)
    assert levels[(OSS.name, "low")] == level_thinking(OSS.thinking, "low")
    assert levels[(OSS.name, "high")] == level_thinking(OSS.thinking, "high")
    # --models takes a level contestant's name (of a level that competes).
    with FakeOllama([gpt_oss()]) as fake, Store(tmp_path / "other.db") as other:
        add_set(other)
        other.set_model_choice(OSS.name, ModelChoice(levels=("low", "high")))
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        done = arena("generate", SET, "--db", str(tmp_path / "other.db"),
                     "--models", "gpt-oss:20b (think low)")
        assert done.returncode == 0, done.stderr
        assert {r.get("think") for r in fake.chat_requests()} == {"low"}


def test_a_level_model_judges_at_the_level_its_name_gives():
    from arena.cli_judge import _judge_on

    with FakeOllama([gpt_oss()]) as fake:
        judge, host = _judge_on(survey([Host(fake.url)], SETTINGS), "gpt-oss:20b (think high)")
    assert (judge.think, judge.name, host) == ("high", "gpt-oss:20b (think high)", fake.url)
    assert think_argument(judge.think) == "high"


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_level_battles_export_and_import_with_their_levels(tmp_path, form):
    from arena.files.export import write_export
    from arena.files.importer import import_file

    source = Store(tmp_path / "source.db")
    battle = _level_battle()
    source.save_battle(battle)
    source.record_vote(battle.id, "model_b", "ann")
    path = tmp_path / f"levels.{form}"
    assert write_export(source, path, form) == 1
    target = Store(tmp_path / "target.db")
    assert import_file(target, path).added == 1
    copy = target.get_battle(battle.id)
    assert (copy.side_a.think, copy.side_b.think) == ("high", "low")
    assert target.contestant_names() == source.contestant_names()
