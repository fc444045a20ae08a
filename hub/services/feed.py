"""The public feed: filtered, ordered, keyset-paginated reads of published items, and batch lookups.

Orders: NEWEST (posted), UPCOMING (next start), NEAREST (distance from `near`), RELEVANCE (how many of
the words of `text` the title holds, then newest). Every order has its own cursor scope, so a cursor
from one order is refused by another. Search uses `hub.search` tokens: SQLite FTS5 over `feed_item_fts`,
PostgreSQL `to_tsvector('simple')` with a GIN index; both receive the same terms and so give the same
ids, and the same ranked order.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import hashlib
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Column,
    Connection,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.types import TypeEngine

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
from hub.records import FeedItemRecord
from hub.search import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    SEARCH_KEY_ID_MASK,
    SEARCH_KEY_SHIFT,
    Term,
    fts5_query,
    fts5_title_all_query,
    fts5_title_query,
    query_terms,
    search_key,
    tsquery,
    tsquery_term,
)
from hub.services.item_relations import EVERYTHING, Related, Wanted, fetch_related
from hub.services.prepared import Prepared, in_ids, record_columns
from org_connectors import SourceKind

_item = FeedItem.__table__  # type: ignore[attr-defined]
_source = FeedItemSource.__table__  # type: ignore[attr-defined]
_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]
_category = Category.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_area = Area.__table__  # type: ignore[attr-defined]
_place = Place.__table__  # type: ignore[attr-defined]

# What `FeedItemRecord` reads, in its field order (`from_values`): not the search tokens or the history,
# which are long and unused here.
_RECORD_COLUMNS: list[Column[Any]] = record_columns(_item, FeedItemRecord)

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
    RELEVANCE = "RELEVANCE"  # most of the words in the title first, then newest; needs `text`


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
# items) instead of walking (posted_at, id) or (starts_at, id) and stopping (0.3 ms). The statuses are
# constants of the statement, not a list that expands on every execution (see hub.services.prepared).
_PUBLIC_UNINDEXED: ColumnElement[bool] = (_item.c.status + "").in_([literal(s) for s in _PUBLIC])
_PUBLIC_INDEXED: ColumnElement[bool] = _item.c.status.in_([literal(s) for s in _PUBLIC])


def _public(dialect: str) -> ColumnElement[bool]:
    return _PUBLIC_UNINDEXED if dialect == "sqlite" else _PUBLIC_INDEXED


# Statement templates. A page's SQL text depends only on the query's shape (dialect, order, which
# filters are set and how many values each list has, a cursor or not, how a search narrows it); every
# value is a named bind parameter. `_filter_plan` and `_page_plan` are the one place that reads a query
# and give the shape and the values; `_filter_clauses` and `_page_statement` build the statement of a
# shape, once (`_page_template`): building the UPCOMING union costs 2-3 ms, running it 0.6 ms.
TEMPLATE_CACHE_SIZE = 256


class _Search(enum.Enum):
    """How a search narrows a page that is not ordered by relevance."""

    HIT_LIST = "hit list"  # SQLite with few hits: their ids (see `_sqlite_hits`)
    MATCH = "match"  # FTS5 MATCH on SQLite, tsquery on PostgreSQL
    POSTED = "posted"  # SQLite, newest first: the FTS5 index walked in posting order (`_posted_walk`)


@dataclass(frozen=True, slots=True)
class _FilterShape:
    dialect: str
    collection: bool
    areas: int  # how many slugs; likewise below
    organisations: int
    categories: int
    kinds: int
    source_kinds: int
    search: _Search | None
    starts_after: bool
    starts_before: bool
    near: bool  # within a circle (the NEAREST order joins the place instead)


@dataclass(frozen=True, slots=True)
class _PageShape:
    filters: _FilterShape
    order: FeedOrder
    after: bool
    # SQLite RELEVANCE with no filter but the words: a first, cheaper read (`_read_page`)
    ranked_read: _RankedRead | None = None
    terms: int = 0  # RELEVANCE: how many words, each counted in the title


class _RankedRead(enum.Enum):
    """The reads that may answer a RELEVANCE page before the whole statement (SQLite, words only)."""

    # Hits whose title holds every word, newest first: they rank above every other hit, so when they
    # fill the page nothing else is read (a page in ~0.5 ms instead of ~1.8 at 1,000,000 items).
    TITLED = "titled"
    # The window ranked inside FTS5, after the cursor; only the best hits are joined to their items.
    BEST = "best"


def _listed(values: dict[str, Any], prefix: str, items: Sequence[str]) -> int:
    """One value per element (`prefix_0`, `prefix_1`, …); the count goes into the shape."""
    values.update({f"{prefix}_{n}": item for n, item in enumerate(items)})
    return len(items)


def _search_values(terms: tuple[Term, ...], dialect: str) -> dict[str, str]:
    return {"fts_match": fts5_query(terms)} if dialect == "sqlite" else {"tsquery": tsquery(terms)}


def _near_values(near: Near) -> dict[str, float]:
    """A bounding box around `near` (so an index could help), then the circle; equirectangular
    distances, exact enough at city scale."""
    lat_span = near.radius_km / KM_PER_DEGREE
    lng_span = near.radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(near.lat)), 0.01))
    return {
        "near_lat": near.lat,
        "near_lng": near.lng,
        "near_km_per_lng_degree": KM_PER_DEGREE * math.cos(math.radians(near.lat)),
        "near_lat_min": near.lat - lat_span,
        "near_lat_max": near.lat + lat_span,
        "near_lng_min": near.lng - lng_span,
        "near_lng_max": near.lng + lng_span,
        "near_radius_sq": near.radius_km * near.radius_km,
    }


def _filter_plan(
    query: FeedQuery, dialect: str, hit_ids: Sequence[int] | None = None, *, page: bool = False
) -> tuple[_FilterShape, dict[str, Any]]:
    """The shape of the query's filters and their values; a `page` may walk the search index in
    posting order (`_posted_walk`), other readers (calendar, live updates) filter by the words."""
    values: dict[str, Any] = {}
    search: _Search | None = None
    if query.terms and query.order is not FeedOrder.RELEVANCE:  # RELEVANCE joins the hits instead
        if page and _walks_posted_index(query, dialect):
            search = _Search.POSTED
            values.update(_search_values(query.terms, dialect), key_below=SEARCH_KEY_MAX)
        elif hit_ids is not None:
            search, values["hit_ids"] = _Search.HIT_LIST, list(hit_ids)
        else:
            search = _Search.MATCH
            values.update(_search_values(query.terms, dialect))
    if query.collection is not None:
        values["collection"] = query.collection
    if query.starts_after is not None:
        values["starts_after"] = query.starts_after
    if query.starts_before is not None:
        values["starts_before"] = query.starts_before
    if query.near is not None:  # the NEAREST order needs them too
        values.update(_near_values(query.near))
    shape = _FilterShape(
        dialect,
        collection=query.collection is not None,
        areas=_listed(values, "area", query.areas),
        organisations=_listed(values, "organisation", query.organisations),
        categories=_listed(values, "category", query.categories),
        kinds=_listed(values, "kind", [k.value for k in query.kinds]),
        source_kinds=_listed(values, "source_kind", [k.value for k in query.source_kinds]),
        search=search,
        starts_after=query.starts_after is not None,
        starts_before=query.starts_before is not None,
        near=query.near is not None and query.order is not FeedOrder.NEAREST,
    )
    return shape, values


def _value(name: str, type_: TypeEngine[Any]) -> BindParameter[Any]:
    """A value of the statement, given per execution under `name`."""
    return bindparam(name, type_=type_)


def _listed_values(prefix: str, count: int, column: ColumnElement[Any]) -> list[BindParameter[Any]]:
    return [_value(f"{prefix}_{n}", column.type) for n in range(count)]


_SEARCH_VECTOR: ColumnElement[Any] = func.to_tsvector(_SIMPLE, _item.c.search_tokens)


def _fts_match() -> BindParameter[Any]:
    return _value("fts_match", String())


def _tsquery() -> ColumnElement[Any]:
    return func.to_tsquery(_SIMPLE, _value("tsquery", String()))


def _search_clause(dialect: str, search: _Search) -> ColumnElement[bool]:
    if search is _Search.HIT_LIST:
        return in_ids(_item.c.id, "hit_ids", dialect)
    if dialect == "sqlite":
        hits = text(
            "SELECT rowid & 2147483647 AS rowid FROM feed_item_fts WHERE feed_item_fts MATCH :fts_match"
        ).bindparams(_fts_match())
        # `id + 0`: SQLite must not look up every hit by rowid and sort them all; it walks the order
        # index instead and probes the hits, stopping after one page (a common word: thousands of hits).
        found: ColumnElement[bool] = (_item.c.id + 0).in_(hits.columns(rowid=Integer))
        return found
    clause: ColumnElement[bool] = _SEARCH_VECTOR.op("@@")(_tsquery())
    return clause


def _filter_clauses(shape: _FilterShape) -> list[ColumnElement[bool]]:
    """The conditions of a filter shape, on the values `_filter_plan` names."""
    clauses: list[ColumnElement[bool]] = [_public(shape.dialect)]
    if shape.collection:
        entry, collection = CollectionItem.__table__, Collection.__table__  # type: ignore[attr-defined]
        clauses.append(
            _item.c.id.in_(
                select(entry.c.item_id)
                .join(collection, collection.c.id == entry.c.collection_id)
                .where(
                    collection.c.slug == _value("collection", collection.c.slug.type),
                    collection.c.status == "PUBLISHED",
                )
            )
        )
    if shape.areas:
        slugs = _listed_values("area", shape.areas, _area.c.slug)
        clauses.append(_item.c.area_id.in_(select(_area.c.id).where(_area.c.slug.in_(slugs))))
    if shape.organisations:
        slugs = _listed_values("organisation", shape.organisations, _org.c.slug)
        clauses.append(_item.c.organisation_id.in_(select(_org.c.id).where(_org.c.slug.in_(slugs))))
    if shape.kinds:
        clauses.append(_item.c.kind.in_(_listed_values("kind", shape.kinds, _item.c.kind)))
    if shape.categories:
        slugs = _listed_values("category", shape.categories, _category.c.slug)
        clauses.append(
            exists(
                select(1)
                .select_from(_item_category.join(_category, _category.c.id == _item_category.c.category_id))
                .where(_item_category.c.item_id == _item.c.id, _category.c.slug.in_(slugs))
            )
        )
    if shape.source_kinds:
        kinds = _listed_values("source_kind", shape.source_kinds, _source.c.kind)
        clauses.append(exists(select(1).where(_source.c.item_id == _item.c.id, _source.c.kind.in_(kinds))))
    if shape.search is not None and shape.search is not _Search.POSTED:
        clauses.append(_search_clause(shape.dialect, shape.search))
    if shape.starts_after:
        clauses.append(_item.c.starts_at >= _value("starts_after", _item.c.starts_at.type))
    if shape.starts_before:
        clauses.append(_item.c.starts_at < _value("starts_before", _item.c.starts_at.type))
    if shape.near:
        place = _item.c.place_id + 0 if shape.dialect == "sqlite" else _item.c.place_id  # as `id + 0` above
        clauses.append(place.in_(select(_place.c.id).where(*_within())))
    # UPCOMING: every part of `_upcoming` bounds starts_at (so no `IS NOT NULL`, which SQLite would read
    # as a range over the whole (starts_at) index); with startsAfter the bound above does.
    return clauses


def _distance_sq() -> ColumnElement[float]:
    """Squared distance in km² from the place to `near` (see `_near_values`)."""
    dy = (_place.c.lat - _value("near_lat", Float())) * KM_PER_DEGREE
    dx = (_place.c.lng - _value("near_lng", Float())) * _value("near_km_per_lng_degree", Float())
    squared: ColumnElement[float] = dx * dx + dy * dy
    return squared


def _within() -> list[ColumnElement[bool]]:
    """Places with coordinates inside the circle; the bounding box first so an index could help."""
    return [
        _place.c.lat.between(_value("near_lat_min", Float()), _value("near_lat_max", Float())),
        _place.c.lng.between(_value("near_lng_min", Float()), _value("near_lng_max", Float())),
        _distance_sq() <= _value("near_radius_sq", Float()),
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
# RELEVANCE ranks the most recently posted matches, at most this many, by (whole second of posted_at,
# id): the order of SQLite's FTS5 keys (`hub.search.search_key`), and PostgreSQL orders its window the
# same way, so both rank the same items. Ranking every match of a common word would read all of them
# (55,706 for 공연 at 1,000,000 items); residents look for what is current, and a cap keeps one anonymous
# query from costing that.
#
# The rank: how many of the words the title holds (more first), then newest first; so the order key is
# (title hits, search key), the same on both databases. FTS5's bm25() ranked before (revision 0009): it
# counts every match of each word before it scores one (6.4 ms of a 12 ms page for 공연 at 1,000,000
# items), PostgreSQL's ts_rank ranked differently, and term frequency in short Korean posts mostly
# rewarded repetition. A word in the title is what a reader sees first.
RANKED_WINDOW = 2000
# Hits beyond a page read by the first, cheaper RELEVANCE reads (`_RankedRead`), for hits no one may see
# (in review, withdrawn): with fewer public rows than a page among them the page is read the whole way.
RANKED_TOP_MARGIN = 32
SEARCH_KEY_MAX = (1 << 63) - 1
SEARCH_KEY_MIN = -(1 << 63)


def _walks_posted_index(query: FeedQuery, dialect: str) -> bool:
    """SQLite, newest first, narrowed by nothing but the words (and kinds): read the matches from the
    FTS5 index in posting order and stop after a page (0.2 ms for a word in 55,000 items of 1,000,000,
    against 15-25 ms collecting them all). With filters that keep few items (an organisation, an area),
    walking the matches could read most of them, so those keep the hit list or the order index."""
    return (
        dialect == "sqlite"
        and query.order is FeedOrder.NEWEST
        and bool(query.terms)
        and not (
            query.areas
            or query.organisations
            or query.categories
            or query.source_kinds
            or query.collection
            or query.starts_after
            or query.starts_before
            or query.near
        )
    )


_HITS = Prepared(
    text(
        "SELECT rowid & 2147483647 FROM feed_item_fts WHERE feed_item_fts MATCH :fts_match LIMIT :limit"
    ).bindparams(_fts_match(), _value("limit", Integer()))
)


def _sqlite_hits(connection: Connection, query: FeedQuery) -> list[int] | None:
    """The ids matching a search when there are few (None when many, or not SQLite, or no search).

    SQLite's planner cannot tell a rare word from a common one: with every hit listed it sorts them
    (fast when few), else it walks the (posted_at) or (starts_at) index and stops after one page.
    """
    if (
        connection.dialect.name != "sqlite"
        or not query.terms
        or query.order in {FeedOrder.RELEVANCE, FeedOrder.NEAREST}
        or _walks_posted_index(query, "sqlite")
    ):
        return None
    rows = _HITS.rows(connection, {"fts_match": fts5_query(query.terms), "limit": HIT_LIST_LIMIT + 1})
    ids = [row[0] for row in rows]
    return ids if len(ids) <= HIT_LIST_LIMIT else None


_TIME_ORDERS = frozenset({FeedOrder.NEWEST, FeedOrder.UPCOMING})  # keyed by a datetime, not a number


def _after_values(query: FeedQuery, after: str) -> tuple[datetime | float, int]:
    """The order key and item id in a cursor, checked: a cursor is plain base64 and anyone can edit one."""
    key = decode_cursor(_cursor_scope(query), after)
    if len(key) == 2 and type(key[1]) is int:
        raw, item_id = key
        if query.order in _TIME_ORDERS and isinstance(raw, str):
            with contextlib.suppress(ValueError):
                moment = datetime.fromisoformat(raw)
                if moment.tzinfo is not None:
                    return moment, item_id
        elif query.order not in _TIME_ORDERS and type(raw) in {int, float}:
            return float(raw), item_id
    raise InvalidInput("잘못된 커서입니다 / Invalid cursor")


def _ranked_after(query: FeedQuery, after: str) -> tuple[int, int]:
    """A RELEVANCE cursor's title hits and search key, checked (see `_after_values`)."""
    key = decode_cursor(_cursor_scope(query), after)
    if (
        len(key) == 2
        and type(key[0]) is int
        and type(key[1]) is int
        and 0 <= key[0] <= MAX_QUERY_TERMS
        and SEARCH_KEY_MIN <= key[1] <= SEARCH_KEY_MAX
    ):
        return key[0], key[1]
    raise InvalidInput("잘못된 커서입니다 / Invalid cursor")


