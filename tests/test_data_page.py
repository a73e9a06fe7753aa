"""The Data page with AppTest: filters, paging, one battle whole, downloads, import."""

from apptest_helpers import db, open_app, open_page, texts
from seed import seed_votes
from streamlit.testing.v1 import AppTest

from arena import exchange
from arena.store import BattleFilter



def open_data(admin: bool = False) -> AppTest:
    return open_page("pages/data.py", admin)


def listed(at) -> list[str]:
    return list(at.dataframe[0].value["model_b"])


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
    assert at.json and '"winner": "model_b"' in at.json[0].value


def test_downloads_are_there_and_build_on_demand():
    seed_votes(db(), [("x:1", "y:1", "model_b")] * 3)
    at = open_data()
    assert len(at.get("download_button")) == 3
    data = exchange.export_bytes(db(), BattleFilter(), "jsonl")
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
    assert db().count_battles() == 0


def test_a_battle_waiting_for_its_vote_is_not_listed(monkeypatch, fake_ollama):
    # Anonymity: another tab must not reveal the models of a battle still being judged.
    from apptest_helpers import battle

    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    arena_tab = battle(open_app())
    assert db().count_battles() == 1
    data_tab = open_data()
    assert data_tab.dataframe[0].value.empty
    arena_tab.button(key="arena.vote.tie").click().run()
    data_tab.run()
    assert len(data_tab.dataframe[0].value) == 1


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
    assert store.count_battles() == 1 and store.get_battle(battle_id) is None
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
