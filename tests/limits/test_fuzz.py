"""schemathesis (GraphQL mode) fuzzes the served public queries for a bounded time: no server error.

Needs the `schemathesis` package (dev extras); skipped with a reason when it is not installed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hub.app import create_app
from hub.db import connect
from tests.glance.corpus import load_corpus
from tests.support import databases
from tests.support.graph import settings_for
from tests.support.server import serve_asgi

PUBLIC_QUERIES = [
    "feed", "calendar", "organisations", "organisation", "areas", "area", "categories",
    "node", "nodes", "collections", "collection", "featuredItems", "digest",
]  # fmt: skip
MAX_SECONDS = 30
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(sqlite_template: Path, tmp_path: Path) -> None:
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    # schemathesis is in the dev extras: missing means a broken install, never a reason to skip.
    assert executable is not None, "schemathesis is not installed: run `make install`"
    url = databases.fresh_sqlite(sqlite_template, tmp_path)
    seeding = connect(url)
    asyncio.run(load_corpus(seeding))
    asyncio.run(seeding.dispose())
    app = create_app(settings_for(url, tmp_path, rate_limit=0), db=connect(url))
    include = [arg for name in PUBLIC_QUERIES for arg in ("--include-name", f"Query.{name}")]
    with serve_asgi(app) as base:
        result = subprocess.run(
            [
                executable,
                "run",
                f"{base}/graphql",
                "--checks",
                "hub_no_internal_error",
                "--max-time",
                str(MAX_SECONDS),
                "--max-examples",
                "40",
                "--seed",
                "20261120",
                "--no-color",
                *include,
            ],
            env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS * 4,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
