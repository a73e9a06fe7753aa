"""Sharing on a LAN, end to end in Chromium against a real `streamlit run`: a new user's whole
path, two people at once, the passcode gate on every page, admin actions from another computer,
the fair queue, and what the server writes to its log.

Screenshots of each page are saved under the system's temporary folder (arena-screenshots), for
a person to look at; they are not part of the repository.
"""

import csv
import io
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest
from browser_helpers import (
    allowed_hosts,
    lan_address,
    start_battle,
    streamlit_server,
    type_prompt,
    wait_idle,
)
from fake_ollama import PLAIN, THINKING, FakeModel, FakeOllama
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

SHOTS = Path(tempfile.gettempdir()) / "arena-screenshots"
PASSCODE = "correct horse battery"
ADMIN_PASSCODE = "admin staple"
PROMPT = "Name three rivers of Europe."
ANSWERS = {"qwen3:8b": "The Rhine, the Danube and the Loire. " + "river " * 80,
           "llama3.2:3b": "Danube, Volga, Thames. " + "water " * 80}
PAGES = {"arena": "⚔️ Arena", "leaderboard": "🏆 Leaderboard", "models": "🧩 Models",
         "data": "🗂️ Data"}


def fake_models() -> list[FakeModel]:
    return [FakeModel("qwen3:8b", style=THINKING, answer=ANSWERS["qwen3:8b"]),
            FakeModel("llama3.2:3b", style=PLAIN, answer=ANSWERS["llama3.2:3b"])]


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def column_lengths(page) -> list[int]:
    """How much text each battle column shows now (Model A's, then Model B's)."""
    return page.evaluate("""() => [...document.querySelectorAll("[data-testid='stColumn']")]
        .filter(c => /^Model [AB]/.test(c.innerText.trim()))
        .map(c => c.innerText.length)""")


def stored(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def download(page, button: str) -> str:
    """Click a download button and return the file's text. Streamlit builds the file when the
    click reaches the server. A click that lands while the page is still settling can go
    unanswered, the button then staying disabled (seen once in 5 CI runs): the page is loaded
    again and the click tried once more."""
    target = page.get_by_role("button", name=button, exact=True)
    for attempt in range(2):
        expect(target).to_be_enabled()
        try:
            with page.expect_download(timeout=15_000) as started:
                target.click()
            return Path(started.value.path()).read_text(encoding="utf-8-sig")
        except PlaywrightTimeout:
            if attempt:
                raise
            page.reload()
            wait_idle(page)
    raise AssertionError("unreachable")


def set_nickname(page, name: str) -> None:
    box = page.get_by_role("textbox", name="Your nickname (stored with your votes)")
    box.fill(name)
    box.press("Enter")
    wait_idle(page)


def test_a_new_users_whole_path(page, tmp_path):
    db = tmp_path / "arena.db"
    with FakeOllama(fake_models(), token_delay=0.03) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(db)}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            page.goto(url)
            wait_idle(page)
            expect(page.get_by_text("⚔️ Arena").first).to_be_visible()
            screenshot(page, "arena")
            start_battle(page, PROMPT)
            # Both columns grow at the same time: samples where each is longer than before.
            samples = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                samples.append(column_lengths(page))
                if page.get_by_role("button", name="👈 A is better").count():
                    break
                time.sleep(0.15)
            both_grew = [k for k in range(1, len(samples))
                         if len(samples[k]) == len(samples[k - 1]) == 2
                         and all(b > a for a, b in zip(samples[k - 1], samples[k]))]
            assert both_grew, samples
            expect(page.get_by_role("button", name="👈 A is better")).to_be_visible(
                timeout=30_000)
            wait_idle(page)
            screenshot(page, "arena-before-vote")
            page.get_by_role("button", name="👈 A is better").click()
            expect(page.get_by_text("The contestants")).to_be_visible()
            wait_idle(page)
            screenshot(page, "arena-reveal")
            [(battle_id, model_a)] = stored(
                db, "SELECT b.id, s.model FROM battles b JOIN battle_sides s"
                    " ON s.battle_id = b.id AND s.side = 'a'")

            page.goto(f"{url}/leaderboard")
            wait_idle(page)
            screenshot(page, "leaderboard")
            board = list(csv.DictReader(io.StringIO(
                download(page, "⬇️ Download this leaderboard (CSV)"))))
            assert {row["Model"] for row in board} == set(ANSWERS)
            assert [row["Votes"] for row in board] == ["1", "1"]  # the vote counted
            assert board[0]["Model"] == model_a  # and A won it

            page.goto(f"{url}/data")
            wait_idle(page)
            screenshot(page, "data")
            rows = list(csv.DictReader(io.StringIO(download(page, "⬇️ CSV"))))
            assert [(r["id"], r["prompt"], r["winner"]) for r in rows] == [
                (battle_id, PROMPT, "model_a")]

            page.goto(f"{url}/models")
            wait_idle(page)
            expect(page.get_by_text("🧩 Models").first).to_be_visible()
            screenshot(page, "models")


