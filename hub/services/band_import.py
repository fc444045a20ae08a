"""`hub import band FILE`: a saved `/v2/band/posts` response (one page or a JSON list of pages, or a saved
`/v2.1/band/post` detail) through the same path as the syncer, for offline use and support.

Readable posts are ingested in one transaction together with a dead letter per unreadable post; a file
that is not a post list at all (bands, comments, an error response, not JSON) is refused with a clear
message and kept as a dead letter, and nothing is stored from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import select

from hub.db import Database
from hub.errors import InvalidInput, NotFound
from hub.models import Source
from hub.services.dead_letters import dead_letter, record_dead_letter
from hub.services.organisations import organisations_by_slugs
from hub.sync.band import DEAD_LETTER_KIND, Tally, add_letter_once, ingest_band_post, unreadable_letter
from org_connectors import SourceKind
from org_connectors.band import BandMalformedResponse, parse_posts_lenient

_source = Source.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class BandImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    dead_letters: int

    def __str__(self) -> str:
        return (
            f"새 글 {self.created} · 수정 {self.updated} · 그대로 {self.unchanged} · 건너뜀 {self.skipped} · "
            f"읽지 못함 {self.dead_letters} / created {self.created}, updated {self.updated}, unchanged "
            f"{self.unchanged}, skipped {self.skipped}, dead letters {self.dead_letters}"
        )


async def _band_sources(db: Database, organisation_id: int) -> dict[str, tuple[int, bool]]:
    """band_key → (source id, review policy) of the organisation's connected bands."""
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(_source.c.id, _source.c.config, _source.c.review_non_staff).where(
                    _source.c.organisation_id == organisation_id, _source.c.kind == SourceKind.BAND.value
                )
            )
        ).all()
    found: dict[str, tuple[int, bool]] = {}
    for source_id, config, review in rows:
        key = (config or {}).get("band_key")
        if isinstance(key, str):
            found.setdefault(key, (source_id, bool(review)))
    return found


async def import_band_file(
    db: Database, *, organisation_slug: str, data: bytes, origin: str
) -> BandImportResult:
    organisation = (await organisations_by_slugs(db, [organisation_slug])).get(organisation_slug)
    if organisation is None:
        raise NotFound(
            f"알 수 없는 기관입니다: {organisation_slug} / Unknown organisation: {organisation_slug}"
        )

    async def refuse(reason: str) -> InvalidInput:
        await record_dead_letter(
            db,
            dead_letter(
                kind=DEAD_LETTER_KIND,
                origin=f"import {origin}",
                reason=reason,
                payload=data,
                organisation_id=organisation.id,
            ),
        )
        return InvalidInput(f"{reason} ({origin})")

    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise await refuse("파일이 JSON 형식이 아닙니다 / The file is not JSON") from None
    try:
        posts, unreadable = parse_posts_lenient(document)
    except BandMalformedResponse as exc:
        raise await refuse(str(exc)) from None

    sources = await _band_sources(db, organisation.id)
    tally = Tally()
    async with db.write() as session:
        for post in posts:
            source_id, review = sources.get(post.band_key, (None, True))
            outcome = await ingest_band_post(
                session, organisation, post, review_non_staff=review, source_id=source_id
            )
            tally.count(outcome)
        for error in unreadable:
            letter = unreadable_letter(
                error,
                band_key=None,
                organisation_id=organisation.id,
                source_id=None,
                origin=f"import {origin}",
            )
            if await add_letter_once(session, letter):
                tally.dead_letters += 1
    return BandImportResult(tally.created, tally.updated, tally.unchanged, tally.skipped, tally.dead_letters)
