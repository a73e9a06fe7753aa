"""Cloud models kept apart: the fake lists one as Ollama does, the core marks it, the draw leaves
it out until an admin includes it; capabilities are read where the server reports them, once per
digest."""

import httpx
from fake_ollama import FakeModel, FakeOllama, cloud_model, default_models

from arena.lineup import Host, catalogue, eligible_contestants, survey
from arena.model_capabilities import is_cloud, is_cloud_contestant
from arena.ollama_api import list_models, make_client
from arena.records import ArenaOptions, ModelChoice
from arena.settings import load_settings

SETTINGS = load_settings({})
REMOTE = "https://ollama.com:443"


def with_cloud() -> list[FakeModel]:
    return default_models() + [cloud_model()]


def test_the_fake_lists_a_cloud_model_as_ollama_does():
    with FakeOllama(with_cloud()) as fake:
        listed = {m["model"]: m for m in httpx.get(f"{fake.url}/api/tags").json()["models"]}
        shown = httpx.post(f"{fake.url}/api/show", json={"model": "gpt-oss:120b-cloud"}).json()
        local = httpx.post(f"{fake.url}/api/show", json={"model": "llama3.2:3b"}).json()
        fake.tags_capabilities = True
        newer = {m["model"]: m for m in httpx.get(f"{fake.url}/api/tags").json()["models"]}
    cloud = listed["gpt-oss:120b-cloud"]
    assert cloud["remote_host"] == REMOTE and cloud["remote_model"] == "gpt-oss:120b"
    assert cloud["size"] == 384 and cloud["details"]["parameter_size"] == ""
    assert "capabilities" not in cloud  # only newer servers list them
    assert "remote_host" not in listed["llama3.2:3b"]  # left out when empty, as Ollama does
    assert shown["remote_host"] == REMOTE and "thinking" in shown["capabilities"]
    assert "remote_host" not in local and "model_info" in shown
    assert newer["qwen3:8b"]["capabilities"] == ["completion", "thinking"]
    assert newer["gpt-oss:120b-cloud"]["capabilities"] == ["completion", "tools", "thinking"]


def test_the_official_client_drops_the_fields_so_the_core_reads_them_raw():
    with FakeOllama(with_cloud()) as fake:
        client = make_client(fake.url, 5)
        [dropped] = [m for m in client.list().models if m.model == "gpt-oss:120b-cloud"]
        models = {m.name: m for m in list_models(client, fake.url)}
    assert not hasattr(dropped, "remote_host")  # why arena.model_capabilities exists
    assert models["gpt-oss:120b-cloud"].remote_host == REMOTE
    assert models["gpt-oss:120b-cloud"].cloud
    assert not models["qwen3:8b"].cloud and models["qwen3:8b"].remote_host == ""


def test_cloud_by_name_or_by_remote_host():
    # A copy under a local-looking name still runs remotely; a `:cloud` tag is cloud by name.
    renamed = cloud_model("big-one:latest")
    by_name = FakeModel("glm-4.6:cloud")
    with FakeOllama([renamed, by_name, FakeModel("llama3.2:3b")]) as fake:
        models = {m.name: m for m in list_models(make_client(fake.url, 5), fake.url)}
    assert models["big-one:latest"].cloud and models["glm-4.6:cloud"].cloud
    assert not models["llama3.2:3b"].cloud
    assert is_cloud("gpt-oss:120b-cloud") and is_cloud("x:latest", REMOTE)
    assert not is_cloud("cloudy:7b") and not is_cloud("my-cloud-model:1b")


def test_capabilities_are_asked_once_per_digest():
    with FakeOllama(with_cloud()) as fake:
        client = make_client(fake.url, 5)
        list_models(client, fake.url)
        list_models(client, fake.url)
        assert fake.show_requests() == 4  # one per model, not one per listing
        fake.models["llama3.2:3b"] = FakeModel("llama3.2:3b", build="new")  # a new digest
        again = {m.name: m for m in list_models(client, fake.url)}
        assert fake.show_requests("llama3.2:3b") == 2 and fake.show_requests() == 5
    assert again["gpt-oss:120b-cloud"].cloud  # the remote host is remembered with the digest


def test_capabilities_listed_by_the_server_need_no_show():
    with FakeOllama(with_cloud()) as fake:
        fake.tags_capabilities = True
        models = {m.name: m for m in list_models(make_client(fake.url, 5), fake.url)}
        assert fake.show_requests() == 0
    assert models["qwen3:8b"].supports_thinking is True
    assert models["llama3.2:3b"].supports_thinking is False
    assert models["gpt-oss:120b-cloud"].cloud and models["gpt-oss:120b-cloud"].can_chat


def drawn_names(fake: FakeOllama, choices: dict[str, ModelChoice]) -> set[str]:
    entries = catalogue(survey([Host(fake.url)], SETTINGS))
    return {c.name for c in eligible_contestants(entries, choices, ArenaOptions(), "default")}


def test_a_cloud_model_is_left_out_of_the_draw_until_an_admin_includes_it(store):
    with FakeOllama(with_cloud()) as fake:
        assert ArenaOptions().include_new_models  # new local models take part at once
        before = drawn_names(fake, store.model_choices())
        store.set_model_choice("gpt-oss:120b-cloud", ModelChoice(included=True))
        after = drawn_names(fake, store.model_choices())
        store.set_model_choice("gpt-oss:120b-cloud", ModelChoice(included=False))
        dropped = drawn_names(fake, store.model_choices())
    assert before == {"qwen3:8b", "deepseek-r1:7b", "llama3.2:3b"}
    assert after == before | {"gpt-oss:120b-cloud"}
    assert dropped == before


def test_the_cloud_mark_of_stored_names():
    assert is_cloud_contestant("gpt-oss:120b-cloud (thinking)")
    assert is_cloud_contestant("glm-4.6:cloud")
    assert not is_cloud_contestant("qwen3:8b (no thinking)")
    assert is_cloud_contestant("big-one:latest", {"big-one:latest"})
