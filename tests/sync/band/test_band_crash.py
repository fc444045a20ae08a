"""SIGKILL the syncing process at random moments, many times: nothing acknowledged is lost, nothing doubles.

"Acknowledged" is what the committed cursor vouches for (see `hub.sync.band_cursor`): while a pass is under
way, every post listed from the top of that pass down to `pass.last`, in the version then listed; after a
completed pass, every post its listing showed. The simulator changes only between kills, and every round
adds a post at the top, so the top post names the round whose listing the cursor speaks about.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.db import connect
from hub.services.organisations import add_organisation
from hub.services.sources import add_source
from org_connectors import SourceKind
from org_connectors.band.simulator import BandSimulatorState, create_band_simulator, generate_posts
from tests.support import databases
from tests.support.server import serve_asgi
from tests.sync.band.conftest import BOX, REPO, SECRET_KEY, TOKEN

BAND = "AAAnwCrashTestBand000001"
KILLS = 30
KILL_BUDGET_SECONDS = 70.0


def _runner(db_url: str, api: str, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sync.band.crash_runner", db_url, api, SECRET_KEY,
         "--var-dir", str(tmp_path / "var"), *extra],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def _snapshot(sim: BandSimulatorState) -> list[tuple[str, str]]:
    return [(key, sim.post_content(BAND, key)) for key in sim.post_keys(BAND)]


def _check(db_file: Path, snapshots: dict[str, list[tuple[str, str]]]) -> bool:
    """Assert the invariants on the database as the killed process left it; True if a pass was cut short."""
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (cursor_text,) = conn.execute("SELECT cursor FROM source").fetchone()
        cursor = json.loads(cursor_text) if cursor_text else {}
        stored = {
            external_id: json.loads(payload)["payload"]["content"]
            for external_id, payload in conn.execute("SELECT external_id, payload FROM raw_post")
        }
        refs = [row[0] for row in conn.execute("SELECT external_id FROM feed_item_source")]
        tombstones = {row[0] for row in conn.execute("SELECT external_id FROM tombstone")}
        raw_count = conn.execute("SELECT count(*) FROM raw_post").fetchone()[0]
    assert len(refs) == len(set(refs)) and raw_count == len(stored)  # no duplicated rows
    acknowledged: list[tuple[str, str]] = []
    progress = cursor.get("pass")
    if progress:
        listing = snapshots[progress["first"]]
        keys = [key for key, _ in listing]
        acknowledged = listing[: keys.index(progress["last"]) + 1]
        assert len(acknowledged) == progress["count"]
    elif cursor.get("mark"):
        acknowledged = snapshots[cursor["mark"][0][0]]
    for key, content in acknowledged:
        external_id = f"{BAND}:{key}"
        assert stored.get(external_id) == content, f"acknowledged post {key} missing or stale"
        assert external_id in refs or external_id in tombstones
    return bool(progress)


def _completed_passes(db_file: Path) -> int:
    with sqlite3.connect(db_file) as conn:
        (cursor_text,) = conn.execute("SELECT cursor FROM source").fetchone()
    return int(json.loads(cursor_text or "{}").get("syncs") or 0)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_acknowledged(sqlite_template: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    db_url = databases.fresh_sqlite(sqlite_template, tmp_path)
    db_file = Path(db_url.split("///", 1)[1])
    sim = BandSimulatorState(access_tokens={TOKEN})
    sim.add_band(BAND, "남원 청년 창업 모임")
    sim.add_posts(BAND, generate_posts(BAND, 60, seed=5))

    async def setup() -> None:
        db = connect(db_url)
        await add_organisation(db, slug="namwon-youth", name="남원 청년모임", area_slug="youth")
        config = {"band_key": BAND, "page_limit": 10, "min_interval_seconds": 0, "reconcile_every_syncs": 2}
        await add_source(
            db, BOX, organisation_slug="namwon-youth", kind=SourceKind.BAND, name="청년 밴드",
            config=config, secret=TOKEN,
        )  # fmt: skip
        await db.dispose()

    asyncio.run(setup())
    rng = random.Random(2026)
    snapshots: dict[str, list[tuple[str, str]]] = {}
    deleted: set[str] = set()
    kills = cut_short = completed = 0
    with serve_asgi(create_band_simulator(sim)) as api:
        for round_number in range(1, 200):
            if kills >= KILLS or time.monotonic() - started > KILL_BUDGET_SECONDS:
                break
            if round_number > 1:  # BAND changes between kills: edits, a deletion, new posts on top
                keys = sim.post_keys(BAND)
                for key in rng.sample(keys[1:], 2):
                    sim.edit_post(BAND, key, sim.post_content(BAND, key) + f"\n(수정 {round_number})")
                gone = rng.choice(sim.post_keys(BAND)[3:])
                sim.delete_post(BAND, gone)
                deleted.add(gone)
            for n in range(2):
                sim.add_post(
                    BAND, f"[{round_number}회차 소식 {n}] 청년 창업 공간 '모락' 이번 주 운영 시간 안내"
                )
            snapshot = _snapshot(sim)
            snapshots[snapshot[0][0]] = snapshot

            with _runner(db_url, api, tmp_path, "--seconds", "30") as process:
                assert process.stdout is not None and process.stdout.readline().strip() == "READY"
                time.sleep(rng.uniform(0.0, 0.8))
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
            kills += 1
            cut_short += _check(db_file, snapshots)
            completed += _completed_passes(db_file) > 0
            if round_number == KILLS // 3 and not _completed_passes(db_file):
                # On a slow or busy machine the first full pass may never outrun the posts added each
                # round; one pass left to finish makes sure later kills also land after a complete pass.
                with _runner(db_url, api, tmp_path, "--once") as finisher:
                    assert finisher.wait(timeout=60) == 0
                _check(db_file, snapshots)

        # The next syncs complete: incremental, then (every other sync) the full listing that withdraws.
        for _ in range(3):
            with _runner(db_url, api, tmp_path, "--once") as finisher:
                assert finisher.wait(timeout=60) == 0
        _check(db_file, snapshots)

    elapsed = time.monotonic() - started
    print(
        f"\n{kills} kills, {cut_short} in the middle of a pass, {completed} after a complete pass, {elapsed:.1f} s"
    )
    assert kills >= KILLS, f"only {kills} kills in {KILL_BUDGET_SECONDS} s"
    assert cut_short > 0 and completed > 0  # kills landed both mid-pass and once a mark existed
    with sqlite3.connect(db_file) as conn:
        refs = {row[0].split(":", 1)[1] for row in conn.execute("SELECT external_id FROM feed_item_source")}
        tombstones = {row[0].split(":", 1)[1] for row in conn.execute("SELECT external_id FROM tombstone")}
        contents = {
            external_id.split(":", 1)[1]: json.loads(payload)["payload"]["content"]
            for external_id, payload in conn.execute("SELECT external_id, payload FROM raw_post")
        }
        (cursor_text,) = conn.execute("SELECT cursor, state FROM source").fetchone()[:1]
    assert refs == set(sim.post_keys(BAND))
    # A deleted post is tombstoned if the hub ever stored it (some were deleted before any pass reached them).
    assert tombstones == deleted & set(contents) and not deleted & refs
    assert all(contents[key] == sim.post_content(BAND, key) for key in refs)
    assert json.loads(cursor_text)["pass"] is None
    assert time.monotonic() - started < 90
