import itertools
import math
import random
from collections import Counter
from typing import NamedTuple

import pandas as pd
import pytest

from arena.pairing import NotEnoughModels, choose_pair


class Model(NamedTuple):  # anything with a .name, as arena.lineup.Contestant
    name: str


def counts_for(ratings: dict[str, float], games: int) -> pd.DataFrame:
    """A count table with `games` games per pair, won as Bradley–Terry expects."""
    rows = []
    for a, b in itertools.combinations(ratings, 2):
        p = 1 / (1 + 10 ** ((ratings[b] - ratings[a]) / 400))
        wins = round(games * p)
        rows += [(a, b, "model_a", wins), (a, b, "model_b", games - wins)]
    return pd.DataFrame(rows, columns=["model_a", "model_b", "winner", "count"])


def test_a_model_with_no_votes_is_drawn_first():
    counts = counts_for({"a": 1100, "b": 1000, "c": 900}, 30)
    models = [Model(n) for n in ("a", "b", "c", "new")]
    rng = random.Random(3)
    assert all("new" in {x.name for x in choose_pair(counts, models, rng)} for _ in range(50))
    # With no votes at all, any two are fine.
    empty = pd.DataFrame(columns=["model_a", "model_b", "winner", "count"])
    assert len({x.name for x in choose_pair(empty, models, rng)}) == 2


def test_uniform_floor_draws_every_pair_even_on_a_settled_board():
    ratings = {"a": 1300, "b": 1150, "c": 1000, "d": 850, "e": 700}
    counts = counts_for(ratings, 400)
    rng = random.Random(5)
    drawn = Counter(frozenset(choose_pair(counts, list(ratings), rng)) for _ in range(1500))
    assert set(drawn) == {frozenset(p) for p in itertools.combinations(ratings, 2)}


def test_models_whose_interval_overlaps_the_leaders_get_more_games():
    # a and b are level at the top; the rest are far below, each settled in its place.
    ratings = {"a": 1300, "b": 1295, "c": 1050, "d": 850, "e": 650, "f": 450}
    counts = counts_for(ratings, 60)
    rng = random.Random(7)
    games = Counter()
    for _ in range(1500):
        games.update(choose_pair(counts, list(ratings), rng))
    assert min(games["a"], games["b"]) > 1.2 * max(games[m] for m in "cdef")
    # A uniform draw would give every model 2/6 of the draws: 500 games here.
    assert min(games["a"], games["b"]) > 600


def test_sides_are_random():
    counts = counts_for({"a": 1200, "b": 1190, "c": 900}, 50)
    rng = random.Random(11)
    pairs = Counter(choose_pair(counts, ["a", "b", "c"], rng) for _ in range(600))
    assert pairs[("a", "b")] > 50 and pairs[("b", "a")] > 50
    left = Counter(a for a, _ in pairs.elements())
    assert math.isclose(left["a"] / (left["a"] + pairs[("b", "a")] + pairs[("c", "a")]), 0.5,
                        abs_tol=0.1)


def test_a_seeded_rng_gives_the_same_draws():
    counts = counts_for({"a": 1200, "b": 1100, "c": 1000, "d": 900}, 20)
    models = [Model(n) for n in "abcd"]
    first = [choose_pair(counts, models, random.Random(42)) for _ in range(5)]
    again = [choose_pair(counts, models, random.Random(42)) for _ in range(5)]
    assert first == again
    rng_a, rng_b = random.Random(9), random.Random(9)
    assert [choose_pair(counts, models, rng_a) for _ in range(40)] == \
        [choose_pair(counts, models, rng_b) for _ in range(40)]


def test_fewer_than_two_contestants_is_not_enough():
    with pytest.raises(NotEnoughModels) as error:
        choose_pair(counts_for({"a": 1000, "b": 1000}, 5), [Model("a")], random.Random(1))
    assert error.value.available == 1
