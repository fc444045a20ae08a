"""What the TXT and CSV readers hand to the export parser: messages and unreadable lines.

Readers see everyone's messages; the privacy rule (only staff text leaves the parser) is applied by
`export.parse_export`, and by `unreadable` here, which keeps a line's raw text only when it is staff's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from org_connectors.base import DatePrecision, UnreadableInput

_RAW_LIMIT = 500
# U+FFFD from undecodable bytes, and the C0/C1 control characters except tab, newline and return.
_GARBLED = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

StaffCheck = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class ReadMessage:
    """One message as written in the export; `when` is naive local time of the exporting device."""

    line: int
    when: datetime
    precision: DatePrecision
    sender: str
    text: str


def normalise_name(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip()


def is_garbled(text: str) -> bool:
    """Undecodable bytes (U+FFFD) or control characters: the line is damaged, not a message."""
    return _GARBLED.search(text) is not None


def unreadable(
    line: int,
    reason_ko: str,
    reason_en: str,
    *,
    raw: str | None = None,
    sender: str | None = None,
    is_staff: StaffCheck,
) -> UnreadableInput:
    """An unreadable line. Its text is kept only if it is a staff message; otherwise it may be a member's."""
    kept = raw[:_RAW_LIMIT] if raw is not None and sender is not None and is_staff(sender) else None
    return UnreadableInput(
        f"{line}번째 줄을 읽을 수 없습니다: {reason_ko} / Line {line} is unreadable: {reason_en}",
        where=f"line {line}",
        raw=kept,
    )
