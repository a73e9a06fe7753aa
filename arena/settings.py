"""Every tunable of the arena in one place, read from the environment.

Defaults suit one person on one machine; each can be overridden with the environment variable
named next to it, so that a team can configure a shared server without editing code.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"


@dataclass(frozen=True)
class GenerationDefaults:
    """Generation options sent identically to both sides of every battle."""

    temperature: float = 0.7
    num_ctx: int = 8192
    num_predict: int = 4096
    # None: a fresh random seed per battle, shared by both sides.
    seed: int | None = None


@dataclass(frozen=True)
class ImportLimits:
    """What an imported file may hold; past any of them it is refused whole, the limit named.
    They bound the memory an import takes (a file's frame takes a few times its size)."""

    max_mb: float = 512.0  # ARENA_IMPORT_MAX_MB: file size
    max_rows: int = 1_000_000  # ARENA_IMPORT_MAX_ROWS
    max_columns: int = 200  # ARENA_IMPORT_MAX_COLUMNS (our own export has 53)
    # ARENA_IMPORT_MAX_FIELD_CHARS: any one text value (a prompt, an answer)
    max_field_chars: int = 5_000_000
    max_name_chars: int = 200  # ARENA_IMPORT_MAX_NAME_CHARS: a model's name
    max_image_mb: float = 10.0  # ARENA_MAX_IMAGE_MB: an image a battle carries (as uploads)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("data/arena.db")  # ARENA_DB
    ollama_host: str = DEFAULT_OLLAMA_HOST  # OLLAMA_HOST
    # More Ollama servers, comma-separated (ARENA_OLLAMA_HOSTS); admins add others on the page.
    extra_hosts: tuple[str, ...] = ()
    # Seconds without a byte from Ollama before a side fails. Must cover model load time.
    ollama_read_timeout: float = 300.0  # ARENA_OLLAMA_TIMEOUT
    # Seconds without a token once an answer has started: a stalled model, not a loading one.
    ollama_stall_timeout: float = 60.0  # ARENA_OLLAMA_STALL_TIMEOUT
    ollama_connect_timeout: float = 5.0  # ARENA_OLLAMA_CONNECT_TIMEOUT
    keep_alive: str = "5m"  # ARENA_KEEP_ALIVE
    max_prompt_chars: int = 30_000  # ARENA_MAX_PROMPT_CHARS
    # ARENA_MAX_IMAGE_MB: the largest image a prompt may carry (up to arena.images.MAX_IMAGES)
    max_image_mb: float = 10.0
    max_turns: int = 5  # ARENA_MAX_TURNS: turns of a battle, the first and its follow-ups
    language: str = "en"  # ARENA_LANG, as written: arena.i18n finds the catalog for it
    bootstrap_rounds: int = 1000  # ARENA_BOOTSTRAP_ROUNDS: resamples behind each 95% interval
    min_votes: int = 20  # ARENA_MIN_VOTES: fewer and a rating is marked provisional
    elo_k: float = 16.0  # ARENA_ELO_K: step size of the online Elo shown over time
    max_battles: int = 2  # ARENA_MAX_BATTLES: battles running at once, across all users
    # ARENA_UNVOTED_HIDDEN_S: an unvoted battle this old counts as abandoned: its names may be
    # shown on the Data page, and a vote cast on it after that is stored but does not count.
    unvoted_hidden_s: float = 3600.0
    # ARENA_DB_BUSY_TIMEOUT_S: how long a write waits for another program holding the database
    # before it gives up with "the database is busy" (nothing half-written).
    db_busy_timeout_s: float = 30.0
    # ARENA_PASSCODE / ARENA_ADMIN_PASSCODE (or `passcode` / `admin_passcode` in Streamlit's
    # secrets): None leaves the arena open / admin actions to this computer only.
    passcode: str | None = field(default=None, repr=False)
    admin_passcode: str | None = field(default=None, repr=False)
    # ARENA_SIGNIN_DAYS: how long a browser stays signed in and keeps its nickname across
    # reloads (0: forget both on every reload).
    signin_days: float = 7.0
    generation: GenerationDefaults = field(default_factory=GenerationDefaults)
    imports: ImportLimits = field(default_factory=ImportLimits)

    @property
    def ollama_hosts(self) -> tuple[str, ...]:
        """The hosts the settings name: OLLAMA_HOST first, then ARENA_OLLAMA_HOSTS."""
        return tuple(dict.fromkeys((self.ollama_host, *self.extra_hosts)))

    def generation_options(self, seed: int) -> dict:
        """The Ollama `options` for one battle; `seed` is used when no fixed seed is set."""
        g = self.generation
        return {
            "temperature": g.temperature,
            "seed": g.seed if g.seed is not None else seed,
            "num_ctx": g.num_ctx,
            "num_predict": g.num_predict,
        }


class SettingsError(ValueError):
    """An environment variable with a value the arena cannot use; the message names it."""


def _env(name: str, env: dict) -> str | None:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def _number(name: str, env: dict, kind: type, default, minimum=None):
    """The variable as `kind` (int or float), or `default` when unset."""
    raw = _env(name, env)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name}={raw!r} is not {noun}") from None
    if not math.isfinite(value):
        raise SettingsError(f"{name}={raw!r} is not a finite number")
    if minimum is not None and value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def normalise_host(host: str, name: str = "OLLAMA_HOST") -> str:
    """What people type for an Ollama host, as the URL the official `ollama` client would make
    of it (its `_parse_host`; tests/test_settings.py checks them side by side): no scheme means
    http and port 11434, `http://` alone port 80, `https://` port 443, a path is kept (Ollama
    behind a reverse proxy). Two differences, on purpose: a listen address (`0.0.0.0`, `[::]`)
    means this machine, and the scheme's case does not matter. `name` is where the value came
    from, for the error message."""
    typed = host.strip()
    if not typed:
        raise SettingsError(f"{name} is empty")
    invalid = SettingsError(f"{name}={typed!r} is not a valid host[:port] or URL")
    scheme, given, rest = typed.partition("://")
    if given:
        scheme = scheme.lower()
        port = {"http": 80, "https": 443}.get(scheme)
        if port is None or not rest.strip("/"):
            raise invalid
    else:
        scheme, rest, port = "http", typed, 11434
    if any(c.isspace() or not c.isprintable() for c in rest):
        raise invalid
    try:
        parts = urlsplit(f"{scheme}://{rest}")
        port = parts.port or port
    except ValueError:  # a port that is not a number, or out of range
        raise invalid from None
    hostname = parts.hostname or "127.0.0.1"
    # A listen address, not somewhere to connect to.
    hostname = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(hostname, hostname)
    if ":" in hostname:  # IPv6: urlsplit drops the brackets a URL needs
        hostname = f"[{hostname}]"
    path = parts.path.strip("/")
    return f"{scheme}://{hostname}:{port}" + (f"/{path}" if path else "")