def _page_plan(
    query: FeedQuery, dialect: str, after: str | None, limit: int, hit_ids: Sequence[int] | None = None
) -> tuple[_PageShape, dict[str, Any]]:
    """The shape of a page's statement and its values: all a request computes once the shape is known."""
    filters, values = _filter_plan(query, dialect, hit_ids, page=True)
    values["limit"] = limit
    terms = 0
    if query.order is FeedOrder.RELEVANCE:
        values.update(_search_values(query.terms, dialect), ranked_window=RANKED_WINDOW)
        terms = len(query.terms)
        for n, term in enumerate(query.terms):
            if dialect == "sqlite":
                values[f"title_match_{n}"] = fts5_title_query(term, query.terms)
            else:
                values[f"title_query_{n}"] = tsquery_term(term)
    elif query.order is FeedOrder.UPCOMING:
        values["now"] = query.now
    if after is not None and query.order is FeedOrder.RELEVANCE:
        values["after_hits"], values["after_key"] = _ranked_after(query, after)
    elif after is not None:
        values["after_key"], values["after_id"] = _after_values(query, after)
        if filters.search is _Search.POSTED:
            # The cursor's whole second and everything before it; the exact (posted_at, id) bound below.
            posted = values["after_key"]
            assert isinstance(posted, datetime)
            values["key_below"] = search_key(posted, 0) + (1 << SEARCH_KEY_SHIFT)
    return _PageShape(filters, query.order, after is not None, terms=terms), values


