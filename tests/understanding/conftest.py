from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.ingest.understand import Gazetteer, load_gazetteer

SEOUL = ZoneInfo("Asia/Seoul")
ROOT = Path(__file__).resolve().parents[2]
PLACES = ROOT / "seeds" / "namwon" / "places.csv"


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer(PLACES)
