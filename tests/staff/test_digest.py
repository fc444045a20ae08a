"""The weekly digest: grouped by day, public items only, KakaoTalk messages of at most 1000 characters."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.db import Database
from hub.services.digest import split_messages, weekly_digest
from org_connectors import SourceKind
from tests.staff.support import make_world
from tests.support.databases import fresh_sqlite
from tests.support.factories import ingest, post

SEOUL = ZoneInfo("Asia/Seoul")


async def test_a_busy_week_splits_into_messages_by_day(db: Database) -> None:
    world = await make_world(db)
    for n in range(60):  # 60 events over the week of 2026-11-23, several a day
        org = world.youth if n % 2 else world.culture
        title = f"남원 마을 모임 {n}번째 — 요천 둔치 걷기와 이야기 나눔 (신청 필수)"
        await ingest(
            db, org, post(n, kind=SourceKind.BAND, title=title, starts_in_days=3 + (n % 7) + n / 100)
        )
    await ingest(
        db, world.youth, post(99, kind=SourceKind.BAND, title="검토 대기 글", starts_in_days=4, staff=False)
    )
    digest = await weekly_digest(db, date(2026, 11, 25), SEOUL)
    assert digest.week_start == date(2026, 11, 23)
    assert [day.heading for day in digest.days][:2] == ["■ 11월 23일 (월)", "■ 11월 24일 (화)"]
    assert sum(len(day.lines) for day in digest.days) == 60
    assert "검토 대기 글" not in digest.text
    assert len(digest.messages) > 1 and all(len(m) <= 1000 for m in digest.messages)
    assert "".join(digest.messages).count("남원 마을 모임") == 60, "nothing is lost between messages"
    youth_only = await weekly_digest(db, date(2026, 11, 25), SEOUL, area_slug="youth")
    assert sum(len(day.lines) for day in youth_only.days) == 30 and "청년" in youth_only.text


def test_an_overlong_day_is_split_between_lines() -> None:
    block = "\n".join(["■ 11월 24일 (화)", *(f"· 10:00 행사 {n} " + "가" * 80 for n in range(30))])
    messages = split_messages("📅 이번 주 소식", [block])
    assert all(len(m) <= 1000 for m in messages) and len(messages) >= 3
    assert sum(m.count("· 10:00 행사") for m in messages) == 30


def test_users_command_adds_an_account_from_a_password_file(tmp_path: Path, sqlite_template: Path) -> None:
    hub = [sys.executable, "-c", "from hub.cli import main; main()"]
    url = fresh_sqlite(sqlite_template, tmp_path)  # already migrated: process start-up dominates here
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200", "HUB_DATABASE_URL": url}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*hub, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    (tmp_path / "pw").write_text("남원-청년-비밀번호-2026\n", encoding="utf-8")
    added = run("users", "add", "Kim@Namwon.example", "--name", "김편집", "--role", "AREA_EDITOR",
                "--area", "youth", "--password-file", "pw")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "kim@namwon.example" in added.stdout and "영역 편집자" in added.stdout
    (tmp_path / "short").write_text("짧다\n", encoding="utf-8")
    weak = run("users", "passwd", "kim@namwon.example", "--password-file", "short")
    assert weak.returncode == 1 and "10자 이상" in weak.stderr
