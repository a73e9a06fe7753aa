"""Helpers for driving the app with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_app(page: str = "app.py") -> AppTest:
    return AppTest.from_file(str(ROOT / page), default_timeout=30).run()


def all_text(at: AppTest) -> str:
    """Every field of every element and block the browser would receive, as one string."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        children = getattr(node, "children", None) or {}
        for child in children.values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def battle(at: AppTest, prompt: str = "What is the capital of France?") -> AppTest:
    at.text_area(key="arena.prompt").input(prompt)
    return at.button(key="arena.start").click().run()


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def vote_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("arena.vote.")]
