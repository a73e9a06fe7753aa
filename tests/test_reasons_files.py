"""Why you voted in files: reasons and comments exported, imported, round-tripped in every format;
older files without them import as before; bad ones refused with their row."""

import json

import pandas as pd
import pytest
from test_exchange import TRICKY, edited_export, records, rich_battles

from arena.db import Store
from arena.files.checks import ImportRejected
from arena.files.export import write_export
from arena.files.importer import import_file

REASONS = {"model_a": ["more_accurate", "faster"], "model_b": ["better_format"],
           "tie": ["hard_to_tell"], "tie (bothbad)": ["wrong_language", "made_up"]}
COMMENTS = ["=looks like a formula", "短评：不错", None, "line\nbreak, \"quoted\""]


@pytest.fixture
def source(tmp_path) -> Store:
    """The exchange tests' battles, their votes given reasons and (some) comments."""
    battles, votes = rich_battles()
    for k, vote in enumerate(votes):
        if k != 2:  # one vote without reasons
            vote.reasons = tuple(REASONS[vote.winner])
        vote.comment = COMMENTS[k % len(COMMENTS)]
    store = Store(tmp_path / "source.db")
    store.save_battles(battles, votes)
    return store


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_reasons_and_comments_round_trip(tmp_path, source, form):
    first = tmp_path / f"first.{form}"
    write_export(source, first, form)
    target = Store(tmp_path / "target.db")
    assert import_file(target, first).added == len(TRICKY)
    assert records(target) == records(source)
    second = tmp_path / f"second.{form}"
    write_export(target, second, form)
    assert first.read_bytes() == second.read_bytes()
    given = [(r["winner"], r["reasons"], r["comment"]) for r in records(target)]
    assert given[0] == ("model_a", ["more_accurate", "faster"], "=looks like a formula")
    assert given[2] == ("tie", [], None)  # voted, no reasons
    assert given[3] == ("tie (bothbad)", ["wrong_language", "made_up"],
                        "line\nbreak, \"quoted\"")
    assert given[4] == (None, None, None)  # a failed battle has no vote
    assert target.reason_votes().shape[0] == source.reason_votes().shape[0] > 0


def test_flat_files_hold_reasons_as_json_text(tmp_path, source):
    path = tmp_path / "flat.parquet"
    write_export(source, path, "parquet")
    frame = pd.read_parquet(path)
    assert frame.loc[0, "reasons"] == '["more_accurate", "faster"]'
    assert frame["reasons"].isna().sum() == 3  # no reasons, and the two battles without votes
    line = (tmp_path / "nested.jsonl")
    write_export(source, line, "jsonl")
    first = json.loads(line.read_text(encoding="utf-8").splitlines()[0])
    assert first["reasons"] == ["more_accurate", "faster"]


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_files_without_reasons_import_as_before(tmp_path, source, form):
    path = tmp_path / f"older.{form}"
    write_export(source, path, form)
    dropped = ["reasons", "comment"]
    if form == "jsonl":
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        path.write_text("".join(json.dumps({k: v for k, v in r.items() if k not in dropped},
                                           ensure_ascii=False) + "\n" for r in lines),
                        encoding="utf-8")
    elif form == "csv":
        import pyarrow.csv as pa_csv

        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
            strings_can_be_null=True))
        pa_csv.write_csv(table.drop_columns(dropped), path)
    else:
        pd.read_parquet(path).drop(columns=dropped).to_parquet(path)
    target = Store(tmp_path / "target.db")
    assert import_file(target, path).added == len(TRICKY)
    assert target.count_votes() == source.count_votes()
    assert {(r["comment"], tuple(r["reasons"] or ())) for r in records(target)} == {(None, ())}


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update(reasons=["faster", "refused"]), "row 1: reasons 'refused' are not"
                                                         " reasons for a 'model_a' vote"),
    (lambda r: r.update(reasons="more_accurate"), "row 1: reasons is 'more_accurate', not a"
                                                   " list of reasons"),
    (lambda r: r.update(reasons=[1, 2]), "row 1: reasons is \\[1, 2\\], not a list"),
    (lambda r: r.update(comment="x" * 301), "row 1: the comment is 301 characters long"),
    (lambda r: r.update(winner=None, counted=None, voter=None, voted_at=None),
     "row 1: reasons or a comment without a vote"),
])
def test_bad_reasons_are_named_with_their_row_and_nothing_is_written(tmp_path, source, change,
                                                                     message):
    path = tmp_path / "votes.jsonl"
    edited_export(source, path, 1, change)
    store = Store(tmp_path / "arena.db")
    with pytest.raises(ImportRejected, match=message):
        import_file(store, path)
    assert store.count_votes() == 0
