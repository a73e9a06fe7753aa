"""`python -m arena judge`, `leaderboard --board judge` and `export --judgements`: exit codes, the
progress bar on stderr, the summary line, the judge board beside an untouched human board, both
export formats with every audit column, and Ctrl-C."""

import csv
import io
import json
import os
import signal
import subprocess
import sys

import pytest
from cli_helpers import arena
from conftest import ROOT
from generation_helpers import until
from judge_helpers import (
    ALWAYS_A,
    LONGER,
    MALFORMED,
    SET,
    SET_PAIRS,
    judges,
    seed_live,
    seed_set,
    vote_queue_battles,
)

from arena.db import JUDGEMENT_COLUMNS, Store
from arena.records import Battle, Side

SUBJECTS = 4 + SET_PAIRS


@pytest.fixture
def db(tmp_path) -> str:
    path = tmp_path / "judged.db"
    with Store(path) as store:
        seed_live(store, 4)
        seed_set(store)
        vote_queue_battles(store)
    return str(path)


@pytest.fixture
def fake(monkeypatch):
    with judges() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        yield fake


def judgements(db: str, judge: str | None = None):
    with Store(db) as store:
        return store.judgements(judge)


def test_a_judge_run_shows_progress_and_a_summary(db, fake):
    done = arena("judge", "--judge", LONGER, "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{LONGER}: {SUBJECTS} subjects judged (0 failed, 0 left): ")
    assert "0 abstained, 0 no verdict; position bias 0%, no verdict 0%;" in done.stdout
    assert "per minute, in 00:" in done.stdout and len(done.stdout.splitlines()) == 1
    assert f"{SUBJECTS}/{SUBJECTS}" in done.stderr and "judgement" in done.stderr
    assert len(fake.chat_requests()) == 2 * SUBJECTS
    again = arena("judge", "--judge", LONGER, "--db", db)
    assert again.returncode == 0 and again.stdout.startswith(f"{LONGER}: 0 subjects judged")
    assert len(fake.chat_requests()) == 2 * SUBJECTS  # nothing judged twice


def test_position_bias_and_no_verdict_are_in_the_summary(db, fake):
    biased = arena("judge", "--judge", ALWAYS_A, "--db", db)
    assert biased.returncode == 0, biased.stderr
    assert f"{SUBJECTS} abstained" in biased.stdout and "position bias 100%" in biased.stdout
    broken = arena("judge", "--judge", MALFORMED, "--db", db, "--limit", "3")
    assert broken.returncode == 0, broken.stderr
    assert "3 subjects judged" in broken.stdout and "no verdict 100%" in broken.stdout
    assert "position bias -" in broken.stdout


def test_set_category_and_limit_choose_what_is_judged(db, fake):
    assert arena("judge", "--judge", LONGER, "--db", db, "--set", SET).returncode == 0
    frame = judgements(db)
    assert len(frame) == SET_PAIRS and frame["battle_id"].isna().all()
    assert arena("judge", "--judge", LONGER, "--db", db, "--category", "Coding",
                 "--limit", "1").stdout.startswith(f"{LONGER}: 0 subjects judged")
    assert "1 subject judged" in arena("judge", "--judge", LONGER, "--db", db, "--limit",
                                       "1").stdout


