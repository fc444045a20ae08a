from __future__ import annotations

from collections.abc import Awaitable

import strawberry

from hub.records import AreaRecord, OrganisationRecord
from schema.areas.types import Area
from schema.context import Info
from schema.node import Node, to_global_id
from schema.pagination import PageInfo


@strawberry.federation.type(
    keys=["slug"],
    description="An organisation that posts (중간지원조직, city hall, civic groups, …).",
)
class Organisation(Node):
    slug: str = strawberry.field(description="Stable key, e.g. namwon-community-center.")
    name: str = strawberry.field(description="Name as residents know it.")
    description: str = strawberry.field(description="About the organisation, in Korean.")
    homepage: str | None = strawberry.field(description="Its own web page, if any.")
    record: strawberry.Private[OrganisationRecord]
    # Read up front by hot lists (feed, calendar); otherwise the area comes through a loader.
    area_record: strawberry.Private[AreaRecord | None] = None

    @classmethod
    def from_record(cls, record: OrganisationRecord, area: AreaRecord | None = None) -> Organisation:
        return cls(
            id=to_global_id("Organisation", record.id),
            slug=record.slug,
            name=record.name,
            description=record.description,
            homepage=record.homepage,
            record=record,
            area_record=area,
        )

    # Plain (not async) when the area was read up front: graphql-core then skips an await per item.
    @strawberry.field(description="The organisation's home area.", graphql_type=Area)
    def area(self, info: Info) -> Area | Awaitable[Area]:
        if self.area_record is not None:
            return Area.from_record(self.area_record)
        return self._load_area(info)

    async def _load_area(self, info: Info) -> Area:
        record = await info.context.loaders.area_by_id.load(self.record.area_id)
        assert record is not None, "foreign key guarantees the area"
        return Area.from_record(record)

    @classmethod
    async def resolve_reference(cls, info: Info, slug: str) -> Organisation | None:
        record = await info.context.loaders.organisation_by_slug.load(slug)
        return cls.from_record(record) if record else None


@strawberry.type(description="An edge in a list of organisations.")
class OrganisationEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this edge.")
    node: Organisation = strawberry.field(description="The organisation.")


@strawberry.type(description="A page of organisations (Relay connection).")
class OrganisationConnection:
    edges: list[OrganisationEdge] = strawberry.field(description="The organisations of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
