"""`hub import rss|ical` and `hub sources add rss|ical` as operators run them, on both databases.

In-process through typer's runner (the real command tree, real HTTP on 127.0.0.1) to keep the suite fast;
one test runs the `hub` process itself to see that a bad file ends in one line and exit status 1.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.db import connect
from hub.services.dead_letters import list_dead_letters
from hub.services.sources import list_sources
from hub.settings import get_settings
from tests.support import databases
from tests.sync.feeds.store import DEAD_LETTERS, count, org
from tests.sync.feeds.support import ICS, SEEDS, FeedSite, seed

TOKEN = "5e1f9c0ffee77aa1b2c3"
SECRET_URL = (
    f"https://calendar.google.com/calendar/ical/culture%40group.calendar.google.com/private-{TOKEN}/basic.ics"
)


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


Hub = Callable[..., Result]


@pytest.fixture
def hub(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    """Run `hub …` in-process against a fresh migrated database (SQLite, then PostgreSQL)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("HUB_FETCH_ALLOWED_PRIVATE_HOSTS", raising=False)
    runner = CliRunner()

    def run(*args: str, allow_loopback: bool = False) -> Result:
        if allow_loopback:
            monkeypatch.setenv("HUB_FETCH_ALLOWED_PRIVATE_HOSTS", "127.0.0.1")
        else:
            monkeypatch.delenv("HUB_FETCH_ALLOWED_PRIVATE_HOSTS", raising=False)
        get_settings.cache_clear()  # settings are read once per process; each call here is a new "process"
        result = runner.invoke(app, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    asyncio.run(_organisations(database_url))
    yield run
    get_settings.cache_clear()


def one_error_line(result: Result | subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


async def _organisations(url: str) -> None:
    db = connect(url)
    try:
        await org(db, "namwon-small-change-forum", "남원작은변화포럼", "civic")
        await org(db, "namwon-culture-city", "남원문화도시사무국", "culture")
    finally:
        await db.dispose()


async def _stored(url: str) -> tuple[int, list[str], list[str]]:
    db = connect(url)
    try:
        letters = await list_dead_letters(db)
        sources = await list_sources(db)
        shown = [repr(source) for source in sources]
        return await count(db, DEAD_LETTERS), [letter.reason for letter in letters], shown
    finally:
        await db.dispose()


def test_imports_from_files_and_urls(hub: Hub, database_url: str, site: FeedSite) -> None:
    forum = ("--org", "namwon-small-change-forum")
    culture = ("--org", "namwon-culture-city")

    blog = hub("import", "rss", str(SEEDS / "rss/naver_blog_smallchange.xml"), *forum)
    assert blog.returncode == 0, blog.stderr
    assert "새 글 3 · 수정 0 · 그대로 0 · 읽지 못함 0" in blog.stdout
    assert (
        "새 글 0 · 수정 0 · 그대로 3"
        in hub("import", "rss", str(SEEDS / "rss/naver_blog_smallchange.xml"), *forum).stdout
    )

    broken = hub("import", "rss", str(SEEDS / "rss/broken_entries.xml"), *forum)
    assert broken.returncode == 0, broken.stderr
    assert "새 글 2" in broken.stdout and "읽지 못함 3" in broken.stdout
    assert "게시일을 읽을 수 없습니다: «다음 주 월요일»" in broken.stdout

    page = hub("import", "rss", str(SEEDS / "rss/not_a_feed.html"), *forum)
    assert "RSS/Atom 피드가 아닙니다" in one_error_line(page)
    calendar_as_feed = hub("import", "ical", str(SEEDS / "rss/naver_blog_smallchange.xml"), *culture)
    assert "iCalendar(.ics) 파일이 아닙니다" in one_error_line(calendar_as_feed)

    url = site.put("/calendar/ical/culture/public/basic.ics", seed("ical/culture_office_v1.ics"), ICS)
    window = ("--from", "2026-11-01", "--to", "2027-02-28")
    fetched = hub("import", "ical", url, *culture, *window, allow_loopback=True)
    assert fetched.returncode == 0, fetched.stderr
    assert "새 글 17" in fetched.stdout

    moved = hub("import", "ical", str(SEEDS / "ical/culture_office_v2.ics"), *culture, *window)
    assert "새 글 0 · 수정 2 · 그대로 15" in moved.stdout, moved.stderr
    # --to names the last day: the 6 February forum is in a window ending that day, not one ending before.
    assert (
        "그대로 17"
        in hub(
            "import",
            "ical",
            str(SEEDS / "ical/culture_office_v2.ics"),
            *culture,
            "--from",
            "2026-11-01",
            "--to",
            "2027-02-06",
        ).stdout
    )
    assert (
        "그대로 16"
        in hub(
            "import",
            "ical",
            str(SEEDS / "ical/culture_office_v2.ics"),
            *culture,
            "--from",
            "2026-11-01",
            "--to",
            "2027-02-05",
        ).stdout
    )

    refused = hub("import", "ical", url, *culture)
    assert "내부망·사설 주소로는 요청하지 않습니다" in one_error_line(refused)
    assert len(site.requests) == 1  # only the allowed import reached the server
    assert "YYYY-MM-DD" in one_error_line(hub("import", "ical", url, *culture, "--from", "12월 1일"))

    letters, reasons, _ = asyncio.run(_stored(database_url))
    assert letters == 5  # three broken entries, the HTML page and the feed given as a calendar
    assert any("RSS/Atom 피드가 아닙니다" in reason for reason in reasons)


def test_connecting_sources_never_shows_a_secret_address(hub: Hub, database_url: str) -> None:
    added = hub("sources", "add", "ical", "--org", "namwon-culture-city", "--url", SECRET_URL)
    assert added.returncode == 0, added.stderr
    assert "private-***" in added.stdout and "암호화" in added.stdout
    assert TOKEN not in added.stdout + added.stderr
    blog = hub(
        "sources",
        "add",
        "rss",
        "--org",
        "namwon-small-change-forum",
        "--name",
        "포럼 블로그",
        "--url",
        "https://rss.blog.naver.com/namwon_smallchange.xml",
        "--poll-seconds",
        "1800",
    )
    assert blog.returncode == 0 and "포럼 블로그" in blog.stdout
    listed = hub("sources", "list")
    assert listed.returncode == 0 and TOKEN not in listed.stdout and "포럼 블로그" in listed.stdout

    bad = hub("sources", "add", "rss", "--org", "namwon-small-change-forum", "--url", "ftp://x/y.xml")
    assert "http:// 또는 https://" in one_error_line(bad)
    nobody = hub("sources", "add", "rss", "--org", "nobody", "--url", "https://example.org/feed.xml")
    assert "알 수 없는 기관입니다" in one_error_line(nobody)

    _, _, sources = asyncio.run(_stored(database_url))
    assert len(sources) == 2 and all(TOKEN not in shown for shown in sources)


def test_the_hub_process_rejects_a_web_page_in_one_line(sqlite_template: Path, tmp_path: Path) -> None:
    url = databases.fresh_sqlite(sqlite_template, tmp_path)
    asyncio.run(_organisations(url))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    environment.update(HUB_DATABASE_URL=url, COLUMNS="200")
    args = ["import", "rss", str(SEEDS / "rss/not_a_feed.html"), "--org", "namwon-small-change-forum"]

    result = subprocess.run(
        [sys.executable, "-c", "from hub.cli import main; main()", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert "RSS/Atom 피드가 아닙니다" in one_error_line(result) and "Not an RSS or Atom feed" in result.stderr


def test_seed_demo_replays_the_feed_files_and_repeats_without_changes(hub: Hub) -> None:
    first = hub("seed", "demo")
    again = hub("seed", "demo")

    assert first.returncode == 0, first.stderr
    assert "블로그·게시판·달력" in first.stdout and "새 글 24 · 수정 0 · 그대로 0" in first.stdout
    assert "새 글 0 · 수정 0 · 그대로 24" in again.stdout and "읽지 못함 0" in again.stdout
