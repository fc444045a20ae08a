"""Import a KakaoTalk chat export (단톡방 내보내기) into an organisation's feed.

The parser keeps only the named staff senders' messages, so nothing another member wrote reaches the
database, not even in a dead letter. Posts go through the ingestion pipeline with stable external ids:
importing the same or an overlapping export again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.errors import InvalidInput, NotFound
from hub.ingest.pipeline import Outcome, ingest_in_session
from hub.services.dead_letters import add_dead_letters, dead_letter
from hub.services.organisations import organisations_by_slugs
from org_connectors.kakao import ExportTooLarge, UnknownExportFormat, parse_export

DEAD_LETTER_KIND = "kakao_export"
# Posts per write transaction: short transactions keep the SQLite writer free for the skill endpoint.
BATCH = 200


@dataclass(frozen=True, slots=True)
class KakaoImportReport:
    """What an import did, in the counts the command prints."""

    room: str
    format: str
    messages_read: int
    kept: int
    skipped_non_staff: int
    skipped_chatter: int
    unreadable: int
    created: int
    updated: int
    unchanged: int
    merged: int  # announced an event already in the feed (another room, another source)
    tombstoned: int


def default_room(organisation_slug: str) -> str:
    """The room key when none is given.

    It is part of every message's external id, so it must not change between two exports of one room.
    File names carry the export time and headers differ by platform (Android adds the member count),
    so the organisation is the stable default; `--room` separates rooms when an organisation has several.
    """
    return f"kakao:{organisation_slug}"


async def import_kakao_export(
    db: Database,
    *,
    data: bytes,
    file_name: str,
    organisation_slug: str,
    staff: Sequence[str],
    room: str | None = None,
    zone: ZoneInfo,
    also: Callable[[AsyncSession, KakaoImportReport], None] | None = None,
) -> KakaoImportReport:
    """Parse `data` and ingest its staff posts; unreadable lines become dead letters with their numbers.

    Raises `NotFound` for an unknown organisation and `InvalidInput` (one clear Korean/English line) for
    a file that is too large or in no known export format. `also` runs in the transaction of the last
    batch with the final counts (the staff audit entry, when the upload came through the graph).
    """
    staff_names = [name.strip() for name in staff if name.strip()]
    if not staff_names:
        raise InvalidInput(
            "담당자(--staff)를 한 명 이상 적어 주세요 / Name at least one staff sender (--staff)"
        )
    organisation = (await organisations_by_slugs(db, [organisation_slug])).get(organisation_slug)
    if organisation is None:
        raise NotFound(
            f"알 수 없는 기관입니다: {organisation_slug} / Unknown organisation: {organisation_slug}"
        )
    room_key = room.strip() if room and room.strip() else default_room(organisation_slug)
    try:
        result = parse_export(data, room=room_key, staff=staff_names, tz=zone)
    except UnknownExportFormat as exc:
        raise InvalidInput(f"{file_name}: {exc}") from exc
    except ExportTooLarge as exc:
        raise InvalidInput(f"{file_name}: {exc}") from exc

    counts: Counter[str] = Counter()
    letters = [
        dead_letter(
            kind=DEAD_LETTER_KIND,
            origin=f"{file_name}:{item.where or '?'}",
            reason=str(item),
            # The parser keeps raw text only for staff lines; members' lines arrive here without it.
            payload=item.raw or "",
            organisation_id=organisation.id,
        )
        for item in result.unreadable
    ]
    if letters:
        async with db.write() as session:
            await add_dead_letters(session, letters)

    def report() -> KakaoImportReport:
        return KakaoImportReport(
            room=room_key,
            format=result.format,
            messages_read=result.messages_read,
            kept=result.kept,
            skipped_non_staff=result.skipped_non_staff,
            skipped_chatter=result.skipped_chatter,
            unreadable=len(result.unreadable),
            created=counts[Outcome.CREATED.value],
            updated=counts[Outcome.UPDATED.value],
            unchanged=counts[Outcome.UNCHANGED.value],
            merged=counts["merged"],
            tombstoned=counts[Outcome.TOMBSTONED.value],
        )

    starts = range(0, max(len(result.posts), 1), BATCH)  # one (empty) batch when nothing was kept
    for start in starts:
        async with db.write() as session:
            for post in result.posts[start : start + BATCH]:
                outcome = await ingest_in_session(session, organisation, post)
                counts[outcome.outcome.value] += 1
            if also is not None and start == starts[-1]:
                also(session, report())
    return report()
