"""A syncing process for the crash and lease tests: `python -m tests.sync.band.crash_runner DB_URL API_BASE
SECRET_KEY [--once] [--seconds N]`. It syncs every BAND source of the database as `hub sources sync` does
(through the scheduler, so state and errors are recorded), prints READY once imported and one line per sync.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from hub.db import connect
from hub.scheduler import Scheduler
from hub.services.sources import get_source, list_sources
from hub.settings import Settings
from hub.sync.band import make_band_syncer
from org_connectors import SourceKind
from org_connectors.band import RetryPolicy


async def main(args: argparse.Namespace) -> int:
    settings = Settings(
        database_url=args.database_url,
        band_api_base=args.api_base,
        secret_key=args.secret_key,
        scheduler=False,
        log_json=False,
        var_dir=Path(args.var_dir),
    )
    db = connect(settings.database_url)
    syncers = {SourceKind.BAND: make_band_syncer(retry=RetryPolicy(attempts=3, base=0.01, cap=0.05))}
    scheduler = Scheduler(db, settings, syncers, owner=args.owner)
    print("READY", flush=True)
    deadline = time.monotonic() + args.seconds
    failures = 0
    try:
        if args.poll:
            # As `hub serve` does: claim due sources by lease, many times over.
            while time.monotonic() < deadline:
                for outcome in await scheduler.run_once(datetime.now(UTC)):
                    print("SYNCED", outcome.source_id, outcome.state.value, flush=True)
                await asyncio.sleep(0.02)
            return 0
        while True:
            for source in await list_sources(db):
                outcome = await scheduler.sync_now(await get_source(db, source.id))
                failures += outcome.failure is not None
                print("SYNCED", source.id, outcome.report or outcome.failure, flush=True)
            if args.once or time.monotonic() > deadline:
                return 1 if failures else 0
    finally:
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("api_base")
    parser.add_argument("secret_key")
    parser.add_argument("--var-dir", default="var")
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--poll", action="store_true")
    parser.add_argument("--owner", default=None)
    parser.add_argument("--seconds", type=float, default=60.0)
    sys.exit(asyncio.run(main(parser.parse_args())))
