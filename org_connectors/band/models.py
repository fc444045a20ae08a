"""Typed, frozen views of BAND Open API objects (reference §1.4), parsed defensively.

Every author field but `name` may be empty or missing; photos come as a `photos` list (list calls) or as
`photo`/`video` maps keyed by media id (detail call); counts may be absent. A required field that is
missing or of the wrong type raises `BandMalformedResponse` naming the object, so one bad post can be
dead-lettered while its page is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from org_connectors.band.errors import BandMalformedResponse

STAFF_ROLES = frozenset({"leader", "coleader"})


def _where(kind: str, key: object) -> str:
    return f"{kind} {key}" if key else kind


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _req_str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _opt_str(obj, key)
    if value is None:
        raise BandMalformedResponse(
            f"BAND 응답에 '{key}' 값이 없습니다 / BAND response lacks '{key}' ({where})", where=where
        )
    return value


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _req_int(obj: Mapping[str, Any], key: str, where: str) -> int:
    value = _opt_int(obj, key)
    if value is None:
        raise BandMalformedResponse(
            f"BAND 응답의 '{key}' 값이 숫자가 아닙니다 / "
            f"BAND response field '{key}' is not a number ({where})",
            where=where,
        )
    return value


def _mapping(value: object, what: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BandMalformedResponse(
            f"BAND 응답의 {what} 형식이 올바르지 않습니다 / BAND {what} has the wrong shape ({where})",
            where=where,
        )
    return value


def ms_to_datetime(ms: int) -> datetime:
    """BAND timestamps are epoch milliseconds in UTC."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


@dataclass(frozen=True, slots=True)
class BandAuthor:
    name: str
    role: str | None = None
    user_key: str | None = None
    description: str | None = None
    profile_image_url: str | None = None

    @property
    def is_staff(self) -> bool:
        """Leaders and co-leaders speak for the organisation; everyone else is a member."""
        role = (self.role or "").lower().replace("-", "").replace("_", "")
        return role in STAFF_ROLES

    @classmethod
    def from_json(cls, obj: object) -> BandAuthor:
        if not isinstance(obj, Mapping):
            return cls(name="")
        return cls(
            name=_opt_str(obj, "name") or "",
            role=_opt_str(obj, "role"),
            user_key=_opt_str(obj, "user_key"),
            description=_opt_str(obj, "description"),
            profile_image_url=_opt_str(obj, "profile_image_url"),
        )


@dataclass(frozen=True, slots=True)
class BandPhoto:
    url: str
    width: int | None = None
    height: int | None = None
    photo_key: str | None = None
    photo_album_key: str | None = None
    # The key in the detail call's `photo`/`video` map, matching `<band:attachment id=…>`.
    media_id: str | None = None
    is_video: bool = False
    created_at: int | None = None

    @classmethod
    def from_json(
        cls, obj: object, *, media_id: str | None = None, is_video: bool = False
    ) -> BandPhoto | None:
        """None for entries without a usable URL (undocumented video shapes, empty objects)."""
        if not isinstance(obj, Mapping):
            return None
        url = _opt_str(obj, "url") or _opt_str(obj, "thumbnail_url") or _opt_str(obj, "image_url")
        if url is None:
            return None
        return cls(
            url=url,
            width=_opt_int(obj, "width"),
            height=_opt_int(obj, "height"),
            photo_key=_opt_str(obj, "photo_key"),
            photo_album_key=_opt_str(obj, "photo_album_key"),
            media_id=media_id,
            is_video=is_video or obj.get("is_video_thumbnail") is True,
            created_at=_opt_int(obj, "created_at"),
        )


