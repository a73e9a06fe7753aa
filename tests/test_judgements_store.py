"""The Store's judgements (issue 14): the subjects (live battles first, then exactly the vote
queue's pairs), a judgement written once and whole, failed attempts retried, the judge board's
count table, agreement pairs from counted votes only (turned to the pair's sides), an admin's
choices, and the migration on an older database."""

import sqlite3

import pandas as pd
import pytest
from judge_helpers import SET, SET_PAIRS, seed_live, seed_set, vote_queue_battles

from arena import ratings
from arena.db import JudgementRefused, Store
from arena.db import migrations as migrations_module
from arena.db.migrations import MIGRATIONS
from arena.judging import (
    ABSTAIN,
    JUDGE_A,
    JUDGE_B,
    JUDGE_TIE,
    PROMPT_VERSION,
    SUBJECT_BATTLE,
    SUBJECT_PAIR,
    Judgement,
    JudgeSubject,
)

JUDGE = "judge:1"


def judged(subject: JudgeSubject, outcome: str | None = JUDGE_A, error: str | None = None,
           judge: str = JUDGE, version: str = PROMPT_VERSION) -> Judgement:
    return Judgement(subject=subject, judge_model=judge, judge_digest="sha", judge_host="h",
                     prompt_version=version, instruction="Be fair.", started_at="t0",
                     finished_at="t1", output_first="... [[A]]", output_second="... [[B]]",
                     verdict_first="A", verdict_second="B", outcome=outcome, error=error)


def rows(store: Store) -> int:
    with store.reading() as conn:
        return conn.execute("SELECT COUNT(*) FROM judgements").fetchone()[0]


def test_live_battles_come_first_newest_first_then_the_queues_pairs(store):
    live = seed_live(store, 3)
    seed_set(store)
    vote_queue_battles(store)  # queue battles are judged as their pairs, not as battles
    subjects = store.judge_subjects(JUDGE)
    assert [s.kind for s in subjects] == [SUBJECT_BATTLE] * 3 + [SUBJECT_PAIR] * SET_PAIRS
    assert [s.battle_id for s in subjects[:3]] == live[::-1]
    candidates = store.queue_candidates(None, SET)
    assert [(s.answer_low, s.answer_high) for s in subjects[3:]] == list(
        zip(candidates["answer_a"], candidates["answer_b"]))
    first = subjects[3]
    low, high = store.stored_answers([first.answer_low, first.answer_high])
    assert (first.text_a, first.text_b) == (low.side.answer, high.side.answer)
    assert (first.model_a, first.model_b) == (low.contestant, high.contestant)
    assert first.prompt == "Review one" and first.category == "general"
    battle = store.get_battle(live[-1])
    newest = subjects[0]
    assert (newest.prompt, newest.text_a, newest.text_b, newest.model_a) == (
        battle.prompt, battle.side_a.answer, battle.side_b.answer, "m1")


def test_subjects_by_category_set_and_limit(store):
    seed_live(store, 2)
    seed_live(store, 1, category="coding")
    seed_set(store)
    assert [s.kind for s in store.judge_subjects(JUDGE, category="coding")] == [SUBJECT_BATTLE]
    assert {s.kind for s in store.judge_subjects(JUDGE, prompt_set=SET)} == {SUBJECT_PAIR}
    assert len(store.judge_subjects(JUDGE, limit=4)) == 4
    assert len(store.judge_subjects(JUDGE, limit=2)) == 2
    assert store.judge_subjects(JUDGE, category="math") == []


def test_failed_or_empty_battles_are_not_subjects(store):
    from arena.records import Battle, Side

    store.save_battle(Battle("general", "q", "", {}, Side("m1", answer="x"),
                             Side("m2", error_kind="timeout", error="slow"), status="failed"))
    store.save_battle(Battle("general", "q", "", {}, Side("m1", answer="x"),
                             Side("m2", answer="  ")))
    assert store.judge_subjects(JUDGE) == []


