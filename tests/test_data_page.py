"""The Data page with AppTest: filters, paging, one battle whole, downloads, import."""

from apptest_helpers import db, open_app, open_page, texts, vote_button
from db_helpers import count_battles
from seed import seed_votes
from streamlit.testing.v1 import AppTest

from arena.db import BattleFilter
from arena.files.export import export_bytes


def open_data(admin: bool = False) -> AppTest:
    return open_page("pages/data.py", admin)


def listed(at, column: str = "Model B") -> list[str]:
    return list(at.dataframe[0].value[column])


def test_filters_and_paging():
    seed_votes(db(), [("x:1", f"y{k}:1", "model_a", "coding", "ann") for k in range(60)] +
               [("x:1", "z:1", "tie", "translation", "bob")])
    at = open_data()
    assert not at.exception, texts(at.exception)
    assert len(at.dataframe[0].value) == 50 and listed(at)[0] == "z:1"  # newest first
    at.number_input(key="data.page").set_value(2).run()
    assert len(at.dataframe[0].value) == 11
    at.number_input(key="data.page").set_value(1).run()
    at.selectbox(key="data.voter").select("bob").run()
    assert listed(at) == ["z:1"]
    at.selectbox(key="data.voter").select("").run()
    at.selectbox(key="data.winner").select("tie").run()
    assert listed(at) == ["z:1"]
    at.selectbox(key="data.winner").select("").run()
    at.selectbox(key="data.model").select("y3:1").run()
    assert listed(at) == ["y3:1"]


def test_opening_one_battle_shows_it_whole():
    seed_votes(db(), [("x:1", "y:1", "model_b", "coding", "ann")])
    at = open_data()
    assert any("prompt 0" in t for t in texts(at.text))
    vote = at.table[0].value["Value"]
    assert vote["Outcome"] == "👉 B is better" and vote["Voter"] == "ann"
    assert vote["Counted"] == "Counted" and vote["Why it does not count"] == "—"


def _battle_with_figures():
    from arena.records import Battle, Side, Vote

    side_a = Side("qwen3:8b", think="on", answer="4", ttft_s=0.123456789, total_s=1.5,
                  load_s=None, prompt_tokens=12, output_tokens=1234, tokens_per_s=41.4999999,
                  done_reason="length")
    battle = Battle(category="coding", prompt="2 + 2?", system_prompt="",
                    options={"temperature": 0.7, "seed": 12345, "num_ctx": 8192,
                             "num_predict": 4096},
                    side_a=side_a, side_b=Side("llama3.2:3b", answer="four"),
                    created_at="2026-11-01T10:00:00.000Z")
    db().save_battles([battle], [Vote(battle.id, "tie (bothbad)", "ann", "2026-11-01T10:01:00"
                                      ".000Z", counts=False, not_counted_reason="names visible")])


def test_one_battle_reads_as_rows_rounded_with_units():
    _battle_with_figures()
    at = open_data()
    vote, options, figures = (table.value for table in at.table)
    assert vote["Value"]["Outcome"] == "👎 Both are bad"
    assert vote["Value"]["Counted"] == "Not counted"
    assert "could already be seen" in vote["Value"]["Why it does not count"]
    assert options["Value"].to_dict() == {"Context window": "8,192 tokens",
                                          "Longest answer": "4,096 tokens", "Seed": "12345",
                                          "Temperature": "0.7"}
    side_a = figures["Model A: qwen3:8b"]
    assert side_a["Time to first token"] == "0.12 s" and side_a["Model load time"] == "—"
    assert side_a["Speed"] == "41.5 tokens/s" and side_a["Output tokens (thinking included)"] \
        == "1,234"
    assert side_a["Ended"] == "cut off at the length limit"
    assert not at.json  # no raw JSON tree


def test_table_headers_and_values_are_translated():
    _battle_with_figures()
    at = open_data()
    at.selectbox(key="lang").select("zh").run()
    table = at.dataframe[0].value
    assert list(table.columns) == ["编号", "时间（UTC）", "类别", "模型 A", "模型 B", "结果",
                                   "投票人", "是否计入", "对战", "来源"]
    assert table["结果"].tolist() == ["👎 都不好"] and table["是否计入"].tolist() == ["不计入"]
    assert table["类别"].tolist() == ["编程"]
    vote, options, figures = (t.value for t in at.table)
    assert vote["值"]["结果"] == "👎 都不好"
    assert options["值"]["上下文窗口"] == "8,192 个词元"
    assert figures["模型 A: qwen3:8b"]["速度"] == "41.5 词元/秒"


