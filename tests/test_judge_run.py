"""The background judge run against the fake Ollama over real HTTP: position bias shows as
abstentions, a consistent judge agrees with people who vote by its rule, a malformed judge gives
no verdict, the human board is untouched, resume judges nothing twice, pause / resume / stop,
live battles first, failed calls stored and retried, the host's turn shared with generation."""

import math
import threading

import pandas as pd
from generation_helpers import until
from judge_helpers import (
    ALWAYS_A,
    LONGER,
    MALFORMED,
    SET_PAIRS,
    judge_settings,
    judges,
    seed_live,
    seed_set,
    vote_queue_battles,
)

from arena import agreement, ratings
from arena.generator import host_turn
from arena.judge_run import (
    FAILED,
    FINISHED,
    JUDGE_SEED,
    PAUSED,
    QUEUED,
    STOPPED,
    YIELDING,
    JudgeRun,
    Judges,
)
from arena.judging import ABSTAIN, NO_VERDICT, PROMPT_VERSION, START_A

SUBJECTS = 4 + SET_PAIRS


def subjects(store, votes: bool = True) -> None:
    seed_live(store, 4)
    seed_set(store)
    if votes:
        vote_queue_battles(store)


def run(store, fake, judge: str, **kwargs) -> JudgeRun:
    return JudgeRun(store, judge_settings(fake), judge, fake.url, **kwargs).start()


def test_an_always_a_judge_abstains_on_everything(store):
    subjects(store)
    with judges() as fake:
        judging = run(store, fake, ALWAYS_A)
        assert judging.wait(20)
    status = judging.status()
    assert status.state == FINISHED and (status.done, status.total) == (SUBJECTS, SUBJECTS)
    assert status.rates.abstained == SUBJECTS and status.rates.position_bias_rate == 1.0
    assert set(store.judgements(ALWAYS_A)["outcome"]) == {ABSTAIN}
    assert store.judge_counts(ALWAYS_A).empty and store.judge_models() == [ALWAYS_A]


def test_a_consistent_judge_wins_a_board_and_agrees_with_people(store):
    subjects(store)
    human = store.vote_counts()
    with judges() as fake:
        assert run(store, fake, LONGER).wait(20)
        sent = fake.chat_requests()
    assert len(sent) == 2 * SUBJECTS  # both orders of each
    assert all(r["options"]["temperature"] == 0 and r["options"]["seed"] == JUDGE_SEED
               and r["options"]["num_predict"] >= 1024 for r in sent)
    assert all(START_A in r["messages"][-1]["content"] for r in sent)
    frame = store.judgements(LONGER)
    assert frame["error"].isna().all() and frame["prompt_version"].eq(PROMPT_VERSION).all()
    assert set(frame["outcome"]) <= {"model_a", "model_b", "tie"}
    assert (frame["verdict_first"] != frame["verdict_second"]).any()  # swapped, same winner
    board = ratings.leaderboard(ratings.category_table(store.judge_counts(LONGER)), rounds=20)
    assert set(board["model"]) == {"m1", "m2", "m3"}
    pairs = store.judge_agreement_pairs(LONGER)
    assert len(pairs) == 4 + SET_PAIRS  # every counted vote has its judgement
    overall = agreement.agreement_by_category(pairs).iloc[-1]
    assert overall["raw_agreement"] == 1.0 and math.isclose(overall["kappa"], 1.0)
    # Judging leaves the human board as it was.
    pd.testing.assert_frame_equal(store.vote_counts(), human)


def test_a_malformed_judge_gives_no_verdict(store):
    subjects(store, votes=False)
    with judges() as fake:
        judging = run(store, fake, MALFORMED)
        assert judging.wait(20)
    rates = judging.status().rates
    assert rates.no_verdict == SUBJECTS and rates.no_verdict_rate == 1.0
    frame = store.judgements(MALFORMED)
    assert set(frame["outcome"]) == {NO_VERDICT} and frame["verdict_first"].isna().all()
    assert frame["output_first"].str.contains(r"\[\[A\]\]").all()  # in the reasoning only
    assert store.judge_counts(MALFORMED).empty


