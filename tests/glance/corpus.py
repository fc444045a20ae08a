"""A small realistic Namwon corpus for the glance tests: four organisations, events around today.

Times are relative to today in Seoul so UPCOMING and the calendar stay meaningful whenever tests run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from hub.db import Database
from hub.ingest.pipeline import ingest_post, withdraw
from hub.seeds import seed_places
from hub.services.organisations import add_organisation
from org_connectors import RawPost, SourceKind, StructuredEvent
from tests.support.factories import SEOUL

TODAY = datetime.now(SEOUL).date()
ANCHOR = datetime.combine(TODAY - timedelta(days=2), time(8), SEOUL)

ORGS = [
    ("namwon-youth", "남원청년네트워크", "youth"),
    ("namwon-culture", "남원문화도시센터", "culture"),
    ("namwon-edu", "남원교육공동체", "education"),
    ("namwon-civic", "남원시민공론장", "civic"),
]


@dataclass(frozen=True)
class Entry:
    org: str
    title: str
    body: str
    day: int | None = None  # start: days from today
    at: time = time(10)
    hours: float = 2
    until_day: int | None = None  # all-day item running to this day (inclusive)
    where: str | None = None
    categories: tuple[str, ...] = ()
    kind: SourceKind = SourceKind.MANUAL
    staff: bool = True
    url: str | None = None


ENTRIES = [
    Entry("namwon-youth", "청년마루 금요 보드게임 밤",
          "이번 주 금요일 저녁 청년마루에서 보드게임 모임을 엽니다. 처음 오는 청년도 환영합니다.",
          day=2, at=time(19), where="청년마루", categories=("club-meetup",)),
    Entry("namwon-youth", "남원 청년 창업 아이디어 경진대회 참가팀 모집",
          "남원에 사는 청년이라면 누구나 참가할 수 있습니다. 신청은 12월 10일까지입니다.",
          categories=("youth-startup", "recruitment-notice")),
    Entry("namwon-culture", "기획전시 <지리산, 사람의 길>",
          "남원아트센터에서 지리산 둘레 마을 사람들의 삶을 기록한 사진을 전시합니다.",
          day=-3, until_day=4, where="남원아트센터", categories=("performance-exhibition",),
          url="https://blog.naver.com/namwonculture/223456789"),
    Entry("namwon-culture", "춘향문화예술회관 송년 국악 공연",
          "송년 국악 공연에 초대합니다. 공연은 90분이며, 공연 뒤 연주자와의 대화가 있습니다.",
          day=10, at=time(19, 30), where="춘향문화예술회관", categories=("performance-exhibition",)),
    Entry("namwon-edu", "온라인 학부모 강의: Zoom으로 만나는 독서 교육",
          "Zoom 강의로 진행합니다. 아이와 함께 독서 습관을 만드는 방법을 나눕니다.",
          day=5, at=time(20), where="Zoom", categories=("class-lecture",)),
    Entry("namwon-edu", "시립도서관 어르신 독서 모임",
          "매주 화요일 남원시립도서관에서 함께 책을 읽고 이야기합니다.",
          day=3, where="남원시립도서관", categories=("club-meetup",)),
    Entry("namwon-edu", "토요 마을학교: 광한루원 역사 탐방",
          "광한루원을 걸으며 춘향전의 배경이 된 장소들을 배웁니다. 초등학생과 보호자 대상.",
          day=6, where="광한루원", categories=("class-lecture",)),
    Entry("namwon-civic", "12월 시민 원탁회의 참가자 모집",
          "남원시청 대회의실에서 원탁회의를 엽니다. 이번 의제는 청년 주거입니다.",
          day=15, at=time(14), where="남원시청", categories=("hearing-briefing-meeting",)),
    Entry("namwon-civic", "겨울철 한파 대비 경로당 난방비 지원 안내",
          "올겨울 한파에 대비해 경로당 난방비를 지원합니다. 읍면동 주민센터로 문의하세요."),
    Entry("namwon-youth", "인월 지리산 청년 트레킹",
          "인월 터미널에서 모여 지리산 둘레길을 함께 걷습니다.",
          day=8, at=time(9), where="인월지리산공용터미널", categories=("club-meetup",)),
    Entry("namwon-culture", "지난 가을 광한루원 야간 공연 후기",
          "지난 공연에 와 주신 분들께 감사드립니다.",
          day=-20, at=time(19), where="광한루원", categories=("performance-exhibition",)),
    Entry("namwon-culture", "문화도시 소식지 12월호",
          "이달의 공연 일정과 청년 예술가 인터뷰를 담았습니다.", kind=SourceKind.RSS,
          url="https://namwon.example/news/2026-12"),
    Entry("namwon-youth", "회원이 올린 공연 홍보 글", "제 공연 보러 오세요! 청년 공연입니다.", staff=False),
    Entry("namwon-culture", "취소되어 내려간 청년 공연 안내", "이 공연은 내려갔습니다.",
          day=4, where="광한루원"),
]  # fmt: skip

# The public items in UPCOMING order, as of today (the corpus is relative to today).
UPCOMING_TITLES = [
    "기획전시 <지리산, 사람의 길>",  # started three days ago, still running
    "청년마루 금요 보드게임 밤",
    "시립도서관 어르신 독서 모임",
    "온라인 학부모 강의: Zoom으로 만나는 독서 교육",
    "토요 마을학교: 광한루원 역사 탐방",
    "인월 지리산 청년 트레킹",
    "춘향문화예술회관 송년 국악 공연",
    "12월 시민 원탁회의 참가자 모집",
]
PUBLIC_TITLES = {e.title for e in ENTRIES if e.staff} - {"취소되어 내려간 청년 공연 안내"}


def raw_post(n: int, entry: Entry) -> RawPost:
    event = None
    if entry.day is not None:
        if entry.until_day is not None:
            start = datetime.combine(TODAY + timedelta(days=entry.day), time(0), SEOUL)
            end = datetime.combine(TODAY + timedelta(days=entry.until_day + 1), time(0), SEOUL)
            event = StructuredEvent(start, end, all_day=True, location=entry.where)
        else:
            start = datetime.combine(TODAY + timedelta(days=entry.day), entry.at, SEOUL)
            event = StructuredEvent(start, start + timedelta(hours=entry.hours), location=entry.where)
    payload: dict[str, Any] = {"categories": list(entry.categories)} if entry.categories else {}
    return RawPost(
        source_kind=entry.kind,
        external_id=f"glance-{n}",
        posted_at=ANCHOR + timedelta(hours=n),
        title=entry.title,
        body=entry.body,
        author_is_staff=entry.staff,
        event=event,
        url=entry.url,
        payload=payload,
    )


async def load_corpus(db: Database) -> dict[str, int]:
    """Ingest the corpus through the real pipeline; returns item ids by title."""
    await seed_places(db)
    orgs = {
        slug: await add_organisation(db, slug=slug, name=name, area_slug=area) for slug, name, area in ORGS
    }
    ids: dict[str, int] = {}
    for n, entry in enumerate(ENTRIES):
        result = await ingest_post(db, orgs[entry.org], raw_post(n, entry))
        assert result.item_id is not None
        ids[entry.title] = result.item_id
    withdrawn = len(ENTRIES) - 1
    async with db.write() as session:
        await withdraw(
            session, orgs["namwon-culture"].id, SourceKind.MANUAL, f"glance-{withdrawn}", reason="삭제"
        )
    return ids


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)