def load_settings(env: dict | None = None) -> Settings:
    """Build settings from environment variables (or the given mapping, for tests)."""
    env = dict(os.environ if env is None else env)
    gen = GenerationDefaults()
    generation = GenerationDefaults(
        temperature=_number("ARENA_TEMPERATURE", env, float, gen.temperature, minimum=0),
        num_ctx=_number("ARENA_NUM_CTX", env, int, gen.num_ctx, minimum=1),
        num_predict=_number("ARENA_NUM_PREDICT", env, int, gen.num_predict, minimum=1),
        seed=_number("ARENA_SEED", env, int, None),
    )
    limits = ImportLimits()
    imports = ImportLimits(
        max_mb=_number("ARENA_IMPORT_MAX_MB", env, float, limits.max_mb, minimum=0.001),
        max_rows=_number("ARENA_IMPORT_MAX_ROWS", env, int, limits.max_rows, minimum=1),
        max_columns=_number("ARENA_IMPORT_MAX_COLUMNS", env, int, limits.max_columns,
                            minimum=3),
        max_field_chars=_number("ARENA_IMPORT_MAX_FIELD_CHARS", env, int,
                                limits.max_field_chars, minimum=1),
        max_name_chars=_number("ARENA_IMPORT_MAX_NAME_CHARS", env, int, limits.max_name_chars,
                               minimum=1),
        max_image_mb=_number("ARENA_MAX_IMAGE_MB", env, float, limits.max_image_mb,
                             minimum=0.001),
    )
    base = Settings()
    db_path = _env("ARENA_DB", env) or str(base.db_path)
    if db_path == ":memory:" or db_path.startswith("file:"):
        # Each connection would get its own empty database; the arena needs one shared file.
        raise SettingsError(f"ARENA_DB={db_path!r} must be a file path")
    return Settings(
        db_path=Path(db_path),
        ollama_host=normalise_host(_env("OLLAMA_HOST", env) or base.ollama_host),
        extra_hosts=tuple(normalise_host(h, "ARENA_OLLAMA_HOSTS")
                          for h in (_env("ARENA_OLLAMA_HOSTS", env) or "").split(",")
                          if h.strip()),
        ollama_read_timeout=_number("ARENA_OLLAMA_TIMEOUT", env, float,
                                    base.ollama_read_timeout, minimum=0.1),
        ollama_stall_timeout=_number("ARENA_OLLAMA_STALL_TIMEOUT", env, float,
                                     base.ollama_stall_timeout, minimum=0.1),
        ollama_connect_timeout=_number("ARENA_OLLAMA_CONNECT_TIMEOUT", env, float,
                                       base.ollama_connect_timeout, minimum=0.1),
        keep_alive=_env("ARENA_KEEP_ALIVE", env) or base.keep_alive,
        max_prompt_chars=_number("ARENA_MAX_PROMPT_CHARS", env, int, base.max_prompt_chars,
                                 minimum=1),
        max_image_mb=_number("ARENA_MAX_IMAGE_MB", env, float, base.max_image_mb,
                             minimum=0.001),
        max_turns=_number("ARENA_MAX_TURNS", env, int, base.max_turns, minimum=1),
        language=_env("ARENA_LANG", env) or base.language,
        bootstrap_rounds=_number("ARENA_BOOTSTRAP_ROUNDS", env, int, base.bootstrap_rounds,
                                 minimum=0),
        min_votes=_number("ARENA_MIN_VOTES", env, int, base.min_votes, minimum=0),
        elo_k=_number("ARENA_ELO_K", env, float, base.elo_k, minimum=0),
        max_battles=_number("ARENA_MAX_BATTLES", env, int, base.max_battles, minimum=1),
        unvoted_hidden_s=_number("ARENA_UNVOTED_HIDDEN_S", env, float, base.unvoted_hidden_s,
                                 minimum=1),
        db_busy_timeout_s=_number("ARENA_DB_BUSY_TIMEOUT_S", env, float, base.db_busy_timeout_s,
                                  minimum=0.1),
        passcode=env.get("ARENA_PASSCODE") or None,
        admin_passcode=env.get("ARENA_ADMIN_PASSCODE") or None,
        signin_days=_number("ARENA_SIGNIN_DAYS", env, float, base.signin_days, minimum=0),
        generation=generation,
        imports=imports,
    )
