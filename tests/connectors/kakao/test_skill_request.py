"""Kakao i Open Builder skill requests: validation, builder test traffic, and the resulting RawPost."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from org_connectors.base import DatePrecision, SourceKind, UnreadableInput
from org_connectors.kakao import (
    is_builder_test,
    parse_skill_request,
    pseudonymous_user_key,
    skill_request_to_raw_post,
)

SEOUL = ZoneInfo("Asia/Seoul")
BOT_ID = "65f0b0ffee00000000000001"
USER_KEY = "9a3f0c2b7d1e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
RECEIVED = datetime(2025, 9, 22, 9, 2, 31, tzinfo=SEOUL)
UTTERANCE = "[공지] 9월 27일(토) 오후 1시 남원예촌 공연장에서 시민기획단 2차 워크숍이 열립니다"


def payload(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "intent": {"id": "65f0c0ffee0000000000a001", "name": "공지 등록"},
        "userRequest": {
            "timezone": "Asia/Seoul",
            "params": {"surface": "Kakaotalk.plusfriend"},
            "block": {"id": "65f0c0ffee0000000000a001", "name": "공지 등록"},
            "utterance": UTTERANCE,
            "lang": "ko",
            "user": {
                "id": USER_KEY,
                "type": "botUserKey",
                "properties": {"botUserKey": USER_KEY, "plusfriendUserKey": "Hx8kQ2mZpL0a", "isFriend": True},
            },
            "callbackUrl": "https://bot-api.kakao.com/callback/secret-token-123",
            "isInSlotFilling": False,
        },
        "contexts": [],
        "bot": {"id": BOT_ID, "name": "문화도시 알림봇"},
        "action": {
            "id": "65f0d0ffee0000000000b001",
            "name": "hub-ingest",
            "params": {"sys_date": '{"dateTag": null, "month": 9, "day": 27, "date": "2025-09-27"}'},
            "detailParams": {
                "sys_date": {"origin": "9월 27일", "value": '{"date": "2025-09-27"}', "groupName": ""}
            },
            "clientExtra": None,
        },
        "flow": {
            "trigger": {"type": "TEXT_INPUT"},
            "lastBlock": {"id": "65f0c0ffee0000000000a000", "name": "웰컴"},
        },
    }
    body.update(changes)
    return body


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def test_good_request_becomes_a_kakao_post() -> None:
    request = parse_skill_request(encoded(payload()))
    post = skill_request_to_raw_post(
        request, received_at=RECEIVED, request_id="b6f2c1d0-7e3a-4f51-9c2d-1a2b3c4d5e6f"
    )

    assert post.source_kind is SourceKind.KAKAO
    assert post.external_id == "req:b6f2c1d0-7e3a-4f51-9c2d-1a2b3c4d5e6f"
    assert post.body == UTTERANCE
    assert post.posted_at == RECEIVED
    assert post.posted_at_precision is DatePrecision.SECOND
    assert post.payload["bot_id"] == BOT_ID
    assert post.payload["trigger"] == "TEXT_INPUT"
    assert json.loads(post.payload["params"]["sys_date"])["date"] == "2025-09-27"


def test_post_keeps_no_user_key_and_no_callback_url() -> None:
    request = parse_skill_request(encoded(payload()))
    post = skill_request_to_raw_post(request, received_at=RECEIVED, request_id=None)
    stored = json.dumps(dict(post.payload), ensure_ascii=False) + repr(post)

    assert USER_KEY not in stored
    assert "Hx8kQ2mZpL0a" not in stored
    assert "secret-token-123" not in stored
    assert post.payload["user"] == pseudonymous_user_key(BOT_ID, USER_KEY)
    assert request.user_request.user.properties.plusfriend_user_key == "Hx8kQ2mZpL0a"


def test_without_request_id_the_id_is_a_stable_hash_per_minute() -> None:
    request = parse_skill_request(encoded(payload()))
    first = skill_request_to_raw_post(request, received_at=RECEIVED, request_id=None)
    retried = skill_request_to_raw_post(request, received_at=RECEIVED.replace(second=55), request_id="  ")
    later = skill_request_to_raw_post(request, received_at=RECEIVED.replace(minute=30), request_id=None)

    assert first.external_id.startswith("h:")
    assert first.external_id == retried.external_id
    assert first.external_id != later.external_id


def test_secure_image_urls_become_images_not_payload() -> None:
    body = payload()
    body["action"]["params"]["secureimage"] = json.dumps(
        {
            "privacyAgreement": "Y",
            "imageQuantity": "2",
            "secureUrls": "List(http://secure.kakaocdn.net/dn/a1.jpg, http://secure.kakaocdn.net/dn/b2.jpg)",
        }
    )
    post = skill_request_to_raw_post(
        parse_skill_request(encoded(body)), received_at=RECEIVED, request_id=None
    )

    assert post.images == ("http://secure.kakaocdn.net/dn/a1.jpg", "http://secure.kakaocdn.net/dn/b2.jpg")
    assert "secureimage" not in post.payload["params"]


def test_unknown_fields_are_allowed() -> None:
    body = payload(newTopLevelThing={"x": 1})
    body["userRequest"]["user"]["properties"]["bot_user_key"] = USER_KEY
    body["userRequest"]["user"]["properties"]["app_user_status"] = "REGISTERED"

    request = parse_skill_request(encoded(body))

    assert request.bot.id == BOT_ID


def test_builder_test_surface_is_detected() -> None:
    body = payload()
    body["userRequest"]["params"] = {"surface": "BuilderBotTest", "ignoreMe": "true"}

    assert is_builder_test(parse_skill_request(encoded(body)))
    assert not is_builder_test(parse_skill_request(encoded(payload())))


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json at all", b'{"userRequest": ', "\ufeff{}".encode()[:2]],
    ids=["empty", "open-brace", "text", "truncated", "broken-bytes"],
)
def test_bad_json_is_unreadable_with_a_korean_and_english_message(body: bytes) -> None:
    with pytest.raises(UnreadableInput) as caught:
        parse_skill_request(body)

    assert "올바른 JSON이 아닙니다" in str(caught.value)
    assert "not valid JSON" in str(caught.value)


def test_truncated_body_does_not_leak_the_callback_url_into_the_dead_letter() -> None:
    body = encoded(payload())[:-40]

    with pytest.raises(UnreadableInput) as caught:
        parse_skill_request(body)

    assert caught.value.raw is not None
    assert "secret-token-123" not in caught.value.raw


def _without(path: tuple[str, ...]) -> dict[str, Any]:
    body = copy.deepcopy(payload())
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (_without(("bot",)), "bot"),
        (_without(("bot", "id")), "bot.id"),
        (_without(("userRequest",)), "userRequest"),
        (_without(("userRequest", "utterance")), "userRequest.utterance"),
        (_without(("userRequest", "user", "id")), "userRequest.user.id"),
        (payload(bot={"id": 12345}), "bot.id"),
        (payload(bot={"id": ""}), "bot.id"),
    ],
    ids=[
        "no-bot",
        "no-bot-id",
        "no-user-request",
        "no-utterance",
        "no-user-id",
        "numeric-bot-id",
        "empty-bot-id",
    ],
)
def test_wrong_shape_is_unreadable_and_says_where(body: dict[str, Any], where: str) -> None:
    with pytest.raises(UnreadableInput) as caught:
        parse_skill_request(encoded(body))

    assert caught.value.where == where
    assert "스킬 요청 형식이 올바르지 않습니다" in str(caught.value)
    assert "malformed" in str(caught.value)
    assert "secret-token-123" not in (caught.value.raw or "")


def test_utterance_of_the_wrong_type_is_rejected() -> None:
    body = payload()
    body["userRequest"]["utterance"] = ["공지", "목록"]

    with pytest.raises(UnreadableInput) as caught:
        parse_skill_request(encoded(body))

    assert caught.value.where == "userRequest.utterance"


def test_a_json_array_is_not_a_request() -> None:
    with pytest.raises(UnreadableInput, match="malformed"):
        parse_skill_request(b"[1, 2, 3]")


def test_blank_utterance_cannot_become_a_post() -> None:
    body = payload()
    body["userRequest"]["utterance"] = "   "

    with pytest.raises(UnreadableInput, match="비어 있습니다"):
        skill_request_to_raw_post(parse_skill_request(encoded(body)), received_at=RECEIVED, request_id=None)


def test_received_at_must_be_aware() -> None:
    request = parse_skill_request(encoded(payload()))

    with pytest.raises(ValueError, match="timezone-aware"):
        skill_request_to_raw_post(request, received_at=datetime(2025, 9, 22, 9, 2), request_id=None)
