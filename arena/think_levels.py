"""Models whose thinking is set by level, not switched on or off: gpt-oss takes `think` "low",
"medium" or "high", ignores true and false (it thinks at "medium" then) and cannot stop thinking.

Which models: Ollama's own rule (server/images.go, routes.go: the harmony format and the thinking
capability of gpt-oss) is the model family from the model's config, `gptoss` (or `gpt-oss`), which
/api/tags reports as `details.family`. Such a model competes once per level an admin chose
(`model (think high)`, arena.records.contestant_name), and a battle's thinking choice maps to its
levels here: "on" plays the admin's level for "on", "off" the lowest chosen level, "default" any
chosen level.
"""

from __future__ import annotations

from collections.abc import Iterable

from arena.records import THINK_LEVELS, ModelChoice

# details.family of the models Ollama drives by level (as its server names the family).
LEVEL_FAMILIES = ("gptoss", "gpt-oss")
DEFAULT_LEVEL = "medium"  # Ollama's level for `think` true or unset


def takes_levels(family: str) -> bool:
    """Whether a model of this family (details.family) sets its thinking by level."""
    return family in LEVEL_FAMILIES


def ordered(levels: Iterable[str]) -> tuple[str, ...]:
    """Known levels among `levels`, once each, lowest first."""
    given = set(levels)
    return tuple(level for level in THINK_LEVELS if level in given)


def chosen_levels(choice: ModelChoice) -> tuple[str, ...]:
    """The levels that compete: the admin's, else Ollama's default one."""
    return ordered(choice.levels) or (DEFAULT_LEVEL,)


def level_on(choice: ModelChoice) -> str:
    """The level a battle asking for thinking "on" plays: the admin's, if it competes, else the
    highest chosen one."""
    levels = chosen_levels(choice)
    return choice.level_on if choice.level_on in levels else levels[-1]


def levels_for(choice: ModelChoice, think_mode: str) -> tuple[str, ...]:
    """The levels a model competes at in a battle whose user chose `think_mode`."""
    levels = chosen_levels(choice)
    if think_mode == "on":
        return (level_on(choice),)
    if think_mode == "off":
        return levels[:1]  # it cannot stop thinking: the least it does
    return levels


def packed(levels: Iterable[str]) -> str:
    """Levels as stored (model_choices.think_levels): `low,high`."""
    return ",".join(ordered(levels))


def unpacked(text: str | None) -> tuple[str, ...]:
    """Stored levels; () for none (the default then applies: chosen_levels)."""
    return ordered((text or "").split(","))
