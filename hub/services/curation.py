"""What facilitators and area editors curate across organisations: collections, co-hosts, co-hosted
events, merges, featured items and area categories. Each change and its audit entry commit in one
transaction."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from hub.auth.policy import require_area, require_curator
from hub.auth.viewer import Viewer
from hub.db import Database
from hub.enums import PUBLIC_STATUSES, ItemKind, ItemStatus
from hub.errors import Conflict, NotFound
from hub.models import (
    Category,
    Collection,
    CollectionItem,
    FeaturedItem,
    FeedItem,
    FeedItemCoHost,
    FeedItemSource,
    ItemMerge,
)
from hub.records import AreaRecord, CategoryRecord, FeedItemRecord
from hub.services.audit import record_action
from hub.services.feed import items_by_ids
from hub.services.organisations import organisations_by_slugs
from hub.services.staff_items import (
    ITEM_NOT_FOUND,
    Announcement,
    FieldError,
    announce_in_session,
    check_announcement,
    record_of,
)

_collection = Collection.__table__  # type: ignore[attr-defined]
_entry = CollectionItem.__table__  # type: ignore[attr-defined]
_featured = FeaturedItem.__table__  # type: ignore[attr-defined]
_cohost = FeedItemCoHost.__table__  # type: ignore[attr-defined]
_ref = FeedItemSource.__table__  # type: ignore[attr-defined]
_merge = ItemMerge.__table__  # type: ignore[attr-defined]
_category = Category.__table__  # type: ignore[attr-defined]

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
MAX_COLLECTION_ITEMS = 100
MAX_FEATURED = 20
MAX_COHOSTS = 10


class CollectionStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


@dataclass(frozen=True, slots=True)
class CollectionRecord:
    id: int
    slug: str
    title: str
    description: str
    status: CollectionStatus
    created_by: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CollectionEntry:
    item: FeedItemRecord
    note: str


def _collection_record(row: Collection) -> CollectionRecord:
    assert row.id is not None
    return CollectionRecord(
        row.id,
        row.slug,
        row.title,
        row.description,
        CollectionStatus(row.status),
        row.created_by,
        row.updated_at,
    )


def _check_slug(slug: str, field: str = "slug") -> None:
    if not SLUG.match(slug):
        raise FieldError(
            field, "슬러그는 영문 소문자, 숫자, '-'만 씁니다 / A slug uses lowercase letters, digits and '-'"
        )


async def create_collection(
    db: Database, viewer: Viewer, *, slug: str, title: str, description: str = ""
) -> CollectionRecord:
    require_curator(viewer)
    _check_slug(slug)
    if not title.strip() or len(title) > 200:
        raise FieldError("title", "제목은 1~200자입니다 / A title has 1 to 200 characters")
    try:
        async with db.write() as session:
            row = Collection(slug=slug, title=title.strip(), description=description, created_by=viewer.label)
            session.add(row)
            await session.flush()
            record_action(session, viewer, "collection.create", f"Collection:{row.id}", after={"slug": slug})
    except IntegrityError as exc:
        raise Conflict(f"이미 있는 모음 슬러그입니다: {slug} / A collection with this slug exists") from exc
    return _collection_record(row)


async def update_collection(
    db: Database,
    viewer: Viewer,
    collection_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    status: CollectionStatus | None = None,
) -> CollectionRecord:
    require_curator(viewer)
    async with db.write() as session:
        row = await session.get(Collection, collection_id)
        if row is None:
            raise NotFound("모음을 찾을 수 없습니다 / No such collection")
        before = {"title": row.title, "description": row.description, "status": row.status}
        if title is not None:
            if not title.strip() or len(title) > 200:
                raise FieldError("title", "제목은 1~200자입니다 / A title has 1 to 200 characters")
            row.title = title.strip()
        if description is not None:
            row.description = description
        if status is not None:
            row.status = status.value
        row.updated_at = datetime.now(UTC)
        session.add(row)
        record_action(
            session,
            viewer,
            "collection.update",
            f"Collection:{row.id}",
            before=before,
            after={"title": row.title, "description": row.description, "status": row.status},
        )
    return _collection_record(row)


async def set_collection_items(
    db: Database, viewer: Viewer, collection_id: int, entries: Sequence[tuple[int, str]]
) -> CollectionRecord:
    """Replace the ordered items (id, note). Only public items: a collection is for residents."""
    require_curator(viewer)
    if len(entries) > MAX_COLLECTION_ITEMS:
        raise FieldError(
            "items", f"모음에는 {MAX_COLLECTION_ITEMS}개까지 넣습니다 / at most {MAX_COLLECTION_ITEMS}"
        )
    ids = [item_id for item_id, _ in entries]
    if len(set(ids)) != len(ids):
        raise FieldError("items", "같은 항목이 두 번 있습니다 / An item appears twice")
    public = await items_by_ids(db, ids)
    if any(item_id not in public for item_id in ids):
        raise FieldError("items", "공개된 항목만 넣을 수 있습니다 / Only public items can be collected")
    async with db.write() as session:
        row = await session.get(Collection, collection_id)
        if row is None:
            raise NotFound("모음을 찾을 수 없습니다 / No such collection")
        before = (
            await session.execute(
                select(_entry.c.item_id)
                .where(_entry.c.collection_id == collection_id)
                .order_by(_entry.c.position)
            )
        ).scalars()
        before_ids = list(before)
        await session.execute(delete(_entry).where(_entry.c.collection_id == collection_id))
        for position, (item_id, note) in enumerate(entries):
            session.add(
                CollectionItem(
                    collection_id=collection_id, item_id=item_id, position=position, note=note[:1000]
                )
            )
        row.updated_at = datetime.now(UTC)
        session.add(row)
        record_action(
            session,
            viewer,
            "collection.items",
            f"Collection:{collection_id}",
            before={"items": before_ids},
            after={"items": ids, "notes": [note for _, note in entries]},
        )
    return _collection_record(row)


async def get_collection(db: Database, slug: str, *, include_draft: bool) -> CollectionRecord | None:
    async with db.read() as conn:
        row = (await conn.execute(select(_collection).where(_collection.c.slug == slug))).mappings().first()
    if row is None or (row["status"] != CollectionStatus.PUBLISHED.value and not include_draft):
        return None
    return _collection_record(Collection(**row))


async def list_collections(db: Database, *, include_drafts: bool) -> list[CollectionRecord]:
    statement = select(_collection).order_by(_collection.c.id.desc()).limit(100)
    if not include_drafts:
        statement = statement.where(_collection.c.status == CollectionStatus.PUBLISHED.value)
    async with db.read() as conn:
        rows = (await conn.execute(statement)).mappings().all()
    return [_collection_record(Collection(**row)) for row in rows]


async def collection_entries(db: Database, collection_id: int) -> list[CollectionEntry]:
    """The collection's public items in order; an item withdrawn since drops out."""
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(_entry.c.item_id, _entry.c.note)
                .where(_entry.c.collection_id == collection_id)
                .order_by(_entry.c.position)
            )
        ).all()
    items = await items_by_ids(db, [item_id for item_id, _ in rows])
    return [CollectionEntry(items[item_id], note) for item_id, note in rows if item_id in items]


