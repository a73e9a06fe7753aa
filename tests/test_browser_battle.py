"""A battle in a real browser: what the page shows while the models answer and before the vote
(both columns the same shape, no thinking, no per-side loading note), huge answers, remote
images, the language switch and the Battle button while a battle runs.

One Streamlit server and one fake Ollama serve the whole module; each test sets the models'
answers and speed it needs. Screenshots go to the system's temporary folder
(arena-battle-screenshots), for a person to look at.
"""

import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_helpers import streamlit_server, wait_idle
from fake_ollama import PLAIN, THINKING, FakeModel, FakeOllama
from playwright.sync_api import expect

SHOTS = Path(tempfile.gettempdir()) / "arena-battle-screenshots"
THINKER, PLAIN_MODEL = "qwen3:8b", "llama3.2:3b"
THOUGHTS = "Let me reason about this step by step before I answer. " + "hmm " * 40
BATTLE = "⚔️ Battle"
VOTE_A = "👈 A is better"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("battle")
    models = [FakeModel(THINKER, style=THINKING), FakeModel(PLAIN_MODEL, style=PLAIN)]
    with FakeOllama(models, token_delay=0.01) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp / "battle.db")}
        with streamlit_server(env, tmp / "streamlit.log") as url:
            yield fake, url


@pytest.fixture
def arena(server):
    """The module's server, its models reset to short, quick answers."""
    fake, url = server
    for model in fake.models.values():
        model.answer = f"An answer from a model. {'word ' * 60}"
        model.thinking = THOUGHTS
        model.token_delay, model.load_s, model.piece_chars = None, 0.0, None
    fake.token_delay = 0.01
    fake.cancelled.clear()
    return fake, url


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def type_prompt(page, text: str, label: str = "Your prompt") -> None:
    area = page.get_by_label(label)
    area.fill(text)
    area.press("Control+Enter")
    wait_idle(page)


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label`."""
    page.get_by_label(label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def open_arena(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def test_language_switch_keeps_the_prompt_and_the_battle_runs_with_it(arena, page):
    fake, url = arena
    open_arena(page, url)
    prompt = "My own prompt, not a preset: name a river."
    type_prompt(page, prompt)
    choose(page, "Language", "简体中文")
    expect(page.get_by_label("你的提示词")).to_have_value(prompt)
    choose(page, "语言", "English")
    expect(page.get_by_label("Your prompt")).to_have_value(prompt)
    choose(page, "Language", "简体中文")
    expect(page.get_by_label("你的提示词")).to_have_value(prompt)
    before = len(fake.chat_requests())
    page.get_by_role("button", name="⚔️ 开始对战").click()
    expect(page.get_by_role("button", name="👈 A 更好")).to_be_visible(timeout=30_000)
    sent = [r["messages"][-1]["content"] for r in fake.chat_requests()[before:]]
    assert sent == [prompt, prompt]
    expect(page.get_by_label("你的提示词")).to_have_value(prompt)
