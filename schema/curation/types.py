"""Collections, the weekly digest and their payloads."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.services.curation import CollectionRecord, CollectionStatus, collection_entries
from hub.services.digest import Digest as DigestRecord
from schema.auth.errors import StaffError
from schema.context import Info
from schema.feed.types import Category, FeedItem
from schema.node import to_global_id

strawberry.enum(CollectionStatus, description="DRAFT (facilitators only) or PUBLISHED (everyone).")


@strawberry.type(description="An item in a collection, with the facilitators' note.")
class CollectionEntry:
    note: str = strawberry.field(description="Why it is in the collection.")
    item: FeedItem = strawberry.field(description="The item.")


@strawberry.type(description="A facilitators' collection (모음): named, ordered items with a note each.")
class Collection:
    id: strawberry.ID = strawberry.field(description="Opaque ID.")
    slug: str = strawberry.field(description="Stable key; the feed filter `collection` takes it.")
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="What it gathers.")
    status: CollectionStatus = strawberry.field(description="DRAFT or PUBLISHED.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    record: strawberry.Private[CollectionRecord]

    @classmethod
    def from_record(cls, record: CollectionRecord) -> Collection:
        return cls(
            id=to_global_id("Collection", record.id),
            slug=record.slug,
            title=record.title,
            description=record.description,
            status=record.status,
            updated_at=record.updated_at,
            record=record,
        )

    @strawberry.field(description="Its public items in order (withdrawn ones drop out).")
    async def entries(self, info: Info) -> list[CollectionEntry]:
        found = await collection_entries(info.context.db, self.record.id)
        zone = info.context.zone
        return [CollectionEntry(note=e.note, item=FeedItem.from_record(e.item, zone)) for e in found]


@strawberry.type(description="One day of the digest.")
class DigestDay:
    date: date = strawberry.field(description="The day (hub time).")
    heading: str = strawberry.field(description="The day as the text shows it, e.g. ■ 11월 24일 (화).")
    items: list[FeedItem] = strawberry.field(description="Items starting that day, by time.")


@strawberry.type(description="The weekly digest (주간 소식), ready to paste into BAND and KakaoTalk.")
class Digest:
    week_start: date = strawberry.field(description="The Monday the week starts on.")
    text: str = strawberry.field(description="The whole digest as one plain text (for a BAND post).")
    messages: list[str] = strawberry.field(
        description="The digest split into KakaoTalk messages of at most 1000 characters, whole days first."
    )
    days: list[DigestDay] = strawberry.field(description="The items, grouped by day.")

    @classmethod
    def from_record(cls, digest: DigestRecord, info: Info) -> Digest:
        zone = info.context.zone
        return cls(
            week_start=digest.week_start,
            text=digest.text,
            messages=list(digest.messages),
            days=[
                DigestDay(
                    date=day.day,
                    heading=day.heading,
                    items=[FeedItem.from_record(line.item, zone) for line in day.lines],
                )
                for day in digest.days
            ],
        )


@strawberry.type(description="The collection a mutation changed.")
class CollectionPayload:
    collection: Collection | None = strawberry.field(
        default=None, description="The collection after the change."
    )
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )


@strawberry.type(description="The category an area editor added.")
class CategoryPayload:
    category: Category | None = strawberry.field(default=None, description="The new category.")
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )


@strawberry.input(description="An item to put in a collection, with its note.")
class CollectionEntryInput:
    item_id: strawberry.ID = strawberry.field(description="The item's global ID.")
    note: str = strawberry.field(default="", description="Why it is there (≤ 1000 characters).")
