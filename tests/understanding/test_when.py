"""Dates and times as Namwon staff write them, read relative to the post's own time."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.ingest.understand.when import When, read_when
from tests.understanding.conftest import SEOUL, kst

# Friday 28 August 2026, 09:00 in Seoul.
POSTED = kst(2026, 8, 28, 9)


def when(text: str, posted: datetime = POSTED, title: str | None = None, change: str | None = None) -> When:
    return read_when(text, title=title, posted_at=posted, tz=SEOUL, change=change)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("일시: 2026. 9. 3.(목) 18:30~20:00", kst(2026, 9, 3, 18, 30), kst(2026, 9, 3, 20)),
        ("9월 12일(토) 오후 4시 청년마루", kst(2026, 9, 12, 16), None),
        ("9.5(토) 10시 요천 플로깅", kst(2026, 9, 5, 10), None),
        ("○ 일시 : 12/19(토) 13:00-15:00", kst(2026, 12, 19, 13), kst(2026, 12, 19, 15)),
        ("2027년 1월 9일 토요일\n오후 1시 ~ 5시", kst(2027, 1, 9, 13), kst(2027, 1, 9, 17)),
        ("9월 3일(목) 오전 10시 30분", kst(2026, 9, 3, 10, 30), None),
        ("9월 3일(목) 3시 반", kst(2026, 9, 3, 15, 30), None),
        ("9월 3일(목) 6시반 반상회", kst(2026, 9, 3, 18, 30), None),
        ("9월 3일(목) 저녁 8시", kst(2026, 9, 3, 20), None),
        ("9월 3일(목) 밤 9시", kst(2026, 9, 3, 21), None),
        ("9월 3일(목) 정오", kst(2026, 9, 3, 12), None),
        ("10월 24일(토) 오후 1시부터 5시까지", kst(2026, 10, 24, 13), kst(2026, 10, 24, 17)),
        ("5월 1일(금) 10:00 ~ 5월 3일(일) 17:00", kst(2027, 5, 1, 10), kst(2027, 5, 3, 17)),
    ],
)
def test_absolute_forms(text: str, start: datetime, end: datetime | None) -> None:
    got = when(text)
    assert got.starts_at == start
    assert got.ends_at == end
    assert got.all_day is False


@pytest.mark.parametrize(
    ("text", "posted", "start"),
    [
        ("내일 오후 2시 광한루원에서 버스킹", kst(2026, 9, 4, 15), kst(2026, 9, 5, 14)),
        ("모레 10시 회의 있어요", kst(2026, 9, 7, 9), kst(2026, 9, 9, 10)),
        ("내일 모레 일요일 오후 3시 교룡산성 탐방", kst(2026, 9, 11, 20), kst(2026, 9, 13, 15)),
        ("이번 주 금요일 저녁 7시 보드게임", kst(2026, 9, 15, 12), kst(2026, 9, 18, 19)),
        ("다음주 화요일(22일) 오전 10시 30분 요리교실", kst(2026, 9, 16, 10), kst(2026, 9, 22, 10, 30)),
        ("다다음주 수요일 3시 반부터 스마트폰 교실", kst(2026, 9, 14, 9), kst(2026, 9, 30, 15, 30)),
        ("오는 15일(목) 오후 3시 낭독회", kst(2026, 10, 5, 16), kst(2026, 10, 15, 15)),
        ("다음 달 3일(화) 오전 10시 컨설팅", kst(2026, 10, 20, 15), kst(2026, 11, 3, 10)),
        ("오늘 6시반 죽항동 주민센터에서 반상회", kst(2026, 9, 8, 10), kst(2026, 9, 8, 18, 30)),
    ],
)
def test_relative_forms(text: str, posted: datetime, start: datetime) -> None:
    assert when(text, posted).starts_at == start


def test_multi_day_span_is_all_day_and_ends_after_the_last_day() -> None:
    got = when("춘향제 5월 1일(금)~3일(일) 광한루원 일원", kst(2026, 4, 10))
    assert got.starts_at == kst(2026, 5, 1)
    assert got.ends_at == kst(2026, 5, 4)
    assert got.all_day is True


def test_exhibition_period_ignores_opening_hours() -> None:
    text = "■ 기간: 4. 7.(화) ~ 5. 31.(일)\n■ 관람시간: 10:00~18:00 (월요일 휴관)"
    got = when(text, kst(2026, 3, 20))
    assert (got.starts_at, got.ends_at, got.all_day) == (kst(2026, 4, 7), kst(2026, 6, 1), True)


def test_weekly_recurrence_starts_at_the_next_occurrence() -> None:
    got = when("매주 목요일 저녁 7시 청년마루 독서모임", kst(2026, 9, 7, 10))
    assert got.starts_at == kst(2026, 9, 10, 19)
    assert got.recurrence == "매주 목요일 19:00"


def test_monthly_recurrence() -> None:
    got = when("매월 둘째 주 토요일 오전 10시 마을밥상", kst(2026, 9, 1))
    assert got.starts_at == kst(2026, 9, 12, 10)
    assert got.recurrence == "매월 둘째 주 토요일 10:00"


def test_application_period_fills_apply_until_not_the_event() -> None:
    text = "○ 모집기간: 9.1(화)~9.14(월)\n○ 교육일시: 9.22(화) 10:00~12:00\n○ 신청: 구글폼"
    got = when(text)
    assert got.starts_at == kst(2026, 9, 22, 10)
    assert got.apply_until == kst(2026, 9, 14, 23, 59)


def test_deadline_with_time_and_inline_deadline() -> None:
    assert when("참가 신청: 10월 5일(월) 18시까지 방문 접수").apply_until == kst(2026, 10, 5, 18)
    inline = when("9월 19일 토요일 오후 2시 특강\n17일까지 도서관 누리집에서 신청하세요", kst(2026, 9, 2))
    assert inline.starts_at == kst(2026, 9, 19, 14)
    assert inline.apply_until == kst(2026, 9, 17, 23, 59)


def test_only_a_recruitment_period_is_no_event() -> None:
    got = when("신청기간: 9. 1.(화) ~ 9. 30.(수)\n납부기간: 10월 1일 ~ 10월 10일")
    assert got.starts_at is None
    assert got.apply_until == kst(2026, 10, 10, 23, 59)


def test_opening_of_ticket_sales_is_not_a_deadline() -> None:
    got = when("공연일시: 10. 10.(토) 19:30\n예매: 10. 5.(월) 10:00부터 선착순", kst(2026, 9, 21))
    assert got.starts_at == kst(2026, 10, 10, 19, 30)
    assert got.apply_until is None


def test_year_rolls_over_near_new_year() -> None:
    got = when("○ 일시: 1. 9.(토) 13:00", kst(2026, 12, 21))
    assert got.starts_at == kst(2027, 1, 9, 13)


def test_contradicting_weekday_trusts_the_date_with_lower_confidence() -> None:
    right = when("9월 17일(목) 오후 7시 공연", kst(2026, 9, 8))
    wrong = when("9월 17일(수) 오후 7시 공연", kst(2026, 9, 8))
    assert wrong.starts_at == right.starts_at == kst(2026, 9, 17, 19)
    assert wrong.confidence < right.confidence


def test_past_dates_and_chatter_are_not_events() -> None:
    assert when("지난 9월 12일 네트워킹 데이 잘 마쳤습니다", kst(2026, 9, 14)).starts_at is None
    assert when("내일 비 많이 온대요 우산 챙기세요", kst(2026, 9, 11)).starts_at is None
    assert when("혹시 다음주 화요일에 시간 되시는 분?", kst(2026, 10, 8)).starts_at is None
    assert when("1/2 정도만 참여하셨어요").starts_at is None


def test_rescheduled_notice_reads_the_new_date_and_keeps_the_old() -> None:
    text = "9월 5일(토) 예정이던 플로깅을 9월 12일(토)로 연기합니다.\n시간은 오전 9시 같아요."
    got = when(text, change="RESCHEDULED")
    assert got.starts_at == kst(2026, 9, 12, 9)
    assert got.previous_starts_at is not None
    assert got.previous_starts_at.date() == kst(2026, 9, 5).date()


def test_labelled_before_and_after_times_of_a_change() -> None:
    text = "○ 기존: 11. 12.(목) 14:00\n○ 변경: 11. 12.(목) 15:00"
    got = when(text, kst(2026, 11, 6), change="RESCHEDULED")
    assert got.starts_at == kst(2026, 11, 12, 15)
    assert got.previous_starts_at == kst(2026, 11, 12, 14)


def test_span_reports_where_the_time_came_from() -> None:
    got = when("안녕하세요!\n일시: 9월 12일(토) 오후 4시")
    assert got.span is not None and "9월 12일" in got.span
    assert got.source == "label"
