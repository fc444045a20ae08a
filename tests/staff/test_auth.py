"""Logging in, refreshing, logging out and API keys: each failure has its own clear, distinct answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from hub.db import Database
from hub.models import StaffSession, StaffUser
from hub.services import accounts
from tests.staff.support import PASSWORD, error_codes, make_world, staff_client

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken accessTokenExpiresAt user { email role organisation { slug } }
    errors { field code message }
  }
}"""
ME = "{ me { email role } }"
QUEUE = "{ reviewQueue { title } }"


async def test_login_refresh_logout_and_each_failure_is_distinct(db: Database, tmp_path: Path) -> None:
    await make_world(db)
    async with staff_client(db, tmp_path) as client:
        wrong = (
            await client.data(
                LOGIN, {"email": "youth_staff@namwon.example", "password": "틀린비밀번호입니다"}
            )
        )["login"]
        unknown = (await client.data(LOGIN, {"email": "nobody@namwon.example", "password": PASSWORD}))[
            "login"
        ]
        assert wrong["accessToken"] is None and wrong["errors"][0]["code"] == "INVALID_CREDENTIALS"
        assert wrong["errors"] == unknown["errors"], (
            "an unknown e-mail must look exactly like a wrong password"
        )
        assert "비밀번호가 맞지 않습니다" in wrong["errors"][0]["message"]

        ok = (await client.data(LOGIN, {"email": "Youth_Staff@namwon.example", "password": PASSWORD}))[
            "login"
        ]
        assert ok["errors"] == [] and ok["user"]["organisation"]["slug"] == "namwon-youth"
        assert ok["accessTokenExpiresAt"].endswith("+00:00") or "+" in ok["accessTokenExpiresAt"]
        staff = client.as_(ok["accessToken"])
        assert (await staff.data(ME))["me"] == {"email": "youth_staff@namwon.example", "role": "ORG_STAFF"}

        anonymous = await client.post(QUEUE)
        assert (
            error_codes(anonymous) == ["UNAUTHENTICATED"]
            and "로그인이 필요합니다" in anonymous["errors"][0]["message"]
        )
        garbage = await client.as_("yat_" + "x" * 43).post(QUEUE)
        assert error_codes(garbage) == ["TOKEN_INVALID"]

        refresh = """mutation($t: String!) { refreshToken(refreshToken: $t) {
          accessToken refreshToken errors { code message } } }"""
        rotated = (await client.data(refresh, {"t": ok["refreshToken"]}))["refreshToken"]
        assert rotated["errors"] == [] and rotated["accessToken"] != ok["accessToken"]
        replay = (await client.data(refresh, {"t": ok["refreshToken"]}))["refreshToken"]
        assert replay["errors"][0]["code"] == "TOKEN_INVALID", "a refresh token works once"
        old_access = await staff.post(ME)
        assert error_codes(old_access) == ["TOKEN_INVALID"], "rotation retires the old access token"

        fresh = client.as_(rotated["accessToken"])
        assert (await fresh.data("mutation { logout { ok } }"))["logout"]["ok"] is True
        after_logout = await fresh.post(ME)
        assert error_codes(after_logout) == ["TOKEN_REVOKED"]
        assert "로그아웃된 토큰" in after_logout["errors"][0]["message"]
        assert (await client.data(refresh, {"t": rotated["refreshToken"]}))["refreshToken"]["errors"][0][
            "code"
        ] == "TOKEN_REVOKED"

        # A token past its fifteen minutes: TOKEN_EXPIRED, and public fields still answer.
        late = (await client.data(LOGIN, {"email": "youth_staff@namwon.example", "password": PASSWORD}))[
            "login"
        ]
        async with db.write() as session:
            await session.execute(
                update(StaffSession.__table__).values(  # type: ignore[attr-defined]
                    access_expires_at=datetime.now(UTC) - timedelta(seconds=1)
                )
            )
        expired = client.as_(late["accessToken"])
        assert error_codes(await expired.post(QUEUE)) == ["TOKEN_EXPIRED"]
        assert (await expired.data("{ areas { slug } }"))["areas"][0]["slug"] == "community"


async def test_api_keys_are_shown_once_scoped_and_revocable(db: Database, tmp_path: Path) -> None:
    world = await make_world(db)
    async with staff_client(db, tmp_path) as client:
        youth = client.as_(world.tokens["youth_staff"])
        created = (
            await youth.data(
                """mutation { createApiKey(organisation: "namwon-youth", name: "검토 봇", scopes: [REVIEW]) {
                  key apiKey { id prefix scopes } errors { code } } }"""
            )
        )["createApiKey"]
        key, api_key = created["key"], created["apiKey"]
        assert (
            key.startswith("yak_") and key.startswith(api_key["prefix"]) and api_key["scopes"] == ["REVIEW"]
        )
        listed = (await youth.data('{ apiKeys(organisation: "namwon-youth") { id prefix } }'))["apiKeys"]
        assert key not in str(listed), "the key itself is never shown again"

        bot = client.as_(key)
        assert (await bot.data(QUEUE))["reviewQueue"] == []
        no_scope = await bot.post('{ sources(organisation: "namwon-youth") { name } }')
        assert error_codes(no_scope) == ["FORBIDDEN"] and "SOURCES" in no_scope["errors"][0]["message"]
        assert error_codes(await bot.post(ME)) == ["FORBIDDEN"], "a key is not a person"

        other = await client.as_(world.tokens["culture_staff"]).data(
            "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { id } errors { code } } }",
            {"id": api_key["id"]},
        )
        assert other["revokeApiKey"] == {"apiKey": None, "errors": [{"code": "NOT_FOUND"}]}

        await youth.data(
            "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }", {"id": api_key["id"]}
        )
        revoked = await bot.post(QUEUE)
        assert (
            error_codes(revoked) == ["API_KEY_REVOKED"] and "폐기된 API 키" in revoked["errors"][0]["message"]
        )


async def test_passwords_are_argon2id_and_a_new_password_ends_every_session(db: Database) -> None:
    await make_world(db)
    async with db.read() as conn:
        stored = (await conn.execute(select(StaffUser.__table__.c.password_hash))).scalars().all()  # type: ignore[attr-defined]
    assert all(h.startswith("$argon2id$") for h in stored) and PASSWORD not in str(stored)
    before = await accounts.login(db, "culture_staff@namwon.example", PASSWORD)
    await accounts.set_password(db, "culture_staff@namwon.example", "새-비밀번호-남원-2027")
    viewer = await accounts.authenticate(db, f"Bearer {before.access_token}")
    assert viewer.failure is not None and viewer.failure.code == "TOKEN_REVOKED"
