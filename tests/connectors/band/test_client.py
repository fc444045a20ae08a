"""The client against the simulator over real HTTP: paging, every error class, and no token leaks."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from org_connectors.band.client import PATH_BANDS, PATH_COMMENTS, PATH_POSTS, BandClient, RetryPolicy
from org_connectors.band.errors import (
    BandError,
    BandMalformedResponse,
    BandNeedsReconnect,
    BandQuotaExceeded,
    BandRejected,
    BandRetryable,
)
from org_connectors.band.simulator import BandFault, BandSimulatorState, generate_posts
from org_connectors.base import UnreadableInput
from tests.connectors.band.conftest import COMMUNITY_BAND, FAST_RETRY, TOKEN, YOUTH_BAND

BIG_BAND = "AAAnwBigSyncBand00000001"


def _add_big_band(state: BandSimulatorState, count: int = 250) -> None:
    state.add_band(BIG_BAND, "남원시 공동체지원센터 (대량 동기화)", member_count=400)
    state.add_posts(BIG_BAND, generate_posts(BIG_BAND, count, seed=7))


async def test_lists_the_bands_the_token_can_see(client: BandClient) -> None:
    bands = await client.list_bands()

    assert {b.name for b in bands} >= {"남원시 공동체지원센터", "춘향골 교육공동체", "남원작은변화포럼"}
    assert len(bands) == 6
    assert all(b.band_key.startswith("AAAnw") and b.cover for b in bands)


async def test_pages_through_250_posts_in_three_pages_without_gaps(
    client: BandClient, state: BandSimulatorState
) -> None:
    _add_big_band(state)

    pages = [page async for page in client.iter_posts(BIG_BAND, limit=100)]

    assert [len(p.posts) for p in pages] == [100, 100, 50]
    keys = [post.post_key for page in pages for post in page.posts]
    assert keys == state.post_keys(BIG_BAND)  # newest modification first, nothing twice
    assert state.request_count(PATH_POSTS) == 3
    assert pages[-1].next_params is None
    for page in pages[:-1]:
        assert page.next_params is not None
        assert set(page.next_params) == {"after", "limit", "band_key"}  # the echoed token is gone
    assert all(r.params.get("locale") == "ko_KR" for r in state.requests)


async def test_simulator_echoes_the_token_but_the_client_never_returns_it(
    base_url: str, client: BandClient, state: BandSimulatorState
) -> None:
    _add_big_band(state, 30)
    async with httpx.AsyncClient() as http:
        raw = (
            await http.get(
                base_url + PATH_POSTS, params={"band_key": BIG_BAND, "locale": "ko_KR", "access_token": TOKEN}
            )
        ).json()
    assert raw["result_data"]["paging"]["next_params"]["access_token"] == TOKEN

    page = await client.get_posts(BIG_BAND)

    assert page.next_params is not None
    assert TOKEN not in repr(page.next_params) and "access_token" not in page.next_params


async def test_resuming_from_stored_next_params_reads_the_rest(
    client: BandClient, state: BandSimulatorState
) -> None:
    _add_big_band(state, 45)
    first = await client.get_posts(BIG_BAND)

    rest = [page async for page in client.iter_posts(BIG_BAND, next_params=first.next_params)]

    keys = [p.post_key for p in first.posts] + [p.post_key for page in rest for p in page.posts]
    assert keys == state.post_keys(BIG_BAND)
    assert [len(p.posts) for p in rest] == [20, 5]


async def test_an_edit_moves_the_post_to_the_top_and_a_deletion_removes_it(
    client: BandClient, state: BandSimulatorState
) -> None:
    before = (await client.get_posts(COMMUNITY_BAND)).posts
    oldest, second_oldest = before[-1], before[-2]

    state.edit_post(COMMUNITY_BAND, oldest.post_key, "[수정] 공유공간 대관은 3주 전까지 신청해 주세요.")
    state.delete_post(COMMUNITY_BAND, second_oldest.post_key)
    after = (await client.get_posts(COMMUNITY_BAND)).posts

    assert after[0].post_key == oldest.post_key
    assert after[0].content.startswith("[수정]")
    assert second_oldest.post_key not in {p.post_key for p in after}
    assert len(after) == len(before) - 1


async def test_post_detail_and_comments(client: BandClient) -> None:
    post = await client.get_post(COMMUNITY_BAND, "AADnwCs00000000000000004")
    comments = await client.get_comments(COMMUNITY_BAND, "AADnwCs00000000000000001")

    assert post.post_read_count is not None
    assert [(p.media_id, p.url.rsplit("/", 1)[-1]) for p in post.photos] == [
        ("5201", "cs-banchan-1.jpg"),
        ("5202", "cs-banchan-2.jpg"),
    ]
    assert [c.content.split()[0] for c in comments] == ["작년에", "<band:refer"]
    assert comments[1].author.is_staff


async def test_comments_follow_paging(client: BandClient, state: BandSimulatorState) -> None:
    for n in range(25):
        state.add_comment(YOUTH_BAND, "AADnwYo00000000000000002", f"저도 갈게요 {n + 1}번째")

    comments = await client.get_comments(YOUTH_BAND, "AADnwYo00000000000000002")

    assert [c.content for c in comments][-1] == "저도 갈게요 25번째"
    assert len(comments) == 25
    assert state.request_count(PATH_COMMENTS) == 2


# -- error classes ------------------------------------------------------------------------------------


async def test_cool_down_1003_is_retried_until_it_passes(
    client: BandClient, state: BandSimulatorState
) -> None:
    state.inject(BandFault.COOL_DOWN, count=2, path=PATH_POSTS)

    page = await client.get_posts(COMMUNITY_BAND)

    assert len(page.posts) == 6
    assert state.request_count(PATH_POSTS) == 3


async def test_cool_down_that_never_ends_gives_up_after_the_attempts(
    client: BandClient, state: BandSimulatorState
) -> None:
    state.inject(BandFault.COOL_DOWN, count=None)

    with pytest.raises(BandRetryable) as caught:
        await client.get_posts(COMMUNITY_BAND)

    assert caught.value.result_code == 1003
    assert "쉬어야" in str(caught.value)
    assert state.request_count() == FAST_RETRY.attempts


async def test_app_quota_1001_pauses_until_the_next_midnight_in_seoul(
    base_url: str, state: BandSimulatorState
) -> None:
    now = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)  # 22:30 in Seoul
    state.inject(BandFault.APP_QUOTA)
    async with BandClient(base_url, TOKEN, retry=FAST_RETRY, clock=lambda: now) as band:
        with pytest.raises(BandQuotaExceeded) as caught:
            await band.list_bands()

    assert caught.value.retry_after == timedelta(hours=1, minutes=30)
    assert caught.value.resume_at == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
    assert "03월 06일 00:00" in str(caught.value)
    assert state.request_count() == 1  # quotas are never retried in place


async def test_user_quota_1002_pauses_for_an_hour(client: BandClient, state: BandSimulatorState) -> None:
    state.inject(BandFault.USER_QUOTA)

    with pytest.raises(BandQuotaExceeded) as caught:
        await client.get_posts(COMMUNITY_BAND)

    assert caught.value.retry_after == timedelta(hours=1)
    assert state.request_count() == 1


@pytest.mark.parametrize("fault", [BandFault.UNAUTHORIZED, BandFault.NOT_MEMBER, 10403, 60200])
async def test_reconnect_errors_are_never_retried(
    client: BandClient, state: BandSimulatorState, fault: BandFault | int
) -> None:
    state.inject(fault)

    with pytest.raises(BandNeedsReconnect) as caught:
        await client.get_posts(COMMUNITY_BAND)

    assert "다시 연결" in str(caught.value)
    assert state.request_count() == 1


async def test_a_revoked_token_needs_reconnecting(base_url: str, state: BandSimulatorState) -> None:
    async with BandClient(base_url, "ZQAAAexpiredToken0000", retry=FAST_RETRY) as band:
        with pytest.raises(BandNeedsReconnect) as caught:
            await band.list_bands()

    assert caught.value.result_code == 10401 and caught.value.status == 401
    assert state.request_count() == 1


async def test_a_band_the_user_did_not_grant_answers_60102(base_url: str, state: BandSimulatorState) -> None:
    state.add_token("ZQAAAyouthOnly", bands=[YOUTH_BAND])
    async with BandClient(base_url, "ZQAAAyouthOnly", retry=FAST_RETRY) as band:
        visible = await band.list_bands()
        with pytest.raises(BandNeedsReconnect) as caught:
            await band.get_posts(COMMUNITY_BAND)

    assert [b.band_key for b in visible] == [YOUTH_BAND]
    assert caught.value.result_code == 60102


async def test_invalid_parameters_are_rejected_without_retry(
    client: BandClient, state: BandSimulatorState
) -> None:
    state.inject(BandFault.INVALID_PARAMS)
    with pytest.raises(BandRejected) as injected:
        await client.get_posts(COMMUNITY_BAND)
    with pytest.raises(BandRejected) as real:
        await client.get_posts(COMMUNITY_BAND, limit=500)  # BAND allows 1..100

    assert injected.value.result_code == 211 and real.value.result_code == 211
    assert state.request_count() == 2


async def test_server_errors_are_retried(client: BandClient, state: BandSimulatorState) -> None:
    state.inject(BandFault.HTTP_500)
    state.inject(BandFault.HTTP_503)

    bands = await client.list_bands()

    assert len(bands) == 6
    assert state.request_count(PATH_BANDS) == 3


async def test_server_errors_that_persist_end_as_retryable(
    client: BandClient, state: BandSimulatorState
) -> None:
    state.inject(BandFault.HTTP_503, count=None)

    with pytest.raises(BandRetryable) as caught:
        await client.list_bands()

    assert caught.value.status == 503
    assert state.request_count() == FAST_RETRY.attempts


async def test_a_timeout_is_retried_and_then_succeeds(base_url: str, state: BandSimulatorState) -> None:
    state.inject(BandFault.TIMEOUT)
    async with BandClient(base_url, TOKEN, retry=FAST_RETRY, timeout=0.3) as band:
        started = time.monotonic()
        page = await band.get_posts(YOUTH_BAND)

    assert len(page.posts) == 3
    assert time.monotonic() - started < state.timeout_seconds  # the client did not wait for the server
    assert state.request_count() == 2


async def test_timeouts_that_persist_end_as_retryable(base_url: str, state: BandSimulatorState) -> None:
    state.inject(BandFault.TIMEOUT, count=None)
    async with BandClient(
        base_url, TOKEN, retry=RetryPolicy(attempts=2, base=0.01, cap=0.02), timeout=0.2
    ) as band:
        with pytest.raises(BandRetryable, match="제때 응답하지"):
            await band.get_posts(YOUTH_BAND)

    assert state.request_count() == 2


async def test_a_slow_answer_within_the_timeout_is_fine(
    client: BandClient, state: BandSimulatorState
) -> None:
    state.inject(BandFault.SLOW)

    started = time.monotonic()
    page = await client.get_posts(YOUTH_BAND)

    assert time.monotonic() - started >= state.slow_seconds
    assert len(page.posts) == 3
    assert state.request_count() == 1


async def test_malformed_json_is_dead_lettered_not_retried(
    client: BandClient, state: BandSimulatorState
) -> None:
    state.inject(BandFault.MALFORMED_JSON)

    with pytest.raises(BandMalformedResponse) as caught:
        await client.get_posts(COMMUNITY_BAND)

    assert isinstance(caught.value, UnreadableInput)
    assert caught.value.raw is not None and "AABtruncated" in caught.value.raw
    assert state.request_count() == 1


async def test_a_connection_refused_is_retryable() -> None:
    from tests.support.server import free_port

    async with BandClient(f"http://127.0.0.1:{free_port()}", TOKEN, retry=FAST_RETRY) as band:
        with pytest.raises(BandRetryable, match="연결하지 못했습니다"):
            await band.list_bands()


# -- the token stays secret ---------------------------------------------------------------------------


async def test_the_token_never_appears_in_errors_or_logs(
    client: BandClient, state: BandSimulatorState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faults: list[BandFault | int] = [
        BandFault.COOL_DOWN,
        BandFault.APP_QUOTA,
        BandFault.UNAUTHORIZED,
        BandFault.INVALID_PARAMS,
        BandFault.MALFORMED_JSON,
    ]
    errors: list[BandError] = []
    for fault in faults:
        state.inject(fault, count=None)
        try:
            await client.get_posts(COMMUNITY_BAND)
        except BandError as exc:
            errors.append(exc)
        state.clear_faults()
    page = await client.get_posts(COMMUNITY_BAND, limit=2)

    assert len(errors) == len(faults)
    for error in errors:
        texts = [
            str(error),
            repr(error),
            str(getattr(error, "raw", "")),
            repr(error.__context__),
            repr(error.__cause__),
        ]
        assert all(TOKEN not in text for text in texts)
    assert TOKEN not in repr(page)
    assert TOKEN not in repr(client)
    assert "HTTP Request: GET" in caplog.text  # httpx did log every URL…
    assert "access_token=***" in caplog.text  # …with the token scrubbed
    assert TOKEN not in caplog.text
    assert "재시도" in caplog.text


async def test_calls_are_spaced_apart_when_asked(base_url: str, state: BandSimulatorState) -> None:
    async with BandClient(base_url, TOKEN, retry=FAST_RETRY, min_interval=0.15) as band:
        started = time.monotonic()
        await asyncio.gather(band.list_bands(), band.get_posts(YOUTH_BAND), band.get_posts(COMMUNITY_BAND))
        elapsed = time.monotonic() - started

    assert elapsed >= 0.3  # three calls, two gaps
    assert state.request_count() == 3
