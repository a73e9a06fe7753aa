"""The Arena page's vote queue: battles of stored prompt-set answers, one after the other.

The next battle is ready the moment a vote is stored: it is read from the database, not
generated, so a person can vote through a whole set touching nothing but the vote buttons. The
battle just voted stays on screen above the next one, revealed. Which pair comes next is
arena.vote_queue's choice; the vote's rules are arena.round's, as for a live battle.
"""

from __future__ import annotations

import random
import sqlite3

import streamlit as st

from arena.display import literal_markdown, shown_part
from arena.records import Battle, contestant_name
from arena.round import AWAITING_VOTE, VOTED, Round
from arena.ui.answers_view import render_battle
from arena.ui.arena_view import render_reveal, render_vote_buttons, vote_message
from arena.ui.cloud_view import cloud_names, cloud_text
from arena.ui.common import (
    STARTING_KEY,
    PageContext,
    category_label,
    keep_choice,
    page_link,
)
from arena.ui.reasons_view import reasons_row
from arena.vote_queue import next_queue_battle, pair_key

QUEUE_ROUND_KEY = "queue.round"  # this tab's queue round (apart from the live one)
SEEN_KEY = "queue.seen"  # the answer pairs this tab has been shown (frozensets of two ids)
LAST_KEY = "queue.last"  # (battle, vote, problem) of the battle just voted, shown revealed
SET_KEY = "queue.set"
CATEGORY_KEY = "queue.category"
ALL = ""  # a filter's "any"


LIVE, QUEUE = "live", "queue"  # the Arena page's two modes
MODE_KEY = "arena.mode"


def mode_switch(ctx: PageContext) -> str:
    """Live battle (a prompt answered now) or the prompt sets' vote queue."""
    keep_choice(MODE_KEY, (LIVE, QUEUE))
    mode = st.segmented_control(ctx.t("arena.mode"), (LIVE, QUEUE), key=MODE_KEY,
                                format_func=lambda m: ctx.t(f"arena.mode.{m}"),
                                label_visibility="collapsed",
                                # a click here would interrupt a live battle streaming
                                disabled=bool(st.session_state.get(STARTING_KEY)))
    return mode or LIVE  # a click on the chosen segment unselects it: stay live


def queue_round() -> Round:
    if QUEUE_ROUND_KEY not in st.session_state:
        st.session_state[QUEUE_ROUND_KEY] = Round()
    return st.session_state[QUEUE_ROUND_KEY]


def _seen() -> set[frozenset]:
    return st.session_state.setdefault(SEEN_KEY, set())


def _skip() -> None:
    """Leave this battle unvoted (abandoned) and show another."""
    queue_round().clear()
    st.session_state.pop(LAST_KEY, None)


def _vote_and_move_on(ctx: PageContext, winner: str, battle_id: str) -> None:
    """Button callback: cast the vote; once stored, keep the battle to reveal and clear the
    round, so that this same run draws the next battle."""
    round_ = queue_round()
    round_.vote(winner, ctx.voter, battle_id)
    if round_.state == VOTED and round_.battle is not None:
        st.session_state[LAST_KEY] = (round_.battle, round_.stored_vote, round_.vote_problem)
        round_.clear()


def queue_filters(ctx: PageContext) -> tuple[str | None, str | None] | None:
    """The category and the set to vote on (None: any), among the sets with answers; None
    after saying there is nothing to vote on yet."""
    t = ctx.t
    sets = [s.prompt_set for s in ctx.store.prompt_sets() if s.answers >= 2]
    if not sets:
        st.info(t("queue.no_sets"), icon="📋")
        page_link("pages/prompt_sets.py", t("nav.prompt_sets"), "📋")
        return None
    known = {c.slug: c for c in ctx.store.categories()}
    slugs = [ALL, *dict.fromkeys(s.category for s in sets)]

    def category_shown(slug: str) -> str:
        if slug == ALL:
            return t("queue.all_categories")
        return category_label(known[slug], t) if slug in known else slug

    left, right = st.columns(2)
    keep_choice(CATEGORY_KEY, slugs, ALL)
    slug = left.selectbox(t("arena.category"), slugs, format_func=category_shown,
                          key=CATEGORY_KEY, on_change=_skip)
    names = [ALL] + [s.name for s in sets if slug in (ALL, s.category)]
    keep_choice(SET_KEY, names, ALL)
    name = right.selectbox(t("queue.set"), names, key=SET_KEY, on_change=_skip,
                           format_func=lambda n: t("queue.all_sets") if n == ALL else n)
    return slug or None, name or None


