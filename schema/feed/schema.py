from __future__ import annotations

from typing import Annotated

import strawberry

from hub.services.feed import FeedQuery, feed_page_related
from hub.services.item_relations import taxonomy
from schema.context import Info
from schema.enums import FeedOrder
from schema.feed.inputs import FeedFilter
from schema.feed.types import Category, FeedItem, FeedItemConnection, FeedItemEdge
from schema.kept import kept_object
from schema.pagination import PageInfo
from schema.selection import wanted_relations


@strawberry.type
class FeedQueries:
    @strawberry.field(
        description="Everything at a glance: public items of every organisation, one page at a time."
    )
    async def feed(
        self,
        info: Info,
        filter: Annotated[
            FeedFilter | None, strawberry.argument(description="Conditions items must meet.")
        ] = None,
        order_by: Annotated[
            FeedOrder, strawberry.argument(description="Order (default NEWEST).")
        ] = FeedOrder.NEWEST,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 1..100 (default 20).")
        ] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor from a previous page.")] = None,
    ) -> FeedItemConnection:
        query = filter.to_query(order_by) if filter else FeedQuery(order=order_by)
        page, related = await feed_page_related(
            info.context.db, query, first=first, after=after, wanted=wanted_relations(info)
        )
        zone = info.context.zone
        return FeedItemConnection(
            edges=[
                FeedItemEdge(cursor=cursor, node=FeedItem.from_record(record, zone, related))
                for record, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo.of(page),
        )

    @strawberry.field(description="The category taxonomy.")
    async def categories(self, info: Info) -> list[Category]:
        return [kept_object(record, Category.from_record) for record in await taxonomy(info.context.db)]
