"""An image uploaded in a real browser (Playwright's set_input_files): both vision models
answer, the thumbnail shows above the answers, and the models without vision are sent nothing."""

import pytest
from browser_helpers import IDLE, SHOTS, start_battle, streamlit_server, wait_idle
from fake_ollama import FakeModel, FakeOllama, vision_model
from image_helpers import png
from playwright.sync_api import expect

VOTE_A = "👈 A is better"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("images")
    models = [vision_model("gemma3:4b", answer="A red square, as far as I can see."),
              vision_model("llava:7b", family="llama", answer="It is a small red square."),
              FakeModel("llama3.2:3b")]
    with FakeOllama(models, token_delay=0.01) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp / "images.db")}
        with streamlit_server(env, tmp / "streamlit.log") as url:
            yield fake, url, tmp


def test_an_uploaded_image_goes_to_both_vision_models_and_shows(server, page):
    fake, url, tmp = server
    picture = tmp / "square.png"
    picture.write_bytes(png((220, 20, 20), side=32))
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        str(picture))
    wait_idle(page)
    expect(page.get_by_text("2 models available for this battle.")).to_be_visible()
    start_battle(page, "What colour is this square?")
    expect(page.get_by_role("button", name=VOTE_A)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("A red square, as far as I can see.")).to_be_visible()
    expect(page.get_by_text("It is a small red square.")).to_be_visible()
    expect(page.get_by_text("Both models were sent 1 image")).to_be_visible()
    thumbnail = page.locator("[data-testid='stImage'] img").first
    expect(thumbnail).to_be_visible()
    # Drawn from the image's own bytes (the media file the server made of them), once loaded.
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=thumbnail.element_handle(), timeout=10_000)
    assert page.evaluate("(img) => img.naturalWidth", thumbnail.element_handle()) == 32
    seen = {name: fake.models[name].images_seen for name in ("gemma3:4b", "llava:7b")}
    assert seen["gemma3:4b"] == seen["llava:7b"] and len(seen["gemma3:4b"][0]) == 1
    assert fake.models["llama3.2:3b"].images_seen == []
    SHOTS.mkdir(parents=True, exist_ok=True)  # for a person to look at
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.screenshot(path=str(SHOTS / "arena-images.png"))
