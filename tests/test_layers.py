"""The three layers and their boundaries: the engine (``linreg``) never imports the dashboard,
the dashboard's model (``linreg.dashboard``) imports no Streamlit, only the page
(``linreg.page``) does; every engine module is reached from ``import linreg`` or the CLI."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "linreg"
ENGINE = sorted(p for p in PACKAGE.glob("*.py"))
DASHBOARD = sorted((PACKAGE / "dashboard").rglob("*.py"))
PAGE = sorted((PACKAGE / "page").rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code, as dotted names."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def forbidden(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in imported(path)
        if any(name == p or name.startswith(p + ".") for p in prefixes)
    )


def test_the_layers_hold_modules():
    assert {p.name for p in ENGINE} >= {"trainer.py", "history.py", "reference.py", "data.py"}
    assert {p.name for p in DASHBOARD} >= {"workbench.py", "settings.py", "texts.py", "views.py"}
    assert {p.name for p in PAGE} >= {"main.py", "session.py", "views.py"}


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name)
def test_the_engine_never_imports_the_dashboard(path):
    assert forbidden(path, ("linreg.dashboard", "linreg.page", "streamlit", "plotly")) == []


@pytest.mark.parametrize("path", DASHBOARD, ids=lambda p: p.name)
def test_the_dashboard_model_imports_no_streamlit(path):
    # nor the web server's framework: the room's stream is served by the page (linreg.page.stream)
    assert forbidden(path, ("linreg.page", "streamlit", "starlette", "uvicorn")) == []


def test_the_room_package_has_no_import_circle_and_no_reach_into_private_names():
    room = PACKAGE / "dashboard" / "room"
    modules = {p.stem: p for p in room.glob("*.py") if p.stem != "__init__"}
    prefix = "linreg.dashboard.room."
    uses = {
        name: {m[len(prefix) :].split(".")[0] for m in imported(path) if m.startswith(prefix)}
        for name, path in modules.items()
    }
    for name, path in modules.items():
        private = [m for m in imported(path) if m.startswith(prefix) and "._" in m[len(prefix) :]]
        assert private == [], f"{name} imports {private}"
    done: set[str] = set()
    while len(done) < len(uses):  # peel off the modules whose imports are all done
        ready = {n for n, used in uses.items() if n not in done and used <= done | {n}}
        assert ready, f"an import circle among {sorted(set(uses) - done)}"
        done |= ready


def test_only_the_page_imports_streamlit():
    outside = [
        path.relative_to(ROOT)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in PAGE and forbidden(path, ("streamlit",))
    ]
    assert outside == []
    assert any(forbidden(path, ("streamlit",)) for path in PAGE)


def test_the_checks_catch_a_forbidden_import(tmp_path):
    """Guards the guard: an engine module importing the page would be caught."""
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from linreg.page import views\n    import streamlit as st\n")
    assert forbidden(module, ("linreg.page", "streamlit")) == [
        "linreg.page",
        "linreg.page.views",
        "streamlit",
    ]


def test_import_linreg_reaches_every_engine_module_and_nothing_else():
    code = (
        "import json, sys, linreg, linreg.cli\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('linreg', 'plotly', 'streamlit')))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    engine = {f"linreg.{p.stem}" for p in ENGINE if p.stem not in ("__init__", "__main__")}
    assert engine <= loaded, f"not reached from import linreg: {sorted(engine - loaded)}"
    assert not {m for m in loaded if m.startswith(("linreg.dashboard", "linreg.page"))}
    assert "streamlit" not in loaded and not any(m.startswith("plotly") for m in loaded)


def test_the_dashboard_model_loads_without_streamlit():
    code = (
        "import sys, linreg.dashboard.workbench, linreg.dashboard.views, linreg.dashboard.settings\n"
        "print('streamlit' in sys.modules, any(m.startswith('linreg.page') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]