def test_a_complete_judgement_is_written_once_and_resume_skips_it(store):
    seed_live(store, 2)
    seed_set(store)
    subjects = store.judge_subjects(JUDGE)
    store.save_judgement(judged(subjects[0]))
    store.save_judgement(judged(subjects[-1], JUDGE_B))
    with pytest.raises(JudgementRefused) as refused:
        store.save_judgement(judged(subjects[0], JUDGE_TIE))
    assert "has judged this already" in str(refused.value)
    with pytest.raises(JudgementRefused):
        store.save_judgement(judged(subjects[-1], JUDGE_TIE))
    assert rows(store) == 2
    left = store.judge_subjects(JUDGE)
    assert len(left) == len(subjects) - 2 and subjects[0] not in left and subjects[-1] not in left
    assert store.has_judgement(subjects[0], JUDGE) and not store.has_judgement(subjects[1], JUDGE)
    # Another judge, or another prompt version, judges it afresh.
    assert len(store.judge_subjects("other:1")) == len(subjects)
    assert len(store.judge_subjects(JUDGE, "judge-v0")) == len(subjects)
    store.save_judgement(judged(subjects[0], version="judge-v0"))


def test_a_failed_attempt_is_stored_and_judged_again(store):
    seed_live(store, 1)
    [subject] = store.judge_subjects(JUDGE)
    store.save_judgement(judged(subject, None, error="first order: timeout: slow"))
    store.save_judgement(judged(subject, None, error="first order: timeout: slow"))
    assert store.judge_subjects(JUDGE) == [subject]
    store.save_judgement(judged(subject))
    assert store.judge_subjects(JUDGE) == []
    frame = store.judgements(JUDGE)
    assert frame["error"].tolist()[:2] == ["first order: timeout: slow"] * 2
    assert frame["outcome"].tolist() == [None, None, JUDGE_A]


def test_a_judgement_neither_complete_nor_failed_is_refused_whole(store):
    seed_live(store, 1)
    [subject] = store.judge_subjects(JUDGE)
    for bad in (judged(subject, None), judged(subject, JUDGE_A, error="x"),
                judged(subject, "model_c")):
        with pytest.raises(JudgementRefused):
            store.save_judgement(bad)
    assert rows(store) == 0


def test_the_schema_refuses_a_subject_of_both_kinds_or_neither(store):
    seed_live(store, 1)
    [subject] = store.judge_subjects(JUDGE)
    with store.reading() as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO judgements (battle_id, answer_low, answer_high, category,"
                     " model_a, model_b, judge_model, prompt_version, outcome, started_at,"
                     " finished_at) VALUES (?, 1, 2, 'general', 'a', 'b', 'j', 'v', 'tie',"
                     " 't', 't')", (subject.battle_id,))
    with store.reading() as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO judgements (category, model_a, model_b, judge_model,"
                     " prompt_version, outcome, started_at, finished_at)"
                     " VALUES ('general', 'a', 'b', 'j', 'v', 'tie', 't', 't')")


def test_the_judge_board_counts_wins_and_ties_not_abstentions(store):
    seed_set(store)
    subjects = store.judge_subjects(JUDGE)
    for subject, outcome in zip(subjects, [JUDGE_A, JUDGE_B, JUDGE_TIE, ABSTAIN, "no_verdict",
                                           JUDGE_A]):
        store.save_judgement(judged(subject, outcome))
    counts = store.judge_counts(JUDGE)
    assert list(counts.columns) == ["category", "model_a", "model_b", "winner", "count"]
    assert counts["count"].sum() == 4 and set(counts["winner"]) <= {JUDGE_A, JUDGE_B, JUDGE_TIE}
    assert store.judge_counts(JUDGE, category="coding").empty
    board = ratings.leaderboard(ratings.category_table(counts), rounds=20)
    assert set(board["model"]) == {"m1", "m2", "m3"}
    assert store.judge_models() == [JUDGE]
    assert store.vote_counts().empty  # the human board never sees a judgement


