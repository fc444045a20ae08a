"""Search on PostgreSQL, in process: `python -m bench.search_postgres [--items 100000] [--text 공연 ...]`.

Copies `bench.glance`'s SQLite dataset into a throw-away PostgreSQL on 127.0.0.1 (as `bench.compare`
does: the hub's migrations, every table, ANALYZE; removed at the end), then times one page of 20 of each
search, newest first and ranked (RELEVANCE), through `hub.services.feed.feed_page`: best and median of
ten after one warm-up, and checks the next page follows from the cursor. The other benches measure
SQLite; this shows what the same searches cost on the other supported database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import asyncpg

from bench.compare import copy_to_postgres, ensure_dataset, postgres
from hub.db import connect
from hub.migrate import upgrade_sync
from hub.services.feed import FeedOrder, FeedQuery, feed_page

ROOT = Path(__file__).resolve().parent.parent
RUNS = 10


async def _analyze(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def _measure(url: str, texts: list[str]) -> None:
    db = connect(url)
    try:
        for text in texts:
            for order in (FeedOrder.NEWEST, FeedOrder.RELEVANCE):
                query = FeedQuery(text=text, order=order)
                page = await feed_page(db, query, first=20)
                times: list[float] = []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    page = await feed_page(db, query, first=20)
                    times.append((time.perf_counter() - started) * 1000)
                following = (
                    await feed_page(db, query, first=20, after=page.cursors[-1]) if page.cursors else None
                )
                shown = len(following.items) if following is not None else 0
                median = statistics.median(times)
                print(
                    f"{text:<10} {order.value:<9} best {min(times):7.1f} ms  median {median:7.1f} ms"
                    f"  (page 2: {shown} items)"
                )
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--text", action="append", help="a search (repeat); default 공연, 참가, 청년 공연")
    args = parser.parse_args()
    texts = args.text or ["공연", "참가", "청년 공연"]
    dataset = ensure_dataset(args.items)
    with postgres(ROOT / "var" / "bench" / "search-postgres") as url:
        database_url = url.replace("postgresql://", "postgresql+asyncpg://", 1)
        upgrade_sync(database_url)
        started = time.perf_counter()
        copied = asyncio.run(copy_to_postgres(dataset, url))
        asyncio.run(_analyze(url))
        print(f"PostgreSQL copy of {dataset.name}: {copied.get('feed_item', 0):,} items in "
              f"{time.perf_counter() - started:.0f} s; one page of 20, in process, {RUNS} runs")  # fmt: skip
        asyncio.run(_measure(database_url, texts))


if __name__ == "__main__":
    main()
