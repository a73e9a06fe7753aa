"""Imported rows checked a column at a time and put in the form the store takes (the flat
columns of arena.files.schema): this arena's own export, or Chatbot Arena style vote rows. Every
bad value is reported with its row (arena.files.checks.RowErrors); nothing is written here.

Checks run on whole pandas columns rather than row by row: at 100,000 battles, per-row Python is
what takes the time.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from arena.conversation import (
    followups_from_json,
    followups_json,
    followups_of_conversation,
    turn_from_record,
)
from arena.db import options_text
from arena.files.checks import RowErrors, check_names, text_problem
from arena.files.images import check_images
from arena.files.schema import (
    FLAT_COLUMNS,
    FLAT_SIDE,
    FLOAT_COLUMNS,
    INTEGER_COLUMNS,
    REASON_FIELDS,
    SET_FIELDS,
    SIDE_FIELDS,
)
from arena.records import (
    FLAG_WORDS,
    STATUS_COMPLETE,
    STATUS_FAILED,
    THINK_VALUES,
    WINNERS,
    Turn,
    contestant_name,
    iso_utc,
    utc_now,
)
from arena.settings import ImportLimits
from arena.vote_reasons import ReasonsRejected, check_reasons, parse_reasons, reasons_text

IMPORT_NAMESPACE = uuid.UUID("6f1c3b2e-0d4a-4c59-9a57-7d1c5f0e2b11")
UNIX_TIME = re.compile(r"\d+(\.\d*)?")
OUR_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")  # arena.records.iso_utc


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype=object)


def _blank(values: pd.Series) -> pd.Series:
    blank = values.isna()
    if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        blank |= (values == "").fillna(False).astype(bool)
    return blank


def _text(values: pd.Series, default: str | None = "") -> pd.Series:
    """Values as Python text (numbers written out), blanks as `default`."""
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) not in (
            "string", "empty"):
        values = values.astype("string").astype(object)
    blank = values.isna()
    if default != "":  # an empty text is already its own default
        blank |= values == ""
    return values.where(~blank, default)


def _numbers(values: pd.Series, name: str, errors: RowErrors, whole: bool = False) -> pd.Series:
    """Values as Python floats (or ints), blanks as None; anything else is a bad row."""
    blank = _blank(values)
    numbers = pd.to_numeric(values.where(~blank), errors="coerce")
    errors.add(numbers.isna() & ~blank, lambda v: f"{name} is {v!r}, not a number", values)
    if whole:
        errors.add(numbers.notna() & (numbers % 1 != 0),
                   lambda v: f"{name} is {v!r}, not a whole number", values)
        return numbers.astype(object).where(numbers.notna(), None).map(
            lambda v: v if v is None else int(v))
    return numbers.astype(object).where(numbers.notna(), None)


def _unknown_winner(label) -> str:
    return f"unknown winner label {label!r} (expected one of {', '.join(WINNERS)})"


def _one_of(values: pd.Series, allowed: tuple[str, ...], errors: RowErrors,
            message: Callable[[object], str]) -> None:
    errors.add(values.notna() & ~values.isin(allowed), message, values)


def _tstamp(value) -> str:
    """ISO 8601 UTC from an ISO string or a Unix time (Chatbot Arena's `tstamp`)."""
    if isinstance(value, str) and UNIX_TIME.fullmatch(value.strip()):
        value = float(value)  # a CSV file's Unix time arrives as text
    if isinstance(value, (int, float)):
        stamp = datetime.fromtimestamp(float(value), tz=timezone.utc)
    else:
        try:
            stamp = datetime.fromisoformat(str(value))
        except ValueError:  # forms Python does not read; pandas reads most of the rest
            stamp = pd.Timestamp(str(value)).to_pydatetime()
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
    return iso_utc(stamp)


def _times(values: pd.Series, name: str, errors: RowErrors) -> pd.Series:
    """Times as our ISO 8601 UTC text (kept as they are when already in it); blanks None."""
    blank = _blank(values)
    text = values.astype("string")
    ours = text.str.fullmatch(OUR_TIME).fillna(False)
    # In our form, but a real time? (A 30 February must not get through unchecked.)
    real = pd.to_datetime(text.where(ours), format="%Y-%m-%dT%H:%M:%S.%fZ", errors="coerce")
    ours &= real.notna()
    times = values.astype(object).where(~blank, None)
    others = (~blank & ~ours).to_numpy(dtype=bool)
    if others.any():
        converted = []
        for row, value in values[others].items():
            try:
                converted.append(_tstamp(value.item() if isinstance(value, np.generic) else value))
            except (ValueError, TypeError, OverflowError, OSError):
                errors.row(row, f"{name} is {value!r}, not a time")
                converted.append(None)
        times[others] = converted
    return times


def _counted(values: pd.Series, name: str, rows: pd.Series, errors: RowErrors) -> pd.Series:
    """Whether each vote counts (blank: it does); any other word than yes/no is a bad row."""
    flags = values.astype("string").str.strip().str.lower().map(FLAG_WORDS)
    blank = _blank(values)
    errors.add(rows & ~blank & flags.isna(), lambda v: f"{name} is {v!r}, not true or false",
               values)
    return flags.astype(object).where(~blank, True)


def _options(value) -> str:
    """A battle's options as the JSON text the store keeps (keys sorted)."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    elif value is None or (isinstance(value, float) and value != value):
        value = {}
    if not isinstance(value, dict):
        raise ValueError("options is not an object")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # would be stored escaped, then break every export
        raise ValueError("options is not valid text (a lone surrogate or bytes that are not "
                         "UTF-8)") from None
    return options_text(value)


def _not_itself(model_a: pd.Series, model_b: pd.Series, errors: RowErrors) -> None:
    """A contestant against itself would count as a tie with itself: no such battle."""
    errors.add((model_a == model_b) & (model_a != ""),
               lambda name: f"model_a and model_b are the same model ({name})", model_a)


def _set_fields(raw: pd.DataFrame, out: pd.DataFrame, limits: ImportLimits,
                errors: RowErrors) -> None:
    """A vote-queue battle's prompt set, item id and expected answer (None when blank, as for
    a live battle). A set's name and an item's id are names: no control characters; an item id
    or an expected answer without a set would belong to nothing."""
    for name in SET_FIELDS:
        out[name] = _text(_column(raw, name), None)
    for name in ("prompt_set", "item_id"):
        check_names(out[name], name, limits, errors)
    no_set = out["prompt_set"].isna()
    for name in ("item_id", "expected"):
        errors.add(no_set & out[name].notna(), lambda _, n=name: f"{n} without a prompt_set")


def _no_value(value) -> bool:
    """A cell with nothing in it: missing, blank text, or an empty list (JSON Lines)."""
    if isinstance(value, list):
        return not value
    return value is None or pd.isna(value) or (isinstance(value, str) and not value.strip())


def _reasons(raw: pd.DataFrame, out: pd.DataFrame, errors: RowErrors) -> None:
    """A vote's reasons (a list in JSON Lines, its JSON text in CSV and Parquet) and comment,
    checked as Store.set_vote_reasons checks them, in the form it stores (JSON text, trimmed
    comment; None for none). Older files have neither: every vote then has none."""
    out["reasons"], out["comment"] = None, None
    if not set(REASON_FIELDS) & set(raw.columns):
        return
    reasons, comments = _column(raw, "reasons"), _text(_column(raw, "comment"), None)
    given = ~reasons.map(_no_value).astype(bool) | comments.notna()
    stored: dict[int, tuple] = {}
    for row in given.index[given.to_numpy(dtype=bool)]:
        winner, value = out.at[row, "winner"], reasons[row]
        if winner is None:
            errors.row(row, "reasons or a comment without a vote")
            continue
        if winner not in WINNERS:
            continue  # reported with the winner already
        try:
            codes = value if isinstance(value, list) else \
                parse_reasons(None if _no_value(value) else str(value))
            if not all(isinstance(c, str) for c in codes):
                raise ValueError("not texts")
            codes, comment = check_reasons(winner, codes, comments[row])
        except ReasonsRejected as refused:
            errors.row(row, str(refused))
            continue
        except (ValueError, TypeError, RecursionError):  # JSONDecodeError is a ValueError
            errors.row(row, f"reasons is {value!r}, not a list of reasons")
            continue
        stored[row] = (reasons_text(codes), comment)
    if stored:
        rows = list(stored)
        out.loc[rows, "reasons"] = [stored[r][0] for r in rows]
        out.loc[rows, "comment"] = [stored[r][1] for r in rows]


def own_frame(raw: pd.DataFrame, source: str, errors: RowErrors,
               limits: ImportLimits) -> pd.DataFrame:
    """Our own export's rows, checked and put in the form the store takes."""
    out = pd.DataFrame(index=raw.index)
    out["id"] = _text(_column(raw, "id"), None)
    errors.add(out["id"].isna(), lambda _: "id is empty")
    out["status"] = _text(_column(raw, "status"), STATUS_COMPLETE)
    _one_of(out["status"], (STATUS_COMPLETE, STATUS_FAILED), errors,
            lambda v: f"status is {v!r}")
    for side in "ab":
        for name in SIDE_FIELDS:
            column = f"{FLAT_SIDE[name]}_{side}"
            values = _column(raw, column)
            if column in INTEGER_COLUMNS or column in FLOAT_COLUMNS:
                out[column] = _numbers(values, column, errors, whole=column in INTEGER_COLUMNS)
            elif name in ("done_reason", "error_kind", "error"):
                out[column] = _text(values, None)
            else:
                out[column] = _text(values, "default" if name == "think" else "")
        _one_of(out[f"think_{side}"], THINK_VALUES, errors,
                lambda v, s=side: f"think_{s} is {v!r}, not one of {', '.join(THINK_VALUES)}")
        errors.add(out[f"ollama_model_{side}"] == "",
                   lambda _, s=side: f"the model of side {s} is empty")
        check_names(out[f"ollama_model_{side}"], f"ollama_model_{side}", limits, errors)
        think = out[f"think_{side}"].where(out[f"think_{side}"].isin(THINK_VALUES), "default")
        out[f"model_{side}"] = list(map(contestant_name, out[f"ollama_model_{side}"], think))
    _not_itself(out["model_a"], out["model_b"], errors)
    out["tstamp"] = _times(_column(raw, "tstamp"), "tstamp", errors)
    out["tstamp"] = out["tstamp"].where(out["tstamp"].notna(), utc_now())
    out["category"] = _text(_column(raw, "category"), "general")
    for name in ("prompt", "system_prompt"):
        out[name] = _text(_column(raw, name))
    for name in ("failure_reason", "not_counted_reason"):
        out[name] = _text(_column(raw, name), None)
    out["source"] = _text(_column(raw, "source"), source)
    _set_fields(raw, out, limits, errors)
    options = []
    for row, value in _column(raw, "options").items():
        try:
            options.append(_options(value))
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            errors.row(row, str(exc) if "options" in str(exc) else f"options is not JSON: {exc}")
            options.append("{}")
        except RecursionError:
            errors.row(row, "options nested too deeply")
            options.append("{}")
    out["options"] = options

    winner = _text(_column(raw, "winner"), None)
    voted = winner.notna()
    _one_of(winner, WINNERS, errors, _unknown_winner)
    errors.add(voted & (out["status"] == STATUS_FAILED),
               lambda _: "a failed battle cannot have a vote")
    out["winner"] = winner
    out["counted"] = _counted(_column(raw, "counted"), "counted", voted, errors).where(voted, None)
    out["voter"] = _text(_column(raw, "voter"), "imported").where(voted, None)
    voted_at = _times(_column(raw, "voted_at"), "voted_at", errors)
    out["voted_at"] = voted_at.where(voted_at.notna(), out["tstamp"]).where(voted, None)
    _reasons(raw, out, errors)
    check_images(raw, out, errors, limits)
    _turns(raw, out, errors, limits)
    return out[FLAT_COLUMNS]


