"""The Leaderboard page with AppTest: empty state, tables, charts, filters, freshness, download."""

from datetime import date, datetime, timezone

from apptest_helpers import all_text, db, open_app, open_page, texts
from seed import seed_votes, simulated_rows

from arena.display import literal_markdown

MODELS = {"qwen3:8b": 1150.0, "llama3.2:3b": 1000.0, "gemma3:4b": 1050.0, "phi4:14b": 900.0}



def open_board():
    return open_page("pages/leaderboard.py")


def board_frame(at):
    return at.dataframe[0].value


def test_empty_state_points_to_the_arena():
    at = open_board()
    assert not at.exception
    assert "No votes yet" in texts(at.info)[0]
    assert not at.dataframe and not at.get("vega_lite_chart")


def test_board_table_and_charts(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "200")
    seed_votes(db(), simulated_rows(MODELS, 400, categories=("coding", "copywriting")))
    at = open_board()
    assert not at.exception, texts(at.exception)
    frame = board_frame(at)
    assert list(frame.columns) == ["Rank", "Tier", "Model", "Rating", "95% interval", "Votes",
                                   "Win rate", "Provisional"]
    assert frame["Model"].iloc[0] == "qwen3:8b" and frame["Model"].iloc[-1] == "phi4:14b"
    assert frame["Votes"].sum() == 2 * 400
    assert frame["95% interval"].str.match(r"^\+\d+ / −\d+$").all()
    assert len(at.get("vega_lite_chart")) == 4  # ratings, two heatmaps, rating over time
    assert at.get("download_button")


