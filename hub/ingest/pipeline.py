"""The ingestion runner: inbox → normalise → understand → idempotent upsert → publish.

Everything for one post happens in one write transaction, so a caller that acknowledges after
`ingest_post` returns never acknowledges something that was not committed. The upsert key is
(organisation, source kind, external id); a tombstone on that key means "never again".
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import delete, or_
from sqlmodel import col
from sqlmodel import select as select_model
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.broadcast import mark_published
from hub.db import Database
from hub.enums import ItemStatus
from hub.ingest import dedupe, stages
from hub.ingest.inbox import content_hash, from_document, to_document
from hub.ingest.matching import Match, find_same_event
from hub.models import Category, FeedItem, FeedItemCategory, FeedItemSource, RawPost, Tombstone, utcnow
from hub.records import OrganisationRecord
from hub.search import item_tokens
from hub.services.corrections import staff_overrides, stands_alone
from hub.services.places import gazetteer_for, place_for_name
from org_connectors import RawPost as ConnectorPost
from org_connectors import SourceKind

_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]

Understander = Callable[[stages.Normalised], stages.ItemDraft]


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    MERGED = "merged"  # the post announces an event already in the feed: it became one more source of it
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
    understand: Understander | None = None,
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
    understand: Understander | None = None,
    reprocess: bool = False,
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
    if not reprocess and inbox is not None and inbox.content_hash == digest and source is not None:
        return IngestResult(Outcome.UNCHANGED, source.item_id, inbox.id)

    if inbox is None:
        inbox = RawPost(
            organisation_id=key[0],
            kind=kind,
            external_id=post.external_id,
            content_hash=digest,
            payload=document,
            source_id=source_id,
        )
    elif inbox.content_hash != digest:
        inbox.content_hash, inbox.payload, inbox.revision = digest, document, inbox.revision + 1
    inbox.processed_at = utcnow()
    session.add(inbox)
    await session.flush()

    if understand is None:
        gazetteer = await gazetteer_for(session)
        mask = not organisation.allow_contact_details
        understand = partial(stages.understand, gazetteer=gazetteer, mask_personal=mask)
    draft = understand(stages.normalise(post))
    if source is not None:  # staff corrections and merge decisions outlive re-ingestion
        draft = await staff_overrides(session, source.item_id, key, draft)
    match = None
    if source is None and not await stands_alone(session, key):  # a staff split keeps a post on its own
        match = await _same_event(session, organisation, kind, draft)
    place_id = await place_for_name(session, draft.place_name) if draft.place_name else None
    item_id = source.item_id if source is not None else match.item_id if match is not None else None
    item = await session.get(FeedItem, item_id) if item_id is not None else None
    if item is None:
        outcome = Outcome.CREATED
        item = FeedItem(
            organisation_id=organisation.id,
            area_id=organisation.area_id,
            status=initial_status(post, draft, review_non_staff=review_non_staff).value,
            posted_at=post.posted_at,
            kind=draft.kind.value,
            title=draft.title,
        )
        _apply_draft(item, draft, place_id)
    elif match is not None:
        outcome = Outcome.MERGED
        _join(item, draft, place_id, source=f"{kind}:{post.external_id}")
    else:
        outcome = Outcome.UPDATED
        assert source is not None
        if await _is_primary(session, source):
            if draft.cancelled:
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
            match_score=match.decision.score if match else None,
            match_reason=match.decision.reason[:300] if match else None,
        )
    else:
        source.url, source.raw_post_id = post.url, inbox.id
    session.add(source)
    if outcome is not Outcome.MERGED:
        await _set_categories(session, item.id, draft.categories)
    if outcome is Outcome.CREATED and item.status == ItemStatus.PUBLISHED.value:
        mark_published(session, item.id)  # live subscribers hear of it after commit
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
    item.title_tokens, item.search_tokens = item_tokens(draft.title, draft.body, draft.place_detail)
    item.updated_at = utcnow()


async def _same_event(
    session: AsyncSession, organisation: OrganisationRecord, kind: str, draft: stages.ItemDraft
) -> Match | None:
    """The stored item this new post announces again, or the one its change notice is about."""
    if draft.understanding is None:
        return None
    fingerprint = dedupe.fingerprint(
        draft.understanding, organisation=organisation.slug, source_kind=kind, body=draft.body
    )
    return await find_same_event(session, fingerprint)


async def _is_primary(session: AsyncSession, source: FeedItemSource) -> bool:
    """Only the source that created an item rewrites it; a cross-post's edits do not overwrite it."""
    first = (
        await session.exec(
            select_model(FeedItemSource.id)
            .where(col(FeedItemSource.item_id) == source.item_id)
            .order_by(col(FeedItemSource.id))
        )
    ).first()
    return first is None or first == source.id


def _join(item: FeedItem, draft: stages.ItemDraft, place_id: int | None, *, source: str) -> None:
    """A cross-post fills what the item lacks; a change notice moves or cancels it, keeping history."""
    if draft.change is None:
        if item.place_id is None and place_id is not None:
            item.place_id, item.place_detail = place_id, draft.place_detail
        item.apply_until = item.apply_until or draft.apply_until
        item.fee = item.fee or draft.fee
        item.ends_at = item.ends_at or draft.ends_at
        item.images = list(dict.fromkeys([*item.images, *draft.images]))
        item.updated_at = utcnow()
        return
    before = {"starts_at": _iso(item.starts_at), "ends_at": _iso(item.ends_at), "status": item.status}
    if draft.change == "CANCELLED":
        item.status = ItemStatus.CANCELLED.value
    elif draft.starts_at is not None and draft.starts_at != item.starts_at:
        item.starts_at, item.ends_at = draft.starts_at, draft.ends_at
        item.status = ItemStatus.RESCHEDULED.value
    if place_id is not None and draft.change == "CHANGED":
        item.place_id, item.place_detail = place_id, draft.place_detail
    after = {"starts_at": _iso(item.starts_at), "ends_at": _iso(item.ends_at), "status": item.status}
    entry = {
        "at": utcnow().isoformat(),
        "source": source,
        "reason": draft.change,
        "before": before,
        "after": after,
    }
    item.history = [*item.history, entry]
    item.updated_at = utcnow()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


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


@dataclass(frozen=True, slots=True)
class ReprocessReport:
    posts: int
    updated: int
    merged: int


async def reprocess(
    db: Database, organisations: Sequence[OrganisationRecord], *, batch: int = 200
) -> ReprocessReport:
    """Run understanding again over the stored inbox (after an improvement); staff corrections still win."""
    by_id = {organisation.id: organisation for organisation in organisations}
    posts = updated = merged = 0
    last_id = 0
    while True:
        async with db.write() as session:
            rows = (
                await session.exec(
                    select_model(RawPost)
                    .where(col(RawPost.id) > last_id, col(RawPost.organisation_id).in_(list(by_id)))
                    .order_by(col(RawPost.id))
                    .limit(batch)
                )
            ).all()
            for row in rows:
                result = await ingest_in_session(
                    session, by_id[row.organisation_id], from_document(row.payload), source_id=row.source_id,
                    reprocess=True,
                )  # fmt: skip
                posts += 1
                updated += result.outcome is Outcome.UPDATED
                merged += result.outcome is Outcome.MERGED
        if len(rows) < batch:
            return ReprocessReport(posts, updated, merged)
        assert rows[-1].id is not None
        last_id = rows[-1].id
