"""Node tools from package.json (federation composition, …). Missing tools fail in CI, skip elsewhere."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_node_package(package: str) -> str:
    """Path of `node`, once `package` is installed under node_modules (run `npm ci`)."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed"
    elif not (ROOT / "node_modules" / package / "package.json").exists():
        problem = f"npm package {package} is missing: run `npm ci`"
    if problem:
        if IN_CI:
            pytest.fail(f"required in CI: {problem}")
        pytest.skip(f"{problem} (CI would fail)")
    assert node is not None
    return node