def test_two_people_battle_and_vote_at_the_same_time(browser, tmp_path):
    db = tmp_path / "arena.db"
    with FakeOllama(fake_models(), token_delay=0.03) as fake:  # about three seconds a battle
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(db)}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            people = {}
            for name in ("ann", "bob"):
                context = browser.new_context()
                page = context.new_page()
                page.goto(url)
                wait_idle(page)
                set_nickname(page, name)
                people[name] = (context, page)
            for name, (_, page) in people.items():
                type_prompt(page, f"{name}'s question")
            for _, page in people.values():  # both start before either ends
                page.get_by_role("button", name="⚔️ Battle").click()
            choice = {"ann": "👈 A is better", "bob": "👉 B is better"}
            for name, (_, page) in people.items():
                expect(page.get_by_role("button", name=choice[name])).to_be_visible(
                    timeout=30_000)
            assert fake.max_active >= 3  # the two battles overlapped on the server
            revealed = {}
            for name, (_, page) in people.items():
                page.get_by_role("button", name=choice[name]).click()
                expect(page.get_by_text("The contestants")).to_be_visible()
                wait_idle(page)
                revealed[name] = page.get_by_text("Model A: ").first.inner_text()
                expect(page.get_by_text("Your votes: 1")).to_be_visible()
            for context, _ in people.values():
                context.close()
    votes = stored(db, "SELECT v.voter, v.winner, b.prompt, s.model FROM votes v"
                       " JOIN battles b ON b.id = v.battle_id JOIN battle_sides s"
                       " ON s.battle_id = b.id AND s.side = 'a' ORDER BY v.voter")
    assert [(v[0], v[1], v[2]) for v in votes] == [("ann", "model_a", "ann's question"),
                                                   ("bob", "model_b", "bob's question")]
    for voter, _, _, model_a in votes:  # each saw, and voted on, their own battle
        assert model_a in revealed[voter]


@pytest.mark.parametrize("first_page", list(PAGES))
def test_every_page_url_on_a_fresh_server_asks_for_the_passcode(page, tmp_path, first_page):
    with FakeOllama(fake_models()) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "arena.db"),
               "ARENA_PASSCODE": PASSCODE}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            # The first request after the start opens this page's URL directly.
            page.goto(f"{url}/{first_page}")
            wait_idle(page)
            expect(page.get_by_label("Passcode")).to_be_visible()
            text = page.inner_text("body")
            assert PAGES[first_page] not in text and "Your nickname" not in text
            assert all(title not in text for title in PAGES.values())
            assert fake.url not in page.content()  # not even which host is behind it
            if first_page == "arena":
                screenshot(page, "passcode")
            page.get_by_label("Passcode").fill("wrong guess")
            page.get_by_role("button", name="Enter").click()
            expect(page.get_by_text("That passcode is not right")).to_be_visible()
            page.get_by_label("Passcode").fill(PASSCODE)
            page.get_by_role("button", name="Enter").click()
            expect(page.get_by_text(PAGES[first_page]).first).to_be_visible()
            wait_idle(page)
            assert page.get_by_label("Passcode").count() == 0


