"""`hub reprocess [--org SLUG]`: understand stored posts again after an improvement."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.commands import out, run
from hub.db import Database
from hub.errors import NotFound
from hub.ingest.pipeline import ReprocessReport, reprocess
from hub.services.organisations import list_organisations, organisations_by_slugs


def reprocess_command(
    org: Annotated[str | None, typer.Option("--org", help="이 기관만 / only this organisation")] = None,
) -> None:
    """저장된 글을 다시 이해 / Re-run understanding over stored posts; staff corrections are kept."""

    async def work(db: Database) -> ReprocessReport:
        if org is not None:
            found = (await organisations_by_slugs(db, [org])).get(org)
            if found is None:
                raise NotFound(f"알 수 없는 기관입니다: {org} / Unknown organisation: {org}")
            return await reprocess(db, [found])
        organisations, after = [], None
        while True:
            page = await list_organisations(db, first=100, after=after)
            organisations += page.items
            if not page.has_next_page:
                return await reprocess(db, organisations)
            after = page.cursors[-1]

    report = run(work)
    out.print(
        f"글 {report.posts}건을 다시 이해했습니다 (갱신 {report.updated}, 묶음 {report.merged}) / "
        f"reprocessed {report.posts} posts (updated {report.updated}, merged {report.merged})"
    )
