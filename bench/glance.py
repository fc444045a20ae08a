"""Glance-page latency at scale: `python -m bench.glance --items 100000`.

Generates N items across 200 organisations into a fresh SQLite database (bulk inserts, not the pipeline,
but with the pipeline's tokenizer, so the FTS5 index is the real one), serves it with `hub serve` in a
second process and measures with wrk (a third process; 10 connections) p50/p95/p99 of the first-party
documents: the glance page (first 20, nested organisation/area/place/categories/sources), a two-syllable
search (newest first, and ranked), a nearby query and a month calendar — each POSTed (executed every time)
and as `GET ?documentId=` (the response cache, as front ends and CDNs send it). The database is kept in
var/bench/ and reused when it has the right size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from bench.processes import rss_mb
from hub.limits.documents import TrustedDocument, TrustedDocuments
from hub.migrate import upgrade_sync
from hub.search import item_tokens

ROOT = Path(__file__).resolve().parent.parent
PLACES = ROOT / "seeds" / "namwon" / "places.csv"
NOW = datetime.now(UTC).replace(microsecond=0)
SPAN_DAYS = 3 * 365  # items were posted over the last three years
AREAS = ["community", "culture", "education", "youth", "civic"]

SUBJECTS = ["청년", "마을", "어르신", "학부모", "아이들", "주민", "예술가", "동아리", "귀농인", "자원봉사자"]
THINGS = [
    "공연", "전시", "독서 모임", "강좌", "원탁회의", "플리마켓", "버스킹", "봉사활동", "설명회", "워크숍",
    "영화 상영", "요리 교실", "텃밭 가꾸기", "합창", "사진 교실", "역사 탐방", "보드게임", "캠프",
]  # fmt: skip
OPENERS = ["함께하는", "처음 만나는", "다시 찾은", "겨울", "봄맞이", "주말", "저녁", "우리 동네", "온라인"]
SENTENCES = [
    "누구나 참여할 수 있습니다.",
    "참가비는 무료이며 선착순으로 받습니다.",
    "자세한 내용은 밴드 공지를 확인해 주세요.",
    "Zoom 링크는 신청하신 분께 문자로 보내드립니다.",
    "주차 공간이 부족하니 대중교통을 이용해 주세요.",
    "간단한 다과를 준비했습니다.",
    "신청은 이번 주 금요일까지 받습니다.",
    "지난번에 오신 분들의 후기도 함께 나눕니다.",
]


def sqlite_dt(value: datetime) -> str:
    """SQLAlchemy's SQLite datetime text (naive UTC), which sorts correctly."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class Generated:
    path: Path
    items: int
    seconds: float


def _places(conn: sqlite3.Connection) -> list[int]:
    with PLACES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        conn.execute(
            "INSERT INTO place (name, aliases, category, address, lat, lng, verified) VALUES (?,?,?,?,?,?,1)",
            (row["name"], "[]", row["category"], row["address"], float(row["lat"]), float(row["lng"])),
        )
    for n in range(20):  # places as written in posts: no coordinates
        conn.execute("INSERT INTO place (name, aliases, verified) VALUES (?, '[]', 0)", (f"마을회관 {n}호",))
    return [row[0] for row in conn.execute("SELECT id FROM place ORDER BY id")]


def _rows(count: int, orgs: list[tuple[int, int]], places: list[int], rng: random.Random) -> Iterator[Any]:
    located, unlocated = places[:-20], places[-20:]
    for n in range(count):
        org_id, area_id = orgs[rng.randrange(len(orgs))]
        posted = NOW - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        what = f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} {rng.choice(THINGS)}"
        title = f"{what} 안내 ({n})"
        body = " ".join([f"{what}에 초대합니다.", *rng.sample(SENTENCES, 3)])
        starts = ends = None
        all_day = False
        place_id = None
        kind = "ANNOUNCEMENT"
        if rng.random() < 0.6:
            kind = "EVENT"
            if rng.random() < 0.05:
                start_day = (posted + timedelta(days=rng.randint(1, 40))).date()
                starts = datetime(start_day.year, start_day.month, start_day.day, tzinfo=UTC) - timedelta(
                    hours=9
                )
                ends = starts + timedelta(days=rng.randint(2, 30))
                all_day = True
            else:
                starts = (posted + timedelta(days=rng.randint(1, 40))).replace(minute=0, second=0)
                ends = starts + timedelta(hours=2)
            roll = rng.random()
            place_id = rng.choice(located) if roll < 0.8 else rng.choice(unlocated) if roll < 0.9 else None
        status = "PUBLISHED" if rng.random() < 0.95 else rng.choice(["PENDING_REVIEW", "WITHDRAWN"])
        yield (
            org_id, area_id, kind, status, title, body, body[:200],
            sqlite_dt(starts) if starts else None, sqlite_dt(ends) if ends else None, all_day, False,
            place_id, "[]", "[]", sqlite_dt(posted), sqlite_dt(posted), sqlite_dt(posted),
            *item_tokens(title, body, None),
        )  # fmt: skip


