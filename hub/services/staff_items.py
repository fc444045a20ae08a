"""What organisation staff and area editors do to items: review, correct, withdraw, announce.

Every function takes the viewer, checks the policy first, changes the store in one transaction and
records the action in the audit log in that same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.auth.errors import Forbidden
from hub.auth.policy import moderates, require_organisation, require_scope
from hub.auth.roles import ApiScope, Role
from hub.auth.viewer import Viewer
from hub.db import Database
from hub.enums import PUBLIC_STATUSES, ItemKind, ItemStatus
from hub.errors import InvalidInput, NotFound
from hub.ingest.pipeline import ingest_in_session, withdraw
from hub.ingest.stages import TITLE_MAX
from hub.models import Category, FeedItem, FeedItemCategory, FeedItemSource, ItemCorrection, Organisation
from hub.privacy import mask_personal_data
from hub.records import FeedItemRecord, OrganisationRecord
from hub.search import item_tokens
from hub.services.audit import record_action
from hub.services.corrections import encode
from hub.services.places import place_for_name
from org_connectors import RawPost, SourceKind, StructuredEvent

_item = FeedItem.__table__  # type: ignore[attr-defined]
_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]
_category = Category.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_ref = FeedItemSource.__table__  # type: ignore[attr-defined]

MAX_QUEUE = 100
ITEM_NOT_FOUND = "항목을 찾을 수 없습니다 / No such item"


class FieldError(InvalidInput):
    """A value a person gave for one input field cannot be used."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def item_snapshot(item: FeedItem) -> dict[str, Any]:
    return {
        "status": item.status,
        "title": item.title,
        "kind": item.kind,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "all_day": item.all_day,
        "place_id": item.place_id,
        "place_detail": item.place_detail,
    }


def record_of(item: FeedItem) -> FeedItemRecord:
    return FeedItemRecord.from_row(item.model_dump())


async def item_for(session: AsyncSession, viewer: Viewer, item_id: int, scope: ApiScope) -> FeedItem:
    """The item, if the viewer may moderate it. Another organisation's non-public item is "not found",
    exactly like a missing one, so nothing about it leaks."""
    require_scope(viewer, scope)
    item = await session.get(FeedItem, item_id)
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    if not moderates(viewer, item.organisation_id, item.area_id):
        if ItemStatus(item.status) in PUBLIC_STATUSES:
            raise Forbidden()
        raise NotFound(ITEM_NOT_FOUND)
    return item


async def review_queue(
    db: Database, viewer: Viewer, *, organisation_id: int | None = None, limit: int = 50
) -> list[FeedItemRecord]:
    """Items waiting for review that the viewer moderates, oldest first."""
    require_scope(viewer, ApiScope.REVIEW)
    statement = select(_item).where(_item.c.status == ItemStatus.PENDING_REVIEW.value)
    if viewer.role is Role.ORG_STAFF:
        if organisation_id is not None and organisation_id != viewer.organisation_id:
            raise Forbidden()
        statement = statement.where(_item.c.organisation_id == viewer.organisation_id)
    elif viewer.role is Role.AREA_EDITOR:
        statement = statement.where(_item.c.area_id == viewer.area_id)
    elif viewer.role is not Role.ADMIN:
        raise Forbidden()
    if organisation_id is not None:
        statement = statement.where(_item.c.organisation_id == organisation_id)
    statement = statement.order_by(_item.c.posted_at, _item.c.id).limit(max(1, min(limit, MAX_QUEUE)))
    async with db.read() as conn:
        return [FeedItemRecord.from_row(row) for row in (await conn.execute(statement)).mappings()]


async def review_item(db: Database, viewer: Viewer, item_id: int, *, approve: bool) -> FeedItemRecord:
    async with db.write() as session:
        item = await item_for(session, viewer, item_id, ApiScope.REVIEW)
        if item.status not in {
            ItemStatus.PENDING_REVIEW.value,
            ItemStatus.REJECTED.value,
            ItemStatus.PUBLISHED.value,
        }:
            raise FieldError("id", "검토할 수 없는 상태입니다 / This item cannot be reviewed in its state")
        before = item.status
        item.status = (ItemStatus.PUBLISHED if approve else ItemStatus.REJECTED).value
        item.updated_at = datetime.now(UTC)
        session.add(item)
        record_action(
            session,
            viewer,
            "item.approve" if approve else "item.reject",
            f"FeedItem:{item.id}",
            organisation_id=item.organisation_id,
            before={"status": before},
            after={"status": item.status},
        )
        await session.flush()
        return record_of(item)


