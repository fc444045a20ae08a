"""Request-scoped DataLoaders named `<Entity>By<Key>Loader`: one SQL statement per relation per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from hub.db import Database
from hub.records import (
    AreaRecord,
    CategoryRecord,
    FeedItemRecord,
    OrganisationRecord,
    PlaceRecord,
    SourceRefRecord,
)
from hub.services import areas, feed, item_relations, organisations, places

K = TypeVar("K")
V = TypeVar("V")


class BatchLoader(DataLoader[K, V], Generic[K, V]):
    """A typed DataLoader over a service function `fetch(db, keys) -> {key: value}`."""

    def __init__(
        self, db: Database, fetch: Callable[[Database, Sequence[K]], Awaitable[Mapping[K, V]]], missing: Any
    ) -> None:
        super().__init__()
        self._db = db
        self._fetch = fetch
        self._missing = missing

    async def batch_load_fn(self, keys: list[K]) -> list[V]:
        found = await self._fetch(self._db, keys)
        # aiodataloader needs exactly one value per key, in key order.
        return [found.get(key, self._missing) for key in keys]


async def _organisations_by_area(
    db: Database, area_ids: Sequence[int]
) -> dict[int, list[OrganisationRecord]]:
    return await organisations.organisations_by_area_ids(db, area_ids)


class Loaders:
    """One request's loaders, each made on first use, inside the running loop (aiodataloader binds to
    it): most requests (a glance page answered from one read) need none of them, and building ten
    DataLoaders per request is measurable under load."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @cached_property
    def area_by_id(self) -> BatchLoader[int, AreaRecord | None]:
        return BatchLoader(self._db, areas.areas_by_ids, None)

    @cached_property
    def area_by_slug(self) -> BatchLoader[str, AreaRecord | None]:
        return BatchLoader(self._db, areas.areas_by_slugs, None)

    @cached_property
    def organisation_by_id(self) -> BatchLoader[int, OrganisationRecord | None]:
        return BatchLoader(self._db, organisations.organisations_by_ids, None)

    @cached_property
    def organisation_by_slug(self) -> BatchLoader[str, OrganisationRecord | None]:
        return BatchLoader(self._db, organisations.organisations_by_slugs, None)

    @cached_property
    def organisations_by_area_id(self) -> BatchLoader[int, list[OrganisationRecord]]:
        return BatchLoader(self._db, _organisations_by_area, [])

    @cached_property
    def place_by_id(self) -> BatchLoader[int, PlaceRecord | None]:
        return BatchLoader(self._db, places.places_by_ids, None)

    @cached_property
    def feed_item_by_id(self) -> BatchLoader[int, FeedItemRecord | None]:
        return BatchLoader(self._db, feed.items_by_ids, None)

    @cached_property
    def categories_by_item_id(self) -> BatchLoader[int, list[CategoryRecord]]:
        return BatchLoader(self._db, item_relations.categories_by_item_ids, [])

    @cached_property
    def sources_by_item_id(self) -> BatchLoader[int, list[SourceRefRecord]]:
        return BatchLoader(self._db, item_relations.sources_by_item_ids, [])

    @cached_property
    def cohosts_by_item_id(self) -> BatchLoader[int, list[int]]:
        return BatchLoader(self._db, item_relations.cohost_ids_by_item_ids, [])
