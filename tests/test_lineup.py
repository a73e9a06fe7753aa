"""Several hosts: surveying them, merging their models, choosing contestants, routing sides."""

import random
import time

from fake_ollama import THINKING, FakeModel, FakeOllama

from arena import lineup
from arena.battle import new_battle
from arena.engine import BattleRun
from arena.lineup import Host, all_hosts, catalogue, eligible_contestants, sides_for, survey
from arena.ollama_api import make_client
from arena.records import ArenaOptions, ModelChoice
from arena.settings import load_settings

SETTINGS = load_settings({})


def two_hosts():
    first = FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("llama3.2:3b"),
                        FakeModel("gemma3:4b")])
    second = FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("phi4:14b")])
    return first, second


def test_models_of_every_host_once_each(closed_port_url):
    first, second = two_hosts()
    with first, second:
        reports = survey([Host(first.url), Host(second.url), Host(closed_port_url)], SETTINGS)
    assert [r.reachable for r in reports] == [True, True, False]
    assert reports[2].error  # why, in the transport's words
    entries = {e.name: e for e in catalogue(reports)}
    assert sorted(entries) == ["gemma3:4b", "llama3.2:3b", "phi4:14b", "qwen3:8b"]
    assert entries["qwen3:8b"].hosts == (first.url, second.url)  # one model, two hosts
    assert entries["phi4:14b"].hosts == (second.url,)
    assert entries["qwen3:8b"].info.supports_thinking is True


def test_a_different_build_under_the_same_name_is_not_merged():
    first, second = two_hosts()
    second.models["llama3.2:3b"] = FakeModel("llama3.2:3b")
    third = FakeOllama([FakeModel("llama3.2:3b", build="other")])
    with first, second, third:
        reports = survey([Host(first.url), Host(second.url), Host(third.url)], SETTINGS)
    entry = {e.name: e for e in catalogue(reports)}["llama3.2:3b"]
    assert entry.hosts == (first.url, second.url)
    assert entry.other_builds == (third.url,)


def test_version_warnings_name_what_is_missing():
    with FakeOllama(version="0.6.2") as old, FakeOllama(version="0.8.0") as middle, \
            FakeOllama(version="0.12.6") as new, FakeOllama(version="0.0.0-dev") as dev:
        reports = survey([Host(h.url) for h in (old, middle, new, dev)], SETTINGS)
    assert [r.warnings for r in reports] == [
        ("hosts.warning.qwen3", "hosts.warning.think"), ("hosts.warning.think",), (), ()]
    assert [r.think_control for r in reports] == [False, False, True, True]


def test_loaded_models_are_reported():
    with FakeOllama() as fake:
        fake.loaded["qwen3:8b"] = 6_000_000_000
        [report] = survey([Host(fake.url)], SETTINGS)
    assert report.loaded["qwen3:8b"].size_vram == 6_000_000_000
    entry = {e.name: e for e in catalogue([report])}["qwen3:8b"]
    assert entry.loaded[fake.url].size_vram == 6_000_000_000


def test_hosts_from_settings_and_from_the_page():
    settings = load_settings({"OLLAMA_HOST": "gpu1", "ARENA_OLLAMA_HOSTS": "gpu2:11500, gpu1"})
    hosts = all_hosts(settings, ["http://gpu2:11500", "http://gpu3:11434"])
    assert hosts == [Host("http://gpu1:11434"), Host("http://gpu2:11500"),
                     Host("http://gpu3:11434", added=True)]


def test_each_side_goes_to_a_different_host_when_it_can():
    first, second = two_hosts()
    with first, second:
        second.models["llama3.2:3b"] = FakeModel("llama3.2:3b")
        reports = survey([Host(first.url), Host(second.url)], SETTINGS)
    entries = {e.name: e for e in catalogue(reports)}
    shared = eligible_contestants([entries["qwen3:8b"], entries["llama3.2:3b"]], {}, ArenaOptions(),
                         "default")
    rng = random.Random(3)
    routes = [tuple(s.host for s in sides_for(tuple(shared), rng)) for _ in range(50)]
    assert all(a != b for a, b in routes)
    assert {a for a, _ in routes} == {first.url, second.url}  # either way round
    # A model on one host only pins its side there; the other side goes elsewhere.
    only_first = eligible_contestants([entries["gemma3:4b"], entries["qwen3:8b"]], {}, ArenaOptions(),
                             "default")
    for _ in range(20):
        a, b = sides_for(tuple(only_first), rng)
        assert (a.host, b.host) == (first.url, second.url)


def test_a_host_with_the_model_loaded_is_preferred():
    first, second = two_hosts()
    with first, second:
        second.loaded["qwen3:8b"] = 1
        reports = survey([Host(first.url), Host(second.url)], SETTINGS)
    entries = {e.name: e for e in catalogue(reports)}
    pair = eligible_contestants([entries["qwen3:8b"], entries["llama3.2:3b"]], {}, ArenaOptions(),
                       "default")
    for seed in range(10):
        sides = sides_for(tuple(pair), random.Random(seed))
        assert sides[0].host == second.url


