"""The Arena page's parts: model availability, the streaming battle, voting and the reveal."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable

import pandas as pd
import streamlit as st

from arena import ratings
from arena.battle import PromptRejected, validate_prompt
from arena.battle_queue import AlreadyQueued, Ticket
from arena.categories import Category
from arena.images import ImageRecord
from arena.lineup import Contestant, catalogue, eligible_contestants
from arena.pairing import NotEnoughModels, choose_pair, draw_pair
from arena.records import WINNERS, Battle, ThinkMode, Vote
from arena.round import AWAITING_VOTE, FAILED, STOPPED_STATE, UNSTORED, VOTED, Round
from arena.ui import images_view
from arena.ui.answers_view import render_battle, render_streaming, side_label
from arena.ui.cloud_view import cloud_names, cloud_text
from arena.ui.common import STARTING_KEY, PageContext, keep_choice, reason_text
from arena.ui.followup_view import followup_box, render_earlier_turns
from arena.ui.lineup_state import battle_queue, reachable_reports
from arena.ui.reasons_view import reasons_row
from arena.ui.think_levels_view import level_caption

ROUND_KEY = "arena.round"  # this tab's round (arena.round): its queue place, battle and vote
START_KEY = "arena.start"  # the Battle button
QUEUE_POLL_S = 0.25
IDLE_REDRAW_S = 1.0
RENDER_INTERVAL_S = 0.1  # redraw streaming answers at most ten times a second


def load_categories(ctx: PageContext) -> dict[str, Category]:
    """The task categories by slug; stops the page with a clear message if they cannot be read."""
    try:
        return {c.slug: c for c in ctx.store.categories()}
    except sqlite3.Error as exc:
        st.error(ctx.t("error.database_open", path=ctx.settings.db_path, reason=exc), icon="💾")
        st.stop()


PROMPT_KEY = "arena.prompt"


KEPT_PROMPT_KEY = "arena.prompt_kept"  # the prompt box's text, while another page is open


def prompt_box(ctx: PageContext) -> str:
    """The prompt box. Its text survives a visit to another page: Streamlit drops the state of
    a widget that a run did not draw, so the text is also kept under a plain key."""
    if PROMPT_KEY not in st.session_state:
        st.session_state[PROMPT_KEY] = st.session_state.get(KEPT_PROMPT_KEY, "")
    prompt = st.text_area(ctx.t("arena.prompt"), key=PROMPT_KEY, height=140,
                          placeholder=ctx.t("arena.prompt_placeholder"))
    st.session_state[KEPT_PROMPT_KEY] = prompt
    return prompt


def preset_picker(ctx: PageContext, category: Category) -> None:
    """A select box of the category's preset prompts; picking one fills the prompt box."""
    if not category.presets:
        return
    key = f"arena.preset.{category.slug}"

    def use_preset() -> None:
        if st.session_state[key]:
            st.session_state[PROMPT_KEY] = st.session_state[key]

    options = [""] + category.presets
    keep_choice(key, options, "")
    st.selectbox(
        ctx.t("arena.preset"),
        options=options,
        format_func=lambda p: p.splitlines()[0][:120] if p else ctx.t("arena.preset_none"),
        key=key,
        on_change=use_preset,
    )


def available_contestants(ctx: PageContext, think_mode: ThinkMode,
                          note: str = "arena.models_available",
                          vision: bool = False) -> list[Contestant] | None:
    """Who can be drawn, or None after telling the user what is wrong. Unreachable hosts are
    skipped with a note; nothing here names a model. `note` says how many there are; `vision`:
    the prompt has images, so only vision models."""
    t = ctx.t
    reachable = reachable_reports(ctx)
    if reachable is None:
        return None
    if think_mode != "default" and any(not r.think_control for r in reachable):
        st.caption(t("hosts.no_think_control"))
    drawn = eligible_contestants(catalogue(reachable), ctx.store.model_choices(),
                        ctx.store.arena_options(), think_mode, vision)
    if len(drawn) < 2 and vision:
        return images_view.too_few_vision(ctx, len(drawn))
    if len(drawn) < 2:
        key = "ollama.too_few_thinking" if think_mode == "on" else "ollama.too_few_models"
        st.warning(t(key, count=len(drawn)), icon="📦")
        st.code("ollama pull qwen3:8b", language="bash")
        return None
    st.caption(t(note, count=len(drawn)))
    level_caption(ctx, think_mode, drawn)  # what the choice means for level models
    return drawn