def test_bad_arguments_are_one_line_reasons(db, fake, tmp_path, closed_port_url):
    for args, reason in [
        (["--judge", "nope:1"], "--judge 'nope:1': no reachable host serves it"),
        (["--judge", LONGER, "--set", "nope"], "--set: no prompt set named 'nope'"),
        (["--judge", LONGER, "--category", "nope"], "--category 'nope': no such category"),
        (["--judge", LONGER, "--limit", "0"], "--limit 0: must be 1 or more"),
        (["--judge", LONGER, "--host", closed_port_url], "no Ollama host answered"),
    ]:
        done = arena("judge", *args, "--db", db)
        assert done.returncode == 1 and reason in done.stderr, (args, done.stderr)
    missing = arena("judge", "--judge", LONGER, "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and "no such database" in missing.stderr
    assert fake.chat_requests() == [] and judgements(db).empty


def test_failed_judgements_exit_non_zero_and_are_retried(db, fake):
    fake.models[LONGER].fail = "error_line"
    failed = arena("judge", "--judge", LONGER, "--db", db)
    assert failed.returncode == 1
    assert f"({SUBJECTS} failed, 0 left)" in failed.stdout
    assert f"{SUBJECTS} judgements failed" in failed.stderr
    fake.models[LONGER].fail = None
    retried = arena("judge", "--judge", LONGER, "--db", db)
    assert retried.returncode == 0 and f"{SUBJECTS} subjects judged" in retried.stdout


def test_the_judge_board_beside_an_untouched_human_board(db, fake):
    human = arena("leaderboard", "--db", db, "--format", "json", "--rounds", "20")
    assert arena("judge", "--judge", LONGER, "--db", db).returncode == 0
    assert arena("judge", "--judge", ALWAYS_A, "--db", db).returncode == 0
    assert arena("leaderboard", "--db", db, "--format", "json", "--rounds", "20").stdout == \
        human.stdout
    assert arena("leaderboard", "--db", db, "--board", "human", "--format", "json",
                 "--rounds", "20").stdout == human.stdout
    board = arena("leaderboard", "--db", db, "--board", "judge", "--judge", LONGER,
                  "--format", "json", "--rounds", "20")
    assert board.returncode == 0, board.stderr
    assert {row["model"] for row in json.loads(board.stdout)} == {"m1", "m2", "m3"}
    general = arena("leaderboard", "--db", db, "--board", "judge", "--judge", LONGER,
                    "--category", "General", "--rounds", "20")
    assert general.returncode == 0 and "m1" in general.stdout, general.stderr
    empty = arena("leaderboard", "--db", db, "--board", "judge", "--judge", ALWAYS_A)
    assert empty.returncode == 0 and "No counted votes yet." in empty.stdout
    for args, reason in [(["--board", "judge"], "--board judge needs --judge MODEL"),
                         (["--board", "judge", "--judge", "nope"], "no judgements by it"),
                         (["--judge", LONGER], "--judge is for --board judge"),
                         (["--board", "judge", "--judge", LONGER, "--both-bad"], "--both-bad")]:
        done = arena("leaderboard", "--db", db, *args)
        assert done.returncode == 1 and reason in done.stderr, (args, done.stderr)


def test_judgements_export_to_csv_and_json_lines_with_every_audit_column(db, fake, tmp_path):
    with Store(db) as store:  # text a spreadsheet would run as a formula
        battle = Battle("general", "q", "", {}, Side("m1", answer="A longer one."),
                        Side("+m3", answer="short"))
        store.save_battle(battle)
        store.record_vote(battle.id, "model_a")  # a battle waiting for its vote is not judged
        store.set_judge_instruction("general", "=HYPERLINK(1) is a bad answer.")
    assert arena("judge", "--judge", LONGER, "--db", db).returncode == 0
    assert arena("judge", "--judge", ALWAYS_A, "--db", db, "--limit", "2").returncode == 0
    lines_path, csv_path = tmp_path / "j.jsonl", tmp_path / "j.csv"
    done = arena("export", "--judgements", "--judge", LONGER, "--format", "jsonl", "--out",
                 str(lines_path), "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {SUBJECTS + 1} judgements to {lines_path}"
    records = [json.loads(line) for line in lines_path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == SUBJECTS + 1 and all(list(r) == JUDGEMENT_COLUMNS for r in records)
    first = records[0]
    assert first["judge_model"] == LONGER and first["judge_host"] == fake.url
    assert first["prompt_version"] and first["instruction"] and first["output_second"]
    assert first["verdict_first"] in ("A", "B", "C") and first["outcome"] in ("model_a", "model_b", "tie")
    assert any(r["answer_low"] is not None and r["battle_id"] is None for r in records)
    assert arena("export", "--judgements", "--format", "csv", "--out", str(csv_path),
                 "--db", db).returncode == 0
    text = csv_path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == SUBJECTS + 3 and list(rows[0]) == JUDGEMENT_COLUMNS
    assert {r["judge_model"] for r in rows} == {LONGER, ALWAYS_A}
    assert not any(cell.startswith("=") for row in rows for cell in row.values())
    assert {r["instruction"] for r in rows} == {"'=HYPERLINK(1) is a bad answer."}
    assert "'+m3" in {r["model_b"] for r in rows}
    for args, reason in [(["--format", "parquet"], "--format parquet is not one of"),
                         (["--judge", "nope"], "no judgements by it"),
                         (["--category", "general"], "--category is for battle exports")]:
        bad = arena("export", "--judgements", *args, "--out", str(tmp_path / "x"), "--db", db)
        assert bad.returncode == 1 and reason in bad.stderr, (args, bad.stderr)
        assert not (tmp_path / "x").exists()


def test_ctrl_c_stops_and_keeps_the_judgements_stored(db):
    with judges(token_delay=0.02) as fake:
        env = {**os.environ, "OLLAMA_HOST": fake.url}
        process = subprocess.Popen(
            [sys.executable, "-m", "arena", "judge", "--judge", LONGER, "--db", db], cwd=ROOT,
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            until(lambda: len(judgements(db)) >= 2, timeout=60)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
        kept = len(judgements(db))
    assert process.returncode == 130, err
    assert "stopped by Ctrl-C" in err and "Traceback" not in err
    assert 2 <= kept < SUBJECTS and f"{kept} subjects judged" in out
