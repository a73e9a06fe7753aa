"""Agreement of a judge with people: the confusion table, Cohen's kappa against a hand-worked
example and the textbook formula, raw agreement, rank correlation, and the per-category table."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from arena.agreement import (
    AGREEMENT_COLUMNS,
    MIN_AGREEMENT_BATTLES,
    TRUST_KAPPA,
    agreement_by_category,
    cohen_kappa,
    confusion_table,
    rank_correlation,
    raw_agreement,
)

A, B, TIE, BAD = "model_a", "model_b", "tie", "tie (bothbad)"
ABSTAIN, NONE = "abstain", "no_verdict"
CLASSES = (A, B, TIE)


def labels_from(matrix: list[list[int]]) -> tuple[list[str], list[str]]:
    """Battles with human class `i` and judge class `j`, matrix[i][j] times (A, B, tie)."""
    human, judge = [], []
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            human += [CLASSES[i]] * count
            judge += [CLASSES[j]] * count
    return human, judge


def textbook_kappa(human: list[str], judge: list[str]) -> float:
    """κ = (N·Σ n_ii − Σ n_i+ · n_+i) / (N² − Σ n_i+ · n_+i), from the table counted by hand."""
    table = [[sum(1 for h, j in zip(human, judge) if h == r and j == c) for c in CLASSES]
             for r in CLASSES]
    total = sum(map(sum, table))
    diagonal = sum(table[k][k] for k in range(3))
    margins = sum(sum(table[k]) * sum(row[k] for row in table) for k in range(3))
    return (total * diagonal - margins) / (total * total - margins)


def test_kappa_of_a_hand_worked_table():
    # Rows people, columns the judge (A, B, tie); N = 60.
    # Observed: (20 + 15 + 5) / 60 = 40/60. Rows 30, 20, 10; columns 25, 23, 12.
    # Chance: (30·25 + 20·23 + 10·12) / 60² = 1330/3600.
    # κ = (40/60 − 1330/3600) / (1 − 1330/3600) = (2400 − 1330) / (3600 − 1330) = 107/227.
    human, judge = labels_from([[20, 5, 5], [3, 15, 2], [2, 3, 5]])
    assert cohen_kappa(human, judge) == pytest.approx(107 / 227)
    assert raw_agreement(human, judge) == pytest.approx(40 / 60)


@pytest.mark.parametrize("seed", range(5))
def test_kappa_matches_the_textbook_formula_on_random_labels(seed):
    rng = np.random.default_rng(seed)
    human = list(rng.choice(CLASSES, size=200, p=[0.5, 0.3, 0.2]))
    # A judge that copies people 60% of the time and otherwise guesses.
    judge = [h if rng.random() < 0.6 else str(rng.choice(CLASSES)) for h in human]
    assert cohen_kappa(human, judge) == pytest.approx(textbook_kappa(human, judge))


def test_perfect_agreement_is_one_and_chance_is_about_zero():
    human = [A, B, TIE] * 20
    assert cohen_kappa(human, human) == pytest.approx(1.0)
    assert raw_agreement(human, human) == 1.0
    rng = np.random.default_rng(7)
    people, guesses = rng.choice(CLASSES, size=20_000), rng.choice(CLASSES, size=20_000)
    assert abs(cohen_kappa(people, guesses)) < 0.03
    assert raw_agreement(people, guesses) == pytest.approx(1 / 3, abs=0.02)


def test_systematic_disagreement_is_negative():
    assert cohen_kappa([A, B] * 10, [B, A] * 10) == pytest.approx(-1.0)


def test_both_bad_is_a_tie_and_abstentions_and_missing_verdicts_are_left_out():
    human, judge = [A, B, TIE, BAD], [A, B, TIE, TIE]
    assert cohen_kappa(human, judge) == pytest.approx(1.0)
    assert raw_agreement(human, judge) == 1.0
    more_human, more_judge = [*human, A, B, BAD], [*judge, ABSTAIN, NONE, ABSTAIN]
    assert cohen_kappa(more_human, more_judge) == pytest.approx(1.0)
    assert raw_agreement(more_human, more_judge) == 1.0


def test_kappa_with_nothing_to_tell_is_not_a_number():
    assert math.isnan(cohen_kappa([], []))
    assert math.isnan(cohen_kappa([A, B], [ABSTAIN, NONE]))
    assert math.isnan(raw_agreement([A], [NONE]))
    assert math.isnan(cohen_kappa([A, A, A], [A, A, A]))  # one class only: chance is certain


def test_the_confusion_table_counts_people_against_the_judge():
    human = [A, A, B, TIE, BAD, BAD, A, B]
    judge = [A, ABSTAIN, A, TIE, TIE, B, NONE, NONE]
    table = confusion_table(human, judge)
    assert list(table.index) == [A, B, TIE, BAD]
    assert list(table.columns) == [A, B, TIE, ABSTAIN]
    assert table.loc[A].tolist() == [1, 0, 0, 1]
    assert table.loc[B].tolist() == [1, 0, 0, 0]
    assert table.loc[TIE].tolist() == [0, 0, 1, 0]
    assert table.loc[BAD].tolist() == [0, 1, 1, 0]
    assert table.to_numpy().sum() == 6 and table.attrs["no_verdict"] == 2
    empty = confusion_table([], [])
    assert empty.shape == (4, 4) and empty.to_numpy().sum() == 0


def test_outcomes_are_checked():
    with pytest.raises(ValueError, match="2 human outcomes but 1 judge"):
        cohen_kappa([A, B], [A])
    with pytest.raises(ValueError, match="unknown human outcome 'abstain'"):
        confusion_table([ABSTAIN], [A])
    with pytest.raises(ValueError, match="unknown judge outcome 'A'"):
        raw_agreement([A], ["A"])


def board(ratings: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"model": list(ratings), "rating": list(ratings.values())})


def test_rank_correlation_is_spearman_over_the_models_both_boards_have():
    people = board({"a": 1100, "b": 1050, "c": 1000, "d": 950, "e": 900, "only-here": 1200})
    judge = board({"e": 1010, "d": 990, "c": 1000, "b": 1030, "a": 1030, "only-there": 800})
    common = ["a", "b", "c", "d", "e"]
    expected = spearmanr(people.set_index("model").loc[common, "rating"],
                         judge.set_index("model").loc[common, "rating"]).statistic
    assert rank_correlation(people, judge) == pytest.approx(expected)  # with a tie in `judge`
    assert rank_correlation(people, people) == pytest.approx(1.0)
    reversed_board = board({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    assert rank_correlation(people, reversed_board) == pytest.approx(-1.0)


def test_rank_correlation_needs_three_common_models_that_differ():
    assert math.isnan(rank_correlation(board({"a": 1, "b": 2, "c": 3}), board({"a": 1, "b": 2})))
    assert math.isnan(rank_correlation(board({"a": 1, "b": 2, "c": 3}),
                                       board({"a": 5, "b": 5, "c": 5})))
    assert math.isnan(rank_correlation(board({}), board({})))


def test_agreement_by_category_flags_judges_not_to_be_trusted():
    agreed = [A, B, TIE, BAD] * 6  # 24 battles, the judge agrees on all of them
    few = [A, B] * 5  # 10 battles: too few to tell
    rng = np.random.default_rng(3)
    people = list(rng.choice(CLASSES, size=60))
    guesses = list(rng.choice(CLASSES, size=60))  # a judge no better than chance
    rows = ([("coding", h, TIE if h == BAD else h) for h in agreed]
            + [("coding", A, ABSTAIN), ("coding", B, NONE)]
            + [("translation", h, h) for h in few]
            + [("classification", h, j) for h, j in zip(people, guesses)])
    pairs = pd.DataFrame(rows, columns=["category", "human", "judge"])
    table = agreement_by_category(pairs).set_index("category")
    assert list(table.reset_index().columns) == AGREEMENT_COLUMNS
    assert list(table.index) == ["coding", "translation", "classification", "Overall"]
    coding = table.loc["coding"]
    assert (coding.battles, coding.judged, coding.abstained, coding.no_verdict) == (26, 24, 1, 1)
    assert coding.kappa == pytest.approx(1.0) and coding.raw_agreement == 1.0 and coding.trusted
    assert table.loc["translation", "kappa"] == pytest.approx(1.0)
    assert not table.loc["translation", "trusted"]  # fewer than MIN_AGREEMENT_BATTLES
    assert table.loc["classification", "judged"] >= MIN_AGREEMENT_BATTLES
    assert table.loc["classification", "kappa"] < TRUST_KAPPA
    assert not table.loc["classification", "trusted"]
    overall = table.loc["Overall"]
    assert overall.battles == len(pairs) and overall.judged == len(pairs) - 2
    assert overall.kappa == pytest.approx(cohen_kappa(pairs["human"], pairs["judge"]))


def test_agreement_by_category_without_battles_and_with_a_missing_column():
    empty = agreement_by_category(pd.DataFrame(columns=["category", "human", "judge"]))
    assert empty["category"].tolist() == ["Overall"]
    assert empty.loc[0, "battles"] == 0 and not empty.loc[0, "trusted"]
    assert math.isnan(empty.loc[0, "kappa"])
    with pytest.raises(ValueError, match="'judge'"):
        agreement_by_category(pd.DataFrame({"category": ["x"], "human": [A]}))
