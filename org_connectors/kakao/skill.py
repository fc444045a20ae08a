"""Kakao i Open Builder skill requests (SkillPayload, reference §3.1) → `RawPost`.

Staff send an announcement to their organisation's Kakao Talk Channel chatbot; the block's skill POSTs
the payload to the hub. Models are strict about what the hub relies on (`bot.id`, `userRequest.user.id`,
`userRequest.utterance`, their types) and allow unknown fields, which Kakao keeps adding.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from org_connectors.base import DatePrecision, RawPost, SourceKind, UnreadableInput
from org_connectors.kakao.skill_response import (
    SIMPLE_TEXT_LIMIT,
    InvalidSkillResponse,
    simple_text_response,
    validate_skill_response,
)

__all__ = [
    "BUILDER_TEST_SURFACE",
    "SIMPLE_TEXT_LIMIT",
    "InvalidSkillResponse",
    "SkillPayload",
    "SkillRequest",
    "is_builder_test",
    "parse_skill_request",
    "pseudonymous_user_key",
    "simple_text_response",
    "skill_external_id",
    "skill_request_to_raw_post",
    "validate_skill_response",
]

BUILDER_TEST_SURFACE = "BuilderBotTest"
_SEOUL = ZoneInfo("Asia/Seoul")
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,200}$")
_RAW_LIMIT = 4000
_CALLBACK_URL = re.compile(r'"callbackUrl"\s*:\s*"[^"]*"?')
_ERRORS_SHOWN = 3


class _KakaoModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True, strict=True)


class BlockRef(_KakaoModel):
    id: str
    name: str | None = None


class UserProperties(_KakaoModel):
    bot_user_key: str | None = Field(default=None, alias="botUserKey")
    plusfriend_user_key: str | None = Field(default=None, alias="plusfriendUserKey")
    app_user_id: str | None = Field(default=None, alias="appUserId")
    # Absent (not false) when the user has not added the channel or blocked it.
    is_friend: bool | None = Field(default=None, alias="isFriend")


class KakaoUser(_KakaoModel):
    id: str = Field(min_length=1, max_length=128)  # botUserKey; differs per bot for one person
    type: str = "botUserKey"
    properties: UserProperties = Field(default_factory=UserProperties)


class UserRequest(_KakaoModel):
    timezone: str = "Asia/Seoul"
    params: dict[str, Any] = Field(default_factory=dict)
    block: BlockRef | None = None
    utterance: str
    lang: str | None = None
    user: KakaoUser
    # A credential (single-use, one minute): never copy it into payloads or logs.
    callback_url: str | None = Field(default=None, alias="callbackUrl")


class Bot(_KakaoModel):
    id: str = Field(min_length=1)
    name: str | None = None


class Action(_KakaoModel):
    id: str | None = None
    name: str | None = None
    # Values are strings; system entities (sys_date …) are JSON inside the string.
    params: dict[str, Any] = Field(default_factory=dict)
    detail_params: dict[str, Any] = Field(default_factory=dict, alias="detailParams")
    client_extra: dict[str, Any] | None = Field(default=None, alias="clientExtra")


class Intent(_KakaoModel):
    id: str | None = None
    name: str | None = None


class FlowTrigger(_KakaoModel):
    type: str | None = None


class Flow(_KakaoModel):
    trigger: FlowTrigger | None = None


class SkillRequest(_KakaoModel):
    """The SkillPayload a block's skill receives."""

    intent: Intent | None = None
    user_request: UserRequest = Field(alias="userRequest")
    bot: Bot
    action: Action | None = None
    contexts: list[Any] = Field(default_factory=list)
    flow: Flow | None = None


SkillPayload = SkillRequest


def parse_skill_request(body: bytes) -> SkillRequest:
    """Validate a skill request body. Raises `UnreadableInput` (Korean and English) on bad JSON or shape."""
    try:
        return SkillRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(error["type"] == "json_invalid" for error in errors):
            raise UnreadableInput(
                "요청 본문이 올바른 JSON이 아닙니다 / The request body is not valid JSON",
                where="body",
                raw=_redacted(body),
            ) from None
        details = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(본문)'}: {error['msg']}"
            for error in errors[:_ERRORS_SHOWN]
        )
        if len(errors) > _ERRORS_SHOWN:
            details += f"; … (+{len(errors) - _ERRORS_SHOWN})"
        first = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
        raise UnreadableInput(
            f"스킬 요청 형식이 올바르지 않습니다 / The skill request is malformed: {details}",
            where=first or "body",
            raw=_redacted(body),
        ) from None


