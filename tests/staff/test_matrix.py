"""The authorization matrix: role × operation × own/other organisation, on SQLite and PostgreSQL.

Outcomes: `ok`; `null` (nothing to see); a payload error code (NOT_FOUND looks exactly like a missing
item, so another organisation's hidden items do not exist for you); or a top-level error code
(UNAUTHENTICATED, FORBIDDEN). Denials run before the allowed calls, so state changes cannot hide them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.db import Database
from hub.secrets import SecretBox
from hub.services.sources import add_source
from org_connectors import SourceKind
from schema.node import to_global_id
from tests.staff.support import World, make_world, staff_client
from tests.support.factories import ingest, post

ACTORS = ["anonymous", "youth_key", "youth_staff", "culture_staff", "youth_editor", "facilitator", "admin"]

# operation → (query, variables builder, root field, {actor: outcome})
Op = tuple[str, str, dict[str, str]]


def outcome(body: dict[str, Any], field: str) -> str:
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    value = body["data"][field]
    if isinstance(value, dict) and value.get("errors"):
        return str(value["errors"][0]["code"])
    if value is None:
        return "null"
    if isinstance(value, list) and all("title" in v or "name" in v for v in value):
        return "ok:" + ",".join(sorted(str(v.get("title", v.get("name"))) for v in value))
    return "ok"


async def _setup(db: Database, tmp_path: Path) -> tuple[World, dict[str, str]]:
    world = await make_world(db)
    ids: dict[str, str] = {}
    for name, org, staff in (
        ("youth_pending", world.youth, False),
        ("youth_public", world.youth, True),
        ("culture_pending", world.culture, False),
        ("culture_public", world.culture, True),
    ):
        n = len(ids) + 1
        result = await ingest(db, org, post(n, kind=SourceKind.BAND, title=name, staff=staff))
        assert result.item_id is not None
        ids[name] = to_global_id("FeedItem", result.item_id)
    box = SecretBox("m" * 40)
    band = await add_source(
        db,
        box,
        organisation_slug="namwon-youth",
        kind=SourceKind.BAND,
        name="청년 밴드",
        config={"band_key": "AAB1"},
        secret="band-token-청년-비밀",
    )
    ids["youth_source"] = to_global_id("Source", band.id)
    return world, ids


ANNOUNCE = """mutation($org: String!) { postAnnouncement(input: {organisation: $org, title: "청년 공지",
  body: "다음 주 모임은 쉽니다."}) { item { id } errors { code } } }"""

MATRIX: dict[str, tuple[str, dict[str, str], str, dict[str, str]]] = {
    "review queue": (
        "{ reviewQueue { title } }",
        {},
        "reviewQueue",
        {
            "anonymous": "UNAUTHENTICATED",
            "youth_key": "ok:youth_pending",
            "youth_staff": "ok:youth_pending",
            "culture_staff": "ok:culture_pending",
            "youth_editor": "ok:youth_pending",
            "facilitator": "FORBIDDEN",
            "admin": "ok:culture_pending,youth_pending",
        },
    ),
    "other organisation's queue": (
        '{ reviewQueue(organisation: "namwon-youth") { title } }',
        {},
        "reviewQueue",
        {"culture_staff": "FORBIDDEN", "youth_staff": "ok:youth_pending", "admin": "ok:youth_pending"},
    ),
    "approve a pending item": (
        "mutation($id: ID!) { approveItem(id: $id) { item { status } errors { code } } }",
        {"id": "youth_pending"},
        "approveItem",
        {
            "anonymous": "UNAUTHENTICATED",
            "culture_staff": "NOT_FOUND",
            "facilitator": "NOT_FOUND",
            "youth_staff": "ok",
            "youth_editor": "ok",
            "youth_key": "ok",
            "admin": "ok",
        },
    ),
    "correct a public item": (
        'mutation($id: ID!) { correctItem(id: $id, input: {title: "고친 제목"}) { item { title } errors { code } } }',
        {"id": "culture_public"},
        "correctItem",
        {
            "anonymous": "UNAUTHENTICATED",
            "youth_key": "FORBIDDEN",
            "youth_staff": "FORBIDDEN",
            "youth_editor": "FORBIDDEN",
            "facilitator": "FORBIDDEN",
            "culture_staff": "ok",
            "admin": "ok",
        },
    ),
    "withdraw another organisation's pending item": (
        "mutation($id: ID!) { withdrawItem(id: $id) { item { status } errors { code } } }",
        {"id": "culture_pending"},
        "withdrawItem",
        {"youth_staff": "NOT_FOUND", "youth_key": "NOT_FOUND", "youth_editor": "NOT_FOUND"},
    ),
    "list sources": (
        '{ sources(organisation: "namwon-youth") { name hasSecret } }',
        {},
        "sources",
        {
            "anonymous": "UNAUTHENTICATED",
            "culture_staff": "FORBIDDEN",
            "youth_editor": "FORBIDDEN",
            "facilitator": "FORBIDDEN",
            "youth_key": "ok:청년 밴드",
            "youth_staff": "ok:청년 밴드",
            "admin": "ok:청년 밴드",
        },
    ),
    "pause a source": (
        "mutation($id: ID!) { pauseSource(id: $id) { source { state } errors { code } } }",
        {"id": "youth_source"},
        "pauseSource",
        {
            "anonymous": "UNAUTHENTICATED",
            "culture_staff": "NOT_FOUND",
            "youth_editor": "NOT_FOUND",
            "facilitator": "NOT_FOUND",
            "youth_staff": "ok",
            "youth_key": "ok",
        },
    ),
    "node(id) of a pending item": (
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": "culture_pending"},
        "node",
        {actor: "null" for actor in ACTORS},
    ),
    "staff view of a pending item": (
        "query($id: ID!) { staffItem(id: $id) { title } }",
        {"id": "culture_pending"},
        "staffItem",
        {
            "anonymous": "UNAUTHENTICATED",
            "youth_staff": "null",
            "youth_key": "null",
            "youth_editor": "null",
            "facilitator": "null",
            "culture_staff": "ok",
            "admin": "ok",
        },
    ),
    "post an announcement": (
        ANNOUNCE,
        {"org": "=namwon-youth"},
        "postAnnouncement",
        {
            "anonymous": "UNAUTHENTICATED",
            "culture_staff": "FORBIDDEN",
            "youth_editor": "FORBIDDEN",
            "facilitator": "FORBIDDEN",
            "youth_staff": "ok",
            "youth_key": "ok",
        },
    ),
    "read the audit log": (
        "{ auditLog { action } }",
        {},
        "auditLog",
        {
            "anonymous": "UNAUTHENTICATED",
            "youth_key": "FORBIDDEN",
            "youth_staff": "FORBIDDEN",
            "youth_editor": "FORBIDDEN",
            "facilitator": "ok",
            "admin": "ok",
        },
    ),
    "create a collection": (
        'mutation { createCollection(slug: "autumn", title: "가을 행사") { collection { slug } errors { code } } }',
        {},
        "createCollection",
        {
            "anonymous": "UNAUTHENTICATED",
            "youth_key": "FORBIDDEN",
            "youth_staff": "FORBIDDEN",
            "youth_editor": "FORBIDDEN",
            "facilitator": "ok",
        },
    ),
    "merge two items": (
        "mutation($a: ID!, $b: ID!) { mergeItems(keepId: $a, duplicateId: $b) { item { id } errors { code } } }",
        {"a": "youth_public", "b": "culture_public"},
        "mergeItems",
        {
            "anonymous": "UNAUTHENTICATED",
            "youth_staff": "FORBIDDEN",
            "culture_staff": "FORBIDDEN",
            "youth_key": "FORBIDDEN",
        },
    ),
    "feature an item in another area": (
        'mutation($id: ID!) { featureItem(area: "culture", id: $id) { item { id } errors { code } } }',
        {"id": "culture_public"},
        "featureItem",
        {"youth_editor": "FORBIDDEN", "youth_staff": "FORBIDDEN", "facilitator": "FORBIDDEN", "admin": "ok"},
    ),
}


def _credential(world: World, actor: str) -> str | None:
    if actor == "anonymous":
        return None
    if actor == "youth_key":
        return world.keys["namwon-youth"]
    return world.tokens[actor]


async def test_authorization_matrix(db: Database, tmp_path: Path) -> None:
    world, ids = await _setup(db, tmp_path)
    failures: list[str] = []
    async with staff_client(db, tmp_path) as client:
        for operation, (query, variables, field, expected) in MATRIX.items():
            resolved = {k: v[1:] if v.startswith("=") else ids[v] for k, v in variables.items()}
            # Denials first: an allowed call must not change what a denied one would see.
            for actor in sorted(expected, key=lambda a: expected[a].startswith("ok")):
                body = await client.as_(_credential(world, actor)).post(query, resolved)
                got = outcome(body, field)
                if got != expected[actor]:
                    failures.append(f"{operation} as {actor}: expected {expected[actor]}, got {got}")
                if actor == "culture_staff" and "errors" in body:
                    leaked = str(body["errors"])
                    assert "namwon-youth" not in leaked and "남원청년" not in leaked, leaked
    assert failures == []


async def test_secrets_never_leave_and_messages_name_no_other_organisation(
    db: Database, tmp_path: Path
) -> None:
    world, ids = await _setup(db, tmp_path)
    async with staff_client(db, tmp_path) as client:
        youth = client.as_(world.tokens["youth_staff"])
        listed = await youth.data(
            '{ sources(organisation: "namwon-youth") { name kind state stateText address hasSecret } }'
        )
        assert listed["sources"] == [
            {
                "name": "청년 밴드",
                "kind": "BAND",
                "state": "OK",
                "stateText": "정상",
                "address": "AAB1",
                "hasSecret": True,
            }
        ]
        everything = await client.as_(world.tokens["admin"]).data("{ auditLog { before after } } ")
        assert "band-token" not in str(listed) + str(everything)
        culture = client.as_(world.tokens["culture_staff"])
        hidden = await culture.data(
            "mutation($id: ID!) { approveItem(id: $id) { errors { field code message } } }",
            {"id": ids["youth_pending"]},
        )
        missing = await culture.data(
            "mutation($id: ID!) { approveItem(id: $id) { errors { field code message } } }",
            {"id": to_global_id("FeedItem", 99999)},
        )
        assert hidden == missing, "another organisation's hidden item looks exactly like a missing one"
