"""What the README's quick start promises: the two one-line commands, the address, and a test
script that runs with the active virtual environment's Python."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_gives_the_commands_and_the_address():
    assert "python -m venv .venv && . .venv/bin/activate" in README
    assert "\npip install -r requirements.txt && streamlit run app.py\n" in README
    assert "\nbash scripts/test.sh\n" in README
    assert "http://localhost:8501" in README
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def _stub_python(folder: Path, name: str) -> Path:
    """A `python` that only writes down how it was called."""
    folder.mkdir(parents=True, exist_ok=True)
    stub = folder / name
    stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{folder}/calls"\n')
    stub.chmod(0o755)
    return folder / "calls"


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="would install Chromium")
@pytest.mark.parametrize("venv", [True, False])
def test_the_test_script_uses_the_active_environment(tmp_path, venv):
    bin_dir = tmp_path / "bin"
    calls = _stub_python(bin_dir, "python")
    _stub_python(bin_dir, "python3")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHON")}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    if venv:
        env["VIRTUAL_ENV"] = str(tmp_path)
    subprocess.run(["bash", str(ROOT / "scripts" / "test.sh"), "-k", "nothing"], env=env,
                   check=True, timeout=60)
    used = "python" if venv else "python3"
    assert calls.read_text().splitlines() == [
        f"{used} -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt",
        f"{used} -m ruff check .",
        f"{used} -m pytest -k nothing"]
