"""Sources: sealed secrets, leases that never hand one source to two pollers, and the per-source breaker."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from hub.db import Database
from hub.ingest.pipeline import Outcome, ingest_post
from hub.scheduler import Scheduler
from hub.secrets import SecretBox, SecretUnreadable
from hub.services.sources import (
    FailureKind,
    SourceFailure,
    SourceState,
    add_source,
    claim_due,
    get_source,
    open_secret,
    record_failure,
)
from hub.sync import SyncContext, SyncFailed, SyncReport
from org_connectors import SourceKind
from tests.support.factories import organisation, post
from tests.support.graph import settings_for

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
BOX = SecretBox("x" * 40)


def test_a_sealed_secret_opens_only_for_its_organisation_and_key() -> None:
    sealed = BOX.seal("band-token-123", organisation_id=1, purpose="source:BAND")
    assert "band-token-123" not in sealed
    assert BOX.open(sealed, organisation_id=1, purpose="source:BAND") == "band-token-123"
    with pytest.raises(SecretUnreadable):
        BOX.open(sealed, organisation_id=2, purpose="source:BAND")
    with pytest.raises(SecretUnreadable):
        SecretBox("y" * 40).open(sealed, organisation_id=1, purpose="source:BAND")


async def test_secrets_are_stored_sealed(db: Database) -> None:
    await organisation(db)
    source = await add_source(
        db,
        BOX,
        organisation_slug="namwon-youth",
        kind=SourceKind.BAND,
        name="청년 밴드",
        secret="tok-SECRET",
        now=NOW,
    )
    async with db.read() as conn:
        stored = (await conn.execute(text("SELECT secret FROM source"))).scalar_one()
    assert "tok-SECRET" not in stored and source.has_secret
    assert await open_secret(db, BOX, source) == "tok-SECRET"
    assert "tok-SECRET" not in repr(source)


async def test_two_pollers_never_claim_the_same_source(db: Database) -> None:
    await organisation(db)
    for n in range(6):
        await add_source(
            db, BOX, organisation_slug="namwon-youth", kind=SourceKind.RSS, name=f"feed {n}", now=NOW
        )
    first, second = await asyncio.gather(
        claim_due(db, owner="a", now=NOW, limit=4), claim_due(db, owner="b", now=NOW, limit=4)
    )
    ids_a, ids_b = {s.id for s in first}, {s.id for s in second}
    assert not ids_a & ids_b
    assert len(ids_a | ids_b) == 6
    # Leased sources are not handed out again until the lease ends.
    assert await claim_due(db, owner="c", now=NOW + timedelta(minutes=1)) == []
    assert len(await claim_due(db, owner="c", now=NOW + timedelta(minutes=6))) == 6


async def test_failures_back_off_and_reconnect_stops_polling(db: Database) -> None:
    await organisation(db)
    source = await add_source(
        db, BOX, organisation_slug="namwon-youth", kind=SourceKind.RSS, name="블로그", now=NOW
    )
    rng = random.Random(7)
    delays = []
    for _ in range(4):
        source = await get_source(db, source.id)
        state = await record_failure(
            db, source, SourceFailure(FailureKind.TEMPORARY, "서버 응답 없음"), now=NOW, rng=rng
        )
        assert state is SourceState.BACKING_OFF
        refreshed = await get_source(db, source.id)
        assert refreshed.next_poll_at is not None
        delays.append(refreshed.next_poll_at - NOW)
    assert all(timedelta(seconds=60) <= d <= timedelta(hours=6) for d in delays)
    assert (await get_source(db, source.id)).consecutive_failures == 4
    resume_at = NOW + timedelta(hours=3)
    await record_failure(
        db,
        await get_source(db, source.id),
        SourceFailure(FailureKind.QUOTA, "할당량 초과", resume_at),
        now=NOW,
    )
    assert (await get_source(db, source.id)).next_poll_at == resume_at
    await record_failure(
        db, await get_source(db, source.id), SourceFailure(FailureKind.RECONNECT, "토큰 만료"), now=NOW
    )
    gone = await get_source(db, source.id)
    assert gone.state is SourceState.NEEDS_RECONNECT and gone.last_error == "토큰 만료"
    assert await claim_due(db, owner="a", now=NOW + timedelta(days=30)) == []


async def test_one_failing_source_does_not_hold_up_the_others(db: Database, tmp_path: Path) -> None:
    await organisation(db)
    broken = await add_source(
        db, BOX, organisation_slug="namwon-youth", kind=SourceKind.RSS, name="깨진 피드", now=NOW
    )
    await add_source(db, BOX, organisation_slug="namwon-youth", kind=SourceKind.ICAL, name="달력", now=NOW)

    async def rss(ctx: SyncContext) -> SyncReport:
        raise SyncFailed(SourceFailure(FailureKind.TEMPORARY, "피드 서버가 503을 돌려줍니다"))

    async def ical(ctx: SyncContext) -> SyncReport:
        result = await ingest_post(ctx.db, ctx.organisation, post(1, kind=SourceKind.ICAL, title="달력 일정"))
        return SyncReport(created=int(result.outcome is Outcome.CREATED))

    settings = settings_for(db.url, tmp_path, secret_key="x" * 40)
    outcomes = await Scheduler(db, settings, {SourceKind.RSS: rss, SourceKind.ICAL: ical}).run_once(now=NOW)
    by_id = {o.source_id: o for o in outcomes}
    assert by_id[broken.id].state is SourceState.BACKING_OFF
    assert [o.report.created for o in outcomes if o.report] == [1]
    assert (await get_source(db, broken.id)).last_error == "피드 서버가 503을 돌려줍니다"
