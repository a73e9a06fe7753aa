"""The clustered bootstrap: votes that share stored answers are resampled by item, so intervals
stay honest; with clusters of one vote it is today's bootstrap exactly."""

import numpy as np
import pandas as pd
from rating_helpers import bootstrap_counts

from arena import ratings
from arena.bootstrap import bootstrap_chunks
from arena.bradley_terry import ELO_SCALE
from arena.ratings import count_table, leaderboard, vote_clusters


def simulate_items(theta: np.ndarray, items: int, votes_per_item: int, shared: float,
                   rng) -> pd.DataFrame:
    """Votes in prompt-set mode, from known strengths `theta` (natural-log odds).

    Each item has one stored answer per model, of quality theta + a standard Gumbel draw fixed for
    the item; each battle on the item shows two of those answers. With probability `shared` the
    vote follows the two answers' qualities (so battles reusing an answer agree), otherwise a fresh
    Gumbel draw per side. The difference of two Gumbels is logistic, so each vote on its own is
    exactly Bradley–Terry with `theta`, while votes on one item are correlated.
    """
    m = len(theta)
    n = items * votes_per_item
    quality = rng.gumbel(size=(items, m))
    item = np.repeat(np.arange(items), votes_per_item)
    a = rng.integers(0, m, n)
    b = (a + rng.integers(1, m, n)) % m
    follow = rng.random(n) < shared
    side_a = theta[a] + np.where(follow, quality[item, a], rng.gumbel(size=n))
    side_b = theta[b] + np.where(follow, quality[item, b], rng.gumbel(size=n))
    return pd.DataFrame({"model_a": [f"m{x}" for x in a], "model_b": [f"m{x}" for x in b],
                         "winner": np.where(side_a > side_b, "model_a", "model_b"),
                         "cluster": [f"item-{k}" for k in item]})


def test_clusters_of_one_vote_give_todays_board():
    rng = np.random.default_rng(4)
    votes = simulate_items(np.array([0.0, 0.4, -0.3, 0.8]), 300, 1, 0.5, rng)
    votes.loc[votes.index[::3], "cluster"] = None  # live battles: a cluster each, unnamed
    today = leaderboard(count_table(votes.drop(columns="cluster")), rounds=250, seed=7)
    clustered = leaderboard(count_table(votes, by=["cluster"]), rounds=250, seed=7)
    pd.testing.assert_frame_equal(today, clustered)


def test_a_redraw_takes_whole_clusters():
    votes = pd.DataFrame({
        "model_a": ["x", "x", "x", "y", "x"], "model_b": ["y", "y", "y", "x", "y"],
        "winner": ["model_a", "model_a", "model_a", "model_a", "model_b"],
        "cluster": ["one", "one", "one", "two", None],  # one: 3 × x won; two: 1 × y won, 1 live
    })
    table = count_table(votes, by=["cluster"])
    cells = ratings.pair_cells(table)
    clusters = vote_clusters(table)
    assert clusters.n_clusters == 1  # "two" has a single vote: it is drawn as a vote of its own
    redrawn = np.concatenate(list(bootstrap_chunks(cells.counts, 2000, 3, clusters)))[:, 0, :]
    x_won = redrawn[:, 0]
    # 3 units (cluster "one", and two single votes), 3 draws: x's wins are 3 per draw of "one".
    assert set(np.unique(x_won % 3)) == {0}
    assert (redrawn.sum(axis=1) == x_won + redrawn[:, 1]).all()  # no ties appear
    units = x_won // 3 + redrawn[:, 1]
    assert (units == 3).all()
    assert abs(x_won.mean() - 3.0) < 0.1 and abs(redrawn[:, 1].mean() - 2.0) < 0.1


def test_without_clusters_the_draws_are_todays():
    votes = simulate_items(np.zeros(3), 200, 1, 0.5, np.random.default_rng(1))
    cells = ratings.pair_cells(count_table(votes))
    empty = vote_clusters(count_table(votes, by=["cluster"]))
    assert empty.n_clusters == 0
    np.testing.assert_array_equal(
        bootstrap_counts(cells.counts, 300, seed=5),
        np.concatenate(list(bootstrap_chunks(cells.counts, 300, 5, empty))))