def is_builder_test(req: SkillRequest) -> bool:
    """Traffic from the Open Builder's test console: answer it, never ingest it."""
    return req.user_request.params.get("surface") == BUILDER_TEST_SURFACE


def pseudonymous_user_key(bot_id: str, user_id: str) -> str:
    """What the hub stores instead of a botUserKey (reference §3.3)."""
    return hashlib.sha256(f"{bot_id}\0{user_id}".encode()).hexdigest()


def skill_external_id(req: SkillRequest, *, received_at: datetime, request_id: str | None) -> str:
    """`X-Request-Id` when Kakao sent a usable one, else a hash of bot, user, text and minute (§5)."""
    if request_id is not None and _REQUEST_ID.match(request_id.strip()):
        return f"req:{request_id.strip()}"
    minute = received_at.astimezone(_SEOUL).strftime("%Y-%m-%dT%H:%M")
    key = "\0".join((req.bot.id, req.user_request.user.id, req.user_request.utterance, minute))
    return "h:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def skill_request_to_raw_post(req: SkillRequest, *, received_at: datetime, request_id: str | None) -> RawPost:
    """The staff member's utterance as a post. Whether the sender is registered staff is the hub's call."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    text = unicodedata.normalize("NFC", req.user_request.utterance).strip()
    images = _secure_images(req)
    if not text and not images:
        raise UnreadableInput("메시지가 비어 있습니다 / The message is empty", where="userRequest.utterance")
    action_params = req.action.params if req.action is not None else {}
    payload: dict[str, Any] = {
        "bot_id": req.bot.id,
        "user": pseudonymous_user_key(req.bot.id, req.user_request.user.id),
        "surface": req.user_request.params.get("surface"),
        "request_id": request_id,
        # Entities (sys_date, sys_place …) help understanding; secure image URLs are not kept here.
        "params": {k: v for k, v in action_params.items() if k != "secureimage" and isinstance(v, str)},
    }
    if req.intent is not None and req.intent.name:
        payload["intent"] = req.intent.name
    if req.user_request.block is not None:
        payload["block"] = req.user_request.block.name or req.user_request.block.id
    if req.flow is not None and req.flow.trigger is not None and req.flow.trigger.type:
        payload["trigger"] = req.flow.trigger.type
    return RawPost(
        source_kind=SourceKind.KAKAO,
        external_id=skill_external_id(req, received_at=received_at, request_id=request_id),
        posted_at=received_at.astimezone(_SEOUL),
        posted_at_precision=DatePrecision.SECOND,
        body=text,
        author_is_staff=None,
        images=images,
        payload=payload,
    )


def _secure_images(req: SkillRequest) -> tuple[str, ...]:
    """URLs from the secure-image plugin: a JSON string whose `secureUrls` is `List(url, url)`."""
    raw = req.action.params.get("secureimage") if req.action is not None else None
    if not isinstance(raw, str):
        return ()
    try:
        parsed = json.loads(raw)
    except ValueError:
        return ()
    urls = parsed.get("secureUrls") if isinstance(parsed, dict) else None
    if not isinstance(urls, str):
        return ()
    inner = urls.strip().removeprefix("List(").removesuffix(")")
    return tuple(url.strip() for url in inner.split(",") if url.strip().startswith(("http://", "https://")))


def _redacted(body: bytes) -> str | None:
    """The body for a dead letter, without the callback URL (a credential)."""
    text = body[: _RAW_LIMIT * 4].decode("utf-8", errors="replace")
    try:
        parsed = json.loads(body)
    except ValueError:
        return _CALLBACK_URL.sub('"callbackUrl": "…"', text)[:_RAW_LIMIT]
    if isinstance(parsed, dict):
        user_request = parsed.get("userRequest")
        if isinstance(user_request, dict):
            user_request.pop("callbackUrl", None)
    return json.dumps(parsed, ensure_ascii=False)[:_RAW_LIMIT]
