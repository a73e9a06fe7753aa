"""Helpers for driving the app with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from arena.db import Store
from arena.settings import load_settings
from arena.ui.gate import ADMIN_KEY

ROOT = Path(__file__).resolve().parent.parent


ADMIN_PASSCODE = "admin passcode for tests"


def db() -> Store:
    """The app's database (ARENA_DB, set per test by conftest)."""
    return Store(load_settings().db_path)


def open_page(script: str, admin: bool = False) -> AppTest:
    """The app with one of its pages open, as the menu would open it."""
    at = open_app(admin=admin)
    at.switch_page(script)
    return at.run()


def open_app(page: str = "app.py", admin: bool = False) -> AppTest:
    """The app, run once. `admin`: a session that has entered the admin passcode (the test must
    set ARENA_ADMIN_PASSCODE, see the `admin` fixture); AppTest has no loopback browser."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=30)
    if admin:
        at.session_state[ADMIN_KEY] = True
    return at.run()


def _strings(message) -> list[str]:
    """Every string (and bytes, decoded) inside a protobuf message, at any depth."""
    found: list[str] = []
    for field, value in message.ListFields():
        repeated = getattr(field, "is_repeated", None)
        if repeated is None:  # protobuf before 6
            repeated = field.label == field.LABEL_REPEATED
        values = value if repeated else [value]
        for item in values:
            if isinstance(item, str):
                found.append(item)
            elif isinstance(item, bytes):
                found.append(item.decode("utf-8", errors="replace"))
            elif hasattr(item, "ListFields"):
                found.extend(_strings(item))
    return found


def all_text(at: AppTest) -> str:
    """Every string in every element and block the browser would receive, as one string."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            parts.extend(_strings(proto))
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


def vote_button(at: AppTest, winner: str):
    """The vote button for `winner` (its key names the battle on screen too)."""
    [button] = [b for b in at.button if b.key and b.key.startswith(f"arena.vote.{winner}.")]
    return button


def vote_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("arena.vote.")]
