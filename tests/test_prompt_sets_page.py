"""The Prompt sets page with AppTest, against the fake Ollama: adding sets, the admin rule,
contestants, generation with its progress and per-item status, and no answer text shown."""

import time
from functools import partial

import pytest
from apptest_helpers import all_text, db, open_page, texts
from fake_ollama import FakeModel, FakeOllama, default_models
from streamlit.testing.v1 import AppTest

from arena.files.set_file import add_example_set
from arena.generator import FINISHED, PAUSED, RUNNING, STOPPED, YIELDING
from arena.i18n import translate
from arena.prompt_sets import EXAMPLE_SETS, PromptAnswer
from arena.records import Side
from arena.settings import load_settings
from arena.ui.generation_view import duration_text, generators
from arena.ui.lineup_state import battle_queue

PAGE = "pages/prompt_sets.py"
CLASSIFICATION = EXAMPLE_SETS["classification"].prompt_set.name
GOOD_CSV = "prompt,id,expected\n今天天气很好,w1,positive\nThe food was cold,w2,negative\n"


@pytest.fixture
def ollama(monkeypatch, admin):
    with FakeOllama() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        yield fake


def open_sets(admin: bool = True) -> AppTest:
    at = open_page(PAGE, admin)
    assert not at.exception, texts(at.exception)
    return at


def add_file(at: AppTest, name: str, data: str, file_name: str = "set.csv",
             labels: str = "") -> AppTest:
    at.file_uploader(key="sets.upload").upload(file_name, data.encode(), "text/csv").run()
    at.text_input(key="sets.name").input(name)
    at.selectbox(key="sets.category").select("classification")
    at.text_input(key="sets.labels").input(labels)
    return at.button(key="sets.add_button").click().run()


def cells(at: AppTest) -> list[str]:
    """Every cell of the per-item status table (the page's last table)."""
    table = at.dataframe[-1].value
    return [str(v) for column in table.columns[2:] for v in table[column]]


def finish(at: AppTest, name: str, timeout: float = 60) -> AppTest:
    run = generators().run(name)
    assert run is not None and run.wait(timeout), "the run did not end"
    return at.run()


def test_uploading_a_set_adds_it_and_again_adds_nothing(ollama):
    at = add_file(open_sets(), "Weather", GOOD_CSV, labels="positive, negative")
    assert not at.exception, texts(at.exception)
    assert texts(at.success) == ["Added 2 items to “Weather” (0 were already there)."]
    [summary] = db().prompt_sets()
    assert summary.prompt_set.labels == ("positive", "negative") and summary.items == 2
    assert summary.prompt_set.category == "classification"
    assert at.selectbox(key="sets.chosen").value == "Weather"
    assert "今天天气很好" in list(at.dataframe[1].value["Prompt"])
    at.button(key="sets.add_button").click().run()
    assert texts(at.success) == ["Added 0 items to “Weather” (2 were already there)."]
    assert db().prompt_sets()[0].items == 2


@pytest.mark.parametrize("data, file_name, row", [
    ("prompt,id\nfine,a\n,b\n", "bad.csv", "row 2"),
    ('{"prompt": "fine"}\n{"prompt": "x", "colour": "red"}\n', "bad.jsonl", "row 2"),
])
def test_a_bad_file_names_the_row_and_writes_nothing(ollama, data, file_name, row):
    at = add_file(open_sets(), "Broken", data, file_name)
    assert not at.exception, texts(at.exception)
    [message] = texts(at.error)
    assert message.startswith("Nothing was added: bad.") and row in message
    assert "/tmp" not in message  # the file as the person knows it, not the server's copy
    assert db().prompt_sets() == []


def test_an_expected_answer_outside_the_labels_is_refused(ollama):
    at = add_file(open_sets(), "Weather", GOOD_CSV, labels="yes, no")
    assert "row 1" in texts(at.error)[0] and db().prompt_sets() == []


def test_the_example_set_button(ollama):
    at = open_sets()
    at.button(key="sets.example.classification").click().run()
    assert not at.exception, texts(at.exception)
    [summary] = db().prompt_sets()
    assert summary.prompt_set.name == CLASSIFICATION and summary.items >= 12
    assert texts(at.success)[0].startswith(f"Added {summary.items} items to “{CLASSIFICATION}”")
    at.button(key="sets.example.classification").click().run()
    assert f"Added 0 items to “{CLASSIFICATION}” ({summary.items} were already there)." \
        in texts(at.success)


def test_someone_who_is_not_admin_sees_no_admin_controls(ollama):
    add_example_set(db(), "classification", load_settings())
    at = open_sets(admin=False)
    keys = {w.key for w in at.button} | {w.key for w in at.multiselect}
    assert not {k for k in keys if k and k.startswith(("sets.", "generate."))}
    assert not at.get("file_uploader")
    assert any("admin passcode" in c for c in texts(at.caption))
    assert "Contestants: deepseek-r1:7b, llama3.2:3b, qwen3:8b" in texts(at.caption)
    assert at.dataframe  # the sets, the items and their status are for everyone


def test_choosing_contestants_is_saved(ollama):
    add_example_set(db(), "classification", load_settings())
    at = open_sets()
    box = at.multiselect(key=f"sets.contestants.{CLASSIFICATION}")
    assert box.value == ["deepseek-r1:7b", "llama3.2:3b", "qwen3:8b"]  # all, by default
    box.unselect("llama3.2:3b").run()
    assert db().set_contestants(CLASSIFICATION) == ["deepseek-r1:7b", "qwen3:8b"]
    at = open_sets()  # a new session shows the choice
    assert at.multiselect(key=f"sets.contestants.{CLASSIFICATION}").value == \
        ["deepseek-r1:7b", "qwen3:8b"]
    assert list(at.dataframe[-1].value.columns[2:]) == ["deepseek-r1:7b", "qwen3:8b"]
    at.multiselect(key=f"sets.contestants.{CLASSIFICATION}").select("llama3.2:3b").run()
    assert db().set_contestants(CLASSIFICATION) == []  # everyone: a new model joins too


