"""The Pairing option: stored with the arena's options, and obeyed by the live Arena's draw."""

from types import SimpleNamespace

import pytest
from seed import seed_votes

from arena.categories import Category
from arena.db import Store
from arena.records import ArenaOptions
from arena.ui.arena_view import draw_battle_pair


def test_pairing_is_stored_and_defaults_to_adaptive(tmp_path):
    store = Store(tmp_path / "a.db")
    assert store.arena_options().pairing == "adaptive"
    store.set_arena_options(ArenaOptions(pairing="uniform"))
    assert store.arena_options() == ArenaOptions(pairing="uniform")
    with pytest.raises(ValueError, match="pairing"):
        store.set_arena_options(ArenaOptions(pairing="closest"))
    assert store.arena_options().pairing == "uniform"  # nothing half-written
    with store.transaction() as conn:  # a value from elsewhere that this version does not know
        conn.execute("UPDATE options SET value = 'closest' WHERE name = 'pairing'")
    assert store.arena_options().pairing == "adaptive"
    store.close()


def test_the_arena_draws_adaptively_from_the_categorys_votes_unless_told_uniform(tmp_path):
    store = Store(tmp_path / "a.db")
    # "new" has votes, but only in another category: in general it has none, so it goes first.
    seed_votes(store, [("a", "b", "model_a", "general")] * 10 + [("a", "b", "model_b")] * 10
               + [("new", "a", "model_a", "coding")] * 5)
    ctx = SimpleNamespace(store=store)
    general = Category(slug="general", name="General", description="")
    pairs = [draw_battle_pair(ctx, general, ["a", "b", "new"]) for _ in range(30)]
    assert all("new" in pair for pair in pairs)
    store.set_arena_options(ArenaOptions(pairing="uniform"))
    pairs = [draw_battle_pair(ctx, general, ["a", "b", "new"]) for _ in range(60)]
    assert any("new" not in pair for pair in pairs)
    store.close()
