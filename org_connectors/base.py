"""The one contract every connector fulfils: outside payload in, `RawPost` out.

Exception tree (callers catch the narrowest they can act on):

    ConnectorError            anything a connector raises on purpose
    └── UnreadableInput       one payload/line/entry cannot be read; the caller dead-letters it
                              and carries on with the rest
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SourceKind(enum.StrEnum):
    """Where a post was seen. Values are the GraphQL enum names front ends rely on."""

    BAND = "BAND"
    KAKAO = "KAKAO"
    RSS = "RSS"
    ICAL = "ICAL"
    MANUAL = "MANUAL"
    API = "API"


class DatePrecision(enum.StrEnum):
    """How precise an outside timestamp was: a board feed may give only a date."""

    SECOND = "second"
    MINUTE = "minute"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class StructuredEvent:
    """Times and place a source already states as data (iCalendar), taken as they are."""

    starts_at: datetime
    ends_at: datetime | None = None
    all_day: bool = False
    location: str | None = None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class RawPost:
    """One post as a connector read it, before the hub understands it.

    `external_id` is stable for the source (BAND post_key, RSS guid, iCal UID + instance start, a hash
    for Kakao exports) so that re-ingestion is an idempotent upsert. Datetimes are timezone-aware.
    `payload` is the JSON-able original kept in the inbox for reprocessing and support; it never holds
    credentials (access tokens, secret URLs).
    """

    source_kind: SourceKind
    external_id: str
    posted_at: datetime
    body: str
    title: str | None = None
    url: str | None = None
    updated_at: datetime | None = None
    posted_at_precision: DatePrecision = DatePrecision.SECOND
    author_name: str | None = None
    # None when the source cannot tell; BAND leaders/co-leaders and named Kakao staff are True.
    author_is_staff: bool | None = None
    images: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    event: StructuredEvent | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.posted_at.tzinfo is None:
            raise ValueError("RawPost.posted_at must be timezone-aware")
        if not self.external_id:
            raise ValueError("RawPost.external_id must not be empty")


class ConnectorError(Exception):
    """A connector failed on purpose, with a message fit for staff (Korean first)."""


class UnreadableInput(ConnectorError):
    """One payload, line or entry cannot be read. `where` says which (line number, entry id)."""

    def __init__(self, message: str, *, where: str | None = None, raw: str | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.raw = raw
