"""End to end in a real browser: a real Streamlit server, Debian's Chromium, the fake Ollama."""

import pytest
from browser_helpers import record_frames, streamlit_server, type_prompt, wait_idle
from fake_ollama import PLAIN, THINKING, FakeModel, FakeOllama
from playwright.sync_api import expect

XSS_ANSWER = ('Here you go: <script>window.__xss = "script"</script> and '
              '<img src="x" onerror="window.__xss = \'img\'"> done.')


@pytest.fixture
def arena(tmp_path):
    """A fake Ollama with two models and a fresh Streamlit server using it."""
    models = [FakeModel("qwen3:8b", style=THINKING, answer=XSS_ANSWER + " " + "word " * 150),
              FakeModel("llama3.2:3b", style=PLAIN, answer="A plain answer. " + "word " * 150)]
    with FakeOllama(models, token_delay=0.01) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "e2e.db")}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            yield fake, url



def test_battle_in_a_browser_is_blind_safe_and_votable(arena, page):
    fake, url = arena
    frames = record_frames(page)
    xss_dialogs = []
    page.on("dialog", lambda d: (xss_dialogs.append(d.message), d.dismiss()))
    # Open the page URL directly on a fresh server: it runs without app.py and must still work.
    page.goto(f"{url}/arena")
    wait_idle(page)
    expect(page.get_by_text("⚔️ Arena").first).to_be_visible()
    type_prompt(page, "Show me some HTML")
    page.get_by_role("button", name="⚔️ Battle").click()
    expect(page.get_by_role("button", name="👈 A is better")).to_be_visible(timeout=30_000)
    wait_idle(page)

    # The answer is on screen, as text; its script and onerror never ran.
    expect(page.get_by_text("A plain answer.").first).to_be_visible()
    assert page.evaluate("window.__xss") is None
    assert page.locator("[data-testid='stMarkdownContainer'] img[onerror]").count() == 0
    assert page.locator("[data-testid='stMarkdownContainer'] script").count() == 0

    # Nothing the browser has received names either model.
    html = page.content()
    received = b"".join(frames)
    for name in fake.models:
        assert name not in html
        assert name.encode() not in received

    page.get_by_role("button", name="👈 A is better").click()
    expect(page.get_by_text("The contestants")).to_be_visible()
    wait_idle(page)
    html = page.content()
    assert all(name in html for name in fake.models)
    assert page.get_by_role("button", name="👈 A is better").count() == 0
    assert xss_dialogs == []


def test_stop_button_ends_generation_on_the_server(arena, page):
    fake, url = arena
    for model in fake.models.values():
        model.token_delay = 0.05  # about 8 s per answer: plenty of time to press stop
    page.goto(url)
    wait_idle(page)
    type_prompt(page, "Write a long essay")
    page.get_by_role("button", name="⚔️ Battle").click()
    expect(page.get_by_text("word word").first).to_be_visible(timeout=15_000)
    assert fake.active_streams == 2
    page.get_by_role("button", name="⏹ Stop").click()
    assert fake.wait_idle(5), "Ollama is still generating after Stop"
    assert sorted(fake.cancelled) == ["llama3.2:3b", "qwen3:8b"]
    expect(page.get_by_text("The battle was stopped")).to_be_visible(timeout=10_000)
    assert page.get_by_role("button", name="👈 A is better").count() == 0


def test_another_click_mid_stream_leaves_nothing_generating(arena, page):
    fake, url = arena
    for model in fake.models.values():
        model.token_delay = 0.05
    page.goto(url)
    wait_idle(page)
    type_prompt(page, "Write a long essay")
    page.get_by_role("button", name="⚔️ Battle").click()
    expect(page.get_by_text("word word").first).to_be_visible(timeout=15_000)
    # Changing a widget reruns the script mid-stream.
    page.get_by_text("Off", exact=True).click()
    assert fake.wait_idle(5), "Ollama is still generating after a rerun"
    assert len(fake.cancelled) == 2


def test_loading_note_and_a_pull_with_progress(arena, page):
    fake, url = arena
    fake.models["llama3.2:3b"].load_s = 2.0  # silence before the first byte, as a model loads
    page.goto(url)
    wait_idle(page)
    type_prompt(page, "Hello")
    page.get_by_role("button", name="⚔️ Battle").click()
    # One neutral line for both columns: a note on one side would tell which model was cold.
    expect(page.get_by_text("Waiting for the models to answer").first).to_be_visible(
        timeout=10_000)
    expect(page.get_by_role("button", name="👈 A is better")).to_be_visible(timeout=30_000)

    fake.registry["gemma3:4b"] = FakeModel("gemma3:4b")
    fake.pull_steps, fake.pull_delay = 20, 0.1  # about four seconds of progress
    page.goto(f"{url}/models")
    wait_idle(page)
    page.get_by_label("Model name (as on ollama.com/library)").fill("gemma3:4b")
    page.get_by_role("button", name="⬇ Pull").click()
    expect(page.get_by_role("progressbar").first).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Pulled gemma3:4b").first).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert page.get_by_role("progressbar").count() == 0
