"""`python -m arena leaderboard --from FILE` starts quickly: it imports what rating a file needs
(pandas, pyarrow, the fit) and not the Ollama client, its HTTP stack, the database code, Babel or
Streamlit, which together took most of the process's time (benchmarks/arena_rank.py). The
commands that need them import them when they run (tests/test_cli.py runs those)."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from cli_helpers import arena
from conftest import ROOT
from seed import simulated_rows, write_votes

NOT_NEEDED = ["ollama", "httpx", "httpcore", "pydantic", "babel", "streamlit", "arena.db",
              "arena.generator", "arena.i18n", "arena.files.export", "arena.files.importer",
              "arena.files.set_file", "arena.set_accuracy"]

# Runs the command in a fresh interpreter, then lists the modules it imported.
PROBE = """
import json, sys
from arena.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_the_leaderboard_from_a_file_loads_no_ollama_database_or_babel(tmp_path, suffix):
    path = tmp_path / f"votes{suffix}"
    rows = simulated_rows({"a": 1100.0, "b": 1000.0, "c": 900.0}, 200, seed=3)
    write_votes(pd.DataFrame(rows, columns=["model_a", "model_b", "winner", "category"]), path)
    code, modules = imported_by("leaderboard", "--from", str(path), "--format", "json",
                                "--rounds", "20")
    assert code == 0
    assert {"pandas", "arena.ratings", "arena.files.read"} <= modules
    assert sorted(name for name in NOT_NEEDED if name in modules) == []



def test_names_checked_once_each_still_name_every_bad_row(tmp_path):
    # check_names looks at each distinct name once; every row that carries a bad one is named.
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner\n" "a,b,model_a\n" "bell\x07,b,model_a\n"
                    "a,,model_b\n" "b,bell\x07,tie\n" f"{'m' * 201},a,tie\n" "bell\x07,a,tie\n")
    done = arena("leaderboard", "--from", str(path))
    assert done.returncode == 1
    assert done.stderr.count("has a control character (U+0007)") == 3  # rows from 1, as always
    for row, column in [(2, "model_a"), (4, "model_b"), (6, "model_a")]:
        assert f"row {row}: {column} has a control character" in done.stderr
    assert "row 5: model_a is 201 characters long" in done.stderr
