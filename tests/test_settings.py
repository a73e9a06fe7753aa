from pathlib import Path

import pytest

from arena.settings import SettingsError, load_settings, normalise_host


def test_defaults():
    s = load_settings({})
    assert s.db_path == Path("data/arena.db")
    assert s.ollama_host == "http://127.0.0.1:11434"
    assert s.max_prompt_chars == 30_000
    assert s.ollama_read_timeout >= 60  # must cover model load time
    assert s.ollama_stall_timeout == 60  # once tokens flow, a much shorter silence is a stall


def test_environment_overrides():
    s = load_settings({
        "ARENA_DB": "elsewhere/x.db", "OLLAMA_HOST": "gpu-box:11500", "ARENA_OLLAMA_TIMEOUT": "2.5",
        "ARENA_MAX_PROMPT_CHARS": "100", "ARENA_TEMPERATURE": "0", "ARENA_SEED": "7",
        "ARENA_NUM_CTX": "2048", "ARENA_NUM_PREDICT": "64", "ARENA_OLLAMA_STALL_TIMEOUT": "9",
    })
    assert s.ollama_stall_timeout == 9
    assert s.db_path == Path("elsewhere/x.db")
    assert s.ollama_host == "http://gpu-box:11500"
    assert s.ollama_read_timeout == 2.5
    assert s.max_prompt_chars == 100
    assert s.generation_options(seed=123) == {
        "temperature": 0.0, "seed": 7, "num_ctx": 2048, "num_predict": 64}


def test_random_seed_is_used_when_none_is_fixed():
    assert load_settings({}).generation_options(seed=99)["seed"] == 99


def test_host_forms_people_type():
    assert normalise_host("0.0.0.0") == "http://127.0.0.1:11434"
    assert normalise_host("0.0.0.0:8080") == "http://127.0.0.1:8080"
    assert normalise_host("https://ollama.example/") == "https://ollama.example:11434"
    assert normalise_host("http://10.1.2.3:11434") == "http://10.1.2.3:11434"


@pytest.mark.parametrize("name, value, message", [
    ("ARENA_OLLAMA_TIMEOUT", "abc", "ARENA_OLLAMA_TIMEOUT='abc' is not a number"),
    ("ARENA_MAX_PROMPT_CHARS", "1.5", "is not a whole number"),
    ("ARENA_NUM_PREDICT", "0", "must be at least 1"),
    ("ARENA_SEED", "x", "ARENA_SEED='x'"),
    ("ARENA_OLLAMA_TIMEOUT", "nan", "not a finite number"),
    ("OLLAMA_HOST", "http://localhost:abc", "OLLAMA_HOST='http://localhost:abc'"),
    ("OLLAMA_HOST", "ftp://box:21", "not a valid host"),
    ("ARENA_DB", ":memory:", "must be a file path"),
])
def test_bad_values_are_named(name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({name: value})


def test_more_hosts():
    s = load_settings({"OLLAMA_HOST": "gpu1", "ARENA_OLLAMA_HOSTS": " gpu2:11500 ,,http://gpu1 "})
    assert s.ollama_hosts == ("http://gpu1:11434", "http://gpu2:11500")
    assert load_settings({}).ollama_hosts == ("http://127.0.0.1:11434",)
    with pytest.raises(SettingsError, match="ARENA_OLLAMA_HOSTS='ftp://x'"):
        load_settings({"ARENA_OLLAMA_HOSTS": "ftp://x"})


def test_passcodes_and_the_battle_cap():
    s = load_settings({"ARENA_PASSCODE": "a b", "ARENA_ADMIN_PASSCODE": "c", "ARENA_MAX_BATTLES": "3"})
    assert (s.passcode, s.admin_passcode, s.max_battles) == ("a b", "c", 3)
    assert "a b" not in repr(s)  # a settings object printed anywhere does not show them
    assert load_settings({}).passcode is None and load_settings({}).max_battles == 2
    with pytest.raises(SettingsError, match="ARENA_MAX_BATTLES"):
        load_settings({"ARENA_MAX_BATTLES": "0"})


def test_how_long_an_unvoted_battle_stays_hidden():
    assert load_settings({}).unvoted_hidden_s == 3600
    assert load_settings({"ARENA_UNVOTED_HIDDEN_S": "600"}).unvoted_hidden_s == 600
    with pytest.raises(SettingsError, match="ARENA_UNVOTED_HIDDEN_S"):
        load_settings({"ARENA_UNVOTED_HIDDEN_S": "0"})
