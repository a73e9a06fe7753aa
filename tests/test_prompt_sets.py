"""Prompt sets: their files read and checked (arena.files.set_file), stored with their items and
answers (arena.db.prompt_sets), the schema's upgrade to them, and the shipped example sets."""

import json

import pytest
from conftest import ROOT

from arena.db import PromptSetRefused, Store, migrations
from arena.db.migrations import _PROMPT_SETS, _QUEUE_BATTLES, MIGRATIONS
from arena.files.checks import ImportRejected, VoteFileError
from arena.files.set_file import parse_labels, read_set_file
from arena.prompt_sets import EXAMPLE_SETS, PromptAnswer, PromptItem, PromptSet, example_file
from arena.records import Battle, Side, Vote
from arena.settings import ImportLimits

SENTIMENT = PromptSet("评论情感 reviews", "classification", ("positive", "negative", "neutral"))
ITEMS = [PromptItem("这家店的面很好吃。", "r1", "positive"),
         PromptItem("The parcel arrived broken.", "r2", "negative"),
         PromptItem("Opening hours: 9 to 5.", None, "neutral")]


def write(path, text: str, bom: bool = False):
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Files ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bom", [False, True])
def test_csv_json_lines_and_text_files_give_the_same_prompts(tmp_path, bom):
    csv = write(tmp_path / "set.csv", 'id,prompt,expected\nr1,这家店的面很好吃。,positive\n'
                                      'r2,"The parcel arrived broken.",negative\n'
                                      ',Opening hours: 9 to 5.,neutral\n', bom)
    lines = write(tmp_path / "set.jsonl", "".join(
        json.dumps({"prompt": i.prompt, "id": i.id, "expected": i.expected}, ensure_ascii=False)
        + "\n" for i in ITEMS), bom)
    text = write(tmp_path / "set.txt", "这家店的面很好吃。\n\n  \nThe parcel arrived broken.\n", bom)
    assert read_set_file(csv) == ITEMS
    assert read_set_file(lines, labels=SENTIMENT.labels) == ITEMS
    assert read_set_file(text) == [PromptItem("这家店的面很好吃。"),
                                   PromptItem("The parcel arrived broken.")]


def test_values_are_text_as_written(tmp_path):
    csv = write(tmp_path / "set.csv", "Prompt , ID\nWhat is 2 + 2?,007\n  padded  ,\n")
    assert read_set_file(csv) == [PromptItem("What is 2 + 2?", "007"), PromptItem("padded")]
    lines = write(tmp_path / "set.jsonl", '{"prompt": "What is 2 + 2?", "id": 7, "expected": 4}\n'
                                          '{"prompt": "Half of 1?", "expected": 0.5}\n')
    assert read_set_file(lines) == [PromptItem("What is 2 + 2?", "7", "4"),
                                    PromptItem("Half of 1?", None, "0.5")]


def test_a_row_given_twice_is_kept_once_and_labels_take_the_sets_spelling(tmp_path):
    lines = write(tmp_path / "set.jsonl", '{"prompt": "a", "expected": "Positive"}\n'
                                          '{"prompt": "a", "expected": "POSITIVE"}\n')
    assert read_set_file(lines, labels=("positive", "negative")) == [
        PromptItem("a", None, "positive")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("no_header.csv", "What is 2 + 2?\nName a colour.\n", "header naming the columns prompt"),
    ("extra.csv", "prompt,answer\nhi,there\n", "found 'prompt', 'answer'"),
    ("empty_prompt.csv", "prompt,id\nhello,1\n ,2\n", "row 2: prompt is empty or missing"),
    ("broken.jsonl", '{"prompt": "a"}\n{"prompt": \n', "row 2: broken JSON"),
    ("not_object.jsonl", '{"prompt": "a"}\n["b"]\n', "row 2: not a JSON object"),
    ("unknown_key.jsonl", '{"prompt": "a"}\n{"prompt": "b", "label": "x"}\n',
     "row 2: unknown key(s) 'label'"),
    ("list.jsonl", '{"prompt": "a"}\n{"prompt": ["b", "c"]}\n', "row 2: prompt is a list"),
    ("number.jsonl", '{"prompt": 42}\n', "row 1: prompt is int 42, not text"),
    ("flag.jsonl", '{"prompt": "a", "id": true}\n', "row 1: id is bool True, not text"),
    ("twice.jsonl", '{"prompt": "a", "id": "q1"}\n{"prompt": "b"}\n{"prompt": "c", "id": "q1"}\n',
     "row 3: id 'q1' is given twice with different content (first at row 1)"),
    ("twice.csv", "prompt,expected\n同一个问题,positive\n同一个问题,negative\n",
     "row 2: the same prompt (without an id) is given twice with different content"),
    ("label.csv", "prompt,expected\n好评,positive\n差评,bad\n",
     "row 2: expected 'bad' is not one of the labels (positive, negative, neutral)"),
    ("control.jsonl", '{"prompt": "a", "id": "q\\u0007"}\n', "row 1: id has a control character"),
    ("empty.txt", "\n\n", "the file has no prompts"),
    ("set.parquet", "", "unknown file type '.parquet'"),
])
def test_a_bad_file_is_refused_naming_the_row(tmp_path, name, content, message):
    path = write(tmp_path / name, content)
    with pytest.raises(VoteFileError) as refused:
        read_set_file(path, labels=SENTIMENT.labels)
    assert message in str(refused.value) and str(path) in str(refused.value)


