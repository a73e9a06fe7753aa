"""Prompt sets to generate, and the fake Ollama as a GPU that holds one model at a time, for the
generator's tests and the command line's."""

import time
from collections import Counter

from fake_ollama import PLAIN, FakeModel, FakeOllama

from arena.db import Store
from arena.lineup import Host, catalogue, eligible_contestants, survey
from arena.prompt_sets import PromptItem, PromptSet
from arena.records import ArenaOptions
from arena.settings import load_settings

SET = "slogans"
PROMPTS = ["A slogan for tea.", "A slogan for bikes.", "A tagline for a bakery.", "广告语：咖啡"]


def models(*names: str, **kind) -> list[FakeModel]:
    return [FakeModel(name, style=PLAIN, answer="Short and sweet slogan here.", **kind)
            for name in names]


def gpu(*names: str, load_delay: float = 0.05, token_delay: float = 0.0, **kind) -> FakeOllama:
    """A fake Ollama whose GPU holds one model at a time."""
    return FakeOllama(models(*(names or ("alpha:1", "beta:1", "gamma:1")), **kind),
                      gpu_models=1, load_delay=load_delay, token_delay=token_delay)


def settings(*fakes: FakeOllama, **env: str):
    return load_settings({"OLLAMA_HOST": fakes[0].url,
                          "ARENA_OLLAMA_HOSTS": ",".join(f.url for f in fakes[1:]), **env})


def lineup(*fakes: FakeOllama):
    reports = survey([Host(f.url) for f in fakes], settings(*fakes))
    return eligible_contestants(catalogue(reports), {}, ArenaOptions(), "default")


def add_set(store: Store, prompts=PROMPTS, category: str = "copywriting",
            name: str = SET) -> None:
    store.add_prompt_set(PromptSet(name, category), [PromptItem(p) for p in prompts])


def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def asked(fake: FakeOllama) -> Counter:
    """Chat requests per (model, prompt)."""
    return Counter((r["model"], r["messages"][-1]["content"]) for r in fake.chat_requests())
