"""Switching the language keeps what the filters chose, on the Data and Leaderboard pages
(a select box's translated label must never come back as its value)."""

from browser_helpers import streamlit_server, wait_idle
from playwright.sync_api import expect
from seed import seed_votes

from arena.db import Store


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def shows(page, label: str, choice: str) -> None:
    """The select box labelled `label` shows `choice` (once the page has redrawn)."""
    expect(page.get_by_label(label)).to_have_value(choice)


def test_filters_keep_their_choice_across_a_language_switch(page, tmp_path):
    db = tmp_path / "arena.db"
    seed_votes(Store(db), [("x:1", "y:1", "tie", "coding", "ann"),
                           ("x:1", "z:1", "model_a", "translation", "bob")])
    env = {"ARENA_DB": str(db), "ARENA_BOOTSTRAP_ROUNDS": "50"}
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        page.goto(f"{url}/data")
        wait_idle(page)
        choose(page, "Category", "Coding")
        choose(page, "Outcome", "🤝 Tie")
        choose(page, "Language", "简体中文")
        shows(page, "类别", "编程")
        shows(page, "结果", "🤝 平局")
        choose(page, "语言", "English")
        shows(page, "Category", "Coding")
        shows(page, "Outcome", "🤝 Tie")

        page.goto(f"{url}/leaderboard")
        wait_idle(page)
        choose(page, "Category", "Coding")
        choose(page, "Language", "简体中文")
        shows(page, "类别", "编程")
        choose(page, "语言", "English")
        shows(page, "Category", "Coding")
