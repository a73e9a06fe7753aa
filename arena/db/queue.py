"""The Store's vote queue: the pairs of stored answers a voter may be shown, with what the
policy (arena.vote_queue) chooses by, in one query."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from arena.db.connection import Database
from arena.db.prompt_sets import answer_from_row
from arena.prompt_sets import PromptAnswer

# One row per unordered pair of complete answers of one item (answer_a < answer_b).
CANDIDATE_COLUMNS = ["set_name", "item_row", "item_id", "prompt", "expected", "category",
                     "answer_a", "answer_b", "votes", "shown", "answers_seen"]

# Parameters: set name twice, category twice, voter. The answers of the chosen sets, then the
# queue battles that showed them (found by the battles_answers index) with their votes, then
# every pair of each item's answers (the UNIQUE (item, model, think) makes them different
# contestants) with its counted votes and what this voter has seen of it.
_CANDIDATES = """
WITH answers AS (
    SELECT a.id, a.item_id FROM prompt_answers a
    JOIN prompt_items i ON i.id = a.item_id JOIN prompt_sets s ON s.id = i.set_id
    WHERE a.status = 'complete' AND (? IS NULL OR s.name = ?) AND (? IS NULL OR s.category = ?)
), shown AS MATERIALIZED (
    SELECT MIN(b.answer_id_a, b.answer_id_b) AS low, MAX(b.answer_id_a, b.answer_id_b) AS high,
           v.counts, v.voter = ? AS mine
    FROM battles b JOIN votes v ON v.battle_id = b.id
    WHERE b.answer_id_a IN (SELECT id FROM answers) AND b.answer_id_b IS NOT NULL
), by_pair AS (
    SELECT low, high, SUM(counts) AS votes, MAX(mine) AS shown FROM shown GROUP BY low, high
), seen AS (
    SELECT low AS id FROM shown WHERE mine UNION SELECT high FROM shown WHERE mine
)
SELECT s.name, i.id, i.file_id, i.prompt, i.expected, s.category, x.id, y.id,
       COALESCE(p.votes, 0), COALESCE(p.shown, 0),
       (x.id IN (SELECT id FROM seen)) + (y.id IN (SELECT id FROM seen))
FROM answers x JOIN answers y ON y.item_id = x.item_id AND y.id > x.id
JOIN prompt_items i ON i.id = x.item_id JOIN prompt_sets s ON s.id = i.set_id
LEFT JOIN by_pair p ON p.low = x.id AND p.high = y.id
ORDER BY i.position, x.id, y.id
"""


class Queue(Database):
    """Reads the prompt_answers, battles and votes tables for the vote queue."""

    def queue_candidates(self, voter: str, prompt_set: str | None = None,
                         category: str | None = None) -> pd.DataFrame:
        """Every pair of two complete answers of one item, from different contestants, of the
        set named (and/or the sets of a category slug; neither: every set), as CANDIDATE_COLUMNS:
        the item (set_name, item_row: its row id, item_id: its id in its file, prompt, expected,
        category), the two answers' ids (answer_a < answer_b), `votes`: the counted votes of
        battles that showed the pair, `shown`: whether `voter` voted on one of them, and
        `answers_seen`: how many of the two answers `voter` voted on in earlier battles."""
        with self.reading() as conn:
            rows = conn.execute(_CANDIDATES, (prompt_set, prompt_set, category, category,
                                              voter)).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=CANDIDATE_COLUMNS)
        frame["shown"] = frame["shown"].astype(bool)
        return frame

    def stored_answers(self, answer_ids: Sequence[int]) -> list[PromptAnswer]:
        """The stored answers of these ids, in the order asked (an id not there is left out)."""
        marks = ", ".join("?" for _ in answer_ids)
        with self.reading() as conn:
            found = {r["answer_id"]: answer_from_row(r) for r in conn.execute(
                f"SELECT id AS answer_id, * FROM prompt_answers WHERE id IN ({marks})",
                list(answer_ids))}
        return [found[i] for i in answer_ids if i in found]
