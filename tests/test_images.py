"""Images with a prompt (arena.images): accepted by their bytes, within the size and count
limits, refused with a reason otherwise; sent on the first user message only."""

import base64
import hashlib

import pytest
from image_helpers import GIF, jpeg, png, webp

from arena.battle import chat_messages, messages_for, new_battle
from arena.images import (
    MAX_IMAGES,
    ImageRejected,
    accept_images,
    from_base64,
    make_image,
    sniff_mime,
    stored_image,
)
from arena.records import Side
from arena.settings import Settings, load_settings


def reason(uploads, max_mb=10.0) -> str:
    with pytest.raises(ImageRejected) as rejected:
        accept_images(uploads, max_mb)
    return rejected.value.reason


def test_the_type_comes_from_the_bytes_not_the_name():
    assert sniff_mime(png()) == "image/png"
    assert sniff_mime(jpeg()) == "image/jpeg"
    assert sniff_mime(webp()) == "image/webp"
    assert sniff_mime(GIF) is None
    # A PNG named .jpg is a PNG; a GIF named .png is refused.
    [image] = accept_images([("photo.jpg", png())])
    assert image.mime == "image/png"
    assert reason([("picture.png", GIF)]) == "images.rejected.wrong_type"
    assert reason([("notes.png", b"just some text")]) == "images.rejected.wrong_type"


def test_each_accepted_image_knows_its_hash_and_base64():
    data = jpeg()
    image = make_image(data, "a.jpg")
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    assert base64.b64decode(image.base64) == data
    assert accept_images([("w", webp())])[0].mime == "image/webp"


def test_empty_corrupt_and_too_big_are_refused_with_a_reason():
    assert reason([("e.png", b"")]) == "images.rejected.empty"
    assert reason([("cut.png", png()[:-12])]) == "images.rejected.corrupt"  # no IEND
    assert reason([("cut.jpg", jpeg()[:-2] + b"\x00" * 80)]) == "images.rejected.corrupt"
    assert reason([("cut.webp", webp()[:-4])]) == "images.rejected.corrupt"
    big = png() + b"\x00" * 2048
    with pytest.raises(ImageRejected) as rejected:
        accept_images([("big.png", big)], max_mb=0.001)
    assert (rejected.value.reason, rejected.value.name, rejected.value.limit) == (
        "images.rejected.too_big", "big.png", 0.001)
    assert accept_images([("ok.png", png())], max_mb=0.001)  # a small one fits


def test_at_most_four_images_and_the_same_one_once():
    five = [(f"{k}.png", png((k, k, k))) for k in range(MAX_IMAGES + 1)]
    assert reason(five) == "images.rejected.too_many"
    images = accept_images(five[:MAX_IMAGES])
    assert len(images) == MAX_IMAGES
    assert [i.sha256 for i in images] == [hashlib.sha256(d).hexdigest() for _, d in five[:4]]
    twice = accept_images([("a.png", png()), ("b.png", png()), ("c.jpg", jpeg())])
    assert [i.mime for i in twice] == ["image/png", "image/jpeg"]
    assert accept_images([]) == ()


def test_stored_images_are_checked_against_their_hash():
    image = make_image(png())
    assert stored_image(image.sha256, image.mime, image.data) == image
    with pytest.raises(ValueError, match="hash mismatch"):
        stored_image(image.sha256, image.mime, png((1, 2, 3)))
    with pytest.raises(ValueError, match="base64"):
        from_base64(image.sha256, image.mime, "not base64!")
    assert from_base64(image.sha256, image.mime, image.base64) == image


def test_images_go_on_the_first_user_message_only():
    images = accept_images([("a.png", png()), ("b.jpg", jpeg())])
    messages = chat_messages("Be brief.", "What is this?", images)
    assert messages[0] == {"role": "system", "content": "Be brief."}
    assert messages[1] == {"role": "user", "content": "What is this?",
                           "images": [i.base64 for i in images]}
    # No images: no `images` key at all (what every other battle sends stays as it was).
    assert chat_messages("", "Hi") == [{"role": "user", "content": "Hi"}]
    battle = new_battle("general", "What is this?", "", (Side("a:1"), Side("b:1")), Settings(),
                        images=images)
    assert battle.images == images
    assert messages_for(battle)[0]["images"] == [i.base64 for i in images]


def test_the_image_size_limit_is_a_setting():
    assert Settings().max_image_mb == 10.0
    settings = load_settings({"ARENA_MAX_IMAGE_MB": "2.5"})
    assert settings.max_image_mb == 2.5
    assert settings.imports.max_image_mb == 2.5  # imported images obey the same limit