def test_an_unvoted_battle_shows_dashes_not_none():
    from arena.records import Battle, Side

    db().save_battle(Battle(category="coding", prompt="p", system_prompt="", options={},
                            side_a=Side("x:1"), side_b=Side("y:1"),
                            created_at="2026-11-01T10:00:00.000Z"))  # unvoted, long ago
    at = open_data()
    row = at.dataframe[0].value.iloc[0]
    assert row["Outcome"] == "—" and row["Voter"] == "—" and row["Counted"] == "—"
    assert "None" not in at.dataframe[0].value.to_string()


def test_downloads_are_there_and_build_on_demand():
    seed_votes(db(), [("x:1", "y:1", "model_b")] * 3)
    at = open_data()
    assert len(at.get("download_button")) == 3
    data = export_bytes(db(), BattleFilter(), "jsonl")
    assert data.count(b"\n") == 3


def test_store_filters_counted_and_failed():
    store = db()
    seed_votes(store, [("x:1", "y:1", "model_a", "general", "ann", True),
                       ("x:1", "y:1", "model_a", "general", "ann", False)])
    assert store.count_battles_where(BattleFilter(counted=True)) == 1
    assert store.count_battles_where(BattleFilter(counted=False)) == 1
    assert store.count_battles_where(BattleFilter(failed=True)) == 0
    assert store.count_battles_where(BattleFilter(model="x:1")) == 2


def test_import_through_the_page(admin):
    at = open_data(admin=True)
    rows = b"model_a,model_b,winner,category\nx:1,y:1,model_a,coding\nx:1,z:1,tie,coding\n"
    at.file_uploader(key="data.upload").upload("arena.csv", rows, "text/csv").run()
    at.button(key="data.import_button").click().run()
    assert not at.exception, texts(at.exception)
    assert "Imported 2 battles (0 were already here)" in texts(at.success)[0]
    assert db().count_votes() == 2
    at.button(key="data.import_button").click().run()
    assert "Imported 0 battles (2 were already here)" in texts(at.success)[0]


def test_a_bad_upload_writes_nothing_and_says_why(admin):
    at = open_data(admin=True)
    rows = b"model_a,model_b,winner\nx:1,y:1,model_a\nx:1,y:1,draw\n"
    at.file_uploader(key="data.upload").upload("bad.csv", rows, "text/csv").run()
    at.button(key="data.import_button").click().run()
    assert not at.exception
    [error] = texts(at.error)
    assert "Nothing was imported" in error and "bad.csv: row 2: unknown winner label" in error
    assert count_battles(db()) == 0


def test_a_battle_waiting_for_its_vote_is_not_listed(monkeypatch, fake_ollama):
    # Anonymity: another tab must not reveal the models of a battle still being judged.
    from apptest_helpers import battle

    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    arena_tab = battle(open_app())
    assert count_battles(db()) == 1
    data_tab = open_data()
    assert data_tab.dataframe[0].value.empty
    vote_button(arena_tab, "tie").click().run()
    data_tab.run()
    assert len(data_tab.dataframe[0].value) == 1


def test_a_brand_new_model_is_not_offered_by_the_filter_before_its_vote(monkeypatch,
                                                                           fake_ollama):
    from apptest_helpers import battle

    seed_votes(db(), [("old-a:1", "old-b:1", "tie")])
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    arena_tab = battle(open_app())
    new = db().get_battle(db().battle_list(BattleFilter(), limit=1)["id"][0])
    data_tab = open_data()
    offered = data_tab.selectbox(key="data.model").options
    assert offered == ["Any", "old-a:1", "old-b:1"]
    assert not {new.side_a.model, new.side_b.model} & set(offered)
    # A new round without a vote abandons the battle: its names may be shown from then on.
    arena_tab.button(key="arena.start").click().run()  # starts the next battle
    assert db().get_battle(new.id) is not None
    assert new.id in set(db().battle_list(BattleFilter(revealed_only=True), limit=9)["id"])


def test_a_vote_after_the_time_limit_is_stored_but_not_counted(monkeypatch, fake_ollama):
    import time

    from apptest_helpers import battle

    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    monkeypatch.setenv("ARENA_UNVOTED_HIDDEN_S", "1")
    arena_tab = battle(open_app())
    time.sleep(1.2)  # the names may now be shown on the Data page
    vote_button(arena_tab, "tie").click().run()
    [stored] = db().battle_list(BattleFilter())["id"]
    vote = db().get_vote(stored)
    assert vote.counts is False and vote.not_counted_reason == "names visible"
    assert db().vote_counts().empty


