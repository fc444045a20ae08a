"""The in-process scheduler of `hub serve`: claims due sources by lease and runs their syncers.

One failing source never delays the others: each runs in its own task with a time limit, and its
failure only moves its own `next_poll_at` (see `hub.services.sources`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.db import Database
from hub.secrets import SecretBox
from hub.services.organisations import organisations_by_ids
from hub.services.sources import (
    FailureKind,
    SourceFailure,
    SourceRecord,
    SourceState,
    claim_due,
    open_secret,
    record_failure,
    record_success,
)
from hub.settings import Settings
from hub.sync import SyncContext, Syncer, SyncFailed, SyncReport
from org_connectors import SourceKind

logger = logging.getLogger("hub.scheduler")

INTERNAL_FAILURE = (
    "허브 내부 오류로 수집하지 못했습니다. 운영자에게 알려 주세요 / Internal error while syncing"
)
TIMEOUT_FAILURE = "수집이 제한 시간을 넘겼습니다. 잠시 후 다시 시도합니다 / Sync timed out; will retry"


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    source_id: int
    report: SyncReport | None
    failure: SourceFailure | None
    state: SourceState


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Scheduler:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        syncers: Mapping[SourceKind, Syncer],
        *,
        owner: str | None = None,
        tick_seconds: float = 5.0,
        concurrency: int = 4,
        sync_timeout: timedelta = timedelta(minutes=4),
    ) -> None:
        self.db = db
        self.settings = settings
        self.syncers = syncers
        self.owner = owner or process_owner()
        self.tick_seconds = tick_seconds
        self.sync_timeout = sync_timeout
        self._box = SecretBox(settings.resolved_secret_key())
        self._slots = asyncio.Semaphore(concurrency)

    async def run_once(self, now: datetime | None = None) -> list[SyncOutcome]:
        now = now or datetime.now(UTC)
        # The lease outlives the time limit, so a slow sync is never picked up twice.
        lease = self.sync_timeout + timedelta(minutes=1)
        claimed = await claim_due(self.db, owner=self.owner, now=now, limit=20, lease=lease)
        claimed = [s for s in claimed if s.kind in self.syncers]
        return list(await asyncio.gather(*(self._guarded(source) for source in claimed)))

    async def sync_now(self, source: SourceRecord) -> SyncOutcome:
        """Run one source's syncer at once (`hub sources sync`), recording the result like a poll."""
        return await self._guarded(source)

    async def _guarded(self, source: SourceRecord) -> SyncOutcome:
        async with self._slots:
            try:
                return await asyncio.wait_for(self._sync(source), self.sync_timeout.total_seconds())
            except TimeoutError:
                failure = SourceFailure(FailureKind.TEMPORARY, TIMEOUT_FAILURE)
            except SyncFailed as failed:
                failure = failed.failure
            except Exception:
                logger.exception("sync of source %s failed", source.id, extra={"source_id": source.id})
                failure = SourceFailure(FailureKind.TEMPORARY, INTERNAL_FAILURE)
            state = await record_failure(self.db, source, failure, now=datetime.now(UTC))
            logger.warning(
                "source %s: %s",
                source.id,
                failure.message,
                extra={"source_id": source.id, "state": state.value},
            )
            return SyncOutcome(source.id, None, failure, state)

    async def _sync(self, source: SourceRecord) -> SyncOutcome:
        syncer = self.syncers.get(source.kind)
        if syncer is None:
            raise SyncFailed(
                SourceFailure(
                    FailureKind.RECONNECT,
                    f"{source.kind.value} 출처는 주기적으로 수집하지 않습니다 / "
                    f"{source.kind.value} sources are not polled",
                )
            )
        organisation = (await organisations_by_ids(self.db, [source.organisation_id]))[source.organisation_id]
        secret = await open_secret(self.db, self._box, source)
        context = SyncContext(self.db, self.settings, source, organisation, secret, datetime.now(UTC))
        report = await syncer(context)
        await record_success(self.db, source, now=datetime.now(UTC))
        logger.info("source %s synced: %s", source.id, report, extra={"source_id": source.id})
        return SyncOutcome(source.id, report, None, SourceState.OK)

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the loop must outlive a database hiccup
                logger.exception("scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.tick_seconds)
