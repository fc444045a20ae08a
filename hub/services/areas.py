"""Areas (관심 영역): read access."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from hub.db import Database
from hub.errors import NotFound
from hub.models import Area
from hub.records import AreaRecord

_area = Area.__table__  # type: ignore[attr-defined]


async def list_areas(db: Database) -> list[AreaRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_area).order_by(_area.c.position, _area.c.id))).mappings()
        return [AreaRecord.from_row(row) for row in rows]


async def areas_by_ids(db: Database, ids: Sequence[int]) -> dict[int, AreaRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_area).where(_area.c.id.in_(set(ids))))).mappings()
        return {row["id"]: AreaRecord.from_row(row) for row in rows}


async def areas_by_slugs(db: Database, slugs: Sequence[str]) -> dict[str, AreaRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_area).where(_area.c.slug.in_(set(slugs))))).mappings()
        return {row["slug"]: AreaRecord.from_row(row) for row in rows}


async def require_area(db: Database, slug: str) -> AreaRecord:
    found = (await areas_by_slugs(db, [slug])).get(slug)
    if found is None:
        known = ", ".join(area.slug for area in await list_areas(db))
        raise NotFound(f"알 수 없는 관심 영역입니다: {slug} / Unknown area: {slug} (known: {known})")
    return found
