"""Places: the gazetteer of real public places, and places known only by the name a post gave."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col
from sqlmodel import select as select_model
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.errors import InvalidInput
from hub.models import Place
from hub.records import PlaceRecord

_place = Place.__table__  # type: ignore[attr-defined]
GAZETTEER_COLUMNS = ("name", "aliases", "category", "address", "lat", "lng")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    name: str
    aliases: tuple[str, ...]
    category: str | None
    address: str | None
    lat: float
    lng: float


def read_gazetteer(path: Path) -> list[GazetteerEntry]:
    """Read `name,aliases,category,address,lat,lng` (aliases `|`-separated); refuse bad rows clearly."""
    entries: list[GazetteerEntry] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != GAZETTEER_COLUMNS:
            raise InvalidInput(
                f"지명 사전의 열이 다릅니다: {reader.fieldnames} / "
                f"Gazetteer columns must be {','.join(GAZETTEER_COLUMNS)}"
            )
        for line_no, row in enumerate(reader, start=2):
            try:
                lat, lng = float(row["lat"]), float(row["lng"])
            except (TypeError, ValueError) as exc:
                raise InvalidInput(
                    f"{path.name} {line_no}행: 좌표가 숫자가 아닙니다 / "
                    f"line {line_no}: coordinates are not numbers"
                ) from exc
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise InvalidInput(f"{path.name} {line_no}행: 좌표 범위 밖 / line {line_no}: out of range")
            entries.append(
                GazetteerEntry(
                    name=nfc(row["name"]).strip(),
                    aliases=tuple(nfc(a).strip() for a in (row["aliases"] or "").split("|") if a.strip()),
                    category=row["category"] or None,
                    address=row["address"] or None,
                    lat=lat,
                    lng=lng,
                )
            )
    return entries


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def load_gazetteer(db: Database, path: Path) -> int:
    """Insert or update every gazetteer place by name; returns how many rows it wrote."""
    entries = read_gazetteer(path)
    async with db.write() as session:
        existing = {place.name: place for place in (await session.exec(select_model(Place))).all()}
        for entry in entries:
            place = existing.get(entry.name) or Place(name=entry.name)
            place.aliases = list(entry.aliases)
            place.category = entry.category
            place.address = entry.address
            place.lat, place.lng = entry.lat, entry.lng
            place.verified = True
            session.add(place)
    return len(entries)


async def place_for_name(session: AsyncSession, name: str) -> int:
    """The id of the place named `name` (or a gazetteer alias of it); unknown names get a text-only place."""
    name = nfc(name).strip()
    found = (await session.exec(select_model(Place).where(col(Place.name) == name))).first()
    if found is None:
        verified = (await session.exec(select_model(Place).where(col(Place.verified).is_(True)))).all()
        found = next((place for place in verified if name in (place.aliases or ())), None)
    if found is None:
        found = Place(name=name, verified=False)
        session.add(found)
        await session.flush()
    assert found.id is not None
    return found.id


async def places_by_ids(db: Database, ids: Sequence[int]) -> dict[int, PlaceRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_place).where(_place.c.id.in_(set(ids))))).mappings()
        return {row["id"]: PlaceRecord.from_row(row) for row in rows}
