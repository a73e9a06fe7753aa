"""The judge end to end in a real browser (issue 14), as the README tells it: the shipped
classification set answered and voted, an admin (this computer) picks the consistent fake judge on
the Judge page and runs it, then reads the judge's board and its agreement with the votes on the
Leaderboard; in English and 简体中文. Screenshots go to browser_helpers.SHOTS."""

from browser_helpers import SHOTS, streamlit_server, wait_idle
from fake_ollama import FakeOllama, example_labellers, longer_answer_judge
from judge_helpers import LONGER, vote_queue_battles
from playwright.sync_api import expect

from arena import agreement
from arena.db import Store
from arena.files.set_file import add_example_set
from arena.generator import GenerationRun
from arena.lineup import Host, catalogue, eligible_contestants, survey
from arena.prompt_sets import EXAMPLE_SETS
from arena.records import ModelChoice
from arena.settings import load_settings

NAME = EXAMPLE_SETS["classification"].prompt_set.name


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def answered_and_voted(store: Store, fake: FakeOllama) -> int:
    """The example set answered by the three contestants (the judge takes no part) and every
    pair voted by the longer-answer rule; the number of votes."""
    settings = load_settings({"OLLAMA_HOST": fake.url})
    add_example_set(store, "classification", settings)
    store.set_model_choice(LONGER, ModelChoice(included=False))
    contestants = eligible_contestants(catalogue(survey([Host(fake.url)], settings)),
                                       store.model_choices(), store.arena_options(), "default")
    assert GenerationRun(store, settings, NAME, contestants).start().wait(60)
    return len(vote_queue_battles(store, NAME))


def test_an_admin_runs_a_judge_and_reads_its_board_and_agreement(page, tmp_path):
    db = tmp_path / "judge.db"
    SHOTS.mkdir(parents=True, exist_ok=True)
    models = example_labellers() + [longer_answer_judge(LONGER)]
    with FakeOllama(models) as fake:
        with Store(db) as store:
            votes = answered_and_voted(store, fake)
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(db), "ARENA_BOOTSTRAP_ROUNDS": "50"}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            page.set_viewport_size({"width": 1280, "height": 1500})
            page.goto(f"{url}/judge")
            wait_idle(page)
            choose(page, "Judge model", LONGER)
            expect(page.get_by_text(f"{votes} battles and pairs left")).to_be_visible()
            page.get_by_role("button", name="Start judging").click()
            expect(page.get_by_text(f"Finished: {votes} judgements stored.")).to_be_visible(
                timeout=60_000)
            wait_idle(page)
            page.screenshot(path=str(SHOTS / "judge-en.png"), full_page=True)

            page.get_by_role("link", name="Leaderboard").first.click()
            wait_idle(page)
            heading = page.get_by_text(f"The judge's board: {LONGER}'s opinion")
            expect(heading).to_be_visible()
            expect(page.get_by_text(f"How far {LONGER} agrees with people")).to_be_visible()
            heading.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "judge-board-en.png"))

            choose(page, "Language", "简体中文")
            heading = page.get_by_text(f"评委榜单：{LONGER} 的意见")
            expect(heading).to_be_visible()
            heading.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "judge-board-zh.png"))
            page.get_by_role("link", name="评委").first.click()
            wait_idle(page)
            expect(page.get_by_text(f"评委模型：{LONGER}").or_(
                page.get_by_role("combobox", name="评委模型"))).to_be_visible()
            page.screenshot(path=str(SHOTS / "judge-zh.png"), full_page=True)

    with Store(db) as store:
        pairs = store.judge_agreement_pairs(LONGER)
        assert len(pairs) == votes  # every vote met its pair's judgement
        assert agreement.raw_agreement(pairs["human"], pairs["judge"]) == 1.0
        assert store.judge_counts(LONGER)["count"].sum() > 0
