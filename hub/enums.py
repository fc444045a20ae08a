"""Vocabulary shared by the store, the pipeline and the graph. Values are the GraphQL enum names."""

from __future__ import annotations

import enum


class ItemKind(enum.StrEnum):
    ANNOUNCEMENT = "ANNOUNCEMENT"  # 공지: information without a concrete start
    EVENT = "EVENT"  # 행사/일정: has a concrete start
    GATHERING = "GATHERING"  # 모임: a recurring or informal meeting
    NOTICE = "NOTICE"  # 알림: administrative notice (closures, changes, results)


class ItemStatus(enum.StrEnum):
    PUBLISHED = "PUBLISHED"
    PENDING_REVIEW = "PENDING_REVIEW"  # waiting in the organisation's review queue; never public
    REJECTED = "REJECTED"  # rejected by staff; never public
    WITHDRAWN = "WITHDRAWN"  # deleted upstream or by staff; tombstoned; never public
    RESCHEDULED = "RESCHEDULED"  # public, times changed by a change notice
    CANCELLED = "CANCELLED"  # public, so residents learn it will not happen


PUBLIC_STATUSES: frozenset[ItemStatus] = frozenset(
    {ItemStatus.PUBLISHED, ItemStatus.RESCHEDULED, ItemStatus.CANCELLED}
)
