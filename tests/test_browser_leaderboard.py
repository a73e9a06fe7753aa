"""The Leaderboard in Chromium against a real `streamlit run`, in English and Chinese: the line
that says why every model shares rank 1, and the charts. Screenshots are saved under the
system's temporary folder (arena-screenshots), for a person to look at."""

import tempfile
from pathlib import Path

from browser_helpers import streamlit_server, wait_idle
from playwright.sync_api import expect
from seed import seed_votes, simulated_rows

from arena.db import Store

SHOTS = Path(tempfile.gettempdir()) / "arena-screenshots"
LAPTOP = {"width": 1280, "height": 2800}  # tall enough for every chart
MODELS = {"qwen3:8b": 1150.0, "deepseek-r1:14b": 1120.0, "llama3.2:3b": 1000.0,
          "gemma3:12b": 1050.0, "phi4:14b": 980.0, "mistral-small3.2:24b": 940.0}


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def choose_language(page, name: str) -> None:
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=name).click()
    wait_idle(page)


def charts_drawn(page, count: int) -> None:
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(count, timeout=15_000)


def test_few_votes_say_why_every_model_shares_rank_one(page, tmp_path):
    db = tmp_path / "arena.db"
    seed_votes(Store(db), simulated_rows(MODELS, 12, seed=4))  # some pairs never met
    env = {"ARENA_DB": str(db), "ARENA_BOOTSTRAP_ROUNDS": "100"}
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        page.set_viewport_size(LAPTOP)
        page.goto(f"{url}/leaderboard")
        wait_idle(page)
        expect(page.get_by_text("Not enough votes to tell these models apart yet")).to_be_visible()
        charts_drawn(page, 4)
        screenshot(page, "leaderboard-few-en")
        choose_language(page, "简体中文")
        expect(page.get_by_text("票数还不够，分不出这些模型的高下")).to_be_visible()
        charts_drawn(page, 4)
        screenshot(page, "leaderboard-few-zh")


def test_enough_votes_need_no_such_line(page, tmp_path):
    db = tmp_path / "arena.db"
    seed_votes(Store(db), simulated_rows(MODELS, 600, seed=5))
    env = {"ARENA_DB": str(db), "ARENA_BOOTSTRAP_ROUNDS": "100"}
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        page.set_viewport_size(LAPTOP)
        page.goto(f"{url}/leaderboard")
        wait_idle(page)
        charts_drawn(page, 4)
        assert page.get_by_text("Not enough votes").count() == 0
        screenshot(page, "leaderboard-many-en")
        choose_language(page, "简体中文")
        charts_drawn(page, 4)
        assert page.get_by_text("票数还不够").count() == 0
        screenshot(page, "leaderboard-many-zh")


def pick_category(page, label: str, name: str) -> None:
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)
    box.click()
    page.get_by_role("option", name=name).click()
    wait_idle(page)


def test_a_category_board_borrows_from_overall(page, tmp_path):
    """A category with few votes: the board says it borrows from Overall, in both languages;
    the toggle turns it into the category's votes alone."""
    db = tmp_path / "arena.db"
    seed_votes(Store(db), simulated_rows(MODELS, 30, seed=6, categories=("coding",)) +
               simulated_rows(MODELS, 600, seed=7, categories=("general",)))
    env = {"ARENA_DB": str(db), "ARENA_BOOTSTRAP_ROUNDS": "100"}
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        page.set_viewport_size(LAPTOP)
        page.goto(f"{url}/leaderboard")
        wait_idle(page)
        assert page.get_by_text("Borrowing from Overall").count() == 0
        pick_category(page, "Category", "Coding")
        expect(page.get_by_text("Borrowing from Overall:")).to_be_visible()
        charts_drawn(page, 4)
        screenshot(page, "leaderboard-borrowing-en")
        page.get_by_text("Borrow from Overall", exact=True).click()
        wait_idle(page)
        expect(page.get_by_text("This category's votes alone.")).to_be_visible()
        screenshot(page, "leaderboard-own-votes-en")
        page.get_by_text("Borrow from Overall", exact=True).click()
        wait_idle(page)
        choose_language(page, "简体中文")
        expect(page.get_by_text("借助总榜：")).to_be_visible()
        charts_drawn(page, 4)
        screenshot(page, "leaderboard-borrowing-zh")
        # Style control swaps the ratings only: the charts stay, and borrowing is off for it.
        page.get_by_text("风格控制", exact=True).click()
        wait_idle(page)
        expect(page.get_by_text("风格控制只用各榜单自己的投票拟合，不借助总榜。")).to_be_visible()
        charts_drawn(page, 4)
        screenshot(page, "leaderboard-style-zh")
