"""A stored prompt set's accuracy: its answers and items as arena.accuracy's input, and the table.

Only items with an expected answer are scored; a set with none has no accuracy table. The table
holds totals per contestant and nothing per item, so that it cannot tie an answer text (which the
vote queue shows without names) to its model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from arena.accuracy import accuracy_table, has_expected
from arena.prompt_sets import PromptAnswer, PromptSet, StoredItem

if TYPE_CHECKING:  # the store is passed in; the command line's start does not load it
    from arena.db import Store

ANSWER_COLUMNS = ["contestant", "item", "answer", "expected", "status", "tokens_per_s",
                  "total_s"]


def answer_frame(items: Sequence[StoredItem], answers: Sequence[PromptAnswer]) -> pd.DataFrame:
    """arena.accuracy's input: one row per stored answer (complete or failed) of `items`, with
    its contestant, its item's key and expected answer, its content (thinking is stored apart and
    left out), status and figures. Answers to other items are left out."""
    by_id = {stored.item_id: stored.item for stored in items}
    rows = [(a.contestant, item.key, a.side.answer, item.expected, a.status, a.side.tokens_per_s,
             a.side.total_s)
            for a in answers if (item := by_id.get(a.item_id)) is not None]
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def scored_sets(store: Store) -> list[PromptSet]:
    """The stored sets with at least one expected answer, in the order they were added."""
    return [s.prompt_set for s in store.prompt_sets()
            if any(has_expected(i.item.expected) for i in store.set_items(s.prompt_set.name))]


def set_accuracy(store: Store, name: str) -> pd.DataFrame | None:
    """The accuracy table (arena.accuracy.accuracy_table, scored with the set's labels) of the
    set called `name`; empty while none of its items with an expected answer has an answer, and
    None for a set that has no expected answer (or is not there)."""
    prompt_set = store.prompt_set(name)
    items = store.set_items(name)
    if prompt_set is None or not any(has_expected(i.item.expected) for i in items):
        return None
    return accuracy_table(answer_frame(items, store.answers(name)), prompt_set.labels)


def accuracy_text(table: pd.DataFrame, dash: str = "–") -> pd.Series:
    """Each row's accuracy with its 95% interval in whole percent, as "81% (62–92%)"."""
    return pd.Series([f"{p:.0%} ({low * 100:.0f}{dash}{high:.0%})" for p, low, high in
                      zip(table["accuracy"], table["ci_low"], table["ci_high"])],
                     index=table.index, dtype=object)
