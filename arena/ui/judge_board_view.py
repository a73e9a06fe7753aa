"""The Leaderboard page's judge section (issue 14): a judge model's own board for the category,
labelled as its opinion, computed by the same code as the human board from its judgements alone,
and how far it agrees with people: battles, raw agreement, Cohen's kappa, the confusion table,
the rank correlation between the two boards, and a warning where it is not to be trusted.

Human boards never read a judgement (they are built from Store.vote_counts); this section never
reads a vote except to measure agreement.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from arena import agreement, ratings, shrinkage
from arena.db import Store
from arena.ui.common import PageContext
from arena.ui.leaderboard_view import table

JUDGE_KEY = "board.judge"
# The confusion table's labels: its rows (the human vote) and columns (the judge's outcome).
HUMAN_LABELS = dict(zip(agreement.HUMAN_ROWS, ("judge.human.a", "judge.human.b",
                                               "judge.human.tie", "judge.human.both_bad")))
JUDGE_LABELS = dict(zip(agreement.JUDGE_COLUMNS, ("judge.outcome.a", "judge.outcome.b",
                                                  "judge.outcome.tie", "judge.outcome.abstain")))


@st.cache_data(show_spinner=False, max_entries=32)
def _judge_board(db_path: str, judge: str, category: str, counts: pd.DataFrame, rounds: int,
                 min_votes: int, _store: Store) -> pd.DataFrame:
    """The judge's board: the human board's code (shrinkage.category_board, its own judgements
    alone) on Store.judge_counts; `counts` in the key, so new judgements show at once."""
    board, _ = shrinkage.category_board(counts, category, None, rounds, 0, min_votes)
    return board


def judge_picker(ctx: PageContext) -> str | None:
    """The judge whose board is shown: the only one, or a choice; None without judgements."""
    names = ctx.store.judge_models()
    if len(names) <= 1:
        return names[0] if names else None
    chosen = ctx.store.judge_choice()
    if st.session_state.get(JUDGE_KEY) not in names:
        st.session_state[JUDGE_KEY] = chosen if chosen in names else names[0]
    return st.selectbox(ctx.t("judge.board.pick"), names, key=JUDGE_KEY)


def _number(value: float, digits: int = 2) -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


def agreement_part(ctx: PageContext, judge: str, category: str, judge_board: pd.DataFrame,
                   human_board: pd.DataFrame) -> None:
    """Agreement with people on the battles both have judged, for the category (or Overall)."""
    t = ctx.t
    st.markdown(f"**{t('judge.agree.title', model=judge)}**")
    pairs = ctx.store.judge_agreement_pairs(judge)
    if category != ratings.OVERALL:
        pairs = pairs[pairs["category"] == category]
    if pairs.empty:
        st.info(t("judge.agree.none"), icon="🤝")
        return
    summary = agreement.agreement_by_category(pairs).iloc[-1]  # Overall of the rows kept
    correlation = agreement.rank_correlation(judge_board, human_board) \
        if not human_board.empty and not judge_board.empty else math.nan
    battles, raw, kappa, rho = st.columns(4)
    battles.metric(t("judge.agree.battles"), int(summary["battles"]),
                   help=t("judge.agree.battles_help", judged=int(summary["judged"]),
                          abstained=int(summary["abstained"]),
                          no_verdict=int(summary["no_verdict"])))
    raw.metric(t("judge.agree.raw"), "—" if math.isnan(summary["raw_agreement"])
               else f"{summary['raw_agreement']:.0%}", help=t("judge.agree.raw_help"))
    kappa.metric(t("judge.agree.kappa"), _number(summary["kappa"]),
                 help=t("judge.agree.kappa_help", trust=agreement.TRUST_KAPPA))
    rho.metric(t("judge.agree.rank"), _number(correlation), help=t("judge.agree.rank_help"))
    if not summary["trusted"]:
        key = "judge.agree.untrusted_few" if summary["judged"] < \
            agreement.MIN_AGREEMENT_BATTLES else "judge.agree.untrusted"
        st.warning(t(key, model=judge, kappa=_number(summary["kappa"]),
                     trust=agreement.TRUST_KAPPA, count=agreement.MIN_AGREEMENT_BATTLES,
                     judged=int(summary["judged"])), icon="🚩")
    else:
        st.success(t("judge.agree.trusted", model=judge, kappa=_number(summary["kappa"])),
                   icon="🤝")
    confusion = agreement.confusion_table(pairs["human"].tolist(), pairs["judge"].tolist())
    st.dataframe(pd.DataFrame(
        confusion.to_numpy(),
        index=[t(HUMAN_LABELS[k]) for k in confusion.index],
        columns=[t(JUDGE_LABELS[k]) for k in confusion.columns]),
        width="stretch")
    st.caption(t("judge.agree.confusion_help", count=confusion.attrs["no_verdict"]))


def section(ctx: PageContext, category: str, human_board: pd.DataFrame) -> None:
    """The judge board and its agreement with people; nothing at all without judgements."""
    judge = judge_picker(ctx)
    if judge is None:
        return
    t = ctx.t
    st.divider()
    st.subheader(t("judge.board.title", model=judge))
    st.caption(t("judge.board.caption", model=judge))
    s = ctx.settings
    board = _judge_board(str(s.db_path), judge, category, ctx.store.judge_counts(judge),
                         s.bootstrap_rounds, s.min_votes, ctx.store)
    if board.empty:
        st.info(t("judge.board.empty", model=judge), icon="⚖️")
    else:
        table(ctx, board)
    agreement_part(ctx, judge, category, board, human_board)
