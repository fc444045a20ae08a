"""KakaoTalk chat export (단톡방 내보내기) → staff announcements as `RawPost`s.

Only messages whose sender is named staff leave this module; everyone else's text is dropped while
parsing and appears nowhere in the result (not in payloads, not in unreadable lines).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from org_connectors.base import RawPost, SourceKind, UnreadableInput
from org_connectors.kakao.bodies import is_chatter, is_placeholder, mask_mentions
from org_connectors.kakao.csv_reader import read_csv
from org_connectors.kakao.decoding import decode_export
from org_connectors.kakao.detect import CSV_FORMAT, detect_format
from org_connectors.kakao.errors import MAX_EXPORT_BYTES, ExportTooLarge, UnknownExportFormat
from org_connectors.kakao.grammars import GRAMMARS_BY_NAME
from org_connectors.kakao.reading import ReadMessage, StaffCheck, normalise_name
from org_connectors.kakao.txt_reader import read_txt, split_lines

SEOUL = ZoneInfo("Asia/Seoul")

__all__ = [
    "MAX_EXPORT_BYTES",
    "ExportParseResult",
    "ExportTooLarge",
    "UnknownExportFormat",
    "export_external_id",
    "parse_export",
]


@dataclass(frozen=True, slots=True)
class ExportParseResult:
    """Posts plus the counts an import reports.

    `messages_read == kept + skipped_non_staff + skipped_chatter`; system lines and date separators are
    not messages. `skipped_chatter` counts staff messages that announce nothing: reactions, thanks,
    media placeholders, deleted messages, bare links.
    """

    posts: tuple[RawPost, ...]
    format: str
    lines_read: int
    messages_read: int
    kept: int
    skipped_non_staff: int
    skipped_chatter: int
    unreadable: tuple[UnreadableInput, ...]


def parse_export(
    data: bytes,
    *,
    room: str,
    staff: Collection[str],
    tz: ZoneInfo = SEOUL,
) -> ExportParseResult:
    """Parse a KakaoTalk export of any known variant.

    Raises `ExportTooLarge` over 20 MB and `UnknownExportFormat` when no grammar reads the file; lines
    that cannot be read inside a readable file are returned in `unreadable` with their line numbers.
    """
    if len(data) > MAX_EXPORT_BYTES:
        raise ExportTooLarge(len(data))
    lines = split_lines(unicodedata.normalize("NFC", decode_export(data)))
    fmt = detect_format(lines)
    staff_names = frozenset(normalise_name(name) for name in staff if name.strip())

    def is_staff(sender: str) -> bool:
        return sender in staff_names

    if fmt == CSV_FORMAT:
        items = read_csv("\n".join(lines), is_staff=is_staff)
    else:
        items = read_txt(lines, GRAMMARS_BY_NAME[fmt], is_staff=is_staff)
    return _select(items, room=normalise_name(room), fmt=fmt, lines_read=len(lines), is_staff=is_staff, tz=tz)


def export_external_id(room: str, minute: datetime, sender: str, text: str, ordinal: int) -> str:
    """Stable id of a message: the same message in an overlapping or repeated export gets the same id.

    `ordinal` tells apart identical messages sent by one person within one minute.
    """
    text_hash = hashlib.sha256(text.encode()).hexdigest()
    key = "\x1f".join((room, minute.strftime("%Y-%m-%dT%H:%M"), sender, text_hash, str(ordinal)))
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def _select(
    items: Iterable[ReadMessage | UnreadableInput],
    *,
    room: str,
    fmt: str,
    lines_read: int,
    is_staff: StaffCheck,
    tz: ZoneInfo,
) -> ExportParseResult:
    posts: list[RawPost] = []
    unreadable: list[UnreadableInput] = []
    seen: Counter[tuple[datetime, str, str]] = Counter()
    messages = non_staff = chatter = 0
    for item in items:
        if isinstance(item, UnreadableInput):
            unreadable.append(item)
            continue
        messages += 1
        if not is_staff(item.sender):
            non_staff += 1
            continue
        body = mask_mentions(item.text)
        if not body.strip() or is_placeholder(body) or is_chatter(body):
            chatter += 1
            continue
        minute = item.when.replace(second=0, microsecond=0)
        ordinal = seen[(minute, item.sender, item.text)]
        seen[(minute, item.sender, item.text)] += 1
        posts.append(
            RawPost(
                source_kind=SourceKind.KAKAO,
                external_id=export_external_id(room, minute, item.sender, item.text, ordinal),
                posted_at=item.when.replace(tzinfo=tz),
                posted_at_precision=item.precision,
                body=body,
                author_name=item.sender,
                author_is_staff=True,
                payload={"room": room, "format": fmt, "line": item.line},
            )
        )
    return ExportParseResult(
        posts=tuple(posts),
        format=fmt,
        lines_read=lines_read,
        messages_read=messages,
        kept=len(posts),
        skipped_non_staff=non_staff,
        skipped_chatter=chatter,
        unreadable=tuple(unreadable),
    )
