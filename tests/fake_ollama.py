"""A fake Ollama server for tests and benchmarks: real HTTP, Ollama's real wire format.

It serves /api/version, /api/tags, /api/show, /api/ps, /api/pull (progress streamed as Ollama does,
from a registry of models that can be pulled) and /api/chat (streamed NDJSON in chunked
transfer encoding, or one JSON object), with models of three kinds — thinking in a separate field,
thinking inside `<think>` tags in the content (servers before 0.9.0), and no thinking — and every
failure the arena must survive: 404, 400 for thinking, 503, an error line mid-stream, a dropped
connection, and a stall longer than the client's read timeout. It records each request and notices
when a client closes a stream early.

With `gpu_models=N` it is a GPU that holds N models at a time, as Ollama's scheduler runs one:
requests are admitted in arrival order; one for a model that is not loaded, when N are, waits
until a loaded model has no request running, evicts it (the one used longest ago) and pays
`load_delay`; the wait and the load are the answer's `load_duration`. `fake.loads()` lists the
loads in order (also `GET /fake/loads`, for a fake run in its own process: not an Ollama route).

Models may answer by a rule on the prompt: `labeller` classifies, `judge` reads the arena's judge
prompt (arena.judging) and gives a verdict chosen by a rule the test controls.
"""

from __future__ import annotations

import hashlib
import json
import re
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

THINKING = "thinking"  # separate `thinking` field
THINK_TAGS = "think_tags"  # `<think>` inside content, as servers before 0.9.0 send it
PLAIN = "plain"  # no thinking at all
# gpt-oss: thinking in the separate field, always, at a level: `think` "low" / "medium" / "high"
# sets it ("max" is read as "high", as Ollama's harmony path does); true, false or nothing leave
# it at "medium" (Ollama ignores booleans for gpt-oss: its template reads only the level).
LEVELS = "levels"
THINK_VALUES = ("high", "medium", "low", "max")  # the strings Ollama's ThinkValue accepts
LEVEL_DEFAULT = "medium"

FAILURES = ("not_found", "busy", "error_line", "drop", "stall")
# What Ollama's runner says when a model without a vision projector is sent images.
NO_VISION_ERROR = ("Failed to create new sequence: failed to process inputs: "
                   "this model is missing data required for image input")
KV_CACHE_BYTES = 1_000_000_000  # memory a loaded model takes beyond its weights


@dataclass
class FakeModel:
    name: str
    style: str = PLAIN
    answer: str = "Paris is the capital of France. It sits on the Seine."
    thinking: str = "The user asks a simple question. I should answer briefly."
    family: str = "fake"
    parameter_size: str = "8.0B"
    quantization: str = "Q4_K_M"
    size: int = 5_000_000_000
    # Reported by /api/show; None leaves the field out, as Ollama before 0.6.4 did.
    capabilities: list[str] | None = field(default=None)
    fail: str | None = None
    fail_after: int = 3  # tokens sent before error_line / drop / stall
    stall_s: float = 5.0
    token_delay: float | None = None  # None: the server's default
    load_s: float = 0.0  # silence before the response starts, as while Ollama loads a model
    build: str = ""  # another build under the same name has another digest
    # Characters per chunk instead of one token a chunk: a megabyte answer in a few seconds.
    piece_chars: int | None = None
    # The answer to a prompt (the last user message) instead of `answer`: a model whose output
    # depends on what it is asked, by a rule the test controls (see `labeller`).
    reply: Callable[[str], str] | None = None
    # A cloud model (Ollama >= 0.12): a stub manifest whose chats run on `remote_host`. Its
    # /api/tags and /api/show records carry `remote_model` and `remote_host` (left out when
    # empty, as Ollama's `omitempty` does).
    remote_host: str = ""
    remote_model: str = ""
    # The images (base64 strings, all messages' in order) of each chat this model was sent.
    images_seen: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.capabilities is None:
            self.capabilities = ["completion"] + (["thinking"] if self.style in (THINKING, LEVELS)
                                                  else [])

    @property
    def digest(self) -> str:
        return hashlib.sha256((self.name + self.build).encode()).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _remote(model: FakeModel) -> dict:
    """A cloud model's `remote_model` / `remote_host` fields; nothing for a local model."""
    return {k: v for k, v in (("remote_model", model.remote_model),
                              ("remote_host", model.remote_host)) if v}


