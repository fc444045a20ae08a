"""The public feed: filtered, ordered, keyset-paginated reads of published items, and batch lookups.

Orders: NEWEST (posted), UPCOMING (next start), NEAREST (distance from `near`), RELEVANCE (search rank
for `text`). Every order has its own cursor scope, so a cursor from one order is refused by another.
Search uses `hub.search` tokens: SQLite FTS5 over `feed_item_fts`, PostgreSQL `to_tsvector('simple')`
with a GIN index; both receive the same terms and so give the same ids.
"""

from __future__ import annotations

import enum
import hashlib
import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    Select,
    and_,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from hub.db import Database
from hub.enums import PUBLIC_STATUSES, ItemKind
from hub.errors import InvalidInput
from hub.models import (
    Area,
    Category,
    Collection,
    CollectionItem,
    FeedItem,
    FeedItemCategory,
    FeedItemSource,
    Organisation,
    Place,
)
from hub.pagination import Page, decode_cursor, encode_cursor, page_size
from hub.records import CategoryRecord, FeedItemRecord
from hub.search import MAX_QUERY_CHARS, Term, fts5_query, query_terms, tsquery
from hub.services.item_relations import Related, fetch_related
from org_connectors import SourceKind

_item = FeedItem.__table__  # type: ignore[attr-defined]
_source = FeedItemSource.__table__  # type: ignore[attr-defined]
_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]
_category = Category.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_area = Area.__table__  # type: ignore[attr-defined]
_place = Place.__table__  # type: ignore[attr-defined]

# What `FeedItemRecord` reads: not the search tokens or the history, which are long and unused here.
_RECORD_COLUMNS: list[ColumnElement[Any]] = [
    c for c in _item.c if c.name not in {"search_tokens", "history", "created_at"}
]

KM_PER_DEGREE = 111.32
MAX_RADIUS_KM = 200.0
MAX_FILTER_VALUES = 50
MAX_CALENDAR_DAYS = 62
MAX_PER_DAY = 100
DEFAULT_PER_DAY = 20
_PUBLIC = [s.value for s in PUBLIC_STATUSES]
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


class FeedOrder(enum.StrEnum):
    NEWEST = "NEWEST"  # most recently posted first
    UPCOMING = "UPCOMING"  # next start first; past events left out unless startsAfter says otherwise
    NEAREST = "NEAREST"  # closest to `near` first; needs `near`
    RELEVANCE = "RELEVANCE"  # best search match first; needs `text`


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
    collection: str | None = None  # slug of a published facilitators' collection
    order: FeedOrder = FeedOrder.NEWEST
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def terms(self) -> tuple[Term, ...]:
        return query_terms(self.text) if self.text is not None else ()

    def validate(self) -> None:
        for name, values in (
            ("areas", self.areas),
            ("organisations", self.organisations),
            ("categories", self.categories),
            ("kinds", self.kinds),
            ("sourceKinds", self.source_kinds),
        ):
            if len(values) > MAX_FILTER_VALUES:
                raise InvalidInput(
                    f"{name} 값은 {MAX_FILTER_VALUES}개까지입니다 / at most {MAX_FILTER_VALUES} {name}"
                )
        if self.text is not None:
            if len(self.text) > MAX_QUERY_CHARS:
                raise InvalidInput(
                    f"검색어는 {MAX_QUERY_CHARS}자까지입니다 / text: at most {MAX_QUERY_CHARS} characters"
                )
            if not self.terms:
                raise InvalidInput(
                    "검색어가 비어 있습니다. 글자나 숫자를 넣으세요 / "
                    "text: the search has no letters or digits"
                )
        if self.near is not None:
            if not all(math.isfinite(v) for v in (self.near.lat, self.near.lng, self.near.radius_km)):
                raise InvalidInput("near 값이 숫자가 아닙니다 / near: values must be finite numbers")
            if not (-90 <= self.near.lat <= 90 and -180 <= self.near.lng <= 180):
                raise InvalidInput("near 좌표가 범위를 벗어났습니다 / near: coordinates out of range")
            if not 0 < self.near.radius_km <= MAX_RADIUS_KM:
                raise InvalidInput(
                    f"radiusKm은 0보다 크고 {MAX_RADIUS_KM:g} 이하여야 합니다 / "
                    f"radiusKm must be in (0, {MAX_RADIUS_KM:g}]"
                )
        if self.starts_after and self.starts_before and self.starts_after > self.starts_before:
            raise InvalidInput("startsAfter가 startsBefore보다 늦습니다 / startsAfter is after startsBefore")
        if self.order is FeedOrder.NEAREST and self.near is None:
            raise InvalidInput("NEAREST 정렬에는 near가 필요합니다 / orderBy NEAREST needs filter.near")
        if self.order is FeedOrder.RELEVANCE and self.text is None:
            raise InvalidInput("RELEVANCE 정렬에는 text가 필요합니다 / orderBy RELEVANCE needs filter.text")