def test_clustered_intervals_cover_the_truth_and_unclustered_ones_do_not(capsys):
    rng = np.random.default_rng(2026)
    theta = np.array([-0.6, -0.2, 0.0, 0.3, 0.7])
    truth = {f"m{k}": 1000 + ELO_SCALE * (t - theta.mean()) for k, t in enumerate(theta)}
    covered = {"clustered": 0, "unclustered": 0}
    total = 0
    for dataset in range(100):
        votes = simulate_items(theta, items=60, votes_per_item=20, shared=0.8, rng=rng)
        boards = {
            "clustered": leaderboard(count_table(votes, by=["cluster"]), rounds=200, seed=dataset),
            "unclustered": leaderboard(count_table(votes.drop(columns="cluster")), rounds=200,
                                       seed=dataset),
        }
        for name, board in boards.items():
            real = board["model"].map(truth)
            covered[name] += int(((board["ci_low"] <= real) & (real <= board["ci_high"])).sum())
        total += len(theta)
    coverage = {name: hits / total for name, hits in covered.items()}
    with capsys.disabled():
        print(f"\n95% interval coverage, 100 data sets of 60 items x 20 votes: "
              f"clustered {coverage['clustered']:.1%}, unclustered {coverage['unclustered']:.1%}")
    assert 0.90 <= coverage["clustered"] <= 0.99, coverage
    assert coverage["unclustered"] < 0.85, coverage


def test_clusters_per_category():
    rng = np.random.default_rng(8)
    theta = np.array([0.0, 0.5, -0.5])
    votes = pd.concat([simulate_items(theta, 20, 10, 0.8, rng).assign(category="classification"),
                       simulate_items(theta, 20, 10, 0.8, rng).assign(category="copywriting")])
    votes["cluster"] = votes["category"] + "/" + votes["cluster"]  # keys unique across sets
    table = count_table(votes, by=["category", "cluster"])
    for category, own in votes.groupby("category"):
        board = leaderboard(ratings.category_table(table, category), rounds=200, seed=1)
        alone = leaderboard(count_table(own.drop(columns="category"), by=["cluster"]),
                            rounds=200, seed=1)
        pd.testing.assert_frame_equal(board, alone)
    overall = ratings.category_table(table)
    assert vote_clusters(overall).n_clusters == 40
    shuffled = overall.sample(frac=1.0, random_state=3)  # the row order does not matter
    pd.testing.assert_frame_equal(leaderboard(overall, rounds=200, seed=1),
                                  leaderboard(shuffled, rounds=200, seed=1))


# --- clusters from the store: the Leaderboard page's and `arena leaderboard --db`'s votes -------


MODELS = ["qwen3:8b", "gemma3:4b", "llama3.2:3b", "phi4:14b"]


def widths(board: pd.DataFrame) -> pd.Series:
    return (board["ci_high"] - board["ci_low"]).set_axis(board["model"])


def test_answers_shown_again_and_again_widen_the_intervals(tmp_path):
    from seed import seed_set_votes, shared_answer_rows

    from arena.db import Store

    store = Store(tmp_path / "arena.db")
    rows = shared_answer_rows(MODELS, items=8, battles_per_item=40, seed=3)
    seed_set_votes(store, rows)
    by_item = leaderboard(store.vote_counts(clusters=True).drop(columns="category"), rounds=300,
                          seed=0)
    as_independent = leaderboard(store.vote_counts().drop(columns="category"), rounds=300,
                                 seed=0)
    pd.testing.assert_series_equal(by_item["rating"], as_independent["rating"])  # same votes
    # 320 votes, but only 8 items: the honest intervals are far wider.
    assert (widths(by_item) > 1.5 * widths(as_independent)).all(), (by_item, as_independent)


def test_live_battles_are_votes_of_their_own_and_the_board_is_unchanged(tmp_path):
    from seed import seed_votes, shared_answer_rows

    from arena.db import Store

    store = Store(tmp_path / "arena.db")
    seed_votes(store, [row[:3] for row in shared_answer_rows(MODELS, 8, 40, seed=3)])
    clustered = store.vote_counts(clusters=True)
    assert clustered["cluster"].isna().all()
    pd.testing.assert_frame_equal(
        leaderboard(clustered.drop(columns="category"), rounds=300, seed=0),
        leaderboard(store.vote_counts().drop(columns="category"), rounds=300, seed=0))
