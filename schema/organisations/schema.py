from __future__ import annotations

from typing import Annotated

import strawberry

from hub.services.organisations import list_organisations
from schema.context import Info
from schema.organisations.types import Organisation, OrganisationConnection, OrganisationEdge
from schema.pagination import PageInfo


@strawberry.type
class OrganisationQueries:
    @strawberry.field(description="Organisations, optionally of one area, in a stable order.")
    async def organisations(
        self,
        info: Info,
        area: Annotated[str | None, strawberry.argument(description="Only this area's (slug).")] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 1..100 (default 20).")
        ] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor from a previous page.")] = None,
    ) -> OrganisationConnection:
        page = await list_organisations(info.context.db, area_slug=area, first=first, after=after)
        return OrganisationConnection(
            edges=[
                OrganisationEdge(cursor=cursor, node=Organisation.from_record(record))
                for record, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo.of(page),
        )

    @strawberry.field(description="One organisation by slug, or null.")
    async def organisation(
        self, info: Info, slug: Annotated[str, strawberry.argument(description="Organisation slug.")]
    ) -> Organisation | None:
        record = await info.context.loaders.organisation_by_slug.load(slug)
        return Organisation.from_record(record) if record else None
