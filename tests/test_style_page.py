"""The Leaderboard page's style control toggle, with AppTest: the style-controlled board instead
of the plain one, the coefficients in words, the votes without texts counted, in both
languages."""

from apptest_helpers import all_text, db, open_app, open_page, texts
from seed import seed_votes
from style_helpers import TRUE, seed_styled

from arena.records import Battle, Side, Vote
from arena.style_control import style_leaderboard


def seed_imported(n: int) -> None:
    """Battles imported without answer texts, with their votes."""
    battles = [Battle(category="general", prompt="p", system_prompt="", options={},
                      side_a=Side("big:32b"), side_b=Side("wee:1b"), id=f"imported-{k}")
               for k in range(n)]
    db().save_battles(battles, [Vote(b.id, "model_b", "ann", b.created_at) for b in battles])


def test_the_toggle_shows_the_style_controlled_board(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    seed_styled(db(), 2000)
    seed_imported(3)
    at = open_page("pages/leaderboard.py")
    assert not at.exception, texts(at.exception)
    plain = at.dataframe[0].value.set_index("Model")["Rating"]
    assert "A 2× longer answer" not in all_text(at)
    at.toggle(key="board.style").set_value(True).run()
    assert not at.exception, texts(at.exception)
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["Rank", "Tier", "Model", "Rating", "95% interval", "Votes",
                                   "Win rate", "Provisional"]
    expected = style_leaderboard(db().style_votes()).board
    assert frame["Model"].tolist() == expected["model"].tolist() == list(TRUE)
    assert (frame["Rating"] == expected["rating"].round(1)).all()
    assert frame.set_index("Model")["Rating"]["big:32b"] > plain["big:32b"] + 30
    shown = all_text(at)
    assert "A 2× longer answer is worth about +" in shown
    assert "3 votes without answer texts (imported battles) are left out" in shown
    at.toggle(key="board.style").set_value(False).run()
    assert (at.dataframe[0].value.set_index("Model")["Rating"] == plain).all()


def test_in_chinese(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_styled(db(), 500)
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at.switch_page("pages/leaderboard.py").run()
    assert at.toggle(key="board.style").label == "风格控制"
    at.toggle(key="board.style").set_value(True).run()
    assert not at.exception, texts(at.exception)
    assert "答案长一倍" in all_text(at)
    assert list(at.dataframe[0].value.columns)[:3] == ["排名", "梯队", "模型"]


def test_votes_without_any_texts_say_so(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_imported(4)
    at = open_page("pages/leaderboard.py")
    at.toggle(key="board.style").set_value(True).run()
    assert not at.exception, texts(at.exception)
    assert not at.dataframe
    assert "style control needs the answers' texts" in texts(at.info)[0]
    assert "4 votes without answer texts" in all_text(at)


def test_a_category_board(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_styled(db(), 1000)
    seed_votes(db(), [("x:1", "y:1", "model_a", "math")] * 3)
    at = open_page("pages/leaderboard.py")
    at.toggle(key="board.style").set_value(True).run()
    at.selectbox(key="board.category").select("math").run()
    assert not at.exception, texts(at.exception)
    assert sorted(at.dataframe[0].value["Model"]) == ["x:1", "y:1"]
    assert any("Not enough votes to tell these models apart yet" in i for i in texts(at.info))
    # No style varies among these three votes: each feature says so.
    assert "Length: the answers do not differ in it" in all_text(at)


def test_with_style_control_the_charts_and_the_both_bad_rates_stay(monkeypatch):
    """Style control swaps the ratings, nothing else: the charts (the ratings chart showing the
    style-controlled board) and the unacceptable-answers section stay; a category's borrow
    toggle is shown but cannot be changed, and a line says why."""
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_styled(db(), 500)
    at = open_page("pages/leaderboard.py")
    charts = len(at.get("vega_lite_chart"))
    at.toggle(key="board.style").set_value(True).run()
    assert not at.exception, texts(at.exception)
    assert len(at.get("vega_lite_chart")) == charts == 4
    assert "Unacceptable answers" in all_text(at) or "both are bad" in all_text(at)
    category = db().vote_counts()["category"].iloc[0]
    at.selectbox(key="board.category").select(category).run()
    assert at.toggle(key="board.borrow").disabled
    assert "it does not borrow from Overall" in all_text(at)
