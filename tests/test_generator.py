"""The background generator against the fake Ollama as a GPU that holds one model: one load per
model for a whole set, resumable, live battles first, failures stored and retried, several hosts,
pause, resume and stop."""

import threading
import time

from fake_ollama import FakeOllama
from generation_helpers import PROMPTS, SET, add_set, asked, gpu, lineup, models, settings, until

from arena.db import Store
from arena.generation_runs import Generators
from arena.generator import (
    FAILED,
    FINISHED,
    PAUSED,
    QUEUED,
    RUNNING,
    STOPPED,
    YIELDING,
    GenerationRun,
    item_seed,
)
from arena.ollama_api import make_client
from arena.records import STATUS_COMPLETE, STATUS_FAILED
from arena.settings import load_settings


def run(store: Store, *fakes: FakeOllama, **kwargs) -> GenerationRun:
    return GenerationRun(store, settings(*fakes), SET, lineup(*fakes), **kwargs).start()


def test_a_whole_set_loads_each_model_once_with_the_same_messages_and_options(store):
    add_set(store)
    with gpu() as fake:
        generation = run(store, fake)
        assert generation.wait(20)
        status = generation.status()
        assert status.state == FINISHED and status.problem is None and status.failed == 0
        assert (status.progress.done, status.progress.total) == (12, 12)
        assert sorted(fake.loads()) == ["alpha:1", "beta:1", "gamma:1"]  # one load each
        assert set(asked(fake).values()) == {1}
    answers = store.answers(SET)
    assert len(answers) == 12 and {a.status for a in answers} == {STATUS_COMPLETE}
    system = next(c for c in store.categories() if c.slug == "copywriting").system_prompt
    assert system and {a.system_prompt for a in answers} == {system}
    for item in store.set_items(SET):
        mine = [a for a in answers if a.item_id == item.item_id]
        assert {a.contestant for a in mine} == {"alpha:1", "beta:1", "gamma:1"}
        assert all(a.options == mine[0].options for a in mine)  # fairness
        assert mine[0].options["seed"] == item_seed(SET, item.item.key)
        assert mine[0].side.answer == "Short and sweet slogan here."
    sent = fake.chat_requests()
    assert all(r["messages"][0] == {"role": "system", "content": system} for r in sent)
    for prompt in PROMPTS:
        same = [r for r in sent if r["messages"][-1]["content"] == prompt]
        assert len({str((r["messages"], r["options"])) for r in same}) == 1


def test_a_fixed_seed_in_the_settings_is_every_answers_seed(store):
    add_set(store, PROMPTS[:2])
    with gpu("alpha:1") as fake:
        generation = GenerationRun(store, settings(fake, ARENA_SEED="7"), SET, lineup(fake))
        assert generation.start().wait(10)
    seeds = {a.options["seed"] for a in store.answers(SET)}
    expected = {load_settings({"ARENA_SEED": "7"}).generation_options(0)["seed"]}
    assert seeds == expected


def test_a_set_finished_later_keeps_the_settings_of_its_first_answers(store):
    import dataclasses

    add_set(store, PROMPTS[:2])
    with gpu("alpha:1", "beta:1") as fake:
        alpha, beta = ([c for c in lineup(fake) if c.name == name] for name in ("alpha:1",
                                                                                 "beta:1"))
        first = GenerationRun(store, settings(fake, ARENA_TEMPERATURE="0.2"), SET, alpha)
        assert first.start().wait(10)
        # Later: the category's system prompt is edited and the server runs hotter.
        [category] = [c for c in store.categories() if c.slug == "copywriting"]
        store.save_category(dataclasses.replace(category, system_prompt="Be a poet."))
        later = GenerationRun(store, settings(fake, ARENA_TEMPERATURE="1.5"), SET, alpha + beta)
        assert later.start().wait(10)
    answers = store.answers(SET)
    assert len(answers) == 4
    assert {a.options["temperature"] for a in answers} == {0.2}
    assert len({a.system_prompt for a in answers}) == 1
    assert {m["messages"][0]["content"] for m in fake.chat_requests()
            if m["messages"][0]["role"] == "system"} <= {answers[0].system_prompt}


def test_a_resumed_run_generates_nothing_stored_already(store):
    add_set(store)
    with gpu(token_delay=0.01) as fake:
        first = run(store, fake)
        until(lambda: first.status().progress.done >= 5)
        first.stop()
        assert first.wait(5) and first.status().state == STOPPED
        stored = {(a.side.model, a.item_id) for a in store.answers(SET)}
        assert 5 <= len(stored) < 12
        before = asked(fake)
        second = run(store, fake)
        assert second.wait(20) and second.status().state == FINISHED
        assert second.status().progress.done == 12
        again = asked(fake) - before
        prompts = {i.item_id: i.item.prompt for i in store.set_items(SET)}
        assert not {(m, prompts[i]) for m, i in stored} & set(again)  # none asked again
        # At most the answer in progress at the stop was asked twice.
        assert sum(n > 1 for n in asked(fake).values()) <= 1
    assert len(store.answers(SET)) == 12