# Public statuses. On SQLite `status || ''` keeps the planner off the (status, …) indexes: with three
# statuses they cannot give the order, and a page of 20 would sort the whole table (330 ms at 100k
# items) instead of walking (posted_at, id) or (starts_at, id) and stopping (0.3 ms). Built once: every
# page uses one, and building the expression costs more than running it.
_PUBLIC_UNINDEXED: ColumnElement[bool] = (_item.c.status + "").in_(_PUBLIC)
_PUBLIC_INDEXED: ColumnElement[bool] = _item.c.status.in_(_PUBLIC)


def _public(dialect: str) -> ColumnElement[bool]:
    return _PUBLIC_UNINDEXED if dialect == "sqlite" else _PUBLIC_INDEXED


def _search_clause(
    dialect: str, terms: tuple[Term, ...], hit_ids: Sequence[int] | None = None
) -> ColumnElement[bool]:
    if hit_ids is not None:
        listed: ColumnElement[bool] = _item.c.id.in_(hit_ids)
        return listed
    if dialect == "sqlite":
        hits = text("SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :fts_match").bindparams(
            fts_match=fts5_query(terms)
        )
        # `id + 0`: SQLite must not look up every hit by rowid and sort them all; it walks the order
        # index instead and probes the hits, stopping after one page (a common word: thousands of hits).
        found: ColumnElement[bool] = (_item.c.id + 0).in_(hits.columns(rowid=Integer))
        return found
    vector = func.to_tsvector(_SIMPLE, _item.c.search_tokens)
    clause: ColumnElement[bool] = vector.op("@@")(func.to_tsquery(_SIMPLE, tsquery(terms)))
    return clause


def _filters(
    query: FeedQuery, dialect: str, hit_ids: Sequence[int] | None = None
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [_public(dialect)]
    if query.collection is not None:
        entry, collection = CollectionItem.__table__, Collection.__table__  # type: ignore[attr-defined]
        clauses.append(
            _item.c.id.in_(
                select(entry.c.item_id)
                .join(collection, collection.c.id == entry.c.collection_id)
                .where(collection.c.slug == query.collection, collection.c.status == "PUBLISHED")
            )
        )
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
    if query.terms and query.order is not FeedOrder.RELEVANCE:  # RELEVANCE joins the hits instead
        clauses.append(_search_clause(dialect, query.terms, hit_ids))
    if query.starts_after is not None:
        clauses.append(_item.c.starts_at >= query.starts_after)
    if query.starts_before is not None:
        clauses.append(_item.c.starts_at < query.starts_before)
    if query.near is not None and query.order is not FeedOrder.NEAREST:  # NEAREST joins the place
        place = _item.c.place_id + 0 if dialect == "sqlite" else _item.c.place_id  # as `id + 0` above
        clauses.append(place.in_(select(_place.c.id).where(*_within(query.near))))
    # UPCOMING: every part of `_upcoming` bounds starts_at (so no `IS NOT NULL`, which SQLite would read
    # as a range over the whole (starts_at) index); with startsAfter the bound above does.
    return clauses


def _distance_sq(near: Near) -> ColumnElement[float]:
    """Squared distance in km² (equirectangular: exact enough at city scale)."""
    lng_scale = math.cos(math.radians(near.lat))
    dy = (_place.c.lat - near.lat) * KM_PER_DEGREE
    dx = (_place.c.lng - near.lng) * (KM_PER_DEGREE * lng_scale)
    squared: ColumnElement[float] = dx * dx + dy * dy
    return squared


def _within(near: Near) -> list[ColumnElement[bool]]:
    """Places with coordinates inside the circle; a bounding box first so an index could help."""
    lat_span = near.radius_km / KM_PER_DEGREE
    lng_span = near.radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(near.lat)), 0.01))
    return [
        _place.c.lat.between(near.lat - lat_span, near.lat + lat_span),
        _place.c.lng.between(near.lng - lng_span, near.lng + lng_span),
        _distance_sq(near) <= near.radius_km * near.radius_km,
    ]


