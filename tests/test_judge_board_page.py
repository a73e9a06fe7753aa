"""The Leaderboard's judge section with AppTest: the judge board labelled as the judge's opinion,
agreement figures as arena.agreement computes them, the untrusted warning, no section without
judgements, and human boards unchanged by judging; in English and Chinese."""

import math
from datetime import datetime, timedelta, timezone

import pytest
from apptest_helpers import ROOT, all_text, db, texts
from judge_helpers import (
    ALWAYS_A,
    LONGER,
    judge_settings,
    judges,
    longer,
    seed_live,
    seed_set,
    vote_queue_battles,
)
from streamlit.testing.v1 import AppTest

from arena import agreement
from arena.judge_run import JudgeRun
from arena.records import Battle, Side, Vote, iso_utc


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "30")
    with judges() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        yield fake


def judge_all(fake, judge: str = LONGER) -> None:
    run = JudgeRun(db(), judge_settings(fake), judge, fake.url).start()
    assert run.wait(60) and run.status().rates.judged > 0


def seeded() -> None:
    store = db()
    seed_live(store, 4)
    seed_set(store)
    vote_queue_battles(store)


def open_board(lang: str = "en", category: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/leaderboard.py")
    at.run()
    if category is not None:
        at.selectbox(key="board.category").select(category).run()
    assert not at.exception, texts(at.exception)
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_no_judge_section_without_judgements(fake):
    seeded()
    at = open_board()
    assert "judge's board" not in all_text(at) and "agrees with people" not in all_text(at)
    assert not at.get("metric") and len(at.dataframe) == 1  # the human board alone


@pytest.mark.parametrize("lang, title, battles, raw, kappa", [
    ("en", f"The judge's board: {LONGER}'s opinion", "Battles", "Raw agreement", "Cohen's kappa"),
    ("zh", f"评委榜单：{LONGER} 的意见", "对战数", "原始一致率", "Cohen's kappa"),
])
def test_the_judge_board_and_its_agreement(fake, lang, title, battles, raw, kappa):
    seeded()
    before = open_board(lang).dataframe[0].value
    judge_all(fake)
    at = open_board(lang)
    assert title in [s.value for s in at.subheader]
    # The human board first, unchanged by judging; then the judge's, by the same table.
    assert at.dataframe[0].value.equals(before)
    judge_board = at.dataframe[-2].value
    assert list(judge_board.columns) == list(before.columns)
    assert sorted(judge_board.iloc[:, 2]) == ["m1", "m2", "m3"]
    pairs = db().judge_agreement_pairs(LONGER)
    shown = metrics(at)
    assert shown[battles] == str(len(pairs))
    assert shown[raw] == f"{agreement.raw_agreement(pairs['human'], pairs['judge']):.0%}"
    assert shown[kappa] == f"{agreement.cohen_kappa(pairs['human'], pairs['judge']):.2f}"
    confusion = agreement.confusion_table(pairs["human"], pairs["judge"])
    assert (at.dataframe[-1].value.to_numpy() == confusion.to_numpy()).all()
    # Ten battles agree fully, but fewer than twenty cannot tell.
    few = "fewer than the 20 needed" if lang == "en" else "少于判断所需的 20 场"
    assert any(few in w for w in texts(at.warning)), texts(at.warning)


def test_the_category_board_and_rank_correlation(fake):
    seeded()
    judge_all(fake)
    at = open_board(category="general")
    assert f"The judge's board: {LONGER}'s opinion" in [s.value for s in at.subheader]
    human_board, judge_board = at.dataframe[0].value, at.dataframe[-2].value
    expected = agreement.rank_correlation(
        human_board.rename(columns={"Model": "model", "Rating": "rating"}),
        judge_board.rename(columns={"Model": "model", "Rating": "rating"}))
    shown = metrics(at)["Rank correlation"]
    assert shown == ("—" if math.isnan(expected) else f"{expected:.2f}")
    open_board(category="coding")  # no votes, no judgements there: still no fault


def opposed_battles(count: int) -> None:
    """Live battles voted for the shorter answer: the consistent judge disagrees every time."""
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    battles, votes = [], []
    for k in range(count):
        text_a, text_b = (f"A long answer number {k}.", "Short.") if k % 2 else \
            ("Short.", f"A long answer number {k}.")
        battle = Battle("general", f"Q{k}?", "", {}, Side("m1", answer=text_a),
                        Side("m2", answer=text_b),
                        created_at=iso_utc(start + timedelta(minutes=k)))
        battles.append(battle)
        winner = {"model_a": "model_b", "model_b": "model_a"}[longer(text_a, text_b)]
        votes.append(Vote(battle.id, winner, "ann", battle.created_at))
    db().save_battles(battles, votes)


def test_a_judge_that_disagrees_is_flagged_untrusted(fake):
    opposed_battles(24)
    judge_all(fake)
    at = open_board()
    warnings = texts(at.warning)
    assert any(f"Do not trust {LONGER} for this category: its kappa with people is" in w
               for w in warnings), warnings
    assert metrics(at)["Raw agreement"] == "0%"


def test_a_judge_that_agrees_over_enough_battles_is_trusted(fake):
    seed_live(db(), 24)
    judge_all(fake)
    at = open_board("zh")
    assert any(f"{LONGER} 在这里与人的判断一致（kappa 1.00）" in s for s in texts(at.success))


def test_several_judges_are_picked_and_a_biased_one_has_an_empty_board(fake):
    seeded()
    judge_all(fake)
    judge_all(fake, ALWAYS_A)
    at = open_board()
    box = at.selectbox(key="board.judge")
    assert box.options == [ALWAYS_A, LONGER]
    box.select(ALWAYS_A).run()
    assert any(f"{ALWAYS_A} has no wins or ties here yet" in i for i in texts(at.info))


def test_judgements_without_votes_show_no_human_board_but_the_judge_board(fake):
    seed_set(db())
    judge_all(fake)
    at = open_board()
    assert any("No votes yet" in i for i in texts(at.info))
    assert f"The judge's board: {LONGER}'s opinion" in [s.value for s in at.subheader]
    assert len(at.dataframe) == 1  # the judge's board alone (no agreement: no votes)
    assert db().vote_counts().empty  # the human count table never reads a judgement