def test_agreement_pairs_are_counted_votes_turned_to_the_pairs_sides(store):
    seed_live(store, 2)
    seed_set(store)
    shown = vote_queue_battles(store)
    assert any(b.answer_id_a > b.answer_id_b for b in shown)  # some show the high answer as a
    for subject in store.judge_subjects(JUDGE):
        # The judge says what the voters say, in the subject's sides (a: the low answer).
        store.save_judgement(judged(subject, "model_a" if len(subject.text_a) > len(
            subject.text_b) else "model_b"))
    uncounted = seed_live(store, 1)[0]  # a vote that does not count
    with store.transaction() as conn:
        conn.execute("UPDATE votes SET counts = 0, winner = 'tie' WHERE battle_id = ?",
                     (uncounted,))
    store.save_judgement(judged(store.judge_subjects(JUDGE)[0], JUDGE_A))
    pairs = store.judge_agreement_pairs(JUDGE)
    assert len(pairs) == 2 + len(shown)
    assert (pairs["human"] == pairs["judge"]).all()
    assert store.judge_agreement_pairs("other:1").empty


def test_instructions_and_the_judge_choice(store):
    assert store.judge_instruction("coding") is None and store.judge_choice() is None
    store.set_judge_instruction("coding", "  代码必须能运行。 ")
    assert store.judge_instruction("coding") == "代码必须能运行。"
    store.set_judge_instruction("coding", "Runnable code wins.")
    assert store.judge_instruction("coding") == "Runnable code wins."
    store.set_judge_instruction("coding", "")
    assert store.judge_instruction("coding") is None
    with pytest.raises(JudgementRefused):
        store.set_judge_instruction("no-such-category", "x")
    store.set_judge_choice("qwen3:8b")
    store.set_judge_choice("gemma3:12b")
    assert store.judge_choice() == "gemma3:12b"
    store.set_judge_choice(None)
    assert store.judge_choice() is None


def test_the_export_frame_has_every_column_and_keeps_nulls(store):
    seed_live(store, 1)
    seed_set(store)
    subjects = store.judge_subjects(JUDGE)
    store.save_judgement(judged(subjects[0]))
    store.save_judgement(judged(subjects[1]))
    frame = store.judgements()
    assert list(frame.columns)[:4] == ["id", "battle_id", "answer_low", "answer_high"]
    assert frame.loc[0, "answer_low"] is None and isinstance(frame.loc[1, "answer_low"], int)
    assert frame.loc[1, "battle_id"] is None
    assert store.judgements("other:1").empty


def test_an_older_database_is_migrated_and_keeps_its_votes(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    # The schema just before the judgements' migration, whatever comes before or after it.
    before = MIGRATIONS[:MIGRATIONS.index(migrations_module._JUDGEMENTS)]
    monkeypatch.setattr(migrations_module, "MIGRATIONS", before)
    with Store(path) as old:
        seed_live(old, 2)
        assert old.schema_version() == len(before)
        votes = old.vote_counts()
    monkeypatch.setattr(migrations_module, "MIGRATIONS", MIGRATIONS)
    with Store(path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        pd.testing.assert_frame_equal(upgraded.vote_counts(), votes)
        assert len(upgraded.judge_subjects(JUDGE)) == 2
        upgraded.save_judgement(judged(upgraded.judge_subjects(JUDGE)[0]))
        assert upgraded.judge_models() == [JUDGE]


def test_a_judges_outcomes_are_its_complete_judgements(store):
    seed_set(store)
    first, second = store.judge_subjects("judge:1")[:2]
    store.save_judgement(Judgement(first, "judge:1", "", "h", PROMPT_VERSION, "", "t0", "t1",
                                   outcome="abstain"))
    store.save_judgement(Judgement(second, "judge:1", "", "h", PROMPT_VERSION, "", "t0", "t1",
                                   error="first order: timeout"))
    assert store.judge_outcomes("judge:1") == ["abstain"]
    assert store.judge_outcomes("judge:2") == []
