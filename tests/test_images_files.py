"""Images through the battle files: JSON Lines embeds each image (hash, type, base64), CSV and
Parquet carry the hashes and the images' data in two last columns; an import restores them,
each checked against its hash, a bad one refused with its row."""

import base64
import json

import pandas as pd
import pytest
from image_helpers import jpeg, png, webp

from arena.db import Store
from arena.files import images as file_images
from arena.files.checks import ImportRejected
from arena.files.export import write_export
from arena.files.importer import import_file
from arena.files.schema import FLAT_COLUMNS
from arena.images import accept_images
from arena.records import Battle, Side

SHARED = accept_images([("a.png", png())])
BOTH = SHARED + accept_images([("b.jpg", jpeg()), ("c.webp", webp())])


def seeded(path) -> tuple[Store, list[Battle]]:
    store = Store(path)
    battles = [Battle("general", "What is this?", "", {"seed": 1}, Side("gemma3:4b", answer="A"),
                      Side("llava:7b", answer="B"), images=images)
               for images in (SHARED, BOTH, ())]
    store.save_battles(battles)
    store.record_vote(battles[0].id, "model_a", voter="ann")
    return store, battles


@pytest.mark.parametrize("form", ["jsonl", "csv", "parquet"])
def test_images_round_trip_through_every_format(tmp_path, form):
    store, battles = seeded(tmp_path / "a.db")
    path = tmp_path / f"out.{form}"
    assert write_export(store, path, form) == 3
    with Store(tmp_path / "b.db") as other:
        result = import_file(other, path)
        assert result.added == 3
        for battle in battles:
            assert other.get_battle(battle.id).images == battle.images
        with other.reading() as conn:  # the shared image once, as in the first database
            assert conn.execute("SELECT COUNT(*) FROM images").fetchone()[0] == 3
        assert import_file(other, path).skipped == 3  # again: nothing new


def test_the_files_shapes(tmp_path):
    store, battles = seeded(tmp_path / "a.db")
    write_export(store, tmp_path / "out.jsonl", "jsonl")
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    by_id = {r["id"]: r for r in records}
    assert list(by_id[battles[0].id])[-4:] == ["side_a", "side_b", "images", "followups"]
    [entry] = by_id[battles[0].id]["images"]
    assert entry == {"sha256": SHARED[0].sha256, "mime": "image/png",
                     "base64": base64.b64encode(png()).decode()}
    assert by_id[battles[2].id]["images"] == []
    write_export(store, tmp_path / "out.parquet", "parquet")
    frame = pd.read_parquet(tmp_path / "out.parquet").set_index("id")
    assert list(frame.reset_index().columns) == FLAT_COLUMNS
    assert FLAT_COLUMNS[-4:] == ["images", "image_data", "turns", "conversation"]
    assert json.loads(frame.at[battles[1].id, "images"]) == [i.sha256 for i in BOTH]
    data = json.loads(frame.at[battles[1].id, "image_data"])
    assert {h: d["mime"] for h, d in data.items()} == {i.sha256: i.mime for i in BOTH}
    assert pd.isna(frame.at[battles[2].id, "images"])


def test_an_export_holds_a_bounded_part_of_the_images_at_once(tmp_path, monkeypatch):
    store, battles = seeded(tmp_path / "a.db")
    monkeypatch.setattr(file_images, "IMAGE_BUDGET", 1)  # every battle in a piece of its own
    loaded = []
    original = store.images_by_hash

    def images_by_hash(hashes):
        loaded.append(set(hashes))
        return original(loaded[-1])

    monkeypatch.setattr(store, "images_by_hash", images_by_hash)
    write_export(store, tmp_path / "out.csv", "csv")
    assert max(len(h) for h in loaded) <= len(BOTH)
    assert len(loaded) == 3
    with Store(tmp_path / "b.db") as other:
        assert import_file(other, tmp_path / "out.csv").added == 3
        assert other.get_battle(battles[1].id).images == BOTH


def rejected(path) -> str:
    with Store(path.with_suffix(".db")) as other, pytest.raises(ImportRejected) as refused:
        import_file(other, path)
    with Store(path.with_suffix(".db")) as other:
        assert other.battle_list(other_filter()).empty  # nothing written
    return str(refused.value)


def other_filter():
    from arena.db import BattleFilter
    return BattleFilter()


def test_an_image_whose_bytes_do_not_match_its_hash_is_refused_with_its_row(tmp_path):
    store, battles = seeded(tmp_path / "a.db")
    write_export(store, tmp_path / "out.jsonl", "jsonl")
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    record = json.loads(lines[1])
    record["images"][0]["base64"] = base64.b64encode(png((1, 2, 3))).decode()
    lines[1] = json.dumps(record)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    message = rejected(bad)
    assert "row 2: images:" in message and "hash mismatch" in message


@pytest.mark.parametrize("change, words", [
    (lambda f: f.__setitem__("image_data", None), "not in image_data"),
    (lambda f: f.__setitem__("images", "not json"), "images:"),
    (lambda f: f.__setitem__("images", json.dumps(["ab"] * 5)), "more than 4"),
])
def test_flat_files_with_broken_image_columns_are_refused(tmp_path, change, words):
    store, battles = seeded(tmp_path / "a.db")
    write_export(store, tmp_path / "out.parquet", "parquet")
    frame = pd.read_parquet(tmp_path / "out.parquet")
    row = frame.index[frame["images"].notna()][0]
    part = frame.loc[[row]].copy()
    change(part)
    part.to_parquet(tmp_path / "bad.parquet", index=False)
    assert words in rejected(tmp_path / "bad.parquet")


def test_an_image_over_the_limit_is_refused_on_import(tmp_path):
    from arena.settings import ImportLimits

    store, battles = seeded(tmp_path / "a.db")
    write_export(store, tmp_path / "out.jsonl", "jsonl")
    with Store(tmp_path / "b.db") as other, pytest.raises(ImportRejected, match="image limit"):
        import_file(other, tmp_path / "out.jsonl", ImportLimits(max_image_mb=0.00005))
