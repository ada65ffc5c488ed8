"""The order of layers, held by parsing every module's imports.

Layers, lowest first: partybuild → branches → members → meetings → assessment → portal. An app imports only from
the apps below it (a model may still name an app above it by string in a ForeignKey: that is no import), and no
module takes part in an import cycle, between apps or inside one.

Every import counts: at the top of a module, inside a function, and under ``if TYPE_CHECKING:``. Migrations are
left out (Django writes them). An import of ``pkg.sub`` is an edge to ``pkg.sub``; ``from pkg import name`` is an
edge to ``pkg.name`` when that is a module, else to ``pkg`` itself, so what a package ``__init__`` re-exports is
part of the graph.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Lowest first. An app may import from the apps before it in this list, never from one after it.
LAYERS: tuple[str, ...] = ("partybuild", "branches", "members", "meetings", "assessment", "portal")


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_files() -> Iterator[Path]:
    for app in LAYERS:
        base = ROOT / app
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in _source_files()}


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(modules: dict[str, Path]) -> list[Import]:
    found: list[Import] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(Import(module, alias.name, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                target = _resolve_from(module, is_package, node)
                for alias in node.names:
                    candidate = f"{target}.{alias.name}"
                    found.append(Import(module, candidate if candidate in modules else target, node.lineno))
    return [imp for imp in found if imp.imported.split(".")[0] in LAYERS and imp.imported != imp.importer]


def _owning_module(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that ``name`` lands on (``a.b.c`` may be the attribute ``c`` of module ``a.b``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _app(module: str) -> str:
    return module.split(".")[0]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; every component with more than one module (or a self-loop)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = lowlink[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    components.append(sorted(component))
    return components


def _graph() -> tuple[dict[str, Path], list[Import]]:
    modules = _modules()
    resolved: list[Import] = []
    for imp in _imports(modules):
        target = _owning_module(imp.imported, modules)
        if target is not None and target != imp.importer:
            resolved.append(Import(imp.importer, target, imp.line))
    return modules, resolved


def test_every_layer_is_a_package():
    for app in LAYERS:
        assert (ROOT / app / "__init__.py").is_file(), f"{app}/ is named in LAYERS but is not a package"


def test_apps_import_only_from_the_layers_below():
    modules, imports = _graph()
    rank = {app: position for position, app in enumerate(LAYERS)}
    against: list[str] = []
    for imp in imports:
        if rank[_app(imp.imported)] <= rank[_app(imp.importer)]:
            continue
        path = modules[imp.importer].relative_to(ROOT)
        against.append(
            f"{path}:{imp.line}: {imp.importer} imports {imp.imported}, "
            f"but {_app(imp.importer)} sits below {_app(imp.imported)} ({' → '.join(LAYERS)})"
        )
    assert not against, "Imports against the order of layers:\n" + "\n".join(sorted(set(against)))


def test_no_import_cycles():
    modules, imports = _graph()
    graph: dict[str, set[str]] = {module: set() for module in modules}
    where: dict[tuple[str, str], int] = {}
    for imp in imports:
        graph[imp.importer].add(imp.imported)
        where.setdefault((imp.importer, imp.imported), imp.line)
    cycles = _strongly_connected(graph)
    messages: list[str] = []
    for component in cycles:
        members = set(component)
        edges = [
            f"    {modules[a].relative_to(ROOT)}:{where[(a, b)]}: {a} → {b}"
            for a in component
            for b in sorted(graph[a] & members)
        ]
        messages.append(f"  cycle among {', '.join(component)}:\n" + "\n".join(edges))
    assert not cycles, "Import cycles (put each piece where it belongs):\n" + "\n".join(messages)


def test_the_parser_sees_function_level_and_type_checking_imports(tmp_path):
    """A guard for the guard: the imports a cycle hides behind are parsed like any other."""
    module = tmp_path / "example.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from members.roster.models import Member\n"
        "def f():\n"
        "    from meetings import selectors\n"
        "    import portal.views\n",
        encoding="utf-8",
    )
    found = {imp.imported for imp in _imports({"branches.example": module})}
    assert found == {"members.roster.models", "meetings", "portal.views"}


def test_tarjan_finds_a_cycle_and_leaves_a_chain_alone():
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": set()}) == []
