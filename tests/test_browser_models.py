"""The Models page in Chromium against a real `streamlit run`: what Ollama has loaded (during a
battle, its two contestants) reaches only an admin whose own battle is not awaiting a vote, and
the page fits a laptop screen in both languages.

Screenshots are saved under the system's temporary folder (arena-screenshots), for a person to
look at.
"""

import tempfile
from pathlib import Path

import pytest
from browser_helpers import (
    allowed_hosts,
    lan_address,
    record_frames,
    start_battle,
    streamlit_server,
    wait_idle,
)
from fake_ollama import PLAIN, THINKING, FakeModel, FakeOllama
from playwright.sync_api import expect

SHOTS = Path(tempfile.gettempdir()) / "arena-screenshots"
LAPTOP = {"width": 1280, "height": 1600}  # a laptop's width; tall enough for the whole table
MODELS = [FakeModel("qwen3:8b", style=THINKING, size=5_200_000_000),
          FakeModel("llama3.2:3b", style=PLAIN, size=2_000_000_000)]
# The loaded models' sizes in memory (weights and cache, as /api/ps says; the disk sizes are
# 5.2 and 2.0 GB): never sent to whom may not see them.
LOADED_SIZES = [b"6.2 GB", b"3.0 GB"]


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)



def open_menu_page(page, label: str) -> None:
    """Open another page from the sidebar menu: the same session (a reload would start anew)."""
    page.locator("[data-testid='stSidebar']").get_by_role("link", name=label).click()
    wait_idle(page)


def sent_loaded(frames: list[bytes]) -> bool:
    received = b"".join(frames)
    return b"Loaded now" in received or any(size in received for size in LOADED_SIZES)


def test_loaded_models_reach_only_an_admin_without_a_pending_battle(browser, tmp_path):
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    with FakeOllama(MODELS, token_delay=0.01) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "arena.db")}
        with streamlit_server(env, tmp_path / "streamlit.log", address="0.0.0.0",
                              extra_args=allowed_hosts(address)) as url:
            admin_context = browser.new_context(viewport=LAPTOP)
            colleague_context = browser.new_context(viewport=LAPTOP)
            try:
                admin = admin_context.new_page()  # this computer, no admin passcode: admin
                admin_frames = record_frames(admin)
                admin.goto(url)
                wait_idle(admin)
                start_battle(admin, "Name a river.")
                expect(admin.get_by_role("button", name="👈 A is better")).to_be_visible(
                    timeout=30_000)
                wait_idle(admin)
                assert sorted(fake.loaded) == ["llama3.2:3b", "qwen3:8b"]  # the battle's two

                # A colleague on the LAN, while both contestants sit in Ollama's memory.
                colleague = colleague_context.new_page()
                colleague_frames = record_frames(colleague)
                colleague.goto(url.replace("127.0.0.1", address) + "/models")
                wait_idle(colleague)
                colleague.get_by_role("button", name="↻ Ask the hosts again").click()
                wait_idle(colleague)
                expect(colleague.get_by_role("heading", name="Models", exact=True)).to_be_visible()
                assert not sent_loaded(colleague_frames)
                screenshot(colleague, "models-loaded-colleague")

                # The admin's own tab, its battle not voted on yet.
                del admin_frames[:]
                open_menu_page(admin, "Models")
                admin.get_by_role("button", name="↻ Ask the hosts again").click()
                wait_idle(admin)
                expect(admin.get_by_text("awaits its vote")).to_be_visible()
                assert not sent_loaded(admin_frames)
                screenshot(admin, "models-loaded-admin-pending")

                # After the vote, the admin sees what is loaded.
                open_menu_page(admin, "Arena")
                admin.get_by_role("button", name="👈 A is better").click()
                expect(admin.get_by_text("The contestants")).to_be_visible()
                wait_idle(admin)
                del admin_frames[:]
                open_menu_page(admin, "Models")
                received = b"".join(admin_frames)
                assert b"Loaded now" in received
                assert all(size in received for size in LOADED_SIZES)
                assert admin.get_by_text("awaits its vote").count() == 0
                screenshot(admin, "models-loaded-admin")
            finally:
                admin_context.close()
                colleague_context.close()


def overflowing_tables(page) -> list[int]:
    """How many pixels each table on the page is wider than the space it is given."""
    expect(page.locator("[data-testid='stDataFrame'] .dvn-scroller")).to_have_count(2)
    return page.evaluate("""() => [...document.querySelectorAll("[data-testid='stDataFrame']")]
        .map(d => d.querySelector('.dvn-scroller'))
        .map(s => s ? s.scrollWidth - s.clientWidth : 0)""")


def choose_language(page, name: str) -> None:
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=name).click()
    wait_idle(page)


def test_the_models_table_fits_a_laptop_in_both_languages(page, tmp_path):
    # A long name, thinking models, and two hosts (so the hosts column is there).
    first = FakeOllama([FakeModel("qwen2.5-coder:7b-instruct-q4_K_M"), FakeModel(
        "qwen3:8b", style=THINKING), FakeModel("deepseek-r1:14b", style=THINKING)])
    second = FakeOllama([FakeModel("qwen3:8b", style=THINKING), FakeModel("phi4:14b")])
    with first, second:
        first.loaded = {"qwen3:8b": 6_100_000_000, "deepseek-r1:14b": 10_400_000_000}
        env = {"OLLAMA_HOST": first.url, "ARENA_OLLAMA_HOSTS": second.url,
               "ARENA_DB": str(tmp_path / "arena.db")}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            page.set_viewport_size(LAPTOP)
            page.goto(f"{url}/models")
            wait_idle(page)
            expect(page.get_by_role("heading", name="Models", exact=True)).to_be_visible()
            assert overflowing_tables(page) == [0, 0]
            screenshot(page, "models-laptop-en")
            choose_language(page, "简体中文")
            expect(page.get_by_role("heading", name="模型", exact=True)).to_be_visible()
            assert overflowing_tables(page) == [0, 0]
            screenshot(page, "models-laptop-zh")
