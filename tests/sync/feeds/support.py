"""A small site on 127.0.0.1 that serves feed and calendar documents like real servers do, and remembers
what it was asked.

A test puts documents at paths (`site.put`), may switch conditional GET off (`site.conditional`) or make a
path answer an error status (`site.statuses`), and reads `site.requests` to see what the hub sent.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "namwon"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml"
BOARD = "text/xml"  # city-board CMSs send EUC-KR as text/xml with no charset
ICS = "text/calendar; charset=UTF-8"
HTML = "text/html; charset=utf-8"
_FIRST_VERSION = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def seed(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


def without_events(calendar: bytes, *uids: str) -> bytes:
    """The calendar without the VEVENTs of these UIDs (deleted in Google Calendar)."""
    text = calendar.decode("utf-8")
    for uid in uids:
        text = re.sub(
            rf"BEGIN:VEVENT\r?\n(?:(?!END:VEVENT).)*?UID:{re.escape(uid)}.*?END:VEVENT\r?\n",
            "",
            text,
            flags=re.S,
        )
    return text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class SeenRequest:
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int


@dataclass
class Document:
    data: bytes
    content_type: str
    version: int

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.data).hexdigest()[:16] + '"'

    @property
    def last_modified(self) -> str:
        return format_datetime(_FIRST_VERSION + timedelta(hours=self.version), usegmt=True)


@dataclass
class FeedSite:
    base_url: str = ""
    documents: dict[str, Document] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    requests: list[SeenRequest] = field(default_factory=list)
    conditional: bool = True

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def put(self, path: str, data: bytes, content_type: str) -> str:
        previous = self.documents.get(path)
        version = (previous.version + 1) if previous else 0
        self.documents[path] = Document(data, content_type, version)
        return self.url(path)

    def reset(self) -> None:
        self.documents.clear()
        self.statuses.clear()
        self.requests.clear()
        self.conditional = True


def create_site(site: FeedSite) -> Starlette:
    async def serve(request: Request) -> Response:
        # The path as sent (still percent-encoded), as tests name it: `culture%40group…`.
        path = request.scope.get("raw_path", b"").decode("ascii") or request.url.path
        response = _answer(site, path, request.headers)
        site.requests.append(
            SeenRequest(
                path,
                request.headers.get("if-none-match"),
                request.headers.get("if-modified-since"),
                response.status_code,
            )
        )
        return response

    return Starlette(routes=[Route("/{path:path}", serve)])


def _answer(site: FeedSite, path: str, headers: Any) -> Response:
    if status := site.statuses.get(path):
        return Response("오류 / error", status_code=status)
    document = site.documents.get(path)
    if document is None:
        return Response("없는 문서 / not found", status_code=404)
    if not site.conditional:
        return Response(document.data, headers={"Content-Type": document.content_type})
    validators = {"ETag": document.etag, "Last-Modified": document.last_modified}
    if_none_match, if_modified_since = headers.get("if-none-match"), headers.get("if-modified-since")
    # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 §13.2.2).
    if (if_none_match is not None and if_none_match == document.etag) or (
        if_none_match is None and if_modified_since == document.last_modified
    ):
        return Response(status_code=304, headers=validators)
    return Response(document.data, headers={**validators, "Content-Type": document.content_type})
