from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from hub.services.feed import FeedOrder, FeedQuery, Near
from schema.enums import ItemKind, SourceKind


@strawberry.input(description="A circle around a point. Items whose place has no coordinates are left out.")
class NearInput:
    lat: float = strawberry.field(description="Latitude (WGS84).")
    lng: float = strawberry.field(description="Longitude (WGS84).")
    radius_km: float = strawberry.field(description="Radius in kilometres, up to 200.")


@strawberry.input(
    description="Narrow the feed. Every given condition must hold; lists match any of their values."
)
class FeedFilter:
    areas: list[str] | None = strawberry.field(default=None, description="Area slugs.")
    organisations: list[str] | None = strawberry.field(default=None, description="Organisation slugs.")
    categories: list[str] | None = strawberry.field(default=None, description="Category slugs.")
    kinds: list[ItemKind] | None = strawberry.field(default=None, description="Item kinds.")
    text: str | None = strawberry.field(
        default=None,
        description=(
            "Search: every word must appear (Korean or not; any two syllables match, e.g. 청년, 공연; "
            "longer words match as written, e.g. 청년마루; Latin words match as prefixes, e.g. zoo → Zoom). "
            "Blank text is an error. Needed by orderBy RELEVANCE."
        ),
    )
    starts_after: datetime | None = strawberry.field(
        default=None, description="Starts at or after this time."
    )
    starts_before: datetime | None = strawberry.field(default=None, description="Starts before this time.")
    near: NearInput | None = strawberry.field(
        default=None,
        description=(
            "Only items at places within a circle. Items whose place has no coordinates (or that have no "
            "place, e.g. online events) are left out. Needed by orderBy NEAREST."
        ),
    )
    source_kinds: list[SourceKind] | None = strawberry.field(
        default=None, description="Only items seen on these kinds of source."
    )
    collection: str | None = strawberry.field(
        default=None, description="Only items of this published facilitators' collection (slug)."
    )

    def to_query(self, order: FeedOrder) -> FeedQuery:
        return FeedQuery(
            areas=tuple(self.areas or ()),
            organisations=tuple(self.organisations or ()),
            categories=tuple(self.categories or ()),
            kinds=tuple(self.kinds or ()),
            source_kinds=tuple(self.source_kinds or ()),
            text=self.text.strip() if self.text is not None else None,
            starts_after=_aware(self.starts_after),
            starts_before=_aware(self.starts_before),
            near=Near(self.near.lat, self.near.lng, self.near.radius_km) if self.near else None,
            collection=self.collection,
            order=order,
        )


def _aware(value: datetime | None) -> datetime | None:
    # A datetime without offset is read as UTC rather than refused: GraphQL clients often drop it.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