def test_live_battles_go_first(store):
    add_set(store)
    busy = threading.Event()
    busy.set()
    with gpu(token_delay=0.005) as fake:
        generation = run(store, fake, live_busy=busy.is_set)
        until(lambda: generation.status().state == YIELDING)
        time.sleep(0.2)
        assert fake.chat_requests() == [] and generation.status().progress.done == 0
        busy.clear()
        until(lambda: generation.status().progress.done >= 2)
        busy.set()  # a live battle joins the queue: the answer in progress ends, no other starts
        until(lambda: generation.status().state == YIELDING)
        count = len(fake.chat_requests())
        time.sleep(0.2)
        assert len(fake.chat_requests()) == count and generation.status().state == YIELDING
        busy.clear()
        assert generation.wait(20) and generation.status().state == FINISHED


def test_failed_answers_are_stored_with_their_reason_and_retried_next_run(store):
    add_set(store)
    fake = FakeOllama(models("alpha:1") + models("broken:1", fail="error_line"),
                      gpu_models=1, load_delay=0.01)
    with fake:
        first = run(store, fake)
        assert first.wait(20)
        status = first.status()
        assert status.state == FINISHED and status.failed == 4 and status.progress.done == 8
        failed = [a for a in store.answers(SET) if a.status == STATUS_FAILED]
        assert {a.contestant for a in failed} == {"broken:1"} and len(failed) == 4
        assert all(a.failure_reason.startswith("stream_error:") for a in failed)

        # Not retried when asked not to.
        before = len(fake.chat_requests())
        assert run(store, fake, retry_failed=False).wait(10)
        assert len(fake.chat_requests()) == before

        fake.models["broken:1"].fail = None  # the model is fixed
        second = run(store, fake)
        assert second.wait(20) and second.status().failed == 0
        again = [r["model"] for r in fake.chat_requests()[before:]]
        assert again == ["broken:1"] * 4  # only the failed ones
    assert {a.status for a in store.answers(SET)} == {STATUS_COMPLETE}


def test_two_hosts_share_the_models_each_loaded_once(store):
    add_set(store)
    names = ("alpha:1", "beta:1", "gamma:1", "delta:1")
    with gpu(*names) as one, gpu(*names) as two:
        generation = run(store, one, two)
        assert generation.wait(20) and generation.status().state == FINISHED
        assert sorted(one.loads() + two.loads()) == sorted(names)
        assert one.loads() and two.loads()
    hosts = {}
    for answer in store.answers(SET):
        hosts.setdefault(answer.side.model, set()).add(answer.side.host)
    assert all(len(h) == 1 for h in hosts.values()) and len(hosts) == 4


def test_pause_lets_the_answer_in_progress_finish_and_starts_no_other(store):
    add_set(store)
    with gpu(token_delay=0.01) as fake:
        generation = run(store, fake)
        until(lambda: generation.status().progress.done >= 1)
        generation.pause()
        assert generation.status().state == PAUSED
        until(lambda: not generation.status().progress.running)
        done, count = generation.status().progress.done, len(fake.chat_requests())
        assert len(store.answers(SET)) == done  # the answer in progress was stored
        time.sleep(0.3)
        assert len(fake.chat_requests()) == count and generation.status().progress.done == done
        generation.resume()
        assert generation.status().state == RUNNING
        assert generation.wait(20) and generation.status().state == FINISHED


def test_the_clock_stands_still_while_paused(store):
    add_set(store)
    with gpu(token_delay=0.01) as fake:
        generation = run(store, fake)
        until(lambda: generation.status().progress.done >= 1)
        generation.pause()
        until(lambda: not generation.status().progress.running)
        paused = generation.status().progress
        time.sleep(0.5)
        later = generation.status().progress
        assert later.elapsed_s == paused.elapsed_s
        assert later.remaining_s == paused.remaining_s
        generation.resume()
        assert generation.wait(20)
        assert generation.status().progress.elapsed_s < time.time() - generation._started - 0.4
    assert fake.loads()


def test_progress_names_the_model_and_host_generating_now(store):
    add_set(store)
    with gpu("alpha:1", token_delay=0.02) as fake:
        generation = run(store, fake)
        until(lambda: generation.status().progress.running)
        assert generation.status().progress.running == (("alpha:1", fake.url),)
        until(lambda: generation.status().progress.remaining_s is not None)
        assert generation.wait(20)
        assert generation.status().progress.running == ()
        assert generation.status().progress.remaining_s == 0


