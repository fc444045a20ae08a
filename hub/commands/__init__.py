"""Shared pieces of the `hub` command: the sub-command groups connectors add to, and error handling.

Every failure a person can fix ends in one clear line (Korean / English) and exit status 1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError, OperationalError

from hub.db import Database, connect
from hub.errors import HubError
from hub.settings import Settings, get_settings

T = TypeVar("T")

sources_app = typer.Typer(
    help="연결된 출처 / connected sources (BAND, Kakao, RSS, iCal)", no_args_is_help=True
)
sources_add_app = typer.Typer(help="출처 연결 / connect a source", no_args_is_help=True)
sources_app.add_typer(sources_add_app, name="add")
import_app = typer.Typer(
    help="파일·주소에서 한 번 가져오기 / one-off import from a file or URL", no_args_is_help=True
)

out = Console(soft_wrap=True)
err = Console(stderr=True)


def fail(message: str) -> None:
    err.print(f"[bold red]오류 / Error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def settings() -> Settings:
    try:
        return get_settings()
    except HubError as exc:
        fail(exc.message)
        raise  # unreachable: fail() exits


def run(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` against the configured database, turning expected failures into one clear line."""

    async def main() -> T:
        database = connect(settings().database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except HubError as exc:
        fail(exc.message)
    except (OperationalError, DBAPIError, OSError) as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        fail(f"데이터베이스에 연결할 수 없습니다 / Database unreachable or not migrated: {reason}")
    raise AssertionError("unreachable")
