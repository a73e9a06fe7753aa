"""The Models page with AppTest, against two fake Ollama servers (and a dead one)."""

import time

import pytest
from apptest_helpers import all_text, battle, db, open_app, open_page, texts, vote_button
from fake_ollama import THINKING, FakeModel, FakeOllama
from streamlit.testing.v1 import AppTest

from arena.records import ModelChoice


@pytest.fixture
def hosts(monkeypatch, closed_port_url, admin):
    first = FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("llama3.2:3b")])
    second = FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("phi4:14b")],
                        version="0.8.0")
    with first, second:
        monkeypatch.setenv("OLLAMA_HOST", first.url)
        monkeypatch.setenv("ARENA_OLLAMA_HOSTS", f"{second.url},{closed_port_url}")
        yield first, second


def open_models(admin: bool = True) -> AppTest:
    return open_page("pages/models.py", admin)


def table(at: AppTest, k: int):
    return at.dataframe[k].value


def test_hosts_and_their_models(hosts, closed_port_url):
    first, second = hosts
    at = open_models()
    assert not at.exception, texts(at.exception)
    host_table = table(at, 0)
    assert list(host_table.iloc[:, 0]) == [first.url, second.url, closed_port_url]
    assert list(host_table.iloc[:, 3]) == ["0.12.6", "0.8.0", "—"]
    assert any(closed_port_url in e for e in texts(at.error))  # down, and said so
    warnings = " ".join(texts(at.warning))
    assert second.url in warnings and "0.9.0" in warnings and "0.6.6" not in warnings
    models = table(at, 1)
    assert list(models["Model"]) == ["llama3.2:3b", "phi4:14b", "qwen3:8b"]  # shared: once
    # Hosts named briefly, and "all" for a model every reachable host serves.
    where = models.set_index("Model")["Hosts"]
    assert where["qwen3:8b"] == "all"
    assert where["llama3.2:3b"] == first.url.removeprefix("http://")
    assert "Chinese" not in all_text(at)


def test_choosing_who_takes_part_and_splitting_thinking(hosts):
    at = open_models()
    at.checkbox(key="models.include.llama3.2:3b").uncheck().run()
    at.checkbox(key="models.split.qwen3:8b").check().run()
    assert not at.exception, texts(at.exception)
    assert db().model_choices() == {"llama3.2:3b": ModelChoice(included=False),
                                    "qwen3:8b": ModelChoice(split_thinking=True)}
    competes = table(at, 1).set_index("Model")["Takes part"]
    assert competes["qwen3:8b"] == "yes, twice"
    assert competes["llama3.2:3b"] == "no"
    assert competes["phi4:14b"] == "yes"
    # The Arena page now draws from phi4 and the two qwen3 contestants.
    arena = open_app()
    assert "3 models available" in " ".join(texts(arena.caption))


def test_adding_and_removing_a_host(hosts):
    extra = FakeOllama([FakeModel("gemma3:4b")])
    with extra:
        at = open_models()
        at.text_input(key="models.new_host").input(extra.url.removeprefix("http://"))
        at.button(key="models.add_host").click().run()
        assert not at.exception, texts(at.exception)
        assert db().added_hosts() == [extra.url]
        assert "gemma3:4b" in list(table(at, 1)["Model"])
        at.text_input(key="models.new_host").input("http://bad host:x")
        at.button(key="models.add_host").click().run()
        assert any("not a valid host" in e for e in texts(at.error))
        at.selectbox(key="models.remove_choice").select(extra.url)
        at.button(key="models.remove_host").click().run()
        assert db().added_hosts() == []
        assert "gemma3:4b" not in list(table(at, 1)["Model"])


def run_until(at: AppTest, done, timeout: float = 10.0) -> AppTest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        if done(at):
            return at
        time.sleep(0.1)
    raise AssertionError("the page never showed what was expected")


def test_pulling_a_model_with_progress(hosts):
    first, _ = hosts
    first.registry["gemma3:4b"] = FakeModel("gemma3:4b")
    first.pull_delay = 0.05
    at = open_models()
    at.text_input(key="models.pull_name").input("gemma3:4b")
    at.selectbox(key="models.pull_host").select(first.url)
    at.button(key="models.pull").click().run()
    assert not at.exception, texts(at.exception)
    assert at.get("progress")  # a progress bar while it runs
    at.button(key="models.pull").click().run()  # a second pull of it is refused meanwhile
    assert any("already being pulled" in w for w in texts(at.warning))
    run_until(at, lambda a: any("Pulled gemma3:4b" in s for s in texts(a.success)))
    assert "gemma3:4b" in list(table(at, 1)["Model"])


def test_a_failed_pull_says_why(hosts):
    first, _ = hosts
    at = open_models()
    at.text_input(key="models.pull_name").input("no-such-model:1b")
    at.button(key="models.pull").click().run()
    run_until(at, lambda a: any("does not know a model" in e for e in texts(a.error)))


def test_options_and_sequential_battles(hosts):
    at = open_models()
    at.radio(key="models.schedule").set_value("sequential").run()
    at.toggle(key="models.include_new").set_value(False).run()
    options = db().arena_options()
    assert (options.schedule, options.include_new_models) == ("sequential", False)
    assert options.pairing == "adaptive"  # the default
    at.radio(key="models.pairing").set_value("uniform").run()
    assert db().arena_options().pairing == "uniform"
    # No model has a stored choice, so none takes part now.
    arena = open_app()
    assert any("A battle needs at least two models" in w for w in texts(arena.warning))


