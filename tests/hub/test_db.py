from __future__ import annotations

from sqlalchemy import text

from hub.db import Database
from hub.migrate import head_revision, is_current
from hub.services.areas import list_areas


async def test_first_migration_creates_the_five_areas(db: Database) -> None:
    areas = await list_areas(db)
    assert [(a.slug, a.name) for a in areas] == [
        ("community", "공동체"),
        ("culture", "문화"),
        ("education", "교육"),
        ("youth", "청년"),
        ("civic", "시민참여"),
    ]
    assert await is_current(db)
    assert head_revision() == "0010"


async def test_sqlite_runs_in_wal_with_foreign_keys(db: Database) -> None:
    if not db.is_sqlite:
        async with db.read() as conn:
            ctype = (await conn.execute(text("SHOW lc_ctype"))).scalar_one()
        assert ctype == "C.UTF-8", "Korean search needs a UTF-8 ctype"
        return
    async with db.read() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one() == 10_000
