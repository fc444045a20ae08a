"""iCalendar files (Google Calendar exports) to one `RawPost` per occurrence inside a time window.

Keys. A recurring series (RRULE, RDATE or any RECURRENCE-ID override) gives each occurrence
`external_id = f"{UID}#{original start}"`, the original start being the RECURRENCE-ID (ISO 8601 in the
hub's zone, or a plain date for all-day series). An override that moves or cancels an occurrence keeps
its RECURRENCE-ID, so the same item is updated on the next poll. A one-off event is keyed by its UID
alone, so moving it in Google Calendar updates the item instead of leaving a stale copy at the old time.

All-day events: `StructuredEvent.starts_at` is local midnight of the first day and `ends_at` is local
midnight of DTEND, which iCalendar makes exclusive: a one-day event on 2026-11-28 has ends_at
2026-11-29T00:00+09:00 and `all_day=True`. Show the last day as `ends_at - 1 day` when all_day is set.

Times: TZID and UTC times become aware datetimes in `tz`; X-WR-TIMEZONE is honoured (Google writes UTC
times meaning that zone); floating times are taken as `tz` (Asia/Seoul).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from org_connectors.base import RawPost, SourceKind, StructuredEvent, UnreadableInput
from org_connectors.feeds.errors import NotACalendar
from org_connectors.feeds.html_text import html_to_text

SEOUL = ZoneInfo("Asia/Seoul")
WINDOW_BACK = timedelta(days=30)
WINDOW_AHEAD = timedelta(days=180)

_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
# Google Calendar lets people format descriptions; its export then carries HTML tags.
_HTML_TAG = re.compile(r"<(br|p|div|span|a|b|i|u|ul|ol|li|strong|em)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CalendarParseResult:
    posts: tuple[RawPost, ...]
    name: str | None
    unreadable: tuple[UnreadableInput, ...]


def default_window(now: datetime) -> tuple[datetime, datetime]:
    """The expansion window used when an import names none: 30 days back, 180 days ahead."""
    return now - WINDOW_BACK, now + WINDOW_AHEAD


def parse_calendar(
    data: bytes, *, window_start: datetime, window_end: datetime, tz: tzinfo = SEOUL
) -> CalendarParseResult:
    """Every occurrence overlapping [window_start, window_end], cancelled ones included and flagged.

    Events that cannot be read (no UID, no start, a broken rule) come back in `unreadable`; one bad
    series never hides the others. Raises `NotACalendar` when `data` is not an iCalendar file.
    """
    calendar = _read_calendar(data)
    name = _text(calendar.get("X-WR-CALNAME")) or None
    start, end = _aware(window_start, tz), _aware(window_end, tz)
    unreadable: list[UnreadableInput] = []
    series: dict[str, list[icalendar.Component]] = {}
    for index, component in enumerate(calendar.walk("VEVENT"), start=1):
        problem = _problem(component)
        if problem:
            unreadable.append(_unreadable(component, index, *problem))
            continue
        series.setdefault(str(component["UID"]), []).append(component)

    posts: list[RawPost] = []
    for uid, components in series.items():
        try:
            occurrences = recurring_ical_events.of(_calendar_of(calendar, components)).between(start, end)
        except ValueError as exc:  # both libraries' calendar errors are ValueErrors
            problem = ("일정 반복 정보를 해석할 수 없습니다", f"Cannot expand the event: {exc}")
            unreadable.append(_unreadable(components[0], None, *problem))
            continue
        recurring = any(p in c for c in components for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
        posts.extend(_post(o, uid=uid, recurring=recurring, calendar_name=name, tz=tz) for o in occurrences)
    posts.sort(key=lambda p: (p.event.starts_at if p.event else p.posted_at, p.external_id))
    return CalendarParseResult(posts=tuple(posts), name=name, unreadable=tuple(unreadable))


def _read_calendar(data: bytes) -> icalendar.Calendar:
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        raise NotACalendar(data, reason="BEGIN:VCALENDAR로 시작하지 않음 / no BEGIN:VCALENDAR at the start")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise NotACalendar(data, reason=f"{str(exc)[:80]}") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise NotACalendar(data, reason="VCALENDAR가 아님 / not a VCALENDAR")
    return calendar


def _problem(component: icalendar.Component) -> tuple[str, str] | None:
    if not _text(component.get("UID")):
        return "UID가 없어 일정을 구별할 수 없습니다", "The event has no UID"
    if "DTSTART" not in component:
        return "시작 시각(DTSTART)이 없습니다", "The event has no DTSTART"
    for prop, error in component.errors:
        if prop in _TIME_PROPERTIES:
            return f"{prop} 값을 읽을 수 없습니다", f"Unreadable {prop}: {error}"
    return None


def _unreadable(
    component: icalendar.Component, index: int | None, korean: str, english: str
) -> UnreadableInput:
    summary = _text(component.get("SUMMARY")) or "(제목 없음 / untitled)"
    uid = _text(component.get("UID"))
    where = f"VEVENT {index}: {summary}" if index is not None else f"VEVENT {uid}: {summary}"
    raw = component.to_ical().decode("utf-8", errors="replace")[:2000]
    return UnreadableInput(f"{korean} / {english} ({where})", where=where, raw=raw)


def _calendar_of(calendar: icalendar.Calendar, events: list[icalendar.Component]) -> icalendar.Calendar:
    """A calendar holding one series plus the original's time zones and X-WR-* properties."""
    single = icalendar.Calendar()
    for key, value in calendar.items():
        single.add(key, value)
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            single.add_component(component)
    for event in events:
        single.add_component(event)
    return single


