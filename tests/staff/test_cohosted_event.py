"""A co-hosted event (공동 주최 행사) with all its hosts in one call: one transaction, one audit entry,
clear errors for what a facilitator can fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from hub.app import create_app
from hub.db import Database
from hub.models import AuditEntry, FeedItem, FeedItemCoHost
from hub.services.organisations import add_organisation
from tests.staff.support import make_world
from tests.support.graph import settings_for
from tests.support.server import serve_asgi

_item = FeedItem.__table__  # type: ignore[attr-defined]
_cohost = FeedItemCoHost.__table__  # type: ignore[attr-defined]
_audit = AuditEntry.__table__  # type: ignore[attr-defined]

CREATE = """mutation($input: CoHostedEventInput!) {
  createCoHostedEvent(input: $input) {
    item { id title kind startsAt endsAt organisation { slug } coHosts { slug } sources { kind } }
    errors { field code message }
  }
}"""
EVENT = {
    "title": "2026 남원 청년·문화 송년 한마당",
    "startsAt": "2026-12-19T15:00:00+09:00",
    "endsAt": "2026-12-19T18:00:00+09:00",
    "place": "남원시립도서관",
    "body": "청년네트워크와 문화도시센터가 함께 여는 송년 한마당입니다. 공연과 나눔 장터가 열립니다.",
}


async def gql(
    http: httpx.AsyncClient, token: str | None, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body: dict[str, Any] = response.json()
    return body


async def counts(db: Database) -> tuple[int, int, int]:
    async with db.read() as conn:
        return (
            int((await conn.execute(select(func.count()).select_from(_item))).scalar_one()),
            int((await conn.execute(select(func.count()).select_from(_cohost))).scalar_one()),
            int((await conn.execute(select(func.count()).select_from(_audit))).scalar_one()),
        )


async def test_a_facilitator_creates_a_cohosted_event_in_one_call(db: Database, tmp_path: Path) -> None:
    world = await make_world(db)
    await add_organisation(db, slug="chunhyang-education", name="춘향교육공동체", area_slug="education")
    audit_before = (await counts(db))[2]
    hosts = ["namwon-youth", "namwon-culture", "chunhyang-education", "namwon-culture"]
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            created = await gql(
                http, world.tokens["facilitator"], CREATE, {"input": {**EVENT, "hosts": hosts}}
            )
            feed = await gql(
                http,
                None,
                "{ feed(first: 10) { edges { node { title coHosts { slug } } } } }",
                {},
            )

    result = created["data"]["createCoHostedEvent"]
    assert result["errors"] == []
    item = result["item"]
    assert (item["title"], item["kind"]) == (EVENT["title"], "EVENT")
    assert (item["startsAt"], item["endsAt"]) == (EVENT["startsAt"], EVENT["endsAt"])
    assert item["organisation"]["slug"] == "namwon-youth", "the first host is the item's organisation"
    assert sorted(c["slug"] for c in item["coHosts"]) == ["chunhyang-education", "namwon-culture"]
    assert item["sources"] == [{"kind": "MANUAL"}]
    # Residents see one public event naming all its hosts.
    assert [
        (edge["node"]["title"], len(edge["node"]["coHosts"])) for edge in feed["data"]["feed"]["edges"]
    ] == [(EVENT["title"], 2)]
    async with db.read() as conn:
        audit = (await conn.execute(select(_audit).order_by(_audit.c.id))).mappings().all()
    new_entries = audit[audit_before:]
    assert [(row["action"], row["actor"]) for row in new_entries] == [
        ("item.cohosted_event", "user:facilitator@namwon.example")
    ]
    assert new_entries[0]["after"]["hosts"] == ["namwon-youth", "namwon-culture", "chunhyang-education"]


async def test_mistakes_get_clear_errors_and_change_nothing(db: Database, tmp_path: Path) -> None:
    world = await make_world(db)
    before = await counts(db)
    facilitator = world.tokens["facilitator"]
    cases = {
        "unknown": {**EVENT, "hosts": ["namwon-youth", "jirisan-hiking-club"]},
        "empty": {**EVENT, "hosts": []},
        "alone": {**EVENT, "hosts": ["namwon-youth"]},
        "backwards": {
            **EVENT,
            "hosts": ["namwon-youth", "namwon-culture"],
            "endsAt": "2026-12-19T13:00:00+09:00",
        },
        "category": {**EVENT, "hosts": ["namwon-youth", "namwon-culture"], "categories": ["없는-분류"]},
    }
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            errors = {
                name: (await gql(http, facilitator, CREATE, {"input": event}))["data"]["createCoHostedEvent"]
                for name, event in cases.items()
            }
            staff = await gql(
                http,
                world.tokens["youth_staff"],
                CREATE,
                {"input": {**EVENT, "hosts": ["namwon-youth", "namwon-culture"]}},
            )

    found = {name: (r["item"], [(e["field"], e["code"]) for e in r["errors"]]) for name, r in errors.items()}
    assert found == {
        "unknown": (None, [("hosts", "INVALID")]),
        "empty": (None, [("hosts", "INVALID")]),
        "alone": (None, [("hosts", "INVALID")]),
        "backwards": (None, [("endsAt", "INVALID")]),
        "category": (None, [("categories", "INVALID")]),
    }
    assert "jirisan-hiking-club" in errors["unknown"]["errors"][0]["message"]
    assert "두 곳 이상" in errors["empty"]["errors"][0]["message"]
    assert "끝나는 시간이 시작보다 빠릅니다" in errors["backwards"]["errors"][0]["message"]
    assert staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await counts(db) == before, "no item, co-host or audit entry from a refused call"
