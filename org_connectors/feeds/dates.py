"""Lenient feed dates: RFC 822, ISO 8601, and the bare dates Korean board feeds emit."""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime

from org_connectors.base import DatePrecision

# 2025-10-02, 2025.10.02, 2025/10/02 (with an optional trailing dot, as some boards print)
_BARE_DATE = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?$")
# 2025-10-02 14:20, 2025-10-02 14:20:05, 2025.10.02 14:20 — naive local time
_LOCAL_DATETIME = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_feed_date(value: str, tz: tzinfo) -> tuple[datetime, DatePrecision] | None:
    """An aware datetime and how precise it is, or None when `value` is not a date we can read.

    Times without an offset are local (`tz`); a bare date means midnight local with day precision.
    """
    text = " ".join(value.split())
    if not text:
        return None
    if match := _BARE_DATE.match(text):
        day = _date(*match.groups())
        return (datetime.combine(day, time(), tzinfo=tz), DatePrecision.DAY) if day else None
    if match := _LOCAL_DATETIME.match(text):
        year, month, dom, hour, minute, second = match.groups()
        day = _date(year, month, dom)
        if day is None or int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
            return None
        moment = datetime.combine(day, time(int(hour), int(minute), int(second or 0)), tzinfo=tz)
        return moment, DatePrecision.SECOND if second else DatePrecision.MINUTE
    return _rfc822(text, tz) or _iso8601(text, tz)


def _date(year: str, month: str, dom: str) -> date | None:
    try:
        return date(int(year), int(month), int(dom))
    except ValueError:
        return None


def _rfc822(text: str, tz: tzinfo) -> tuple[datetime, DatePrecision] | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:  # "-0000" or no zone at all: the publisher's local time
        moment = moment.replace(tzinfo=tz)
    return moment, DatePrecision.SECOND


def _iso8601(text: str, tz: tzinfo) -> tuple[datetime, DatePrecision] | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment, DatePrecision.SECOND