def _offer_next(ctx: PageContext, round_: Round, category: str | None,
                prompt_set: str | None) -> None:
    """Put the next battle of the queue in the round (nothing when none is left)."""
    seen = _seen()
    battle = next_queue_battle(ctx.store, ctx.voter.name, prompt_set=prompt_set,
                               category=category, seen=frozenset(seen),
                               rng=random.SystemRandom())
    if battle is not None:
        seen.add(pair_key(battle.answer_id_a, battle.answer_id_b))
        round_.offer(battle, ctx.store)


def _last_battle(ctx: PageContext) -> None:
    """The battle just voted, revealed in two lines above the next one (its figures folded
    away), so that the next battle stays in view."""
    last = st.session_state.get(LAST_KEY)
    if last is None:
        return
    battle, vote, problem = last
    t = ctx.t
    with st.container(border=True):
        vote_message(ctx, vote, problem)
        names = {f"model_{n}": contestant_name(s.model, s.think) for n, s in battle.sides.items()}
        line = t("queue.revealed", **names)  # in code spans: shown as written
        cloud = cloud_names(ctx, names.values())  # voted already: the mark may show
        if cloud:
            line = t("queue.revealed_marked", **names, **{
                f"mark_{key[-1]}": f" · {cloud_text(t)}" if name in cloud else ""
                for key, name in names.items()})
        if battle.expected:
            line += " " + t("queue.expected", expected=literal_markdown(battle.expected))
        st.markdown(line)
        reasons_row(ctx, vote, problem)  # optional; the next battle is already below
        with st.expander(t("queue.last_details")):
            start, left_out = shown_part(battle.prompt, 160)
            prompt = literal_markdown(start) + ("…" if left_out else "")
            st.caption(t("queue.last_prompt", prompt=prompt))
            render_reveal(ctx, battle, title_key="queue.last_title")


def _battle(ctx: PageContext, round_: Round, battle: Battle) -> None:
    t = ctx.t
    st.caption(t("queue.from_set", name=literal_markdown(battle.prompt_set)))
    with st.container(border=True):
        st.markdown(t("queue.prompt"))
        st.text(battle.prompt)
    state = round_.state
    render_battle(ctx, battle, voted=state != AWAITING_VOTE)
    if state == AWAITING_VOTE:
        if round_.vote_problem:
            st.error(t(round_.vote_problem[0], **round_.vote_problem[1]))
        render_vote_buttons(ctx, round_, on_vote=_vote_and_move_on, on_new_round=_skip)
        st.button(t("queue.skip"), key="queue.skip", on_click=_skip)
    else:  # a vote the database refused or did not count: say so, then move on by hand
        vote_message(ctx, round_.stored_vote, round_.vote_problem)
        render_reveal(ctx, battle)
        st.button(t("queue.next"), key="queue.next", on_click=_skip, type="primary")


def vote_queue(ctx: PageContext) -> None:
    """The queue mode of the Arena page: filters, the battle just voted, the next battle."""
    round_ = queue_round()
    try:
        chosen = queue_filters(ctx)
        if chosen is None:
            return
        if round_.battle is None:
            _offer_next(ctx, round_, *chosen)
    except sqlite3.Error as exc:
        st.error(ctx.t("error.database_open", path=ctx.settings.db_path, reason=exc), icon="💾")
        return
    _last_battle(ctx)
    battle = round_.battle
    if battle is None:
        st.info(ctx.t("queue.done"), icon="✅")
        return
    _battle(ctx, round_, battle)
