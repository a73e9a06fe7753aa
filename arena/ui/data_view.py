"""The Data page's parts: filters, a paged table, one battle whole, downloads and import."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from arena.db import BattleFilter
from arena.display import SHOWN_CHARS
from arena.files.checks import VoteFileError
from arena.files.export import export_bytes
from arena.files.importer import import_file
from arena.i18n import has_message
from arena.records import WINNERS, Battle, Vote
from arena.ui import images_view
from arena.ui.answers_view import answer_markdown, failure_text, side_label
from arena.ui.cloud_view import cloud_names, cloud_text
from arena.ui.common import (
    NONE,
    PageContext,
    category_label,
    keep_choice,
    notice_after_rerun,
    reason_text,
)
from arena.ui.followup_view import followups_detail

PAGE_SIZE = 50
ANY = ""


def battle_filter(ctx: PageContext) -> BattleFilter:
    t = ctx.t
    categories = {c.slug: c for c in ctx.store.categories()}
    choices = {"data.category": [ANY] + list(categories), "data.model": [ANY] + ctx.contestant_names(),
               "data.voter": [ANY] + ctx.voters(), "data.winner": [ANY] + list(WINNERS),
               "data.counted": ["", "yes", "no"], "data.status": ["", "complete", "failed"]}
    for key, options in choices.items():  # labels are translated: see keep_choice
        keep_choice(key, options)
    first, second, third, fourth = st.columns(4)
    category = first.selectbox(t("data.category"), choices["data.category"], key="data.category",
                               format_func=lambda s: category_label(categories[s], t) if s
                               else t("data.any"))
    # Contestant names of battles whose names may be shown (Store.contestant_names).
    model = second.selectbox(t("data.model"), choices["data.model"], key="data.model",
                             format_func=lambda m: m or t("data.any"))
    voter = third.selectbox(t("data.voter"), choices["data.voter"], key="data.voter",
                            format_func=lambda v: v or t("data.any"))
    winner = fourth.selectbox(t("data.outcome"), choices["data.winner"], key="data.winner",
                              format_func=lambda w: t(f"vote.{w}") if w else t("data.any"))
    fifth, sixth, seventh = st.columns([2, 1, 1])
    picked = fifth.date_input(t("board.dates"), value=(), key="data.dates")
    counted = sixth.selectbox(t("data.counted"), choices["data.counted"], key="data.counted",
                              format_func=lambda c: t(f"data.counted.{c or 'any'}"))
    failed = seventh.selectbox(t("data.status"), choices["data.status"], key="data.status",
                               format_func=lambda s: t(f"data.status.{s or 'any'}"))
    return BattleFilter(
        # Anonymity: a battle still waiting for its vote names no model here, nor in downloads.
        revealed_only=True,
        category=category or None, model=model or None, voter=voter or None,
        winner=winner or None,
        since=picked[0] if len(picked) >= 1 else None,
        until=picked[1] if len(picked) == 2 else None,
        counted=None if not counted else counted == "yes",
        failed=None if not failed else failed == "failed",
    )


def _shown(value, convert: Callable = str) -> str:
    """A cell's text: NONE for a missing value."""
    return NONE if value is None or (isinstance(value, float) and pd.isna(value)) \
        else convert(value)


def _counted_text(counted, t: Callable[..., str]) -> str:
    return _shown(counted, lambda c: t("data.counted.yes" if c else "data.counted.no"))


def hidden_note(ctx: PageContext) -> None:
    """Say how many battles are left out for now, and why, so that none goes missing silently."""
    hidden = ctx.store.count_hidden()
    if hidden:
        st.caption(ctx.t("data.hidden", count=hidden))


