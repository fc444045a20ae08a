"""Collections, the weekly digest, co-hosted events, splits and their inputs and payloads."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.services.curation import CollectionRecord, CollectionStatus, collection_entries
from hub.services.digest import Digest as DigestRecord
from schema.auth.errors import StaffError
from schema.context import Info
from schema.enums import SourceKind
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


@strawberry.input(description="A co-hosted event (공동 주최 행사) created with all its hosts in one call.")
class CoHostedEventInput:
    hosts: list[str] = strawberry.field(
        description="Host organisations' slugs, at least two; the first is the item's own organisation."
    )
    title: str = strawberry.field(description="Title.")
    starts_at: datetime = strawberry.field(description="Start, with its offset (+09:00).")
    ends_at: datetime | None = strawberry.field(default=None, description="End, not before the start.")
    all_day: bool = strawberry.field(default=False, description="Only dates matter.")
    place: str | None = strawberry.field(default=None, description="Place name, e.g. 남원시립도서관.")
    body: str = strawberry.field(default="", description="Text (the title when empty).")
    categories: list[str] | None = strawberry.field(default=None, description="Category slugs, ≤ 10.")


@strawberry.input(description="One source of an item, as `FeedItem.sources` lists it.")
class SourceKeyInput:
    organisation: str = strawberry.field(description="Slug of the organisation that posted it.")
    kind: SourceKind = strawberry.field(description="Where it was seen.")
    external_id: str = strawberry.field(
        description="The source's own ID of the post (`SourceRef.externalId`)."
    )


@strawberry.type(description="A split automatic merge: the detached source's new item and the item it left.")
class SplitSourcePayload:
    item: FeedItem | None = strawberry.field(
        default=None, description="The new item the detached source now shows."
    )
    remaining: FeedItem | None = strawberry.field(
        default=None, description="The item it was detached from, with its other sources."
    )
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )
