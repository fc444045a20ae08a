"""The hub's `_service { sdl }` composes into a supergraph with npm @apollo/composition."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hub.app import create_app
from hub.db import Database
from tests.support.graph import settings_for
from tests.support.node_tools import ROOT, require_node_package
from tests.support.server import serve_asgi


async def _sdl_over_http(base_url: str) -> str:
    import httpx

    async with httpx.AsyncClient() as http:
        response = await http.post(f"{base_url}/graphql", json={"query": "{ _service { sdl } }"})
    sdl: str = response.json()["data"]["_service"]["sdl"]
    return sdl


def test_service_sdl_composes_with_apollo_composition(tmp_path: Path) -> None:
    node = require_node_package("@apollo/composition")
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.sqlite3'}"
    from hub.migrate import upgrade_sync

    upgrade_sync(url)
    app = create_app(settings_for(url, tmp_path))
    supergraph = tmp_path / "supergraph.graphql"
    with serve_asgi(app) as base_url:
        composed = subprocess.run(
            [node, "tools/compose.mjs", f"hub={base_url}/graphql", "--out", str(supergraph)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert composed.returncode == 0, composed.stderr
    text = supergraph.read_text()
    for entity, key in (("FeedItem", "id"), ("Organisation", "slug"), ("Area", "slug"), ("Place", "id")):
        assert (
            f'type {entity} implements Node\n  @join__implements(graph: HUB, interface: "Node")\n  @join__type(graph: HUB, key: "{key}")'
            in text
        ), entity


async def test_entities_resolve_by_key(db: Database, tmp_path: Path) -> None:
    from hub.seeds import seed_demo
    from tests.support.factories import SEOUL
    from tests.support.graph import graph_client

    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        item_id = (await graph.data("{ feed(first: 1) { edges { node { id } } } }"))["feed"]["edges"][0][
            "node"
        ]["id"]
        data = await graph.data(
            """query($r: [_Any!]!) { _entities(representations: $r) {
                 ... on Organisation { slug name } ... on Area { slug name } ... on FeedItem { title } } }""",
            {
                "r": [
                    {"__typename": "Organisation", "slug": "namwon-youth"},
                    {"__typename": "Area", "slug": "culture"},
                    {"__typename": "FeedItem", "id": item_id},
                    {"__typename": "Organisation", "slug": "does-not-exist"},
                ]
            },
        )
    entities = data["_entities"]
    assert entities[0] == {"slug": "namwon-youth", "name": "남원 청년모임"}
    assert entities[1] == {"slug": "culture", "name": "문화"}
    assert entities[2]["title"]
    assert entities[3] is None
