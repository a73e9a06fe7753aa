"""Ratings: Bradley–Terry against an independent fit, simulated recovery, coverage, edge cases."""

import math

import numpy as np
import pandas as pd
import pytest
from rating_helpers import bootstrap_counts, leaderboards, predicted_win
from scipy.optimize import minimize

from arena import bradley_terry, online_elo, ratings
from arena.ratings import RatingInputError, count_table, leaderboard


def simulate(true: np.ndarray, n: int, rng, tie_rate: float = 0.1) -> pd.DataFrame:
    """Votes drawn from known Elo ratings, under the model the ratings assume: a side's expected
    score (a tie being half a win) is the Bradley–Terry probability. Ties are both-bad half the
    time."""
    m = len(true)
    a = rng.integers(0, m, n)
    b = (a + rng.integers(1, m, n)) % m
    p = 1 / (1 + 10 ** ((true[b] - true[a]) / 400))
    # P(tie) = tie_rate, and wins take the rest so that E[score] = p.
    p_win = np.clip((p - tie_rate / 2) / (1 - tie_rate), 0, 1)
    decided = rng.random(n) >= tie_rate
    tie = np.where(rng.random(n) < 0.5, "tie", "tie (bothbad)")
    winner = np.where(decided, np.where(rng.random(n) < p_win, "model_a", "model_b"), tie)
    return pd.DataFrame({"model_a": [f"m{x:02d}" for x in a],
                         "model_b": [f"m{x:02d}" for x in b], "winner": winner})


def truth(true: np.ndarray) -> dict[str, float]:
    return {f"m{k:02d}": v - true.mean() + 1000 for k, v in enumerate(true)}


def scipy_ratings(votes: pd.DataFrame) -> dict[str, float]:
    """Independent plain implementation: minimise the per-vote logistic loss with scipy."""
    models = sorted(set(votes["model_a"]) | set(votes["model_b"]))
    index = {m: k for k, m in enumerate(models)}
    a = votes["model_a"].map(index).to_numpy()
    b = votes["model_b"].map(index).to_numpy()
    y = votes["winner"].map({"model_a": 1.0, "model_b": 0.0, "tie": 0.5,
                             "tie (bothbad)": 0.5}).to_numpy()

    def loss(r):
        x = (r[a] - r[b]) * math.log(10) / 400
        return np.sum(np.logaddexp(0, x) - y * x) + (r.mean() - 1000) ** 2

    result = minimize(loss, np.full(len(models), 1000.0), method="BFGS",
                      options={"gtol": 1e-9, "maxiter": 10_000})
    return dict(zip(models, result.x))


def board_ratings(votes, **kw) -> dict[str, float]:
    board = leaderboard(count_table(votes), **kw)
    return dict(zip(board["model"], board["rating"]))


def test_matches_an_independent_fit_without_the_prior():
    rng = np.random.default_rng(7)
    votes = simulate(np.array([0, 80, -60, 150, 20.0]), 400, rng)
    ours = board_ratings(votes, rounds=0, prior_games=0)
    reference = scipy_ratings(votes)
    for model, rating in reference.items():
        assert ours[model] == pytest.approx(rating, abs=0.5)
    assert np.mean(list(ours.values())) == pytest.approx(1000)


def test_recovers_the_order_of_known_ratings():
    rng = np.random.default_rng(3)
    true = rng.normal(0, 150, 10)
    votes = simulate(true, 5000, rng)
    got = board_ratings(votes, rounds=0)
    real = truth(true)
    for x in real:
        for y in real:
            if real[x] - real[y] > 50:
                assert got[x] > got[y], (x, y)


def test_intervals_cover_the_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    true = np.linspace(-200, 200, 10)
    real = truth(true)
    covered = total = 0
    for dataset in range(100):
        board = leaderboard(count_table(simulate(true, 5000, rng)), rounds=300, seed=dataset)
        for row in board.itertuples():
            covered += row.ci_low <= real[row.model] <= row.ci_high
            total += 1
    assert 0.90 <= covered / total <= 0.99, covered / total


def test_prior_moves_well_sampled_ratings_by_less_than_a_point():
    rng = np.random.default_rng(5)
    votes = simulate(rng.normal(0, 150, 10), 5000, rng)
    with_prior = board_ratings(votes, rounds=0)
    without = board_ratings(votes, rounds=0, prior_games=0)
    assert max(abs(with_prior[m] - without[m]) for m in without) < 1.0


