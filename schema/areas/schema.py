from __future__ import annotations

from typing import Annotated

import strawberry

from hub.services.areas import list_areas
from schema.areas.types import Area
from schema.context import Info


@strawberry.type
class AreaQueries:
    @strawberry.field(description="All areas (관심 영역), in their display order.")
    async def areas(self, info: Info) -> list[Area]:
        return [Area.from_record(record) for record in await list_areas(info.context.db)]

    @strawberry.field(description="One area by slug, or null.")
    async def area(
        self, info: Info, slug: Annotated[str, strawberry.argument(description="Area slug, e.g. youth.")]
    ) -> Area | None:
        record = await info.context.loaders.area_by_slug.load(slug)
        return Area.from_record(record) if record else None