def test_category_shows_only_its_votes(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    seed_votes(db(), [("x:1", "y:1", "model_a", "coding")] * 5 +
               [("x:1", "z:1", "model_b", "translation")] * 7)
    at = open_board()
    at.selectbox(key="board.category").select("coding").run()
    frame = board_frame(at)
    assert sorted(frame["Model"]) == ["x:1", "y:1"] and frame["Votes"].sum() == 10
    assert frame["Provisional"].all()  # five votes each, fewer than 20
    at.selectbox(key="board.category").select("math").run()
    assert "No counted votes in this category yet" in texts(at.info)[0]


def test_filters_by_voter_and_date(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    seed_votes(db(), [("x:1", "y:1", "model_a", "general", "ann")] * 3 +
               [("x:1", "z:1", "model_b", "general", "bob")] * 2, start=start)
    at = open_board()
    at.selectbox(key="board.voter").select("bob").run()
    assert sorted(board_frame(at)["Model"]) == ["x:1", "z:1"]
    at.selectbox(key="board.voter").select("").run()
    at.date_input(key="board.dates").set_value((date(2026, 12, 1), date(2026, 12, 31))).run()
    assert "No counted votes match" in texts(at.info)[0]


def test_a_new_vote_shows_on_the_next_load(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    seed_votes(db(), [("x:1", "y:1", "model_a")] * 3)
    at = open_board()
    assert board_frame(at)["Votes"].sum() == 6
    seed_votes(db(), [("x:1", "w:1", "tie")])  # cast in another tab
    at.run()
    assert board_frame(at)["Votes"].sum() == 8 and "w:1" in set(board_frame(at)["Model"])


def test_chinese_labels():
    seed_votes(db(), [("x:1", "y:1", "model_a")] * 3)
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at.switch_page("pages/leaderboard.py").run()
    assert at.title[0].value == "🏆 排行榜"
    assert list(board_frame(at).columns)[:3] == ["排名", "梯队", "模型"]


def test_nickname_survives_a_page_switch():
    at = open_app()
    at.sidebar.text_input(key="voter").input("ann").run()
    at.switch_page("pages/leaderboard.py").run()
    at.switch_page("pages/arena.py").run()
    assert at.sidebar.text_input(key="voter").value == "ann"


def test_a_changed_vote_shows_on_the_next_load(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_votes(db(), [("x:1", "y:1", "model_a")] * 3)
    at = open_board()
    assert board_frame(at).set_index("Model").loc["x:1", "Win rate"] == 1.0
    with db().transaction() as conn:  # an admin marks a vote as not counting
        conn.execute("UPDATE votes SET counts = 0 WHERE rowid = (SELECT MIN(rowid) FROM votes)")
    at.run()
    assert board_frame(at)["Votes"].sum() == 4


def test_rating_over_time_waits_to_be_asked_for_with_many_votes(monkeypatch):
    from arena.ui import leaderboard_view

    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    monkeypatch.setattr(leaderboard_view, "HISTORY_AUTO_LIMIT", 5)
    seed_votes(db(), [("x:1", "y:1", "model_a")] * 6)
    at = open_board()
    assert len(at.get("vega_lite_chart")) == 3
    at.toggle(key="board.history").set_value(True).run()
    assert len(at.get("vega_lite_chart")) == 4


def test_a_line_says_why_every_model_shares_rank_one(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    seed_votes(db(), [("x:1", "y:1", "model_a"), ("y:1", "z:1", "tie")])
    at = open_board()
    assert (board_frame(at)["Rank"] == 1).all() and board_frame(at)["Provisional"].all()
    assert any("Not enough votes to tell these models apart yet" in i and "fewer than 20" in i
               for i in texts(at.info))


def test_no_such_line_once_the_votes_settle_it(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    seed_votes(db(), simulated_rows(MODELS, 400))
    at = open_board()
    assert not any("Not enough votes" in i or "provisional" in i for i in texts(at.info))


def test_win_rate_counts_a_tie_as_half(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "0")
    seed_votes(db(), [("x:1", "y:1", "model_a"), ("x:1", "y:1", "tie"),
                      ("y:1", "x:1", "tie (bothbad)"), ("y:1", "x:1", "model_b")])
    at = open_board()
    rates = board_frame(at).set_index("Model")["Win rate"]
    assert rates["x:1"] == 0.75 and rates["y:1"] == 0.25
    assert "a tie or a both-bad counting as half" in all_text(at)  # and its help says so


def test_votes_on_one_prompt_set_item_are_resampled_together(monkeypatch):
    """The page's intervals are those of the clustered bootstrap: wider than the same votes
    taken as independent, for the coding board and Overall alike."""
    from seed import seed_set_votes, shared_answer_rows

    from arena import ratings, shrinkage

    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "200")
    seed_votes(db(), simulated_rows(MODELS, 40, categories=("general",)))
    seed_set_votes(db(), shared_answer_rows(list(MODELS), 6, 30, seed=2), category="coding")
    def intervals(table, category):  # the coding board borrows from the general votes
        board, _ = shrinkage.category_board(table, category, shrinkage.borrow_strength(table),
                                            rounds=200, seed=0)
        return ratings.interval_text(board).set_axis(board["model"]).to_dict()

    at = open_board()
    for category in (ratings.OVERALL, "coding"):
        at.selectbox(key="board.category").select(category).run()
        shown = board_frame(at).set_index("Model")["95% interval"].to_dict()
        assert shown == intervals(db().vote_counts(clusters=True), category)
        assert shown != intervals(db().vote_counts(), category)


CLOSE = {"qwen3:8b": 1085.0, "gemma3:4b": 1040.0, "phi4:14b": 700.0}


def expected_gaps(rounds: int):
    from arena import ratings, tiers

    table = db().vote_counts(clusters=True)
    return tiers.separating_votes(ratings.leaderboard(table, rounds=rounds, seed=0), table)


def test_tiers_in_the_table_and_more_votes_under_it(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "200")
    seed_votes(db(), simulated_rows(CLOSE, 300, seed=4))
    at = open_board()
    assert not at.exception, texts(at.exception)
    tiers = board_frame(at).set_index("Model")["Tier"].to_dict()
    assert tiers == {"qwen3:8b": 1, "gemma3:4b": 1, "phi4:14b": 2}
    first = expected_gaps(200)[0]
    assert first.more_votes and first.more_votes > 1
    line = (f"About {first.more_votes} more votes of {literal_markdown(first.model_a)} vs "
            f"{literal_markdown(first.model_b)} would tell them apart.")
    captions = [c.value for c in at.caption]
    assert any(line in c for c in captions), captions
    # The pair already apart (gemma3 and phi4) gets no line.
    assert not any("phi4" in c for c in captions)


def test_more_votes_in_chinese(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "200")
    seed_votes(db(), simulated_rows(CLOSE, 300, seed=4))
    at = open_app()
    at.sidebar.selectbox(key="lang").select("zh").run()
    at.switch_page("pages/leaderboard.py").run()
    assert not at.exception, texts(at.exception)
    first = expected_gaps(200)[0]
    assert f"再投约 {first.more_votes} 票，就能分出高下" in " ".join(c.value for c in at.caption)
    assert set(board_frame(at)["梯队"]) == {1, 2}


def test_no_more_votes_line_when_neighbours_never_met_or_are_level(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    # Board order x, then y and w level (they tied), then z: no neighbours that met and differ.
    seed_votes(db(), [("x:1", "z:1", "model_a")] * 2 + [("y:1", "w:1", "tie")])
    at = open_board()
    assert not at.exception
    assert (board_frame(at)["Tier"] == 1).all()
    assert not any("would tell them apart" in c.value for c in at.caption)


def test_the_download_has_the_tier_column_in_both_languages():
    from functools import partial
    from io import StringIO

    import pandas as pd

    from arena import ratings
    from arena.i18n import translate
    from arena.ui.leaderboard_view import download_csv

    votes = pd.DataFrame([r[:3] for r in simulated_rows(CLOSE, 300, seed=4)],
                         columns=["model_a", "model_b", "winner"])
    board = ratings.leaderboard(ratings.count_table(votes), rounds=50)
    for language, tier in (("en", "Tier"), ("zh", "梯队")):
        shown = pd.read_csv(StringIO(download_csv(board, partial(translate, language))
                                     .decode("utf-8-sig")))
        assert shown[tier].tolist() == board["tier"].tolist() == [1, 1, 2]


def test_a_category_board_borrows_from_overall_unless_told_not_to(monkeypatch):
    """By default a category's board borrows from the other categories and says so; the
    toggle turns it back into the category's votes alone (the plain fit), and Overall has
    neither the toggle nor the note."""
    from arena import ratings

    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    seed_votes(db(), simulated_rows(MODELS, 30, categories=("coding",)) +
               simulated_rows(MODELS, 600, seed=1, categories=("general",)))
    at = open_board()
    assert not at.toggle(key="board.borrow") if "board.borrow" in [t.key for t in at.toggle] \
        else True
    assert "Borrowing from Overall" not in all_text(at)
    at.selectbox(key="board.category").select("coding").run()
    assert not at.exception, texts(at.exception)
    assert "Borrowing from Overall" in all_text(at)
    borrowed = board_frame(at).set_index("Model")["Rating"]
    at.toggle(key="board.borrow").set_value(False).run()
    assert "This category's votes alone." in all_text(at)
    own = board_frame(at).set_index("Model")["Rating"]
    plain = ratings.leaderboard(ratings.category_table(db().vote_counts(), "coding"), rounds=50)
    assert own.round(1).to_dict() == plain.set_index("model")["rating"].round(1).to_dict()
    assert (borrowed - own).abs().max() > 1.0


def test_the_borrowing_note_in_chinese(monkeypatch):
    monkeypatch.setenv("ARENA_BOOTSTRAP_ROUNDS", "50")
    seed_votes(db(), simulated_rows(MODELS, 30, categories=("coding",)) +
               simulated_rows(MODELS, 300, seed=1, categories=("general",)))
    at = open_board()
    at.session_state["lang"] = "zh"
    at.run()
    at.selectbox(key="board.category").select("coding").run()
    assert not at.exception, texts(at.exception)
    assert "借助总榜：" in all_text(at)