def test_bootstrap_is_reproducible_with_a_seed():
    votes = simulate(np.array([0, 50, 100.0]), 300, np.random.default_rng(1))
    table = count_table(votes)
    first = leaderboard(table, rounds=200, seed=42)
    pd.testing.assert_frame_equal(first, leaderboard(table, rounds=200, seed=42))
    other = leaderboard(table, rounds=200, seed=43)
    assert not np.allclose(first["ci_low"], other["ci_low"])
    assert (first["ci_low"] <= first["rating"]).all() and (first["rating"] <= first["ci_high"]).all()


def test_bootstrap_refinement_agrees_with_full_newton():
    cells = ratings.pair_cells(count_table(simulate(np.array([0, 90, -40, 200.0]), 200,
                                                    np.random.default_rng(2))))
    score, games = bradley_terry.score_and_games(cells.counts)
    theta = bradley_terry.fit_bradley_terry(score, games, cells.i, cells.j, 4)[0]
    redrawn = bootstrap_counts(cells.counts, 50, seed=0)
    b_score, b_games = bradley_terry.score_and_games(redrawn)
    fast = bradley_terry.refine_near(theta, b_score, b_games, cells.i, cells.j, 1.0)
    full = bradley_terry.fit_bradley_terry(b_score, b_games, cells.i, cells.j, 4)
    np.testing.assert_allclose(bradley_terry.to_elo(fast), bradley_terry.to_elo(full), atol=0.05)


def test_no_votes():
    empty = pd.DataFrame(columns=["model_a", "model_b", "winner"])
    board = leaderboard(count_table(empty))
    assert board.empty and list(board.columns) == ratings.LEADERBOARD_COLUMNS
    assert online_elo.online_elo(empty).empty


def test_a_single_vote_gives_finite_provisional_ratings():
    votes = pd.DataFrame({"model_a": ["x"], "model_b": ["y"], "winner": ["model_a"]})
    board = leaderboard(count_table(votes), rounds=100)
    assert np.isfinite(board[["rating", "ci_low", "ci_high"]].to_numpy(float)).all()
    assert list(board["model"]) == ["x", "y"] and board["provisional"].all()
    assert list(board["rank"]) == [1, 1]  # one vote proves nothing


def test_a_model_with_only_losses_stays_finite_and_last():
    rng = np.random.default_rng(4)
    votes = simulate(np.array([0, 50, 100.0]), 300, rng)
    losses = pd.DataFrame({"model_a": ["loser"] * 5, "model_b": ["m01"] * 5,
                           "winner": ["model_b"] * 5})
    board = leaderboard(count_table(pd.concat([votes, losses])), rounds=100)
    last = board.iloc[-1]
    assert last["model"] == "loser" and np.isfinite(last["rating"]) and last["provisional"]
    assert last["wins"] == 0 and last["win_rate"] == 0


def test_only_ties_gives_equal_ratings_and_shared_rank():
    votes = pd.DataFrame({"model_a": ["x", "y", "z"] * 10, "model_b": ["y", "z", "x"] * 10,
                          "winner": ["tie", "tie (bothbad)", "tie"] * 10})
    board = leaderboard(count_table(votes), rounds=100)
    assert np.allclose(board["rating"], 1000)
    assert (board["rank"] == 1).all() and (board["ties"] == 20).all()


def test_a_pair_never_played():
    votes = pd.DataFrame({"model_a": ["x", "y"] * 10, "model_b": ["y", "z"] * 10,
                          "winner": ["model_a", "model_a"] * 10})
    table = count_table(votes)
    board = leaderboard(table, rounds=100)
    assert list(board["model"]) == ["x", "y", "z"]
    assert np.isnan(ratings.win_fraction(table).loc["x", "z"])
    assert ratings.battle_counts(table).loc["x", "z"] == 0


@pytest.mark.parametrize("bad, message", [
    ({"winner": ["model_a", "draw"]}, "row 2: unknown winner label 'draw'"),
    ({"model_b": ["y", None]}, "row 2: model_b is empty"),
    ({"model_b": ["y", "x"], "model_a": ["x", "x"]}, "row 2: model_a and model_b are the same"),
])
def test_bad_rows_are_named(bad, message):
    votes = pd.DataFrame({"model_a": ["x", "x"], "model_b": ["y", "y"],
                          "winner": ["model_a", "tie"]} | bad)
    with pytest.raises(RatingInputError, match=message):
        count_table(votes)


def test_missing_column_is_named():
    with pytest.raises(RatingInputError, match="missing column.*winner"):
        count_table(pd.DataFrame({"model_a": ["x"], "model_b": ["y"]}))


def test_votes_that_do_not_count_are_left_out():
    votes = pd.DataFrame({"model_a": ["x", "x"], "model_b": ["y", "y"],
                          "winner": ["model_a", "model_b"], "counts": [True, False]})
    board = leaderboard(count_table(votes), rounds=0)
    assert board.set_index("model").loc["x", "wins"] == 1
    assert board["votes"].sum() == 2  # one vote, counted once for each model


