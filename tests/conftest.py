import os
import socket
from pathlib import Path

import pytest
from fake_ollama import FakeOllama

from arena import model_capabilities
from arena.db import Store

# The arena is an installed package (`pip install -e .`, done by scripts/test.sh) and pytest puts
# this folder on the path for the test helpers: no sys.path edits here.

ROOT = Path(__file__).resolve().parent.parent  # the checkout: app.py, scripts/, README.md

BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives Chromium is a browser test: `-m "not browser"` runs the fast suite."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def fake_ollama():
    with FakeOllama() as fake:
        yield fake


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (one for the whole run)."""
    from browser_helpers import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test.sh, which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page in a fresh browser context (its own cookies and session)."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def admin(monkeypatch) -> str:
    """An admin passcode is set; pages opened with open_app(admin=True) have entered it."""
    from apptest_helpers import ADMIN_PASSCODE

    monkeypatch.setenv("ARENA_ADMIN_PASSCODE", ADMIN_PASSCODE)
    return ADMIN_PASSCODE


@pytest.fixture
def store(tmp_path) -> Store:
    with Store(tmp_path / "arena.db") as store:
        yield store


@pytest.fixture
def closed_port_url() -> str:
    """A URL where nothing listens: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Each test gets its own database and no cached state from another test."""
    for name in list(os.environ):
        if name.startswith("ARENA_") or name == "OLLAMA_HOST":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARENA_DB", str(tmp_path / "app.db"))
    model_capabilities.forget()
    yield
    try:
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()
    except Exception:
        pass
