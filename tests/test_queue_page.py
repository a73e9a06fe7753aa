"""The Arena page's vote queue with AppTest: stored answers, voted one battle after another."""

from apptest_helpers import all_text, db, open_app, texts, vote_button, vote_buttons
from seed import answered_set, stored_answer

from arena.prompt_sets import PromptItem, PromptSet
from arena.ui.queue_view import MODE_KEY, QUEUE

SET = PromptSet("评论 reviews", "classification", ("positive", "negative"))
MODELS = ("gemma3:4b", "phi4", "qwen3:8b", "llama3.2:3b")  # two disjoint pairs an item


def open_queue(voter: str = "ann"):
    at = open_app()
    at.sidebar.text_input(key="voter").input(voter)
    at.session_state[MODE_KEY] = QUEUE
    return at.run()


def answers_on_screen(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("It reads as")]


def shown_battles(at):
    round_ = at.session_state["queue.round"]
    return [round_.battle] if round_.battle else []


def test_without_answers_the_queue_says_where_they_come_from():
    at = open_queue()
    assert not at.exception, texts(at.exception)
    assert any("Prompt sets page" in i.value for i in at.info)
    assert vote_buttons(at) == []


def test_a_voter_votes_through_a_set_with_the_vote_buttons_only():
    with db() as store:
        answered_set(store, SET, items=2, models=MODELS)  # 2 items × 2 pairs a voter can see blind
    at = open_queue()
    shown_pairs = []
    for _ in range(4):
        assert not at.exception, texts(at.exception)
        assert len(vote_buttons(at)) == 4
        shown = at.session_state["queue.round"].battle
        shown_pairs.append(frozenset((shown.answer_id_a, shown.answer_id_b)))
        at = vote_button(at, "model_a").click().run()
        # The battle just voted is revealed above the next one.
        assert any("your vote was recorded" in s.value for s in at.success)
    assert len(set().union(*shown_pairs)) == 8  # no answer twice: each one was revealed
    assert vote_buttons(at) == []
    assert any("judge blind" in i.value for i in at.info)
    with db() as store:
        assert store.vote_counts()["count"].sum() == 4
        assert store.count_votes(voter="ann") == 4


def test_nothing_names_a_model_before_the_vote_and_the_reveal_does_after():
    with db() as store:
        answered_set(store, SET, items=1, models=MODELS)
    at = open_queue()
    before = all_text(at)
    assert not any(model in before for model in MODELS)
    battle = at.session_state["queue.round"].battle
    at = vote_button(at, "tie").click().run()
    after = all_text(at)
    assert battle.side_a.model in after and battle.side_b.model in after
    assert "Expected answer: positive" in after


def test_the_set_filter_keeps_to_one_set():
    other = PromptSet("slogans", "copywriting")
    with db() as store:
        answered_set(store, SET, items=1, models=MODELS)
        store.add_prompt_set(other, [PromptItem("A slogan for tea.", "t1")])
        [item] = store.set_items(other.name)
        for model in MODELS:
            store.save_answer(stored_answer(item.item_id, model, text=f"Tea time, by {model}?"))
    at = open_queue()
    at = at.selectbox(key="queue.set").select(other.name).run()
    assert not at.exception, texts(at.exception)
    shown = []
    while (battle := at.session_state["queue.round"].battle) is not None:
        shown.append(battle.prompt_set)
        at = vote_button(at, "model_b").click().run()
    assert shown and set(shown) == {other.name}


def test_skip_leaves_the_battle_unvoted_and_shows_another():
    with db() as store:
        answered_set(store, SET, items=1, models=MODELS)
    at = open_queue()
    first = at.session_state["queue.round"].battle
    at = at.button(key="queue.skip").click().run()
    second = at.session_state["queue.round"].battle
    assert second.id != first.id
    # The skipped battle's names may be shown now: its answers are not shown again.
    assert not {second.answer_id_a, second.answer_id_b} & {first.answer_id_a, first.answer_id_b}
    with db() as store:
        assert store.get_battle(first.id) is not None
        assert store.vote_counts()["count"].sum() == 0


def test_the_queue_in_chinese():
    with db() as store:
        answered_set(store, SET, items=1, models=MODELS)
    at = open_queue()
    at.sidebar.selectbox(key="lang").select("zh")
    at = at.run()
    assert not at.exception, texts(at.exception)
    assert "来自提示词集" in all_text(at)
    assert at.session_state[MODE_KEY] == QUEUE


def test_the_category_filter_keeps_to_its_sets():
    slogans = PromptSet("slogans", "copywriting")
    with db() as store:
        answered_set(store, SET, items=2, models=MODELS)
        answered_set(store, slogans, items=1, models=MODELS)
    at = open_queue()
    at = at.selectbox(key="queue.category").select("copywriting").run()
    assert not at.exception, texts(at.exception)
    assert at.selectbox(key="queue.set").options == ["Every set", "slogans"]
    shown = []
    while at.session_state["queue.round"].battle is not None:
        shown.append(at.session_state["queue.round"].battle.category)
        at = vote_button(at, "tie").click().run()
    assert shown and set(shown) == {"copywriting"}
