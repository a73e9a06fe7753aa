"""`python -m arena leaderboard --category`: the board borrows from the other categories unless
`--independent`, and says on stderr which it shows."""

import json

import pandas as pd
import pytest
from cli_helpers import arena
from seed import simulated_rows

from arena import ratings, shrinkage

MODELS = {"qwen3:8b": 1150.0, "llama3.2:3b": 1000.0, "gemma3:4b": 1050.0, "phi4:14b": 900.0}


@pytest.fixture
def vote_file(tmp_path):
    path = tmp_path / "votes.csv"
    rows = simulated_rows(MODELS, 30, seed=1, categories=("coding",)) + \
        simulated_rows(MODELS, 600, seed=2, categories=("general",))
    pd.DataFrame(rows, columns=["model_a", "model_b", "winner", "category"]) \
        .to_csv(path, index=False)
    return path


def ratings_of(result):
    assert result.returncode == 0, result.stderr
    return {row["model"]: row["rating"] for row in json.loads(result.stdout)}


def test_a_category_borrows_by_default_and_independent_is_its_votes_alone(vote_file,
                                                                          monkeypatch):
    monkeypatch.setenv("ARENA_LANG", "en")
    table = ratings.count_table(pd.read_csv(vote_file), by=["category"])
    common = ("leaderboard", "--from", str(vote_file), "--category", "coding", "--rounds", "100",
              "--format", "json")
    borrowed = arena(*common)
    expected, _ = shrinkage.category_board(table, "coding", shrinkage.borrow_strength(table),
                                           rounds=100)
    assert ratings_of(borrowed) == pytest.approx(
        expected.set_index("model")["rating"].round(2).to_dict(), abs=0.01)
    assert "Borrowing from Overall" in borrowed.stderr
    alone = arena(*common, "--independent")
    plain = ratings.leaderboard(ratings.category_table(table, "coding"), rounds=100)
    assert ratings_of(alone) == pytest.approx(
        plain.set_index("model")["rating"].round(2).to_dict(), abs=0.01)
    assert "This category's votes alone." in alone.stderr
    assert ratings_of(alone) != pytest.approx(ratings_of(borrowed), abs=1.0)


def test_overall_says_nothing_about_borrowing(vote_file):
    result = arena("leaderboard", "--from", str(vote_file), "--rounds", "50")
    assert result.returncode == 0 and result.stderr == ""


def test_the_note_in_chinese(vote_file, monkeypatch):
    monkeypatch.setenv("ARENA_LANG", "zh")
    result = arena("leaderboard", "--from", str(vote_file), "--category", "coding", "--rounds",
                   "50")
    assert result.returncode == 0 and "借助总榜" in result.stderr


def test_flags_that_do_not_go_together_are_refused(vote_file):
    alone = arena("leaderboard", "--from", str(vote_file), "--independent")
    assert alone.returncode == 1 and "--independent is for a category's board" in alone.stderr
    both = arena("leaderboard", "--from", str(vote_file), "--both-bad", "--style-control")
    assert both.returncode == 1 and "--both-bad" in both.stderr


def test_a_reader_that_stops_early_is_no_error(vote_file):
    """`arena leaderboard | head -1`: the closed pipe ends the command quietly."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "arena", "leaderboard", "--from",
                                str(vote_file)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # before the board is printed
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, stderr
    assert "BrokenPipe" not in stderr and "Traceback" not in stderr