def test_bytes_that_are_not_utf8_are_named_by_row(tmp_path):
    for name, before in (("set.txt", b"fine\n"), ("set.jsonl", b'{"prompt": "fine"}\n'),
                         ("set.csv", b"prompt\nfine\n")):
        path = tmp_path / name
        bad = b'{"prompt": "caf\xe9"}\n' if name.endswith("jsonl") else b"caf\xe9\n"
        path.write_bytes(before + bad)
        with pytest.raises(ImportRejected, match="row 2: prompt is not valid text"):
            read_set_file(path)


def test_the_limits_hold(tmp_path):
    many = write(tmp_path / "many.txt", "a\nb\nc\n")
    with pytest.raises(VoteFileError, match="ARENA_IMPORT_MAX_ROWS"):
        read_set_file(many, ImportLimits(max_rows=2))
    long = write(tmp_path / "long.txt", "short\n" + "x" * 101 + "\n")
    with pytest.raises(ImportRejected, match=r"row 2: prompt is 101 characters long "
                                             r"\(ARENA_MAX_PROMPT_CHARS=100\)"):
        read_set_file(long, max_prompt_chars=100)
    with pytest.raises(VoteFileError, match="no such file"):
        read_set_file(tmp_path / "missing.csv")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(VoteFileError, match="not a regular file"):
        read_set_file(folder)


def test_labels_from_the_command_line():
    assert parse_labels(" positive, negative ,neutral") == ("positive", "negative", "neutral")
    assert parse_labels("正面，负面，中性") == ("正面", "负面", "中性")
    assert parse_labels(None) == parse_labels("  ") == ()
    with pytest.raises(ValueError, match="given twice: Yes"):
        parse_labels("Yes,no,yes")
    with pytest.raises(ValueError, match="a label is empty"):
        parse_labels("a,,b")


@pytest.mark.parametrize("name", sorted(EXAMPLE_SETS))
def test_the_example_sets_read_and_mix_chinese_and_english(name):
    example = EXAMPLE_SETS[name]
    with example_file(name) as path:
        items = read_set_file(path, labels=example.prompt_set.labels)
    assert len(items) >= {"classification": 12, "copywriting": 8}[name]
    chinese = [has_chinese(i.prompt) for i in items]
    assert any(chinese) and not all(chinese)
    assert all(i.id for i in items)
    if name == "classification":
        assert {i.expected for i in items} == set(example.prompt_set.labels)
    else:
        assert all(i.expected is None for i in items)


def test_the_example_files_are_package_data():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["arena"]
    shipped = {p for pattern in patterns for p in (ROOT / "arena").glob(pattern)}
    examples = set((ROOT / "arena" / "example_sets").iterdir())
    assert examples and examples <= shipped
    assert {e.file for e in EXAMPLE_SETS.values()} == {p.name for p in examples}


# Storage --------------------------------------------------------------------------------------

def items_of(store: Store, name: str) -> list[tuple]:
    return [(s.position, s.item) for s in store.set_items(name)]


def test_adding_the_same_items_again_adds_nothing(store):
    assert store.add_prompt_set(SENTIMENT, ITEMS) == 3
    assert store.add_prompt_set(SENTIMENT, ITEMS) == 0
    more = [*ITEMS, PromptItem("第四条", "r4", "neutral")]
    assert store.add_prompt_set(PromptSet(SENTIMENT.name, "classification"), more) == 1
    assert items_of(store, SENTIMENT.name) == [(n, i) for n, i in enumerate(more, start=1)]
    assert store.prompt_set(SENTIMENT.name) == SENTIMENT  # its labels kept
    assert store.prompt_set("nothing") is None and store.set_items("nothing") == []


