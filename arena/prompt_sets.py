"""Prompt sets: a task category's list of prompts that every contestant answers once, in the
background, for people to vote on the stored answers. The records here; files are read by
arena.files.set_file (which needs arena.db, which stores these records: hence two modules), and
stored by arena.db.prompt_sets. An item is known in its set by its id, or by its text when it has
none: adding the same file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from arena.records import STATUS_COMPLETE, STATUS_FAILED, Side, contestant_name, utc_now


@dataclass(frozen=True)
class PromptSet:
    """A named set of prompts in one task category (a slug); `labels` are a classification
    set's allowed answers, in the order given."""

    name: str
    category: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromptItem:
    """One prompt of a set, with the id and the expected answer its file gave (or None)."""

    prompt: str
    id: str | None = None
    expected: str | None = None

    @property
    def key(self) -> str:
        """What the item is known by in its set: its id, or its text when it has none."""
        return self.prompt if self.id is None else self.id


@dataclass(frozen=True)
class StoredItem:
    """An item as stored: `item_id` is its row in the database (what answers refer to),
    `position` its place in the set."""

    item_id: int
    set_name: str
    position: int
    item: PromptItem


@dataclass(frozen=True)
class SetSummary:
    """A stored set with how far it is: items, complete answers and failed ones."""

    prompt_set: PromptSet
    created_at: str
    items: int
    answers: int
    failed: int


@dataclass
class PromptAnswer:
    """One contestant's answer to one item (the contestant is the side's model and thinking
    mode), with the options and system prompt it was generated with (the same for every
    contestant of a set, as in a battle). Failed when its side failed; `answer_id` is set when
    read back from the store."""

    item_id: int
    side: Side
    options: dict
    system_prompt: str = ""
    created_at: str = field(default_factory=utc_now)
    answer_id: int | None = None

    @property
    def contestant(self) -> str:
        return contestant_name(self.side.model, self.side.think)

    @property
    def status(self) -> str:
        return STATUS_FAILED if self.side.failed else STATUS_COMPLETE

    @property
    def failure_reason(self) -> str | None:
        return f"{self.side.error_kind}: {self.side.error}" if self.side.failed else None


@dataclass(frozen=True)
class ExampleSet:
    """A set shipped with the arena (arena/example_sets/), ready to add and run."""

    file: str
    prompt_set: PromptSet


EXAMPLE_SETS = {
    "classification": ExampleSet("classification.jsonl", PromptSet(
        "Example: review and news sentiment", "classification",
        ("positive", "negative", "neutral"))),
    "copywriting": ExampleSet("copywriting.jsonl", PromptSet(
        "Example: slogans and taglines", "copywriting")),
}


@contextmanager
def example_file(name: str) -> Iterator[Path]:
    """The path of a shipped example set's file (EXAMPLE_SETS), while the block runs."""
    source = resources.files("arena").joinpath("example_sets", EXAMPLE_SETS[name].file)
    with resources.as_file(source) as path:
        yield path
