"""Blog/board feeds (RSS, Atom) and calendars (iCal) as polled sources.

Address. A public URL is kept in `config["url"]`. A secret one (Google's `/private-…/basic.ics`, or a
query carrying a key or token) is a credential: it is sealed as the source's secret and only its redacted
form (`config["shown_url"]`) is kept in the clear. It is never printed or logged.

Cursor. `etag`/`last_modified` for conditional GET (a 304 changes nothing); `unreadable`, the keys of
broken entries already dead-lettered, so a feed re-sent unchanged adds no second dead letter; `rejected`,
the digest of the last body that was not a feed at all, for the same reason. Calendars also keep `seen`:
each occurrence of the last sync with its start.

Deletions. A feed holds only recent posts, so an entry missing from a later poll says nothing. A calendar
is complete within its window: an occurrence seen last time, starting inside the current window and now
absent (an EXDATE added, the event deleted), is withdrawn. When some event of the calendar could not be
read, nothing is withdrawn that sync, since the missing occurrence may belong to the unreadable event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlsplit

from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.errors import InvalidInput
from hub.ingest.pipeline import withdraw
from hub.models import Source
from hub.secrets import SecretBox
from hub.services.dead_letters import dead_letter
from hub.services.feed_import import store_posts
from hub.services.sources import FailureKind, InTransaction, SourceFailure, SourceRecord, add_source
from hub.settings import Settings
from hub.sync import SyncContext, SyncFailed, SyncReport
from org_connectors import RawPost, SourceKind, UnreadableInput
from org_connectors.feeds import (
    BadStatus,
    FetchError,
    FetchPolicy,
    FetchResult,
    NotACalendar,
    NotAFeed,
    fetch,
    parse_calendar,
    parse_feed,
    redact_url,
)
from org_connectors.feeds.ical import WINDOW_AHEAD, WINDOW_BACK

FEED_KINDS = (SourceKind.RSS, SourceKind.ICAL)
GONE_STATUSES = frozenset({404, 410})
WITHDRAW_REASON = "달력에서 사라진 일정 / Occurrence removed from the calendar"
_SECRET_QUERY_NAMES = frozenset(
    {"key", "token", "access_token", "auth", "apikey", "api_key", "secret", "signature", "sig", "password"}
)
_KIND_LABEL = {SourceKind.RSS: "피드", SourceKind.ICAL: "달력"}


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy operators set: private addresses only for hosts named in the settings."""
    allowed = frozenset(host.lower() for host in settings.fetch_allowed_private_hosts)
    return FetchPolicy(allowed_private_hosts=allowed)


def is_secret_url(url: str) -> bool:
    """Whether the URL itself grants access (Google's secret iCal address, a key or token in the query)."""
    parts = urlsplit(url)
    if "/private-" in parts.path.lower():
        return True
    return any(name.lower() in _SECRET_QUERY_NAMES for name, _ in parse_qsl(parts.query))


def check_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = urlsplit("")
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidInput(
            "http:// 또는 https:// 로 시작하는 주소를 입력하세요 / Give an http:// or https:// URL"
        )
    return url


async def add_feed_source(
    db: Database,
    box: SecretBox,
    *,
    organisation_slug: str,
    kind: SourceKind,
    url: str,
    name: str | None = None,
    poll_interval_seconds: int = 900,
    window_back_days: int | None = None,
    window_ahead_days: int | None = None,
    now: datetime | None = None,
    also: InTransaction | None = None,
) -> SourceRecord:
    """Connect a blog/board feed or a calendar. A secret URL is sealed, never kept in the clear."""
    if kind not in FEED_KINDS:
        raise InvalidInput(f"피드나 달력이 아닙니다: {kind.value} / Not a feed kind: {kind.value}")
    url = check_url(url)
    shown = redact_url(url)
    config: dict[str, Any] = {"shown_url": shown}
    secret = url if is_secret_url(url) else None
    if secret is None:
        config["url"] = url
    if kind is SourceKind.ICAL:
        for key, days in (("window_back_days", window_back_days), ("window_ahead_days", window_ahead_days)):
            if days is not None:
                if not 0 <= days <= 3660:
                    raise InvalidInput("기간은 0~3660일이어야 합니다 / Window days must be 0..3660")
                config[key] = days
    return await add_source(
        db,
        box,
        organisation_slug=organisation_slug,
        kind=kind,
        name=(name or f"{_KIND_LABEL[kind]} {shown}")[:200],
        config=config,
        secret=secret,
        poll_interval_seconds=poll_interval_seconds,
        now=now,
        also=also,
    )


def source_url(context: SyncContext) -> str:
    if context.secret:
        return context.secret
    url = context.source.config.get("url")
    if not isinstance(url, str) or not url:
        raise SyncFailed(
            SourceFailure(
                FailureKind.RECONNECT,
                "연결된 주소가 없습니다. 주소를 다시 연결하세요 / The source has no address; reconnect it",
            )
        )
    return url


def calendar_window(config: Mapping[str, Any], now: datetime) -> tuple[datetime, datetime]:
    back = config.get("window_back_days")
    ahead = config.get("window_ahead_days")
    return (
        now - (timedelta(days=back) if isinstance(back, int) else WINDOW_BACK),
        now + (timedelta(days=ahead) if isinstance(ahead, int) else WINDOW_AHEAD),
    )


