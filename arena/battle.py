"""A battle before it runs: its prompt accepted, its record made, the messages both sides get."""

from __future__ import annotations

import random

from arena.images import ImageRecord, ollama_images
from arena.records import Battle, Side
from arena.settings import Settings


class PromptRejected(Exception):
    """`reason` is "empty" or "too_long"; `limit` is the character limit."""

    def __init__(self, reason: str, limit: int):
        super().__init__(f"prompt rejected: {reason}")
        self.reason = reason
        self.limit = limit


def validate_prompt(prompt: str, max_chars: int) -> str:
    """The prompt to send, or PromptRejected saying why there is none."""
    if not prompt or not prompt.strip():
        raise PromptRejected("empty", max_chars)
    if len(prompt) > max_chars:
        raise PromptRejected("too_long", max_chars)
    return prompt


def new_battle(
    category: str,
    prompt: str,
    system_prompt: str,
    sides: tuple[Side, Side],
    settings: Settings,
    rng: random.Random | None = None,
    images: tuple[ImageRecord, ...] = (),
) -> Battle:
    """A battle ready to run: both sides get the same messages (images included) and the same
    options."""
    seed = (rng or random.SystemRandom()).randrange(2**31)
    return Battle(
        category=category,
        prompt=prompt,
        system_prompt=system_prompt,
        options=settings.generation_options(seed),
        side_a=sides[0],
        side_b=sides[1],
        images=tuple(images),
    )


def messages_for(battle: Battle) -> list[dict]:
    """The chat messages each side is sent: the system prompt, if there is one, then the prompt
    with the battle's images."""
    return chat_messages(battle.system_prompt, battle.prompt, battle.images)


def chat_messages(system_prompt: str, prompt: str,
                  images: tuple[ImageRecord, ...] = ()) -> list[dict]:
    """The messages of a battle's side or of a prompt-set answer (the same for every
    contestant): the system prompt, if there is one, then the prompt, carrying the images
    (base64, as Ollama takes them) when there are any; later turns carry none."""
    messages = []
    if system_prompt.strip():
        messages.append({"role": "system", "content": system_prompt})
    first: dict = {"role": "user", "content": prompt}
    if images:
        first["images"] = ollama_images(images)
    messages.append(first)
    return messages
