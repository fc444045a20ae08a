"""Helpers for the KakaoTalk tests: fixture files and a full dump of what a parse result exposes."""

from __future__ import annotations

from pathlib import Path

from org_connectors.kakao import ExportParseResult, parse_export

FIXTURES = Path(__file__).resolve().parents[3] / "seeds" / "namwon" / "kakao"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_fixture(name: str, *, staff: list[str], room: str = "테스트 방") -> ExportParseResult:
    return parse_export(fixture_bytes(name), room=room, staff=staff)


def everything_in(result: ExportParseResult) -> str:
    """Every string the result carries, including unreadable lines' raw text, for leak checks."""
    parts: list[str] = [result.format]
    for post in result.posts:
        parts += [post.external_id, post.body, post.title or "", post.author_name or "", repr(post.payload)]
        parts += list(post.images) + list(post.tags)
    for item in result.unreadable:
        parts += [str(item), item.where or "", item.raw or ""]
    return "\n".join(parts)
