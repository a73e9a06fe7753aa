"""The Leaderboard page's "unacceptable answers" table (arena/ui/both_bad_view.py) with AppTest:
under the board, from the same filtered votes, in English and Chinese."""

from datetime import date, datetime, timezone

from apptest_helpers import all_text, db, open_app, open_page, texts
from seed import seed_votes

RATE = "Both bad (95% interval)"


def both_bad_frame(at):
    return at.dataframe[1].value  # right under the board


def test_the_table_under_the_board(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_votes(db(), [("x:1", "y:1", "tie (bothbad)")] * 3 + [("x:1", "y:1", "model_a")] * 5 +
               [("x:1", "z:1", "model_a")] * 2)
    at = open_page("pages/leaderboard.py")
    assert not at.exception, texts(at.exception)
    assert "Rating" in at.dataframe[0].value.columns
    frame = both_bad_frame(at)
    assert list(frame.columns) == ["Model", RATE, "Battles", "Both bad", "To watch"]
    assert frame.values.tolist() == [["y:1", "38% (14–69%)", 8, 3, False],
                                     ["x:1", "30% (11–60%)", 10, 3, False],
                                     ["z:1", "0% (0–66%)", 2, 0, False]]
    assert "👎 Unacceptable answers" in all_text(at)
    assert "wins often yet is often in both-bad battles" in all_text(at)


def test_category_voter_and_dates_filter_it_as_they_filter_the_board(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    seed_votes(db(), [("x:1", "y:1", "tie (bothbad)", "coding", "ann")] * 2 +
               [("x:1", "y:1", "model_a", "coding", "bob")] * 2 +
               [("x:1", "z:1", "model_a", "translation", "bob")] * 4, start=start)
    at = open_page("pages/leaderboard.py")
    assert both_bad_frame(at).set_index("Model")[RATE].to_dict() == {
        "y:1": "50% (15–85%)", "x:1": "25% (7–59%)", "z:1": "0% (0–49%)"}
    at.selectbox(key="board.category").select("coding").run()
    assert both_bad_frame(at).set_index("Model")["Battles"].to_dict() == {"x:1": 4, "y:1": 4}
    at.selectbox(key="board.voter").select("ann").run()
    assert both_bad_frame(at)[RATE].tolist() == ["100% (34–100%)"] * 2
    at.selectbox(key="board.voter").select("bob").run()
    assert len(at.dataframe) == 1  # no both-bad vote among these: one line instead of zeros
    assert "No battle in these votes was voted “both are bad”." in all_text(at)
    at.selectbox(key="board.voter").select("").run()
    at.date_input(key="board.dates").set_value((date(2026, 12, 1), date(2026, 12, 31))).run()
    assert not at.dataframe and "Unacceptable answers" not in all_text(at)


def test_a_model_to_watch_is_named(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    rows = []
    for k in range(3):
        rows += [("w:1", f"m{k}:1", "model_a")] * 6 + [("w:1", f"m{k}:1", "tie (bothbad)")] * 6
    rows += [("m0:1", "m1:1", "model_a")] * 30 + [("m1:1", "m2:1", "model_a")] * 30
    seed_votes(db(), rows)
    at = open_page("pages/leaderboard.py")
    assert both_bad_frame(at).set_index("Model")["To watch"].to_dict() == {
        "w:1": True, "m0:1": False, "m1:1": False, "m2:1": False}
    # the name as written (markdown escaped: names are anyone's text)
    assert texts(at.warning) == ["Wins often but is often in both-bad battles: w\\:1"]


def test_chinese(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_votes(db(), [("x:1", "y:1", "tie (bothbad)")] * 3 + [("x:1", "y:1", "model_a")] * 7)
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at.switch_page("pages/leaderboard.py").run()
    assert not at.exception, texts(at.exception)
    frame = both_bad_frame(at)
    assert list(frame.columns) == ["模型", "都不好（95% 区间）", "对战数", "都不好", "值得留意"]
    assert frame["都不好（95% 区间）"].tolist() == ["30% (11–60%)"] * 2
    assert "👎 不可接受的回答" in all_text(at) and "值得留意" in all_text(at)
