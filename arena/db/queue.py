"""The Store's vote queue: the pairs of stored answers a voter may be shown, with what the
policy (arena.vote_queue) chooses by, in one query."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from arena.db.connection import Database
from arena.db.prompt_sets import answer_from_row
from arena.prompt_sets import PromptAnswer
from arena.records import contestant_name

# One row per unordered pair of complete answers of one item (answer_a < answer_b).
CANDIDATE_COLUMNS = ["set_name", "item_row", "item_id", "prompt", "expected", "category",
                     "answer_a", "answer_b", "votes", "shown", "answers_seen",
                     "contestant_a", "contestant_b"]

# Parameters by name: set, category, voter. The answers of the chosen sets; the answers this
# voter has voted on (their queue battles found by the battles_answers index); then every pair
# of each item's answers (the UNIQUE (item, model, think) makes them different contestants),
# with the votes on battles that showed it, looked up by the index in either order.
_SHOWED_PAIR = ("FROM battles b JOIN votes v ON v.battle_id = b.id"
                " WHERE ((b.answer_id_a = x.id AND b.answer_id_b = y.id)"
                " OR (b.answer_id_a = y.id AND b.answer_id_b = x.id))")
_VOTED_BY_VOTER = ("FROM battles b JOIN votes v ON v.battle_id = b.id"
                   " WHERE b.answer_id_a IN (SELECT id FROM answers) AND v.voter = :voter")
_CANDIDATES = f"""
WITH answers AS (
    SELECT a.id, a.item_id, a.options, a.system_prompt, a.model, a.think FROM prompt_answers a
    JOIN prompt_items i ON i.id = a.item_id JOIN prompt_sets s ON s.id = i.set_id
    WHERE a.status = 'complete' AND (:set IS NULL OR s.name = :set)
      AND (:category IS NULL OR s.category = :category)
), seen AS MATERIALIZED (
    SELECT b.answer_id_a AS id {_VOTED_BY_VOTER}
    UNION SELECT b.answer_id_b {_VOTED_BY_VOTER}
)
SELECT s.name, i.id, i.file_id, i.prompt, i.expected, s.category, x.id, y.id,
       (SELECT COALESCE(SUM(v.counts), 0) {_SHOWED_PAIR}),
       EXISTS (SELECT 1 {_SHOWED_PAIR} AND v.voter = :voter),
       (x.id IN seen) + (y.id IN seen), x.model, x.think, y.model, y.think
FROM answers x JOIN answers y ON y.item_id = x.item_id AND y.id > x.id
    -- A fair battle only: both answers made with the same options and system prompt (the
    -- settings, or the category's prompt, may have changed between two runs of a set).
    AND y.options = x.options AND y.system_prompt = x.system_prompt
JOIN prompt_items i ON i.id = x.item_id JOIN prompt_sets s ON s.id = i.set_id
ORDER BY i.position, x.id, y.id
"""


class Queue(Database):
    """Reads the prompt_answers, battles and votes tables for the vote queue."""

    def queue_candidates(self, voter: str | None, prompt_set: str | None = None,
                         category: str | None = None) -> pd.DataFrame:
        """Every pair of two complete answers of one item, from different contestants, generated
        with the same options and system prompt (a fair battle), of the
        set named (and/or the sets of a category slug; neither: every set), as CANDIDATE_COLUMNS:
        the item (set_name, item_row: its row id, item_id: its id in its file, prompt, expected,
        category), the two answers' ids (answer_a < answer_b), `votes`: the counted votes of
        battles that showed the pair, `shown`: whether `voter` voted on one of them,
        `answers_seen`: how many of the two answers `voter` voted on in earlier battles (voter
        None: no one's history, shown False and answers_seen 0), and the two answers'
        contestants (contestant_a, contestant_b: arena.records.contestant_name)."""
        with self.reading() as conn:
            rows = conn.execute(_CANDIDATES, {"set": prompt_set, "category": category,
                                              "voter": voter and voter.strip()}).fetchall()
        raw = CANDIDATE_COLUMNS[:-2] + ["model_a", "think_a", "model_b", "think_b"]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=raw)
        for side in ("a", "b"):  # named as the votes name them, for the pairing's count table
            frame[f"contestant_{side}"] = [contestant_name(m, k) for m, k in zip(
                frame[f"model_{side}"], frame[f"think_{side}"])]
        frame = frame.drop(columns=raw[-4:])
        frame["shown"] = frame["shown"].astype(bool)
        for column in ("item_id", "expected"):  # SQL NULL stays None (pandas would make NaN)
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        return frame

    def stored_answers(self, answer_ids: Sequence[int]) -> list[PromptAnswer]:
        """The stored answers of these ids, in the order asked (an id not there is left out)."""
        marks = ", ".join("?" for _ in answer_ids)
        with self.reading() as conn:
            found = {r["answer_id"]: answer_from_row(r) for r in conn.execute(
                f"SELECT id AS answer_id, * FROM prompt_answers WHERE id IN ({marks})",
                list(answer_ids))}
        return [found[i] for i in answer_ids if i in found]
