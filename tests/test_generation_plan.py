"""The generation plan: each model loaded once per host, models spread over the hosts that serve
them, the same order for the same seed; and the progress record's figures."""

from collections import Counter
from dataclasses import dataclass

import pytest

from arena.generation_plan import Job, plan_generation, progress
from arena.lineup import Contestant, ModelEntry
from arena.ollama_api import ModelInfo

H1, H2, H3 = "http://gpu1:11434", "http://gpu2:11434", "http://gpu3:11434"


@dataclass(frozen=True)
class Who:
    name: str
    hosts: tuple[str, ...]


def work(contestants, items: int = 20) -> list[tuple[str, Who]]:
    return [(f"item-{i}", c) for c in contestants for i in range(items)]


def loads(jobs: tuple[Job, ...]) -> int:
    """Model switches a host makes running `jobs` in order: its loads."""
    models = [job.contestant.name.split(" (")[0] for job in jobs]
    return sum(1 for k, m in enumerate(models) if k == 0 or models[k - 1] != m)


def test_one_host_runs_every_job_once_with_one_load_per_model():
    everyone = [Who(f"m{k}:1", (H1,)) for k in range(4)]
    plan = plan_generation(work(everyone), [H1], seed=7)
    jobs = plan.by_host[H1]
    assert sorted((j.item, j.contestant.name) for j in jobs) == \
        sorted((i, c.name) for i, c in work(everyone))
    assert loads(jobs) == 4 == len(plan.models(H1))
    assert plan.total == 80 and plan.unserved == ()
    # Items in the order given, within each model.
    assert [j.item for j in jobs[:20]] == [f"item-{i}" for i in range(20)]


@pytest.mark.parametrize("models", [2, 3, 4, 5, 7])
def test_two_hosts_serving_everything_share_the_work_within_one_models_share(models):
    everyone = [Who(f"m{k}:1", (H1, H2)) for k in range(models)]
    for seed in range(10):
        plan = plan_generation(work(everyone), [H1, H2], seed=seed)
        a, b = plan.by_host[H1], plan.by_host[H2]
        assert abs(len(a) - len(b)) <= 20
        assert len(a) + len(b) == 20 * models
        assert loads(a) + loads(b) == models  # each model loaded on one host only
        for jobs in (a, b):  # one load per distinct model on each host
            assert loads(jobs) == len({j.contestant.name for j in jobs})
        assert Counter((j.item, j.contestant.name) for j in a + b) == \
            Counter((i, c.name) for i, c in work(everyone))


def test_uneven_models_are_balanced_largest_first():
    sizes = {"big:1": 30, "mid:1": 20, "small:1": 10, "tiny:1": 5}
    w = [(f"i{i}", Who(name, (H1, H2))) for name, n in sizes.items() for i in range(n)]
    plan = plan_generation(w, [H1, H2], seed=3)
    assert sorted(len(jobs) for jobs in plan.by_host.values()) == [30, 35]


def test_a_model_only_one_host_serves_goes_there():
    only_two = Who("only:1", (H2,))
    others = [Who(f"m{k}:1", (H1, H2)) for k in range(3)]
    for seed in range(10):
        plan = plan_generation(work([only_two, *others]), [H1, H2], seed=seed)
        assert "only:1" in plan.models(H2) and "only:1" not in plan.models(H1)
        # The free models even out around it: 40 answers each.
        assert [len(plan.by_host[h]) for h in (H1, H2)] == [40, 40]


def test_a_model_no_given_host_serves_is_left_out_and_said():
    gone = Who("gone:1", (H3,))
    plan = plan_generation(work([gone, Who("here:1", (H1,))], items=3), [H1, H2])
    assert [j.contestant.name for j in plan.unserved] == ["gone:1"] * 3
    assert plan.total == 3 and plan.by_host[H2] == ()


