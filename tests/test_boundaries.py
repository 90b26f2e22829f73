"""`store/` knows nothing of the screen: it never imports Textual (nor anything of tui/)."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

STORE = ROOT / "store"
SOURCES = sorted(STORE.rglob("*.py"))  # subpackages (store/drafting/) too
MODULES = sorted(".".join(("store", *p.relative_to(STORE).with_suffix("").parts)).removesuffix(".__init__")
                 for p in SOURCES)


def test_the_store_modules_are_found() -> None:
    assert {"store.db", "store.models", "store.importing", "store.queries", "store.commands",
            "store.drafting.align"} <= set(MODULES)


def textual_loaded_by(modules: list[str], *, or_tui: bool) -> str:
    """The Textual modules (and, with `or_tui`, the tui ones) that importing `modules` loads, in a fresh Python."""
    prefixes = ("textual.", "tui") if or_tui else ("textual.",)
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith({prefixes!r}))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_every_store_module_loads_no_textual() -> None:
    assert textual_loaded_by(MODULES, or_tui=True) == ""


def test_the_screens_loader_state_and_writes_load_no_textual() -> None:
    """What the screen loads and writes, and its state, are plain code: no widget module comes with them."""
    modules = ["themes", "tui.loading", "tui.nodes", "tui.view_state", "tui.writes"]
    assert textual_loaded_by(modules, or_tui=False) == ""


def imported_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__"
        ):
            names.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return names


def test_no_store_source_names_textual_or_tui() -> None:
    for path in SOURCES:
        names = imported_names(path.read_text(encoding="utf-8"))
        bad = {n for n in names if n.split(".")[0] in ("textual", "tui")}
        assert not bad, f"{path.name} imports {sorted(bad)}"
