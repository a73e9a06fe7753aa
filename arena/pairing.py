"""Who meets whom: two different contestants drawn, and placed left and right."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar


class NotEnoughModels(Exception):
    """Fewer than two models to draw from; `available` says how many there are."""

    def __init__(self, available: int):
        super().__init__(f"a battle needs two models; {available} available")
        self.available = available


T = TypeVar("T")


def draw_pair(candidates: Sequence[T], rng: random.Random | None = None) -> tuple[T, T]:
    """Two different candidates in random order: the order is the left/right placement."""
    if len(candidates) < 2:
        raise NotEnoughModels(len(candidates))
    first, second = (rng or random.SystemRandom()).sample(list(candidates), 2)
    return first, second
