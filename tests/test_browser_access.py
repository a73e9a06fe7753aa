"""Access, end to end in Chromium against a real `streamlit run`: wrong passcodes counted by
the real TCP address, DNS rebinding, uploads before the passcode, and a sign-in that a reload
keeps.

Screenshots go under the system's temporary folder (arena-screenshots), for a person to look at.
"""

import secrets
import socket
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, free_port, streamlit_server, wait_idle
from fake_ollama import PLAIN, FakeModel, FakeOllama
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

SHOTS = Path(tempfile.gettempdir()) / "arena-screenshots"
PASSCODE = "correct horse battery"
ADMIN_PASSCODE = "admin staple"
REBIND = "rebind.example"  # a name an attacker's DNS points at 127.0.0.1


def models() -> list[FakeModel]:
    return [FakeModel("qwen3:8b", style=PLAIN), FakeModel("llama3.2:3b", style=PLAIN)]


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def enter(page, passcode: str) -> None:
    page.get_by_label("Passcode").fill(passcode)
    page.get_by_role("button", name="Enter").click()


def test_x_forwarded_for_does_not_change_whose_tries_they_are(browser, tmp_path):
    with FakeOllama(models()) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "arena.db"),
               "ARENA_PASSCODE": PASSCODE}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            seen = []
            for k in range(5):  # a new address claimed for every try, from 127.0.0.1
                context = browser.new_context(
                    extra_http_headers={"X-Forwarded-For": f"10.0.{k}.{k + 1}"})
                page = context.new_page()
                page.goto(url)
                wait_idle(page)
                enter(page, f"guess {k}")
                error = page.get_by_test_id("stAlertContentError")
                expect(error).to_be_visible()
                seen.append(error.inner_text())
                if k == 4:
                    screenshot(page, "lockout")
                context.close()
    assert "4 tries left" in seen[0] and "3 tries left" in seen[1]
    assert "Try again in 30 s" in seen[4], seen


def _session_id(page, url: str) -> str:
    """The Streamlit session id of the page opened at `url` (from the server's first
    message), as a script talking to the upload endpoint would learn its own."""
    found: list[str] = []

    def on_socket(socket) -> None:
        def on_frame(payload) -> None:
            if isinstance(payload, (bytes, bytearray)) and not found:
                msg = ForwardMsg()
                try:
                    msg.ParseFromString(bytes(payload))
                except Exception:
                    return
                if msg.HasField("new_session"):
                    found.append(msg.new_session.initialize.session_id)
        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    page.goto(url)
    wait_idle(page)
    assert found, "no session id seen"
    return found[0]


def _upload(url: str, session_id: str, xsrf: str | None, method: str = "PUT") -> int:
    headers = {"X-Xsrftoken": xsrf} if xsrf else {}
    cookies = {"_streamlit_xsrf": xsrf} if xsrf else {}
    target = f"{url}/_stcore/upload_file/{session_id}/{uuid.uuid4()}"
    answer = httpx.request(method, target, headers=headers, cookies=cookies, timeout=30,
                           files={"file": ("votes.csv", b"model_a,model_b,winner\n" * 1000)})
    return answer.status_code


def test_no_upload_before_the_passcode_nor_by_a_voter(page, tmp_path):
    with FakeOllama(models()) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "arena.db"),
               "ARENA_PASSCODE": PASSCODE, "ARENA_ADMIN_PASSCODE": ADMIN_PASSCODE}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            # The Data page (the one with an uploader), opened first on a fresh server.
            session = _session_id(page, f"{url}/data")
            expect(page.get_by_label("Passcode")).to_be_visible()
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            xsrf = next(c["value"] for c in page.context.cookies()
                        if c["name"] == "_streamlit_xsrf")
            assert _upload(url, session, None) == 403  # no XSRF token
            assert _upload(url, str(uuid.uuid4()), xsrf) == 400  # no such session
            assert _upload(url, session, xsrf, method="POST") == 405
            assert _upload(url, session, xsrf) == 403  # a real session, not past the gate
            enter(page, PASSCODE)
            expect(page.get_by_text("🗂️ Data").first).to_be_visible()
            wait_idle(page)
            assert _upload(url, session, xsrf) == 403  # a voter: importing is for admins
            page.get_by_text("🔑 Admin sign-in").click()
            page.get_by_label("Admin passcode").fill(ADMIN_PASSCODE)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("Signed in as admin")).to_be_visible()
            wait_idle(page)
            assert _upload(url, session, xsrf) == 204  # an admin may
            # A file over the committed server.maxUploadSize (512 MB) is refused from its
            # declared length, before the server reads any of it.
            assert _declared_upload(url, session, xsrf, 513 * 1024 * 1024).startswith(
                "HTTP/1.1 413")


def _declared_upload(url: str, session_id: str, xsrf: str, length: int) -> str:
    """The status line the server answers to an upload that declares `length` bytes (and
    sends none of them)."""
    host, port = url.removeprefix("http://").split(":")
    request = (f"PUT /_stcore/upload_file/{session_id}/{uuid.uuid4()} HTTP/1.1\r\n"
               f"Host: {host}:{port}\r\nX-Xsrftoken: {xsrf}\r\n"
               f"Cookie: _streamlit_xsrf={xsrf}\r\nContent-Length: {length}\r\n"
               "Content-Type: multipart/form-data; boundary=x\r\n\r\n")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request.encode())
        return conn.recv(200).decode("latin1").split("\r\n")[0]


