"""Whether an answer gives away which model wrote it: the identity-leak rule of a blind vote."""

from __future__ import annotations

import re

from arena.records import Battle


# Words by which a model may give itself away, beyond its own name: its maker, its product name.
IDENTITY_WORDS: dict[str, tuple[str, ...]] = {
    "qwen": ("alibaba", "tongyi", "通义", "千问"),
    "qwq": ("alibaba", "通义"),
    "llama": ("meta ai",),
    "gemma": ("google", "deepmind"),
    "phi": ("microsoft",),
    "gpt": ("openai", "chatgpt"),
    "deepseek": ("深度求索",),
    "mistral": ("mistral ai",),
    "granite": ("ibm",),
    "glm": ("zhipu", "智谱"),
    "yi": ("01.ai", "零一万物"),
}


def _name_stem(model: str) -> str:
    """`qwen3:8b` -> `qwen`, `library/deepseek-r1:14b` -> `deepseek`: the word a model may say."""
    base = model.split(":")[0].split("/")[-1]
    match = re.match(r"[A-Za-z]+", base)
    return match.group(0).lower() if match else ""


def identity_words(model: str) -> set[str]:
    stem = _name_stem(model)
    return {stem, *IDENTITY_WORDS.get(stem, ())} - {""}


def identity_leak(battle: Battle) -> bool:
    """True if an answer or its thinking names either model or its maker (unless the prompt did).

    The voter can read both before voting, so such a vote is not blind: it is stored but does not
    count, as in Chatbot Arena.
    """
    prompt = battle.prompt.lower()
    words = set().union(*(identity_words(s.model) for s in battle.sides.values()))
    words = {w for w in words if w not in prompt}
    said = " ".join(f"{s.answer} {s.thinking}".lower() for s in battle.sides.values())
    # Whole words only (a trailing digit is fine: "Qwen3"), so "phi" does not match "philosophy".
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", said) for w in words)