def test_admin_passcode_and_what_the_server_logs(page, tmp_path):
    log = tmp_path / "streamlit.log"
    with FakeOllama(fake_models()) as fake:
        fake.registry["gemma3:4b"] = FakeModel("gemma3:4b")
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "arena.db"),
               "ARENA_PASSCODE": PASSCODE, "ARENA_ADMIN_PASSCODE": ADMIN_PASSCODE}
        with streamlit_server(env, log) as url:
            page.goto(f"{url}/models")
            wait_idle(page)
            page.get_by_label("Passcode").fill(PASSCODE)
            page.get_by_role("button", name="Enter").click()
            expect(page.get_by_text("🧩 Models").first).to_be_visible()
            wait_idle(page)
            # Signed in as a voter, not as admin: every change is disabled, with the reason.
            expect(page.get_by_text("Admin actions need the admin passcode")).to_be_visible()
            expect(page.get_by_role("button", name="⬇ Pull")).to_be_disabled()
            expect(page.get_by_role("checkbox", name="qwen3:8b")).to_be_disabled()
            screenshot(page, "models-not-admin")
            page.get_by_text("🔑 Admin sign-in").click()
            page.get_by_label("Admin passcode").fill(ADMIN_PASSCODE)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("Signed in as admin")).to_be_visible()
            wait_idle(page)
            expect(page.get_by_role("button", name="⬇ Pull")).to_be_enabled()
            # A battle, so that a prompt and answers pass through the server. (The menu keeps
            # the session; reloading the page would ask for the passcode again.)
            page.get_by_role("link", name="Arena").click()
            wait_idle(page)
            start_battle(page, PROMPT)
            expect(page.get_by_role("button", name="🤝 Tie")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="🤝 Tie").click()
            expect(page.get_by_text("The contestants")).to_be_visible()
    logged = log.read_text()
    for secret in (PASSCODE, ADMIN_PASSCODE, PROMPT, "The Rhine", "Danube, Volga"):
        assert secret not in logged


def test_admin_actions_only_on_this_computer_without_an_admin_passcode(page, tmp_path):
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    with FakeOllama(fake_models()) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "arena.db")}
        with streamlit_server(env, tmp_path / "streamlit.log", address="0.0.0.0",
                              extra_args=allowed_hosts(address)) as url:
            # A colleague: the same server reached through this machine's LAN address.
            page.goto(url.replace("127.0.0.1", address) + "/models")
            wait_idle(page)
            expect(page.get_by_text("only in a browser on the computer that runs the "
                                    "arena")).to_be_visible()
            expect(page.get_by_role("button", name="⬇ Pull")).to_be_disabled()
            screenshot(page, "models-colleague")
            # This computer.
            page.goto(url + "/models")
            wait_idle(page)
            expect(page.get_by_role("button", name="⬇ Pull")).to_be_enabled()
            assert page.get_by_text("only in a browser on the computer").count() == 0


def test_the_queue_shows_your_place_and_lets_you_leave(browser, tmp_path):
    db = tmp_path / "arena.db"
    with FakeOllama(fake_models(), token_delay=0.04) as fake:  # about four seconds a battle
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(db), "ARENA_MAX_BATTLES": "1"}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            pages = []
            for _ in range(2):
                page = browser.new_context().new_page()
                page.goto(url)
                wait_idle(page)
                pages.append(page)
            first, second = pages
            start_battle(first, PROMPT)
            expect(first.get_by_role("button", name="⏹ Stop")).to_be_visible()
            start_battle(second, PROMPT)
            expect(second.get_by_text("1 battle ahead of yours")).to_be_visible()
            screenshot(second, "arena-queued")
            assert len(fake.chat_requests()) == 2  # only the first battle has asked Ollama
            second.get_by_role("button", name="✖ Leave the queue").click()
            wait_idle(second)
            assert second.get_by_text("ahead of yours").count() == 0
            # Queue again: it starts once the first battle is over.
            start_battle(second, PROMPT)
            expect(first.get_by_role("button", name="🤝 Tie")).to_be_visible(timeout=30_000)
            expect(second.get_by_role("button", name="🤝 Tie")).to_be_visible(timeout=30_000)
            asked = [r["at"] for r in fake.requests if r["path"] == "/api/chat"]
            # The second battle asked only once the first was over (each answer takes over
            # three seconds at this token rate).
            assert len(asked) == 4 and asked[2] - asked[1] >= 3.0
            for page in pages:
                page.context.close()
    assert stored(db, "SELECT COUNT(*) FROM battles") == [(2,)]  # the one that left: none
