"""Staff accounts, login sessions (access + refresh tokens) and organisation API keys.

Access tokens live 15 minutes, refresh tokens 14 days; refreshing rotates both, so a stolen refresh
token works once at most. Changing a password or disabling an account revokes every session.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from hub.auth import errors
from hub.auth.passwords import hash_password, needs_rehash, verify_password
from hub.auth.roles import ApiScope, Role
from hub.auth.tokens import TokenKind, display_prefix, kind_of, new_token, token_hash
from hub.auth.viewer import ALL_SCOPES, Viewer, ViewerKind
from hub.db import Database
from hub.errors import Conflict, InvalidInput, NotFound
from hub.models import ApiKey, StaffSession, StaffUser
from hub.services.areas import require_area
from hub.services.audit import record_action
from hub.services.organisations import organisations_by_slugs

_user = StaffUser.__table__  # type: ignore[attr-defined]
_session = StaffSession.__table__  # type: ignore[attr-defined]
_key = ApiKey.__table__  # type: ignore[attr-defined]

ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=14)
MAX_KEYS_PER_ORGANISATION = 20
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}$")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StaffUserRecord:
    id: int
    email: str
    name: str
    role: Role
    organisation_id: int | None
    area_id: int | None
    active: bool

    @classmethod
    def from_row(cls, row: StaffUser) -> StaffUserRecord:
        assert row.id is not None
        return cls(row.id, row.email, row.name, Role(row.role), row.organisation_id, row.area_id, row.active)


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    user: StaffUserRecord
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: int
    organisation_id: int
    name: str
    prefix: str
    scopes: tuple[ApiScope, ...]
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def from_row(cls, row: ApiKey) -> ApiKeyRecord:
        assert row.id is not None
        return cls(
            row.id,
            row.organisation_id,
            row.name,
            row.prefix,
            tuple(ApiScope(s) for s in row.scopes),
            row.created_by,
            row.created_at,
            row.revoked_at,
            row.last_used_at,
        )


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f"이메일 주소 형식이 아닙니다: {email[:80]} / Not an e-mail address")
    return email


async def add_user(
    db: Database,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    organisation_slug: str | None = None,
    area_slug: str | None = None,
) -> StaffUserRecord:
    """A staff account. ORG_STAFF needs an organisation, AREA_EDITOR an area; the others need neither."""
    email = normalise_email(email)
    if not name.strip():
        raise InvalidInput("이름이 비어 있습니다 / The name is empty")
    organisation_id = area_id = None
    if role is Role.ORG_STAFF:
        if not organisation_slug:
            raise InvalidInput("기관 담당자에게는 --org 가 필요합니다 / ORG_STAFF needs --org")
        org = (await organisations_by_slugs(db, [organisation_slug])).get(organisation_slug)
        if org is None:
            raise NotFound(f"알 수 없는 기관입니다: {organisation_slug} / Unknown organisation")
        organisation_id = org.id
    elif organisation_slug:
        raise InvalidInput("--org 는 ORG_STAFF 에만 씁니다 / --org is only for ORG_STAFF")
    if role is Role.AREA_EDITOR:
        if not area_slug:
            raise InvalidInput("영역 편집자에게는 --area 가 필요합니다 / AREA_EDITOR needs --area")
        area_id = (await require_area(db, area_slug)).id
    elif area_slug:
        raise InvalidInput("--area 는 AREA_EDITOR 에만 씁니다 / --area is only for AREA_EDITOR")
    password_hash = await asyncio.to_thread(hash_password, password)
    try:
        async with db.write() as session:
            user = StaffUser(
                email=email,
                name=name.strip(),
                password_hash=password_hash,
                role=role.value,
                organisation_id=organisation_id,
                area_id=area_id,
            )
            session.add(user)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"이미 있는 계정입니다: {email} / An account with this e-mail exists") from exc
    return StaffUserRecord.from_row(user)


async def list_users(db: Database) -> list[StaffUserRecord]:
    async with db.read() as conn:
        rows = (await conn.execute(select(_user).order_by(_user.c.id))).mappings().all()
    return [
        StaffUserRecord(
            r["id"], r["email"], r["name"], Role(r["role"]), r["organisation_id"], r["area_id"], r["active"]
        )
        for r in rows
    ]


async def set_password(db: Database, email: str, password: str, *, now: datetime | None = None) -> None:
    """A new password; every open session of the account ends."""
    password_hash = await asyncio.to_thread(hash_password, password)
    async with db.write() as session:
        user = (await session.exec(select(StaffUser).where(_user.c.email == normalise_email(email)))).scalar()  # type: ignore[call-overload]
        if user is None:
            raise NotFound(f"계정이 없습니다: {email} / No such account")
        user.password_hash = password_hash
        session.add(user)
        await session.execute(
            update(_session)
            .where(_session.c.user_id == user.id, _session.c.revoked_at.is_(None))
            .values(revoked_at=_now(now))
        )


async def _issue(db: Database, user: StaffUserRecord, now: datetime) -> tuple[IssuedTokens, StaffSession]:
    access, refresh = new_token(TokenKind.ACCESS), new_token(TokenKind.REFRESH)
    row = StaffSession(
        user_id=user.id,
        access_hash=token_hash(access),
        access_expires_at=now + ACCESS_TTL,
        refresh_hash=token_hash(refresh),
        refresh_expires_at=now + REFRESH_TTL,
    )
    return IssuedTokens(user, access, now + ACCESS_TTL, refresh, now + REFRESH_TTL), row


async def login(db: Database, email: str, password: str, *, now: datetime | None = None) -> IssuedTokens:
    """A new session. Unknown e-mail, wrong password and disabled account give the same answer."""
    now = _now(now)
    async with db.read() as conn:
        row = (
            (await conn.execute(select(_user).where(_user.c.email == email.strip().lower())))
            .mappings()
            .first()
        )
    stored = row["password_hash"] if row is not None else None
    if not await asyncio.to_thread(verify_password, stored, password) or row is None or not row["active"]:
        raise errors.InvalidCredentials()
    if stored is not None and needs_rehash(stored):
        async with db.write() as session:
            await session.execute(
                update(_user).where(_user.c.id == row["id"]).values(password_hash=hash_password(password))
            )
    user = StaffUserRecord(
        row["id"], row["email"], row["name"], Role(row["role"]), row["organisation_id"], row["area_id"], True
    )
    return await open_session(db, user, now=now)


async def open_session(db: Database, user: StaffUserRecord, *, now: datetime | None = None) -> IssuedTokens:
    """A new token pair for an account whose identity is already established."""
    issued, session_row = await _issue(db, user, _now(now))
    async with db.write() as session:
        session.add(session_row)
    return issued


async def refresh_session(db: Database, refresh_token: str, *, now: datetime | None = None) -> IssuedTokens:
    """Rotate both tokens of a session; the old pair stops working."""
    now = _now(now)
    if kind_of(refresh_token) is not TokenKind.REFRESH:
        raise errors.TokenInvalid()
    async with db.write() as session:
        row = (
            await session.exec(  # type: ignore[call-overload]
                select(StaffSession).where(_session.c.refresh_hash == token_hash(refresh_token))
            )
        ).scalar()
        if row is None:
            raise errors.TokenInvalid()
        if row.revoked_at is not None:
            raise errors.TokenRevoked()
        if row.refresh_expires_at <= now:
            raise errors.TokenExpired(
                "갱신 토큰이 만료되었습니다. 다시 로그인하세요 / The refresh token has expired; log in again"
            )
        user_row = await session.get(StaffUser, row.user_id)
        if user_row is None or not user_row.active:
            raise errors.TokenRevoked()
        user = StaffUserRecord.from_row(user_row)
        access, refresh = new_token(TokenKind.ACCESS), new_token(TokenKind.REFRESH)
        row.access_hash, row.access_expires_at = token_hash(access), now + ACCESS_TTL
        row.refresh_hash, row.refresh_expires_at = token_hash(refresh), now + REFRESH_TTL
        session.add(row)
    return IssuedTokens(user, access, now + ACCESS_TTL, refresh, now + REFRESH_TTL)


async def logout(db: Database, session_id: int, *, now: datetime | None = None) -> None:
    async with db.write() as session:
        await session.execute(
            update(_session)
            .where(_session.c.id == session_id, _session.c.revoked_at.is_(None))
            .values(revoked_at=_now(now))
        )


async def authenticate(db: Database, authorization: str | None, *, now: datetime | None = None) -> Viewer:
    """The viewer for an `Authorization: Bearer …` header. Unusable credentials give an anonymous viewer
    that carries the reason, so public fields still answer and protected ones say exactly what is wrong."""
    if not authorization:
        return Viewer.anonymous()
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        return Viewer.anonymous(errors.TokenInvalid())
    now = _now(now)
    kind = kind_of(credential)
    if kind is TokenKind.ACCESS:
        return await _viewer_for_access(db, credential, now)
    if kind is TokenKind.API_KEY:
        return await _viewer_for_key(db, credential, now)
    if kind is TokenKind.REFRESH:
        return Viewer.anonymous(
            errors.TokenInvalid(
                "갱신 토큰은 refreshToken 에만 씁니다 / A refresh token only works with refreshToken"
            )
        )
    return Viewer.anonymous(errors.TokenInvalid())


async def _viewer_for_access(db: Database, token: str, now: datetime) -> Viewer:
    statement = (
        select(_session.c.id.label("session_id"), _session.c.access_expires_at, _session.c.revoked_at, _user)
        .join(_user, _user.c.id == _session.c.user_id)
        .where(_session.c.access_hash == token_hash(token))
    )
    async with db.read() as conn:
        row = (await conn.execute(statement)).mappings().first()
    if row is None:
        return Viewer.anonymous(errors.TokenInvalid())
    if row["revoked_at"] is not None or not row["active"]:
        return Viewer.anonymous(errors.TokenRevoked())
    if row["access_expires_at"] <= now:
        return Viewer.anonymous(errors.TokenExpired())
    return Viewer(
        kind=ViewerKind.STAFF,
        label=f"user:{row['email']}",
        user_id=row["id"],
        session_id=row["session_id"],
        role=Role(row["role"]),
        organisation_id=row["organisation_id"],
        area_id=row["area_id"],
        scopes=ALL_SCOPES,
    )


async def _viewer_for_key(db: Database, key: str, now: datetime) -> Viewer:
    async with db.read() as conn:
        row = (await conn.execute(select(_key).where(_key.c.key_hash == token_hash(key)))).mappings().first()
    if row is None:
        return Viewer.anonymous(errors.TokenInvalid("알 수 없는 API 키입니다 / Unknown API key"))
    if row["revoked_at"] is not None:
        return Viewer.anonymous(errors.ApiKeyRevoked())
    last_used = row["last_used_at"]
    if last_used is None or now - last_used > timedelta(minutes=5):
        # Coarse on purpose: one write per key per five minutes, not one per request.
        async with db.write() as session:
            await session.execute(update(_key).where(_key.c.id == row["id"]).values(last_used_at=now))
    return Viewer(
        kind=ViewerKind.API_KEY,
        label=f"api-key:{row['prefix']}",
        api_key_id=row["id"],
        role=Role.ORG_STAFF,
        organisation_id=row["organisation_id"],
        scopes=frozenset(ApiScope(s) for s in row["scopes"]),
    )


async def create_api_key(
    db: Database, viewer: Viewer, *, organisation_id: int, name: str, scopes: frozenset[ApiScope]
) -> tuple[ApiKeyRecord, str]:
    """A new key; the plain key is returned this once and never stored."""
    if not name.strip() or len(name) > 100:
        raise InvalidInput("키 이름은 1~100자입니다 / A key name has 1 to 100 characters")
    if not scopes:
        raise InvalidInput("권한(scope)을 하나 이상 고르세요 / Choose at least one scope")
    plain = new_token(TokenKind.API_KEY)
    async with db.write() as session:
        active = (
            await session.execute(
                select(_key.c.id).where(
                    _key.c.organisation_id == organisation_id, _key.c.revoked_at.is_(None)
                )
            )
        ).all()
        if len(active) >= MAX_KEYS_PER_ORGANISATION:
            raise InvalidInput(
                f"기관당 API 키는 {MAX_KEYS_PER_ORGANISATION}개까지입니다 / "
                f"at most {MAX_KEYS_PER_ORGANISATION} active keys per organisation"
            )
        row = ApiKey(
            organisation_id=organisation_id,
            name=name.strip(),
            prefix=display_prefix(plain),
            key_hash=token_hash(plain),
            scopes=sorted(s.value for s in scopes),
            created_by=viewer.label,
        )
        session.add(row)
        await session.flush()
        record_action(
            session,
            viewer,
            "api_key.create",
            f"ApiKey:{row.id}",
            organisation_id=organisation_id,
            after={"name": row.name, "prefix": row.prefix, "scopes": row.scopes},
        )
    return ApiKeyRecord.from_row(row), plain


async def get_api_key(db: Database, key_id: int) -> ApiKeyRecord | None:
    async with db.read() as conn:
        row = (await conn.execute(select(_key).where(_key.c.id == key_id))).mappings().first()
    return ApiKeyRecord.from_row(ApiKey(**row)) if row else None


async def revoke_api_key(
    db: Database, viewer: Viewer, key_id: int, *, now: datetime | None = None
) -> ApiKeyRecord:
    async with db.write() as session:
        row = await session.get(ApiKey, key_id)
        if row is None:
            raise NotFound("API 키를 찾을 수 없습니다 / No such API key")
        if row.revoked_at is None:
            row.revoked_at = _now(now)
            session.add(row)
            record_action(
                session,
                viewer,
                "api_key.revoke",
                f"ApiKey:{row.id}",
                organisation_id=row.organisation_id,
                before={"revoked": False},
                after={"revoked": True},
            )
        return ApiKeyRecord.from_row(row)


async def list_api_keys(db: Database, organisation_id: int) -> list[ApiKeyRecord]:
    statement = select(_key).where(_key.c.organisation_id == organisation_id).order_by(_key.c.id)
    async with db.read() as conn:
        rows = (await conn.execute(statement)).mappings().all()
    return [ApiKeyRecord.from_row(ApiKey(**row)) for row in rows]


async def get_user(db: Database, user_id: int) -> StaffUserRecord | None:
    async with db.read() as conn:
        row = (await conn.execute(select(_user).where(_user.c.id == user_id))).mappings().first()
    return StaffUserRecord.from_row(StaffUser(**row)) if row else None
