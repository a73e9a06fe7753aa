"""Tiers of a board, and the votes that would tell two neighbours apart (arena.tiers)."""

import numpy as np
import pandas as pd
import pytest
from rating_helpers import difference_interval
from seed import simulated_rows

from arena import ratings
from arena.tiers import (
    PairGap,
    head_to_head,
    separating_votes,
    tier_numbers,
    votes_to_separate,
)


def board_of(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    """A hand-made board: (model, rating, ci_low, ci_high), best first."""
    return pd.DataFrame(rows, columns=["model", "rating", "ci_low", "ci_high"])


def table_of(rows: list[tuple]) -> pd.DataFrame:
    return ratings.count_table(pd.DataFrame([r[:3] for r in rows],
                                            columns=["model_a", "model_b", "winner"]))


# --- tiers ------------------------------------------------------------------------------------


def test_tiers_of_a_hand_made_board():
    board = board_of([("a", 1200, 1150, 1250),
                      ("b", 1160, 1100, 1220),   # reaches a's lower bound 1150
                      ("c", 1120, 1060, 1150),   # just reaches it (equal counts)
                      ("d", 1050, 1000, 1149),   # short of it: leads tier 2
                      ("e", 1020, 990, 1060),    # reaches d's lower bound 1000
                      ("f", 900, 850, 990)])     # short of d's: tier 3
    assert tier_numbers(board["ci_low"], board["ci_high"]).tolist() == [1, 1, 1, 2, 2, 3]


def test_a_wide_interval_past_the_break_joins_the_later_tier():
    # "c" reaches the leader's bound but comes after "b", which does not: tiers are runs in
    # rating order, so "c" is in b's tier (one band each on the chart).
    board = board_of([("a", 1200, 1180, 1220), ("b", 1100, 1090, 1110),
                      ("c", 1095, 900, 1290)])
    assert tier_numbers(board["ci_low"], board["ci_high"]).tolist() == [1, 2, 2]


def test_every_model_apart_and_all_together():
    apart = board_of([(m, 1000 - 100 * k, 980 - 100 * k, 1020 - 100 * k)
                      for k, m in enumerate("abcd")])
    assert tier_numbers(apart["ci_low"], apart["ci_high"]).tolist() == [1, 2, 3, 4]
    together = board_of([(m, 1000 - k, 800, 1200) for k, m in enumerate("abcd")])
    assert tier_numbers(together["ci_low"], together["ci_high"]).tolist() == [1, 1, 1, 1]
    assert tier_numbers(np.array([]), np.array([])).tolist() == []


def test_the_leaderboard_has_a_tier_column_on_simulated_votes():
    true = {"top:1": 1300.0, "top:2": 1290.0, "mid:1": 1000.0, "mid:2": 990.0, "low:1": 650.0}
    board = ratings.leaderboard(table_of(simulated_rows(true, 5000, seed=2)), rounds=200)
    assert list(board.columns) == ratings.LEADERBOARD_COLUMNS and "tier" in board.columns
    assert dict(zip(board["model"], board["tier"])) == {
        "top:1": 1, "top:2": 1, "mid:1": 2, "mid:2": 2, "low:1": 3}


@pytest.mark.parametrize("seed", range(5))
def test_tiers_follow_their_definition_on_simulated_votes(seed):
    true = {f"m{k}:1": 1000.0 + 45 * k for k in range(8)}
    board = ratings.leaderboard(table_of(simulated_rows(true, 600, seed=seed)), rounds=200)
    tier, low, high = (board[c].to_numpy() for c in ("tier", "ci_low", "ci_high"))
    assert tier[0] == 1 and (np.diff(tier) >= 0).all() and (np.diff(tier) <= 1).all()
    for k in range(len(board)):
        leader = np.flatnonzero(tier == tier[k])[0]
        assert high[k] >= low[leader]  # reaches its tier leader's lower bound
        if leader == k and k > 0:  # a tier leader is short of the previous leader's bound
            previous = np.flatnonzero(tier == tier[k] - 1)[0]
            assert high[k] < low[previous]


# --- votes to tell two models apart ------------------------------------------------------------


def test_votes_to_separate_follows_the_formula():
    # gap 40, half-widths 60 and 60, 10 games won 6 to 4: p = 7 / 12.
    p = 7 / 12
    expected = (400 / np.log(10)) ** 2 * 1.959964 ** 2 / (p * (1 - p)) * (1 / 40 ** 2 -
                                                                           1 / 7200)
    assert votes_to_separate(40.0, 60.0, 60.0, 6.0, 10) == int(np.ceil(expected))
    # A smaller gap or wider intervals need more votes.
    assert votes_to_separate(20.0, 60.0, 60.0, 6.0, 10) > votes_to_separate(40.0, 60.0, 60.0,
                                                                            6.0, 10)
    assert votes_to_separate(40.0, 90.0, 90.0, 6.0, 10) > votes_to_separate(40.0, 60.0, 60.0,
                                                                            6.0, 10)


def test_votes_to_separate_says_none_when_it_cannot_tell():
    assert votes_to_separate(40.0, 60.0, 60.0, 0.0, 0) is None  # never met
    assert votes_to_separate(0.2, 60.0, 60.0, 5.0, 10) is None  # level: no gap to confirm
    assert votes_to_separate(90.0, 60.0, 60.0, 5.0, 10) is None  # difference excludes zero


def test_head_to_head_counts_both_sides_and_half_ties():
    table = table_of([("a", "b", "model_a")] * 3 + [("b", "a", "model_a")] * 2 +
                     [("b", "a", "model_b")] + [("a", "b", "tie (bothbad)")] +
                     [("a", "c", "model_a")] * 4)
    assert head_to_head(table, "a", "b") == (4.5, 7)
    assert head_to_head(table, "b", "a") == (2.5, 7)
    assert head_to_head(table, "b", "c") == (0.0, 0)


def test_separating_votes_for_the_top_pairs():
    table = table_of([("a", "b", "model_a")] * 6 + [("a", "b", "model_b")] * 4 +
                     [("b", "c", "model_a")] * 5)
    board = board_of([("a", 1100, 1040, 1160), ("b", 1060, 1000, 1120),
                      ("c", 800, 700, 900), ("d", 790, 690, 890)])
    gaps = separating_votes(board, table, pairs=3)
    assert gaps == [PairGap("a", "b", votes_to_separate(40.0, 60.0, 60.0, 6.0, 10)),
                    PairGap("b", "c", None),   # intervals apart already
                    PairGap("c", "d", None)]   # never met
    assert len(separating_votes(board, table, pairs=1)) == 1
    assert separating_votes(board.head(1), table) == []


TRUE = {"a:1": 1100.0, "b:1": 1060.0, "c:1": 1000.0, "d:1": 950.0, "e:1": 900.0, "f:1": 850.0}


def separated_share(rows: list[tuple], gap: PairGap, votes: int, trials: int,
                    rng: np.random.Generator) -> float:
    """How often `votes` more simulated votes between the pair, at their head-to-head win share
    now, make the bootstrap interval of their difference exclude zero."""
    score, games = head_to_head(table_of(rows), gap.model_a, gap.model_b)
    p = (score + 1) / (games + 2)
    separated = 0
    for trial in range(trials):
        won = rng.random(votes) < p
        extra = [(gap.model_a, gap.model_b, "model_a" if w else "model_b") for w in won]
        low, high = difference_interval(table_of(rows + extra), gap.model_a, gap.model_b,
                                        rounds=200, seed=trial)
        separated += low > 0 or high < 0
    return separated / trials


def test_that_many_more_votes_tell_them_apart_by_simulation():
    """The estimate, put to the test: over several simulated boards whose top two overlap,
    adding the estimated votes between them separates them at least half the time, and
    clearly more often than a tenth of those votes does."""
    rng = np.random.default_rng(7)
    at_estimate, at_tenth, boards = [], [], 0
    for seed in range(6):
        rows = simulated_rows(TRUE, 300, seed=seed)
        table = table_of(rows)
        gap = separating_votes(ratings.leaderboard(table, rounds=300), table, pairs=1)[0]
        if gap.more_votes is None:
            continue
        boards += 1
        at_estimate.append(separated_share(rows, gap, gap.more_votes, 8, rng))
        at_tenth.append(separated_share(rows, gap, max(1, gap.more_votes // 10), 8, rng))
    print(f"separated: {np.mean(at_estimate):.0%} at the estimate, {np.mean(at_tenth):.0%} at a "
          f"tenth of it, over {boards} boards")
    assert boards >= 4
    assert np.mean(at_estimate) >= 0.5
    assert np.mean(at_estimate) > np.mean(at_tenth) + 0.1


def test_gap_lines_say_practically_level_past_a_thousand_votes():
    from arena.tiers import PRACTICALLY_LEVEL, PairGap, gap_lines

    def t(key, **values):
        return f"{key}:{values['count']}:{values['a']}:{values['b']}:{values['limit']}"

    gaps = [PairGap("a", "b", 40), PairGap("b", "c", None), PairGap("c", "d", 62875),
            PairGap("d", "e", PRACTICALLY_LEVEL)]
    assert gap_lines(gaps, t, str.upper) == [
        "board.more_votes:40:A:B:1,000", "board.practically_level:62875:C:D:1,000",
        "board.more_votes:1000:D:E:1,000"]
