"""The Ollama layer against the fake server: the real client over real HTTP."""

import httpx
import pytest
from fake_ollama import PLAIN, THINK_TAGS, THINKING, FakeModel, FakeOllama

from arena.ollama_api import (
    OllamaUnavailable,
    classify_error,
    list_models,
    make_client,
    server_version,
    stream_chat,
)

MESSAGES = [{"role": "user", "content": "Capital of France?"}]


def collect(client, model, think=None):
    events = list(stream_chat(client, model, MESSAGES, think, {"seed": 1}))
    thinking = "".join(p for k, p in events if k == "thinking")
    content = "".join(p for k, p in events if k == "content")
    return thinking, content, events[-1]


def failure_of(client, model, think=None):
    with pytest.raises(Exception) as raised:
        collect(client, model, think)
    return classify_error(raised.value)[0]


def test_list_models_with_details_and_capabilities(fake_ollama):
    client = make_client(fake_ollama.url, 5)
    models = {m.name: m for m in list_models(client, fake_ollama.url)}
    assert set(models) == {"qwen3:8b", "deepseek-r1:7b", "llama3.2:3b"}
    qwen = models["qwen3:8b"]
    assert qwen.family == "qwen3" and qwen.quantization == "Q4_K_M" and len(qwen.digest) == 64
    assert qwen.supports_thinking is True
    assert models["llama3.2:3b"].supports_thinking is False


def test_capabilities_unknown_on_old_servers():
    with FakeOllama() as fake:
        fake.legacy_show = True
        models = list_models(make_client(fake.url, 5), fake.url)
    assert all(m.capabilities is None and m.can_chat for m in models)
    assert all(m.supports_thinking is None for m in models)


def test_embedding_models_cannot_chat():
    embed = FakeModel("nomic-embed-text:latest", capabilities=["embedding"])
    with FakeOllama([embed]) as fake:
        [model] = list_models(make_client(fake.url, 5), fake.url)
    assert not model.can_chat


def test_version(fake_ollama):
    assert server_version(fake_ollama.url) == "0.12.6"


def test_unreachable_host(closed_port_url):
    with pytest.raises(OllamaUnavailable) as raised:
        list_models(make_client(closed_port_url, 5), closed_port_url)
    assert closed_port_url in str(raised.value)
    with pytest.raises(OllamaUnavailable):
        server_version(closed_port_url)
    assert failure_of(make_client(closed_port_url, 5), "qwen3:8b") == "unreachable"


def test_thinking_field_is_separated(fake_ollama):
    thinking, content, (kind, final) = collect(make_client(fake_ollama.url, 5), "qwen3:8b")
    assert thinking == fake_ollama.models["qwen3:8b"].thinking
    assert content == fake_ollama.models["qwen3:8b"].answer
    assert kind == "done" and final.done_reason == "stop"


def test_think_tags_in_content_are_separated(fake_ollama):
    thinking, content, _ = collect(make_client(fake_ollama.url, 5), "deepseek-r1:7b")
    assert thinking.strip() == fake_ollama.models["deepseek-r1:7b"].thinking
    assert content == fake_ollama.models["deepseek-r1:7b"].answer
    assert "<think>" not in content and "think>" not in thinking


def test_think_false_turns_thinking_off(fake_ollama):
    thinking, content, _ = collect(make_client(fake_ollama.url, 5), "qwen3:8b", think=False)
    assert thinking == "" and content == fake_ollama.models["qwen3:8b"].answer
    assert fake_ollama.chat_requests()[-1]["think"] is False


def test_a_chunk_with_both_thinking_and_content():
    with FakeOllama([FakeModel("mixed:1", style=THINKING)]) as fake:
        fake.pieces = lambda model, think, prompt="": [("thinking", "hm"), ("both", ("m!", "yes"))]
        thinking, content, _ = collect(make_client(fake.url, 5), "mixed:1")
    assert thinking == "hmm!" and content == "yes"


def test_timings_from_the_final_chunk(fake_ollama):
    _, _, (_, final) = collect(make_client(fake_ollama.url, 5), "llama3.2:3b")
    assert final.load_s == pytest.approx(0.05)
    assert final.prompt_tokens == 26
    assert final.output_tokens == 4
    assert final.tokens_per_s == pytest.approx(100.0)


@pytest.mark.parametrize(
    "fail, kind",
    [("not_found", "model_not_found"), ("busy", "busy"), ("error_line", "stream_error"),
     ("drop", "connection_lost")],
)
def test_failures_are_classified(fail, kind):
    with FakeOllama([FakeModel("m:1", fail=fail)]) as fake:
        assert failure_of(make_client(fake.url, 5), "m:1") == kind


def test_missing_model(fake_ollama):
    assert failure_of(make_client(fake_ollama.url, 5), "nope:1b") == "model_not_found"


def test_thinking_not_supported(fake_ollama):
    assert failure_of(make_client(fake_ollama.url, 5), "llama3.2:3b", think=True) == \
        "thinking_unsupported"


def test_silence_longer_than_the_read_timeout():
    with FakeOllama([FakeModel("slow:1", fail="stall", stall_s=3)]) as fake:
        assert failure_of(make_client(fake.url, read_timeout=0.5), "slow:1") == "timeout"


def test_old_server_ignores_think_and_sends_tags():
    model = FakeModel("qwen3:8b", style=THINK_TAGS, answer="Paris.", thinking="easy")
    with FakeOllama([model], version="0.6.8") as fake:
        fake.supports_think_field = False
        thinking, content, _ = collect(make_client(fake.url, 5), "qwen3:8b", think=False)
    assert (thinking.strip(), content) == ("easy", "Paris.")


def test_closing_the_stream_cancels_generation_on_the_server():
    with FakeOllama([FakeModel("long:1", answer="word " * 500, style=PLAIN)],
                    token_delay=0.01) as fake:
        stream = stream_chat(make_client(fake.url, 5), "long:1", MESSAGES, None, {})
        next(stream)
        assert fake.active_streams == 1
        stream.close()
        assert fake.wait_idle(3)
        assert fake.cancelled == ["long:1"]


def test_connect_timeout_means_unreachable_not_slow():
    assert classify_error(httpx.ConnectTimeout("timed out"))[0] == "unreachable"
    assert classify_error(httpx.ReadTimeout("timed out"))[0] == "timeout"


def test_a_failed_show_is_asked_again_next_time():
    with FakeOllama([FakeModel("a:1", capabilities=["completion", "thinking"])]) as fake:
        client = make_client(fake.url, 5)
        fake.show_fails = True
        assert list_models(client, fake.url)[0].capabilities is None
        fake.show_fails = False
        assert list_models(client, fake.url)[0].supports_thinking is True
