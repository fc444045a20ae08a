from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.services.feed import DEFAULT_PER_DAY, FeedOrder, FeedQuery, calendar
from hub.services.item_relations import related_to
from schema.calendar.types import CalendarDay
from schema.context import Info
from schema.feed.inputs import FeedFilter
from schema.feed.types import FeedItem
from schema.selection import wanted_relations


@strawberry.type
class CalendarQueries:
    @strawberry.field(
        description=(
            "A calendar: every day from `from` to `to` (inclusive, at most 62 days, days in the hub's zone) "
            "with the public items on it. Items without a start are not on the calendar."
        )
    )
    async def calendar(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from", description="First day.")],
        to: Annotated[date, strawberry.argument(description="Last day (inclusive).")],
        filter: Annotated[
            FeedFilter | None, strawberry.argument(description="Conditions items must meet.")
        ] = None,
        per_day: Annotated[
            int, strawberry.argument(description="Items listed per day, 1..100 (default 20).")
        ] = DEFAULT_PER_DAY,
    ) -> list[CalendarDay]:
        query = filter.to_query(FeedOrder.NEWEST) if filter else FeedQuery()
        zone = info.context.zone
        days = await calendar(info.context.db, query, from_, to, zone, per_day=per_day)
        # A multi-day item is on several days: read what the distinct items point at once.
        shown = list({record.id: record for day in days for record in day.items}.values())
        related = await related_to(info.context.db, shown, wanted_relations(info))
        return [
            CalendarDay(
                date=day.day,
                items=[FeedItem.from_record(record, zone, related) for record in day.items],
                total_count=day.total,
            )
            for day in days
        ]
