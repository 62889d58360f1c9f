"""The shape of the code: no import cycles anywhere in generator/, and the public side
(generator/site) never imports the private side (generator/private)."""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def import_graph() -> dict[str, set[str]]:
    """module -> the generator modules it imports (at any depth in the file, lazy imports too).
    `from x import y` counts as importing x.y when that is a module, else x."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, path, node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_real_imports():
    graph = import_graph()
    assert "generator.build.steps" in graph["generator.build.run"]
    assert "generator.private.paths" in graph["generator.build.folders"]
    assert "generator.paths" in graph["generator.site.wall"]
    assert "generator.pipeline" in graph["generator.cli"]


def test_no_import_cycles():
    assert _cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_public_side_never_imports_private_side():
    graph = import_graph()
    leaks = {(m, t) for m, edges in graph.items() if m == "generator.site" or m.startswith("generator.site.")
             for t in edges if t == "generator.private" or t.startswith("generator.private.")}
    assert leaks == set()


def test_stages_do_not_import_the_build():
    """The build drives the stages; no stage reaches back into it."""
    graph = import_graph()
    inward = {(m, t) for m, edges in graph.items() if not m.startswith("generator.build")
              and m not in ("generator.cli", "generator.serve")
              for t in edges if t.startswith("generator.build")}
    assert inward == set()


def test_reading_and_checks_know_nothing_of_the_outputs():
    """The first stages (reading, checks, the pipeline) never import a writer of outputs."""
    graph = import_graph()
    early = [m for m in graph if m.startswith(("generator.reading", "generator.checks")) or m == "generator.pipeline"]
    outputs = ("generator.site", "generator.private", "generator.build", "generator.cli")
    reach = {(m, t) for m in early for t in graph[m] if t.startswith(outputs)}
    assert early and reach == set()
