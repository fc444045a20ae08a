"""Google calendars polled over real HTTP on 127.0.0.1: occurrences, moves, cancellations, removals."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.db import Database
from hub.enums import ItemStatus
from hub.models import Source
from hub.scheduler import Scheduler
from hub.services.dead_letters import list_dead_letters
from hub.services.sources import FailureKind, get_source
from hub.sync import SyncFailed, SyncReport
from hub.sync.feeds import add_feed_source
from hub.sync.registry import SYNCERS
from org_connectors import SourceKind
from tests.sync.feeds.store import (
    BOX,
    NOW,
    SEOUL,
    TOMBSTONES,
    count,
    hub_settings,
    item_statuses,
    items,
    org,
    snapshot,
    sync,
)
from tests.sync.feeds.support import HTML, ICS, FeedSite, seed, without_events

WEEKLY = "5mokgong2026weekly0q7r@google.com"
KIMJANG = "2kimjang2026share9x@google.com"
CALENDAR = "/calendar/ical/culture/public/basic.ics"
PRIVATE = "/calendar/ical/culture%40group.calendar.google.com/private-5e1f9c0ffee77aa1b2c3/basic.ics"
TOKEN = "5e1f9c0ffee77aa1b2c3"
_source = Source.__table__  # type: ignore[attr-defined]


def weekly(day: str) -> str:
    return f"{WEEKLY}#{day}T19:00:00+09:00"


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SEOUL)


async def culture_calendar(db: Database, url: str) -> tuple[int, int]:
    culture = await org(db, "namwon-culture-city", "남원문화도시사무국", "culture")
    source = await add_feed_source(
        db, BOX, organisation_slug=culture.slug, kind=SourceKind.ICAL, url=url, now=NOW
    )
    return culture.id, source.id


async def test_occurrences_of_a_google_calendar_become_events(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put(CALENDAR, seed("ical/culture_office_v1.ics"), ICS)
    culture_id, source_id = await culture_calendar(db, url)

    report = await sync(db, hub_settings(db, tmp_path), source_id)

    # Nine Thursday classes (two EXDATEs), three forum dates (RDATE) and five one-off events; the
    # March event is outside the window (30 days back, 180 ahead).
    assert report == SyncReport(created=17)
    stored = await items(db, culture_id, SourceKind.ICAL)
    assert weekly("2026-12-24") not in stored and weekly("2026-12-31") not in stored
    moved = stored[weekly("2026-12-10")]  # RECURRENCE-ID override: Thursday moved to Friday
    assert (moved.starts_at, moved.ends_at) == (at(2026, 12, 11, 19), at(2026, 12, 11, 21))
    assert "금요일로 변경" in moved.title and moved.status == ItemStatus.PUBLISHED
    assert stored[weekly("2026-12-17")].status == ItemStatus.CANCELLED  # one cancelled instance
    assert stored["4yaganconcert2026c5t@google.com"].status == ItemStatus.CANCELLED
    forum = [key for key in stored if key.startswith("3forum2026rdate8k1z@google.com#")]
    assert sorted(stored[key].starts_at for key in forum) == [  # type: ignore[type-var]
        at(2026, 12, 5, 14),
        at(2027, 1, 9, 14),
        at(2027, 2, 6, 14),
    ]
    festival = stored["7bitfestival2026winter2a@google.com"]  # all day, DTEND exclusive
    assert festival.all_day and (festival.starts_at, festival.ends_at) == (at(2026, 12, 18), at(2026, 12, 21))
    assert stored["8haeseolsa2026floating4m@google.com"].starts_at == at(2026, 12, 3, 15)  # floating time
    assert stored["6hanok2026utc0p3w@google.com"].starts_at == at(2026, 12, 12, 10)  # 01:00Z
    assert "광한루원과 요천 산책로" in festival.body and "장소: 광한루원 일대" in festival.body


async def test_a_new_version_moves_and_cancels_occurrences_and_a_304_changes_nothing(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put(CALENDAR, seed("ical/culture_office_v1.ics"), ICS)
    culture_id, source_id = await culture_calendar(db, url)
    settings = hub_settings(db, tmp_path)
    await sync(db, settings, source_id)
    before = await items(db, culture_id, SourceKind.ICAL)
    site.put(CALENDAR, seed("ical/culture_office_v2.ics"), ICS)

    report = await sync(db, settings, source_id)

    assert report == SyncReport(updated=2, unchanged=15)
    after = await items(db, culture_id, SourceKind.ICAL)
    assert set(after) == set(before)
    moved, was = after[weekly("2026-12-03")], before[weekly("2026-12-03")]
    assert moved.item_id == was.item_id and was.starts_at == at(2026, 12, 3, 19)
    assert moved.starts_at == at(2026, 12, 4, 19) and "전기 설비 점검" in moved.body
    cancelled = after[weekly("2027-01-07")]
    assert cancelled.item_id == before[weekly("2027-01-07")].item_id
    assert (before[weekly("2027-01-07")].status, cancelled.status) == (
        ItemStatus.PUBLISHED,
        ItemStatus.CANCELLED,
    )
    unchanged = [key for key in after if key not in (weekly("2026-12-03"), weekly("2027-01-07"))]
    assert all(after[key].updated_at == before[key].updated_at for key in unchanged)
    state = await snapshot(db)
    etag = site.documents[CALENDAR].etag

    assert await sync(db, settings, source_id) == SyncReport()
    assert site.requests[-1].if_none_match == etag and site.requests[-1].status == 304
    assert await snapshot(db) == state


async def test_occurrences_removed_from_the_calendar_are_withdrawn(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    v1 = seed("ical/culture_office_v1.ics")
    url = site.put(CALENDAR, v1, ICS)
    culture_id, source_id = await culture_calendar(db, url)
    settings = hub_settings(db, tmp_path)
    await sync(db, settings, source_id)
    # The organiser deletes the kimchi event and drops the class of 26 November (a new EXDATE).
    edited = without_events(v1, KIMJANG).replace(
        b"EXDATE;TZID=Asia/Seoul:20261224T190000",
        b"EXDATE;TZID=Asia/Seoul:20261126T190000\r\nEXDATE;TZID=Asia/Seoul:20261224T190000",
    )
    assert edited.count(b"BEGIN:VEVENT") == v1.count(b"BEGIN:VEVENT") - 1
    site.put(CALENDAR, edited, ICS)

    report = await sync(db, settings, source_id)

    assert report == SyncReport(unchanged=15, withdrawn=2)
    stored = await items(db, culture_id, SourceKind.ICAL)
    assert KIMJANG not in stored and weekly("2026-11-26") not in stored  # their references are gone
    assert await count(db, TOMBSTONES) == 2
    assert (await item_statuses(db)).count(ItemStatus.WITHDRAWN) == 2
    assert stored[weekly("2026-11-19")].status == ItemStatus.PUBLISHED


async def test_occurrences_that_leave_the_window_as_time_passes_are_kept(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    site.conditional = False
    url = site.put(CALENDAR, seed("ical/culture_office_v1.ics"), ICS)
    culture_id, source_id = await culture_calendar(db, url)
    settings = hub_settings(db, tmp_path)
    await sync(db, settings, source_id)

    # Two months later the window starts on 21 December: November's classes are past, not deleted.
    later = await sync(db, settings, source_id, now=NOW + timedelta(days=60))

    assert later.withdrawn == 0 and later.created == 0
    stored = await items(db, culture_id, SourceKind.ICAL)
    assert stored[weekly("2026-11-05")].status == ItemStatus.PUBLISHED
    assert await count(db, TOMBSTONES) == 0


async def test_broken_events_are_dead_lettered_and_never_cause_a_withdrawal(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    site.conditional = False
    broken = seed("ical/broken_events.ics")
    url = site.put(CALENDAR, broken, ICS)
    culture_id, source_id = await culture_calendar(db, url)
    settings = hub_settings(db, tmp_path)

    first = await sync(db, settings, source_id)

    assert first == SyncReport(created=1, dead_letters=4)
    letters = await list_dead_letters(db, source_id=source_id)
    reasons = " ".join(letter.reason for letter in letters)
    assert "UID가 없어" in reasons and "DTSTART" in reasons and "RRULE" in reasons
    assert await sync(db, settings, source_id) == SyncReport(unchanged=1)  # no second dead letters
    # The good event disappears while others are still unreadable: it may belong to them, so it stays.
    site.put(CALENDAR, without_events(broken, "good-boardgame-20261205@google.com"), ICS)
    assert (await sync(db, settings, source_id)).withdrawn == 0
    # Once the calendar reads cleanly, its absence is a deletion.
    site.put(CALENDAR, seed("ical/culture_office_v1.ics"), ICS)
    cleaned = await sync(db, settings, source_id)
    assert cleaned.withdrawn == 1 and cleaned.created == 17
    assert "good-boardgame-20261205@google.com" not in await items(db, culture_id, SourceKind.ICAL)


async def test_a_web_page_instead_of_a_calendar_fails_the_sync_with_a_dead_letter(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put(CALENDAR, seed("ical/not_a_calendar.html"), HTML)
    culture_id, source_id = await culture_calendar(db, url)

    with pytest.raises(SyncFailed) as failed:
        await sync(db, hub_settings(db, tmp_path), source_id)

    assert failed.value.failure.kind is FailureKind.TEMPORARY
    assert "iCalendar(.ics) 파일이 아닙니다" in failed.value.failure.message
    assert len(await list_dead_letters(db, source_id=source_id)) == 1
    assert await items(db, culture_id, SourceKind.ICAL) == {}


async def test_a_secret_calendar_address_is_sealed_and_never_shown(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put(PRIVATE, seed("ical/culture_office_v1.ics"), ICS) + "?authuser=0"
    culture_id, source_id = await culture_calendar(db, url)
    settings = hub_settings(db, tmp_path)
    async with db.read() as conn:
        row = (await conn.execute(select(_source).where(_source.c.id == source_id))).mappings().one()
    assert row["secret"] is not None and TOKEN not in row["secret"]
    assert TOKEN not in str(row["config"]) and TOKEN not in row["name"]
    assert "private-***" in row["config"]["shown_url"]

    assert (await sync(db, settings, source_id)).created == 17

    site.statuses[PRIVATE] = 404  # the organiser reset the secret address in Google Calendar
    with pytest.raises(SyncFailed) as failed:
        await sync(db, settings, source_id)
    assert failed.value.failure.kind is FailureKind.RECONNECT
    assert "더 이상 작동하지 않습니다" in failed.value.failure.message
    assert TOKEN not in failed.value.failure.message and "private-***" in failed.value.failure.message
    assert len(await items(db, culture_id, SourceKind.ICAL)) == 17  # nothing stored is lost


async def test_the_secret_address_stays_out_of_the_logs(
    db: Database, site: FeedSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = site.put(PRIVATE, seed("ical/culture_office_v1.ics"), ICS)
    _, source_id = await culture_calendar(db, url)
    caplog.set_level(logging.DEBUG)

    outcome = await Scheduler(db, hub_settings(db, tmp_path), SYNCERS).sync_now(
        await get_source(db, source_id)
    )

    assert outcome.failure is None and "synced" in caplog.text  # the scheduler did log this sync
    assert TOKEN not in caplog.text
