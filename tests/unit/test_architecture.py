"""The server's packages depend on each other in one direction (docs/ARCHITECTURE.md): the
import graph between them, read from the source with `ast`, has no cycle."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"
MAX_MODULE_LINES = 420


def _node(path: Path) -> str:
    """A package under server/ is one node; a module directly in server/ is its own node."""
    rel = path.relative_to(SERVER)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_nodes(path: Path) -> set[str]:
    found = set()
    for stmt in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(stmt, ast.Import):
            names = [alias.name for alias in stmt.names]
        elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
            names = [stmt.module]
            if stmt.module == "server":  # `from server import models`
                names = [f"server.{alias.name}" for alias in stmt.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "server" and len(parts) > 1:
                found.add(parts[1])
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SERVER.rglob("*.py"):
        node = _node(path)
        if node == "__init__":  # server/__init__.py is the app composition: it imports all
            continue
        graph.setdefault(node, set()).update(_imported_nodes(path) - {node, "__init__"})
    return graph


def test_server_packages_have_no_import_cycle():
    graph = package_graph()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
    assert "core" in order and order.index("core") < order.index("models")


def test_the_cycle_check_sees_a_cycle():
    # The check above must be able to fail: a graph with a back edge is refused.
    try:
        list(TopologicalSorter({"a": {"b"}, "b": {"a"}}).static_order())
    except CycleError:
        return
    raise AssertionError("a two-node cycle was not reported")


def test_the_bottom_layer_imports_no_domain_package():
    graph = package_graph()
    assert graph["core"] == set(), graph["core"]
    assert graph["models"] <= {"core"}, graph["models"]


def test_no_server_module_is_over_the_size_limit():
    too_long = {
        str(path.relative_to(SERVER.parent)): n
        for path in SERVER.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, too_long
