"""Bootstrap redraws of the pair cells, drawn in background threads while the caller fits.

Two ways to redraw, one per kind of data:

- votes that are independent (live battles): resample the votes with replacement, which is a
  multinomial redraw of the (pair, outcome) cell counts: `bootstrap_chunks(counts, ...)`;
- votes grouped in clusters (prompt-set mode, where one stored answer is shown in several battles
  and votes on one item are not independent): resample the clusters with replacement, a
  multinomial weight per cluster, and add up each round's cell counts: `bootstrap_chunks(counts,
  ..., clusters=VoteClusters(...))`. A vote that is a cluster of its own is drawn through its
  cell, as above: the same distribution at the cost of the cells, not of the votes. With no cluster
  of two or more votes this is the first way exactly: same draws, same seed, same board.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_CHUNK = 125  # rounds drawn (and then fitted) together
_BLOCK_ELEMENTS = 4_000_000  # bound on the (rounds, entries) products summed at once


@dataclass(frozen=True)
class VoteClusters:
    """Votes in clusters of two or more, as entries (cluster, cell, count); `cell` is a flat
    index into the (P, 3) cell counts. `singles` (P, 3) are the votes that are a cluster of their
    own."""

    singles: np.ndarray  # (P, 3)
    cluster: np.ndarray  # (E,) 0 … n_clusters − 1
    cell: np.ndarray  # (E,)
    count: np.ndarray  # (E,)
    n_clusters: int


def bootstrap_chunks(counts: np.ndarray, rounds: int, seed: int | None,
                     clusters: VoteClusters | None = None) -> Iterator[np.ndarray]:
    """Yield (rounds_in_chunk, P, 3) redraws of the cell counts, `rounds` in all: resampling the
    votes with replacement, or the clusters when `clusters` has any (see the module)."""
    if clusters is not None and clusters.n_clusters > 0:
        draw = _cluster_draw(clusters)
    else:
        flat = counts.reshape(-1)
        total = int(flat.sum())
        probabilities = flat / total

        def draw(generator: np.random.Generator, size: int) -> np.ndarray:
            return generator.multinomial(total, probabilities, size=size)

    for chunk in _drawn_in_threads(draw, rounds, seed):
        yield chunk.reshape(len(chunk), *counts.shape)


def _cluster_draw(clusters: VoteClusters) -> Callable[[np.random.Generator, int], np.ndarray]:
    """Draw N units with replacement, N = the single votes + the clusters: a single vote's cell
    is picked with its share of single votes, each cluster with 1/N. A round's counts are the
    single cells drawn plus each cluster's counts times the times it was drawn."""
    singles = clusters.singles.reshape(-1).astype(float)
    units = int(singles.sum()) + clusters.n_clusters
    probabilities = np.concatenate([singles, np.ones(clusters.n_clusters)]) / units
    order = np.argsort(clusters.cell, kind="stable")
    cluster, count = clusters.cluster[order], clusters.count[order]
    cells, starts = np.unique(clusters.cell[order], return_index=True)
    block = max(1, _BLOCK_ELEMENTS // max(len(order), 1))

    def draw(generator: np.random.Generator, size: int) -> np.ndarray:
        drawn = generator.multinomial(units, probabilities, size=size)
        out, weights = drawn[:, :len(singles)], drawn[:, len(singles):]
        for start in range(0, size, block):
            part = weights[start:start + block, cluster] * count
            out[start:start + block, cells] += np.add.reduceat(part, starts, axis=1)
        return out

    return draw


def _drawn_in_threads(draw: Callable[[np.random.Generator, int], np.ndarray], rounds: int,
                      seed: int | None) -> Iterator[np.ndarray]:
    """Chunks of `draw(generator, size)`, `rounds` rows in all.

    Two generators spawned from the seed draw alternate chunks in two threads (numpy releases the
    interpreter lock while drawing) while the caller fits the chunks already drawn. Chunk k
    always comes from generator k % 2, so the draws depend on the seed alone.
    """
    sizes = [min(BOOTSTRAP_CHUNK, rounds - start) for start in range(0, rounds, BOOTSTRAP_CHUNK)]
    generators = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)]
    drawn: list[np.ndarray | None] = [None] * len(sizes)
    ready = [threading.Event() for _ in sizes]

    failure: list[BaseException] = []

    def work(worker: int) -> None:
        for k in range(worker, len(sizes), 2):
            try:
                drawn[k] = draw(generators[worker], sizes[k])
            except BaseException as exc:  # re-raised by the caller instead of leaving it waiting
                failure.append(exc)
                for event in ready:
                    event.set()
                return
            ready[k].set()

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(2)]
    for thread in threads:
        thread.start()
    for k in range(len(sizes)):
        ready[k].wait()
        if failure:
            raise failure[0]
        chunk, drawn[k] = drawn[k], None
        yield chunk
    for thread in threads:
        thread.join()
