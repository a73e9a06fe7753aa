"""A two-turn battle with an image in a real browser: a picture uploaded with the first prompt,
a follow-up sent, both columns showing both turns, each side sent its own conversation with the
picture, no model name anywhere the browser receives before the vote, then the vote and the
reveal."""

import pytest
from browser_helpers import (
    SHOTS,
    main_text,
    record_frames,
    start_battle,
    streamlit_server,
    wait_idle,
)
from fake_ollama import FakeModel, FakeOllama, vision_model
from image_helpers import png
from playwright.sync_api import expect

FIRST, SECOND = "zephyrine:7b", "quillmark:3b"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("turns")
    # Two vision models, and one that cannot see: an image battle must never draw it.
    models = [vision_model(FIRST, reply=lambda p: f"One reply to: {p}"),
              vision_model(SECOND, reply=lambda p: f"Other reply to: {p}"),
              FakeModel("blindfold:1b")]
    with FakeOllama(models, token_delay=0.005) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp / "turns.db")}
        with streamlit_server(env, tmp / "streamlit.log") as url:
            yield fake, url


@pytest.mark.browser
def test_a_two_turn_battle_with_an_image_then_the_vote_and_the_reveal(server, page, tmp_path):
    fake, url = server
    frames = record_frames(page)
    picture = tmp_path / "square.png"
    picture.write_bytes(png(side=24))
    page.goto(url + "/arena")
    wait_idle(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        str(picture))
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
    requests = fake.chat_requests()
    assert {body["model"] for body in requests} == {FIRST, SECOND}  # never the blind one
    assert len({tuple(m["content"] for m in body["messages"])
                for body in requests}) == 3  # one first turn, then each its own
    for body in requests:  # every request carries the picture on the first message only
        assert [len(m.get("images") or []) for m in body["messages"]] == \
            [1] + [0] * (len(body["messages"]) - 1)
    followups = [body for body in requests if len(body["messages"]) == 3]
    for body in followups:  # each side's own first answer, not the other's
        reply = "One reply to" if body["model"] == FIRST else "Other reply to"
        assert body["messages"][1]["content"].startswith(reply)
    assert len(followups) == 2
    assert page.locator("[data-testid='stImage'] img").count() >= 1  # the picture shown
    SHOTS.mkdir(parents=True, exist_ok=True)  # for a person to look at
    page.screenshot(path=str(SHOTS / "arena-two-turns-image.png"), full_page=True)
    page.get_by_role("button", name="👈 A is better").click()
    expect(page.get_by_text(FIRST, exact=False).first).to_be_visible(timeout=15_000)
    text = main_text(page)
    assert FIRST in text and SECOND in text
    expect(page.get_by_role("button", name="Send follow-up")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "arena-two-turns-reveal.png"), full_page=True)
