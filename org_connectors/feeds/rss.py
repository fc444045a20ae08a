"""RSS 2.0 / Atom feeds (Naver blogs, `rssBbsNtt.do` city boards, generic Atom) to `RawPost` records.

Ids, most specific first: a board's `nttNo` (qualified by host, as `ntt:{host}:{nttNo}`), then the
entry's `guid`/Atom `id`, then the link without tracking parameters. A feed holds only recent posts, so
an entry missing from a later poll says nothing about deletion; callers must not treat it as deleted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser

from org_connectors.base import DatePrecision, RawPost, SourceKind, UnreadableInput
from org_connectors.feeds.dates import parse_feed_date
from org_connectors.feeds.errors import NotAFeed
from org_connectors.feeds.html_text import html_to_text, inline_text
from org_connectors.feeds.links import canonical_post_url, query_value

SEOUL = ZoneInfo("Asia/Seoul")

# Korean public-sector CMSs declare these and often really send CP949, a superset of EUC-KR.
_KOREAN_LEGACY = frozenset(
    {"euc-kr", "euc_kr", "euckr", "ks_c_5601-1987", "ks_c_5601", "cp949", "x-windows-949", "ms949", "uhc"}
)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_NEW_BADGE = re.compile(r"\s*(새글|new)\s*$", re.IGNORECASE)
_IMAGE_NAME = re.compile(r"\.(jpe?g|png|gif|webp|bmp)$", re.IGNORECASE)
_MAX_ATTACHMENTS = 50


@dataclass(frozen=True, slots=True)
class FeedParseResult:
    posts: tuple[RawPost, ...]
    title: str | None
    unreadable: tuple[UnreadableInput, ...]


@dataclass(frozen=True, slots=True)
class _Attachment:
    name: str
    url: str | None
    preview: str | None


def parse_feed(data: bytes, *, content_type: str | None = None, tz: tzinfo = SEOUL) -> FeedParseResult:
    """Read an RSS/Atom document. Broken entries come back in `unreadable`; the rest are posts.

    Raises `NotAFeed` when `data` is not a feed at all (an HTML page, JSON, an empty body).
    """
    if _HTML_START.match(data):
        raise NotAFeed(data, reason="HTML 페이지 / an HTML page")
    body, content_type = _utf8_if_korean_legacy(data, content_type)
    headers = {"content-type": content_type} if content_type else None
    # bozo only flags that the strict XML parser gave up; feedparser's loose parser still read the entries,
    # so it is no reason to drop them. Only the absence of any feed shape is.
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    if not parsed.get("version"):
        raise NotAFeed(data, reason="RSS/Atom 요소가 없음 / no RSS or Atom element")
    feed_title = inline_text(parsed.feed.get("title", "")) or None
    posts: list[RawPost] = []
    unreadable: list[UnreadableInput] = []
    for index, entry in enumerate(parsed.entries, start=1):
        try:
            posts.append(_entry_post(entry, index=index, tz=tz, feed_title=feed_title))
        except UnreadableInput as problem:
            unreadable.append(problem)
    return FeedParseResult(posts=tuple(posts), title=feed_title, unreadable=tuple(unreadable))


def _utf8_if_korean_legacy(data: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """Re-encode EUC-KR/CP949 input as UTF-8 so a CP949-only syllable cannot make feedparser guess."""
    declared = _XML_DECLARATION.match(data)
    charset = declared.group(1).decode("ascii") if declared else None
    if charset is None and content_type and (match := _HTTP_CHARSET.search(content_type)):
        charset = match.group(1)
    if charset is None or charset.lower() not in _KOREAN_LEGACY:
        return data, content_type
    text = data.decode("cp949", errors="replace")
    if declared:
        start, end = declared.span(1)
        prefix = data[:start].decode("ascii", errors="replace")
        text = prefix + "utf-8" + text[len(data[:end].decode("cp949", errors="replace")) :]
    media_type = (content_type or "application/xml").split(";")[0].strip()
    return text.encode("utf-8"), f"{media_type}; charset=utf-8"


def _entry_post(entry: Mapping[str, Any], *, index: int, tz: tzinfo, feed_title: str | None) -> RawPost:
    title = _NEW_BADGE.sub("", inline_text(entry.get("title", ""))) or None
    link = entry.get("link") or None
    clean_link = canonical_post_url(html.unescape(link)) if link else None
    where = f"entry {index}: {title or clean_link or '(제목 없음 / untitled)'}"

    def unreadable(korean: str, english: str) -> UnreadableInput:
        raw = f"title={entry.get('title')!r} link={link!r} id={entry.get('id')!r} date={_raw_date(entry)!r}"
        return UnreadableInput(f"{korean} / {english} ({where})", where=where, raw=raw[:500])

    external_id = _external_id(entry, clean_link)
    if external_id is None:
        raise unreadable("글 주소도 식별자(guid)도 없습니다", "The entry has neither a link nor an id")
    posted = _entry_date(entry, tz)
    if posted is None:
        raw_date = _raw_date(entry)
        if raw_date is None:
            raise unreadable("게시일이 없는 항목입니다", "The entry has no date")
        shown = raw_date[:40]
        raise unreadable(f"게시일을 읽을 수 없습니다: «{shown}»", f"Unreadable date «{shown}»")
    posted_at, precision = posted

    text, images = _entry_text(entry)
    attachments = _attachments(entry)
    if attachments:
        names = ", ".join(a.name for a in attachments)
        text = f"{text}\n\n첨부파일: {names}".strip()
        images += tuple(a.url for a in attachments if a.url and _IMAGE_NAME.search(a.name))
    if not text and not title:
        raise unreadable("제목도 내용도 없는 항목입니다", "The entry has neither a title nor any text")

    return RawPost(
        source_kind=SourceKind.RSS,
        external_id=external_id,
        posted_at=posted_at,
        posted_at_precision=precision,
        updated_at=_updated_at(entry, tz),
        title=title,
        body=text,
        url=clean_link,
        author_name=inline_text(entry.get("author", "")) or None,
        images=tuple(dict.fromkeys(images)),
        tags=_tags(entry),
        payload={
            "feed_title": feed_title,
            "id": entry.get("id"),
            "link": clean_link,
            "title": entry.get("title"),
            "published": _stored(entry, "published"),
            "updated": _stored(entry, "updated"),
            "summary": entry.get("summary"),
            "attachments": [{"name": a.name, "url": a.url, "preview": a.preview} for a in attachments],
        },
    )


def _external_id(entry: Mapping[str, Any], clean_link: str | None) -> str | None:
    if clean_link and (ntt := query_value(clean_link, "nttNo")):
        host = (urlsplit(clean_link).hostname or "").lower()
        return f"ntt:{host}:{ntt}"
    guid = str(entry.get("id") or "").strip()
    return guid or clean_link


def _stored(entry: Mapping[str, Any], key: str) -> Any:
    """A key as feedparser stored it. Its own lookup maps a missing `updated` to `published` with a
    DeprecationWarning; plain dict access does neither."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _raw_date(entry: Mapping[str, Any]) -> str | None:
    value = _stored(entry, "published") or _stored(entry, "updated")
    return str(value) if value else None


