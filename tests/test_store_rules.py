"""The store's rules for names, contestants and writes: when a battle's names may be shown, what
a late vote counts, plain names for models that cannot think, no battle against oneself, and
the write path's error handling."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from db_helpers import count_battles

from arena.db import BattleFilter, Store, VoteFilter, migrations
from arena.db.migrations import MIGRATIONS
from arena.db.rules import NAMES_VISIBLE
from arena.prompt_sets import PromptAnswer, PromptItem, PromptSet
from arena.records import Battle, Side, Vote, iso_utc


def battle_of(a: Side, b: Side, minutes_ago: float = 0, status: str = "complete") -> Battle:
    when = iso_utc(datetime.now(timezone.utc) - timedelta(minutes=minutes_ago))
    return Battle(category="general", prompt="Hi", system_prompt="", options={}, side_a=a,
                  side_b=b, created_at=when, status=status)


def plain(model: str, think: str = "default", **kw) -> Side:
    return Side(model=model, think=think, answer="hello", **kw)


# --- item 4: names hidden until voted or abandoned; late votes do not count -------------------

def test_an_unvoted_battle_names_no_model_until_voted_or_abandoned(store):
    old = battle_of(plain("gemma3:4b"), plain("phi4"), minutes_ago=5)
    store.save_battles([old], [Vote(old.id, "tie", "ann", old.created_at)])
    fresh = battle_of(plain("brand-new:1b"), plain("gemma3:4b"))
    store.save_battle(fresh)
    revealed = BattleFilter(revealed_only=True)
    assert store.contestant_names() == ["gemma3:4b", "phi4"]  # not the brand-new model
    assert store.count_battles_where(revealed) == 1
    assert store.count_battles_where(BattleFilter()) == 2  # the admin's command line sees all
    assert store.contestant_names(revealed_only=False) == ["brand-new:1b", "gemma3:4b", "phi4"]

    from arena.files.export import export_bytes  # the page's downloads use the page's filter

    assert b"brand-new:1b" not in export_bytes(store, revealed, "jsonl")
    assert b"brand-new:1b" in export_bytes(store, BattleFilter(), "jsonl")

    assert store.abandon_battle(fresh.id)
    assert not store.abandon_battle(fresh.id)  # once
    assert "brand-new:1b" in store.contestant_names()
    assert store.count_battles_where(revealed) == 2


def test_a_vote_after_the_names_could_be_seen_is_stored_but_not_counted(store):
    abandoned = battle_of(plain("a:1b"), plain("b:1b"))
    too_late = battle_of(plain("a:1b"), plain("b:1b"), minutes_ago=61)
    in_time = battle_of(plain("a:1b"), plain("b:1b"), minutes_ago=59)
    store.save_battles([abandoned, too_late, in_time])
    store.abandon_battle(abandoned.id)

    for battle in (abandoned, too_late):
        vote = store.record_vote(battle.id, "model_a", voter="ann")
        assert (vote.counts, vote.not_counted_reason) == (False, NAMES_VISIBLE)
        assert store.get_vote(battle.id) == vote
    vote = store.record_vote(in_time.id, "model_b", voter="ann")
    assert vote.counts and vote.not_counted_reason is None
    assert store.vote_counts()["count"].sum() == 1  # only the vote cast in time counts
    # An identity leak keeps its own reason.
    leak = battle_of(plain("a:1b"), plain("b:1b"))
    store.save_battle(leak)
    store.abandon_battle(leak.id)
    vote = store.record_vote(leak.id, "tie", counts=False, not_counted_reason="identity leak")
    assert vote.not_counted_reason == "identity leak"


def test_the_time_limit_is_a_setting_of_the_store(tmp_path):
    with Store(tmp_path / "a.db", unvoted_hidden_for=timedelta(minutes=10)) as store:
        battle = battle_of(plain("a:1b"), plain("b:1b"), minutes_ago=11)
        store.save_battle(battle)
        assert store.contestant_names() == ["a:1b", "b:1b"]
        assert not store.record_vote(battle.id, "tie").counts


def test_a_voted_battle_cannot_be_abandoned(store):
    battle = battle_of(plain("a:1b"), plain("b:1b"))
    store.save_battle(battle)
    store.record_vote(battle.id, "tie")
    assert not store.abandon_battle(battle.id)


def queue_battle(store, first, second, minutes_ago: float = 0) -> Battle:
    """A stored queue battle showing the stored answers `first` and `second` (PromptAnswers)."""
    battle = battle_of(first.side, second.side, minutes_ago)
    battle.source, battle.answer_id_a, battle.answer_id_b = ("prompt_set", first.answer_id,
                                                            second.answer_id)
    store.save_battle(battle)
    return battle


def shared_answers(store):
    """A set's item answered by three models: their stored answers."""
    reviews = PromptSet("reviews", "classification")
    store.add_prompt_set(reviews, [PromptItem("这家店的面很好吃。", "r1", "positive")])
    (item,) = store.set_items(reviews.name)
    for model in ("a:1b", "b:1b", "c:1b"):
        store.save_answer(PromptAnswer(item.item_id, plain(model), {}))
    return store.answers(reviews.name)


