"""The Store's prompt sets: sets and their items as read from files (arena.prompt_sets), the
answers generated for their items, and which answers are still to generate."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from arena.db.bulk import SIDE_COLUMNS, options_text, side_values
from arena.db.connection import Database
from arena.i18n import Explained
from arena.prompt_sets import PromptAnswer, PromptItem, PromptSet, SetSummary, StoredItem
from arena.records import STATUS_COMPLETE, Side, parse_contestant_name, utc_now

_ANSWER_COLUMNS = ["item_id", *SIDE_COLUMNS, "status", "failure_reason", "options",
                   "system_prompt", "created_at"]
_TEXTS = ("answer", "thinking")
_SAVE_ANSWER = (
    f"INSERT INTO prompt_answers ({', '.join(_ANSWER_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_ANSWER_COLUMNS))})"
    " ON CONFLICT (item_id, model, think) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _ANSWER_COLUMNS[1:])
    + " WHERE prompt_answers.status = 'failed'")  # a complete answer is never replaced
_ITEM_SELECT = ("SELECT i.id, s.name, i.position, i.prompt, i.file_id, i.expected"
                " FROM prompt_items i JOIN prompt_sets s ON s.id = i.set_id")


class PromptSetRefused(Explained, ValueError):
    """Items that cannot be added to a set as asked; nothing was written."""


class PromptSets(Database):
    """The prompt_sets, prompt_items and prompt_answers tables."""

    def add_prompt_set(self, prompt_set: PromptSet, items: Sequence[PromptItem]) -> int:
        """Add the set (or add to the one of that name) with its items, in one transaction;
        returns how many items were new (those whose key the set has already are left alone).
        PromptSetRefused, and nothing written, for an unknown category, a set of that name in
        another category or with other labels, or an item whose key the set has with other
        content (answers may already stand on it)."""
        name = prompt_set.name
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM categories WHERE slug = ?",
                            (prompt_set.category,)).fetchone() is None:
                raise PromptSetRefused("refused.no_category", category=prompt_set.category)
            set_id = self._set_id(conn, prompt_set)
            known = {r[0]: PromptItem(r[1], r[2], r[3]) for r in conn.execute(
                "SELECT key, prompt, file_id, expected FROM prompt_items WHERE set_id = ?",
                (set_id,))}
            new = []
            for item in items:
                stored = known.get(item.key)
                if stored is None:
                    known[item.key] = item
                    new.append(item)
                elif stored != item:
                    if item.id is not None:
                        raise PromptSetRefused("refused.item_id_changed", name=name, id=item.id)
                    raise PromptSetRefused("refused.item_changed", name=name,
                                           prompt=_short(item.prompt))
            start = conn.execute("SELECT COALESCE(MAX(position), 0) FROM prompt_items"
                                 " WHERE set_id = ?", (set_id,)).fetchone()[0] + 1
            conn.executemany(
                "INSERT INTO prompt_items (set_id, key, file_id, prompt, expected, position)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(set_id, i.key, i.id, i.prompt, i.expected, start + n)
                 for n, i in enumerate(new)])
        return len(new)

    @staticmethod
    def _set_id(conn: sqlite3.Connection, prompt_set: PromptSet) -> int:
        """The set's row, made if there is none; refused if the stored one differs."""
        row = conn.execute("SELECT id, category, labels FROM prompt_sets WHERE name = ?",
                           (prompt_set.name,)).fetchone()
        if row is None:
            return conn.execute(
                "INSERT INTO prompt_sets (name, category, labels, created_at)"
                " VALUES (?, ?, ?, ?)",
                (prompt_set.name, prompt_set.category,
                 json.dumps(list(prompt_set.labels), ensure_ascii=False), utc_now())).lastrowid
        if row["category"] != prompt_set.category:
            raise PromptSetRefused("refused.other_category", name=prompt_set.name,
                                   stored=row["category"], given=prompt_set.category)
        labels = tuple(json.loads(row["labels"]))
        if prompt_set.labels and prompt_set.labels != labels:
            raise PromptSetRefused("refused.other_labels", name=prompt_set.name,
                                   labels=", ".join(labels) or "—")
        return row["id"]

    def prompt_set(self, name: str) -> PromptSet | None:
        with self.reading() as conn:
            row = conn.execute("SELECT name, category, labels FROM prompt_sets WHERE name = ?",
                               (name,)).fetchone()
        return None if row is None else _set_of(row)

    def prompt_sets(self) -> list[SetSummary]:
        """Every set, in the order they were added, with its items and its complete and
        failed answers."""
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT s.name, s.category, s.labels, s.created_at,"
                " (SELECT COUNT(*) FROM prompt_items i WHERE i.set_id = s.id) AS items,"
                " COALESCE(SUM(a.status = 'complete'), 0) AS answers,"
                " COALESCE(SUM(a.status = 'failed'), 0) AS failed"
                " FROM prompt_sets s LEFT JOIN prompt_items i ON i.set_id = s.id"
                " LEFT JOIN prompt_answers a ON a.item_id = i.id"
                " GROUP BY s.id ORDER BY s.id").fetchall()
        return [SetSummary(_set_of(r), r["created_at"], r["items"], r["answers"], r["failed"])
                for r in rows]

    def set_contestants(self, name: str) -> list[str]:
        """The contestant names an admin chose for a set; empty: every model that takes part
        (and for a set that is not there)."""
        with self.reading() as conn:
            row = conn.execute("SELECT contestants FROM prompt_sets WHERE name = ?",
                               (name,)).fetchone()
        return [] if row is None else json.loads(row[0])

    def choose_set_contestants(self, name: str, contestants: Sequence[str]) -> None:
        """Choose who answers a set (contestant names; empty: every model that takes part)."""
        with self.transaction() as conn:
            if conn.execute("UPDATE prompt_sets SET contestants = ? WHERE name = ?",
                            (json.dumps(list(dict.fromkeys(contestants)), ensure_ascii=False),
                             name)).rowcount != 1:
                raise PromptSetRefused("refused.no_set", name=name)

    def set_items(self, name: str) -> list[StoredItem]:
        """A set's items in their order (none for a set that is not there)."""
        with self.reading() as conn:
            return _items(conn, name)

    def save_answer(self, answer: PromptAnswer) -> bool:
        """Store an answer, or replace a failed one of the same item and contestant; False
        (nothing changed) when a complete one is there already."""
        with self.transaction() as conn:
            return conn.execute(_SAVE_ANSWER, (
                answer.item_id, *side_values(answer.side), answer.status, answer.failure_reason,
                options_text(answer.options), answer.system_prompt,
                answer.created_at)).rowcount == 1

    def answers(self, name: str, texts: bool = True) -> list[PromptAnswer]:
        """The answers stored for a set's items, complete and failed, in item order. With
        `texts=False` their answer and thinking are left empty (not even read): the statuses
        and failure reasons, cheap enough to read every second while a set is generated."""
        picked = ", ".join(f"a.{c}" if texts or c not in _TEXTS else f"'' AS {c}"
                           for c in _ANSWER_COLUMNS)
        with self.reading() as conn:
            rows = conn.execute(
                f"SELECT a.id AS answer_id, {picked} FROM prompt_answers a"
                " JOIN prompt_items i ON i.id = a.item_id JOIN prompt_sets s ON s.id = i.set_id"
                " WHERE s.name = ? ORDER BY i.position, a.id", (name,)).fetchall()
        return [answer_from_row(r) for r in rows]

    def missing_answers(self, name: str, contestants: Sequence[str],
                        retry_failed: bool = True) -> list[tuple[StoredItem, str]]:
        """The (item, contestant name) pairs of a set with no complete answer yet (nor a failed
        one, unless `retry_failed`), contestant by contestant in the order given, each one's
        items in the set's order: the work left, grouped by model as a GPU that holds one
        model at a time needs it."""
        with self.reading() as conn:
            conn.execute("BEGIN")  # the items and the answers of one moment
            items = _items(conn, name)
            done = {(r[0], r[1], r[2]) for r in conn.execute(
                "SELECT a.item_id, a.model, a.think FROM prompt_answers a"
                " JOIN prompt_items i ON i.id = a.item_id JOIN prompt_sets s ON s.id = i.set_id"
                " WHERE s.name = ? AND (a.status = ? OR ?)",
                (name, STATUS_COMPLETE, not retry_failed))}
            conn.execute("COMMIT")
        return [(item, contestant) for contestant in dict.fromkeys(contestants)
                for model, think in [parse_contestant_name(contestant)] for item in items
                if (item.item_id, model, think) not in done]


def answer_from_row(row: sqlite3.Row) -> PromptAnswer:
    """A stored answer from its prompt_answers row, selected with its id as `answer_id`."""
    return PromptAnswer(item_id=row["item_id"], side=Side(**{c: row[c] for c in SIDE_COLUMNS}),
                        options=json.loads(row["options"]), system_prompt=row["system_prompt"],
                        created_at=row["created_at"], answer_id=row["answer_id"])


def _set_of(row: sqlite3.Row) -> PromptSet:
    return PromptSet(row["name"], row["category"], tuple(json.loads(row["labels"])))


def _items(conn: sqlite3.Connection, name: str) -> list[StoredItem]:
    return [StoredItem(r[0], r[1], r[2], PromptItem(r[3], r[4], r[5])) for r in conn.execute(
        f"{_ITEM_SELECT} WHERE s.name = ? ORDER BY i.position", (name,))]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
