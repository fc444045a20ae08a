"""What organisation staff do to their sources: list with state in words, connect, pause, resume, remove.

Secrets (BAND tokens, private calendar URLs, Kakao skill secrets) are write-only: they go to the sealing
services and never come back, not even into the audit log. Each change and its audit entry commit in one
transaction: a failure leaves neither.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.auth.policy import manages_organisation, require_organisation, require_scope
from hub.auth.roles import ApiScope
from hub.auth.viewer import Viewer
from hub.db import Database
from hub.errors import NotFound
from hub.models import DeadLetter, RawPost, Source
from hub.records import OrganisationRecord
from hub.secrets import SecretBox
from hub.services.audit import record_action
from hub.services.kakao_sources import add_kakao_source
from hub.services.sources import (
    SourceRecord,
    SourceState,
    add_source,
    get_source,
    list_sources,
    state_values,
)
from hub.services.staff_items import FieldError
from hub.sync.feeds import add_feed_source
from org_connectors import SourceKind

_source = Source.__table__  # type: ignore[attr-defined]
_raw = RawPost.__table__  # type: ignore[attr-defined]
_letter = DeadLetter.__table__  # type: ignore[attr-defined]

SOURCE_NOT_FOUND = "연결된 출처를 찾을 수 없습니다 / No such source"


class Connection(enum.StrEnum):
    BAND = "BAND"
    KAKAO = "KAKAO"
    RSS = "RSS"
    ICAL = "ICAL"


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    kind: Connection
    name: str | None = None
    url: str | None = None  # RSS / iCal address (a private one is sealed like a secret)
    band_key: str | None = None
    access_token: str | None = None  # BAND access token, write-only
    bot_id: str | None = None  # Kakao channel bot
    staff_names: tuple[str, ...] = ()  # Kakao staff whose messages are kept
    header_secret: bool = False  # Kakao: also require a secret header
    review_non_staff: bool = True


@dataclass(frozen=True, slots=True)
class Connected:
    source: SourceRecord
    # Generated once for Kakao: the skill URL (with its path secret) and the header secret.
    skill_url: str | None = None
    header_secret: str | None = None


async def source_for(db: Database, viewer: Viewer, source_id: int) -> SourceRecord:
    """Another organisation's source is "not found", exactly like a missing one."""
    require_scope(viewer, ApiScope.SOURCES)
    try:
        source = await get_source(db, source_id)
    except NotFound:
        raise NotFound(SOURCE_NOT_FOUND) from None
    if not manages_organisation(viewer, source.organisation_id):
        raise NotFound(SOURCE_NOT_FOUND)
    return source


async def organisation_sources(db: Database, viewer: Viewer, organisation_id: int) -> list[SourceRecord]:
    require_organisation(viewer, organisation_id, ApiScope.SOURCES)
    return await list_sources(db, organisation_id=organisation_id)


def _audit_view(source: SourceRecord) -> dict[str, object]:
    config = {k: v for k, v in source.config.items() if k not in {"staff_user_keys"}}
    return {"kind": source.kind.value, "name": source.name, "config": config, "has_secret": source.has_secret}


async def connect_source(
    db: Database,
    box: SecretBox,
    viewer: Viewer,
    organisation: OrganisationRecord,
    request: ConnectRequest,
    *,
    public_url: str,
) -> Connected:
    require_organisation(viewer, organisation.id, ApiScope.SOURCES)

    async def audit(session: AsyncSession, source: SourceRecord) -> None:
        record_action(
            session,
            viewer,
            "source.connect",
            f"Source:{source.id}",
            organisation_id=organisation.id,
            after=_audit_view(source),
        )

    if request.kind is Connection.BAND:
        band_key = (request.band_key or "").strip()
        if not band_key or any(ch.isspace() or ch in "/?&#" for ch in band_key):
            raise FieldError("bandKey", "밴드 키가 올바르지 않습니다 / Invalid band key")
        token = (request.access_token or "").strip()
        if not token:
            raise FieldError("accessToken", "밴드 접근 토큰이 필요합니다 / The BAND access token is required")
        connected = Connected(
            await add_source(
                db,
                box,
                organisation_slug=organisation.slug,
                kind=SourceKind.BAND,
                name=request.name or f"BAND {band_key}",
                config={"band_key": band_key},
                secret=token,
                review_non_staff=request.review_non_staff,
                also=audit,
            )
        )
    elif request.kind is Connection.KAKAO:
        made = await add_kakao_source(
            db,
            box,
            organisation_slug=organisation.slug,
            bot_id=request.bot_id or "",
            staff_names=request.staff_names,
            header_secret=request.header_secret,
            public_url=public_url,
            name=request.name,
            also=audit,
        )
        connected = Connected(made.source, made.skill_url, made.header_secret)
    else:
        if not request.url:
            raise FieldError("url", "주소가 필요합니다 / The address is required")
        connected = Connected(
            await add_feed_source(
                db,
                box,
                organisation_slug=organisation.slug,
                kind=SourceKind(request.kind.value),
                url=request.url,
                name=request.name,
                also=audit,
            )
        )
    return connected


async def pause_or_resume(db: Database, viewer: Viewer, source_id: int, *, pause: bool) -> SourceRecord:
    source = await source_for(db, viewer, source_id)
    state = SourceState.PAUSED if pause else SourceState.OK
    async with db.write() as session:
        # The state as this transaction sees it: the scheduler may have changed it since `source_for`.
        before = (await session.execute(select(_source.c.state).where(_source.c.id == source.id))).scalar()
        if before is None:
            raise NotFound(SOURCE_NOT_FOUND)
        values = state_values(state, pushed=source.kind is SourceKind.KAKAO)
        await session.execute(update(_source).where(_source.c.id == source.id).values(**values))
        record_action(
            session,
            viewer,
            "source.pause" if pause else "source.resume",
            f"Source:{source.id}",
            organisation_id=source.organisation_id,
            before={"state": before},
            after={"state": state.value},
        )
    return await get_source(db, source.id)


async def remove_source(db: Database, viewer: Viewer, source_id: int) -> SourceRecord:
    """Stop reading the source and forget its secret. Items it brought stay (withdraw them separately)."""
    source = await source_for(db, viewer, source_id)
    async with db.write() as session:
        await session.execute(update(_raw).where(_raw.c.source_id == source.id).values(source_id=None))
        await session.execute(update(_letter).where(_letter.c.source_id == source.id).values(source_id=None))
        await session.execute(delete(_source).where(_source.c.id == source.id))
        record_action(
            session,
            viewer,
            "source.remove",
            f"Source:{source.id}",
            organisation_id=source.organisation_id,
            before=_audit_view(source),
        )
    return source