def test_a_battle_is_not_revealed_while_another_one_waits_showing_its_answer(store):
    from arena.files.export import export_bytes

    x, y, z = shared_answers(store)
    voted = queue_battle(store, x, y, minutes_ago=5)
    store.record_vote(voted.id, "model_a", voter="ann")
    live = battle_of(plain("a:1b"), plain("b:1b"), minutes_ago=4)
    store.save_battles([live], [Vote(live.id, "tie", "ann", live.created_at)])
    other = queue_battle(store, y, z, minutes_ago=3)  # voted, no answer shared with `waiting`
    store.record_vote(other.id, "tie", voter="bob")
    revealed = BattleFilter(revealed_only=True)

    def shown() -> set[str]:
        return set(store.battle_list(revealed)["id"])

    assert shown() == {voted.id, live.id, other.id}
    waiting = queue_battle(store, x, z)  # shows x and z again
    assert shown() == {live.id}  # `voted` and `other` would name x's or z's model
    assert store.count_battles_where(revealed) == 1
    assert voted.id.encode() not in export_bytes(store, revealed, "jsonl")
    assert store.names_hidden()
    # Counted as usual: a vote on a battle whose answer another battle shows is still blind.
    assert store.record_vote(waiting.id, "model_b", voter="cy").counts
    assert shown() == {voted.id, live.id, other.id, waiting.id}

    again = queue_battle(store, z, x)  # the same answers the other way round
    assert shown() == {live.id}
    assert store.abandon_battle(again.id)  # its tab moved on: the names may be shown
    assert shown() == {voted.id, live.id, other.id, waiting.id, again.id}
    late = queue_battle(store, y, x, minutes_ago=61)  # unvoted past the limit: ended
    assert late.id in shown() and voted.id in shown()


def test_a_model_only_in_battles_whose_answers_wait_is_not_offered(store):
    x, y, _ = shared_answers(store)
    store.record_vote(queue_battle(store, x, y, minutes_ago=5).id, "tie")
    assert store.contestant_names() == ["a:1b", "b:1b"]
    waiting = queue_battle(store, y, x)
    assert store.contestant_names() == []
    assert store.contestant_names(revealed_only=False) == ["a:1b", "b:1b"]
    store.record_vote(waiting.id, "tie")
    assert store.contestant_names() == ["a:1b", "b:1b"]


# --- item 8: the model filter is by contestant (model and thinking) ---------------------------

