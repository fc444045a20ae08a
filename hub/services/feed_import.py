"""Storing what a feed or calendar says, for the RSS/iCal syncers, `hub import rss|ical` and the demo seed.

One document is stored in one write transaction: its posts go through the ingestion pipeline, its
unreadable entries become dead letters, and a syncer advances its cursor in the same commit. A document
that is not a feed or calendar at all is dead-lettered whole and raised as `InvalidInput`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.errors import InvalidInput
from hub.ingest.pipeline import Outcome, ingest_in_session
from hub.records import OrganisationRecord
from hub.services.dead_letters import dead_letter, record_dead_letter
from hub.services.organisations import organisations_by_slugs
from hub.sync import SyncReport
from org_connectors import RawPost, SourceKind, UnreadableInput
from org_connectors.feeds import (
    FetchError,
    FetchPolicy,
    NotACalendar,
    NotAFeed,
    fetch,
    parse_calendar,
    parse_feed,
    redact_url,
)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    report: SyncReport
    # Keys of every unreadable entry in the document, dead-lettered now or on an earlier poll.
    unreadable_keys: tuple[str, ...]
    problems: tuple[str, ...]  # the reasons of the entries dead-lettered now, for the person importing


@dataclass(frozen=True, slots=True)
class Input:
    data: bytes
    content_type: str | None
    origin: str  # a file name or a redacted URL: fit for messages and dead letters


def unreadable_key(problem: UnreadableInput) -> str:
    """A stable key for one unreadable entry: re-polling the same broken entry adds no second dead letter."""
    material = f"{problem.where or ''}\0{problem.raw or ''}".encode()
    return hashlib.sha256(material).hexdigest()[:20]


async def store_posts(
    session: AsyncSession,
    organisation: OrganisationRecord,
    posts: Sequence[RawPost],
    unreadable: Sequence[UnreadableInput],
    *,
    kind: SourceKind,
    origin: str,
    source_id: int | None = None,
    review_non_staff: bool = True,
    already_dead: Collection[str] = (),
) -> StoredDocument:
    """Ingest every post and dead-letter every unreadable entry not in `already_dead`, in the caller's
    transaction."""
    counts = dict.fromkeys(Outcome, 0)
    for post in posts:
        result = await ingest_in_session(
            session, organisation, post, review_non_staff=review_non_staff, source_id=source_id
        )
        counts[result.outcome] += 1
    keys: list[str] = []
    problems: list[str] = []
    for problem in unreadable:
        key = unreadable_key(problem)
        keys.append(key)
        if key in already_dead:
            continue
        where = f"{origin} · {problem.where}" if problem.where else origin
        session.add(
            dead_letter(
                kind=kind.value,
                origin=where,
                reason=str(problem),
                payload=problem.raw or "",
                organisation_id=organisation.id,
                source_id=source_id,
            )
        )
        problems.append(str(problem))
    report = SyncReport(
        created=counts[Outcome.CREATED],
        updated=counts[Outcome.UPDATED],
        # A tombstoned post was deleted on purpose; for this document it is simply left as it is.
        unchanged=counts[Outcome.UNCHANGED] + counts[Outcome.TOMBSTONED],
        dead_letters=len(problems),
    )
    return StoredDocument(report, tuple(keys), tuple(problems))


def is_url(location: str) -> bool:
    return "://" in location


async def read_input(location: str, *, policy: FetchPolicy) -> Input:
    """A file's bytes, or a URL fetched with the same safe fetcher the syncers use."""
    if is_url(location):
        if urlsplit(location).scheme.lower() not in ("http", "https"):
            raise InvalidInput(
                "http·https 주소나 파일만 가져옵니다 / Only http(s) URLs and files are imported"
            )
        try:
            result = await fetch(location, policy=policy)
        except FetchError as exc:
            raise InvalidInput(str(exc)) from exc
        return Input(result.body, result.content_type, redact_url(location))
    path = Path(location)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise InvalidInput(f"파일을 읽을 수 없습니다: {location} / Cannot read the file: {location}") from exc
    return Input(data, None, path.name)


