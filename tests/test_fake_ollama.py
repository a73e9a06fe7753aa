"""The fake Ollama as a GPU that holds one model at a time (`gpu_models=1`), through the official
`ollama` client over HTTP: what the generator's order and the generation benchmark rely on."""

import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import httpx
import ollama
import pytest
from fake_ollama import FakeModel, FakeOllama, example_labellers, labeller

MESSAGES = [{"role": "user", "content": "Capital of France?"}]
LOAD_DELAY = 0.5


def models(long_a: bool = False) -> list[FakeModel]:
    """Three models; with `long_a`, a:1 streams for about 2.4 s, long enough for a test to send
    other chats while it generates."""
    return [FakeModel("a:1", answer="tok " * 80, token_delay=0.03) if long_a
            else FakeModel("a:1", answer="tok " * 20)] + \
        [FakeModel(name, answer="tok " * 20) for name in ("b:1", "c:1")]


def chat(client: ollama.Client, model: str):
    """The final chunk of a streamed answer."""
    return [chunk for chunk in client.chat(model=model, messages=MESSAGES, stream=True)][-1]


def seconds(ns: int) -> float:
    return ns / 1e9


def wait_for_request(fake: FakeOllama, count: int) -> None:
    """Until the fake has received `count` chats (it records each as it arrives)."""
    deadline = threading.Event()
    for _ in range(500):
        if len(fake.chat_requests()) >= count:
            return
        deadline.wait(0.01)
    raise AssertionError(f"fewer than {count} chats arrived")


LABELS = ["positive", "negative", "neutral"]


def test_a_model_is_loaded_once_and_then_answers_without_a_load():
    with FakeOllama(models(), gpu_models=1, load_delay=LOAD_DELAY) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        cold, hot = chat(client, "a:1"), chat(client, "a:1")
        assert fake.loads() == ["a:1"]
        assert seconds(cold.load_duration) >= LOAD_DELAY  # the load is in the figure
        assert seconds(hot.load_duration) < LOAD_DELAY  # the loaded model pays nothing
        assert cold.total_duration >= cold.load_duration + cold.eval_duration
        # Not streamed: the same GPU.
        other = client.chat(model="b:1", messages=MESSAGES, stream=False)
        assert seconds(other.load_duration) >= LOAD_DELAY
        chat(client, "a:1")
        assert fake.loads() == ["a:1", "b:1", "a:1"]


def test_ps_lists_only_the_model_on_the_gpu():
    with FakeOllama(models(), gpu_models=1, load_delay=0.0) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        for name in ("a:1", "b:1", "c:1"):
            chat(client, name)
        [running] = client.ps().models
        assert running.model == "c:1"
        assert running.size_vram == fake.models["c:1"].size + 1_000_000_000
        assert running.expires_at > datetime.now(timezone.utc)  # five minutes by default
        assert fake.loads() == ["a:1", "b:1", "c:1"]


def test_a_second_model_waits_for_the_running_stream_then_evicts_and_loads():
    with FakeOllama(models(long_a=True), gpu_models=1, load_delay=LOAD_DELAY) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        stream = client.chat(model="a:1", messages=MESSAGES, stream=True)
        next(stream)  # a:1 is loaded and generating
        answers = {}
        waiter = threading.Thread(target=lambda: answers.update(b=chat(client, "b:1")))
        waiter.start()
        wait_for_request(fake, 2)
        # While a:1 is generating, b:1 cannot have started: it waits, a:1 stays on the GPU.
        assert fake.active_streams == 1 and waiter.is_alive()
        assert fake.loads() == ["a:1"]
        assert [m.model for m in client.ps().models] == ["a:1"]
        last = list(stream)[-1]
        assert last.done
        waiter.join(30)
        assert fake.loads() == ["a:1", "b:1"]
        assert seconds(answers["b"].load_duration) >= LOAD_DELAY
        assert [m.model for m in client.ps().models] == ["b:1"]


