"""The names front ends rely on (DESIGN.md) answer as documented, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from hub.db import Database
from hub.seeds import seed_demo
from tests.support.factories import SEOUL
from tests.support.graph import graph_client

GLANCE = """
{ areas { slug name }
  organisations(first: 10) { edges { node { slug name area { slug } } } } }
"""


async def test_seeded_areas_and_organisations_answer_the_readme_query(db: Database, tmp_path: Path) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        data = await graph.data(GLANCE)
    assert [a["slug"] for a in data["areas"]] == ["community", "culture", "education", "youth", "civic"]
    orgs = {e["node"]["slug"]: e["node"] for e in data["organisations"]["edges"]}
    assert orgs["namwon-youth"]["name"] == "남원 청년모임"
    assert orgs["namwon-youth"]["area"]["slug"] == "youth"
    assert orgs["namwon-city-hall"]["area"]["slug"] == "civic"
    assert len(orgs) == 6


async def test_organisations_page_by_cursor_and_by_area(db: Database, tmp_path: Path) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        first = await graph.data(
            "{ organisations(first: 4) { edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } }"
        )
        after = first["organisations"]["pageInfo"]["endCursor"]
        rest = await graph.data(
            "query($a: String) { organisations(first: 4, after: $a) { edges { node { slug } } pageInfo { hasNextPage } } }",
            {"a": after},
        )
        civic = await graph.data('{ organisations(area: "civic") { edges { node { slug } } } }')
        unknown = await graph.post('{ organisations(area: "sports") { edges { node { slug } } } }')
    assert first["organisations"]["pageInfo"]["hasNextPage"] is True
    assert len(rest["organisations"]["edges"]) == 2
    assert rest["organisations"]["pageInfo"]["hasNextPage"] is False
    seen = [e["node"]["slug"] for e in first["organisations"]["edges"] + rest["organisations"]["edges"]]
    assert len(set(seen)) == 6
    assert {e["node"]["slug"] for e in civic["organisations"]["edges"]} == {
        "namwon-small-change-forum",
        "namwon-city-hall",
    }
    assert "알 수 없는 관심 영역" in unknown["errors"][0]["message"]
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_node_resolves_every_entity_and_area_lists_its_organisations(
    db: Database, tmp_path: Path
) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        data = await graph.data(
            """{ area(slug: "civic") { id slug organisations { slug } }
                 organisation(slug: "namwon-youth") { id }
                 feed(first: 1) { edges { node { id title place { id name } } } } }"""
        )
        ids = {
            "Area": data["area"]["id"],
            "Organisation": data["organisation"]["id"],
            "FeedItem": data["feed"]["edges"][0]["node"]["id"],
        }
        nodes = await graph.data(
            """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
                 ... on Area { slug } ... on Organisation { slug } ... on FeedItem { title } } }""",
            {"ids": list(ids.values())},
        )
        missing = await graph.data('{ node(id: "RmVlZEl0ZW06OTk5OTk=") { id } }')
        garbage = await graph.post('{ node(id: "not base64!") { id } }')
    assert [n["__typename"] for n in nodes["nodes"]] == ["Area", "Organisation", "FeedItem"]
    assert nodes["nodes"][1]["slug"] == "namwon-youth"
    assert nodes["nodes"][2]["title"] == data["feed"]["edges"][0]["node"]["title"]
    assert {o["slug"] for o in data["area"]["organisations"]} == {
        "namwon-small-change-forum",
        "namwon-city-hall",
    }
    assert missing["node"] is None
    assert garbage["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unknown_slugs_are_null_not_errors(db: Database, tmp_path: Path) -> None:
    async with graph_client(db, tmp_path) as graph:
        data = await graph.data('{ area(slug: "nope") { slug } organisation(slug: "nope") { slug } }')
    assert data == {"area": None, "organisation": None}
