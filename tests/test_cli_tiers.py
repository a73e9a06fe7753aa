"""`python -m arena leaderboard` with tiers: the column in every format, and under the table the
votes that would tell the top neighbours apart, in the arena's language."""

import io
import json

import pandas as pd
import pytest
from cli_helpers import arena
from seed import simulated_rows

from arena import ratings, tiers

CLOSE = {"qwen3:8b": 1085.0, "gemma3:4b": 1040.0, "phi4:14b": 700.0}


@pytest.fixture
def vote_file(tmp_path):
    path = tmp_path / "votes.csv"
    rows = [r[:3] for r in simulated_rows(CLOSE, 300, seed=4)]
    pd.DataFrame(rows, columns=["model_a", "model_b", "winner"]).to_csv(path, index=False)
    return path


def expected(path):
    table = ratings.count_table(pd.read_csv(path))
    board = ratings.leaderboard(table, rounds=200, seed=0)
    return board, tiers.separating_votes(board, table)


def test_tier_in_json_and_csv(vote_file):
    result = arena("leaderboard", "--from", str(vote_file), "--rounds", "200", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {row["model"]: row["tier"] for row in rows} == {
        "qwen3:8b": 1, "gemma3:4b": 1, "phi4:14b": 2}
    assert list(rows[0])[:3] == ["rank", "tier", "model"]
    result = arena("leaderboard", "--from", str(vote_file), "--rounds", "200", "--format", "csv")
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame.set_index("model")["tier"].to_dict() == {
        "qwen3:8b": 1, "gemma3:4b": 1, "phi4:14b": 2}
    # Nothing but the table in a machine format.
    assert "would tell them apart" not in result.stdout


def test_the_table_shows_tiers_and_the_votes_to_separate(vote_file, monkeypatch):
    monkeypatch.setenv("ARENA_LANG", "en")
    board, gaps = expected(vote_file)
    result = arena("leaderboard", "--from", str(vote_file), "--rounds", "200")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["rank", "tier", "model"]
    assert [line.split()[1] for line in lines[1:4]] == ["1", "1", "2"]
    first = gaps[0]
    assert first.more_votes is not None and gaps[1].more_votes is None
    assert lines[4:] == [f"About {first.more_votes} more votes of {first.model_a} vs "
                         f"{first.model_b} would tell them apart."]


def test_the_votes_to_separate_in_chinese(vote_file, monkeypatch):
    monkeypatch.setenv("ARENA_LANG", "zh")
    _, gaps = expected(vote_file)
    result = arena("leaderboard", "--from", str(vote_file), "--rounds", "200")
    first = gaps[0]
    assert result.stdout.splitlines()[-1] == (
        f"{first.model_a} 与 {first.model_b} 之间再投约 {first.more_votes} 票，就能分出高下。")
