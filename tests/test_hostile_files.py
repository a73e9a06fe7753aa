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
