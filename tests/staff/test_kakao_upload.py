"""Staff upload a KakaoTalk export through the graph: a GraphQL multipart request over real HTTP, the
same import and limits as `hub import kakao`, only the organisation's own staff, anonymous refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from hub.app import create_app
from hub.db import Database
from hub.models import AuditEntry, DeadLetter, FeedItem, RawPost
from org_connectors.kakao import MAX_EXPORT_BYTES
from tests.connectors.kakao.support import fixture_bytes
from tests.staff.support import make_world
from tests.support.graph import settings_for
from tests.support.server import serve_asgi

_audit = AuditEntry.__table__  # type: ignore[attr-defined]
_letter = DeadLetter.__table__  # type: ignore[attr-defined]

UPLOAD = """mutation($organisation: String!, $staff: [String!]!, $file: Upload!) {
  uploadKakaoExport(organisation: $organisation, staff: $staff, file: $file) {
    report { room format messagesRead kept skippedNonStaff skippedChatter unreadable created updated unchanged }
    errors { field code message }
  }
}"""
CENTRE_STAFF = ["남원시공동체지원센터", "김보람 코디"]
EXPORT_NAME = "KakaoTalk_Chat_남원 마을공동체 활동가 모임_2025-04-07-21-15-03.txt"


async def upload(
    http: httpx.AsyncClient,
    token: str | None,
    content: bytes,
    *,
    file_name: str = EXPORT_NAME,
    organisation: str = "namwon-youth",
    staff: list[str] = CENTRE_STAFF,
) -> httpx.Response:
    """A request built per the GraphQL multipart request spec: `operations`, `map`, then the file part."""
    operations = {
        "query": UPLOAD,
        "variables": {"organisation": organisation, "staff": staff, "file": None},
    }
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations, ensure_ascii=False),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": (file_name, content, "text/plain")},
        headers=headers,
    )


def payload(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["uploadKakaoExport"]
    return result


async def count(db: Database, model: Any, *where: Any) -> int:
    table = model.__table__
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one())


async def test_staff_upload_a_korean_export_over_http_and_get_the_clis_counts(
    db: Database, tmp_path: Path
) -> None:
    world = await make_world(db)
    staff = world.tokens["youth_staff"]
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            first = payload(await upload(http, staff, fixture_bytes("windows_ko.txt")))
            again = payload(await upload(http, world.keys["namwon-youth"], fixture_bytes("windows_ko.txt")))
            feed = (
                await http.post(
                    "/graphql",
                    json={
                        "query": '{ feed(first: 20, filter: {organisations: ["namwon-youth"], sourceKinds: [KAKAO]}) '
                        "{ edges { node { title body } } } }"
                    },
                )
            ).json()["data"]["feed"]["edges"]

    assert first["errors"] == []
    assert first["report"] == {
        "room": "kakao:namwon-youth",
        "format": "windows_ko",
        "messagesRead": 13,
        "kept": 5,
        "skippedNonStaff": 4,
        "skippedChatter": 4,
        "unreadable": 0,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
    }
    # The same export again (here by the organisation's API key) adds nothing: the CLI's idempotency.
    assert again["report"]["created"] == 0 and again["report"]["unchanged"] == 5
    bodies = "\n".join(edge["node"]["body"] for edge in feed)
    assert "마을공동체 씨앗모임 공모 설명회" in bodies
    assert "송동면 세전마을" not in bodies, "members' messages are never stored"
    async with db.read() as conn:
        audit = (await conn.execute(select(_audit).where(_audit.c.action == "kakao.import"))).mappings().all()
    assert [(row["actor"], row["after"]["created"], row["after"]["file"]) for row in audit] == [
        ("user:youth_staff@namwon.example", 5, EXPORT_NAME),
        (audit[1]["actor"], 0, EXPORT_NAME),
    ]
    assert audit[1]["actor"].startswith("api-key:")


async def test_bad_files_get_the_clis_clear_errors_and_dead_letters(db: Database, tmp_path: Path) -> None:
    world = await make_world(db)
    staff = world.tokens["youth_staff"]
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            not_export = payload(
                await upload(http, staff, fixture_bytes("not_an_export.txt"), file_name="not_an_export.txt")
            )
            corrupted = payload(
                await upload(
                    http, staff, fixture_bytes("corrupted.txt"), file_name="../../corrupted.txt",
                    staff=["남원시공동체지원센터"],
                )
            )  # fmt: skip
            just_over = payload(
                await upload(http, staff, b"a" * (MAX_EXPORT_BYTES + 1), file_name="huge.txt")
            )
            far_over = await upload(http, staff, b"a" * (MAX_EXPORT_BYTES + 200_000), file_name="huger.txt")

    assert not_export["report"] is None
    [error] = not_export["errors"]
    assert error["code"] == "INVALID" and error["message"].startswith("not_an_export.txt: ")
    assert " / " in error["message"], "Korean, then English"
    assert corrupted["report"]["unreadable"] == 4 and corrupted["report"]["created"] == 3
    async with db.read() as conn:
        origins = list((await conn.execute(select(_letter.c.origin).order_by(_letter.c.id))).scalars())
    # The folders a client put in the file name are dropped; the line numbers are the CLI's.
    assert origins == [
        "corrupted.txt:line 8",
        "corrupted.txt:line 11",
        "corrupted.txt:line 13",
        "corrupted.txt:line 14",
    ]
    assert just_over["report"] is None
    assert (
        "20 MB" in just_over["errors"][0]["message"]
        and "파일이 너무 큽니다" in just_over["errors"][0]["message"]
    )
    assert far_over.status_code == 413
    assert far_over.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert "20 MB" in far_over.json()["errors"][0]["message"]
    assert await count(db, RawPost) == 3, "only the corrupted export's three readable staff posts"


async def test_only_the_organisations_staff_may_upload_and_anonymous_multipart_is_refused(
    db: Database, tmp_path: Path
) -> None:
    world = await make_world(db)
    export = fixture_bytes("windows_ko.txt")
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            other = await upload(http, world.tokens["culture_staff"], export)
            facilitator = await upload(http, world.tokens["facilitator"], export)
            anonymous = await upload(http, None, export)
            bad_token = await upload(http, "hub_at_not-a-real-token", export)
            # Anonymous bodies stay capped at 64 KiB whatever they claim to be.
            big_anonymous = await upload(http, None, b"a" * (1024 * 1024))
            admin = payload(await upload(http, world.tokens["admin"], export))

    for refused in (other, facilitator):
        body = refused.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "권한이 없습니다" in body["errors"][0]["message"]
    for response in (anonymous, bad_token, big_anonymous):
        assert response.status_code == 401
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "로그인한 담당자만" in error["message"] and "Authorization: Bearer" in error["message"]
    assert admin["report"]["created"] == 5, "admins may upload for any organisation"
    assert await count(db, FeedItem) == 5, "nothing was stored for the refused uploads"
