"""Importing KakaoTalk chat exports into the feed: staff posts only, idempotent, damaged lines dead-lettered."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hub.db import Database
from hub.errors import InvalidInput, NotFound
from hub.models import DeadLetter, FeedItem, RawPost
from hub.services.feed import FeedQuery, feed_page
from hub.services.kakao_import import KakaoImportReport, import_kakao_export
from org_connectors import SourceKind
from tests.connectors.kakao.support import fixture_bytes
from tests.connectors.kakao.test_export_fixtures import CASES
from tests.kakao.support import count_rows, stored_text
from tests.support.factories import organisation

SEOUL = ZoneInfo("Asia/Seoul")

# Staff posts per fixture, from seeds/namwon/kakao/README.md.
README_COUNTS = {
    "windows_ko.txt": 5,
    "windows_en.txt": 3,
    "windows_ko_2015_cp949.txt": 2,
    "android_ko.txt": 3,
    "android_en.txt": 3,
    "android_en_2015.txt": 2,
    "ios_ko_12h.txt": 2,
    "ios_ko_24h.txt": 2,
    "ios_en_2015.txt": 2,
    "ios_en_at.txt": 2,
    "pc_export.csv": 4,
}


async def run_import(
    db: Database, file: str, org: str, staff: list[str], room: str | None = None
) -> KakaoImportReport:
    return await import_kakao_export(
        db,
        data=fixture_bytes(file),
        file_name=file,
        organisation_slug=org,
        staff=staff,
        room=room,
        zone=SEOUL,
    )


async def feed_bodies(db: Database, org: str) -> list[str]:
    page = await feed_page(db, FeedQuery(organisations=(org,), source_kinds=(SourceKind.KAKAO,)), first=100)
    return [item.body for item in page.items]


async def test_every_variant_imports_exactly_its_staff_posts_and_no_member_text(db: Database) -> None:
    assert {case.file for case in CASES} == set(README_COUNTS)
    for number, case in enumerate(CASES):
        slug = f"kakao-room-{number}"
        await organisation(db, slug, "community")

        report = await run_import(db, case.file, slug, case.staff)

        expected = README_COUNTS[case.file]
        assert (report.format, report.kept, report.created, report.unreadable) == (
            case.format,
            expected,
            expected,
            0,
        )
        assert (report.messages_read, report.skipped_non_staff, report.skipped_chatter) == (
            case.messages,
            case.non_staff,
            case.chatter,
        ), case.file
        bodies = await feed_bodies(db, slug)
        assert len(bodies) == expected, case.file
        # The feed shows the announcements themselves (normalised text, so compare the first line).
        assert {body.split("\n")[0] for body in bodies} == {
            post_body.split("\n")[0].strip() for _, _, post_body in case.posts
        }, case.file

    stored = await stored_text(db)
    for case in CASES:
        for fragment in case.absent:
            assert fragment not in stored, (case.file, fragment)


async def test_reimporting_an_overlapping_export_changes_nothing(db: Database) -> None:
    await organisation(db, "namwon-youth", "youth")
    staff = ["청년정책 코디", "남원청년센터"]

    first = await run_import(db, "overlap_1.txt", "namwon-youth", staff)
    second = await run_import(db, "overlap_2.txt", "namwon-youth", staff)
    again = await run_import(db, "overlap_1.txt", "namwon-youth", staff)
    twice = await run_import(db, "overlap_2.txt", "namwon-youth", staff)

    assert (first.kept, first.created) == (4, 4)  # two identical lines in one minute are two messages
    assert (second.kept, second.created, second.unchanged) == (2, 1, 1)  # 6월 8일 is in both exports
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert (twice.created, twice.updated, twice.unchanged) == (0, 0, 2)
    bodies = await feed_bodies(db, "namwon-youth")
    assert len(bodies) == 5
    assert sum(body.startswith("원탁회의 당일 진행 순서") for body in bodies) == 1
    assert await count_rows(db, RawPost) == 5 and await count_rows(db, FeedItem) == 5


async def test_an_explicit_room_keeps_two_rooms_apart(db: Database) -> None:
    await organisation(db, "namwon-youth", "youth")
    staff = ["청년정책 코디", "남원청년센터"]

    await run_import(db, "overlap_1.txt", "namwon-youth", staff, room="원탁회의 준비단")
    other = await run_import(db, "overlap_1.txt", "namwon-youth", staff, room="청년센터 공지방")

    # The room is part of every message's key: nothing is "unchanged". (Announcements of the same event
    # may still be merged into one item by the pipeline's cross-post matching.)
    assert (other.unchanged, other.created + other.merged) == (0, 4)
    assert await count_rows(db, RawPost) == 8


async def test_corrupted_export_imports_good_lines_and_dead_letters_the_rest_by_line(db: Database) -> None:
    org = await organisation(db, "namwon-community-center", "community")

    report = await run_import(db, "corrupted.txt", org.slug, ["남원시공동체지원센터"])

    assert (report.kept, report.created, report.unreadable) == (3, 3, 4)
    assert len(await feed_bodies(db, org.slug)) == 3
    async with db.read() as conn:
        table = DeadLetter.__table__  # type: ignore[attr-defined]
        letters = (await conn.execute(select(table).order_by(table.c.id))).mappings().all()
    assert [letter["origin"] for letter in letters] == [
        "corrupted.txt:line 8",
        "corrupted.txt:line 11",
        "corrupted.txt:line 13",
        "corrupted.txt:line 14",
    ]
    assert all(letter["kind"] == "kakao_export" and letter["organisation_id"] == org.id for letter in letters)
    assert all("읽을 수 없습니다" in letter["reason"] for letter in letters)
    # The staff line with an impossible date is kept for staff to fix; members' damaged lines are not.
    assert [letter["payload"] for letter in letters] == [
        "",
        "2025년 2월 30일 오후 3:00, 남원시공동체지원센터 : 날짜가 깨진 센터 공지",
        "",
        "",
    ]
    stored = await stored_text(db)
    for member_text in ("시각이 깨진 회원 메시지", "정미경", "노암동", "이어진 줄"):
        assert member_text not in stored

    again = await run_import(db, "corrupted.txt", org.slug, ["남원시공동체지원센터"])
    assert (again.created, again.unchanged) == (0, 3)


async def test_a_file_in_no_known_format_is_one_clear_error_and_stores_nothing(db: Database) -> None:
    await organisation(db, "namwon-community-center", "community")

    with pytest.raises(InvalidInput) as raised:
        await run_import(db, "not_an_export.txt", "namwon-community-center", ["남원시공동체지원센터"])

    message = raised.value.message
    assert "\n" not in message
    assert message.startswith("not_an_export.txt: 카카오톡 대화 내보내기 형식이 아닙니다")
    assert "«2025년 남원시 마을공동체 활성화 회의록»" in message and "Not a known KakaoTalk export" in message
    assert await count_rows(db, RawPost) == 0 and await count_rows(db, DeadLetter) == 0


async def test_unknown_organisation_and_missing_staff_are_refused(db: Database) -> None:
    with pytest.raises(NotFound, match="알 수 없는 기관"):
        await run_import(db, "windows_ko.txt", "no-such-org", ["남원시공동체지원센터"])
    await organisation(db, "namwon-community-center", "community")
    with pytest.raises(InvalidInput, match="담당자"):
        await run_import(db, "windows_ko.txt", "namwon-community-center", ["  "])
