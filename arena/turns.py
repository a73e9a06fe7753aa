"""A round's follow-up turns (multi-turn battles), without Streamlit: whether one may be sent,
running it on the round's battle, and storing it.

After a complete turn, before the vote, a person may send a follow-up instead of voting, up to
Settings.max_turns turns. Both sides answer it at once, each seeing only its own conversation
(arena.conversation). A follow-up whose side fails or is stopped makes the battle failed, as a
failed first turn would. The vote queue's stored battles take no follow-up.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from arena.battle import validate_prompt
from arena.conversation import TurnRefused, new_turn
from arena.engine import BattleRun
from arena.ollama_api import make_client
from arena.records import STATUS_COMPLETE, STATUS_FAILED, Battle, Turn

if TYPE_CHECKING:
    from arena.battle_queue import Ticket
    from arena.round import Round

LIVE_SOURCE = "local"  # the battles that take follow-ups: those run in an Arena tab


def followup_blocked(round_: Round) -> str | None:
    """Why the round's battle takes no follow-up now (None: it does): "none" (no battle, or
    one of the vote queue), "state" (not awaiting its vote), or "limit"."""
    from arena.round import AWAITING_VOTE
    battle, settings = round_.battle, round_._settings
    if battle is None or settings is None or battle.source != LIVE_SOURCE:
        return "none"
    if round_.state != AWAITING_VOTE:
        return "state"
    if battle.turn_count >= settings.max_turns:
        return "limit"
    return None


def start_followup(round_: Round, ticket: Ticket, prompt: str) -> BattleRun | None:
    """Run `prompt` as the next turn of the round's battle on `ticket`'s turn; None if the
    place was given up or the battle takes no follow-up. PromptRejected for a bad prompt."""
    battle, settings, store = round_.battle, round_._settings, round_._store
    if followup_blocked(round_) is not None or round_.position(ticket) != 0:
        return None
    prompt = validate_prompt(prompt, settings.max_prompt_chars)
    run = BattleRun(
        battle,
        client_factory=lambda host, transport: make_client(
            host, settings.ollama_read_timeout, settings.ollama_connect_timeout, transport),
        keep_alive=settings.keep_alive,
        sequential=store.arena_options().schedule == "sequential",
        stall_timeout=settings.ollama_stall_timeout,
        turn=new_turn(battle, prompt),
    )
    with round_._lock:
        round_._run, round_.turn_problem = run, None
    return run.start()


def save_turn(round_: Round, battle: Battle, turn: Turn) -> None:
    """Store a settled follow-up (Store.add_turn, one transaction) and add it to `battle`;
    if the store refuses, the battle stays as it was and `turn_problem` says why."""
    try:
        round_._store.add_turn(battle.id, turn, round_._settings.max_turns)
    except TurnRefused as refused:
        round_.turn_problem = refused.reason
        return
    except sqlite3.Error as exc:
        round_.turn_problem = "storage"
        round_.storage_error = str(exc)
        return
    battle.followups.append(turn)
    failures = [f"turn {battle.turn_count}: {name}: {side.error_kind}: {side.error}"
                for name, side in turn.sides.items() if side.failed]
    if failures:
        battle.status, battle.failure_reason = STATUS_FAILED, "; ".join(failures)
    else:
        battle.status = STATUS_COMPLETE