def _turns(raw: pd.DataFrame, out: pd.DataFrame, errors: RowErrors,
           limits: ImportLimits) -> None:
    """A multi-turn battle's follow-ups, from JSON Lines' nested `followups` or a flat row's
    `conversation` (all turns, JSON text), checked; `conversation` becomes the follow-ups'
    JSON as stored (None: a single turn) and `turns` their count plus one. Older files have
    neither: every battle then has one turn."""
    nested, flat = _column(raw, "followups"), _column(raw, "conversation")
    stored, counts = [], []
    for row in out.index:
        value, text = nested[row], flat[row]
        try:
            if isinstance(value, list):
                turns = [turn_from_record(t) for t in value]
            elif not _no_value(value):
                turns = followups_from_json(str(value))
            else:
                turns = followups_of_conversation(None if _no_value(text) else str(text))
        except (ValueError, TypeError, RecursionError) as exc:
            errors.row(row, f"the conversation is not a JSON list of turns: {exc}")
            turns = []
        sides = {s: (out.at[row, f"ollama_model_{s}"], out.at[row, f"think_{s}"]) for s in "ab"}
        for number, turn in enumerate(turns, start=2):
            if problem := _turn_problem(turn, sides, limits.max_field_chars):
                errors.row(row, f"turn {number}: {problem}")
                turns = []  # the row is refused: nothing of it goes any further
                break
        stored.append(followups_json(turns))
        counts.append(1 + len(turns))
    out["conversation"], out["turns"] = stored, counts


