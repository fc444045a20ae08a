from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

import strawberry

from hub.records import CategoryRecord, FeedItemRecord, SourceRefRecord
from hub.services.item_relations import Related
from schema.areas.types import Area
from schema.context import Info
from schema.enums import ItemKind, ItemStatus, SourceKind
from schema.kept import kept_object
from schema.node import Node, int_pk, to_global_id
from schema.organisations.types import Organisation
from schema.pagination import PageInfo
from schema.places.types import Place


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Datetimes leave the graph in the hub's zone, with their offset (…+09:00)."""
    return value.astimezone(zone) if value is not None else None


@strawberry.type(description="A category of the taxonomy (e.g. 공연·전시, 교육·강좌).")
class Category(Node):
    slug: str = strawberry.field(description="Stable key, e.g. performance-exhibition.")
    name: str = strawberry.field(description="Korean name.")

    @classmethod
    def from_record(cls, record: CategoryRecord) -> Category:
        return cls(id=to_global_id("Category", record.id), slug=record.slug, name=record.name)


@strawberry.type(description="One place an item was seen: a BAND post, a Kakao message, a feed entry, …")
class SourceRef:
    kind: SourceKind = strawberry.field(description="Where it was seen.")
    external_id: str = strawberry.field(description="The source's own ID of the post.")
    url: str | None = strawberry.field(description="Link back to the original, when there is one.")
    posted_at: datetime = strawberry.field(description="When it was posted there.")
    record: strawberry.Private[SourceRefRecord]
    related: strawberry.Private[Related | None] = None

    @strawberry.field(description="The organisation that posted it there.", graphql_type=Organisation)
    def organisation(self, info: Info) -> Organisation | Awaitable[Organisation]:
        return _organisation(info, self.related, self.record.organisation_id)


