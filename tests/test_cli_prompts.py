"""`arena prompts add` and `arena prompts list`: prompt sets from a file or the shipped examples
into the database, run in this process as `python -m arena` runs them."""

import pytest
from cli_helpers import arena

from arena.db import Store
from arena.prompt_sets import EXAMPLE_SETS


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "arena.db")


def test_a_file_added_twice_adds_its_prompts_once(tmp_path, db):
    path = tmp_path / "reviews.csv"
    path.write_text("id,prompt,expected\nr1,面很好吃。,正面\nr2,Broken on arrival.,负面\n",
                    encoding="utf-8")
    add = ["prompts", "add", str(path), "--name", "评论", "--category", "Classification",
           "--labels", "正面，负面，中性", "--db", db]
    first = arena(*add)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "added 2 prompts to the set 评论 (0 already there)\n"
    again = arena(*add)
    assert again.stdout == "added 0 prompts to the set 评论 (2 already there)\n"
    path.write_text("id,prompt,expected\nr1,面很好吃。,正面\nr3,还行吧。,中性\n", encoding="utf-8")
    one = arena(*add[:-4], "--db", db)  # no --labels: the set's own are checked
    assert one.stdout == "added 1 prompt to the set 评论 (1 already there)\n"
    with Store(db) as store:
        assert [s.item.id for s in store.set_items("评论")] == ["r1", "r2", "r3"]
        assert store.prompt_set("评论").labels == ("正面", "负面", "中性")
        assert store.prompt_set("评论").category == "classification"


def test_the_summary_speaks_the_arenas_language(tmp_path, db, monkeypatch):
    monkeypatch.setenv("ARENA_LANG", "zh")
    path = tmp_path / "slogans.txt"
    path.write_text("为茶馆写一句口号\n", encoding="utf-8")
    done = arena("prompts", "add", str(path), "--name", "口号", "--category", "copywriting",
                 "--db", db)
    assert done.stdout == "已向提示词集 口号 添加 1 条提示（0 条已存在）\n"


def test_the_examples_are_added_and_listed(db):
    assert arena("prompts", "list", "--db", db).returncode == 1  # no database yet
    for name in sorted(EXAMPLE_SETS):
        done = arena("prompts", "add", "--example", name, "--db", db)
        assert done.returncode == 0, done.stderr
    renamed = arena("prompts", "add", "--example", "copywriting", "--name", "mine", "--db", db)
    assert renamed.returncode == 0
    listed = arena("prompts", "list", "--db", db)
    assert listed.returncode == 0, listed.stderr
    header, *rows = (line.strip() for line in listed.stdout.splitlines())
    assert header.split() == ["name", "category", "labels", "items", "answers", "failed"]
    assert len(rows) == 3
    sentiment = EXAMPLE_SETS["classification"].prompt_set
    assert rows[0].startswith(sentiment.name) and "positive, negative, neutral" in rows[0]
    assert rows[0].split()[-3:] == ["16", "0", "0"]
    assert rows[2].startswith("mine") and rows[2].split()[-3:] == ["10", "0", "0"]


def test_an_empty_database_has_no_sets(db):
    Store(db).close()
    listed = arena("prompts", "list", "--db", db)
    assert listed.returncode == 0 and listed.stdout.startswith("No prompt sets yet")


def test_a_bad_file_adds_nothing_and_names_the_row(tmp_path, db):
    path = tmp_path / "set.jsonl"
    path.write_text('{"prompt": "fine"}\n{"prompt": ""}\n', encoding="utf-8")
    done = arena("prompts", "add", str(path), "--name", "s", "--category", "general", "--db", db)
    assert done.returncode == 1
    assert done.stderr == f"error: {path}: row 2: prompt is empty or missing\n"
    with Store(db) as store:
        assert store.prompt_sets() == []


@pytest.mark.parametrize(("args", "message"), [
    ([], "give a set FILE or --example NAME"),
    (["set.txt", "--example", "copywriting"], "give a set FILE or --example NAME"),
    (["set.txt", "--name", "s"], "needs --name and --category"),
    (["--example", "classification", "--labels", "a,b"], "sets its own category and labels"),
    (["set.txt", "--name", "s", "--category", "poetry"], "'poetry': no such category"),
    (["set.txt", "--name", "s", "--category", "general", "--labels", "a,A"], "given twice: A, a"),
    (["missing.txt", "--name", "s", "--category", "general"], "missing.txt: no such file"),
])
def test_a_wrong_call_is_one_line(tmp_path, db, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "set.txt").write_text("one prompt\n", encoding="utf-8")
    done = arena("prompts", "add", *args, "--db", db)
    assert done.returncode == 1 and message in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")


def test_adding_to_a_set_of_another_category_is_refused(tmp_path, db):
    path = tmp_path / "set.txt"
    path.write_text("one prompt\n", encoding="utf-8")
    assert arena("prompts", "add", str(path), "--name", "s", "--category", "general",
                 "--db", db).returncode == 0
    done = arena("prompts", "add", str(path), "--name", "s", "--category", "coding", "--db", db)
    assert done.returncode == 1
    assert done.stderr == "error: set 's' belongs to category 'general', not 'coding'\n"
