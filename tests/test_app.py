"""The Arena page end to end with AppTest: the real script, the real store, the fake Ollama."""

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
from db_helpers import count_battles
from fake_ollama import PLAIN, THINK_TAGS, THINKING, FakeModel, FakeOllama

from arena.db import Store

VOTE_LABELS = ["👈 A is better", "👉 B is better", "🤝 Tie", "👎 Both are bad"]


@pytest.fixture
def served(monkeypatch, fake_ollama):
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    return fake_ollama



def only_battle(store: Store, last: bool = False):
    """The one battle stored (`last`: the latest of several)."""
    with store.reading() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM battles ORDER BY created_at")]
    if not last:
        [battle_id] = ids
    return store.get_battle(ids[-1])


def assert_no_exception(at):
    assert not at.exception, texts(at.exception)


def test_whole_flow_battle_vote_reveal_stored(served, monkeypatch):
    monkeypatch.setenv("ARENA_SEED", "11")
    at = open_app()
    at.sidebar.text_input(key="voter").input("ann")
    at.selectbox(key="arena.category").select("coding")
    at = battle(at)
    assert_no_exception(at)
    assert vote_buttons(at) == VOTE_LABELS
    [stored] = [only_battle(db())]
    answers = texts(at.markdown)
    assert stored.side_a.answer in answers and stored.side_b.answer in answers
    assert stored.status == "complete" and stored.category == "coding"
    assert stored.options["seed"] == 11
    assert stored.system_prompt  # the Coding category's system prompt, for both sides

    assert "Your votes: 0" in texts(at.sidebar.caption)
    vote_button(at, "model_b").click().run()
    assert_no_exception(at)
    assert "Your votes: 1" in texts(at.sidebar.caption)
    vote = db().get_vote(stored.id)
    assert (vote.winner, vote.voter, vote.counts) == ("model_b", "ann", True)
    page = all_text(at)
    assert stored.side_a.model in page and stored.side_b.model in page
    assert vote_buttons(at) == []  # the vote cannot be changed or repeated
    figures = at.table[0].value
    assert list(figures.index) == ["Time to first token (s)", "Total time (s)", "Load time (s)",
                                   "Output tokens", "Tokens/s", "Ollama host"]
    assert list(figures.loc["Ollama host"]) == [served.url, served.url]

    at.button(key="arena.new_round").click().run()
    assert at.selectbox(key="arena.category").value == "coding"
    assert vote_buttons(at) == [] and not at.table


def test_nothing_names_a_model_before_the_vote(served):
    at = battle(open_app())
    assert vote_buttons(at) == VOTE_LABELS
    page = all_text(at)
    stored = only_battle(db())
    assert stored.side_a.answer.splitlines()[0] in page  # the walk does see the answers
    for model in served.models.values():
        assert model.name not in page
        assert model.name.split(":")[0] not in page
        assert model.digest[:12] not in page


def test_thinking_is_hidden_until_the_vote_then_shown_collapsed(monkeypatch):
    models = [FakeModel("thinker:1", style=THINKING, thinking="Separate field thoughts."),
              FakeModel("tagger:1", style=THINK_TAGS, thinking="Tagged thoughts."),
              FakeModel("plain:1", style=PLAIN)]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        at = open_app()
        for _ in range(6):  # until a thinking model meets the plain one
            at = battle(at)
            if "plain:1" in {s.model for s in only_battle(db(), last=True).sides.values()}:
                break
        # Before the vote neither column has a thinking box, and no thought reached the page.
        assert [e.label for e in at.expander] == ["Battle settings (the same for both sides)"]
        page = all_text(at)
        assert "field thoughts" not in page and "Tagged thoughts" not in page
        assert "💭" not in page
        vote_button(at, "tie").click().run()
    thoughts = [e.markdown[0].value for e in at.expander if e.label == "💭 Thinking"]
    assert len(thoughts) == 1 and thoughts[0] in ("Separate field thoughts.", "Tagged thoughts.")
    assert not any(e.proto.expanded for e in at.expander)
    assert not any("<think>" in m for m in texts(at.markdown))


def test_thinking_before_the_vote_when_an_admin_allows_it(monkeypatch, admin):
    models = [FakeModel("thinker:1", style=THINKING, thinking="Separate field thoughts."),
              FakeModel("tagger:1", style=THINK_TAGS, thinking="Tagged thoughts.")]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        models_page = open_page("pages/models.py", admin=True)
        assert "tells voters which side reasons" in " ".join(texts(models_page.caption))
        models_page.toggle(key="models.show_thinking").set_value(True).run()
        assert db().arena_options().show_thinking_before_vote
        at = battle(open_app())
    assert vote_buttons(at) == VOTE_LABELS
    thoughts = [e.markdown[0].value for e in at.expander if e.label == "💭 Thinking"]
    assert sorted(thoughts) == ["Separate field thoughts.", "Tagged thoughts."]


