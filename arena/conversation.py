"""Multi-turn battles: what each side is sent for a follow-up, and the turns as JSON.

Each side sees its own conversation only: the first turn's messages (arena.battle.messages_for),
then, turn by turn, its own earlier answer (content only, never its thinking, as Ollama's own
chat clients send it back) and the person's follow-up. Side A never sees B's answers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from arena.battle import messages_for
from arena.records import Battle, Side, Turn

_SIDE_FIELDS = {f.name for f in fields(Side)}
# Who a side is: carried from the first turn to each follow-up (its figures are its own).
_IDENTITY = ("model", "digest", "host", "think")


class TurnRefused(Exception):
    """A follow-up that may not be added: `reason` is "voted", "ended", "failed", "limit",
    or "missing" (no such battle)."""

    def __init__(self, reason: str):
        super().__init__(f"follow-up refused: {reason}")
        self.reason = reason


def conversation_for(battle: Battle, side_name: str, followup: str | None = None) -> list[dict]:
    """The messages side `side_name` ("a" or "b") is sent for its next answer: its own
    conversation so far, then `followup` (None: the conversation as it stands)."""
    messages = messages_for(battle)
    for index, turn in enumerate(battle.turns):
        if index:  # the first turn's prompt is in messages_for already
            messages.append({"role": "user", "content": turn.prompt})
        messages.append({"role": "assistant", "content": turn.sides[side_name].answer})
    if followup is not None:
        messages.append({"role": "user", "content": followup})
    return messages


def new_turn(battle: Battle, prompt: str) -> Turn:
    """A follow-up turn ready to run: each side the same contestant as in the first turn."""
    def side(first: Side) -> Side:
        return Side(**{name: getattr(first, name) for name in _IDENTITY})
    return Turn(prompt=prompt, side_a=side(battle.side_a), side_b=side(battle.side_b))


def turn_failure(turn: Turn, number: int) -> str | None:
    """Why follow-up `number` (2 for the first follow-up) failed, for the battle's
    failure_reason; None when both its sides answered."""
    failures = [f"turn {number}: {name}: {side.error_kind}: {side.error}"
                for name, side in turn.sides.items() if side.failed]
    return "; ".join(failures) or None


def turn_record(turn: Turn) -> dict:
    """A turn as plain data (stored as JSON, and nested in exports)."""
    return {"prompt": turn.prompt, "created_at": turn.created_at,
            "side_a": asdict(turn.side_a), "side_b": asdict(turn.side_b)}


def turn_from_record(record: dict) -> Turn:
    """The inverse of turn_record; ValueError if `record` is not one."""
    if not isinstance(record, dict) or not isinstance(record.get("prompt"), str):
        raise ValueError("a turn must be an object with a text `prompt`")
    sides = {}
    for name in ("side_a", "side_b"):
        side = record.get(name)
        if not isinstance(side, dict) or not isinstance(side.get("model"), str):
            raise ValueError(f"a turn's `{name}` must be an object with a `model`")
        sides[name] = Side(**{k: v for k, v in side.items() if k in _SIDE_FIELDS})
    return Turn(prompt=record["prompt"], created_at=str(record.get("created_at") or ""),
                **sides)


def followups_json(turns: list[Turn]) -> str | None:
    """The follow-ups as stored (None: a single-turn battle)."""
    return json.dumps([turn_record(t) for t in turns], ensure_ascii=False) if turns else None


def followups_from_json(text: str | None) -> list[Turn]:
    """The stored follow-ups back; ValueError if `text` is not a JSON list of turns."""
    if text is None or text == "":
        return []
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg}") from exc
    if not isinstance(records, list):
        raise ValueError("a JSON list of turns was expected")
    return [turn_from_record(r) for r in records]


def conversation_json(battle: Battle) -> str:
    """Every turn of a battle, the first included, as JSON text (exports' `conversation`)."""
    return json.dumps([turn_record(t) for t in battle.turns], ensure_ascii=False)


def followups_of_conversation(text: str | None) -> list[Turn]:
    """The follow-ups of an exported `conversation` (all its turns but the first);
    ValueError if it is malformed."""
    turns = followups_from_json(text)
    return turns[1:]
