"""The Kakao chatbot skill endpoint over HTTP: what staff, members and strangers get back, and what is kept."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hub.app import create_app
from hub.db import Database
from hub.models import DeadLetter, FeedItem, RawPost
from hub.records import OrganisationRecord
from hub.secrets import SecretBox
from hub.services.feed import FeedQuery, feed_page
from hub.services.kakao_skill import format_when
from hub.services.kakao_sources import NewKakaoSource, add_kakao_source, register_staff_key
from hub.services.sources import SourceState, set_state
from hub.settings import Settings
from org_connectors import RawPost as ConnectorPost
from org_connectors import SourceKind, StructuredEvent
from org_connectors.kakao import pseudonymous_user_key, validate_skill_response
from tests.kakao.support import (
    BOT_ID,
    MEMBER_KEY,
    STAFF_KEY,
    count_rows,
    skill_payload,
    stored_text,
)
from tests.support.factories import ingest, organisation
from tests.support.graph import settings_for
from tests.support.server import serve_asgi


@dataclass
class Skill:
    db: Database
    http: httpx.AsyncClient
    org: OrganisationRecord
    created: NewKakaoSource
    settings: Settings

    @property
    def path(self) -> str:
        return httpx.URL(self.created.skill_url).path

    async def send(
        self, body: Any, *, path: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        response = await self.http.post(
            path or self.path,
            content=content,
            headers={"content-type": "application/json", **(headers or {})},
        )
        answer: dict[str, Any] = response.json()
        validate_skill_response(answer)  # every answer, errors included, is a SkillResponse 2.0
        return response.status_code, answer


def text_of(answer: dict[str, Any]) -> str:
    text: str = answer["template"]["outputs"][0]["simpleText"]["text"]
    assert 0 < len(text) <= 1000
    return text


async def make_source(
    db: Database, settings: Settings, **options: Any
) -> tuple[OrganisationRecord, NewKakaoSource]:
    org = await organisation(db, "namwon-youth", "youth")
    created = await add_kakao_source(
        db,
        SecretBox(settings.resolved_secret_key()),
        organisation_slug=org.slug,
        bot_id=BOT_ID,
        staff_names=["청년모임 운영진"],
        staff_keys=[STAFF_KEY],
        public_url="https://hub.namwon.example",
        **options,
    )
    return org, created


@pytest.fixture
async def skill(db: Database, tmp_path: Path) -> AsyncIterator[Skill]:
    settings = settings_for(db.url, tmp_path, public_url="https://hub.namwon.example")
    org, created = await make_source(db, settings)
    app = create_app(settings, db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://hub.test") as http:
        yield Skill(db, http, org, created, settings)


async def test_skill_url_is_the_public_url_with_an_unguessable_secret(skill: Skill) -> None:
    prefix = f"https://hub.namwon.example/hooks/kakao/{skill.created.source.id}/"
    assert skill.created.skill_url.startswith(prefix)
    assert len(skill.created.skill_url.removeprefix(prefix)) >= 40
    # Stored sealed and pseudonymised: neither the secret nor the botUserKey appears as given.
    stored = await stored_text(skill.db)
    assert skill.created.skill_url.removeprefix(prefix) not in stored
    assert STAFF_KEY not in stored
    assert pseudonymous_user_key(BOT_ID, STAFF_KEY) in stored
    assert skill.created.source.next_poll_at is None  # pushed, never polled


async def test_staff_announcement_is_stored_and_the_answer_says_what_was_understood(skill: Skill) -> None:
    status, answer = await skill.send(skill_payload(), headers={"x-request-id": "kakao-req-0001"})

    assert status == 200
    text = text_of(answer)
    page = await feed_page(skill.db, FeedQuery(organisations=(skill.org.slug,)), first=10)
    assert len(page.items) == 1
    item = page.items[0]
    assert item.body.startswith("[공지] 청년 원탁회의") and "청년마루 2층 다목적실" in item.body
    assert "공지를 받았습니다" in text
    assert f"제목 (title): {item.title}" in text and "남원에서 살아보기" in item.title
    when = format_when(item.starts_at, item.ends_at, item.all_day, skill.settings.zone)
    assert f"일시 (when): {when or '찾지 못했습니다'}" in text
    assert "장소 (where): " in text
    assert answer["template"]["quickReplies"][0]["messageText"] == "공지 목록"
    # The inbox keeps the request, with the sender pseudonymised.
    stored = await stored_text(skill.db)
    assert await count_rows(skill.db, RawPost) == 1
    assert STAFF_KEY not in stored

    # Kakao retries with the same request id: nothing new.
    status, again = await skill.send(skill_payload(), headers={"x-request-id": "kakao-req-0001"})
    assert status == 200 and "이미 받은 공지입니다" in text_of(again)
    assert await count_rows(skill.db, FeedItem) == 1


async def test_a_long_announcement_still_gets_a_valid_short_answer(skill: Skill) -> None:
    long_text = "[공지] 남원 청년 정책 제안서 전문\n" + "청년이 살기 좋은 남원을 위한 제안입니다. " * 150

    status, answer = await skill.send(skill_payload(long_text))

    assert status == 200 and "공지를 받았습니다" in text_of(answer)
    assert await count_rows(skill.db, FeedItem) == 1


async def test_wrong_secret_or_unknown_source_is_refused_and_nothing_is_read(skill: Skill) -> None:
    source_id = skill.created.source.id
    for path in (
        f"/hooks/kakao/{source_id}/not-the-secret",
        f"/hooks/kakao/{source_id}/{skill.path.rsplit('/', 1)[1][:-1]}",
        f"/hooks/kakao/{source_id + 99}/{skill.path.rsplit('/', 1)[1]}",
    ):
        status, answer = await skill.send(skill_payload(), path=path)
        assert status == 403, path
        assert "인증되지 않은 요청" in text_of(answer)
    assert await count_rows(skill.db, RawPost) == 0
    assert await count_rows(skill.db, DeadLetter) == 0


async def test_header_secret_when_configured(db: Database, tmp_path: Path) -> None:
    settings = settings_for(db.url, tmp_path)
    _, created = await make_source(db, settings, header_secret=True)
    assert created.header_secret is not None
    app = create_app(settings, db=db)
    path = httpx.URL(created.skill_url).path
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://hub.test") as http:
        without = await http.post(path, json=skill_payload())
        wrong = await http.post(path, json=skill_payload(), headers={"x-hub-skill-secret": "guess"})
        right = await http.post(
            path, json=skill_payload(), headers={"x-hub-skill-secret": created.header_secret}
        )
    assert (without.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    for response in (without, wrong, right):
        validate_skill_response(response.json())
    assert await count_rows(db, FeedItem) == 1


async def test_request_from_another_bot_is_refused_and_dead_lettered(skill: Skill) -> None:
    status, answer = await skill.send(skill_payload(bot_id="65f0b0ffee0000000000beef"))

    assert status == 403 and "연결된 스킬이 아닙니다" in text_of(answer)
    assert await count_rows(skill.db, FeedItem) == 0
    stored = await stored_text(skill.db)
    assert "65f0b0ffee0000000000beef" in stored  # the operator sees which bot called
    assert "남원에서 살아보기" not in stored


async def test_member_who_is_not_staff_gets_a_polite_refusal_and_a_code_to_register(skill: Skill) -> None:
    member_text = "[공지] 저도 공지 올려도 되나요? 12월 13일 플리마켓 엽니다"

    status, answer = await skill.send(skill_payload(member_text, user=MEMBER_KEY))

    text = text_of(answer)
    assert status == 200 and "담당자로 등록된 분만" in text and "저장하지 않았습니다" in text
    code = pseudonymous_user_key(BOT_ID, MEMBER_KEY)
    assert code in text
    assert await count_rows(skill.db, RawPost) == 0
    assert "플리마켓" not in await stored_text(skill.db)

    # The administrator registers the code; the same member can now post.
    assert await register_staff_key(skill.db, skill.created.source.id, code) is True
    status, answer = await skill.send(skill_payload(member_text, user=MEMBER_KEY))
    assert status == 200 and "공지를 받았습니다" in text_of(answer)
    assert MEMBER_KEY not in await stored_text(skill.db)


async def test_builder_test_traffic_is_answered_but_never_stored(skill: Skill) -> None:
    status, answer = await skill.send(skill_payload(surface="BuilderBotTest", user=MEMBER_KEY))

    text = text_of(answer)
    assert status == 200 and text.startswith("[테스트]") and "남원에서 살아보기" in text
    assert await count_rows(skill.db, RawPost) == 0
    assert await count_rows(skill.db, FeedItem) == 0


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b'{"userRequest": {"utterance": "\xea\xb3\xb5\xec\xa7\x80', "body"),
        (b"[]", "body"),
        (json.dumps({"userRequest": {"utterance": "공지", "user": {"id": STAFF_KEY}}}).encode(), "bot"),
    ],
    ids=["cut-json", "not-an-object", "no-bot"],
)
async def test_malformed_requests_are_answered_and_dead_lettered(
    skill: Skill, body: bytes, where: str
) -> None:
    status, answer = await skill.send(body)

    assert status == 400 and "요청을 읽을 수 없습니다" in text_of(answer)
    async with skill.db.read() as conn:
        letters = (await conn.execute(select(DeadLetter.__table__))).mappings().all()  # type: ignore[attr-defined]
    assert len(letters) == 1
    assert letters[0]["kind"] == "kakao_skill" and where in letters[0]["origin"]
    assert letters[0]["source_id"] == skill.created.source.id
    assert await count_rows(skill.db, FeedItem) == 0


async def test_empty_message_asks_for_text(skill: Skill) -> None:
    status, answer = await skill.send(skill_payload("   "))

    assert status == 200 and "글로 보내 주세요" in text_of(answer)
    assert await count_rows(skill.db, RawPost) == 0


async def test_oversized_body_is_refused_before_it_is_parsed(skill: Skill) -> None:
    huge = skill_payload("[공지] " + "가" * 70_000)

    status, answer = await skill.send(huge)

    assert status == 413 and "너무 깁니다" in text_of(answer)
    assert await count_rows(skill.db, RawPost) == 0
    assert "가가가가" not in await stored_text(skill.db)
    assert "65,536" in await stored_text(skill.db)  # the dead letter says why, without the body


async def test_list_command_answers_the_next_upcoming_items_of_this_organisation(skill: Skill) -> None:
    now = datetime.now(UTC)
    other = await organisation(skill.db, "namwon-culture-city", "culture")

    def event(n: int, title: str, days: float) -> ConnectorPost:
        start = now + timedelta(days=days)
        return ConnectorPost(
            source_kind=SourceKind.MANUAL,
            external_id=f"list-{n}",
            posted_at=now - timedelta(days=10),
            title=title,
            body=f"{title} 안내입니다.",
            author_is_staff=True,
            event=StructuredEvent(start, start + timedelta(hours=2), location="청년마루"),
        )

    await ingest(skill.db, skill.org, event(1, "청년 원탁회의", 9))
    await ingest(skill.db, skill.org, event(2, "청년 창업 교실", 2))
    await ingest(skill.db, skill.org, event(3, "지난 달 모임", -30))
    await ingest(skill.db, other, event(4, "문화도시 워크숍", 1))

    status, answer = await skill.send(skill_payload("공지 목록", user=MEMBER_KEY))

    text = text_of(answer)
    assert status == 200
    assert text.index("청년 창업 교실") < text.index("청년 원탁회의")
    assert "1. " in text and "2. " in text
    assert "지난 달 모임" not in text and "문화도시 워크숍" not in text
    assert "공지를 받았습니다" not in text and await count_rows(skill.db, RawPost) == 4


async def test_list_command_with_nothing_upcoming(skill: Skill) -> None:
    status, answer = await skill.send(skill_payload("공지 목록"))

    assert status == 200 and "다가오는 일정이 없습니다" in text_of(answer)


async def test_paused_source_stores_nothing(skill: Skill) -> None:
    await set_state(skill.db, skill.created.source.id, SourceState.PAUSED)

    status, answer = await skill.send(skill_payload())

    assert status == 200 and "잠시 멈추었습니다" in text_of(answer)
    assert await count_rows(skill.db, RawPost) == 0


async def test_access_log_never_holds_the_url_secret(skill: Skill, caplog: pytest.LogCaptureFixture) -> None:
    secret = skill.path.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO):
        await skill.send(skill_payload())
        await skill.send(skill_payload(), path=f"/hooks/kakao/{skill.created.source.id}/wrong-secret-value")

    # Only the hub's own records: the test client (httpx) logs the URLs it calls.
    hub_records = [record for record in caplog.records if record.name.startswith("hub")]
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in hub_records)
    assert f"/hooks/kakao/{skill.created.source.id}/***" in logged
    assert secret not in logged and "wrong-secret-value" not in logged


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = settings_for(database_url, tmp_path)
    with serve_asgi(create_app(settings)) as base_url:
        yield base_url, settings


async def test_over_real_http_a_chunked_oversized_body_is_cut_off_at_the_cap(
    db: Database, served: tuple[str, Settings]
) -> None:
    base_url, settings = served
    _, created = await make_source(db, settings)
    url = base_url + httpx.URL(created.skill_url).path

    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the cap must hold while streaming.
        yield b'{"userRequest": {"utterance": "'
        for _ in range(100):
            yield "가".encode() * 1000
        yield b'"}}'

    async with httpx.AsyncClient(timeout=10) as http:
        good = await http.post(url, json=skill_payload())
        huge = await http.post(url, content=chunks(), headers={"content-type": "application/json"})
    assert good.status_code == 200 and "공지를 받았습니다" in text_of(good.json())
    assert huge.status_code == 413
    validate_skill_response(huge.json())
    # The answer left once the inbox row was committed; the pipeline finishes right after.
    assert await count_rows(db, RawPost) == 1
    for _ in range(200):  # at most 10 s
        if await count_rows(db, FeedItem):
            break
        await asyncio.sleep(0.05)
    assert await count_rows(db, FeedItem) == 1
