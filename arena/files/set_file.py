"""Reading a prompt set's file (arena.prompt_sets), checked whole with the import checks of
arena.files.checks: a bad file is refused with its rows named before anything is written.

A set file is CSV (a header naming the columns prompt, and optionally id, expected), JSON Lines
(one object a line with those keys; one JSON array also works) or plain text (one prompt a
line, blank lines skipped), UTF-8 with or without a byte order mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from arena.battle import PromptRejected, validate_prompt
from arena.db import Store
from arena.files.checks import (
    ImportRejected,
    RowErrors,
    VoteFileError,
    check_file,
    check_names,
    check_shape,
    check_text,
)
from arena.files.read import FORMATS as VOTE_FORMATS
from arena.files.read import file_format, json_rows, read_votes_file
from arena.prompt_sets import EXAMPLE_SETS, PromptItem, PromptSet, example_file
from arena.settings import ImportLimits, Settings

COLUMNS = ("prompt", "id", "expected")
# A vote file's text formats, and plain text.
FORMATS = {**{k: v for k, v in VOTE_FORMATS.items() if v != "parquet"}, ".txt": "text"}


def parse_labels(text: str | None) -> tuple[str, ...]:
    """`--labels a,b,c` (a Chinese comma also separates) as a tuple; ValueError when one is
    empty or given twice."""
    if text is None or not text.strip():
        return ()
    labels = tuple(label.strip() for label in re.split("[,，]", text))
    if "" in labels:
        raise ValueError(f"--labels {text!r}: a label is empty")
    folded = [label.casefold() for label in labels]
    twice = sorted({label for label, f in zip(labels, folded) if folded.count(f) > 1})
    if twice:
        raise ValueError(f"--labels {text!r}: given twice: {', '.join(twice)}")
    return labels


def read_set_file(path: str | Path, limits: ImportLimits = ImportLimits(),
                  labels: tuple[str, ...] = (),
                  max_prompt_chars: int = Settings.max_prompt_chars) -> list[PromptItem]:
    """The items of a set file, in file order, each key once (a row repeating an earlier one
    exactly is dropped). Raises VoteFileError for a file that cannot be read (or is past the
    limits) and ImportRejected naming the bad rows: a missing prompt, an unknown column, a value
    that is not text, an id given twice with different content, an expected answer that is not
    one of `labels`, a prompt longer than a live battle's may be. Rows are numbered from 1: data
    rows of a CSV file (the header is not counted), lines of the others."""
    path = Path(path)
    kind = file_format(path, FORMATS)
    check_file(path, limits)
    errors = RowErrors()
    frame = {"csv": _csv_frame, "jsonl": _json_frame, "text": _text_frame}[kind](
        path, errors, limits)
    if frame.empty:
        errors.raise_if_any(path)
        raise ImportRejected(str(path), ["the file has no prompts"])
    if check_text(frame, limits, errors, structured=()):
        errors.raise_if_any(path)  # such values go no further
    items = _items(frame, labels, max_prompt_chars, errors)
    check_names(pd.Series([i.id for _, i in items], index=[n for n, _ in items], dtype=object),
                "id", limits, errors)
    kept = _unique(items, errors)
    errors.raise_if_any(path)
    return kept


@dataclass(frozen=True)
class SetAdded:
    """What adding a set file did: items new to the set, and items it had already."""

    name: str
    added: int
    already: int


def add_set_file(store: Store, path: str | Path, name: str, category: str,
                 labels: tuple[str, ...], settings: Settings) -> SetAdded:
    """Read a set file whole and add its items to the set `name` (made if new), all or nothing.
    Without `labels` a stored set keeps its own. Raises what read_set_file raises for a bad file
    and arena.db.PromptSetRefused for items the store refuses; nothing is written either way."""
    stored = store.prompt_set(name)
    labels = labels or (stored.labels if stored else ())
    items = read_set_file(path, settings.imports, labels, settings.max_prompt_chars)
    added = store.add_prompt_set(PromptSet(name, category, labels), items)
    return SetAdded(name, added, len(items) - added)


def add_example_set(store: Store, example: str, settings: Settings,
                    name: str | None = None) -> SetAdded:
    """Add a set shipped with the arena (arena.prompt_sets.EXAMPLE_SETS), under its own name
    or `name`."""
    shipped = EXAMPLE_SETS[example].prompt_set
    with example_file(example) as path:
        return add_set_file(store, path, name or shipped.name, shipped.category, shipped.labels,
                            settings)


def _csv_frame(path: Path, errors: RowErrors, limits: ImportLimits) -> pd.DataFrame:
    try:  # every column read as text, however the header spells it: an id "007" stays "007"
        header = list(pd.read_csv(path, nrows=0).columns)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise VoteFileError(f"{path}: cannot read it as csv: {exc}") from None
    frame = read_votes_file(path, text_columns=header, limits=limits)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    unknown = [c for c in frame.columns if c not in COLUMNS]
    if "prompt" not in frame.columns or unknown:
        found = ", ".join(map(repr, frame.columns))
        raise ImportRejected(str(path), [
            f"the first line must be a header naming the columns prompt and, if wanted, id "
            f"and expected (found {found})"])
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame.astype(object).where(frame.notna(), None)


def _json_frame(path: Path, errors: RowErrors, limits: ImportLimits) -> pd.DataFrame:
    rows, numbers = [], []
    for number, value in json_rows(path, errors, limits):
        if not isinstance(value, dict):
            errors.row(number, "not a JSON object")
            continue
        unknown = [k for k in value if k not in COLUMNS]
        if unknown:
            errors.row(number, f"unknown key(s) {', '.join(map(repr, unknown))} "
                               f"(an item has prompt, id, expected)")
            continue
        rows.append(tuple(value.get(c) for c in COLUMNS))
        numbers.append(number)
    return pd.DataFrame(rows, columns=list(COLUMNS), index=numbers, dtype=object)


def _text_frame(path: Path, errors: RowErrors, limits: ImportLimits) -> pd.DataFrame:
    prompts, numbers = [], []
    try:
        # Bytes that are not UTF-8 are kept (as lone surrogates) for check_text to name the line.
        with open(path, encoding="utf-8-sig", errors="surrogateescape") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    prompts.append(line)
                    numbers.append(number)
                    if len(prompts) > limits.max_rows:
                        check_shape(path, len(prompts), None, limits)
    except OSError as exc:
        raise VoteFileError(f"{path}: cannot read it: {exc}") from None
    return pd.DataFrame({"prompt": prompts, "id": None, "expected": None}, index=numbers,
                        dtype=object)


_BAD = object()  # a value already reported


def _text(value: object, name: str, number: int, errors: RowErrors,
          numbers: tuple[type, ...]) -> object:
    """A value as stripped text (None when empty); numbers of the given types are written as
    text; anything else is reported (and _BAD returned)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, numbers) and not isinstance(value, bool):
        return str(value)
    errors.row(number, f"{name} is {type(value).__name__} {value!r}, not text")
    return _BAD


