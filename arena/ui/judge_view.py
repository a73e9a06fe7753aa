"""The Judge page's parts (issue 14): the judge model, the judging instruction per category,
what to judge, the server's run with its live progress, each judge's rates and, for admins, the
judgements' downloads. Choosing and running are admin actions (arena.access); everyone may look.

The run is the server's (arena.judge_run.Judges, one per server, as generation runs are): every
session sees the same progress and the run goes on when the page is closed; the progress part is
a fragment that redraws itself while it goes. Anonymity: counts and rates only, never a battle.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from arena import cli_judge
from arena.generator import FINISHED, GOING
from arena.judge_run import JudgeRun, Judges, JudgeStatus
from arena.judging import DEFAULT_INSTRUCTIONS, default_instruction, judge_rates
from arena.lineup import Contestant, catalogue, eligible_contestants
from arena.records import parse_contestant_name
from arena.ui.cloud_view import marked
from arena.ui.common import PageContext, category_label, keep_choice
from arena.ui.generation_view import duration_text
from arena.ui.lineup_state import host_reports, live_busy, reachable_reports
from arena.ui.run_controls import pause_resume_stop

REFRESH_S = 1.0  # how often a going run's progress is redrawn
WATCH_S = 3.0  # how often an idle page looks whether someone (in another tab) started a run
IDLE = "idle"
MODEL_KEY = "judge.model"
SCOPES = ("all", "category", "set")


@st.cache_resource(show_spinner=False)
def judges() -> Judges:
    """The judge run of this server, shared by every session."""
    return Judges()


def percent(share: float) -> str:
    return "—" if math.isnan(share) else f"{share:.0%}"


# --- the judge model --------------------------------------------------------------------------


def served_judges(ctx: PageContext) -> list[Contestant] | None:
    """Every chat model a reachable host serves, with its own thinking default; None after
    saying what is wrong when no host answers or none serves a model."""
    t = ctx.t
    reachable = reachable_reports(ctx)
    if reachable is None:
        return None
    served = [Contestant(e, "default") for e in catalogue(reachable) if e.info.can_chat]
    if not served:
        st.warning(t("judge.no_models"), icon="📦")
        st.code("ollama pull qwen3:8b", language="bash")
        return None
    return served


def _save_choice(ctx: PageContext) -> None:
    ctx.store.set_judge_choice(st.session_state.get(MODEL_KEY))


def contestant_models(ctx: PageContext) -> set[str]:
    """The models that compete: those taking part now, and those with counted battles."""
    entries = catalogue([r for r in host_reports(ctx) if r.reachable])
    now = eligible_contestants(entries, ctx.store.model_choices(), ctx.store.arena_options(),
                               "default")
    return {c.entry.name for c in now} | {parse_contestant_name(n)[0]
                                          for n in ctx.contestant_names()}


def judge_picker(ctx: PageContext, served: list[Contestant]) -> Contestant | None:
    """The judge: an admin picks it (stored at once); others see the stored choice. Warns when
    the judge also competes."""
    t = ctx.t
    names = [c.name for c in served]
    chosen = ctx.store.judge_choice()
    if ctx.admin:
        if st.session_state.get(MODEL_KEY) not in names:
            st.session_state[MODEL_KEY] = chosen if chosen in names else None
        cloud = {c.name for c in served if c.entry.info.cloud}  # its prompts would leave
        chosen = st.selectbox(t("judge.model"), names, key=MODEL_KEY, on_change=_save_choice,
                              args=(ctx,), placeholder=t("judge.pick"),
                              format_func=lambda n: marked(n, n in cloud, t),
                              help=t("judge.model_help"))
        if chosen is None:
            return None
    elif chosen is None:
        st.caption(t("judge.no_choice"))
        return None
    else:
        st.caption(t("judge.chosen", model=chosen))
    judge = next((c for c in served if c.name == chosen), None)
    if judge is None:
        st.warning(t("judge.not_served", model=chosen), icon="📦")
        return None
    if judge.entry.name in contestant_models(ctx):
        st.warning(t("judge.contestant_warning", model=judge.name), icon="⚠️")
    return judge


# --- the instructions -------------------------------------------------------------------------


def _is_default(text: str, category: str) -> bool:
    """Empty, or a default instruction in any language, as shown: stored as "the default"."""
    texts = DEFAULT_INSTRUCTIONS.get(category) or {
        lang: default_instruction(category, lang) for lang in ("en", "zh")}
    return not text.strip() or text.strip() in {v.strip() for v in texts.values()}


def instruction_editor(ctx: PageContext) -> None:
    """A category's judging instruction: the stored one, else the default in the page's
    language. Admins edit it (empty: the default); others read it."""
    t = ctx.t
    categories = {c.slug: c for c in ctx.store.categories()}
    with st.expander(t("judge.instructions")):
        st.caption(t("judge.instructions_help"))
        keep_choice("judge.instruction_category", list(categories))
        slug = st.selectbox(t("judge.category"), list(categories),
                            key="judge.instruction_category",
                            format_func=lambda s: category_label(categories[s], t))
        stored = ctx.store.judge_instruction(slug)
        shown = stored or default_instruction(slug, ctx.lang)
        st.caption(t("judge.instruction_custom") if stored else t("judge.instruction_default"))
        if not ctx.admin:
            st.markdown(f"> {shown}")
            st.caption(ctx.admin_reason)
            return
        text = st.text_area(t("judge.instruction"), value=shown, height=120,
                            key=f"judge.instruction.{slug}.{ctx.lang}.{bool(stored)}")
        if st.button(t("judge.instruction_save"), key="judge.instruction_save"):
            ctx.store.set_judge_instruction(slug, None if _is_default(text, slug) else text)
            st.session_state.pop(f"judge.instruction.{slug}.{ctx.lang}.{bool(stored)}", None)
            st.rerun()


# --- what to judge ----------------------------------------------------------------------------


def scope_picker(ctx: PageContext) -> dict | None:
    """All, a category or a prompt set, and at most how many: JudgeRun's keyword arguments
    (None for a non-admin, who cannot start a run)."""
    t = ctx.t
    if not ctx.admin:
        return None
    keep_choice("judge.scope", SCOPES)
    scope_column, which_column, limit_column = st.columns([2, 2, 1])
    scope = scope_column.radio(t("judge.scope"), SCOPES, key="judge.scope", horizontal=True,
                               format_func=lambda s: t(f"judge.scope.{s}"))
    chosen: dict = {"category": None, "prompt_set": None, "limit": None}
    if scope == "category":
        categories = {c.slug: c for c in ctx.store.categories()}
        keep_choice("judge.scope_category", list(categories))
        chosen["category"] = which_column.selectbox(
            t("judge.category"), list(categories), key="judge.scope_category",
            format_func=lambda s: category_label(categories[s], t))
    elif scope == "set":
        names = [s.prompt_set.name for s in ctx.store.prompt_sets()]
        if not names:
            which_column.caption(t("judge.no_sets"))
            return None
        keep_choice("judge.scope_set", names)
        chosen["prompt_set"] = which_column.selectbox(t("judge.set"), names,
                                                      key="judge.scope_set")
    limit = limit_column.number_input(t("judge.limit"), min_value=0, step=10, value=0,
                                      key="judge.limit", help=t("judge.limit_help"))
    chosen["limit"] = int(limit) or None
    return chosen


# --- the run ----------------------------------------------------------------------------------


def _run_state(run: JudgeRun | None) -> str:
    return IDLE if run is None else run.status().state


def run_panel(ctx: PageContext, judge: Contestant | None, scope: dict | None) -> None:
    """The server's run: controls and live progress, redrawn while it goes."""
    going = _run_state(judges().run()) in GOING
    st.fragment(_panel, run_every=REFRESH_S if going else None)(ctx, judge, scope, going)
    if not going:
        st.fragment(_watch_for_a_start, run_every=WATCH_S)()


