"""The Arena page's follow-ups of a multi-turn battle: the earlier turns shown turn by turn in
the two columns (A / B, no names before the vote), the follow-up box under a complete turn,
and the follow-up streaming, both sides at once."""

from __future__ import annotations

import time

import streamlit as st

from arena.battle import PromptRejected
from arena.battle_queue import AlreadyQueued
from arena.records import Battle
from arena.round import Round
from arena.turns import followup_blocked
from arena.ui.answers_view import render_side, render_streaming
from arena.ui.common import STARTING_KEY, PageContext
from arena.ui.lineup_state import battle_queue

# The Arena page's prompt box keys (arena.ui.arena_view, which imports this module).
PROMPT_KEY, KEPT_PROMPT_KEY = "arena.prompt", "arena.prompt_kept"
FOLLOWUP_KEY = "arena.followup"  # the follow-up box
SENDING_KEY = "arena.followup_sending"
RENDER_INTERVAL_S = 0.1


def render_earlier_turns(ctx: PageContext, battle: Battle, voted: bool) -> None:
    """Every turn but the last: its message, then both answers side by side."""
    thinking = voted or ctx.store.arena_options().show_thinking_before_vote
    for number, turn in enumerate(battle.turns[:-1], start=1):
        _turn_heading(ctx, number, turn.prompt)
        for (name, side), column in zip(turn.sides.items(), st.columns(2, border=True)):
            with column:
                render_side(ctx, name, side, thinking=thinking,
                            more_key="arena.more_in_file" if voted else "arena.more_after_vote")
    if battle.followups:
        _turn_heading(ctx, battle.turn_count, battle.followups[-1].prompt)


def _turn_heading(ctx: PageContext, number: int, prompt: str) -> None:
    st.markdown(f"**{ctx.t('turns.turn', number=number)}** · {prompt[:300]}")


def _new_answers(prompt: str) -> None:
    """Button callback: the same first prompt, run again with a newly drawn pair (the Battle
    click's path: Round.clear abandons this battle, stored, never counted)."""
    st.session_state[PROMPT_KEY] = st.session_state[KEPT_PROMPT_KEY] = prompt
    st.session_state[STARTING_KEY] = True


def followup_box(ctx: PageContext, round_: Round) -> None:
    """Under a complete turn, before the vote: the follow-up box, or why there is none; and
    "new answers" (the first prompt again, a new pair; a multi-turn battle starts over)."""
    blocked = followup_blocked(round_)
    if blocked != "none":
        st.button(ctx.t("turns.new_answers"), key="arena.new_answers",
                  on_click=_new_answers, args=(round_.battle.prompt,),
                  help=ctx.t("turns.new_answers_help"))
    if round_.turn_problem:
        st.warning(ctx.t(f"turns.refused.{round_.turn_problem}"), icon="⚠️")
    if blocked == "limit":
        st.caption(ctx.t("turns.limit", count=ctx.settings.max_turns))
        return
    if blocked is not None:
        return
    st.text_area(ctx.t("turns.followup"), key=FOLLOWUP_KEY, height=80,
                 placeholder=ctx.t("turns.placeholder"))
    st.button(ctx.t("turns.send"), key="arena.followup_send",
              on_click=lambda: st.session_state.__setitem__(SENDING_KEY, True))


def sending_followup() -> bool:
    """True once, in the run after the Send follow-up click."""
    return bool(st.session_state.pop(SENDING_KEY, False))


def run_followup(ctx: PageContext, round_: Round) -> None:
    """Stream the follow-up of the round's battle in both columns, store it, rerun."""
    prompt = st.session_state.get(FOLLOWUP_KEY, "")
    queue = battle_queue(ctx.settings.max_battles)
    try:
        ticket = round_.join(queue)
    except AlreadyQueued:
        st.warning(ctx.t("queue.busy_here"), icon="⏳")
        return
    mine = False
    try:
        note = st.empty()  # as the first turn waits: its place in the line, redrawn
        while position := round_.position(ticket):
            note.info(ctx.t("queue.waiting", count=position, capacity=queue.capacity), icon="⏳")
            time.sleep(0.25)
        note.empty()
        try:
            run = round_.start_followup(ticket, prompt)
        except PromptRejected as rejected:
            key = "prompt.empty" if rejected.reason == "empty" else "prompt.too_long"
            st.warning(ctx.t(key, count=rejected.limit, length=len(prompt)), icon="✍️")
            return
        if run is None:
            return
        try:
            render_earlier_turns(ctx, round_.battle, voted=False)
            st.markdown(f"**{ctx.t('turns.turn', number=round_.battle.turn_count + 1)}** · "
                        f"{prompt[:300]}")
            show_thinking = ctx.store.arena_options().show_thinking_before_vote
            st.button(ctx.t("arena.stop"), key="arena.stop")
            slots = {"waiting": st.empty()}
            for name, column in zip(run.sides, st.columns(2, border=True)):
                with column:
                    slots[name] = st.empty()
            began = time.monotonic()
            while not run.settled and round_.position(ticket) is not None:
                run.poll(RENDER_INTERVAL_S)
                render_streaming(ctx, run, slots, show_thinking, time.monotonic() - began)
                if run.finished:
                    break
        finally:
            mine = round_.finish(run)
    finally:
        round_.leave(ticket)
    if mine:
        st.session_state.pop(FOLLOWUP_KEY, None)
        st.rerun()


def followups_detail(ctx: PageContext, battle: Battle) -> None:
    """The Data page's later turns of a battle (names shown: its anonymity is over), each its
    message, then both answers with their figures' essentials."""
    t = ctx.t
    for number, turn in enumerate(battle.followups, start=2):
        _turn_heading(ctx, number, turn.prompt)
        for (name, side), column in zip(turn.sides.items(), st.columns(2, border=True)):
            with column:
                render_side(ctx, name, side, thinking=True, more_key="data.more_in_export")
                if side.total_s is not None:
                    st.caption(f"{t('reveal.total')}: {side.total_s:.2f} · "
                               f"{t('reveal.tokens')}: {side.output_tokens or 0}")