def _records_and(key: ColumnElement[Any]) -> Select[Any]:
    """The record's columns and, last, the order key that goes into cursors."""
    statement: Select[Any] = select(*_RECORD_COLUMNS, key.label("order_key"))
    return statement


@functools.lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _page_template(shape: _PageShape) -> Prepared:
    return Prepared(_page_statement(shape))


def _page_statement(shape: _PageShape) -> Select[Any]:
    """The page query of a shape, on the values `_page_plan` names."""
    clauses = _filter_clauses(shape.filters)
    key: ColumnElement[Any]
    statement: Select[Any]
    if shape.order is FeedOrder.RELEVANCE:
        return _ranked(shape, clauses)
    if shape.order is FeedOrder.NEAREST:
        key = _distance_sq()
        statement = _records_and(key).join(_place, _place.c.id == _item.c.place_id)
        clauses.extend(_within())
        ascending = True
    elif shape.order is FeedOrder.UPCOMING:
        key, ascending = _item.c.starts_at, True
        statement = _records_and(key)
    else:
        key, ascending = _item.c.posted_at, False
        statement = _records_and(key)
    if shape.after:
        after_key = _value("after_key", key.type if shape.order in _TIME_ORDERS else Float())
        after_id = _value("after_id", Integer())
        if ascending:
            clauses.append(or_(key > after_key, and_(key == after_key, _item.c.id > after_id)))
        else:
            clauses.append(or_(key < after_key, and_(key == after_key, _item.c.id < after_id)))
    limit = _value("limit", Integer())
    if shape.order is FeedOrder.UPCOMING and not shape.filters.starts_after:
        return _upcoming(statement, clauses, limit)
    if shape.filters.search is _Search.POSTED:
        return _posted_walk(statement, clauses, limit)
    order_by = [key.asc(), _item.c.id.asc()] if ascending else [key.desc(), _item.c.id.desc()]
    return statement.where(*clauses).order_by(*order_by).limit(limit)


