"""Where a ranked search's time goes on SQLite: `python -m bench.ranked_parts --items 1000000 [--text 공연]`.

Times the parts of a RELEVANCE page on `bench.glance`'s generated database, best of five each: the ids of
the 2,000 most recently posted hits alone, the same with FTS5's `bm25()`, all matches counted (what
`bm25()` does first for a word's weight), and the page joining every window hit to its item against the
page joining only the best hits (what `hub.services.feed` does when the words are the only filter).
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path

from hub.search import fts5_query, query_terms
from hub.services.feed import RANKED_TOP_MARGIN, RANKED_WINDOW

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "i.status IN ('PUBLISHED', 'RESCHEDULED', 'CANCELLED')"
WINDOW = (
    "SELECT rowid & 2147483647 AS item_id, bm25(feed_item_fts) AS score FROM feed_item_fts "
    "WHERE feed_item_fts MATCH :match ORDER BY rowid DESC LIMIT :window"
)
PARTS = {
    "window ids only": (
        "SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :match ORDER BY rowid DESC LIMIT :window"
    ),
    "window with bm25()": WINDOW,
    "every match counted": "SELECT count(*) FROM feed_item_fts WHERE feed_item_fts MATCH :match",
    "page, every window hit joined": (
        f"SELECT i.* FROM ({WINDOW}) h JOIN feed_item i ON i.id = h.item_id WHERE {PUBLIC} "
        "ORDER BY h.score, i.id LIMIT :page"
    ),
    "page, best hits joined": (
        f"SELECT i.* FROM (SELECT item_id, score FROM ({WINDOW}) ORDER BY score, item_id LIMIT :top) h "
        f"JOIN feed_item i ON i.id = h.item_id WHERE {PUBLIC} ORDER BY h.score, i.id LIMIT :page"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--text", default="공연")
    args = parser.parse_args()
    path = ROOT / "var" / "bench" / f"glance-{args.items}.sqlite3"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `python -m bench.glance --items {args.items}` first")
    connection = sqlite3.connect(path)
    values = {
        "match": fts5_query(query_terms(args.text)),
        "window": RANKED_WINDOW,
        "page": 21,
        "top": 21 + RANKED_TOP_MARGIN,
    }
    print(f"{args.items:,} items, search {args.text!r}, best of five (ms)")
    for name, sql in PARTS.items():
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            connection.execute(sql, values).fetchall()
            best = min(best, time.perf_counter() - started)
        print(f"{best * 1000:8.2f}  {name}")


if __name__ == "__main__":
    main()
