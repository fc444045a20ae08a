from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from org_connectors.band.errors import BandMalformedResponse
from org_connectors.band.mapping import (
    band_post_to_raw_post,
    parse_posts_json,
    parse_posts_lenient,
    parse_posts_response,
    post_fingerprint,
)
from org_connectors.band.models import BandPost
from org_connectors.base import SourceKind, UnreadableInput
from tests.connectors.band.conftest import EXAMPLES, FIXTURES


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_reference_posts_response_maps_to_a_raw_post() -> None:
    [post] = parse_posts_response(_load(EXAMPLES / "v2-band-posts.json"))
    raw = band_post_to_raw_post(post)

    assert raw.source_kind is SourceKind.BAND
    assert raw.external_id == "AAAbHaeoreumEnvVolunteer1:AADkq9X2PostKey00000001"
    assert raw.posted_at == datetime(2025, 3, 3, 6, 0, tzinfo=UTC)  # 15:00 in Seoul
    assert raw.author_is_staff is True
    assert raw.author_name == "박대표"
    assert raw.images == ("https://coresos-phinf.pstatic.net/a/aaa/poster.jpg",)
    assert raw.tags == ("플로깅", "정기봉사")
    assert raw.body.startswith("[3월 정기 봉사 안내]\n일시: 3월 8일(토) 오전 10시")
    assert "@회원 님이 장갑을 준비합니다." in raw.body
    assert "김총무" not in raw.body
    assert raw.body.endswith("참가비 5,000원 & 간식 제공")
    assert raw.url is None  # the Open API gives no web link (reference §1.8)
    assert raw.payload["post_key"] == "AADkq9X2PostKey00000001"
    assert "access_token" not in json.dumps(raw.payload)


def test_reference_detail_response_reads_the_photo_map() -> None:
    [post] = parse_posts_response(_load(EXAMPLES / "v2.1-band-post.json"))

    assert post.post_read_count == 63
    assert [(p.media_id, p.url) for p in post.photos] == [
        ("3452", "https://coresos-phinf.pstatic.net/a/aaa/poster.jpg")
    ]
    assert band_post_to_raw_post(post).images == ("https://coresos-phinf.pstatic.net/a/aaa/poster.jpg",)


def test_a_list_of_pages_is_read_in_order() -> None:
    pages = [_load(EXAMPLES / "v2-band-posts.json"), _load(EXAMPLES / "v2.1-band-post.json")]
    second = _load(EXAMPLES / "v2-band-posts.json")
    second["result_data"]["items"][0]["post_key"] = "AADkq9X2PostKey00000002"
    second["result_data"]["paging"]["next_params"] = None
    pages.append(second)

    posts = parse_posts_response(pages)

    assert [p.post_key for p in posts] == [
        "AADkq9X2PostKey00000001",
        "AADkq9X2PostKey00000001",
        "AADkq9X2PostKey00000002",
    ]


def test_a_saved_file_is_parsed_from_text() -> None:
    posts = parse_posts_json((EXAMPLES / "v2-band-posts.json").read_bytes())

    assert [p.band_key for p in posts] == ["AAAbHaeoreumEnvVolunteer1"]


@pytest.mark.parametrize(
    ("name", "message_part"),
    [
        ("error-1003.json", "오류 응답"),
        ("v2.1-bands.json", "items"),
        ("v2-band-post-comments.json", "댓글"),
    ],
)
def test_files_that_are_not_post_pages_are_refused_clearly(name: str, message_part: str) -> None:
    with pytest.raises(BandMalformedResponse) as caught:
        parse_posts_response(_load(EXAMPLES / name))

    assert isinstance(caught.value, UnreadableInput)  # importers dead-letter it like any bad entry
    assert message_part in str(caught.value)


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(BandMalformedResponse, match="JSON"):
        parse_posts_json(b"<html>502 Bad Gateway</html>")


def test_one_bad_item_is_set_aside_and_the_rest_kept() -> None:
    page = _load(EXAMPLES / "v2-band-posts.json")
    good = page["result_data"]["items"][0]
    page["result_data"]["items"] = [
        {**good, "post_key": "AADbroken", "created_at": "어제"},
        {**good, "post_key": "AADsecond"},
    ]

    posts, errors = parse_posts_lenient(page)

    assert [p.post_key for p in posts] == ["AADsecond"]
    [error] = errors
    assert error.where == "page 1 item 1: post AADbroken"
    assert error.raw is not None and "AADbroken" in error.raw
    with pytest.raises(BandMalformedResponse):
        parse_posts_response(page)


def _post(role: str | None, **extra: Any) -> BandPost:
    author: dict[str, Any] = {"name": "윤주민", "description": "", "profile_image_url": ""}
    if role is not None:
        author["role"] = role
    return BandPost.from_json(
        {
            "post_key": "AADx",
            "band_key": "AAAnwCommunitySupport001",
            "content": "반찬 나눔 사진 올려요",
            "author": author,
            "created_at": 1772236800000,
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("role", "staff"),
    [
        ("leader", True),
        ("coleader", True),
        ("co-leader", True),
        ("member", False),
        ("", False),
        (None, False),
    ],
)
def test_only_leaders_and_coleaders_count_as_staff(role: str | None, staff: bool) -> None:
    raw = band_post_to_raw_post(_post(role))

    assert raw.author_is_staff is staff
    # A member's name is personal data and stays out of the mapped post.
    assert raw.author_name == ("윤주민" if staff else None)


def test_a_web_link_in_the_payload_becomes_the_url_and_tokens_are_dropped() -> None:
    raw = band_post_to_raw_post(
        _post(
            "leader",
            post_url="https://band.us/band/12345678/post/42",
            paging={"next_params": {"access_token": "ZQsecret"}},
        )
    )

    assert raw.url == "https://band.us/band/12345678/post/42"
    assert "ZQsecret" not in json.dumps(raw.payload)


def test_every_namwon_fixture_maps_without_leaking_mentioned_names() -> None:
    mapped = 0
    for path in sorted(FIXTURES.glob("*.json")):
        data = _load(path)
        names = re.findall(r"<band:refer[^>]*>([^<]+)</band:refer>", json.dumps(data, ensure_ascii=False))
        for post in parse_posts_response({"result_code": 1, "result_data": {"items": data["posts"]}}):
            raw = band_post_to_raw_post(post)
            mapped += 1
            assert raw.external_id.startswith(data["band"]["band_key"] + ":")
            assert raw.body and "<band:" not in raw.body
            for name in names:
                assert name not in raw.body
    assert mapped == 20


def test_fingerprint_changes_with_what_readers_see_only() -> None:
    base = _post("leader")
    same = _post("leader")
    edited = _post("leader", content="반찬 나눔 사진 올려요 (장소 변경)")
    commented = _post("leader", comment_count=3)

    assert post_fingerprint(base) == post_fingerprint(same)
    assert len({post_fingerprint(p) for p in (base, edited, commented)}) == 3
