"""`hub sources add band`, `hub sources sync` and `hub import band` as operators run them: real processes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func
from sqlmodel import select

from hub.db import Database
from hub.errors import InvalidInput
from hub.models import DeadLetter, FeedItem, FeedItemSource
from hub.services.band_import import import_band_file
from org_connectors.band.simulator import BandSimulatorState, create_band_simulator, load_band_fixtures
from tests.support.factories import organisation
from tests.support.server import serve_asgi
from tests.sync.band.conftest import EXAMPLES, FIXTURES, SECRET_KEY, TOKEN

HUB = [sys.executable, "-c", "from hub.cli import main; main()"]
YOUTH_BAND = "AAAnwYouthGathering00001"


def hub(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    environment.update(env, COLUMNS="200", HUB_SECRET_KEY=SECRET_KEY, HUB_LOG_JSON="false")
    return subprocess.run([*HUB, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("band-cli")
    assert hub("db", "upgrade", cwd=directory).returncode == 0
    added = hub("orgs", "add", "namwon-youth", "--name", "남원 청년모임", "--area", "youth", cwd=directory)
    assert added.returncode == 0, added.stderr
    return directory


@pytest.fixture(scope="module")
def simulator() -> Iterator[tuple[str, BandSimulatorState]]:
    state = BandSimulatorState(access_tokens={TOKEN})
    load_band_fixtures(FIXTURES, state)
    with serve_asgi(create_band_simulator(state)) as url:
        yield url, state


def _rows(workdir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(workdir / "var" / "hub.sqlite3") as conn:
        return list(conn.execute(sql))


def test_connect_a_band_with_a_token_file_and_sync_it(
    workdir: Path, simulator: tuple[str, BandSimulatorState]
) -> None:
    url, state = simulator
    token_file = workdir / "band-token.txt"
    token_file.write_text(f"\n{TOKEN}\n")
    added = hub(
        "sources", "add", "band", "--org", "namwon-youth", "--band-key", YOUTH_BAND,
        "--token-file", str(token_file), "--name", "청춘남원 밴드", cwd=workdir,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "밴드를 연결했습니다" in added.stdout and "검토 후 공개" in added.stdout
    assert TOKEN not in added.stdout + added.stderr
    (source_id,) = _rows(workdir, "SELECT id FROM source WHERE kind = 'BAND'")[0]
    assert TOKEN not in repr(_rows(workdir, "SELECT * FROM source"))

    synced = hub("sources", "sync", str(source_id), cwd=workdir, HUB_BAND_API_BASE=url)
    assert synced.returncode == 0, synced.stderr
    assert "새 글 3" in synced.stdout
    assert TOKEN not in synced.stdout + synced.stderr
    statuses = sorted(str(r[0]) for r in _rows(workdir, "SELECT status FROM feed_item"))
    assert statuses == ["PENDING_REVIEW", "PUBLISHED", "PUBLISHED"]  # the member's plogging post waits
    listed = hub("sources", "list", cwd=workdir)
    assert "청춘남원 밴드" in listed.stdout and "정상" in listed.stdout

    state.revoke_token(TOKEN)
    broken = hub("sources", "sync", str(source_id), cwd=workdir, HUB_BAND_API_BASE=url)
    assert broken.returncode == 1
    assert "다시 연결" in broken.stderr and TOKEN not in broken.stderr
    state.add_token(TOKEN)


def test_connecting_refuses_an_empty_token_file_or_an_unknown_organisation(workdir: Path) -> None:
    empty = workdir / "empty.txt"
    empty.write_text("\n\n")
    refused = hub(
        "sources", "add", "band", "--org", "namwon-youth", "--band-key", YOUTH_BAND,
        "--token-file", str(empty), cwd=workdir,
    )  # fmt: skip
    assert refused.returncode == 1 and "토큰 파일에 올바른 토큰이 없습니다" in refused.stderr
    token_file = workdir / "t.txt"
    token_file.write_text(TOKEN)
    unknown = hub(
        "sources", "add", "band", "--org", "nowhere", "--band-key", YOUTH_BAND,
        "--token-file", str(token_file), cwd=workdir,
    )  # fmt: skip
    assert unknown.returncode == 1 and "알 수 없는 기관" in unknown.stderr and TOKEN not in unknown.stderr


def test_import_band_ingests_the_reference_examples(workdir: Path) -> None:
    hub("orgs", "add", "haeoreum", "--name", "해오름 환경봉사단", "--area", "community", cwd=workdir)
    posts = hub("import", "band", str(EXAMPLES / "v2-band-posts.json"), "--org", "haeoreum", cwd=workdir)
    assert posts.returncode == 0, posts.stderr
    assert "새 글 1" in posts.stdout and "읽지 못함 0" in posts.stdout
    again = hub("import", "band", str(EXAMPLES / "v2-band-posts.json"), "--org", "haeoreum", cwd=workdir)
    assert "그대로 1" in again.stdout
    detail = hub("import", "band", str(EXAMPLES / "v2.1-band-post.json"), "--org", "haeoreum", cwd=workdir)
    assert detail.returncode == 0, detail.stderr
    assert "수정 1" in detail.stdout  # the detail call of the same post: one item, not two

    rows = _rows(
        workdir,
        "SELECT i.title, i.body, i.images, r.payload FROM feed_item i JOIN feed_item_source s ON s.item_id = i.id "
        "JOIN raw_post r ON r.id = s.raw_post_id WHERE s.external_id LIKE 'AAAbHaeoreum%'",
    )
    assert len(rows) == 1
    title, body, images, payload = rows[0]
    assert "3월 정기 봉사" in str(title) + str(body)
    assert "ZQAAA" not in str(payload)  # the echoed token in next_params is never stored
    assert "poster.jpg" in str(images)


@pytest.mark.parametrize(
    ("example", "words"),
    [
        ("v2.1-bands.json", "items"),
        ("v2-band-post-comments.json", "댓글 목록"),
        ("error-1003.json", "오류 응답"),
    ],
)
async def test_import_refuses_files_that_are_not_post_lists(db: Database, example: str, words: str) -> None:
    await organisation(db, "namwon-youth")
    with pytest.raises(InvalidInput) as refused:
        await import_band_file(
            db, organisation_slug="namwon-youth", data=(EXAMPLES / example).read_bytes(), origin=example
        )
    assert words in refused.value.message and example in refused.value.message
    async with db.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(FeedItem))).scalar_one() == 0
        letters = (await conn.execute(select(DeadLetter.kind, DeadLetter.origin))).all()
    assert [tuple(letter) for letter in letters] == [("BAND", f"import {example}")]


async def test_import_takes_a_list_of_pages_and_dead_letters_unreadable_posts(db: Database) -> None:
    await organisation(db, "namwon-youth")
    page = orjson.loads((FIXTURES / "namwon-youth.json").read_bytes())
    good = {"result_code": 1, "result_data": {"paging": {"next_params": None}, "items": page["posts"][:2]}}
    broken_item = {
        "post_key": "AADbrokenImport000000001",
        "band_key": YOUTH_BAND,
        "content": "작성 시각이 없는 글",
    }
    mixed = {"result_code": 1, "result_data": {"items": [page["posts"][2], broken_item]}}
    data = orjson.dumps([good, mixed])
    result = await import_band_file(db, organisation_slug="namwon-youth", data=data, origin="pages.json")
    assert result.dead_letters == 1 and result.created + result.updated == 3
    again = await import_band_file(db, organisation_slug="namwon-youth", data=data, origin="pages.json")
    assert (again.unchanged, again.dead_letters) == (3, 0)  # the same broken post is recorded once
    async with db.read() as conn:
        refs = (await conn.execute(select(FeedItemSource.external_id))).scalars().all()
        letters = (await conn.execute(select(DeadLetter.reason, DeadLetter.payload))).all()
    assert len(refs) == 3 and len(letters) == 1
    assert "created_at" in letters[0].reason and "AADbrokenImport000000001" in letters[0].payload
    with pytest.raises(InvalidInput, match="JSON 형식이 아닙니다"):
        await import_band_file(
            db, organisation_slug="namwon-youth", data="{ 이건 JSON이 아닙니다".encode(), origin="x.json"
        )
