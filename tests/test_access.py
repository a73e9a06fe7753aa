"""Access rules and the battle queue, without a browser."""

import threading
import time

import pytest

from arena.access import (
    Connection,
    Guesses,
    is_local,
    is_loopback_host,
    may_administer,
    passcode_matches,
)
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


LOCAL = Connection(peer="127.0.0.1", host="localhost:8501")


def test_the_admin_rule():
    assert may_administer(False, False, LOCAL)  # no admin passcode: this computer may
    colleague = Connection(peer="192.168.1.20", host="arena-box:8501")
    assert not may_administer(False, False, colleague)  # a colleague may not
    assert not may_administer(False, False, None)  # nor a session with no known connection
    assert not may_administer(False, False, Connection(peer=None, host="localhost"))
    assert not may_administer(True, False, LOCAL)  # with one, this computer signs in too
    assert may_administer(True, True, colleague)


@pytest.mark.parametrize("host, local", [
    ("localhost", True), ("localhost:8501", True), ("LOCALHOST:1", True), ("127.0.0.1", True),
    ("127.0.0.1:8501", True), ("[::1]", True), ("[::1]:8501", True), ("localhost.:8501", True),
    (None, False), ("", False), ("rebind.example.com:8501", False), ("192.168.1.20:8501", False),
    ("localhost.example.com", False), ("127.0.0.1.nip.io:8501", False), ("[::1", False),
    ("user@evil.test", False), ("evil.test@localhost", False), ("localhost:http", False),
])
def test_what_host_names_this_computer(host, local):
    assert is_loopback_host(host) is local


def test_a_loopback_connection_under_a_foreign_name_is_not_this_computer():
    # DNS rebinding: a page from rebind.example.com, its name now pointing at 127.0.0.1.
    assert not Connection(peer="127.0.0.1", host="rebind.example.com:8501").is_this_computer()
    assert not Connection(peer="127.0.0.1", host="localhost:8501",
                          origin="http://rebind.example.com:8501").is_this_computer()
    assert Connection(peer="::1", host="[::1]:8501", origin="http://[::1]:8501").is_this_computer()
    assert Connection(peer="::ffff:127.0.0.1", host="127.0.0.1:8501",
                      origin="http://127.0.0.1:8501").is_this_computer()
    # Through a proxy on this machine: whoever is behind it is not this computer.
    assert not Connection(peer="127.0.0.1", host="localhost", forwarded=True).is_this_computer()
    assert not Connection(peer="10.0.0.5", host="localhost").is_this_computer()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tries(guesses: Guesses, typed: str, client: str = "ip:10.0.0.5") -> tuple:
    attempt = guesses.attempt(client, typed, "sesame")
    return attempt.matched, attempt.tries_left, attempt.wait_s


def test_five_wrong_tries_then_waits_that_double():
    clock = Clock()
    guesses = Guesses(clock=clock)
    assert [tries(guesses, "x") for _ in range(4)] == [(False, k, 0) for k in (4, 3, 2, 1)]
    assert tries(guesses, "x") == (False, 0, 30)
    assert tries(guesses, "sesame") == (False, 0, 30)  # even the right one waits
    assert tries(guesses, "x") == (False, 0, 30)  # tries during a wait do not lengthen it
    assert tries(guesses, "sesame", "ip:10.0.0.6")[0]  # another client is not held up
    clock.now += 29
    assert tries(guesses, "sesame")[2] == pytest.approx(1)
    waits = []
    for _ in range(8):  # each wrong try after a wait doubles the next one, up to an hour
        clock.now += waits[-1] if waits else 1
        waits.append(tries(guesses, "x")[2])
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    clock.now += 3600
    assert tries(guesses, "sesame")[0]  # the right one, after the wait, lets in
    assert tries(guesses, "x") == (False, 4, 0)  # and the count starts again


def test_a_quiet_day_forgets_the_wrong_tries():
    clock = Clock()
    guesses = Guesses(clock=clock)
    for _ in range(5):
        tries(guesses, "x")
    clock.now += 25 * 3600
    assert tries(guesses, "x") == (False, 4, 0)


def test_rotating_clients_meets_the_limit_on_everyone():
    clock = Clock()
    guesses = Guesses(clock=clock, global_max_wrong=30)
    # A new address (or a new session) for every guess: each has its own count...
    seen = [guesses.attempt(f"ip:10.0.{k}.1", "guess", "sesame") for k in range(30)]
    assert [a.tries_left for a in seen[:29]] == [4] * 29
    # ...but the 30th wrong try in all stops everyone, a right passcode included.
    assert seen[29].everyone and seen[29].wait_s == 30
    late = guesses.attempt("ip:192.168.1.50", "sesame", "sesame")
    assert not late.matched and late.everyone and late.wait_s == 30
    clock.now += 30
    assert guesses.attempt("ip:10.9.9.9", "guess", "sesame").wait_s == 60  # doubling too
    clock.now += 60
    assert guesses.attempt("ip:192.168.1.50", "sesame", "sesame").matched


def test_who_got_it_right_before_is_not_kept_out_by_strangers():
    clock = Clock()
    guesses = Guesses(clock=clock, global_max_wrong=30)
    assert guesses.attempt("ip:192.168.1.50", "sesame", "sesame").matched  # a colleague
    for k in range(40):
        guesses.attempt(f"ip:10.0.{k}.1", "guess", "sesame")
    assert not guesses.attempt("ip:192.168.1.51", "sesame", "sesame").matched  # a newcomer
    assert guesses.attempt("ip:192.168.1.50", "sesame", "sesame").matched  # back next day
    # Its own mistakes still count against it alone.
    for left in (4, 3, 2, 1):
        assert guesses.attempt("ip:192.168.1.50", "typo", "sesame").tries_left == left
    assert guesses.attempt("ip:192.168.1.50", "typo", "sesame").wait_s == 30


def test_tries_sent_at_once_from_many_tabs_still_get_five_in_all():
    guesses = Guesses()
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        guesses.attempt("ip:10.0.0.7", "guess", "sesame"))) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.tries_left for r in results if r.tries_left) == [1, 2, 3, 4]
    assert not guesses.attempt("ip:10.0.0.7", "sesame", "sesame").matched  # waiting now


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
