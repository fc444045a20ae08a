"""BAND `content` markup (reference §1.5) to plain text, tags and media placeholders.

Order matters and is the point of this module:
1. mentions (`<band:refer>`, and the unverified `<band:mention>`) become `@회원` so member names never
   reach public output — even when the closing tag is missing;
2. hashtags are collected and left in the text as `#태그`;
3. attachments are collected as `Attachment`s and removed (a line holding only attachments disappears);
4. every other `band:*` tag is removed but its inner text is kept, `<b>/<i>/<u>` are stripped, `<br>`
   becomes a line break;
5. only then are HTML entities unescaped, so a user who typed `&lt;band:refer&gt;` keeps that literal text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MEMBER_PLACEHOLDER = "@회원"

# A marker for "something was removed here"; lines made only of markers and spaces are dropped.
_REMOVED = "\x00"

_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))""")
# The name may wrap a line; 200 characters bounds how far a broken tag can reach.
_MENTION_PAIR = re.compile(r"<band:(refer|mention)\b[^>]*?(?<!/)>(?s:.{0,200}?)</band:\1\s*>", re.IGNORECASE)
_MENTION_SELF_CLOSING = re.compile(r"<band:(?:refer|mention)\b[^>]*/>", re.IGNORECASE)
# An opening mention without its closing tag: the name runs to the next tag or line break.
_MENTION_UNCLOSED = re.compile(r"<band:(?:refer|mention)\b[^>]*>[^<\n]*", re.IGNORECASE)
_HASHTAG_PAIR = re.compile(r"<band:hashtag\b[^>]*?(?<!/)>(.*?)</band:hashtag\s*>", re.IGNORECASE)
_ATTACHMENT = re.compile(r"<band:attachment\b([^>]*?)/?>(?:\s*</band:attachment\s*>)?", re.IGNORECASE)
_ANY_SELF_CLOSING_BAND = re.compile(r"<band:[a-z_]+\b[^>]*/>", re.IGNORECASE)
_ANY_BAND_TAG = re.compile(r"</?band:[a-z_]+\b[^>]*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>\n?", re.IGNORECASE)
_FORMATTING = re.compile(r"</?(?:b|i|u|s|strong|em)\s*>", re.IGNORECASE)
_ANY_TAG_INSIDE = re.compile(r"<[^>]*>")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class Attachment:
    """Where a photo or video sits in a post; `media_id` keys the detail call's `photo`/`video` map."""

    kind: str
    media_id: str | None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Converted:
    text: str
    tags: tuple[str, ...]
    images: tuple[Attachment, ...]
    mentions_removed: int


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        value = next((group for group in match.groups()[1:] if group is not None), "")
        attrs[match.group(1).lower()] = html.unescape(value)
    return attrs


def convert(content: str | None) -> Converted:
    """Turn BAND markup into readable text. Never raises on odd markup: unknown tags keep their text."""
    text = (content or "").replace("\r\n", "\n").replace("\r", "\n").replace(_REMOVED, "")
    mentions = 0

    def mention(_: re.Match[str]) -> str:
        nonlocal mentions
        mentions += 1
        return MEMBER_PLACEHOLDER

    text = _MENTION_PAIR.sub(mention, text)
    text = _MENTION_SELF_CLOSING.sub(mention, text)
    text = _MENTION_UNCLOSED.sub(mention, text)

    tags: list[str] = []

    def hashtag(match: re.Match[str]) -> str:
        inner = _ANY_TAG_INSIDE.sub("", match.group(1)).strip()
        tag = html.unescape(inner).strip().lstrip("#").strip()
        if not tag:
            return _REMOVED
        if tag not in tags:
            tags.append(tag)
        return inner if inner.startswith("#") else f"#{inner}"

    text = _HASHTAG_PAIR.sub(hashtag, text)

    images: list[Attachment] = []

    def attachment(match: re.Match[str]) -> str:
        attrs = _attributes(match.group(1))
        kind = attrs.get("type", "").lower()
        if kind in ("photo", "video", "image"):
            url = attrs.get("src") or attrs.get("url")
            images.append(
                Attachment(
                    kind="video" if kind == "video" else "photo",
                    media_id=attrs.get("id") or None,
                    url=url if url and url.startswith(("https://", "http://")) else None,
                )
            )
        return _REMOVED

    text = _ATTACHMENT.sub(attachment, text)
    text = _ANY_SELF_CLOSING_BAND.sub(_REMOVED, text)
    text = _ANY_BAND_TAG.sub("", text)
    text = _BR.sub("\n", text)
    text = _FORMATTING.sub("", text)

    lines = [
        line.replace(_REMOVED, "").rstrip()
        for line in text.split("\n")
        if not (_REMOVED in line and not line.replace(_REMOVED, "").strip())
    ]
    text = html.unescape("\n".join(lines))
    text = _MANY_BLANK_LINES.sub("\n\n", text).strip()
    return Converted(
        text=unicodedata.normalize("NFC", text),
        tags=tuple(unicodedata.normalize("NFC", tag) for tag in tags),
        images=tuple(images),
        mentions_removed=mentions,
    )


def photo_attachment_ids(content: str) -> list[str]:
    """Ids of `<band:attachment type="photo">` tags in content order (they key the detail `photo` map)."""
    ids: list[str] = []
    for match in _ATTACHMENT.finditer(content):
        attrs = _attributes(match.group(1))
        if attrs.get("type", "").lower() in ("photo", "image") and attrs.get("id"):
            ids.append(attrs["id"])
    return ids


# System posts are not announcements (reference §1.5): invitations and join notices.
_SYSTEM_POST = re.compile(
    r"^(?:A new member was invited by|.{1,40}님이 .{0,40}(?:초대(?:했|하였)습니다|가입(?:했|하였)습니다|"
    r"밴드에 가입|들어왔습니다))",
)


def looks_like_system_post(text: str) -> bool:
    """True for BAND's generated notices (new member invited/joined) that no one wrote as news."""
    return bool(_SYSTEM_POST.search(text.strip()))