def _cursor_scope(query: FeedQuery) -> str:
    """One scope per order; NEAREST and RELEVANCE keys only make sense for the same point or words."""
    if query.order is FeedOrder.NEAREST and query.near is not None:
        return f"feed:NEAREST:{query.near.lat:.6f},{query.near.lng:.6f}"
    if query.order is FeedOrder.RELEVANCE:
        digest = hashlib.sha1(repr(query.terms).encode(), usedforsecurity=False).hexdigest()[:12]
        return f"feed:RELEVANCE:{digest}"
    return f"feed:{query.order.value}"


# SQLite: a search with at most this many hits lists them; with more, it walks the order index.
HIT_LIST_LIMIT = 2000
# RELEVANCE ranks the most recently stored matches, at most this many (the same window on both
# databases: FTS5 rowids and PostgreSQL ids are the item ids). Ranking every match of a common word
# costs ~1.3 s at 1,000,000 items; residents look for what is current, and a cap keeps one anonymous
# query from costing that.
RANKED_WINDOW = 2000


def _sqlite_hits(connection: Connection, query: FeedQuery) -> list[int] | None:
    """The ids matching a search when there are few (None when many, or not SQLite, or no search).

    SQLite's planner cannot tell a rare word from a common one: with every hit listed it sorts them
    (fast when few), else it walks the (posted_at) or (starts_at) index and stops after one page.
    """
    if (
        connection.dialect.name != "sqlite"
        or not query.terms
        or query.order in {FeedOrder.RELEVANCE, FeedOrder.NEAREST}
    ):
        return None
    found = text("SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :fts_match LIMIT :limit")
    rows = connection.execute(found, {"fts_match": fts5_query(query.terms), "limit": HIT_LIST_LIMIT + 1})
    ids = [row[0] for row in rows]
    return ids if len(ids) <= HIT_LIST_LIMIT else None


def _records_and(key: ColumnElement[Any]) -> Select[Any]:
    """The record's columns and the order key that goes into cursors."""
    statement: Select[Any] = select(*_RECORD_COLUMNS, key.label("order_key"))
    return statement


def _statement(
    query: FeedQuery, dialect: str, after: str | None, limit: int, hit_ids: Sequence[int] | None = None
) -> Select[Any]:
    """The page query; its second column is the order key that goes into cursors."""
    clauses = _filters(query, dialect, hit_ids)
    key: ColumnElement[Any]
    statement: Select[Any]
    if query.order is FeedOrder.RELEVANCE:
        if dialect == "sqlite":
            # bm25(): smaller is better. Read inside the FTS5 query, joined back by rowid; FTS5 walks its
            # rowids backwards and stops at the window, so only the window is scored.
            hits = (
                text(
                    "SELECT rowid AS item_id, bm25(feed_item_fts) AS score FROM feed_item_fts "
                    "WHERE feed_item_fts MATCH :fts_match ORDER BY rowid DESC LIMIT :ranked_window"
                )
                .bindparams(fts_match=fts5_query(query.terms), ranked_window=RANKED_WINDOW)
                .columns(item_id=Integer, score=Float)
                .subquery("hits")
            )
            key = hits.c.score
            statement = _records_and(key).join(hits, hits.c.item_id == _item.c.id)
        else:
            vector = func.to_tsvector(_SIMPLE, _item.c.search_tokens)
            tsq = func.to_tsquery(_SIMPLE, tsquery(query.terms))
            key = -func.ts_rank(vector, tsq)
            window = select(_item.c.id).where(vector.op("@@")(tsq)).order_by(_item.c.id.desc())
            clauses.append(_item.c.id.in_(window.limit(RANKED_WINDOW)))
            statement = _records_and(key)
        ascending = True
    elif query.order is FeedOrder.NEAREST:
        assert query.near is not None
        key = _distance_sq(query.near)
        statement = _records_and(key).join(_place, _place.c.id == _item.c.place_id)
        clauses.extend(_within(query.near))
        ascending = True
    elif query.order is FeedOrder.UPCOMING:
        key, ascending = _item.c.starts_at, True
        statement = _records_and(key)
    else:
        key, ascending = _item.c.posted_at, False
        statement = _records_and(key)
    if after is not None:
        raw_key, item_id = decode_cursor(_cursor_scope(query), after)
        if not isinstance(item_id, int):
            raise InvalidInput("잘못된 커서입니다 / Invalid cursor")
        value = datetime.fromisoformat(raw_key) if isinstance(raw_key, str) else float(raw_key)
        if ascending:
            clauses.append(or_(key > value, and_(key == value, _item.c.id > item_id)))
        else:
            clauses.append(or_(key < value, and_(key == value, _item.c.id < item_id)))
    order_by = [key.asc(), _item.c.id.asc()] if ascending else [key.desc(), _item.c.id.desc()]
    if query.order is FeedOrder.UPCOMING and query.starts_after is None:
        return _upcoming(statement, clauses, query.now, limit)
    return statement.where(*clauses).order_by(*order_by).limit(limit)


