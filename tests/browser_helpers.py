"""A real Streamlit server and a real Chromium (Debian's, driven by Playwright) for e2e tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ARENA_CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium quiet on a machine with no outside network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Where the browser tests leave screenshots, for a person to look at.
SHOTS = Path(tempfile.gettempdir()) / "arena-screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(env: dict, log_path: Path, address: str = "127.0.0.1",
                     extra_args: tuple[str, ...] = (), port: int | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free port (or `port`); yields its URL (on 127.0.0.1) once
    /_stcore/health answers. `address` is where it listens (0.0.0.0: the whole LAN);
    `extra_args` go to `streamlit run` (for example `--server.allowedHosts NAME`)."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", address, "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", *extra_args,
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def allowed_hosts(*names: str) -> tuple[str, ...]:
    """Flags for `streamlit run` that let browsers reach the server under `names` as well as
    under the loopback names of the committed .streamlit/config.toml (a flag replaces the
    file's list, it does not add to it)."""
    flags: list[str] = []
    for name in ("localhost", "127.0.0.1", "::1", *names):
        flags += ["--server.allowedHosts", name]
    return tuple(flags)


def lan_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the interface
            address = s.getsockname()[0]
    except OSError:
        address = None
    if address and not address.startswith("127."):
        return address
    try:
        found = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    ipv4 = [a for a in found.stdout.split() if "." in a and not a.startswith("127.")]
    return ipv4[0] if ipv4 else None


def wait_idle(page, timeout_ms: int = 30_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def record_frames(page) -> list[bytes]:
    """Everything the server sends the page over its websocket from now on, as raw bytes (what
    a visitor's browser receives, shown or not)."""
    frames: list[bytes] = []

    def on_websocket(ws):
        ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode()))

    page.on("websocket", on_websocket)
    return frames


def type_prompt(page, text: str, label: str = "Your prompt") -> None:
    """Type into the Arena's prompt box and submit it (Ctrl+Enter), as a person does."""
    area = page.get_by_label(label)
    area.fill(text)
    area.press("Control+Enter")
    wait_idle(page)


def start_battle(page, prompt: str) -> None:
    """Type the prompt and press Battle (the English page)."""
    type_prompt(page, prompt)
    page.get_by_role("button", name="⚔️ Battle").click()


def main_text(page) -> str:
    """All the text of the page's main part (the battle's prompt, answers, the reveal line)."""
    return page.locator("[data-testid='stMain']").inner_text()


def vote_and_wait_for_the_next(page, label: str, timeout_s: float = 15.0,
                               double: bool = False) -> None:
    """Click a vote button of the vote queue (twice with `double`) and wait until the next
    battle is on screen: a click before it comes would land on the battle just voted."""
    # The main part, not only the answers: two battles in a row may show the same answers'
    # texts (a classifier's "positive"), never the same prompt, answers and reveal.
    before = main_text(page)
    button = page.get_by_role("button", name=label)
    button.dblclick() if double else button.click()
    deadline = time.monotonic() + timeout_s
    while main_text(page) == before:
        assert time.monotonic() < deadline, "the next battle did not come"
        time.sleep(0.05)
    wait_idle(page)
