"""The Arena page's answer columns: while a battle streams, before the vote and after it.

Before the vote both columns must look alike whatever the models are: no thinking text (only a
thinking model has any) unless the arena's option shows it, no note on one side only, and a
bounded, image-free part of each answer.
"""

from __future__ import annotations

import streamlit as st

from arena.display import SHOWN_CHARS, STREAMING_CHARS, no_remote_images, shown_part
from arena.engine import BattleRun
from arena.i18n import has_message
from arena.records import Battle, Side
from arena.ui.common import PageContext


def side_label(name: str, t) -> str:
    return t(f"arena.model_{name}")


def answer_markdown(text: str, limit: int | None, more_key: str, t) -> None:
    """An answer (or thinking) as markdown that fetches nothing, at most `limit` characters of
    it (None: all), saying how much is left out."""
    shown, hidden = (text, 0) if limit is None else shown_part(text, limit)
    # Markdown with HTML disabled (Streamlit's default): a <script> in an answer stays text.
    st.markdown(no_remote_images(shown))
    if hidden:
        st.caption(t(more_key, count=hidden))


def failure_text(ctx: PageContext, side: Side) -> str:
    """Why a side failed, in the page's language (never Ollama's own words, which may name the
    model); a kind this arena does not know (an imported battle's) as it was stored."""
    key = f"failure.{side.error_kind}"
    if not has_message(key):
        return f"{side.error_kind}: {side.error}"
    timeout = ctx.settings.ollama_stall_timeout if side.error_kind == "stalled" \
        else ctx.settings.ollama_read_timeout
    return ctx.t(key, count=int(timeout))


def _whole_text(side: Side, t) -> str:
    if not side.thinking.strip():
        return side.answer
    return f"## {t('arena.thinking_label')}\n\n{side.thinking.strip()}\n\n---\n\n{side.answer}"


def render_side(ctx: PageContext, name: str, side: Side, *, thinking: bool,
                limit: int | None = SHOWN_CHARS, more_key: str = "arena.more_after_vote",
                ended: bool = True, placeholder: str | None = None,
                whole: bool = False) -> None:
    """One column of a battle. `thinking`: show the side's thinking text (after the vote, or
    when the arena's option allows it before); `placeholder`: what to show while there is no
    answer yet (the same on both sides, or nothing); `whole`: offer the whole text as a file
    when it was cut (after the vote). Before the vote nothing here may name the model, nor
    show what only one kind of model has."""
    t = ctx.t
    st.subheader(side_label(name, t))
    if thinking and side.thinking.strip():
        with st.expander(t("arena.thinking_label"), expanded=False):
            answer_markdown(side.thinking.strip(), limit, more_key, t)
    if side.answer:
        answer_markdown(side.answer, limit, more_key, t)
    elif placeholder and not side.failed:
        st.caption(placeholder)
    elif ended and not side.failed:
        st.caption(t("arena.empty_answer"))
    elif not side.failed:
        # Something must take the place a placeholder held at the last redraw: Streamlit
        # keeps an element it is not sent again on screen until the script run ends, so a
        # "thinking…" would linger on one side only.
        st.empty()
    if side.failed:
        st.error(failure_text(ctx, side))
    if whole and limit is not None and max(len(side.answer), len(side.thinking)) > limit:
        # A download, not a redraw: megabytes of markdown take the browser a minute to lay out.
        size = len(side.answer) + len(side.thinking)
        st.download_button(t("arena.download_whole", count=size), key=f"arena.whole.{name}",
                           data=lambda: _whole_text(side, t), file_name=f"answer-{name}.md",
                           mime="text/markdown", on_click="ignore")


def render_battle(ctx: PageContext, battle: Battle, voted: bool) -> None:
    """Both answers once the battle has ended: before the vote without thinking (unless the
    arena shows it), after it with thinking and, when cut, the whole text as a file."""
    thinking = voted or ctx.store.arena_options().show_thinking_before_vote
    more_key = "arena.more_in_file" if voted else "arena.more_after_vote"
    columns = st.columns(2, border=True)
    # The latest turn's answers (the earlier ones: arena.ui.followup_view).
    for (name, side), column in zip(battle.last_sides.items(), columns):
        with column:
            render_side(ctx, name, side, thinking=thinking, more_key=more_key, whole=voted)


def _thinking_placeholders(ctx: PageContext, run: BattleRun) -> dict[str, str | None]:
    """"Thinking… N tokens" for each side, but only while both sides are thinking: on one side
    alone it would tell which model reasons."""
    sides = run.sides
    thinking = {name: run.thinking_tokens(name) > 0 and not side.answer and not side.failed
                and run.phase(name) != "ended" for name, side in sides.items()}
    if not all(thinking.values()):
        return dict.fromkeys(sides)
    return {name: ctx.t("arena.thinking_progress", count=run.thinking_tokens(name))
            for name in sides}


def _still_waiting(run: BattleRun) -> bool:
    """True until both sides have started their answer (or ended): one line for both then
    says so, since a note on one side would tell which model was cold."""
    return any(not side.answer and run.phase(name) != "ended"
               for name, side in run.sides.items())


def render_streaming(ctx: PageContext, run: BattleRun, slots: dict, show_thinking: bool,
                     waited_s: float) -> None:
    """Both columns while the battle runs, the same shape on both sides, under one line
    that says the models are being waited for."""
    if _still_waiting(run):
        slots["waiting"].caption(ctx.t("arena.waiting_models", seconds=int(waited_s)))
    else:
        slots["waiting"].empty()
    placeholders = _thinking_placeholders(ctx, run) if not show_thinking else {}
    for name, side in run.sides.items():
        with slots[name].container():
            render_side(ctx, name, side, thinking=show_thinking, limit=STREAMING_CHARS,
                        more_key="arena.more_coming", ended=run.phase(name) == "ended",
                        placeholder=placeholders.get(name))