def test_the_model_filter_matches_a_contestant_not_a_model_name(store):
    failed = battle_of(plain("qwen3:8b", "on"), plain("phi4"), minutes_ago=90, status="failed")
    failed.side_b.error_kind = "busy"
    thinking = battle_of(plain("qwen3:8b", "on"), plain("phi4"), minutes_ago=90)
    plain_one = battle_of(plain("qwen3:8b"), plain("phi4"), minutes_ago=90)
    store.save_battles([failed, thinking, plain_one],
                       [Vote(b.id, "tie", "ann", b.created_at) for b in (thinking, plain_one)])

    def ids(model):
        return set(store.battle_list(BattleFilter(model=model, revealed_only=True))["id"])

    assert ids("qwen3:8b (thinking)") == {failed.id, thinking.id}  # its failed battle too
    assert ids("qwen3:8b") == {plain_one.id}  # not the thinking variant
    assert ids("phi4") == {failed.id, thinking.id, plain_one.id}
    assert store.contestant_names() == ["phi4", "qwen3:8b", "qwen3:8b (thinking)"]


# --- item 6: a model that cannot think is its plain name ----------------------------------------

def _old_store(path, monkeypatch) -> Store:
    """A database at the schema before the merge (version 8)."""
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:8])
    return Store(path)


