"""The passcode gate and admin sign-in, page by page, with AppTest."""

import pytest
from apptest_helpers import ROOT, open_app, texts
from streamlit.testing.v1 import AppTest

from arena.ui.common import PAGES

PASSCODE = "blue whale 42"


def submit(at: AppTest, typed: str, key: str = "access.typed") -> AppTest:
    at.text_input(key=key).input(typed)
    [button] = [b for b in at.button if b.proto.is_form_submitter and
                b.proto.form_id == ("access.gate" if key == "access.typed" else
                                    "access.admin_form")]
    return button.click().run()


@pytest.mark.parametrize("page", [p for p, _, _ in PAGES])
def test_every_page_shows_only_the_prompt_until_the_passcode(monkeypatch, page):
    monkeypatch.setenv("ARENA_PASSCODE", PASSCODE)
    # A page file run on its own, as Streamlit does for a page URL opened on a fresh server.
    at = AppTest.from_file(str(ROOT / page), default_timeout=30).run()
    assert not at.exception, texts(at.exception)
    assert [t.value for t in at.title] == ["🔒 Local model arena"]
    assert not at.sidebar.children or not list(at.sidebar.selectbox)  # no menu, no settings
    assert not at.dataframe and not at.selectbox and len(at.text_input) == 1
    at = submit(at, "wrong")
    assert "4 tries left" in texts(at.error)[0]
    assert [t.value for t in at.title] == ["🔒 Local model arena"]
    at = submit(at, PASSCODE)
    assert not at.exception, texts(at.exception)
    assert at.title and at.title[0].value != "🔒 Local model arena"
    assert at.sidebar.selectbox(key="lang")  # the page and its sidebar are there now


def test_five_wrong_tries_mean_a_wait_even_for_the_right_one(monkeypatch):
    monkeypatch.setenv("ARENA_PASSCODE", PASSCODE)
    at = open_app()
    for _ in range(5):
        at = submit(at, "guess")
    assert "Try again in 30 s" in texts(at.error)[0]
    at = submit(at, PASSCODE)
    assert "Try again in" in texts(at.error)[0]
    assert [t.value for t in at.title] == ["🔒 Local model arena"]
    # AppTest's sessions have no address: each is counted on its own, not in one bucket that
    # a stranger could fill for everyone whose address is unknown.
    other = submit(open_app(), PASSCODE)
    assert other.title[0].value == "⚔️ Arena"


@pytest.mark.parametrize("page", [p for p, _, _ in PAGES])
def test_no_uploader_before_the_passcode(monkeypatch, page):
    monkeypatch.setenv("ARENA_PASSCODE", PASSCODE)
    at = AppTest.from_file(str(ROOT / page), default_timeout=30).run()
    assert not at.get("file_uploader")
    if page == "pages/data.py":
        at = submit(at, PASSCODE)
        assert at.get("file_uploader")  # the page does have one, past the gate


def test_passcode_from_streamlit_secrets():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["passcode"] = PASSCODE
    at.run()
    assert [t.value for t in at.title] == ["🔒 Local model arena"]
    at = submit(at, PASSCODE)
    assert at.title[0].value == "⚔️ Arena"


def test_no_passcode_no_gate():
    at = open_app()
    assert at.title[0].value == "⚔️ Arena"


def test_admin_sign_in_in_the_sidebar(admin):
    at = open_app()
    at.switch_page("pages/models.py")
    at.run()
    assert any("admin passcode" in i for i in texts(at.info))
    assert at.button(key="models.refresh")  # the page itself is open to everyone
    at = submit(at, "not it", key="access.admin_typed")
    assert "tries left" in texts(at.sidebar.error)[0]
    at = submit(at, admin, key="access.admin_typed")
    assert not any("admin passcode" in i for i in texts(at.info))
    assert any("Signed in as admin" in c for c in texts(at.sidebar.caption))
    at.button(key="access.sign_out").click().run()
    assert any("admin passcode" in i for i in texts(at.info))


def test_without_an_admin_passcode_only_this_computer_administers():
    # AppTest's session has no loopback browser connection, so it stands for a colleague.
    at = open_app()
    at.switch_page("pages/models.py")
    at.run()
    assert any("only in a browser on the computer that runs the arena" in i
               for i in texts(at.info))
    assert at.toggle(key="models.include_new").disabled
    assert at.radio(key="models.schedule").disabled


def test_behind_a_passcode_a_settings_error_names_nothing(monkeypatch):
    monkeypatch.setenv("ARENA_TEMPERATURE", "warm")
    at = open_app()
    assert "ARENA_TEMPERATURE" in texts(at.error)[0]  # open arena: the admin sees why
    monkeypatch.setenv("ARENA_PASSCODE", PASSCODE)
    at = open_app()
    assert "configuration is invalid" in texts(at.error)[0]
    assert "ARENA_TEMPERATURE" not in texts(at.error)[0] and "warm" not in texts(at.error)[0]
