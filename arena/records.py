"""The records the arena stores: a battle, its two sides, and its vote."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from arena.images import ImageRecord

# Chatbot Arena's winner labels, so exports load straight into its tools.
WINNERS = ("model_a", "model_b", "tie", "tie (bothbad)")
Winner = Literal["model_a", "model_b", "tie", "tie (bothbad)"]

# How a battle asks for thinking: leave it to the model, or switch it on or off.
THINK_MODES = ("default", "on", "off")
ThinkMode = Literal["default", "on", "off"]

# A model whose thinking is set by level (gpt-oss: arena.think_levels) runs at one of these
# instead, each level a contestant of its own; its sides store the level as their think value.
THINK_LEVELS = ("low", "medium", "high")
ThinkLevel = Literal["low", "medium", "high"]
THINK_VALUES = THINK_MODES + THINK_LEVELS  # what a side's think may be

_THINK_SUFFIX = {"default": "", "on": " (thinking)", "off": " (no thinking)",
                 **{level: f" (think {level})" for level in THINK_LEVELS}}


def contestant_name(model: str, think: str) -> str:
    """The name a side competes under: the same model with thinking on or off is a separate
    contestant, since whether thinking is worth its latency is a question users bring. A model
    that cannot think is run (and stored) with think "default", so it is always its plain name
    (arena.lineup.eligible_contestants; stored names were merged by a migration in arena.db.migrations)."""
    return model + _THINK_SUFFIX[think]


def parse_contestant_name(name: str) -> tuple[str, str]:
    """(model, think) of a contestant name: the inverse of `contestant_name` (Ollama's model names
    have no spaces, so a suffix is never part of a name)."""
    for think in ("on", "off", *THINK_LEVELS):
        if name.endswith(_THINK_SUFFIX[think]):
            return name[: -len(_THINK_SUFFIX[think])], think
    return name, "default"


STATUS_COMPLETE = "complete"
STATUS_FAILED = "failed"


def iso_utc(moment: datetime) -> str:
    """A time as an ISO 8601 UTC string with milliseconds, the one time format stored."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def utc_now() -> str:
    return iso_utc(datetime.now(timezone.utc))


# How files may say yes or no (a `counts` / `counted` column), lower-cased.
FLAG_WORDS = {**dict.fromkeys(("1", "1.0", "true", "yes", "t", "y"), True),
              **dict.fromkeys(("0", "0.0", "false", "no", "f", "n"), False)}


def new_battle_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Side:
    """One contestant of a battle and what it produced."""

    model: str
    digest: str = ""
    host: str = ""
    think: str = "default"  # one of THINK_VALUES
    answer: str = ""
    thinking: str = ""
    ttft_s: float | None = None  # time to first token, measured by the arena
    total_s: float | None = None  # wall time of the whole answer, measured by the arena
    load_s: float | None = None  # Ollama's load_duration
    prompt_tokens: int | None = None
    output_tokens: int | None = None  # Ollama's eval_count, thinking included
    tokens_per_s: float | None = None  # eval_count / eval_duration
    done_reason: str | None = None  # "stop" or "length"
    error_kind: str | None = None  # see arena.ollama_api.FAILURE_KINDS
    error: str | None = None  # Ollama's own words, for the record (may name the model)

    @property
    def failed(self) -> bool:
        return self.error_kind is not None


@dataclass
class Battle:
    """A whole battle: enough to recompute any rating and to be useful on its own in an export."""

    category: str
    prompt: str
    system_prompt: str
    options: dict
    side_a: Side
    side_b: Side
    id: str = field(default_factory=new_battle_id)
    created_at: str = field(default_factory=utc_now)
    status: str = STATUS_COMPLETE
    failure_reason: str | None = None
    source: str = "local"  # "local", "prompt_set" (the vote queue), or an import's
    # A vote-queue battle's prompt set, its item's id in the set's file (None if it had none),
    # the item's expected answer, and the stored answers shown as sides a and b (arena.db).
    prompt_set: str | None = None
    item_id: str | None = None
    expected: str | None = None
    answer_id_a: int | None = None
    answer_id_b: int | None = None
    # The images sent with the prompt, to both sides alike (vision models only; arena.images).
    images: tuple[ImageRecord, ...] = ()
    # The turns after the first (Battle.prompt, side_a, side_b), in order: a follow-up each.
    followups: list[Turn] = field(default_factory=list)

    @property
    def sides(self) -> dict[str, Side]:
        return {"a": self.side_a, "b": self.side_b}

    @property
    def turns(self) -> list[Turn]:
        """Every turn, the first included (built from prompt, side_a and side_b)."""
        first = Turn(prompt=self.prompt, side_a=self.side_a, side_b=self.side_b,
                     created_at=self.created_at)
        return [first, *self.followups]

    @property
    def turn_count(self) -> int:
        return 1 + len(self.followups)

    @property
    def last_sides(self) -> dict[str, Side]:
        """The sides of the latest turn (the first turn's while there is no follow-up)."""
        return self.followups[-1].sides if self.followups else self.sides


@dataclass
class Turn:
    """One follow-up of a multi-turn battle: the person's message and both sides' answers to
    it, each side having seen only its own earlier answers (arena.conversation)."""

    prompt: str
    side_a: Side
    side_b: Side
    created_at: str = field(default_factory=utc_now)

    @property
    def sides(self) -> dict[str, Side]:
        return {"a": self.side_a, "b": self.side_b}


@dataclass(frozen=True)
class ModelChoice:
    """An admin's choice for one model (by name). Models without one follow
    ArenaOptions.include_new_models and compete once."""

    included: bool = True
    split_thinking: bool = False  # a thinking model competes as two: thinking on, and off
    # A model thinking by level (arena.think_levels): the levels that compete, and the one it
    # plays at when a battle asks for thinking "on".
    levels: tuple[str, ...] = ("medium",)
    level_on: str = "medium"


SCHEDULES = ("parallel", "sequential")
# How the live Arena draws its pairs: arena.pairing.choose_pair, or arena.pairing.draw_pair.
PAIRINGS = ("adaptive", "uniform")


@dataclass(frozen=True)
class ArenaOptions:
    """Options an admin changes on the Models page, shared by every user."""

    include_new_models: bool = True
    # "sequential": one side after the other, for a GPU that cannot hold both models at once.
    schedule: str = "parallel"
    # Thinking text shown while a battle runs and before its vote. Off by default: only a
    # thinking model has any, so showing it tells which side reasons.
    show_thinking_before_vote: bool = False
    pairing: str = "adaptive"  # one of PAIRINGS


@dataclass
class Vote:
    battle_id: str
    winner: Winner
    voter: str
    voted_at: str
    counts: bool = True
    not_counted_reason: str | None = None
    reasons: tuple[str, ...] = ()  # why, picked after the vote (arena.vote_reasons codes)
    comment: str | None = None
