"""A round's follow-up turns (multi-turn battles), without Streamlit: whether one may be sent,
and what a stored one does to its battle (arena.round.Round runs and stores it).

After a complete turn, before the vote, a person may send a follow-up instead of voting, up to
Settings.max_turns turns. Both sides answer it at once, each seeing only its own conversation
(arena.conversation). A follow-up whose side fails or is stopped makes the battle failed, as a
failed first turn would. The vote queue's stored battles take no follow-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arena.conversation import turn_failure
from arena.records import STATUS_COMPLETE, STATUS_FAILED, Battle, Turn

if TYPE_CHECKING:
    from arena.round import Round

LIVE_SOURCE = "local"  # the battles that take follow-ups: those run in an Arena tab


def followup_blocked(round_: Round) -> str | None:
    """Why the round's battle takes no follow-up now (None: it does): "none" (no battle, or
    one of the vote queue), "state" (not awaiting its vote), or "limit"."""
    from arena.round import AWAITING_VOTE
    battle, settings = round_.battle, round_.settings
    if battle is None or settings is None or battle.source != LIVE_SOURCE:
        return "none"
    if round_.state != AWAITING_VOTE:
        return "state"
    if battle.turn_count >= settings.max_turns:
        return "limit"
    return None


def add_turn(battle: Battle, turn: Turn) -> None:
    """Add a stored follow-up to `battle`: a side that failed or was stopped makes the battle
    failed (no vote), as a failed first turn would."""
    battle.followups.append(turn)
    failure = turn_failure(turn, battle.turn_count)
    battle.status = STATUS_FAILED if failure else STATUS_COMPLETE
    battle.failure_reason = failure