def test_rank_respects_uncertainty():
    low = np.array([1100, 1050, 900.0])
    high = np.array([1200, 1150, 1000.0])
    assert list(ratings.rank_by_intervals(low, high)) == [1, 1, 3]


def test_interval_text_gives_whole_points_above_and_below():
    board = pd.DataFrame({"rating": [1012.4, 990.0, 1000.0], "ci_low": [1000.0, 979.5, 1000.0],
                          "ci_high": [1030.6, 1002.5, 1000.0]})
    assert ratings.interval_text(board).tolist() == ["+18 / −12", "+12 / −10", "+0 / −0"]
    assert ratings.interval_text(board, minus="-").tolist()[0] == "+18 / -12"


def test_per_category_and_overall():
    votes = simulate(np.array([0, 100, 200.0]), 600, np.random.default_rng(9))
    votes["category"] = np.where(np.arange(600) % 3 == 0, "coding", "copywriting")
    boards = leaderboards(count_table(votes, by=["category"]), rounds=50)
    assert list(boards) == ["Overall", "coding", "copywriting"]
    assert boards["Overall"]["votes"].sum() == 2 * 600
    assert boards["coding"]["votes"].sum() == 2 * 200


def test_matrices():
    votes = pd.DataFrame({"model_a": ["x", "y", "x", "x"], "model_b": ["y", "x", "y", "y"],
                          "winner": ["model_a", "model_a", "model_a", "tie"]})
    table = count_table(votes)
    wins = ratings.win_fraction(table)  # x: two wins and a tie in four battles
    assert wins.loc["x", "y"] == pytest.approx(2.5 / 4) and wins.loc["y", "x"] == pytest.approx(
        1.5 / 4)
    assert ratings.battle_counts(table).loc["y", "x"] == 4
    predicted = predicted_win(pd.Series({"x": 1100.0, "y": 1000.0}))
    assert predicted.loc["x", "y"] == pytest.approx(1 / (1 + 10 ** (-0.25)))
    assert predicted.loc["x", "y"] + predicted.loc["y", "x"] == pytest.approx(1)


def test_online_elo_by_hand():
    votes = pd.DataFrame({"model_a": ["x", "x"], "model_b": ["y", "y"],
                          "winner": ["model_a", "tie"],
                          "tstamp": pd.to_datetime(["2026-01-01", "2026-01-02"])})
    history = online_elo.online_elo(votes, k=32)
    after_first = 1000 + 32 * 0.5
    expected_second = 1 / (1 + 10 ** ((1000 - 16 - after_first) / 400))
    final = history[history["step"] == 2].set_index("model")["rating"]
    assert final["x"] == pytest.approx(after_first + 32 * (0.5 - expected_second))
    assert final["x"] + final["y"] == pytest.approx(2000)
    assert list(history["tstamp"].dt.day.unique()) == [1, 2]


def test_win_rate_counts_a_tie_as_half_as_the_fit_does():
    votes = pd.DataFrame({"model_a": ["x", "x", "y", "x"], "model_b": ["y", "y", "x", "y"],
                          "winner": ["model_a", "tie", "tie (bothbad)", "model_b"]})
    board = leaderboard(count_table(votes), rounds=0).set_index("model")
    assert board.loc["x", "win_rate"] == pytest.approx((1 + 0.5 * 2) / 4)
    assert board.loc["y", "win_rate"] == pytest.approx((1 + 0.5 * 2) / 4)
    # Only ties: an even record, in the table and in the pair matrix alike.
    ties = pd.DataFrame({"model_a": ["x"] * 3, "model_b": ["y"] * 3, "winner": ["tie"] * 3})
    assert (leaderboard(count_table(ties), rounds=0)["win_rate"] == 0.5).all()
    assert ratings.win_fraction(count_table(ties)).loc["x", "y"] == 0.5


def test_when_the_votes_cannot_tell_models_apart():
    few = leaderboard(count_table(pd.DataFrame({"model_a": ["x", "x"], "model_b": ["y", "z"],
                                                "winner": ["model_a", "tie"]})), rounds=0)
    assert ratings.undecided(few) and ratings.all_provisional(few)
    many = leaderboard(count_table(simulate(np.array([0, 150, 300.0]), 900,
                                            np.random.default_rng(2))), rounds=0)
    assert not ratings.undecided(many) and not ratings.all_provisional(many)
    provisional_but_clear = leaderboard(count_table(simulate(
        np.array([0, 1500.0]), 15, np.random.default_rng(3))), rounds=0, min_votes=20)
    assert ratings.all_provisional(provisional_but_clear)
    assert not ratings.undecided(provisional_but_clear)
