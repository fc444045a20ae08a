"""The understanding stage: one announcement's text in, one frozen `Understanding` out.

Pure and fast (no I/O, regexes compiled at import): the runner calls it for every new or changed raw
post and again on `hub reprocess` after an improvement.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from hub.enums import ItemKind
from hub.ingest.understand import what
from hub.ingest.understand.gazetteer import Gazetteer
from hub.ingest.understand.when import When, read_when
from hub.ingest.understand.where import read_where
from hub.privacy import mask_personal_data
from org_connectors.base import StructuredEvent

SEOUL = ZoneInfo("Asia/Seoul")
_EMPTY_GAZETTEER = Gazetteer(())
_NOTICE_WORDS = re.compile(
    r"휴관|휴무|휴강|휴원|운영\s*중단|임시\s*폐쇄|결과|발표|선정|당첨|합격|공사|단수|정전|통제|점검|변경\s*안내|이전\s*안내|"
    r"운영\s*시간|관람\s*시간|이용\s*시간|채용|시행"
)
_REPORT_WORDS = re.compile(r"후기|결과\s*보고|스케치|다녀왔|마쳤습니다|성황리|잘\s*마무리")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff]")
_LINE_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


@dataclass(frozen=True, slots=True)
class PlaceRef:
    name: str
    address: str | None
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class Understanding:
    title: str
    excerpt: str
    kind: ItemKind
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool = False
    apply_until: datetime | None = None
    recurrence: str | None = None
    is_online: bool = False
    place_name: str | None = None
    place: PlaceRef | None = None
    place_detail: str | None = None
    fee: str | None = None
    categories: tuple[str, ...] = ()
    change: str | None = None  # None | "CANCELLED" | "RESCHEDULED" | "CHANGED"
    confidence: float = 0.0
    time_span: str | None = None
    # For change notices: the time the notice says the event had before (what dedupe matches on).
    previous_starts_at: datetime | None = None

    @property
    def is_event(self) -> bool:
        return self.kind in (ItemKind.EVENT, ItemKind.GATHERING)


def _tidy(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def understand(
    body: str,
    title: str | None = None,
    *,
    posted_at: datetime,
    gazetteer: Gazetteer | None = None,
    structured: StructuredEvent | None = None,
    tz: tzinfo = SEOUL,
    mask_personal: bool = True,
) -> Understanding:
    """Read when, where and what from one announcement, relative to its own `posted_at`.

    `structured` times (iCal) are taken as they are; text still supplies the deadline, fee and categories.
    With `mask_personal` (the default) title, excerpt and place text have mobile numbers and e-mails masked.
    """
    if posted_at.tzinfo is None:
        raise ValueError("posted_at must be timezone-aware / posted_at에 시간대가 필요합니다")
    body = _tidy(body)
    title = _tidy(title) if title else None
    gaz = gazetteer or _EMPTY_GAZETTEER
    change = what.read_change(title, body)
    when = read_when(body, title=title, posted_at=posted_at, tz=tz, change=change)
    if structured is not None:
        when = _from_structured(structured, when, tz)
        if structured.cancelled:
            change = "CANCELLED"
    where = read_where(
        body,
        title=title,
        gazetteer=gaz,
        location=structured.location if structured else None,
        anchor=when.span,
    )
    clean_title = what.clean_title(title, body)
    when = _plausible(
        when, where.place is not None or where.place_name is not None or where.is_online, change, clean_title
    )
    kind = _kind(when, change, clean_title, body)
    confidence = when.confidence if when.starts_at else 0.5
    if where.place is not None or where.is_online:
        confidence = min(1.0, confidence + 0.05)
    place = where.place
    mask = mask_personal_data if mask_personal else _same
    return Understanding(
        title=mask(clean_title),
        excerpt=mask(what.excerpt(body)),
        kind=kind,
        starts_at=when.starts_at if kind in (ItemKind.EVENT, ItemKind.GATHERING) or change else None,
        ends_at=when.ends_at if kind in (ItemKind.EVENT, ItemKind.GATHERING) or change else None,
        all_day=when.all_day,
        apply_until=when.apply_until,
        recurrence=when.recurrence,
        is_online=where.is_online,
        place_name=mask(where.place_name) if where.place_name else None,
        place=PlaceRef(place.name, place.address, place.lat, place.lng) if place else None,
        place_detail=mask(where.detail) if where.detail else None,
        fee=what.read_fee(body),
        categories=what.read_categories(clean_title, body),
        change=change,
        confidence=round(confidence, 2),
        time_span=mask(when.span) if when.span else None,
        previous_starts_at=when.previous_starts_at,
    )


def _same(text: str) -> str:
    return text


def _from_structured(event: StructuredEvent, when: When, tz: tzinfo) -> When:
    return When(
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        all_day=event.all_day,
        apply_until=when.apply_until,
        recurrence=when.recurrence,
        previous_starts_at=when.previous_starts_at,
        confidence=1.0,
        span="iCalendar",
        source="structured",
        has_time=not event.all_day,
    )


def _plausible(when: When, has_place: bool, change: str | None, title: str) -> When:
    """Drop a start that is more likely a date in passing than the time of an event.

    A closure or results notice (`휴관 안내`) states dates without announcing an event unless a line is
    labelled as the event's time; a date in running text with no time and no place is a period or a
    reference (`12월 1일부터 제설대책 기간`), not something to attend.
    """
    if when.starts_at is None or change is not None or when.source == "structured":
        return when
    weak = when.source != "label" and _NOTICE_WORDS.search(title) is not None
    vague = when.source == "text" and not when.has_time and not has_place
    if weak or vague:
        return When(apply_until=when.apply_until, confidence=0.3)
    return when


def _kind(when: When, change: str | None, title: str, body: str) -> ItemKind:
    if when.starts_at is not None:
        if when.recurrence is not None:
            return ItemKind.GATHERING
        return ItemKind.EVENT
    if change is not None or _NOTICE_WORDS.search(title):
        return ItemKind.NOTICE
    if _REPORT_WORDS.search(title):
        return ItemKind.ANNOUNCEMENT
    return ItemKind.ANNOUNCEMENT
