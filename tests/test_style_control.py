"""Style control (arena.style_control): simulated votes where people prefer longer answers but
the models' true quality is known, so the style-controlled ratings can be checked against the
truth, and the plain ones are seen to miss it."""

from functools import partial

import numpy as np
import pandas as pd
import pytest
from style_helpers import LENGTH_GAMMA, TRUE, simulated_style_votes

from arena import ratings
from arena.bradley_terry import ELO_SCALE
from arena.i18n import translate
from arena.style_control import StyleVotes, coefficient_lines, covariates, style_leaderboard
from arena.style_features import STYLE_FEATURES


def errors(board: pd.DataFrame) -> pd.Series:
    """Each model's rating minus the truth, both centred (mean 1000 of the models shown)."""
    truth = pd.Series(TRUE)
    shown = board.set_index("model")["rating"]
    return (shown - shown.mean()) - (truth - truth.mean())


def plain_board(votes: pd.DataFrame) -> pd.DataFrame:
    return ratings.leaderboard(ratings.count_table(votes), rounds=0)


def test_style_held_equal_recovers_the_truth_the_plain_fit_misses():
    votes = simulated_style_votes(40_000)
    styled = style_leaderboard(StyleVotes.from_frame(votes))
    err = errors(styled.board)
    half = ((styled.board["ci_high"] - styled.board["ci_low"]) / 2).set_axis(
        styled.board["model"])
    assert (err.abs() <= half).all(), (err, half)
    assert err.abs().max() < 15
    assert list(styled.board["model"]) == list(TRUE)  # the true order
    plain = errors(plain_board(votes))
    assert plain.abs().max() > 60  # long answers' looks lift the small models
    assert plain["big:32b"] < -40 and plain["wee:1b"] > 40


def test_the_length_coefficient_is_recovered_and_the_others_are_near_zero():
    votes = simulated_style_votes(40_000, seed=1)
    coefficients = style_leaderboard(StyleVotes.from_frame(votes)).coefficients \
        .set_index("feature")
    tokens = coefficients.loc["tokens"]
    assert tokens["coef_low"] <= LENGTH_GAMMA <= tokens["coef_high"]
    assert abs(tokens["coefficient"] - LENGTH_GAMMA) < 0.05
    for feature in STYLE_FEATURES[1:]:
        row = coefficients.loc[feature]
        assert abs(row["coefficient"]) < 0.05 and row["coef_low"] < 0 < row["coef_high"]


def test_points_for_a_twice_longer_answer():
    """points = ELO_SCALE · γ · (1/3) / SD, the logit difference a 2× longer answer makes."""
    votes = simulated_style_votes(20_000, seed=2)
    fit = style_leaderboard(StyleVotes.from_frame(votes)).coefficients.set_index("feature")
    row = fit.loc["tokens"]
    raw = (votes["tokens_a"] - votes["tokens_b"]) / (votes["tokens_a"] + votes["tokens_b"] + 1)
    assert row["sd"] == pytest.approx(raw.std(ddof=0))
    assert row["points"] == pytest.approx(ELO_SCALE * row["coefficient"] / 3 / row["sd"])
    # Checked against the model itself: two answers of 300 and 600 tokens, the same model.
    x = (np.array([(600 - 300) / 901, 0.0]) - raw.mean()) / raw.std(ddof=0)
    assert ELO_SCALE * row["coefficient"] * (x[0] - x[1]) == pytest.approx(row["points"],
                                                                           rel=0.01)


def test_with_no_style_effect_the_ratings_agree_with_the_plain_board():
    # No effect, and no model writes longer than another: style explains nothing.
    votes = simulated_style_votes(20_000, gamma=0.0, seed=3, ties=0.1,
                                  lengths=dict.fromkeys(TRUE, 400))
    styled = style_leaderboard(StyleVotes.from_frame(votes)).board.set_index("model")
    plain = ratings.leaderboard(ratings.count_table(votes), rounds=200).set_index("model")
    assert (styled["rating"] - plain["rating"]).abs().max() < 1.0
    assert (styled[["votes", "wins", "ties", "losses"]] ==
            plain.loc[styled.index, ["votes", "wins", "ties", "losses"]]).all().all()
    # The sandwich intervals are close to the bootstrap's.
    width = (styled["ci_high"] - styled["ci_low"]) - (plain["ci_high"] - plain["ci_low"])
    assert width.abs().max() < 3.0


def test_the_board_has_the_leaderboard_columns_ranked_and_tiered():
    board = style_leaderboard(StyleVotes.from_frame(simulated_style_votes(3_000))).board
    assert list(board.columns) == ratings.LEADERBOARD_COLUMNS
    assert board["rating"].is_monotonic_decreasing
    assert board["rank"].tolist() == ratings.rank_by_intervals(
        board["ci_low"].to_numpy(), board["ci_high"].to_numpy()).tolist()
    assert board["tier"].iloc[0] == 1 and board["tier"].is_monotonic_increasing


