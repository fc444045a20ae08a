"""Live updates: announce newly published items to subscribers, only once their transaction committed.

Writers call `mark_published(session, item_id)` inside their transaction. Session events then:
- on PostgreSQL, `pg_notify` the ids inside the same transaction (`before_commit`). PostgreSQL delivers
  a notification only if the transaction commits, to every process LISTENing — this one included — so
  a subscriber connected to one `hub serve` replica hears items ingested by another, or by the CLI;
- on SQLite (one embedded process), hand the ids to this process's broadcasters in `after_commit`.
A rolled-back transaction announces nothing.

A `Broadcaster` per database fans the ids out to subscriber queues; on PostgreSQL it holds one
LISTEN connection and reconnects when it drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hub.db import Database

logger = logging.getLogger("hub.broadcast")

CHANNEL = "hub_feed_published"
_PENDING = "hub.broadcast.published"
QUEUE_SIZE = 1000  # per subscriber; a subscriber that falls this far behind loses the oldest ids
NOTIFY_CHUNK = 500  # ids per notification (payloads must stay under 8,000 bytes)
RECONNECT_SECONDS = 1.0

_NOTIFY = text("SELECT pg_notify(:channel, :payload)")

_broadcasters: dict[str, Broadcaster] = {}


def _key(url: URL) -> str:
    # The driver differs between the async engine and the URL people configure; the database does not.
    return url.set(drivername="db").render_as_string(hide_password=False)


def mark_published(session: AsyncSession | Session, item_id: int) -> None:
    """Announce `item_id` to live subscribers once (and only if) the session's transaction commits."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(_PENDING, []).append(item_id)


def _bind_url(session: Session) -> URL:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    url: URL = engine.url
    return url


@event.listens_for(Session, "before_commit")
def _notify_in_transaction(session: Session) -> None:
    if not session.info.get(_PENDING) or session.get_bind().dialect.name != "postgresql":
        return
    ids: list[int] = session.info.pop(_PENDING)
    for start in range(0, len(ids), NOTIFY_CHUNK):
        payload = ",".join(str(i) for i in ids[start : start + NOTIFY_CHUNK])
        session.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})


@event.listens_for(Session, "after_commit")
def _deliver_locally(session: Session) -> None:
    ids: list[int] | None = session.info.pop(_PENDING, None)
    if not ids:
        return
    broadcaster = _broadcasters.get(_key(_bind_url(session)))
    if broadcaster is not None:
        broadcaster.deliver(ids)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


class Broadcaster:
    """Fan-out of published item ids to this process's subscribers."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queues: set[asyncio.Queue[list[int]]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        _broadcasters[_key(self.db.writer.url)] = self
        if not self.db.is_sqlite:
            self._listener = asyncio.create_task(self._listen_forever(), name="hub-broadcast-listen")
            # Wait briefly so a subscription made right after start-up does not miss the first item.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listening.wait(), timeout=5)

    async def stop(self) -> None:
        if _broadcasters.get(_key(self.db.writer.url)) is self:
            del _broadcasters[_key(self.db.writer.url)]
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    def deliver(self, ids: list[int]) -> None:
        """Thread-safe: queue `ids` for every subscriber."""
        if self._loop is None or self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._fan_out, list(ids))

    def _fan_out(self, ids: list[int]) -> None:
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(ids)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[list[int]]]:
        queue: asyncio.Queue[list[int]] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def _on_notification(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        ids = [int(part) for part in payload.split(",") if part.strip().isdigit()]
        if ids:
            self._fan_out(ids)

    async def _listen_forever(self) -> None:
        url = make_url(self.db.url)
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(
                    host=url.host,
                    port=url.port,
                    user=url.username,
                    password=url.password,
                    database=url.database,
                )
                await connection.add_listener(CHANNEL, self._on_notification)
                self._listening.set()
                while not connection.is_closed():
                    await asyncio.sleep(RECONNECT_SECONDS)
                    # A cheap round trip notices a dead server that never closed the socket.
                    await asyncio.wait_for(connection.execute("SELECT 1"), timeout=5)
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                logger.warning("LISTEN 연결 끊김, 다시 연결 / LISTEN lost, reconnecting: %s", exc)
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)


async def broadcaster_for(db: Database) -> Broadcaster:
    """This process's broadcaster for `db`, started on first use (the app starts it in its lifespan)."""
    found = _broadcasters.get(_key(db.writer.url))
    if found is None:
        found = Broadcaster(db)
        await found.start()
    return found
