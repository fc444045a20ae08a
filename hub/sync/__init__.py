"""Polling connectors: one `Syncer` per source kind, run by the scheduler or by `hub sources sync`.

A syncer reads its source through `org_connectors`, ingests through `hub.ingest.pipeline`, advances its
cursor in the same transaction as the rows it covers, and reports. It raises `SyncFailed` with a
`SourceFailure` (temporary, quota, reconnect) for trouble staff should see; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from hub.db import Database
from hub.records import OrganisationRecord
from hub.services.sources import SourceFailure, SourceRecord
from hub.settings import Settings


@dataclass(frozen=True, slots=True)
class SyncContext:
    db: Database
    settings: Settings
    source: SourceRecord
    organisation: OrganisationRecord
    secret: str | None
    now: datetime


@dataclass(frozen=True, slots=True)
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    dead_letters: int = 0

    def __str__(self) -> str:
        return (
            f"새 글 {self.created} · 수정 {self.updated} · 그대로 {self.unchanged} · 철회 {self.withdrawn} · "
            f"읽지 못함 {self.dead_letters} / created {self.created}, updated {self.updated}, unchanged "
            f"{self.unchanged}, withdrawn {self.withdrawn}, dead letters {self.dead_letters}"
        )


class SyncFailed(Exception):
    def __init__(self, failure: SourceFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


Syncer = Callable[[SyncContext], Awaitable[SyncReport]]