@strawberry.federation.type(keys=["id"], description="Something residents see in the feed.")
class FeedItem(Node):
    kind: ItemKind = strawberry.field(description="ANNOUNCEMENT, EVENT, GATHERING or NOTICE.")
    status: ItemStatus = strawberry.field(
        description="PUBLISHED, RESCHEDULED or CANCELLED in public queries."
    )
    title: str = strawberry.field(description="Clean title.")
    body: str = strawberry.field(description="Full text, personal contact details masked.")
    excerpt: str = strawberry.field(description="Short plain-text summary (≤ 200 characters).")
    starts_at: datetime | None = strawberry.field(description="Start, when the item has one.")
    ends_at: datetime | None = strawberry.field(
        description="End, when known. For all-day items this is the exclusive end (the day after)."
    )
    all_day: bool = strawberry.field(description="True when only dates are known.")
    is_online: bool = strawberry.field(description="True for online events (Zoom, YouTube live, …).")
    place_detail: str | None = strawberry.field(
        description="Room or floor within the place, e.g. 3층 강의실."
    )
    apply_until: datetime | None = strawberry.field(description="Application deadline (신청 마감), if any.")
    fee: str | None = strawberry.field(description="Fee as written (무료, 5,000원), if stated.")
    images: list[str] = strawberry.field(description="Image URLs.")
    tags: list[str] = strawberry.field(description="Hashtags and feed tags, without '#'.")
    posted_at: datetime = strawberry.field(description="When it was first posted.")
    updated_at: datetime = strawberry.field(description="When the hub last changed it.")
    record: strawberry.Private[FeedItemRecord]
    # What the item points at, when its list read it up front (`hub.services.item_relations`); the
    # relation fields then answer without an await, otherwise through the request's loaders.
    related: strawberry.Private[Related | None] = None

    @classmethod
    def from_record(cls, record: FeedItemRecord, zone: ZoneInfo, related: Related | None = None) -> FeedItem:
        posted_at = _local(record.posted_at, zone)
        updated_at = _local(record.updated_at, zone)
        assert posted_at is not None and updated_at is not None
        return cls(
            id=to_global_id("FeedItem", record.id),
            kind=record.kind,
            status=record.status,
            title=record.title,
            body=record.body,
            excerpt=record.excerpt,
            starts_at=_local(record.starts_at, zone),
            ends_at=_local(record.ends_at, zone),
            all_day=record.all_day,
            is_online=record.is_online,
            place_detail=record.place_detail,
            apply_until=_local(record.apply_until, zone),
            fee=record.fee,
            images=list(record.images),
            tags=list(record.tags),
            posted_at=posted_at,
            updated_at=updated_at,
            record=record,
            related=related,
        )

    @strawberry.field(description="The organisation that owns the item.", graphql_type=Organisation)
    def organisation(self, info: Info) -> Organisation | Awaitable[Organisation]:
        return _organisation(info, self.related, self.record.organisation_id)

    @strawberry.field(
        description="Other organisations co-hosting it (공동 주최).", graphql_type=list[Organisation]
    )
    def co_hosts(self, info: Info) -> list[Organisation] | Awaitable[list[Organisation]]:
        related = self.related
        if related is None or related.co_hosts is None:
            return self._load_co_hosts(info)
        return [_organisation_of(related, i) for i in related.co_hosts.get(self.record.id, ())]

    async def _load_co_hosts(self, info: Info) -> list[Organisation]:
        ids = await info.context.loaders.cohosts_by_item_id.load(self.record.id)
        records = await info.context.loaders.organisation_by_id.load_many(ids)
        return [Organisation.from_record(record) for record in records if record is not None]

    @strawberry.field(description="The area it belongs to.", graphql_type=Area)
    def area(self, info: Info) -> Area | Awaitable[Area]:
        if self.related is not None:
            return kept_object(self.related.areas[self.record.area_id], Area.from_record)
        return self._load_area(info)

    async def _load_area(self, info: Info) -> Area:
        record = await info.context.loaders.area_by_id.load(self.record.area_id)
        assert record is not None, "foreign key guarantees the area"
        return Area.from_record(record)

    @strawberry.field(description="Categories from the taxonomy.", graphql_type=list[Category])
    def categories(self, info: Info) -> list[Category] | Awaitable[list[Category]]:
        if self.related is not None and self.related.categories is not None:
            # The records are the kept taxonomy's, so each category object is made (and filled) once.
            records = self.related.categories.get(self.record.id, ())
            return [kept_object(record, Category.from_record) for record in records]
        return self._load_categories(info)

    async def _load_categories(self, info: Info) -> list[Category]:
        records = await info.context.loaders.categories_by_item_id.load(self.record.id)
        return [kept_object(record, Category.from_record) for record in records]

    @strawberry.field(description="Where it happens, when known.", graphql_type=Place | None)
    def place(self, info: Info) -> Place | Awaitable[Place | None] | None:
        if self.record.place_id is None:
            return None
        if self.related is not None:
            found = self.related.places.get(self.record.place_id)
            return kept_object(found, Place.from_record) if found else None
        return self._load_place(info, self.record.place_id)

    @staticmethod
    async def _load_place(info: Info, place_id: int) -> Place | None:
        record = await info.context.loaders.place_by_id.load(place_id)
        return Place.from_record(record) if record else None

    @strawberry.field(
        description="Every place it was seen, oldest first (several when cross-posted).",
        graphql_type=list[SourceRef],
    )
    def sources(self, info: Info) -> list[SourceRef] | Awaitable[list[SourceRef]]:
        if self.related is not None and self.related.sources is not None:
            return _source_refs(self.related.sources.get(self.record.id, ()), info.context.zone, self.related)
        return self._load_sources(info)

    async def _load_sources(self, info: Info) -> list[SourceRef]:
        records = await info.context.loaders.sources_by_item_id.load(self.record.id)
        return _source_refs(records, info.context.zone, None)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> FeedItem | None:
        pk = int_pk(id, "FeedItem")
        record = await info.context.loaders.feed_item_by_id.load(pk) if pk is not None else None
        return cls.from_record(record, info.context.zone) if record else None


def _organisation_of(related: Related, organisation_id: int) -> Organisation:
    record = related.organisations[organisation_id]
    # Its area is kept with it: a change to either is a write, after which both are read afresh.
    return kept_object(record, lambda r: Organisation.from_record(r, related.areas.get(r.area_id)))


def _organisation(
    info: Info, related: Related | None, organisation_id: int
) -> Organisation | Awaitable[Organisation]:
    if related is not None:
        return _organisation_of(related, organisation_id)
    return _load_organisation(info, organisation_id)


async def _load_organisation(info: Info, organisation_id: int) -> Organisation:
    record = await info.context.loaders.organisation_by_id.load(organisation_id)
    assert record is not None, "foreign key guarantees the organisation"
    return Organisation.from_record(record)


def _source_refs(
    records: Iterable[SourceRefRecord], zone: ZoneInfo, related: Related | None
) -> list[SourceRef]:
    return [
        SourceRef(
            kind=record.kind,
            external_id=record.external_id,
            url=record.url,
            posted_at=record.posted_at.astimezone(zone),
            record=record,
            related=related,
        )
        for record in records
    ]


@strawberry.type(description="An edge in the feed.")
class FeedItemEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this edge.")
    node: FeedItem = strawberry.field(description="The item.")


@strawberry.type(description="A page of the feed (Relay connection). Cursors stay valid as new items arrive.")
class FeedItemConnection:
    edges: list[FeedItemEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