def _turn_problem(turn: Turn, sides: dict[str, tuple[str, str]], limit: int) -> str | None:
    """What is wrong with an imported follow-up: a text too long or not valid Unicode (as any
    other field), or a side played by another contestant than in the first turn."""
    for name, side in turn.sides.items():
        if (side.model, side.think) != sides[name]:
            return f"side {name} is {side.model!r}, not the first turn's {sides[name][0]!r}"
    texts = {"prompt": turn.prompt,
             **{f"{field}_{name}": getattr(side, field) for name, side in turn.sides.items()
                for field in ("answer", "thinking", "error") if getattr(side, field)}}
    for field, value in texts.items():
        if isinstance(value, str) and (problem := text_problem(value, limit)):
            return f"{field} {problem}"
    return None


def arena_frame(raw: pd.DataFrame, source: str, errors: RowErrors,
                 limits: ImportLimits) -> pd.DataFrame:
    """Chatbot Arena style rows: only the pair, the winner and perhaps category, time, id."""
    out = pd.DataFrame(index=raw.index)
    model_a, model_b = _text(raw["model_a"]), _text(raw["model_b"])
    check_names(model_a, "model_a", limits, errors)
    check_names(model_b, "model_b", limits, errors)
    errors.add((model_a == "") | (model_b == ""), lambda _: "model_a and model_b are required")
    _not_itself(model_a, model_b, errors)
    winner = _text(raw["winner"], None)
    errors.add(~winner.isin(WINNERS), _unknown_winner, raw["winner"])
    category = _text(_column(raw, "category"), "general")
    tstamp = _column(raw, "tstamp")
    times = _times(tstamp, "tstamp", errors)
    out["id"] = _text(_column(raw, "id"), None)
    missing = out["id"].isna().to_numpy(dtype=bool)
    if missing.any():
        # Stable across re-imports of the same file: the row's content and how many identical
        # rows came before it.
        content = pd.DataFrame({"a": model_a, "b": model_b, "w": winner.fillna(""),
                                "c": category, "t": _text(tstamp)})[missing]
        occurrence = content.groupby(list(content.columns), sort=False).cumcount() + 1
        out.loc[missing, "id"] = [
            str(uuid.uuid5(IMPORT_NAMESPACE, "\x1f".join([*key, str(n)])))
            for key, n in zip(content.itertuples(index=False, name=None), occurrence)]
    out["tstamp"] = times.where(times.notna(), utc_now())
    out["category"] = category
    out["model_a"], out["model_b"], out["winner"] = model_a, model_b, winner
    out["voter"] = _text(_column(raw, "voter"), "imported")
    name = "counted" if "counted" in raw.columns else "counts"
    out["voted_at"] = out["tstamp"]
    out["counted"] = _counted(_column(raw, name), name, winner.notna(), errors)
    out["status"], out["source"], out["options"] = STATUS_COMPLETE, source, "{}"
    out["prompt"] = _text(_column(raw, "prompt"))
    out["system_prompt"] = ""
    _set_fields(raw, out, limits, errors)
    for side, model in (("a", model_a), ("b", model_b)):
        out[f"ollama_model_{side}"], out[f"think_{side}"] = model, "default"
        for name in ("digest", "host", "answer", "thinking"):
            out[f"{name}_{side}"] = ""
    for name in FLAT_COLUMNS:
        if name not in out.columns:
            out[name] = None
    return out[FLAT_COLUMNS]