def test_migration_merges_the_names_of_models_that_cannot_think(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    old = _old_store(path, monkeypatch)
    thinker = dict(thinking="let me think")
    battles = [
        battle_of(plain("llama3.2:3b", "off"), plain("qwen3:8b", "on", **thinker), 100),
        battle_of(plain("llama3.2:3b"), plain("qwen3:8b", "on", **thinker), 100),
        battle_of(plain("qwen3:8b", "off"), plain("llama3.2:3b", "off"), 100),
        # Only ever seen with thinking off: no evidence either way, left alone.
        battle_of(plain("mystery:7b", "off"), plain("llama3.2:3b", "off"), 100),
    ]
    failed = battle_of(plain("llama3.2:3b", "on", error_kind="bad_request",
                             error='"llama3.2:3b" does not support thinking'),
                       plain("qwen3:8b", "on", **thinker), 100, status="failed")
    old.save_battles(battles + [failed],
                     [Vote(b.id, w, "ann", b.created_at) for b, w in
                      zip(battles, ["model_a", "model_a", "model_b", "model_a"])])
    old.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with Store(path) as store:
        table = store.vote_counts()
        assert sorted(set(table["model_a"]) | set(table["model_b"])) == [
            "llama3.2:3b", "mystery:7b (no thinking)", "qwen3:8b (no thinking)",
            "qwen3:8b (thinking)"]
        # The trigger-kept tally agrees with a count of the votes themselves.
        grouped = store.vote_counts(VoteFilter(voter="ann"))
        key = ["category", "model_a", "model_b", "winner"]
        assert (table.sort_values(key).reset_index(drop=True)
                .equals(grouped.sort_values(key).reset_index(drop=True)))
        assert table["count"].sum() == 4
        assert store.contestant_names() == ["llama3.2:3b", "mystery:7b (no thinking)",
                                       "qwen3:8b (no thinking)", "qwen3:8b (thinking)"]
        assert store.get_battle(failed.id).side_a.think == "default"


# --- item 7: no battle against oneself ---------------------------------------------------------

def test_the_database_refuses_a_battle_of_a_contestant_against_itself(store):
    with pytest.raises(sqlite3.IntegrityError, match="both sides are the same contestant"):
        store.save_battle(battle_of(plain("phi4"), plain("phi4")))
    with pytest.raises(sqlite3.IntegrityError, match="same contestant"):
        store.save_battle_columns(
            {"id": ["x"], "created_at": ["2026-01-01T00:00:00.000Z"], "category": ["general"],
             "prompt": ["p"], "options": ["{}"], "status": ["complete"]},
            {"battle_id": ["x", "x"], "side": ["a", "b"], "model": ["m", "m"],
             "think": ["on", "on"]},
            {"battle_id": []})
    assert count_battles(store) == 0
    store.save_battle(battle_of(plain("qwen3:8b", "on"), plain("qwen3:8b", "off")))  # two
    battle = battle_of(plain("a:1b"), plain("b:1b"))
    store.save_battle(battle)
    with (pytest.raises(sqlite3.IntegrityError, match="same contestant"),
          store.transaction() as conn):
        conn.execute("UPDATE battle_sides SET model = 'a:1b' WHERE battle_id = ?", (battle.id,))


def test_migration_stops_counting_votes_of_a_model_against_itself(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    old = _old_store(path, monkeypatch)
    battle = battle_of(plain("phi4"), plain("phi4"), 100)
    old.save_battles([battle], [Vote(battle.id, "tie", "ann", battle.created_at)])
    old.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with Store(path) as store:
        assert store.vote_counts().empty
        assert store.get_vote(battle.id).not_counted_reason == "same contestant"


# --- item 21: the write path --------------------------------------------------------------------

def test_a_failed_rollback_does_not_replace_the_real_error(store):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction() as conn:
        conn.execute("ROLLBACK")  # SQLite ended the transaction itself (as on a full disk)
        raise Boom("the real error")
    with store.transaction() as conn:  # and the connection is usable again
        conn.execute("SELECT 1")


def test_store_closes_its_connection(tmp_path):
    store = Store(tmp_path / "a.db")
    store.set_arena_options(store.arena_options())
    writer = store._writer
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        writer.execute("SELECT 1")
    store.set_arena_options(store.arena_options())  # a closed store opens a new one on demand
    store.close()


def test_writers_of_one_file_share_one_lock(tmp_path):
    first, second = Store(tmp_path / "a.db"), Store(tmp_path / "." / "a.db")
    assert first._lock is second._lock
    first.close(), second.close()


WRITER = """
import sys, threading
from arena.db import Store
store = Store(sys.argv[1])
ids = sys.argv[2].split(",")
lock = threading.Lock()

def vote(part):
    for battle_id in part:
        store.record_vote(battle_id, "tie", voter="w")
        with lock:  # acknowledged: the vote call returned
            print(battle_id, flush=True)

threads = [threading.Thread(target=vote, args=(ids[k::8],)) for k in range(8)]
for t in threads: t.start()
for t in threads: t.join()
"""


def test_acknowledged_votes_survive_kill_9(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    path = tmp_path / "arena.db"
    battles = [battle_of(plain("a:1b"), plain("b:1b")) for _ in range(3000)]
    with Store(path) as store:
        store.save_battles(battles)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path),
                               ",".join(b.id for b in battles)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    acknowledged = []
    while len(acknowledged) < 300:
        acknowledged.append(writer.stdout.readline().strip())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    acknowledged += [line.strip() for line in writer.stdout if line.strip()]
    assert len(acknowledged) < len(battles)  # killed mid-way
    with Store(path) as store:
        assert all(store.get_vote(i) is not None for i in acknowledged)
        assert store.count_votes() == int(store.vote_counts()["count"].sum())


def test_the_log_is_checkpointed_beside_the_writers(store):
    import os
    import time

    big = [battle_of(plain("a:1b"), Side("b:1b", answer="x" * 100_000)) for _ in range(60)]
    store.save_battles(big)  # about 6 MB, in the write-ahead log first
    deadline = time.monotonic() + 10
    while os.path.getsize(store.path) < 5_000_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.getsize(store.path) >= 5_000_000  # copied into the database file


def test_close_waits_for_a_checkpoint_under_way(tmp_path):
    """A checkpoint's connection closing after its Store would checkpoint and remove whatever
    log then bears the file's name (a new database made at the same path lost its tables)."""
    import threading

    store = Store(tmp_path / "arena.db")
    store.save_battles([battle_of(plain("a:1b"), Side("b:1b", answer="x" * 100_000))
                        for _ in range(60)])  # past the checkpoint point: one starts now
    store.close()
    assert not [t for t in threading.enumerate() if t.name == "arena-checkpoint"]
