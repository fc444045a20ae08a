"""The audit log: every staff action, who did it, and the values before and after."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.auth.viewer import Viewer
from hub.db import Database
from hub.models import AuditEntry

_audit = AuditEntry.__table__  # type: ignore[attr-defined]
MAX_ENTRIES = 200


def jsonable(value: Any) -> Any:
    """Datetimes as ISO text, enums as their value, tuples as lists: what a JSON column can hold."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def record_action(
    session: AsyncSession,
    viewer: Viewer,
    action: str,
    target: str,
    *,
    organisation_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Add an entry in the caller's transaction: the action and its record commit together.

    There is deliberately no variant that opens its own transaction: an audit entry written apart from
    its change could survive a change that rolled back, or be lost after one that committed."""
    session.add(
        AuditEntry(
            actor=viewer.label,
            actor_user_id=viewer.user_id,
            actor_api_key_id=viewer.api_key_id,
            organisation_id=organisation_id,
            action=action,
            target=target,
            before=jsonable(dict(before or {})),
            after=jsonable(dict(after or {})),
        )
    )


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    actor: str
    organisation_id: int | None
    action: str
    target: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    created_at: datetime


async def list_audit(
    db: Database,
    *,
    limit: int = 50,
    organisation_id: int | None = None,
    action: str | None = None,
    before_id: int | None = None,
) -> list[AuditRecord]:
    """Newest first; `before_id` continues from the last entry of the previous page."""
    statement = select(_audit).order_by(_audit.c.id.desc()).limit(max(1, min(limit, MAX_ENTRIES)))
    if organisation_id is not None:
        statement = statement.where(_audit.c.organisation_id == organisation_id)
    if action is not None:
        statement = statement.where(_audit.c.action == action)
    if before_id is not None:
        statement = statement.where(_audit.c.id < before_id)
    async with db.read() as conn:
        rows = (await conn.execute(statement)).mappings().all()
    return [
        AuditRecord(
            row["id"],
            row["actor"],
            row["organisation_id"],
            row["action"],
            row["target"],
            row["before"],
            row["after"],
            row["created_at"],
        )
        for row in rows
    ]
