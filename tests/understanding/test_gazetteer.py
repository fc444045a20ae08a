"""The Namwon gazetteer file and matching inside text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hub.ingest.understand import Gazetteer, GazetteerError, load_gazetteer
from tests.understanding.conftest import PLACES

REQUIRED = [
    "남원아트센터",
    "춘향문화예술회관",
    "광한루원",
    "청년마루",
    "남원시공동체지원센터",
    "도통동 행정복지센터",
    "남원향토박물관",
    "남원시립김병종미술관",
    "남원시청",
    "남원시립도서관",
    "춘향테마파크",
    "요천",
    "남원역",
    "남원공설운동장",
    "남원시노인복지관",
    "남원시가족센터",
    "남원시청소년수련관",
    "지리산허브밸리",
    "남원교육지원청",
]
CATEGORIES = {"공공기관", "문화시설", "도서관", "체육시설", "복지시설", "관광지", "교육시설", "교통", "공원"}


def test_seed_file_has_the_places_the_hub_relies_on(gazetteer: Gazetteer) -> None:
    with PLACES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["name", "aliases", "category", "address", "lat", "lng"]
    assert len(rows) >= 45
    assert {row["category"] for row in rows} <= CATEGORIES
    for name in REQUIRED:
        assert gazetteer.by_name(name) is not None, name
    for place in gazetteer.places:
        assert 35.2 < place.lat < 35.6 and 127.2 < place.lng < 127.7, place.name


def test_longest_name_wins(gazetteer: Gazetteer) -> None:
    hit = gazetteer.find("남원시청년센터 2층")
    assert hit is not None and hit.place.name == "청년마루"
    hit = gazetteer.find("남원시청 대회의실")
    assert hit is not None and hit.place.name == "남원시청"


def test_spacing_does_not_matter(gazetteer: Gazetteer) -> None:
    hit = gazetteer.find("남원 시립 도서관 3층")
    assert hit is not None and hit.place.name == "남원시립도서관"
    assert hit.start == 0


def test_road_named_after_a_stream_is_not_the_stream(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("요천로 1447") is None


def test_bad_header_is_refused_in_korean_and_english(tmp_path: Path) -> None:
    bad = tmp_path / "places.csv"
    bad.write_text("이름,위도,경도\n남원시청,35.4,127.3\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="지명 사전의 열이 다릅니다"):
        load_gazetteer(bad)
