"""Read a TXT export (Windows, Android, iOS) line by line with one grammar.

A line is a record (message, system line, date separator) or continues the message above it. Lines that
continue something not kept (a system line, an unreadable line) are dropped with it, so nothing is ever
glued onto the wrong message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from org_connectors.base import DatePrecision, UnreadableInput
from org_connectors.kakao.bodies import is_system_text
from org_connectors.kakao.grammars import Grammar, InvalidStamp, LineKind, Record
from org_connectors.kakao.reading import ReadMessage, StaffCheck, is_garbled, normalise_name, unreadable

# Lines an export starts with: room title, save date, or the file name (iOS puts it first).
_HEADER = re.compile(
    r"^(?:.+ 님과 카카오톡 대화|.+과 카카오톡 대화(?:-\d+)?(?:\.txt)?"
    r"|KakaoTalk Chats with .+|.+ with KakaoTalk Chats"
    r"|저장한 날짜 ?: ?.+|Date Saved ?: ?.+|.+\.txt)$"
)


@dataclass(slots=True)
class _Pending:
    line: int
    when: datetime
    sender: str
    lines: list[str] = field(default_factory=list)

    def done(self) -> ReadMessage:
        return ReadMessage(
            self.line,
            self.when,
            DatePrecision.MINUTE,
            normalise_name(self.sender),
            "\n".join(self.lines).rstrip(),
        )


def split_lines(text: str) -> list[str]:
    """Physical lines without `\\r`. Only `\\n` splits: `str.splitlines` would also split on characters
    such as U+2028 that may sit inside a message."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def read_txt(
    lines: Sequence[str], grammar: Grammar, *, is_staff: StaffCheck
) -> Iterator[ReadMessage | UnreadableInput]:
    day: date | None = None  # Windows carries the date forward from its separator lines
    pending: _Pending | None = None
    started = False  # past the header lines
    swallow = False  # plain lines now continue something we do not keep (a system or unreadable line)
    for index, line in enumerate(lines):
        number = index + 1
        if is_garbled(line):
            if pending is not None:
                yield pending.done()
                pending = None
            started = swallow = True
            yield unreadable(number, "깨진 문자가 있습니다", "damaged characters", is_staff=is_staff)
            continue
        try:
            record = grammar.read(line)
        except InvalidStamp as exc:
            if pending is not None:
                yield pending.done()
                pending = None
            started = swallow = True
            yield unreadable(
                number,
                "날짜나 시각이 올바르지 않습니다",
                f"invalid date or time ({exc})",
                raw=line,
                sender=normalise_name(exc.sender) if exc.sender else None,
                is_staff=is_staff,
            )
            continue
        if (
            record is None
            and grammar.unprefixed_system
            and _is_unprefixed_system(lines, index, grammar, pending)
        ):
            record = Record(LineKind.SYSTEM, None, None, None, line)
        if record is None:
            if pending is not None:
                pending.lines.append(line)
            elif not line.strip() or swallow or (not started and _HEADER.match(line)):
                pass
            else:
                started = swallow = True
                yield unreadable(
                    number,
                    "어느 메시지에도 속하지 않는 줄입니다",
                    "a line outside any message",
                    is_staff=is_staff,
                )
            continue
        started = True
        swallow = record.kind is LineKind.SYSTEM
        if pending is not None:
            yield pending.done()
            pending = None
        if record.kind is LineKind.SEPARATOR:
            day = record.day or day
        elif record.kind is LineKind.MESSAGE and record.sender is not None and record.clock is not None:
            message_day = record.day or day
            if message_day is None:
                swallow = True
                yield unreadable(
                    number,
                    "날짜 구분선보다 앞에 있어 날짜를 알 수 없습니다",
                    "date unknown, the line comes before any date line",
                    raw=line,
                    sender=normalise_name(record.sender),
                    is_staff=is_staff,
                )
                continue
            pending = _Pending(
                number, datetime.combine(message_day, record.clock), record.sender, [record.text]
            )
    if pending is not None:
        yield pending.done()


def _is_unprefixed_system(
    lines: Sequence[str], index: int, grammar: Grammar, pending: _Pending | None
) -> bool:
    """A Windows line worded like a system notice is one, unless message text follows it: Kakao always
    puts a notice between records, so a notice-like line followed by plain text is the message's own."""
    if not is_system_text(lines[index]):
        return False
    if pending is None:
        return True
    for following in lines[index + 1 :]:
        if not following.strip():
            continue
        try:
            return grammar.read(following) is not None or is_system_text(following)
        except InvalidStamp:
            return True
    return True