def _title_hits_sqlite(terms: int) -> str:
    """SQL: how many of the words a window row's title holds. Per word, one walk of its marked title
    terms (`hub.search.TITLE_MARK`) within the window's keys; `key IN` probes what it found."""
    return " + ".join(
        f"(key IN (SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :title_match_{n} "  # noqa: S608
        "AND rowid >= (SELECT min(key) FROM win)))"
        for n in range(terms)
    )


def _titled(shape: _PageShape, clauses: list[ColumnElement[bool]]) -> Select[Any]:
    """SQLite: the window's hits whose title holds every word, newest first (after a cursor at that
    level). The window's oldest key is found by walking the matches without reading them; the title's
    words are marked terms (`hub.search.TITLE_MARK`), so a word in no title stops at once."""
    after = "AND rowid < :after_key " if shape.after else ""
    hits_sql = (  # constant fragments only
        "SELECT rowid AS key FROM feed_item_fts WHERE feed_item_fts MATCH :title_all "  # noqa: S608
        "AND rowid >= coalesce((SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :fts_match "
        f"ORDER BY rowid DESC LIMIT 1 OFFSET :ranked_window - 1), {SEARCH_KEY_MIN}) "
        f"{after}ORDER BY rowid DESC LIMIT :ranked_top"
    )
    binds = [_value("title_all", String()), _fts_match(), _value("ranked_window", Integer())]
    if shape.after:
        binds.append(_value("after_key", BigInteger()))
    binds.append(_value("ranked_top", Integer()))
    hits = text(hits_sql).bindparams(*binds).columns(key=BigInteger).subquery("hits")
    statement = select(*_RECORD_COLUMNS, literal_column(str(shape.terms)).label("title_hits"), hits.c.key)
    return (
        statement.join(hits, _item.c.id == hits.c.key.op("&")(SEARCH_KEY_ID_MASK))
        .where(*clauses)
        .order_by(hits.c.key.desc())
        .limit(_value("limit", Integer()))
    )


