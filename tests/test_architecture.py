"""Dependencies point one way: pages -> components -> embedding_space; the core has no UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit_or_the_app() -> None:
    for path in (ROOT / "embedding_space").rglob("*.py"):
        assert not _imports(path) & {"streamlit", "components", "pages"}, path


def test_importing_every_core_module_loads_no_streamlit() -> None:
    modules = [p.stem for p in (ROOT / "embedding_space").glob("*.py") if p.stem != "__main__"]
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}:\n"
        "    suffix = '' if name == '__init__' else '.' + name\n"
        "    importlib.import_module('embedding_space' + suffix)\n"
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_components_do_not_import_pages() -> None:
    for path in (ROOT / "components").glob("*.py"):
        assert "pages" not in _imports(path), path


def test_pages_hold_no_helpers_of_their_own_beyond_the_page_script() -> None:
    for path in (ROOT / "pages").glob("*.py"):
        tree = ast.parse(path.read_text())
        helpers = [
            node.name
            for node in tree.body
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        assert not helpers, f"{path.name} defines {helpers}; move them to components/"