def battle_table(ctx: PageContext, where: BattleFilter) -> pd.DataFrame:
    """One page of matching battles, newest first, with a page picker; headers and values in
    the user's language. Returns the page's rows as stored."""
    t = ctx.t
    total = ctx.store.count_battles_where(where)
    pages = max(1, -(-total // PAGE_SIZE))
    page = st.number_input(t("data.page", pages=pages, count=total), min_value=1,
                           max_value=pages, value=1, step=1, key="data.page")
    rows = ctx.store.battle_list(where, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    categories = {c.slug: c for c in ctx.store.categories()}
    shown = pd.DataFrame({
        t("data.column.id"): rows["id"].str[:8],
        t("data.column.time"): rows["tstamp"].str[:19].str.replace("T", " "),
        t("data.category"): [category_label(categories[c], t) if c in categories else c
                             for c in rows["category"]],
        t("arena.model_a"): rows["model_a"],
        t("arena.model_b"): rows["model_b"],
        t("data.outcome"): [_shown(w, lambda w: t(f"vote.{w}")) for w in rows["winner"]],
        t("data.voter"): [_shown(v) for v in rows["voter"]],
        t("data.counted"): [_counted_text(c, t) for c in rows["counted"]],
        t("data.status"): [t(f"data.status.{s}") for s in rows["status"]],
        t("data.column.source"): [source_text(s, t) for s in rows["source"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    return rows


def _seconds(value: float) -> str:
    return f"{value:,.2f} s"


def _figure_rows(battle: Battle, t: Callable[..., str]) -> pd.DataFrame:
    """Each side's figures as rows (rounded, with units), a column per side."""
    figures = [
        ("data.figure.ttft", "ttft_s", _seconds),
        ("data.figure.total", "total_s", _seconds),
        ("data.figure.load", "load_s", _seconds),
        ("data.figure.prompt_tokens", "prompt_tokens", lambda n: f"{n:,}"),
        ("data.figure.output_tokens", "output_tokens", lambda n: f"{n:,}"),
        ("data.figure.tps", "tokens_per_s",
         lambda r: t("data.figure.tps_value", rate=f"{r:,.1f}")),
        ("data.figure.done_reason", "done_reason",
         lambda r: t(f"data.done.{r}") if r in ("stop", "length") else r),
        ("reveal.host", "host", lambda h: h or NONE),
    ]
    return pd.DataFrame(
        {f"{side_label(name, t)}: {side.model}":
         [_shown(getattr(side, field), convert) for _, field, convert in figures]
         for name, side in battle.sides.items()},
        index=[t(key) for key, _, _ in figures])


def _option_rows(options: dict, t: Callable[..., str]) -> pd.DataFrame:
    """The generation options, one row each (the same for both sides)."""

    def text(key: str, value) -> str:
        if value is None:
            return NONE
        if key in ("num_ctx", "num_predict"):
            return t("data.option.tokens", count=value)
        return f"{value:g}" if isinstance(value, float) else str(value)

    keys = sorted(options)
    return pd.DataFrame(
        {t("data.column.value"): [text(k, options[k]) for k in keys]},
        index=[t(f"data.option.{k}") if has_message(f"data.option.{k}") else k for k in keys])


def _failure_rows_text(ctx: PageContext, battle: Battle) -> str | None:
    failed = [ctx.t("data.side_failure", side=side_label(name, ctx.t),
                    why=failure_text(ctx, side))
              for name, side in battle.sides.items() if side.error_kind]
    return " ".join(failed) if failed else battle.failure_reason


def source_text(source: str, t: Callable[..., str]) -> str:
    """Where a battle comes from: this arena, or the file it was imported from (as stored)."""
    key = f"data.source.{source}"
    return t(key) if has_message(key) else source


def _vote_rows(ctx: PageContext, battle: Battle, vote: Vote | None) -> pd.DataFrame:
    """The battle's status and its vote as label / value rows."""
    t = ctx.t
    reason = None
    if vote is not None and vote.not_counted_reason:
        reason = reason_text(vote.not_counted_reason, t)
    rows = {
        t("data.status"): t(f"data.status.{battle.status}"),
        t("data.failure_reason"): _shown(_failure_rows_text(ctx, battle)),
        t("data.column.source"): source_text(battle.source, t),
        t("data.outcome"): NONE if vote is None else t(f"vote.{vote.winner}"),
        t("data.voter"): NONE if vote is None else vote.voter,
        t("data.voted_at"): NONE if vote is None else vote.voted_at[:19].replace("T", " "),
        t("data.counted"): NONE if vote is None else _counted_text(vote.counts, t),
        t("data.not_counted_reason"): _shown(reason),
        # Why the voter chose so (arena.vote_reasons), in the page's language, and their words.
        t("data.reasons"): _shown(" · ".join(t(f"reason.{r}") for r in vote.reasons)
                                  if vote is not None and vote.reasons else None),
        t("data.comment"): _shown(None if vote is None else vote.comment),
    }
    if battle.prompt_set is not None:
        rows[t("data.prompt_set")] = battle.prompt_set
        rows[t("data.item_id")] = _shown(battle.item_id)
        rows[t("data.expected")] = _shown(battle.expected)
    return pd.DataFrame({t("data.column.value"): list(rows.values())}, index=list(rows))


def battle_detail(ctx: PageContext, rows: pd.DataFrame) -> None:
    """The whole of one battle of the page: prompts, answers, thinking, and the vote, figures
    and options as readable rows."""
    t = ctx.t
    if rows.empty:
        return
    names = rows.set_index("id")
    battle_id = st.selectbox(t("data.open"), rows["id"].tolist(), key="data.open",
                             format_func=lambda i: f"{i[:8]} · {names.at[i, 'model_a']}"
                             f" vs {names.at[i, 'model_b']}")
    battle = ctx.store.get_battle(battle_id)
    vote = ctx.store.get_vote(battle_id)
    if battle is None:
        return
    with st.container(border=True):
        st.markdown(f"**{t('data.prompt')}**")
        st.text(battle.prompt)
        if battle.system_prompt:
            st.caption(f"{t('data.system_prompt')}: {battle.system_prompt}")
        images_view.show_images(ctx, battle.images)
        cloud = cloud_names(ctx, [side.model for side in battle.sides.values()])
        for (name, side), column in zip(battle.sides.items(), st.columns(2)):
            with column:
                st.markdown(f"**{side_label(name, t)}: `{side.model}`** · "
                            f"{t('reveal.thinking_mode', mode=t(f'arena.thinking.{side.think}'))}"
                            + (f" · {cloud_text(t)}" if side.model in cloud else ""))
                # The answer as on the Arena page: no remote images, a bounded part of it (the
                # whole is in the downloads above).
                if side.thinking:
                    with st.expander(t("arena.thinking_label")):
                        answer_markdown(side.thinking, SHOWN_CHARS, "data.more_in_export", t)
                answer_markdown(side.answer, SHOWN_CHARS, "data.more_in_export", t)
                if side.error_kind:
                    st.error(failure_text(ctx, side))
        followups_detail(ctx, battle)  # a multi-turn battle's later turns, turn by turn
        vote_column, options_column = st.columns(2)
        with vote_column:
            st.markdown(f"**{t('data.vote')}**")
            st.table(_vote_rows(ctx, battle, vote))
        with options_column:
            st.markdown(f"**{t('data.options')}**")
            if battle.options:
                st.table(_option_rows(battle.options, t))
            else:
                st.caption(NONE)
        st.markdown(f"**{t('data.figures')}**")
        st.table(_figure_rows(battle, t))
        delete_button(ctx, battle.id)


def delete_button(ctx: PageContext, battle_id: str) -> None:
    """Delete one battle (an admin action), after an explicit confirmation."""
    t = ctx.t
    confirm = st.checkbox(t("data.delete_confirm"), key=f"data.delete_confirm.{battle_id}",
                          disabled=not ctx.admin, help=None if ctx.admin else ctx.admin_reason)
    if st.button(t("data.delete"), key=f"data.delete.{battle_id}",
                 disabled=not (confirm and ctx.admin)):
        ctx.store.delete_battles([battle_id])
        notice_after_rerun(t("data.deleted", id=battle_id[:8]))
        st.rerun()


def downloads(ctx: PageContext, where: BattleFilter) -> None:
    """Files of what the filters select, built only when a button is clicked."""
    t = ctx.t
    columns = st.columns(3)
    for form, column in zip(("csv", "jsonl", "parquet"), columns):
        column.download_button(
            t(f"data.download.{form}"),
            data=lambda form=form: export_bytes(ctx.store, where, form),
            file_name=f"arena-battles.{form}",
            mime={"csv": "text/csv", "jsonl": "application/x-ndjson",
                  "parquet": "application/octet-stream"}[form],
            key=f"data.download.{form}",
        )


def _import_failure(t, exc: Exception, path: str, name: str) -> str:
    """What the page says when an import fails; nothing was written in any case."""
    reason = str(exc).replace(path, name)  # the file as the person knows it
    if isinstance(exc, VoteFileError):  # the file's fault (ImportRejected is one too)
        return t("data.import_failed", reason=reason)
    if isinstance(exc, sqlite3.OperationalError):  # locked by another write, most often
        return t("data.import_busy", reason=reason)
    logging.getLogger(__name__).exception("import of %s failed", name)  # the log keeps it
    return t("data.import_failed", reason=f"{type(exc).__name__}: {reason}")


def import_form(ctx: PageContext) -> None:
    t = ctx.t
    with st.expander(t("data.import")):
        st.caption(t("data.import_help"))
        if not ctx.admin:
            st.caption(ctx.admin_reason)
        upload = st.file_uploader(t("data.import_file"), type=["csv", "jsonl", "json", "parquet"],
                                  key="data.upload", disabled=not ctx.admin)
        if upload is not None and ctx.admin and st.button(t("data.import_button"),
                                                          key="data.import_button"):
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / Path(upload.name).name
                path.write_bytes(upload.getvalue())
                try:
                    result = import_file(ctx.store, path, ctx.settings.imports)
                except Exception as exc:  # never a traceback on the page
                    st.error(_import_failure(t, exc, str(path), upload.name))
                    return
            st.success(t("data.imported", count=result.added,
                         already=t("data.imported.already", count=result.skipped)))
