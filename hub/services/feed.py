"""The public feed: filtered, ordered, keyset-paginated reads of published items, and batch lookups."""

from __future__ import annotations

import enum
import math
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from hub.db import Database
from hub.enums import PUBLIC_STATUSES, ItemKind
from hub.errors import InvalidInput
from hub.models import (
    Area,
    Category,
    FeedItem,
    FeedItemCategory,
    FeedItemCoHost,
    FeedItemSource,
    Organisation,
    Place,
)
from hub.pagination import Page, decode_cursor, encode_cursor, page_size
from hub.records import CategoryRecord, FeedItemRecord, SourceRefRecord
from org_connectors import SourceKind

_item = FeedItem.__table__  # type: ignore[attr-defined]
_source = FeedItemSource.__table__  # type: ignore[attr-defined]
_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]
_category = Category.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_area = Area.__table__  # type: ignore[attr-defined]
_place = Place.__table__  # type: ignore[attr-defined]
_cohost = FeedItemCoHost.__table__  # type: ignore[attr-defined]

KM_PER_DEGREE = 111.32
MAX_RADIUS_KM = 200.0
MAX_FILTER_VALUES = 50


class FeedOrder(enum.StrEnum):
    NEWEST = "NEWEST"  # most recently posted first
    UPCOMING = "UPCOMING"  # next start first; past events left out unless startsAfter says otherwise


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lng: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class FeedQuery:
    areas: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    kinds: tuple[ItemKind, ...] = ()
    source_kinds: tuple[SourceKind, ...] = ()
    text: str | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    near: Near | None = None
    order: FeedOrder = FeedOrder.NEWEST
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def validate(self) -> None:
        for name, values in (
            ("areas", self.areas),
            ("organisations", self.organisations),
            ("categories", self.categories),
        ):
            if len(values) > MAX_FILTER_VALUES:
                raise InvalidInput(
                    f"{name} 값은 {MAX_FILTER_VALUES}개까지입니다 / at most {MAX_FILTER_VALUES} {name}"
                )
        if self.near is not None:
            if not (-90 <= self.near.lat <= 90 and -180 <= self.near.lng <= 180):
                raise InvalidInput("near 좌표가 범위를 벗어났습니다 / near: coordinates out of range")
            if not 0 < self.near.radius_km <= MAX_RADIUS_KM:
                raise InvalidInput(
                    f"radiusKm은 0보다 크고 {MAX_RADIUS_KM:g} 이하여야 합니다 / "
                    f"radiusKm must be in (0, {MAX_RADIUS_KM:g}]"
                )
        if self.starts_after and self.starts_before and self.starts_after > self.starts_before:
            raise InvalidInput("startsAfter가 startsBefore보다 늦습니다 / startsAfter is after startsBefore")


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(query: FeedQuery) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [_item.c.status.in_([s.value for s in PUBLIC_STATUSES])]
    if query.areas:
        clauses.append(_item.c.area_id.in_(select(_area.c.id).where(_area.c.slug.in_(query.areas))))
    if query.organisations:
        clauses.append(
            _item.c.organisation_id.in_(select(_org.c.id).where(_org.c.slug.in_(query.organisations)))
        )
    if query.kinds:
        clauses.append(_item.c.kind.in_([k.value for k in query.kinds]))
    if query.categories:
        clauses.append(
            exists(
                select(1)
                .select_from(_item_category.join(_category, _category.c.id == _item_category.c.category_id))
                .where(_item_category.c.item_id == _item.c.id, _category.c.slug.in_(query.categories))
            )
        )
    if query.source_kinds:
        clauses.append(
            exists(
                select(1).where(
                    _source.c.item_id == _item.c.id, _source.c.kind.in_([k.value for k in query.source_kinds])
                )
            )
        )
    if query.text:
        for term in unicodedata.normalize("NFC", query.text).split():
            pattern = f"%{_escape_like(term)}%"
            clauses.append(
                or_(_item.c.title.ilike(pattern, escape="\\"), _item.c.body.ilike(pattern, escape="\\"))
            )
    if query.starts_after is not None:
        clauses.append(_item.c.starts_at >= query.starts_after)
    if query.starts_before is not None:
        clauses.append(_item.c.starts_at < query.starts_before)
    if query.near is not None:
        clauses.append(_item.c.place_id.in_(_places_within(query.near)))
    if query.order is FeedOrder.UPCOMING:
        clauses.append(_item.c.starts_at.is_not(None))
        if query.starts_after is None:
            # Still running counts as upcoming: an exhibition that started last week is on today.
            clauses.append(or_(_item.c.ends_at >= query.now, _item.c.starts_at >= query.now))
    return clauses


