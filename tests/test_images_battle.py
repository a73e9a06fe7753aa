"""A battle with images: only vision models are drawn (unknown capabilities are not vision),
both sides are sent the same base64 images, and a model without vision is never sent any.
The fake Ollama answers such a request as Ollama does."""

import ollama
import pytest
from fake_ollama import NO_VISION_ERROR, FakeModel, FakeOllama, vision_model
from image_helpers import jpeg, png

from arena.battle_queue import BattleQueue
from arena.categories import DEFAULT_CATEGORIES
from arena.images import accept_images
from arena.lineup import Host, catalogue, eligible_contestants, survey
from arena.ollama_api import ModelInfo, make_client
from arena.records import ArenaOptions
from arena.round import AWAITING_VOTE, Round
from arena.settings import load_settings

SETTINGS = load_settings({})
IMAGES = accept_images([("a.png", png()), ("b.jpg", jpeg())])


def lineup(fake: FakeOllama, vision: bool, think: str = "default"):
    entries = catalogue(survey([Host(fake.url)], SETTINGS))
    return eligible_contestants(entries, {}, ArenaOptions(), think, vision)


def mixed() -> FakeOllama:
    return FakeOllama([vision_model("gemma3:4b"), vision_model("llava:7b", family="llama"),
                       FakeModel("llama3.2:3b"), FakeModel("qwen3:8b", style="thinking")])


@pytest.mark.parametrize("tags", [False, True])
def test_only_vision_models_are_drawn_for_a_battle_with_images(tags):
    with mixed() as fake:
        fake.tags_capabilities = tags  # newer servers list capabilities in /api/tags
        assert [c.name for c in lineup(fake, vision=True)] == ["gemma3:4b", "llava:7b"]
        assert len(lineup(fake, vision=False)) == 4


def test_unknown_capabilities_are_not_vision():
    assert not ModelInfo("x", "d", 1, "f", "1B", "Q4", None).supports_vision
    assert ModelInfo("x", "d", 1, "f", "1B", "Q4", ("completion", "vision")).supports_vision
    with FakeOllama([vision_model("gemma3:4b"), vision_model("llava:7b")]) as fake:
        fake.legacy_show = True  # an old server that does not say
        assert lineup(fake, vision=True) == []


def test_too_few_vision_models_leave_nothing_to_draw():
    with FakeOllama([vision_model("gemma3:4b"), FakeModel("llama3.2:3b"),
                     FakeModel("phi4:14b")]) as fake:
        assert [c.name for c in lineup(fake, vision=True)] == ["gemma3:4b"]


def test_both_sides_get_the_same_images_and_no_other_model_any(store):
    with mixed() as fake:
        pair = tuple(lineup(fake, vision=True))
        round_ = Round()
        ticket = round_.join(BattleQueue(1))
        try:
            run = round_.start(ticket, store, SETTINGS, DEFAULT_CATEGORIES[0],
                               "What is in these pictures?", pair, IMAGES)
            assert run.wait(10)
            assert round_.finish(run)
        finally:
            round_.leave(ticket)
        battle = round_.battle
        assert battle.status == "complete" and round_.state == AWAITING_VOTE
        sent = [i.base64 for i in IMAGES]
        assert fake.models["gemma3:4b"].images_seen == [sent]
        assert fake.models["llava:7b"].images_seen == [sent]
        assert fake.models["llama3.2:3b"].images_seen == []
        assert fake.models["qwen3:8b"].images_seen == []
        first, second = fake.chat_requests()
        assert first["messages"] == second["messages"]
        assert first["messages"][-1]["images"] == sent
    assert store.get_battle(battle.id).images == IMAGES


def test_a_model_without_vision_refuses_images_as_ollama_does():
    with FakeOllama([FakeModel("llama3.2:3b")]) as fake:
        client = make_client(fake.url, 5)
        message = {"role": "user", "content": "What is this?", "images": [IMAGES[0].base64]}
        with pytest.raises(ollama.ResponseError) as streamed:
            for _ in client.chat("llama3.2:3b", [message], stream=True):
                pass
        assert streamed.value.error == NO_VISION_ERROR
        with pytest.raises(ollama.ResponseError) as whole:
            client.chat("llama3.2:3b", [message], stream=False)
        assert (whole.value.error, whole.value.status_code) == (NO_VISION_ERROR, 500)
        # Without images the same model answers.
        answer = client.chat("llama3.2:3b", [{"role": "user", "content": "Hi"}], stream=False)
        assert answer.message.content