def _tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def _keep_alive_s(keep_alive) -> float:
    """Seconds of a request's keep_alive as Ollama reads it: a number of seconds or a duration
    such as "10m"; negative keeps the model loaded; absent, five minutes."""
    if keep_alive is None or keep_alive == "":
        return 300.0
    if isinstance(keep_alive, (int, float)):
        return float(keep_alive)
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(ms|s|m|h)?", str(keep_alive).strip())
    if not match:
        return 300.0
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[match.group(2) or "s"]
    return float(match.group(1)) * unit


def _chars(text: str, size: int) -> list[str]:
    """Cut text into pieces of `size` characters, so that tags get split across chunks."""
    return [text[i:i + size] for i in range(0, len(text), size)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):
        pass

    # --- plumbing ---------------------------------------------------------------------------

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else {}

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, payload: dict) -> None:
        line = json.dumps(payload, separators=(",", ":")).encode() + b"\n"
        self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # --- routes -----------------------------------------------------------------------------

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _route(self) -> str:
        """The request's path as Ollama sees it: behind a reverse proxy mounted at
        `fake.prefix`, only paths under the prefix reach Ollama, without it."""
        prefix = self.server.fake.prefix
        if not prefix:
            return self.path
        return self.path[len(prefix):] if self.path.startswith(prefix + "/") else "/not-proxied"

    def do_GET(self):
        fake = self.server.fake
        fake.record("GET", self.path, {})
        self.path = self._route()
        if self.path == "/":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path == "/api/version":
            self._json(200, {"version": fake.version})
        elif self.path == "/api/tags":
            self._json(200, {"models": [fake.tag(m) for m in fake.listed_models()]})
        elif self.path == "/api/ps":
            self._json(200, {"models": fake.ps()})
        elif self.path == "/fake/loads":
            self._json(200, {"loads": fake.loads()})
        else:
            self._json(404, {"error": "404 page not found"})

    def do_POST(self):
        fake = self.server.fake
        try:
            body = self._body()
        except ValueError:
            self._json(400, {"error": "invalid JSON"})
            return
        fake.record("POST", self.path, body)
        self.path = self._route()
        if self.path == "/api/show":
            self._show(body)
        elif self.path == "/api/chat":
            self._chat(body)
        elif self.path == "/api/pull":
            self._pull(body)
        else:
            self._json(404, {"error": "404 page not found"})

    def _show(self, body: dict) -> None:
        fake = self.server.fake
        name = body.get("model") or body.get("name", "")
        model = fake.models.get(name)
        if model is None:
            self._json(404, {"error": f"model '{name}' not found"})
            return
        if fake.show_fails:
            self._json(500, {"error": "failed to load model metadata"})
            return
        payload = {
            "license": "",
            "modelfile": f"FROM {name}\n",
            "parameters": "temperature 0.7",
            "template": "{{ .Prompt }}",
            "details": fake.tag(model)["details"],
            "model_info": {"general.architecture": model.family, "general.parameter_count": 8e9},
            "modified_at": _now(),
        }
        if model.capabilities is not None and not fake.legacy_show:
            payload["capabilities"] = model.capabilities
        payload.update(_remote(model))
        self._json(200, payload)

    def _pull(self, body: dict) -> None:
        """Progress lines as Ollama streams them: the manifest, each layer's bytes, the checks,
        then `success`, after which the model is listed. Failures come as an error line."""
        fake = self.server.fake
        name = body.get("model") or body.get("name", "")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._chunk({"status": "pulling manifest"})
            model = fake.registry.get(name)
            if model is None:
                self._chunk({"error": "pull model manifest: file does not exist"})
                self._end_chunks()
                return
            layers = [(hashlib.sha256(f"{name}/{k}".encode()).hexdigest(), size)
                      for k, size in enumerate((model.size, 12_000))]
            sent = 0
            for digest, size in layers:
                for step in range(fake.pull_steps + 1):
                    if fake.pull_fail and sent == fake.pull_steps // 2:
                        if fake.pull_fail == "disk_full":
                            self._chunk({"error": f"write /usr/share/ollama/.ollama/models/blobs/sha256-"
                                                  f"{digest}-partial: no space left on device"})
                            self._end_chunks()
                            return
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)  # "drop"
                        self.close_connection = True
                        return
                    sent += 1
                    self._chunk({"status": f"pulling {digest[:12]}", "digest": f"sha256:{digest}",
                                 "total": size, "completed": size * step // fake.pull_steps})
                    time.sleep(fake.pull_delay)
            for status in ("verifying sha256 digest", "writing manifest", "success"):
                if status == "success":
                    fake.models[name] = model
                self._chunk({"status": status})
            self._end_chunks()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _load(self, seconds: float) -> bool:
        """Wait as a model load (or a stall) would; False as soon as the client closes the
        connection."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._gone(0.02):
                return False
        return True

    def _gone(self, wait: float = 0.0) -> bool:
        """Whether the client has closed the connection (looking for up to `wait` seconds)."""
        readable, _, _ = select.select([self.connection], [], [], wait)
        return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""

    def _chat(self, body: dict) -> None:
        fake = self.server.fake
        name = body.get("model", "")
        model = fake.models.get(name)
        if model is None or model.fail == "not_found":
            self._json(404, {"error": f"model '{name}' not found"})
            return
        think = body.get("think")
        # Ollama reads `think` while binding the request, before it looks the model up.
        if isinstance(think, str) and think not in THINK_VALUES:
            self._json(400, {"error": f'invalid think value: "{think}" (must be "high", '
                                      f'"medium", "low", "max", true, or false)'})
            return
        if think is not None and not isinstance(think, (bool, str)):
            self._json(400, {"error": 'think must be a boolean or string ("high", "medium", '
                                      '"low", "max", true, or false)'})
            return
        # A level asks for thinking as true does (Ollama's ThinkValue.Bool).
        asks = think is True or isinstance(think, str)
        if asks and model.style not in (THINKING, LEVELS) and fake.supports_think_field:
            self._json(400, {"error": f'"{name}" does not support thinking'})
            return
        if model.fail == "busy":
            self._json(503, {"error": "server busy, please try again.  maximum pending requests exceeded"})
            return
        images = [i for m in body.get("messages") or [] if isinstance(m, dict)
                  for i in m.get("images") or []]
        model.images_seen.append(images)
        if images and "vision" not in (model.capabilities or []):
            self._no_vision(body)
            return

        if fake.gpu_models is None:
            fake.load(name, body.get("keep_alive"))
            self._answer(body, model, None)
            return
        waited = fake.acquire(name, self._gone)
        if waited is None:
            return  # the client gave up while waiting for the GPU
        try:
            self._answer(body, model, int(waited * 1e9))
        finally:
            fake.release(name, body.get("keep_alive"))

    def _no_vision(self, body: dict) -> None:
        """Images sent to a model without vision: Ollama loads it, and its runner refuses the
        images; the server then answers 500, or, streaming, 200 and one error line."""
        if body.get("stream") is False:
            self._json(500, {"error": NO_VISION_ERROR})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._chunk({"error": NO_VISION_ERROR})
        self._end_chunks()

    def _answer(self, body: dict, model: FakeModel, load_ns: int | None) -> None:
        fake = self.server.fake
        name = model.name
        asked = [m.get("content", "") for m in body.get("messages") or []
                 if isinstance(m, dict) and m.get("role") == "user"]
        pieces = fake.pieces(model, body.get("think"), asked[-1] if asked else "")
        delay = model.token_delay if model.token_delay is not None else fake.token_delay
        if body.get("stream") is False:
            self._json(200, fake.final_chunk(model, pieces, delay, load_ns, message={
                "role": "assistant",
                "content": "".join(t for k, t in pieces if k == "content"),
                **({"thinking": "".join(t for k, t in pieces if k == "thinking")}
                   if any(k == "thinking" for k, _ in pieces) else {}),
            }))
            return

        fake.stream_started(name)
        finished = False
        try:
            if model.load_s and not self._load(model.load_s):
                return  # the client gave up while the model was loading
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for index, (kind, text) in enumerate(pieces):
                if model.fail and index == model.fail_after:
                    if model.fail == "error_line":
                        self._chunk({"error": "an error was encountered while running the model: unexpected EOF"})
                        self._end_chunks()
                        finished = True
                        return
                    if model.fail == "drop":
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        finished = True
                        return
                    if model.fail == "stall" and not self._load(model.stall_s):
                        return  # the client gave up waiting, as Ollama notices a closed stream
                message = {"role": "assistant", "content": text if kind == "content" else ""}
                if kind == "thinking":
                    message["thinking"] = text
                elif kind == "both":  # one chunk carrying thinking and content, as Ollama may send
                    message["thinking"], message["content"] = text
                self._chunk({"model": name, "created_at": _now(), "message": message, "done": False})
                if delay:
                    time.sleep(delay)
            self._chunk(fake.final_chunk(model, pieces, delay, load_ns,
                                         message={"role": "assistant", "content": ""}))
            self._end_chunks()
            finished = True
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            fake.stream_ended(name, cancelled=not finished)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeOllama

    def handle_error(self, request, client_address):
        # Clients closing connections (streams cancelled, pools closed) are expected here.
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionError, OSError)):
            super().handle_error(request, client_address)


def labeller(name: str, expected: dict[str, str], labels: list[str],
             accuracy: float) -> Callable[[str], str]:
    """A classifier with a known accuracy: for a prompt in `expected` it answers the expected
    label with probability `accuracy` (decided by a hash of the model's name and the prompt, so
    the same every time) and the next label otherwise; "I am not sure." for other prompts."""

    def reply(prompt: str) -> str:
        label = expected.get(prompt)
        if label is None:
            return "I am not sure."
        draw = int(hashlib.sha256(f"{name}\n{prompt}".encode()).hexdigest()[:8], 16) / 2**32
        if draw >= accuracy:
            label = labels[(labels.index(label) + 1) % len(labels)]
        return f"{label}\n\nThat is my reading of the text."

    return reply


def example_labellers(accuracies: tuple[float, ...] = (0.9, 0.75, 0.5)) -> list[FakeModel]:
    """The default models answering the shipped classification set (arena/example_sets) with
    these accuracies, in order: for demos and end-to-end tests of the accuracy table."""
    from arena.files.set_file import read_set_file
    from arena.prompt_sets import EXAMPLE_SETS, example_file

    example = EXAMPLE_SETS["classification"]
    with example_file("classification") as path:
        expected = {item.prompt: item.expected for item in read_set_file(path)}
    models = default_models()
    for model, accuracy in zip(models, accuracies):
        model.reply = labeller(model.name, expected, list(example.prompt_set.labels), accuracy)
    return models


# The markers of the judge prompt (arena.judging), written out again here: the fake reads the
# prompt as a real judge model would, so a change of markers shows up as judges that cannot judge.
_JUDGED_ANSWERS = re.compile(
    r"\[The Start of Assistant A's Answer\]\n(.*?)\n\[The End of Assistant A's Answer\]"
    r".*?\[The Start of Assistant B's Answer\]\n(.*?)\n\[The End of Assistant B's Answer\]",
    re.DOTALL)
JUDGE_THINKING = "I read both answers and weigh them against the instruction before deciding."


def judge(name: str, rule: Callable[[str, str], str], style: str = PLAIN,
          **fields) -> FakeModel:
    """A judge model: it finds the two answers between the markers of the judge prompt in the
    last user message, applies `rule(answer_a, answer_b)` and replies with a short reasoning
    paragraph, then the verdict line — `[[X]]` when the rule says "A", "B" or "C", the rule's
    own text otherwise (a malformed line). A thinking `style` thinks first, as other models do."""

    def reply(prompt: str) -> str:
        found = _JUDGED_ANSWERS.search(prompt)
        if found is None:
            return "I was not shown two answers to compare."
        first, second = found.groups()
        verdict = rule(first, second)
        line = f"[[{verdict}]]" if verdict in ("A", "B", "C") else verdict
        return (f"Assistant A's answer has {len(first)} characters and Assistant B's has "
                f"{len(second)}. Both address the question; I weigh accuracy and helpfulness."
                f"\n\n{line}")

    fields.setdefault("thinking", JUDGE_THINKING)
    return FakeModel(name, style=style, reply=reply, **fields)


def always_a_judge(name: str, **fields) -> FakeModel:
    """A judge with total position bias: Assistant A wins, whichever answer it is."""
    return judge(name, lambda first, second: "A", **fields)


def longer_answer_judge(name: str, **fields) -> FakeModel:
    """A consistent judge: the longer answer wins (a tie at equal length), in either order."""

    def rule(first: str, second: str) -> str:
        return "A" if len(first) > len(second) else "B" if len(second) > len(first) else "C"

    return judge(name, rule, **fields)


def malformed_judge(name: str, **fields) -> FakeModel:
    """A judge whose last line is never a valid verdict (it names two), though [[A]] appears
    in its reasoning: every judgement it gives is "no verdict"."""
    return judge(name, lambda first, second: "I cannot choose between [[A]] and [[B]].",
                 **fields)


def example_judges() -> list[FakeModel]:
    """One judge of each kind, for demos and end-to-end runs; the consistent one thinks, as
    qwen3 does."""
    return [always_a_judge("judge-always-a:1"),
            longer_answer_judge("judge-longer:1", style=THINKING, family="qwen3"),
            malformed_judge("judge-malformed:1")]


def vision_model(name: str = "gemma3:4b", **fields) -> FakeModel:
    """A model that sees images, as `ollama pull gemma3` gives one (capabilities `completion`
    and `vision`); `images_seen` records the images each chat sent it."""
    defaults = dict(family="gemma3", parameter_size="4.3B",
                    answer="The picture shows a small square of colour.",
                    capabilities=["completion", "vision"])
    return FakeModel(name, **{**defaults, **fields})


def level_thinking(thinking: str, level: str) -> str:
    """A level model's thinking at `level`: once at low, twice at medium, three times at high,
    so that a test can tell the level from its length."""
    return " ".join([thinking] * (1 + ("low", "medium", "high").index(level)))


def gpt_oss(name: str = "gpt-oss:20b", **fields) -> FakeModel:
    """A local gpt-oss model as Ollama lists it: family `gptoss`, thinking set by level."""
    defaults = dict(style=LEVELS, family="gptoss", parameter_size="20.9B",
                    quantization="MXFP4", size=13_780_000_000,
                    capabilities=["completion", "tools", "thinking"],
                    answer="The capital of France is Paris.",
                    thinking="The user asks for the capital of France.")
    return FakeModel(name, **{**defaults, **fields})


def cloud_model(name: str = "gpt-oss:120b-cloud", **fields) -> FakeModel:
    """A cloud model as Ollama lists one after `ollama pull gpt-oss:120b-cloud`: a few hundred
    bytes of manifest, empty details, and the remote it runs on (answers still come from this
    fake: the arena must keep it apart by what it is told, not by how it answers)."""
    defaults = dict(style=THINKING, family="", parameter_size="", quantization="", size=384,
                    remote_host="https://ollama.com:443",
                    remote_model=name.removesuffix("-cloud").removesuffix(":cloud"),
                    capabilities=["completion", "tools", "thinking"])
    return FakeModel(name, **{**defaults, **fields})


def default_models() -> list[FakeModel]:
    """Three well-behaved models, one of each kind."""
    return [
        FakeModel("qwen3:8b", style=THINKING, family="qwen3",
                  answer="Paris is the capital of France.\n\n- It sits on the **Seine**.",
                  thinking="The user wants the capital of France. That is Paris."),
        FakeModel("deepseek-r1:7b", style=THINK_TAGS, family="qwen2",
                  answer="The capital of France is Paris, a city of about two million people.",
                  thinking="Capital of France? Paris. Keep it short."),
        FakeModel("llama3.2:3b", style=PLAIN, family="llama", parameter_size="3.2B",
                  answer="France's capital is Paris."),
    ]


class FakeOllama:
    """Run with `with FakeOllama() as fake:`; `fake.url` is the OLLAMA_HOST to use."""

    def __init__(self, models: list[FakeModel] | None = None, token_delay: float = 0.0,
                 version: str = "0.12.6", port: int = 0, gpu_models: int | None = None,
                 load_delay: float = 0.0):
        self.models: dict[str, FakeModel] = {m.name: m for m in (models or default_models())}
        self.token_delay = token_delay
        self.version = version
        self.legacy_show = False  # True: /api/show without capabilities, as before 0.6.4
        self.supports_think_field = True  # False: ignore `think`, as before 0.9.0
        self.show_fails = False  # True: /api/show answers 500, as an overloaded server may
        # True: /api/tags lists each model's capabilities, as newer servers do (no /api/show
        # needed for them).
        self.tags_capabilities = False
        self.hidden: set[str] = set()  # served by chat but missing from /api/tags
        # model -> bytes of GPU memory, as /api/ps reports; a chat loads its model
        self.loaded: dict[str, int] = {}
        # What /api/pull can fetch; a pulled model joins `models`.
        self.registry: dict[str, FakeModel] = {}
        self.pull_steps = 4  # progress lines per layer
        self.pull_delay = 0.0  # seconds between progress lines
        self.pull_fail: str | None = None  # "disk_full" or "drop", half way through
        self.prefix = ""  # "/ollama": served as behind a reverse proxy at that path
        self.requests: list[dict] = []
        self.cancelled: list[str] = []
        self._active = 0
        self.max_active = 0  # most streams generating at the same moment
        self._lock = threading.Lock()
        # The GPU (gpu_models=None: any number of models at once, loaded for free, as before).
        self.gpu_models = gpu_models
        self.load_delay = load_delay
        self._loads: list[str] = []  # every load, in order
        self._gpu = threading.Condition(self._lock)
        self._line: deque[object] = deque()  # requests waiting to be admitted, first come first
        self._busy: dict[str, int] = {}  # model -> requests admitted and not yet finished
        self._ready: dict[str, threading.Event] = {}  # model -> set once its load is done
        self._used: dict[str, float] = {}  # model -> when a request last finished (eviction)
        self._expires: dict[str, datetime] = {}  # model -> when keep_alive would unload it
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOllama:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- bookkeeping ------------------------------------------------------------------------

    def record(self, method: str, path: str, body: dict) -> None:
        with self._lock:
            self.requests.append({"method": method, "path": path, "body": body, "at": time.time()})

    def show_requests(self, name: str | None = None) -> int:
        """How many /api/show requests came (for `name` only, when given)."""
        with self._lock:
            return sum(1 for r in self.requests if r["path"].endswith("/api/show") and (
                name is None or (r["body"].get("model") or r["body"].get("name")) == name))

    def chat_requests(self) -> list[dict]:
        with self._lock:
            return [r["body"] for r in self.requests if r["path"] == "/api/chat"]

    def load(self, name: str, keep_alive) -> None:
        """A chat loads its model, which /api/ps then lists, as Ollama keeps it for
        `keep_alive` (a zero keep-alive unloads it; expiry is not modelled). In memory it takes
        more than on disk: the context's cache comes on top."""
        with self._lock:
            if _keep_alive_s(keep_alive) == 0:
                self.loaded.pop(name, None)
            else:
                if name not in self.loaded:
                    self._loads.append(name)
                self.loaded[name] = self.models[name].size + KV_CACHE_BYTES

    def loads(self) -> list[str]:
        """The models loaded so far, in load order (a model loaded twice is listed twice)."""
        with self._lock:
            return list(self._loads)

    def acquire(self, name: str, gone) -> float | None:
        """Admit a chat with `gpu_models` set: seconds waited (in line, for the GPU, for the
        load), or None if `gone()` says the client left while it waited in line. As Ollama's
        scheduler does, the request at the head of the line is served before any behind it, so a
        model waiting to load is not starved by requests for the loaded one."""
        began = time.monotonic()
        turn = object()
        loading = False  # whether this request is the one that loads the model
        with self._gpu:
            self._line.append(turn)
            while True:
                if self._line[0] is turn:
                    if name in self.loaded:
                        break  # loaded, or loading for an earlier request: share it
                    if len(self.loaded) < self.gpu_models:
                        self._loads.append(name)
                        self.loaded[name] = self.models[name].size + KV_CACHE_BYTES
                        self._ready[name] = threading.Event()
                        loading = True
                        break
                    idle = [m for m in self.loaded if not self._busy.get(m)]
                    if idle:  # evict the one used longest ago, then look again
                        self._evict(min(idle, key=lambda m: self._used.get(m, 0.0)))
                        continue
                if gone():
                    self._line.remove(turn)
                    self._gpu.notify_all()
                    return None
                self._gpu.wait(0.02)
            self._line.popleft()
            self._busy[name] = self._busy.get(name, 0) + 1
            ready = self._ready[name]
            self._gpu.notify_all()
        if loading:  # this request loads the model: the load goes on even if the client leaves
            time.sleep(self.load_delay)
            ready.set()
        ready.wait()
        return time.monotonic() - began

    def release(self, name: str, keep_alive) -> None:
        """A chat admitted by `acquire` is done: its model may be evicted once idle (at once
        with a zero keep-alive), and /api/ps counts its expiry from now."""
        with self._gpu:
            self._busy[name] -= 1
            self._used[name] = time.monotonic()
            seconds = _keep_alive_s(keep_alive)
            self._expires[name] = datetime.now(timezone.utc) + timedelta(
                seconds=seconds if seconds >= 0 else 10 * 365 * 86400)
            if seconds == 0 and not self._busy[name]:
                self._evict(name)
            self._gpu.notify_all()

    def _evict(self, name: str) -> None:
        self.loaded.pop(name, None)
        self._ready.pop(name, None)
        self._expires.pop(name, None)

    def stream_started(self, name: str) -> None:
        with self._lock:
            self._active += 1
            self.max_active = max(self.max_active, self._active)

    def stream_ended(self, name: str, cancelled: bool) -> None:
        with self._lock:
            self._active -= 1
            if cancelled:
                self.cancelled.append(name)

    @property
    def active_streams(self) -> int:
        with self._lock:
            return self._active

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once no stream is being generated, within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.active_streams == 0:
                return True
            time.sleep(0.02)
        return self.active_streams == 0

    # --- wire format ------------------------------------------------------------------------

    def listed_models(self) -> list[FakeModel]:
        return [m for m in self.models.values() if m.name not in self.hidden]

    def tag(self, model: FakeModel) -> dict:
        """A model's /api/tags record; with `tags_capabilities`, its capabilities too."""
        record = {
            "name": model.name,
            "model": model.name,
            **_remote(model),
            "modified_at": "2026-11-01T10:00:00.000000000Z",
            "size": model.size,
            "digest": model.digest,
            "details": {
                "parent_model": "",
                "format": "gguf",
                "family": model.family,
                "families": [model.family],
                "parameter_size": model.parameter_size,
                "quantization_level": model.quantization,
            },
        }
        if self.tags_capabilities and model.capabilities is not None:
            record["capabilities"] = model.capabilities
        return record

    def ps(self) -> list[dict]:
        """What /api/ps lists: the loaded models (a copy taken under the lock, as chats change
        them meanwhile)."""
        with self._lock:
            return [self.running(name, vram) for name, vram in self.loaded.items()
                    if name in self.models]

    def running(self, name: str, vram: int) -> dict:
        model = self.models[name]
        expires = self._expires.get(name)
        listed = {k: v for k, v in self.tag(model).items() if k != "capabilities"}
        return {**listed,
                "expires_at": expires.isoformat().replace("+00:00", "Z") if expires
                else "2026-11-01T10:05:00.000000000Z",
                "size": vram, "size_vram": vram, "context_length": 8192}

    def pieces(self, model: FakeModel, think: bool | None,
               prompt: str = "") -> list[tuple[str, str]]:
        """What the model streams for `prompt`, as (kind, text) in order."""
        answer = model.reply(prompt) if model.reply else model.answer
        content = _chars(answer, model.piece_chars) if model.piece_chars else _tokens(answer)
        if model.style == LEVELS:
            level = {"max": "high"}.get(think, think) if isinstance(think, str) else LEVEL_DEFAULT
            return [("thinking", t) for t in _tokens(level_thinking(model.thinking, level))] + \
                [("content", t) for t in content]
        if model.style == THINKING and think is not False:
            return [("thinking", t) for t in _tokens(model.thinking)] + \
                [("content", t) for t in content]
        if model.style == THINK_TAGS and (think is not False or not self.supports_think_field):
            tagged = f"<think>\n{model.thinking}\n</think>\n\n"
            # Three-character pieces split both tags across chunks.
            return [("content", t) for t in _chars(tagged, 3)] + \
                [("content", t) for t in content]
        return [("content", t) for t in content]

    def final_chunk(self, model: FakeModel, pieces: list, delay: float, load_ns: int | None,
                    message: dict) -> dict:
        """The last chunk's figures; `load_ns` None: the fixed 50 ms of a fake without a GPU."""
        count = len(pieces)
        per_token_ns = int((delay or 0.01) * 1e9)
        load_ns = 50_000_000 if load_ns is None else load_ns
        return {
            "model": model.name,
            "created_at": _now(),
            "message": message,
            "done": True,
            "done_reason": "stop",
            "total_duration": count * per_token_ns + load_ns + 10_000_000,
            "load_duration": load_ns,
            "prompt_eval_count": 26,
            "prompt_eval_duration": 10_000_000,
            "eval_count": count,
            "eval_duration": count * per_token_ns,
        }


_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


def main() -> None:
    """Run the fake server on its own: for benchmarks, demos and screenshots without Ollama."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-delay", type=float, default=0.02, help="seconds per token")
    parser.add_argument("--tokens", type=int, default=0,
                        help="answer length in tokens for models alpha:1, beta:1, ... "
                             "(0: the three default models instead)")
    parser.add_argument("--model-count", type=int, default=2,
                        help=f"how many models with --tokens (at most {len(_GREEK)})")
    parser.add_argument("--gpu-models", type=int, default=None,
                        help="models the GPU holds at once (unset: any number, loaded for free)")
    parser.add_argument("--load-delay", type=float, default=0.0,
                        help="seconds a model takes to load, with --gpu-models")
    parser.add_argument("--labellers", action="store_true",
                        help="the default models answer the shipped classification set with "
                             "accuracies 0.9, 0.75 and 0.5 (example_labellers)")
    parser.add_argument("--judges", action="store_true",
                        help="also serve judge models: judge-always-a:1, judge-longer:1 "
                             "(thinking) and judge-malformed:1 (example_judges)")
    parser.add_argument("--vision", action="store_true",
                        help="also serve two vision models: gemma3:4b and qwen2.5vl:7b")
    parser.add_argument("--gpt-oss", action="store_true",
                        help="also serve gpt-oss:20b, whose thinking is set by level")
    args = parser.parse_args()
    models = example_labellers() if args.labellers else None
    if args.tokens:
        models = [FakeModel(f"{name}:1", answer="tok " * args.tokens)
                  for name in _GREEK[:args.model_count]]
    if args.judges:
        models = (models or default_models()) + example_judges()
    if args.vision:
        models = (models or default_models()) + [
            vision_model("gemma3:4b"),
            vision_model("qwen2.5vl:7b", family="qwen25vl", parameter_size="8.3B",
                         answer="I see a small coloured square.")]
    if args.gpt_oss:
        models = (models or default_models()) + [gpt_oss()]
    fake = FakeOllama(models, token_delay=args.token_delay, port=args.port,
                      gpu_models=args.gpu_models, load_delay=args.load_delay).start()
    print(fake.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