def test_choices_and_thinking_split():
    with FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("llama3.2:3b"),
                     FakeModel("gemma3:4b")]) as fake:
        entries = catalogue(survey([Host(fake.url)], SETTINGS))
    choices = {"qwen3:8b": ModelChoice(split_thinking=True),
               "gemma3:4b": ModelChoice(included=False)}
    names = [c.name for c in eligible_contestants(entries, choices, ArenaOptions(), "default")]
    assert names == ["llama3.2:3b", "qwen3:8b (thinking)", "qwen3:8b (no thinking)"]
    # The battle's thinking choice applies only to models that are not split.
    names = [c.name for c in eligible_contestants(entries, choices, ArenaOptions(), "on")]
    assert names == ["qwen3:8b (thinking)", "qwen3:8b (no thinking)"]
    # A model that cannot think is its plain name whatever the battle asks (not a separate
    # "llama3.2:3b (no thinking)" splitting its votes), and is run with think left out.
    off = eligible_contestants(entries, choices, ArenaOptions(), "off")
    assert [c.name for c in off] == ["llama3.2:3b", "qwen3:8b (thinking)",
                                     "qwen3:8b (no thinking)"]
    assert sides_for((off[0], off[1]))[0].think == "default"
    # New models follow the option; a model that cannot think is never split.
    names = [c.name for c in eligible_contestants(entries, {"llama3.2:3b": ModelChoice(
        split_thinking=True)}, ArenaOptions(include_new_models=False), "default")]
    assert names == ["llama3.2:3b"]


def test_split_contestants_send_think_true_and_false_on_the_wire():
    with FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("llama3.2:3b")]) as fake:
        entries = catalogue(survey([Host(fake.url)], SETTINGS))
        split = eligible_contestants(entries, {"qwen3:8b": ModelChoice(split_thinking=True),
                                      "llama3.2:3b": ModelChoice(included=False)},
                            ArenaOptions(), "default")
        battle = new_battle("general", "Capital of France?", "", sides_for(tuple(split)),
                            SETTINGS)
        run = BattleRun(battle, lambda host, t: make_client(host, 5, 5, t)).start()
        assert run.wait(10)
        sent = {r["think"] for r in fake.chat_requests()}
    assert sent == {True, False}
    result = run.result()
    by_mode = {s.think: s for s in result.sides.values()}
    assert by_mode["on"].thinking and not by_mode["off"].thinking


def test_thinking_control_needs_a_host_that_obeys_it():
    with FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("llama3.2:3b")],
                    version="0.8.0") as old:
        entries = catalogue(survey([Host(old.url)], SETTINGS))
    assert entries[0].think_hosts == ()
    assert [c.name for c in eligible_contestants(entries, {}, ArenaOptions(), "default")] == [
        "llama3.2:3b", "qwen3:8b"]
    # Only a model that cannot think runs there with thinking "off" (as its plain self).
    assert [c.name for c in eligible_contestants(entries, {}, ArenaOptions(), "off")] == ["llama3.2:3b"]
    assert eligible_contestants(entries, {"qwen3:8b": ModelChoice(split_thinking=True)}, ArenaOptions(),
                       "default")[-1].name == "qwen3:8b"  # not split where it cannot be
    assert lineup.THINK_FIELD_MIN_VERSION == (0, 9, 0)


def test_capabilities_come_from_a_host_that_reports_them():
    first, second = two_hosts()
    first.legacy_show = True  # an Ollama before 0.6.4 says nothing about thinking
    with first, second:
        entries = {e.name: e for e in catalogue(survey([Host(first.url), Host(second.url)],
                                                       SETTINGS))}
    assert entries["qwen3:8b"].info.supports_thinking is True
    assert entries["llama3.2:3b"].info.supports_thinking is None  # only the old host has it


def test_a_host_that_was_down_is_asked_again_only_later(monkeypatch, closed_port_url):
    asked = []
    real_survey = lineup.survey
    monkeypatch.setattr(lineup, "survey", lambda hosts, settings: (
        asked.append([h.url for h in hosts]) or real_survey(hosts, settings)))
    with FakeOllama() as fake:
        surveyor = lineup.Surveyor(retry_s=60)
        hosts = [Host(fake.url), Host(closed_port_url)]
        first = surveyor.survey(hosts, SETTINGS)
        second = surveyor.survey(hosts, SETTINGS)
        surveyor.forget()
        surveyor.survey(hosts, SETTINGS)
    assert [r.reachable for r in first] == [r.reachable for r in second] == [True, False]
    assert asked == [[fake.url, closed_port_url], [fake.url], [fake.url, closed_port_url]]


def test_a_host_behind_a_reverse_proxy_path_works_everywhere_a_client_is_built():
    """`http://gpu/ollama`: the survey (version, models, loaded), a battle and a pull all go
    through the path, as every client built from a stored host must."""
    from arena.pulls import Pulls
    from arena.settings import normalise_host

    with FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("llama3.2:3b")]) as fake:
        fake.prefix = "/ollama"
        fake.registry = {"gemma3:4b": FakeModel("gemma3:4b")}
        url = normalise_host(fake.url + "/ollama/")
        assert url == fake.url + "/ollama"
        report = survey([Host(url)], SETTINGS)[0]
        assert report.error is None and report.version == "0.12.6"
        assert {m.name for m in report.models} == {"qwen3:8b", "llama3.2:3b"}
        split = eligible_contestants(catalogue([report]), {}, ArenaOptions(), "default")
        battle = new_battle("general", "Capital of France?", "", sides_for(tuple(split)),
                            SETTINGS)
        run = BattleRun(battle, lambda host, t: make_client(host, 5, 5, t)).start()
        assert run.wait(10)
        assert all(s.answer and not s.error_kind for s in run.result().sides.values())
        pulls = Pulls(lambda host: make_client(host, 5, 5))
        pulls.start(url, "gemma3:4b")
        for _ in range(200):
            pull = pulls.get(url, "gemma3:4b")
            if pull.finished:
                break
            time.sleep(0.05)
        assert pull.succeeded, pull.error
        assert all(r["path"].startswith("/ollama/") for r in fake.requests)
