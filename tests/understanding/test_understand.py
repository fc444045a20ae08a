"""The composed understanding stage, and the labelled corpus meeting its targets."""

from __future__ import annotations

import json
from pathlib import Path

from bench.understanding import CORPUS, evaluate, load_corpus
from hub.enums import ItemKind
from hub.ingest.understand import Gazetteer, understand
from org_connectors.base import StructuredEvent
from tests.understanding.conftest import kst


def test_a_band_announcement_end_to_end(gazetteer: Gazetteer) -> None:
    body = (
        "[공지] 9월 청년 네트워킹 데이 🙌\n안녕하세요 청년마루입니다!\n○ 일시: 9월 12일(토) 오후 4시~6시\n"
        "○ 장소: 청년마루(남원시 청년센터) 2층 라운지\n○ 참가비: 무료\n○ 신청: 9월 10일(목)까지 구글폼\n"
        "문의는 담당 매니저 010-4821-3357 로 주세요!"
    )
    u = understand(body, posted_at=kst(2026, 8, 28, 10), gazetteer=gazetteer)
    assert u.title == "9월 청년 네트워킹 데이"
    assert u.kind is ItemKind.EVENT
    assert (u.starts_at, u.ends_at, u.all_day) == (kst(2026, 9, 12, 16), kst(2026, 9, 12, 18), False)
    assert u.apply_until == kst(2026, 9, 10, 23, 59)
    assert u.place is not None and u.place.name == "청년마루" and u.place_detail == "2층 라운지"
    assert u.fee == "무료"
    assert "청년·창업" in u.categories
    assert "010-4821" not in u.excerpt and "010-****-3357" in u.excerpt
    assert u.time_span is not None and "9월 12일" in u.time_span
    assert 0 < u.confidence <= 1


def test_structured_times_are_taken_as_they_are(gazetteer: Gazetteer) -> None:
    event = StructuredEvent(
        starts_at=kst(2026, 10, 9), ends_at=kst(2026, 10, 10), all_day=True, location="광한루원"
    )
    u = understand(
        "초·중·고 학생 및 일반부",
        title="한글날 기념 백일장",
        posted_at=kst(2026, 9, 30),
        gazetteer=gazetteer,
        structured=event,
    )
    assert (u.starts_at, u.ends_at, u.all_day) == (kst(2026, 10, 9), kst(2026, 10, 10), True)
    assert u.place is not None and u.place.name == "광한루원"
    cancelled = StructuredEvent(starts_at=kst(2026, 10, 9, 10), cancelled=True)
    assert (
        understand("", title="백일장", posted_at=kst(2026, 9, 30), structured=cancelled).change == "CANCELLED"
    )


def test_recurring_meeting_is_a_gathering(gazetteer: Gazetteer) -> None:
    u = understand(
        "매주 목요일 저녁 7시 청년마루 1층 북카페에서 만나요.", posted_at=kst(2026, 9, 7), gazetteer=gazetteer
    )
    assert u.kind is ItemKind.GATHERING
    assert u.recurrence == "매주 목요일 19:00"


def test_notices_are_not_events(gazetteer: Gazetteer) -> None:
    closure = understand(
        "○ 휴관일: 9. 24.(목) ~ 9. 27.(일)\n○ 9. 28.(월)부터 정상 운영합니다.",
        title="추석 연휴 휴관 안내",
        posted_at=kst(2026, 9, 18),
        gazetteer=gazetteer,
    )
    assert closure.kind is ItemKind.NOTICE and closure.starts_at is None
    recruit = understand(
        "모집기간: 9월 1일(화) ~ 9월 15일(화) 18:00까지\n활동기간: 10월 ~ 12월",
        title="마을활동가 모집",
        posted_at=kst(2026, 8, 27),
        gazetteer=gazetteer,
    )
    assert recruit.kind is ItemKind.ANNOUNCEMENT
    assert recruit.apply_until == kst(2026, 9, 15, 18)


def test_corpus_is_large_and_varied_enough() -> None:
    rows = [json.loads(line) for line in Path(CORPUS).read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) >= 120
    assert {row["source_kind"] for row in rows} == {"BAND", "KAKAO", "RSS", "ICAL"}
    clusters: dict[str, int] = {}
    for row in rows:
        if row["expected"]["cluster"]:
            clusters[row["expected"]["cluster"]] = clusters.get(row["expected"]["cluster"], 0) + 1
    assert sum(1 for size in clusters.values() if size >= 2) >= 15
    assert any(row["expected"]["is_online"] for row in rows)
    assert any(row["expected"]["apply_until"] and not row["expected"]["is_event"] for row in rows)
    assert sum(1 for row in rows if not row["expected"]["is_event"]) >= 20


def test_corpus_meets_the_targets(gazetteer: Gazetteer) -> None:
    report = evaluate(load_corpus(), gazetteer)
    assert report.event_f1 >= 0.95, report.errors
    assert report.start_accuracy >= 0.92, report.errors
    assert report.place_accuracy >= 0.90, report.errors
    assert report.cluster_f1 >= 0.90, report.errors
    assert report.leaks == 0, report.errors
