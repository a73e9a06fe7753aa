"""Bootstrap redraws of the pair cells, drawn in background threads while the caller fits."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

BOOTSTRAP_CHUNK = 125  # rounds drawn (and then fitted) together


def bootstrap_chunks(counts: np.ndarray, rounds: int, seed: int | None) -> Iterator[np.ndarray]:
    """Yield (rounds_in_chunk, P, 3) multinomial redraws of the cell counts, `rounds` in all:
    resampling the votes with replacement.

    Two generators spawned from the seed draw alternate chunks in two threads (numpy releases the
    interpreter lock while drawing) while the caller fits the chunks already drawn. Chunk k
    always comes from generator k % 2, so the draws depend on the seed alone.
    """
    flat = counts.reshape(-1)
    total = int(flat.sum())
    probabilities = flat / total
    sizes = [min(BOOTSTRAP_CHUNK, rounds - start) for start in range(0, rounds, BOOTSTRAP_CHUNK)]
    generators = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)]
    drawn: list[np.ndarray | None] = [None] * len(sizes)
    ready = [threading.Event() for _ in sizes]

    failure: list[BaseException] = []

    def draw(worker: int) -> None:
        for k in range(worker, len(sizes), 2):
            try:
                drawn[k] = generators[worker].multinomial(total, probabilities, size=sizes[k])
            except BaseException as exc:  # re-raised by the caller instead of leaving it waiting
                failure.append(exc)
                for event in ready:
                    event.set()
                return
            ready[k].set()

    threads = [threading.Thread(target=draw, args=(w,), daemon=True) for w in range(2)]
    for thread in threads:
        thread.start()
    for k in range(len(sizes)):
        ready[k].wait()
        if failure:
            raise failure[0]
        chunk, drawn[k] = drawn[k], None
        yield chunk.reshape(sizes[k], *counts.shape)
    for thread in threads:
        thread.join()
