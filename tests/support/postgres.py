"""A throw-away PostgreSQL cluster on 127.0.0.1 for the test session.

`HUB_TEST_POSTGRES_URL` points at a server someone else started (CI's `.ci/run` does); otherwise the
tests start their own with initdb/pg_ctl and stop it afterwards. The cluster is initialised with a
UTF-8 ctype (`C.UTF-8`): with `C`, Korean text search silently breaks.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import free_port

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


class PostgresUnavailable(RuntimeError):
    pass


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    raise PostgresUnavailable(
        f"PostgreSQL '{name}' not found: install Debian's postgresql (apt-get install postgresql) "
        "or set HUB_TEST_POSTGRES_URL"
    )


def _as_postgres_user() -> tuple[list[str], int | None, int | None]:
    """PostgreSQL refuses to run as root; CI runs as root, so drop to the `postgres` user there."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PostgresUnavailable("running as root and no 'postgres' user exists") from exc
    return ["runuser", "-u", "postgres", "--"], entry.pw_uid, entry.pw_gid


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a superuser URL (`postgresql://postgres@127.0.0.1:PORT/postgres`) of a fresh cluster."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    prefix, uid, gid = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="hub-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if uid is not None and gid is not None:
        for path in (root, sockets):
            os.chown(path, uid, gid)
    port = free_port()
    try:
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c max_connections=200"
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        stderr = getattr(exc, "stderr", b"") or b""
        raise PostgresUnavailable(
            f"could not start PostgreSQL: {stderr.decode(errors='replace')}{log}"
        ) from exc
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True
        )
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
