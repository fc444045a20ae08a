"""Each kind of BAND trouble, as staff see it on the source: state, last error, next poll, dead letters."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from hub.models import DeadLetter, RawPost, Source
from hub.services.sources import SourceState
from org_connectors.band.client import PATH_POSTS
from org_connectors.band.simulator import BandFault, BandSimulatorState
from tests.sync.band.conftest import TOKEN, Harness, distinct_posts, live, stored_items

BAND = "AAAnwErrorTestBand000001"


def _band(sim: BandSimulatorState) -> None:
    sim.add_band(BAND, "남원 시민 공론장")
    sim.add_posts(BAND, distinct_posts(BAND, 12))


async def _everything_stored(harness: Harness) -> str:
    """All text the hub stored about sources, dead letters and posts, to look for the token in."""
    async with harness.db.read() as conn:
        rows = [
            *(await conn.execute(select(Source.last_error, Source.cursor, Source.config))).all(),
            *(await conn.execute(select(DeadLetter.reason, DeadLetter.payload, DeadLetter.origin))).all(),
            *(await conn.execute(select(RawPost.payload))).all(),
        ]
    return repr(rows)


@pytest.mark.parametrize(
    ("fault", "state", "words", "dead_letter"),
    [
        (BandFault.COOL_DOWN, SourceState.BACKING_OFF, "잠시 후 자동으로 다시 시도합니다", False),
        (BandFault.HTTP_503, SourceState.BACKING_OFF, "일시적으로 응답하지 못했습니다", False),
        (BandFault.TIMEOUT, SourceState.BACKING_OFF, "제때 응답하지 않았습니다", False),
        (BandFault.MALFORMED_JSON, SourceState.BACKING_OFF, "응답을 읽을 수 없습니다", True),
        (BandFault.INVALID_PARAMS, SourceState.BACKING_OFF, "요청 값이 올바르지 않습니다", True),
        (BandFault.UNAUTHORIZED, SourceState.NEEDS_RECONNECT, "다시 연결해 주세요", False),
        (BandFault.NOT_MEMBER, SourceState.NEEDS_RECONNECT, "멤버가 아니거나", False),
        (10403, SourceState.NEEDS_RECONNECT, "권한이 없습니다", False),
    ],
    ids=["1003", "http-503", "timeout", "malformed-json", "211", "10401", "60102", "10403"],
)
async def test_each_error_class_sets_the_source_state_staff_see(
    harness: Harness,
    sim: BandSimulatorState,
    caplog: pytest.LogCaptureFixture,
    fault: BandFault | int,
    state: SourceState,
    words: str,
    dead_letter: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    _band(sim)
    source = await harness.connect("civic-forum", BAND, name="시민 공론장 밴드")
    sim.inject(fault, count=None, path=PATH_POSTS)
    before = datetime.now(UTC)

    outcome = await harness.sync(source)

    assert outcome.failure is not None and outcome.state is state
    seen = await harness.source(source)
    assert seen.state is state
    assert seen.last_error is not None and seen.last_error.startswith("밴드 '시민 공론장 밴드': ")
    assert words in seen.last_error and "/" in seen.last_error  # Korean, then English
    retried = state is SourceState.BACKING_OFF and not dead_letter
    assert sim.request_count(PATH_POSTS) == (3 if retried else 1)  # reconnect and rejects: never retried
    if state is SourceState.NEEDS_RECONNECT:
        assert seen.next_poll_at is None
    else:
        assert seen.next_poll_at is not None and seen.next_poll_at >= before + timedelta(seconds=59)
    async with harness.db.read() as conn:
        letters = (await conn.execute(select(DeadLetter.source_id, DeadLetter.kind))).all()
    assert letters == ([(source.id, "BAND")] if dead_letter else [])
    assert live(await stored_items(harness.db, source.organisation_id)) == {}
    assert TOKEN not in await _everything_stored(harness)
    assert TOKEN not in caplog.text and TOKEN not in seen.last_error

    # Once BAND is well again (and, for a reconnect, staff resumed the source), the next sync catches up.
    sim.clear_faults()
    recovered = await harness.sync(source)
    assert recovered.failure is None and recovered.report is not None and recovered.report.created == 12
    assert (await harness.source(source)).state is SourceState.OK


@pytest.mark.parametrize(
    ("fault", "at_least"), [(BandFault.APP_QUOTA, 60), (BandFault.USER_QUOTA, 60)], ids=["1001", "1002"]
)
async def test_a_quota_pauses_the_source_until_the_quota_window(
    harness: Harness, sim: BandSimulatorState, fault: BandFault, at_least: int
) -> None:
    _band(sim)
    source = await harness.connect("civic-forum", BAND)
    sim.inject(fault, count=None)
    before = datetime.now(UTC)
    outcome = await harness.sync(source)
    seen = await harness.source(source)
    assert outcome.failure is not None and outcome.failure.retry_at is not None
    assert seen.state is SourceState.BACKING_OFF and "한도" in (seen.last_error or "")
    assert "이후 다시 시도합니다" in (seen.last_error or "")
    assert seen.next_poll_at == outcome.failure.retry_at
    assert seen.next_poll_at >= before + timedelta(minutes=at_least)
    assert sim.request_count(PATH_POSTS) == 1


async def test_a_passing_cool_down_is_retried_inside_the_same_sync(
    harness: Harness, sim: BandSimulatorState
) -> None:
    _band(sim)
    source = await harness.connect("civic-forum", BAND)
    sim.inject(BandFault.COOL_DOWN, count=1)
    sim.inject(BandFault.HTTP_500, count=1)
    outcome = await harness.sync(source)
    assert outcome.failure is None and outcome.report is not None and outcome.report.created == 12
    assert sim.request_count(PATH_POSTS) == 3


async def test_a_revoked_token_or_a_missing_one_asks_for_reconnecting(
    harness: Harness, sim: BandSimulatorState
) -> None:
    _band(sim)
    revoked = await harness.connect("civic-forum", BAND)
    sim.revoke_token(TOKEN)
    assert (await harness.sync(revoked)).state is SourceState.NEEDS_RECONNECT
    tokenless = await harness.connect("civic-forum", BAND, token=None)
    outcome = await harness.sync(tokenless)
    assert outcome.state is SourceState.NEEDS_RECONNECT
    assert "토큰이 없습니다" in (outcome.failure.message if outcome.failure else "")
    assert sim.request_count(PATH_POSTS) == 1


async def test_a_fault_midway_keeps_the_pages_already_committed(
    harness: Harness, sim: BandSimulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    _band(sim)
    source = await harness.connect("civic-forum", BAND, page_limit=5)
    await harness.sync(source)  # complete, so the cursor has a mark
    sim.add_posts(BAND, distinct_posts(BAND, 12, start=100))
    first_page = sim.post_keys(BAND)[:5]
    sim.clear_requests()
    # Page 1 answers; from page 2 on BAND fails for good (the simulator's faults cannot count pages).
    original = sim._take_fault

    def fail_after_first_page(path: str) -> BandFault | int | None:
        if path == PATH_POSTS and sim.request_count(PATH_POSTS) >= 1:
            return BandFault.HTTP_503
        return original(path)

    monkeypatch.setattr(sim, "_take_fault", fail_after_first_page)
    outcome = await harness.sync(source)

    assert outcome.state is SourceState.BACKING_OFF
    stored = live(await stored_items(harness.db, source.organisation_id))
    assert set(first_page) <= set(stored) and len(stored) == 17
    cursor = (await harness.source(source)).cursor
    assert cursor["pass"]["first"] == first_page[0] and cursor["pass"]["last"] == first_page[-1]
    assert cursor["pass"]["count"] == 5 and cursor["syncs"] == 1

    monkeypatch.setattr(sim, "_take_fault", original)
    done = await harness.sync(source)
    assert done.report is not None and done.report.created == 7
    assert len(live(await stored_items(harness.db, source.organisation_id))) == 24
    assert (await harness.source(source)).cursor["pass"] is None
