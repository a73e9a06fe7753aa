"""Why you voted, with AppTest: the row of reasons after a live vote and after a queue vote, and
the Leaderboard's reasons per model in English and Chinese."""

import pytest
from apptest_helpers import all_text, battle, db, open_app, open_page, texts, vote_button
from seed import answered_set
from test_queue_page import MODELS, SET, open_queue
from test_store import make_battle

from arena.vote_reasons import COMMENT_MAX_CHARS


@pytest.fixture
def served(monkeypatch, fake_ollama):
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    return fake_ollama


def pills(at):
    return [p for p in at.button_group if p.key and p.key.startswith("reasons.pills.")]


def comment_box(at):
    [box] = [b for b in at.text_input if b.key and b.key.startswith("reasons.comment.")]
    return box


def assert_fine(at):
    assert not at.exception, texts(at.exception)


def test_no_reasons_before_the_vote_then_a_live_vote_takes_them(served):
    at = open_app()
    at.sidebar.text_input(key="voter").input("ann")
    at = battle(at)
    assert_fine(at)
    assert pills(at) == [] and "more accurate" not in all_text(at)  # before the vote: nothing
    battle_id = at.session_state["arena.round"].battle.id
    at = vote_button(at, "model_a").click().run()
    assert_fine(at)
    [row] = pills(at)
    assert row.label == "Why A? (optional)"
    at = row.set_value(["faster", "more_accurate"]).run()
    assert_fine(at)
    vote = db().get_vote(battle_id)
    assert vote.reasons == ("more_accurate", "faster")
    assert "Thanks, saved with your vote." in texts(at.caption)
    at = comment_box(at).input("  concise and right  ").run()
    assert db().get_vote(battle_id).comment == "concise and right"
    assert pills(at)[0].value == ["faster", "more_accurate"]  # the row shows what was saved
    assert comment_box(at).max_chars == COMMENT_MAX_CHARS


def test_both_bad_offers_its_own_reasons_in_chinese(served):
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at = battle(at)
    at = vote_button(at, "tie (bothbad)").click().run()
    assert_fine(at)
    [row] = pills(at)
    assert row.label == "两个回答哪里不好？（可选）"
    page = all_text(at)
    assert "编造内容" in page and "made_up" not in page  # named, never the raw code
    at = row.set_value(["made_up"]).run()
    battle_id = at.session_state["arena.round"].battle.id
    assert db().get_vote(battle_id).reasons == ("made_up",)


def test_a_queue_vote_shows_the_next_battle_at_once_and_takes_reasons_for_the_last():
    with db() as store:
        answered_set(store, SET, items=2, models=MODELS)
    at = open_queue()
    first = at.session_state["queue.round"].battle
    assert pills(at) == []  # the battle on screen is not voted yet
    at = vote_button(at, "tie").click().run()
    assert_fine(at)
    following = at.session_state["queue.round"].battle
    assert following is not None and following.id != first.id  # the next one, already here
    [row] = pills(at)
    assert row.key.endswith(first.id)  # the reasons are the voted battle's
    at = row.set_value(["hard_to_tell"]).run()
    assert_fine(at)
    assert db().get_vote(first.id).reasons == ("hard_to_tell",)
    assert at.session_state["queue.round"].battle.id == following.id  # still the same next
    assert db().get_vote(following.id) is None
    assert row.label == "Why a tie? (optional)"  # one row, of the battle voted: no side named


def seed_reasons(store):
    votes = [("model_a", ["more_accurate", "faster"]), ("model_a", ["more_accurate"]),
             ("tie (bothbad)", ["made_up"])]
    for winner, reasons in votes:
        b = make_battle()
        store.save_battle(b)
        store.record_vote(b.id, winner, voter="ann")
        store.set_vote_reasons(b.id, "ann", reasons)


def reasons_table(at):
    [frame] = [f.value for f in at.dataframe if "Won by" in f.value.columns
               or "胜因" in f.value.columns]
    return frame


def test_the_leaderboard_shows_the_reasons_each_model_wins_and_loses_by():
    with db() as store:
        seed_reasons(store)
    at = open_page("pages/leaderboard.py")
    assert_fine(at)
    assert "Why models win and lose" in texts(at.subheader)
    table = reasons_table(at).set_index("Model")
    winner, loser = "qwen3:8b (thinking)", "llama3.2:3b (thinking)"
    assert table.loc[winner, "Won by"] == "more accurate ×2 · faster ×1"
    assert table.loc[loser, "Lost by"] == "more accurate ×2 · faster ×1"
    assert table.loc[loser, "Both bad"] == "made things up ×1"
    assert table.loc[winner, "Lost by"] == ""


def test_the_leaderboard_reasons_in_chinese():
    with db() as store:
        seed_reasons(store)
    at = open_page("pages/leaderboard.py")
    at = at.sidebar.selectbox(key="lang").select("zh").run()
    assert_fine(at)
    assert "模型因何胜负" in texts(at.subheader)
    table = reasons_table(at).set_index("模型")
    assert table.loc["qwen3:8b (thinking)", "胜因"] == "更准确 ×2 · 更快 ×1"
    assert table.loc["llama3.2:3b (thinking)", "都不好"] == "编造内容 ×1"


def test_the_leaderboard_says_when_no_reasons_were_given():
    with db() as store:
        b = make_battle()
        store.save_battle(b)
        store.record_vote(b.id, "model_a")
    at = open_page("pages/leaderboard.py")
    assert_fine(at)
    assert any("No voter has given reasons" in c for c in texts(at.caption))


def test_the_leaderboard_reasons_follow_the_selected_category():
    with db() as store:
        seed_reasons(store)  # all in "general"
        b = make_battle()
        b.category = "coding"
        store.save_battle(b)
        store.record_vote(b.id, "model_b", voter="ann")
        store.set_vote_reasons(b.id, "ann", ["better_written"])
    at = open_page("pages/leaderboard.py")
    overall = reasons_table(at).set_index("Model")
    assert "better written ×1" in overall.loc["llama3.2:3b (thinking)", "Won by"]
    at = at.selectbox(key="board.category").select("coding").run()
    assert_fine(at)
    coding = reasons_table(at).set_index("Model")
    assert coding.loc["llama3.2:3b (thinking)", "Won by"] == "better written ×1"
    assert "Both bad" not in coding.columns  # no both-bad reasons in this category
    assert coding.loc["qwen3:8b (thinking)", "Lost by"] == "better written ×1"


def test_back_from_another_page_the_row_shows_the_saved_reasons(served):
    at = battle(open_app())
    at = vote_button(at, "model_b").click().run()
    at = pills(at)[0].set_value(["better_written"]).run()
    at.switch_page("pages/leaderboard.py")
    at = at.run()
    at.switch_page("app.py")
    at = at.run()
    assert_fine(at)
    assert pills(at)[0].value == ["better_written"]