def _ranked(shape: _PageShape, clauses: list[ColumnElement[bool]]) -> Select[Any]:
    """RELEVANCE: the window's matches by how many of the words their title holds, then newest first;
    the order key is (title hits, search key), the search key being `hub.search.search_key`."""
    if shape.ranked_read is _RankedRead.TITLED:
        return _titled(shape, clauses)
    title_hits: ColumnElement[int]
    key: ColumnElement[int]
    if shape.filters.dialect == "sqlite":
        title_hits_sql = _title_hits_sqlite(shape.terms)
        hits_sql = (  # constant fragments only
            "WITH win AS (SELECT rowid AS key FROM feed_item_fts WHERE feed_item_fts MATCH :fts_match "  # noqa: S608
            "ORDER BY rowid DESC LIMIT :ranked_window) "
            f"SELECT key & 2147483647 AS item_id, key, {title_hits_sql} AS title_hits FROM win"
        )
        binds = [
            _fts_match(),
            _value("ranked_window", Integer()),
            *(_value(f"title_match_{n}", String()) for n in range(shape.terms)),
        ]
        if shape.ranked_read is _RankedRead.BEST:
            # Joining all 2,000 window rows to their items costs ~10 ms at 1,000,000 items: rank them
            # here, after the cursor, and join only the best.
            after = ""
            if shape.after:
                after = "WHERE title_hits < :after_hits OR (title_hits = :after_hits AND key < :after_key) "
                binds += [_value("after_hits", Integer()), _value("after_key", BigInteger())]
            hits_sql = (  # constant fragments only
                f"SELECT item_id, key, title_hits FROM ({hits_sql}) {after}"  # noqa: S608
                "ORDER BY title_hits DESC, key DESC LIMIT :ranked_top"
            )
            binds.append(_value("ranked_top", Integer()))
        hits = (
            text(hits_sql)
            .bindparams(*binds)
            .columns(item_id=Integer, key=BigInteger, title_hits=Integer)
            .subquery("hits")
        )
        title_hits, key = hits.c.title_hits, hits.c.key
        statement = select(*_RECORD_COLUMNS, title_hits, key).join(hits, hits.c.item_id == _item.c.id)
    else:
        posted_second = func.floor(func.extract("epoch", _item.c.posted_at))
        window = (
            select(_item.c.id)
            .where(_SEARCH_VECTOR.op("@@")(_tsquery()))
            .order_by(posted_second.desc(), _item.c.id.desc())
            .limit(_value("ranked_window", Integer()))
        )
        clauses.append(_item.c.id.in_(window))
        title_vector = func.to_tsvector(_SIMPLE, _item.c.title_tokens)
        title_hits = sum(
            (
                case(
                    (
                        title_vector.op("@@")(func.to_tsquery(_SIMPLE, _value(f"title_query_{n}", String()))),
                        1,
                    ),
                    else_=0,
                )
                for n in range(shape.terms)
            ),
            start=literal(0),
        )
        key = cast(posted_second, BigInteger) * literal(SEARCH_KEY_ID_MASK + 1, BigInteger) + _item.c.id
        statement = select(*_RECORD_COLUMNS, title_hits.label("title_hits"), key.label("order_key"))
    if shape.after:
        after_hits, after_key = _value("after_hits", Integer()), _value("after_key", BigInteger())
        clauses.append(or_(title_hits < after_hits, and_(title_hits == after_hits, key < after_key)))
    return statement.where(*clauses).order_by(title_hits.desc(), key.desc()).limit(_value("limit", Integer()))