def settings_summary(ctx: PageContext) -> None:
    g = ctx.settings.generation
    with st.expander(ctx.t("arena.settings")):
        st.caption(ctx.t(
            "arena.settings_body",
            temperature=g.temperature,
            num_ctx=g.num_ctx,
            num_predict=g.num_predict,
            seed=g.seed if g.seed is not None else ctx.t("arena.seed_random"),
        ))
        schedule = ctx.store.arena_options().schedule
        st.caption(ctx.t("arena.schedule_note", schedule=ctx.t(f"options.schedule.{schedule}")))


# --- the round: the queue, the streaming battle, the vote ---------------------------------


def current_round() -> Round:
    """This tab's round (arena.round): the one session key the Arena keeps about its battle."""
    if ROUND_KEY not in st.session_state:
        st.session_state[ROUND_KEY] = Round()
    return st.session_state[ROUND_KEY]


def settle_interrupted_battle(ctx: PageContext) -> None:
    """Stop and store a battle whose script run was interrupted by a click (Stop included)."""
    current_round().settle_interrupted()


def battle_button(ctx: PageContext, prompt: str, drawn: list[Contestant] | None,
                  blocked: bool = False) -> bool:
    """The Battle button; True when it was clicked. It is drawn disabled in the run that
    streams the battle it started: a second click would throw that battle away (Stop is the
    way out). A click that starts nothing (no prompt, no models) leaves it enabled."""
    starting = st.session_state.pop(STARTING_KEY, False)
    try:
        will_run = starting and drawn is not None and \
            bool(validate_prompt(prompt, ctx.settings.max_prompt_chars))
    except PromptRejected:
        will_run = False
    st.button(ctx.t("arena.battle"), key=START_KEY, type="primary", disabled=will_run or blocked,
              on_click=_start_clicked)
    return starting


def _start_clicked() -> None:
    st.session_state[STARTING_KEY] = True


def run_battle(
    ctx: PageContext,
    category: Category,
    prompt: str,
    drawn: list[Contestant] | None,
    images: tuple[ImageRecord, ...] = (),
) -> None:
    """Validate, draw two contestants, stream both answers, store the battle, then rerun."""
    t = ctx.t
    round_ = current_round()
    round_.clear()
    try:
        prompt = validate_prompt(prompt, ctx.settings.max_prompt_chars)
    except PromptRejected as rejected:
        if rejected.reason == "empty":
            st.warning(t("prompt.empty"), icon="✍️")
        else:
            st.error(t("prompt.too_long", count=rejected.limit, length=len(prompt)), icon="✂️")
        return
    if drawn is None:
        return
    try:
        pair = draw_battle_pair(ctx, category, drawn)
    except NotEnoughModels:
        return
    queue = battle_queue(ctx.settings.max_battles)
    try:
        ticket = round_.join(queue)
    except AlreadyQueued:
        st.warning(t("queue.busy_here"), icon="⏳")
        return
    try:
        if wait_for_turn(ctx, round_, ticket, queue.capacity):
            stream_battle(ctx, round_, ticket, category, prompt, pair, images)
    finally:
        round_.leave(ticket)


def draw_battle_pair(ctx: PageContext, category: Category,
                     drawn: list[Contestant]) -> tuple[Contestant, Contestant]:
    """The battle's two contestants: uniformly, or (the default) where the category's votes
    so far say a vote changes its board the most (arena.pairing.choose_pair)."""
    if ctx.store.arena_options().pairing == "uniform":
        return draw_pair(drawn)
    counts = ratings.category_table(ctx.store.vote_counts(), category.slug)
    return choose_pair(counts, drawn, random.SystemRandom())