def test_delete_one_battle_after_confirming(admin):
    seed_votes(db(), [("x:1", "y:1", "model_a"), ("x:1", "z:1", "model_b")])
    at = open_data(admin=True)
    battle_id = at.selectbox(key="data.open").value
    assert at.button(key=f"data.delete.{battle_id}").disabled  # not before confirming
    at.checkbox(key=f"data.delete_confirm.{battle_id}").check().run()
    at.button(key=f"data.delete.{battle_id}").click().run()
    assert not at.exception, texts(at.exception)
    assert "were deleted" in texts(at.success)[0]
    store = db()
    assert count_battles(store) == 1 and store.get_battle(battle_id) is None
    assert store.count_votes() == 1 and int(store.vote_counts()["count"].sum()) == 1
    with store.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM battle_sides").fetchone()[0] == 2


def test_admin_actions_are_disabled_with_the_reason_for_others(admin):
    seed_votes(db(), [("x:1", "y:1", "model_a")])
    at = open_data()  # the admin passcode is set, and this session has not entered it
    battle_id = at.selectbox(key="data.open").value
    assert at.checkbox(key=f"data.delete_confirm.{battle_id}").disabled
    assert at.button(key=f"data.delete.{battle_id}").disabled
    assert at.get("file_uploader")[0].disabled
    assert any("admin passcode" in c for c in texts(at.caption))


def test_an_answer_shows_no_remote_image_and_a_bounded_part():
    from arena.records import Battle, Side, Vote

    huge = "![tracker](https://tracker.example/pixel.png) " + "word " * 60_000
    battle = Battle(category="coding", prompt="hi", system_prompt="", options={},
                    side_a=Side("x:1", answer=huge, thinking="![t](https://t.example/x.png)"),
                    side_b=Side("y:1", answer="fine"), created_at="2026-11-01T10:00:00.000Z")
    db().save_battles([battle], [Vote(battle.id, "tie", "ann", "2026-11-01T10:01:00.000Z")])
    at = open_data()
    shown = [m.value for m in at.markdown]
    assert not any("![" in text for text in shown)  # an image would be fetched by every reader
    assert any("tracker.example" in text for text in shown)  # a link to it instead
    assert max(len(text) for text in shown) < 110_000
    assert any("more characters" in text for text in texts(at.caption))


def test_a_failed_battle_says_why_in_the_pages_language():
    from arena.records import Battle, Side

    battle = Battle(category="coding", prompt="hi", system_prompt="", options={},
                    side_a=Side("x:1", answer="half", error_kind="stopped",
                                error="stopped before the answer was complete"),
                    side_b=Side("y:1", answer="", error_kind="timeout", error="read timeout"),
                    status="failed", failure_reason="a: stopped: …; b: timeout: …",
                    created_at="2026-11-01T10:00:00.000Z")
    db().save_battles([battle])
    at = open_data()
    at.selectbox(key="data.status").select("failed").run()
    assert "this arena" in list(at.dataframe[0].value["Source"])
    vote_rows = at.table[0].value["Value"]
    assert vote_rows["Why it failed"].startswith("Model A: Stopped before the answer")
    assert "Ollama sent nothing for" in vote_rows["Why it failed"]
    assert any("Stopped before the answer was complete." in e for e in texts(at.error))
    at.selectbox(key="lang").select("zh").run()
    assert at.table[0].value["值"]["失败原因"].startswith("模型 A：回答完成之前已停止")


def test_a_voted_queue_battle_is_not_listed_while_one_showing_its_answer_waits():
    import random

    from seed import answered_set

    from arena.prompt_sets import PromptSet
    from arena.vote_queue import next_queue_battle

    store = db()
    answered_set(store, PromptSet("reviews", "classification"), 1, ("a:1b", "b:1b", "c:1b"))
    voted = next_queue_battle(store, "ann", rng=random.Random(0))
    store.record_vote(voted.id, "model_a", voter="ann")
    seed_votes(store, [("x:1", "y:1", "tie")])  # a live battle: not touched by the rule
    at = open_data()
    assert sorted(listed(at, "Model A") + listed(at, "Model B")) == sorted(
        ["x:1", "y:1", voted.side_a.model, voted.side_b.model])
    # Any two pairs of three answers share one: names next to it would name a waiting model.
    waiting = next_queue_battle(store, "bob", rng=random.Random(1))
    at = open_data()
    assert listed(at) == ["y:1"]
    assert store.contestant_names() == ["x:1", "y:1"]  # what the model filter offers
    # Nothing goes missing silently: the page says how many are left out, and why.
    assert any("2 battles are not listed yet" in c.value for c in at.caption)
    store.record_vote(waiting.id, "tie", voter="bob")
    at = open_data()
    assert len(listed(at)) == 3
    assert not any("not listed yet" in c.value for c in at.caption)
