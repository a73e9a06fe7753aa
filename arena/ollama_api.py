"""Talking to Ollama through the official client: models, versions, streamed chat, and errors.

Errors are mapped to a small set of failure kinds so the UI can explain them in the user's language
without repeating Ollama's text, which names the model (and so would break anonymity mid-battle).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import ollama

from arena.model_capabilities import CLIENT_ERRORS, is_cloud, listed_records, model_facts
from arena.records import THINK_LEVELS
from arena.think_levels import takes_levels
from arena.think_tags import THINKING, ThinkTagSplitter

# Why a side of a battle failed. The UI has a message for each.
FAILURE_KINDS = (
    "unreachable",
    "model_not_found",
    "thinking_unsupported",
    "busy",
    "stream_error",
    "connection_lost",
    "timeout",
    "stalled",  # the answer had started, then nothing came for the stall timeout
    "stopped",
    "error",
)


class OllamaUnavailable(Exception):
    """Ollama could not be asked (not running, wrong host, or not answering)."""

    def __init__(self, host: str, detail: str):
        super().__init__(f"could not reach Ollama at {host}: {detail}")
        self.host = host
        self.detail = detail


class IncompleteStream(Exception):
    """The stream ended without Ollama's final chunk."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    digest: str
    size: int
    family: str
    parameter_size: str
    quantization: str
    # From /api/tags (newer servers) or /api/show; None when the server does not say (Ollama
    # older than 0.6.4).
    capabilities: tuple[str, ...] | None = None
    remote_host: str = ""  # set for a model that runs elsewhere (Ollama's cloud models)

    @property
    def cloud(self) -> bool:
        """Whether it runs on someone else's servers (arena.model_capabilities.is_cloud)."""
        return is_cloud(self.name, self.remote_host)

    @property
    def can_chat(self) -> bool:
        return self.capabilities is None or "completion" in self.capabilities

    @property
    def supports_thinking(self) -> bool | None:
        return None if self.capabilities is None else "thinking" in self.capabilities

    @property
    def supports_vision(self) -> bool:
        """Whether it takes images; unknown capabilities count as no (an image sent to a model
        without vision fails its answer)."""
        return self.capabilities is not None and "vision" in self.capabilities

    @property
    def thinks_by_level(self) -> bool:
        """Whether its thinking is set by level, not on/off (arena.think_levels)."""
        return takes_levels(self.family) and self.supports_thinking is not False


def make_client(
    host: str,
    read_timeout: float,
    connect_timeout: float = 5.0,
    transport: httpx.BaseTransport | None = None,
) -> ollama.Client:
    """A client whose read timeout is the longest silence tolerated (it must cover model load)."""
    timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
    extra = {"transport": transport} if transport is not None else {}
    return ollama.Client(host=host, timeout=timeout, **extra)


def classify_error(exc: BaseException) -> tuple[str, str]:
    """(failure kind, Ollama's or httpx's own words) for an exception raised by the client."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, ollama.ResponseError):
        text = str(exc.error).lower()
        if exc.status_code == 404 or "not found" in text:
            return "model_not_found", detail
        if "does not support thinking" in text:
            return "thinking_unsupported", detail
        if exc.status_code == 503:
            return "busy", detail
        if exc.status_code == -1:
            return "stream_error", detail
        return "error", detail
    if isinstance(exc, IncompleteStream):
        return "connection_lost", detail
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, ConnectionRefusedError)):
        return "unreachable", detail
    if isinstance(exc, ConnectionError) and not isinstance(exc, (ConnectionResetError,
                                                                 ConnectionAbortedError)):
        # The client turns a refused connection into a plain ConnectionError.
        return "unreachable", detail
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", detail
    if isinstance(exc, (httpx.TransportError, ConnectionError, OSError)):
        return "connection_lost", detail
    return "error", detail


def _wrap_unavailable(host: str, exc: BaseException) -> OllamaUnavailable:
    return OllamaUnavailable(host, classify_error(exc)[1])


def server_version(host: str, timeout: float = 5.0, connect_timeout: float = 5.0) -> str:
    """Ollama's version (`GET /api/version`; the client has no method for it)."""
    try:
        response = httpx.get(f"{host}/api/version",
                             timeout=httpx.Timeout(timeout, connect=connect_timeout))
        response.raise_for_status()
        return str(response.json().get("version", ""))
    except (httpx.HTTPError, ValueError) as exc:
        raise _wrap_unavailable(host, exc) from None


