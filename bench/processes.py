"""What every bench needs around the processes it starts: a free port, their memory, wrk's durations."""

from __future__ import annotations

import re
import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    """The resident memory of a running process (NaN once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def wrk_ms(value: str) -> float:
    """A duration as wrk prints it (`812.50us`, `3.21ms`, `1.02s`, `1.50m`) in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        return float("nan")
    number, unit = float(match[1]), match[2]
    return {"us": number / 1000, "ms": number, "s": number * 1000, "m": number * 60_000}[unit]