def test_stop_cuts_off_an_answer_waiting_for_its_model_and_stores_nothing(store):
    add_set(store)
    with gpu("alpha:1", load_delay=3.0) as fake:
        generation = run(store, fake)
        until(lambda: fake.chat_requests())
        began = time.monotonic()
        generation.stop()
        assert generation.wait(0) and time.monotonic() - began < 2
        assert generation.status().state == STOPPED
        assert len(fake.chat_requests()) == 1
    assert store.answers(SET) == []


def test_an_unreachable_host_ends_the_run_with_its_reason(store):
    add_set(store)
    fake = gpu("alpha:1").start()
    contestants = lineup(fake)
    config = settings(fake)
    fake.stop()
    generation = GenerationRun(store, config, SET, contestants).start()
    assert generation.wait(10)
    status = generation.status()
    assert status.state == FAILED and "could not reach" in status.problem
    assert store.answers(SET) == []  # nothing stored: the answers are not at fault


def test_a_run_that_cannot_start_says_why(store):
    with gpu("alpha:1") as fake:
        missing = GenerationRun(store, settings(fake), "nope", lineup(fake)).start()
        assert missing.wait(5) and missing.status().state == FAILED
        assert "no prompt set named 'nope'" in missing.status().problem
        add_set(store)
        nobody = GenerationRun(store, settings(fake), SET, []).start()
        assert nobody.wait(5) and "no contestant" in nobody.status().problem
        assert nobody.status().problem_text("zh") == "没有参赛模型来回答这个集合"
    assert fake.chat_requests() == []


def test_generators_keep_one_run_per_set(store):
    add_set(store)
    generators = Generators()
    assert generators.run(SET) is None and not generators.any_going()
    with gpu("alpha:1", token_delay=0.01) as fake:
        first = generators.start(store, settings(fake), SET, lineup(fake))
        assert generators.start(store, settings(fake), SET, lineup(fake)) is first
        assert generators.run(SET) is first and generators.any_going()
        assert first.wait(20)
        assert not generators.any_going()
        second = generators.start(store, settings(fake), SET, lineup(fake))
        assert second is not first and generators.run(SET) is second
        assert second.wait(10) and second.status().progress.done == 4
        assert len(fake.chat_requests()) == 4  # the second run found nothing to do


def test_a_stalled_answer_is_stored_as_failed_and_the_next_one_gets_a_new_connection(store):
    add_set(store, PROMPTS[:2])
    fake = FakeOllama(models("stuck:1", fail="stall", stall_s=3.0) + models("zeta:1"),
                      gpu_models=1, load_delay=0.01)
    with fake:
        config = settings(fake, ARENA_OLLAMA_STALL_TIMEOUT="0.2")
        generation = GenerationRun(store, config, SET, lineup(fake)).start()
        assert generation.wait(20) and generation.status().failed == 2
    by = {a.contestant: a for a in store.answers(SET)}
    assert by["stuck:1"].failure_reason.startswith("stalled:")
    assert by["zeta:1"].status == STATUS_COMPLETE  # after the cut connection, a fresh one


def test_a_model_loaded_already_goes_first_and_is_not_loaded_again(store):
    add_set(store)
    with gpu() as fake:
        warm = "beta:1"  # last in this set's plan when nothing is loaded
        list(make_client(fake.url, 5).chat(model=warm, messages=[{"role": "user",
                                                                   "content": "hi"}], stream=True))
        assert fake.loads() == [warm]
        contestants = lineup(fake)
        assert {c.name: list(c.entry.loaded) for c in contestants}[warm] == [fake.url]
        generation = GenerationRun(store, settings(fake), SET, contestants).start()
        assert generation.wait(20)
        assert [r["model"] for r in fake.chat_requests()[1:5]] == [warm] * 4
        assert fake.loads()[0] == warm and sorted(fake.loads()) == ["alpha:1", warm, "gamma:1"]


def test_a_run_stopped_before_it_started_never_starts(store):
    add_set(store)
    with gpu("alpha:1") as fake:
        generation = GenerationRun(store, settings(fake), SET, lineup(fake))
        began = time.monotonic()
        generation.stop()
        assert generation.wait(0) and time.monotonic() - began < 1
        assert generation.start().status().state == STOPPED
        time.sleep(0.1)
        assert fake.chat_requests() == [] and store.answers(SET) == []


def test_two_sets_on_one_host_take_turns_so_each_model_still_loads_once(store):
    add_set(store)
    other = "second set"
    add_set(store, name=other)
    with gpu("alpha:1", "beta:1", token_delay=0.01) as fake:
        alpha, beta = ([c for c in lineup(fake) if c.name == name] for name in ("alpha:1",
                                                                                 "beta:1"))
        generators = Generators()
        first = generators.start(store, settings(fake), SET, alpha)
        second = generators.start(store, settings(fake), other, beta)
        until(lambda: second.status().state == QUEUED or second.ended)
        assert first.wait(20) and second.wait(20)
        assert second.status().state == FINISHED
    # Taking turns answer by answer, the two models would be swapped in for every answer.
    assert fake.loads() == ["alpha:1", "beta:1"]
