"""`node(id)` and `nodes(ids)`: every public object by its global ID, through the same loaders."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from hub.errors import InvalidInput
from schema.areas.types import Area
from schema.context import Info
from schema.feed.types import FeedItem
from schema.node import Node, from_global_id
from schema.organisations.types import Organisation
from schema.places.types import Place

MAX_NODES = 100


async def resolve_node(info: Info, global_id: str) -> Node | None:
    type_name, pk = from_global_id(global_id)
    if not pk.isdigit():
        return None
    key = int(pk)
    loaders = info.context.loaders
    if type_name == "FeedItem":
        item = await loaders.feed_item_by_id.load(key)  # public items only: staff data never leaks here
        return FeedItem.from_record(item, info.context.zone) if item else None
    if type_name == "Organisation":
        org = await loaders.organisation_by_id.load(key)
        return Organisation.from_record(org) if org else None
    if type_name == "Area":
        area = await loaders.area_by_id.load(key)
        return Area.from_record(area) if area else None
    if type_name == "Place":
        place = await loaders.place_by_id.load(key)
        return Place.from_record(place) if place else None
    return None


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any public object by its global ID, or null.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
    ) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description="Several public objects by global ID (at most 100), null where not found.")
    async def nodes(
        self, info: Info, ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")]
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise InvalidInput(f"ID는 {MAX_NODES}개까지입니다 / at most {MAX_NODES} ids")
        return list(await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids)))
