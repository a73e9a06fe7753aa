"""The Leaderboard page's accuracy section with AppTest: per prompt set with expected answers, in
English and Chinese; nothing without expected answers; no answer text or item on the page."""

import re

from apptest_helpers import all_text, db, open_app, open_page, texts
from seed import seed_answers, seed_votes
from test_set_accuracy import (
    ANSWERS_CAPITALS,
    ANSWERS_EN,
    ANSWERS_ZH,
    CAPITALS,
    ITEMS_CAPITALS,
    ITEMS_EN,
    ITEMS_SLOGANS,
    ITEMS_ZH,
    SENTIMENT_EN,
    SENTIMENT_ZH,
    SLOGANS,
)

TITLE = "Accuracy against expected answers"
COLUMNS = ["Contestant", "Answered", "Correct", "Accuracy (95% interval)", "No label",
           "Median tokens/s", "Median answer time"]


def open_board():
    return open_page("pages/leaderboard.py")


def accuracy_frame(at):
    return at.dataframe[-1].value  # the section is the page's last part


def test_one_set_shows_its_table_without_any_vote():
    seed_answers(db(), SENTIMENT_ZH, ITEMS_ZH, ANSWERS_ZH, thinking="也许是中性？")
    at = open_board()
    assert not at.exception, texts(at.exception)
    assert "No votes yet" in texts(at.info)[0]  # the votes' board is empty, the section is not
    assert TITLE in texts(at.subheader)[0]
    assert any("the votes above say what people prefer" in c for c in texts(at.caption))
    assert any("评论情感" in m for m in texts(at.markdown))  # the set it is about
    assert "accuracy.set" not in [box.key for box in at.selectbox]  # one set: nothing to choose
    frame = accuracy_frame(at)
    assert list(frame.columns) == COLUMNS
    assert frame.values.tolist() == [["qwen3:8b (thinking)", 3, 2, "67% (21–94%)", 0, 20.0, 2.0],
                                     ["gemma3:4b", 2, 1, "50% (9–91%)", 1, 15.0, 1.5]]


def test_the_section_follows_the_votes_board():
    seed_votes(db(), [("qwen3:8b", "gemma3:4b", "model_a")] * 3)
    seed_answers(db(), SENTIMENT_EN, ITEMS_EN, ANSWERS_EN)
    at = open_board()
    assert not at.exception, texts(at.exception)
    assert len(at.dataframe) == 2 and "Rating" in at.dataframe[0].value.columns
    assert accuracy_frame(at)["Contestant"].tolist() == ["phi4:14b", "llama3.2:3b"]


def test_several_sets_are_chosen_in_a_box_of_those_with_expected_answers():
    seed_answers(db(), SENTIMENT_EN, ITEMS_EN, ANSWERS_EN)
    seed_answers(db(), SLOGANS, ITEMS_SLOGANS, {"x:1": ["茶香满城"]})  # nothing to score
    seed_answers(db(), CAPITALS, ITEMS_CAPITALS, ANSWERS_CAPITALS)
    at = open_board()
    box = at.selectbox(key="accuracy.set")
    assert box.options == [SENTIMENT_EN.name, CAPITALS.name] and box.value == SENTIMENT_EN.name
    assert accuracy_frame(at)["Contestant"].tolist() == ["phi4:14b", "llama3.2:3b"]
    box.select(CAPITALS.name).run()
    frame = accuracy_frame(at)
    assert "No label" not in frame.columns  # a set without labels has nothing to find
    assert frame[["Contestant", "Correct", "Accuracy (95% interval)"]].values.tolist() == [
        ["x:1", 2, "100% (34–100%)"], ["y:1", 0, "0% (0–66%)"]]


def test_no_section_without_expected_answers():
    seed_answers(db(), SLOGANS, ITEMS_SLOGANS, {"x:1": ["茶香满城"]})
    seed_votes(db(), [("x:1", "y:1", "model_a")] * 3)
    at = open_board()
    assert not at.exception
    assert len(at.dataframe) == 1 and TITLE not in all_text(at)


def test_a_set_not_answered_yet_says_so():
    db().add_prompt_set(SENTIMENT_EN, ITEMS_EN)
    at = open_board()
    assert TITLE in texts(at.subheader)[0]
    assert any("No answers to score yet" in i for i in texts(at.info))
    assert not at.dataframe


def test_a_new_answer_shows_on_the_next_load():
    seed_answers(db(), SENTIMENT_EN, ITEMS_EN, {"phi4:14b": ["positive"]})
    at = open_board()
    assert accuracy_frame(at)["Answered"].tolist() == [1]
    seed_answers(db(), SENTIMENT_EN, ITEMS_EN, {"phi4:14b": ["positive", "negative"]})
    at.run()
    assert accuracy_frame(at)["Answered"].tolist() == [2]


def test_no_answer_text_or_item_reaches_the_browser():
    # Totals per contestant only: nothing that ties an answer the vote queue shows to its model.
    seed_answers(db(), SENTIMENT_ZH, ITEMS_ZH, ANSWERS_ZH, thinking="也许是中性？")
    seed_answers(db(), SENTIMENT_EN, ITEMS_EN, ANSWERS_EN)
    at = open_board()
    shown = all_text(at)
    answers = [a for texts_ in (*ANSWERS_ZH.values(), *ANSWERS_EN.values()) for a in texts_ if a]
    for text in answers + [i.prompt for i in ITEMS_ZH + ITEMS_EN] + ["也许是中性？"]:
        assert text not in shown, text
    for item_id in ("z1", "e1"):  # as a word: a random token (the sign-in cookie) may hold it
        assert not re.search(rf"(?<![\w-]){item_id}(?![\w-])", shown), item_id


def test_chinese():
    seed_answers(db(), SENTIMENT_ZH, ITEMS_ZH, ANSWERS_ZH)
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at.switch_page("pages/leaderboard.py").run()
    assert not at.exception, texts(at.exception)
    assert "与标准答案对比的准确率" in texts(at.subheader)[0]
    assert any("上方的投票反映人们更喜欢哪个" in c for c in texts(at.caption))
    frame = accuracy_frame(at)
    assert list(frame.columns) == ["参赛模型", "已回答", "正确", "准确率（95% 区间）", "无标签",
                                   "tokens/秒（中位数）", "回答用时（中位数）"]
    assert frame["准确率（95% 区间）"].tolist() == ["67% (21–94%)", "50% (9–91%)"]


def test_the_chosen_set_holds_across_a_language_switch():
    seed_answers(db(), SENTIMENT_EN, ITEMS_EN, ANSWERS_EN)
    seed_answers(db(), CAPITALS, ITEMS_CAPITALS, ANSWERS_CAPITALS)
    at = open_board()
    at.selectbox(key="accuracy.set").select(CAPITALS.name).run()
    at.sidebar.selectbox(key="lang").select("zh").run()
    assert at.selectbox(key="accuracy.set").value == CAPITALS.name
    assert accuracy_frame(at)["参赛模型"].tolist() == ["x:1", "y:1"]
