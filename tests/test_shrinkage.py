"""Category boards that borrow strength from Overall (arena.shrinkage), against the truth.

Votes are simulated from known per-category ratings: a line-up spread like a real local one, each
category's ratings that line-up plus a category effect drawn with a known spread. The borrowed
boards must be closer to the truth than each category's own votes alone, cover it honestly, and
give way to the category's own votes as they grow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from seed import LINEUP, shared_answer_rows
from seed import simulated_category_votes as simulate

from arena import ratings, shrinkage
from arena.bradley_terry import ELO_SCALE, GaussianPrior, fit_bradley_terry, score_and_games


def boards(table, category, borrowing):
    own, _ = shrinkage.category_board(table, category, None, rounds=0)
    borrowed, did = shrinkage.category_board(table, category, borrowing, rounds=0)
    return own.set_index("model"), borrowed.set_index("model"), did


@pytest.mark.parametrize("votes", [20, 40, 60])
def test_borrowed_boards_are_closer_to_the_truth_and_still_cover_it(votes):
    rng = np.random.default_rng(votes)
    own_errors, borrowed_errors, covered = [], [], []
    for _ in range(12):
        table, truth = simulate(rng, votes, effect=40.0)
        borrowing = shrinkage.borrow_strength(table)
        for category, true in truth.items():
            own, borrowed, did = boards(table, category, borrowing)
            assert did
            true = true.reindex(borrowed.index)
            true += 1000.0 - true.mean()  # the board's mean is 1000 over the models it has
            own_errors.extend(own["rating"].reindex(true.index) - true)
            borrowed_errors.extend(borrowed["rating"] - true)
            covered.extend((borrowed["ci_low"] <= true) & (true <= borrowed["ci_high"]))
    own_rmse = np.sqrt(np.mean(np.square(own_errors)))
    borrowed_rmse = np.sqrt(np.mean(np.square(borrowed_errors)))
    assert borrowed_rmse <= 0.8 * own_rmse, (borrowed_rmse, own_rmse)
    assert 0.90 <= np.mean(covered) <= 0.99


def test_with_many_votes_a_board_gives_way_to_its_own_votes():
    """The pull towards the other categories shrinks as 1/votes: at 5,000 votes a category's
    board is within a few points of its own votes alone, far inside its intervals."""
    differences = {}
    for votes in (1250, 5000, 20000):
        table, _ = simulate(np.random.default_rng(votes), votes, effect=40.0)
        borrowing = shrinkage.borrow_strength(table)
        gaps, halfwidths = [], []
        for category in borrowing.fits:
            own, borrowed, _ = boards(table, category, borrowing)
            gaps.extend((borrowed["rating"] - own["rating"].reindex(borrowed.index)).abs())
            halfwidths.extend((borrowed["ci_high"] - borrowed["ci_low"]) / 2)
        differences[votes] = np.mean(gaps)
        if votes >= 5000:
            assert np.max(gaps) < 0.5 * np.min(halfwidths)
    assert differences[5000] < 0.4 * differences[1250]
    assert differences[20000] < 0.6 * differences[5000]
    assert differences[20000] < 1.0


@pytest.mark.parametrize("effect, low, high", [(0.0, 0.0, 20.0), (100.0, 60.0, 150.0)])
def test_how_much_categories_differ_is_read_from_the_votes(effect, low, high):
    table, _ = simulate(np.random.default_rng(7), 3000, effect=effect)
    assert low <= shrinkage.borrow_strength(table).tau <= high


def test_when_categories_do_not_differ_a_board_stays_near_the_others():
    """A category's own 30 votes would scatter its models; with no real category effect, the
    borrowed board stays close to the ratings of the other categories."""
    table, truth = simulate(np.random.default_rng(3), 30, effect=0.0, categories=8)
    table = pd.concat([table, simulate(np.random.default_rng(4), 4000, 0.0, 1)[0]
                       .assign(category="big")])
    borrowing = shrinkage.borrow_strength(table)
    own, borrowed, _ = boards(table, "c0", borrowing)
    true = truth["c0"].reindex(borrowed.index)
    assert np.abs(borrowed["rating"] - true).max() < 0.5 * np.abs(own["rating"] - true).max()


def test_a_single_category_has_nothing_to_borrow():
    table, _ = simulate(np.random.default_rng(1), 200, effect=40.0, categories=1)
    borrowing = shrinkage.borrow_strength(table)
    assert borrowing.fits == {}
    board, did = shrinkage.category_board(table, "c0", borrowing, rounds=50)
    assert not did
    expected = ratings.leaderboard(ratings.category_table(table, "c0"), rounds=50)
    pd.testing.assert_frame_equal(board, expected)


def test_overall_is_never_shrunk():
    table, _ = simulate(np.random.default_rng(2), 50, effect=40.0)
    borrowing = shrinkage.borrow_strength(table)
    board, did = shrinkage.category_board(table, ratings.OVERALL, borrowing, rounds=0)
    assert not did
    pd.testing.assert_frame_equal(board, ratings.leaderboard(ratings.category_table(table),
                                                             rounds=0))


def test_a_model_new_to_the_category_set_is_rated_from_its_own_votes():
    table, _ = simulate(np.random.default_rng(5), 60, effect=40.0)
    newcomer = pd.DataFrame({"category": "c0", "model_a": "newcomer:7b",
                             "model_b": ["qwen3:0.6b", "qwen3:32b"], "winner": "model_a",
                             "count": [6, 3]})
    table = pd.concat([table, newcomer], ignore_index=True)
    borrowing = shrinkage.borrow_strength(table)
    board, did = shrinkage.category_board(table, "c0", borrowing, rounds=0)
    row = board.set_index("model").loc["newcomer:7b"]
    assert did and np.isfinite(row["rating"])
    assert row["rating"] > board.set_index("model").loc["qwen3:32b", "rating"] - 50
    assert row["ci_high"] - row["ci_low"] > 200  # nine votes, no help from elsewhere


def test_clustered_votes_widen_a_borrowed_board():
    """Votes on one prompt-set item's stored answers repeat one another: the clustered
    bootstrap of the shrunk fit widens intervals that the posterior alone draws too narrow."""
    table, _ = simulate(np.random.default_rng(11), 300, effect=40.0)
    table = table[table["category"] != "c0"].assign(**{ratings.CLUSTER: None})
    shared = pd.DataFrame(shared_answer_rows(list(LINEUP), items=10, battles_per_item=30),
                          columns=["model_a", "model_b", "winner", ratings.CLUSTER])
    table = pd.concat([table, ratings.count_table(shared.assign(category="c0"),
                                                  by=["category", ratings.CLUSTER])])
    borrowing = shrinkage.borrow_strength(table)
    posterior, _ = shrinkage.category_board(table, "c0", borrowing, rounds=0)
    resampled, _ = shrinkage.category_board(table, "c0", borrowing, rounds=200)
    width = (posterior["ci_high"] - posterior["ci_low"]).mean()
    assert (resampled["ci_high"] - resampled["ci_low"]).mean() > 1.2 * width


def test_the_fit_with_a_gaussian_prior_matches_a_reference_optimiser():
    table, _ = simulate(np.random.default_rng(9), 80, effect=40.0, categories=1)
    cells = ratings.pair_cells(ratings.category_table(table))
    score, games = score_and_games(cells.counts)
    m = len(cells.models)
    rng = np.random.default_rng(0)
    centre = rng.normal(0, 0.5, m)
    covariance = 0.3 * np.eye(m) + 0.05
    precision = np.linalg.inv(covariance)
    ours = fit_bradley_terry(score, games, cells.i, cells.j, m,
                             GaussianPrior(centre, precision), centred=False)[0]

    def loss(theta):
        gap = theta[cells.i] - theta[cells.j]
        nll = (score * np.logaddexp(0, -gap) + (games - score) * np.logaddexp(0, gap)).sum()
        return nll + 0.5 * (theta - centre) @ precision @ (theta - centre)

    reference = minimize(loss, np.zeros(m), method="BFGS", options={"gtol": 1e-10}).x
    assert np.abs(ours - reference).max() * ELO_SCALE < 0.01