async def set_cohosts(
    db: Database, viewer: Viewer, item_id: int, organisation_slugs: Sequence[str]
) -> FeedItemRecord:
    """Make an item co-hosted (공동 주최) by other organisations besides its own."""
    require_curator(viewer)
    slugs = list(dict.fromkeys(organisation_slugs))
    if len(slugs) > MAX_COHOSTS:
        raise FieldError("organisations", f"공동 주최는 {MAX_COHOSTS}곳까지입니다 / at most {MAX_COHOSTS}")
    found = await organisations_by_slugs(db, slugs)
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise FieldError(
            "organisations", f"알 수 없는 기관입니다: {', '.join(unknown)} / Unknown organisations"
        )
    async with db.write() as session:
        item = await session.get(FeedItem, item_id)
        if item is None or ItemStatus(item.status) not in PUBLIC_STATUSES:
            raise NotFound(ITEM_NOT_FOUND)
        before = list(
            (
                await session.execute(select(_cohost.c.organisation_id).where(_cohost.c.item_id == item_id))
            ).scalars()
        )
        await session.execute(delete(_cohost).where(_cohost.c.item_id == item_id))
        after = sorted({found[s].id for s in slugs} - {item.organisation_id})
        for organisation_id in after:
            session.add(FeedItemCoHost(item_id=item_id, organisation_id=organisation_id))
        record_action(
            session,
            viewer,
            "item.cohosts",
            f"FeedItem:{item_id}",
            organisation_id=item.organisation_id,
            before={"cohosts": before},
            after={"cohosts": after},
        )
        await session.flush()
        return record_of(item)


@dataclass(frozen=True, slots=True)
class CoHostedEvent:
    """An event several organisations host together; the first host is the item's own organisation."""

    hosts: tuple[str, ...]  # organisation slugs, lead host first
    title: str
    starts_at: datetime | None
    ends_at: datetime | None = None
    body: str = ""  # the title when empty
    all_day: bool = False
    place: str | None = None
    categories: tuple[str, ...] = ()


