"""What the hub answers a Kakao Talk Channel chatbot skill request (reference §3), after authentication.

The HTTP layer (`hub/web/kakao_skill.py`) checks the URL secret and the body size; this module validates
the payload, decides (builder test, `공지 목록`, unknown sender, staff announcement) and words the
SkillResponse 2.0 reply, which always passes `validate_skill_response`.

A staff announcement is committed to the inbox before the answer, which says what the understanding stage
reads in it (title, when, where); the pipeline then runs after the answer has left (`ingest_pending`), so
that the Open Builder's clock never waits on a busy SQLite writer.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import Database
from hub.ingest import stages
from hub.ingest.inbox import content_hash, to_document
from hub.ingest.pipeline import IngestResult, ingest_in_session
from hub.models import RawPost
from hub.records import FeedItemRecord, OrganisationRecord
from hub.services.dead_letters import dead_letter, record_dead_letter
from hub.services.feed import FeedOrder, FeedQuery, feed_page
from hub.services.kakao_sources import KakaoSkillConfig
from hub.services.places import gazetteer_for, places_by_ids
from hub.services.sources import SourceRecord
from org_connectors import RawPost as ConnectorPost
from org_connectors import SourceKind, UnreadableInput
from org_connectors.kakao import (
    SkillRequest,
    is_builder_test,
    parse_skill_request,
    pseudonymous_user_key,
    simple_text_response,
    skill_request_to_raw_post,
)

logger = logging.getLogger("hub.kakao")

DEAD_LETTER_KIND = "kakao_skill"
LIST_COMMANDS = frozenset({"공지 목록", "공지목록", "목록"})
LIST_SIZE = 5
_WEEKDAYS = "월화수목금토일"
_MISSING = "찾지 못했습니다 (not found)"

QUICK_REPLIES: tuple[dict[str, Any], ...] = (
    {"label": "공지 목록", "action": "message", "messageText": "공지 목록"},
)


class SkillOutcome(enum.StrEnum):
    """What happened to a request, for logs and the bench (never the text itself)."""

    INGESTED = "ingested"  # in the inbox; the pipeline runs after the answer
    UNCHANGED = "unchanged"
    LISTED = "listed"
    BUILDER_TEST = "builder_test"
    NOT_STAFF = "not_staff"
    EMPTY = "empty"
    MALFORMED = "malformed"
    WRONG_BOT = "wrong_bot"


@dataclass(frozen=True, slots=True)
class SkillAnswer:
    status: int
    body: dict[str, Any]  # a SkillResponse 2.0
    outcome: SkillOutcome
    pending: PendingIngest | None = None  # to ingest once the answer has been sent


def reply(text: str, *, quick_replies: bool = True) -> dict[str, Any]:
    return simple_text_response(text, quick_replies=QUICK_REPLIES if quick_replies else ())


async def answer_skill(
    db: Database,
    *,
    source: SourceRecord,
    organisation: OrganisationRecord,
    body: bytes,
    request_id: str | None,
    received_at: datetime,
    zone: ZoneInfo,
) -> SkillAnswer:
    config = KakaoSkillConfig.of(source)
    origin = f"/hooks/kakao/{source.id}"
    try:
        request = parse_skill_request(body)
    except UnreadableInput as exc:
        await record_dead_letter(
            db,
            dead_letter(
                kind=DEAD_LETTER_KIND,
                origin=f"{origin} {exc.where or ''}".strip(),
                reason=str(exc),
                payload=exc.raw or "",
                organisation_id=source.organisation_id,
                source_id=source.id,
            ),
        )
        return SkillAnswer(
            400,
            reply(
                "요청을 읽을 수 없습니다. 잠시 후 다시 보내 주세요.\n"
                "The request could not be read; please try again later.",
                quick_replies=False,
            ),
            SkillOutcome.MALFORMED,
        )
    if request.bot.id != config.bot_id:
        # A skill URL registered on another bot: say so to the operator, keep nobody's text.
        await record_dead_letter(
            db,
            dead_letter(
                kind=DEAD_LETTER_KIND,
                origin=f"{origin} bot.id",
                reason=f"다른 봇의 요청입니다 (bot.id {request.bot.id[:100]!r}) / Request from another bot",
                organisation_id=source.organisation_id,
                source_id=source.id,
            ),
        )
        return SkillAnswer(
            403,
            reply(
                "이 챗봇에 연결된 스킬이 아닙니다.\nThis skill is not connected to this chatbot.",
                quick_replies=False,
            ),
            SkillOutcome.WRONG_BOT,
        )

    utterance = unicodedata.normalize("NFC", request.user_request.utterance).strip()
    if utterance in LIST_COMMANDS:
        return SkillAnswer(200, await upcoming_reply(db, organisation, zone), SkillOutcome.LISTED)
    if is_builder_test(request):
        return SkillAnswer(200, _builder_test_reply(request, received_at, zone), SkillOutcome.BUILDER_TEST)
    if not config.is_staff(request.user_request.user.id):
        code = pseudonymous_user_key(config.bot_id, request.user_request.user.id)
        return SkillAnswer(
            200,
            reply(
                f"{organisation.name} 담당자로 등록된 분만 공지를 올릴 수 있습니다. "
                "보내 주신 내용은 저장하지 않았습니다.\n"
                f"담당자라면 관리자에게 아래 등록 코드를 전해 주세요.\n{code}\n\n"
                "Only registered staff can post announcements; nothing was stored. "
                "Staff: give the code above to the hub administrator."
            ),
            SkillOutcome.NOT_STAFF,
        )
    try:
        post = skill_request_to_raw_post(request, received_at=received_at, request_id=request_id)
    except UnreadableInput:
        return SkillAnswer(
            200,
            reply("공지 내용을 글로 보내 주세요.\nPlease send the announcement as text."),
            SkillOutcome.EMPTY,
        )
    post = dataclasses.replace(post, author_is_staff=True)
    try:
        async with db.write() as session:
            # Acknowledge only after commit: the request is in the inbox before the answer leaves.
            known = await _inbox_has(session, organisation.id, post.external_id)
            if not known:
                session.add(_inbox_row(organisation, post, source.id))
            gazetteer = await gazetteer_for(session)
    except IntegrityError:  # the same retry, committed a moment ago by a concurrent request
        known = True
        async with db.write() as session:
            gazetteer = await gazetteer_for(session)
    draft = stages.understand(
        stages.normalise(post), gazetteer=gazetteer, mask_personal=not organisation.allow_contact_details
    )
    understood = Understood(
        title=draft.title,
        when=format_when(draft.starts_at, draft.ends_at, draft.all_day, zone),
        where=format_where(draft.place_name, draft.place_detail, draft.is_online),
    )
    if known:
        # Kakao retried (same X-Request-Id, or the same text within the minute): answer, change nothing.
        return SkillAnswer(200, _received_reply(understood, again=True), SkillOutcome.UNCHANGED)
    pending = PendingIngest(organisation, post, source.id, source.review_non_staff)
    return SkillAnswer(200, _received_reply(understood, again=False), SkillOutcome.INGESTED, pending=pending)


@dataclass(frozen=True, slots=True)
class PendingIngest:
    """A committed inbox row still to run through the pipeline (after the answer has left)."""

    organisation: OrganisationRecord
    post: ConnectorPost
    source_id: int
    review_non_staff: bool


async def ingest_pending(db: Database, pending: PendingIngest) -> IngestResult | None:
    """Run the pipeline for an acknowledged request. A failure leaves the inbox row and a dead letter."""
    try:
        async with db.write() as session:
            return await ingest_in_session(
                session,
                pending.organisation,
                pending.post,
                source_id=pending.source_id,
                review_non_staff=pending.review_non_staff,
            )
    except Exception as exc:  # after the answer has left, nobody else can report it
        logger.exception("kakao skill: ingest failed", extra={"source_id": pending.source_id})
        await record_dead_letter(
            db,
            dead_letter(
                kind=DEAD_LETTER_KIND,
                origin=f"/hooks/kakao/{pending.source_id} {pending.post.external_id}",
                reason=f"받은 공지를 처리하지 못했습니다 (받은 편지함에 남아 있음) / "
                f"Could not process an acknowledged post (kept in the inbox): {type(exc).__name__}",
                organisation_id=pending.organisation.id,
                source_id=pending.source_id,
            ),
        )
        return None


@dataclass(frozen=True, slots=True)
class Understood:
    title: str
    when: str | None
    where: str | None


async def _inbox_has(session: AsyncSession, organisation_id: int, external_id: str) -> bool:
    statement = select(RawPost.id).where(
        col(RawPost.organisation_id) == organisation_id,
        col(RawPost.kind) == SourceKind.KAKAO.value,
        col(RawPost.external_id) == external_id,
    )
    return (await session.exec(statement)).first() is not None


def _inbox_row(organisation: OrganisationRecord, post: ConnectorPost, source_id: int) -> RawPost:
    """The inbox row exactly as the pipeline writes it, so that the pipeline picks it up as its own."""
    document = to_document(post)
    return RawPost(
        organisation_id=organisation.id,
        kind=post.source_kind.value,
        external_id=post.external_id,
        source_id=source_id,
        content_hash=content_hash(document),
        payload=document,
    )


def _received_reply(understood: Understood, *, again: bool) -> dict[str, Any]:
    heading = (
        "이미 받은 공지입니다.\nAlready received:"
        if again
        else "공지를 받았습니다. 이렇게 이해했어요.\nReceived. This is what the hub understood:"
    )
    return reply(
        f"{heading}\n\n{describe(understood)}\n\n"
        "잘못 이해한 내용은 허브의 담당자 화면에서 고칠 수 있습니다.\n"
        "Anything misread can be corrected in the hub's staff screens."
    )


def describe(understood: Understood) -> str:
    return (
        f"제목 (title): {understood.title}\n"
        f"일시 (when): {understood.when or _MISSING}\n"
        f"장소 (where): {understood.where or _MISSING}"
    )


def _builder_test_reply(request: SkillRequest, received_at: datetime, zone: ZoneInfo) -> dict[str, Any]:
    try:
        post = skill_request_to_raw_post(request, received_at=received_at, request_id=None)
    except UnreadableInput:
        return reply("[테스트] 공지 내용을 글로 보내 주세요.\n[Test] Please send the announcement as text.")
    draft = stages.understand(stages.normalise(post))
    understood = Understood(
        title=draft.title,
        when=format_when(draft.starts_at, draft.ends_at, draft.all_day, zone),
        where=format_where(draft.place_name, draft.place_detail, draft.is_online),
    )
    return reply(
        f"[테스트] 빌더 테스트라서 저장하지 않았습니다. 실제로는 이렇게 이해합니다.\n"
        f"[Test] Builder test traffic is not stored; this is what the hub would understand:\n\n"
        f"{describe(understood)}"
    )


async def upcoming_reply(db: Database, organisation: OrganisationRecord, zone: ZoneInfo) -> dict[str, Any]:
    """The organisation's next items, soonest first (`공지 목록`)."""
    page = await feed_page(
        db, FeedQuery(organisations=(organisation.slug,), order=FeedOrder.UPCOMING), first=LIST_SIZE
    )
    if not page.items:
        return reply(
            f"{organisation.name}의 다가오는 일정이 없습니다.\nNo upcoming items for {organisation.name}."
        )
    places = await places_by_ids(db, [item.place_id for item in page.items if item.place_id is not None])
    lines = [f"{organisation.name} 다가오는 일정 / Upcoming"]
    for number, item in enumerate(page.items, start=1):
        lines.append(_list_line(number, item, places.get(item.place_id) if item.place_id else None, zone))
    return reply("\n".join(lines))


