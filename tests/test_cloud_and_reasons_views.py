"""The cloud mark in the vote queue's one-line reveal (after the vote only), and the Data page's
battle detail with its vote's reasons and comment and its models' cloud mark (AppTest)."""

from apptest_helpers import all_text, db, open_app, open_page, texts, vote_button
from seed import answered_set, seed_votes

from arena.prompt_sets import PromptSet
from arena.ui.queue_view import MODE_KEY, QUEUE

CLOUD = "gpt-oss:120b-cloud"
LOCAL = "llama3.2:3b"
MARK = "☁️ cloud"


def test_the_queues_one_line_reveal_marks_a_cloud_model_after_the_vote():
    with db() as store:
        answered_set(store, PromptSet("reviews", "classification", ("positive", "negative")),
                     items=1, models=(CLOUD, LOCAL))
    at = open_app()
    at.sidebar.text_input(key="voter").input("ann")
    at.session_state[MODE_KEY] = QUEUE
    at = at.run()
    assert not at.exception, texts(at.exception)
    assert "☁️" not in all_text(at)  # nothing tells the sides apart before the vote
    battle = at.session_state["queue.round"].battle
    at = vote_button(at, "tie").click().run()
    assert not at.exception, texts(at.exception)
    [line] = [m.value for m in at.markdown if m.value.startswith("Model A was")]
    assert f"`{CLOUD}` · {MARK}" in line and f"`{LOCAL}` · " not in line
    first = battle.side_a.model  # the mark stays with its side
    assert line.startswith(f"Model A was `{first}`")


def test_the_queues_reveal_without_a_cloud_model_is_as_before():
    with db() as store:
        answered_set(store, PromptSet("reviews", "classification"), items=1,
                     models=("phi4", LOCAL))
    at = open_app()
    at.session_state[MODE_KEY] = QUEUE
    at = vote_button(at.run(), "tie").click().run()
    [line] = [m.value for m in at.markdown if m.value.startswith("Model A was")]
    assert "☁️" not in line and "`phi4`" in line and f"`{LOCAL}`" in line


def _battle_with_reasons() -> str:
    store = db()
    seed_votes(store, [(CLOUD, LOCAL, "model_a", "general", "ann")])
    with store.reading() as conn:
        [(battle_id,)] = conn.execute("SELECT id FROM battles").fetchall()
    store.set_vote_reasons(battle_id, "ann", ["more_accurate", "better_written"],
                           "Right, and said well.")
    return battle_id


def test_the_data_pages_battle_shows_its_reasons_comment_and_cloud_mark():
    _battle_with_reasons()
    at = open_page("pages/data.py")
    assert not at.exception, texts(at.exception)
    vote = at.table[0].value["Value"]
    assert vote["Reasons"] == "more accurate · better written"
    assert vote["Comment"] == "Right, and said well."
    heads = [m.value for m in at.markdown if m.value.startswith("**Model")]
    assert [MARK in h for h in heads] == [CLOUD in h for h in heads] == [True, False]


def test_the_data_pages_reasons_are_translated():
    _battle_with_reasons()
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at.switch_page("pages/data.py")
    at = at.run()
    assert not at.exception, texts(at.exception)
    vote = at.table[0].value.iloc[:, 0]
    assert vote["理由"] == "更准确 · 写得更好"
    assert any("☁️ 云端" in m.value for m in at.markdown)


def test_a_vote_without_reasons_shows_a_dash():
    seed_votes(db(), [("phi4", LOCAL, "tie")])
    at = open_page("pages/data.py")
    vote = at.table[0].value["Value"]
    assert vote["Reasons"] == "—" and vote["Comment"] == "—"
    assert not any("☁️" in m.value for m in at.markdown)