def test_requests_are_served_in_arrival_order():
    """A chat for the loaded model that arrives after one waiting for another model waits its
    turn, as in Ollama's scheduler: live battles between two models that do not fit together
    pay a load on every side."""
    with FakeOllama(models(long_a=True), gpu_models=1, load_delay=0.1) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        stream = client.chat(model="a:1", messages=MESSAGES, stream=True)
        next(stream)
        threads = []
        for count, name in ((2, "b:1"), (3, "a:1")):
            threads.append(threading.Thread(target=chat, args=(client, name)))
            threads[-1].start()
            wait_for_request(fake, count)
        list(stream)
        for thread in threads:
            thread.join(30)
        assert fake.loads() == ["a:1", "b:1", "a:1"]


def test_a_client_that_gives_up_waiting_leaves_the_line():
    with FakeOllama(models(long_a=True), gpu_models=1, load_delay=0.1) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        stream = client.chat(model="a:1", messages=MESSAGES, stream=True)
        next(stream)
        impatient = httpx.Client(timeout=0.3)
        with pytest.raises(httpx.ReadTimeout):
            impatient.post(f"{fake.url}/api/chat", json={"model": "b:1", "messages": MESSAGES})
        impatient.close()  # the connection closes, as a client that gives up closes it
        list(stream)
        chat(client, "a:1")  # not stuck behind the request that left
        assert fake.loads() == ["a:1"]


def test_a_zero_keep_alive_unloads_after_the_answer():
    with FakeOllama(models(), gpu_models=1) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        client.chat(model="a:1", messages=MESSAGES, keep_alive=0)
        assert client.ps().models == []


def test_without_a_gpu_models_load_side_by_side_as_before():
    with FakeOllama(models()) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        first, second = chat(client, "a:1"), chat(client, "b:1")
        assert sorted(m.model for m in client.ps().models) == ["a:1", "b:1"]
        assert first.load_duration == second.load_duration == 50_000_000
        assert fake.loads() == ["a:1", "b:1"]


def test_the_command_line_runs_a_one_model_gpu_with_its_loads_readable():
    fake = Path(__file__).with_name("fake_ollama.py")
    process = subprocess.Popen(
        [sys.executable, str(fake), "--tokens", "3", "--model-count", "4", "--gpu-models", "1",
         "--load-delay", "0.1"], stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        client = ollama.Client(host=url, timeout=30)
        assert sorted(m.model for m in client.list().models) == \
            ["alpha:1", "beta:1", "delta:1", "gamma:1"]
        for name in ("alpha:1", "beta:1", "alpha:1"):
            chat(client, name)
        assert httpx.get(f"{url}/fake/loads").json() == {"loads": ["alpha:1", "beta:1", "alpha:1"]}
    finally:
        process.terminate()
        process.wait(10)


def test_a_labeller_answers_each_prompt_by_its_rule_over_http():
    expected = {"Review: great!": "positive", "Review: awful.": "negative"}
    always = FakeModel("sure:1", reply=labeller("sure:1", expected, LABELS, accuracy=1.0))
    never = FakeModel("wrong:1", reply=labeller("wrong:1", expected, LABELS, accuracy=0.0))
    with FakeOllama([always, never]) as fake:
        client = ollama.Client(host=fake.url)

        def answer(model: str, prompt: str) -> str:
            messages = [{"role": "system", "content": "Label it."},
                        {"role": "user", "content": prompt}]
            return client.chat(model=model, messages=messages).message.content

        assert answer("sure:1", "Review: great!").startswith("positive")
        assert answer("sure:1", "Review: awful.").startswith("negative")
        assert answer("wrong:1", "Review: great!").startswith("negative")  # the next label
        assert answer("sure:1", "Something else") == "I am not sure."
        streamed = "".join(c.message.content for c in client.chat(
            model="sure:1", messages=[{"role": "user", "content": "Review: awful."}],
            stream=True))
        assert streamed.startswith("negative")


def test_the_example_labellers_have_the_accuracies_they_are_given():
    from arena.files.set_file import read_set_file
    from arena.prompt_sets import example_file

    with example_file("classification") as path:
        items = read_set_file(path)
    for model, accuracy in zip(example_labellers((1.0, 0.5, 0.0)), (1.0, 0.5, 0.0)):
        right = sum(model.reply(i.prompt).startswith(i.expected) for i in items)
        if accuracy in (0.0, 1.0):
            assert right == accuracy * len(items)
        else:
            assert 0 < right < len(items)
