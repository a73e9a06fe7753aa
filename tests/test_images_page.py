"""The Arena and Data pages with images, end to end with AppTest (its file_uploader takes
uploads): only vision models battle, both get the images, thumbnails show; too few vision
models or a refused upload keep the Battle button off."""

import pytest
from apptest_helpers import all_text, battle, db, open_app, open_page, texts, vote_button
from db_helpers import count_battles
from fake_ollama import FakeModel, FakeOllama, vision_model
from image_helpers import GIF, png

from arena.db import BattleFilter

PNG = png()


def upload(at, *files):
    at.file_uploader(key="arena.images").set_value(
        [(name, data, "application/octet-stream") for name, data in files])
    return at.run()


def images_shown(at) -> int:
    return sum(len(e.proto.imgs) for e in at.get("image"))


@pytest.fixture
def mixed(monkeypatch):
    with FakeOllama([vision_model("gemma3:4b"), vision_model("llava:7b", family="llama"),
                     FakeModel("llama3.2:3b"), FakeModel("phi4:14b")]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        yield fake


def test_a_battle_with_an_image_goes_to_two_vision_models(mixed):
    at = upload(open_app(), ("photo.png", PNG))
    assert not at.exception
    assert "2 models available for this battle" in " ".join(texts(at.caption))
    at = battle(at, "What colour is this square?")
    assert not at.exception
    [stored] = db().battle_list(BattleFilter(), limit=5)["id"].tolist() or [None]
    battle_ = db().get_battle(stored)
    assert {battle_.side_a.model, battle_.side_b.model} == {"gemma3:4b", "llava:7b"}
    assert len(battle_.images) == 1 and battle_.images[0].data == PNG
    sent = [battle_.images[0].base64]
    assert mixed.models["gemma3:4b"].images_seen == [sent]
    assert mixed.models["llava:7b"].images_seen == [sent]
    assert mixed.models["llama3.2:3b"].images_seen == mixed.models["phi4:14b"].images_seen == []
    # Before the vote: the thumbnail above both answers, and no model named.
    assert images_shown(at) == 1
    assert "Both models were sent 1 image" in " ".join(texts(at.caption))
    page = all_text(at)
    assert "gemma3" not in page and "llava" not in page
    at = vote_button(at, "model_a").click().run()  # the reveal keeps the image on screen
    assert not at.exception and images_shown(at) == 1


def test_too_few_vision_models_say_how_to_get_one_and_keep_the_button_off(monkeypatch):
    with FakeOllama([vision_model("gemma3:4b"), FakeModel("llama3.2:3b"),
                     FakeModel("phi4:14b")]) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        at = open_app()
        assert not at.button(key="arena.start").disabled  # without images: three can battle
        at = upload(at, ("photo.png", PNG))
        assert "1 can take part" in texts(at.warning)[0]
        assert "ollama pull gemma3" in texts(at.code)
        assert at.button(key="arena.start").disabled
        at.text_area(key="arena.prompt").input("What is this?").run()
    assert count_battles(db()) == 0


def test_a_refused_upload_says_why_and_keeps_the_button_off(mixed):
    at = upload(open_app(), ("cat.png", GIF))
    assert "“cat.png” is not a PNG, JPEG or WebP image" in texts(at.error)[0]
    assert at.button(key="arena.start").disabled
    at = upload(at, *[(f"{k}.png", png((k, 0, 0))) for k in range(5)])
    assert "At most 4 images" in texts(at.error)[0]
    assert at.button(key="arena.start").disabled


def test_the_data_page_shows_a_battles_images(mixed):
    at = upload(open_app(), ("photo.png", PNG))
    at = battle(at, "What colour is this square?")
    vote_button(at, "model_b").click().run()
    data = open_page("pages/data.py")
    assert not data.exception
    assert images_shown(data) == 1


def test_the_uploader_says_the_image_limit_not_the_servers(mixed, monkeypatch):
    # The browser refuses a larger file before it is sent, and shows this limit to the person.
    monkeypatch.setenv("ARENA_MAX_IMAGE_MB", "3")
    at = open_app()
    [uploader] = at.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == 3
