"""Sources: what an organisation connected, its state in words staff understand, and polling leases.

A source's breaker lives in its row: each failure pushes `next_poll_at` further out (capped exponential
backoff), a success resets it. Several hub processes share polling through leases: a claim sets
`lease_owner`/`lease_until` on due rows, with `FOR UPDATE SKIP LOCKED` on PostgreSQL and the single
`BEGIN IMMEDIATE` writer on SQLite, so two processes never poll one source at once.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.errors import InvalidInput, NotFound
from hub.models import Source
from hub.secrets import SecretBox
from hub.services.organisations import organisations_by_slugs
from org_connectors import SourceKind

_source = Source.__table__  # type: ignore[attr-defined]

MAX_BACKOFF = timedelta(hours=6)
JITTER = 0.2  # ±20 % so that sources added together do not poll together forever
MIN_POLL_SECONDS = 60


class SourceState(enum.StrEnum):
    OK = "ok"
    BACKING_OFF = "backing_off"  # temporary trouble; retried later by itself
    NEEDS_RECONNECT = "needs_reconnect"  # staff must reconnect (token revoked, band left, …)
    PAUSED = "paused"  # paused by staff until they resume it

    @property
    def korean(self) -> str:
        return {
            SourceState.OK: "정상",
            SourceState.BACKING_OFF: "일시적인 문제로 잠시 후 다시 시도합니다",
            SourceState.NEEDS_RECONNECT: "다시 연결해야 합니다",
            SourceState.PAUSED: "일시 중지됨",
        }[self]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A source as the rest of the hub sees it. The sealed secret stays out: use `open_secret`."""

    id: int
    organisation_id: int
    kind: SourceKind
    name: str
    config: Mapping[str, Any]
    state: SourceState
    last_error: str | None
    last_error_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    poll_interval_seconds: int
    next_poll_at: datetime | None
    cursor: Mapping[str, Any]
    review_non_staff: bool
    has_secret: bool

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> SourceRecord:
        return cls(
            id=row["id"],
            organisation_id=row["organisation_id"],
            kind=SourceKind(row["kind"]),
            name=row["name"],
            config=dict(row["config"] or {}),
            state=SourceState(row["state"]),
            last_error=row["last_error"],
            last_error_at=row["last_error_at"],
            last_success_at=row["last_success_at"],
            consecutive_failures=row["consecutive_failures"],
            poll_interval_seconds=row["poll_interval_seconds"],
            next_poll_at=row["next_poll_at"],
            cursor=dict(row["cursor"] or {}),
            review_non_staff=bool(row["review_non_staff"]),
            has_secret=row["secret"] is not None,
        )


# Work a caller adds to the transaction that changes a source (e.g. its audit entry).
InTransaction = Callable[[AsyncSession, SourceRecord], Awaitable[None]]


def secret_purpose(kind: SourceKind) -> str:
    return f"source:{kind.value}"


async def add_source(
    db: Database,
    box: SecretBox,
    *,
    organisation_slug: str,
    kind: SourceKind,
    name: str,
    config: Mapping[str, Any] | None = None,
    secret: str | None = None,
    poll_interval_seconds: int = 900,
    review_non_staff: bool = True,
    now: datetime | None = None,
    pushed: bool = False,
    also: InTransaction | None = None,
) -> SourceRecord:
    """Store a new source. `pushed` sources (Kakao skills) have no due time, so no scheduler leases them;
    `also` runs in the same transaction once the row exists (the staff audit entry), so both or neither
    are committed."""
    organisation = (await organisations_by_slugs(db, [organisation_slug])).get(organisation_slug)
    if organisation is None:
        raise NotFound(
            f"알 수 없는 기관입니다: {organisation_slug} / Unknown organisation: {organisation_slug}"
        )
    if poll_interval_seconds < MIN_POLL_SECONDS:
        raise InvalidInput(
            f"수집 간격은 {MIN_POLL_SECONDS}초 이상이어야 합니다 / "
            f"poll interval must be at least {MIN_POLL_SECONDS} s"
        )
    async with db.write() as session:
        source = Source(
            organisation_id=organisation.id,
            kind=kind.value,
            name=name,
            config=dict(config or {}),
            secret=box.seal(secret, organisation_id=organisation.id, purpose=secret_purpose(kind))
            if secret
            else None,
            poll_interval_seconds=poll_interval_seconds,
            review_non_staff=review_non_staff,
            next_poll_at=None if pushed else now or datetime.now(UTC),
        )
        session.add(source)
        await session.flush()
        assert source.id is not None
        source_id = source.id
        if also is not None:
            await also(session, SourceRecord.from_row(source.model_dump()))
    return await get_source(db, source_id)


async def get_source(db: Database, source_id: int) -> SourceRecord:
    async with db.read() as conn:
        row = (await conn.execute(select(_source).where(_source.c.id == source_id))).mappings().first()
    if row is None:
        raise NotFound(f"연결된 출처가 없습니다: {source_id} / No source {source_id}")
    return SourceRecord.from_row(row)


