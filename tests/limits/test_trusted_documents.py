"""Trusted documents over GET: public caching with ETag/304, and a publication shows on the next request."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from hub.db import Database
from hub.limits.documents import TrustedDocuments, document_id
from hub.services.item_relations import forget_known
from schema.documents import DOCUMENTS_DIR
from tests.limits.support import hub_http, staff_token
from tests.support.factories import BASE, ingest, organisation, post
from tests.support.graph import count_statements

DOCUMENTS = TrustedDocuments.load(DOCUMENTS_DIR)
GLANCE = DOCUMENTS.by_name["glance"]


def glance_url(**variables: object) -> str:
    return "/graphql?" + httpx.QueryParams(documentId=GLANCE.id, variables=json.dumps(variables)).__str__()


def titles(response: httpx.Response) -> list[str]:
    return [edge["node"]["title"] for edge in response.json()["data"]["feed"]["edges"]]


def test_first_party_documents_are_registered_by_sha256() -> None:
    assert set(DOCUMENTS.by_name) >= {"glance", "calendar", "search", "organisation"}
    text = (DOCUMENTS_DIR / "glance.graphql").read_text(encoding="utf-8")
    assert GLANCE.id == document_id(text) and DOCUMENTS.lookup(GLANCE.id.removeprefix("sha256:")) is GLANCE


async def test_cached_until_a_publication_then_fresh(db: Database, tmp_path: Path) -> None:
    org = await organisation(db)
    await ingest(db, org, post(1, title="청년마루 금요 보드게임 밤"))
    async with hub_http(db, tmp_path) as http:
        first = await http.get(glance_url(first=5))
        assert first.status_code == 200 and titles(first) == ["청년마루 금요 보드게임 밤"]
        assert first.headers["cache-control"] == "public, max-age=15, stale-while-revalidate=60"
        etag = first.headers["etag"]
        with count_statements(db) as statements:
            again = await http.get(glance_url(first=5))
            revalidated = await http.get(glance_url(first=5), headers={"if-none-match": etag})
        assert statements.count == 0  # answered from the cache: no resolver, no SQL
        assert again.content == first.content and again.headers["etag"] == etag
        assert revalidated.status_code == 304 and revalidated.content == b""
        assert (await http.get(glance_url(first=6))).headers["etag"] != etag  # other variables, other entry

        await ingest(
            db, org, post(2, title="남원 청년 창업 경진대회 참가팀 모집", posted_at=BASE.replace(hour=18))
        )
        fresh = await http.get(glance_url(first=5), headers={"if-none-match": etag})
        assert fresh.status_code == 200
        assert titles(fresh) == ["남원 청년 창업 경진대회 참가팀 모집", "청년마루 금요 보드게임 밤"]
        assert fresh.headers["etag"] != etag


async def test_many_at_once_on_a_cold_cache_compute_the_page_once(db: Database, tmp_path: Path) -> None:
    org = await organisation(db)
    await ingest(db, org, post(1, title="청년마루 금요 보드게임 밤"))
    async with hub_http(db, tmp_path) as http:
        forget_known()  # both measurements start with no organisation, area or place records kept
        with count_statements(db) as one:
            await http.get(glance_url(first=3))
        forget_known()
        with count_statements(db) as together:
            answers = await asyncio.gather(*(http.get(glance_url(first=4)) for _ in range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.headers["etag"] for a in answers}) == 1
    assert titles(answers[0]) == ["청년마루 금요 보드게임 밤"]
    # Eight readers of a link shared in a chat room: one computation, the others wait for its entry.
    # On PostgreSQL the eight overlap (the page is read across awaits), so this fails without the single
    # flight; on SQLite the page is read on the event loop without yielding, so they cannot overlap and
    # the run only checks that the answers agree.
    assert 0 < together.count == one.count, together.statements


async def test_refusals_and_private_answers(db: Database, tmp_path: Path) -> None:
    token = await staff_token(db)
    async with hub_http(db, tmp_path) as http:
        unknown = await http.get("/graphql?documentId=sha256:" + "0" * 64)
        bad_variables = await http.get(
            "/graphql?" + str(httpx.QueryParams(documentId=GLANCE.id, variables="[1, 2]"))
        )
        staff = await http.get(glance_url(first=5), headers={"authorization": f"Bearer {token}"})
        failing = await http.get(glance_url(first=0))
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert bad_variables.status_code == 400 and "JSON" in bad_variables.json()["errors"][0]["message"]
    assert staff.status_code == 200 and staff.headers["cache-control"] == "private, no-store"
    assert "etag" not in staff.headers
    # Errors are never cached or marked public.
    assert failing.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert failing.headers["cache-control"] == "no-store"