def generate(path: Path, items: int, organisations: int, seed: int = 7) -> Generated:
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade_sync(f"sqlite:///{path}")
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    area_ids = dict(conn.execute("SELECT slug, id FROM area"))
    orgs: list[tuple[int, int]] = []
    for n in range(organisations):
        area = AREAS[n % len(AREAS)]
        cursor = conn.execute(
            "INSERT INTO organisation (slug, name, area_id, description, allow_contact_details, created_at) "
            "VALUES (?, ?, ?, '', 0, ?)",
            (f"org-{n:03d}", f"남원 {rng.choice(SUBJECTS)} 기관 {n}", area_ids[area], sqlite_dt(NOW)),
        )
        assert cursor.lastrowid is not None
        orgs.append((cursor.lastrowid, area_ids[area]))
    places = _places(conn)
    insert_item = (
        "INSERT INTO feed_item (organisation_id, area_id, kind, status, title, body, excerpt, starts_at, "
        "ends_at, all_day, is_online, place_id, images, tags, posted_at, updated_at, created_at, "
        "title_tokens, search_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    batch: list[Any] = []
    for row in _rows(items, orgs, places, rng):
        batch.append(row)
        if len(batch) == 10_000:
            conn.executemany(insert_item, batch)
            batch.clear()
    conn.executemany(insert_item, batch)
    conn.execute(
        "INSERT INTO feed_item_source (item_id, organisation_id, kind, external_id, url, posted_at) "
        "SELECT id, organisation_id, 'BAND', 'post-' || id, 'https://band.us/band/1/post/' || id, posted_at "
        "FROM feed_item"
    )
    conn.execute(
        "INSERT INTO feed_item_category (item_id, category_id) "
        "SELECT id, 1 + (id % (SELECT count(*) FROM category)) FROM feed_item"
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return Generated(path, items, time.perf_counter() - started)


DOCUMENTS = TrustedDocuments.load(ROOT / "schema" / "documents")
CITY_HALL = {"lat": 35.4164, "lng": 127.3904}


def queries() -> list[tuple[str, TrustedDocument, dict[str, Any]]]:
    """What the bench asks, as the first-party documents front ends send (`schema/documents`)."""
    today = NOW.date()
    first = date(today.year, today.month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    glance, search = DOCUMENTS.by_name["glance"], DOCUMENTS.by_name["search"]
    return [
        ("glance", glance, {"first": 20}),
        ("search", search, {"text": "공연", "orderBy": "NEWEST"}),  # 2 syllables, newest first
        ("search-ranked", search, {"text": "공연"}),  # the same, best match first (RELEVANCE)
        ("nearby", glance, {"first": 20, "filter": {"near": {**CITY_HALL, "radiusKm": 1}}}),
        ("calendar", DOCUMENTS.by_name["calendar"], {"from": str(first), "to": str(last), "perDay": 5}),
    ]


POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = %s
"""

PERCENTILES_LUA = """
local bad = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("HUB %d %d %f %f %f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), bad))
end
"""


@dataclass(frozen=True)
class Measured:
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rate: float
    bad: int


def measure(
    url: str, post_body: str | None, *, clients: int, seconds: int, windows: int = 1
) -> list[Measured]:
    """wrk from a second process: `clients` connections, `windows` times `seconds`, after a 3 s warm-up."""
    # A Lua string literal: JSON escapes without \\u (Lua has none), Korean left as UTF-8.
    body = json.dumps(post_body, ensure_ascii=False) if post_body is not None else None
    script = (POST_LUA % body if body is not None else "") + PERCENTILES_LUA
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    results: list[Measured] = []
    try:
        for index, duration in enumerate([3] + [seconds] * windows):
            output = subprocess.run(
                ["wrk", "-t1", f"-c{clients}", f"-d{duration}s", "--timeout", "10s", "-s", handle.name, url],
                capture_output=True, text=True, check=True, timeout=duration + 60,
            ).stdout  # fmt: skip
            found = re.search(r"^HUB (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)$", output, re.M)
            if found is None:
                raise SystemExit(f"wrk printed no result: {output}")
            if index == 0:
                continue  # the warm-up
            requests, micros, p50, p95, p99, bad = found.groups()
            rate = int(requests) / (int(micros) / 1e6)
            results.append(Measured(float(p50) / 1000, float(p95) / 1000, float(p99) / 1000, rate, int(bad)))
    finally:
        os.unlink(handle.name)
    return results


def serve(path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": f"sqlite:///{path}",
        "HUB_SCHEDULER": "false",
        "HUB_LOG_LEVEL": "WARNING",
        "HUB_ENV": "prod",
        # Ten clients on one address stand for many residents: the per-IP rate limit would refuse them.
        "HUB_RATE_LIMIT": "0",
        "HUB_SECRET_KEY": "bench-" + "x" * 40,
        "HUB_VAR_DIR": str(path.parent),
    }
    hub = Path(sys.executable).parent / "hub"
    return subprocess.Popen([str(hub), "serve", "--port", str(port)], env=env, cwd=ROOT)


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("hub serve stopped")
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("hub serve did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10, help="per query, mode and window")
    parser.add_argument(
        "--windows",
        type=int,
        default=1,
        help="measured windows per query and mode; with more than one, medians and the range of p95 are "
        "printed (the machine is shared: one window can land in a slow spell)",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the database even if it exists")
    args = parser.parse_args()

    path = ROOT / "var" / "bench" / f"glance-{args.items}.sqlite3"
    if args.regenerate or not path.exists():
        generated = generate(path, args.items, args.organisations)
        size = path.stat().st_size / 1e6
        print(f"generated {generated.items:,} items in {generated.seconds:.1f} s ({size:.0f} MB) → {path}")
    else:
        print(f"reusing {path}")
        upgrade_sync(f"sqlite:///{path}")  # a migration added since it was built, before timing
    server = serve(path, args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_ready(base, server)
        print(
            f"{args.items:,} items, {args.clients} connections (wrk), {args.windows} window(s) of "
            f"{args.seconds} s per query and mode" + (" (medians; p95 range)" if args.windows > 1 else "")
        )
        print(
            f"{'query':<13} {'mode':<34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'bad':>5}"
            + (f" {'p95 range':>14}" if args.windows > 1 else "")
        )
        for name, document, variables in queries():
            post = orjson.dumps({"query": document.text, "variables": variables}).decode()
            modes: list[tuple[str, str, str | None]] = [
                ("POST, executed every time", f"{base}/graphql", post)
            ]
            query_string = urlencode({"documentId": document.id, "variables": json.dumps(variables)})
            trusted = f"{base}/graphql?{query_string}"
            modes.append(("GET documentId (response cache)", trusted, None))
            for mode, url, body in modes:
                results = measure(url, body, clients=args.clients, seconds=args.seconds, windows=args.windows)
                p95s = [r.p95_ms for r in results]
                spread = f" {min(p95s):>6.1f}–{max(p95s):<7.1f}" if len(results) > 1 else ""
                p50, p95, p99, rate = (
                    statistics.median(getattr(r, field) for r in results)
                    for field in ("p50_ms", "p95_ms", "p99_ms", "rate")
                )
                bad = sum(r.bad for r in results)
                row = f"{name:<13} {mode:<34} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {rate:>8.0f} {bad:>5}"
                print(row + spread, flush=True)
        print(f"serving process RSS {rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
