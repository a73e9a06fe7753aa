"""Sign-in tokens: a reload keeps a person in (the voter passcode entered) and keeps their
nickname, for a limited time, without storing anything about them on the server.

A token is `payload.mac`, both base64url: the payload is JSON (expiry, nickname, whether the
voter passcode was entered); the MAC is HMAC-SHA256 under a secret generated once per arena and
kept in a file beside its database, over the payload and a hash of the voter passcode in force.
Changing the passcode (or deleting the secret file) thus invalidates every token at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

VERSION = 1
SECRET_BYTES = 32
MAX_NICKNAME = 64  # the sidebar's limit
MAX_TOKEN_CHARS = 1024  # longer is not ours: not even decoded


@dataclass(frozen=True)
class SignIn:
    nickname: str
    passed: bool  # the voter passcode was entered
    expires: float  # seconds since the epoch


def secret_path(db_path: Path) -> Path:
    return Path(f"{db_path}.signin-key")


def load_or_create_secret(path: Path) -> bytes:
    """The arena's signing secret, created on first use (readable by this user only). Two
    servers starting at once agree: the secret is written whole to a private file first and
    then linked into place, which fails if another got there first (its secret is kept)."""
    try:
        data: bytes | None = path.read_bytes()
    except FileNotFoundError:
        data = None
    if data is not None and len(data) >= SECRET_BYTES:
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_bytes(SECRET_BYTES)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(fresh)
        if data is not None:  # a file too short to be a secret (truncated, emptied): replace it
            os.replace(tmp, path)
            return fresh
        try:
            os.link(tmp, path)
        except FileExistsError:
            return load_or_create_secret(path)
        return fresh
    finally:
        tmp.unlink(missing_ok=True)


def cookie_name(secret: bytes) -> str:
    """A cookie name of this arena's own: cookies are shared by every port of a host, and two
    arenas on one machine must not overwrite each other's sign-in."""
    return "arena_signin_" + hashlib.sha256(b"cookie name\0" + secret).hexdigest()[:10]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, passcode: str | None, payload: str) -> str:
    passcode_hash = hashlib.sha256((passcode or "").encode("utf-8")).digest()
    message = b"arena sign-in v1\0" + passcode_hash + b"\0" + payload.encode("ascii")
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def issue(secret: bytes, passcode: str | None, nickname: str, passed: bool, now: float,
          ttl_s: float) -> str:
    """A token for this browser, valid `ttl_s` seconds from `now` (epoch seconds)."""
    body = {"v": VERSION, "exp": round(now + ttl_s), "nick": nickname[:MAX_NICKNAME],
            "in": bool(passed)}
    payload = _b64(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_mac(secret, passcode, payload)}"


def verify(secret: bytes, passcode: str | None, token: str | None, now: float,
           ttl_s: float) -> SignIn | None:
    """The sign-in a token carries, or None when it is not one of ours, was altered, has
    expired, claims to last longer than tokens are issued for, or was signed under another
    passcode."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        return None
    payload, mac = token.split(".")
    try:
        if not hmac.compare_digest(mac.encode("ascii"), _mac(secret, passcode, payload).encode()):
            return None
        body = json.loads(_unb64(payload).decode("utf-8"))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(body, dict) or body.get("v") != VERSION:
        return None
    expires, nickname, passed = body.get("exp"), body.get("nick"), body.get("in")
    if not isinstance(expires, (int, float)) or isinstance(expires, bool):
        return None
    if not isinstance(nickname, str) or not isinstance(passed, bool):
        return None
    if not now < expires <= now + ttl_s + 60:  # a shortened lifetime applies to old tokens too
        return None
    nickname = "".join(c for c in nickname if c.isprintable())[:MAX_NICKNAME]
    return SignIn(nickname=nickname, passed=passed, expires=float(expires))
