"""The command line as tests run it: in this process through `arena.cli.main` (as
`python -m arena` runs it), or in a process of its own where a test needs one (a file whose
reading would hang, a real `python -m arena`)."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

from conftest import ROOT

from arena.cli import main


def arena(*args: str) -> subprocess.CompletedProcess:
    """`arena *args` with its exit code and what it printed (argparse's errors exit 2)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(["arena", *args], code, out.getvalue(), err.getvalue())


def arena_process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m arena *args` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "arena", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
