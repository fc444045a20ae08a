"""Load bench: `hub serve` on SQLite with N items, hammered by wrk from a second process.

    python -m bench.load dataset --items 100000 --out var/bench/glance-100000.sqlite3
    python -m bench.load run --database var/bench/glance-100000.sqlite3 [--seconds 15] [--connections 32]

`dataset` builds the same data as `bench.glance` (`bench.glance.generate`: 200 organisations, three years
of posts, 60 % events at gazetteer places, real search tokens) — bulk SQL, about a minute per 100,000.
`run` starts `hub serve` (rate limit off: one load generator is one client), and measures
- uncached: the glance document POSTed as text with varying variables (first, area filter, order);
- cached: the same trusted document repeated as `GET /graphql?documentId=…` (response-cache hits);
then prints req/s, p50/p99 and the serving process's memory. Needs `wrk` (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.glance import generate
from bench.processes import free_port, rss_mb, wrk_ms
from hub.limits.documents import TrustedDocuments
from hub.migrate import upgrade_sync

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = TrustedDocuments.load(ROOT / "schema" / "documents")
GLANCE = DOCUMENTS.by_name["glance"]
AREAS = ["community", "culture", "education", "youth", "civic"]
ORGANISATIONS = 200

# ---- dataset -------------------------------------------------------------------------------------


def build_dataset(items: int, out: Path) -> int:
    """The same realistic data as `bench.glance` (200 organisations, three years of posts, categories,
    sources, the real search tokens), so every bench measures the same kind of database."""
    return generate(out, items, ORGANISATIONS).items


# ---- load ----------------------------------------------------------------------------------------

UNCACHED_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local query = %s
local areas = {"community", "culture", "education", "youth", "civic"}
local orders = {"NEWEST", "UPCOMING"}
local filtered = %s
local n = 0
request = function()
  n = n + 1
  local filter = ""
  if filtered then filter = ',"filter":{"areas":["' .. areas[(n %% 5) + 1] .. '"]}' end
  local body = '{"query":' .. query .. ',"variables":{"first":' .. (10 + n %% 11) ..
    ',"orderBy":"' .. orders[(n %% 2) + 1] .. '"' .. filter .. '}}'
  return wrk.format(nil, nil, nil, body)
end
"""

CHECK_LUA = """
local errors = 0
response = function(status, headers, body)
  if status ~= 200 and status ~= 304 then errors = errors + 1 end
  if string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("HUB_BAD_RESPONSES %d\\n", errors))
end
"""


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    bad: int
    rss_mb: float


def wrk(name: str, url: str, script: str, seconds: int, connections: int, pid: int) -> Result:
    time.sleep(3)  # let requests the previous run abandoned finish first
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + CHECK_LUA)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--latency",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p50 = wrk_ms(re.search(r"50%\s+(\S+)", output)[1])  # type: ignore[index]
    p99 = wrk_ms(re.search(r"99%\s+(\S+)", output)[1])  # type: ignore[index]
    bad = int(re.search(r"HUB_BAD_RESPONSES (\d+)", output)[1])  # type: ignore[index]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(name, rps, p50, p99, bad + (int(non2xx[1]) if non2xx else 0), rss_mb(pid))


def run_bench(database: Path, seconds: int, connections: int) -> list[Result]:
    if shutil.which("wrk") is None:
        sys.exit("wrk가 필요합니다 / wrk is required: apt-get install -y wrk")
    port = free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": f"sqlite:///{database.resolve()}",
        "HUB_RATE_LIMIT": "0",  # one load generator is one client; the limiter would (rightly) refuse it
        "HUB_SCHEDULER": "false",
        "HUB_LOG_LEVEL": "WARNING",  # no access line per request
        "HUB_ENV": "prod",
        "HUB_SECRET_KEY": "bench-" + "x" * 40,
    }
    hub = ROOT / ".venv" / "bin" / "hub"
    command = [str(hub) if hub.exists() else "hub", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("hub serve did not become ready") from None
                time.sleep(0.2)
        query = json.dumps(json.dumps(GLANCE.text))[1:-1]  # a JSON string, as a Lua string literal
        uncached_script = UNCACHED_LUA % (f'"{query}"', "false")
        filtered_script = UNCACHED_LUA % (f'"{query}"', "true")
        cached_url = f"{base}/graphql?" + urllib.parse.urlencode(
            {"documentId": GLANCE.id, "variables": json.dumps({"first": 20})}
        )
        results = [
            wrk("warm-up", f"{base}/graphql", uncached_script, 3, connections, server.pid),
            wrk("cached glance (GET documentId, same variables)", cached_url, "", seconds, connections,
                server.pid),
            wrk("uncached glance (POST, varying first/order)", f"{base}/graphql", uncached_script, seconds,
                connections, server.pid),
            wrk("uncached glance + area filter (POST)", f"{base}/graphql", filtered_script, seconds,
                connections, server.pid),
        ]  # fmt: skip
        return results[1:]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def print_table(results: list[Result], items: int, connections: int) -> None:
    print(f"\nhub serve, SQLite, {items:,} items, {connections} connections, wrk on the same machine\n")
    print("| run | req/s | p50 ms | p99 ms | bad responses | RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.name} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.bad} "
            f"| {r.rss_mb:.0f} |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    sub = parser.add_subparsers(dest="command", required=True)
    dataset = sub.add_parser("dataset", help="build an SQLite database with N items")
    dataset.add_argument("--items", type=int, default=100_000)
    dataset.add_argument("--out", type=Path, default=Path("var/bench/glance-100000.sqlite3"))
    load = sub.add_parser("run", help="serve it and load it with wrk")
    load.add_argument("--database", type=Path, default=Path("var/bench/glance-100000.sqlite3"))
    load.add_argument("--seconds", type=int, default=15)
    load.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv)
    if args.command == "dataset":
        started = time.monotonic()
        count = build_dataset(args.items, args.out)
        print(f"{args.out}: {count:,} items in {time.monotonic() - started:.0f} s")
        return
    upgrade_sync(f"sqlite:///{args.database}")  # a migration added since it was built, before timing
    engine = create_engine(f"sqlite:///{args.database}")
    with engine.connect() as connection:
        items = int(connection.execute(text("SELECT count(*) FROM feed_item")).scalar_one())
    engine.dispose()
    print_table(run_bench(args.database, args.seconds, args.connections), items, args.connections)


if __name__ == "__main__":
    main()
