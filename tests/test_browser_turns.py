"""A two-turn battle in a real browser: a follow-up sent, both columns showing both turns, no
model name anywhere the browser receives before the vote, then the vote and the reveal."""

import pytest
from browser_helpers import main_text, record_frames, start_battle, streamlit_server, wait_idle
from fake_ollama import FakeModel, FakeOllama
from playwright.sync_api import expect

FIRST, SECOND = "zephyrine:7b", "quillmark:3b"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("turns")
    models = [FakeModel(FIRST, reply=lambda p: f"One reply to: {p}"),
              FakeModel(SECOND, reply=lambda p: f"Other reply to: {p}")]
    with FakeOllama(models, token_delay=0.005) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp / "turns.db")}
        with streamlit_server(env, tmp / "streamlit.log") as url:
            yield fake, url


@pytest.mark.browser
def test_a_two_turn_battle_then_the_vote_and_the_reveal(server, page):
    fake, url = server
    frames = record_frames(page)
    page.goto(url + "/arena")
    wait_idle(page)
    start_battle(page, "Name a river.")
    expect(page.get_by_role("button", name="👈 A is better")).to_be_visible(timeout=30_000)
    wait_idle(page)
    box = page.get_by_label("Follow-up", exact=False)
    box.fill("And a mountain?")
    box.press("Control+Enter")
    wait_idle(page)
    page.get_by_role("button", name="Send follow-up").click()
    expect(page.get_by_text("Turn 2", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="👈 A is better")).to_be_visible(timeout=30_000)
    wait_idle(page)
    text = main_text(page)
    assert "Turn 1" in text and "Turn 2" in text
    assert text.count("reply to: Name a river.") == 2
    assert text.count("reply to: And a mountain?") == 2
    received = b"".join(frames)
    for name in (FIRST, SECOND, b"zephyrine", b"quillmark"):
        name = name if isinstance(name, bytes) else name.encode()
        assert name not in received
    assert len({tuple(m["content"] for m in body["messages"])
                for body in fake.chat_requests()}) == 3  # one first turn, then each its own
    page.get_by_role("button", name="👈 A is better").click()
    expect(page.get_by_text(FIRST, exact=False).first).to_be_visible(timeout=15_000)
    text = main_text(page)
    assert FIRST in text and SECOND in text
    expect(page.get_by_role("button", name="Send follow-up")).to_have_count(0)