async def list_sources(db: Database, *, organisation_id: int | None = None) -> list[SourceRecord]:
    statement = select(_source).order_by(_source.c.id)
    if organisation_id is not None:
        statement = statement.where(_source.c.organisation_id == organisation_id)
    async with db.read() as conn:
        return [SourceRecord.from_row(row) for row in (await conn.execute(statement)).mappings()]


async def open_secret(db: Database, box: SecretBox, source: SourceRecord) -> str | None:
    async with db.read() as conn:
        sealed = (await conn.execute(select(_source.c.secret).where(_source.c.id == source.id))).scalar()
    if sealed is None:
        return None
    return box.open(sealed, organisation_id=source.organisation_id, purpose=secret_purpose(source.kind))


def state_values(state: SourceState, *, now: datetime | None = None, pushed: bool = False) -> dict[str, Any]:
    """The columns a pause or resume sets. Resuming polls soon (pushed sources are never polled) and
    forgets the failure streak."""
    values: dict[str, Any] = {"state": state.value}
    if state is SourceState.OK:
        values |= {"consecutive_failures": 0, "next_poll_at": None if pushed else now or datetime.now(UTC)}
    return values


async def set_state(db: Database, source_id: int, state: SourceState, *, now: datetime | None = None) -> None:
    """Pause or resume by staff. Resuming polls soon and forgets the failure streak."""
    await _update(db, source_id, state_values(state, now=now))


def jittered(interval: timedelta, rng: random.Random | None = None) -> timedelta:
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return interval * factor


async def claim_due(
    db: Database, *, owner: str, now: datetime, limit: int = 10, lease: timedelta = timedelta(minutes=5)
) -> list[SourceRecord]:
    """Lease up to `limit` due sources to `owner`; no other process gets them until the lease ends."""
    due = (
        select(_source.c.id)
        .where(
            _source.c.state.in_([SourceState.OK.value, SourceState.BACKING_OFF.value]),
            _source.c.next_poll_at <= now,
            or_(_source.c.lease_until.is_(None), _source.c.lease_until < now),
        )
        .order_by(_source.c.next_poll_at)
        .limit(limit)
    )
    if not db.is_sqlite:
        due = due.with_for_update(skip_locked=True)
    async with db.write() as session:
        conn = await session.connection()
        ids = list((await conn.execute(due)).scalars())
        if not ids:
            return []
        await conn.execute(
            update(_source).where(_source.c.id.in_(ids)).values(lease_owner=owner, lease_until=now + lease)
        )
        rows = (await conn.execute(select(_source).where(_source.c.id.in_(ids)))).mappings().all()
    return [SourceRecord.from_row(row) for row in rows]


async def _update(db: Database, source_id: int, values: Mapping[str, Any]) -> None:
    async with db.write() as session:
        conn = await session.connection()
        await conn.execute(update(_source).where(_source.c.id == source_id).values(**values))


async def record_success(
    db: Database,
    source: SourceRecord,
    *,
    now: datetime,
    cursor: Mapping[str, Any] | None = None,
    rng: random.Random | None = None,
) -> None:
    values: dict[str, Any] = {
        "state": SourceState.OK.value,
        "consecutive_failures": 0,
        "last_success_at": now,
        "next_poll_at": now + jittered(timedelta(seconds=source.poll_interval_seconds), rng),
        "lease_owner": None,
        "lease_until": None,
    }
    if cursor is not None:
        values["cursor"] = dict(cursor)
    await _update(db, source.id, values)


class FailureKind(enum.StrEnum):
    TEMPORARY = "temporary"  # retry with backoff
    QUOTA = "quota"  # pause until `retry_at`
    RECONNECT = "reconnect"  # never retried until staff reconnect


@dataclass(frozen=True, slots=True)
class SourceFailure:
    kind: FailureKind
    message: str  # for staff: Korean first, no secrets
    retry_at: datetime | None = None


def backoff(source: SourceRecord, failures: int, rng: random.Random | None = None) -> timedelta:
    """Capped exponential backoff with full jitter, starting from the poll interval."""
    ceiling = min(timedelta(seconds=source.poll_interval_seconds) * (2 ** min(failures, 16)), MAX_BACKOFF)
    delay: timedelta = ceiling * (rng or random).random()
    return max(timedelta(seconds=MIN_POLL_SECONDS), delay)


async def record_failure(
    db: Database,
    source: SourceRecord,
    failure: SourceFailure,
    *,
    now: datetime,
    rng: random.Random | None = None,
) -> SourceState:
    failures = source.consecutive_failures + 1
    values: dict[str, Any] = {
        "consecutive_failures": failures,
        "last_error": failure.message[:2000],
        "last_error_at": now,
        "lease_owner": None,
        "lease_until": None,
    }
    if failure.kind is FailureKind.RECONNECT:
        state = SourceState.NEEDS_RECONNECT
        values["next_poll_at"] = None
    elif failure.kind is FailureKind.QUOTA:
        # Waiting for the quota window is a backoff with a known end, not a pause staff must lift.
        state = SourceState.BACKING_OFF
        values["next_poll_at"] = failure.retry_at or now + timedelta(hours=1)
    else:
        state = SourceState.BACKING_OFF
        values["next_poll_at"] = failure.retry_at or now + backoff(source, failures, rng)
    values["state"] = state.value
    await _update(db, source.id, values)
    return state
