"""The `hub` command as operators run it: real processes, one clear line on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HUB = [sys.executable, "-c", "from hub.cli import main; main()"]


def hub(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    environment.update(env, COLUMNS="200")
    return subprocess.run(
        [*HUB, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_upgrade_seed_and_list_on_a_fresh_directory(tmp_path: Path) -> None:
    assert hub("db", "upgrade", cwd=tmp_path).returncode == 0
    assert (tmp_path / "var" / "hub.sqlite3").exists()
    seeded = hub("seed", "demo", cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "기관 6곳 추가" in seeded.stdout
    again = hub("seed", "demo", cwd=tmp_path)
    assert "기관 0곳 추가" in again.stdout and "14건 그대로" in again.stdout
    listed = hub("orgs", "list", cwd=tmp_path)
    assert "namwon-small-change-forum" in listed.stdout and "남원작은변화포럼" in listed.stdout
    added = hub(
        "orgs", "add", "namwon-library", "--name", "남원시립도서관", "--area", "education", cwd=tmp_path
    )
    assert added.returncode == 0 and "namwon-library" in added.stdout


def test_operator_mistakes_give_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    hub("db", "upgrade", cwd=tmp_path)
    hub("orgs", "add", "namwon-youth", "--name", "남원 청년모임", "--area", "youth", cwd=tmp_path)
    cases = {
        "이미 있는 기관 슬러그": hub(
            "orgs", "add", "namwon-youth", "--name", "x", "--area", "youth", cwd=tmp_path
        ),
        "알 수 없는 관심 영역": hub(
            "orgs", "add", "new-org", "--name", "x", "--area", "sports", cwd=tmp_path
        ),
        "HUB_ENV": hub("orgs", "list", cwd=tmp_path, HUB_ENV="staging"),
        "데이터베이스에 연결할 수 없습니다": hub(
            "orgs", "list", cwd=tmp_path, HUB_DATABASE_URL="postgresql://hub@127.0.0.1:1/hub"
        ),
    }
    for expected, result in cases.items():
        assert result.returncode == 1, (expected, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert expected in lines[0] and "Error" in lines[0]
        assert "Traceback" not in result.stderr