def _post(
    occurrence: icalendar.Component, *, uid: str, recurring: bool, calendar_name: str | None, tz: tzinfo
) -> RawPost:
    start = _when(occurrence, "DTSTART")
    if start is None:  # _problem() let only events with a readable DTSTART through
        raise ValueError("occurrence without DTSTART")
    end = _when(occurrence, "DTEND")
    all_day = not isinstance(start, datetime)
    ends_at: datetime | None
    if isinstance(start, datetime):
        starts_at = _aware(start, tz).astimezone(tz)
        ends_at = _aware(end, tz).astimezone(tz) if isinstance(end, datetime) and end != start else None
    else:
        starts_at = datetime.combine(start, time(), tzinfo=tz)
        ends_at = datetime.combine(end or start + timedelta(days=1), time(), tzinfo=tz)
    original = _when(occurrence, "RECURRENCE-ID") or start
    external_id = f"{uid}#{_iso(original, tz)}" if recurring else uid

    location = _text(occurrence.get("LOCATION")) or None
    description = _text(occurrence.get("DESCRIPTION"))
    if _HTML_TAG.search(description):
        description = html_to_text(description).text
    parts = (description.strip(), f"장소: {location}" if location else "")
    body = "\n\n".join(part for part in parts if part)
    status = _text(occurrence.get("STATUS")).upper()
    created = _moment(occurrence, "CREATED", tz) or _moment(occurrence, "DTSTAMP", tz)

    return RawPost(
        source_kind=SourceKind.ICAL,
        external_id=external_id,
        # Google always writes DTSTAMP; a hand-made file without either falls back to the start.
        posted_at=created or starts_at,
        updated_at=_moment(occurrence, "LAST-MODIFIED", tz),
        title=_text(occurrence.get("SUMMARY")) or None,
        body=body,
        url=_text(occurrence.get("URL")) or None,
        event=StructuredEvent(
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=all_day,
            location=location,
            cancelled=status == "CANCELLED",
        ),
        payload=_payload(occurrence, uid=uid, original=original, calendar_name=calendar_name, tz=tz),
    )


def _payload(
    occurrence: icalendar.Component, *, uid: str, original: date, calendar_name: str | None, tz: tzinfo
) -> Mapping[str, Any]:
    start, end = _when(occurrence, "DTSTART"), _when(occurrence, "DTEND")
    sequence = occurrence.get("SEQUENCE")
    return {
        "calendar": calendar_name,
        "uid": uid,
        "recurrence_id": _iso(original, tz),
        "dtstart": _iso(start, tz) if start is not None else None,
        "dtend": _iso(end, tz) if end is not None else None,
        "summary": _text(occurrence.get("SUMMARY")) or None,
        "location": _text(occurrence.get("LOCATION")) or None,
        "status": _text(occurrence.get("STATUS")) or None,
        "sequence": int(sequence) if sequence is not None else None,
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a property repeated in the file (rare, e.g. two DESCRIPTIONs)
        return "\n".join(_text(v) for v in value)
    return str(value).strip()


def _moment(component: icalendar.Component, prop: str, tz: tzinfo) -> datetime | None:
    """An optional timestamp property as an aware datetime; broken or date-only values count as absent."""
    if any(name == prop for name, _ in component.errors):
        return None
    value = _when(component, prop)
    return _aware(value, tz) if isinstance(value, datetime) else None


def _when(component: icalendar.Component, prop: str) -> date | None:
    """A date or datetime property's value (datetime is a date too), or None."""
    value: Any = component.get(prop)
    moment = getattr(value, "dt", None)
    return moment if isinstance(moment, date) else None


def _aware(value: datetime, tz: tzinfo) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _iso(value: date, tz: tzinfo) -> str:
    if isinstance(value, datetime):
        return _aware(value, tz).astimezone(tz).isoformat()
    return value.isoformat()