def _upcoming(
    statement: Select[Any], clauses: list[ColumnElement[bool]], limit: BindParameter[Any]
) -> Select[Any]:
    """Upcoming = still running (started, not ended: an exhibition that opened last week is on today)
    then not yet started, each part from its own index and stopping after one page.

    One condition `ends_at >= now OR starts_at >= now` cannot use an index and walks every past event
    (1.9 s at 1,000,000 items). Here the running part reads the (status, ends_at, starts_at) index from
    now on: only items that end in the future, without visiting their rows; the rest walks (starts_at).
    """
    now = _value("now", _item.c.starts_at.type)
    order = [_item.c.starts_at.asc(), _item.c.id.asc()]
    # coalesce(x, x): the same value, but neither a range nor an order SQLite could walk the (starts_at)
    # index for. With ANALYZE statistics it otherwise judges the three public statuses unselective and
    # walks (starts_at) from the first event ever, to save a sort: 0.2 s at 100,000 items instead of 1 ms.
    unindexed_start = func.coalesce(_item.c.starts_at, _item.c.starts_at)
    # The parts pick ids and start times only: the running part then reads nothing but its index, and
    # the sorts move narrow rows; the page's rows are read for the chosen ids at the end.
    ids_and_starts = select(_item.c.id, _item.c.starts_at.label("starts"))
    running = (
        ids_and_starts.where(*clauses, _PUBLIC_INDEXED, _item.c.ends_at >= now, unindexed_start < now)
        .order_by(unindexed_start.asc(), _item.c.id.asc())
        .limit(limit)
    )
    starting = ids_and_starts.where(*clauses, _item.c.starts_at >= now).order_by(*order).limit(limit)
    both = union_all(running.subquery().select(), starting.subquery().select()).subquery("both_parts")
    chosen = select(both).order_by(both.c.starts, both.c.id).limit(limit).subquery("upcoming")
    page: Select[Any] = statement.join(chosen, chosen.c.id == _item.c.id).order_by(
        chosen.c.starts, chosen.c.id
    )
    return page


_fts = table("feed_item_fts", column("rowid", Integer), column("feed_item_fts", String))
# FTS5 rowids are search keys; `rowid & 2147483647` (written out in the SQL texts above) is the item id.
assert SEARCH_KEY_ID_MASK == 2147483647


def _posted_walk(
    statement: Select[Any], clauses: list[ColumnElement[bool]], limit: BindParameter[Any]
) -> Select[Any]:
    """Newest first from SQLite's FTS5 index, whose keys sort like (whole second of posted_at, id).

    Walking the keys downwards, with each item looked up and filtered, the `limit`-th item found fixes a
    second; the page is then every match from that second on, in the exact (posted_at, id) order. That
    is exact even when items posted within one second were stored in another order, and it reads one
    page of matches (plus that second) whatever the word's frequency.
    """
    below = _value("key_below", Integer())
    walk = _fts.alias("walk")
    walked = _item.alias("walked")
    adapt = ClauseAdapter(walked).traverse
    first_keys = (
        select(walk.c.rowid.label("key"))
        .join(walked, walked.c.id == walk.c.rowid.op("&")(SEARCH_KEY_ID_MASK))
        .where(walk.c.feed_item_fts.op("MATCH")(_fts_match()), walk.c.rowid < below, *map(adapt, clauses))
        .order_by(walk.c.rowid.desc())
        .limit(limit)
        .subquery("first_keys")
    )
    shift = SEARCH_KEY_SHIFT
    boundary = select(
        func.coalesce(func.min(first_keys.c.key).op(">>")(shift).op("<<")(shift), SEARCH_KEY_MIN)
    ).scalar_subquery()
    hits = _fts.alias("hits")
    page_keys = (
        select(hits.c.rowid.label("key"))
        .where(hits.c.feed_item_fts.op("MATCH")(_fts_match()), hits.c.rowid < below, hits.c.rowid >= boundary)
        .subquery("page_keys")
    )
    page: Select[Any] = (
        statement.join(page_keys, _item.c.id == page_keys.c.key.op("&")(SEARCH_KEY_ID_MASK))
        .where(*clauses)
        .order_by(_item.c.posted_at.desc(), _item.c.id.desc())
        .limit(limit)
    )
    return page


