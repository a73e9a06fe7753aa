"""The Store's judgements (issue 14): what a judge model has left to judge, its judgements written
whole, the judge board's count table, its agreement with people, and an admin's judging choices.

Subjects are live battles (not the vote queue's) and every fair pair of a prompt set's stored
answers, exactly the pairs the vote queue may show (Queue.queue_candidates). A judgement never
touches the votes: the human boards read the votes alone.
"""

from __future__ import annotations

import sqlite3

import pandas as pd

from arena.db.prompt_sets import PromptSets
from arena.db.queue import Queue
from arena.db.rules import (
    HIDDEN_BATTLES,
    HIDDEN_CUTOFFS,
    WAITING_ANSWERS,
    WAITING_ANSWERS_CUTOFFS,
    WAITING_BATTLES,
    WAITING_CUTOFFS,
)
from arena.i18n import Explained
from arena.judging import (
    JUDGE_A,
    JUDGE_B,
    JUDGE_TIE,
    OUTCOMES,
    PROMPT_VERSION,
    SUBJECT_BATTLE,
    SUBJECT_PAIR,
    Judgement,
    JudgeSubject,
)
from arena.records import contestant_name

# Every column of the judgements table, in its order (exports keep it).
JUDGEMENT_COLUMNS = ["id", "battle_id", "answer_low", "answer_high", "category", "model_a",
                     "model_b", "judge_model", "judge_digest", "judge_host", "prompt_version",
                     "instruction", "output_first", "output_second", "thinking_first",
                     "thinking_second", "verdict_first", "verdict_second", "outcome", "error",
                     "started_at", "finished_at"]
_INSERT = (f"INSERT INTO judgements ({', '.join(JUDGEMENT_COLUMNS[1:])})"
           f" VALUES ({', '.join('?' for _ in JUDGEMENT_COLUMNS[1:])})")
_COUNTED = (JUDGE_A, JUDGE_B, JUDGE_TIE)  # outcomes the judge board counts
_JUDGE_KEY = "judge_model"  # judge_settings: the admin's chosen judge

# Complete live battles with two non-empty answers and no complete judgement by that judge and
# version, newest first; never one still waiting for its vote (arena.db.rules: a judgement of it
# could move a judge figure while the battle is on someone's screen), nor a multi-turn one (the
# judge prompt holds one prompt and two answers; its vote is on the whole conversation), nor one
# with images (the judge reads text only: it would judge answers about a picture it never saw).
# Parameters: queue source, category twice, judge, version, then the cutoff WAITING_CUTOFFS
# times.
_LIVE = f"""
SELECT b.id, b.category, b.prompt, b.system_prompt, a.model, a.think, a.answer,
       bb.model, bb.think, bb.answer
FROM battles b
JOIN battle_sides a ON a.battle_id = b.id AND a.side = 'a'
JOIN battle_sides bb ON bb.battle_id = b.id AND bb.side = 'b'
WHERE b.source != ? AND b.status = 'complete' AND TRIM(a.answer) != ''
  AND TRIM(bb.answer) != '' AND (? IS NULL OR b.category = ?)
  AND b.followups IS NULL
  AND NOT EXISTS (SELECT 1 FROM battle_images i WHERE i.battle_id = b.id)
  AND NOT EXISTS (SELECT 1 FROM judgements j WHERE j.battle_id = b.id
                  AND j.judge_model = ? AND j.prompt_version = ?
                  AND j.outcome IS NOT NULL)
  AND b.id NOT IN ({WAITING_BATTLES})
ORDER BY b.created_at DESC, b.rowid DESC
"""
# The stored answers a queue battle waiting for its vote shows: their pairs wait too.
_WAITING_SHOWN = (f"SELECT answer_id_a, answer_id_b FROM battles WHERE id IN ({WAITING_BATTLES})"
                  " AND answer_id_a IS NOT NULL")
_JUDGED_PAIRS = ("SELECT answer_low, answer_high FROM judgements WHERE answer_low IS NOT NULL"
                 " AND judge_model = ? AND prompt_version = ? AND outcome IS NOT NULL")
