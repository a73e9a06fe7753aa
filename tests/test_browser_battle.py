"""A battle in a real browser: what the page shows while the models answer and before the vote
(both columns the same shape, no thinking, no per-side loading note), huge answers, remote
images, the language switch and the Battle button while a battle runs.

One Streamlit server and one fake Ollama serve the whole module; each test sets the models'
answers and speed it needs. Screenshots go to the system's temporary folder
(arena-battle-screenshots), for a person to look at.
"""

import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_helpers import streamlit_server, type_prompt, wait_idle
from fake_ollama import PLAIN, THINKING, FakeModel, FakeOllama
from playwright.sync_api import expect

SHOTS = Path(tempfile.gettempdir()) / "arena-battle-screenshots"
THINKER, PLAIN_MODEL = "qwen3:8b", "llama3.2:3b"
THOUGHTS = "Let me reason about this step by step before I answer. " + "hmm " * 40
BATTLE = "⚔️ Battle"
VOTE_A = "👈 A is better"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("battle")
    models = [FakeModel(THINKER, style=THINKING), FakeModel(PLAIN_MODEL, style=PLAIN)]
    with FakeOllama(models, token_delay=0.01) as fake:
        env = {"OLLAMA_HOST": fake.url, "ARENA_DB": str(tmp / "battle.db")}
        with streamlit_server(env, tmp / "streamlit.log") as url:
            yield fake, url


@pytest.fixture
def arena(server):
    """The module's server, its models reset to short, quick answers."""
    fake, url = server
    for model in fake.models.values():
        model.answer = f"An answer from a model. {'word ' * 60}"
        model.thinking = THOUGHTS
        model.token_delay, model.load_s, model.piece_chars = None, 0.0, None
    fake.token_delay = 0.01
    fake.cancelled.clear()
    return fake, url


def screenshot(page, name: str) -> None:
    """The page as a person would see it, tall enough to hold both columns (Streamlit scrolls
    inside the page, so a full-page shot would stop at the window's height)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size(size)


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label`."""
    page.get_by_label(label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def open_arena(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def test_language_switch_keeps_the_prompt_and_the_battle_runs_with_it(arena, page):
    fake, url = arena
    open_arena(page, url)
    choose(page, "Task category", "Coding")  # a category with presets, and a system prompt
    page.get_by_text("Off", exact=True).click()  # the thinking radio, with translated labels
    wait_idle(page)
    prompt = "My own prompt, not a preset: name a river."
    type_prompt(page, prompt)
    choose(page, "Language", "简体中文")
    expect(page.get_by_label("你的提示词")).to_have_value(prompt)
    choose(page, "语言", "English")
    expect(page.get_by_label("Your prompt")).to_have_value(prompt)
    choose(page, "Language", "简体中文")
    expect(page.get_by_label("你的提示词")).to_have_value(prompt)
    before = len(fake.chat_requests())
    page.get_by_role("button", name="⚔️ 开始对战").click()
    expect(page.get_by_role("button", name="👈 A 更好")).to_be_visible(timeout=30_000)
    sent = fake.chat_requests()[before:]
    assert [r["messages"][-1]["content"] for r in sent] == [prompt, prompt]
    assert all("senior software engineer" in r["messages"][0]["content"] for r in sent)
    # Thinking off: sent to the model that thinks; a model that cannot think runs as itself.
    assert {r["model"]: r.get("think") for r in sent} == {THINKER: False, PLAIN_MODEL: None}
    expect(page.get_by_label("你的提示词")).to_have_value(prompt)
    screenshot(page, "language-switch-zh")


COLUMNS_JS = """() => [...document.querySelectorAll("[data-testid='stColumn']")]
    .filter(c => /^(Model|模型) [AB]/.test(c.innerText.trim()))
    .map(c => [c.innerText, [...c.querySelectorAll("[data-testid]")]
        .map(e => e.getAttribute("data-testid")).join(" ")])"""


def columns(page) -> tuple[list[str], list[str]]:
    """Each battle column's text and its element structure with the text left out (what a
    voter could tell the sides apart by, besides the answers), Model A's first; read at once."""
    found = page.evaluate(COLUMNS_JS)
    return [text for text, _ in found], [shape for _, shape in found]


def column_shapes(page) -> list[str]:
    return columns(page)[1]


def column_texts(page) -> list[str]:
    return columns(page)[0]


def watch_battle(page, until, seconds: float = 30) -> list[tuple[list[str], list[str]]]:
    """(column texts, column shapes) about ten times a second until `until()` holds."""
    seen = []
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, "the battle did not end in time"
        try:
            seen.append(columns(page))
        except Exception:  # the page was being redrawn at that moment
            pass
        page.wait_for_timeout(100)
    return seen


def vote_buttons_shown(page) -> bool:
    return page.get_by_role("button", name=VOTE_A).count() > 0


def test_before_the_vote_both_columns_look_alike_and_thinking_waits_for_the_names(arena, page):
    fake, url = arena
    fake.models[THINKER].thinking = "Secret reasoning that only a thinking model has. " * 3
    fake.token_delay = 0.03
    frames: list[bytes] = []  # everything the server pushes, redraws replaced since included
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, bytes) else payload.encode())))
    open_arena(page, url)
    type_prompt(page, "Explain rivers")
    page.get_by_role("button", name=BATTLE).click()
    seen = watch_battle(page, lambda: vote_buttons_shown(page))
    wait_idle(page)
    screenshot(page, "before-vote-en")
    assert seen, "the battle was never seen running"
    for texts, _ in seen:
        joined = "\n".join(texts)
        assert "Secret reasoning" not in joined and "💭" not in joined
        assert "Thinking…" not in joined  # only one side thinks: no placeholder on either
        assert "Loading" not in joined
    html = page.content()
    assert "Secret reasoning" not in html and "💭" not in html
    received = b"".join(frames)
    assert b"Secret reasoning" not in received and "💭".encode() not in received
    assert THINKER.encode() not in received and PLAIN_MODEL.encode() not in received
    shapes = column_shapes(page)
    assert len(shapes) == 2 and shapes[0] == shapes[1], shapes
    page.get_by_role("button", name=VOTE_A).click()
    expect(page.get_by_text("The contestants")).to_be_visible()
    wait_idle(page)
    # After the vote the thinking is there, with the names, collapsed.
    page.get_by_text("💭 Thinking").click()
    expect(page.get_by_text("Secret reasoning").first).to_be_visible()
    screenshot(page, "after-vote-en")