@dataclass(frozen=True, slots=True)
class Correction:
    """Fields staff set; only the ones named in `fields` change (None there clears a value)."""

    fields: Mapping[str, Any]


async def _category_slugs(session: AsyncSession, slugs: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(select(_category.c.slug, _category.c.id).where(_category.c.slug.in_(slugs)))
    return {slug: category_id for slug, category_id in rows.all()}


def _check(fields: Mapping[str, Any]) -> None:
    title = fields.get("title", "x")
    if "title" in fields and (not isinstance(title, str) or not title.strip() or len(title) > TITLE_MAX):
        raise FieldError("title", f"제목은 1~{TITLE_MAX}자입니다 / A title has 1 to {TITLE_MAX} characters")
    for name in ("starts_at", "ends_at"):
        value = fields.get(name)
        if value is not None and value.tzinfo is None:
            raise FieldError(name, "시간대(+09:00)를 함께 적어 주세요 / Give the time with its offset")


TEXT_FIELDS = frozenset({"title", "place_name", "place_detail"})


async def correct_item(
    db: Database, viewer: Viewer, item_id: int, fields: Mapping[str, Any]
) -> FeedItemRecord:
    """Change an item's fields now and remember them, so the next ingestion keeps them."""
    _check(fields)
    async with db.write() as session:
        item = await item_for(session, viewer, item_id, ApiScope.ITEMS)
        before = item_snapshot(item)
        starts = fields.get("starts_at", item.starts_at)
        ends = fields.get("ends_at", item.ends_at)
        if starts is not None and ends is not None and ends < starts:
            raise FieldError("endsAt", "끝나는 시간이 시작보다 빠릅니다 / The end is before the start")
        if "categories" in fields:
            slugs = list(dict.fromkeys(fields["categories"]))
            known = await _category_slugs(session, slugs)
            unknown = [s for s in slugs if s not in known]
            if unknown:
                raise FieldError(
                    "categories", f"알 수 없는 분류입니다: {', '.join(unknown)} / Unknown categories"
                )
            before["categories"] = list(
                (
                    await session.execute(
                        select(_category.c.slug)
                        .join(_item_category, _item_category.c.category_id == _category.c.id)
                        .where(_item_category.c.item_id == item.id)
                    )
                ).scalars()
            )
            await session.execute(delete(_item_category).where(_item_category.c.item_id == item.id))
            for category_id in sorted(set(known.values())):
                session.add(FeedItemCategory(item_id=item_id, category_id=category_id))
        organisation = await session.get(Organisation, item.organisation_id)
        mask = organisation is None or not organisation.allow_contact_details
        for field, value in fields.items():
            if mask and field in TEXT_FIELDS and isinstance(value, str):
                # Staff text is public output too: individuals' contacts are masked as in ingested posts.
                value = mask_personal_data(value)
            if field == "title":
                item.title = value.strip()
            elif field == "kind":
                item.kind = ItemKind(value).value
            elif field in {"starts_at", "ends_at", "all_day", "place_detail"}:
                setattr(item, field, value)
            elif field == "place_name":
                item.place_id = await place_for_name(session, value) if value else None
            await _remember(session, viewer, item_id, field, value)
        # Searches find the corrected title and place, not the ingested ones.
        item.title_tokens, item.search_tokens = item_tokens(item.title, item.body, item.place_detail)
        item.updated_at = datetime.now(UTC)
        session.add(item)
        record_action(
            session,
            viewer,
            "item.correct",
            f"FeedItem:{item.id}",
            organisation_id=item.organisation_id,
            before={k: before.get(k) for k in (*fields, "place_id")},
            after={**{k: encode(k, v) for k, v in fields.items()}, "place_id": item.place_id},
        )
        await session.flush()
        return record_of(item)


async def _remember(session: AsyncSession, viewer: Viewer, item_id: int, field: str, value: Any) -> None:
    row = await session.get(ItemCorrection, (item_id, field))
    if row is None:
        row = ItemCorrection(item_id=item_id, field=field, corrected_by=viewer.label)
    row.value, row.corrected_by, row.corrected_at = encode(field, value), viewer.label, datetime.now(UTC)
    session.add(row)


async def withdraw_item(db: Database, viewer: Viewer, item_id: int, *, reason: str) -> FeedItemRecord:
    """Tombstone every source reference of the item, so no re-ingestion brings it back."""
    async with db.write() as session:
        item = await item_for(session, viewer, item_id, ApiScope.ITEMS)
        before = item.status
        refs = (await session.execute(select(_ref).where(_ref.c.item_id == item.id))).mappings().all()
        for ref in refs:
            await withdraw(
                session,
                ref["organisation_id"],
                SourceKind(ref["kind"]),
                ref["external_id"],
                reason=reason[:200],
            )
        await session.refresh(item)
        item.status, item.updated_at = ItemStatus.WITHDRAWN.value, datetime.now(UTC)
        session.add(item)
        record_action(
            session,
            viewer,
            "item.withdraw",
            f"FeedItem:{item.id}",
            organisation_id=item.organisation_id,
            before={"status": before},
            after={"status": item.status, "reason": reason},
        )
        await session.flush()
        return record_of(item)


@dataclass(frozen=True, slots=True)
class Announcement:
    title: str
    body: str
    kind: ItemKind | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool = False
    place: str | None = None
    categories: tuple[str, ...] = ()


def check_announcement(announcement: Announcement) -> None:
    """Refuse what cannot be posted, naming the input field at fault."""
    _check(
        {"title": announcement.title, "starts_at": announcement.starts_at, "ends_at": announcement.ends_at}
    )
    if not announcement.body.strip():
        raise FieldError("body", "본문이 비어 있습니다 / The body is empty")
    if announcement.starts_at is None and (announcement.ends_at or announcement.place):
        raise FieldError(
            "startsAt", "장소나 끝 시간에는 시작 시간이 필요합니다 / A place or end needs a start"
        )
    if announcement.starts_at and announcement.ends_at and announcement.ends_at < announcement.starts_at:
        raise FieldError("endsAt", "끝나는 시간이 시작보다 빠릅니다 / The end is before the start")


async def announce_in_session(
    session: AsyncSession, viewer: Viewer, organisation: OrganisationRecord, announcement: Announcement
) -> FeedItem:
    """Post a checked announcement inside the caller's transaction, through the pipeline as a MANUAL
    source like everything else. The caller checks permission and records the audit entry."""
    now = datetime.now(UTC)
    event = (
        StructuredEvent(
            announcement.starts_at, announcement.ends_at, announcement.all_day, announcement.place
        )
        if announcement.starts_at
        else None
    )
    post = RawPost(
        source_kind=SourceKind.MANUAL,
        external_id=f"manual-{uuid.uuid4().hex}",
        posted_at=now,
        title=announcement.title.strip(),
        body=announcement.body,
        author_is_staff=True,
        event=event,
        payload={"categories": list(announcement.categories), "author": viewer.label},
    )
    if announcement.categories:
        known = await _category_slugs(session, list(announcement.categories))
        unknown = [s for s in announcement.categories if s not in known]
        if unknown:
            raise FieldError(
                "categories", f"알 수 없는 분류입니다: {', '.join(unknown)} / Unknown categories"
            )
    result = await ingest_in_session(session, organisation, post, review_non_staff=False)
    assert result.item_id is not None
    item = await session.get(FeedItem, result.item_id)
    assert item is not None
    if announcement.kind is not None and item.kind != announcement.kind.value:
        item.kind = announcement.kind.value
        session.add(item)
        await _remember(session, viewer, result.item_id, "kind", announcement.kind)
    return item


async def post_announcement(
    db: Database, viewer: Viewer, organisation: OrganisationRecord, announcement: Announcement
) -> FeedItemRecord:
    """A staff-written post, through the pipeline as a MANUAL source like everything else."""
    require_organisation(viewer, organisation.id, ApiScope.ITEMS)
    check_announcement(announcement)
    async with db.write() as session:
        item = await announce_in_session(session, viewer, organisation, announcement)
        record_action(
            session,
            viewer,
            "item.announce",
            f"FeedItem:{item.id}",
            organisation_id=organisation.id,
            after={"title": item.title, "kind": item.kind, "starts_at": item.starts_at},
        )
        await session.flush()
        return record_of(item)
