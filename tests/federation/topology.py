"""Run the federation topology's processes (partner subgraph, Hive Gateway) on 127.0.0.1 for a test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.node_tools import ROOT

START_TIMEOUT_S = 45.0  # Hive Gateway needs a few seconds on a cold Node module cache


@contextmanager
def running(
    name: str, command: Sequence[str], *, ready_url: str, logs: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command`, wait (bounded) until `ready_url` answers 200, and stop it afterwards."""
    log_path = logs / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        try:
            _wait_ready(name, process, ready_url, log_path)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_ready(name: str, process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    tail = log_path.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"{name} did not become ready at {url} (exit code {process.poll()}):\n{tail}")


def partner_command(port: int, db: Path, hub_url: str) -> list[str]:
    return [sys.executable, "-m", "partner", "--port", str(port), "--db", str(db), "--hub", hub_url]


def gateway_command(supergraph: Path, port: int) -> list[str]:
    return [
        str(ROOT / "node_modules" / ".bin" / "hive-gateway"),
        "supergraph",
        str(supergraph),
        "-c",
        str(ROOT / "gateway" / "gateway.config.mjs"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