@pytest.fixture
def rebinding_browser(browser):
    """A Chromium whose DNS answers 127.0.0.1 for REBIND, as an attacker's DNS would."""
    rebinding = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, f"--host-resolver-rules=MAP {REBIND} 127.0.0.1"])
    yield rebinding
    rebinding.close()


def test_dns_rebinding_gets_no_admin(rebinding_browser, tmp_path):
    with FakeOllama(models()) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp_path / "arena.db")}
        # The committed config: the foreign name does not even get a session.
        with streamlit_server(env, tmp_path / "committed.log") as url:
            page = rebinding_browser.new_page()
            page.goto(url.replace("127.0.0.1", REBIND) + "/models")
            time.sleep(8)
            assert page.get_by_text("🧩 Models").count() == 0
            assert page.get_by_role("button", name="⬇ Pull").count() == 0
            screenshot(page, "rebinding-refused")
            page.close()
        # A config that accepts any name (as one behind a proxy might): still no admin.
        with streamlit_server(env, tmp_path / "any-host.log",
                              extra_args=("--server.allowedHosts", "*")) as url:
            page = rebinding_browser.new_page()
            page.goto(url.replace("127.0.0.1", REBIND) + "/models")
            wait_idle(page)
            expect(page.get_by_text("only in a browser on the computer that runs the "
                                    "arena")).to_be_visible()
            expect(page.get_by_role("button", name="⬇ Pull")).to_be_disabled()
            for name in ("localhost", "127.0.0.1"):  # this computer, by its own names
                page.goto(url.replace("127.0.0.1", name) + "/models")
                wait_idle(page)
                expect(page.get_by_role("button", name="⬇ Pull")).to_be_enabled()
            page.close()


def set_nickname(page, label: str, name: str) -> None:
    """Type a nickname, then wait until the browser holds a sign-in cookie that carries it (the
    cookie component writes it just after the page has redrawn: a reload at once would race it)."""
    box = page.get_by_role("textbox", name=label)
    box.fill(name)
    box.press("Enter")
    wait_idle(page)
    deadline = time.monotonic() + 30  # the component loads in its own frame: slow under load
    while name not in signed_in_nicknames(page):
        assert time.monotonic() < deadline, "no sign-in cookie with the nickname"
        page.wait_for_timeout(100)


def signed_in_nicknames(page) -> list[str]:
    """The nicknames the page's sign-in cookies carry (arena.tokens: payload.mac)."""
    import base64
    import json

    found = []
    for cookie in page.context.cookies():
        if cookie["name"].startswith("arena_signin_") and "." in cookie["value"]:
            payload = cookie["value"].split(".")[0]
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            found.append(body.get("nick", ""))
    return found


def test_a_reload_keeps_the_sign_in_and_the_nickname(page, tmp_path):
    db = tmp_path / "arena.db"
    port = free_port()
    nickname = "小明 ann"
    with FakeOllama(models()) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(db), "ARENA_PASSCODE": PASSCODE}
        with streamlit_server(env, tmp_path / "first.log", port=port) as url:
            page.goto(url)
            wait_idle(page)
            enter(page, PASSCODE)
            expect(page.get_by_text("⚔️ Arena").first).to_be_visible()
            wait_idle(page)
            set_nickname(page, "Your nickname (stored with your votes)", nickname)
            page.reload()
            wait_idle(page)
            expect(page.get_by_text("⚔️ Arena").first).to_be_visible()
            assert page.get_by_label("Passcode").count() == 0
            box = page.get_by_role("textbox", name="Your nickname (stored with your votes)")
            expect(box).to_have_value(nickname)
            screenshot(page, "reload-kept-en")
            # Another page opened by its URL (a new session too): the same; seen in Chinese.
            page.goto(f"{url}/leaderboard")
            wait_idle(page)
            assert page.get_by_label("Passcode").count() == 0
            page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
            page.get_by_role("option", name="简体中文").click()
            wait_idle(page)
            label = "你的昵称（随投票一起保存）"
            expect(page.get_by_role("textbox", name=label)).to_have_value(nickname)
            screenshot(page, "reload-kept-zh")
        # A restart with the same passcode: still in (the secret is kept beside the database).
        with streamlit_server(env, tmp_path / "second.log", port=port) as url:
            page.goto(url)
            wait_idle(page)
            assert page.get_by_label("Passcode").count() == 0
            expect(page.get_by_role("textbox", name="Your nickname (stored with your votes)")
                   ).to_have_value(nickname)
        # Another passcode: every sign-in given under the old one is void.
        env["ARENA_PASSCODE"] = "a new passcode " + secrets.token_hex(4)
        with streamlit_server(env, tmp_path / "third.log", port=port) as url:
            page.goto(url)
            wait_idle(page)
            expect(page.get_by_label("Passcode")).to_be_visible()
            assert "⚔️ Arena" not in page.inner_text("body")
            screenshot(page, "reload-new-passcode")