def _watch_for_a_start() -> None:
    if _run_state(judges().run()) in GOING:
        st.rerun()


def _panel(ctx: PageContext, judge: Contestant | None, scope: dict | None,
           was_going: bool) -> None:
    run = judges().run()
    status = None if run is None else run.status()
    state = IDLE if status is None else status.state
    if was_going and state not in GOING:
        st.rerun()  # ended: the whole page shows the new rates, and stops redrawing
    controls(ctx, run, state, judge, scope)
    progress_part(ctx, status)


def controls(ctx: PageContext, run: JudgeRun | None, state: str, judge: Contestant | None,
             scope: dict | None) -> None:
    t = ctx.t
    if not ctx.admin:
        st.caption(ctx.admin_reason)
        return
    columns = iter(st.columns(4))
    if state not in GOING:
        left = None
        if judge is not None and scope is not None:
            left = len(ctx.store.judge_subjects(judge.name, category=scope["category"],
                                                prompt_set=scope["prompt_set"],
                                                limit=scope["limit"]))
            if left:
                st.caption(t("judge.left", count=left, model=judge.name))
        if next(columns).button(t("judge.start"), key="judge.start", type="primary",
                                disabled=not left, width="stretch"):
            judges().start(ctx.store, ctx.settings, judge, judge.hosts[0], live_busy=live_busy(ctx),
                           **scope)
            st.rerun()
        if left == 0:
            st.info(t("judge.nothing_left"), icon="✅")
        return
    pause_resume_stop(t, run, state, columns, "judge")