def test_covariates_are_standardised_and_a_constant_one_is_left_at_zero():
    counts = np.array([[10, 0, 1, 0, 5, 0, 1, 0], [5, 0, 3, 0, 10, 0, 1, 0],
                       [8, 0, 0, 0, 8, 0, 2, 0]])
    x, sd = covariates(counts)
    assert np.allclose(x[:, 0].mean(), 0) and np.allclose(x[:, 0].std(), 1)
    raw = np.array([5 / 16, -5 / 16, 0.0])
    assert sd[0] == pytest.approx(raw.std())
    assert sd[1] == 0 and (x[:, 1] == 0).all()  # no headers anywhere


def test_a_feature_that_never_varies_is_said_so_in_words():
    votes = simulated_style_votes(2_000, seed=4)
    for feature in STYLE_FEATURES[1:]:
        votes[f"{feature}_a"] = votes[f"{feature}_b"] = 0
    fit = style_leaderboard(StyleVotes.from_frame(votes))
    lines = coefficient_lines(fit.coefficients, partial(translate, "en"))
    assert lines[0].startswith("A 2× longer answer is worth about +")
    assert lines[1] == "Headers: the answers do not differ in it, so there is nothing to learn."
    zh = coefficient_lines(fit.coefficients, partial(translate, "zh"))
    assert "长一倍" in zh[0] and "标题" in zh[1]


def test_categories_and_left_out_votes():
    votes = simulated_style_votes(4_000, seed=5)
    votes["category"] = np.where(np.arange(len(votes)) % 2, "coding", "general")
    left_out = pd.Series({"coding": 3, "general": 4})
    every = StyleVotes.from_frame(votes, left_out)
    coding = every.board("coding")
    assert coding.votes == 2_000 and coding.votes_left_out == 3 and every.votes_left_out == 7
    alone = StyleVotes.from_frame(votes[votes["category"] == "coding"])
    assert np.allclose(style_leaderboard(coding).board["rating"],
                       style_leaderboard(alone).board["rating"])
    assert style_leaderboard(every).left_out == 7


def test_no_votes_is_an_empty_board():
    empty = StyleVotes.from_frame(simulated_style_votes(10).iloc[:0], pd.Series({"general": 5}))
    found = style_leaderboard(empty)
    assert found.board.empty and list(found.board.columns) == ratings.LEADERBOARD_COLUMNS
    assert found.left_out == 5


def test_a_model_that_never_won_stays_finite():
    votes = simulated_style_votes(500, seed=6)
    votes.loc[votes["model_a"] == "wee:1b", "winner"] = "model_b"
    votes.loc[votes["model_b"] == "wee:1b", "winner"] = "model_a"
    board = style_leaderboard(StyleVotes.from_frame(votes)).board
    assert np.isfinite(board[["rating", "ci_low", "ci_high"]].to_numpy(dtype=float)).all()
    assert board["model"].iloc[-1] == "wee:1b"


def test_votes_on_one_item_are_one_unit_in_the_sandwich():
    """Each vote repeated five times: taken as independent the intervals shrink by √5; taken
    as five votes on one item (a cluster), they are those of the votes once."""
    once = simulated_style_votes(3_000, seed=7)
    five = once.loc[once.index.repeat(5)].reset_index(drop=True)
    alone = style_leaderboard(StyleVotes.from_frame(once))
    naive = style_leaderboard(StyleVotes.from_frame(five))
    clustered = style_leaderboard(StyleVotes.from_frame(
        five.assign(**{ratings.CLUSTER: (five.index // 5).astype(str)})))

    def widths(found):
        board = found.board.set_index("model")
        return (board["ci_high"] - board["ci_low"]).sort_index()

    assert np.allclose(widths(naive) * np.sqrt(5), widths(alone), rtol=0.05)
    assert np.allclose(widths(clustered), widths(alone), rtol=0.05)
    assert np.allclose(clustered.board["rating"], naive.board["rating"])
    spread = {name: found.coefficients.set_index("feature").loc["tokens"]
              for name, found in (("alone", alone), ("clustered", clustered))}
    assert spread["clustered"]["coef_high"] - spread["clustered"]["coef_low"] == pytest.approx(
        spread["alone"]["coef_high"] - spread["alone"]["coef_low"], rel=0.05)
    # A cluster of one vote is a vote on its own.
    singles = style_leaderboard(StyleVotes.from_frame(
        once.assign(**{ratings.CLUSTER: once.index.astype(str)})))
    assert np.allclose(widths(singles), widths(alone))
