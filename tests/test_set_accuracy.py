"""A stored prompt set's accuracy (arena.set_accuracy) and `python -m arena accuracy`: answers
stored as the generator stores them, scored in Chinese and English, with and without labels."""

import io
import json

import pandas as pd
import pytest
from cli_helpers import arena
from seed import seed_answers

from arena.accuracy import ACCURACY_COLUMNS, wilson_interval
from arena.db import Store
from arena.prompt_sets import PromptAnswer, PromptItem, PromptSet
from arena.records import Side
from arena.set_accuracy import (
    ANSWER_COLUMNS,
    accuracy_text,
    answer_frame,
    scored_sets,
    set_accuracy,
)

SENTIMENT_ZH = PromptSet("评论情感", "classification", ("正面", "负面", "中性"))
ITEMS_ZH = [PromptItem("这家店的面很好吃。", "z1", "正面"),
            PromptItem("快递三天才到，包装还破了。", "z2", "负面"),
            PromptItem("营业时间：九点到五点。", "z3", "中性"),
            PromptItem("写一句你对这家店的感想。", "z4")]  # no expected answer: not scored
ANSWERS_ZH = {
    # Thinking "也许是中性？" names another label: it is stored apart and never scored.
    "qwen3:8b (thinking)": ["这条评论是正面的。", "负面", "整体偏负面，但也有正面", "正面"],
    "gemma3:4b": ["答案：正面", "无法判断", None, "中性"],  # no label; failed; not scored
}

SENTIMENT_EN = PromptSet("reviews", "classification", ("positive", "negative", "neutral"))
ITEMS_EN = [PromptItem("Great noodles.", "e1", "positive"),
            PromptItem("The parcel arrived broken.", "e2", "negative"),
            PromptItem("Open 9 to 5.", None, "neutral")]
ANSWERS_EN = {
    "phi4:14b": ["Positive", "Negative!", "neutral."],
    "llama3.2:3b": ["positive2, so negative",  # a digit joins the word: negative is the label
                    "It reads negatively.",  # whole words only: no label
                    "NEUTRAL, I think"],
}

CAPITALS = PromptSet("capitals 首都", "general")  # no labels: exact answers
ITEMS_CAPITALS = [PromptItem("2 + 2 = ?", "c1", "4"), PromptItem("法国的首都？", "c2", "巴黎")]
ANSWERS_CAPITALS = {"x:1": [" 4 ", "巴黎\n"], "y:1": ["4.", "巴黎。"]}

SLOGANS = PromptSet("口号", "copywriting")
ITEMS_SLOGANS = [PromptItem("为茶馆写一句口号")]


def seed_all(store: Store) -> None:
    seed_answers(store, SENTIMENT_ZH, ITEMS_ZH, ANSWERS_ZH, thinking="也许是中性？")
    seed_answers(store, SENTIMENT_EN, ITEMS_EN, ANSWERS_EN)
    seed_answers(store, CAPITALS, ITEMS_CAPITALS, ANSWERS_CAPITALS)
    seed_answers(store, SLOGANS, ITEMS_SLOGANS, {"x:1": ["茶香满城"]})


def rows(table: pd.DataFrame) -> list[list]:
    return table[["contestant", "answered", "correct", "no_label"]].values.tolist()


# The store read --------------------------------------------------------------------------------