def test_a_battle_uses_both_hosts_and_runs_sequentially_when_asked(hosts):
    first, second = hosts
    store = db()
    store.set_model_choice("llama3.2:3b", ModelChoice(included=False))
    store.set_model_choice("phi4:14b", ModelChoice(included=True))
    # Left: qwen3 (both hosts) and phi4 (second only): qwen3 must go to the first host.
    at = battle(open_app())
    assert not at.exception, texts(at.exception)
    assert len(first.chat_requests()) == 1 and len(second.chat_requests()) == 1
    assert first.chat_requests()[0]["model"] == "qwen3:8b"
    starts = [r["at"] for fake in hosts for r in fake.requests if r["path"] == "/api/chat"]
    assert abs(starts[0] - starts[1]) < 0.15  # in parallel by default
    from arena.records import ArenaOptions

    store.set_arena_options(ArenaOptions(schedule="sequential"))
    first.token_delay = second.token_delay = 0.02  # each answer takes a fifth of a second
    battle(at)
    assert not at.exception, texts(at.exception)
    starts = [r["at"] for fake in hosts for r in fake.requests if r["path"] == "/api/chat"]
    assert len(starts) == 4
    assert abs(starts[1] - starts[3]) >= 0.15  # the second side asked after the first ended


def test_the_arena_skips_a_dead_host_and_says_so(hosts, closed_port_url):
    at = battle(open_app())
    assert not at.exception, texts(at.exception)
    assert any(closed_port_url in c and "cannot be reached" in c for c in texts(at.caption))
    assert len([b for b in at.button if b.key and b.key.startswith("arena.vote.")]) == 4
    # Thinking switched on: the old host cannot obey it, and the page says so.
    at.radio(key="arena.think").set_value("on").run()
    assert any("older than 0.9.0" in c for c in texts(at.caption))


def test_a_colleague_sees_the_page_but_cannot_change_it(hosts):
    at = open_models(admin=False)
    assert not at.exception, texts(at.exception)
    assert any("admin passcode" in i for i in texts(at.info))
    assert at.checkbox(key="models.include.llama3.2:3b").disabled
    assert at.checkbox(key="models.split.qwen3:8b").disabled
    assert at.button(key="models.pull").disabled and at.button(key="models.add_host").disabled
    assert at.toggle(key="models.include_new").disabled


def loaded_column(at: AppTest):
    """The hosts table's "Loaded now" column, or None when the page sent none."""
    hosts_table = table(at, 0)
    return hosts_table.set_index("Host")["Loaded now"] if "Loaded now" in hosts_table else None


def test_only_an_admin_sees_what_the_hosts_have_loaded(hosts):
    first, second = hosts
    first.loaded["qwen3:8b"] = 6_000_000_000
    second.loaded["phi4:14b"] = 9_000_000_000
    at = open_models()
    loaded = loaded_column(at)
    assert list(loaded[first.url]) == ["qwen3:8b · 6.0 GB"]
    assert list(loaded[second.url]) == ["phi4:14b · 9.0 GB"]
    # The models table no longer repeats the host in a column of its own.
    assert "Loaded now" not in table(at, 1)

    colleague = open_models(admin=False)
    assert not colleague.exception, texts(colleague.exception)
    assert loaded_column(colleague) is None
    sent = all_text(colleague)  # not only hidden: not sent at all
    for secret in ("Loaded now", "6.0 GB", "9.0 GB"):
        assert secret not in sent, sent[max(0, sent.find(secret) - 200):sent.find(secret) + 50]


def test_no_loaded_models_for_a_tab_whose_battle_awaits_its_vote(hosts):
    first, second = hosts
    db().set_model_choice("phi4:14b", ModelChoice(included=False))
    at = battle(open_app(admin=True))  # llama3.2 (first host) against qwen3 (second host)
    assert not at.exception, texts(at.exception)
    assert (list(first.loaded), list(second.loaded)) == (["llama3.2:3b"], ["qwen3:8b"])
    at.switch_page("pages/models.py").run()
    at.button(key="models.refresh").click().run()  # ask the hosts now, not from the cache
    assert not at.exception, texts(at.exception)
    assert loaded_column(at) is None
    assert any("awaits its vote" in c for c in texts(at.caption))
    assert "Loaded now" not in all_text(at)

    at.switch_page("pages/arena.py").run()
    vote_button(at, "tie").click().run()
    at.switch_page("pages/models.py").run()
    loaded = loaded_column(at)
    assert loaded is not None
    shown = " ".join(" ".join(v) for v in loaded.dropna())
    assert "llama3.2:3b" in shown and "qwen3:8b" in shown


def test_no_loaded_models_in_another_tab_while_a_battle_awaits_its_vote(hosts):
    """The same person's second tab has no battle of its own, but Ollama's loaded models are
    still the two contestants of the first."""
    db().set_model_choice("phi4:14b", ModelChoice(included=False))
    voting = battle(open_app(admin=True))
    assert not voting.exception, texts(voting.exception)
    other = open_page("pages/models.py", admin=True)
    other.button(key="models.refresh").click().run()
    assert loaded_column(other) is None
    assert "Loaded now" not in all_text(other)
    vote_button(voting, "tie").click().run()
    other.run()
    assert loaded_column(other) is not None