# Counted human votes with a complete judgement (parameters: judge, version). A queue battle's
# vote is turned to the pair's sides (side a: the low answer) when it showed the high one as a.
_AGREEMENT = """
SELECT v.category, v.winner, j.outcome, 0 FROM votes v
JOIN judgements j ON j.battle_id = v.battle_id
WHERE v.counts = 1 AND j.judge_model = ?1 AND j.prompt_version = ?2 AND j.outcome IS NOT NULL
UNION ALL
SELECT v.category, v.winner, j.outcome, b.answer_id_a > b.answer_id_b FROM battles b
JOIN votes v ON v.battle_id = b.id
JOIN judgements j ON j.answer_low = MIN(b.answer_id_a, b.answer_id_b)
                 AND j.answer_high = MAX(b.answer_id_a, b.answer_id_b)
WHERE b.answer_id_a IS NOT NULL AND b.answer_id_b IS NOT NULL AND v.counts = 1
  AND j.judge_model = ?1 AND j.prompt_version = ?2 AND j.outcome IS NOT NULL
"""
_SWAPPED = {JUDGE_A: JUDGE_B, JUDGE_B: JUDGE_A}


class JudgementRefused(Explained, ValueError):
    """A judgement or judging choice the Store would not write; nothing was written."""


class Judgements(PromptSets, Queue):
    """The judgements, judge_instructions and judge_settings tables (and, read, the pairs of
    stored answers the vote queue may show)."""

    def judge_subjects(self, judge_model: str, prompt_version: str = PROMPT_VERSION,
                       category: str | None = None, prompt_set: str | None = None,
                       limit: int | None = None) -> list[JudgeSubject]:
        """What `judge_model` has not judged completely with `prompt_version` (a failed attempt
        is judged again): live battles first, newest first, then prompt-set pairs in set and
        item order; only a category's (slug), only a set's pairs (no live battle then), at most
        `limit`. Never a battle still waiting for its vote (not voted, not abandoned, within the
        store's time limit), nor a pair a waiting queue battle shows: they wait for the vote."""
        from arena.vote_queue import QUEUE_SOURCE  # here: arena.vote_queue imports arena.db

        subjects: list[JudgeSubject] = []
        if prompt_set is None:
            cutoffs = (self._hidden_after(),) * WAITING_CUTOFFS
            with self.reading() as conn:
                rows = conn.execute(_LIVE, (QUEUE_SOURCE, category, category, judge_model,
                                            prompt_version, *cutoffs)).fetchall()
            subjects = [JudgeSubject(SUBJECT_BATTLE, r[1], r[2], r[3], contestant_name(r[4], r[5]),
                                     contestant_name(r[7], r[8]), r[6], r[9], battle_id=r[0])
                        for r in rows]
        if limit is not None and len(subjects) >= limit:
            return subjects[:limit]
        left = None if limit is None else limit - len(subjects)
        return subjects + self._pair_subjects(judge_model, prompt_version, category, prompt_set,
                                              left)

    def _pair_subjects(self, judge_model: str, prompt_version: str, category: str | None,
                       prompt_set: str | None, limit: int | None) -> list[JudgeSubject]:
        pairs = self.queue_candidates(None, prompt_set, category)  # the queue's pairing rule
        if pairs.empty:
            return []
        with self.reading() as conn:
            judged = {(r[0], r[1]) for r in conn.execute(_JUDGED_PAIRS,
                                                         (judge_model, prompt_version))}
            shown = {int(i) for r in conn.execute(
                _WAITING_SHOWN, (self._hidden_after(),) * WAITING_CUTOFFS) for i in r}
        order = {s.prompt_set.name: n for n, s in enumerate(self.prompt_sets())}
        pairs = pairs.assign(set_order=pairs["set_name"].map(order)).sort_values(
            "set_order", kind="stable")
        pairs = pairs[[(int(x), int(y)) not in judged and not {int(x), int(y)} & shown
                       for x, y in zip(pairs["answer_a"], pairs["answer_b"])]]
        if limit is not None:
            pairs = pairs.head(limit)
        ids = [int(i) for column in ("answer_a", "answer_b") for i in pairs[column]]
        answers = {a.answer_id: a for a in self.stored_answers(ids)}
        subjects = []
        for row in pairs.itertuples(index=False):
            low, high = answers[int(row.answer_a)], answers[int(row.answer_b)]
            subjects.append(JudgeSubject(
                SUBJECT_PAIR, row.category, row.prompt, low.system_prompt, row.contestant_a,
                row.contestant_b, low.side.answer, high.side.answer,
                answer_low=int(row.answer_a), answer_high=int(row.answer_b)))
        return subjects

    def has_judgement(self, subject: JudgeSubject, judge_model: str,
                      prompt_version: str = PROMPT_VERSION) -> bool:
        """Whether `judge_model` has judged `subject` completely with `prompt_version`."""
        key, values = _subject_key(subject)
        with self.reading() as conn:
            return conn.execute(
                f"SELECT 1 FROM judgements WHERE {key} AND judge_model = ? AND"
                " prompt_version = ? AND outcome IS NOT NULL",
                (*values, judge_model, prompt_version)).fetchone() is not None

    def save_judgement(self, j: Judgement) -> None:
        """Write a judgement (or a failed attempt) whole, in one transaction. JudgementRefused,
        and nothing written, for a second complete judgement of the same subject by the same
        judge and prompt version, or a judgement that is neither complete nor failed."""
        if (j.outcome is None) == (j.error is None) or (
                j.outcome is not None and j.outcome not in OUTCOMES):
            raise JudgementRefused("judge.refused.invalid", outcome=j.outcome, error=j.error)
        s = j.subject
        try:
            with self.transaction() as conn:
                conn.execute(_INSERT, (
                    s.battle_id, s.answer_low, s.answer_high, s.category, s.model_a, s.model_b,
                    j.judge_model, j.judge_digest, j.judge_host, j.prompt_version, j.instruction,
                    j.output_first, j.output_second, j.thinking_first, j.thinking_second,
                    j.verdict_first, j.verdict_second, j.outcome, j.error, j.started_at,
                    j.finished_at))
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise JudgementRefused("judge.refused.already", judge=j.judge_model,
                                       version=j.prompt_version) from None
            raise JudgementRefused("judge.refused.invalid", outcome=j.outcome,
                                   error=j.error or str(exc)) from None

    def judge_counts(self, judge_model: str, category: str | None = None,
                     prompt_version: str = PROMPT_VERSION) -> pd.DataFrame:
        """The judge board's count table: (category, model_a, model_b, winner, count), winner
        model_a / model_b / tie from the complete judgements (abstained and no verdict left
        out), the shape Store.vote_counts has, for arena.ratings and arena.shrinkage."""
        marks = ", ".join("?" for _ in _COUNTED)
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT category, model_a, model_b, outcome, COUNT(*) FROM judgements"
                f" WHERE judge_model = ? AND prompt_version = ? AND outcome IN ({marks})"
                " AND (? IS NULL OR category = ?) GROUP BY category, model_a, model_b, outcome",
                (judge_model, prompt_version, *_COUNTED, category, category)).fetchall()
        return pd.DataFrame([tuple(r) for r in rows],
                            columns=["category", "model_a", "model_b", "winner", "count"])

    def judge_models(self) -> list[str]:
        """The judges with at least one complete judgement, by name."""
        with self.reading() as conn:
            return [r[0] for r in conn.execute(
                "SELECT DISTINCT judge_model FROM judgements WHERE outcome IS NOT NULL"
                " ORDER BY judge_model")]

    def judge_outcomes(self, judge_model: str, prompt_version: str = PROMPT_VERSION) -> list[str]:
        """The outcomes of a judge's complete judgements (for arena.judging.judge_rates), without
        reading their outputs."""
        with self.reading() as conn:
            return [r[0] for r in conn.execute(
                "SELECT outcome FROM judgements WHERE judge_model = ? AND prompt_version = ?"
                " AND outcome IS NOT NULL ORDER BY id", (judge_model, prompt_version))]

    def judge_agreement_pairs(self, judge_model: str,
                              prompt_version: str = PROMPT_VERSION) -> pd.DataFrame:
        """(category, human, judge): every counted human vote whose live battle, or whose queue
        battle's answer pair, `judge_model` judged completely; the vote in the judgement's
        sides. The input of arena.agreement.agreement_by_category."""
        with self.reading() as conn:
            rows = conn.execute(_AGREEMENT, (judge_model, prompt_version)).fetchall()
        return pd.DataFrame([(r[0], _SWAPPED.get(r[1], r[1]) if r[3] else r[1], r[2])
                             for r in rows], columns=["category", "human", "judge"])

    def judgements(self, judge_model: str | None = None,
                   revealed_only: bool = False) -> pd.DataFrame:
        """Every judgement (failed attempts included), oldest first, with every column
        (JUDGEMENT_COLUMNS): for exports. Of every battle, voted or not: not for a page that
        shows battles before their vote. `revealed_only`: without those whose battle's names
        are still hidden (arena.db.rules) or whose pair a battle waiting for its vote shows, as
        the votes' exports leave those out (the outputs quote the answers beside the names)."""
        query = (f"SELECT {', '.join(JUDGEMENT_COLUMNS)} FROM judgements"
                 " WHERE (? IS NULL OR judge_model = ?)")
        params: list = [judge_model, judge_model]
        if revealed_only:
            query += (f" AND (battle_id IS NULL OR battle_id NOT IN ({HIDDEN_BATTLES}))"
                      f" AND (answer_low IS NULL OR (answer_low NOT IN ({WAITING_ANSWERS})"
                      f" AND answer_high NOT IN ({WAITING_ANSWERS})))")
            params += [self._hidden_after()] * (HIDDEN_CUTOFFS + 2 * WAITING_ANSWERS_CUTOFFS)
        with self.reading() as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        # Objects: SQL NULL stays None and ids stay integers (pandas would make floats, NaN).
        return pd.DataFrame([tuple(r) for r in rows], columns=JUDGEMENT_COLUMNS, dtype=object)

    def judge_instruction(self, category: str) -> str | None:
        """An admin's judging instruction for a category slug; None: the default one
        (arena.judging.default_instruction)."""
        with self.reading() as conn:
            row = conn.execute("SELECT instruction FROM judge_instructions WHERE category = ?",
                               (category,)).fetchone()
        return None if row is None else row[0]

    def set_judge_instruction(self, category: str, text: str | None) -> None:
        """Set a category's judging instruction; empty (or None): back to the default.
        JudgementRefused for a category that is not stored."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM categories WHERE slug = ?",
                            (category,)).fetchone() is None:
                raise JudgementRefused("judge.refused.no_category", category=category)
            if not (text or "").strip():
                conn.execute("DELETE FROM judge_instructions WHERE category = ?", (category,))
                return
            conn.execute("INSERT INTO judge_instructions (category, instruction) VALUES (?, ?)"
                         " ON CONFLICT (category) DO UPDATE SET instruction = excluded.instruction",
                         (category, text.strip()))

    def judge_choice(self) -> str | None:
        """The judge model an admin chose, if any."""
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM judge_settings WHERE name = ?",
                               (_JUDGE_KEY,)).fetchone()
        return None if row is None else row[0]

    def set_judge_choice(self, model: str | None) -> None:
        """Choose the judge model (None or empty: no choice)."""
        with self.transaction() as conn:
            if not (model or "").strip():
                conn.execute("DELETE FROM judge_settings WHERE name = ?", (_JUDGE_KEY,))
                return
            conn.execute("INSERT INTO judge_settings (name, value) VALUES (?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                         (_JUDGE_KEY, model.strip()))


def _subject_key(subject: JudgeSubject) -> tuple[str, tuple]:
    if subject.kind == SUBJECT_BATTLE:
        return "battle_id = ?", (subject.battle_id,)
    return "answer_low = ? AND answer_high = ?", (subject.answer_low, subject.answer_high)

