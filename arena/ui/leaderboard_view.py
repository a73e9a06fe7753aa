"""The Leaderboard page's parts: filters, the cached computation, the table and the charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from arena import online_elo, ratings, shrinkage, tiers
from arena.db import Store, VoteFilter
from arena.display import literal_markdown
from arena.files.spreadsheet import safe_csv
from arena.ui import charts
from arena.ui.cloud_view import cloud_names, cloud_note, marked
from arena.ui.common import PageContext, category_label, keep_choice, page_link

EVERYONE = ""


@dataclass
class CategoryResults:
    board: pd.DataFrame
    win_fraction: pd.DataFrame
    battle_counts: pd.DataFrame
    gaps: list[tiers.PairGap]  # the top adjacent pairs and the votes that would split them
    borrowed: bool = False  # a category board that borrowed from the other categories
    tau: float = float("nan")  # then: how much categories differ, in Elo points


def vote_filter(ctx: PageContext) -> VoteFilter:
    """Date range and voter pickers; an empty range means all time."""
    t = ctx.t
    dates_column, voter_column = st.columns(2)
    picked = dates_column.date_input(t("board.dates"), value=(), key="board.dates",
                                     help=t("board.dates_help"))
    since = picked[0] if len(picked) >= 1 else None
    until = picked[1] if len(picked) == 2 else None
    voters = [EVERYONE] + ctx.voters()
    keep_choice("board.voter", voters)  # "everyone" is translated: see keep_choice
    voter = voter_column.selectbox(
        t("board.voter"), options=voters, key="board.voter",
        format_func=lambda v: v or t("board.everyone"))
    return VoteFilter(since=since, until=until, voter=voter or None)


def category_picker(ctx: PageContext) -> str:
    """Overall first, then every category; returns ratings.OVERALL or a category slug."""
    categories = {c.slug: c for c in ctx.store.categories()}
    options = [ratings.OVERALL] + list(categories)
    keep_choice("board.category", options)  # the labels are translated: see keep_choice
    return st.selectbox(
        ctx.t("board.category"),
        options=options,
        format_func=lambda s: ctx.t("board.overall") if s == ratings.OVERALL
        else category_label(categories[s], ctx.t),
        key="board.category",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _compute(db_path: str, category: str, since: date | None, until: date | None,
             voter: str | None, votes_version: int, rounds: int, min_votes: int,
             elo_k: float, borrow: bool, _store: Store) -> CategoryResults:
    """The board and matrices for one category. `votes_version` is in the key so that a vote
    cast anywhere shows on the next page load, while widget changes reuse the result. `borrow`:
    a category's board borrows strength from the others (arena.shrinkage)."""
    where = VoteFilter(since, until, voter)
    every = _store.vote_counts(where, clusters=True)
    borrowing = shrinkage.borrow_strength(every) \
        if borrow and category != ratings.OVERALL else None
    board, borrowed = shrinkage.category_board(every, category, borrowing, rounds, 0, min_votes)
    table = ratings.category_table(every, category)
    if board.empty:
        return CategoryResults(board, pd.DataFrame(), pd.DataFrame(), [])
    order = board["model"].tolist()
    return CategoryResults(
        board=board,
        win_fraction=ratings.win_fraction(table).reindex(index=order, columns=order),
        battle_counts=ratings.battle_counts(table).reindex(index=order, columns=order),
        gaps=tiers.separating_votes(board, table),
        borrowed=borrowed,
        tau=borrowing.tau if borrowed else float("nan"),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _history(db_path: str, category: str, since: date | None, until: date | None,
             voter: str | None, votes_version: int, elo_k: float, _store: Store) -> pd.DataFrame:
    """Online Elo needs every vote in order, one by one: kept apart from the aggregated rest."""
    scope = None if category == ratings.OVERALL else category
    votes = _store.counted_votes(VoteFilter(since, until, voter), category=scope)
    return online_elo.online_elo(votes, k=elo_k)


# Above this many votes the rating-over-time chart waits to be asked for: it reads every vote.
HISTORY_AUTO_LIMIT = 100_000


def history(ctx: PageContext, category: str, where: VoteFilter, votes: int) -> pd.DataFrame:
    s = ctx.settings
    if votes > HISTORY_AUTO_LIMIT and not st.toggle(ctx.t("board.show_history"),
                                                    key="board.history"):
        return pd.DataFrame()
    with st.spinner(ctx.t("board.computing")):
        return _history(str(s.db_path), category, where.since, where.until, where.voter,
                        ctx.store.votes_version(), s.elo_k, ctx.store)


def results(ctx: PageContext, category: str, where: VoteFilter,
            borrow: bool = True) -> CategoryResults:
    s = ctx.settings
    with st.spinner(ctx.t("board.computing")):
        return _compute(str(s.db_path), category, where.since, where.until, where.voter,
                        ctx.store.votes_version(), s.bootstrap_rounds, s.min_votes, s.elo_k,
                        borrow, ctx.store)


def borrow_toggle(ctx: PageContext, category: str, disabled: bool = False) -> bool:
    """Whether a category's board borrows from Overall (the default); Overall has no toggle.
    `disabled`: shown but not to be changed (style control fits each board on its own)."""
    if category == ratings.OVERALL:
        return True
    return st.toggle(ctx.t("board.borrow"), value=True, key="board.borrow", disabled=disabled,
                     help=ctx.t("board.borrow_help"))


def borrowing_note(ctx: PageContext, found: CategoryResults, category: str) -> None:
    """One line saying what a category's board shows: borrowed from Overall, or its own votes."""
    if category == ratings.OVERALL:
        return
    if found.borrowed:
        st.caption(ctx.t("board.borrowing", tau=f"{found.tau:.0f}"))
    else:
        st.caption(ctx.t("board.own_votes"))


def empty_state(ctx: PageContext, where: VoteFilter) -> None:
    if where != VoteFilter():
        key = "board.empty_filtered"
    elif ctx.store.count_votes():
        key = "board.empty_category"
    else:
        key = "board.empty"
    st.info(ctx.t(key), icon="🗳️")
    page_link("pages/arena.py", ctx.t("board.go_arena"), "⚔️")


def verdict(ctx: PageContext, board: pd.DataFrame) -> None:
    """One line saying why every model shares rank 1 or is provisional, when that is so."""
    undecided, provisional = ratings.undecided(board), ratings.all_provisional(board)
    if not (undecided or provisional):
        return
    key = ("board.note.undecided_provisional" if provisional else "board.note.undecided") \
        if undecided else "board.note.provisional"
    st.info(ctx.t(key, count=ctx.settings.min_votes), icon="⚖️")


def shown_table(board: pd.DataFrame, t) -> pd.DataFrame:
    """The leaderboard as displayed and downloaded: the interval as `+x / −y`."""
    return pd.DataFrame({
        t("board.col.rank"): board["rank"],
        t("board.col.tier"): board["tier"],
        t("board.col.model"): board["model"],
        t("board.col.rating"): board["rating"].round(1),
        t("board.col.interval"): ratings.interval_text(board),
        t("board.col.votes"): board["votes"],
        t("board.col.win_rate"): board["win_rate"],
        t("board.col.provisional"): board["provisional"],
    })


def table(ctx: PageContext, board: pd.DataFrame) -> None:
    """The board on screen: a cloud model's name carries the mark (the download keeps names)."""
    t = ctx.t
    shown = shown_table(board, t)
    cloud = cloud_names(ctx, board["model"])
    shown[t("board.col.model")] = [marked(name, name in cloud, t) for name in board["model"]]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(35 * (len(board) + 1) + 6, 1100),  # every model visible without scrolling
        column_config={
            t("board.col.rank"): st.column_config.NumberColumn(help=t("board.help.rank"),
                                                               width="small"),
            t("board.col.tier"): st.column_config.NumberColumn(help=t("board.help.tier"),
                                                               width="small"),
            t("board.col.rating"): st.column_config.NumberColumn(format="%.0f",
                                                                 help=t("board.help.rating")),
            t("board.col.interval"): st.column_config.TextColumn(help=t("board.help.interval")),
            t("board.col.win_rate"): st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0, help=t("board.help.win_rate")),
            t("board.col.provisional"): st.column_config.CheckboxColumn(
                help=t("board.help.provisional", count=ctx.settings.min_votes)),
        },
    )
    cloud_note(ctx, cloud)