def progress_part(ctx: PageContext, status: JudgeStatus | None) -> None:
    """Done / total, the state, per minute, time left, the outcomes so far and the rates."""
    t = ctx.t
    if status is None:
        return
    st.markdown(f"**{t('judge.run', model=status.judge_model)}**")
    fraction = status.done / status.total if status.total else 1.0
    st.progress(min(1.0, fraction), text=t("judge.progress", done=status.done,
                                            count=status.total))
    line = [t("generate.state", state=t(f"judge.state.{status.state}")),
            t("generate.elapsed", time=duration_text(status.elapsed_s, t)),
            t("judge.per_minute", rate=f"{status.per_minute:.1f}")]
    if status.state in GOING:
        line.append(t("generate.remaining", time=duration_text(status.remaining_s, t)))
    st.markdown(" · ".join(line))
    rates = status.rates
    st.markdown(t("judge.outcomes", wins=rates.wins, ties=rates.ties, abstained=rates.abstained,
                  no_verdict=rates.no_verdict, failed=status.failed,
                  bias=percent(rates.position_bias_rate),
                  no_verdict_rate=percent(rates.no_verdict_rate)))
    if status.problems:
        st.error(t("judge.failed", reason=status.problem_text(ctx.lang)), icon="⚠️")
    elif status.state == FINISHED:
        st.success(t("judge.finished", count=rates.judged), icon="✅")


# --- each judge's rates, and the downloads ----------------------------------------------------


def rates_table(ctx: PageContext) -> None:
    """Every judge's complete judgements counted: wins, ties, abstained, no verdict, rates."""
    t = ctx.t
    st.subheader(t("judge.rates"))
    names = ctx.store.judge_models()
    if not names:
        st.caption(t("judge.none_yet"))
        return
    rows = []
    for name in names:
        rates = judge_rates(ctx.store.judge_outcomes(name))
        rows.append({t("judge.col.judge"): name, t("judge.col.judged"): rates.judged,
                     t("judge.col.wins"): rates.wins, t("judge.col.ties"): rates.ties,
                     t("judge.col.abstained"): rates.abstained,
                     t("judge.col.no_verdict"): rates.no_verdict,
                     t("judge.col.bias"): percent(rates.position_bias_rate),
                     t("judge.col.no_verdict_rate"): percent(rates.no_verdict_rate)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("judge.rates_help"))


def downloads(ctx: PageContext) -> None:
    """Every judgement with its audit columns, CSV or JSON Lines (admins only: the raw
    outputs quote the answers), without those of battles still hidden, as the Data page's
    exports leave them out."""
    if not ctx.admin or not ctx.store.judge_models():
        return
    t = ctx.t
    csv_column, lines_column = st.columns(2)
    for column, form, mime in ((csv_column, "csv", "text/csv"),
                               (lines_column, "jsonl", "application/jsonl")):
        column.download_button(
            t(f"judge.download.{form}"),
            data=lambda form=form: cli_judge.judgements_text(
                ctx.store.judgements(revealed_only=True), form).encode("utf-8"),  # when clicked
            file_name=f"arena-judgements.{form}", mime=mime, key=f"judge.download.{form}")