def _cursor_key(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else float(value)


# A SQLite page narrowed by nothing (RELEVANCE's words are not a filter: it joins the hits).
_SQLITE_UNFILTERED = _FilterShape(
    "sqlite",
    collection=False,
    areas=0,
    organisations=0,
    categories=0,
    kinds=0,
    source_kinds=0,
    search=None,
    starts_after=False,
    starts_before=False,
    near=False,
)


def _ranks_top_first(shape: _PageShape) -> bool:
    """SQLite RELEVANCE with no filter but the words: only hidden items can drop a ranked hit."""
    return shape.order is FeedOrder.RELEVANCE and shape.filters == _SQLITE_UNFILTERED


def _read_page(
    connection: Connection, query: FeedQuery, after: str | None, limit: int, *, related: Wanted | None
) -> tuple[Page[FeedItemRecord], Related | None]:
    hits = _sqlite_hits(connection, query)
    shape, values = _page_plan(query, connection.dialect.name, after, limit + 1, hits)
    rows: Sequence[Any] = ()
    if _ranks_top_first(shape):
        first = {**values, "ranked_top": limit + 1 + RANKED_TOP_MARGIN}
        if not shape.after or values["after_hits"] == shape.terms:
            first["title_all"] = fts5_title_all_query(query.terms)
            rows = _page_template(replace(shape, ranked_read=_RankedRead.TITLED)).rows(connection, first)
        if len(rows) <= limit:  # fewer titles with every word than a page (or hidden ones among them)
            rows = _page_template(replace(shape, ranked_read=_RankedRead.BEST)).rows(connection, first)
    if len(rows) <= limit:  # not that shape, the last page, or too many hidden hits among the best
        rows = _page_template(shape).rows(connection, values)
    scope = _cursor_scope(query)
    page_rows = rows[:limit]
    if query.order is FeedOrder.RELEVANCE:  # (title hits, search key)
        cursors = [encode_cursor(scope, [row[-2], row[-1]]) for row in page_rows]
    else:
        cursors = [encode_cursor(scope, [_cursor_key(row[-1]), row[0]]) for row in page_rows]
    page = Page(
        items=[FeedItemRecord.from_values(row) for row in page_rows],
        cursors=cursors,
        has_next_page=len(rows) > limit,
        has_previous_page=after is not None,
    )
    return page, fetch_related(connection, page.items, related) if related is not None else None


async def feed_page(
    db: Database, query: FeedQuery, *, first: int | None = None, after: str | None = None
) -> Page[FeedItemRecord]:
    """One page of public items. Cursors are keys, not offsets: new items never shift a page."""
    limit = page_size(first)
    query.validate()
    page, _ = await db.run_read(lambda connection: _read_page(connection, query, after, limit, related=None))
    return page


async def feed_page_related(
    db: Database,
    query: FeedQuery,
    *,
    first: int | None = None,
    after: str | None = None,
    wanted: Wanted = EVERYTHING,
) -> tuple[Page[FeedItemRecord], Related]:
    """`feed_page` and what its items point at, in one read (the graph's glance page)."""
    limit = page_size(first)
    query.validate()
    page, related = await db.run_read(
        lambda connection: _read_page(connection, query, after, limit, related=wanted)
    )
    assert related is not None
    return page, related


def _read_items(connection: Connection, query: FeedQuery, limit: int) -> list[FeedItemRecord]:
    shape, values = _page_plan(query, connection.dialect.name, None, limit, _sqlite_hits(connection, query))
    return [FeedItemRecord.from_values(row) for row in _page_template(shape).rows(connection, values)]


async def feed_items(db: Database, query: FeedQuery, *, limit: int) -> list[FeedItemRecord]:
    """Up to `limit` items in the query's order, for exports (no page-size cap, no cursor)."""
    query.validate()
    return await db.run_read(lambda connection: _read_items(connection, query, limit))


async def matching_items(db: Database, query: FeedQuery, ids: Sequence[int]) -> list[FeedItemRecord]:
    """Those of `ids` that are public and meet the query's filters (live updates), oldest first."""
    if not ids:
        return []
    filters, values = _filter_plan(FeedQuery(**{**_fields(query), "order": FeedOrder.NEWEST}), db.dialect)
    statement = select(_item).where(_item.c.id.in_(set(ids)), *_filter_clauses(filters)).order_by(_item.c.id)
    async with db.read() as conn:
        rows = (await conn.execute(statement, values)).mappings()
        return [FeedItemRecord.from_row(row) for row in rows]


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


# Start and end as the database returns them, unconverted: on SQLite the stored text, which sorts like
# the instants (`hub.types.UTCDateTime`), so a month's ~17,000 rows at 1,000,000 items are placed on their
# days without parsing 34,000 datetimes; on PostgreSQL datetimes.
_STARTS_AS_STORED = type_coerce(_item.c.starts_at, String()).label("starts_at")
_ENDS_AS_STORED = type_coerce(_item.c.ends_at, String()).label("ends_at")


@functools.lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _calendar_template(filters: _FilterShape) -> Prepared:
    """The items on a window's days, for a filter shape: (id, starts_at, ends_at) by start, the times as
    stored (`_stored_instant`)."""
    start = _value("window_start", _item.c.starts_at.type)
    end = _value("window_end", _item.c.starts_at.type)
    columns = (_item.c.id, _STARTS_AS_STORED, _ENDS_AS_STORED)
    # Two index ranges: items starting in the window, and earlier ones still running into it.
    starting = [_PUBLIC_INDEXED, _item.c.starts_at >= start, _item.c.starts_at < end]
    # Only those that started before: the rest are in `starting` or after the window, and a past month
    # would otherwise list every later event (1.9 s for a month two years back at 1,000,000 items).
    # coalesce(x, x): read from the (status, ends_at, starts_at) index, not a range SQLite could walk the
    # (starts_at) index for instead of the few ends.
    running = [
        _PUBLIC_INDEXED,
        _item.c.ends_at > start,
        func.coalesce(_item.c.starts_at, _item.c.starts_at) < start,
    ]
    if filters == replace(_SQLITE_UNFILTERED, dialect=filters.dialect):
        # Public items only: both parts come whole from the (status, starts_at, ends_at) and (status,
        # ends_at, starts_at) indexes, without visiting a row (9 ms instead of 60 at 1,000,000 items).
        both = union_all(select(*columns).where(*starting), select(*columns).where(*running))
        return Prepared(both.order_by(both.selected_columns.starts_at, both.selected_columns.id))
    ids = union(select(_item.c.id).where(*starting), select(_item.c.id).where(*running))
    return Prepared(
        select(*columns)
        .where(_item.c.id.in_(ids), _item.c.starts_at < end, *_filter_clauses(filters))
        .order_by(_item.c.starts_at, _item.c.id)
    )


def _stored_instant(dialect: Dialect) -> Callable[[datetime], Any]:
    """An instant as `_calendar_template` returns them: SQLite's stored text, PostgreSQL's datetime."""
    if dialect.name != "sqlite":
        return lambda instant: instant
    impl = _item.c.starts_at.type.dialect_impl(dialect)
    as_stored: Callable[[datetime], Any] | None = impl.bind_processor(dialect)  # naive UTC text
    assert as_stored is not None
    return as_stored


@functools.cache
def _records_by_id(dialect: str) -> Prepared:
    return Prepared(select(*_RECORD_COLUMNS).where(in_ids(_item.c.id, "item_ids", dialect)))


def _read_calendar(
    connection: Connection, query: FeedQuery, first_day: date, bounds: list[datetime], per_day: int
) -> list[CalendarDay]:
    """`bounds` are the UTC instants of each local midnight from `first_day` to the day after the last."""
    days = len(bounds) - 1
    dialect = connection.dialect.name
    filters, values = _filter_plan(query, dialect)
    values.update(window_start=bounds[0], window_end=bounds[-1])
    on_day: list[list[int]] = [[] for _ in range(days)]
    stored = _stored_instant(connection.dialect)
    midnights = [stored(bound) for bound in bounds]
    for item_id, starts_at, ends_at in _calendar_template(filters).rows(connection, values):
        first = max(bisect_right(midnights, starts_at) - 1, 0)
        # The end is exclusive: an item ending at midnight is not on the next day.
        last = bisect_left(midnights, ends_at) - 1 if ends_at is not None and ends_at > starts_at else first
        for n in range(first, min(last, days - 1) + 1):
            on_day[n].append(item_id)
    shown = list({item_id for ids in on_day for item_id in ids[:per_day]})
    records: dict[int, FeedItemRecord] = {}
    if shown:
        rows = _records_by_id(dialect).rows(connection, {"item_ids": shown})
        records = {row[0]: FeedItemRecord.from_values(row) for row in rows}
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
