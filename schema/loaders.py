"""Request-scoped DataLoaders named `<Entity>By<Key>Loader`: one SQL statement per relation per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Loaders:
    area_by_id: BatchLoader[int, AreaRecord | None]
    area_by_slug: BatchLoader[str, AreaRecord | None]
    organisation_by_id: BatchLoader[int, OrganisationRecord | None]
    organisation_by_slug: BatchLoader[str, OrganisationRecord | None]
    organisations_by_area_id: BatchLoader[int, list[OrganisationRecord]]
    place_by_id: BatchLoader[int, PlaceRecord | None]
    feed_item_by_id: BatchLoader[int, FeedItemRecord | None]
    categories_by_item_id: BatchLoader[int, list[CategoryRecord]]
    sources_by_item_id: BatchLoader[int, list[SourceRefRecord]]
    cohosts_by_item_id: BatchLoader[int, list[int]]

    @classmethod
    def create(cls, db: Database) -> Loaders:
        """Build per request, inside the running loop (aiodataloader binds to it)."""
        return cls(
            area_by_id=BatchLoader(db, areas.areas_by_ids, None),
            area_by_slug=BatchLoader(db, areas.areas_by_slugs, None),
            organisation_by_id=BatchLoader(db, organisations.organisations_by_ids, None),
            organisation_by_slug=BatchLoader(db, organisations.organisations_by_slugs, None),
            organisations_by_area_id=BatchLoader(db, _organisations_by_area, []),
            place_by_id=BatchLoader(db, places.places_by_ids, None),
            feed_item_by_id=BatchLoader(db, feed.items_by_ids, None),
            categories_by_item_id=BatchLoader(db, item_relations.categories_by_item_ids, []),
            sources_by_item_id=BatchLoader(db, item_relations.sources_by_item_ids, []),
            cohosts_by_item_id=BatchLoader(db, item_relations.cohost_ids_by_item_ids, []),
        )
