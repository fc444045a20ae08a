"""The weekly digest (주간 소식): public items starting in one week, grouped by day, as plain text ready
to paste into a BAND post and into KakaoTalk messages (each at most 1000 characters)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub.db import Database
from hub.enums import PUBLIC_STATUSES, ItemStatus
from hub.models import Area, FeedItem, Organisation, Place
from hub.records import FeedItemRecord
from hub.services.areas import require_area

_item = FeedItem.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_place = Place.__table__  # type: ignore[attr-defined]
_area = Area.__table__  # type: ignore[attr-defined]

MESSAGE_LIMIT = 1000
MAX_ITEMS = 200
WEEKDAYS = "월화수목금토일"


@dataclass(frozen=True, slots=True)
class DigestLine:
    item: FeedItemRecord
    organisation: str
    place: str | None
    text: str


@dataclass(frozen=True, slots=True)
class DigestDay:
    day: date
    heading: str
    lines: tuple[DigestLine, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    week_start: date
    area_name: str | None
    days: tuple[DigestDay, ...]
    text: str
    messages: tuple[str, ...]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _heading(day: date) -> str:
    return f"■ {day.month}월 {day.day}일 ({WEEKDAYS[day.weekday()]})"


def _line(item: FeedItemRecord, organisation: str, place: str | None, zone: ZoneInfo) -> str:
    assert item.starts_at is not None
    when = "종일" if item.all_day else item.starts_at.astimezone(zone).strftime("%H:%M")
    status = " [취소]" if item.status is ItemStatus.CANCELLED else ""
    where = f" · {place}" if place else ""
    return f"· {when} {item.title}{status}{where} ({organisation})"


def split_messages(header: str, blocks: list[str], limit: int = MESSAGE_LIMIT) -> tuple[str, ...]:
    """Whole days per message where they fit, whole lines otherwise; never more than `limit` characters."""
    messages: list[str] = []
    current = header
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = ""
        for line in block.split("\n"):
            piece = line if len(line) <= limit else line[: limit - 1] + "…"
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return tuple(messages)


async def weekly_digest(db: Database, week: date, zone: ZoneInfo, *, area_slug: str | None = None) -> Digest:
    start_day = week_of(week)
    start = datetime.combine(start_day, time(), zone)
    end = start + timedelta(days=7)
    statement = (
        select(_item, _org.c.name.label("organisation_name"), _place.c.name.label("place_name"))
        .join(_org, _org.c.id == _item.c.organisation_id)
        .outerjoin(_place, _place.c.id == _item.c.place_id)
        .where(
            _item.c.status.in_([s.value for s in PUBLIC_STATUSES]),
            _item.c.starts_at >= start,
            _item.c.starts_at < end,
        )
        .order_by(_item.c.starts_at, _item.c.id)
        .limit(MAX_ITEMS)
    )
    area_name = None
    if area_slug is not None:
        area = await require_area(db, area_slug)
        area_name = area.name
        statement = statement.where(_item.c.area_id == area.id)
    async with db.read() as conn:
        rows = (await conn.execute(statement)).mappings().all()
    by_day: dict[date, list[DigestLine]] = defaultdict(list)
    for row in rows:
        item = FeedItemRecord.from_row(row)
        assert item.starts_at is not None
        place = row["place_name"] or item.place_detail
        by_day[item.starts_at.astimezone(zone).date()].append(
            DigestLine(
                item, row["organisation_name"], place, _line(item, row["organisation_name"], place, zone)
            )
        )
    days = tuple(DigestDay(day, _heading(day), tuple(lines)) for day, lines in sorted(by_day.items()))
    last = start_day + timedelta(days=6)
    scope = f" · {area_name}" if area_name else ""
    header = f"📅 이번 주 소식{scope} ({start_day.month}월 {start_day.day}일 ~ {last.month}월 {last.day}일)"
    blocks = ["\n".join([day.heading, *(line.text for line in day.lines)]) for day in days]
    if not blocks:
        blocks = ["이번 주에 예정된 일정이 없습니다."]
    text = "\n\n".join([header, *blocks])
    return Digest(start_day, area_name, days, text, split_messages(header, blocks))
