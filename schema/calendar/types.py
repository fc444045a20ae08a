from __future__ import annotations

from datetime import date

import strawberry

from schema.feed.types import FeedItem


@strawberry.type(description="One day of the calendar in the hub's zone (Asia/Seoul).")
class CalendarDay:
    date: date = strawberry.field(description="The day.")
    items: list[FeedItem] = strawberry.field(
        description=(
            "Items on this day by start time, at most `perDay`. A multi-day item is on every day it covers."
        )
    )
    total_count: int = strawberry.field(description="How many items are on this day in all.")
