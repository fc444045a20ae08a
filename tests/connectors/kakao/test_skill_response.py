"""SkillResponse 2.0: the hub's simpleText answer and the validator endpoint tests rely on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from org_connectors.kakao import InvalidSkillResponse, simple_text_response, validate_skill_response

ACK = (
    "공지가 접수되었습니다.\n제목: 시민기획단 2차 워크숍\n일시: 9월 27일(토) 오후 1시\n장소: 남원예촌 공연장\n"
    "잘못 이해했다면 다시 보내 주세요."
)
REFERENCE_ACK: dict[str, Any] = {
    "version": "2.0",
    "template": {
        "outputs": [{"simpleText": {"text": "공지가 접수되었습니다.\n제목: 3월 8일(토) 탄천 플로깅"}}],
        "quickReplies": [
            {"label": "공지 목록", "action": "message", "messageText": "공지 목록"},
            {"label": "취소", "action": "block", "blockId": "65f0c0ffee0000000000a009"},
        ],
    },
}


def test_simple_text_response_is_valid_and_carries_the_text() -> None:
    response = simple_text_response(ACK)

    validate_skill_response(response)
    assert response == {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": ACK}}]}}


def test_simple_text_response_with_quick_replies_is_valid() -> None:
    response = simple_text_response(
        ACK, quick_replies=[{"label": "공지 목록", "action": "message", "messageText": "공지 목록"}]
    )

    validate_skill_response(response)
    assert response["template"]["quickReplies"][0]["label"] == "공지 목록"


def test_long_text_is_cut_politely_within_1000_characters() -> None:
    items = "\n".join(
        f"{n}. 11월 {n}일 남원시 마을공동체 네트워크 모임 (남원시공동체지원센터)" for n in range(1, 60)
    )

    text = simple_text_response(items)["template"]["outputs"][0]["simpleText"]["text"]

    assert len(text) <= 1000
    assert text.endswith("…(이하 생략 / truncated)")
    # Cut at a line break, so no item is left half-written.
    kept_lines = text.splitlines()[:-1]
    assert all(line in items.splitlines() for line in kept_lines)
    validate_skill_response(simple_text_response(items))


def test_text_of_exactly_1000_characters_is_kept_whole() -> None:
    text = "가" * 1000

    assert simple_text_response(text)["template"]["outputs"][0]["simpleText"]["text"] == text


def test_blank_text_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        simple_text_response("  ")


VALID_EXAMPLES: dict[str, dict[str, Any]] = {
    "reference-ack": REFERENCE_ACK,
    "callback": {"version": "2.0", "useCallback": True, "data": {"text": "처리 중입니다"}},
    "basic-card-carousel": {
        "version": "2.0",
        "template": {
            "outputs": [
                {"simpleText": {"text": "다가오는 공지입니다"}},
                {
                    "carousel": {
                        "type": "basicCard",
                        "items": [
                            {
                                "title": "시민기획단 2차 워크숍",
                                "description": "9월 27일(토) 오후 1시 · 남원예촌",
                                "thumbnail": {"imageUrl": "https://example.org/a.jpg"},
                                "buttons": [
                                    {
                                        "label": "자세히",
                                        "action": "webLink",
                                        "webLinkUrl": "https://example.org",
                                    }
                                ],
                            }
                        ],
                    }
                },
            ]
        },
        "context": {"values": [{"name": "notice", "lifeSpan": 1}]},
    },
    "list-card": {
        "version": "2.0",
        "template": {
            "outputs": [
                {
                    "listCard": {
                        "header": {"title": "공지 목록"},
                        "items": [{"title": "요천 플로깅"}, {"title": "책모임"}],
                    }
                }
            ]
        },
    },
}


@pytest.mark.parametrize("response", VALID_EXAMPLES.values(), ids=VALID_EXAMPLES.keys())
def test_valid_responses_pass(response: dict[str, Any]) -> None:
    validate_skill_response(response)


def _changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    response = copy.deepcopy(REFERENCE_ACK)
    target: Any = response
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return response


_DELETE = object()

INVALID_EXAMPLES: dict[str, tuple[object, str]] = {
    "not-an-object": (["2.0"], "JSON object"),
    "no-version": (_changed(("version",), _DELETE), "version"),
    "old-version": (_changed(("version",), "1.0"), "version"),
    "no-template": (_changed(("template",), _DELETE), "template is required"),
    "no-outputs": (_changed(("template", "outputs"), []), "1 to 3"),
    "four-outputs": (_changed(("template", "outputs"), [{"simpleText": {"text": "가"}}] * 4), "1 to 3"),
    "text-too-long": (
        _changed(("template", "outputs", 0, "simpleText", "text"), "가" * 1001),
        "1001 characters",
    ),
    "empty-text": (_changed(("template", "outputs", 0, "simpleText", "text"), ""), "non-empty"),
    "unknown-component": (_changed(("template", "outputs", 0), {"fancyCard": {}}), "unknown component"),
    "two-components-in-one-output": (
        _changed(("template", "outputs", 0), {"simpleText": {"text": "가"}, "simpleImage": {}}),
        "exactly one",
    ),
    "eleven-quick-replies": (
        _changed(("template", "quickReplies"), [{"label": "공지", "action": "message"}] * 11),
        "at most 10",
    ),
    "quick-reply-bad-action": (
        _changed(("template", "quickReplies", 0, "action"), "webLink"),
        '"message" or "block"',
    ),
    "block-reply-without-block-id": (
        _changed(("template", "quickReplies", 1), {"label": "취소", "action": "block"}),
        "blockId",
    ),
    "alt-text-too-long": (
        _changed(
            ("template", "outputs", 0), {"simpleImage": {"imageUrl": "https://x/a.png", "altText": "가" * 51}}
        ),
        "max 50",
    ),
    "bad-context": (dict(REFERENCE_ACK, context={"values": [{"name": "x"}]}), "lifeSpan"),
}


@pytest.mark.parametrize(("response", "problem"), INVALID_EXAMPLES.values(), ids=INVALID_EXAMPLES.keys())
def test_invalid_responses_are_rejected_with_the_rule_they_break(response: object, problem: str) -> None:
    with pytest.raises(InvalidSkillResponse) as caught:
        validate_skill_response(response)

    assert problem in str(caught.value)


def test_text_without_breaks_is_cut_hard_but_still_fits() -> None:
    text = simple_text_response("가" * 1500)["template"]["outputs"][0]["simpleText"]["text"]

    assert len(text) <= 1000
    assert text.startswith("가" * 900)
