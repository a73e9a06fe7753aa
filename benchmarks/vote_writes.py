"""Vote writes under load: how long one `Store.record_vote` takes while others write at once.

A database with --battles complete battles (and --voted of them already voted, so that the tables
and the tally have a realistic size) is written once; then each writer casts votes on battles of
its own, one after the other as fast as it can, and every call is timed: first 32 writer threads
sharing one Store (one Streamlit server), then 8 writer processes with a Store each (several
servers, or the command line, on one file).

Goals (issue 10): p99 under 50 ms and the worst under 250 ms, in both modes.

Usage: python benchmarks/vote_writes.py [--threads 32] [--processes 8] [--votes 60]
       [--battles 20000] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import threading
import time
from pathlib import Path

from arena.db import Store
from arena.records import WINNERS, Battle, Side, Vote

MODELS = [f"model-{k}:8b" for k in range(12)]


def prepare(path: Path, battles: int, voted: int) -> list[str]:
    """A fresh database; returns the ids of the battles left to vote on."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store(path)
    made, votes = [], []
    for k in range(battles):
        a, b = MODELS[k % len(MODELS)], MODELS[(k * 7 + 1) % len(MODELS)]
        if a == b:
            b = MODELS[(k + 1) % len(MODELS)]
        battle = Battle(category="general", prompt=f"prompt {k}", system_prompt="",
                        options={"temperature": 0.7, "seed": k},
                        side_a=Side(a, answer="answer a " * 40),
                        side_b=Side(b, answer="answer b " * 40))
        made.append(battle)
        if k < voted:
            votes.append(Vote(battle.id, WINNERS[k % 4], "bench", battle.created_at))
    store.save_battles(made, votes)
    store.close()
    return [b.id for b in made[voted:]]


def write_votes(store: Store, ids: list[str]) -> list[float]:
    """Cast one vote on each battle; the time of each call, in seconds."""
    times = []
    for k, battle_id in enumerate(ids):
        start = time.perf_counter()
        store.record_vote(battle_id, WINNERS[k % 4], voter="bench")
        times.append(time.perf_counter() - start)
    return times


def _process_writer(path: str, ids: list[str], ready, go, out) -> None:
    store = Store(path)
    ready.put(True)
    go.wait()
    out.put(write_votes(store, ids))
    store.close()


def run_threads(path: Path, ids: list[str], writers: int, votes: int) -> tuple[list[float], float]:
    store = Store(path)
    results: list[list[float]] = [[] for _ in range(writers)]
    barrier = threading.Barrier(writers)

    def writer(k: int) -> None:
        barrier.wait()
        results[k] = write_votes(store, ids[k * votes:(k + 1) * votes])

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    store.close()
    return [t for r in results for t in r], wall


def run_processes(path: Path, ids: list[str], writers: int,
                  votes: int) -> tuple[list[float], float]:
    context = multiprocessing.get_context("spawn")
    ready, go, out = context.Queue(), context.Event(), context.Queue()
    procs = [context.Process(target=_process_writer,
                             args=(str(path), ids[k * votes:(k + 1) * votes], ready, go, out))
             for k in range(writers)]
    for proc in procs:
        proc.start()
    for _ in procs:  # every process started and opened its Store: all write at once
        ready.get()
    start = time.perf_counter()
    go.set()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    return [t for r in results for t in r], time.perf_counter() - start


def report(mode: str, times: list[float], wall: float) -> None:
    times = sorted(times)

    def pick(q: float) -> float:
        return times[min(len(times) - 1, int(q * len(times)))] * 1000

    print(f"{mode:<14} votes {len(times):>5}  p50 {pick(0.5):7.1f} ms  p99 {pick(0.99):7.1f} ms"
          f"  worst {times[-1] * 1000:7.1f} ms  {len(times) / wall:7.0f} votes/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--votes", type=int, default=60, help="votes per writer")
    parser.add_argument("--battles", type=int, default=20000)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "arena-bench")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / "vote-writes.db"
    needed = max(args.threads, args.processes) * args.votes
    voted = max(0, args.battles - needed)
    for mode, writers, run in (("threads", args.threads, run_threads),
                               ("processes", args.processes, run_processes)):
        ids = prepare(path, max(args.battles, needed), voted)
        times, wall = run(path, ids, writers, args.votes)
        report(f"{writers} {mode}", times, wall)


if __name__ == "__main__":
    main()