async def create_cohosted_event(db: Database, viewer: Viewer, event: CoHostedEvent) -> FeedItemRecord:
    """Post a co-hosted event (공동 주최 행사) with all its hosts in one transaction and one audit entry.

    It goes through the pipeline as a MANUAL post of the lead host, so when the same event is already in
    the feed it becomes one more source of that item, which then gains the hosts."""
    require_curator(viewer)
    slugs = list(dict.fromkeys(slug.strip() for slug in event.hosts if slug.strip()))
    if len(slugs) < 2:
        raise FieldError(
            "hosts", "공동 주최 기관을 두 곳 이상 적어 주세요 / Name at least two host organisations"
        )
    if len(slugs) > MAX_COHOSTS + 1:
        raise FieldError(
            "hosts", f"주최 기관은 {MAX_COHOSTS + 1}곳까지입니다 / at most {MAX_COHOSTS + 1} hosts"
        )
    if event.starts_at is None:
        raise FieldError("startsAt", "행사에는 시작 시간이 필요합니다 / An event needs a start")
    announcement = Announcement(
        title=event.title,
        body=event.body if event.body.strip() else event.title,
        kind=ItemKind.EVENT,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        all_day=event.all_day,
        place=event.place,
        categories=event.categories,
    )
    check_announcement(announcement)
    found = await organisations_by_slugs(db, slugs)
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise FieldError("hosts", f"알 수 없는 기관입니다: {', '.join(unknown)} / Unknown organisations")
    async with db.write() as session:
        item = await announce_in_session(session, viewer, found[slugs[0]], announcement)
        assert item.id is not None
        present = set(
            (await session.execute(select(_cohost.c.organisation_id).where(_cohost.c.item_id == item.id)))
            .scalars()
            .all()
        )
        for slug in slugs:
            organisation_id = found[slug].id
            if organisation_id != item.organisation_id and organisation_id not in present:
                session.add(FeedItemCoHost(item_id=item.id, organisation_id=organisation_id))
                present.add(organisation_id)
        record_action(
            session,
            viewer,
            "item.cohosted_event",
            f"FeedItem:{item.id}",
            organisation_id=item.organisation_id,
            after={
                "title": item.title,
                "starts_at": item.starts_at,
                "ends_at": item.ends_at,
                "hosts": slugs,
                "cohosts": sorted(present),
            },
        )
        await session.flush()
        return record_of(item)


async def merge_items(db: Database, viewer: Viewer, keep_id: int, duplicate_id: int) -> FeedItemRecord:
    """`duplicate_id` is the same thing as `keep_id`: its sources move onto the kept item, its
    organisation becomes a co-host, and it is withdrawn. The decision is stored, so re-ingesting the
    duplicate's post never rewrites or revives anything."""
    require_curator(viewer)
    if keep_id == duplicate_id:
        raise FieldError("duplicateId", "같은 항목끼리는 합칠 수 없습니다 / An item cannot merge with itself")
    async with db.write() as session:
        kept = await session.get(FeedItem, keep_id)
        duplicate = await session.get(FeedItem, duplicate_id)
        for field, item in (("keepId", kept), ("duplicateId", duplicate)):
            if item is None or ItemStatus(item.status) not in PUBLIC_STATUSES:
                raise FieldError(field, "공개된 항목만 합칠 수 있습니다 / Only public items can be merged")
        assert kept is not None and duplicate is not None and kept.id is not None
        refs = (await session.execute(select(_ref).where(_ref.c.item_id == duplicate_id))).mappings().all()
        moved = [[r["organisation_id"], r["kind"], r["external_id"]] for r in refs]
        await session.execute(update(_ref).where(_ref.c.item_id == duplicate_id).values(item_id=keep_id))
        # Items merged into the duplicate earlier now belong to the kept item too.
        await session.execute(
            update(_merge).where(_merge.c.kept_item_id == duplicate_id).values(kept_item_id=keep_id)
        )
        session.add(
            ItemMerge(
                kept_item_id=keep_id, merged_item_id=duplicate_id, moved_refs=moved, created_by=viewer.label
            )
        )
        hosts = set(
            (
                await session.execute(
                    select(_cohost.c.organisation_id).where(_cohost.c.item_id.in_([keep_id, duplicate_id]))
                )
            ).scalars()
        )
        hosts.add(duplicate.organisation_id)
        await session.execute(delete(_cohost).where(_cohost.c.item_id == keep_id))
        for organisation_id in sorted(hosts - {kept.organisation_id}):
            session.add(FeedItemCoHost(item_id=keep_id, organisation_id=organisation_id))
        duplicate.status, duplicate.updated_at = ItemStatus.WITHDRAWN.value, datetime.now(UTC)
        kept.updated_at = datetime.now(UTC)
        session.add_all([duplicate, kept])
        await session.execute(delete(_featured).where(_featured.c.item_id == duplicate_id))
        record_action(
            session,
            viewer,
            "item.merge",
            f"FeedItem:{keep_id}",
            organisation_id=kept.organisation_id,
            before={"duplicate": duplicate_id, "duplicate_status": ItemStatus.PUBLISHED.value},
            after={"duplicate": duplicate_id, "moved_sources": moved},
        )
        await session.flush()
        return record_of(kept)


