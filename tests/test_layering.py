"""Imports flow schema → hub → org_connectors, never back (DESIGN.md).

`hub/app.py` and `hub/cli.py` are the composition root: they mount the schema, so they alone may
import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPOSITION_ROOT = {"hub/app.py", "hub/cli.py"}
FORBIDDEN = {"org_connectors": {"hub", "schema"}, "hub": {"schema"}, "schema": set()}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_imports_flow_one_way() -> None:
    offenders: list[str] = []
    for package, forbidden in FORBIDDEN.items():
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative in COMPOSITION_ROOT:
                continue
            bad = imported_packages(path) & forbidden
            if bad:
                offenders.append(f"{relative} imports {sorted(bad)}")
    assert offenders == []