def test_chinese_labels_are_found_as_substrings_in_the_answers_alone(store):
    seed_all(store)
    table = set_accuracy(store, SENTIMENT_ZH.name)
    assert list(table.columns) == ACCURACY_COLUMNS
    assert rows(table) == [["qwen3:8b (thinking)", 3, 2, 0], ["gemma3:4b", 2, 1, 1]]
    qwen, gemma = table.iloc[0], table.iloc[1]
    assert qwen["accuracy"] == pytest.approx(2 / 3) and gemma["accuracy"] == 0.5
    low, high = wilson_interval(2, 3)
    assert (qwen["ci_low"], qwen["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # The medians are of the scored answers: items 1-3 for qwen, 1-2 for gemma (3 failed).
    assert (qwen["median_tokens_per_s"], qwen["median_total_s"]) == (20.0, 2.0)
    assert (gemma["median_tokens_per_s"], gemma["median_total_s"]) == (15.0, 1.5)


def test_latin_labels_are_whole_words(store):
    seed_all(store)
    table = set_accuracy(store, SENTIMENT_EN.name)
    assert rows(table) == [["phi4:14b", 3, 3, 0], ["llama3.2:3b", 3, 1, 1]]


def test_without_labels_an_answer_must_be_the_expected_one(store):
    seed_all(store)
    assert rows(set_accuracy(store, CAPITALS.name)) == [["x:1", 2, 2, 0], ["y:1", 2, 0, 0]]


def test_only_sets_with_expected_answers_have_a_table(store):
    seed_all(store)
    assert [s.name for s in scored_sets(store)] == [SENTIMENT_ZH.name, SENTIMENT_EN.name,
                                                    CAPITALS.name]
    assert set_accuracy(store, SLOGANS.name) is None
    assert set_accuracy(store, "no such set") is None


def test_a_set_not_answered_yet_has_an_empty_table(store):
    store.add_prompt_set(SENTIMENT_EN, ITEMS_EN)
    table = set_accuracy(store, SENTIMENT_EN.name)
    assert table.empty and list(table.columns) == ACCURACY_COLUMNS
    assert [s.name for s in scored_sets(store)] == [SENTIMENT_EN.name]


def test_answers_of_another_set_do_not_count(store):
    seed_answers(store, SENTIMENT_EN, ITEMS_EN, {"phi4:14b": ["positive"]})
    seed_answers(store, PromptSet("reviews again", "classification", SENTIMENT_EN.labels),
                 ITEMS_EN, {"phi4:14b": ["negative", "negative", "negative"]})
    assert rows(set_accuracy(store, SENTIMENT_EN.name)) == [["phi4:14b", 1, 1, 0]]


def test_the_frame_has_one_row_per_stored_answer_with_its_item(store):
    seed_all(store)
    frame = answer_frame(store.set_items(SENTIMENT_ZH.name), store.answers(SENTIMENT_ZH.name))
    assert list(frame.columns) == ANSWER_COLUMNS and len(frame) == 8
    qwen = frame[frame["contestant"] == "qwen3:8b (thinking)"]
    assert qwen["item"].tolist() == ["z1", "z2", "z3", "z4"]
    assert qwen["answer"].tolist() == ANSWERS_ZH["qwen3:8b (thinking)"]  # no thinking in it
    assert qwen["expected"].tolist()[:3] == ["正面", "负面", "中性"]
    assert qwen["expected"].isna().tolist() == [False, False, False, True]
    gemma = frame[frame["contestant"] == "gemma3:4b"]
    assert gemma["status"].tolist() == ["complete", "complete", "failed", "complete"]
    assert gemma["tokens_per_s"].isna().tolist() == [False, False, True, False]
    # An item without an id is known by its text; items of other sets find no answers here.
    english = answer_frame(store.set_items(SENTIMENT_EN.name), store.answers(SENTIMENT_EN.name))
    assert english["item"].tolist()[-1] == "Open 9 to 5."
    assert answer_frame(store.set_items(SENTIMENT_EN.name),
                        store.answers(SENTIMENT_ZH.name)).empty


def test_the_accuracy_text_gives_the_interval_in_whole_percent():
    low, high = wilson_interval(2, 3)
    table = pd.DataFrame({"accuracy": [2 / 3, 1.0], "ci_low": [low, 0.5655],
                          "ci_high": [high, 1.0]})
    assert accuracy_text(table).tolist() == ["67% (21–94%)", "100% (57–100%)"]
    assert accuracy_text(table, dash="-").tolist()[0] == "67% (21-94%)"


# The command line ------------------------------------------------------------------------------

@pytest.fixture
def db_file(tmp_path) -> str:
    path = tmp_path / "arena.db"
    with Store(path) as store:
        seed_all(store)
    return str(path)


def test_the_command_prints_a_table_most_accurate_first(db_file):
    result = arena("accuracy", SENTIMENT_ZH.name, "--db", db_file)
    assert result.returncode == 0, result.stderr
    header, qwen, gemma = result.stdout.splitlines()
    assert header.split() == ["contestant", "answered", "correct", "no_label", "accuracy",
                              "(95%", "CI)", "median", "tokens/s", "median", "answer", "s"]
    assert qwen.split() == ["qwen3:8b", "(thinking)", "3", "2", "0", "67%", "(21-94%)", "20.0",
                            "2.0"]
    assert gemma.split() == ["gemma3:4b", "2", "1", "1", "50%", "(9-91%)", "15.0", "1.5"]


def test_the_table_of_a_set_without_labels_has_no_no_label_column(db_file):
    result = arena("accuracy", CAPITALS.name, "--db", db_file)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "no_label" not in lines[0] and lines[1].split()[:4] == ["x:1", "2", "2", "100%"]


def test_the_command_writes_csv(db_file):
    result = arena("accuracy", SENTIMENT_EN.name, "--db", db_file, "--format", "csv")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table.columns) == ACCURACY_COLUMNS
    assert rows(table) == [["phi4:14b", 3, 3, 0], ["llama3.2:3b", 3, 1, 1]]
    assert table["accuracy"].tolist() == [1.0, 0.3333]
    assert table["median_total_s"].tolist() == [2.0, 2.0]


def test_the_command_writes_json_with_null_for_missing_figures(db_file):
    with Store(db_file) as store:  # an answer stored without figures (an old import, say)
        item = store.set_items(SENTIMENT_ZH.name)[0].item_id
        store.save_answer(PromptAnswer(item, Side(model="old:1", answer="正面"), {}))
    result = arena("accuracy", SENTIMENT_ZH.name, "--db", db_file, "--format", "json")
    assert result.returncode == 0, result.stderr

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    records = json.loads(result.stdout, parse_constant=refuse)
    assert [r["contestant"] for r in records] == ["old:1", "qwen3:8b (thinking)", "gemma3:4b"]
    assert records[0] == {"contestant": "old:1", "answered": 1, "correct": 1, "no_label": 0,
                          "accuracy": 1.0, "ci_low": round(wilson_interval(1, 1)[0].item(), 4),
                          "ci_high": 1.0, "median_tokens_per_s": None, "median_total_s": None}
    assert records[1]["accuracy"] == 0.6667 and records[1]["median_tokens_per_s"] == 20.0
    assert "评论情感" not in result.stdout and "正面" not in result.stdout  # no answer texts


def test_a_set_not_answered_yet(tmp_path):
    path = str(tmp_path / "arena.db")
    with Store(path) as store:
        store.add_prompt_set(SENTIMENT_EN, ITEMS_EN)
    text = arena("accuracy", SENTIMENT_EN.name, "--db", path)
    assert text.returncode == 0 and "No answers to score yet" in text.stdout
    assert json.loads(arena("accuracy", SENTIMENT_EN.name, "--db", path, "--format",
                            "json").stdout) == []
    csv = arena("accuracy", SENTIMENT_EN.name, "--db", path, "--format", "csv").stdout
    assert csv.strip() == ",".join(ACCURACY_COLUMNS)


def test_an_unknown_set_is_named_with_the_known_ones(db_file):
    result = arena("accuracy", "评论", "--db", db_file)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == ("error: no prompt set '评论' (known: 评论情感, reviews, "
                                     "capitals 首都, 口号)")


def test_a_set_without_expected_answers_has_nothing_to_score(db_file):
    result = arena("accuracy", SLOGANS.name, "--db", db_file, "--format", "json")
    assert result.returncode == 1 and result.stdout == ""
    assert "prompt set '口号' has no expected answers" in result.stderr
    assert "sets with expected answers: 评论情感, reviews, capitals 首都" in result.stderr


def test_a_missing_database_or_format_is_refused(tmp_path, db_file):
    missing = tmp_path / "typo.db"
    result = arena("accuracy", "reviews", "--db", str(missing))
    assert result.returncode == 1 and "no such database" in result.stderr
    assert not missing.exists()
    assert arena("accuracy", "reviews", "--db", db_file, "--format", "xlsx").returncode == 2
    assert arena("accuracy", "--db", db_file).returncode == 2  # the set's name is needed


def test_the_help_says_what_is_counted():
    result = arena("accuracy", "--help")
    assert result.returncode == 0
    assert "95% Wilson interval" in " ".join(result.stdout.split())  # not argparse's "95%%"
    assert "accuracy" in arena("--help").stdout
