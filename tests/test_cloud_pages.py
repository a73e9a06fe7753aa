"""Cloud models on the pages, with AppTest against the fake Ollama: marked and off on the Models
page until an admin includes one (English and Chinese); after the vote, and only then, marked in
the reveal and on the Leaderboard."""

import pytest
from apptest_helpers import all_text, battle, db, open_app, open_page, texts, vote_button
from fake_ollama import FakeModel, FakeOllama, cloud_model

from arena.files.set_file import add_example_set
from arena.prompt_sets import EXAMPLE_SETS
from arena.records import ModelChoice
from arena.settings import load_settings

CLOUD = "gpt-oss:120b-cloud"
RENAMED = "big-one:latest"  # a cloud model under a local-looking name: only its record says so


@pytest.fixture
def served(monkeypatch, admin):
    models = [FakeModel("llama3.2:3b"), FakeModel("phi4:14b"), cloud_model(CLOUD)]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        yield fake


def models_table(at):
    return at.dataframe[1].value.set_index(at.dataframe[1].value.columns[0])


def test_a_cloud_model_is_marked_and_off_until_an_admin_includes_it(served):
    arena = open_app()
    assert "2 models available" in " ".join(texts(arena.caption))
    at = open_page("pages/models.py", admin=True)
    assert not at.exception, texts(at.exception)
    table = models_table(at)
    marked = f"{CLOUD} · ☁️ cloud"
    assert list(table.index) == [marked, "llama3.2:3b", "phi4:14b"]
    assert table.loc[marked, "Takes part"] == "no (cloud)"
    assert table.loc["llama3.2:3b", "Takes part"] == "yes"  # new local models take part
    assert any("someone else's servers" in c for c in texts(at.caption))
    box = at.checkbox(key=f"models.include.{CLOUD}")
    assert box.label == marked and box.value is False
    box.check().run()
    assert not at.exception, texts(at.exception)
    assert db().model_choices()[CLOUD].included
    assert db().cloud_models() == {CLOUD}
    assert models_table(at).loc[marked, "Takes part"] == "yes"
    arena = open_app()
    assert "3 models available" in " ".join(texts(arena.caption))


def test_the_models_page_in_chinese(served, monkeypatch):
    monkeypatch.setenv("ARENA_LANG", "zh")
    at = open_page("pages/models.py", admin=True)
    assert not at.exception, texts(at.exception)
    table = models_table(at)
    marked = f"{CLOUD} · ☁️ 云端"
    assert marked in table.index
    assert table.loc[marked].iloc[0] == "否（云端）"
    assert any("别人的服务器" in c for c in texts(at.caption))
    assert at.checkbox(key=f"models.include.{CLOUD}").label == marked


def test_an_admin_who_is_not_signed_in_cannot_include_one(served):
    at = open_page("pages/models.py", admin=False)
    assert at.checkbox(key=f"models.include.{CLOUD}").disabled
    assert CLOUD not in db().model_choices()


def test_the_mark_after_the_vote_never_before(monkeypatch, admin):
    # Two models only, so the pair is known: a local one and a renamed cloud one.
    with FakeOllama([FakeModel("llama3.2:3b"), cloud_model(RENAMED)]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        models = open_page("pages/models.py", admin=True)
        models.checkbox(key=f"models.include.{RENAMED}").check().run()
        at = battle(open_app())
        assert not at.exception, texts(at.exception)
        before = all_text(at)
        assert "☁️" not in before and "cloud" not in before.lower()
        vote_button(at, "tie").click().run()
        assert not at.exception, texts(at.exception)
        heads = [m for m in texts(at.markdown) if "`llama3.2:3b`" in m or f"`{RENAMED}`" in m]
        assert len(heads) == 2
        assert [("☁️ cloud" in m) for m in heads] == [f"`{RENAMED}`" in m for m in heads]
        board = open_page("pages/leaderboard.py")
        assert not board.exception, texts(board.exception)
    names = list(board.dataframe[0].value["Model"])
    assert sorted(names) == sorted(["llama3.2:3b", f"{RENAMED} · ☁️ cloud"])
    assert any("ran on someone else's servers" in c for c in texts(board.caption))


def test_a_prompt_sets_contestants_leave_out_a_cloud_model_until_included(served):
    add_example_set(db(), "classification", load_settings())
    name = EXAMPLE_SETS["classification"].prompt_set.name
    at = open_page("pages/prompt_sets.py", admin=True)
    assert at.multiselect(key=f"sets.contestants.{name}").options == ["llama3.2:3b", "phi4:14b"]
    db().set_model_choice(CLOUD, ModelChoice(included=True), cloud=True)
    at = open_page("pages/prompt_sets.py", admin=True)
    assert CLOUD in at.multiselect(key=f"sets.contestants.{name}").options


def test_the_judge_picker_marks_a_cloud_model(served):
    at = open_page("pages/judge.py", admin=True)
    assert not at.exception, texts(at.exception)
    picker = at.selectbox(key="judge.model")
    assert f"{CLOUD} · ☁️ cloud" in picker.options and "llama3.2:3b" in picker.options
    picker.select(CLOUD).run()
    assert db().judge_choice() == CLOUD