async def _reject(
    db: Database, organisation: OrganisationRecord, kind: SourceKind, source: Input, problem: UnreadableInput
) -> InvalidInput:
    letter = dead_letter(
        kind=kind.value,
        origin=source.origin,
        reason=str(problem),
        payload=source.data,
        organisation_id=organisation.id,
    )
    await record_dead_letter(db, letter)
    return InvalidInput(str(problem))


async def import_feed(
    db: Database, organisation: OrganisationRecord, source: Input, *, tz: tzinfo
) -> StoredDocument:
    """Import an RSS/Atom document once. Raises `InvalidInput` (after dead-lettering it) if it is no feed."""
    try:
        parsed = parse_feed(source.data, content_type=source.content_type, tz=tz)
    except NotAFeed as exc:
        raise await _reject(db, organisation, SourceKind.RSS, source, exc) from exc
    async with db.write() as session:
        return await store_posts(
            session, organisation, parsed.posts, parsed.unreadable, kind=SourceKind.RSS, origin=source.origin
        )


async def import_calendar(
    db: Database,
    organisation: OrganisationRecord,
    source: Input,
    *,
    window_start: datetime,
    window_end: datetime,
    tz: tzinfo,
) -> StoredDocument:
    """Import the occurrences of an iCalendar file inside the window once. Nothing is withdrawn: a one-off
    import does not know what an earlier import of another window saw."""
    if window_end <= window_start:
        raise InvalidInput("기간의 끝이 시작보다 앞섭니다 / The window ends before it starts")
    try:
        parsed = parse_calendar(source.data, window_start=window_start, window_end=window_end, tz=tz)
    except NotACalendar as exc:
        raise await _reject(db, organisation, SourceKind.ICAL, source, exc) from exc
    async with db.write() as session:
        return await store_posts(
            session, organisation, parsed.posts, parsed.unreadable, kind=SourceKind.ICAL, origin=source.origin
        )


# The demo replays the Namwon fixtures through the same import as `hub import`. The calendar fixture is
# dated November 2026 to February 2027, so its window is fixed around those dates, not around today.
DEMO_FEEDS = (
    ("namwon-small-change-forum", "rss/naver_blog_smallchange.xml"),
    ("namwon-city-hall", "rss/namwon_city_notice_euckr.xml"),
)
DEMO_CALENDARS = (("namwon-culture-city", "ical/culture_office_v2.ics"),)
DEMO_WINDOW = (date(2026, 10, 1), date(2027, 4, 1))


async def replay_demo_feeds(db: Database, zone: ZoneInfo, directory: Path) -> SyncReport:
    """Import the demo blog, board and calendar files for their organisations; safe to repeat."""
    slugs = [slug for slug, _ in DEMO_FEEDS + DEMO_CALENDARS]
    organisations = await organisations_by_slugs(db, slugs)
    missing = sorted(set(slugs) - set(organisations))
    if missing:
        raise InvalidInput(f"데모 기관이 없습니다: {', '.join(missing)} / Demo organisations missing")
    start, end = (datetime.combine(day, time(), zone) for day in DEMO_WINDOW)
    reports: list[SyncReport] = []
    for slug, name in DEMO_FEEDS:
        source = Input(await asyncio.to_thread((directory / name).read_bytes), None, Path(name).name)
        reports.append((await import_feed(db, organisations[slug], source, tz=zone)).report)
    for slug, name in DEMO_CALENDARS:
        source = Input(await asyncio.to_thread((directory / name).read_bytes), None, Path(name).name)
        stored = await import_calendar(
            db, organisations[slug], source, window_start=start, window_end=end, tz=zone
        )
        reports.append(stored.report)
    return SyncReport(
        created=sum(r.created for r in reports),
        updated=sum(r.updated for r in reports),
        unchanged=sum(r.unchanged for r in reports),
        dead_letters=sum(r.dead_letters for r in reports),
    )