def _upcoming(
    statement: Select[Any], clauses: list[ColumnElement[bool]], now: datetime, limit: int
) -> Select[Any]:
    """Upcoming = still running (started, not ended: an exhibition that opened last week is on today)
    then not yet started, each part from its own index and stopping after one page.

    One condition `ends_at >= now OR starts_at >= now` cannot use an index and walks every past event
    (1.9 s at 1,000,000 items). Here the running part reads the (status, ends_at, starts_at) index from
    now on: only items that end in the future, without visiting their rows; the rest walks (starts_at).
    """
    order = [_item.c.starts_at.asc(), _item.c.id.asc()]
    # coalesce(x, x): the same value, but not a range SQLite could walk the (starts_at) index for.
    started = func.coalesce(_item.c.starts_at, _item.c.starts_at) < now
    running = (
        statement.where(*clauses, _item.c.status.in_(_PUBLIC), _item.c.ends_at >= now, started)
        .order_by(*order)
        .limit(limit)
    )
    starting = statement.where(*clauses, _item.c.starts_at >= now).order_by(*order).limit(limit)
    both = union_all(running.subquery().select(), starting.subquery().select()).subquery("upcoming")
    page: Select[Any] = select(both).order_by(both.c.order_key, both.c.id).limit(limit)
    return page