def _list_line(number: int, item: FeedItemRecord, place: Any, zone: ZoneInfo) -> str:
    when = format_when(item.starts_at, None, item.all_day, zone) or ""
    where = format_where(place.name if place is not None else None, item.place_detail, item.is_online)
    line = f"{number}. {when} · {item.title}"
    return f"{line} ({where})" if where else line


def format_when(starts: datetime | None, ends: datetime | None, all_day: bool, zone: ZoneInfo) -> str | None:
    """`2025년 3월 8일(토) 오전 10:00 ~ 오후 12:00` in the hub's zone."""
    if starts is None:
        return None
    start = starts.astimezone(zone)
    text = _date(start) if all_day else f"{_date(start)} {_time(start)}"
    if ends is None:
        return text
    end = ends.astimezone(zone)
    if all_day:
        return text if end.date() <= start.date() else f"{text} ~ {_date(end)}"
    return f"{text} ~ {_time(end)}" if end.date() == start.date() else f"{text} ~ {_date(end)} {_time(end)}"


def format_where(place_name: str | None, detail: str | None, is_online: bool) -> str | None:
    parts = [part for part in (place_name, detail) if part]
    if is_online:
        parts.append("온라인")
    return " ".join(parts) or None


def _date(moment: datetime) -> str:
    return f"{moment.year}년 {moment.month}월 {moment.day}일({_WEEKDAYS[moment.weekday()]})"


def _time(moment: datetime) -> str:
    half = "오전" if moment.hour < 12 else "오후"
    hour = moment.hour % 12 or 12
    return f"{half} {hour}:{moment.minute:02d}"