def more_votes_lines(gaps: list[tiers.PairGap], t) -> list[str]:
    """One line per top pair the votes could still split (model names shown as written)."""
    return tiers.gap_lines(gaps, t, literal_markdown)


def more_votes(ctx: PageContext, gaps: list[tiers.PairGap]) -> None:
    """Under the table: what it would take to separate the top overlapping neighbours."""
    lines = more_votes_lines(gaps, ctx.t)
    if lines:
        st.caption("  \n".join(lines), help=ctx.t("board.more_votes_note"))


def download_csv(board: pd.DataFrame, t) -> bytes:
    """The table as shown, but the interval as two numbers a spreadsheet can use (text such as
    `+12 / −5` would be taken for a formula); model names made safe (arena.files.spreadsheet);
    UTF-8 with a byte-order mark so that Excel reads Chinese names."""
    shown = shown_table(board, t)
    interval = t("board.col.interval")
    at = shown.columns.get_loc(interval)
    shown = shown.drop(columns=interval)
    shown.insert(at, t("board.col.ci_low"), board["ci_low"].round(1))
    shown.insert(at + 1, t("board.col.ci_high"), board["ci_high"].round(1))
    return safe_csv(shown).encode("utf-8-sig")


def download(ctx: PageContext, board: pd.DataFrame, category: str) -> None:
    st.download_button(
        ctx.t("board.download"),
        data=lambda: download_csv(board, ctx.t),  # built only when clicked
        file_name=f"leaderboard-{category.lower().replace(' ', '-')}.csv",
        mime="text/csv",
        key="board.download",
    )


def chart_section(ctx: PageContext, found: CategoryResults, category: str,
                  where: VoteFilter) -> None:
    t = ctx.t
    order = found.board["model"].tolist()
    st.altair_chart(charts.ratings_with_intervals(
        found.board, t("chart.ratings"), t("chart.rating_axis"), t("chart.tier")),
        width="stretch")
    st.altair_chart(charts.win_share_heatmap(
        found.win_fraction, order, t("chart.win_fraction"), t("chart.win_share"),
        t("chart.opponent"), t("chart.model")), width="stretch")
    st.altair_chart(charts.battle_count_heatmap(
        found.battle_counts, order, t("chart.battle_counts"), t("chart.battles"),
        t("chart.model"), t("chart.model")), width="stretch")
    st.caption(t("chart.blank_cells"))
    # Each vote counts once for each of its two models.
    over_time = history(ctx, category, where, int(found.board["votes"].sum()) // 2)
    if not over_time.empty:
        st.altair_chart(charts.rating_over_time(
            over_time, t("chart.over_time", k=f"{ctx.settings.elo_k:g}"),
            t("chart.time_axis"), t("chart.elo_axis"), t("chart.votes_so_far")),
            width="stretch")
        st.caption(t("chart.legend_pick"))