@pytest.mark.parametrize(("prompt_set", "items", "message"), [
    (SENTIMENT, [PromptItem("changed text", "r1", "positive")], "has id 'r1' already"),
    (SENTIMENT, [PromptItem("Opening hours: 9 to 5.", None, "positive")],
     "has the prompt 'Opening hours: 9 to 5.' already"),
    (PromptSet(SENTIMENT.name, "general"), ITEMS, "belongs to category 'classification'"),
    (PromptSet(SENTIMENT.name, "classification", ("yes", "no")), ITEMS,
     "has the labels positive, negative, neutral"),
    (PromptSet("new", "poetry"), ITEMS, "no category 'poetry'"),
])
def test_a_refused_addition_writes_nothing(store, prompt_set, items, message):
    store.add_prompt_set(SENTIMENT, ITEMS)
    with pytest.raises(PromptSetRefused, match=message) as refused:
        store.add_prompt_set(prompt_set, [PromptItem("new one", "r9"), *items])
    chinese = refused.value.text("zh")  # what a page in Chinese says
    assert chinese != str(refused.value) and not any(w in chinese for w in ("has", "set ", "no "))
    assert items_of(store, SENTIMENT.name) == [(n, i) for n, i in enumerate(ITEMS, start=1)]
    assert [s.prompt_set.name for s in store.prompt_sets()] == [SENTIMENT.name]


def test_a_category_with_a_prompt_set_is_not_deleted(store):
    store.add_prompt_set(PromptSet("mine", "translation"), ITEMS)
    assert store.delete_category("translation") is False
    assert "translation" in {c.slug for c in store.categories()}


def answer(item_id: int, model: str, think: str = "default", error: str | None = None,
           text: str = "positive") -> PromptAnswer:
    side = Side(model=model, digest="sha256:1", host="http://gpu:11434", think=think,
                answer="" if error else text, thinking="嗯……" if think == "on" else "",
                ttft_s=0.4, total_s=2.5, load_s=1.2, prompt_tokens=30, output_tokens=12,
                tokens_per_s=48.0, done_reason=None if error else "stop",
                error_kind="timeout" if error else None, error=error)
    return PromptAnswer(item_id, side, {"temperature": 0.7, "seed": 11}, "You classify.")


def test_answers_are_stored_and_a_complete_one_is_never_replaced(store):
    store.add_prompt_set(SENTIMENT, ITEMS)
    first, second, _ = (s.item_id for s in store.set_items(SENTIMENT.name))
    assert store.save_answer(answer(first, "qwen3:8b", "on"))
    assert store.save_answer(answer(first, "qwen3:8b", "off", text="negative"))  # another one
    assert store.save_answer(answer(second, "gemma3:4b", error="no answer in 300 s"))
    assert store.save_answer(answer(second, "gemma3:4b", error="no answer in 60 s"))  # retried
    assert store.save_answer(answer(second, "gemma3:4b", text="negative"))  # and done
    assert not store.save_answer(answer(second, "gemma3:4b", error="later failure"))
    assert not store.save_answer(answer(first, "qwen3:8b", "on", text="changed"))
    stored = store.answers(SENTIMENT.name)
    assert [(a.item_id, a.contestant, a.side.answer, a.status) for a in stored] == [
        (first, "qwen3:8b (thinking)", "positive", "complete"),
        (first, "qwen3:8b (no thinking)", "negative", "complete"),
        (second, "gemma3:4b", "negative", "complete")]
    assert stored[0].side == answer(first, "qwen3:8b", "on").side
    assert stored[0].options == {"temperature": 0.7, "seed": 11}
    assert stored[0].system_prompt == "You classify." and stored[0].answer_id is not None
    assert len({a.answer_id for a in stored}) == 3


def test_a_failed_answer_keeps_its_reason(store):
    store.add_prompt_set(SENTIMENT, ITEMS)
    item = store.set_items(SENTIMENT.name)[0].item_id
    store.save_answer(answer(item, "llama3.2:3b", error="model not found"))
    (failed,) = store.answers(SENTIMENT.name)
    assert failed.status == "failed" and failed.failure_reason == "timeout: model not found"
    with store.reading() as conn:
        assert conn.execute("SELECT status, failure_reason FROM prompt_answers").fetchone()[:] \
            == ("failed", "timeout: model not found")


def test_sets_are_listed_with_their_items_and_answers(store):
    store.add_prompt_set(SENTIMENT, ITEMS)
    store.add_prompt_set(PromptSet("slogans 口号", "copywriting"), [PromptItem("为茶馆写口号")])
    items = [s.item_id for s in store.set_items(SENTIMENT.name)]
    store.save_answer(answer(items[0], "qwen3:8b"))
    store.save_answer(answer(items[1], "qwen3:8b"))
    store.save_answer(answer(items[1], "gemma3:4b", error="busy"))
    listed = {s.prompt_set.name: (s.prompt_set, s.items, s.answers, s.failed)
              for s in store.prompt_sets()}
    assert listed == {SENTIMENT.name: (SENTIMENT, 3, 2, 1),
                      "slogans 口号": (PromptSet("slogans 口号", "copywriting"), 1, 0, 0)}
    assert [s.prompt_set.name for s in store.prompt_sets()] == [SENTIMENT.name, "slogans 口号"]