def _cursor_key(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else float(value)


def _read_page(
    connection: Connection, query: FeedQuery, after: str | None, limit: int, *, related: bool
) -> tuple[Page[FeedItemRecord], Related | None]:
    dialect = connection.dialect.name
    statement = _statement(query, dialect, after, limit + 1, _sqlite_hits(connection, query))
    rows = list(connection.execute(statement).mappings())
    scope = _cursor_scope(query)
    page_rows = rows[:limit]
    page = Page(
        items=[FeedItemRecord.from_row(row) for row in page_rows],
        cursors=[encode_cursor(scope, [_cursor_key(row["order_key"]), row["id"]]) for row in page_rows],
        has_next_page=len(rows) > limit,
        has_previous_page=after is not None,
    )
    return page, fetch_related(connection, page.items) if related else None


async def feed_page(
    db: Database, query: FeedQuery, *, first: int | None = None, after: str | None = None
) -> Page[FeedItemRecord]:
    """One page of public items. Cursors are keys, not offsets: new items never shift a page."""
    limit = page_size(first)
    query.validate()
    page, _ = await db.run_read(lambda connection: _read_page(connection, query, after, limit, related=False))
    return page


async def feed_page_related(
    db: Database, query: FeedQuery, *, first: int | None = None, after: str | None = None
) -> tuple[Page[FeedItemRecord], Related]:
    """`feed_page` and what its items point at, in one read (the graph's glance page)."""
    limit = page_size(first)
    query.validate()
    page, related = await db.run_read(
        lambda connection: _read_page(connection, query, after, limit, related=True)
    )
    assert related is not None
    return page, related


def _read_items(connection: Connection, query: FeedQuery, limit: int) -> list[FeedItemRecord]:
    statement = _statement(query, connection.dialect.name, None, limit, _sqlite_hits(connection, query))
    return [FeedItemRecord.from_row(row) for row in connection.execute(statement).mappings()]


async def feed_items(db: Database, query: FeedQuery, *, limit: int) -> list[FeedItemRecord]:
    """Up to `limit` items in the query's order, for exports (no page-size cap, no cursor)."""
    query.validate()
    return await db.run_read(lambda connection: _read_items(connection, query, limit))


async def matching_items(db: Database, query: FeedQuery, ids: Sequence[int]) -> list[FeedItemRecord]:
    """Those of `ids` that are public and meet the query's filters (live updates), oldest first."""
    if not ids:
        return []
    filters = _filters(FeedQuery(**{**_fields(query), "order": FeedOrder.NEWEST}), db.dialect)
    statement = select(_item).where(_item.c.id.in_(set(ids)), *filters).order_by(_item.c.id)
    async with db.read() as conn:
        return [FeedItemRecord.from_row(row) for row in (await conn.execute(statement)).mappings()]


def _fields(query: FeedQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in FeedQuery.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    items: list[FeedItemRecord]
    total: int


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


async def calendar(
    db: Database,
    query: FeedQuery,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    *,
    per_day: int = DEFAULT_PER_DAY,
) -> list[CalendarDay]:
    """Every day from `first_day` to `last_day` (inclusive, in `zone`) with the items on it.

    An item is on each day its [start, end) interval touches; without an end it is on its start day.
    Each day lists at most `per_day` items by start time and says how many there are in all.
    """
    if last_day < first_day:
        raise InvalidInput("to가 from보다 이릅니다 / calendar: `to` is before `from`")
    days = (last_day - first_day).days + 1
    if days > MAX_CALENDAR_DAYS:
        raise InvalidInput(
            f"달력은 한 번에 {MAX_CALENDAR_DAYS}일까지입니다 (요청: {days}일) / "
            f"calendar: at most {MAX_CALENDAR_DAYS} days per request (asked for {days})"
        )
    if not 1 <= per_day <= MAX_PER_DAY:
        raise InvalidInput(
            f"perDay는 1에서 {MAX_PER_DAY} 사이여야 합니다 / perDay must be between 1 and {MAX_PER_DAY}"
        )
    query = FeedQuery(**{**_fields(query), "order": FeedOrder.NEWEST})
    query.validate()
    bounds = [_local_midnight(first_day + timedelta(days=n), zone) for n in range(days + 1)]
    return await db.run_read(lambda connection: _read_calendar(connection, query, first_day, bounds, per_day))


def _read_calendar(
    connection: Connection, query: FeedQuery, first_day: date, bounds: list[datetime], per_day: int
) -> list[CalendarDay]:
    """`bounds` are the UTC instants of each local midnight from `first_day` to the day after the last."""
    days = len(bounds) - 1
    start, end = bounds[0], bounds[-1]
    # Two index ranges: items starting in the window, and earlier ones still running into it.
    starting = select(_item.c.id).where(
        _item.c.status.in_(_PUBLIC), _item.c.starts_at >= start, _item.c.starts_at < end
    )
    # No `starts_at < start` here: the planner would walk every past start instead of the few ends.
    running = select(_item.c.id).where(_item.c.status.in_(_PUBLIC), _item.c.ends_at > start)
    candidates = (
        select(_item.c.id, _item.c.starts_at, _item.c.ends_at)
        .where(
            _item.c.id.in_(union(starting, running)),
            _item.c.starts_at < end,
            *_filters(query, connection.dialect.name),
        )
        .order_by(_item.c.starts_at, _item.c.id)
    )
    on_day: list[list[int]] = [[] for _ in range(days)]
    for item_id, starts_at, ends_at in connection.execute(candidates).all():
        first = max(bisect_right(bounds, starts_at) - 1, 0)
        # The end is exclusive: an item ending at midnight is not on the next day.
        last = bisect_left(bounds, ends_at) - 1 if ends_at is not None and ends_at > starts_at else first
        for n in range(first, min(last, days - 1) + 1):
            on_day[n].append(item_id)
    shown = {item_id for ids in on_day for item_id in ids[:per_day]}
    records: dict[int, FeedItemRecord] = {}
    if shown:
        rows = connection.execute(select(*_RECORD_COLUMNS).where(_item.c.id.in_(shown))).mappings()
        records = {row["id"]: FeedItemRecord.from_row(row) for row in rows}
    return [
        CalendarDay(first_day + timedelta(days=n), [records[i] for i in ids[:per_day]], len(ids))
        for n, ids in enumerate(on_day)
    ]


async def items_by_ids(
    db: Database, ids: Sequence[int], *, public_only: bool = True
) -> dict[int, FeedItemRecord]:
    statement = select(_item).where(_item.c.id.in_(set(ids)))
    if public_only:
        statement = statement.where(_item.c.status.in_([s.value for s in PUBLIC_STATUSES]))
    async with db.read() as conn:
        return {row["id"]: FeedItemRecord.from_row(row) for row in (await conn.execute(statement)).mappings()}


async def list_categories(db: Database) -> list[CategoryRecord]:
    async with db.read() as conn:
        rows = (
            await conn.execute(select(_category).order_by(_category.c.position, _category.c.id))
        ).mappings()
        return [CategoryRecord.from_row(row) for row in rows]
