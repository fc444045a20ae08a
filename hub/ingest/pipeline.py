"""The ingestion runner: inbox → normalise → understand → idempotent upsert → publish.

Everything for one post happens in one write transaction, so a caller that acknowledges after
`ingest_post` returns never acknowledges something that was not committed. The upsert key is
(organisation, source kind, external id); a tombstone on that key means "never again".
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, or_
from sqlmodel import col
from sqlmodel import select as select_model
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.enums import ItemStatus
from hub.ingest import stages
from hub.ingest.inbox import content_hash, to_document
from hub.models import Category, FeedItem, FeedItemCategory, FeedItemSource, RawPost, Tombstone, utcnow
from hub.records import OrganisationRecord
from hub.services.places import place_for_name
from org_connectors import RawPost as ConnectorPost
from org_connectors import SourceKind

_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]

Understander = Callable[[stages.Normalised], stages.ItemDraft]


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    TOMBSTONED = "tombstoned"


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    item_id: int | None
    raw_post_id: int | None


def initial_status(post: ConnectorPost, draft: stages.ItemDraft, *, review_non_staff: bool) -> ItemStatus:
    if review_non_staff and post.author_is_staff is False:
        return ItemStatus.PENDING_REVIEW
    return ItemStatus.CANCELLED if draft.cancelled else ItemStatus.PUBLISHED


async def ingest_post(
    db: Database,
    organisation: OrganisationRecord,
    post: ConnectorPost,
    *,
    review_non_staff: bool = True,
    source_id: int | None = None,
    understand: Understander = stages.understand,
) -> IngestResult:
    async with db.write() as session:
        return await ingest_in_session(
            session,
            organisation,
            post,
            review_non_staff=review_non_staff,
            source_id=source_id,
            understand=understand,
        )


async def ingest_in_session(
    session: AsyncSession,
    organisation: OrganisationRecord,
    post: ConnectorPost,
    *,
    review_non_staff: bool = True,
    source_id: int | None = None,
    understand: Understander = stages.understand,
) -> IngestResult:
    """Ingest inside a caller's transaction (a connector that advances its cursor in the same commit)."""
    kind = post.source_kind.value
    key = (organisation.id, kind, post.external_id)
    tombstoned = (
        await session.exec(
            select_model(Tombstone.id).where(
                col(Tombstone.organisation_id) == key[0],
                col(Tombstone.kind) == key[1],
                col(Tombstone.external_id) == key[2],
            )
        )
    ).first()
    if tombstoned is not None:
        return IngestResult(Outcome.TOMBSTONED, None, None)

    document = to_document(post)
    digest = content_hash(document)
    inbox = (
        await session.exec(
            select_model(RawPost).where(
                col(RawPost.organisation_id) == key[0],
                col(RawPost.kind) == key[1],
                col(RawPost.external_id) == key[2],
            )
        )
    ).first()
    source = (
        await session.exec(
            select_model(FeedItemSource).where(
                col(FeedItemSource.organisation_id) == key[0],
                col(FeedItemSource.kind) == key[1],
                col(FeedItemSource.external_id) == key[2],
            )
        )
    ).first()
    if inbox is not None and inbox.content_hash == digest and source is not None:
        return IngestResult(Outcome.UNCHANGED, source.item_id, inbox.id)

    if inbox is None:
        inbox = RawPost(
            organisation_id=key[0],
            kind=kind,
            external_id=post.external_id,
            content_hash=digest,
            payload=document,
        )
    else:
        inbox.content_hash, inbox.payload, inbox.revision = digest, document, inbox.revision + 1
    inbox.processed_at = utcnow()
    session.add(inbox)
    await session.flush()

    draft = understand(stages.normalise(post))
    place_id = await place_for_name(session, draft.place_name) if draft.place_name else None
    item = await session.get(FeedItem, source.item_id) if source is not None else None
    outcome = Outcome.UPDATED if item is not None else Outcome.CREATED
    if item is None:
        item = FeedItem(
            organisation_id=organisation.id,
            area_id=organisation.area_id,
            status=initial_status(post, draft, review_non_staff=review_non_staff).value,
            posted_at=post.posted_at,
            kind=draft.kind.value,
            title=draft.title,
        )
    elif draft.cancelled:
        item.status = ItemStatus.CANCELLED.value
    _apply_draft(item, draft, place_id)
    session.add(item)
    await session.flush()
    assert item.id is not None and inbox.id is not None

    if source is None:
        source = FeedItemSource(
            item_id=item.id,
            organisation_id=organisation.id,
            kind=kind,
            external_id=post.external_id,
            url=post.url,
            posted_at=post.posted_at,
            raw_post_id=inbox.id,
        )
    else:
        source.url, source.raw_post_id = post.url, inbox.id
    session.add(source)
    await _set_categories(session, item.id, draft.categories)
    return IngestResult(outcome, item.id, inbox.id)


def _apply_draft(item: FeedItem, draft: stages.ItemDraft, place_id: int | None) -> None:
    item.kind = draft.kind.value
    item.title = draft.title
    item.body = draft.body
    item.excerpt = draft.excerpt
    item.starts_at, item.ends_at, item.all_day = draft.starts_at, draft.ends_at, draft.all_day
    item.is_online = draft.is_online
    item.place_id, item.place_detail = place_id, draft.place_detail
    item.apply_until, item.fee = draft.apply_until, draft.fee
    item.images, item.tags = list(draft.images), list(draft.tags)
    item.updated_at = utcnow()


async def _set_categories(session: AsyncSession, item_id: int, names: tuple[str, ...]) -> None:
    """Categories are named by slug or Korean name; unknown names are ignored, not invented."""
    await session.exec(delete(_item_category).where(_item_category.c.item_id == item_id))
    if not names:
        return
    ids = (
        await session.exec(
            select_model(Category.id).where(or_(col(Category.slug).in_(names), col(Category.name).in_(names)))
        )
    ).all()
    for category_id in sorted({i for i in ids if i is not None}):
        session.add(FeedItemCategory(item_id=item_id, category_id=category_id))


async def withdraw(
    session: AsyncSession, organisation_id: int, kind: SourceKind, external_id: str, *, reason: str
) -> int | None:
    """Deleted upstream or by staff: tombstone the reference and withdraw its item if nothing else shows it.

    Returns the withdrawn item's id, or None when the item is still seen elsewhere (a cross-post) or unknown.
    """
    key = (col(Tombstone.organisation_id) == organisation_id, col(Tombstone.kind) == kind.value)
    exists = (
        await session.exec(select_model(Tombstone).where(*key, col(Tombstone.external_id) == external_id))
    ).first()
    if exists is None:
        session.add(
            Tombstone(
                organisation_id=organisation_id, kind=kind.value, external_id=external_id, reason=reason
            )
        )
    source = (
        await session.exec(
            select_model(FeedItemSource).where(
                col(FeedItemSource.organisation_id) == organisation_id,
                col(FeedItemSource.kind) == kind.value,
                col(FeedItemSource.external_id) == external_id,
            )
        )
    ).first()
    if source is None:
        return None
    item_id = source.item_id
    await session.delete(source)
    await session.flush()
    others = (
        await session.exec(select_model(FeedItemSource).where(col(FeedItemSource.item_id) == item_id))
    ).first()
    if others is not None:
        return None
    item = await session.get(FeedItem, item_id)
    if item is None:
        return None
    item.status = ItemStatus.WITHDRAWN.value
    item.updated_at = utcnow()
    session.add(item)
    return item_id
