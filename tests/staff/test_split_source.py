"""Splitting an automatic merge: a cross-post the pipeline joined to another organisation's item gets its
own item again, by a facilitator or by the staff of the organisation that posted it; the split survives
re-ingestion and `hub reprocess`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, select

from hub.app import create_app
from hub.db import Database
from hub.ingest.pipeline import Outcome, ingest_post, reprocess
from hub.models import AuditEntry, FeedItem
from hub.seeds import seed_places
from hub.services.item_relations import sources_by_item_ids
from org_connectors import RawPost, SourceKind
from schema.node import to_global_id
from tests.staff.support import make_world
from tests.support.factories import SEOUL
from tests.support.graph import settings_for
from tests.support.server import serve_asgi

_audit = AuditEntry.__table__  # type: ignore[attr-defined]

POSTED = datetime(2026, 11, 2, 10, 0, tzinfo=SEOUL)
YOUTH_POST = """[공지] 11월 북토크 「지리산의 사계」
일시: 2026. 11. 14.(토) 오후 2시~4시
장소: 남원시립도서관 3층 강의실
참가비 무료, 선착순 30명"""
# The culture centre's own talk at the same hour and place, which the matcher takes for a cross-post.
CULTURE_POST = """지리산의 사계 북토크 안내드려요~
11/14(토) 14:00 남원시립도서관 3층에서 합니다.
작가님과 이야기 나누는 자리입니다. 많이들 오세요!"""
CULTURE_EDITED = CULTURE_POST + "\n(문화도시센터 주최 · 작가와의 대화)"

SPLIT = """mutation($item: ID!, $org: String!, $kind: SourceKind!, $ext: String!) {
  splitSource(itemId: $item, source: {organisation: $org, kind: $kind, externalId: $ext}) {
    item { id title status organisation { slug } sources { kind externalId } }
    remaining { id sources { kind externalId } }
    errors { field code message }
  }
}"""
FEED = "{ feed(first: 10) { edges { node { id title organisation { slug } sources { externalId } } } } }"


def post(external_id: str, body: str, kind: SourceKind) -> RawPost:
    return RawPost(
        source_kind=kind, external_id=external_id, posted_at=POSTED, body=body, author_is_staff=True
    )


async def gql(
    http: httpx.AsyncClient, token: str | None, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body: dict[str, Any] = response.json()
    return body


def variables(item_id: int, org: str, kind: SourceKind, ext: str) -> dict[str, Any]:
    return {"item": to_global_id("FeedItem", item_id), "org": org, "kind": kind.value, "ext": ext}


async def source_ids(db: Database, item_id: int) -> list[str]:
    return sorted(ref.external_id for ref in (await sources_by_item_ids(db, [item_id])).get(item_id, []))


async def merged_pair(db: Database) -> tuple[Any, int]:
    await seed_places(db)
    world = await make_world(db)
    first = await ingest_post(db, world.youth, post("band-youth-1", YOUTH_POST, SourceKind.BAND))
    second = await ingest_post(db, world.culture, post("kakao-culture-1", CULTURE_POST, SourceKind.KAKAO))
    assert second.outcome is Outcome.MERGED and second.item_id == first.item_id
    assert first.item_id is not None
    return world, first.item_id


async def test_staff_split_their_cross_post_and_it_stays_split_through_reingestion_and_reprocess(
    db: Database, tmp_path: Path
) -> None:
    world, item_id = await merged_pair(db)
    assert await source_ids(db, item_id) == ["band-youth-1", "kakao-culture-1"]
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            args = variables(item_id, "namwon-culture", SourceKind.KAKAO, "kakao-culture-1")
            # The youth staff's item, but not their source: forbidden, like other organisations' changes.
            forbidden = await gql(http, world.tokens["youth_staff"], SPLIT, args)
            split = (await gql(http, world.tokens["culture_staff"], SPLIT, args))["data"]["splitSource"]
            before_reingest = (await gql(http, None, FEED, {}))["data"]["feed"]["edges"]

            # Both posts come again (one edited upstream), then everything is understood again.
            again_youth = await ingest_post(
                db, world.youth, post("band-youth-1", YOUTH_POST, SourceKind.BAND)
            )
            again_culture = await ingest_post(
                db, world.culture, post("kakao-culture-1", CULTURE_EDITED, SourceKind.KAKAO)
            )
            report = await reprocess(db, [world.youth, world.culture])
            after = (await gql(http, None, FEED, {}))["data"]["feed"]["edges"]

    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert split["errors"] == []
    new_item = split["item"]
    assert new_item["organisation"]["slug"] == "namwon-culture" and new_item["status"] == "PUBLISHED"
    assert new_item["sources"] == [{"kind": "KAKAO", "externalId": "kakao-culture-1"}]
    assert split["remaining"]["sources"] == [{"kind": "BAND", "externalId": "band-youth-1"}]
    assert len(before_reingest) == 2

    assert again_youth.outcome is Outcome.UNCHANGED and again_youth.item_id == item_id
    new_id = int(again_culture.item_id or 0)
    assert again_culture.outcome is Outcome.UPDATED and to_global_id("FeedItem", new_id) == new_item["id"]
    assert (report.posts, report.merged) == (2, 0)
    assert sorted(
        (edge["node"]["organisation"]["slug"], edge["node"]["sources"][0]["externalId"]) for edge in after
    ) == [
        ("namwon-culture", "kakao-culture-1"),
        ("namwon-youth", "band-youth-1"),
    ]
    assert all(len(edge["node"]["sources"]) == 1 for edge in after)
    async with db.read() as conn:
        audit = (
            (await conn.execute(select(_audit).where(_audit.c.action == "item.split_source")))
            .mappings()
            .all()
        )
    assert len(audit) == 1 and audit[0]["actor"] == "user:culture_staff@namwon.example"
    assert audit[0]["before"]["item"] == item_id and audit[0]["after"]["item"] == new_id
    assert audit[0]["before"]["match_score"] is not None


async def test_facilitators_split_any_automatic_merge_but_not_an_items_own_source(
    db: Database, tmp_path: Path
) -> None:
    world, item_id = await merged_pair(db)
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            facilitator = world.tokens["facilitator"]
            own = await gql(
                http, facilitator, SPLIT, variables(item_id, "namwon-youth", SourceKind.BAND, "band-youth-1")
            )
            unknown = await gql(
                http,
                facilitator,
                SPLIT,
                variables(item_id, "namwon-culture", SourceKind.KAKAO, "kakao-없는-글"),
            )
            anonymous = await gql(
                http, None, SPLIT, variables(item_id, "namwon-culture", SourceKind.KAKAO, "kakao-culture-1")
            )
            split = await gql(
                http,
                facilitator,
                SPLIT,
                variables(item_id, "namwon-culture", SourceKind.KAKAO, "kakao-culture-1"),
            )
            twice = await gql(
                http,
                facilitator,
                SPLIT,
                variables(item_id, "namwon-culture", SourceKind.KAKAO, "kakao-culture-1"),
            )

    [own_error] = own["data"]["splitSource"]["errors"]
    assert own_error["code"] == "INVALID" and "자동으로 합쳐진 출처가 아닙니다" in own_error["message"]
    [unknown_error] = unknown["data"]["splitSource"]["errors"]
    assert unknown_error["field"] == "source" and "이 항목의 출처가 아닙니다" in unknown_error["message"]
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert split["data"]["splitSource"]["errors"] == []
    assert split["data"]["splitSource"]["item"]["organisation"]["slug"] == "namwon-culture"
    assert twice["data"]["splitSource"]["errors"][0]["field"] == "source", "it is no longer on that item"


async def test_the_stored_split_keeps_the_post_apart_even_if_its_item_is_gone(
    db: Database, tmp_path: Path
) -> None:
    """The split is a stored decision, not only where the source row happens to point: if the post's item
    is deleted (its source rows go with it) and the post arrives again, matching still leaves it alone."""
    world, item_id = await merged_pair(db)
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            args = variables(item_id, "namwon-culture", SourceKind.KAKAO, "kakao-culture-1")
            split = (await gql(http, world.tokens["facilitator"], SPLIT, args))["data"]["splitSource"]
    assert split["errors"] == []
    async with db.write() as session:
        table = FeedItem.__table__  # type: ignore[attr-defined]
        await session.execute(delete(table).where(table.c.id != item_id))
    again = await ingest_post(db, world.culture, post("kakao-culture-1", CULTURE_EDITED, SourceKind.KAKAO))
    assert again.outcome is Outcome.CREATED and again.item_id != item_id
    assert await source_ids(db, item_id) == ["band-youth-1"]
