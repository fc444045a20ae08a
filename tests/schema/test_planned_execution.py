"""The planned executor answers exactly what graphql-core answers, and hands over what it cannot plan.

Each document is sent twice over HTTP to the demo data: once as served (planned executor) and once with
strawberry's own execution context; the bodies must be equal byte for byte, and the run counters show
which path answered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.db import Database
from hub.seeds import seed_demo
from schema import schema
from schema.documents import DOCUMENTS_DIR
from schema.planned_execution import runs
from schema.planned_lane import PlannedLane
from tests.support.graph import GraphClient, graph_client

SEOUL = ZoneInfo("Asia/Seoul")
GLANCE = (DOCUMENTS_DIR / "glance.graphql").read_text()
CALENDAR = (DOCUMENTS_DIR / "calendar.graphql").read_text()

FRAGMENTS_AND_ALIASES = """
query Shaped($first: Int) {
  newest: feed(first: $first) { edges { node { ...Card when: startsAt } } pageInfo { hasNextPage } }
  upcoming: feed(first: 2, orderBy: UPCOMING) { edges { cursor node { __typename title } } }
  areas { slug name }
}
fragment Card on FeedItem {
  __typename id title kind status tags images isOnline
  organisation { ... on Organisation { slug area { slug nameEn } } }
  coHosts { slug }
  place { name lat lng verified }
  sources { kind externalId postedAt organisation { name } }
}
"""
NODE = 'query { node(id: "RmVlZEl0ZW06MQ==") { id ... on FeedItem { title } } }'
DIRECTIVES = (
    "query ($full: Boolean!) { feed(first: 3) { edges { node { title body @include(if: $full) } } } }"
)
TOO_MANY = "query { feed(first: 500) { edges { node { title } } } }"
BAD_CURSOR = 'query { feed(after: "not-a-cursor") { edges { node { title } } } }'
LOADER_LIST = "query { areas { slug organisations { slug area { slug } } } }"


@pytest.fixture(autouse=True)
def _without_the_lane(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests compare the executor with graphql-core through strawberry's whole way; the lane
    (which runs the same executor, tested in test_planned_lane.py) would count its runs twice."""
    monkeypatch.setattr(PlannedLane, "admit", lambda *_args: None)


async def _both(
    graph: GraphClient, query: str, variables: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, Any]]:
    planned = await graph.post(query, variables)
    with monkeypatch.context() as patched:
        patched.setattr(schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
        plain = await graph.post(query, variables)
    return _without_request_ids(planned), _without_request_ids(plain)


def _without_request_ids(body: dict[str, Any]) -> dict[str, Any]:
    """Each request has its own id; everything else must match."""
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


@pytest.mark.parametrize(
    ("query", "variables", "path"),
    [
        (GLANCE, {"first": 20}, "planned"),
        (GLANCE, {"first": 3, "orderBy": "UPCOMING"}, "planned"),
        (FRAGMENTS_AND_ALIASES, {"first": 4}, "planned"),
        (CALENDAR, {"from": "2026-11-01", "to": "2026-12-31", "perDay": 3}, "planned"),
        (NODE, {}, "graphql-core"),  # an interface: the type is known only at run time
        (DIRECTIVES, {"full": True}, "graphql-core"),
        (TOO_MANY, {}, "fallback"),  # a resolver error: graphql-core locates it
        (BAD_CURSOR, {}, "fallback"),
    ],
)
async def test_same_answer_as_graphql_core(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    variables: dict[str, Any],
    path: str,
) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        before = runs.copy()
        planned, plain = await _both(graph, query, variables, monkeypatch)
        taken = runs - before
    assert planned == plain
    assert taken[path] == 1, taken
    if path == "planned":
        assert "errors" not in planned
        assert any(planned["data"].values())  # the demo has data for each of these: a real comparison


async def test_a_document_that_needs_loaders_goes_to_graphql_core_from_then_on(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_demo(db, SEOUL)
    document = f"# {db.dialect}: plans are kept per document\n{LOADER_LIST}"
    async with graph_client(db, tmp_path) as graph:
        before = runs.copy()
        first, plain = await _both(graph, document, {}, monkeypatch)
        second = await graph.post(document)
        taken = runs - before
    assert first == plain == second
    assert sum(len(area["organisations"]) for area in first["data"]["areas"]) >= 6
    # Planned once, handed over (batched loads need graphql-core), then never planned again.
    assert taken == {"fallback": 1, "graphql-core": 1}
