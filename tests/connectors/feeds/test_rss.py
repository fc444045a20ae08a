"""RSS/Atom feeds fetched over HTTP from 127.0.0.1 and parsed into posts."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest

from org_connectors.base import DatePrecision, RawPost, SourceKind, UnreadableInput
from org_connectors.feeds import FeedParseResult, NotAFeed, parse_feed
from tests.connectors.feeds.support import get

SEOUL = ZoneInfo("Asia/Seoul")


async def load(site: str, name: str) -> FeedParseResult:
    result = await get(f"{site}/rss/{name}")
    return parse_feed(result.body, content_type=result.content_type)


def by_id(result: FeedParseResult) -> dict[str, RawPost]:
    return {post.external_id: post for post in result.posts}


async def test_naver_blog_posts_use_guid_and_clean_links(site: str) -> None:
    feed = await load(site, "naver_blog_smallchange.xml")

    assert feed.title == "남원작은변화포럼"
    assert [p.external_id for p in feed.posts] == [
        "https://blog.naver.com/namwon_smallchange/224061000003",
        "https://blog.naver.com/namwon_smallchange/224058000002",
        "https://blog.naver.com/namwon_smallchange/224052000001",
    ]
    assert feed.unreadable == ()
    urls = [p.url for p in feed.posts]
    # fromRss, trackingCode and utm_* are gone; the mobile address is folded to the desktop one.
    assert urls == [
        "https://blog.naver.com/namwon_smallchange/224061000003",
        "https://blog.naver.com/namwon_smallchange/224058000002",
        "https://blog.naver.com/namwon_smallchange/224052000001",
    ]
    assert all(p.source_kind is SourceKind.RSS for p in feed.posts)


async def test_naver_blog_category_and_comma_tags_become_tags(site: str) -> None:
    roundtable, plogging, youth = (await load(site, "naver_blog_smallchange.xml")).posts

    assert roundtable.tags == ("원탁회의 소식", "원탁회의", "남원작은변화포럼", "시민참여", "원도심")
    assert plogging.tags == ("활동 후기",)  # empty <tag><![CDATA[]]></tag> adds nothing
    assert youth.tags == ("행사 안내", "청년", "청년정책", "토론회")


async def test_naver_blog_html_excerpt_becomes_plain_text(site: str) -> None:
    roundtable, plogging, youth = (await load(site, "naver_blog_smallchange.xml")).posts

    assert roundtable.title == "12월 시민 원탁회의 참가자 모집 & 사전 의제 제안"
    assert roundtable.body.splitlines()[:4] == [
        "올해 마지막 시민 원탁회의를 엽니다.",
        "",
        "일시: 12월 12일(토) 오후 2시~5시",
        "장소: 남원시 청소년수련관 대강당",
    ]
    assert "원도심 빈 점포 활용 & 골목 상권 살리기 · 참가비 없음" in roundtable.body
    assert "<" not in roundtable.body and "&amp;" not in roundtable.body
    assert roundtable.images == ("https://blogthumb.pstatic.net/MjAyNjExMjBf/roundtable.jpg?type=w2",)

    assert plogging.body.startswith("지난 토요일 시민 27명이 요천 둔치를 걸으며 쓰레기를 주웠습니다.\n함께해")
    assert ".se-text" not in plogging.body  # <style> dropped
    assert len(plogging.images) == 2

    assert "__nblog" not in youth.body  # <script> dropped
    assert youth.title == '남원 청년 정책 토론회 "청년이 머무는 도시"'


async def test_naver_blog_dates_are_kst_to_the_second(site: str) -> None:
    roundtable = (await load(site, "naver_blog_smallchange.xml")).posts[0]

    assert roundtable.posted_at == datetime(2026, 11, 20, 18, 10, 31, tzinfo=SEOUL)
    assert roundtable.posted_at_precision is DatePrecision.SECOND
    assert roundtable.updated_at is None
    assert roundtable.author_name == "namwon_smallchange"


async def test_city_board_euc_kr_feed_reads_korean_including_cp949_syllables(site: str) -> None:
    served = await get(f"{site}/rss/namwon_city_notice_euckr.xml")
    assert served.content_type == "text/xml"  # no charset: only the XML prolog says euc-kr
    # feedparser alone turns this feed into mojibake; the connector must not.
    assert "공지" not in feedparser.parse(served.body).entries[0].title

    feed = parse_feed(served.body, content_type=served.content_type)

    assert feed.title == "남원시청 - 공지사항"
    assert [p.title for p in feed.posts] == [
        "[공지] 2026년 동절기 한파 대비 시민 행동요령 안내",  # the 새글 badge is dropped
        "제7회 남원 시민 문화예술 축제 참가 단체 모집 공고",
        "다문화가족 요리교실 「똠얌꿍 만들기」 참가자 모집",
        "2026년 하반기 마을공동체 지원사업 선정 결과 공고",
    ]


async def test_city_board_uses_ntt_no_and_bare_dates(site: str) -> None:
    posts = by_id(await load(site, "namwon_city_notice_euckr.xml"))

    assert list(posts) == [
        "ntt:www.namwon.go.kr:98765",
        "ntt:www.namwon.go.kr:98702",
        "ntt:www.namwon.go.kr:98655",
        "ntt:www.namwon.go.kr:98640",
    ]
    cold_wave = posts["ntt:www.namwon.go.kr:98765"]
    assert cold_wave.posted_at == datetime(2026, 11, 20, 0, 0, tzinfo=SEOUL)
    assert cold_wave.posted_at_precision is DatePrecision.DAY
    results = posts["ntt:www.namwon.go.kr:98640"]
    assert results.posted_at == datetime(2026, 11, 13, 14, 20, tzinfo=SEOUL)
    assert results.posted_at_precision is DatePrecision.SECOND


async def test_city_board_numbered_attachments(site: str) -> None:
    posts = by_id(await load(site, "namwon_city_notice_euckr.xml"))

    cold_wave = posts["ntt:www.namwon.go.kr:98765"]
    assert cold_wave.body.endswith("첨부파일: 2026_한파대비_행동요령.hwp, 한파쉼터_안내포스터.jpg")
    assert "외출을 자제하시고" in cold_wave.body
    assert [a["name"] for a in cold_wave.payload["attachments"]] == [
        "2026_한파대비_행동요령.hwp",
        "한파쉼터_안내포스터.jpg",
    ]
    poster_url = "https://www.namwon.go.kr/board/fileDown.do?key=500&bbsNo=20&nttNo=98765&atchmnflNo=55502"
    assert cold_wave.payload["attachments"][1]["url"] == poster_url
    assert cold_wave.images == (poster_url,)  # the image attachment, not the HWP

    # An attachment-only notice still says what it carries.
    festival = posts["ntt:www.namwon.go.kr:98702"]
    assert festival.body == "첨부파일: 제7회_시민문화예술축제_모집공고문.pdf"


async def test_generic_atom_feed(site: str) -> None:
    feed = await load(site, "atom_youth_center.xml")

    networking, counselling = feed.posts
    assert feed.title == "남원청년센터 소식"
    assert networking.external_id == "tag:youth.namwon.example,2026:news/311"
    assert networking.title == "청년 창업 네트워킹 데이 <함께 가게> 참가자 모집"
    assert networking.url == "https://youth.namwon.example/news/2026/11/networking-day"
    assert networking.posted_at == datetime(2026, 11, 19, 15, 0, tzinfo=SEOUL)
    assert networking.updated_at == datetime(2026, 11, 21, 9, 40, tzinfo=SEOUL)
    assert networking.body.startswith("창업을 준비하는 남원 청년들이")  # <content> wins over <summary>
    assert "일시: 12월 3일(목) 저녁 7시\n장소: 남원청년센터 1층 라운지" in networking.body
    assert networking.images == ("https://youth.namwon.example/media/networking-day.png",)
    assert networking.tags == ("창업", "네트워킹")
    assert networking.author_name == "청년센터 운영팀"

    # Only <updated>: that is when it was posted, and there is no separate update.
    assert counselling.posted_at == datetime(2026, 11, 12, 11, 0, tzinfo=SEOUL)
    assert counselling.updated_at is None
    assert (
        counselling.body
        == "매주 화요일 오후, 전문 상담사와 1:1 상담을 받을 수 있습니다. 예약은 전화로 받습니다."
    )


async def test_broken_entries_are_reported_and_the_rest_import(site: str) -> None:
    served = await get(f"{site}/rss/broken_entries.xml")
    assert feedparser.parse(served.body).bozo  # &nbsp; and a bare & make the strict XML parser give up

    feed = parse_feed(served.body, content_type=served.content_type)

    assert [p.title for p in feed.posts] == [
        "마을활동가 역량강화 교육 2기 모집",
        "공동체 공간 대관 안내 & 이용 수칙",
    ]
    assert feed.posts[0].body == "교육 일정: 12월 1일부터 4주간 매주 화요일 오후 2시"
    assert [problem.where for problem in feed.unreadable] == [
        "entry 2: 제목만 있고 주소가 없는 글",
        "entry 3: 날짜가 빠진 공지",
        "entry 4: 날짜를 읽을 수 없는 공지",
    ]
    no_id, no_date, bad_date = (str(problem) for problem in feed.unreadable)
    assert "글 주소도 식별자(guid)도 없습니다" in no_id and "neither a link nor an id" in no_id
    assert "게시일이 없는 항목입니다" in no_date and "no date" in no_date
    assert "«다음 주 월요일»" in bad_date and "Unreadable date" in bad_date


async def test_html_page_is_not_a_feed(site: str) -> None:
    served = await get(f"{site}/rss/not_a_feed.html")

    with pytest.raises(NotAFeed) as caught:
        parse_feed(served.body, content_type=served.content_type)

    message = str(caught.value)
    assert message.startswith("RSS/Atom 피드가 아닙니다")
    assert "Not an RSS or Atom feed" in message
    assert '«<!DOCTYPE html> <html lang="ko">' in message
    assert isinstance(caught.value, UnreadableInput)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b'{"items": [{"title": "\xeb\xb0\x80\xeb\x93\x9c"}]}',
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    ],
    ids=["empty", "json", "icalendar"],
)
def test_other_documents_are_not_feeds(data: bytes) -> None:
    with pytest.raises(NotAFeed):
        parse_feed(data)


async def test_parsing_the_same_feed_twice_gives_the_same_posts(site: str) -> None:
    first = await load(site, "naver_blog_smallchange.xml")
    second = await load(site, "naver_blog_smallchange.xml")

    assert first == second
    # The inbox stores payloads as JSON.
    assert json.loads(json.dumps([p.payload for p in first.posts]))[0]["feed_title"] == "남원작은변화포럼"


async def test_unchanged_feed_answers_304(site: str) -> None:
    url = f"{site}/rss/naver_blog_smallchange.xml"
    first = await get(url)
    assert not first.not_modified and first.etag and first.last_modified

    by_etag = await get(url, etag=first.etag)
    by_date = await get(url, last_modified=first.last_modified)

    assert by_etag.not_modified and by_etag.body == b"" and by_etag.etag == first.etag
    assert by_date.not_modified and by_date.last_modified == first.last_modified