def test_generation_reaches_done_and_no_answer_text_is_shown(ollama):
    add_example_set(db(), "classification", load_settings())
    items = db().prompt_sets()[0].items
    at = open_sets()
    assert "Not running" in all_text(at) and set(cells(at)) == {"⏳ pending"}
    at.button(key="generate.start").click().run()
    assert not at.exception, texts(at.exception)
    at = finish(at, CLASSIFICATION)
    total = items * 3
    assert at.get("progress")[0].proto.text == f"{total} of {total} answers"
    assert "**Finished**" in [m.value.split(" · ")[0] for m in at.markdown]
    assert set(cells(at)) == {"✅ done"}
    assert db().prompt_sets()[0].answers == total
    assert not [b for b in at.button if b.key in ("generate.pause", "generate.resume")]
    shown = all_text(at)
    for model in default_models():  # answers are voted on blind: never beside their model
        assert model.answer not in shown and model.thinking not in shown
        assert model.answer.split(".")[0] not in shown
    at.selectbox(key="lang").select("zh").run()
    assert at.get("progress")[0].proto.text == f"{total} / {total} 个回答"
    assert set(cells(at)) == {"✅ 完成"} and "**已完成**" in all_text(at)


def test_a_failing_model_shows_its_reason(monkeypatch, admin):
    models = [FakeModel("good:1"), FakeModel("broken:1", fail="error_line", answer="a b c d e f")]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        add_example_set(db(), "copywriting", load_settings())
        name = EXAMPLE_SETS["copywriting"].prompt_set.name
        at = open_sets()
        at.button(key="generate.start").click().run()
        at = finish(at, name)
    table = at.dataframe[-1].value
    assert set(table["good:1"]) == {"✅ done"}
    assert set(table["broken:1"]) == \
        {"❌ failed: Ollama reported an error while generating this answer."}
    assert "answers failed" in all_text(at)
    assert db().prompt_sets()[0].failed == len(table)
    assert "Paris" not in all_text(at)


def test_live_battles_go_first(ollama):
    add_example_set(db(), "copywriting", load_settings())
    name = EXAMPLE_SETS["copywriting"].prompt_set.name
    queue = battle_queue(load_settings().max_battles)  # the Arena's queue, the same object
    ticket = queue.join("a live battle")
    try:
        at = open_sets()
        at.button(key="generate.start").click().run()
        deadline = time.monotonic() + 10
        while generators().run(name).status().state != YIELDING:
            assert time.monotonic() < deadline, "the run did not wait for the live battle"
            time.sleep(0.05)
        assert generators().run(name).status().progress.done == 0
        at.run()
        assert "Waiting: live battles go first" in all_text(at)
        assert {b.key for b in at.button} >= {"generate.pause", "generate.stop"}
    finally:
        queue.leave(ticket)
    at = finish(at, name)
    assert generators().run(name).status().state == FINISHED


def test_durations_read_as_people_read_them():
    en, zh = partial(translate, "en"), partial(translate, "zh")
    assert [duration_text(s, en) for s in (None, 4.6, 185, 7800)] == \
        ["estimating…", "5 s", "3 min 05 s", "2 h 10 min"]
    assert duration_text(185, zh) == "3 分 05 秒"


def test_with_no_ollama_the_page_says_so_and_nothing_starts(monkeypatch, admin, closed_port_url):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url)
    add_example_set(db(), "classification", load_settings())
    at = open_sets()
    assert any(closed_port_url in e for e in texts(at.error))
    assert at.button(key="generate.start").disabled
    assert "ollama serve" in [c.value for c in at.code]


def test_pause_resume_and_stop(monkeypatch, admin):
    with FakeOllama(token_delay=0.02) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        add_example_set(db(), "copywriting", load_settings())
        name = EXAMPLE_SETS["copywriting"].prompt_set.name
        at = open_sets()
        at.button(key="generate.start").click().run()
        at.button(key="generate.pause").click().run()
        assert not at.exception, texts(at.exception)
        assert generators().run(name).status().state == PAUSED
        assert "**Paused**" in all_text(at) and at.button(key="generate.resume")
        time.sleep(1.0)  # the answer under way completes; nothing new starts
        done = generators().run(name).status().progress.done
        time.sleep(0.5)
        assert generators().run(name).status().progress.done == done
        at.button(key="generate.resume").click().run()
        assert generators().run(name).status().state in (RUNNING, FINISHED)
        at.button(key="generate.stop").click().run()
        assert generators().run(name).status().state == STOPPED
        assert "**Stopped**" in all_text(at) and at.button(key="generate.start")
        assert db().prompt_sets()[0].answers < db().prompt_sets()[0].items * 3


def test_statuses_are_read_without_the_answers_texts():
    add_example_set(db(), "copywriting", load_settings())
    name = EXAMPLE_SETS["copywriting"].prompt_set.name
    [item, *_] = db().set_items(name)
    db().save_answer(PromptAnswer(item.item_id, Side("x:1", answer="secret", thinking="hm"), {}))
    db().save_answer(PromptAnswer(item.item_id, Side("y:1", error_kind="timeout", error="e"), {}))
    full, light = db().answers(name), db().answers(name, texts=False)
    assert [a.side.answer for a in full] == ["secret", ""]
    assert [(a.side.answer, a.side.thinking) for a in light] == [("", ""), ("", "")]
    assert [(a.contestant, a.status, a.failure_reason) for a in light] == \
        [(a.contestant, a.status, a.failure_reason) for a in full]
