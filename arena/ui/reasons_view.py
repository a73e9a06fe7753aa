"""Why you voted: the row of reasons under a vote just cast (Arena page, live and queue), and the
Leaderboard's table of the reasons each model wins and loses by (arena.vote_reasons).

The row comes only after the vote, with the reveal: before it there is nothing to give reasons
for, and reasons that differ by side would tell the sides apart. It is never required and
never in the way: each click saves at once (one small write, Store.set_vote_reasons), and the
vote queue's next battle is already on screen below it.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pandas as pd
import streamlit as st

from arena import ratings
from arena.db import Store, VoteFilter
from arena.records import Vote
from arena.ui.common import PageContext
from arena.vote_reasons import (
    COMMENT_MAX_CHARS,
    KINDS,
    ReasonsRejected,
    reason_counts,
    reasons_for,
)

PILLS_KEY = "reasons.pills.{battle}"
COMMENT_KEY = "reasons.comment.{battle}"
OUTCOME_KEY = "reasons.outcome"  # (battle id, catalog key) of the last save: said under the row


def _save(ctx: PageContext, battle_id: str) -> None:
    """Widget callback: the row's reasons and comment, stored with the vote (or why not)."""
    reasons = st.session_state.get(PILLS_KEY.format(battle=battle_id)) or []
    comment = st.session_state.get(COMMENT_KEY.format(battle=battle_id)) or ""
    try:
        ctx.store.set_vote_reasons(battle_id, ctx.voter.name, reasons, comment)
        outcome = "reasons.saved"
    except ReasonsRejected as refused:
        outcome = f"reasons.refused.{refused.reason}"
    except sqlite3.Error:  # a database that cannot be written: the vote stands, say it plainly
        outcome = "reasons.refused.storage"
    st.session_state[OUTCOME_KEY] = (battle_id, outcome)


def reasons_row(ctx: PageContext, vote: Vote | None, problem: tuple[str, dict] | None) -> None:
    """The optional reasons of a vote this tab has just cast (none when the vote did not go
    through: `problem`, or a vote someone else cast), each change saved as it is made."""
    if vote is None or problem:
        return
    t, battle = ctx.t, vote.battle_id
    pills, comment = PILLS_KEY.format(battle=battle), COMMENT_KEY.format(battle=battle)
    if pills not in st.session_state:
        # As stored, not as `vote` was when cast: back from another page, the row shows what
        # was saved since (Streamlit forgets the state of widgets a run did not draw).
        try:
            vote = ctx.store.get_vote(battle) or vote
        except sqlite3.Error:
            pass  # the row starts empty; a save says what is wrong
        st.session_state[pills] = list(vote.reasons)
        st.session_state[comment] = vote.comment or ""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        st.pills(t(f"reasons.label.{vote.winner}"), reasons_for(vote.winner),
                 selection_mode="multi", format_func=lambda code: t(f"reason.{code}"),
                 key=pills, on_change=_save, args=(ctx, battle))
    with right:
        st.text_input(t("reasons.comment"), key=comment, max_chars=COMMENT_MAX_CHARS,
                      placeholder=t("reasons.comment_placeholder"), on_change=_save,
                      args=(ctx, battle))
    outcome = st.session_state.get(OUTCOME_KEY)
    if outcome and outcome[0] == battle:
        if outcome[1] == "reasons.saved":
            st.caption(t(outcome[1]))
        else:
            st.warning(t(outcome[1]))


# --- the Leaderboard's section ----------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _counts(db_path: str, category: str, since: date | None, until: date | None,
            voter: str | None, votes_version: int, _store: Store) -> tuple[int, pd.DataFrame]:
    """The counted votes with reasons of the board's filter and category, and their counts per
    model; keyed as the board is, so that reasons given anywhere show on the next load."""
    votes = ratings.category_table(_store.reason_votes(VoteFilter(since, until, voter)),
                                   category)
    return len(votes), reason_counts(votes)


def shown_table(counts: pd.DataFrame, t) -> pd.DataFrame:
    """One row per model, a column per kind that has any: its reasons, most given first."""
    def listed(group: pd.DataFrame) -> str:
        return " · ".join(t("reasons.count", reason=t(f"reason.{r}"), count=n)
                          for r, n in zip(group["reason"], group["count"]))

    cells = {(m, k): listed(g) for (m, k), g in counts.groupby(["model", "kind"], sort=False)}
    models = list(dict.fromkeys(counts["model"]))
    kinds = [k for k in KINDS if k in set(counts["kind"])]
    table = {t("reasons.col.model"): models}
    for kind in kinds:
        table[t(f"reasons.col.{kind}")] = [cells.get((m, kind), "") for m in models]
    return pd.DataFrame(table)


def section(ctx: PageContext, category: str, where: VoteFilter) -> None:
    """The table of reasons per model for the board's category and filter; a line when no vote
    among them was given reasons."""
    t = ctx.t
    total, counts = _counts(str(ctx.settings.db_path), category, where.since, where.until,
                            where.voter, ctx.store.votes_version(), ctx.store)
    st.subheader(t("reasons.board.title"))
    if counts.empty:
        st.caption(t("reasons.board.none"))
        return
    st.caption(t("reasons.board.caption", count=total))
    st.dataframe(shown_table(counts, t), hide_index=True, width="stretch",
                 height=min(35 * (counts["model"].nunique() + 1) + 6, 1100))
