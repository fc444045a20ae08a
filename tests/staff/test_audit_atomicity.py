"""A staff action and its audit entry commit together: when the audit entry cannot be written, the change
is rolled back too. The failure is real, not mocked: the account is deleted while its session is still in
use, so the entry's `actor_user_id` breaks its foreign key."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from hub.auth.viewer import Viewer
from hub.db import Database
from hub.models import AuditEntry, Source, StaffUser
from hub.secrets import SecretBox
from hub.services import accounts, staff_sources
from hub.services.sources import SourceState, get_source
from hub.services.staff_sources import Connection, ConnectRequest
from tests.staff.support import World, make_world

_source = Source.__table__  # type: ignore[attr-defined]

BOX = SecretBox("audit-atomicity-secret-key-0123456789abcdef")
PUBLIC_URL = "http://127.0.0.1:8000"
BAND = ConnectRequest(
    kind=Connection.BAND, name="청년 밴드", band_key="AABnamwonYouth01", access_token="ZQAAAatomicity-token"
)
KAKAO = ConnectRequest(
    kind=Connection.KAKAO, bot_id="65f0b0ffee00000000000001", staff_names=("청년모임 운영진",)
)


async def audit_actions(db: Database) -> list[str]:
    table = AuditEntry.__table__  # type: ignore[attr-defined]
    async with db.read() as conn:
        return list((await conn.execute(select(table.c.action).order_by(table.c.id))).scalars())


async def source_count(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(_source))).scalar_one())


async def deleted_staff(db: Database, world: World) -> Viewer:
    """The youth staff member as their request saw them, after an admin deleted the account."""
    viewer = await accounts.authenticate(db, f"Bearer {world.tokens['youth_staff']}")
    assert viewer.is_authenticated
    async with db.write() as session:
        table = StaffUser.__table__  # type: ignore[attr-defined]
        await session.execute(delete(table).where(table.c.id == viewer.user_id))
    return viewer


async def test_source_changes_and_their_audit_entries_appear_together(db: Database) -> None:
    world = await make_world(db)
    viewer = await accounts.authenticate(db, f"Bearer {world.tokens['youth_staff']}")
    start = len(await audit_actions(db))
    band = await staff_sources.connect_source(db, BOX, viewer, world.youth, BAND, public_url=PUBLIC_URL)
    kakao = await staff_sources.connect_source(db, BOX, viewer, world.youth, KAKAO, public_url=PUBLIC_URL)
    paused = await staff_sources.pause_or_resume(db, viewer, band.source.id, pause=True)
    resumed = await staff_sources.pause_or_resume(db, viewer, kakao.source.id, pause=False)
    assert (await audit_actions(db))[start:] == [
        "source.connect",
        "source.connect",
        "source.pause",
        "source.resume",
    ]
    assert paused.state is SourceState.PAUSED
    # A pushed Kakao source is never scheduled for polling, also not after a resume.
    assert kakao.source.next_poll_at is None and resumed.next_poll_at is None


async def test_when_the_audit_entry_fails_the_source_change_is_rolled_back(db: Database) -> None:
    world = await make_world(db)
    owner = await accounts.authenticate(db, f"Bearer {world.tokens['youth_staff']}")
    band = await staff_sources.connect_source(db, BOX, owner, world.youth, BAND, public_url=PUBLIC_URL)
    actions, sources = await audit_actions(db), await source_count(db)
    ghost = await deleted_staff(db, world)

    with pytest.raises(IntegrityError):
        await staff_sources.pause_or_resume(db, ghost, band.source.id, pause=True)
    with pytest.raises(IntegrityError):
        await staff_sources.connect_source(db, BOX, ghost, world.youth, KAKAO, public_url=PUBLIC_URL)
    with pytest.raises(IntegrityError):
        await staff_sources.remove_source(db, ghost, band.source.id)

    assert (await get_source(db, band.source.id)).state is SourceState.OK, "not paused without its entry"
    assert await source_count(db) == sources, "no Kakao source without its entry, the band still there"
    assert await audit_actions(db) == actions
