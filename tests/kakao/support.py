"""Shared pieces of the hub-side KakaoTalk tests: skill payloads and a dump of stored text."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from hub.db import Database
from hub.models import DeadLetter, FeedItem, FeedItemSource, RawPost, Source

BOT_ID = "65f0b0ffee00000000000001"
STAFF_KEY = "9a3f0c2b7d1e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
MEMBER_KEY = "51c0ffee7d1e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80000000aa"
ANNOUNCEMENT = (
    "[공지] 청년 원탁회의 '남원에서 살아보기'\n"
    "일시: 12월 6일(토) 오후 3시\n"
    "장소: 청년마루 2층 다목적실\n"
    "신청: https://forms.gle/YouthRound1206"
)


def skill_payload(
    utterance: str = ANNOUNCEMENT,
    *,
    user: str = STAFF_KEY,
    bot_id: str = BOT_ID,
    surface: str = "Kakaotalk.plusfriend",
) -> dict[str, Any]:
    """A SkillPayload as the Open Builder sends it (reference §3.1), with snake_case duplicates."""
    body: dict[str, Any] = {
        "intent": {"id": "65f0c0ffee0000000000a001", "name": "공지 등록"},
        "userRequest": {
            "timezone": "Asia/Seoul",
            "params": {"surface": surface},
            "block": {"id": "65f0c0ffee0000000000a001", "name": "공지 등록"},
            "utterance": utterance,
            "lang": "ko",
            "user": {
                "id": user,
                "type": "botUserKey",
                "properties": {
                    "botUserKey": user,
                    "bot_user_key": user,
                    "plusfriendUserKey": "Hx8kQ2mZpL0a",
                    "isFriend": True,
                },
            },
        },
        "contexts": [],
        "bot": {"id": bot_id, "name": "남원 청년모임 알림봇"},
        "action": {
            "id": "65f0d0ffee0000000000b001",
            "name": "hub-ingest",
            "params": {},
            "detailParams": {},
            "clientExtra": None,
        },
        "flow": {
            "trigger": {"type": "TEXT_INPUT"},
            "lastBlock": {"id": "65f0c0ffee0000000000a000", "name": "웰컴"},
        },
    }
    if surface == "BuilderBotTest":
        body["userRequest"]["params"]["ignoreMe"] = "true"
    return copy.deepcopy(body)


async def stored_text(db: Database) -> str:
    """Every row of the tables a message could end up in, as one string, for leak checks."""
    parts: list[str] = []
    async with db.read() as conn:
        models: tuple[Any, ...] = (RawPost, FeedItem, FeedItemSource, DeadLetter, Source)
        for model in models:
            table = model.__table__
            for row in (await conn.execute(select(table))).mappings():
                parts.append(repr(dict(row)))
    return "\n".join(parts)


async def count_rows(db: Database, model: Any) -> int:
    async with db.read() as conn:
        return len((await conn.execute(select(model.__table__))).all())
