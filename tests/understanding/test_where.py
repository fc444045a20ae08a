"""Places matched against the Namwon gazetteer, and online events."""

from __future__ import annotations

import pytest

from hub.ingest.understand import Gazetteer
from hub.ingest.understand.where import Where, read_where


def where(text: str, gazetteer: Gazetteer, **kwargs: str) -> Where:
    return read_where(text, title=kwargs.get("title"), gazetteer=gazetteer, anchor=kwargs.get("anchor"))


@pytest.mark.parametrize(
    "text",
    [
        "장소: 남원시립도서관 3층 강의실",
        "○ 장소 : 남원시립도서관 3층 강의실",
        "📍 남원시립도서관 3층 강의실",
        "곳: 남원시립도서관 3층 강의실",
        "[장소] 남원시립 도서관 3층 강의실",
        "9월 19일 오후 2시, 남원시립도서관 3층 강의실에서 두 시간 진행합니다.",
    ],
)
def test_library_room_resolves_to_the_library_and_keeps_the_room(text: str, gazetteer: Gazetteer) -> None:
    got = where(text, gazetteer)
    assert got.place is not None and got.place.name == "남원시립도서관"
    assert got.detail == "3층 강의실"
    assert 35.3 < got.place.lat < 35.5


def test_aliases_resolve(gazetteer: Gazetteer) -> None:
    centre = where("장소: 공동체지원센터 1층", gazetteer).place
    assert centre is not None and centre.name == "남원시공동체지원센터"
    dong = where("장소: 도통동 주민센터 2층", gazetteer).place
    assert dong is not None and dong.name == "도통동 행정복지센터"
    youth = where("장소: 청년마루(남원시 청년센터) 2층 라운지", gazetteer)
    assert youth.place is not None and youth.place.name == "청년마루"
    assert youth.detail == "2층 라운지"


def test_address_in_parentheses_does_not_win(gazetteer: Gazetteer) -> None:
    got = where("장소: 남원예촌 (요천로 1458)", gazetteer)
    assert got.place is not None and got.place.name == "남원예촌"


def test_unknown_place_is_kept_as_written(gazetteer: Gazetteer) -> None:
    got = where("장소: 행복한 카페 '쉼' (동충동 골목 안쪽)", gazetteer)
    assert got.place is None
    assert got.place_name is not None and got.place_name.startswith("행복한 카페 '쉼'")


def test_venue_is_the_place_nearest_the_verb_not_the_host(gazetteer: Gazetteer) -> None:
    got = where("자원봉사센터에서 토요일 아침 9시에 요천에서 플로깅 한대요.", gazetteer)
    assert got.place is not None and got.place.name == "요천"


def test_place_next_to_the_time_beats_an_earlier_mention(gazetteer: Gazetteer) -> None:
    text = (
        "남원의료원 선생님을 모시고 건강강좌를 엽니다.\n9월 9일(수) 오전 10시 30분\n남원시노인복지관 3층 강당"
    )
    got = where(text, gazetteer, anchor="9월 9일(수) 오전 10시 30분")
    assert got.place is not None and got.place.name == "남원시노인복지관"


def test_contact_and_host_lines_are_not_the_place(gazetteer: Gazetteer) -> None:
    got = where("주최: 남원시공동체지원센터\n문의: 남원시청 063-620-6114", gazetteer)
    assert got.place is None


@pytest.mark.parametrize(
    ("text", "online"),
    [
        ("방법: 줌(Zoom) 실시간 교육", True),
        ("10월 2일 밤 9시 유튜브 라이브로 북토크", True),
        ("장소: 춘향문화예술회관 소공연장 (유튜브 생중계 병행)", True),
        ("장소: 온라인", True),
        ("신청: 남원시 누리집 온라인 신청", False),
        ("선착순 온라인 예매", False),
        ("청년 줌바댄스 클래스", False),
        ("아줌마 배구단 정기 모임", False),
    ],
)
def test_online_detection(text: str, online: bool, gazetteer: Gazetteer) -> None:
    assert where(text, gazetteer).is_online is online


def test_structured_location_is_taken_first(gazetteer: Gazetteer) -> None:
    got = read_where("강사: 박○○", title=None, gazetteer=gazetteer, location="남원시공동체지원센터 교육장")
    assert got.place is not None and got.place.name == "남원시공동체지원센터"