def list_models(client: ollama.Client, host: str,
                with_capabilities: bool = True) -> list[ModelInfo]:
    """Every model the host serves, with its capabilities and remote host where the server
    says (arena.model_capabilities). Raises OllamaUnavailable when the host cannot be asked."""
    try:
        records = listed_records(client)
    except CLIENT_ERRORS as exc:
        raise _wrap_unavailable(host, exc) from None
    models = []
    for record in records:
        facts = model_facts(client, host, record, ask_show=with_capabilities)
        details = record.get("details") if isinstance(record.get("details"), dict) else {}
        models.append(
            ModelInfo(
                name=str(record.get("model") or record.get("name") or ""),
                digest=str(record.get("digest") or ""),
                size=int(record.get("size") or 0),
                family=str(details.get("family") or ""),
                parameter_size=str(details.get("parameter_size") or ""),
                quantization=str(details.get("quantization_level") or ""),
                capabilities=facts.capabilities,
                remote_host=facts.remote_host,
            )
        )
    return sorted(models, key=lambda m: m.name)


@dataclass(frozen=True)
class LoadedModel:
    """A model in memory now, as /api/ps reports it."""

    name: str
    size: int  # bytes in memory
    size_vram: int  # of which in GPU memory


def loaded_models(client: ollama.Client, host: str) -> dict[str, LoadedModel]:
    """The models a host has in memory, by name. Raises OllamaUnavailable."""
    try:
        running = client.ps().models
    except (ollama.ResponseError, httpx.HTTPError, ConnectionError, OSError, ValueError) as exc:
        raise _wrap_unavailable(host, exc) from None
    return {m.model: LoadedModel(m.model, int(m.size or 0), int(m.size_vram or 0))
            for m in running if m.model}


def version_tuple(version: str) -> tuple[int, ...] | None:
    """`0.12.6` -> (0, 12, 6); None for what is not a release number (a build from source says
    0.0.0)."""
    parts = version.strip().lstrip("v").split("-")[0].split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return None
    numbers = tuple(int(p) for p in parts)
    return numbers if any(numbers) else None


# Why a pull failed. The UI has a message for each.
PULL_FAILURES = ("unknown_model", "unreachable", "disk_full", "connection_lost", "error")


@dataclass(frozen=True)
class PullProgress:
    """One line of a pull's stream: its step (Ollama's words) and, for a layer, its bytes."""

    status: str
    digest: str | None
    completed: int | None
    total: int | None


def pull_stream(client: ollama.Client, model: str) -> Iterator[PullProgress]:
    """The progress of pulling `model`, line by line; raises the client's exceptions (see
    classify_pull_error). Ends with status "success"."""
    for part in client.pull(model, stream=True):
        yield PullProgress(part.status or "", part.digest, part.completed, part.total)


def classify_pull_error(exc: BaseException) -> tuple[str, str]:
    """(one of PULL_FAILURES, Ollama's or httpx's own words) for a failed pull."""
    kind, detail = classify_error(exc)
    text = detail.lower()
    if "no space left" in text:
        return "disk_full", detail
    if kind == "model_not_found" or "file does not exist" in text:
        return "unknown_model", detail
    if kind in ("unreachable", "connection_lost"):
        return kind, detail
    if kind == "timeout":
        return "connection_lost", detail
    return "error", detail


def think_argument(mode: str) -> bool | str | None:
    """The chat `think` field for a side's think value: None leaves it to the model; a level
    (arena.think_levels) is sent as its string."""
    if mode in THINK_LEVELS:
        return mode
    return {"default": None, "on": True, "off": False}[mode]


@dataclass
class Final:
    """The figures Ollama reports in the last chunk of a stream."""

    done_reason: str | None
    load_s: float | None
    prompt_tokens: int | None
    output_tokens: int | None
    tokens_per_s: float | None


def _final_from(chunk: Any) -> Final:
    def seconds(ns: int | None) -> float | None:
        return ns / 1e9 if ns is not None else None

    eval_count = chunk.eval_count
    eval_duration = chunk.eval_duration
    rate = eval_count / eval_duration * 1e9 if eval_count and eval_duration else None
    return Final(
        done_reason=chunk.done_reason,
        load_s=seconds(chunk.load_duration),
        prompt_tokens=chunk.prompt_eval_count,
        output_tokens=eval_count,
        tokens_per_s=rate,
    )


def stream_chat(
    client: ollama.Client,
    model: str,
    messages: list[dict],
    think: bool | str | None,
    options: dict,
    keep_alive: str | None = None,
) -> Iterator[tuple[str, Any]]:
    """Yield ("thinking", text), ("content", text) and finally ("done", Final).

    Thinking comes from the `thinking` field or, on old servers, from `<think>` tags in the
    content. Closing this generator closes the HTTP stream, which cancels generation on the server.
    Raises the client's exceptions (see classify_error) while iterating.
    """
    splitter = ThinkTagSplitter()
    stream = client.chat(
        model=model,
        messages=messages,
        stream=True,
        think=think,
        options=options,
        keep_alive=keep_alive,
    )
    try:
        for chunk in stream:
            message = chunk.message
            # One chunk can carry both thinking and content.
            if message.thinking:
                yield THINKING, message.thinking
            if message.content:
                yield from splitter.feed(message.content)
            if chunk.done:
                yield from splitter.flush()
                yield "done", _final_from(chunk)
                return
    finally:
        stream.close()
    raise IncompleteStream("the stream from Ollama ended before its final chunk")
