"""Korean search: one tokenizer, the same ids on SQLite FTS5 and PostgreSQL GIN, ranked on request."""

from __future__ import annotations

import base64
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from hub.db import Database
from hub.errors import InvalidInput
from hub.search import TITLE_MARK, document_tokens, fts5_query, fts5_title_query, query_terms, tsquery
from hub.services import feed as feed_service
from hub.services.feed import FeedOrder, FeedQuery, feed_page
from tests.glance.corpus import load_corpus
from tests.support.graph import graph_client

SEARCH = """query($text: String!, $order: FeedOrder, $first: Int, $after: String) {
  feed(filter: {text: $text}, orderBy: $order, first: $first, after: $after) {
    edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }"""

# The fixed query set: both databases must return exactly these titles (newest first).
EXPECTED: dict[str, list[str]] = {
    "청년": [
        "문화도시 소식지 12월호",
        "인월 지리산 청년 트레킹",
        "12월 시민 원탁회의 참가자 모집",
        "남원 청년 창업 아이디어 경진대회 참가팀 모집",
        "청년마루 금요 보드게임 밤",
    ],
    "공연": [
        "문화도시 소식지 12월호",
        "지난 가을 광한루원 야간 공연 후기",
        "춘향문화예술회관 송년 국악 공연",
    ],
    "독서": ["시립도서관 어르신 독서 모임", "온라인 학부모 강의: Zoom으로 만나는 독서 교육"],
    "Zoom 강의": ["온라인 학부모 강의: Zoom으로 만나는 독서 교육"],
    "zoo": ["온라인 학부모 강의: Zoom으로 만나는 독서 교육"],
    "청년마루": ["청년마루 금요 보드게임 밤"],
    "지리산 사람": ["기획전시 <지리산, 사람의 길>"],
    "광한루원 역사": ["토요 마을학교: 광한루원 역사 탐방"],
    "국악공연": [],  # written apart in the post: a phrase must be consecutive
    "경로당 난방비": ["겨울철 한파 대비 경로당 난방비 지원 안내"],
    "12월": ["문화도시 소식지 12월호", "12월 시민 원탁회의 참가자 모집", "남원 청년 창업 아이디어 경진대회 참가팀 모집"],
    "책": ["시립도서관 어르신 독서 모임"],
    "사진 전시!": ["기획전시 <지리산, 사람의 길>"],
    "서울 공연": [],
    # "청년마루" typed on an iPhone arrives decomposed (NFD).
    unicodedata.normalize("NFD", "청년마루"): ["청년마루 금요 보드게임 밤"],
}  # fmt: skip


# Ranked (RELEVANCE): titles holding more of the words first, then newest first; the same order on
# both databases.
RANKED: dict[str, list[str]] = {
    "공연": [
        "지난 가을 광한루원 야간 공연 후기",  # in the title, posted last
        "춘향문화예술회관 송년 국악 공연",
        "문화도시 소식지 12월호",  # only in the body, though posted after both
    ],
    "청년": [
        "인월 지리산 청년 트레킹",
        "남원 청년 창업 아이디어 경진대회 참가팀 모집",
        "청년마루 금요 보드게임 밤",
        "문화도시 소식지 12월호",
        "12월 시민 원탁회의 참가자 모집",
    ],
    # Both words in its title beats one, though posted six hours earlier.
    "청년 모집": ["남원 청년 창업 아이디어 경진대회 참가팀 모집", "12월 시민 원탁회의 참가자 모집"],
    "zoo 독서": ["온라인 학부모 강의: Zoom으로 만나는 독서 교육"],
    "서울 공연": [],
}


def titles(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in data["feed"]["edges"]]


def test_tokens_are_bigrams_of_korean_runs_and_words_of_the_rest() -> None:
    assert document_tokens("청년마루에서 Zoom으로!") == "청년 년마 마루 루에 에서 서 zoom 으로 로"
    assert document_tokens(unicodedata.normalize("NFD", "공연")) == "공연 연"
    terms = query_terms("Zoom 강의  청년마루 책")
    assert fts5_query(terms) == '"zoom" * AND "강의" AND "청년 년마 마루" AND "책" *'
    assert tsquery(terms) == "('zoom':*) & ('강의') & ('청년' <-> '년마' <-> '마루') & ('책':*)"
    assert query_terms("!!! ...") == ()
    # SQLite's index marks title tokens with a private-use character; no text can carry it into a token.
    assert document_tokens(TITLE_MARK + "공연 " + TITLE_MARK) == "공연 연"
    assert fts5_title_query(query_terms("공연")[0]) == f'"{TITLE_MARK}공연"'


@pytest.mark.parametrize("text", list(EXPECTED))
def test_expected_set_is_well_formed(text: str) -> None:
    assert query_terms(text), text


