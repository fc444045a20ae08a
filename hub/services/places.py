"""Places: the gazetteer of real public places, and places known only by the name a post gave."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel import select as select_model
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.errors import InvalidInput
from hub.ingest.understand import Gazetteer, GazetteerError
from hub.ingest.understand import Place as GazetteerPlace
from hub.ingest.understand import load_gazetteer as load_gazetteer_file
from hub.models import Place
from hub.records import PlaceRecord

_place = Place.__table__  # type: ignore[attr-defined]
GAZETTEER_TTL_SECONDS = 300.0
_gazetteers: dict[str, tuple[float, Gazetteer]] = {}


def read_gazetteer(path: Path) -> list[GazetteerPlace]:
    """The places of a gazetteer file (`name,aliases,category,address,lat,lng`), refused clearly if bad."""
    try:
        return list(load_gazetteer_file(path).places)
    except GazetteerError as exc:
        raise InvalidInput(str(exc)) from exc


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
    _gazetteers.clear()
    return len(entries)


async def place_for_name(session: AsyncSession, name: str) -> int:
    """The id of the place named `name` (or a gazetteer alias of it); unknown names get a text-only place."""
    name = nfc(name).strip()
    found = (await session.exec(select_model(Place).where(col(Place.name) == name))).first()
    if found is None:
        verified = (await session.exec(select_model(Place).where(col(Place.verified).is_(True)))).all()
        found = next((place for place in verified if name in (place.aliases or ())), None)
    if found is not None:
        assert found.id is not None
        return found.id
    # Two processes may name the same new place at once: insert-if-absent, then read whichever row won.
    conn = await session.connection()
    insert = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
    await conn.execute(
        insert(_place)
        .values(name=name, aliases=[], verified=False)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    place_id = (await conn.execute(select(_place.c.id).where(_place.c.name == name))).scalar_one()
    return int(place_id)


async def places_by_ids(db: Database, ids: Sequence[int]) -> dict[int, PlaceRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_place).where(_place.c.id.in_(set(ids))))).mappings()
        return {row["id"]: PlaceRecord.from_row(row) for row in rows}


async def gazetteer_for(session: AsyncSession) -> Gazetteer:
    """The verified places as a `Gazetteer` for the understanding stage, cached for a few minutes."""
    key = str((await session.connection()).engine.url)
    cached = _gazetteers.get(key)
    if cached is not None and time.monotonic() - cached[0] < GAZETTEER_TTL_SECONDS:
        return cached[1]
    rows = (await session.exec(select_model(Place).where(col(Place.verified).is_(True)))).all()
    gazetteer = Gazetteer(
        GazetteerPlace(
            name=row.name,
            address=row.address,
            lat=row.lat,
            lng=row.lng,
            category=row.category,
            aliases=tuple(row.aliases or ()),
        )
        for row in rows
        if row.lat is not None and row.lng is not None
    )
    _gazetteers[key] = (time.monotonic(), gazetteer)
    return gazetteer
