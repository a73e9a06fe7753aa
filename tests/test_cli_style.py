"""`python -m arena leaderboard --style-control`: the board with style held equal in every
format, the coefficients in plain words under the table, and the votes without texts counted."""

import io
import json

import pandas as pd
import pytest
from cli_helpers import arena
from style_helpers import TRUE, seed_styled

from arena.db import Store
from arena.records import Battle, Side, Vote
from arena.style_control import style_leaderboard


@pytest.fixture
def styled_db(tmp_path):
    path = tmp_path / "styled.db"
    store = Store(path)
    seed_styled(store, 3000)
    # Imported without texts: left out of the style view.
    store.save_battles([Battle(category="coding", prompt="p", system_prompt="", options={},
                               side_a=Side("big:32b"), side_b=Side("wee:1b"), id=f"i{k}")
                        for k in range(5)],
                       [Vote(f"i{k}", "model_b", "ann", "2026-11-01T00:00:00.000Z")
                        for k in range(5)])
    return path


def test_json_has_the_board_with_tiers_the_coefficients_and_the_left_out(styled_db):
    result = arena("leaderboard", "--db", str(styled_db), "--style-control", "--format", "json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    expected = style_leaderboard(Store(styled_db, read_only=True).style_votes())
    rows = found["ratings"]
    assert [r["model"] for r in rows] == expected.board["model"].tolist() == list(TRUE)
    assert list(rows[0])[:3] == ["rank", "tier", "model"]
    assert [r["tier"] for r in rows] == expected.board["tier"].tolist()
    assert rows[0]["rating"] == round(expected.board["rating"].iloc[0], 2)
    assert [s["feature"] for s in found["style"]] == ["tokens", "headers", "list_items", "bold"]
    assert found["style"][0]["points"] > 0  # longer answers won votes
    assert found["left_out"] == 5


def test_the_table_has_the_words_under_it(styled_db):
    result = arena("leaderboard", "--db", str(styled_db), "--style-control")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split()[:4] == ["rank", "tier", "model", "rating"]
    assert "A 2× longer answer is worth about +" in result.stdout
    assert "One list item against none is worth about" in result.stdout
    assert "5 votes without answer texts (imported battles) are left out" in result.stdout
    # The plain board of the same database rates the terse best model lower.
    plain = json.loads(arena("leaderboard", "--db", str(styled_db), "--rounds", "0",
                             "--format", "json").stdout)
    styled = json.loads(arena("leaderboard", "--db", str(styled_db), "--style-control",
                              "--format", "json").stdout)["ratings"]
    def best(rows):
        return next(r["rating"] for r in rows if r["model"] == "big:32b")

    assert best(plain) < best(styled) - 30


def test_csv_and_a_category(styled_db, monkeypatch):
    result = arena("leaderboard", "--db", str(styled_db), "--style-control", "--format", "csv",
                   "--category", "Coding")
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame["votes"].sum() == 2 * 1500
    monkeypatch.setenv("ARENA_LANG", "zh")
    result = arena("leaderboard", "--db", str(styled_db), "--style-control", "--category",
                   "coding")
    assert "答案长一倍" in result.stdout and "有 5 票没有答案文本" in result.stdout


def test_an_unknown_category_is_one_line(styled_db):
    result = arena("leaderboard", "--db", str(styled_db), "--style-control", "--category", "nope")
    assert result.returncode == 1 and "no such category" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_vote_file_without_texts_leaves_every_vote_out(tmp_path):
    path = tmp_path / "votes.csv"
    pd.DataFrame({"model_a": ["x:1", "y:1"], "model_b": ["y:1", "x:1"],
                  "winner": ["model_a", "tie"]}).to_csv(path, index=False)
    result = arena("leaderboard", "--from", str(path), "--style-control")
    assert result.returncode == 0, result.stderr
    assert "style control needs the answers' texts" in result.stdout
    assert "2 votes without answer texts" in result.stdout


def test_an_export_rates_as_its_database(styled_db, tmp_path):
    from seed import seed_set_votes, shared_answer_rows

    seed_set_votes(Store(styled_db), shared_answer_rows(list(TRUE), 10, 20, seed=3),
                   category="coding")
    out = tmp_path / "export.jsonl"
    assert arena("export", "--db", str(styled_db), "--out", str(out)).returncode == 0
    from_db = json.loads(arena("leaderboard", "--db", str(styled_db), "--style-control",
                               "--format", "json").stdout)
    from_file = json.loads(arena("leaderboard", "--from", str(out), "--style-control",
                                 "--format", "json").stdout)
    assert from_file == from_db
