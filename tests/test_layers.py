"""Dependencies point one way: pages → arena.ui → the core. The core never imports Streamlit or
the UI (so every rule is testable without a server), and no module grows past about 400 lines."""

import ast
from pathlib import Path

import pytest
from conftest import ROOT

ARENA = ROOT / "arena"
CORE = sorted(p for p in ARENA.rglob("*.py") if ARENA / "ui" not in p.parents)
MAX_LINES = 400


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_core_is_found():
    assert {"round.py", "store.py", "schema.py", "engine.py"} <= {p.name for p in CORE}


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_neither_streamlit_nor_the_ui(path):
    wrong = {name for name in imported(path)
             if name.split(".")[0] == "streamlit" or name.startswith("arena.ui")}
    assert wrong == set()


def test_nothing_in_arena_imports_a_page():
    for path in ARENA.rglob("*.py"):
        assert not {n for n in imported(path) if n.split(".")[0] == "pages"}, path


def test_no_module_in_arena_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in ARENA.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
