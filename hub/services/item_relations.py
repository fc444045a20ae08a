"""Everything a page of items points at, read in one go: organisations, areas, places, categories,
sources and co-hosts (the records of the first four kept between requests, see `_Known`).

The graph's hot lists (feed, calendar) hand these to their items up front, so rendering a page costs a
fixed handful of statements in one read transaction instead of a loader round trip per relation. A list
whose query selects no sources (or categories, or co-hosts) skips that statement (`Wanted`).
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Flag, auto
from typing import Any, Final

from sqlalchemy import Connection, select
from sqlalchemy.sql.elements import ColumnElement

from hub.db import Database
from hub.limits.freshness import data_version
from hub.limits.policy import CACHE_MAX_AGE_SECONDS
from hub.models import Area, Category, FeedItemCategory, FeedItemCoHost, FeedItemSource, Organisation, Place
from hub.records import (
    AreaRecord,
    CategoryRecord,
    FeedItemRecord,
    OrganisationRecord,
    PlaceRecord,
    SourceRefRecord,
)
from hub.services.prepared import Prepared, in_ids, record_columns

_source = FeedItemSource.__table__  # type: ignore[attr-defined]
_item_category = FeedItemCategory.__table__  # type: ignore[attr-defined]
_category = Category.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_area = Area.__table__  # type: ignore[attr-defined]
_place = Place.__table__  # type: ignore[attr-defined]
_cohost = FeedItemCoHost.__table__  # type: ignore[attr-defined]


class Wanted(Flag):
    """The per-item relations a page reads up front; organisations, areas and places always come."""

    CATEGORIES = auto()
    SOURCES = auto()
    CO_HOSTS = auto()


EVERYTHING: Final = Wanted.CATEGORIES | Wanted.SOURCES | Wanted.CO_HOSTS


@dataclass(frozen=True, slots=True)
class Related:
    """What the items of one page point at, by id. A relation that was not wanted is None: whoever
    asks for it anyway (the graph's resolvers) loads it by itself."""

    organisations: dict[int, OrganisationRecord] = field(default_factory=dict)  # owners, co-hosts, sources
    areas: dict[int, AreaRecord] = field(default_factory=dict)
    places: dict[int, PlaceRecord] = field(default_factory=dict)
    categories: dict[int, list[CategoryRecord]] | None = field(default_factory=dict)  # by item id
    sources: dict[int, list[SourceRefRecord]] | None = field(default_factory=dict)  # by item id, oldest first
    co_hosts: dict[int, list[int]] | None = field(default_factory=dict)  # organisation ids by item id


@dataclass(frozen=True, slots=True)
class _Reads:
    """The statements of `fetch_related` for one dialect, built once: they run for every page, and
    building a statement costs more than running it."""

    item_categories: Prepared
    sources: Prepared
    co_hosts: Prepared
    organisations: Prepared
    areas: Prepared
    taxonomy: Prepared
    places: Prepared


@functools.cache
def _reads(dialect: str) -> _Reads:
    def of_items(column: ColumnElement[Any]) -> ColumnElement[bool]:
        return in_ids(column, "item_ids", dialect)

    return _Reads(
        # The category records come from the kept taxonomy: the link table's covering index answers.
        item_categories=Prepared(
            select(_item_category.c.item_id, _item_category.c.category_id).where(
                of_items(_item_category.c.item_id)
            )
        ),
        sources=Prepared(
            select(*record_columns(_source, SourceRefRecord))
            .where(of_items(_source.c.item_id))
            .order_by(_source.c.posted_at, _source.c.id)
        ),
        co_hosts=Prepared(
            select(_cohost.c.item_id, _cohost.c.organisation_id)
            .where(of_items(_cohost.c.item_id))
            .order_by(_cohost.c.organisation_id)
        ),
        organisations=Prepared(
            select(*record_columns(_org, OrganisationRecord)).where(
                in_ids(_org.c.id, "organisation_ids", dialect)
            )
        ),
        # A handful of rows: all of them rather than collect ids.
        areas=Prepared(select(*record_columns(_area, AreaRecord))),
        taxonomy=Prepared(
            select(*record_columns(_category, CategoryRecord)).order_by(_category.c.position, _category.c.id)
        ),
        places=Prepared(
            select(*record_columns(_place, PlaceRecord)).where(in_ids(_place.c.id, "place_ids", dialect))
        ),
    )


# Organisations, areas, places and categories change rarely and every page names the same few, so the
# records are kept per database and process. Like the response cache, they are dropped after any write in this
# process (the data version) and after the same 15 s as `max-age` for writes elsewhere (the CLI).
KNOWN_TTL_SECONDS: Final = float(CACHE_MAX_AGE_SECONDS)


@dataclass(slots=True)
class _Known:
    version: int
    since: float
    organisations: dict[int, OrganisationRecord] = field(default_factory=dict)
    areas: dict[int, AreaRecord] = field(default_factory=dict)
    places: dict[int, PlaceRecord] = field(default_factory=dict)
    categories: dict[int, CategoryRecord] = field(default_factory=dict)  # the whole taxonomy
    category_rank: dict[int, int] = field(default_factory=dict)  # its order: position, then id


_known: dict[str, _Known] = {}


def forget_known() -> None:
    """Drop the kept records now (tests that count statements; anyone who must not wait 15 s)."""
    _known.clear()


def _known_for(url: str, version: int) -> _Known:
    known = _known.get(url)
    now = time.monotonic()
    if known is None or known.version != version or now - known.since >= KNOWN_TTL_SECONDS:
        known = _known[url] = _Known(version, now)
    return known


def fetch_related(
    connection: Connection, items: Sequence[FeedItemRecord], wanted: Wanted = EVERYTHING
) -> Related:
    """Up to three statements, plus one per kind of record not yet known (none when there are no items)."""
    if not items:
        return Related()
    known = _known_now(connection)
    item_ids = [item.id for item in items]
    categories = categories_of(connection, item_ids, known) if Wanted.CATEGORIES in wanted else None
    sources = sources_of(connection, item_ids) if Wanted.SOURCES in wanted else None
    co_hosts = co_hosts_of(connection, item_ids) if Wanted.CO_HOSTS in wanted else None

    organisation_ids = {item.organisation_id for item in items}
    if co_hosts:
        organisation_ids.update(i for ids in co_hosts.values() for i in ids)
    if sources:
        organisation_ids.update(s.organisation_id for refs in sources.values() for s in refs)
    reads = _reads(connection.dialect.name)
    organisations = {i: known.organisations[i] for i in organisation_ids if i in known.organisations}
    if missing := organisation_ids - organisations.keys():
        for row in reads.organisations.rows(connection, {"organisation_ids": list(missing)}):
            organisations[row[0]] = OrganisationRecord.from_values(row)
        known.organisations.update(organisations)
    areas = known.areas
    if not areas:
        areas = {row[0]: AreaRecord.from_values(row) for row in reads.areas.rows(connection, {})}
        known.areas.update(areas)
    place_ids = {item.place_id for item in items if item.place_id is not None}
    places = {i: known.places[i] for i in place_ids if i in known.places}
    if missing := place_ids - places.keys():
        for row in reads.places.rows(connection, {"place_ids": list(missing)}):
            places[row[0]] = PlaceRecord.from_values(row)
        known.places.update(places)
    return Related(organisations, dict(areas), places, categories, sources, co_hosts)


def _known_now(connection: Connection) -> _Known:
    # Read before the statements: records read under an older version are never kept as current.
    return _known_for(str(connection.engine.url), data_version.value)


def categories_of(
    connection: Connection, item_ids: Sequence[int], known: _Known | None = None
) -> dict[int, list[CategoryRecord]]:
    """Each item's categories in taxonomy order (items without any are left out)."""
    known = known or _known_now(connection)
    links = _reads(connection.dialect.name).item_categories.rows(
        connection, {"item_ids": list(set(item_ids))}
    )
    categories = _taxonomy(connection, known, needed=[category_id for _, category_id in links])
    rank = known.category_rank
    found: dict[int, list[CategoryRecord]] = defaultdict(list)
    for item_id, category_id in links:
        found[item_id].append(categories[category_id])
    for records in found.values():
        if len(records) > 1:
            records.sort(key=lambda record: rank[record.id])
    return dict(found)


def _taxonomy(connection: Connection, known: _Known, needed: Sequence[int] = ()) -> dict[int, CategoryRecord]:
    """The kept taxonomy, in its order; read on first use, and again when `needed` names a category
    another process added since."""
    if not known.categories or any(category_id not in known.categories for category_id in needed):
        known.categories.clear()
        known.category_rank.clear()
        for position, row in enumerate(_reads(connection.dialect.name).taxonomy.rows(connection, {})):
            known.categories[row[0]] = CategoryRecord.from_values(row)
            known.category_rank[row[0]] = position
    return known.categories


def sources_of(connection: Connection, item_ids: Sequence[int]) -> dict[int, list[SourceRefRecord]]:
    """Where each item was seen, oldest first."""
    found: dict[int, list[SourceRefRecord]] = defaultdict(list)
    for row in _reads(connection.dialect.name).sources.rows(connection, {"item_ids": list(set(item_ids))}):
        source = SourceRefRecord.from_values(row)
        found[source.item_id].append(source)
    return dict(found)


def co_hosts_of(connection: Connection, item_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each item's co-hosting organisation ids."""
    found: dict[int, list[int]] = defaultdict(list)
    for item_id, organisation_id in _reads(connection.dialect.name).co_hosts.rows(
        connection, {"item_ids": list(set(item_ids))}
    ):
        found[item_id].append(organisation_id)
    return dict(found)


# The same reads one relation at a time, for the graph's loaders and the exports.


async def taxonomy(db: Database) -> list[CategoryRecord]:
    """Every category, by position then id: the kept records that items' categories are answered from."""
    return await db.run_read(lambda connection: list(_taxonomy(connection, _known_now(connection)).values()))


async def categories_by_item_ids(db: Database, ids: Sequence[int]) -> dict[int, list[CategoryRecord]]:
    return await db.run_read(lambda connection: categories_of(connection, ids))


async def sources_by_item_ids(db: Database, ids: Sequence[int]) -> dict[int, list[SourceRefRecord]]:
    return await db.run_read(lambda connection: sources_of(connection, ids))


async def cohost_ids_by_item_ids(db: Database, ids: Sequence[int]) -> dict[int, list[int]]:
    return await db.run_read(lambda connection: co_hosts_of(connection, ids))


async def related_to(db: Database, items: Sequence[FeedItemRecord], wanted: Wanted = EVERYTHING) -> Related:
    if not items:
        return Related()
    return await db.run_read(lambda connection: fetch_related(connection, items, wanted))