def wait_for_turn(ctx: PageContext, round_: Round, ticket: Ticket, capacity: int) -> bool:
    """Wait, showing the place in the line, until this battle may run; False if the ticket
    was given up meanwhile (a Cancel click reruns the page, which leaves the line)."""
    position = round_.position(ticket)
    if position:
        st.button(ctx.t("queue.cancel"), key="arena.cancel_wait")
        note = st.empty()
        while position:
            note.info(ctx.t("queue.waiting", count=position, capacity=capacity), icon="⏳")
            time.sleep(QUEUE_POLL_S)
            position = round_.position(ticket)
        note.empty()
    return position == 0


def stream_battle(ctx: PageContext, round_: Round, ticket: Ticket, category: Category,
                  prompt: str, pair: tuple[Contestant, Contestant],
                  images: tuple[ImageRecord, ...] = ()) -> None:
    """Run the battle, redrawing both columns as they grow; store it, then rerun the page."""
    run = round_.start(ticket, ctx.store, ctx.settings, category, prompt, pair, images)
    if run is None:
        return  # the place was given up meanwhile (a newer run of this page took over)
    # From here on, any click (Stop included) interrupts this run at its next Streamlit call.
    # Whichever comes first, the `finally` below or the next run's settle_interrupted_battle,
    # stops both sides and stores the battle, so nothing keeps generating on the server.
    try:
        show_thinking = ctx.store.arena_options().show_thinking_before_vote
        st.button(ctx.t("arena.stop"), key="arena.stop")
        images_view.show_images(ctx, run.battle.images)
        slots = {"waiting": st.empty()}
        columns = st.columns(2, border=True)
        for name, column in zip(run.sides, columns):
            with column:
                slots[name] = st.empty()
        last_draw, began = 0.0, time.monotonic()
        dirty = True
        while not run.settled:
            dirty = run.poll(RENDER_INTERVAL_S) or dirty
            if round_.position(ticket) is None:  # the place is gone: so is the right to run
                break
            now = time.monotonic()
            # Redrawn at least once a second even without news: the waiting counter moves, and
            # each Streamlit call is where this run notices a Stop click or a closed tab.
            if (dirty and now - last_draw >= RENDER_INTERVAL_S) or run.finished or \
                    now - last_draw >= IDLE_REDRAW_S:
                render_streaming(ctx, run, slots, show_thinking, now - began)
                last_draw, dirty = now, False
            if run.finished:
                break
    finally:
        mine = round_.finish(run)
    if mine:  # else a newer run of this page settled it and owns the page's state now
        st.rerun()


# --- voting and the reveal ------------------------------------------------------------------


def _new_round() -> None:
    current_round().clear()


def _cast_vote(ctx: PageContext, winner: str, battle_id: str) -> None:
    """Button callback: the round applies the vote's rules and stores it."""
    current_round().vote(winner, ctx.voter, battle_id)


def render_vote_buttons(ctx: PageContext, round_: Round,
                        on_vote: Callable[[PageContext, str, str], None] = _cast_vote,
                        on_new_round: Callable[[], None] = _new_round) -> None:
    """The four vote buttons (`on_vote(ctx, winner, battle id)` on a click), under a warning
    when an answer names a model (with a way to leave the battle: `on_new_round`). Each click
    names the battle it was cast on: a second click that arrives once the next battle is on
    screen (the vote queue shows one at once) must not become a vote on a battle unseen."""
    battle_id = round_.battle.id
    if round_.leaks:
        # Said before the vote, not after, and without saying which side: the reader sees
        # that for themself, and may still vote (stored, not counted) or start again.
        st.warning(ctx.t("vote.leak_warning"), icon="🏷️")
        st.button(ctx.t("arena.new_round"), key="arena.new_round_leak", on_click=on_new_round)
    st.markdown(f"**{ctx.t('arena.vote_prompt')}**")
    for winner, column in zip(WINNERS, st.columns(len(WINNERS))):
        column.button(
            ctx.t(f"vote.{winner}"),
            # The battle in the key: a click on the buttons of the battle before reaches no
            # widget of this run, and so casts nothing.
            key=f"arena.vote.{winner}.{battle_id}",
            on_click=on_vote,
            args=(ctx, winner, battle_id),
            width="stretch",
        )