def test_when_both_sides_think_both_say_so_alike(arena, page):
    fake, url = arena
    fake.models[PLAIN_MODEL].style = THINKING  # for this battle, both models think
    try:
        for model in fake.models.values():
            model.thinking = "hmm " * 80
        fake.token_delay = 0.03
        open_arena(page, url)
        choose(page, "Language", "简体中文")
        type_prompt(page, "解释河流", label="你的提示词")
        page.get_by_role("button", name="⚔️ 开始对战").click()
        expect(page.get_by_text("思考中……").first).to_be_visible(timeout=15_000)
        texts, shapes = columns(page)
        screenshot(page, "both-thinking-zh")
        assert all("思考中……" in text for text in texts), texts
        assert shapes[0] == shapes[1]
        expect(page.get_by_role("button", name="👈 A 更好")).to_be_visible(timeout=30_000)
        assert "hmm hmm" not in page.content()
    finally:
        fake.models[PLAIN_MODEL].style = PLAIN


def test_the_thinking_line_leaves_both_columns_when_one_side_starts_its_answer(arena, page):
    """One side thinks briefly, the other long: once the first answers, the other column must
    not keep its "Thinking…" line (Streamlit leaves an element it is not sent again on screen
    until the run ends)."""
    fake, url = arena
    fake.models[PLAIN_MODEL].style = THINKING
    try:
        fake.models[THINKER].thinking = "hmm " * 10
        fake.models[PLAIN_MODEL].thinking = "hmm " * 150
        fake.token_delay = 0.03
        open_arena(page, url)
        type_prompt(page, "Explain rivers")
        page.get_by_role("button", name=BATTLE).click()
        seen = watch_battle(page, lambda: vote_buttons_shown(page), seconds=60)
        lonely = [texts for texts, _ in seen
                  if sum("Thinking…" in text for text in texts) == 1]
        assert not lonely, lonely[:3]
        assert any(all("Thinking…" in t for t in texts) for texts, _ in seen)  # it was shown
    finally:
        fake.models[PLAIN_MODEL].style = PLAIN


def test_one_waiting_line_for_both_columns_while_a_model_loads(arena, page):
    fake, url = arena
    fake.models[PLAIN_MODEL].load_s = 3.0  # a cold model: silence before its first token
    open_arena(page, url)
    type_prompt(page, "Hello")
    page.get_by_role("button", name=BATTLE).click()
    waiting = page.get_by_text("Waiting for the models to answer")
    expect(waiting).to_be_visible(timeout=10_000)
    screenshot(page, "waiting-en")
    assert waiting.count() == 1  # one line above both columns, not one per side
    assert all("Waiting" not in text for text in column_texts(page))
    seen = watch_battle(page, lambda: vote_buttons_shown(page))
    for texts, shapes in seen:
        assert not any("Loading" in text for text in texts)
        if not any("An answer" in text for text in texts):  # neither has started yet
            assert shapes[0] == shapes[1], shapes
    assert page.get_by_text("Waiting for the models").count() == 0


