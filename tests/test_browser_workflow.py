"""The prompt-set workflow of the README, end to end in a real browser, as a new user does it:
add the shipped classification set, generate its answers (a one-model GPU), vote through the
queue, and read the human board beside the accuracy table. The fake models classify with known
accuracies, so the table is checked against the truth. Screenshots go under the system's
temporary folder (arena-screenshots); the README's come from here."""


from browser_helpers import SHOTS, streamlit_server, vote_and_wait_for_the_next, wait_idle
from fake_ollama import FakeOllama, example_labellers
from playwright.sync_api import expect

from arena.db import Store
from arena.files.set_file import read_set_file
from arena.prompt_sets import EXAMPLE_SETS, example_file
from arena.set_accuracy import set_accuracy

VOTE_A = "👈 A is better"
NAME = EXAMPLE_SETS["classification"].prompt_set.name


def test_a_new_user_generates_votes_and_reads_both_boards(page, tmp_path):
    db = tmp_path / "workflow.db"
    with example_file("classification") as path:
        items = read_set_file(path)
    models = example_labellers()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with FakeOllama(models, token_delay=0.005, gpu_models=1, load_delay=0.3) as fake, \
            streamlit_server({"OLLAMA_HOST": fake.url, "ARENA_DB": str(db)},
                             tmp_path / "streamlit.log") as url:
        page.set_viewport_size({"width": 1280, "height": 1400})
        page.goto(f"{url}/prompt_sets")
        wait_idle(page)
        page.get_by_role("button", name=NAME).click()
        wait_idle(page)
        page.get_by_role("button", name="Generate answers").click()
        total = len(items) * len(models)
        expect(page.get_by_text(f"{total} of {total} answers")).to_be_visible(timeout=120_000)
        wait_idle(page)
        page.screenshot(path=str(SHOTS / "prompt-sets-generated.png"), full_page=True)
        # Grouped by model: one load each for the whole set, on a GPU that holds one.
        assert sorted(fake.loads()) == sorted(m.name for m in models)

        page.get_by_role("link", name="Arena").first.click()
        wait_idle(page)
        page.locator("button", has_text="Prompt sets").first.click()
        expect(page.get_by_role("button", name=VOTE_A)).to_be_visible(timeout=15_000)
        for _ in range(6):
            vote_and_wait_for_the_next(page, VOTE_A)
        expect(page.get_by_text("your vote was recorded")).to_be_visible()
        page.screenshot(path=str(SHOTS / "prompt-sets-queue.png"), full_page=True)

        page.get_by_role("link", name="Leaderboard").first.click()
        wait_idle(page)
        heading = page.get_by_text("Accuracy against expected answers")
        expect(heading).to_be_visible()
        heading.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "prompt-sets-accuracy.png"))

    truth = {m.name: sum(m.reply(i.prompt).startswith(i.expected) for i in items)
             for m in models}
    with Store(db) as store:
        table = set_accuracy(store, NAME).set_index("contestant")
        assert store.vote_counts()["count"].sum() == 6
    assert table["answered"].to_dict() == dict.fromkeys(truth, len(items))
    assert table["correct"].to_dict() == truth
