"""Connectors: turn what organisations already post into `RawPost` records.

This package knows the outside formats (BAND, KakaoTalk, Kakao skill, RSS/Atom, iCalendar) and nothing
about the hub's database. Imports flow `schema → hub → org_connectors`, never back.
"""

from org_connectors.base import (
    ConnectorError,
    DatePrecision,
    RawPost,
    SourceKind,
    StructuredEvent,
    UnreadableInput,
)

__all__ = [
    "ConnectorError",
    "DatePrecision",
    "RawPost",
    "SourceKind",
    "StructuredEvent",
    "UnreadableInput",
]
