"""Where a ranked search's time goes on SQLite: `python -m bench.ranked_parts --items 1000000 [--text 공연]`.

Times the parts of a RELEVANCE page on `bench.glance`'s generated database, best of five each. When the
words are the only filter, `hub.services.feed` first reads the window's hits whose title holds every word
(enough for a page when they fill it); else it ranks the window by title hits and joins the best of them
to their items. For comparison: the ids of the 2,000 most recently posted hits alone, and the same window
scored by FTS5's `bm25()` (the rank before revision 0009), which first counts every match of each word.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path

from hub.search import fts5_query, fts5_title_all_query, fts5_title_query, query_terms
from hub.services.feed import RANKED_TOP_MARGIN, RANKED_WINDOW

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "i.status IN ('PUBLISHED', 'RESCHEDULED', 'CANCELLED')"
WINDOW = (
    "SELECT rowid AS key FROM feed_item_fts WHERE feed_item_fts MATCH :match "
    "ORDER BY rowid DESC LIMIT :window"
)


def _parts(terms: int) -> dict[str, str]:
    title_hits = " + ".join(
        f"(key IN (SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :title_{n} "
        "AND rowid >= (SELECT min(key) FROM win)))"
        for n in range(terms)
    )
    ranked = (
        f"WITH win AS ({WINDOW}) "
        f"SELECT key & 2147483647 AS item_id, key, {title_hits} AS title_hits FROM win "
        "ORDER BY title_hits DESC, key DESC LIMIT :top"
    )
    titled = (
        "SELECT rowid AS key FROM feed_item_fts WHERE feed_item_fts MATCH :title_all "
        "AND rowid >= coalesce((SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :match "
        "ORDER BY rowid DESC LIMIT 1 OFFSET :window - 1), -9223372036854775808) "
        "ORDER BY rowid DESC LIMIT :top"
    )
    return {
        "first read: titles holding every word, page joined": (
            f"SELECT i.* FROM ({titled}) h JOIN feed_item i ON i.id = h.key & 2147483647 WHERE {PUBLIC} "
            "ORDER BY h.key DESC LIMIT :page"
        ),
        "window ids only": WINDOW,
        "title hits within the window (first word)": (
            f"SELECT rowid FROM feed_item_fts WHERE feed_item_fts MATCH :title_0 "
            f"AND rowid >= (SELECT min(key) FROM ({WINDOW}))"
        ),
        "window ranked by title hits": ranked,
        "page, best hits joined": (
            f"SELECT i.* FROM ({ranked}) h JOIN feed_item i ON i.id = h.item_id WHERE {PUBLIC} "
            "ORDER BY h.title_hits DESC, h.key DESC LIMIT :page"
        ),
        "before 0009: window with bm25()": (
            "SELECT rowid, bm25(feed_item_fts) FROM feed_item_fts WHERE feed_item_fts MATCH :match "
            "ORDER BY rowid DESC LIMIT :window"
        ),
        "before 0009: every match counted": (
            "SELECT count(*) FROM feed_item_fts WHERE feed_item_fts MATCH :match"
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
    terms = query_terms(args.text)
    values: dict[str, object] = {
        "match": fts5_query(terms),
        "window": RANKED_WINDOW,
        "page": 21,
        "top": 21 + RANKED_TOP_MARGIN,
    }
    values.update({f"title_{n}": fts5_title_query(term, terms) for n, term in enumerate(terms)})
    values["title_all"] = fts5_title_all_query(terms)
    print(f"{args.items:,} items, search {args.text!r}, best of five (ms)")
    for name, sql in _parts(len(terms)).items():
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            connection.execute(sql, values).fetchall()
            best = min(best, time.perf_counter() - started)
        print(f"{best * 1000:8.2f}  {name}")


if __name__ == "__main__":
    main()
