"""Acknowledgement latency of the Kakao chatbot skill: `python -m bench.kakao_skill`.

Starts `hub serve` on 127.0.0.1 in a second process against a fresh SQLite database with one Kakao
source, fires rounds of concurrent skill requests from registered staff (each a distinct announcement,
so every request is a real write), and prints p50/p95/p99 of the time until the SkillResponse arrived.
The Open Builder gives a skill 5 s; the hub's target is p99 < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.processes import free_port
from org_connectors.kakao import validate_skill_response

HUB = [sys.executable, "-c", "from hub.cli import main; main()"]
BOT_ID = "65f0b0ffee00000000000001"
STAFF_KEYS = [f"bench-staff-{n:02d}-9a3f0c2b7d1e4f5a6b7c8d9e0f1a2b3c4d5e6f" for n in range(5)]
PLACES = [
    "청년마루 2층 다목적실",
    "남원시청 대회의실",
    "광한루원 완월정",
    "남원예촌 공연장",
    "요천 둔치 야외무대",
]


def hub(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([*HUB, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hub {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def payload(n: int) -> dict[str, Any]:
    user = STAFF_KEYS[n % len(STAFF_KEYS)]
    utterance = (
        f"[공지] 남원 청년 원탁회의 {n}차 모임\n"
        f"일시: 12월 {n % 28 + 1}일 오후 {n % 5 + 2}시\n"
        f"장소: {PLACES[n % len(PLACES)]}\n"
        f"신청: https://forms.gle/YouthRound{n:04d}"
    )
    return {
        "intent": {"id": "65f0c0ffee0000000000a001", "name": "공지 등록"},
        "userRequest": {
            "timezone": "Asia/Seoul",
            "params": {"surface": "Kakaotalk.plusfriend"},
            "block": {"id": "65f0c0ffee0000000000a001", "name": "공지 등록"},
            "utterance": utterance,
            "lang": "ko",
            "user": {"id": user, "type": "botUserKey", "properties": {"botUserKey": user, "isFriend": True}},
        },
        "contexts": [],
        "bot": {"id": BOT_ID, "name": "남원 청년모임 알림봇"},
        "action": {"id": "65f0d0ffee0000000000b001", "name": "hub-ingest", "params": {}, "detailParams": {}},
    }


async def fire(http: httpx.AsyncClient, url: str, n: int) -> float:
    started = time.perf_counter()
    response = await http.post(url, json=payload(n), headers={"x-request-id": f"bench-{n:06d}"})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"request {n}: HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    validate_skill_response(body)
    if "공지를 받았습니다" not in body["template"]["outputs"][0]["simpleText"]["text"]:
        raise SystemExit(f"request {n}: unexpected answer {body}")
    return elapsed


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def measure(url: str, *, concurrency: int, rounds: int, per_request_s: float) -> list[float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    samples: list[float] = []
    async with httpx.AsyncClient(timeout=per_request_s, limits=limits) as http:
        for n in range(3):  # warm-up: first connections, first queries
            await fire(http, url, 900_000 + n)
        for round_number in range(rounds):
            base = round_number * concurrency
            batch = [fire(http, url, base + i) for i in range(concurrency)]
            samples += await asyncio.wait_for(asyncio.gather(*batch), timeout=per_request_s * 2)
    return samples


def wait_ready(base_url: str, server: subprocess.Popen[bytes], deadline_s: float = 30) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("hub serve exited before it was ready")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("hub serve did not become ready in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=10.0, help="per request, seconds")
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 500 or not 1 <= args.rounds <= 50:
        raise SystemExit("--concurrency 1..500, --rounds 1..50")

    with tempfile.TemporaryDirectory(prefix="hub-kakao-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        port = free_port()
        env |= {
            "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'hub.sqlite3'}",
            "HUB_VAR_DIR": str(Path(tmp) / "var"),
            "HUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "HUB_SCHEDULER": "false",
            "HUB_LOG_LEVEL": "WARNING",
        }
        hub("db", "upgrade", env=env)
        hub("orgs", "add", "namwon-youth", "--name", "남원 청년모임", "--area", "youth", env=env)
        keys = [arg for key in STAFF_KEYS for arg in ("--staff-key", key)]
        added = hub(
            "sources", "add", "kakao", "--org", "namwon-youth", "--bot-id", BOT_ID,
            "--staff", "청년모임 운영진", *keys, env=env,
        )  # fmt: skip
        match = re.search(r"^(http://127\.0\.0\.1:\d+/hooks/kakao/\d+/\S+)$", added, re.M)
        if match is None:
            raise SystemExit(f"no skill URL in: {added}")
        server = subprocess.Popen(
            [*HUB, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(f"http://127.0.0.1:{port}", server)
            started = time.perf_counter()
            samples = asyncio.run(
                measure(
                    match.group(1),
                    concurrency=args.concurrency,
                    rounds=args.rounds,
                    per_request_s=args.timeout,
                )
            )
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()

    command = "python -m bench.kakao_skill " + shlex.join(sys.argv[1:])
    p50, p95, p99 = (percentile(samples, p) * 1000 for p in (50, 95, 99))
    print(f"command: {command.strip()}")
    print(
        f"kakao skill ack latency, {len(samples)} requests ({args.rounds} rounds of {args.concurrency} "
        f"concurrent, each a new announcement written to SQLite), hub serve in a second process:"
    )
    print(
        f"  p50 {p50:.0f} ms · p95 {p95:.0f} ms · p99 {p99:.0f} ms · max {max(samples) * 1000:.0f} ms · "
        f"mean {statistics.fmean(samples) * 1000:.0f} ms · wall {wall:.1f} s"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  machine: {os.cpu_count()} CPUs, load average {load} (client and server share them)")
    verdict = "OK" if p99 < 1000 else "OVER TARGET"
    print(f"  target p99 < 1000 ms: {verdict}")
    if p99 >= 1000:
        sys.exit(1)


if __name__ == "__main__":
    main()
