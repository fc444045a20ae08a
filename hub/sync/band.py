"""The BAND syncer: a source's band, read incrementally through the Open API into the pipeline.

Each page of `/v2/band/posts` is ingested in one write transaction that also advances `Source.cursor`
(see `hub.sync.band_cursor` for the high-water mark and the crash invariant), so rows and cursor commit
together. Posts BAND could not give us in a readable shape become dead letters tied to the source. A full
listing every so often (and on the first sync) withdraws posts that disappeared upstream and leaves
tombstones, so a deleted post never comes back.

Source config: `band_key` (required), optional `page_limit` (1–100, default 100), `min_interval_seconds`
(spacing between BAND calls, default 2), `reconcile_every_syncs` (default 24; a full listing also happens
at least daily), `locale` (default ko_KR). The sealed source secret is the access token.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel import select as select_model
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.ingest.pipeline import Outcome, ingest_in_session, withdraw
from hub.models import DeadLetter, FeedItemSource, Source
from hub.models import RawPost as InboxRow
from hub.records import OrganisationRecord
from hub.services.dead_letters import dead_letter
from hub.services.sources import FailureKind, SourceFailure
from hub.sync import SyncContext, Syncer, SyncFailed, SyncReport
from hub.sync.band_cursor import MARK_SIZE, RECONCILE_EVERY_SYNCS, BandCursor, PassProgress, StopRule
from org_connectors import SourceKind
from org_connectors.band import (
    BandClient,
    BandMalformedResponse,
    BandNeedsReconnect,
    BandPost,
    BandQuotaExceeded,
    BandRejected,
    BandRetryable,
    PostPage,
    RetryPolicy,
    band_post_to_raw_post,
    looks_like_system_post,
    post_fingerprint,
)
from org_connectors.band.errors import BandError, redact

_source = Source.__table__  # type: ignore[attr-defined]
_dead = DeadLetter.__table__  # type: ignore[attr-defined]

DEFAULT_PAGE_LIMIT = 100
DEFAULT_MIN_INTERVAL = 2.0
# Posts per write transaction: on SQLite a transaction holds the one write lock, so a page of 100 posts
# is committed in chunks to let other sources' syncs and staff edits in between.
CHUNK = 20
DEAD_LETTER_KIND = SourceKind.BAND.value
WITHDRAW_REASON = "BAND에서 삭제됨 / deleted on BAND"


@dataclass
class Tally:
    """What a sync or an import did, counted as it goes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    dead_letters: int = 0
    skipped: int = 0  # BAND's own notices (member joined) and tombstoned posts

    def count(self, outcome: Outcome | None) -> None:
        if outcome is Outcome.CREATED:
            self.created += 1
        elif outcome is Outcome.UPDATED or str(outcome) == "merged":
            # A merged post (the same event announced again) became one more source of an existing item.
            self.updated += 1
        elif outcome is Outcome.UNCHANGED:
            self.unchanged += 1
        else:
            self.skipped += 1

    def report(self) -> SyncReport:
        return SyncReport(self.created, self.updated, self.unchanged, self.withdrawn, self.dead_letters)


async def ingest_band_post(
    session: AsyncSession,
    organisation: OrganisationRecord,
    post: BandPost,
    *,
    review_non_staff: bool,
    source_id: int | None,
) -> Outcome | None:
    """One post through the pipeline inside the caller's transaction; None for BAND's system notices."""
    raw = band_post_to_raw_post(post)
    if looks_like_system_post(raw.body):
        return None
    result = await ingest_in_session(
        session, organisation, raw, review_non_staff=review_non_staff, source_id=source_id
    )
    if source_id is not None and result.raw_post_id is not None and result.outcome is not Outcome.UNCHANGED:
        # The pipeline does not record the inbox row's source yet; the row is in the identity map.
        inbox = await session.get(InboxRow, result.raw_post_id)
        if inbox is not None and inbox.source_id != source_id:
            inbox.source_id = source_id
            session.add(inbox)
    return result.outcome


def unreadable_letter(
    error: BandMalformedResponse,
    *,
    band_key: str | None,
    organisation_id: int,
    source_id: int | None,
    origin: str,
) -> DeadLetter:
    where = f" {error.where}" if error.where else ""
    band = f" band {band_key}" if band_key else ""
    return dead_letter(
        kind=DEAD_LETTER_KIND,
        origin=f"{origin}{band}{where}",
        reason=str(error),
        payload=error.raw or "",
        organisation_id=organisation_id,
        source_id=source_id,
    )


