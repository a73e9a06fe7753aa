"""Accuracy against expected answers: each stored answer scored, then a table per contestant.

Pure Python and pandas. The input is a DataFrame of answers, one row per (item, contestant):

| column | meaning |
|---|---|
| `contestant` | the contestant's name (`records.contestant_name`) |
| `item` | the item's key within its set (not used for scoring; kept in `score_answers`) |
| `answer` | the answer's content, thinking excluded (stored apart, as `Side.answer`) |
| `expected` | the correct label or reference answer; empty or missing: the item is not scored |
| `status` | optional; only `records.STATUS_COMPLETE` is an answer, anything else (failed, pending) is not answered. Without the column every row is an answer |
| `tokens_per_s`, `total_s` | optional; as in `records.Side`, for the medians of the table |

Scoring (issue 12): with the set's `labels`, an answer's label is the label that appears first in
its content — earliest position; at the same position the longer label — found case-insensitively
(both sides case-folded). A label with a Chinese (or other CJK) character is found as a substring;
any other label only as a whole word: no Latin letter or digit right before or after it, so
"positive" is not found in "positively" or "positive2" but is in "positive.", "non-positive" and
"情感：positive。". The answer is correct when its label equals `expected` (trimmed, case-folded);
an answer with no label found is wrong, and its label is None (shown as "no label"). Without
labels, correct means equal to `expected` after trimming and case folding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from arena.records import STATUS_COMPLETE

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile

ACCURACY_COLUMNS = ["contestant", "answered", "correct", "no_label", "accuracy", "ci_low",
                    "ci_high", "median_tokens_per_s", "median_total_s"]

# A Latin label's match may not touch these: letters (Latin, Greek, Cyrillic) and digits.
_WORD_CHAR = "0-9A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0370-\u04ff"
# CJK ideographs, kana, hangul, full-width forms: a label with any of these is found as a substring.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")


def _normal(text: str) -> str:
    return text.strip().casefold()


@lru_cache(maxsize=64)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression finding every label, longer labels first so that at one position
    the longer one wins (regex alternation takes the first alternative that matches)."""
    parts = []
    for label in sorted({_normal(label) for label in labels if _normal(label)}, key=len,
                        reverse=True):
        body = re.escape(label)
        if not _CJK.search(label):
            body = f"(?<![{_WORD_CHAR}]){body}(?![{_WORD_CHAR}])"
        parts.append(f"(?P<l{len(parts)}>{body})")
    return re.compile("|".join(parts)) if parts else None


def answer_label(answer: str, labels: Sequence[str]) -> str | None:
    """The label an answer gives: the first of `labels` found in it (see the module's rule), in
    the spelling of `labels`; None when none is found."""
    pattern = _label_pattern(tuple(labels))
    if pattern is None or not isinstance(answer, str):
        return None
    found = pattern.search(answer.casefold())
    if found is None:
        return None
    folded = found.group(0)
    return next(label for label in labels if _normal(label) == folded)


def is_correct(answer: str, expected: str, labels: Sequence[str] | None = None) -> bool:
    """Whether an answer matches the expected one: by its label with `labels`, else exactly
    after trimming and case folding."""
    if labels:
        return _same(answer_label(answer, labels), expected)
    return _same(answer, expected)


def _same(given: str | None, expected: str) -> bool:
    return isinstance(given, str) and _normal(given) == _normal(expected)


def has_expected(expected: object) -> bool:
    """Whether an item is scored: its expected answer is text that is not blank."""
    return isinstance(expected, str) and bool(expected.strip())


def _has_expected(expected: pd.Series) -> np.ndarray:
    return expected.map(has_expected).to_numpy(dtype=bool)


def score_answers(answers: pd.DataFrame, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """The answers that can be scored (an answer, on an item with `expected`), each with `label`
    (with labels: the label found, missing for "no label"; without labels: missing) and
    `correct`."""
    missing = [c for c in ("contestant", "answer", "expected") if c not in answers.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    keep = _has_expected(answers["expected"])
    if "status" in answers.columns:
        keep = keep & (answers["status"] == STATUS_COMPLETE).to_numpy(dtype=bool)
    scored = answers[keep].copy()
    if labels:
        scored["label"] = [answer_label(a, labels) for a in scored["answer"]]
        scored["correct"] = [_same(label, e) for label, e in zip(scored["label"],
                                                                  scored["expected"])]
    else:
        scored["label"] = None
        scored["correct"] = [is_correct(a, e) for a, e in zip(scored["answer"],
                                                              scored["expected"])]
    scored["correct"] = scored["correct"].astype(bool)
    return scored


def wilson_interval(correct, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a proportion, `correct` out of `n` (arrays or numbers),
    without continuity correction. NaN where n is 0."""
    k = np.asarray(correct, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def accuracy_table(answers: pd.DataFrame, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per contestant with a scored answer: answered, correct, no_label (answers where
    no label was found; 0 without labels), accuracy with its 95% Wilson interval (ci_low,
    ci_high), and the median tokens/s and answer time (total_s) of those answers. Most accurate
    first, then by name. Failed answers and items without `expected` do not count."""
    scored = score_answers(answers, labels)
    if scored.empty:
        return pd.DataFrame(columns=ACCURACY_COLUMNS)
    scored["no_label"] = scored["label"].isna() if labels else False
    for column in ("tokens_per_s", "total_s"):
        scored[column] = pd.to_numeric(scored[column], errors="coerce") \
            if column in scored.columns else math.nan
    table = scored.groupby("contestant", sort=False).agg(
        answered=("correct", "size"), correct=("correct", "sum"), no_label=("no_label", "sum"),
        median_tokens_per_s=("tokens_per_s", "median"), median_total_s=("total_s", "median"),
    ).reset_index()
    table["answered"] = table["answered"].astype(int)
    table["correct"] = table["correct"].astype(int)
    table["no_label"] = table["no_label"].astype(int)
    table["accuracy"] = table["correct"] / table["answered"]
    table["ci_low"], table["ci_high"] = wilson_interval(table["correct"], table["answered"])
    table = table.sort_values(["accuracy", "contestant"], ascending=[False, True])
    return table.reset_index(drop=True)[ACCURACY_COLUMNS]
