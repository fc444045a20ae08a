"""`hub sources add band` and `hub import band`: connect a band with a token file, import a saved response.

The token is read from a file (never from the command line, where it would land in shell history and
`ps`), sealed at once, and never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.commands import fail, import_app, out, run, settings, sources_add_app
from hub.db import Database
from hub.secrets import SecretBox
from hub.services.band_import import BandImportResult, import_band_file
from hub.services.sources import SourceRecord, add_source
from org_connectors import SourceKind

OrgOption = Annotated[str, typer.Option("--org", help="기관 슬러그 / organisation slug")]


def read_token_file(path: Path) -> str:
    """The first non-empty line of the file; a clear error (that never shows the file's text) otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        fail(f"토큰 파일을 읽을 수 없습니다 / Cannot read the token file: {path}")
        raise
    token = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not token or any(ch.isspace() for ch in token):
        fail(f"토큰 파일에 올바른 토큰이 없습니다 / The token file holds no usable token: {path}")
    return token


@sources_add_app.command("band")
def add_band(
    org: OrgOption,
    band_key: Annotated[str, typer.Option("--band-key", help="밴드 키 / the band_key from BAND")],
    token_file: Annotated[
        Path, typer.Option("--token-file", help="접근 토큰이 든 파일 / a file holding the access token")
    ],
    name: Annotated[str | None, typer.Option("--name", help="출처 이름 / a name staff recognise")] = None,
    poll_seconds: Annotated[int, typer.Option("--poll-seconds", help="수집 간격(초) / poll interval")] = 900,
    no_review: Annotated[
        bool,
        typer.Option(
            "--no-review",
            help="일반 멤버 글도 바로 공개 / publish members' posts without review (default: review them)",
        ),
    ] = False,
) -> None:
    """네이버 밴드 연결 / Connect a Naver BAND band (token from a file, stored encrypted)."""
    band_key = band_key.strip()
    if not band_key or any(ch.isspace() or ch in "/?&#" for ch in band_key):
        fail(f"밴드 키가 올바르지 않습니다 / Invalid band key: {band_key!r}")
    token = read_token_file(token_file)
    box = SecretBox(settings().resolved_secret_key())

    async def add(db: Database) -> SourceRecord:
        return await add_source(
            db,
            box,
            organisation_slug=org,
            kind=SourceKind.BAND,
            name=name or f"BAND {band_key}",
            config={"band_key": band_key},
            secret=token,
            poll_interval_seconds=poll_seconds,
            review_non_staff=not no_review,
        )

    source = run(add)
    review = (
        "멤버 글은 검토 후 공개 / members' posts wait for review"
        if source.review_non_staff
        else ("멤버 글도 바로 공개 / members' posts are published at once")
    )
    out.print(
        f"밴드를 연결했습니다 / connected BAND source [bold]{source.id}[/]: {source.name} · "
        f"band_key {band_key} · "
        f"{review} · 토큰은 암호화해 저장했습니다 / the token is stored encrypted",
        highlight=False,
    )


@import_app.command("band")
def import_band(
    file: Annotated[
        Path, typer.Argument(help="저장한 /v2/band/posts 응답 / a saved /v2/band/posts response")
    ],
    org: OrgOption,
) -> None:
    """저장한 밴드 응답 가져오기 / Import a saved BAND post list (one page or a JSON list of pages)."""
    try:
        data = file.read_bytes()
    except OSError:
        fail(f"파일을 읽을 수 없습니다 / Cannot read the file: {file}")
        raise

    async def work(db: Database) -> BandImportResult:
        return await import_band_file(db, organisation_slug=org, data=data, origin=file.name)

    result = run(work)
    out.print(f"가져왔습니다 / imported: {result}", highlight=False)
    if result.dead_letters:
        out.print("읽지 못한 글은 `hub sources errors`에서 볼 수 있습니다 / see `hub sources errors`")
