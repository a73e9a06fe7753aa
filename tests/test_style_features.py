"""The answers' style counts (arena.style_features), stored with each answer and each vote
(schema 13, with its backfill), and what style control reads of them (Store.style_votes)."""

import numpy as np
import pandas as pd
from test_store import make_battle

from arena.db import Store, VoteFilter, migrations
from arena.db.bulk import pack_style
from arena.db.migrations import MIGRATIONS
from arena.files.importer import import_file
from arena.records import Vote
from arena.style_features import answer_style, tokens, without_code

MARKDOWN = """# Title
Some **bold** text and __more bold__.

## Steps
1. first
2. second
- a point
  * nested point

```python
# a comment, not a header
x = 2 ** 3  # **not bold**
- not a list item
```

    # indented code, not a header
    **not bold either**

Done.
"""


def test_markdown_is_counted_outside_code_blocks():
    tokens, headers, items, bold = answer_style(MARKDOWN)
    assert (headers, items, bold) == (2, 4, 2)
    assert tokens == answer_style(MARKDOWN)[0] > answer_style(without_code(MARKDOWN))[0]


def test_code_blocks_are_removed_before_counting():
    prose = without_code(MARKDOWN)
    assert "comment" not in prose and "indented code" not in prose and "not bold" not in prose
    assert "Done." in prose and "nested point" in prose  # an indented list item is kept
    assert answer_style("```\n# x\n**y**\n- z") == (answer_style("```\n# x\n**y**\n- z")[0],
                                                     0, 0, 0)  # an unclosed fence runs on
    assert answer_style("~~~\n# x\n~~~\n# y")[1] == 1


def test_tokens_grow_with_the_text_in_english_and_chinese():
    assert answer_style("") == (0, 0, 0, 0) and answer_style(None) == (0, 0, 0, 0)
    assert tokens("Hello, world!") == 3  # twelve characters that are not spaces, a quarter each
    assert tokens("你好世界") == 4  # one a character
    assert tokens("答案：yes") == 2 + 1  # the full-width colon is no CJK character
    assert tokens("   \n\t ") == 0
    sentence = "The cat sat on the mat. "  # 18 characters that are not spaces
    assert tokens(sentence * 10) == 45 and tokens(sentence * 20) == 90


def style_row(store: Store, battle_id: str) -> tuple:
    with store.reading() as conn:
        sides = conn.execute("SELECT style_tokens, style_headers, style_list_items, style_bold"
                             " FROM battle_sides WHERE battle_id = ? ORDER BY side",
                             (battle_id,)).fetchall()
        vote = conn.execute("SELECT style_a, style_b FROM votes WHERE battle_id = ?",
                            (battle_id,)).fetchone()
    return [tuple(s) for s in sides], None if vote is None else tuple(vote)


def packed(*texts: str) -> tuple:
    return tuple(pack_style(answer_style(text)) for text in texts)


def test_a_battle_and_its_vote_carry_the_answers_counts(store):
    battle = make_battle()
    battle.side_a.answer, battle.side_b.answer = MARKDOWN, "Four."
    store.save_battle(battle)
    store.record_vote(battle.id, "model_a")
    sides, vote = style_row(store, battle.id)
    assert sides == [answer_style(MARKDOWN), answer_style("Four.")]
    assert vote == packed(MARKDOWN, "Four.")


def test_votes_written_with_their_battles_carry_the_counts(store):
    from seed import seed_votes

    seed_votes(store, [("x:1", "y:1", "model_a")] * 3)
    found = store.style_votes()
    assert found.votes == 3 and found.votes_left_out == 0
    assert found.counts.tolist() == [[1, 0, 0, 0, 1, 0, 0, 0]] * 3


def test_the_migration_counts_the_answers_already_stored(tmp_path, monkeypatch):
    path = tmp_path / "v12.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:12])
    old = Store(path)
    battle, bare = make_battle(), make_battle()
    battle.side_a.answer = MARKDOWN
    bare.side_a.answer = bare.side_b.answer = ""  # as imported without texts
    old.save_battles([battle, bare])
    with old.transaction() as conn:  # votes as schema 12 stored them
        for battle_id in (battle.id, bare.id):
            conn.execute("INSERT INTO votes (battle_id, winner, voted_at, category, model_a,"
                         " model_b) VALUES (?, 'model_b', 'x', 'general', 'a', 'b')",
                         (battle_id,))
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    new = Store(path)
    assert new.schema_version() == len(MIGRATIONS)
    sides, vote = style_row(new, battle.id)
    assert sides == [answer_style(MARKDOWN), answer_style("Four.")]
    assert vote == packed(MARKDOWN, "Four.")
    assert style_row(new, bare.id) == ([(None,) * 4] * 2, (None, None))
    found = new.style_votes()
    assert found.votes == 1 and found.left_out.to_dict() == {"general": 1}