async def _fetch(context: SyncContext, url: str) -> FetchResult | None:
    """The document, or None when the server says it has not changed since the last poll."""
    cursor = context.source.cursor
    etag, last_modified = cursor.get("etag"), cursor.get("last_modified")
    try:
        result = await fetch(
            url,
            etag=etag if isinstance(etag, str) else None,
            last_modified=last_modified if isinstance(last_modified, str) else None,
            policy=fetch_policy(context.settings),
        )
    except BadStatus as exc:
        if exc.status in GONE_STATUSES:
            raise SyncFailed(
                SourceFailure(
                    FailureKind.RECONNECT,
                    f"이 주소는 더 이상 작동하지 않습니다(HTTP {exc.status}). 새 주소로 다시 연결하세요 / "
                    f"The address no longer works (HTTP {exc.status}); reconnect the source with its new "
                    f"address ({exc.url})",
                )
            ) from exc
        raise SyncFailed(SourceFailure(FailureKind.TEMPORARY, str(exc))) from exc
    except FetchError as exc:
        raise SyncFailed(SourceFailure(FailureKind.TEMPORARY, str(exc))) from exc
    return None if result.not_modified else result


async def _save_cursor(session: AsyncSession, source_id: int, cursor: Mapping[str, Any]) -> None:
    row = await session.get(Source, source_id)
    if row is not None:
        row.cursor = dict(cursor)
        session.add(row)


def _validators(result: FetchResult) -> dict[str, Any]:
    return {"etag": result.etag, "last_modified": result.last_modified}


def _keys(value: Any) -> frozenset[str]:
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


async def _reject(
    context: SyncContext, kind: SourceKind, url: str, result: FetchResult, problem: UnreadableInput
) -> NoReturn:
    """The whole document is unusable: one dead letter per distinct body, and a temporary failure."""
    digest = hashlib.sha256(result.body).hexdigest()[:20]
    if context.source.cursor.get("rejected") != digest:
        async with context.db.write() as session:
            session.add(
                dead_letter(
                    kind=kind.value,
                    origin=redact_url(url),
                    reason=str(problem),
                    payload=result.body,
                    organisation_id=context.organisation.id,
                    source_id=context.source.id,
                )
            )
            await _save_cursor(session, context.source.id, {**context.source.cursor, "rejected": digest})
    raise SyncFailed(SourceFailure(FailureKind.TEMPORARY, f"{problem} ({redact_url(url)})"))


async def sync_rss(context: SyncContext) -> SyncReport:
    url = source_url(context)
    result = await _fetch(context, url)
    if result is None:
        return SyncReport()
    try:
        parsed = parse_feed(result.body, content_type=result.content_type, tz=context.settings.zone)
    except NotAFeed as problem:
        await _reject(context, SourceKind.RSS, url, result, problem)
    async with context.db.write() as session:
        stored = await store_posts(
            session,
            context.organisation,
            parsed.posts,
            parsed.unreadable,
            kind=SourceKind.RSS,
            origin=redact_url(url),
            source_id=context.source.id,
            review_non_staff=context.source.review_non_staff,
            already_dead=_keys(context.source.cursor.get("unreadable")),
        )
        cursor = {**_validators(result), "unreadable": list(stored.unreadable_keys)}
        await _save_cursor(session, context.source.id, cursor)
    return stored.report


async def sync_ical(context: SyncContext) -> SyncReport:
    url = source_url(context)
    result = await _fetch(context, url)
    if result is None:
        return SyncReport()
    start, end = calendar_window(context.source.config, context.now)
    try:
        parsed = parse_calendar(result.body, window_start=start, window_end=end, tz=context.settings.zone)
    except NotACalendar as problem:
        await _reject(context, SourceKind.ICAL, url, result, problem)
    seen_now = {p.external_id: _start(p).isoformat() for p in parsed.posts}
    previous = _seen(context.source.cursor.get("seen"))
    gone: list[str] = []
    if parsed.unreadable:
        # Keep what was seen so that a disappearance is still noticed once the broken event is fixed.
        seen = {k: v for k, v in previous.items() if datetime.fromisoformat(v) >= start} | seen_now
    else:
        seen = seen_now
        gone = [
            key
            for key, began in previous.items()
            if key not in seen_now and start <= datetime.fromisoformat(began) < end
        ]
    async with context.db.write() as session:
        stored = await store_posts(
            session,
            context.organisation,
            parsed.posts,
            parsed.unreadable,
            kind=SourceKind.ICAL,
            origin=redact_url(url),
            source_id=context.source.id,
            review_non_staff=context.source.review_non_staff,
            already_dead=_keys(context.source.cursor.get("unreadable")),
        )
        withdrawn = 0
        for external_id in sorted(gone):
            item_id = await withdraw(
                session, context.organisation.id, SourceKind.ICAL, external_id, reason=WITHDRAW_REASON
            )
            withdrawn += item_id is not None
        cursor = {**_validators(result), "unreadable": list(stored.unreadable_keys), "seen": seen}
        await _save_cursor(session, context.source.id, cursor)
    report = stored.report
    return SyncReport(report.created, report.updated, report.unchanged, withdrawn, report.dead_letters)


def _start(post: RawPost) -> datetime:
    return post.event.starts_at if post.event else post.posted_at


def _seen(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    seen: dict[str, str] = {}
    for key, start in value.items():
        try:
            datetime.fromisoformat(str(start))
        except ValueError:
            continue
        seen[str(key)] = str(start)
    return seen
