"""Task categories: added, changed and deleted by an admin on the Models page, used by battles."""

from apptest_helpers import db, open_app, open_page, texts
from seed import seed_votes
from streamlit.testing.v1 import AppTest

from arena.categories import new_slug
from arena.ui.models_view import split_presets


def open_models(admin: bool = True) -> AppTest:
    return open_page("pages/models.py", admin)


def fill(at: AppTest, name: str, description: str = "", system: str = "", presets: str = ""):
    [name_box, description_box] = [b for b in at.text_input if b.label in ("Name", "Description")]
    name_box.input(name)
    description_box.input(description)
    system_box, presets_box = [a for a in at.text_area
                               if a.label in ("System prompt (the same for both sides)",
                                              "Preset prompts")]
    system_box.input(system)
    presets_box.input(presets)
    [save] = [b for b in at.button if b.label == "Save category"]
    return save.click().run()


def test_slugs_and_presets():
    assert new_slug("SQL queries", {"general"}) == "sql-queries"
    assert new_slug("SQL queries", {"sql-queries"}) == "sql-queries-2"
    assert new_slug("代码审查", set()) == "代码审查"
    assert new_slug("!!!", set()) == "category"
    assert split_presets("one\n---\ntwo\nlines\n  ---  \n\n") == ["one", "two\nlines"]


def test_an_admin_adds_a_category_that_battles_then_use(admin):
    at = open_models()
    at = fill(at, "SQL queries", "Write SQL for a question.", "Answer with one SQL query.",
              "Count the orders per customer.\n---\nFind duplicate emails.")
    assert not at.exception, texts(at.exception)
    assert "Saved the category SQL queries." in texts(at.success)
    category = {c.slug: c for c in db().categories()}["sql-queries"]
    assert category.system_prompt == "Answer with one SQL query."
    assert category.presets == ["Count the orders per customer.", "Find duplicate emails."]
    arena = open_app()
    arena.selectbox(key="arena.category").select("sql-queries").run()
    assert "Write SQL for a question." in texts(arena.caption)
    assert arena.selectbox(key="arena.preset.sql-queries").options[1:] == [
        "Count the orders per customer.", "Find duplicate emails."]


def test_renaming_a_default_category_shows_the_new_name(admin):
    at = open_models()
    at.selectbox(key="categories.pick").select("coding").run()
    at = fill(at, "Code & scripts", "Programs.", "Be terse.", "")
    assert not at.exception, texts(at.exception)
    arena = open_app()
    labels = arena.selectbox(key="arena.category").options  # as shown
    assert "Code & scripts" in labels and "Coding" not in labels
    # A name another category has is refused.
    at.selectbox(key="categories.pick").select("general").run()
    at = fill(at, "Code & scripts")
    assert any("already" in e for e in texts(at.error))


def test_delete_only_what_no_battle_belongs_to(admin):
    seed_votes(db(), [("x:1", "y:1", "model_a", "coding")])
    at = open_models()
    at.selectbox(key="categories.pick").select("coding").run()
    at.button(key="categories.delete").click().run()
    assert any("cannot be deleted" in w for w in texts(at.warning))
    assert "coding" in {c.slug for c in db().categories()}
    at.selectbox(key="categories.pick").select("translation").run()
    at.button(key="categories.delete").click().run()
    assert "translation" not in {c.slug for c in db().categories()}


def test_a_colleague_cannot_change_categories(admin):
    at = open_models(admin=False)
    assert all(b.disabled for b in at.text_input if b.label in ("Name", "Description"))
    assert [b for b in at.button if b.label == "Save category"][0].disabled
