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


def _client_parse_host():
    """The official client's own reading of a host (what `ollama.Client(host=...)` connects to)."""
    import sys

    import ollama  # noqa: F401 - loads ollama._client, which the package shadows by a name

    return sys.modules["ollama._client"]._parse_host


# What people type, each read exactly as the official `ollama` client reads it: its own
# examples, and the forms issue 10 found refused or misread.
AS_THE_CLIENT_READS = [
    "1.2.3.4", ":56789", "1.2.3.4:56789", "http://1.2.3.4", "https://1.2.3.4",
    "https://1.2.3.4:56789", "example.com", "example.com:56789", "http://example.com",
    "https://example.com", "https://example.com:56789", "example.com/", "example.com:56789/",
    "example.com/path", "example.com:56789/path", "https://example.com:56789/path",
    "example.com:56789/path/", "[0001:002:003:0004::1]", "[0001:002:003:0004::1]:56789",
    "http://[0001:002:003:0004::1]", "https://[0001:002:003:0004::1]",
    "https://[0001:002:003:0004::1]:56789", "[0001:002:003:0004::1]/",
    "[0001:002:003:0004::1]/path", "https://[0001:002:003:0004::1]:56789/path",
    "[::1]", "[::1]:11500", "http://[::1]:11434", "https://ollama.example/",
    "http://gpu/ollama", "http://gpu:8080/ollama/", "https://proxy.lan/a/b", "GPU-Box:11500",
    "http://10.1.2.3:11434", "localhost", "  http://gpu1  ",
]


@pytest.mark.parametrize("typed", AS_THE_CLIENT_READS)
def test_hosts_are_read_as_the_ollama_client_reads_them(typed):
    assert normalise_host(typed) == _client_parse_host()(typed.strip())


@pytest.mark.parametrize("typed, url", [
    # A listen address means this machine (the client would dial 0.0.0.0 as it is).
    ("0.0.0.0", "http://127.0.0.1:11434"),
    ("0.0.0.0:8080", "http://127.0.0.1:8080"),
    ("http://0.0.0.0/ollama", "http://127.0.0.1:80/ollama"),
    ("[::]:11434", "http://[::1]:11434"),
    # The scheme's case does not matter (the client gives HTTP:// port 11434 and keeps "HTTP").
    ("HTTP://gpu", "http://gpu:80"),
    ("Https://gpu:8443/ollama", "https://gpu:8443/ollama"),
])
def test_where_the_arena_reads_a_host_differently_on_purpose(typed, url):
    assert normalise_host(typed) == url


@pytest.mark.parametrize("typed", ["ftp://box:21", "http://", "https:///", "gpu:abc",
                                   "gpu:99999", "gpu box", "http://gpu\n:11434", ""])
def test_hosts_no_client_can_use_are_refused(typed):
    with pytest.raises(SettingsError, match="OLLAMA_HOST"):
        normalise_host(typed)


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
    s = load_settings({"OLLAMA_HOST": "gpu1", "ARENA_OLLAMA_HOSTS": " gpu2:11500 ,,http://gpu1:11434 "})
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


def test_how_long_a_write_waits_for_a_busy_database():
    assert load_settings({}).db_busy_timeout_s == 30
    assert load_settings({"ARENA_DB_BUSY_TIMEOUT_S": "2.5"}).db_busy_timeout_s == 2.5
    with pytest.raises(SettingsError, match="ARENA_DB_BUSY_TIMEOUT_S"):
        load_settings({"ARENA_DB_BUSY_TIMEOUT_S": "0"})


def test_how_long_an_unvoted_battle_stays_hidden():
    assert load_settings({}).unvoted_hidden_s == 3600
    assert load_settings({"ARENA_UNVOTED_HIDDEN_S": "600"}).unvoted_hidden_s == 600
    with pytest.raises(SettingsError, match="ARENA_UNVOTED_HIDDEN_S"):
        load_settings({"ARENA_UNVOTED_HIDDEN_S": "0"})


def test_the_upload_cap_is_the_import_limit():
    """Streamlit's upload cap and the import limit say the same: an admin can upload whatever
    an import would read, and nothing larger reaches the server's memory."""
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later

    config = tomllib.loads(Path(".streamlit/config.toml").read_text())
    assert config["server"]["maxUploadSize"] == load_settings({}).imports.max_mb
