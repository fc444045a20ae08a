"""Dead letters: input from outside that could not be used, kept with why and where for staff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.models import DeadLetter

PAYLOAD_LIMIT = 20_000
_dead = DeadLetter.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class DeadLetterRecord:
    id: int
    organisation_id: int | None
    source_id: int | None
    kind: str
    origin: str
    reason: str
    payload: str
    created_at: datetime


def dead_letter(
    *,
    kind: str,
    origin: str,
    reason: str,
    payload: str | bytes = "",
    organisation_id: int | None = None,
    source_id: int | None = None,
) -> DeadLetter:
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    return DeadLetter(
        kind=kind,
        origin=origin[:300],
        reason=reason[:2000],
        payload=payload[:PAYLOAD_LIMIT],
        organisation_id=organisation_id,
        source_id=source_id,
    )


async def add_dead_letters(session: AsyncSession, letters: Sequence[DeadLetter]) -> None:
    for letter in letters:
        session.add(letter)


async def record_dead_letter(db: Database, letter: DeadLetter) -> None:
    async with db.write() as session:
        session.add(letter)


async def list_dead_letters(
    db: Database, *, organisation_id: int | None = None, source_id: int | None = None, limit: int = 100
) -> list[DeadLetterRecord]:
    statement = select(_dead).order_by(_dead.c.id.desc()).limit(limit)
    if organisation_id is not None:
        statement = statement.where(_dead.c.organisation_id == organisation_id)
    if source_id is not None:
        statement = statement.where(_dead.c.source_id == source_id)
    async with db.read() as conn:
        rows = (await conn.execute(statement)).mappings()
        return [DeadLetterRecord(**{key: row[key] for key in DeadLetterRecord.__slots__}) for row in rows]
