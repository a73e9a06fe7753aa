"""Sign-in tokens (arena.tokens): what a reload keeps, and everything that must undo it."""

import base64
import json
import os
import stat
import threading

import pytest

from arena import tokens

SECRET = b"k" * 32
WEEK = 7 * 86400.0
NOW = 1_800_000_000.0


def token(nickname: str = "ann", passed: bool = True, passcode: str | None = "sesame",
          now: float = NOW, ttl: float = WEEK, secret: bytes = SECRET) -> str:
    return tokens.issue(secret, passcode, nickname, passed, now, ttl)


def test_a_token_keeps_the_sign_in_and_the_nickname():
    found = tokens.verify(SECRET, "sesame", token("小明 ann"), NOW + 60, WEEK)
    assert found == tokens.SignIn(nickname="小明 ann", passed=True, expires=NOW + WEEK)
    assert tokens.verify(SECRET, None, token(passcode=None, passed=False), NOW, WEEK).nickname \
        == "ann"  # an open arena: the nickname alone


def test_an_expired_token_is_refused():
    assert tokens.verify(SECRET, "sesame", token(), NOW + WEEK - 1, WEEK) is not None
    assert tokens.verify(SECRET, "sesame", token(), NOW + WEEK, WEEK) is None
    # A lifetime shortened since the token was issued applies to it too.
    assert tokens.verify(SECRET, "sesame", token(), NOW, 86400.0) is None


def test_a_changed_passcode_or_secret_refuses_every_token():
    issued = token()
    assert tokens.verify(SECRET, "another", issued, NOW, WEEK) is None
    assert tokens.verify(SECRET, None, issued, NOW, WEEK) is None  # the passcode removed
    assert tokens.verify(b"o" * 32, "sesame", issued, NOW, WEEK) is None
    # And a token issued with no passcode does not pass a passcode set later.
    assert tokens.verify(SECRET, "sesame", token(passcode=None), NOW, WEEK) is None


def _forged(body: dict, mac: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{payload}.{mac}"


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the MAC
    lambda t: "x" + t,  # the payload
    lambda t: _forged({"v": 1, "exp": NOW + 99, "nick": "eve", "in": True}, t.split(".")[1]),
    lambda t: t.replace(".", ""),
    lambda t: t + ".more",
    lambda t: "",
    lambda t: "é" * 20 + "." + "é" * 20,
    lambda t: "a" * 5000,
])
def test_a_tampered_token_is_refused(tamper):
    assert tokens.verify(SECRET, "sesame", tamper(token()), NOW, WEEK) is None


def test_a_signed_payload_of_the_wrong_shape_is_refused():
    def signed(body: dict) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
        return f"{payload}.{tokens._mac(SECRET, 'sesame', payload)}"

    assert tokens.verify(SECRET, "sesame", signed(
        {"v": 1, "exp": NOW + 9, "nick": "a", "in": True}), NOW, WEEK) is not None
    for body in ({"v": 2, "exp": NOW + 9, "nick": "a", "in": True},
                 {"v": 1, "exp": "soon", "nick": "a", "in": True},
                 {"v": 1, "exp": True, "nick": "a", "in": True},
                 {"v": 1, "exp": NOW + 9, "nick": 5, "in": True},
                 {"v": 1, "exp": NOW + 9, "nick": "a", "in": "yes"}, ["v", 1]):
        assert tokens.verify(SECRET, "sesame", signed(body), NOW, WEEK) is None
    found = tokens.verify(SECRET, "sesame", signed(
        {"v": 1, "exp": NOW + 9, "nick": "a\x1b[31m\u202e" + "b" * 100, "in": True}), NOW, WEEK)
    assert found.nickname == "a[31m" + "b" * 59  # no control characters, 64 at most


def test_the_secret_is_made_once_and_kept_private(tmp_path):
    path = tokens.secret_path(tmp_path / "data" / "arena.db")
    assert path.name == "arena.db.signin-key"
    results = []
    threads = [threading.Thread(target=lambda: results.append(tokens.load_or_create_secret(path)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results[0]) == tokens.SECRET_BYTES
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert tokens.load_or_create_secret(path) == results[0]  # a restart: the same secret
    for damaged in (b"short", b""):  # a damaged file is replaced, not trusted
        path.write_bytes(damaged)
        assert len(tokens.load_or_create_secret(path)) == tokens.SECRET_BYTES
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # nothing left over
    assert tokens.cookie_name(results[0]) != tokens.cookie_name(b"x" * 32)
