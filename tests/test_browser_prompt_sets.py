"""The Prompt sets page in a real browser: add the example classification set with one click,
start generation against the fake Ollama, and watch the progress bar reach the end while the
page redraws it by itself. Screenshots in both languages go to
the system's temporary folder (arena-screenshots)."""


from browser_helpers import SHOTS, streamlit_server, wait_idle
from fake_ollama import FakeOllama, default_models
from playwright.sync_api import expect

from arena.db import Store
from arena.files.set_file import read_set_file
from arena.prompt_sets import EXAMPLE_SETS, example_file


def test_add_the_example_set_generate_and_watch_it_finish(page, tmp_path):
    db = tmp_path / "e2e.db"
    with example_file("classification") as path:
        items = len(read_set_file(path))
    with FakeOllama(token_delay=0.01) as fake, \
            streamlit_server({"OLLAMA_HOST": fake.url, "ARENA_DB": str(db)},
                             tmp_path / "streamlit.log") as url:
        page.set_viewport_size({"width": 1280, "height": 1800})
        page.goto(f"{url}/prompt_sets")
        wait_idle(page)
        page.get_by_role("button", name="Example: review and news sentiment").click()
        expect(page.get_by_text(f"Added {items} items to")).to_be_visible(timeout=15_000)
        wait_idle(page)
        other = page.context.new_page()  # someone else with the page open, idle
        other.goto(f"{url}/prompt_sets")
        wait_idle(other)
        page.get_by_role("button", name="Generate answers").click()
        total = items * len(default_models())
        # They see the run start and go on without a click of theirs.
        expect(other.get_by_text("Now generating:").first).to_be_visible(timeout=15_000)
        expect(page.get_by_text("Now generating:").first).to_be_visible(timeout=15_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "prompt_sets_running_en.png"), full_page=True)
        # No click from here on: the progress part redraws itself until the run has ended.
        expect(page.get_by_text(f"{total} of {total} answers")).to_be_visible(timeout=90_000)
        expect(page.get_by_text("Finished", exact=True)).to_be_visible(timeout=15_000)
        wait_idle(page)
        bar = page.get_by_role("progressbar")
        assert bar.get_attribute("aria-valuenow") == "100"
        page.screenshot(path=str(SHOTS / "prompt_sets_en.png"), full_page=True)

        page.get_by_label("Language").click()
        page.get_by_role("option", name="简体中文").click()
        wait_idle(page)
        expect(page.get_by_text(f"{total} / {total} 个回答")).to_be_visible()
        page.screenshot(path=str(SHOTS / "prompt_sets_zh.png"), full_page=True)
        content = page.content()
    for model in default_models():  # answers are voted on blind: never beside their model
        assert model.answer not in content
    with Store(db) as store:
        [summary] = store.prompt_sets()
    assert summary.prompt_set.name == EXAMPLE_SETS["classification"].prompt_set.name
    assert (summary.items, summary.answers, summary.failed) == (items, total, 0)
