"""The Prompt sets page's generation: start, pause, resume and stop a set's run (admin actions),
its live progress, and each item's status by contestant.

The runs are the server's (arena.generation_runs.Generators, one per server): every session sees the
same progress, and a run goes on when the page is closed. Live battles go first: the run waits
while the Arena's shared battle queue is not empty. The progress part is a fragment that
redraws itself every second while a run is going, so the rest of the page stays usable.

Anonymity: statuses and failure reasons only, never an answer's text next to its model.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from arena.generation_plan import Progress
from arena.generation_runs import Generators
from arena.generator import FINISHED, GOING, GenerationRun
from arena.lineup import Contestant
from arena.prompt_sets import PromptAnswer
from arena.records import STATUS_COMPLETE
from arena.ui.answers_view import failure_text
from arena.ui.common import NONE, PageContext
from arena.ui.lineup_state import live_busy
from arena.ui.run_controls import pause_resume_stop

REFRESH_S = 1.0  # how often a going run's progress is redrawn
WATCH_S = 3.0  # how often an idle page looks whether someone (in another tab) started a run
IDLE = "idle"  # no run of the set on this server since it started


@st.cache_resource(show_spinner=False)
def generators() -> Generators:
    """The generation runs of this server, shared by every session."""
    return Generators()


def duration_text(seconds: float | None, t: Callable[..., str]) -> str:
    """`42 s`, `3 min 05 s`, `2 h 10 min`; an estimate not known yet as such."""
    if seconds is None:
        return t("generate.estimating")
    whole = int(round(seconds))
    if whole < 60:
        return t("generate.seconds", s=whole)
    if whole < 3600:
        return t("generate.minutes", m=whole // 60, s=f"{whole % 60:02d}")
    return t("generate.hours", h=whole // 3600, m=f"{whole // 60 % 60:02d}")


def _run_state(run: GenerationRun | None) -> str:
    return IDLE if run is None else run.status().state


def generation_panel(ctx: PageContext, name: str, contestants: list[Contestant] | None) -> None:
    """The set's run: controls, progress and per-item status, redrawn live while it goes."""
    going = _run_state(generators().run(name)) in GOING
    panel = st.fragment(_panel, run_every=REFRESH_S if going else None)
    panel(ctx, name, contestants, going)
    if not going:
        st.fragment(_watch_for_a_start, run_every=WATCH_S)(name)


def _watch_for_a_start(name: str) -> None:
    """Everyone sees the same progress: a run started elsewhere redraws this page too."""
    if _run_state(generators().run(name)) in GOING:
        st.rerun()


def sets_overview(ctx: PageContext, draw: Callable[[list], None]) -> None:
    """`draw(sets)` with the stored sets (Store.prompt_sets), read again and redrawn every
    REFRESH_S while any set's answers are being generated, so its counts keep up."""
    st.fragment(lambda: draw(ctx.store.prompt_sets()),
                run_every=REFRESH_S if generators().any_going() else None)()


def _panel(ctx: PageContext, name: str, contestants: list[Contestant] | None,
           was_going: bool) -> None:
    run = generators().run(name)
    status = None if run is None else run.status()
    state = IDLE if status is None else status.state
    if was_going and state not in GOING:
        st.rerun()  # ended: the whole page shows the new counts, and stops redrawing
    names = [c.name for c in contestants or []]
    controls(ctx, name, run, state, contestants)
    progress_part(ctx, name, status, names)
    item_status(ctx, name, names)


def controls(ctx: PageContext, name: str, run: GenerationRun | None, state: str,
             contestants: list[Contestant] | None) -> None:
    """Start (or start again, which retries failed answers), pause, resume, stop."""
    t = ctx.t
    if not ctx.admin:
        st.caption(ctx.admin_reason)
        return
    columns = iter(st.columns(4))
    if state not in GOING:
        if next(columns).button(t("generate.start"), key="generate.start", type="primary",
                                disabled=not contestants, width="stretch"):
            generators().start(ctx.store, ctx.settings, name, contestants, live_busy(ctx))
            st.rerun()  # the whole page: the progress now redraws itself every second
        return
    pause_resume_stop(t, run, state, columns, "generate")


def _stored_progress(ctx: PageContext, name: str, names: list[str]) -> Progress:
    """The set's answers as stored, when no run of it is going: complete ones of the
    contestants that answer it, of every item by every one of them."""
    total = len(ctx.store.set_items(name)) * len(names)
    done = sum(a.status == STATUS_COMPLETE and a.contestant in names
               for a in ctx.store.answers(name, texts=False))
    return Progress(done, total, 0.0, None)


def progress_part(ctx: PageContext, name: str, status, names: list[str]) -> None:
    """The bar (answers done / total), the state, who is generating on which host, the time
    so far and the time left."""
    t = ctx.t
    progress = _stored_progress(ctx, name, names) if status is None else status.progress
    state = IDLE if status is None else status.state
    st.progress(min(1.0, progress.fraction),
                text=t("generate.progress", done=progress.done, count=progress.total))
    line = [t("generate.state", state=t(f"generate.state.{state}"))]
    if status is not None:
        line.append(t("generate.elapsed", time=duration_text(progress.elapsed_s, t)))
        if state in GOING:
            line.append(t("generate.remaining", time=duration_text(progress.remaining_s, t)))
        if status.failed:
            line.append(t("generate.failed_count", count=status.failed))
    st.markdown(" · ".join(line))
    if state in GOING:
        for contestant, host in progress.running:
            st.caption(t("generate.now", model=contestant, host=host))
    if status is not None and status.problems:
        st.error(t("generate.problem", reason=status.problem_text(ctx.lang)), icon="⚠️")
    elif state == FINISHED:
        st.success(t("generate.finished"), icon="✅")


def _cell(ctx: PageContext, answer: PromptAnswer | None) -> str:
    if answer is None:
        return ctx.t("generate.cell.pending")
    if answer.status == STATUS_COMPLETE:
        return ctx.t("generate.cell.done")
    return ctx.t("generate.cell.failed", reason=failure_text(ctx, answer.side))


def item_status(ctx: PageContext, name: str, names: list[str]) -> None:
    """Each item by each contestant: pending, done, or failed with the reason (the answers'
    statuses only: their texts are for the blind vote queue)."""
    t = ctx.t
    if not names:
        return
    items = ctx.store.set_items(name)
    stored = {(a.item_id, a.contestant): a for a in ctx.store.answers(name, texts=False)}
    # Pending: no complete answer and no failed one (which a new start retries).
    pending = {(item.item_id, contestant) for item, contestant in
               ctx.store.missing_answers(name, names, retry_failed=False)}
    table = {t("sets.column.position"): [s.position for s in items],
             t("sets.column.id"): [s.item.id or NONE for s in items]}
    for contestant in names:
        table[contestant] = [
            _cell(ctx, None if (s.item_id, contestant) in pending
                  else stored.get((s.item_id, contestant))) for s in items]
    st.markdown(f"**{t('generate.items')}**")
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
