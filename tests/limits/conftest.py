from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.db import Database
from tests.limits.support import sqlite_db


@pytest.fixture
async def lite(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    """SQLite only: these tests are about HTTP and GraphQL limits, not about the database."""
    async with sqlite_db(sqlite_template, tmp_path) as db:
        yield db
