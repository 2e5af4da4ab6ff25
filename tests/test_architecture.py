"""The house: dependencies point one way, the core has no UI, pages only describe screens.

``pages -> components -> embedding_space``; inside the core each subpackage imports only
from those below it (``ALLOWED``), no module reaches for another's private names, and session
keys are spelled out in one module. Whether every page request really goes through the router
is tried on a real server in ``test_router.py``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from components import routes
from tests.helpers import ROOT

CORE = ROOT / "embedding_space"
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "types", "rows", "text"}),
    frozenset({"limits"}),
    frozenset({"io"}),
    frozenset({"embed"}),
    frozenset({"analysis"}),
    frozenset({"figures", "export"}),
    frozenset({"store"}),
    frozenset({"views"}),
    frozenset({"demo"}),
    frozenset({"api"}),
    frozenset({"cli"}),
    frozenset({"__main__", "__init__"}),
)
"""The core's parts from the bottom up: each may import only from the layers below it."""
ALLOWED: dict[str, frozenset[str]] = {
    part: frozenset().union(*LAYERS[:level]) for level, layer in enumerate(LAYERS) for part in layer
}
MAX_MODULE_LINES = 420


def _core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def _part(path: Path) -> str:
    """The subpackage (or top-level module) of the core a file belongs to."""
    relative = path.relative_to(CORE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` for every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text())
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _top_names(path: Path) -> set[str]:
    return {module.split(".")[0] for module, _ in _imports(path)}


def test_core_never_imports_streamlit_or_the_app() -> None:
    for path in _core_modules():
        assert not _top_names(path) & {"streamlit", "components", "pages"}, path


def test_importing_every_core_module_loads_no_streamlit() -> None:
    modules = [_module_name(path) for path in _core_modules() if path.stem != "__main__"]
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("path", _core_modules(), ids=lambda path: str(path.relative_to(CORE)))
def test_core_subpackages_import_only_from_below(path: Path) -> None:
    part = _part(path)
    for module, _ in _imports(path):
        if not module.startswith("embedding_space."):
            continue
        target = module.split(".")[1]
        if target == part:
            continue
        assert target in ALLOWED[part], f"{path.relative_to(ROOT)} imports {module}"


def test_every_part_of_the_core_has_a_layer() -> None:
    assert {_part(path) for path in _core_modules()} == set(ALLOWED)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_no_core_modules_import_each_other_in_a_circle() -> None:
    modules = {_module_name(path): path for path in _core_modules()}
    graph = {
        name: {module for module, _ in _imports(path) if module in modules and module != name}
        for name, path in modules.items()
    }
    # A package's __init__ re-exports its modules; only module-to-module arrows can circle.
    graph = {
        name: {target for target in targets if modules[target].name != "__init__.py"}
        for name, targets in graph.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, " -> ".join([*trail, name])
        if name in done:
            return
        for target in graph[name]:
            visit(target, (*trail, name))
        done.add(name)

    for name in graph:
        visit(name, ())


@pytest.mark.parametrize(
    "path",
    [*_core_modules(), *(ROOT / "components").glob("*.py"), *(ROOT / "pages").rglob("*.py")],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_no_module_imports_another_modules_private_names(path: Path) -> None:
    for module, names in _imports(path):
        private = [name for name in names if name.startswith("_") and not name.startswith("__")]
        assert not private, f"{path.relative_to(ROOT)} imports {private} from {module}"


def test_every_core_subpackage_lists_its_public_names() -> None:
    for package in sorted(path.parent for path in CORE.glob("*/__init__.py")):
        tree = ast.parse((package / "__init__.py").read_text())
        exported = next(
            (
                ast.literal_eval(node.value)
                for node in tree.body
                if isinstance(node, ast.Assign)
                and any(getattr(target, "id", None) == "__all__" for target in node.targets)
            ),
            None,
        )
        assert exported, f"{package.name}/__init__.py has no __all__"


def test_no_core_module_grows_past_one_screenful_of_jobs() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _core_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these by job: {long}"


def _session_state_literals(path: Path) -> list[int]:
    """Lines where ``st.session_state`` is indexed or called with a string written out."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            target, key = node.func.value, node.args[0]
        else:
            continue
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "session_state"
            and isinstance(key, ast.Constant | ast.JoinedStr)
        ):
            lines.append(node.lineno)
    return lines


def test_session_keys_are_written_out_only_in_the_state_module() -> None:
    for path in [
        ROOT / "app.py",
        *(ROOT / "components").glob("*.py"),
        *(ROOT / "pages").rglob("*.py"),
    ]:
        if path.name == "state.py":
            continue
        assert not _session_state_literals(path), f"{path.relative_to(ROOT)}: use components.state"


def test_components_do_not_import_pages() -> None:
    for path in (ROOT / "components").glob("*.py"):
        assert "pages" not in _top_names(path), path


def test_pages_hold_no_helpers_of_their_own_beyond_the_page_script() -> None:
    for path in (ROOT / "pages").glob("*/*.py"):
        tree = ast.parse(path.read_text())
        helpers = [
            node.name
            for node in tree.body
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        assert not helpers, f"{path.name} defines {helpers}; move them to components/"


def test_every_page_script_is_registered_in_the_router() -> None:
    scripts = {str(path.relative_to(ROOT)) for path in (ROOT / "pages").glob("*/*.py")}
    assert scripts == {route.path for route in routes.ROUTES}
    assert "routes.pages()" in (ROOT / "app.py").read_text(), "app.py navigates routes.ROUTES"


def test_a_top_level_pages_script_only_hands_its_address_to_the_router() -> None:
    # Streamlit's old multipage mode runs these on a server's first request (routes.py).
    handovers = {path.stem: path for path in (ROOT / "pages").glob("*.py")}
    assert set(handovers) == {route.url_path for route in routes.ROUTES}
    for path in handovers.values():
        body = [node for node in ast.parse(path.read_text()).body if not _is_docstring(node)]
        assert [ast.unparse(node) for node in body] == [
            "from components.routes import hand_over_to_router",
            "hand_over_to_router()",
        ], path


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


COMPUTED_BY_THE_SPACE = frozenset(
    {
        "approximate_knn_graph",
        "arithmetic",
        "cluster",
        "combine_terms",
        "compare_embeddings",
        "knn_graph",
        "map_trust",
        "near_duplicates",
        "neighbor_graph",
        "outlier_scores",
        "project",
        "rows_containing",
        "rows_matching",
        "search",
        "semantic_search",
        "top_k",
        "top_outliers",
    }
)
"""Core functions behind a result of :class:`~embedding_space.store.space.Space`."""


@pytest.mark.parametrize(
    "path",
    [
        *(ROOT / "components").glob("*.py"),
        *(ROOT / "pages").rglob("*.py"),
        *(CORE / "cli").glob("*.py"),
        *(CORE / "api").glob("*.py"),
    ],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_the_app_and_the_command_line_ask_the_space(path: Path) -> None:
    # A panel or a verb that computed a result itself would be a second copy that drifts.
    for module, names in _imports(path):
        if module.startswith("embedding_space."):
            computed = sorted(set(names) & COMPUTED_BY_THE_SPACE)
            assert not computed, f"{path.relative_to(ROOT)} computes {computed}: ask the Space"
