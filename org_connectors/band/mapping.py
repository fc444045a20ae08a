"""Saved BAND responses and `BandPost`s to the connector contract (`RawPost`).

`parse_posts_response` reads what `hub import band FILE` is given: one saved `/v2/band/posts` response,
a JSON list of such pages, or a saved `/v2.1/band/post` detail response.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from org_connectors.band.errors import BandMalformedResponse, describe_code
from org_connectors.band.markup import convert
from org_connectors.band.models import BandPhoto, BandPost
from org_connectors.base import RawPost, SourceKind

_URL_FIELDS = ("post_url", "web_url", "url")


def without_token(value: Any) -> Any:
    """A copy of JSON with every `access_token` removed (BAND echoes it in `next_params`)."""
    if isinstance(value, Mapping):
        return {k: without_token(v) for k, v in value.items() if k != "access_token"}
    if isinstance(value, list):
        return [without_token(v) for v in value]
    return value


def _result_data(page: object, where: str) -> Mapping[str, Any]:
    if not isinstance(page, Mapping):
        raise BandMalformedResponse(f"BAND 응답 형식이 아닙니다 / Not a BAND response ({where})", where=where)
    code = page.get("result_code")
    if code is None and ("items" in page or "post" in page):
        return page  # a bare `result_data` object, as some people save it
    if code != 1 and code != "1":
        described = describe_code(code) if isinstance(code, int) else f"result_code={code!r}"
        raise BandMalformedResponse(
            f"저장된 응답이 오류 응답입니다: {described} / The saved response is an error response ({where})",
            where=where,
        )
    data = page.get("result_data")
    if not isinstance(data, Mapping):
        raise BandMalformedResponse(
            f"BAND 응답에 result_data가 없습니다 / BAND response lacks result_data ({where})", where=where
        )
    return data


def iter_post_items(obj: object) -> Iterator[tuple[str, Mapping[str, Any] | object]]:
    """Yield `(where, item)` for every post in a saved response or list of responses."""
    pages = obj if isinstance(obj, list) else [obj]
    for number, page in enumerate(pages, start=1):
        where = f"page {number}"
        data = _result_data(page, where)
        if "post" in data:
            yield f"{where} post", data["post"]
            continue
        items = data.get("items")
        if not isinstance(items, list):
            raise BandMalformedResponse(
                f"BAND 응답에 글 목록(items)이 없습니다 / BAND response has no 'items' list ({where})",
                where=where,
            )
        if any(isinstance(item, Mapping) and "comment_key" in item for item in items):
            # Comment items carry post_key/created_at too; importing them as posts would invent news.
            raise BandMalformedResponse(
                "글 목록이 아니라 댓글 목록 응답입니다 / This is a comments response, not a post list "
                f"({where})",
                where=where,
            )
        for index, item in enumerate(items, start=1):
            yield f"{where} item {index}", item


def parse_posts_lenient(obj: object) -> tuple[list[BandPost], list[BandMalformedResponse]]:
    """Posts that could be read, and one error per item that could not (to dead-letter)."""
    posts: list[BandPost] = []
    errors: list[BandMalformedResponse] = []
    for where, item in iter_post_items(obj):
        try:
            posts.append(BandPost.from_json(item))
        except BandMalformedResponse as exc:
            exc.where = f"{where}: {exc.where}" if exc.where else where
            exc.raw = orjson.dumps(without_token(item)).decode()
            errors.append(exc)
    return posts, errors


def parse_posts_response(obj: object) -> list[BandPost]:
    """Every post of a saved response (or list of pages); the first unreadable one raises."""
    posts, errors = parse_posts_lenient(obj)
    if errors:
        raise errors[0]
    return posts


def parse_posts_json(data: str | bytes) -> list[BandPost]:
    """`parse_posts_response` for the text of a saved file."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BandMalformedResponse(
            "파일이 JSON 형식이 아닙니다 / The file is not JSON", where="file"
        ) from None
    return parse_posts_response(obj)


def _ordered_images(post: BandPost, attachment_ids: list[str | None], inline: list[str]) -> tuple[str, ...]:
    """Photo URLs in the order the post shows them: attachments first (detail map), then the list."""
    by_id: dict[str, BandPhoto] = {p.media_id: p for p in post.photos if p.media_id}
    urls: list[str] = []
    for media_id in attachment_ids:
        if media_id and media_id in by_id:
            urls.append(by_id[media_id].url)
    urls.extend(inline)
    # The list call puts videos first; a video thumbnail still shows what the post is about.
    urls.extend(p.url for p in post.photos if not p.is_video)
    urls.extend(p.url for p in post.photos if p.is_video)
    return tuple(dict.fromkeys(urls))


def _post_url(raw: Mapping[str, Any]) -> str | None:
    # The Open API gives no web link, and band.us URLs use other ids than band_key (reference §1.8),
    # so a link exists only when the saved payload carries one.
    for key in _URL_FIELDS:
        value = raw.get(key)
        if isinstance(value, str) and value.startswith("https://band.us/"):
            return value
    return None


def post_fingerprint(post: BandPost) -> str:
    """Changes whenever what readers see changes: content, photos, or the comment/reaction counts.

    The post list has no modification time, so a sync compares this with what it stored to tell an
    unchanged post (stop paging after the overlap) from an edited one (reference §1.8).
    """
    parts = [post.content, str(post.comment_count), str(post.emotion_count), *(p.url for p in post.photos)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def band_post_to_raw_post(post: BandPost) -> RawPost:
    converted = convert(post.content)
    staff = post.author.is_staff
    return RawPost(
        source_kind=SourceKind.BAND,
        external_id=post.key,
        posted_at=post.created_datetime,
        body=converted.text,
        url=_post_url(post.raw),
        # A member's name is personal data; only leaders' and co-leaders' names speak for the organisation.
        author_name=(post.author.name or None) if staff else None,
        author_is_staff=staff,
        images=_ordered_images(
            post,
            [a.media_id for a in converted.images],
            [a.url for a in converted.images if a.url],
        ),
        tags=converted.tags,
        payload=without_token(post.raw),
    )
