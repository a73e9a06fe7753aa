"""Access rules and the battle queue, without a browser."""

import threading
import time

import pytest

from arena import access
from arena.access import Guesses, is_local, may_administer, passcode_matches
from arena.battle_queue import AlreadyQueued, BattleQueue


def test_passcodes_compare_exactly():
    assert passcode_matches("open sesame", "open sesame")
    assert not passcode_matches("open sesame ", "open sesame")
    assert not passcode_matches("", "open sesame")
    assert passcode_matches("口令", "口令")


@pytest.mark.parametrize("ip, local", [
    (None, False), ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
    ("::ffff:127.0.0.1", True), ("192.168.1.20", False), ("10.0.0.5", False),
    ("fe80::1", False), ("not an address", False),
])
def test_what_counts_as_this_computer(ip, local):
    assert is_local(ip) is local


def test_the_admin_rule():
    assert may_administer(False, False, "127.0.0.1")  # no admin passcode: this computer may
    assert not may_administer(False, False, "192.168.1.20")  # a colleague may not
    assert not may_administer(False, False, None)  # nor a session with no known address
    assert not may_administer(True, False, "127.0.0.1")  # with one, this computer signs in too
    assert may_administer(True, True, "192.168.1.20")


def test_five_wrong_tries_then_a_minute_wait(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(access.time, "monotonic", lambda: now[0])
    guesses = Guesses()

    def tries_left(typed: str, client: str = "10.0.0.5") -> tuple:
        attempt = guesses.attempt(client, typed, "sesame")
        return attempt.matched, attempt.tries_left, attempt.wait_s

    assert [tries_left("x") for _ in range(4)] == [(False, k, 0) for k in (4, 3, 2, 1)]
    assert tries_left("x") == (False, 0, 60)
    assert tries_left("sesame") == (False, 0, 60)  # even the right one waits
    assert tries_left("sesame", "10.0.0.6")[0]  # another client is not held up
    now[0] += 59
    assert tries_left("sesame")[2] == pytest.approx(1)
    now[0] += 1.5
    assert tries_left("x") == (False, 4, 0)  # the count starts again after the wait
    assert tries_left("sesame")[0]
    assert tries_left("x") == (False, 4, 0)  # and after a right one


def test_tries_sent_at_once_from_many_tabs_still_get_five_in_all():
    guesses = Guesses()
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        guesses.attempt("10.0.0.7", "guess", "sesame"))) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.tries_left for r in results if r.tries_left) == [1, 2, 3, 4]
    assert not guesses.attempt("10.0.0.7", "sesame", "sesame").matched  # waiting now


def test_the_queue_runs_capacity_at_once_in_arrival_order():
    queue = BattleQueue(2)
    tickets = [queue.join(f"s{k}") for k in range(5)]
    assert [queue.position(t) for t in tickets] == [0, 0, 1, 2, 3]
    with pytest.raises(AlreadyQueued):
        queue.join("s3")  # one battle at a time per session
    queue.leave(tickets[1])
    assert [queue.position(t) for t in tickets] == [0, None, 0, 1, 2]
    queue.leave(tickets[3])  # someone waiting gives up
    queue.leave(tickets[3])  # twice is harmless
    assert queue.position(tickets[4]) == 1
    assert (queue.running(), queue.waiting()) == (2, 1)
    queue.join("s1")  # the session that finished may battle again, at the end of the line
    assert queue.waiting() == 2


def test_a_place_nobody_looks_at_is_dropped(monkeypatch):
    now = [0.0]
    monkeypatch.setattr("arena.battle_queue.time.monotonic", lambda: now[0])
    queue = BattleQueue(1, stale_after_s=60)
    gone, kept = queue.join("closed tab"), queue.join("open tab")
    for _ in range(3):
        now[0] += 30
        assert queue.position(kept) in (0, 1)
    assert queue.position(gone) is None and queue.position(kept) == 0


def test_the_cap_holds_under_many_sessions():
    queue = BattleQueue(2)
    running, most = [0], [0]
    lock = threading.Lock()

    def user(k: int) -> None:
        ticket = queue.join(f"tab {k}")
        while queue.position(ticket):
            time.sleep(0.001)
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        queue.leave(ticket)

    threads = [threading.Thread(target=user, args=(k,)) for k in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == 2 and queue.running() == 0


def test_loaded_models_only_for_an_admin_with_no_battle_awaiting_a_vote():
    from arena.access import may_see_loaded_models

    assert may_see_loaded_models(admin=True, unvoted_battle=False)
    assert not may_see_loaded_models(admin=True, unvoted_battle=True)
    assert not may_see_loaded_models(admin=False, unvoted_battle=False)
    assert not may_see_loaded_models(admin=False, unvoted_battle=True)
