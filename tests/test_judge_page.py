"""The Judge page with AppTest, against the fake Ollama acting as judges: everyone may look, only
an admin chooses, edits, runs and downloads; the contestant warning; a run to its end with its
outcomes; friendly messages without Ollama and with nothing left to judge; in both languages."""

import pytest
from apptest_helpers import ROOT, all_text, db, texts
from fake_ollama import FakeOllama, default_models, longer_answer_judge
from judge_helpers import LONGER, SET_PAIRS, seed_live, seed_set, vote_queue_battles
from streamlit.testing.v1 import AppTest

from arena.judging import default_instruction
from arena.records import ModelChoice
from arena.ui.gate import ADMIN_KEY
from arena.ui.judge_view import judges

PAGE = "pages/judge.py"
SUBJECTS = 4 + SET_PAIRS


@pytest.fixture
def ollama(monkeypatch, admin):
    """Three contestants and the consistent judge, which does not take part in battles."""
    with FakeOllama(default_models() + [longer_answer_judge(LONGER)]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        store = db()
        store.set_model_choice(LONGER, ModelChoice(included=False))
        seed_live(store, 4)
        seed_set(store)
        vote_queue_battles(store)
        yield fake


def open_judge(admin: bool = True, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if admin:
        at.session_state[ADMIN_KEY] = True
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, texts(at.exception)
    return at


def finish(at: AppTest, timeout: float = 60) -> AppTest:
    run = judges().run()
    assert run is not None and run.wait(timeout), "the run did not end"
    return at.run()


def test_an_admin_chooses_a_judge_and_it_is_stored(ollama):
    at = open_judge()
    assert at.selectbox(key="judge.model").value is None  # nothing chosen for them
    at.selectbox(key="judge.model").select(LONGER).run()
    assert db().judge_choice() == LONGER
    assert not [w for w in texts(at.warning) if "favours its own answers" in w]
    at.selectbox(key="judge.model").select("qwen3:8b").run()
    assert db().judge_choice() == "qwen3:8b"
    assert any("qwen3:8b is also a contestant: a judge favours its own answers" in w
               for w in texts(at.warning))


def test_the_contestant_warning_in_chinese(ollama):
    db().set_judge_choice("llama3.2:3b")
    at = open_judge(lang="zh")
    assert any("llama3.2:3b 也是参赛模型" in w for w in texts(at.warning))
    assert "评委模型" in all_text(at)


def test_an_instruction_is_saved_and_empty_is_the_default(ollama):
    at = open_judge()
    shown = at.text_area[0]
    assert shown.value == default_instruction("general", "en")
    shown.input("Prefer the longer answer.").run()
    at.button(key="judge.instruction_save").click().run()
    assert db().judge_instruction("general") == "Prefer the longer answer."
    assert "An admin's instruction." in texts(at.caption)
    at.text_area[0].input("").run()
    at.button(key="judge.instruction_save").click().run()
    assert db().judge_instruction("general") is None


def test_the_default_instruction_is_shown_in_chinese_and_saving_it_keeps_the_default(ollama):
    at = open_judge(lang="zh")
    assert at.text_area[0].value == default_instruction("general", "zh")
    at.button(key="judge.instruction_save").click().run()
    assert db().judge_instruction("general") is None


@pytest.mark.parametrize("lang, finished, outcome", [
    ("en", "Finished: 10 judgements stored.", "position bias 0%"),
    ("zh", "已完成：存储了 10 条评判。", "位置偏差 0%"),
])
def test_a_run_against_the_fake_judge_finishes_with_its_outcomes(ollama, lang, finished,
                                                                  outcome):
    db().set_judge_choice(LONGER)
    at = open_judge(lang=lang)
    left = "10 battles and pairs left" if lang == "en" else "还有 10 场"
    assert any(left in c for c in texts(at.caption))
    at.button(key="judge.start").click().run()
    at = finish(at)
    assert not at.exception, texts(at.exception)
    assert finished in texts(at.success)
    assert outcome in all_text(at)
    assert len(db().judgements(LONGER)) == SUBJECTS
    rates = at.dataframe[-1].value  # each judge's record
    assert list(rates.iloc[:, 0]) == [LONGER] and int(rates.iloc[0, 1]) == SUBJECTS
    nothing = "Nothing left to judge" if lang == "en" else "没有待评判的内容"
    assert any(nothing in i for i in texts(at.info))
    assert at.button(key="judge.start").proto.disabled


def test_a_limit_and_a_category(ollama):
    db().set_judge_choice(LONGER)
    at = open_judge()
    at.number_input(key="judge.limit").set_value(3).run()
    assert any("3 battles and pairs left" in c for c in texts(at.caption))
    at.radio(key="judge.scope").set_value("category").run()
    at.selectbox(key="judge.scope_category").select("coding").run()
    assert any("Nothing left to judge" in i for i in texts(at.info))
    assert at.button(key="judge.start").proto.disabled


def test_downloads_are_for_admins_only(ollama):
    db().set_judge_choice(LONGER)
    at = open_judge()
    assert not at.get("download_button")  # no judgements yet
    at.button(key="judge.start").click().run()
    at = finish(at)
    keys = {b.proto.id for b in at.get("download_button")}
    assert len(at.get("download_button")) == 2, keys
    viewer = open_judge(admin=False)
    assert not viewer.get("download_button")
    assert LONGER in all_text(viewer)  # the rates are for everyone


def test_someone_who_is_not_admin_sees_no_controls(ollama):
    db().set_judge_choice(LONGER)
    at = open_judge(admin=False)
    assert not [b for b in at.button if b.key and b.key.startswith("judge.")]
    assert not at.get("selectbox") or all(s.key != "judge.model" for s in at.selectbox)
    assert not at.get("text_area")
    assert f"Judge model: {LONGER}" in texts(at.caption)
    assert any("admin passcode" in c for c in texts(at.caption))


def test_with_no_ollama_the_page_says_so(monkeypatch, admin, closed_port_url):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url)
    at = open_judge()
    assert any("Could not reach Ollama" in e for e in texts(at.error))
    assert at.button(key="judge.start").proto.disabled


def test_a_failing_run_says_why(monkeypatch, admin):
    with FakeOllama([longer_answer_judge(LONGER)]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        seed_live(db(), 2)
        db().set_judge_choice(LONGER)
        at = open_judge()
        fake.models = {}  # the judge is gone from the host once the run starts
        at.button(key="judge.start").click().run()
        at = finish(at)
    assert any(e.startswith("The judge run stopped:") for e in texts(at.error)), texts(at.error)


def test_pause_resume_and_stop(monkeypatch, admin):
    from arena.generator import PAUSED, STOPPED

    with FakeOllama([longer_answer_judge(LONGER)], token_delay=0.05) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        seed_live(db(), 4)
        db().set_judge_choice(LONGER)
        at = open_judge()
        at.button(key="judge.start").click().run()
        at.button(key="judge.pause").click().run()
        run = judges().run()
        assert run.status().state == PAUSED
        assert "Paused" in all_text(at)
        at.button(key="judge.resume").click().run()
        assert run.status().state != PAUSED
        at.button(key="judge.stop").click().run()
        assert run.wait(10) and run.status().state == STOPPED
        at.run()
        assert "Stopped" in all_text(at)
        assert len(db().judgements(LONGER)) < 4
        assert at.button(key="judge.start").proto.disabled is False  # the rest is left to judge
