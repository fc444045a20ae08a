"""Hub + partner subgraph + Hive Gateway on 127.0.0.1: queries cross subgraphs both ways through the gateway."""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.app import create_app
from hub.db import connect
from hub.seeds import seed_demo
from tests.federation.topology import gateway_command, partner_command, running
from tests.support import databases
from tests.support.factories import SEOUL
from tests.support.graph import settings_for
from tests.support.node_tools import ROOT, require_node_package
from tests.support.server import free_port, serve_asgi


@dataclass(frozen=True)
class Topology:
    hub: str
    partner: str
    gateway: str
    supergraph: Path
    hub_database: str

    def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(self.gateway, json={"query": query, "variables": variables or {}}, timeout=20)
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


async def _seed(url: str) -> None:
    db = connect(url)
    try:
        await seed_demo(db, SEOUL)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def topology(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    node = require_node_package("@graphql-hive/gateway")
    require_node_package("@apollo/composition")
    tmp = tmp_path_factory.mktemp("federation")
    url = databases.fresh_sqlite(sqlite_template, tmp)
    asyncio.run(_seed(url))
    with serve_asgi(create_app(settings_for(url, tmp))) as hub_base:
        hub = f"{hub_base}/graphql"
        partner_port, gateway_port = free_port(), free_port()
        partner = f"http://127.0.0.1:{partner_port}/graphql"
        with running(
            "partner",
            partner_command(partner_port, tmp / "partner.sqlite3", hub),
            ready_url=f"http://127.0.0.1:{partner_port}/healthz",
            logs=tmp,
        ):
            supergraph = tmp / "supergraph.graphql"
            composed = subprocess.run(
                [node, "tools/compose.mjs", f"hub={hub}", f"partner={partner}", "--out", str(supergraph)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert composed.returncode == 0, composed.stderr
            assert "hint:" not in composed.stderr, composed.stderr
            with running(
                "gateway",
                gateway_command(supergraph, gateway_port),
                ready_url=f"http://127.0.0.1:{gateway_port}/readiness",
                logs=tmp,
            ):
                yield Topology(hub, partner, f"http://127.0.0.1:{gateway_port}/graphql", supergraph, url)


def test_organisation_from_the_hub_carries_mentors_from_the_partner_and_their_sessions(
    topology: Topology,
) -> None:
    data = topology.query(
        """{ organisation(slug: "chunhyang-education") {
               name area { name }
               mentors { name subjects sessions { title startsAt organisation { slug } } } } }"""
    )
    organisation = data["organisation"]
    assert organisation["name"] == "춘향골 교육공동체"  # hub
    assert organisation["area"] == {"name": "교육"}  # hub
    mentors = {mentor["name"]: mentor for mentor in organisation["mentors"]}  # partner
    assert list(mentors) == ["김해솔", "박지윤", "이도현"]
    assert mentors["김해솔"]["subjects"] == ["지역사", "문화유산 해설"]
    (history,) = mentors["김해솔"]["sessions"]  # partner's reference, resolved by the hub
    assert history["title"] == "토요 마을학교: 광한루원 역사 탐방"
    assert history["startsAt"].endswith("+09:00")
    assert history["organisation"] == {"slug": "chunhyang-education"}
    assert [s["title"] for s in mentors["박지윤"]["sessions"]] == ["학부모 배움터 '사춘기 자녀와 대화하기'"]
    assert mentors["이도현"]["sessions"] == []  # no session of theirs in the feed


def test_partner_root_field_reaches_hub_organisations_and_items(topology: Topology) -> None:
    data = topology.query(
        """query($subject: String) { mentors(subject: $subject) {
               name headline organisation { name area { slug } } sessions { kind title } } }""",
        {"subject": "창업"},
    )
    assert data["mentors"] == [
        {
            "name": "최민준",
            "headline": "남원에서 로컬 브랜드를 창업한 선배 창업가, 청년 창업 멘토링",
            "organisation": {"name": "남원 청년모임", "area": {"slug": "youth"}},
            "sessions": [{"kind": "EVENT", "title": "남원 청년 창업 아이디어 경진대회 참가팀 모집"}],
        }
    ]


def test_hub_lists_join_partner_fields_per_entity(topology: Topology) -> None:
    data = topology.query("""{ organisations(first: 10) { edges { node { slug mentors { name } } } } }""")
    mentors = {
        edge["node"]["slug"]: [mentor["name"] for mentor in edge["node"]["mentors"]]
        for edge in data["organisations"]["edges"]
    }
    assert mentors["chunhyang-education"] == ["김해솔", "박지윤", "이도현"]
    assert mentors["namwon-youth"] == ["최민준"]
    assert mentors["namwon-city-hall"] == []
    assert len(mentors) == 6


def test_hub_errors_reach_clients_through_the_gateway_in_korean(topology: Topology) -> None:
    response = httpx.post(
        topology.gateway, json={"query": "{ feed(first: 1000) { edges { cursor } } }"}, timeout=20
    )
    (error,) = response.json()["errors"]
    assert error["message"].startswith("first는 1에서 100 사이여야 합니다")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def _ingest_session(url: str, n: int) -> str:
    from hub.services.organisations import organisations_by_slugs
    from tests.support.factories import ingest, post

    db = connect(url)
    try:
        education = (await organisations_by_slugs(db, ["chunhyang-education"]))["chunhyang-education"]
        title = f"마을학교 역사 탐방 특별회차 {n}"
        await ingest(db, education, post(900 + n, title=title, body="광한루원에서 만나요.", starts_in_days=9))
        return title
    finally:
        await db.dispose()


def test_subscription_receives_a_newly_ingested_item_through_the_gateway(topology: Topology) -> None:
    hub_sdl = httpx.post(topology.hub, json={"query": "{ _service { sdl } }"}, timeout=10).json()
    assert "feedItemPublished" in hub_sdl["data"]["_service"]["sdl"]
    received: queue.Queue[dict[str, Any]] = queue.Queue()
    subscription = """subscription { feedItemPublished(filter: {organisations: ["chunhyang-education"]}) {
        title organisation { name mentors { name } } } }"""

    def listen() -> None:
        # Client → gateway over SSE; gateway → hub over WebSocket (gateway/gateway.config.mjs).
        with httpx.stream(
            "POST",
            topology.gateway,
            json={"query": subscription},
            headers={"accept": "text/event-stream"},
            timeout=30,
        ) as response:
            for line in response.iter_lines():
                if line.startswith("data:") and line[5:].strip():
                    received.put(json.loads(line[5:]))
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    url = topology.hub_database
    titles: list[str] = []
    deadline = time.monotonic() + 20
    event = None
    while event is None and time.monotonic() < deadline:
        # The subscription may not have reached the hub yet: publish again until one arrives (bounded).
        time.sleep(0.5)
        titles.append(asyncio.run(_ingest_session(url, len(titles))))
        try:
            event = received.get(timeout=3)
        except queue.Empty:
            continue
    listener.join(timeout=5)
    assert event is not None, "no event through the gateway within 20 s"
    assert "data" in event, event
    item = event["data"]["feedItemPublished"]
    assert item["title"] in titles
    assert item["organisation"] == {
        "name": "춘향골 교육공동체",
        "mentors": [{"name": "김해솔"}, {"name": "박지윤"}, {"name": "이도현"}],  # joined from the partner
    }
