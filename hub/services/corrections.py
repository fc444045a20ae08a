"""Staff corrections and merge decisions that outlive re-ingestion.

A correction is stored per item and field (field → JSON value). The pipeline calls `staff_overrides`
after understanding a post and before writing it, so a re-ingested or reprocessed post keeps what staff
fixed. A post whose item was merged into another (a duplicate) no longer rewrites the kept item, and a
post staff split off an automatic merge is never joined to another item by matching again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.enums import ItemKind, ItemStatus
from hub.ingest.stages import ItemDraft
from hub.models import Category, FeedItem, FeedItemCategory, ItemCorrection, ItemMerge, Place, SourceSplit

_correction = ItemCorrection.__table__  # type: ignore[attr-defined]
_merge = ItemMerge.__table__  # type: ignore[attr-defined]
_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]
_category = Category.__table__  # type: ignore[attr-defined]
_place = Place.__table__  # type: ignore[attr-defined]
_split = SourceSplit.__table__  # type: ignore[attr-defined]

# Draft attribute each correctable field sets.
CORRECTABLE = ("title", "kind", "starts_at", "ends_at", "all_day", "place_name", "place_detail", "categories")
_TIMES = {"starts_at", "ends_at"}

SourceKey = tuple[int, str, str]  # organisation id, source kind, external id


def encode(field: str, value: Any) -> Any:
    if field in _TIMES and isinstance(value, datetime):
        return value.isoformat()
    if field == "kind" and isinstance(value, ItemKind):
        return value.value
    if field == "categories":
        return list(value)
    return value


def decode(field: str, value: Any) -> Any:
    if field in _TIMES:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    if field == "kind":
        return ItemKind(value)
    if field == "categories":
        return tuple(str(v) for v in value or ())
    return value


def apply_corrections(draft: ItemDraft, corrections: Mapping[str, Any]) -> ItemDraft:
    changes = {f: decode(f, v) for f, v in corrections.items() if f in CORRECTABLE}
    return dataclasses.replace(draft, **changes) if changes else draft


async def corrections_of(session: AsyncSession, item_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(_correction.c.field, _correction.c.value).where(_correction.c.item_id == item_id)
    )
    return {field: value for field, value in rows.all()}


async def draft_from_item(session: AsyncSession, item: FeedItem) -> ItemDraft:
    """The item as it stands, as a draft: writing it back changes nothing."""
    place_name = None
    if item.place_id is not None:
        place_name = (
            await session.execute(select(_place.c.name).where(_place.c.id == item.place_id))
        ).scalar()
    slugs = (
        await session.execute(
            select(_category.c.slug)
            .join(_item_category, _item_category.c.category_id == _category.c.id)
            .where(_item_category.c.item_id == item.id)
        )
    ).scalars()
    return ItemDraft(
        title=item.title,
        body=item.body,
        excerpt=item.excerpt,
        kind=ItemKind(item.kind),
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        all_day=item.all_day,
        is_online=item.is_online,
        place_name=place_name,
        place_detail=item.place_detail,
        apply_until=item.apply_until,
        fee=item.fee,
        categories=tuple(slugs),
        images=tuple(item.images),
        tags=tuple(item.tags),
        cancelled=item.status == ItemStatus.CANCELLED.value,
    )


async def staff_overrides(session: AsyncSession, item_id: int, key: SourceKey, draft: ItemDraft) -> ItemDraft:
    """The draft to write for an existing item, after merge decisions and staff corrections."""
    moved = (
        await session.execute(select(_merge.c.moved_refs).where(_merge.c.kept_item_id == item_id))
    ).scalars()
    if any(list(key) in [list(ref) for ref in refs] for refs in moved):
        item = await session.get(FeedItem, item_id)
        if item is not None:
            draft = await draft_from_item(session, item)
    corrections = await corrections_of(session, item_id)
    return apply_corrections(draft, corrections)


async def stands_alone(session: AsyncSession, key: SourceKey) -> bool:
    """Staff split this post off an automatic merge: the pipeline must not match it to an item again."""
    found = await session.execute(
        select(_split.c.id).where(
            _split.c.organisation_id == key[0], _split.c.kind == key[1], _split.c.external_id == key[2]
        )
    )
    return found.first() is not None
