"""The command line (`arena …`, `python -m arena …`) on a database and on vote files: run in
this process through `arena.cli.main`, as `python -m arena` runs it (one test starts a real
process; tests/test_package.py runs the console script from another folder)."""

import json

import pandas as pd
import pytest
from cli_helpers import arena, arena_process
from db_helpers import count_battles
from seed import seed_votes, simulated_rows, write_votes

from arena.db import Store

MODELS = {"qwen3:8b": 1150.0, "llama3.2:3b": 1000.0, "gemma3:4b": 1050.0}


@pytest.fixture
def votes() -> pd.DataFrame:
    rows = simulated_rows(MODELS, 300, seed=1, categories=("coding", "copywriting"))
    return pd.DataFrame(rows, columns=["model_a", "model_b", "winner", "category"])


def test_from_the_database_as_json(tmp_path, votes):
    path = tmp_path / "arena.db"
    seed_votes(Store(path), list(votes.itertuples(index=False)))
    result = arena_process("leaderboard", "--db", str(path), "--format", "json", "--rounds", "200")
    assert result.returncode == 0, result.stderr
    board = json.loads(result.stdout)
    assert [row["model"] for row in board] == ["qwen3:8b", "gemma3:4b", "llama3.2:3b"]
    for row in board:
        assert {"model", "rating", "ci_low", "ci_high", "rank", "votes"} <= set(row)
        assert row["ci_low"] <= row["rating"] <= row["ci_high"]
    assert sum(row["votes"] for row in board) == 600


def test_category_by_slug_or_name(tmp_path, votes):
    path = tmp_path / "arena.db"
    seed_votes(Store(path), list(votes.itertuples(index=False)))
    by_slug = arena("leaderboard", "--db", str(path), "--category", "coding", "--format", "csv")
    by_name = arena("leaderboard", "--db", str(path), "--category", "Coding", "--format", "csv")
    assert by_slug.returncode == 0 and by_slug.stdout == by_name.stdout
    expected = 2 * (votes["category"] == "coding").sum()
    assert pd.read_csv(pd.io.common.StringIO(by_slug.stdout))["votes"].sum() == expected
    missing = arena("leaderboard", "--db", str(path), "--category", "poetry")
    assert missing.returncode == 1 and "'poetry'" in missing.stderr and "coding" in missing.stderr


def test_files_of_each_format_give_the_same_board(tmp_path, votes):
    outputs = []
    for suffix in ("csv", "jsonl", "parquet"):
        path = tmp_path / f"votes.{suffix}"
        write_votes(votes, path)
        result = arena("leaderboard", "--from", str(path), "--format", "csv", "--seed", "3")
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    board = pd.read_csv(pd.io.common.StringIO(outputs[0]))
    assert board["model"].iloc[0] == "qwen3:8b"


def test_chatbot_arena_style_file_with_extra_columns(tmp_path):
    frame = pd.DataFrame({"question_id": ["q1", "q2", "q3"], "model_a": ["a", "b", "a"],
                          "model_b": ["b", "a", "c"],
                          "winner": ["model_a", "tie (bothbad)", "model_b"],
                          "tstamp": [1.7e9, 1.7e9 + 5, 1.7e9 + 9], "anony": [True] * 3})
    path = tmp_path / "arena.jsonl"
    frame.to_json(path, orient="records", lines=True)
    result = arena("leaderboard", "--from", str(path), "--rounds", "0", "--format", "json")
    assert result.returncode == 0, result.stderr
    board = json.loads(result.stdout)
    assert {row["model"] for row in board} == {"a", "b", "c"}
    assert all(row["provisional"] for row in board)
    # lmarena's clean_battle_*.json is one JSON array, not JSON Lines.
    array = tmp_path / "clean_battle.json"
    frame.to_json(array, orient="records", indent=2)
    same = arena("leaderboard", "--from", str(array), "--rounds", "0", "--format", "json")
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout) == board


