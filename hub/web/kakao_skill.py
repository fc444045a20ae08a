"""`POST /hooks/kakao/{source_id}/{secret}`: the Kakao i Open Builder skill of an organisation's chatbot.

Order matters: the URL secret (and the optional shared-secret header) is checked in constant time before
the body is read; the body is read with a 64 KiB cap; only then is it parsed. Every answer, errors
included, is a SkillResponse 2.0 the Open Builder can show. The secret is never logged: `hub/app.py`
redacts it from the access log.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from hub.db import Database
from hub.errors import HubError
from hub.secrets import SecretBox
from hub.services.dead_letters import dead_letter, record_dead_letter
from hub.services.kakao_skill import DEAD_LETTER_KIND, answer_skill, ingest_pending, reply
from hub.services.kakao_sources import SECRET_HEADER, KakaoSkillConfig, skill_target
from hub.services.sources import SourceState
from hub.settings import Settings

logger = logging.getLogger("hub.kakao")

MAX_BODY_BYTES = 64 * 1024
# Compared against when the source is unknown, so that a wrong id costs as long as a wrong secret.
_DUMMY_SECRET = b"x" * 43


def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _refused() -> JSONResponse:
    return _json(
        403,
        reply("인증되지 않은 요청입니다.\nThis request is not authorised.", quick_replies=False),
    )


def _too_large() -> JSONResponse:
    return _json(
        413,
        reply(
            f"메시지가 너무 깁니다 (최대 {MAX_BODY_BYTES // 1024}KB). 나누어 보내 주세요.\n"
            f"The message is too large (max {MAX_BODY_BYTES // 1024} KB); please split it.",
            quick_replies=False,
        ),
    )


class ForegroundFirst:
    """Answers first, pipeline later: background ingests wait while skill requests are being answered.

    SQLite has one writer; a burst of staff messages should each get their answer (a small inbox write)
    before the heavier pipeline transactions run. One background ingest at a time, and none waits longer
    than `max_wait_s`, so a steady stream of requests cannot starve them.
    """

    def __init__(self, max_wait_s: float = 2.0) -> None:
        self.max_wait_s = max_wait_s
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._one_at_a_time = asyncio.Lock()

    def enter(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def leave(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()

    async def after(self, work: Callable[[], Awaitable[object]]) -> None:
        async with self._one_at_a_time:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.max_wait_s)
            await work()


class BodyTooLarge(Exception):
    pass


async def read_capped(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, or `BodyTooLarge` as soon as it passes `limit` (a lying Content-Length cannot help)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def routes(db: Database, settings: Settings) -> list[BaseRoute]:
    box = SecretBox(settings.resolved_secret_key())
    zone = settings.zone
    gate = ForegroundFirst()

    async def skill(request: Request) -> JSONResponse:
        received_at = datetime.now(UTC)
        source_id = int(request.path_params["source_id"])
        given = str(request.path_params["secret"]).encode()
        try:
            target = await skill_target(db, box, source_id)
        except HubError:  # the sealed secret does not open: refuse like a wrong secret, tell the operator
            target = None
            logger.error("kakao skill: the source's secret cannot be opened", extra={"source_id": source_id})
        if target is None:
            hmac.compare_digest(given, _DUMMY_SECRET)
            logger.warning("kakao skill: unknown source", extra={"source_id": source_id})
            return _refused()
        source, secrets = target.source, target.secrets
        if secrets is None or not hmac.compare_digest(given, secrets.url.encode()):
            logger.warning("kakao skill: wrong URL secret", extra={"source_id": source_id})
            return _refused()
        if KakaoSkillConfig.of(source).header_secret:
            header = request.headers.get(SECRET_HEADER, "").encode()
            if secrets.header is None or not hmac.compare_digest(header, secrets.header.encode()):
                logger.warning("kakao skill: wrong secret header", extra={"source_id": source_id})
                return _refused()
        try:
            body = await read_capped(request)
        except BodyTooLarge:
            await record_dead_letter(
                db,
                dead_letter(
                    kind=DEAD_LETTER_KIND,
                    origin=f"/hooks/kakao/{source_id}",
                    reason=f"요청 본문이 {MAX_BODY_BYTES:,} 바이트를 넘습니다 / "
                    f"Body over {MAX_BODY_BYTES:,} bytes",
                    organisation_id=source.organisation_id,
                    source_id=source_id,
                ),
            )
            return _too_large()
        except ClientDisconnect:
            return _json(400, reply("요청이 끊겼습니다.\nThe request was cut off.", quick_replies=False))
        if source.state is SourceState.PAUSED:
            return _json(
                200,
                reply(
                    "지금은 공지 접수를 잠시 멈추었습니다. 담당 관리자에게 문의해 주세요.\n"
                    "This chatbot is paused; nothing was stored."
                ),
            )
        answer = await answer_skill(
            db,
            source=source,
            organisation=target.organisation,
            body=body,
            request_id=request.headers.get("x-request-id"),
            received_at=received_at,
            zone=zone,
        )
        logger.info("kakao skill: %s", answer.outcome.value, extra={"source_id": source_id})
        if answer.pending is None:
            return _json(answer.status, answer.body)
        return JSONResponse(
            answer.body,
            status_code=answer.status,
            background=BackgroundTask(gate.after, partial(ingest_pending, db, answer.pending)),
        )

    async def skill_in_front(request: Request) -> JSONResponse:
        gate.enter()
        try:
            return await skill(request)
        finally:
            gate.leave()

    return [Route("/hooks/kakao/{source_id:int}/{secret:str}", skill_in_front, methods=["POST"])]
