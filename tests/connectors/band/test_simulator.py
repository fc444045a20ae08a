"""The simulator behaves like BAND where a sync can notice it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from org_connectors.band.client import PATH_POSTS, BandClient
from org_connectors.band.errors import BandRejected
from org_connectors.band.mapping import band_post_to_raw_post
from org_connectors.band.models import BandPost
from org_connectors.band.simulator import BandSimulatorState, generate_posts, load_band_fixtures
from tests.connectors.band.conftest import COMMUNITY_BAND, FIXTURES, REPO, TOKEN
from tests.support.server import free_port


def test_fixtures_cover_the_namwon_organisations() -> None:
    state = BandSimulatorState()
    loaded = load_band_fixtures(FIXTURES, state)

    assert {f.organisation_name for f in loaded} == {
        "남원시 공동체지원센터",
        "남원 문화도시사무국",
        "춘향골 교육공동체",
        "남원 청년모임",
        "남원작은변화포럼",
    }
    assert sum(f.post_count for f in loaded) == 20
    assert all(f.organisation_slug for f in loaded)
    # Files list posts newest first; the simulator keeps that order.
    assert state.post_keys(COMMUNITY_BAND)[0] == "AADnwCs00000000000000002"


def test_generated_posts_are_deterministic_korean_announcements() -> None:
    first = generate_posts("AAAnwGen", 250, seed=3)
    again = generate_posts("AAAnwGen", 250, seed=3)
    other = generate_posts("AAAnwGen", 250, seed=4)

    assert first == again and first != other
    assert len({p["post_key"] for p in first}) == 250
    posts = [band_post_to_raw_post(BandPost.from_json(p)) for p in first]
    assert all("남원" in p.tags for p in posts)
    staff = sum(1 for p in posts if p.author_is_staff)
    assert 180 <= staff < 250  # mostly leaders and co-leaders, some members for the review queue
    assert any("@회원" in p.body for p in posts) and any(p.images for p in posts)
    assert len({p.body for p in posts}) > 240
    assert [p.posted_at for p in posts] == sorted(p.posted_at for p in posts)


async def test_an_edit_during_paging_neither_repeats_nor_loses_older_posts(
    client: BandClient, state: BandSimulatorState
) -> None:
    state.add_band("AAAnwPaging", "페이징 시험 밴드")
    state.add_posts("AAAnwPaging", generate_posts("AAAnwPaging", 60))
    before = state.post_keys("AAAnwPaging")

    first = await client.get_posts("AAAnwPaging")
    state.edit_post("AAAnwPaging", before[30], "[수정] 장소가 변경되었습니다")
    rest = [page async for page in client.iter_posts("AAAnwPaging", next_params=first.next_params)]

    seen = [p.post_key for p in first.posts] + [p.post_key for page in rest for p in page.posts]
    assert len(seen) == len(set(seen)) == 59  # the edited post moved above the cursor
    assert before[30] not in seen
    assert state.post_keys("AAAnwPaging")[0] == before[30]


async def test_required_parameters_are_enforced_like_band(base_url: str, client: BandClient) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        no_locale = (
            await http.get(PATH_POSTS, params={"band_key": COMMUNITY_BAND, "access_token": TOKEN})
        ).json()
        bad_cursor = (
            await http.get(
                PATH_POSTS,
                params={
                    "band_key": COMMUNITY_BAND,
                    "locale": "ko_KR",
                    "after": "garbage",
                    "access_token": TOKEN,
                },
            )
        ).json()

    assert no_locale["result_code"] == 212
    assert bad_cursor["result_code"] == 211
    with pytest.raises(BandRejected) as missing:
        await client.get_post(COMMUNITY_BAND, "AADdoesNotExist")
    assert missing.value.result_code == 60000


def test_the_demo_command_serves_the_fixtures(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "org_connectors.band.simulator", "--token", TOKEN, "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v2.1/bands", params={"access_token": TOKEN})
                break
            except httpx.ConnectError:
                assert process.poll() is None and time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.05)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)

    assert len(response.json()["result_data"]["bands"]) == 6
    assert TOKEN.encode() not in output  # no access log line with the token in it
