"""A gateway's `_entities` batch costs a constant number of SQL statements, however many representations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.db import Database
from hub.seeds import seed_demo
from tests.support.factories import SEOUL
from tests.support.graph import GraphClient, count_statements, graph_client

MAX_STATEMENTS = 9  # with the category taxonomy, read once and kept (hub.services.item_relations)
ENTITIES = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on FeedItem { title organisation { name } area { slug } place { name } categories { name } }
    ... on Organisation { slug name area { name } }
    ... on Area { slug name }
    ... on Place { name address }
  }
}
"""


async def _representations(graph: GraphClient) -> list[dict[str, Any]]:
    """Every public entity of the demo, as a gateway would send them: items, organisations, areas, places."""
    data = await graph.data(
        """{ feed(first: 100) { edges { node { id place { id } } } }
             organisations(first: 100) { edges { node { slug } } }
             areas { slug } }"""
    )
    items = [edge["node"] for edge in data["feed"]["edges"]]
    reps: list[dict[str, Any]] = [{"__typename": "FeedItem", "id": item["id"]} for item in items]
    reps += [
        {"__typename": "Organisation", "slug": e["node"]["slug"]} for e in data["organisations"]["edges"]
    ]
    reps += [{"__typename": "Area", "slug": area["slug"]} for area in data["areas"]]
    place_ids = {item["place"]["id"] for item in items if item["place"]}
    reps += [{"__typename": "Place", "id": place_id} for place_id in sorted(place_ids)]
    return reps


async def _entities_costs(
    graph: GraphClient, db: Database, reps: list[dict[str, Any]]
) -> tuple[int, list[Any]]:
    with count_statements(db) as counter:
        data = await graph.data(ENTITIES, {"r": reps})
    return counter.count, data["_entities"]


async def test_a_hundred_mixed_representations_cost_a_constant_number_of_statements(
    db: Database, tmp_path: Path
) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        distinct = await _representations(graph)
        kinds = {rep["__typename"] for rep in distinct}
        assert kinds == {"FeedItem", "Organisation", "Area", "Place"}
        # A hundred, as a gateway sends them: mixed types, repeats, and one key that no longer exists.
        batch = [*distinct, {"__typename": "Organisation", "slug": "폐업한-기관"}]
        while len(batch) < 100:
            batch.append(distinct[len(batch) % len(distinct)])
        one_of_each = [next(rep for rep in distinct if rep["__typename"] == kind) for kind in sorted(kinds)]

        small_cost, _ = await _entities_costs(graph, db, one_of_each)
        cost, entities = await _entities_costs(graph, db, batch)

    assert len(entities) == 100
    # At most one statement per loader and depth, whatever the batch size: first the entities themselves
    # (items, organisations by slug, areas by slug, places), then their relations (organisations by id,
    # areas by id, places, categories). A per-representation query would cost 100+.
    assert small_cost <= MAX_STATEMENTS, small_cost
    assert cost <= MAX_STATEMENTS, f"{cost} statements for 100 representations ({small_cost} for 4)"
    by_type = {entity["__typename"]: entity for entity in entities if entity}
    assert by_type["Area"]["name"] in {"공동체", "문화", "교육", "청년", "시민참여"}
    assert entities[len(distinct)] is None  # the unknown organisation
    titles = {entity["title"] for entity in entities if entity and entity["__typename"] == "FeedItem"}
    assert "토요 마을학교: 광한루원 역사 탐방" in titles
    education = next(e for e in entities if e and e.get("slug") == "chunhyang-education")
    assert education == {
        "__typename": "Organisation",
        "slug": "chunhyang-education",
        "name": "춘향골 교육공동체",
        "area": {"name": "교육"},
    }
