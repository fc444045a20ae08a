from __future__ import annotations

import strawberry

from hub.records import PlaceRecord
from schema.context import Info
from schema.node import Node, int_pk, to_global_id


@strawberry.federation.type(
    keys=["id"],
    description=(
        "A place. Gazetteer places (verified) have an address and coordinates; a place known only by the "
        "name a post gave has neither, and is left out of `near` queries."
    ),
)
class Place(Node):
    name: str = strawberry.field(description="Name, e.g. 남원시립도서관.")
    address: str | None = strawberry.field(description="Street address, when known.")
    lat: float | None = strawberry.field(description="Latitude (WGS84), when known.")
    lng: float | None = strawberry.field(description="Longitude (WGS84), when known.")
    category: str | None = strawberry.field(description="Kind of place, e.g. 도서관, 문화시설.")
    verified: bool = strawberry.field(description="True for places from the city's gazetteer.")

    @classmethod
    def from_record(cls, record: PlaceRecord) -> Place:
        return cls(
            id=to_global_id("Place", record.id),
            name=record.name,
            address=record.address,
            lat=record.lat,
            lng=record.lng,
            category=record.category,
            verified=record.verified,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Place | None:
        pk = int_pk(id, "Place")
        record = await info.context.loaders.place_by_id.load(pk) if pk is not None else None
        return cls.from_record(record) if record else None