def test_imported_votes_without_texts_are_left_out_and_counted(store, tmp_path):
    rows = pd.DataFrame({"model_a": ["x:1", "y:1", "x:1"], "model_b": ["y:1", "z:1", "z:1"],
                         "winner": ["model_a", "tie", "model_b"],
                         "category": ["coding", "coding", "general"]})
    path = tmp_path / "votes.csv"
    rows.to_csv(path, index=False)
    import_file(store, path)
    from seed import seed_votes

    seed_votes(store, [("x:1", "y:1", "model_a", "coding")] * 2)
    found = store.style_votes()
    assert found.votes == 2
    assert found.left_out.to_dict() == {"coding": 2, "general": 1}
    assert found.board("coding").votes_left_out == 2
    assert found.board("general").votes == 0


def test_one_answer_without_text_counts_as_zeros(store):
    battle = make_battle()
    battle.side_b.answer = ""
    store.save_battle(battle)
    store.record_vote(battle.id, "model_a")
    found = store.style_votes()
    assert found.votes == 1 and found.counts[0, 4:].tolist() == [0, 0, 0, 0]


def test_the_filter_selects_the_votes(store):
    from seed import seed_votes

    seed_votes(store, [("x:1", "y:1", "model_a", "general", "ann")] * 2
               + [("x:1", "y:1", "model_b", "general", "bob", False)])
    from arena.db import VoteFilter

    assert store.style_votes(VoteFilter(voter="ann")).votes == 2
    assert store.style_votes().votes == 2  # the uncounted vote is not read
    assert np.array_equal(store.style_votes().groups["count"], [2])


def test_a_vote_written_after_its_battle_takes_the_stored_counts(store):
    battle = make_battle()
    battle.side_b.answer = MARKDOWN
    store.save_battle(battle)
    store.save_battles([], [Vote(battle.id, "tie", "ann", "2026-11-01T00:00:00.000Z")])
    assert style_row(store, battle.id)[1] == packed("4", MARKDOWN)


def test_dates_and_voter_filter_the_votes_read(store):
    from datetime import date, datetime, timezone

    from seed import seed_votes

    from arena.db import VoteFilter

    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    seed_votes(store, [("x:1", "y:1", "model_a", "general", "ann")] * 3
               + [("x:1", "z:1", "model_b", "coding", "bob")] * 2, start=start)
    where = VoteFilter(since=date(2026, 11, 1), until=date(2026, 11, 1), voter="bob")
    found = store.style_votes(where)
    assert found.votes == 2 and set(found.groups["model_b"]) == {"z:1"}
    assert store.style_votes(VoteFilter(since=date(2026, 12, 1))).votes == 0


def test_counts_past_their_field_are_clipped_not_spilled():
    assert pack_style((1, 2, 3, 4)) == 1 + (2 << 24) + (3 << 36) + (4 << 48)
    assert pack_style((1 << 30, 5000, 0, 1)) == (1 << 24) - 1 + (4095 << 24) + (1 << 48)
    assert pack_style((None,) * 4) is None


def test_large_counts_are_read_back_whole(store):
    battle = make_battle()
    battle.side_a.answer = "word " * 70_000 + "\n".join(f"- {k}" for k in range(3000))
    store.save_battle(battle)
    store.record_vote(battle.id, "model_a")
    assert store.style_votes().counts[0, :4].tolist() == list(answer_style(battle.side_a.answer))


def test_votes_on_one_set_item_share_a_cluster(store):
    from seed import seed_set_votes, seed_votes

    seed_votes(store, [("x:1", "y:1", "model_a")] * 2)
    seed_set_votes(store, [("x:1", "y:1", "model_b", "i1")] * 3
                   + [("x:1", "y:1", "model_b", "i2"), ("y:1", "x:1", "tie", None, "free")])
    found = store.style_votes()
    assert found.votes == 7 and found.clusters is not None
    by_group = dict(zip(found.groups["winner"], np.split(found.clusters,
                                                         np.cumsum(found.groups["count"])[:-1])))
    assert (by_group["model_a"] == -1).all()  # live battles: each vote on its own
    set_votes = by_group["model_b"]
    assert len(set(set_votes[set_votes >= 0])) == 2 and sorted(np.bincount(set_votes)) == [1, 3]
    assert (by_group["tie"] >= 0).all()  # an item known by its prompt
    assert store.style_votes(VoteFilter(voter="nobody")).clusters is None



def test_live_votes_only_have_no_clusters(store):
    from seed import seed_votes

    seed_votes(store, [("x:1", "y:1", "model_a")] * 2)
    assert store.style_votes().clusters is None