def test_a_stopped_run_resumes_without_judging_anything_twice(store):
    subjects(store, votes=False)
    with judges(token_delay=0.01) as fake:
        first = run(store, fake, LONGER)
        until(lambda: len(store.judgements(LONGER)) >= 2, timeout=20)
        first.stop()
        assert first.status().state == STOPPED
        kept = len(store.judgements(LONGER))
        assert 2 <= kept < SUBJECTS
        asked = len(fake.chat_requests())
        assert asked <= 2 * kept + 2  # at most the subject cut off besides
        second = run(store, fake, LONGER)
        assert second.wait(30) and second.status().state == FINISHED
        assert second.status().total == SUBJECTS - kept
        # Each subject judged once in all: the new run asked only for those left.
        assert len(fake.chat_requests()) - asked == 2 * (SUBJECTS - kept)
    frame = store.judgements(LONGER)
    assert len(frame) == SUBJECTS and frame["outcome"].notna().all()
    assert run_again_asks_nothing(store)


def run_again_asks_nothing(store) -> bool:
    with judges() as fake:
        again = run(store, fake, LONGER)
        return again.wait(10) and again.status().total == 0 and not fake.chat_requests()


def test_pause_holds_between_subjects_and_resume_goes_on(store):
    subjects(store, votes=False)
    with judges(token_delay=0.005) as fake:
        judging = run(store, fake, LONGER)
        until(lambda: judging.status().done >= 1, timeout=20)
        judging.pause()
        assert judging.status().state == PAUSED
        # The subject under way is judged in both orders and stored, then nothing more.
        until(lambda: not judging.status().running, 10)
        held = len(fake.chat_requests())
        assert held == 2 * len(store.judgements(LONGER))
        threading.Event().wait(0.3)
        assert len(fake.chat_requests()) == held < 2 * SUBJECTS
        elapsed = judging.status().elapsed_s
        threading.Event().wait(0.2)
        assert judging.status().elapsed_s == elapsed  # the clock stands still while paused
        judging.resume()
        assert judging.wait(30) and judging.status().state == FINISHED
    assert len(store.judgements(LONGER)) == SUBJECTS


def test_live_battles_are_judged_first_and_people_go_first(store):
    live = seed_live(store, 2)
    seed_set(store)
    busy = threading.Event()
    busy.set()
    with judges() as fake:
        judging = run(store, fake, LONGER, live_busy=busy.is_set)
        until(lambda: judging.status().state == YIELDING, timeout=10)
        threading.Event().wait(0.2)
        assert fake.chat_requests() == []
        busy.clear()
        assert judging.wait(20)
    frame = store.judgements(LONGER)
    assert frame["battle_id"].tolist()[:2] == live[::-1]
    assert frame["battle_id"][2:].isna().all()


def test_failed_calls_are_stored_with_their_reason_and_retried_next_run(store):
    seed_live(store, 2)
    fake = judges()
    fake.models[LONGER].fail = "error_line"
    with fake:
        failing = run(store, fake, LONGER)
        assert failing.wait(20)
        assert failing.status().failed == 2 and failing.status().state == FINISHED
        frame = store.judgements(LONGER)
        assert frame["outcome"].isna().all() and frame["error"].str.startswith("first order").all()
        assert len(store.judge_subjects(LONGER)) == 2
        fake.models[LONGER].fail = None
        retry = run(store, fake, LONGER)
        assert retry.wait(20) and retry.status().rates.judged == 2
    assert store.judge_subjects(LONGER) == []


def test_an_unknown_judge_or_host_ends_the_run_with_a_reason(store, closed_port_url):
    seed_live(store, 1)
    with judges() as fake:
        missing = run(store, fake, "no-such-judge:1")
        assert missing.wait(20)
    status = missing.status()
    assert status.state == FAILED and "no-such-judge:1" in status.problem
    assert "没有评判模型" in status.problem_text("zh")
    down = JudgeRun(store, judge_settings(fake), LONGER, closed_port_url).start()
    assert down.wait(20) and down.status().state == FAILED
    assert closed_port_url in down.status().problem
    assert store.judgements().empty  # nothing stored for either


def test_a_judge_waits_for_a_generation_holding_the_host(store):
    seed_live(store, 1)
    with judges() as fake:
        turn = host_turn(fake.url)
        turn.acquire()
        try:
            judging = run(store, fake, LONGER)
            until(lambda: judging.status().state == QUEUED, timeout=10)
            assert fake.chat_requests() == []
        finally:
            turn.release()
        assert judging.wait(20) and judging.status().state == FINISHED


def test_the_server_keeps_one_judge_run(store):
    subjects(store, votes=False)
    server = Judges()
    with judges(token_delay=0.005) as fake:
        first = server.start(store, judge_settings(fake), LONGER, fake.url)
        assert server.start(store, judge_settings(fake), ALWAYS_A, fake.url) is first
        assert server.any_going() and server.run() is first
        first.stop()
        assert not server.any_going()
        second = server.start(store, judge_settings(fake), ALWAYS_A, fake.url)
        assert second is not first and second.wait(20)
