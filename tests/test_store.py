import sqlite3
import threading
from datetime import date, timedelta

import pytest
from db_helpers import count_battles

from arena.db import NewerSchema, Store, VoteFilter, VoteRejected, bulk, migrations, rules
from arena.db.migrations import MIGRATIONS
from arena.records import WINNERS, Battle, Side, Vote


def make_battle(status="complete", **kw) -> Battle:
    battle = Battle(
        category="general",
        prompt="What is 2 + 2?",
        system_prompt="Be brief.",
        options={"temperature": 0.7, "seed": 1, "num_ctx": 2048, "num_predict": 64},
        side_a=Side(model="qwen3:8b", digest="d1", host="http://h:1", think="on", answer="4",
                    thinking="2 + 2 = 4", ttft_s=0.2, total_s=1.5, load_s=0.1, prompt_tokens=12,
                    output_tokens=30, tokens_per_s=41.5, done_reason="stop"),
        side_b=Side(model="llama3.2:3b", digest="d2", host="http://h:1", think="on",
                    answer="Four."),
        **kw,
    )
    battle.status = status
    if status == "failed":
        battle.side_b.error_kind, battle.side_b.error = "busy", "server busy"
        battle.failure_reason = "b: busy: server busy"
    return battle


def test_new_database_is_migrated_to_the_latest_version(store):
    assert store.schema_version() == len(MIGRATIONS)
    names = [c.name for c in store.categories()]
    assert names == ["General", "Classification", "Copywriting", "Coding", "Math & reasoning",
                     "Translation"]
    with store.reading() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_run_once_and_upgrade_an_old_schema(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:1])
    assert Store(path).schema_version() == 1
    assert Store(path).categories() == []  # the seed migration has not run yet
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    upgraded = Store(path)
    assert upgraded.schema_version() == len(MIGRATIONS)
    assert len(upgraded.categories()) == 6
    assert len(Store(path).categories()) == 6  # reopening seeds nothing twice


def test_a_newer_schema_is_refused_not_downgraded(tmp_path):
    path = tmp_path / "future.db"
    Store(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(NewerSchema, match="update the app"):
        Store(path)


def test_presets_include_chinese_and_english_for_classification_and_copywriting(store):
    for category in store.categories():
        if category.slug in ("classification", "copywriting"):
            has_chinese = [any("\u4e00" <= ch <= "\u9fff" for ch in p) for p in category.presets]
            assert any(has_chinese) and not all(has_chinese), category.slug


def test_battle_round_trips_whole(store):
    battle = make_battle()
    store.save_battle(battle)
    assert store.get_battle(battle.id) == battle


def test_battle_is_written_all_or_nothing(store):
    battle = make_battle()
    battle.side_b.think = "sometimes"  # violates the CHECK constraint on battle_sides
    with pytest.raises(sqlite3.IntegrityError):
        store.save_battle(battle)
    assert count_battles(store) == 0
    with store.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM battle_sides").fetchone()[0] == 0


def test_one_vote_per_battle(store):
    battle = make_battle()
    store.save_battle(battle)
    vote = store.record_vote(battle.id, "model_a", voter="ann")
    assert store.get_vote(battle.id) == vote
    for winner in WINNERS:
        with pytest.raises(VoteRejected) as rejected:
            store.record_vote(battle.id, winner, voter="bob")
        assert rejected.value.reason == VoteRejected.ALREADY_VOTED
    assert store.count_votes() == 1
    assert store.get_vote(battle.id).voter == "ann"


def test_the_database_itself_refuses_a_second_vote(store):
    battle = make_battle()
    store.save_battle(battle)
    store.record_vote(battle.id, "tie")
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO votes (battle_id, winner, voted_at) VALUES (?, 'model_b', 'x')",
                      (battle.id,))
    conn.close()


def test_no_vote_for_a_failed_or_unknown_battle(store):
    failed = make_battle(status="failed")
    store.save_battle(failed)
    with pytest.raises(VoteRejected) as rejected:
        store.record_vote(failed.id, "model_a")
    assert rejected.value.reason == VoteRejected.BATTLE_FAILED
    with pytest.raises(VoteRejected) as rejected:
        store.record_vote("no-such-battle", "model_a")
    assert rejected.value.reason == VoteRejected.UNKNOWN_BATTLE
    assert store.count_votes() == 0


def test_unknown_winner_label_is_refused(store):
    battle = make_battle()
    store.save_battle(battle)
    with pytest.raises(VoteRejected):
        store.record_vote(battle.id, "draw")
    assert store.count_votes() == 0


def test_blank_voter_is_anonymous(store):
    battle = make_battle()
    store.save_battle(battle)
    assert store.record_vote(battle.id, "model_b", voter="  ").voter == "anonymous"


