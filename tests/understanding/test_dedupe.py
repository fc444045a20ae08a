"""One item per real event: cross-posts merge, different events never do."""

from __future__ import annotations

from datetime import datetime

from hub.ingest.dedupe import EventFingerprint, blocking_keys, cluster, fingerprint, match, refers_to
from hub.ingest.understand import Gazetteer, understand
from tests.understanding.conftest import kst


def fp(
    gazetteer: Gazetteer,
    body: str,
    posted: datetime,
    org: str = "namwon-youth",
    title: str | None = None,
    kind: str = "BAND",
) -> EventFingerprint:
    u = understand(body, title=title, posted_at=posted, gazetteer=gazetteer)
    return fingerprint(u, organisation=org, source_kind=kind, body=body)


NETWORKING_BAND = (
    "[공지] 9월 청년 네트워킹 데이\n○ 일시: 9월 12일(토) 오후 4시~6시\n○ 장소: 청년마루 2층 라운지\n"
    "남원에 사는 청년 누구나 환영해요."
)
NETWORKING_RSS = (
    "남원시 청년센터(청년마루)에서 지역 청년들이 교류하는 네트워킹 데이를 개최합니다.\n"
    "□ 일 시 : 2026. 9. 12.(토) 16:00 ~ 18:00\n□ 장 소 : 남원시 청년센터 청년마루 2층"
)


def test_cross_posts_of_one_event_match(gazetteer: Gazetteer) -> None:
    a = fp(gazetteer, NETWORKING_BAND, kst(2026, 8, 28))
    b = fp(
        gazetteer,
        NETWORKING_RSS,
        kst(2026, 8, 31),
        org="namwon-city",
        kind="RSS",
        title="[청년정책과] 2026 남원 청년 네트워킹 데이 참가자 모집",
    )
    decision = match(a, b)
    assert decision.same, decision
    assert 0 < decision.score <= 1 and decision.reason


def test_different_events_on_the_same_day_never_merge(gazetteer: Gazetteer) -> None:
    a = fp(gazetteer, NETWORKING_BAND, kst(2026, 8, 28))
    flogging = fp(gazetteer, "요천 플로깅\n일시: 9월 12일(토) 오전 9시\n장소: 요천 둔치", kst(2026, 9, 3))
    other_talk = fp(
        gazetteer, "청년 창업 특강\n일시: 9월 12일(토) 오후 4시\n장소: 남원시립도서관", kst(2026, 9, 3)
    )
    assert not match(a, flogging).same
    assert not match(a, other_talk).same


def test_same_place_on_different_days_never_merges(gazetteer: Gazetteer) -> None:
    a = fp(gazetteer, NETWORKING_BAND, kst(2026, 8, 28))
    b = fp(gazetteer, NETWORKING_BAND.replace("9월 12일", "9월 19일"), kst(2026, 8, 28))
    assert not match(a, b).same
    assert blocking_keys(a) != blocking_keys(b)


def test_change_notice_refers_to_the_event_it_changes(gazetteer: Gazetteer) -> None:
    original = fp(
        gazetteer,
        "🌿 요천 플로깅 함께해요\n📅 9.5(토) 오전 9시\n📍 요천 둔치",
        kst(2026, 8, 25),
        org="namwon-volunteer",
    )
    notice = fp(
        gazetteer,
        "[일정 변경] 요천 플로깅 연기 안내\n9월 5일(토) 예정이던 요천 플로깅을 9월 12일(토)로 "
        "연기합니다.\n오전 9시, 요천 둔치 징검다리 앞!",
        kst(2026, 9, 3),
        org="namwon-volunteer",
    )
    assert notice.change == "RESCHEDULED"
    assert refers_to(notice, original).same
    other = fp(gazetteer, "그림책 놀이터\n9.5(토) 10시\n어린이청소년도서관 2층", kst(2026, 8, 25))
    assert not refers_to(notice, other).same
    assert cluster([original, other, notice]) == [[0, 2], [1]]


def test_posts_without_a_start_stay_alone(gazetteer: Gazetteer) -> None:
    a = fp(gazetteer, "청년마루 9월 대관 안내\n일요일은 쉽니다.", kst(2026, 9, 1))
    b = fp(gazetteer, "청년마루 9월 대관 안내\n일요일은 쉽니다.", kst(2026, 9, 1))
    assert not match(a, b).same
    assert cluster([a, b]) == [[0], [1]]
