"""The layout's rules, checked on the source: dependencies point one way (cli → demo → app →
workers → handlers → intake → delivery → runtime → services → storage and the foundations),
services never import ``telegram``, the sandbox stands alone (only ``chithi demo`` uses it,
lazily), and no two modules import each other, however indirectly."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.kit.paths import ROOT

PACKAGES = ("bot", "handlers", "storage", "sandbox")

# Lower layers never import higher ones (imports only for type checking are exempt).
LAYERS: list[tuple[str, ...]] = [
    ("storage", "bot.config", "bot.i18n", "bot.logs", "bot.lag", "bot.sample_data"),
    ("bot.services",),
    ("bot.runtime", "bot.context"),
    ("bot.delivery",),
    ("bot.intake",),
    ("handlers",),
    ("bot.workers", "bot.jobs", "bot.reminder_worker", "bot.broadcast_worker"),
    ("bot.app",),
    ("bot.demo",),
    ("bot.cli", "bot.__main__"),
]


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> Iterator[tuple[str, str]]:
    """(imported module, how): "top" at import time, "lazy" inside a function, "typing" under
    ``if TYPE_CHECKING``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))

    def walk(node: ast.AST, how: str) -> Iterator[tuple[str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                yield from walk(child, "typing")
                continue
            inner = "lazy" if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else how
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, how
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    yield (full if full in MODULES else child.module), how
            yield from walk(child, inner if how != "typing" else how)

    yield from walk(tree, "top")


def _layer(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def test_every_module_of_the_bot_has_a_layer() -> None:
    unplaced = [
        m for m in MODULES if not m.startswith("sandbox") and m != "bot" and _layer(m) is None
    ]
    assert unplaced == []


def test_dependencies_point_one_way() -> None:
    upward = []
    for module in MODULES:
        rank = _layer(module)
        if rank is None:
            continue
        for target, how in _imports(module):
            target_rank = _layer(target)
            if how != "typing" and target_rank is not None and target_rank > rank:
                upward.append(f"{module} → {target} ({how})")
    assert upward == []


def test_services_and_storage_know_nothing_of_telegram() -> None:
    found = [
        f"{m} → {t}"
        for m in MODULES
        if m.startswith(("bot.services", "storage"))
        for t, _ in _imports(m)
        if t == "telegram" or t.startswith("telegram.")
    ]
    assert found == []


def test_the_sandbox_stands_alone_and_only_the_demo_uses_it_lazily() -> None:
    from_sandbox = [
        f"{m} → {t}"
        for m in MODULES
        if m.startswith("sandbox")
        for t, _ in _imports(m)
        if _ours(t) and not t.startswith("sandbox")
    ]
    assert from_sandbox == []
    users = {
        (m, how)
        for m in MODULES
        if not m.startswith("sandbox")
        for t, how in _imports(m)
        if t.startswith("sandbox")
    }
    assert users == {("bot.demo", "lazy"), ("bot.demo", "typing")}


def test_no_import_circles() -> None:
    graph = {
        m: {t for t, how in _imports(m) if how != "typing" and t in MODULES and t != m}
        for m in MODULES
    }
    # a package's __init__ importing its own modules is not a circle
    for m in graph:
        graph[m] = {t for t in graph[m] if not (m and t.startswith(m + ".") and m in PACKAGES)}
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" → ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_test_modules_share_helpers_only_through_the_kit() -> None:
    """A test module imports helpers from ``tests.kit``, never from another test module or the
    conftest (fixtures come to it by name)."""
    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith(("tests.test_", "tests.conftest")):
                    offenders.append(f"{path.name}: from {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}: import {a.name}"
                    for a in node.names
                    if a.name.startswith(("tests.test_", "tests.conftest"))
                ]
    assert offenders == []
