"""The planned lane answers anonymous queries exactly as strawberry's whole way does, and only those.

Each request is sent twice over HTTP to the demo data: once as served and once with the lane declining
everything; status, content type, the body (data and `extensions.cost`) and the rate-limit headers must
be the same, and the lane's counter shows which requests it answered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson
import pytest

from hub.db import Database
from hub.seeds import seed_demo
from schema.documents import DOCUMENTS_DIR
from schema.planned_lane import PlannedLane, lane_runs
from tests.limits.support import hub_http, staff_token

SEOUL = ZoneInfo("Asia/Seoul")
GLANCE = (DOCUMENTS_DIR / "glance.graphql").read_text()
SEARCH = (DOCUMENTS_DIR / "search.graphql").read_text()
ORGANISATION = (DOCUMENTS_DIR / "organisation.graphql").read_text()
CALENDAR = (DOCUMENTS_DIR / "calendar.graphql").read_text()


async def _send(http: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await http.post(
        "/graphql", content=orjson.dumps(body), headers={"content-type": "application/json", **headers}
    )


def _comparable(response: httpx.Response) -> tuple[int, str, dict[str, Any], str | None]:
    body = response.json()
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return (
        response.status_code,
        response.headers["content-type"],
        body,
        response.headers.get("ratelimit-remaining"),
    )


async def _both(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: dict[str, Any], **headers: str
) -> tuple[tuple[Any, ...], tuple[Any, ...], int]:
    """The answer as served, then with the lane declining, each from a fresh app (fresh buckets)."""
    before = lane_runs["answered"]
    async with hub_http(db, tmp_path, rate_limit=5) as http:
        served = _comparable(await _send(http, body, **headers))
    answered = lane_runs["answered"] - before
    with monkeypatch.context() as patched:
        patched.setattr(PlannedLane, "admit", lambda *_args: None)
        async with hub_http(db, tmp_path, rate_limit=5) as http:
            usual = _comparable(await _send(http, body, **headers))
    return served, usual, answered


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (GLANCE, {"first": 20}),
        (GLANCE, {"first": 5, "orderBy": "UPCOMING", "filter": {"areas": ["culture", "youth"]}}),
        (SEARCH, {"text": "청년"}),
        (SEARCH, {"text": "공연", "orderBy": "NEWEST", "first": 3}),
        (ORGANISATION, {"slug": "namwon-culture-city"}),
        (CALENDAR, {"from": "2026-11-01", "to": "2026-12-31", "perDay": 3}),
    ],
)
async def test_the_lane_answers_like_the_whole_way(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str, variables: dict[str, Any]
) -> None:
    await seed_demo(db, SEOUL)
    served, usual, answered = await _both(db, tmp_path, monkeypatch, {"query": query, "variables": variables})
    assert served == usual
    assert answered == 1
    status, content_type, body, remaining = served
    assert content_type == "application/json"
    assert status == 200 and "errors" not in body and any(body["data"].values())
    assert body["extensions"]["cost"]["points"] >= 1 and remaining is not None and int(remaining) < 100


async def test_the_graphql_response_media_type_is_kept(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_demo(db, SEOUL)
    accept = {"accept": "application/graphql-response+json"}
    served, usual, answered = await _both(db, tmp_path, monkeypatch, {"query": GLANCE}, **accept)
    assert served == usual and answered == 1
    assert served[1].startswith("application/graphql-response+json")


@pytest.mark.parametrize(
    "body",
    [
        {
            "query": GLANCE,
            "variables": {"after": "not-a-cursor"},
        },  # a resolver error: located by graphql-core
        {"query": "{ feed(first: 500) { edges { node { title } } } }"},  # over the page size
        {"query": "{ feed { edges { node { titel } } } }"},  # invalid: suggestions and all
        {"query": "{ __schema { types { name } } }"},  # introspection: the deployment decides
        {"query": "mutation { logout { ok } }"},
        {"query": GLANCE, "variables": {"first": "many"}},  # variables that do not coerce
        {"query": GLANCE, "extensions": {"persistedQuery": {"version": 1}}},
    ],
)
async def test_anything_but_a_clean_answer_goes_the_whole_way(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: dict[str, Any]
) -> None:
    await seed_demo(db, SEOUL)
    served, usual, answered = await _both(db, tmp_path, monkeypatch, body)
    assert served == usual
    assert answered == 0


async def test_staff_requests_never_take_the_lane(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_demo(db, SEOUL)
    token = await staff_token(db)
    before = lane_runs["answered"]
    async with hub_http(db, tmp_path) as http:
        response = await _send(http, {"query": GLANCE}, authorization=f"Bearer {token}")
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.json()["extensions"]["cost"]["maxNodes"] == 10_000  # the staff ceiling: not the lane's
    assert lane_runs["answered"] == before