def test_second_vote_is_refused(served):
    at = battle(open_app())
    stored = only_battle(db())
    db().record_vote(stored.id, "tie", voter="other-tab")  # another tab, or a replayed request
    vote_button(at, "model_a").click().run()
    assert_no_exception(at)
    assert "already has a vote" in " ".join(texts(at.info))
    assert db().count_votes() == 1 and db().get_vote(stored.id).winner == "tie"
    assert vote_buttons(at) == []


def test_ollama_unreachable(monkeypatch, closed_port_url):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url)
    at = open_app()
    assert_no_exception(at)
    [error] = texts(at.error)
    assert closed_port_url in error and "ollama serve" in error
    at = battle(at)
    assert_no_exception(at)
    assert vote_buttons(at) == [] and count_battles(db()) == 0


def test_fewer_than_two_models(monkeypatch):
    with FakeOllama([FakeModel("only:1")]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        at = open_app()
        assert "1 can take part" in texts(at.warning)[0]
        assert "ollama pull qwen3:8b" in texts(at.code)
        at = battle(at)
    assert vote_buttons(at) == [] and count_battles(db()) == 0


def test_thinking_on_needs_two_thinking_models(served):
    at = open_app()
    at.radio(key="arena.think").set_value("on").run()
    assert "Only 1 model that can think is available" in texts(at.warning)[0]


def test_empty_prompt_starts_nothing(served):
    at = battle(open_app(), prompt="   ")
    assert "Type a prompt" in texts(at.warning)[0]
    assert count_battles(db()) == 0 and served.chat_requests() == []
    assert not at.button(key="arena.start").disabled  # nothing runs: nothing to protect


def test_too_long_prompt_is_refused_naming_the_limit(served, monkeypatch):
    monkeypatch.setenv("ARENA_MAX_PROMPT_CHARS", "50")
    at = battle(open_app(), prompt="x" * 51)
    [error] = texts(at.error)
    assert "50 characters" in error
    assert count_battles(db()) == 0 and served.chat_requests() == []


@pytest.mark.parametrize("fail, message", [
    ("not_found", "no longer has this model"),
    ("busy", "Ollama is busy"),
    ("error_line", "reported an error"),
    ("drop", "connection to Ollama was lost"),
    ("stall", "sent nothing for 1 second,"),
])
def test_a_failing_side(monkeypatch, fail, message):
    models = [FakeModel("good:1", answer="The good answer."),
              FakeModel("bad:1", fail=fail, stall_s=3, answer="word " * 20)]
    monkeypatch.setenv("ARENA_OLLAMA_TIMEOUT", "1")
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        at = battle(open_app())
        assert_no_exception(at)
        errors = texts(at.error)
        assert len(errors) == 1 and message in errors[0]
        assert "The good answer." in texts(at.markdown)
        assert "bad:1" not in all_text(at)  # Ollama's error text names the model: not shown
        assert "failed, so it cannot be voted on" in texts(at.warning)[0]
        assert vote_buttons(at) == []
        stored = only_battle(db())
        assert stored.status == "failed" and stored.failure_reason
        assert db().count_votes() == 0

        # The next battle works.
        fake.models["bad:1"].fail = None
        at.button(key="arena.new_round").click().run()
        at = at.button(key="arena.start").click().run()
        assert vote_buttons(at) == VOTE_LABELS


def test_thinking_not_supported_on_old_capabilities(monkeypatch):
    # Servers before 0.6.4 do not list capabilities, so "on" may reach a model that cannot think.
    models = [FakeModel("thinker:1", style=THINKING), FakeModel("plain:1")]
    with FakeOllama(models) as fake:
        fake.legacy_show = True
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        at = open_app()
        at.radio(key="arena.think").set_value("on")
        at = battle(at)
    assert "cannot think" in texts(at.error)[0]
    assert vote_buttons(at) == []


def test_presets_fill_the_prompt(served):
    at = open_app()
    at.selectbox(key="arena.category").select("classification").run()
    presets = [o for o in at.selectbox(key="arena.preset.classification").options if o]
    assert len(presets) >= 4
    chinese_preset = next(p for p in db().categories()[1].presets if "评论" in p)
    at.selectbox(key="arena.preset.classification").select(chinese_preset).run()
    assert at.text_area(key="arena.prompt").value == chinese_preset


def test_chinese_interface(served):
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    assert at.title[0].value == "⚔️ 竞技场"
    at = battle(at)
    assert vote_buttons(at) == ["👈 A 更好", "👉 B 更好", "🤝 平局", "👎 都不好"]


def test_language_default_from_environment(served, monkeypatch):
    monkeypatch.setenv("ARENA_LANG", "zh")
    assert open_app().title[0].value == "⚔️ 竞技场"


def test_page_opened_directly_works_on_its_own(served):
    # The first visitor of a page URL after a server start gets the page without app.py.
    at = battle(open_app("pages/arena.py"))
    assert_no_exception(at)
    assert vote_buttons(at) == VOTE_LABELS


def test_an_answer_that_names_its_model_is_flagged_before_the_vote(monkeypatch):
    models = [FakeModel("qwen3:8b", answer="I am Qwen, a large language model."),
              FakeModel("llama3.2:3b", answer="Hello!")]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        at = battle(open_app(), prompt="Who are you?")
        [warning] = texts(at.warning)
        assert "will not count: an answer names a model" in warning
        assert "Model A" not in warning and "Model B" not in warning  # not which side
        assert at.button(key="arena.new_round_leak").label == "🔄 New round"
        assert vote_buttons(at) == VOTE_LABELS  # voting stays possible
        vote_button(at, "tie").click().run()
    vote = db().get_vote(only_battle(db()).id)
    assert vote.counts is False and vote.not_counted_reason == "identity leak"
    assert "does not count in the ratings: an answer named a model" in " ".join(texts(at.info))


def test_an_ordinary_battle_has_no_leak_warning(served):
    at = battle(open_app())
    assert texts(at.warning) == [] and vote_buttons(at) == VOTE_LABELS


def test_a_new_round_from_the_leak_warning(monkeypatch):
    models = [FakeModel("qwen3:8b", answer="I am Qwen."), FakeModel("llama3.2:3b")]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        at = battle(open_app(), prompt="Who are you?")
        at.button(key="arena.new_round_leak").click().run()
    assert vote_buttons(at) == [] and texts(at.warning) == []
    assert db().count_votes() == 0


def test_why_a_vote_does_not_count_is_shown_from_its_stored_reason(served):
    at = battle(open_app())
    stored = only_battle(db())
    # Another tab voted, on a battle whose names had been visible elsewhere.
    db().record_vote(stored.id, "tie", voter="other", counts=False,
                     not_counted_reason="names visible")
    vote_button(at, "model_a").click().run()
    assert "names could already be seen elsewhere" in " ".join(texts(at.info))


def test_a_stall_mid_answer_fails_after_the_stall_timeout(monkeypatch):
    models = [FakeModel("good:1", answer="A fine answer."),
              FakeModel("stuck:1", answer="word " * 20, fail="stall", stall_s=30)]
    with FakeOllama(models) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        monkeypatch.setenv("ARENA_OLLAMA_STALL_TIMEOUT", "1")
        at = battle(open_app())
    assert_no_exception(at)
    assert any("stopped sending this answer for 1 second after" in e for e in texts(at.error))
    assert vote_buttons(at) == []


def test_database_that_cannot_be_opened(served, monkeypatch, tmp_path):
    monkeypatch.setenv("ARENA_DB", str(tmp_path))  # a folder, not a file
    at = open_app()
    assert_no_exception(at)
    [error] = texts(at.error)
    assert "Could not open the database" in error and str(tmp_path) in error


def test_battle_that_cannot_be_stored_is_not_votable(served):
    at = open_app()
    with db().transaction() as conn:  # the database starts refusing battles (a full disk, say)
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON battles "
                     "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    at = battle(at)
    assert_no_exception(at)
    [error] = texts(at.error)
    assert "Could not write to the database" in error and "disk I/O error" in error
    assert vote_buttons(at) == []
    answers = {m.answer for m in served.models.values()}
    assert len(answers & set(texts(at.markdown))) == 2  # both answers stay on screen


def test_vote_that_cannot_be_stored_can_be_retried(served):
    at = battle(open_app())
    with db().transaction() as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON votes "
                     "BEGIN SELECT RAISE(ABORT, 'database is locked'); END")
    vote_button(at, "tie").click().run()
    assert_no_exception(at)
    assert "Could not save your vote" in texts(at.error)[0]
    assert vote_buttons(at) == VOTE_LABELS and db().count_votes() == 0
    with db().transaction() as conn:
        conn.execute("DROP TRIGGER refuse")
    vote_button(at, "tie").click().run()
    assert db().count_votes() == 1


def test_bad_setting_is_explained_not_crashed(served, monkeypatch):
    monkeypatch.setenv("ARENA_OLLAMA_TIMEOUT", "soon")
    at = open_app()
    assert_no_exception(at)
    [error] = texts(at.error)
    assert "ARENA_OLLAMA_TIMEOUT='soon'" in error


def test_the_prompt_is_kept_across_a_visit_to_another_page(served):
    at = open_page("pages/arena.py")
    at.text_area(key="arena.prompt").input("My own prompt").run()
    at.switch_page("pages/leaderboard.py").run()
    at.switch_page("pages/arena.py").run()
    assert at.text_area(key="arena.prompt").value == "My own prompt"
