"""Small pieces the parsers rely on: lenient dates, link hygiene, HTML to text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from org_connectors.base import DatePrecision
from org_connectors.feeds.dates import parse_feed_date
from org_connectors.feeds.html_text import html_to_text
from org_connectors.feeds.links import canonical_post_url, strip_tracking

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2026-10-02", datetime(2026, 10, 2, tzinfo=SEOUL), DatePrecision.DAY),
        ("2026.10.02", datetime(2026, 10, 2, tzinfo=SEOUL), DatePrecision.DAY),
        ("2026/10/2", datetime(2026, 10, 2, tzinfo=SEOUL), DatePrecision.DAY),
        ("2026-10-02 14:20", datetime(2026, 10, 2, 14, 20, tzinfo=SEOUL), DatePrecision.MINUTE),
        ("2026-10-02 14:20:05", datetime(2026, 10, 2, 14, 20, 5, tzinfo=SEOUL), DatePrecision.SECOND),
        (
            "Fri, 02 Oct 2026 14:20:05 +0900",
            datetime(2026, 10, 2, 5, 20, 5, tzinfo=UTC),
            DatePrecision.SECOND,
        ),
        ("Fri, 02 Oct 2026 14:20:05 GMT", datetime(2026, 10, 2, 14, 20, 5, tzinfo=UTC), DatePrecision.SECOND),
        ("Fri, 02 Oct 2026 14:20:05", datetime(2026, 10, 2, 14, 20, 5, tzinfo=SEOUL), DatePrecision.SECOND),
        ("2026-10-02T14:20:05Z", datetime(2026, 10, 2, 14, 20, 5, tzinfo=UTC), DatePrecision.SECOND),
        (
            "2026-10-02T14:20:05+09:00",
            datetime(2026, 10, 2, 14, 20, 5, tzinfo=timezone(timedelta(hours=9))),
            DatePrecision.SECOND,
        ),
    ],
)
def test_feed_dates(value: str, expected: datetime, precision: DatePrecision) -> None:
    assert parse_feed_date(value, SEOUL) == (expected, precision)


@pytest.mark.parametrize("value", ["", "다음 주 월요일", "2026-13-40", "2026-10-02 25:00"])
def test_unreadable_feed_dates(value: str) -> None:
    assert parse_feed_date(value, SEOUL) is None


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        (
            "https://blog.naver.com/namwon_smallchange/224061000003?fromRss=true&trackingCode=rss",
            "https://blog.naver.com/namwon_smallchange/224061000003",
        ),
        (
            "https://m.blog.naver.com/PostView.naver?blogId=namwon_smallchange&logNo=224061000003&utm_source=kakao",
            "https://blog.naver.com/namwon_smallchange/224061000003",
        ),
        (
            "https://www.namwon.go.kr/board/selectBbsNttView.do?key=500&bbsNo=20&nttNo=98765&utm_campaign=x",
            "https://www.namwon.go.kr/board/selectBbsNttView.do?key=500&bbsNo=20&nttNo=98765",
        ),
    ],
)
def test_links_lose_tracking(url: str, clean: str) -> None:
    assert canonical_post_url(url) == clean


def test_strip_tracking_keeps_other_parameters_in_order() -> None:
    url = "https://youth.namwon.example/news?id=311&utm_source=atom&page=2&fbclid=abc"

    assert strip_tracking(url) == "https://youth.namwon.example/news?id=311&page=2"


def test_html_to_text_keeps_lines_and_collects_images() -> None:
    cleaned = html_to_text(
        "<p>장소:&nbsp;광한루원&nbsp;&amp;&nbsp;요천</p><script>track()</script>"
        '<ul><li>준비물: 텀블러</li><li>참가비 &#8361;5,000</li></ul><img src="https://x.kr/a.jpg">'
    )

    assert cleaned.text == "장소: 광한루원 & 요천\n\n준비물: 텀블러\n\n참가비 ₩5,000"
    assert cleaned.images == ("https://x.kr/a.jpg",)