def test_what_is_missing_for_some_contestants(store):
    store.add_prompt_set(SENTIMENT, ITEMS)
    other = PromptSet("other", "classification")
    store.add_prompt_set(other, ITEMS)
    first, second, third = (s.item_id for s in store.set_items(SENTIMENT.name))
    store.save_answer(answer(first, "qwen3:8b", "on"))
    store.save_answer(answer(second, "qwen3:8b", "off"))  # another contestant
    store.save_answer(answer(second, "gemma3:4b", error="busy"))
    for stored in store.set_items("other"):  # answers of another set do not count here
        store.save_answer(answer(stored.item_id, "gemma3:4b"))
    contestants = ["gemma3:4b", "qwen3:8b (thinking)"]
    missing = [(m.item_id, c) for m, c in store.missing_answers(SENTIMENT.name, contestants)]
    assert missing == [(first, "gemma3:4b"), (second, "gemma3:4b"), (third, "gemma3:4b"),
                       (second, "qwen3:8b (thinking)"), (third, "qwen3:8b (thinking)")]
    without_failed = store.missing_answers(SENTIMENT.name, contestants, retry_failed=False)
    assert (second, "gemma3:4b") not in [(m.item_id, c) for m, c in without_failed]
    assert len(without_failed) == 4
    assert store.missing_answers("other", ["gemma3:4b"]) == []


def test_the_schema_upgrades_to_prompt_sets_keeping_the_battles(tmp_path, monkeypatch):
    path = tmp_path / "previous.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:MIGRATIONS.index(_PROMPT_SETS)])
    old = Store(path)
    battle = Battle(category="classification", prompt="p", system_prompt="", options={},
                    side_a=Side(model="a", answer="x"), side_b=Side(model="b", answer="y"))
    # Written as that version wrote it (today's record_vote asks of columns it did not have).
    old.save_battles([battle], [Vote(battle.id, "model_a", "anonymous", battle.created_at)])
    old.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with Store(path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        assert upgraded.get_battle(battle.id) == battle
        assert upgraded.vote_counts()["count"].sum() == 1
        assert upgraded.prompt_sets() == []
        assert upgraded.add_prompt_set(SENTIMENT, ITEMS) == 3


def test_the_schema_upgrades_to_queue_battles_keeping_live_ones(tmp_path, monkeypatch):
    path = tmp_path / "previous.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:MIGRATIONS.index(_QUEUE_BATTLES)])
    old = Store(path)
    live = Battle(category="classification", prompt="p", system_prompt="", options={},
                  side_a=Side(model="a", answer="x"), side_b=Side(model="b", answer="y"))
    old.save_battle(live)
    old.add_prompt_set(SENTIMENT, ITEMS)
    old.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with Store(path) as upgraded:
        kept = upgraded.get_battle(live.id)
        assert kept == live and kept.prompt_set is None and kept.answer_id_a is None
        assert upgraded.set_contestants(SENTIMENT.name) == []


def test_a_queue_battle_keeps_its_set_item_and_answers(store):
    store.add_prompt_set(SENTIMENT, ITEMS)
    item = store.set_items(SENTIMENT.name)[0]
    for model in ("a", "b"):
        store.save_answer(PromptAnswer(item.item_id, Side(model=model, answer=model), {}))
    first, second = (a.answer_id for a in store.answers(SENTIMENT.name)[:2])
    battle = Battle(category="classification", prompt=item.item.prompt, system_prompt="",
                    options={}, side_a=Side(model="b", answer="b"),
                    side_b=Side(model="a", answer="a"), source="prompt_set",
                    prompt_set=SENTIMENT.name, item_id=item.item.id,
                    expected=item.item.expected, answer_id_a=second, answer_id_b=first)
    store.save_battle(battle)
    assert store.get_battle(battle.id) == battle


def test_an_admin_chooses_a_sets_contestants(store):
    store.add_prompt_set(SENTIMENT, ITEMS)
    store.choose_set_contestants(SENTIMENT.name, ["qwen3:8b", "gemma3:4b", "qwen3:8b"])
    assert store.set_contestants(SENTIMENT.name) == ["qwen3:8b", "gemma3:4b"]
    store.choose_set_contestants(SENTIMENT.name, [])
    assert store.set_contestants(SENTIMENT.name) == []
    with pytest.raises(PromptSetRefused):
        store.choose_set_contestants("no such set", ["qwen3:8b"])
