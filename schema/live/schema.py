from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from hub.broadcast import broadcaster_for
from hub.services.feed import FeedOrder, FeedQuery, matching_items
from schema.context import Info
from schema.feed.inputs import FeedFilter
from schema.feed.types import FeedItem


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription(
        description=(
            "Items as they are published (over graphql-transport-ws), matching the filter like `feed` does. "
            "Items from every hub process arrive (PostgreSQL LISTEN/NOTIFY); the order is ignored."
        )
    )
    async def feed_item_published(
        self,
        info: Info,
        filter: Annotated[
            FeedFilter | None, strawberry.argument(description="Conditions items must meet.")
        ] = None,
    ) -> AsyncGenerator[FeedItem, None]:
        query = filter.to_query(FeedOrder.NEWEST) if filter else FeedQuery()
        query.validate()
        db, zone = info.context.db, info.context.zone
        broadcaster = await broadcaster_for(db)
        async with broadcaster.subscribe() as queue:
            while True:
                ids = await queue.get()
                for record in await matching_items(db, query, ids):
                    yield FeedItem.from_record(record, zone)
