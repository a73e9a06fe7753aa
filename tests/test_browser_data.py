"""The Data page in a real browser: a battle's models stay hidden from every other tab until it
is voted, and one battle reads as rows in both languages.

Screenshots are saved under the system's temporary folder (arena-screenshots)."""

import tempfile
from pathlib import Path

import pytest
from browser_helpers import record_frames, start_battle, streamlit_server, wait_idle
from fake_ollama import PLAIN, FakeModel, FakeOllama
from playwright.sync_api import expect
from seed import seed_votes

from arena.db import Store

SHOTS = Path(tempfile.gettempdir()) / "arena-screenshots"
NEW_MODELS = ("brand-new:1b", "fresh-model:2b")


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)



def model_filter_options(page) -> list[str]:
    page.get_by_label("Model", exact=True).click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [o.strip() for o in options]


@pytest.fixture
def arena(tmp_path):
    db = tmp_path / "e2e.db"
    with Store(db) as store:  # models that battled before, voted
        seed_votes(store, [("old-a:1b", "old-b:1b", "tie", "general", "ann")])
    models = [FakeModel(name, style=PLAIN, answer="Answer of a model. " + "word " * 30)
              for name in NEW_MODELS]
    with FakeOllama(models, token_delay=0.005) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(db)}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            yield url


def test_a_new_model_is_not_in_another_tabs_model_filter_until_the_vote(arena, browser):
    url = arena
    voting = browser.new_context().new_page()
    voting.goto(f"{url}/arena")
    wait_idle(voting)
    start_battle(voting, "Say hello")
    expect(voting.get_by_role("button", name="🤝 Tie")).to_be_visible(timeout=30_000)

    # Another person, or another tab; tall, so that the screenshots show one battle whole.
    other = browser.new_context(viewport={"width": 1280, "height": 2200}).new_page()
    frames = record_frames(other)
    other.goto(f"{url}/data")
    wait_idle(other)
    assert model_filter_options(other) == ["Any", "old-a:1b", "old-b:1b"]
    received = b"".join(frames) + other.content().encode()
    for name in NEW_MODELS:  # not in the filter, the table, nor anything else received
        assert name.encode() not in received
    screenshot(other, "data-before-vote")

    voting.get_by_role("button", name="🤝 Tie").click()
    expect(voting.get_by_text("The contestants")).to_be_visible()
    other.reload()
    wait_idle(other)
    assert set(NEW_MODELS) <= set(model_filter_options(other))

    # One battle as rows: the vote, the options, the figures; in English, then in Chinese.
    expect(other.get_by_text("Options (the same for both sides)")).to_be_visible()
    expect(other.get_by_text("🤝 Tie").first).to_be_visible()
    screenshot(other, "data-battle-en")
    other.get_by_label("Language").click()
    other.get_by_role("option", name="简体中文").click()
    wait_idle(other)
    expect(other.get_by_text("生成参数（双方相同）")).to_be_visible()
    expect(other.get_by_text("🤝 平局").first).to_be_visible()
    screenshot(other, "data-battle-zh")
