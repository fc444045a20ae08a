"""Build realistic Korean posts and organisations for tests, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.db import Database
from hub.ingest.pipeline import IngestResult, ingest_post
from hub.records import OrganisationRecord
from hub.services.organisations import add_organisation
from org_connectors import RawPost, SourceKind, StructuredEvent

SEOUL = ZoneInfo("Asia/Seoul")
BASE = datetime(2026, 11, 20, 9, 0, tzinfo=SEOUL)


async def organisation(db: Database, slug: str = "namwon-youth", area: str = "youth") -> OrganisationRecord:
    return await add_organisation(db, slug=slug, name=f"{slug} 기관", area_slug=area)


def post(
    n: int,
    *,
    kind: SourceKind = SourceKind.MANUAL,
    title: str | None = None,
    body: str | None = None,
    posted_at: datetime | None = None,
    starts_in_days: float | None = None,
    location: str | None = None,
    staff: bool | None = True,
    **extra: Any,
) -> RawPost:
    posted = posted_at or BASE + timedelta(minutes=n)
    event = None
    if starts_in_days is not None:
        start = BASE + timedelta(days=starts_in_days)
        event = StructuredEvent(start, start + timedelta(hours=2), location=location)
    return RawPost(
        source_kind=kind,
        external_id=f"post-{n}",
        posted_at=posted,
        title=title or f"청년 모임 안내 {n}",
        body=body or f"{n}번째 모임입니다. 청년마루에서 만나요.",
        author_is_staff=staff,
        event=event,
        **extra,
    )


async def ingest(db: Database, org: OrganisationRecord, raw: RawPost) -> IngestResult:
    return await ingest_post(db, org, raw)