def _photos(obj: Mapping[str, Any]) -> tuple[BandPhoto, ...]:
    photos: list[BandPhoto] = []
    listed = obj.get("photos")
    if isinstance(listed, list):
        photos.extend(p for p in (BandPhoto.from_json(item) for item in listed) if p is not None)
    for key, is_video in (("photo", False), ("video", True)):
        by_id = obj.get(key)
        if isinstance(by_id, Mapping):
            for media_id, item in by_id.items():
                photo = BandPhoto.from_json(item, media_id=str(media_id), is_video=is_video)
                if photo is not None:
                    photos.append(photo)
    return tuple(photos)


@dataclass(frozen=True, slots=True)
class Band:
    band_key: str
    name: str
    cover: str | None = None
    member_count: int | None = None

    @classmethod
    def from_json(cls, obj: object) -> Band:
        item = _mapping(obj, "밴드 항목/band item", "band")
        where = _where("band", item.get("band_key"))
        return cls(
            band_key=_req_str(item, "band_key", where),
            name=_opt_str(item, "name") or "",
            cover=_opt_str(item, "cover"),
            member_count=_opt_int(item, "member_count"),
        )


@dataclass(frozen=True, slots=True)
class BandPost:
    post_key: str
    band_key: str
    content: str
    author: BandAuthor
    created_at: int
    comment_count: int = 0
    emotion_count: int = 0
    photos: tuple[BandPhoto, ...] = ()
    post_read_count: int | None = None
    # The post JSON as BAND sent it, for the inbox; never carries a token.
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.band_key}:{self.post_key}"

    @property
    def created_datetime(self) -> datetime:
        return ms_to_datetime(self.created_at)

    @classmethod
    def from_json(cls, obj: object, *, band_key: str | None = None) -> BandPost:
        item = _mapping(obj, "글 항목/post item", "post")
        where = _where("post", item.get("post_key"))
        content = item.get("content")
        if content is not None and not isinstance(content, str):
            raise BandMalformedResponse(
                f"글 본문 형식이 올바르지 않습니다 / Post content is not text ({where})", where=where
            )
        return cls(
            post_key=_req_str(item, "post_key", where),
            band_key=_opt_str(item, "band_key") or band_key or _req_str(item, "band_key", where),
            content=content or "",
            author=BandAuthor.from_json(item.get("author")),
            created_at=_req_int(item, "created_at", where),
            comment_count=_opt_int(item, "comment_count") or 0,
            emotion_count=_opt_int(item, "emotion_count") or 0,
            photos=_photos(item),
            post_read_count=_opt_int(item, "post_read_count"),
            raw=dict(item),
        )


@dataclass(frozen=True, slots=True)
class BandComment:
    comment_key: str
    band_key: str
    post_key: str
    content: str
    author: BandAuthor
    created_at: int
    emotion_count: int = 0
    is_audio_included: bool = False
    photo_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def created_datetime(self) -> datetime:
        return ms_to_datetime(self.created_at)

    @classmethod
    def from_json(cls, obj: object, *, band_key: str = "", post_key: str = "") -> BandComment:
        item = _mapping(obj, "댓글 항목/comment item", "comment")
        where = _where("comment", item.get("comment_key"))
        photo = item.get("photo")
        content = item.get("content")
        return cls(
            comment_key=_req_str(item, "comment_key", where),
            band_key=_opt_str(item, "band_key") or band_key,
            post_key=_opt_str(item, "post_key") or post_key,
            content=content if isinstance(content, str) else "",
            author=BandAuthor.from_json(item.get("author")),
            created_at=_req_int(item, "created_at", where),
            emotion_count=_opt_int(item, "emotion_count") or 0,
            is_audio_included=item.get("is_audio_included") is True,
            photo_url=_opt_str(photo, "url") if isinstance(photo, Mapping) else None,
            raw=dict(item),
        )


@dataclass(frozen=True, slots=True)
class PostPage:
    """One page of `/v2/band/posts`. `next_params` has the token removed and is safe to store."""

    posts: tuple[BandPost, ...]
    next_params: dict[str, str] | None
    # Items on this page that could not be read; the caller dead-letters them and keeps the rest.
    invalid: tuple[BandMalformedResponse, ...] = ()