def test_the_battle_button_and_the_sidebar_are_disabled_while_a_battle_runs(arena, page):
    fake, url = arena
    fake.token_delay = 0.05  # a few seconds per answer
    open_arena(page, url)
    type_prompt(page, "Write a long essay")
    before = len(fake.chat_requests())
    button = page.get_by_role("button", name=BATTLE)
    button.click()
    expect(page.get_by_text("word word").first).to_be_visible(timeout=15_000)
    expect(button).to_be_disabled()
    button.click(force=True)  # a click on it changes nothing: the battle goes on
    # Nor can the sidebar interrupt it (a language switch or a page link ended it as stopped).
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_label("Language")).to_be_disabled()
    expect(sidebar.get_by_label("Your nickname (stored with your votes)", exact=True)).to_be_disabled()
    expect(sidebar.get_by_text("A battle is running")).to_be_visible()
    expect(page.get_by_role("button", name=VOTE_A)).to_be_visible(timeout=30_000)
    assert fake.cancelled == []
    assert len(fake.chat_requests()) == before + 2
    expect(button).to_be_enabled()
    expect(sidebar.get_by_label("Language")).to_be_enabled()
    expect(sidebar.get_by_label("Your nickname (stored with your votes)", exact=True)).to_be_enabled()


REMOTE = "images.example.test"


def test_two_huge_answers_are_votable_in_seconds_and_fetch_no_remote_image(arena, page):
    fake, url = arena
    for n, model in enumerate(fake.models.values()):
        model.answer = (f"![pixel](http://{REMOTE}/pixel{n}.png) and "
                        f'<img src="http://{REMOTE}/raw{n}.png"> then ' + "word " * 1_000_000)
        model.piece_chars = 64_000  # 5 MB in about eighty chunks: seconds, as in the report
        model.thinking = "short"
    fake.token_delay = 0.0
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    received = [0]  # bytes the server pushed over the websocket
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload))))
    open_arena(page, url)
    type_prompt(page, "Say word a million times")
    began = time.monotonic()
    page.get_by_role("button", name=BATTLE).click()
    expect(page.get_by_role("button", name=VOTE_A)).to_be_visible(timeout=60_000)
    took = time.monotonic() - began
    wait_idle(page)
    screenshot(page, "huge-before-vote")
    print(f"vote buttons {took:.1f} s after the click, {received[0] / 1e6:.1f} MB pushed")
    assert took < 30, f"the vote buttons came {took:.0f} s after the click"
    assert received[0] < 10e6  # not the whole answers on every redraw (they are 10 MB)
    expect(page.get_by_text("the whole answer can be downloaded after the vote").first) \
        .to_be_visible()
    page.get_by_role("button", name=VOTE_A).click()
    expect(page.get_by_text("The contestants")).to_be_visible()
    wait_idle(page)
    screenshot(page, "huge-after-vote")
    # After the vote the whole answer is a download away, built only when asked for.
    with page.expect_download(timeout=30_000) as started:
        page.get_by_role("button", name="⬇ The whole answer").first.click()
    whole = Path(started.value.path()).read_text(encoding="utf-8")
    assert len(whole) > 5_000_000 and whole.endswith("word ")
    hosts = {urlsplit(u).hostname for u in requests if u.startswith("http")}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
    # The image became a link to it, and the raw tag stayed text.
    assert page.locator(f"a[href*='{REMOTE}']").count() >= 1
    assert page.locator(f"img[src*='{REMOTE}']").count() == 0


def test_a_leak_is_announced_above_the_vote_buttons_without_saying_which_side(arena, page):
    fake, url = arena
    fake.models[THINKER].answer = "I am Qwen, a large language model made by Alibaba Cloud."
    open_arena(page, url)
    choose(page, "Language", "简体中文")
    type_prompt(page, "你是谁？", label="你的提示词")
    page.get_by_role("button", name="⚔️ 开始对战").click()
    vote = page.get_by_role("button", name="👈 A 更好")
    expect(vote).to_be_visible(timeout=30_000)
    wait_idle(page)
    warning = page.get_by_text("这场对战不会计分")
    expect(warning).to_be_visible()
    screenshot(page, "leak-warning-zh")
    assert warning.bounding_box()["y"] < vote.bounding_box()["y"]
    assert "模型 A" not in warning.inner_text() and "模型 B" not in warning.inner_text()
    expect(page.get_by_role("button", name="🔄 新一轮")).to_be_visible()
