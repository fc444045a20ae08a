"""A staff-aware GraphQL client and fixtures: organisations, accounts and tokens made by the real services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hub.app import create_app
from hub.auth.passwords import hash_password
from hub.auth.roles import ApiScope, Role
from hub.db import Database
from hub.models import StaffUser
from hub.records import OrganisationRecord
from hub.services import accounts
from hub.services.areas import list_areas
from hub.services.organisations import add_organisation
from tests.support.graph import settings_for

PASSWORD = "남원-연결-허브-2026!"


@dataclass
class StaffClient:
    http: httpx.AsyncClient
    token: str | None = None

    def as_(self, token: str | None) -> StaffClient:
        return StaffClient(self.http, token)

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.post(query, variables)
        assert "errors" not in body, body.get("errors")
        result: dict[str, Any] = body["data"]
        return result


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", "") for error in body.get("errors", [])]


@asynccontextmanager
async def staff_client(db: Database, tmp_path: Path, **overrides: Any) -> AsyncIterator[StaffClient]:
    app = create_app(settings_for(db.url, tmp_path, **overrides), db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as http:
        yield StaffClient(http)


@dataclass
class World:
    """Two organisations in two areas, and one account of each role."""

    youth: OrganisationRecord
    culture: OrganisationRecord
    tokens: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)


ACCOUNTS = {
    "admin": (Role.ADMIN, None, None),
    "facilitator": (Role.FACILITATOR, None, None),
    "youth_staff": (Role.ORG_STAFF, "namwon-youth", None),
    "culture_staff": (Role.ORG_STAFF, "namwon-culture", None),
    "youth_editor": (Role.AREA_EDITOR, None, "youth"),
}


_HASH: list[str] = []


def shared_hash() -> str:
    """One argon2id hash for every test account: hashing costs ~0.3 s here, and the matrix needs many."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


async def make_world(db: Database) -> World:
    youth = await add_organisation(db, slug="namwon-youth", name="남원청년네트워크", area_slug="youth")
    culture = await add_organisation(db, slug="namwon-culture", name="남원문화도시센터", area_slug="culture")
    world = World(youth, culture)
    orgs = {"namwon-youth": youth.id, "namwon-culture": culture.id}
    areas = {area.slug: area.id for area in await list_areas(db)}
    for name, (role, org, area) in ACCOUNTS.items():
        async with db.write() as session:
            row = StaffUser(
                email=f"{name}@namwon.example",
                name=name,
                password_hash=shared_hash(),
                role=role.value,
                organisation_id=orgs[org] if org else None,
                area_id=areas[area] if area else None,
            )
            session.add(row)
        issued = await accounts.open_session(db, accounts.StaffUserRecord.from_row(row))
        world.tokens[name] = issued.access_token
    admin = await accounts.authenticate(db, f"Bearer {world.tokens['admin']}")
    for org_record in (youth, culture):
        _, plain = await accounts.create_api_key(
            db, admin, organisation_id=org_record.id, name="홈페이지 연동", scopes=frozenset(ApiScope)
        )
        world.keys[org_record.slug] = plain
    return world
