"""The arena as an installed package: one list of dependencies, a console script that works from
any folder, tests that import it without editing sys.path, and browser tests marked as such."""

import re
import shutil
import subprocess
import sys

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

from conftest import ROOT  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_requirements_files_install_the_package_declared_once():
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()
    assert "-e .[dev]" in (ROOT / "requirements-dev.txt").read_text().splitlines()
    names = [re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower()
             for d in PYPROJECT["project"]["dependencies"]]
    assert {"streamlit", "ollama", "pandas", "pyarrow"} <= set(names)
    assert len(names) == len(set(names))
    assert PYPROJECT["project"]["scripts"]["arena"] == "arena.cli:main"


@pytest.mark.parametrize("command", [["arena"], [sys.executable, "-m", "arena"]])
def test_the_command_line_works_from_any_folder(tmp_path, command):
    if command == ["arena"]:
        found = shutil.which("arena")
        assert found, "the console script is missing: pip install -r requirements-dev.txt"
        command = [found]
    votes = tmp_path / "votes.csv"
    votes.write_text("model_a,model_b,winner\n" + "a,b,model_a\n" * 6 + "a,b,model_b\n" * 2)
    done = subprocess.run([*command, "leaderboard", "--from", str(votes), "--format", "csv",
                           "--rounds", "50"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.startswith("rank,tier,model,rating,")
    assert [row.split(",")[2] for row in rows] == ["a", "b"]


def test_no_test_edits_sys_path():
    offenders = [path.name for path in (ROOT / "tests").glob("*.py")
                 if re.search(r"sys\.path\.(insert|append)", path.read_text(encoding="utf-8"))]
    assert offenders == []


class _Marks:
    """A pytest plugin that notes, per collected test file, whether each test is a browser test."""

    def __init__(self) -> None:
        self.by_file: dict[str, set[bool]] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            marked = item.get_closest_marker("browser") is not None
            self.by_file.setdefault(item.nodeid.split("::")[0], set()).add(marked)


def test_tests_that_drive_chromium_carry_the_browser_marker():
    browser_files = sorted(f"tests/{p.name}" for p in (ROOT / "tests").glob("test_browser*.py"))
    marks = _Marks()
    # In this process (its imports are loaded): a collection only, nothing runs.
    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                        "--rootdir", str(ROOT),
                        *(str(ROOT / f) for f in [*browser_files, "tests/test_gate.py"])],
                       plugins=[marks])
    assert code == 0
    assert {f: marks.by_file[f] for f in browser_files} == {f: {True} for f in browser_files}
    # test_gate.py has browser tests beside the rules they check (they ask for `page`), and
    # AppTest tests that are not.
    assert marks.by_file["tests/test_gate.py"] == {True, False}
