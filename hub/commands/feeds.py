"""`hub sources add rss|ical` and `hub import rss|ical`: blogs, city boards and calendars.

A secret calendar address is sealed when connected and never printed: only its redacted form is shown.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

import typer

from hub.commands import fail, import_app, out, run, settings, sources_add_app
from hub.db import Database
from hub.errors import NotFound
from hub.records import OrganisationRecord
from hub.secrets import SecretBox
from hub.services.feed_import import StoredDocument, import_calendar, import_feed, read_input
from hub.services.organisations import organisations_by_slugs
from hub.services.sources import SourceRecord
from hub.sync.feeds import add_feed_source, fetch_policy
from org_connectors import SourceKind
from org_connectors.feeds import default_window

OrgOption = Annotated[str, typer.Option("--org", help="기관 슬러그 / organisation slug")]
UrlOption = Annotated[str, typer.Option("--url", help="피드·달력 주소(http/https) / feed or calendar URL")]
NameOption = Annotated[str | None, typer.Option("--name", help="출처 이름 / a name staff recognise")]
PollOption = Annotated[int, typer.Option("--poll-seconds", help="수집 간격(초) / poll interval in seconds")]
Location = Annotated[str, typer.Argument(help="파일 경로 또는 http(s) 주소 / a file path or an http(s) URL")]


def _add(
    kind: SourceKind,
    org: str,
    url: str,
    name: str | None,
    poll_seconds: int,
    back: int | None = None,
    ahead: int | None = None,
) -> None:
    box = SecretBox(settings().resolved_secret_key())

    async def add(db: Database) -> SourceRecord:
        return await add_feed_source(
            db,
            box,
            organisation_slug=org,
            kind=kind,
            url=url,
            name=name,
            poll_interval_seconds=poll_seconds,
            window_back_days=back,
            window_ahead_days=ahead,
        )

    source = run(add)
    sealed = (
        " (비밀 주소는 암호화해 저장했습니다 / secret address stored encrypted)" if source.has_secret else ""
    )
    shown = str(source.config.get("shown_url", ""))
    where = "" if shown in source.name else f" · {shown}"
    out.print(
        f"출처를 연결했습니다 / connected source [bold]{source.id}[/]: {source.name}{where}{sealed}",
        highlight=False,
    )


@sources_add_app.command("rss")
def add_rss(org: OrgOption, url: UrlOption, name: NameOption = None, poll_seconds: PollOption = 900) -> None:
    """블로그·게시판 RSS/Atom 피드 연결 / Connect a blog or board RSS/Atom feed."""
    _add(SourceKind.RSS, org, url, name, poll_seconds)


@sources_add_app.command("ical")
def add_ical(
    org: OrgOption,
    url: UrlOption,
    name: NameOption = None,
    poll_seconds: PollOption = 900,
    window_back_days: Annotated[
        int | None, typer.Option("--window-back-days", help="지난 며칠까지 / days back (default 30)")
    ] = None,
    window_ahead_days: Annotated[
        int | None, typer.Option("--window-ahead-days", help="앞으로 며칠까지 / days ahead (default 180)")
    ] = None,
) -> None:
    """구글 캘린더 등 iCal 달력 연결(비밀 주소는 암호화) / Connect an iCal calendar (secret URLs sealed)."""
    _add(SourceKind.ICAL, org, url, name, poll_seconds, window_back_days, window_ahead_days)


async def _organisation(db: Database, slug: str) -> OrganisationRecord:
    organisation = (await organisations_by_slugs(db, [slug])).get(slug)
    if organisation is None:
        raise NotFound(f"알 수 없는 기관입니다: {slug} / Unknown organisation: {slug}")
    return organisation


def _print(stored: StoredDocument) -> None:
    report = stored.report
    out.print(
        f"가져왔습니다: 새 글 {report.created} · 수정 {report.updated} · 그대로 {report.unchanged} · "
        f"읽지 못함 {report.dead_letters} / imported: created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}, dead letters {report.dead_letters}",
        highlight=False,
    )
    for problem in stored.problems:
        out.print(f"  · {problem}", highlight=False, markup=False)


@import_app.command("rss")
def import_rss(location: Location, org: OrgOption) -> None:
    """RSS/Atom 피드를 한 번 가져오기 / Import an RSS/Atom feed once (broken entries are dead-lettered)."""
    config = settings()

    async def work(db: Database) -> StoredDocument:
        organisation = await _organisation(db, org)
        source = await read_input(location, policy=fetch_policy(config))
        return await import_feed(db, organisation, source, tz=config.zone)

    _print(run(work))


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 날짜는 YYYY-MM-DD 형식이어야 합니다: {value} / {option} takes a date like 2026-12-01")
        raise


@import_app.command("ical")
def import_ical(
    location: Location,
    org: OrgOption,
    from_: Annotated[
        str | None, typer.Option("--from", help="이 날부터(YYYY-MM-DD) / first day (default: 30 days ago)")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="이 날까지(YYYY-MM-DD) / last day (default: 180 days ahead)")
    ] = None,
) -> None:
    """iCal 달력의 기간 안 일정을 한 번 가져오기 / Import a calendar's occurrences within a window once."""
    config = settings()
    zone = config.zone
    default_start, default_end = default_window(datetime.now(zone))
    start = datetime.combine(_day(from_, "--from"), time(), zone) if from_ else default_start
    # --to names the last day, so the window runs to the midnight after it.
    end = datetime.combine(_day(to, "--to") + timedelta(days=1), time(), zone) if to else default_end

    async def work(db: Database) -> StoredDocument:
        organisation = await _organisation(db, org)
        source = await read_input(location, policy=fetch_policy(config))
        return await import_calendar(db, organisation, source, window_start=start, window_end=end, tz=zone)

    _print(run(work))
