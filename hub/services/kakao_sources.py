"""Kakao Talk Channel chatbot sources: the skill URL secret, the bot id, and the registered staff.

A KAKAO source is pushed to, never polled: the Open Builder calls the skill URL
`{public_url}/hooks/kakao/{source_id}/{url_secret}`. Staff are recognised by their botUserKey, stored
only pseudonymised (`pseudonymous_user_key(bot_id, key)`), never as Kakao sent it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from hub.db import Database
from hub.errors import InvalidInput
from hub.models import Organisation, Source
from hub.records import OrganisationRecord
from hub.secrets import SecretBox
from hub.services.sources import InTransaction, SourceRecord, add_source, get_source, secret_purpose
from org_connectors import SourceKind
from org_connectors.kakao import pseudonymous_user_key

_source = Source.__table__  # type: ignore[attr-defined]
_organisation = Organisation.__table__  # type: ignore[attr-defined]
_PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")
_BOT_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
SECRET_HEADER = "x-hub-skill-secret"  # noqa: S105 - a header name, not a secret


@dataclass(frozen=True, slots=True)
class KakaoSkillConfig:
    """A KAKAO source's config as the skill endpoint reads it."""

    bot_id: str
    staff_names: tuple[str, ...]
    staff_user_keys: frozenset[str]  # pseudonymised botUserKeys
    header_secret: bool

    @classmethod
    def of(cls, source: SourceRecord) -> KakaoSkillConfig:
        config = source.config
        return cls(
            bot_id=str(config.get("bot_id", "")),
            staff_names=tuple(str(name) for name in config.get("staff_names", ())),
            staff_user_keys=frozenset(str(key) for key in config.get("staff_user_keys", ())),
            header_secret=bool(config.get("header_secret", False)),
        )

    def is_staff(self, user_id: str) -> bool:
        return pseudonymous_user_key(self.bot_id, user_id) in self.staff_user_keys


@dataclass(frozen=True, slots=True)
class SkillSecrets:
    url: str
    header: str | None

    def seal_text(self) -> str:
        return json.dumps({"url": self.url, "header": self.header})

    @classmethod
    def from_text(cls, text: str) -> SkillSecrets:
        data = json.loads(text)
        return cls(url=str(data["url"]), header=data.get("header"))


@dataclass(frozen=True, slots=True)
class NewKakaoSource:
    source: SourceRecord
    skill_url: str
    header_secret: str | None  # shown once, to paste into the Open Builder's skill headers


def skill_url(public_url: str, source_id: int, url_secret: str) -> str:
    return f"{public_url.rstrip('/')}/hooks/kakao/{source_id}/{url_secret}"


def staff_key(bot_id: str, key: str) -> str:
    """A registration key as staff give it: a raw botUserKey, or the code the chatbot showed them."""
    key = key.strip()
    if not key:
        raise InvalidInput("등록할 키가 비어 있습니다 / The key is empty")
    # The refusal message shows the already pseudonymised code; a raw botUserKey is pseudonymised here.
    return key if _PSEUDONYM.match(key) else pseudonymous_user_key(bot_id, key)


async def add_kakao_source(
    db: Database,
    box: SecretBox,
    *,
    organisation_slug: str,
    bot_id: str,
    staff_names: Sequence[str],
    staff_keys: Sequence[str] = (),
    header_secret: bool = False,
    public_url: str,
    name: str | None = None,
    also: InTransaction | None = None,
) -> NewKakaoSource:
    bot_id = bot_id.strip()
    if not _BOT_ID.match(bot_id):
        raise InvalidInput(f"봇 ID 형식이 올바르지 않습니다: {bot_id!r} / Malformed bot id: {bot_id!r}")
    names = [n.strip() for n in staff_names if n.strip()]
    if not names:
        raise InvalidInput(
            "담당자(--staff)를 한 명 이상 적어 주세요 / Name at least one staff member (--staff)"
        )
    keys = sorted({staff_key(bot_id, key) for key in staff_keys})
    sealed = SkillSecrets(
        url=secrets.token_urlsafe(32), header=secrets.token_urlsafe(32) if header_secret else None
    )
    source = await add_source(
        db,
        box,
        organisation_slug=organisation_slug,
        kind=SourceKind.KAKAO,
        name=name or f"카카오톡 채널 챗봇 {bot_id}",
        config={
            "bot_id": bot_id,
            "staff_names": names,
            "staff_user_keys": keys,
            "header_secret": header_secret,
        },
        secret=sealed.seal_text(),
        review_non_staff=True,
        pushed=True,  # no due time, so the scheduler never leases it
        also=also,
    )
    return NewKakaoSource(
        source=source,
        skill_url=skill_url(public_url, source.id, sealed.url),
        header_secret=sealed.header,
    )


async def kakao_source(db: Database, source_id: int) -> SourceRecord:
    source = await get_source(db, source_id)
    if source.kind is not SourceKind.KAKAO:
        raise InvalidInput(
            f"출처 {source_id}는 카카오 출처가 아닙니다 / Source {source_id} is not a Kakao source"
        )
    return source


@dataclass(frozen=True, slots=True)
class SkillTarget:
    """What one skill request needs to know about its source, read in one database round trip."""

    source: SourceRecord
    organisation: OrganisationRecord
    secrets: SkillSecrets | None


async def skill_target(db: Database, box: SecretBox, source_id: int) -> SkillTarget | None:
    """The Kakao source, its organisation and its opened secrets; None for an unknown or non-Kakao id.

    Raises `SecretUnreadable` when the sealed secret does not open (another key, another owner).
    """
    async with db.read() as conn:
        row = (await conn.execute(select(_source).where(_source.c.id == source_id))).mappings().first()
        if row is None or row["kind"] != SourceKind.KAKAO.value:
            return None
        org_row = (
            (await conn.execute(select(_organisation).where(_organisation.c.id == row["organisation_id"])))
            .mappings()
            .one()
        )
    source = SourceRecord.from_row(row)
    sealed = row["secret"]
    opened = (
        box.open(sealed, organisation_id=source.organisation_id, purpose=secret_purpose(SourceKind.KAKAO))
        if sealed is not None
        else None
    )
    return SkillTarget(
        source=source,
        organisation=OrganisationRecord.from_row(org_row),
        secrets=SkillSecrets.from_text(opened) if opened is not None else None,
    )


async def register_staff_key(db: Database, source_id: int, key: str) -> bool:
    """Add a staff member's botUserKey (or chatbot code). Returns False when it was registered already."""
    return await _edit_staff_keys(db, source_id, key, add=True)


async def remove_staff_key(db: Database, source_id: int, key: str) -> bool:
    """Forget a staff member (left the organisation). Returns False when the key was not registered."""
    return await _edit_staff_keys(db, source_id, key, add=False)


async def _edit_staff_keys(db: Database, source_id: int, key: str, *, add: bool) -> bool:
    await kakao_source(db, source_id)  # a clear error for an unknown or non-Kakao id
    async with db.write() as session:
        conn = await session.connection()
        # Read inside the write transaction (locked on PostgreSQL) so two registrations never lose one.
        statement = select(_source.c.config).where(_source.c.id == source_id)
        if not db.is_sqlite:
            statement = statement.with_for_update()
        config = dict((await conn.execute(statement)).scalar_one() or {})
        pseudonym = staff_key(str(config.get("bot_id", "")), key)
        keys = set(config.get("staff_user_keys", ()))
        if (pseudonym in keys) == add:
            return False
        config["staff_user_keys"] = sorted(keys | {pseudonym} if add else keys - {pseudonym})
        await conn.execute(update(_source).where(_source.c.id == source_id).values(config=config))
    return True
