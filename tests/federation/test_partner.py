"""The partner subgraph alone: its store, its links to hub items, its `_entities`, and its independence."""

from __future__ import annotations

from pathlib import Path

import httpx

from partner.app import create_app
from partner.seed import MENTORS, seed
from partner.store import HubItem, Store
from tests.support.node_tools import ROOT
from tests.support.server import serve_asgi
from tests.test_layering import imported_packages

HUB_ITEMS = [
    HubItem("RmVlZEl0ZW06Nw==", "토요 마을학교: 광한루원 역사 탐방", "chunhyang-education"),
    HubItem("RmVlZEl0ZW06OA==", "학부모 배움터 '사춘기 자녀와 대화하기'", "chunhyang-education"),
    HubItem("RmVlZEl0ZW06MTA=", "남원 청년 창업 아이디어 경진대회 참가팀 모집", "namwon-youth"),
    # Same keyword, another organisation: not this pool's mentor's session.
    HubItem("RmVlZEl0ZW06OTk=", "남원 역사 기행 (문화도시)", "namwon-culture-city"),
]


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "partner.sqlite3")
    assert seed(store) == len(MENTORS)
    assert seed(store) == 0  # already seeded: nothing added twice
    return store


def test_sessions_link_by_keyword_within_the_mentors_organisation(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.link_sessions(HUB_ITEMS) == 3
    assert store.link_sessions(HUB_ITEMS) == 0  # idempotent
    names = {mentor.id: mentor.name for mentor in store.mentors()}
    sessions = {names[mentor_id]: ids for mentor_id, ids in store.sessions_by_mentors(list(names)).items()}
    assert sessions == {
        "김해솔": ["RmVlZEl0ZW06Nw=="],
        "박지윤": ["RmVlZEl0ZW06OA=="],
        "이도현": [],
        "최민준": ["RmVlZEl0ZW06MTA="],
    }


def test_subgraph_resolves_organisations_by_key_with_their_mentors(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.link_sessions(HUB_ITEMS)
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Organisation { slug mentors { name subjects sessions { id } } } } }"""
    representations = [
        {"__typename": "Organisation", "slug": "chunhyang-education"},
        {"__typename": "Organisation", "slug": "namwon-city-hall"},
    ]
    with serve_asgi(create_app(store)) as base_url:
        body = httpx.post(
            f"{base_url}/graphql", json={"query": query, "variables": {"r": representations}}, timeout=10
        ).json()
        by_subject = httpx.post(
            f"{base_url}/graphql", json={"query": '{ mentors(subject: "창업") { name } }'}, timeout=10
        ).json()
    education, city_hall = body["data"]["_entities"]
    assert [mentor["name"] for mentor in education["mentors"]] == ["김해솔", "박지윤", "이도현"]
    assert education["mentors"][0]["sessions"] == [{"id": "RmVlZEl0ZW06Nw=="}]
    assert city_hall == {"slug": "namwon-city-hall", "mentors": []}
    assert by_subject["data"] == {"mentors": [{"name": "최민준"}]}


def test_partner_shares_keys_with_the_hub_never_code() -> None:
    for path in (ROOT / "partner").rglob("*.py"):
        assert not imported_packages(path) & {"hub", "schema", "org_connectors"}, path
    for package in ("hub", "schema", "org_connectors"):
        for path in (ROOT / package).rglob("*.py"):
            assert "partner" not in imported_packages(path), path
