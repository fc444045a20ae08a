"""`hub sources list|sync|pause|resume|errors`: the same for every kind of source."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from hub.commands import fail, out, run, settings, sources_app
from hub.db import Database
from hub.scheduler import Scheduler, SyncOutcome
from hub.services.dead_letters import DeadLetterRecord, list_dead_letters
from hub.services.organisations import organisations_by_ids
from hub.services.sources import SourceRecord, SourceState, get_source, list_sources, set_state
from hub.sync.registry import SYNCERS


def _when(value: datetime | None) -> str:
    return value.astimezone(settings().zone).strftime("%Y-%m-%d %H:%M") if value else "-"


@sources_app.command("list")
def sources_list() -> None:
    """연결된 출처와 상태 / Connected sources and their state."""

    async def load(db: Database) -> tuple[list[SourceRecord], dict[int, str]]:
        sources = await list_sources(db)
        orgs = await organisations_by_ids(db, [s.organisation_id for s in sources])
        return sources, {org_id: org.slug for org_id, org in orgs.items()}

    sources, slugs = run(load)
    table = Table(
        "id",
        "기관 / org",
        "종류 / kind",
        "이름 / name",
        "상태 / state",
        "다음 수집 / next",
        "최근 오류 / last error",
    )
    for source in sources:
        table.add_row(
            str(source.id),
            slugs[source.organisation_id],
            source.kind.value,
            source.name,
            f"{source.state.korean} ({source.state.value})",
            _when(source.next_poll_at),
            source.last_error or "",
        )
    out.print(table)


@sources_app.command("sync")
def sources_sync(source_id: Annotated[int, typer.Argument(help="출처 id / source id")]) -> None:
    """지금 한 번 수집 / Sync one source now, as the scheduler would."""

    async def sync(db: Database) -> SyncOutcome:
        source = await get_source(db, source_id)
        if source.kind not in SYNCERS:
            kind = source.kind.value
            fail(f"{kind} 출처는 수집 대상이 아닙니다 / {kind} sources are not polled")
        return await Scheduler(db, settings(), SYNCERS).sync_now(source)

    outcome = run(sync)
    if outcome.failure is not None:
        fail(f"{outcome.failure.message} ({SourceState(outcome.state).korean})")
    out.print(f"수집했습니다 / synced: {outcome.report}")


@sources_app.command("pause")
def sources_pause(source_id: Annotated[int, typer.Argument(help="출처 id / source id")]) -> None:
    """수집 일시 중지 / Pause polling."""
    run(lambda db: _set(db, source_id, SourceState.PAUSED))
    out.print(f"출처 {source_id}: 일시 중지 / paused")


@sources_app.command("resume")
def sources_resume(source_id: Annotated[int, typer.Argument(help="출처 id / source id")]) -> None:
    """수집 재개 / Resume polling (also after reconnecting)."""
    run(lambda db: _set(db, source_id, SourceState.OK))
    out.print(f"출처 {source_id}: 다시 수집합니다 / resumed")


async def _set(db: Database, source_id: int, state: SourceState) -> None:
    await get_source(db, source_id)  # a clear error for an unknown id
    await set_state(db, source_id, state)


@sources_app.command("errors")
def sources_errors(
    source_id: Annotated[int | None, typer.Option("--source", help="이 출처만 / only this source")] = None,
    limit: Annotated[int, typer.Option(help="최대 개수 / at most")] = 30,
) -> None:
    """읽지 못한 입력(dead letters) / Input the hub could not read, newest first."""

    async def load(db: Database) -> list[DeadLetterRecord]:
        return await list_dead_letters(db, source_id=source_id, limit=limit)

    table = Table("id", "종류 / kind", "어디 / where", "이유 / reason", "시각 / at")
    for letter in run(load):
        table.add_row(str(letter.id), letter.kind, letter.origin, letter.reason, _when(letter.created_at))
    out.print(table)
