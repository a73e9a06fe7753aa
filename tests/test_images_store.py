"""A battle's images in the database: each image once by its hash, written in the battle's own
transaction, read back with it, gone with the last battle that shows it; the migration."""

import sqlite3

import pytest
from image_helpers import jpeg, png

from arena.db import Store
from arena.db import migrations as migrations_module
from arena.db.migrations import MIGRATIONS
from arena.images import accept_images
from arena.records import Battle, Side


def battle(images=(), prompt="What is this?") -> Battle:
    return Battle("general", prompt, "", {"seed": 1}, Side("gemma3:4b"), Side("llava:7b"),
                  images=tuple(images))


def rows(store: Store, table: str) -> int:
    with store.reading() as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_battles_images_come_back_with_it_in_order(store):
    images = accept_images([("b.jpg", jpeg()), ("a.png", png())])
    saved = battle(images)
    store.save_battle(saved)
    again = store.get_battle(saved.id)
    assert again.images == images
    assert [i.mime for i in again.images] == ["image/jpeg", "image/png"]
    plain = battle()
    store.save_battle(plain)
    assert store.get_battle(plain.id).images == ()


def test_an_image_shown_by_many_battles_is_stored_once(store):
    image = accept_images([("a.png", png())])
    first, second = battle(image), battle(image + accept_images([("b.jpg", jpeg())]))
    store.save_battles([first, second])
    store.save_battle(battle(image))
    assert rows(store, "images") == 2
    assert rows(store, "battle_images") == 4
    # Deleting battles lets an image go only with the last battle that shows it.
    store.delete_battles([first.id])
    assert rows(store, "images") == 2
    store.delete_battles([second.id])
    assert rows(store, "images") == 1  # the JPEG went with its only battle
    assert store.images_by_hash([image[0].sha256]) == {image[0].sha256: image[0]}


def test_images_are_written_in_the_battles_transaction(store):
    images = accept_images([("a.png", png())])
    kept = battle(images)
    store.save_battle(kept)
    # A batch whose second battle is refused (its id is taken) writes none of its images.
    fresh = battle(accept_images([("b.jpg", jpeg())]))
    clash = battle(images)
    clash.id = kept.id
    with pytest.raises(sqlite3.IntegrityError):
        store.save_battles([fresh, clash])
    assert store.get_battle(fresh.id) is None
    assert rows(store, "images") == 1 and rows(store, "battle_images") == 1


def test_more_than_four_images_are_refused_by_the_store(store):
    five = [accept_images([(str(k), png((k, 0, 0)))])[0] for k in range(5)]
    with pytest.raises(sqlite3.IntegrityError):
        store.save_battle(battle(five))
    assert rows(store, "battles") == 0


def test_a_damaged_image_row_is_not_shown_as_another_image(store, caplog):
    saved = battle(accept_images([("a.png", png())]))
    store.save_battle(saved)
    with store.transaction() as conn:
        conn.execute("UPDATE images SET data = ?", (png((9, 9, 9)),))
    assert store.get_battle(saved.id).images == ()  # left out, not another picture
    assert store.images_by_hash([saved.images[0].sha256]) == {}  # nor exported as this one
    assert "hash mismatch" in caplog.text


def test_an_older_database_is_migrated_and_takes_images(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    before = MIGRATIONS[:MIGRATIONS.index(migrations_module._IMAGES)]
    monkeypatch.setattr(migrations_module, "MIGRATIONS", before)
    with Store(path) as old:
        plain = battle()
        old.save_battle(plain)  # no image tables yet: a battle without images is fine
        assert old.get_battle(plain.id).images == ()
        assert old.battle_image_hashes([plain.id]) == {}
    monkeypatch.setattr(migrations_module, "MIGRATIONS", MIGRATIONS)
    with Store(path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        assert upgraded.get_battle(plain.id).images == ()
        shown = battle(accept_images([("a.png", png())]))
        upgraded.save_battle(shown)
        assert len(upgraded.get_battle(shown.id).images) == 1
        assert upgraded.battle_image_hashes([plain.id, shown.id]).keys() == {shown.id}