async def add_letter_once(session: AsyncSession, letter: DeadLetter) -> bool:
    """The overlap window re-reads recent posts, so an unreadable post is recorded only once per source."""
    conn = await session.connection()
    existing = (
        await conn.execute(
            select(_dead.c.id)
            .where(
                _dead.c.source_id == letter.source_id,
                _dead.c.organisation_id == letter.organisation_id,
                _dead.c.payload == letter.payload,
            )
            .limit(1)
        )
    ).first()
    if existing is not None:
        return False
    session.add(letter)
    return True


def _post_key_of(raw: str | None) -> str | None:
    """The post_key of an item that could not be read, so a reconciliation does not withdraw it."""
    if not raw:
        return None
    with contextlib.suppress(orjson.JSONDecodeError):
        item = orjson.loads(raw)
        if isinstance(item, dict) and isinstance(item.get("post_key"), str):
            return str(item["post_key"])
    return None


def _int_option(config: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = config.get(key, default)
    return (
        min(max(int(value), low), high) if isinstance(value, int | str) and str(value).isdigit() else default
    )


_SQLITE_TURNS: dict[int, asyncio.Lock] = {}


def _writer_turn(db: Database) -> contextlib.AbstractAsyncContextManager[object]:
    """On SQLite, BAND syncs in one process take turns writing, first come first served.

    SQLite's busy handler is not a queue: with several syncs committing chunk after chunk, one of them
    can starve past the busy timeout ("database is locked"). An asyncio lock is FIFO. PostgreSQL needs none.
    """
    if not db.is_sqlite:
        return contextlib.nullcontext()
    return _SQLITE_TURNS.setdefault(id(db.writer), asyncio.Lock())


class BandSync:
    def __init__(self, ctx: SyncContext, *, retry: RetryPolicy, timeout: float) -> None:
        self.ctx = ctx
        self.retry = retry
        self.timeout = timeout
        config = dict(ctx.source.config)
        self.band_key = str(config.get("band_key") or "").strip()
        self.page_limit = _int_option(config, "page_limit", DEFAULT_PAGE_LIMIT, 1, 100)
        self.reconcile_every = _int_option(config, "reconcile_every_syncs", RECONCILE_EVERY_SYNCS, 1, 10_000)
        interval = config.get("min_interval_seconds", DEFAULT_MIN_INTERVAL)
        self.min_interval = float(interval) if isinstance(interval, int | float) else DEFAULT_MIN_INTERVAL
        self.locale = str(config.get("locale") or "ko_KR")
        self.label = f"밴드 '{ctx.source.name}'"

    def _fail(self, kind: FailureKind, text: str, **extra: Any) -> SyncFailed:
        return SyncFailed(SourceFailure(kind, redact(f"{self.label}: {text}", self.ctx.secret), **extra))

    async def run(self) -> SyncReport:
        if not self.band_key:
            raise self._fail(
                FailureKind.RECONNECT,
                "설정에 band_key가 없습니다. 밴드를 다시 연결해 주세요 / "
                "The source has no band_key; please reconnect the band",
            )
        token = self.ctx.secret
        if not token:
            raise self._fail(
                FailureKind.RECONNECT,
                "저장된 BAND 토큰이 없습니다. 밴드를 다시 연결해 주세요 / "
                "No BAND token is stored; please reconnect the band",
            )
        cursor = BandCursor.from_json(self.ctx.source.cursor)
        tally = Tally()
        failure: SyncFailed | None = None
        try:
            async with BandClient(
                self.ctx.settings.band_api_base,
                token,
                retry=self.retry,
                timeout=self.timeout,
                min_interval=self.min_interval,
            ) as client:
                await self._pass(client, cursor, tally)
        except BandQuotaExceeded as exc:
            failure = self._fail(FailureKind.QUOTA, str(exc), retry_at=exc.resume_at)
        except BandNeedsReconnect as exc:
            failure = self._fail(FailureKind.RECONNECT, str(exc))
        except BandRetryable as exc:
            failure = self._fail(
                FailureKind.TEMPORARY,
                f"{exc} · 잠시 후 자동으로 다시 시도합니다 / will retry automatically",
            )
        except (BandRejected, BandMalformedResponse) as exc:
            await self._record_request_failure(exc)
            failure = self._fail(
                FailureKind.TEMPORARY,
                f"{exc} · 받은 내용을 오류 목록에 남겼고 잠시 후 다시 시도합니다 (hub sources errors) / "
                "recorded for staff, will retry",
            )
        if failure is not None:
            raise failure
        return tally.report()

    async def _record_request_failure(self, error: BandError) -> None:
        raw = error.raw if isinstance(error, BandMalformedResponse) else None
        letter = dead_letter(
            kind=DEAD_LETTER_KIND,
            origin=f"band {self.band_key} {error.endpoint or ''}".strip(),
            reason=redact(str(error), self.ctx.secret),
            payload=redact(raw, self.ctx.secret) if raw else "",
            organisation_id=self.ctx.organisation.id,
            source_id=self.ctx.source.id,
        )
        async with self.ctx.db.write() as session:
            session.add(letter)

    async def _pass(self, client: BandClient, cursor: BandCursor, tally: Tally) -> None:
        now = self.ctx.now
        full = cursor.needs_full_pass(now, every_syncs=self.reconcile_every)
        rule = StopRule(cursor.mark, full=full)
        seen: list[tuple[str, str]] = []
        listed: set[str] = set()
        progress: PassProgress | None = None
        # iter_posts is an async generator; close it when we stop early so its HTTP call state is dropped.
        pages = cast(
            AsyncGenerator[PostPage, None],
            client.iter_posts(self.band_key, locale=self.locale, limit=self.page_limit),
        )
        async with contextlib.aclosing(pages):
            async for page in pages:
                batch: list[tuple[BandPost, str]] = []
                stopped = False
                for post in page.posts:
                    fingerprint = post_fingerprint(post)
                    batch.append((post, fingerprint))
                    if rule.passed(post.post_key, fingerprint):
                        stopped = True
                        break
                seen.extend((post.post_key, fp) for post, fp in batch)
                listed.update(post.post_key for post, _ in batch)
                listed.update(k for k in (_post_key_of(e.raw) for e in page.invalid) if k)
                done = stopped or page.next_params is None
                chunks = [batch[i : i + CHUNK] for i in range(0, len(batch), CHUNK)] or [[]]
                for number, chunk in enumerate(chunks, start=1):
                    last_chunk = number == len(chunks)
                    async with _writer_turn(self.ctx.db), self.ctx.db.write() as session:
                        await self._ingest(session, chunk, page.invalid if number == 1 else (), tally)
                        if chunk:
                            progress = PassProgress(
                                started_at=progress.started_at if progress else now,
                                first=progress.first if progress else chunk[0][0].post_key,
                                last=chunk[-1][0].post_key,
                                count=(progress.count if progress else 0) + len(chunk),
                                full=full,
                            )
                        if done and last_chunk:
                            if full:
                                tally.withdrawn += await self._reconcile(session, listed)
                            cursor = cursor.completed(seen=seen[:MARK_SIZE], now=now, full=full)
                        elif progress is not None:
                            cursor = cursor.progressed(progress)
                        conn = await session.connection()
                        await conn.execute(
                            update(_source)
                            .where(_source.c.id == self.ctx.source.id)
                            .values(cursor=cursor.to_json())
                        )
                if done:
                    return

    async def _ingest(
        self,
        session: AsyncSession,
        batch: Sequence[tuple[BandPost, str]],
        invalid: Iterable[BandMalformedResponse],
        tally: Tally,
    ) -> None:
        for post, _ in batch:
            outcome = await ingest_band_post(
                session,
                self.ctx.organisation,
                post,
                review_non_staff=self.ctx.source.review_non_staff,
                source_id=self.ctx.source.id,
            )
            tally.count(outcome)
        for error in invalid:
            letter = unreadable_letter(
                error,
                band_key=self.band_key,
                organisation_id=self.ctx.organisation.id,
                source_id=self.ctx.source.id,
                origin="sync",
            )
            if await add_letter_once(session, letter):
                tally.dead_letters += 1

    async def _reconcile(self, session: AsyncSession, listed: set[str]) -> int:
        """Withdraw this band's stored posts that a complete listing no longer shows."""
        prefix = f"{self.band_key}:"
        stored = (
            await session.exec(
                select_model(FeedItemSource.external_id).where(
                    col(FeedItemSource.organisation_id) == self.ctx.organisation.id,
                    col(FeedItemSource.kind) == SourceKind.BAND.value,
                    col(FeedItemSource.external_id).startswith(prefix, autoescape=True),
                )
            )
        ).all()
        gone = sorted(key for key in stored if key.removeprefix(prefix) not in listed)
        if gone and not listed:
            # An empty listing for a band with posts is far likelier a BAND hiccup than a mass deletion.
            return 0
        for external_id in gone:
            await withdraw(
                session, self.ctx.organisation.id, SourceKind.BAND, external_id, reason=WITHDRAW_REASON
            )
        return len(gone)


DEFAULT_RETRY = RetryPolicy()


def make_band_syncer(*, retry: RetryPolicy = DEFAULT_RETRY, timeout: float = 20.0) -> Syncer:
    """A BAND syncer; tests pass a fast `retry` so injected faults do not wait seconds."""

    async def sync_band(ctx: SyncContext) -> SyncReport:
        return await BandSync(ctx, retry=retry, timeout=timeout).run()

    return sync_band


sync_band = make_band_syncer()