def _entry_date(entry: Mapping[str, Any], tz: tzinfo) -> tuple[datetime, DatePrecision] | None:
    raw = _raw_date(entry)
    if raw is None:
        return None
    if parsed := parse_feed_date(raw, tz):
        return parsed
    # feedparser knows a few more formats (older Korean blog engines among them); it reports them in UTC.
    struct = _stored(entry, "published_parsed") or _stored(entry, "updated_parsed")
    if struct:
        return datetime(*struct[:6]).replace(tzinfo=UTC), DatePrecision.SECOND
    return None


def _updated_at(entry: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    # Only a distinct Atom <updated> says the post changed after it was published.
    updated, published = _stored(entry, "updated"), _stored(entry, "published")
    if not updated or not published or updated == published:
        return None
    parsed = parse_feed_date(str(updated), tz)
    return parsed[0] if parsed else None


def _entry_text(entry: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    contents = entry.get("content") or []
    detail = contents[0] if contents else entry.get("summary_detail")
    if not detail:
        return "", ()
    value = str(detail.get("value") or "")
    if detail.get("type") == "text/plain":
        return "\n".join(line.strip() for line in value.strip().splitlines()), ()
    cleaned = html_to_text(value)
    return cleaned.text, cleaned.images


def _attachments(entry: Mapping[str, Any]) -> tuple[_Attachment, ...]:
    """Board feeds number their attachments: filename1/url1/preview1, filename2/url2/preview2, …"""
    found: list[_Attachment] = []
    for n in range(1, _MAX_ATTACHMENTS + 1):
        name = inline_text(str(entry.get(f"filename{n}") or ""))
        url = html.unescape(str(entry.get(f"url{n}") or "")).strip() or None
        preview = html.unescape(str(entry.get(f"preview{n}") or "")).strip() or None
        if not name and not url:
            break
        found.append(_Attachment(name=name or (url or ""), url=url, preview=preview))
    return tuple(found)


def _tags(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Categories (a Naver blog folder, Atom terms) and Naver's comma-separated <tag>, in order, once each."""
    terms: list[str] = [str(tag.get("term") or "") for tag in entry.get("tags") or []]
    terms += str(entry.get("tag") or "").split(",")
    return tuple(dict.fromkeys(t for t in _clean_terms(terms) if t))


def _clean_terms(terms: Iterable[str]) -> Iterable[str]:
    for term in terms:
        yield " ".join(html.unescape(term).replace("\u00a0", " ").split())
