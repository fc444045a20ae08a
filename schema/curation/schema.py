"""Facilitators and area editors: collections, co-hosts and co-hosted events, merges and splits (of
facilitator merges and of automatic ones), featured items, area categories; and the weekly digest anyone
may read (it holds public items only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.auth.policy import require_curator
from hub.errors import NotFound
from hub.records import AreaRecord, FeedItemRecord
from hub.services import curation, source_splits
from hub.services.areas import require_area
from hub.services.curation import CoHostedEvent, CollectionStatus
from hub.services.digest import weekly_digest
from hub.services.organisations import organisations_by_slugs
from schema.auth.errors import StaffError, StaffErrorCode, attempt
from schema.context import Info
from schema.curation.types import (
    CategoryPayload,
    CoHostedEventInput,
    Collection,
    CollectionEntryInput,
    CollectionPayload,
    Digest,
    SourceKeyInput,
    SplitSourcePayload,
)
from schema.feed.types import Category, FeedItem
from schema.node import int_pk
from schema.permissions import IsAuthenticated, IsCurator
from schema.staff.types import ItemPayload

ItemId = Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")]
CollectionId = Annotated[strawberry.ID, strawberry.argument(description="The collection's ID.")]
NOT_FOUND = "항목을 찾을 수 없습니다 / No such item"


def _bad_id(field: str, message: str = NOT_FOUND) -> list[StaffError]:
    return [StaffError(field=field, code=StaffErrorCode.NOT_FOUND, message=message)]


def _item(record: FeedItemRecord | None, errors: list[StaffError], info: Info) -> ItemPayload:
    return ItemPayload(
        item=FeedItem.from_record(record, info.context.zone) if record else None, errors=errors
    )


async def _area(info: Info, slug: str) -> AreaRecord:
    return await require_area(info.context.db, slug)


@strawberry.type
class CurationQueries:
    @strawberry.field(description="Published collections; facilitators may include drafts.")
    async def collections(
        self,
        info: Info,
        include_drafts: Annotated[
            bool, strawberry.argument(description="Also drafts (admins and facilitators only).")
        ] = False,
    ) -> list[Collection]:
        if include_drafts:
            require_curator(info.context.viewer)
        found = await curation.list_collections(info.context.db, include_drafts=include_drafts)
        return [Collection.from_record(record) for record in found]

    @strawberry.field(
        description="One collection by slug: published ones for everyone, drafts for facilitators."
    )
    async def collection(
        self, info: Info, slug: Annotated[str, strawberry.argument(description="The collection's slug.")]
    ) -> Collection | None:
        viewer = info.context.viewer
        may_see_drafts = (
            viewer.is_user and viewer.role is not None and viewer.role.value in {"ADMIN", "FACILITATOR"}
        )
        record = await curation.get_collection(info.context.db, slug, include_draft=may_see_drafts)
        return Collection.from_record(record) if record else None

    @strawberry.field(description="The items an area's editors feature, in their order.")
    async def featured_items(
        self, info: Info, area: Annotated[str, strawberry.argument(description="Area slug.")]
    ) -> list[FeedItem]:
        record = await _area(info, area)
        return [
            FeedItem.from_record(item, info.context.zone)
            for item in await curation.featured_items(info.context.db, record.id)
        ]

    @strawberry.field(
        description="The weekly digest: public items starting in the week (Monday to Sunday) of `week`, "
        "by day, as text for BAND and KakaoTalk messages of at most 1000 characters."
    )
    async def digest(
        self,
        info: Info,
        week: Annotated[date, strawberry.argument(description="Any day of the week wanted.")],
        area: Annotated[str | None, strawberry.argument(description="Only this area (slug).")] = None,
    ) -> Digest:
        found = await weekly_digest(info.context.db, week, info.context.zone, area_slug=area)
        return Digest.from_record(found, info)


@strawberry.type
class CurationMutations:
    @strawberry.mutation(description="Start a collection (as a draft).", permission_classes=[IsCurator])
    async def create_collection(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="Stable key: lowercase letters, digits, '-'.")],
        title: Annotated[str, strawberry.argument(description="Title.")],
        description: Annotated[str, strawberry.argument(description="What it gathers.")] = "",
    ) -> CollectionPayload:
        record, errors = await attempt(
            curation.create_collection(
                info.context.db, info.context.viewer, slug=slug, title=title, description=description
            )
        )
        return CollectionPayload(collection=Collection.from_record(record) if record else None, errors=errors)

    @strawberry.mutation(
        description="Change a collection's title, description or status (publish it).",
        permission_classes=[IsCurator],
    )
    async def update_collection(
        self,
        info: Info,
        id: CollectionId,
        title: Annotated[str | None, strawberry.argument(description="New title.")] = None,
        description: Annotated[str | None, strawberry.argument(description="New description.")] = None,
        status: Annotated[
            CollectionStatus | None, strawberry.argument(description="DRAFT or PUBLISHED.")
        ] = None,
    ) -> CollectionPayload:
        collection_id = int_pk(id, "Collection")
        if collection_id is None:
            return CollectionPayload(errors=_bad_id("id", "모음을 찾을 수 없습니다 / No such collection"))
        record, errors = await attempt(
            curation.update_collection(
                info.context.db,
                info.context.viewer,
                collection_id,
                title=title,
                description=description,
                status=status,
            )
        )
        return CollectionPayload(collection=Collection.from_record(record) if record else None, errors=errors)

    @strawberry.mutation(
        description="Set a collection's items, in order, each with a note (replaces the list).",
        permission_classes=[IsCurator],
    )
    async def set_collection_items(
        self,
        info: Info,
        id: CollectionId,
        items: Annotated[
            list[CollectionEntryInput], strawberry.argument(description="Items in order, ≤ 100.")
        ],
    ) -> CollectionPayload:
        collection_id = int_pk(id, "Collection")
        if collection_id is None:
            return CollectionPayload(errors=_bad_id("id", "모음을 찾을 수 없습니다 / No such collection"))
        entries: list[tuple[int, str]] = []
        for entry in items[: curation.MAX_COLLECTION_ITEMS + 1]:
            item_id = int_pk(entry.item_id, "FeedItem")
            if item_id is None:
                return CollectionPayload(errors=_bad_id("items"))
            entries.append((item_id, entry.note))
        record, errors = await attempt(
            curation.set_collection_items(info.context.db, info.context.viewer, collection_id, entries)
        )
        return CollectionPayload(collection=Collection.from_record(record) if record else None, errors=errors)

    @strawberry.mutation(
        description="Make an item co-hosted (공동 주최) by other organisations (replaces the list).",
        permission_classes=[IsCurator],
    )
    async def set_co_hosts(
        self,
        info: Info,
        id: ItemId,
        organisations: Annotated[list[str], strawberry.argument(description="Organisation slugs, ≤ 10.")],
    ) -> ItemPayload:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return ItemPayload(errors=_bad_id("id"))
        record, errors = await attempt(
            curation.set_cohosts(info.context.db, info.context.viewer, item_id, organisations[:11])
        )
        return _item(record, errors, info)

    @strawberry.mutation(
        description="Create a co-hosted event (공동 주최 행사) with all its host organisations in one call "
        "(one transaction, one audit entry). If the same event is already in the feed, that item gains the "
        "hosts.",
        permission_classes=[IsCurator],
    )
    async def create_co_hosted_event(
        self,
        info: Info,
        input: Annotated[CoHostedEventInput, strawberry.argument(description="The event and its hosts.")],
    ) -> ItemPayload:
        event = CoHostedEvent(
            hosts=tuple(input.hosts[: curation.MAX_COHOSTS + 2]),
            title=input.title,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            body=input.body,
            all_day=input.all_day,
            place=input.place,
            categories=tuple((input.categories or [])[:10]),
        )
        record, errors = await attempt(
            curation.create_cohosted_event(info.context.db, info.context.viewer, event)
        )
        return _item(record, errors, info)

    @strawberry.mutation(
        description="Split an automatic merge: detach one source the hub joined to an item into an item of "
        "its own. Facilitators may split any; organisation staff their own organisation's source. The split "
        "survives re-ingestion and reprocessing.",
        permission_classes=[IsAuthenticated],
    )
    async def split_source(
        self,
        info: Info,
        item_id: Annotated[strawberry.ID, strawberry.argument(description="The item the source joined.")],
        # `source` is the GraphQL name; the Python one differs because permission extensions take `source`.
        ref: Annotated[
            SourceKeyInput, strawberry.argument(name="source", description="The source to detach.")
        ],
    ) -> SplitSourcePayload:
        item = int_pk(item_id, "FeedItem")
        if item is None:
            return SplitSourcePayload(errors=_bad_id("itemId"))
        organisation = (await organisations_by_slugs(info.context.db, [ref.organisation])).get(
            ref.organisation
        )
        if organisation is None:
            return SplitSourcePayload(
                errors=_bad_id(
                    "source", f"알 수 없는 기관입니다: {ref.organisation[:60]} / Unknown organisation"
                )
            )
        key = source_splits.SourceKey(organisation, ref.kind, ref.external_id)
        result, errors = await attempt(
            source_splits.split_source(info.context.db, info.context.viewer, item, key)
        )
        if result is None:
            return SplitSourcePayload(errors=errors)
        zone = info.context.zone
        return SplitSourcePayload(
            item=FeedItem.from_record(result.item, zone),
            remaining=FeedItem.from_record(result.remaining, zone),
        )

    @strawberry.mutation(
        description="Merge a duplicate into the item kept: its sources move over, its organisation becomes a "
        "co-host, it is withdrawn. Survives re-ingestion and reprocessing.",
        permission_classes=[IsCurator],
    )
    async def merge_items(
        self,
        info: Info,
        keep_id: Annotated[strawberry.ID, strawberry.argument(description="The item to keep.")],
        duplicate_id: Annotated[strawberry.ID, strawberry.argument(description="The duplicate to fold in.")],
    ) -> ItemPayload:
        keep, duplicate = int_pk(keep_id, "FeedItem"), int_pk(duplicate_id, "FeedItem")
        if keep is None or duplicate is None:
            return ItemPayload(errors=_bad_id("keepId" if keep is None else "duplicateId"))
        record, errors = await attempt(
            curation.merge_items(info.context.db, info.context.viewer, keep, duplicate)
        )
        return _item(record, errors, info)

    @strawberry.mutation(
        description="Undo a facilitator's merge: the duplicate gets its sources back and is public again "
        "(for an automatic merge, use splitSource).",
        permission_classes=[IsCurator],
    )
    async def split_item(self, info: Info, id: ItemId) -> ItemPayload:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return ItemPayload(errors=_bad_id("id"))
        record, errors = await attempt(curation.split_item(info.context.db, info.context.viewer, item_id))
        return _item(record, errors, info)

    @strawberry.mutation(
        description="Feature (or stop featuring) a public item of an area (its editors and admins).",
        permission_classes=[IsAuthenticated],
    )
    async def feature_item(
        self,
        info: Info,
        area: Annotated[str, strawberry.argument(description="Area slug.")],
        id: ItemId,
        featured: Annotated[bool, strawberry.argument(description="False to stop featuring.")] = True,
    ) -> ItemPayload:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return ItemPayload(errors=_bad_id("id"))
        record = await _area(info, area)
        found, errors = await attempt(
            curation.set_featured(info.context.db, info.context.viewer, record, item_id, featured=featured)
        )
        return _item(found, errors, info)

    @strawberry.mutation(
        description="Add a category of the area's own (its editors and admins).",
        permission_classes=[IsAuthenticated],
    )
    async def add_area_category(
        self,
        info: Info,
        area: Annotated[str, strawberry.argument(description="Area slug.")],
        slug: Annotated[str, strawberry.argument(description="Stable key.")],
        name: Annotated[str, strawberry.argument(description="Korean name.")],
    ) -> CategoryPayload:
        try:
            record = await _area(info, area)
        except NotFound as exc:
            return CategoryPayload(
                errors=[StaffError(field="area", code=StaffErrorCode.NOT_FOUND, message=exc.message)]
            )
        category, errors = await attempt(
            curation.add_area_category(info.context.db, info.context.viewer, record, slug=slug, name=name)
        )
        return CategoryPayload(category=Category.from_record(category) if category else None, errors=errors)