def test_concurrent_writers_from_threads(store):
    battles = [make_battle() for _ in range(40)]
    errors = []

    def write(chunk):
        try:
            for battle in chunk:
                store.save_battle(battle)
                store.record_vote(battle.id, "model_a", voter=threading.current_thread().name)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(battles[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count_battles(store) == 40
    assert store.count_votes() == 40


def test_racing_votes_on_one_battle_count_once(store):
    battle = make_battle()
    store.save_battle(battle)
    outcomes = []
    barrier = threading.Barrier(10)

    def vote(winner):
        barrier.wait()
        try:
            store.record_vote(battle.id, winner)
            outcomes.append("ok")
        except VoteRejected as rejected:
            outcomes.append(rejected.reason)

    threads = [threading.Thread(target=vote, args=(WINNERS[i % 4],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert outcomes.count(VoteRejected.ALREADY_VOTED) == 9
    assert store.count_votes() == 1


def test_votes_carry_their_contestants_for_the_leaderboard(store):
    battle = make_battle()  # both sides think "on": separate contestants from thinking "off"
    store.save_battle(battle)
    store.record_vote(battle.id, "model_a", voter="ann")
    table = store.vote_counts()
    assert table.to_dict("records") == [{
        "category": "general", "model_a": "qwen3:8b (thinking)",
        "model_b": "llama3.2:3b (thinking)", "winner": "model_a", "count": 1}]


def test_vote_counts_filters(store):
    from datetime import date


    store.unvoted_hidden_for = timedelta(days=36500)  # votes on old battles, counted
    for created_at, voter, counts in [("2026-01-05T10:00:00.000Z", "ann", True),
                                      ("2026-02-05T10:00:00.000Z", "bob", True),
                                      ("2026-02-06T23:59:59.999Z", "ann", True),
                                      ("2026-02-07T10:00:00.000Z", "ann", False)]:
        battle = make_battle(created_at=created_at)
        store.save_battle(battle)
        store.record_vote(battle.id, "tie", voter=voter, counts=counts)

    def total(**kw):
        return int(store.vote_counts(VoteFilter(**kw))["count"].sum())

    assert total() == 3  # the vote that does not count is left out
    assert total(voter="ann") == 2
    assert total(since=date(2026, 2, 1)) == 2
    assert total(since=date(2026, 2, 1), until=date(2026, 2, 6)) == 2
    assert total(until=date(2026, 2, 5)) == 2
    history = store.counted_votes(VoteFilter(voter="ann"), category="general")
    assert list(history["tstamp"].dt.month) == [1, 2]
    assert store.voters() == ["ann", "bob"]


def test_votes_version_changes_with_each_change_to_votes(store):
    before = store.votes_version()
    battle = make_battle()
    store.save_battle(battle)
    assert store.votes_version() == before
    store.record_vote(battle.id, "model_b")
    seen = {before, store.votes_version()}
    for statement in ("UPDATE votes SET counts = 0", "DELETE FROM votes"):
        with store.transaction() as conn:
            conn.execute(statement)
        seen.add(store.votes_version())
    store.record_vote(battle.id, "model_b")  # the same row again, perhaps the same rowid
    seen.add(store.votes_version())
    assert len(seen) == 5


def test_migration_copies_pairs_onto_existing_votes(tmp_path, monkeypatch):
    path = tmp_path / "v2.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:2])
    old = Store(path)
    battle = make_battle()
    old.save_battle(battle)
    with old.transaction() as conn:
        conn.execute("INSERT INTO votes (battle_id, winner, voted_at) VALUES (?, 'model_b', 'x')",
                     (battle.id,))
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    table = Store(path).vote_counts()
    assert table[["model_a", "model_b", "winner"]].values.tolist() == [
        ["qwen3:8b (thinking)", "llama3.2:3b (thinking)", "model_b"]]


def test_the_tally_matches_the_votes_through_inserts_updates_and_deletes(store):

    battles = [make_battle() for _ in range(6)]
    store.save_battles(battles)
    for battle, winner in zip(battles, ["model_a", "model_a", "tie", "model_b", "tie", "model_a"]):
        store.record_vote(battle.id, winner)
    with store.transaction() as conn:
        conn.execute("UPDATE votes SET counts = 0 WHERE battle_id = ?", (battles[0].id,))
        conn.execute("UPDATE votes SET winner = 'tie (bothbad)' WHERE battle_id = ?",
                     (battles[1].id,))
        conn.execute("DELETE FROM votes WHERE battle_id = ?", (battles[2].id,))

    def as_dict(frame):
        return {tuple(r[:4]): r[4] for r in frame.itertuples(index=False)}

    tally = as_dict(store.vote_counts())
    # A filter that selects everything takes the GROUP BY path: both must agree.
    grouped = as_dict(store.vote_counts(VoteFilter(voter="anonymous")))
    assert tally == grouped
    assert sorted(tally.values()) == [1, 1, 1, 1]


def test_bulk_votes_keep_every_rule_of_the_row_triggers(store, monkeypatch):

    monkeypatch.setattr(bulk, "BULK_VOTES", 2)
    battles = [make_battle() for _ in range(5)]
    votes = [Vote(b.id, w, "ann", "t", counts=c) for b, w, c in
             zip(battles, ["model_a", "model_a", "tie", "model_b", "tie"],
                 [True, True, True, True, False])]
    before = store.votes_version()
    store.save_battles(battles, votes)
    assert store.votes_version() != before
    tally = {tuple(r[:4]): r[4] for r in store.vote_counts().itertuples(index=False)}
    grouped = {tuple(r[:4]): r[4] for r in
               store.vote_counts(VoteFilter(voter="ann")).itertuples(index=False)}
    assert tally == grouped and sum(tally.values()) == 4
    # The triggers are back: a single vote still updates the tally and refuses failed battles.
    extra, failed = make_battle(), make_battle(status="failed")
    store.save_battles([extra, failed])
    store.record_vote(extra.id, "model_a")
    assert sum(store.vote_counts()["count"]) == 5
    with pytest.raises(VoteRejected):
        store.record_vote(failed.id, "model_a")
    # A bulk write with a vote on a failed battle is refused whole.
    more = [make_battle() for _ in range(3)]
    bad = [Vote(b.id, "tie", "bob", "t") for b in more] + [Vote(failed.id, "tie", "bob", "t")]
    with pytest.raises(sqlite3.IntegrityError):
        store.save_battles(more, bad)
    assert count_battles(store) == 7 and store.count_votes() == 6  # nothing of the bad write
    with store.reading() as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert set(rules.ROW_TRIGGERS) <= names


@pytest.mark.timeout(20)  # the default wait is 30 s: this fails if the setting is ignored
def test_a_write_waits_for_another_writer_as_long_as_it_is_told(tmp_path):
    path = tmp_path / "arena.db"
    store = Store(path, busy_timeout_s=0.5)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            store.save_battle(make_battle())
    finally:
        holder.rollback()
        holder.close()
    assert count_battles(store) == 0
    store.close()


# --- the clusters the leaderboard's bootstrap resamples -----------------------------------


def test_votes_on_prompt_set_items_come_with_their_item_as_cluster(store):
    from seed import seed_set_votes, seed_votes

    seed_votes(store, [("x:1", "y:1", "model_a")] * 3 + [("x:1", "y:1", "model_b")])
    seed_set_votes(store, [("x:1", "y:1", "model_b", "007")] * 2
                   + [("y:1", "x:1", "model_b", "007"), ("x:1", "y:1", "model_b", "008"),
                      ("x:1", "y:1", "tie", None, "这家店的面很好吃。"),
                      ("x:1", "y:1", "tie", None, "这家店的面很好吃。")])
    seed_set_votes(store, [("x:1", "y:1", "model_b", "007")], prompt_set="标语 slogans")
    key = ["model_a", "model_b", "winner", "cluster"]
    for where in (VoteFilter(), VoteFilter(voter="ann"), VoteFilter(voter="anonymous")):
        plain, clustered = store.vote_counts(where), store.vote_counts(where, clusters=True)
        assert list(clustered.columns) == ["category", "model_a", "model_b", "winner", "count",
                                           "cluster"]
        # The same votes, only told apart by cluster.
        assert (clustered.groupby(["category", "model_a", "model_b", "winner"])["count"].sum()
                .to_dict() == plain.set_index(["category", "model_a", "model_b", "winner"])
                ["count"].to_dict())
        got = {tuple(r[k] for k in key): r["count"] for _, r in clustered.iterrows()}
        on_sets = {("x:1", "y:1", "model_b", "评论情感 reviews\x1f007"): 2,
                   ("y:1", "x:1", "model_b", "评论情感 reviews\x1f007"): 1,
                   ("x:1", "y:1", "model_b", "评论情感 reviews\x1f008"): 1,
                   ("x:1", "y:1", "tie", "评论情感 reviews\x1f这家店的面很好吃。"): 2,
                   ("x:1", "y:1", "model_b", "标语 slogans\x1f007"): 1}
        live = {("x:1", "y:1", "model_a", None): 3, ("x:1", "y:1", "model_b", None): 1}
        expected = {**(live if where.voter != "ann" else {}),
                    **(on_sets if where.voter != "anonymous" else {})}
        assert got == expected


def test_with_only_live_battles_the_clusters_are_the_tally_as_it_is(store):
    from seed import seed_votes

    seed_votes(store, [("x:1", "y:1", "model_a", "coding")] * 3 + [("x:1", "z:1", "tie")])
    clustered = store.vote_counts(clusters=True)
    assert clustered["cluster"].isna().all()
    assert clustered.drop(columns="cluster").equals(store.vote_counts())


@pytest.mark.parametrize("where", [VoteFilter(), VoteFilter(voter="ann", since=date(2026, 1, 1))])
def test_the_set_votes_are_found_through_their_index_not_a_scan_of_every_battle(store, where):
    from arena.db.votes import SET_VOTES

    clause, params = where.where()
    with store.reading() as conn:
        plan = " ".join(row[3] for row in conn.execute(
            "EXPLAIN QUERY PLAN " + SET_VOTES.format(where=clause), params))
    assert "SEARCH b USING INDEX battles_in_sets" in plan and "SCAN b" not in plan, plan
    assert "SCAN v" not in plan, plan
