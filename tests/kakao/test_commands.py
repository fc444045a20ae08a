"""`hub import kakao`, `hub sources add kakao` and `hub sources kakao-staff` as operators run them.

In-process through typer's runner (the real command tree, the real database) to keep the suite fast;
`tests/hub/test_cli.py` covers the `hub` process itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.settings import get_settings
from tests.connectors.kakao.support import FIXTURES


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run `hub …` against a fresh embedded database in `tmp_path`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'hub.sqlite3'}")
    monkeypatch.setenv("HUB_PUBLIC_URL", "https://hub.namwon.example")
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> Result:
        result = runner.invoke(app, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    assert run("db", "upgrade").returncode == 0
    yield run
    get_settings.cache_clear()


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_import_prints_its_counts_and_a_repeat_adds_nothing(hub: Any, tmp_path: Path) -> None:
    hub(
        "orgs",
        "add",
        "namwon-culture-city",
        "--name",
        "남원문화도시사무국",
        "--area",
        "culture",
    )
    args = ["import", "kakao", str(FIXTURES / "android_ko.txt"), "--org", "namwon-culture-city"]
    staff = ["--staff", "문화도시사무국", "--staff", "서해린 코디네이터"]

    first = hub(*args, *staff)
    again = hub(*args, *staff)

    assert first.returncode == 0, first.stderr
    assert (
        "메시지 9건 읽음 · 3건 담당자 공지 · 2건 담당자 아님(저장 안 함) · 4건 짧은 대화·미디어 · 0줄 읽지 못함"
        in (first.stdout)
    )
    assert "글 3건 추가 · 0건 갱신 · 0건 그대로" in first.stdout
    assert (
        "read 9 messages: kept 3, skipped 2 non-staff, skipped 4 chatter, could not read 0 lines"
        in first.stdout
    )
    assert again.returncode == 0 and "글 0건 추가 · 0건 갱신 · 3건 그대로" in again.stdout

    damaged = hub("import", "kakao", str(FIXTURES / "corrupted.txt"), "--org", "namwon-culture-city",
                  "--staff", "남원시공동체지원센터")  # fmt: skip
    assert (
        damaged.returncode == 0
        and "4줄 읽지 못함" in damaged.stdout
        and "hub sources errors" in damaged.stdout
    )


def test_import_mistakes_give_one_clear_line_and_exit_1(hub: Any, tmp_path: Path) -> None:
    hub("orgs", "add", "namwon-youth", "--name", "남원 청년모임", "--area", "youth")
    too_big = tmp_path / "KakaoTalk_huge.txt"
    with too_big.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)
    cases = {
        "카카오톡 대화 내보내기 형식이 아닙니다. 읽지 못한 첫 줄: «2025년 남원시 마을공동체 활성화 회의록»": (
            FIXTURES / "not_an_export.txt",
            "namwon-youth",
        ),
        "파일이 너무 큽니다": (too_big, "namwon-youth"),
        "파일을 읽을 수 없습니다": (tmp_path / "없는파일.txt", "namwon-youth"),
        "알 수 없는 기관입니다: no-such-org": (FIXTURES / "windows_en.txt", "no-such-org"),
    }
    for expected, (file, org) in cases.items():
        result = hub("import", "kakao", str(file), "--org", org, "--staff", "청년모임 운영진")
        assert result.returncode == 1, (expected, result.stdout)
        line = one_error_line(result.stderr)
        assert expected in line and "Error" in line


def test_kakao_source_prints_the_skill_url_and_registers_staff(hub: Any, tmp_path: Path) -> None:
    hub("orgs", "add", "namwon-youth", "--name", "남원 청년모임", "--area", "youth")

    added = hub(
        "sources", "add", "kakao", "--org", "namwon-youth", "--bot-id", "65f0b0ffee00000000000001",
        "--staff", "청년모임 운영진", "--header-secret"
    )  # fmt: skip

    assert added.returncode == 0, added.stderr
    assert re.search(r"^https://hub\.namwon\.example/hooks/kakao/1/[A-Za-z0-9_-]{40,}$", added.stdout, re.M)
    assert re.search(r"x-hub-skill-secret: [A-Za-z0-9_-]{40,}", added.stdout)
    registered = hub("sources", "kakao-staff", "1", "--key", "9a3f0c2b7d1e4f5a")
    repeated = hub("sources", "kakao-staff", "1", "--key", "9a3f0c2b7d1e4f5a")
    assert "담당자를 등록했습니다" in registered.stdout and "이미 등록된 담당자입니다" in repeated.stdout
    not_polled = hub("sources", "sync", "1")
    assert not_polled.returncode == 1 and "수집 대상이 아닙니다" in one_error_line(not_polled.stderr)
    no_staff = hub(
        "sources",
        "add",
        "kakao",
        "--org",
        "namwon-youth",
        "--bot-id",
        "bad id!",
        "--staff",
        "x",
    )
    assert no_staff.returncode == 1 and "봇 ID" in one_error_line(no_staff.stderr)
