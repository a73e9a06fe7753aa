"""The Data page's parts: filters, a paged table, one battle whole, downloads and import."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import streamlit as st

from arena import exchange
from arena.records import WINNERS
from arena.store import BattleFilter
from arena.ui.common import PageContext, category_label, notice_after_rerun
from arena.vote_files import VoteFileError

PAGE_SIZE = 50
# Anonymity: a battle still waiting for its vote names no model here, in any tab, until then.
UNVOTED_HIDDEN_FOR = timedelta(hours=1)
ANY = ""


def battle_filter(ctx: PageContext) -> BattleFilter:
    t = ctx.t
    categories = {c.slug: c for c in ctx.store.categories()}
    first, second, third, fourth = st.columns(4)
    category = first.selectbox(t("data.category"), [ANY] + list(categories), key="data.category",
                               format_func=lambda s: category_label(categories[s], t) if s
                               else t("data.any"))
    model = second.selectbox(t("data.model"), [ANY] + ctx.contestants(), key="data.model",
                             format_func=lambda m: m or t("data.any"))
    voter = third.selectbox(t("data.voter"), [ANY] + ctx.voters(), key="data.voter",
                            format_func=lambda v: v or t("data.any"))
    winner = fourth.selectbox(t("data.outcome"), [ANY] + list(WINNERS), key="data.winner",
                              format_func=lambda w: t(f"vote.{w}") if w else t("data.any"))
    fifth, sixth, seventh = st.columns([2, 1, 1])
    picked = fifth.date_input(t("board.dates"), value=(), key="data.dates")
    counted = sixth.selectbox(t("data.counted"), ["", "yes", "no"], key="data.counted",
                              format_func=lambda c: t(f"data.counted.{c or 'any'}"))
    failed = seventh.selectbox(t("data.status"), ["", "complete", "failed"], key="data.status",
                               format_func=lambda s: t(f"data.status.{s or 'any'}"))
    return BattleFilter(
        unvoted_before=(datetime.now(timezone.utc) - UNVOTED_HIDDEN_FOR).isoformat(),
        category=category or None, model=model or None, voter=voter or None,
        winner=winner or None,
        since=picked[0] if len(picked) >= 1 else None,
        until=picked[1] if len(picked) == 2 else None,
        counted=None if not counted else counted == "yes",
        failed=None if not failed else failed == "failed",
    )


def battle_table(ctx: PageContext, where: BattleFilter) -> pd.DataFrame:
    """One page of matching battles, newest first, with a page picker."""
    total = ctx.store.count_battles_where(where)
    pages = max(1, -(-total // PAGE_SIZE))
    page = st.number_input(ctx.t("data.page", pages=pages, total=total), min_value=1,
                           max_value=pages, value=1, step=1, key="data.page")
    rows = ctx.store.battle_list(where, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"id": st.column_config.TextColumn(width="small")})
    return rows


def battle_detail(ctx: PageContext, rows: pd.DataFrame) -> None:
    """The whole of one battle of the page: prompts, answers, thinking, options, figures, vote."""
    t = ctx.t
    if rows.empty:
        return
    battle_id = st.selectbox(t("data.open"), rows["id"].tolist(), key="data.open",
                             format_func=lambda i: f"{i[:8]} · {rows.set_index('id').at[i, 'model_a']}"
                             f" vs {rows.set_index('id').at[i, 'model_b']}")
    battle = ctx.store.get_battle(battle_id)
    vote = ctx.store.get_vote(battle_id)
    if battle is None:
        return
    with st.container(border=True):
        st.markdown(f"**{t('data.prompt')}**")
        st.text(battle.prompt)
        if battle.system_prompt:
            st.caption(f"{t('data.system_prompt')}: {battle.system_prompt}")
        for (name, side), column in zip(battle.sides.items(), st.columns(2)):
            with column:
                st.markdown(f"**{t(f'arena.model_{name}')}: `{side.model}`** · "
                            f"{t('reveal.thinking_mode', mode=t(f'arena.thinking.{side.think}'))}")
                if side.thinking:
                    with st.expander(t("arena.thinking_label")):
                        st.text(side.thinking)
                st.markdown(side.answer)
                if side.error_kind:
                    st.error(f"{side.error_kind}: {side.error}")
        delete_button(ctx, battle.id)
        st.json({"options": battle.options, "status": battle.status,
                 "failure_reason": battle.failure_reason, "source": battle.source,
                 "figures": {name: {k: getattr(side, k) for k in (
                     "ttft_s", "total_s", "load_s", "prompt_tokens", "output_tokens",
                     "tokens_per_s", "done_reason")} for name, side in battle.sides.items()},
                 "vote": None if vote is None else vars(vote)}, expanded=False)


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
            data=lambda form=form: exchange.export_bytes(ctx.store, where, form),
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
                    result = exchange.import_file(ctx.store, path, ctx.settings.imports)
                except Exception as exc:  # never a traceback on the page
                    st.error(_import_failure(t, exc, str(path), upload.name))
                    return
            st.success(t("data.imported", added=result.added, skipped=result.skipped))
