#!/usr/bin/env python3
"""Sizes a reader has to hold: lines per file, lines per function (AST), in given folders.

    scripts/code_sizes.py [--max-file N] [--max-function N] [--top N] PATH...

Prints the files over ``--max-file`` lines and the functions over ``--max-function`` lines
(a function counts from its ``def`` or first decorator to its last line), then the ``--top``
longest functions.  Exits 1 when anything is over a limit.  Generated data (the ECHONET
definitions' named constants, ``names.py``) is left out; the hand-written codec and model
modules beside it are not.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path
import sys

#: Generated from the MRA: data, not code a reader holds.
GENERATED = ("custom_components/hems/echonet/definitions/names.py",)


def python_files(paths: list[str]) -> list[Path]:
    """Every ``.py`` file below ``paths`` except generated ones."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        found = [path] if path.is_file() else sorted(path.rglob("*.py"))
        out += [p for p in found if not any(g in p.as_posix() for g in GENERATED)]
    return out


def function_lengths(path: Path) -> list[tuple[int, str, int]]:
    """``(lines, qualified name, first line)`` of every function in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                assert child.end_lineno is not None
                name = f"{prefix}{child.name}"
                found.append((child.end_lineno - first + 1, name, first))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def main() -> int:
    """Print what is over the limits; 1 when anything is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--max-file", type=int, default=600)
    parser.add_argument("--max-function", type=int, default=60)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    over = False
    functions: list[tuple[int, str]] = []
    for path in python_files(args.paths):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > args.max_file:
            over = True
            print(f"file over {args.max_file}: {path} {lines}")
        for length, name, first in function_lengths(path):
            functions.append((length, f"{path}:{first} {name}"))
            if length > args.max_function:
                over = True
                print(f"function over {args.max_function}: {path}:{first} {name} {length}")
    print(f"longest {args.top} functions:")
    for length, where in sorted(functions, reverse=True)[: args.top]:
        print(f"  {length:4d} {where}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
