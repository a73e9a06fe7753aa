"""Multi-turn battles in files: exported (JSON Lines nested `followups`; CSV and Parquet the
first prompt, `turns` and `conversation`) and imported back whole; a malformed conversation is
reported by row and that file writes nothing."""

import json

import pandas as pd
import pytest
from image_helpers import png

from arena.conversation import new_turn
from arena.db import Store
from arena.files.checks import ImportRejected
from arena.files.export import write_export
from arena.files.importer import import_file
from arena.images import make_image
from arena.records import Battle, Side, Vote, utc_now
from arena.settings import load_settings


def two_turn_battle() -> Battle:
    battle = Battle("general", "Capital of France?", "", {"seed": 1},
                    Side("alpha:1b", answer="Paris.", total_s=1.0, output_tokens=3),
                    Side("beta:1b", answer="Paris, France.", total_s=2.0, output_tokens=4))
    turn = new_turn(battle, "And of Italy?")
    turn.side_a.answer, turn.side_a.output_tokens = "Rome.", 2
    turn.side_b.answer, turn.side_b.tokens_per_s = "Rome, Italy.", 12.5
    battle.followups.append(turn)
    return battle


@pytest.fixture
def source(tmp_path) -> Store:
    store = Store(tmp_path / "source.db")
    battle = two_turn_battle()
    single = Battle("general", "Hi", "", {}, Side("alpha:1b", answer="Hello"),
                    Side("beta:1b", answer="Hey"))
    store.save_battles([battle, single],
                       [Vote(battle.id, "model_b", "ann", utc_now())])
    return store


@pytest.mark.parametrize("form", ["jsonl", "csv", "parquet"])
def test_turns_round_trip(tmp_path, source, form):
    path = tmp_path / f"out.{form}"
    assert write_export(source, path, form) == 2
    if form == "jsonl":
        records = [json.loads(line) for line in path.read_text().splitlines()]
        assert [len(r["followups"]) for r in records] == [1, 0]
        assert records[0]["followups"][0]["side_a"]["answer"] == "Rome."
    else:
        frame = pd.read_csv(path) if form == "csv" else pd.read_parquet(path)
        assert list(frame.columns[-2:]) == ["turns", "conversation"]
        assert frame["turns"].tolist() == [2, 1]
        assert frame["prompt"].tolist() == ["Capital of France?", "Hi"]
        conversation = json.loads(frame["conversation"][0])
        assert [t["prompt"] for t in conversation] == ["Capital of France?", "And of Italy?"]
    target = Store(tmp_path / "target.db")
    assert import_file(target, path).added == 2
    original = two_turn_battle()
    with source.reading() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM battles ORDER BY created_at")]
    back = target.get_battle(ids[0])
    assert back.turn_count == 2
    assert back.followups[0].prompt == original.followups[0].prompt
    assert back.followups[0].side_a.answer == "Rome."
    assert back.followups[0].side_b.tokens_per_s == 12.5
    assert back.followups == source.get_battle(ids[0]).followups
    assert target.get_battle(ids[1]).followups == []
    assert target.get_vote(ids[0]).winner == "model_b"


def test_a_malformed_conversation_is_reported_by_row(tmp_path, source):
    path = tmp_path / "out.csv"
    write_export(source, path, "csv")
    frame = pd.read_csv(path)
    frame.loc[0, "conversation"] = '[{"prompt": "x"'
    frame.to_csv(path, index=False)
    target = Store(tmp_path / "target.db")
    with pytest.raises(ImportRejected) as rejected:
        import_file(target, path)
    assert "row 1: the conversation is not a JSON list of turns" in str(rejected.value)
    with target.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM battles").fetchone()[0] == 0


def test_the_judge_skips_multi_turn_battles(tmp_path):
    store = Store(tmp_path / "a.db")
    multi = two_turn_battle()
    single = Battle("general", "Hi", "", {}, Side("alpha:1b", answer="Hello"),
                    Side("beta:1b", answer="Hey"))
    store.save_battles([multi, single], [Vote(multi.id, "tie", "ann", utc_now()),
                                         Vote(single.id, "tie", "ann", utc_now())])
    assert [s.battle_id for s in store.judge_subjects("judge:1")] == [single.id]


def test_the_judge_skips_battles_with_images(tmp_path):
    # It reads text only: answers about a picture it never saw are not its to judge.
    store = Store(tmp_path / "a.db")
    seen = Battle("general", "What is this?", "", {}, Side("alpha:1b", answer="A square."),
                  Side("beta:1b", answer="Red."), images=(make_image(png()),))
    plain = Battle("general", "Hi", "", {}, Side("alpha:1b", answer="Hello"),
                   Side("beta:1b", answer="Hey"))
    store.save_battles([seen, plain], [Vote(seen.id, "tie", "ann", utc_now()),
                                       Vote(plain.id, "tie", "ann", utc_now())])
    assert [s.battle_id for s in store.judge_subjects("judge:1")] == [plain.id]


@pytest.mark.parametrize("change, said", [
    (lambda t: t["side_a"].update(answer="broken \ud800 text"), "answer_a is not valid text"),
    (lambda t: t["side_b"].update(model="gamma:1b"), "side b is 'gamma:1b', not the first"),
    (lambda t: t.update(prompt="x" * 60), "prompt is 60 characters long"),
])
def test_a_follow_up_is_checked_as_every_other_field(tmp_path, source, monkeypatch, change, said):
    # A follow-up's texts obey the field limits and Unicode checks, and its sides are the
    # contestants of the first turn: a file cannot slip another model into turn 2.
    monkeypatch.setenv("ARENA_IMPORT_MAX_FIELD_CHARS", "50")
    path = tmp_path / "out.jsonl"
    write_export(source, path, "jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    [multi] = [r for r in records if r["followups"]]
    change(multi["followups"][0])
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    target = Store(tmp_path / "target.db")
    with pytest.raises(ImportRejected) as rejected:
        import_file(target, path, load_settings().imports)
    assert f"turn 2: {said}" in str(rejected.value)
    with target.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM battles").fetchone()[0] == 0
