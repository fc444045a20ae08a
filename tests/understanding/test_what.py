"""Title, fee, categories and change notices."""

from __future__ import annotations

import pytest

from hub.ingest.understand import what


def test_title_drops_bracket_heads_and_greetings() -> None:
    assert what.clean_title("[공지] 9월 청년 네트워킹 데이", "") == "9월 청년 네트워킹 데이"
    assert what.clean_title("【모집】 마을활동가 모집", "") == "마을활동가 모집"
    body = "안녕하세요!\n시민포럼 회원님들께 알려드립니다.\n🎶 가을밤 국악 콘서트 🎶\n일시: 10월 10일"
    assert what.clean_title(None, body) == "가을밤 국악 콘서트"
    assert len(what.clean_title("가" * 300, "")) <= what.TITLE_MAX


def test_excerpt_collapses_whitespace() -> None:
    got = what.excerpt("첫 줄\n\n  둘째   줄 " + "가" * 400)
    assert got.startswith("첫 줄 둘째 줄 ")
    assert len(got) <= what.EXCERPT_MAX


@pytest.mark.parametrize(
    ("text", "fee"),
    [
        ("참가비: 무료", "무료"),
        ("참가비 5천원", "5,000원"),
        ("재료비 5,000원 / 선착순 15명", "5,000원"),
        ("참가비 가족당 3만원", "30,000원"),
        ("수강료: 1만 5천원", "15,000원"),
        ("관람 무료, 선착순 입장", "무료"),
        ("일시: 9월 5일", None),
    ],
)
def test_fee(text: str, fee: str | None) -> None:
    assert what.read_fee(text) == fee


def test_categories_come_from_the_taxonomy() -> None:
    got = what.read_categories("청년 창업 온라인 설명회", "예비창업자 지원사업 설명")
    assert "청년·창업" in got and "공청회·설명회·회의" in got
    assert set(got) <= set(what.CATEGORIES)
    assert "봉사·나눔" in what.read_categories("요천 플로깅", "환경 정화 봉사")


@pytest.mark.parametrize(
    ("title", "body", "change"),
    [
        ("[취소 안내] 마을 영화제", "태풍 예보로 취소되었습니다.", "CANCELLED"),
        ("요천 플로깅 연기 안내", "9월 12일(토)로 연기합니다.", "RESCHEDULED"),
        ("[변경] 공청회 시간 변경 안내", "시작 시간이 변경되었습니다.", "RESCHEDULED"),
        ("[장소 변경] 독서모임", "장소가 변경되었습니다.", "CHANGED"),
        ("청년 버스킹", "우천 시 취소되며 당일 공지드릴게요.", None),
        ("10월부터 자료실 운영시간 변경 안내", "운영시간이 09:00~20:00으로 변경됩니다.", None),
    ],
)
def test_change_notices(title: str, body: str, change: str | None) -> None:
    assert what.read_change(title, body) == change
