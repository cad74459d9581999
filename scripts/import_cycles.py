#!/usr/bin/env python3
"""Import circles between the modules of given packages (AST, nothing is imported).

    scripts/import_cycles.py [--all] PACKAGE...

Run from the repository root with package folders (``custom_components simulator``).  By
default an import counts when it runs as the module is imported: module-level imports,
including those under ``if``/``try``, but not those under ``if TYPE_CHECKING:`` nor those inside
functions (they run later).  ``--all`` counts those too (the circles a reader follows in the
types).  A submodule importing its own package (``from . import x``) is not a circle.  Prints
each circle and exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path
import sys


def module_name(path: Path) -> str:
    """``simulator/dongle/core.py`` -> ``simulator.dongle.core`` (a package: its folder)."""
    parts = list(path.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module, every: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements that count (see the module's docstring)."""
    kinds = (ast.Import, ast.ImportFrom)
    if every:
        return [node for node in ast.walk(tree) if isinstance(node, kinds)]
    found: list[ast.Import | ast.ImportFrom] = []
    for statement in tree.body:
        if isinstance(statement, kinds):
            found.append(statement)
        elif isinstance(statement, ast.If | ast.Try) and not _type_checking(statement):
            found += [node for node in ast.walk(statement) if isinstance(node, kinds)]
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, package: bool) -> list[str]:
    """The modules an import may name: the module itself and ``module.name`` for each name."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join([*base, *([node.module] if node.module else [])])
    else:
        prefix = node.module or ""
    return [prefix, *(f"{prefix}.{alias.name}" for alias in node.names)]


def import_graph(packages: list[str], every: bool) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports."""
    paths = {module_name(p): p for name in packages for p in sorted(Path(name).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        package = path.name == "__init__.py"
        graph[module] = {
            target
            for node in _imports(tree, every)
            for target in _targets(node, module, package)
            if target in paths and target != module and not module.startswith(f"{target}.")
        }
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, edges = work[-1]
            child = next((e for e in edges if e not in index or e in stack), None)
            if child is not None and child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(graph[child]))))
                continue
            if child is not None:
                low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = stack[stack.index(node) :]
                del stack[stack.index(node) :]
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def main() -> int:
    """Print the circles; 1 when there is one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+")
    parser.add_argument("--all", action="store_true", help="count type-only and deferred imports")
    args = parser.parse_args()
    found = circles(import_graph(args.packages, args.all))
    for group in found:
        print("import circle among: " + ", ".join(group))
    print(f"{len(found)} import circle(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
