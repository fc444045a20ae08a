"""Seed the mentor pool and link its mentors to the sessions the hub's feed already announces."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from partner.store import HubItem, Store


@dataclass(frozen=True, slots=True)
class MentorSeed:
    name: str
    headline: str
    organisation_slug: str
    subjects: tuple[str, ...]
    keywords: tuple[str, ...]


# Names and what residents read about a mentor; no phone numbers or e-mail addresses: personal data stays out
MENTORS = (
    MentorSeed(
        "김해솔",
        "광한루원과 춘향 이야기를 20년째 들려주는 마을 역사 해설가",
        "chunhyang-education",
        ("지역사", "문화유산 해설"),
        ("역사", "광한루원"),
    ),
    MentorSeed(
        "박지윤",
        "청소년상담사 2급, 학부모 배움터에서 사춘기 자녀와의 대화법을 나눕니다",
        "chunhyang-education",
        ("청소년 상담", "부모 교육"),
        ("사춘기", "학부모"),
    ),
    MentorSeed(
        "이도현",
        "지리산 숲해설가, 아이들과 요천 생태 탐사를 합니다",
        "chunhyang-education",
        ("생태 교육", "숲 해설"),
        ("생태", "숲"),
    ),
    MentorSeed(
        "최민준",
        "남원에서 로컬 브랜드를 창업한 선배 창업가, 청년 창업 멘토링",
        "namwon-youth",
        ("창업", "로컬 브랜드"),
        ("창업",),
    ),
)

HUB_FEED = """query($orgs: [String!]) {
  feed(filter: {organisations: $orgs}, first: 100) { edges { node { id title organisation { slug } } } }
}"""


def seed(store: Store) -> int:
    """Add the demo mentors to an empty pool; returns how many were added (0 when already seeded)."""
    store.create()
    if store.mentors():
        return 0
    for mentor in MENTORS:
        store.add_mentor(
            mentor.name, mentor.headline, mentor.organisation_slug, mentor.subjects, mentor.keywords
        )
    return len(MENTORS)


def fetch_hub_items(hub_url: str, organisation_slugs: list[str], *, wait_s: float = 10.0) -> list[HubItem]:
    """The hub's feed items of these organisations, retrying for up to `wait_s` while the hub starts."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            response = httpx.post(
                hub_url, json={"query": HUB_FEED, "variables": {"orgs": organisation_slugs}}, timeout=5
            )
            body = response.json()
            break
        except (httpx.HTTPError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    if body.get("errors") or not body.get("data"):
        raise RuntimeError(f"허브가 피드를 주지 않았습니다 / the hub returned no feed: {str(body)[:300]}")
    return [
        HubItem(
            id=edge["node"]["id"],
            title=edge["node"]["title"],
            organisation_slug=edge["node"]["organisation"]["slug"],
        )
        for edge in body["data"]["feed"]["edges"]
    ]


def link_from_hub(store: Store, hub_url: str, *, wait_s: float = 10.0) -> int:
    """Link mentors to the hub's items by their keywords; returns the number of new links."""
    slugs = sorted({mentor.organisation_slug for mentor in store.mentors()})
    return store.link_sessions(fetch_hub_items(hub_url, slugs, wait_s=wait_s))
