"""How far a judge model agrees with people (issue 14). Pure numpy and pandas.

Inputs are outcome labels per battle: the human vote (`model_a`, `model_b`, `tie`,
`tie (bothbad)`) and the judge's combined outcome (arena.judging: `model_a`, `model_b`, `tie`,
`abstain`, `no_verdict`). Kappa and raw agreement are on three classes — A, B, tie — with "both
bad" read as a tie; battles the judge abstained on or gave no verdict for are left out of both and
counted apart, since they say something about the judge (its position bias) but nothing about
whether it agrees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from arena.both_bad import BOTH_BAD
from arena.judging import ABSTAIN, JUDGE_A, JUDGE_B, JUDGE_TIE, NO_VERDICT, OUTCOMES
from arena.ratings import OVERALL
from arena.records import WINNERS

TRUST_KAPPA = 0.4  # below this (moderate agreement, Landis & Koch) a judge is not to be trusted
MIN_AGREEMENT_BATTLES = 20  # fewer judged battles than this cannot tell
HUMAN_ROWS = list(WINNERS)  # model_a, model_b, tie, tie (bothbad)
JUDGE_COLUMNS = [JUDGE_A, JUDGE_B, JUDGE_TIE, ABSTAIN]
CLASSES = (JUDGE_A, JUDGE_B, JUDGE_TIE)
AGREEMENT_COLUMNS = ["category", "battles", "judged", "abstained", "no_verdict", "raw_agreement",
                     "kappa", "trusted"]


def _checked(human: Sequence[str], judge: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    human, judge = np.asarray(human, dtype=object), np.asarray(judge, dtype=object)
    if len(human) != len(judge):
        raise ValueError(f"{len(human)} human outcomes but {len(judge)} judge outcomes")
    for values, known, who in ((human, WINNERS, "human"), (judge, OUTCOMES, "judge")):
        unknown = sorted({str(v) for v in values if v not in known})
        if unknown:
            raise ValueError(f"unknown {who} outcome {unknown[0]!r} "
                             f"(expected one of {', '.join(known)})")
    return human, judge


def _three_classes(human: Sequence[str], judge: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs that count for agreement, in the classes A / B / tie."""
    human, judge = _checked(human, judge)
    kept = np.isin(judge, CLASSES)
    human = np.where(human == BOTH_BAD, JUDGE_TIE, human)
    return human[kept], judge[kept]


def confusion_table(human: Sequence[str], judge: Sequence[str]) -> pd.DataFrame:
    """Counts of battles: rows the human vote (model_a, model_b, tie, tie (bothbad)), columns the
    judge's outcome (model_a, model_b, tie, abstain). Battles without a judge verdict are left
    out; their number is in `table.attrs["no_verdict"]`."""
    human, judge = _checked(human, judge)
    kept = judge != NO_VERDICT
    counts = pd.crosstab(pd.Series(human[kept], dtype=object, name="human"),
                         pd.Series(judge[kept], dtype=object, name="judge"))
    table = counts.reindex(index=HUMAN_ROWS, columns=JUDGE_COLUMNS, fill_value=0).astype(np.int64)
    table.index.name, table.columns.name = "human", "judge"
    table.attrs["no_verdict"] = int(np.sum(judge == NO_VERDICT))
    return table


def raw_agreement(human: Sequence[str], judge: Sequence[str]) -> float:
    """Share of the judged battles (not abstained, with a verdict) where the judge's outcome is
    the human one, both bad counting as a tie; NaN with none."""
    human, judge = _three_classes(human, judge)
    return float(np.mean(human == judge)) if len(human) else math.nan


def cohen_kappa(human: Sequence[str], judge: Sequence[str]) -> float:
    """Cohen's kappa between people and the judge on A / B / tie over the judged battles:
    (observed − chance agreement) / (1 − chance), chance from each side's own class shares. NaN
    with no battle, or when chance agreement is already certain (both always say the same one
    class: nothing to tell)."""
    human, judge = _three_classes(human, judge)
    if not len(human):
        return math.nan
    observed = float(np.mean(human == judge))
    chance = sum(float(np.mean(human == c)) * float(np.mean(judge == c)) for c in CLASSES)
    if math.isclose(chance, 1.0):
        return math.nan
    return (observed - chance) / (1.0 - chance)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, tied values sharing their mean rank (as Spearman's rho needs)."""
    return pd.Series(values).rank(method="average").to_numpy()


def rank_correlation(board_a: pd.DataFrame, board_b: pd.DataFrame) -> float:
    """Spearman's rank correlation between two leaderboards' ratings (columns model, rating) over
    the models both have; NaN with fewer than three such models or when a board rates them all
    the same."""
    both = board_a[["model", "rating"]].merge(board_b[["model", "rating"]], on="model")
    if len(both) < 3:
        return math.nan
    first, second = _ranks(both["rating_x"].to_numpy()), _ranks(both["rating_y"].to_numpy())
    if first.std() == 0 or second.std() == 0:
        return math.nan
    return float(np.corrcoef(first, second)[0, 1])


def _summary(category: str, human: np.ndarray, judge: np.ndarray) -> dict:
    judged = int(np.isin(judge, CLASSES).sum())
    kappa = cohen_kappa(human, judge)
    return {
        "category": category,
        "battles": len(judge),
        "judged": judged,
        "abstained": int(np.sum(judge == ABSTAIN)),
        "no_verdict": int(np.sum(judge == NO_VERDICT)),
        "raw_agreement": raw_agreement(human, judge),
        "kappa": kappa,
        # NaN compares False: a judge that cannot be measured is not trusted either.
        "trusted": bool(judged >= MIN_AGREEMENT_BATTLES and kappa >= TRUST_KAPPA),
    }


def agreement_by_category(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per category (in order of first appearance) and then Overall, from battles with both a
    human vote and a judge outcome (columns category, human, judge): battles, judged (not
    abstained, with a verdict), abstained, no_verdict, raw_agreement, kappa, and whether the
    judge is to be trusted there (kappa at least TRUST_KAPPA over at least
    MIN_AGREEMENT_BATTLES judged battles)."""
    missing = [c for c in ("category", "human", "judge") if c not in pairs.columns]
    if missing:
        raise ValueError(f"missing column {missing[0]!r} (needed: category, human, judge)")
    human, judge = _checked(pairs["human"].tolist(), pairs["judge"].tolist())
    category = pairs["category"].to_numpy(dtype=object)
    rows = [_summary(name, human[category == name], judge[category == name])
            for name in pd.unique(category)]
    rows.append(_summary(OVERALL, human, judge))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
