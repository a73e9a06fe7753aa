"""`python -m arena generate NAME`: exit codes, the progress bar on stderr, the summary line, who
answers (--models, the set's chosen contestants), and Ctrl-C."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from cli_helpers import arena
from conftest import ROOT
from fake_ollama import FakeOllama
from generation_helpers import SET, add_set, asked, gpu, models, until

from arena.db import Store
from arena.records import STATUS_COMPLETE


@pytest.fixture
def db(tmp_path) -> str:
    path = tmp_path / "sets.db"
    with Store(path) as store:
        add_set(store)
    return str(path)


def stored(db: str) -> list:
    with Store(db) as store:
        return store.answers(SET)


def test_a_whole_set_is_generated_with_a_progress_bar_and_a_summary(db, monkeypatch):
    with gpu(token_delay=0.01) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        done = arena("generate", SET, "--db", db)
        assert sorted(fake.loads()) == ["alpha:1", "beta:1", "gamma:1"]
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{SET}: 12 of 12 answers stored (12 new, 0 failed) in " \
                                  f"{done.stdout.strip().split(' in ')[-1]}"
    assert len(done.stdout.splitlines()) == 1  # the bar is on stderr only
    assert "12/12" in done.stderr  # tqdm's bar: done/total, then the rate and time left
    assert re.search(r"\danswer/s|s/answer", done.stderr) and "<00:00" in done.stderr
    assert f"@ {fake.url}" in done.stderr  # the model generating now, and its host
    assert len(stored(db)) == 12


def test_a_set_with_every_answer_stored_asks_nothing(db, monkeypatch):
    with gpu() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        assert arena("generate", SET, "--db", db).returncode == 0
        again = arena("generate", SET, "--db", db)
        assert len(fake.chat_requests()) == 12
    assert again.returncode == 0 and "12 of 12 answers stored (0 new, 0 failed)" in again.stdout


def test_the_summary_is_in_the_arenas_language(db, monkeypatch):
    with gpu("alpha:1") as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        monkeypatch.setenv("ARENA_LANG", "zh")
        done = arena("generate", SET, "--db", db)
    assert done.returncode == 0 and "已存 4 / 4 个回答" in done.stdout


def test_models_chooses_who_answers(db, monkeypatch):
    with gpu() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        done = arena("generate", SET, "--db", db, "--models", "beta:1, gamma:1")
        assert done.returncode == 0, done.stderr
        assert {m for m, _ in asked(fake)} == {"beta:1", "gamma:1"}
    assert "8 of 8 answers" in done.stdout
    assert {a.contestant for a in stored(db)} == {"beta:1", "gamma:1"}


def test_the_sets_chosen_contestants_answer_by_default(db, monkeypatch):
    with Store(db) as store:
        store.choose_set_contestants(SET, ["gamma:1"])
    with gpu() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        assert arena("generate", SET, "--db", db).returncode == 0
    assert {a.contestant for a in stored(db)} == {"gamma:1"}


def test_an_unknown_model_is_named_and_nothing_is_generated(db, monkeypatch):
    with gpu() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        done = arena("generate", SET, "--db", db, "--models", "alpha:1,nope:9")
        assert fake.chat_requests() == []
    assert done.returncode == 1
    assert "nope:9" in done.stderr and "alpha:1" in done.stderr  # what does take part
    assert "Traceback" not in done.stderr and stored(db) == []


def test_an_unknown_set_or_database_is_a_one_line_reason(db, tmp_path, monkeypatch):
    with gpu() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        unknown = arena("generate", "nope", "--db", db)
        missing = arena("generate", SET, "--db", str(tmp_path / "none.db"))
        assert fake.chat_requests() == []
    assert unknown.returncode == 1 and "no prompt set named 'nope'" in unknown.stderr
    assert repr(SET) in unknown.stderr  # the sets there are
    assert missing.returncode == 1 and "no such database" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_no_host_reachable(db, monkeypatch, closed_port_url):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url)
    done = arena("generate", SET, "--db", db)
    assert done.returncode == 1 and "no Ollama host answered" in done.stderr
    assert closed_port_url in done.stderr


def test_host_chooses_the_hosts(db, monkeypatch, closed_port_url):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url)
    with gpu("alpha:1") as fake:
        done = arena("generate", SET, "--db", db, "--host", fake.url)
    assert done.returncode == 0, done.stderr
    assert {a.side.host for a in stored(db)} == {fake.url}


def test_failed_answers_exit_non_zero_and_are_retried_next_time(db, monkeypatch):
    fake = FakeOllama(models("alpha:1") + models("broken:1", fail="error_line"),
                      gpu_models=1, load_delay=0.01)
    with fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        first = arena("generate", SET, "--db", db)
        assert first.returncode == 1
        assert "8 of 8 answers stored (8 new, 4 failed)" in first.stdout
        assert "4 answers failed (stream_error x4)" in first.stderr
        fake.models["broken:1"].fail = None
        second = arena("generate", SET, "--db", db)
    assert second.returncode == 0, second.stderr
    assert "(4 new, 0 failed)" in second.stdout
    assert {a.status for a in stored(db)} == {STATUS_COMPLETE}


def test_ctrl_c_stops_and_keeps_the_answers_stored(db):
    with gpu(token_delay=0.05) as fake:
        env = {**os.environ, "OLLAMA_HOST": fake.url}
        process = subprocess.Popen([sys.executable, "-m", "arena", "generate", SET, "--db", db],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            until(lambda: len(stored(db)) >= 2, timeout=60)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
        kept = stored(db)
        time.sleep(0.2)
        assert len(fake.chat_requests()) <= len(kept) + 1  # nothing after the stop
    assert process.returncode == 130, err
    assert "stopped by Ctrl-C" in err and "Traceback" not in err
    assert 2 <= len(kept) < 12 and f"of 12 answers stored ({len(kept)} new" in out
