"""Google Calendar exports fetched over HTTP from 127.0.0.1 and expanded into one post per occurrence."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from org_connectors.base import RawPost, SourceKind, StructuredEvent, UnreadableInput
from org_connectors.feeds import CalendarParseResult, NotACalendar, default_window, parse_calendar
from tests.connectors.feeds.support import SEEDS, SiteState, get

SEOUL = ZoneInfo("Asia/Seoul")
WINDOW = (datetime(2026, 11, 1, tzinfo=SEOUL), datetime(2027, 3, 1, tzinfo=SEOUL))
CALENDAR_URL = "/calendar/ical/culture/public/basic.ics"
WEEKLY = "5mokgong2026weekly0q7r@google.com"
FORUM = "3forum2026rdate8k1z@google.com"


async def load(site: str, path: str = CALENDAR_URL) -> CalendarParseResult:
    served = await get(f"{site}{path}")
    return parse_calendar(served.body, window_start=WINDOW[0], window_end=WINDOW[1])


def event(post: RawPost) -> StructuredEvent:
    assert post.event is not None
    return post.event


def series(result: CalendarParseResult, uid: str) -> dict[str, RawPost]:
    return {p.external_id: p for p in result.posts if p.payload["uid"] == uid}


def only(result: CalendarParseResult, title: str) -> RawPost:
    (post,) = [p for p in result.posts if p.title == title]
    return post


def at(day: int, month: int = 12, hour: int = 19, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL)


async def test_weekly_class_follows_rrule_and_skips_exdates(site: str, calendar_v1: SiteState) -> None:
    calendar = await load(site)

    assert calendar.name == "남원 문화도시사무국 일정"
    starts = sorted(event(p).starts_at for p in series(calendar, WEEKLY).values())
    thursdays = [
        at(5, 11),
        at(12, 11),
        at(19, 11),
        at(26, 11),
        at(3),
        at(17),
        at(7, 1, year=2027),
        at(14, 1, year=2027),
    ]
    # 12/10 moved to Friday 12/11; 12/24 and 12/31 are EXDATEs; UNTIL ends the series on 1/14.
    assert starts == sorted([*thursdays, at(11)])
    first = series(calendar, WEEKLY)[f"{WEEKLY}#2026-11-05T19:00:00+09:00"]
    assert event(first).ends_at == at(5, 11, hour=21)
    assert event(first).location == "남원 문화도시센터 2층 공방, 전북특별자치도 남원시 용성로 55"
    assert first.body == (
        "매주 목요일 저녁, 나무 도마와 작은 가구를 만듭니다.\n재료비 1만 원, 앞치마 지참.\n문의 063-620-0000"
        "\n\n장소: 남원 문화도시센터 2층 공방, 전북특별자치도 남원시 용성로 55"
    )
    assert first.url == "https://culture.namwon.example/programs/mokgong"
    assert first.source_kind is SourceKind.ICAL


async def test_moved_instance_keeps_its_recurrence_id_key(site: str, calendar_v1: SiteState) -> None:
    weekly = series(await load(site), WEEKLY)

    moved = weekly[f"{WEEKLY}#2026-12-10T19:00:00+09:00"]
    assert moved.title == "청년 목공 공방 교실 (금요일로 변경)"
    assert event(moved).starts_at == at(11)
    assert event(moved).location == "남원 문화도시센터 1층 다목적실, 전북특별자치도 남원시 용성로 55"
    assert moved.updated_at == datetime(2026, 11, 18, 2, 30, tzinfo=ZoneInfo("UTC"))


async def test_cancelled_instance_is_emitted_marked_cancelled(site: str, calendar_v1: SiteState) -> None:
    weekly = series(await load(site), WEEKLY)

    cancelled = [key for key, post in weekly.items() if event(post).cancelled]
    assert cancelled == [f"{WEEKLY}#2026-12-17T19:00:00+09:00"]


async def test_cancelled_one_off_event(site: str, calendar_v1: SiteState) -> None:
    concert = only(await load(site), "광한루 야간 음악회")

    assert concert.external_id == "4yaganconcert2026c5t@google.com"
    assert event(concert).cancelled
    assert event(concert).starts_at == at(19, hour=19, minute=30)


async def test_rdate_adds_occurrences(site: str, calendar_v1: SiteState) -> None:
    forum = series(await load(site), FORUM)

    assert sorted(forum) == [
        f"{FORUM}#2026-12-05T14:00:00+09:00",
        f"{FORUM}#2027-01-09T14:00:00+09:00",
        f"{FORUM}#2027-02-06T14:00:00+09:00",
    ]
    assert all(event(p).ends_at - event(p).starts_at == timedelta(hours=3) for p in forum.values())  # type: ignore[operator]


async def test_all_day_events_have_exclusive_ends(site: str, calendar_v1: SiteState) -> None:
    calendar = await load(site)

    festival = event(only(calendar, "남원 겨울 빛 축제"))
    assert festival.all_day
    assert (festival.starts_at, festival.ends_at) == (at(18, hour=0), at(21, hour=0))  # 18, 19, 20 December

    kimjang = event(only(calendar, "김장 나눔 행사"))
    assert kimjang.all_day
    assert (kimjang.starts_at, kimjang.ends_at) == (at(28, 11, hour=0), at(29, 11, hour=0))  # one day


async def test_x_wr_timezone_utc_and_floating_times_land_in_seoul(site: str, calendar_v1: SiteState) -> None:
    calendar = await load(site)

    walk = event(only(calendar, "한옥마을 골목 답사"))  # DTSTART:20261212T010000Z
    assert walk.starts_at == at(12, hour=10) and walk.starts_at.utcoffset() == timedelta(hours=9)
    briefing = event(only(calendar, "문화해설사 양성과정 설명회"))  # floating DTSTART:20261203T150000
    assert (briefing.starts_at, briefing.ends_at) == (at(3, hour=15), at(3, hour=16, minute=30))
    assert not briefing.all_day


async def test_floating_time_without_x_wr_timezone_is_seoul(site: str) -> None:
    calendar = await load(site, "/ical/broken_events.ics")

    (game,) = calendar.posts
    assert event(game).starts_at == at(5, hour=14)


async def test_posted_and_updated_come_from_created_and_last_modified(
    site: str, calendar_v1: SiteState
) -> None:
    calendar = await load(site)

    festival = only(calendar, "남원 겨울 빛 축제")
    assert festival.posted_at == datetime(2026, 10, 20, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert festival.updated_at == datetime(2026, 11, 15, 9, 0, tzinfo=ZoneInfo("UTC"))
    kimjang = only(calendar, "김장 나눔 행사")
    assert kimjang.updated_at is None  # no LAST-MODIFIED


async def test_window_limits_expansion(site: str, calendar_v1: SiteState) -> None:
    served = await get(f"{site}{CALENDAR_URL}")

    narrow = parse_calendar(served.body, window_start=at(1, hour=0), window_end=at(8, hour=0))
    spring = parse_calendar(
        served.body,
        window_start=datetime(2026, 3, 1, tzinfo=SEOUL),
        window_end=datetime(2026, 3, 31, tzinfo=SEOUL),
    )

    assert sorted(p.title or "" for p in narrow.posts) == [
        "문화도시 시민 포럼",
        "문화해설사 양성과정 설명회",
        "청년 목공 공방 교실",
    ]
    assert [p.title for p in spring.posts] == ["봄맞이 문화도시 설명회"]


def test_default_window_is_30_days_back_180_ahead() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=SEOUL)

    assert default_window(now) == (
        datetime(2026, 10, 23, 12, 0, tzinfo=SEOUL),
        datetime(2027, 5, 21, 12, 0, tzinfo=SEOUL),
    )


async def test_reparsing_gives_the_same_ids(site: str, calendar_v1: SiteState) -> None:
    first = await load(site)
    second = await load(site)

    assert [p.external_id for p in first.posts] == [p.external_id for p in second.posts]
    assert first == second
    assert len({p.external_id for p in first.posts}) == len(first.posts)
    payloads = json.loads(json.dumps([p.payload for p in first.posts]))
    assert {p["calendar"] for p in payloads} == {"남원 문화도시사무국 일정"}


async def test_repoll_after_edit_updates_moved_and_cancelled_occurrences(
    site: str, calendar_v1: SiteState
) -> None:
    url = f"{site}{CALENDAR_URL}"
    first = await get(url)
    unchanged = await get(url, etag=first.etag)
    assert unchanged.not_modified

    calendar_v1.calendar_version = 2  # the office moved 12/3 to Friday and cancelled 1/7
    edited = await get(url, etag=first.etag)
    assert not edited.not_modified and edited.etag != first.etag

    before = {
        p.external_id: p
        for p in parse_calendar(first.body, window_start=WINDOW[0], window_end=WINDOW[1]).posts
    }
    after = {
        p.external_id: p
        for p in parse_calendar(edited.body, window_start=WINDOW[0], window_end=WINDOW[1]).posts
    }
    assert before.keys() == after.keys()
    changed = sorted(key for key in before if before[key].event != after[key].event)
    assert changed == [f"{WEEKLY}#2026-12-03T19:00:00+09:00", f"{WEEKLY}#2027-01-07T19:00:00+09:00"]

    moved = after[f"{WEEKLY}#2026-12-03T19:00:00+09:00"]
    assert event(moved).starts_at == at(4) and not event(moved).cancelled
    assert moved.body.startswith("목요일 전기 설비 점검으로")
    assert event(after[f"{WEEKLY}#2027-01-07T19:00:00+09:00"]).cancelled
    assert not event(before[f"{WEEKLY}#2027-01-07T19:00:00+09:00"]).cancelled


async def test_broken_events_are_reported_and_the_rest_import(site: str) -> None:
    calendar = await load(site, "/ical/broken_events.ics")

    assert [p.title for p in calendar.posts] == ["청소년 보드게임 모임"]
    assert [u.where for u in calendar.unreadable] == [
        "VEVENT 2: UID가 빠진 일정",
        "VEVENT 3: 시작 시각이 빠진 일정",
        "VEVENT 4: 반복 규칙이 망가진 일정",
        "VEVENT 5: 시작 시각을 읽을 수 없는 일정",
    ]
    messages = [str(u) for u in calendar.unreadable]
    assert "UID가 없어" in messages[0] and "no UID" in messages[0]
    assert "RRULE" in messages[2]
    assert all(u.raw and u.raw.startswith("BEGIN:VEVENT") for u in calendar.unreadable)


async def test_html_login_page_is_not_a_calendar(site: str) -> None:
    served = await get(f"{site}/ical/not_a_calendar.html")

    with pytest.raises(NotACalendar) as caught:
        parse_calendar(served.body, window_start=WINDOW[0], window_end=WINDOW[1])

    message = str(caught.value)
    assert message.startswith("iCalendar(.ics) 파일이 아닙니다")
    assert "Not an iCalendar file" in message and "<!DOCTYPE html>" in message
    assert isinstance(caught.value, UnreadableInput)


def test_a_feed_is_not_a_calendar() -> None:
    with pytest.raises(NotACalendar):
        parse_calendar(
            (SEEDS / "rss" / "atom_youth_center.xml").read_bytes(),
            window_start=WINDOW[0],
            window_end=WINDOW[1],
        )


def test_all_day_exclusive_end_survives_a_date_only_window() -> None:
    data = (SEEDS / "ical" / "culture_office_v1.ics").read_bytes()

    calendar = parse_calendar(
        data, window_start=datetime(2026, 12, 20), window_end=datetime(2026, 12, 20, 12)
    )

    # The festival's last day (the 20th) is inside; naive window bounds are taken as Seoul time.
    assert [p.title for p in calendar.posts] == ["남원 겨울 빛 축제"]
    assert event(calendar.posts[0]).ends_at == datetime.combine(
        date(2026, 12, 21), datetime.min.time(), SEOUL
    )
