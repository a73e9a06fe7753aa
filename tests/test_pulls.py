"""Pulling a model: progress from the stream, the model listed afterwards, and every failure."""

import time

import pytest
from fake_ollama import FakeModel, FakeOllama

from arena.ollama_api import list_models, make_client
from arena.pulls import PullRefused, Pulls


def pulls() -> Pulls:
    return Pulls(lambda host: make_client(host, 30, 2))


def watch(registry: Pulls, host: str, model: str, timeout: float = 10.0) -> list:
    """Snapshots of the pull until it finishes."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pull = registry.get(host, model)
        seen.append(pull)
        if pull.finished:
            return seen
        time.sleep(0.005)
    raise AssertionError("the pull did not finish")


def test_progress_reaches_100_and_the_model_is_listed():
    with FakeOllama() as fake:
        fake.registry["gemma3:4b"] = FakeModel("gemma3:4b", size=4_000_000)
        fake.pull_delay = 0.02
        registry = pulls()
        registry.start(fake.url, "gemma3:4b")
        seen = watch(registry, fake.url, "gemma3:4b")
        listed = [m.name for m in list_models(make_client(fake.url, 5), fake.url)]
    fractions = [p.fraction for p in seen]
    assert fractions[-1] == 1.0 and seen[-1].succeeded
    assert any(0 < f < 1 for f in fractions)  # a bar that moves, not one that jumps to the end
    assert any(p.step.startswith("pulling ") and p.total for p in seen)
    assert seen[-1].step == "success"
    assert "gemma3:4b" in listed


@pytest.mark.parametrize("setup, kind", [
    (lambda fake: None, "unknown_model"),
    (lambda fake: setattr(fake, "pull_fail", "disk_full"), "disk_full"),
    (lambda fake: setattr(fake, "pull_fail", "drop"), "connection_lost"),
])
def test_pull_failures_are_named(setup, kind):
    with FakeOllama() as fake:
        fake.registry["gemma3:4b"] = FakeModel("gemma3:4b")
        setup(fake)
        registry = pulls()
        name = "gemma3:4b" if kind != "unknown_model" else "no-such-model:1b"
        registry.start(fake.url, name)
        last = watch(registry, fake.url, name)[-1]
        listed = [m.name for m in list_models(make_client(fake.url, 5), fake.url)]
    assert (last.finished, last.error_kind) == (True, kind)
    assert name not in listed


def test_unreachable_host(closed_port_url):
    registry = pulls()
    registry.start(closed_port_url, "gemma3:4b")
    last = watch(registry, closed_port_url, "gemma3:4b")[-1]
    assert last.error_kind == "unreachable"


def test_a_second_pull_of_the_same_model_is_refused_while_the_first_runs():
    with FakeOllama() as fake:
        fake.registry["gemma3:4b"] = FakeModel("gemma3:4b")
        fake.pull_delay = 0.05
        registry = pulls()
        registry.start(fake.url, "gemma3:4b")
        with pytest.raises(PullRefused):
            registry.start(fake.url, " gemma3:4b ")
        watch(registry, fake.url, "gemma3:4b")
        registry.start(fake.url, "gemma3:4b")  # once finished, it may be pulled again
        assert watch(registry, fake.url, "gemma3:4b")[-1].succeeded
    with pytest.raises(ValueError):
        registry.start(fake.url, "  ")


def test_a_name_without_a_tag_is_its_latest():
    with FakeOllama() as fake:
        fake.registry["gemma3:latest"] = FakeModel("gemma3:latest")
        fake.pull_delay = 0.05
        registry = pulls()
        assert registry.start(fake.url, "gemma3").model == "gemma3:latest"
        with pytest.raises(PullRefused):
            registry.start(fake.url, "gemma3:latest")
        assert watch(registry, fake.url, "gemma3")[-1].succeeded