async def split_item(db: Database, viewer: Viewer, duplicate_id: int) -> FeedItemRecord:
    """Undo a merge: the duplicate gets its sources back and is public again."""
    require_curator(viewer)
    async with db.write() as session:
        merge = (
            await session.execute(select(ItemMerge).where(_merge.c.merged_item_id == duplicate_id))
        ).scalar()
        duplicate = await session.get(FeedItem, duplicate_id)
        if merge is None or duplicate is None:
            raise FieldError("id", "합쳐진 항목이 아닙니다 / This item was not merged")
        for organisation_id, kind, external_id in merge.moved_refs:
            await session.execute(
                update(_ref)
                .where(
                    _ref.c.organisation_id == organisation_id,
                    _ref.c.kind == kind,
                    _ref.c.external_id == external_id,
                )
                .values(item_id=duplicate_id)
            )
        await session.execute(
            delete(_cohost).where(
                _cohost.c.item_id == merge.kept_item_id,
                _cohost.c.organisation_id == duplicate.organisation_id,
            )
        )
        duplicate.status, duplicate.updated_at = ItemStatus.PUBLISHED.value, datetime.now(UTC)
        session.add(duplicate)
        await session.delete(merge)
        record_action(
            session,
            viewer,
            "item.split",
            f"FeedItem:{duplicate_id}",
            organisation_id=duplicate.organisation_id,
            before={"merged_into": merge.kept_item_id},
            after={"status": duplicate.status},
        )
        await session.flush()
        return record_of(duplicate)


async def set_featured(
    db: Database, viewer: Viewer, area: AreaRecord, item_id: int, *, featured: bool
) -> FeedItemRecord:
    """Feature (or stop featuring) a public item of the area at the top of it."""
    require_area(viewer, area.id)
    async with db.write() as session:
        item = await session.get(FeedItem, item_id)
        if item is None or ItemStatus(item.status) not in PUBLIC_STATUSES:
            raise NotFound(ITEM_NOT_FOUND)
        if item.area_id != area.id:
            raise FieldError("itemId", "이 영역의 항목이 아닙니다 / The item is not in this area")
        current = (
            await session.execute(select(_featured.c.item_id).where(_featured.c.area_id == area.id))
        ).scalars()
        current_ids = list(current)
        await session.execute(
            delete(_featured).where(_featured.c.area_id == area.id, _featured.c.item_id == item_id)
        )
        if featured:
            if item_id not in current_ids and len(current_ids) >= MAX_FEATURED:
                raise FieldError(
                    "itemId", f"추천은 {MAX_FEATURED}개까지입니다 / at most {MAX_FEATURED} featured items"
                )
            session.add(FeaturedItem(area_id=area.id, item_id=item_id, position=len(current_ids)))
        record_action(
            session,
            viewer,
            "area.feature" if featured else "area.unfeature",
            f"FeedItem:{item_id}",
            organisation_id=item.organisation_id,
            before={"featured": item_id in current_ids},
            after={"featured": featured},
        )
        await session.flush()
        return record_of(item)


async def featured_items(db: Database, area_id: int) -> list[FeedItemRecord]:
    async with db.read() as conn:
        ids = list(
            (
                await conn.execute(
                    select(_featured.c.item_id)
                    .where(_featured.c.area_id == area_id)
                    .order_by(_featured.c.position, _featured.c.created_at)
                )
            ).scalars()
        )
    items = await items_by_ids(db, ids)
    return [items[item_id] for item_id in ids if item_id in items]


async def add_area_category(
    db: Database, viewer: Viewer, area: AreaRecord, *, slug: str, name: str
) -> CategoryRecord:
    require_area(viewer, area.id)
    _check_slug(slug)
    if not name.strip() or len(name) > 80:
        raise FieldError("name", "이름은 1~80자입니다 / A name has 1 to 80 characters")
    try:
        async with db.write() as session:
            row = Category(slug=slug, name=name.strip(), area_id=area.id, position=1000)
            session.add(row)
            await session.flush()
            record_action(
                session,
                viewer,
                "area.category",
                f"Category:{row.id}",
                after={"slug": slug, "name": row.name, "area": area.slug},
            )
    except IntegrityError as exc:
        raise Conflict(f"이미 있는 분류 슬러그입니다: {slug} / A category with this slug exists") from exc
    assert row.id is not None
    return CategoryRecord(row.id, row.slug, row.name, row.area_id)
