import random
import threading
import time

import pytest
from fake_ollama import PLAIN, THINKING, FakeModel, FakeOllama

from arena.battle import PromptRejected, messages_for, new_battle, validate_prompt
from arena.engine import BattleRun
from arena.ollama_api import ModelInfo, list_models, make_client
from arena.pairing import NotEnoughModels, draw_pair
from arena.records import Side
from arena.settings import load_settings


def info(name, caps=("completion",)):
    return ModelInfo(name, "d" + name, 1, "f", "1B", "Q4", caps)


def start(fake, names=None, think="default", prompt="Capital of France?", system="Be brief.",
          read_timeout=5.0, sequential=False, stall_timeout=None):
    models = {m.name: m for m in list_models(make_client(fake.url, 5), fake.url)}
    sides = tuple(Side(models[n].name, models[n].digest, fake.url, think)
                  for n in (names or list(models)[:2]))
    battle = new_battle("general", prompt, system, sides, load_settings({}))
    return BattleRun(battle, lambda host, transport: make_client(host, read_timeout, 5, transport),
                     sequential=sequential, stall_timeout=stall_timeout).start()


def test_validate_prompt():
    with pytest.raises(PromptRejected) as rejected:
        validate_prompt("  \n ", 100)
    assert rejected.value.reason == "empty"
    with pytest.raises(PromptRejected) as rejected:
        validate_prompt("x" * 101, 100)
    assert (rejected.value.reason, rejected.value.limit) == ("too_long", 100)
    assert validate_prompt("x" * 100, 100) == "x" * 100


def test_draw_pair_gives_two_different_models_in_random_order():
    models = [info("a"), info("b"), info("c")]
    rng = random.Random(1)
    pairs = [draw_pair(models, rng) for _ in range(300)]
    assert all(a.name != b.name for a, b in pairs)
    lefts = {a.name for a, _ in pairs}
    assert lefts == {"a", "b", "c"}
    assert sum(1 for a, b in pairs if (a.name, b.name) == ("a", "b")) > 20
    assert sum(1 for a, b in pairs if (a.name, b.name) == ("b", "a")) > 20
    with pytest.raises(NotEnoughModels):
        draw_pair([info("a")])


def test_both_sides_get_the_same_messages_and_options(fake_ollama):
    run = start(fake_ollama, think="off")
    assert run.wait(10)
    battle = run.result()
    assert battle.status == "complete"
    first, second = fake_ollama.chat_requests()
    assert {first["model"], second["model"]} == {battle.side_a.model, battle.side_b.model}
    for key in ("messages", "options", "think", "keep_alive"):
        assert first.get(key) == second.get(key), key
    assert first["messages"] == messages_for(battle)
    assert first["messages"][0] == {"role": "system", "content": "Be brief."}
    assert first["options"] == battle.options
    assert set(battle.options) == {"temperature", "seed", "num_ctx", "num_predict"}


def test_both_sides_generate_at_the_same_time():
    models = [FakeModel("a:1", answer="tok " * 40), FakeModel("b:1", answer="tok " * 40)]
    with FakeOllama(models, token_delay=0.02) as fake:
        run = start(fake)
        assert run.wait(10)
        # Both streams were open on the server at once (the wall-time ratio is a benchmark).
        assert fake.max_active == 2
    battle = run.result()
    assert battle.side_a.answer == battle.side_b.answer == "tok " * 40


def test_sequential_runs_one_side_after_the_other():
    models = [FakeModel("a:1", answer="tok " * 20), FakeModel("b:1", answer="tok " * 20)]
    with FakeOllama(models, token_delay=0.02) as fake:
        run = start(fake, names=["a:1", "b:1"], sequential=True)
        phases = set()
        while not run.finished:
            run.poll(0.01)
            phases.add((run.phase("a"), run.phase("b")))
        # (The fake's own count of open streams lags the client by a moment, so the check is
        # on when each side asked.)
        starts = [r["at"] for r in fake.requests if r["path"] == "/api/chat"]
    assert ("streaming", "waiting") in phases or ("loading", "waiting") in phases
    assert run.result().status == "complete"
    assert starts[1] - starts[0] >= 20 * 0.02 * 0.9  # b asked only once a had answered


def test_stopping_a_sequential_battle_before_its_second_side_starts():
    models = [FakeModel("a:1", answer="tok " * 200), FakeModel("b:1")]
    with FakeOllama(models, token_delay=0.02) as fake:
        run = start(fake, names=["a:1", "b:1"], sequential=True)
        run.poll(0.2)
        run.stop()
        assert fake.wait_idle()
        assert len(fake.chat_requests()) == 1  # b never asked
    result = run.result()
    assert result.status == "failed"
    assert result.side_b.error_kind == "stopped"


def test_figures_are_collected(fake_ollama):
    run = start(fake_ollama, names=["qwen3:8b", "llama3.2:3b"])
    assert run.wait(10)
    battle = run.result()
    for side in battle.sides.values():
        assert side.ttft_s is not None and side.total_s >= side.ttft_s
        assert side.load_s == pytest.approx(0.05)
        assert side.output_tokens > 0 and side.tokens_per_s > 0
        assert side.done_reason == "stop"
    assert battle.side_a.thinking == fake_ollama.models["qwen3:8b"].thinking