def _figures_table(ctx: PageContext, battle: Battle) -> pd.DataFrame:
    t = ctx.t

    def shown(value, digits: int) -> str:
        return "—" if value is None else f"{value:,.{digits}f}"

    sides = list(battle.sides.values())
    rows = {
        t("reveal.ttft"): [shown(s.ttft_s, 2) for s in sides],
        t("reveal.total"): [shown(s.total_s, 2) for s in sides],
        t("reveal.load"): [shown(s.load_s, 2) for s in sides],
        t("reveal.tokens"): [shown(s.output_tokens, 0) for s in sides],
        t("reveal.tps"): [shown(s.tokens_per_s, 1) for s in sides],
        t("reveal.host"): [s.host for s in sides],
    }
    columns = [f"{side_label(n, t)}: {s.model}" for n, s in battle.sides.items()]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def vote_message(ctx: PageContext, vote: Vote | None, problem: tuple[str, dict] | None) -> None:
    """What came of a vote: why it did not go through, or thanks; and whether it counts."""
    t = ctx.t
    if problem:
        st.info(t(problem[0], **problem[1]))
    elif vote is not None:
        st.success(t("vote.recorded", choice=t(f"vote.{vote.winner}")), icon="🗳️")
    if vote is not None and not vote.counts:
        st.info(t("vote.not_counted", reason=reason_text(vote.not_counted_reason, t)))


def render_reveal(ctx: PageContext, battle: Battle, title_key: str = "reveal.title") -> None:
    t = ctx.t
    st.subheader(t(title_key))
    # After the vote only (a mark only one side has would tell the sides apart before it).
    cloud = cloud_names(ctx, [side.model for side in battle.sides.values()])
    for (name, side), column in zip(battle.sides.items(), st.columns(2)):
        mode = t(f"arena.thinking.{side.think}")
        column.markdown(f"**{side_label(name, t)}: `{side.model}`** · "
                        f"{t('reveal.thinking_mode', mode=mode)}"
                        + (f" · {cloud_text(t)}" if side.model in cloud else ""))
    st.table(_figures_table(ctx, battle))
    if battle.followups:  # the table is the first turn's; every turn's is kept
        st.caption(t("turns.figures_first", count=battle.turn_count))


def show_current_battle(ctx: PageContext) -> None:
    """The last battle of this tab: its answers, then the vote buttons or the reveal."""
    round_ = current_round()
    battle = round_.battle
    if battle is None:
        return
    t = ctx.t
    state = round_.state
    problem = round_.vote_problem
    images_view.show_images(ctx, battle.images)
    # Thinking stays hidden only while there is a vote to keep blind.
    render_earlier_turns(ctx, battle, voted=state != AWAITING_VOTE)
    render_battle(ctx, battle, voted=state != AWAITING_VOTE)
    if state == UNSTORED:
        st.error(t("error.storage", path=ctx.settings.db_path, reason=round_.storage_error),
                 icon="💾")
    elif state in (FAILED, STOPPED_STATE):
        st.warning(t("battle.stopped" if state == STOPPED_STATE else "battle.failed"), icon="⚠️")
    elif state == AWAITING_VOTE:
        if problem:
            st.error(t(problem[0], **problem[1]))
        render_vote_buttons(ctx, round_)
        followup_box(ctx, round_)  # or send a follow-up instead of voting now
        return
    elif state == VOTED:
        vote_message(ctx, round_.stored_vote, problem)
        reasons_row(ctx, round_.stored_vote, problem)  # after the vote only: optional
        render_reveal(ctx, battle)
    st.button(t("arena.new_round"), key="arena.new_round", on_click=_new_round, type="primary")
