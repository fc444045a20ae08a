from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.records import AreaRecord
from schema.context import Info
from schema.node import Node, to_global_id

if TYPE_CHECKING:
    from schema.organisations.types import Organisation


@strawberry.federation.type(
    keys=["slug"],
    description="관심 영역: a part of the graph that one or more organisations operate.",
)
class Area(Node):
    slug: str = strawberry.field(description="Stable key: community, culture, education, youth, civic, …")
    name: str = strawberry.field(description="Korean name, e.g. 공동체.")
    name_en: str = strawberry.field(description="English name.")
    description: str = strawberry.field(description="What the area covers, in Korean.")
    record: strawberry.Private[AreaRecord]

    @classmethod
    def from_record(cls, record: AreaRecord) -> Area:
        return cls(
            id=to_global_id("Area", record.id),
            slug=record.slug,
            name=record.name,
            name_en=record.name_en,
            description=record.description,
            record=record,
        )

    @strawberry.field(description="Organisations whose home area this is.")
    async def organisations(
        self, info: Info
    ) -> list[Annotated[Organisation, strawberry.lazy("schema.organisations.types")]]:
        from schema.organisations.types import Organisation

        records = await info.context.loaders.organisations_by_area_id.load(self.record.id)
        return [Organisation.from_record(record) for record in records]

    @classmethod
    async def resolve_reference(cls, info: Info, slug: str) -> Area | None:
        record = await info.context.loaders.area_by_slug.load(slug)
        return cls.from_record(record) if record else None