@pytest.mark.parametrize("fail, kind", [("not_found", "model_not_found"), ("busy", "busy"),
                                        ("error_line", "stream_error"),
                                        ("drop", "connection_lost"), ("stall", "timeout")])
def test_one_side_failing_keeps_the_other_answer(fail, kind):
    models = [FakeModel("good:1", answer="A fine answer."),
              FakeModel("bad:1", fail=fail, stall_s=2)]
    with FakeOllama(models) as fake:
        run = start(fake, names=["good:1", "bad:1"], read_timeout=0.5)
        assert run.wait(10)
        battle = run.result()
    assert battle.status == "failed"
    assert battle.side_a.answer == "A fine answer." and not battle.side_a.failed
    assert battle.side_b.error_kind == kind
    assert "b: " + kind in battle.failure_reason


def test_a_stall_after_the_answer_started_fails_after_the_stall_timeout():
    # The read timeout (meant for loading a model) is long; the stall timeout, once tokens
    # flow, is short: the stalled side fails after it, not after the read timeout.
    models = [FakeModel("good:1", answer="A fine answer."),
              FakeModel("stuck:1", answer="word " * 20, fail="stall", stall_s=30)]
    with FakeOllama(models) as fake:
        began = time.monotonic()
        run = start(fake, names=["good:1", "stuck:1"], read_timeout=60, stall_timeout=1)
        assert run.wait(15)
        took = time.monotonic() - began
        battle = run.result()
        assert fake.wait_idle(5)  # the stalled request was cut off, not left hanging
    assert took < 10
    assert battle.side_b.error_kind == "stalled" and battle.side_b.answer.startswith("word")
    assert battle.side_a.answer == "A fine answer." and not battle.side_a.failed
    assert "b: stalled" in battle.failure_reason


def test_a_slow_load_is_not_a_stall():
    # Silence before the first token is loading: only the read timeout applies to it.
    models = [FakeModel("cold:1", answer="Loaded at last.", load_s=2.5),
              FakeModel("warm:1", answer="Ready.")]
    with FakeOllama(models) as fake:
        run = start(fake, names=["cold:1", "warm:1"], read_timeout=60, stall_timeout=1)
        assert run.wait(15)
        battle = run.result()
    assert battle.status == "complete" and battle.side_a.answer == "Loaded at last."


def test_thinking_is_counted_as_it_comes(fake_ollama):
    run = start(fake_ollama, names=["qwen3:8b", "llama3.2:3b"])
    assert run.wait(10)
    thought = fake_ollama.models["qwen3:8b"].thinking
    assert run.thinking_tokens("a") == len(thought.split())
    assert run.thinking_tokens("b") == 0


def test_thinking_on_for_a_model_without_thinking(fake_ollama):
    run = start(fake_ollama, names=["qwen3:8b", "llama3.2:3b"], think="on")
    assert run.wait(10)
    battle = run.result()
    assert battle.side_b.error_kind == "thinking_unsupported"
    assert battle.side_a.thinking and battle.status == "failed"


def test_stop_ends_generation_on_the_server():
    models = [FakeModel("a:1", answer="word " * 1000, style=THINKING),
              FakeModel("b:1", answer="word " * 1000, style=PLAIN)]
    with FakeOllama(models, token_delay=0.01) as fake:
        run = start(fake)
        run.poll(0.3)
        assert fake.active_streams == 2
        run.stop()
        assert fake.wait_idle(3)
        assert sorted(fake.cancelled) == ["a:1", "b:1"]
        battle = run.result()
    assert battle.status == "failed"
    assert {s.error_kind for s in battle.sides.values()} == {"stopped"}


def test_stop_while_a_model_is_still_loading():
    models = [FakeModel("loading:1", load_s=30), FakeModel("ready:1", answer="word " * 1000)]
    with FakeOllama(models, token_delay=0.01) as fake:
        run = start(fake, names=["loading:1", "ready:1"], read_timeout=60)
        run.poll(0.3)
        assert fake.active_streams == 2
        run.stop(grace_s=0.3)
        assert run.finished  # the side blocked waiting for the load was cut off, not left behind
        assert fake.wait_idle(3)
        assert sorted(fake.cancelled) == ["loading:1", "ready:1"]
    assert {s.error_kind for s in run.result().sides.values()} == {"stopped"}


def test_settle_from_two_threads_saves_once_and_agrees():
    models = [FakeModel("a:1", answer="word " * 300), FakeModel("b:1", answer="word " * 300)]
    saved = []
    with FakeOllama(models, token_delay=0.005) as fake:
        run = start(fake)
        run.poll(0.2)
        barrier = threading.Barrier(3)
        results = []

        def settle():
            barrier.wait()
            results.append(run.settle(saved.append))

        threads = [threading.Thread(target=settle) for _ in range(3)]
        for t in threads:
            t.start()
        # Meanwhile the interrupted script thread keeps polling, as Streamlit allows.
        while any(t.is_alive() for t in threads):
            run.poll(0.01)
        for t in threads:
            t.join()
        assert fake.wait_idle(3)
    assert len(saved) == 1
    assert all(r is saved[0] for r in results)
    snapshot = (saved[0].side_a.answer, saved[0].side_b.answer, saved[0].status)
    assert not run.poll(0.1)  # nothing changes the stored battle after it is settled
    assert (saved[0].side_a.answer, saved[0].side_b.answer, saved[0].status) == snapshot
