"""Organisations: registration and read access."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.db import Database
from hub.errors import Conflict, InvalidInput
from hub.models import Organisation
from hub.pagination import Page, decode_cursor, encode_cursor, page_size
from hub.records import OrganisationRecord
from hub.services.areas import require_area

_org = Organisation.__table__  # type: ignore[attr-defined]
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


async def add_organisation(
    db: Database, *, slug: str, name: str, area_slug: str, description: str = "", homepage: str | None = None
) -> OrganisationRecord:
    if not SLUG_PATTERN.match(slug):
        raise InvalidInput(
            f"슬러그는 영문 소문자, 숫자, '-'만 쓸 수 있습니다: {slug} / "
            f"A slug uses lowercase letters, digits and '-': {slug}"
        )
    if not name.strip():
        raise InvalidInput("이름이 비어 있습니다 / The name is empty")
    area = await require_area(db, area_slug)
    try:
        async with db.write() as session:
            org = Organisation(
                slug=slug, name=name.strip(), area_id=area.id, description=description, homepage=homepage
            )
            session.add(org)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"이미 있는 기관 슬러그입니다: {slug} / An organisation with slug {slug!r} already exists"
        ) from exc
    assert org.id is not None
    return OrganisationRecord(org.id, org.slug, org.name, org.area_id, org.description, org.homepage, False)


async def organisations_by_ids(db: Database, ids: Sequence[int]) -> dict[int, OrganisationRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_org).where(_org.c.id.in_(set(ids))))).mappings()
        return {row["id"]: OrganisationRecord.from_row(row) for row in rows}


async def organisations_by_slugs(db: Database, slugs: Sequence[str]) -> dict[str, OrganisationRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_org).where(_org.c.slug.in_(set(slugs))))).mappings()
        return {row["slug"]: OrganisationRecord.from_row(row) for row in rows}


async def list_organisations(
    db: Database, *, area_slug: str | None = None, first: int | None = None, after: str | None = None
) -> Page[OrganisationRecord]:
    """Organisations in a stable order (by id), optionally of one area."""
    limit = page_size(first)
    query = select(_org).order_by(_org.c.id).limit(limit + 1)
    if area_slug is not None:
        area = await require_area(db, area_slug)
        query = query.where(_org.c.area_id == area.id)
    if after is not None:
        (after_id,) = decode_cursor("organisations", after)
        query = query.where(_org.c.id > int(after_id))
    async with db.read() as conn:
        rows = [OrganisationRecord.from_row(r) for r in (await conn.execute(query)).mappings()]
    items = rows[:limit]
    return Page(
        items=items,
        cursors=[encode_cursor("organisations", [org.id]) for org in items],
        has_next_page=len(rows) > limit,
        has_previous_page=after is not None,
    )


async def organisations_by_area_ids(
    db: Database, area_ids: Sequence[int]
) -> dict[int, list[OrganisationRecord]]:
    found: dict[int, list[OrganisationRecord]] = {}
    statement = select(_org).where(_org.c.area_id.in_(set(area_ids))).order_by(_org.c.id)
    async with db.read() as conn:
        for row in (await conn.execute(statement)).mappings():
            found.setdefault(row["area_id"], []).append(OrganisationRecord.from_row(row))
    return found
