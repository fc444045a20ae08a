"""The `hub` command: the root, database, seeds and organisations; connectors add to `hub.commands`."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import DBAPIError, OperationalError

from hub.commands import fail, import_app, out, run, settings, sources_app
from hub.commands.reprocess import reprocess_command
from hub.db import Database

app = typer.Typer(
    help="연결(Yeongyeol) hub: 한눈에 보는 도시의 활동 / one graph of a city's activities.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="데이터베이스 / database", no_args_is_help=True)
seed_app = typer.Typer(help="기본 데이터 / seed data", no_args_is_help=True)
orgs_app = typer.Typer(help="기관 / organisations", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(orgs_app, name="orgs")
app.add_typer(sources_app, name="sources")
app.add_typer(import_app, name="import")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """스키마를 최신으로 / Apply all migrations."""
    from hub.migrate import head_revision, upgrade_sync

    try:
        upgrade_sync(settings().database_url)
    except (OperationalError, DBAPIError, OSError) as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        fail(f"데이터베이스에 연결할 수 없습니다 / Database unreachable: {reason}")
    out.print(f"데이터베이스가 최신입니다 / Database at revision {head_revision()}")


@seed_app.command("demo")
def seed_demo() -> None:
    """남원 데모(기관, 장소, 글) / Load the Namwon demo: organisations, places, posts."""
    from hub.seeds import seed_demo as load

    report = run(lambda db: load(db, settings().zone, feeds=True))
    out.print(
        f"기관 {report.organisations_added}곳 추가, 장소 {report.places}곳, "
        f"글 {report.posts_created}건 추가 · {report.posts_updated}건 갱신 · "
        f"{report.posts_unchanged}건 그대로 / "
        f"organisations added {report.organisations_added}, places {report.places}, posts created "
        f"{report.posts_created}, updated {report.posts_updated}, unchanged {report.posts_unchanged}"
    )
    out.print(f"블로그·게시판·달력 / blogs, boards, calendars: {report.feeds}")


@seed_app.command("places")
def seed_places() -> None:
    """남원 지명 사전만 / Load only the Namwon gazetteer of public places."""
    from hub.seeds import seed_places as load

    count = run(load)
    out.print(f"장소 {count}곳을 불러왔습니다 / loaded {count} places")


@orgs_app.command("add")
def orgs_add(
    slug: Annotated[str, typer.Argument(help="영문 슬러그 / slug, e.g. namwon-youth")],
    name: Annotated[str, typer.Option("--name", help="기관 이름 / name")],
    area: Annotated[str, typer.Option("--area", help="관심 영역 / area slug")],
    description: Annotated[str, typer.Option(help="소개 / description")] = "",
) -> None:
    """기관 추가 / Add an organisation."""
    from hub.services.organisations import add_organisation

    org = run(lambda db: add_organisation(db, slug=slug, name=name, area_slug=area, description=description))
    out.print(f"기관을 추가했습니다 / added organisation [bold]{org.slug}[/] ({org.name})")


@orgs_app.command("list")
def orgs_list() -> None:
    """기관 목록 / List organisations."""
    from hub.services.areas import areas_by_ids
    from hub.services.organisations import list_organisations

    async def load(db: Database) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        after: str | None = None
        while True:
            page = await list_organisations(db, first=100, after=after)
            areas = await areas_by_ids(db, [o.area_id for o in page.items])
            rows += [(o.slug, o.name, areas[o.area_id].slug) for o in page.items]
            if not page.has_next_page:
                return rows
            after = page.cursors[-1]

    table = Table("slug", "이름 / name", "영역 / area")
    for row in run(load):
        table.add_row(*row)
    out.print(table)


app.command("reprocess")(reprocess_command)


@app.command("schema")
def print_schema(
    out_file: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
) -> None:
    """GraphQL 스키마(SDL) 출력 / Print the public schema's SDL (committed as schema/schema.graphql)."""
    from schema import schema

    sdl = schema.as_str() + "\n"
    if out_file is None:
        sys.stdout.write(sdl)
    else:
        out_file.write_text(sdl, encoding="utf-8")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="listen address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="listen port")] = 8000,
) -> None:
    """서버 실행 / Serve the graph (an embedded SQLite database is migrated first)."""
    import uvicorn

    from hub.app import create_app
    from hub.logs import configure_logging
    from hub.migrate import upgrade_sync

    config = settings()
    configure_logging(config.log_level, json=config.log_json)
    if config.is_sqlite:
        try:
            upgrade_sync(config.database_url)
        except (OperationalError, DBAPIError, OSError) as exc:
            fail(f"데이터베이스를 열 수 없습니다 / Cannot open the database: {exc}")
    else:
        from hub.migrate import is_current

        if not run(is_current):
            fail("마이그레이션이 필요합니다: hub db upgrade / Run `hub db upgrade` first")
    application = create_app(config)
    # What start-up built (schema, modules, engines) lives as long as the process: keep it out of the
    # collector's full passes, which otherwise stop every request for ~150 ms (~12 ms frozen).
    gc.collect()
    gc.freeze()
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
        # asyncio's loop, not uvloop: under 32 busy connections uvloop served some of them seconds late
        # (p99 3.3 s against 0.44 s here) for the same throughput (bench/README.md).
        loop="asyncio",
    )


def main() -> None:
    app(prog_name="hub")


# Sub-commands that live in their own modules register on the groups in `hub.commands`.
from hub.commands import band as _band  # noqa: E402, F401
from hub.commands import feeds as _feeds  # noqa: E402, F401
from hub.commands import kakao as _kakao  # noqa: E402, F401
from hub.commands import sources as _sources  # noqa: E402, F401
from hub.commands import users as _users  # noqa: E402, F401