def _items(frame: pd.DataFrame, labels: tuple[str, ...], max_prompt_chars: int,
           errors: RowErrors) -> list[tuple[int, PromptItem]]:
    by_folded = {label.casefold(): label for label in labels}
    items = []
    for number, prompt, item_id, expected in zip(
            frame.index, *(frame[c] if c in frame else [None] * len(frame) for c in COLUMNS)):
        prompt = _text(prompt, "prompt", number, errors, ())
        item_id = _text(item_id, "id", number, errors, (int,))
        expected = _text(expected, "expected", number, errors, (int, float))
        if _BAD in (prompt, item_id, expected):
            continue
        try:  # the rule a live battle's prompt obeys
            validate_prompt(prompt or "", max_prompt_chars)
        except PromptRejected as exc:
            errors.row(number, "prompt is empty or missing" if exc.reason == "empty" else
                       f"prompt is {len(prompt):,} characters long "
                       f"(ARENA_MAX_PROMPT_CHARS={max_prompt_chars:,})")
            continue
        if expected is not None and labels:
            if expected.casefold() not in by_folded:
                errors.row(number, f"expected {expected!r} is not one of the labels "
                                   f"({', '.join(labels)})")
                continue
            expected = by_folded[expected.casefold()]  # the label as the set spells it
        items.append((number, PromptItem(prompt, item_id, expected)))
    return items


def _unique(items: list[tuple[int, PromptItem]], errors: RowErrors) -> list[PromptItem]:
    """Each key once; a key given again with other content is reported."""
    first: dict[str, tuple[int, PromptItem]] = {}
    for number, item in items:
        seen = first.setdefault(item.key, (number, item))
        if seen[1] != item:
            what = (f"id {item.id!r} is" if item.id is not None
                    else "the same prompt (without an id) is")
            errors.row(number, f"{what} given twice with different content (first at row "
                               f"{seen[0]})")
    return [item for _, item in first.values()]
