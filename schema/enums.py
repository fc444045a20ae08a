"""GraphQL enums over the hub's vocabulary: the Python enums are registered as they are, so one name
serves the store, the pipeline and the graph."""

from __future__ import annotations

import strawberry

from hub.enums import ItemKind, ItemStatus
from hub.services.feed import FeedOrder
from org_connectors import SourceKind

strawberry.enum(
    ItemKind,
    description="What an item is: 공지 ANNOUNCEMENT, 행사 EVENT (has a start), 모임 GATHERING, 알림 NOTICE.",
)
strawberry.enum(
    ItemStatus,
    description="Public items are PUBLISHED, RESCHEDULED or CANCELLED; the others are visible to staff only.",
)
strawberry.enum(SourceKind, description="Where an item was seen: BAND, KAKAO, RSS, ICAL, MANUAL, API.")
strawberry.enum(
    FeedOrder,
    description=(
        "NEWEST: most recently posted first. UPCOMING: next start first, past events left out. "
        "NEAREST: closest first (needs filter.near). "
        "RELEVANCE: among the 2,000 most recently posted matches, those whose title holds more of the words "
        "first, then the most recently posted (needs filter.text)."
    ),
)

__all__ = ["FeedOrder", "ItemKind", "ItemStatus", "SourceKind"]