def test_the_same_seed_gives_the_same_order_whatever_the_input_order():
    everyone = [Who(f"m{k}:1", (H1, H2, H3)) for k in range(6)]
    w = work(everyone, items=5)
    first = plan_generation(w, [H1, H2, H3], seed=11)
    again = plan_generation(list(reversed(w)), [H1, H2, H3], seed=11)
    assert {h: first.models(h) for h in (H1, H2, H3)} == \
        {h: again.models(h) for h in (H1, H2, H3)}
    assert first == plan_generation(w, [H1, H2, H3], seed=11)
    orders = {tuple(plan_generation(w, [H1, H2, H3], seed=s).models(H1)) for s in range(20)}
    assert len(orders) > 1  # the seed does choose


def test_a_model_already_loaded_on_a_host_goes_first_there():
    everyone = [Who(f"m{k}:1", (H1,)) for k in range(5)]
    for seed in range(10):
        plan = plan_generation(work(everyone, 2), [H1], seed=seed, loaded={H1: ["m3:1"]})
        assert plan.models(H1)[0] == "m3:1"


def entry(name: str, hosts: tuple[str, ...], think_hosts: tuple[str, ...]) -> ModelEntry:
    info = ModelInfo(name, "d" * 64, 5_000_000_000, "qwen3", "8B", "Q4_K_M",
                     ("completion", "thinking"))
    return ModelEntry(info, hosts, think_hosts, {})


def test_the_arenas_contestants_thinking_on_and_off_share_one_load():
    qwen = entry("qwen3:8b", (H1, H2), (H1, H2))
    r1 = entry("deepseek-r1:14b", (H1, H2), (H1, H2))
    contestants = [Contestant(e, think) for e in (qwen, r1) for think in ("on", "off")]
    plan = plan_generation(work(contestants, 10), [H1, H2], seed=1)
    assert sorted(len(plan.models(h)) for h in (H1, H2)) == [1, 1]  # one model a host
    for host in (H1, H2):
        names = [j.contestant.name for j in plan.by_host[host]]
        assert len(names) == 20 and len(set(names)) == 2


def test_thinking_off_where_only_one_host_obeys_it_goes_there():
    qwen = entry("qwen3:8b", (H1, H2), (H2,))  # H1 is too old to switch thinking off
    contestants = [Contestant(qwen, "default"), Contestant(qwen, "off")]
    plan = plan_generation(work(contestants, 4), [H1, H2], seed=0)
    assert plan.models(H2) == ["qwen3:8b"] and plan.by_host[H1] == ()  # together, one load


# --- progress ---------------------------------------------------------------------------------

def test_progress_before_any_answer_has_no_estimate():
    state = progress(total=80, started=100.0, now=130.0, finished=[],
                     running=[("qwen3:8b", H1)])
    assert (state.done, state.total, state.elapsed_s, state.remaining_s) == (0, 80, 30.0, None)
    assert state.running == (("qwen3:8b", H1),)
    assert state.fraction == 0


def test_progress_projects_the_pace_so_far_and_counts_down_between_answers():
    # Ten answers in the first 50 s: 5 s an answer, 80 answers take 400 s from the start.
    finished = [100.0 + 5 * k for k in range(1, 11)]
    state = progress(total=80, started=100.0, now=150.0, finished=finished)
    assert state.done == 10 and state.remaining_s == pytest.approx(350.0)
    later = progress(total=80, started=100.0, now=153.0, finished=finished)
    assert later.remaining_s == pytest.approx(347.0)
    assert state.fraction == pytest.approx(0.125)


def test_a_resumed_run_counts_earlier_answers_but_takes_its_rate_from_this_run():
    finished = [10.0, 20.0]  # 10 s an answer in this run; 40 left to do in it
    state = progress(total=100, started=0.0, now=20.0, finished=finished, done_before=60)
    assert state.done == 62 and state.remaining_s == pytest.approx(380.0)


def test_a_finished_run_has_nothing_left():
    state = progress(total=3, started=0.0, now=9.0, finished=[2.0, 5.0, 8.0])
    assert (state.done, state.remaining_s, state.fraction) == (3, 0.0, 1.0)
    assert progress(total=0, started=0.0, now=1.0, finished=[]).fraction == 1.0
