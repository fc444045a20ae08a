"""Hub-side helpers for the feed tests: settings, a sync context like the scheduler's, and what is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hub.db import Database
from hub.models import DeadLetter, FeedItem, FeedItemSource, RawPost, Tombstone
from hub.records import OrganisationRecord
from hub.secrets import SecretBox
from hub.services.organisations import add_organisation, organisations_by_ids
from hub.services.sources import get_source, open_secret
from hub.settings import Settings
from hub.sync import SyncContext, SyncReport
from hub.sync.registry import SYNCERS
from org_connectors import SourceKind
from tests.support.graph import settings_for

_item = FeedItem.__table__  # type: ignore[attr-defined]
_source = FeedItemSource.__table__  # type: ignore[attr-defined]
_inbox = RawPost.__table__  # type: ignore[attr-defined]
DEAD_LETTERS = DeadLetter.__table__  # type: ignore[attr-defined]
TOMBSTONES = Tombstone.__table__  # type: ignore[attr-defined]

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=SEOUL)
KEY = "yeongyeol-feed-tests-secret-key-0123456789"
BOX = SecretBox(KEY)


def hub_settings(db: Database, tmp_path: Path, *, allow_loopback: bool = True) -> Settings:
    allowed = ["127.0.0.1"] if allow_loopback else []
    return settings_for(db.url, tmp_path, secret_key=KEY, fetch_allowed_private_hosts=allowed)


async def org(db: Database, slug: str, name: str, area: str) -> OrganisationRecord:
    return await add_organisation(db, slug=slug, name=name, area_slug=area)


async def sync(db: Database, settings: Settings, source_id: int, *, now: datetime = NOW) -> SyncReport:
    """Run the registered syncer of the source once, as the scheduler does, at `now`."""
    source = await get_source(db, source_id)
    organisation = (await organisations_by_ids(db, [source.organisation_id]))[source.organisation_id]
    secret = await open_secret(db, BOX, source)
    return await SYNCERS[source.kind](SyncContext(db, settings, source, organisation, secret, now))


@dataclass(frozen=True, slots=True)
class Stored:
    item_id: int
    status: str
    title: str
    body: str
    url: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    all_day: bool
    tags: tuple[str, ...]
    images: tuple[str, ...]
    posted_at: datetime
    updated_at: datetime


async def items(db: Database, organisation_id: int, kind: SourceKind) -> dict[str, Stored]:
    """The organisation's items of one source kind, by external id."""
    query = (
        select(_item, _source.c.external_id, _source.c.url.label("source_url"))
        .join(_source, _source.c.item_id == _item.c.id)
        .where(_source.c.organisation_id == organisation_id, _source.c.kind == kind.value)
    )
    async with db.read() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return {
        row["external_id"]: Stored(
            row["id"],
            row["status"],
            row["title"],
            row["body"],
            row["source_url"],
            row["starts_at"],
            row["ends_at"],
            row["all_day"],
            tuple(row["tags"] or ()),
            tuple(row["images"] or ()),
            row["posted_at"],
            row["updated_at"],
        )
        for row in rows
    }


async def count(db: Database, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with db.read() as conn:
        return int((await conn.execute(query)).scalar_one())


async def item_statuses(db: Database) -> list[str]:
    async with db.read() as conn:
        return list((await conn.execute(select(_item.c.status).order_by(_item.c.id))).scalars())


async def snapshot(db: Database) -> tuple[Any, ...]:
    """Everything a sync may change about items, inbox rows, dead letters and tombstones."""
    async with db.read() as conn:
        item_rows = (
            await conn.execute(
                select(_item.c.id, _item.c.status, _item.c.updated_at, _item.c.title).order_by(_item.c.id)
            )
        ).all()
        inbox = (await conn.execute(select(_inbox.c.id, _inbox.c.revision).order_by(_inbox.c.id))).all()
    return tuple(item_rows), tuple(inbox), await count(db, DEAD_LETTERS), await count(db, TOMBSTONES)
