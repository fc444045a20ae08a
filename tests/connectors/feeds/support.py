"""A small site on 127.0.0.1 that serves the Namwon feed and calendar fixtures like real servers do.

Files carry an ETag and Last-Modified and answer conditional GETs with 304. The calendar at
/calendar/ical/culture/public/basic.ics serves version 1 or 2 of the culture office's export depending
on `SiteState.calendar_version`, so a test can re-poll after the organiser edited it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from org_connectors.feeds import FetchPolicy, FetchResult, fetch

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "namwon"
LAST_MODIFIED = "Fri, 20 Nov 2026 09:30:00 GMT"
TEST_POLICY = FetchPolicy(timeout=5.0, allowed_private_hosts=frozenset({"127.0.0.1"}))

# How each fixture is served; the city board sends text/xml with no charset, as such CMSs do.
CONTENT_TYPES = {
    ".xml": "text/xml",
    ".html": "text/html; charset=utf-8",
    ".ics": "text/calendar; charset=UTF-8",
}
SPECIAL_TYPES = {
    "naver_blog_smallchange.xml": "application/rss+xml; charset=utf-8",
    "atom_youth_center.xml": "application/atom+xml",
}


@dataclass
class SiteState:
    calendar_version: int = 1
    streamed_bytes: int = 0


def _file_response(request: Request, data: bytes, content_type: str) -> Response:
    etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
    if (
        request.headers.get("if-none-match") == etag
        or request.headers.get("if-modified-since") == LAST_MODIFIED
    ):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=None, headers={**headers, "Content-Type": content_type})


def create_site(state: SiteState) -> Starlette:
    async def seed_file(request: Request) -> Response:
        kind, name = request.path_params["kind"], request.path_params["name"]
        path = SEEDS / kind / name
        if kind not in ("rss", "ical") or not path.is_file():
            return Response("없는 파일 / not found", status_code=404)
        content_type = SPECIAL_TYPES.get(name) or CONTENT_TYPES[path.suffix]
        return _file_response(request, path.read_bytes(), content_type)

    async def culture_calendar(request: Request) -> Response:
        data = (SEEDS / "ical" / f"culture_office_v{state.calendar_version}.ics").read_bytes()
        return _file_response(request, data, "text/calendar; charset=UTF-8")

    async def private_calendar(request: Request) -> Response:
        return Response("Not Found", status_code=404)

    async def redirect_chain(request: Request) -> Response:
        hops = int(request.path_params["hops"])
        target = "/rss/naver_blog_smallchange.xml" if hops == 0 else f"/hop/{hops - 1}"
        return RedirectResponse(target, status_code=302)

    async def to_localhost(request: Request) -> Response:
        return RedirectResponse(f"http://localhost:{request.url.port}/rss/naver_blog_smallchange.xml", 301)

    async def endless(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(400):  # 400 × 64 KiB ≈ 26 MB unless the client hangs up first
                state.streamed_bytes += 65_536
                yield b"<item>" + b"x" * 65_530
                await asyncio.sleep(0)

        return StreamingResponse(chunks(), media_type="application/rss+xml")

    async def slow(request: Request) -> Response:
        await asyncio.sleep(1.5)
        return Response("늦은 응답", media_type="text/plain")

    async def unavailable(request: Request) -> Response:
        return Response("점검 중 / maintenance", status_code=503)

    return Starlette(
        routes=[
            Route("/calendar/ical/culture/public/basic.ics", culture_calendar),
            Route("/calendar/ical/{calendar_id}/{secret}/basic.ics", private_calendar),
            Route("/hop/{hops:int}", redirect_chain),
            Route("/to-localhost", to_localhost),
            Route("/endless.xml", endless),
            Route("/slow.xml", slow),
            Route("/unavailable.xml", unavailable),
            Route("/{kind}/{name}", seed_file),
        ]
    )


async def get(url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
    """Fetch with the policy operators would set for a test: 127.0.0.1 allowed, nothing else private."""
    return await fetch(url, etag=etag, last_modified=last_modified, policy=TEST_POLICY)