async def test_search_gives_the_same_ids_on_both_databases(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    async with graph_client(db, tmp_path) as graph:
        found = {text: titles(await graph.data(SEARCH, {"text": text, "first": 50})) for text in EXPECTED}
    assert found == EXPECTED
    # Review-queue and withdrawn items contain 공연 and 청년 too, and never show up.
    assert not any("회원" in t or "취소" in t for ts in found.values() for t in ts)


async def test_relevance_ranks_and_pages_with_its_own_cursor(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    async with graph_client(db, tmp_path) as graph:
        ranked = await graph.data(SEARCH, {"text": "공연", "order": "RELEVANCE", "first": 2})
        rest = await graph.data(
            SEARCH,
            {
                "text": "공연",
                "order": "RELEVANCE",
                "first": 2,
                "after": ranked["feed"]["pageInfo"]["endCursor"],
            },
        )
        other_words = await graph.post(
            SEARCH,
            {"text": "청년", "order": "RELEVANCE", "after": ranked["feed"]["pageInfo"]["endCursor"]},
        )
        newest_cursor = await graph.post(
            SEARCH, {"text": "공연", "order": "NEWEST", "after": ranked["feed"]["pageInfo"]["endCursor"]}
        )
    assert titles(ranked) + titles(rest) == RANKED["공연"]
    assert ranked["feed"]["pageInfo"]["hasNextPage"] is True
    assert rest["feed"]["pageInfo"]["hasNextPage"] is False
    assert "잘못된 커서" in other_words["errors"][0]["message"]
    assert "잘못된 커서" in newest_cursor["errors"][0]["message"]


async def test_relevance_counts_the_words_in_titles_the_same_on_both_databases(
    db: Database, tmp_path: Path
) -> None:
    await load_corpus(db)
    async with graph_client(db, tmp_path) as graph:
        ranked = {
            text: titles(await graph.data(SEARCH, {"text": text, "order": "RELEVANCE", "first": 50}))
            for text in RANKED
        }
        # Page by page, with the cursors: the same order, nothing repeated or skipped.
        paged: list[str] = []
        after = None
        while True:
            data = await graph.data(
                SEARCH, {"text": "청년", "order": "RELEVANCE", "first": 2, "after": after}
            )
            paged += titles(data)
            if not data["feed"]["pageInfo"]["hasNextPage"]:
                break
            after = data["feed"]["pageInfo"]["endCursor"]
    assert ranked == RANKED
    assert paged == RANKED["청년"]


async def test_edited_cursors_are_refused(db: Database, tmp_path: Path) -> None:
    """A cursor is plain base64 anyone can edit: out-of-range keys are a clear error, not a crash."""
    await load_corpus(db)
    scope = feed_service._cursor_scope(FeedQuery(text="공연", order=FeedOrder.RELEVANCE))
    async with graph_client(db, tmp_path) as graph:
        for key in ([1, 2**63], [99, 1], [-1, 1], [1.5, 1], ["1", 1], [1], [0.5, 2]):
            # Written by hand: the hub's encoder refuses integers beyond 64 bits.
            edited = base64.urlsafe_b64encode(json.dumps({"s": scope, "k": key}).encode()).decode()
            body = await graph.post(SEARCH, {"text": "공연", "order": "RELEVANCE", "after": edited})
            assert "잘못된 커서" in body["errors"][0]["message"], key
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_blank_or_symbol_only_text_is_a_clear_error(db: Database, tmp_path: Path) -> None:
    async with graph_client(db, tmp_path) as graph:
        for text in ("", "   ", "?!~"):
            body = await graph.post(SEARCH, {"text": text})
            error = body["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert "검색어가 비어 있습니다" in error["message"] and "no letters or digits" in error["message"]
        too_long = await graph.post(SEARCH, {"text": "청년" * 150})
        assert "200자" in too_long["errors"][0]["message"]
    with pytest.raises(InvalidInput, match="RELEVANCE"):
        await feed_page(db, FeedQuery(order=FeedOrder.RELEVANCE))


async def test_relevance_ranks_the_most_recent_matches_only(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common word ranks within a window of the most recently posted matches (the corpus posts in
    storage order), the same on both databases."""
    await load_corpus(db)
    everything = await feed_page(db, FeedQuery(text="공연"), first=50)
    public_ids = sorted(record.id for record in everything.items)
    assert len(public_ids) >= 3
    monkeypatch.setattr(feed_service, "RANKED_WINDOW", 2)
    windowed = await feed_page(db, FeedQuery(text="공연", order=FeedOrder.RELEVANCE), first=50)
    ids = [record.id for record in windowed.items]
    # Only matches among the two newest stored (the corpus stores a review-queue and a withdrawn 공연 post
    # last, so here none of the window is public): never an older match ranked in their place.
    assert len(ids) <= 2 < len(public_ids) and all(i >= public_ids[-2] for i in ids)
    monkeypatch.setattr(feed_service, "RANKED_WINDOW", 50)
    whole = await feed_page(db, FeedQuery(text="공연", order=FeedOrder.RELEVANCE), first=50)
    assert sorted(record.id for record in whole.items) == public_ids