@pytest.mark.parametrize("content, message", [
    ("model_a,model_b\nx,y\n", "missing column(s): winner"),
    ("model_a,model_b,winner\nx,y,model_a\nx,y,draw\n", "row 2: unknown winner label 'draw'"),
    ("", "cannot read it as csv"),
])
def test_bad_csv_files_are_named(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = arena("leaderboard", "--from", str(path))
    assert result.returncode == 1
    assert str(path) in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("rows, message", [
    ([("x", "y", "model_a", "true"), ("x", "y", "draw", "true")],
     "row 2: unknown winner label 'draw'"),
    ([("x", "y", "model_a", "true"), ("x", "y", "tie", "true"), (None, "y", "tie", "true")],
     "row 3: model_a is empty"),
    ([("x", "y", "model_a", "true"), ("y", "y", "tie", "true")],
     "row 2: model_a and model_b are the same model"),
    ([("x", "y", "model_a", "true"), ("x", "y", "tie", "perhaps")],
     "row 2: counts is 'perhaps', not true or false"),
    ([("x", "y", "model_a", "true"), ("x\x07", "y", "tie", "true")],
     "row 2: model_a has a control character (U+0007)"),
])
def test_bad_votes_in_parquet_are_named_by_row(tmp_path, rows, message):
    """A Parquet file's names and labels are read as dictionaries and checked by group; a bad
    vote is still named by its row."""
    path = tmp_path / "bad.parquet"
    pd.DataFrame(rows, columns=["model_a", "model_b", "winner", "counts"]).to_parquet(path)
    result = arena("leaderboard", "--from", str(path))
    assert result.returncode == 1 and message in result.stderr, result.stderr


def test_votes_that_do_not_count_are_left_out_of_a_parquet_board(tmp_path):
    path = tmp_path / "votes.parquet"
    pd.DataFrame([("x", "y", "model_a", "true")] * 3 + [("x", "y", "model_b", "no")] * 5,
                 columns=["model_a", "model_b", "winner", "counts"]).to_parquet(path)
    result = arena("leaderboard", "--from", str(path), "--rounds", "0", "--format", "json")
    assert {row["model"]: row["votes"] for row in json.loads(result.stdout)} == {"x": 3, "y": 3}


def test_broken_json_lines_and_parquet(tmp_path):
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('{"model_a": "x", "model_b": "y", "winner": "tie"}\n{"model_a": \n')
    parquet = tmp_path / "bad.parquet"
    parquet.write_bytes(b"PAR1 not really parquet")
    for path in (jsonl, parquet, tmp_path / "missing.csv", tmp_path / "votes.xlsx"):
        result = arena("leaderboard", "--from", str(path))
        assert result.returncode == 1 and str(path) in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_missing_database_is_not_created(tmp_path):
    path = tmp_path / "typo.db"
    result = arena("leaderboard", "--db", str(path))
    assert result.returncode == 1 and "no such database" in result.stderr
    assert not path.exists()


def test_empty_database(tmp_path):
    path = tmp_path / "arena.db"
    Store(path)
    result = arena("leaderboard", "--db", str(path))
    assert result.returncode == 0 and "No counted votes yet" in result.stdout
    assert json.loads(arena("leaderboard", "--db", str(path), "--format", "json").stdout) == []


def test_votes_without_a_category_still_count_overall(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner,category\nx,y,model_a,coding\nx,y,model_a,\n"
                    "x,y,tie,\n")
    result = arena("leaderboard", "--from", str(path), "--format", "json", "--rounds", "0")
    assert sum(row["votes"] for row in json.loads(result.stdout)) == 6


def test_counts_column_must_say_yes_or_no(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner,counts\nx,y,model_a,true\nx,y,model_b,0\n"
                    "x,y,tie,maybe\n")
    result = arena("leaderboard", "--from", str(path))
    assert result.returncode == 1 and "row 3: counts is 'maybe'" in result.stderr
    path.write_text("model_a,model_b,winner,counts\nx,y,model_a,true\nx,y,model_b,0\n")
    result = arena("leaderboard", "--from", str(path), "--format", "json", "--rounds", "0")
    assert sum(row["votes"] for row in json.loads(result.stdout)) == 2


def test_bad_arguments_and_databases(tmp_path):
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("hello " * 100)
    result = arena("leaderboard", "--db", str(not_a_db))
    assert result.returncode == 1 and str(not_a_db) in result.stderr
    assert "not an arena database" in result.stderr
    path = tmp_path / "arena.db"
    Store(path)
    result = arena("leaderboard", "--db", str(path), "--rounds", "-5")
    assert result.returncode == 1 and "--rounds -5" in result.stderr


def test_export_and_import_commands(tmp_path, votes):
    source = tmp_path / "source.db"
    seed_votes(Store(source), list(votes.itertuples(index=False)))
    for form in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"export.{form}"
        result = arena("export", "--db", str(source), "--format", form, "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert "exported 300 battles" in result.stdout
        target = tmp_path / f"target-{form}.db"
        result = arena("import", str(out), "--db", str(target))
        assert result.returncode == 0 and "imported 300 battles" in result.stdout
        again = arena("import", str(out), "--db", str(target))
        assert "imported 0 battles" in again.stdout and "300 already there" in again.stdout
    coding = arena("export", "--db", str(source), "--format", "jsonl", "--category", "coding",
                   "--out", str(tmp_path / "coding.jsonl"))
    assert coding.returncode == 0
    lines = (tmp_path / "coding.jsonl").read_text().splitlines()
    assert lines and all(json.loads(line)["category"] == "coding" for line in lines)


def test_a_failed_import_leaves_the_database_unchanged(tmp_path, votes):
    target = tmp_path / "arena.db"
    seed_votes(Store(target), list(votes.itertuples(index=False))[:10])
    bad = tmp_path / "bad.csv"
    bad.write_text("model_a,model_b,winner\nx,y,model_a\nx,y,maybe\n")
    result = arena("import", str(bad), "--db", str(target))
    assert result.returncode == 1 and "row 2: unknown winner label 'maybe'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert count_battles(Store(target)) == 10


def _checksum(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reading_commands_refuse_another_programs_database_and_leave_it_unchanged(tmp_path):
    import sqlite3

    notes = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(notes)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('buy milk')")
    conn.commit()
    conn.close()
    before = _checksum(notes)
    for command in (["leaderboard", "--db", str(notes)],
                    ["export", "--db", str(notes), "--out", str(tmp_path / "out.jsonl")],
                    ["import", str(tmp_path / "x.csv"), "--db", str(notes)]):
        (tmp_path / "x.csv").write_text("model_a,model_b,winner\nx,y,tie\n")
        result = arena(*command)
        assert result.returncode == 1, result
        [line] = result.stderr.splitlines()
        assert str(notes) in line and "not an arena database" in line, line
        assert _checksum(notes) == before
    conn = sqlite3.connect(notes)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]
    assert not (tmp_path / "out.jsonl").exists()


def test_reading_commands_open_the_database_read_only(tmp_path, votes):
    path = tmp_path / "arena.db"
    with Store(path) as store:
        seed_votes(store, list(votes.itertuples(index=False)))
    before = _checksum(path)
    assert arena("leaderboard", "--db", str(path), "--rounds", "0").returncode == 0
    assert arena("export", "--db", str(path), "--out", str(tmp_path / "e.jsonl")).returncode == 0
    assert _checksum(path) == before
    path.chmod(0o444)  # a file the user may only read works too
    try:
        assert arena("leaderboard", "--db", str(path), "--rounds", "0").returncode == 0
    finally:
        path.chmod(0o644)


def test_an_older_schema_is_not_migrated_by_a_reading_command(tmp_path, monkeypatch):
    from arena.db import migrations

    path = tmp_path / "old.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:5])
    Store(path).close()
    monkeypatch.undo()
    before = _checksum(path)
    result = arena("leaderboard", "--db", str(path))
    assert result.returncode == 1 and "python -m arena migrate" in result.stderr
    assert _checksum(path) == before
    assert arena("migrate", "--db", str(path)).returncode == 0
    assert arena("leaderboard", "--db", str(path)).returncode == 0


def test_an_unknown_category_says_so(tmp_path, votes):
    path = tmp_path / "arena.db"
    with Store(path) as store:
        seed_votes(store, list(votes.itertuples(index=False)))
    result = arena("leaderboard", "--db", str(path), "--category", "poetry")
    assert result.returncode == 1 and "'poetry': no such category" in result.stderr
    assert "coding" in result.stderr  # the known ones are named
    result = arena("leaderboard", "--db", str(path), "--category", "translation")
    assert result.returncode == 1 and "no votes in it" in result.stderr  # known, but no votes
    result = arena("export", "--db", str(path), "--category", "poetry",
                   "--out", str(tmp_path / "e.csv"))
    assert result.returncode == 1 and "'poetry': no such category" in result.stderr
    assert not (tmp_path / "e.csv").exists()
    csv = tmp_path / "votes.csv"
    csv.write_text("model_a,model_b,winner,category\nx,y,model_a,coding\n")
    result = arena("leaderboard", "--from", str(csv), "--category", "poetry")
    assert result.returncode == 1 and "no such category (known: coding)" in result.stderr


def test_win_rate_counts_a_tie_as_half(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner\nx,y,model_a\nx,y,tie\ny,x,tie (bothbad)\n"
                    "y,x,model_b\n")
    as_json = arena("leaderboard", "--from", str(path), "--rounds", "0", "--format", "json")
    assert {row["model"]: row["win_rate"] for row in json.loads(as_json.stdout)} == {
        "x": 0.75, "y": 0.25}
    as_csv = arena("leaderboard", "--from", str(path), "--rounds", "0", "--format", "csv")
    board = pd.read_csv(pd.io.common.StringIO(as_csv.stdout)).set_index("model")
    assert board.loc["x", "win_rate"] == 0.75
    as_text = arena("leaderboard", "--from", str(path), "--rounds", "0")
    assert "75.0%" in as_text.stdout and "25.0%" in as_text.stdout


def test_an_import_into_a_locked_database_says_so(tmp_path, monkeypatch):
    import sqlite3

    monkeypatch.setenv("ARENA_DB_BUSY_TIMEOUT_S", "1")  # the CLI waits as the settings say
    target = tmp_path / "arena.db"
    Store(target)
    votes = tmp_path / "votes.csv"
    votes.write_text("model_a,model_b,winner\nx,y,model_a\n")
    holder = sqlite3.connect(target, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # held for longer than the store waits
        result = arena("import", str(votes), "--db", str(target))
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {target}: the database is busy (database is "
                                     "locked); nothing was imported, try again")
    assert count_battles(Store(target)) == 0


def test_import_limits_come_from_the_environment(tmp_path, monkeypatch):
    votes = tmp_path / "votes.csv"
    votes.write_text("model_a,model_b,winner\n" + "x,y,tie\n" * 5)
    monkeypatch.setenv("ARENA_IMPORT_MAX_ROWS", "4")
    for args in (("import", str(votes), "--db", str(tmp_path / "arena.db")),
                 ("leaderboard", "--from", str(votes))):
        result = arena(*args)
        assert result.returncode == 1
        assert result.stderr.strip() == (f"error: {votes}: more than 4 rows, the import limit "
                                         "(ARENA_IMPORT_MAX_ROWS)")
    monkeypatch.setenv("ARENA_IMPORT_MAX_ROWS", "many")
    result = arena("import", str(votes), "--db", str(tmp_path / "arena.db"))
    assert result.returncode == 1 and "ARENA_IMPORT_MAX_ROWS='many'" in result.stderr


def test_leaderboard_from_a_file_refuses_control_characters_in_names(tmp_path):
    votes = tmp_path / "votes.csv"
    votes.write_text('model_a,model_b,winner\nx,y,tie\n"bad\x1bname",y,tie\n')
    result = arena("leaderboard", "--from", str(votes))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {votes}: row 2: model_a has a control character "
                                     "(U+001B)")


def test_an_export_gives_the_board_its_database_gave(tmp_path, votes):
    """`leaderboard --from` on our own export rates its counted votes only: battles without a
    vote (failed, unvoted) and votes that do not count are left out, as on the database."""
    from arena.records import STATUS_FAILED, Battle, Side

    path = tmp_path / "arena.db"
    rows = list(votes.itertuples(index=False))[:120]
    rows[0] = (*rows[0][:4], "anonymous", False)  # stored, not counted
    store = Store(path)
    seed_votes(store, rows)
    failed = Battle(category="coding", prompt="p", system_prompt="", options={},
                    side_a=Side("qwen3:8b", answer="a"), side_b=Side("gemma3:4b", answer=""),
                    status=STATUS_FAILED)
    unvoted = Battle(category="coding", prompt="q", system_prompt="", options={},
                     side_a=Side("llama3.2:3b", answer="a"), side_b=Side("qwen3:8b", answer="b"))
    store.save_battles([failed, unvoted])
    expected = arena("leaderboard", "--db", str(path), "--format", "json", "--rounds", "100")
    assert expected.returncode == 0, expected.stderr
    assert sum(row["votes"] for row in json.loads(expected.stdout)) == 2 * 119
    for form in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"export.{form}"
        assert arena("export", "--db", str(path), "--format", form, "--out", str(out)).returncode == 0
        for category in ([], ["--category", "coding"]):
            board = arena("leaderboard", "--from", str(out), "--format", "json", "--rounds", "100",
                          *category)
            assert board.returncode == 0, (form, board.stderr)
            if not category:
                assert board.stdout == expected.stdout, form
            else:
                on_db = arena("leaderboard", "--db", str(path), "--format", "json", "--rounds",
                              "100", *category)
                assert board.stdout == on_db.stdout, form


def test_one_battle_reads_singular(tmp_path, votes):
    path = tmp_path / "arena.db"
    seed_votes(Store(path), list(votes.itertuples(index=False))[:1])
    out = tmp_path / "one.jsonl"
    done = arena("export", "--db", str(path), "--format", "jsonl", "--out", str(out))
    assert done.stdout.strip() == f"exported 1 battle to {out}"
    done = arena("import", str(out), "--db", str(tmp_path / "other.db"))
    assert done.stdout.strip() == f"imported 1 battle from {out} (0 already there)"


def test_votes_on_shared_answers_give_the_same_board_from_the_database_and_from_files(tmp_path):
    """Votes on one prompt-set item are resampled together: from --db, from the export in each
    format, and from plain vote rows that name their set and item."""
    from seed import seed_set_votes, shared_answer_rows

    from arena.files.export import write_export

    path = tmp_path / "arena.db"
    store = Store(path)
    models = list(MODELS)
    seed_votes(store, simulated_rows(MODELS, 60, seed=2, categories=("coding", "general")))
    seed_set_votes(store, shared_answer_rows(models, 6, 25, seed=4), category="coding")
    seed_set_votes(store, [(*row[:3], None, f"题目 {row[3]}")  # items known by their prompt
                           for row in shared_answer_rows(models, 4, 20, seed=5)],
                   prompt_set="标语 slogans")
    rows = [r for chunk in store.battle_rows() for r in chunk]
    store.close()

    def board(*source: str, category: str = "coding") -> list[dict]:
        result = arena("leaderboard", *source, "--category", category, "--format", "json",
                       "--rounds", "200", "--seed", "5")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    for category in ("coding", "Overall"):
        from_db = board("--db", str(path), category=category)
        for form in ("csv", "jsonl", "parquet"):
            export = tmp_path / f"export.{form}"
            write_export(Store(path), export, form)
            assert board("--from", str(export), category=category) == from_db, form
    # Plain vote rows with the set fields: the same clusters.
    from arena.db import ROW_COLUMNS

    plain = pd.DataFrame(rows, columns=ROW_COLUMNS)[  # no thinking: the model is the name
        ["model_a", "model_b", "winner", "category", "prompt_set", "item_id", "prompt"]]
    write_votes(plain, tmp_path / "plain.parquet")
    assert board("--from", str(tmp_path / "plain.parquet")) == board("--db", str(path))
    # Without them, the same votes look independent: the intervals are narrower.
    write_votes(plain.drop(columns=["prompt_set", "item_id"]), tmp_path / "no_sets.parquet")
    narrow = {r["model"]: r["ci_high"] - r["ci_low"] for r in board(
        "--from", str(tmp_path / "no_sets.parquet"))}
    wide = {r["model"]: r["ci_high"] - r["ci_low"] for r in board("--db", str(path))}
    assert all(wide[m] > narrow[m] for m in wide), (wide, narrow)