def _places_within(near: Near) -> Select[tuple[int]]:
    """Places with coordinates within the radius (equirectangular: exact enough at city scale)."""
    lat_span = near.radius_km / KM_PER_DEGREE
    lng_scale = math.cos(math.radians(near.lat))
    lng_span = near.radius_km / (KM_PER_DEGREE * max(lng_scale, 0.01))
    dy = _place.c.lat - near.lat
    dx = (_place.c.lng - near.lng) * lng_scale
    return select(_place.c.id).where(
        _place.c.lat.between(near.lat - lat_span, near.lat + lat_span),
        _place.c.lng.between(near.lng - lng_span, near.lng + lng_span),
        (dx * dx + dy * dy) * (KM_PER_DEGREE * KM_PER_DEGREE) <= near.radius_km * near.radius_km,
    )


def _keyset(
    query: FeedQuery, after: str | None
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[object]]]:
    if query.order is FeedOrder.UPCOMING:
        order_by: list[ColumnElement[object]] = [_item.c.starts_at.asc(), _item.c.id.asc()]
        if after is None:
            return [], order_by
        start_iso, item_id = decode_cursor("feed:UPCOMING", after)
        start = datetime.fromisoformat(start_iso)
        return [
            or_(_item.c.starts_at > start, and_(_item.c.starts_at == start, _item.c.id > item_id))
        ], order_by
    order_by = [_item.c.posted_at.desc(), _item.c.id.desc()]
    if after is None:
        return [], order_by
    posted_iso, item_id = decode_cursor("feed:NEWEST", after)
    posted = datetime.fromisoformat(posted_iso)
    return [
        or_(_item.c.posted_at < posted, and_(_item.c.posted_at == posted, _item.c.id < item_id))
    ], order_by


def _cursor(order: FeedOrder, item: FeedItemRecord) -> str:
    if order is FeedOrder.UPCOMING:
        assert item.starts_at is not None
        return encode_cursor("feed:UPCOMING", [item.starts_at.isoformat(), item.id])
    return encode_cursor("feed:NEWEST", [item.posted_at.isoformat(), item.id])


async def feed_page(
    db: Database, query: FeedQuery, *, first: int | None = None, after: str | None = None
) -> Page[FeedItemRecord]:
    """One page of public items. Cursors are keys, not offsets: new items never shift a page."""
    limit = page_size(first)
    query.validate()
    after_clauses, order_by = _keyset(query, after)
    statement = select(_item).where(*_filters(query), *after_clauses).order_by(*order_by).limit(limit + 1)
    async with db.read() as conn:
        rows = [FeedItemRecord.from_row(row) for row in (await conn.execute(statement)).mappings()]
    items = rows[:limit]
    return Page(
        items=items,
        cursors=[_cursor(query.order, item) for item in items],
        has_next_page=len(rows) > limit,
        has_previous_page=after is not None,
    )


async def items_by_ids(
    db: Database, ids: Sequence[int], *, public_only: bool = True
) -> dict[int, FeedItemRecord]:
    statement = select(_item).where(_item.c.id.in_(set(ids)))
    if public_only:
        statement = statement.where(_item.c.status.in_([s.value for s in PUBLIC_STATUSES]))
    async with db.read() as conn:
        return {row["id"]: FeedItemRecord.from_row(row) for row in (await conn.execute(statement)).mappings()}


async def categories_by_item_ids(db: Database, ids: Sequence[int]) -> dict[int, list[CategoryRecord]]:
    statement = (
        select(_item_category.c.item_id, _category)
        .join(_category, _category.c.id == _item_category.c.category_id)
        .where(_item_category.c.item_id.in_(set(ids)))
        .order_by(_category.c.position, _category.c.id)
    )
    found: dict[int, list[CategoryRecord]] = defaultdict(list)
    async with db.read() as conn:
        for row in (await conn.execute(statement)).mappings():
            found[row["item_id"]].append(CategoryRecord.from_row(row))
    return found


async def sources_by_item_ids(db: Database, ids: Sequence[int]) -> dict[int, list[SourceRefRecord]]:
    statement = (
        select(_source).where(_source.c.item_id.in_(set(ids))).order_by(_source.c.posted_at, _source.c.id)
    )
    found: dict[int, list[SourceRefRecord]] = defaultdict(list)
    async with db.read() as conn:
        for row in (await conn.execute(statement)).mappings():
            found[row["item_id"]].append(SourceRefRecord.from_row(row))
    return found


async def list_categories(db: Database) -> list[CategoryRecord]:
    async with db.read() as conn:
        rows = (
            await conn.execute(select(_category).order_by(_category.c.position, _category.c.id))
        ).mappings()
        return [CategoryRecord.from_row(row) for row in rows]


async def cohost_ids_by_item_ids(db: Database, ids: Sequence[int]) -> dict[int, list[int]]:
    statement = (
        select(_cohost.c.item_id, _cohost.c.organisation_id)
        .where(_cohost.c.item_id.in_(set(ids)))
        .order_by(_cohost.c.organisation_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    async with db.read() as conn:
        for item_id, organisation_id in (await conn.execute(statement)).all():
            found[item_id].append(organisation_id)
    return found
