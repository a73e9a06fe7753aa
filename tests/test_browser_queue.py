"""The vote queue in a real browser: blind before the vote, ten votes in a row with the vote
buttons only, each revealed above the next battle, and no answer shown to the voter twice."""

from pathlib import Path

from browser_helpers import (
    SHOTS,
    record_frames,
    streamlit_server,
    vote_and_wait_for_the_next,
    wait_idle,
)
from playwright.sync_api import expect
from seed import stored_answer

from arena.db import Store
from arena.prompt_sets import PromptItem, PromptSet

MODELS = ("gemma3:4b", "phi4", "qwen3:8b", "llama3.2:3b", "mistral:7b", "granite3:2b")  # 3 pairs an item
SET = PromptSet("评论 reviews", "classification", ("positive", "negative"))
VOTE_A = "👈 A is better"


def seed(path: Path) -> None:
    with Store(path) as store:
        store.add_prompt_set(SET, [PromptItem(f"第 {n} 条评论：还不错。", f"r{n}", "positive")
                                   for n in range(4)])
        for item in store.set_items(SET.name):
            for model in MODELS:
                store.save_answer(stored_answer(
                    item.item_id, model, text=f"Answer {item.position} by one model: positive"
                                              f" ({'x' * (MODELS.index(model) + 1)})"))


def test_ten_votes_in_a_row_blind_and_no_answer_twice(page, tmp_path):
    db = tmp_path / "queue.db"
    seed(db)
    with Store(db) as store:  # the blind check below relies on answers that name no model
        texts = [a.side.answer for a in store.answers(SET.name)]
    assert texts and not any(model in text for model in MODELS for text in texts)
    frames = record_frames(page)
    with streamlit_server({"ARENA_DB": str(db), "OLLAMA_HOST": "http://127.0.0.1:9"},
                          tmp_path / "streamlit.log") as url:
        page.set_viewport_size({"width": 1280, "height": 1600})
        page.goto(url)
        wait_idle(page)
        page.get_by_placeholder("anonymous").fill("ann")
        page.keyboard.press("Enter")
        wait_idle(page)
        page.locator("button", has_text="Prompt sets").first.click()
        expect(page.get_by_role("button", name=VOTE_A)).to_be_visible(timeout=15_000)
        wait_idle(page)
        received = b"".join(frames)
        for model in MODELS:  # nothing the browser has received names a model
            assert model.encode() not in received
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "queue_before_vote_en.png"), full_page=True)
        for n in range(10):
            # The last one a double click: the second click must not vote on the next battle.
            vote_and_wait_for_the_next(page, VOTE_A, double=n == 9)
            expect(page.get_by_text("your vote was recorded")).to_be_visible()
            expect(page.get_by_role("button", name=VOTE_A)).to_be_visible()
        page.screenshot(path=str(SHOTS / "queue_after_votes_en.png"), full_page=True)
        expect(page.get_by_text("Model A was").first).to_be_visible()  # the last one, revealed

        page.get_by_label("Language").click()
        page.get_by_role("option", name="简体中文").click()
        wait_idle(page)
        expect(page.get_by_text("来自提示词集").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "queue_zh.png"), full_page=True)

    with Store(db) as store:
        with store.reading() as conn:
            pairs = [frozenset(r) for r in conn.execute(
                "SELECT b.answer_id_a, b.answer_id_b FROM battles b JOIN votes v"
                " ON v.battle_id = b.id WHERE v.voter = 'ann'")]
        assert len(pairs) == 10 and len(set().union(*pairs)) == 20  # no answer shown twice
        assert store.vote_counts()["count"].sum() == 10
