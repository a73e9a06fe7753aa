"""Accuracy against expected answers: labels in English and Chinese, exact matches, the table, and
the Wilson interval against scipy and by simulation."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from arena.accuracy import (
    ACCURACY_COLUMNS,
    accuracy_table,
    answer_label,
    is_correct,
    score_answers,
    wilson_interval,
)

SENTIMENT_EN = ["positive", "negative", "neutral"]
SENTIMENT_ZH = ["正面", "负面", "中性"]


@pytest.mark.parametrize(("answer", "label"), [
    ("Positive.", "positive"),
    ("The review is NEGATIVE overall.", "negative"),
    ("Label: neutral", "neutral"),
    ("negative, not positive", "negative"),  # the earliest label wins
    ("It reads positively, with a negative ending.", "negative"),  # whole words only
    ("non-positive", "positive"),  # a hyphen ends a word
    ("情感：positive。", "positive"),  # a Chinese character next to it ends the word too
    ("positive2 neutral", "neutral"),  # a digit does not
    ("nothing to say", None),
    ("", None),
])
def test_english_labels_are_whole_words_found_case_insensitively(answer, label):
    assert answer_label(answer, SENTIMENT_EN) == label


@pytest.mark.parametrize(("answer", "label"), [
    ("这条评论是正面的。", "正面"),
    ("整体偏负面，但结尾是正面的", "负面"),
    ("分类：中性", "中性"),
    ("我认为它不是负面，而是中性。", "负面"),  # first to appear, whatever it means
    ("无法判断", None),
])
def test_chinese_labels_are_found_as_substrings(answer, label):
    assert answer_label(answer, SENTIMENT_ZH) == label


def test_at_the_same_position_the_longer_label_wins():
    assert answer_label("very positive, I think", ["positive", "very positive"]) == \
        "very positive"
    assert answer_label("正面偏多", ["正面", "正面偏多"]) == "正面偏多"


def test_the_label_comes_back_in_the_sets_spelling():
    assert answer_label("it is positive", ["Positive", "Negative"]) == "Positive"


def test_thinking_is_not_scored():
    # The answer column is the content alone; thinking is stored apart and never passed in.
    answers = pd.DataFrame({"contestant": ["m"], "item": ["1"], "answer": ["负面"],
                            "thinking": ["也许是正面？"], "expected": ["负面"],
                            "status": ["complete"]})
    assert score_answers(answers, SENTIMENT_ZH)["correct"].tolist() == [True]


def test_exact_match_without_labels_trims_and_case_folds():
    assert is_correct("  Paris \n", "paris")
    assert is_correct("STRASSE", "straße")  # case folding, not just lower-casing
    assert is_correct("\u3000北京\u3000", "北京")  # the ideographic space is trimmed too
    assert not is_correct("Paris, France", "paris")
    assert not is_correct("", "paris")


def test_with_labels_the_label_decides():
    assert is_correct("I'd say Negative.", "negative", SENTIMENT_EN)
    assert not is_correct("I'd say negative.", "positive", SENTIMENT_EN)
    assert not is_correct("no idea", "positive", SENTIMENT_EN)


def answers_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["contestant", "item", "answer", "expected", "status",
                                       "tokens_per_s", "total_s"])


def test_the_table_counts_answered_correct_and_no_label():
    answers = answers_frame([
        ("a", "1", "正面", "正面", "complete", 10.0, 1.0),
        ("a", "2", "这是负面的", "负面", "complete", 20.0, 2.0),
        ("a", "3", "不知道", "中性", "complete", 30.0, 9.0),  # no label: wrong
        ("a", "4", "", "中性", "failed", None, None),  # not answered
        ("a", "5", "正面", None, "complete", 99.0, 99.0),  # no expected: not scored
        ("b", "1", "负面", "正面", "complete", 5.0, 4.0),
        ("b", "2", "负面", "负面", "complete", 7.0, 6.0),
    ])
    table = accuracy_table(answers, SENTIMENT_ZH)
    assert list(table.columns) == ACCURACY_COLUMNS
    assert table["contestant"].tolist() == ["a", "b"]
    a, b = (table.iloc[k] for k in range(2))
    assert (a["answered"], a["correct"], a["no_label"]) == (3, 2, 1)
    assert (b["answered"], b["correct"], b["no_label"]) == (2, 1, 0)
    assert a["accuracy"] == pytest.approx(2 / 3)
    assert a["median_tokens_per_s"] == 20.0 and a["median_total_s"] == 2.0
    assert b["median_tokens_per_s"] == 6.0 and b["median_total_s"] == 5.0
    low, high = wilson_interval(2, 3)
    assert (a["ci_low"], a["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    scored = score_answers(answers, SENTIMENT_ZH)
    assert scored.loc[scored["item"] == "3", "label"].isna().tolist() == [True]


def test_the_table_without_labels_status_or_figures():
    answers = pd.DataFrame({"contestant": ["x", "x", "y"], "answer": ["42", " 41", "42 "],
                            "expected": ["42", "42", "42"]})
    table = accuracy_table(answers)
    assert table[["contestant", "answered", "correct", "no_label"]].values.tolist() == \
        [["y", 1, 1, 0], ["x", 2, 1, 0]]
    assert table["median_tokens_per_s"].isna().all()


def test_nothing_to_score_gives_an_empty_table():
    answers = answers_frame([("a", "1", "正面", "", "complete", 1.0, 1.0)])
    assert accuracy_table(answers, SENTIMENT_ZH).empty
    assert list(accuracy_table(answers).columns) == ACCURACY_COLUMNS


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 10), (3, 10), (7, 12), (50, 100),
                                      (99, 100), (1, 1000)])
def test_wilson_interval_matches_scipy(k, n):
    reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(reference.low, abs=1e-12)
    assert high == pytest.approx(reference.high, abs=1e-12)


def test_wilson_interval_of_nothing_is_empty():
    low, high = wilson_interval(np.array([0, 1]), np.array([0, 2]))
    assert math.isnan(low[0]) and math.isnan(high[0]) and low[1] < 0.5 < high[1]


def test_wilson_interval_covers_the_true_accuracy_about_95_percent_of_the_time():
    rng = np.random.default_rng(12)
    coverage = {}
    for n in (20, 50, 200):
        for p in (0.1, 0.3, 0.5, 0.7, 0.9):
            k = rng.binomial(n, p, 4000)
            low, high = wilson_interval(k, np.full(k.shape, n))
            coverage[n, p] = float(np.mean((low <= p) & (p <= high)))
    assert 0.93 <= np.mean(list(coverage.values())) <= 0.97, coverage
    assert min(coverage.values()) >= 0.90, coverage
