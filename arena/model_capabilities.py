"""What Ollama says about a model beyond the official client's fields: what it can do
(capabilities) and whether it runs on someone else's servers (a cloud model).

The client's `list()` and `show()` parse into models that drop the fields they do not declare
(`capabilities` in /api/tags, `remote_host` in both), so the records are read raw, through the
client's own connection. /api/show is asked only when /api/tags does not say (servers that list
capabilities need none), and once per model digest: a model's record does not change without
its digest changing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import httpx
import ollama

from arena.records import parse_contestant_name

# `gpt-oss:120b-cloud`, `glm-4.6:cloud`: the names Ollama gives the models it runs remotely.
CLOUD_SUFFIXES = ("-cloud", ":cloud")

# What the client raises when a host cannot be asked or answers with an error.
CLIENT_ERRORS = (ollama.ResponseError, httpx.HTTPError, ConnectionError, OSError, ValueError)


def is_cloud(name: str, remote_host: str = "") -> bool:
    """Whether a model runs elsewhere: its name says so, or its record names a remote host."""
    return bool(remote_host) or name.endswith(CLOUD_SUFFIXES)


def is_cloud_contestant(contestant: str, cloud_models: set[str] | frozenset[str] = frozenset()
                        ) -> bool:
    """Whether a stored contestant name (`model`, `model (thinking on)`) is a cloud model's: by
    its name, or because the lineup knows the model as one (`cloud_models`, by model name)."""
    model = parse_contestant_name(contestant)[0]
    return model in cloud_models or is_cloud(model)


@dataclass(frozen=True)
class ModelFacts:
    """A model's capabilities (None when the server does not say, as before Ollama 0.6.4) and
    its remote host ("" for a model that runs on the host that lists it)."""

    capabilities: tuple[str, ...] | None = None
    remote_host: str = ""


class NoAnswer(Exception):
    """/api/show failed this time; ask again next time rather than remember 'unknown'."""


def _raw_json(client: ollama.Client, method: str, path: str, **kwargs: Any) -> Any:
    # The client's own request: its host, timeout, headers and error mapping; the body unparsed.
    return client._request_raw(method, path, **kwargs).json()


def _capabilities(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        return None
    return tuple(str(c) for c in value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def listed_records(client: ollama.Client) -> list[dict]:
    """/api/tags' model records as the server sent them. Raises the client's errors
    (CLIENT_ERRORS) when the host cannot be asked or sends no list of models."""
    body = _raw_json(client, "GET", "/api/tags")
    models = body.get("models") if isinstance(body, dict) else None
    if not isinstance(models, list):
        raise ValueError("/api/tags answered without a list of models")
    return [m for m in models if isinstance(m, dict)]


def shown_facts(client: ollama.Client, name: str) -> ModelFacts:
    """A model's facts from /api/show. Raises NoAnswer when the server could not be asked."""
    try:
        body = _raw_json(client, "POST", "/api/show", json={"model": name})
    except CLIENT_ERRORS as exc:
        raise NoAnswer(str(exc)) from None
    if not isinstance(body, dict):
        raise NoAnswer("/api/show answered without a record")
    return ModelFacts(_capabilities(body.get("capabilities")), _text(body.get("remote_host")))


_shown: dict[tuple[str, str, str], ModelFacts] = {}  # (host, name, digest) -> /api/show's facts
_lock = threading.Lock()


def model_facts(client: ollama.Client, host: str, record: dict,
                ask_show: bool = True) -> ModelFacts:
    """A listed model's facts: from its /api/tags record when that lists capabilities, else from
    /api/show (asked once per digest; with `ask_show` False, not at all). A failed /api/show
    leaves the capabilities unknown for this listing only."""
    name = _text(record.get("model")) or _text(record.get("name"))
    listed = ModelFacts(_capabilities(record.get("capabilities")),
                        _text(record.get("remote_host")))
    if listed.capabilities is not None or not ask_show:
        return listed
    key = (host, name, _text(record.get("digest")))
    with _lock:
        known = _shown.get(key)
    if known is None:
        try:
            known = shown_facts(client, name)
        except NoAnswer:
            return listed
        with _lock:
            _shown[key] = known
    return ModelFacts(known.capabilities, known.remote_host or listed.remote_host)


def forget() -> None:
    """Ask /api/show again for every model (tests start from nothing)."""
    with _lock:
        _shown.clear()
