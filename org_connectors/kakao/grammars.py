"""Line grammars of KakaoTalk text exports, one per platform × UI language (reference §2.2, §2.4).

A grammar reads one physical line into a `Record` (message, system line or date separator) or says
the line is none of these (then it continues the previous message). The CSV export is not line based
and lives in `csv_reader`.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from datetime import date, time

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ),
        start=1,
    )
    for name in names
}
_MORNING = frozenset({"오전", "AM", "am"})
_AFTERNOON = frozenset({"오후", "PM", "pm"})


class LineKind(enum.Enum):
    MESSAGE = "message"
    SYSTEM = "system"
    SEPARATOR = "separator"


@dataclass(frozen=True, slots=True)
class Record:
    """One line the grammar recognised. Windows messages carry no date and separators no time."""

    kind: LineKind
    day: date | None
    clock: time | None
    sender: str | None = None
    text: str = ""


class InvalidStamp(ValueError):
    """The line has a record's shape but a date or time that cannot exist (2월 30일, 오후 25:10)."""

    def __init__(self, reason: str, *, sender: str | None) -> None:
        super().__init__(reason)
        self.sender = sender


@dataclass(frozen=True, slots=True)
class Grammar:
    name: str
    message: re.Pattern[str]
    system: re.Pattern[str] | None
    separators: tuple[re.Pattern[str], ...]
    # Windows system lines have no prefix at all; the reader recognises them by their wording.
    unprefixed_system: bool = False

    def read(self, line: str) -> Record | None:
        """The record on `line`, or None for a continuation line. Raises `InvalidStamp`."""
        if match := self.message.match(line):
            sender = match["name"]
            day, clock = _stamp(match, sender)
            return Record(LineKind.MESSAGE, day, clock, sender, match["text"] or "")
        if self.system is not None and (match := self.system.match(line)):
            day, clock = _stamp(match, None)
            return Record(LineKind.SYSTEM, day, clock, None, match["text"])
        for pattern in self.separators:
            if match := pattern.match(line):
                day, clock = _stamp(match, None)
                return Record(LineKind.SEPARATOR, day, clock)
        return None


def _stamp(match: re.Match[str], sender: str | None) -> tuple[date | None, time | None]:
    g = match.groupdict()
    try:
        return _cached_stamp(
            g.get("y"), g.get("mo"), g.get("mon"), g.get("d"), g.get("h"), g.get("mi"), g.get("ampm")
        )
    except ValueError as exc:
        raise InvalidStamp(str(exc), sender=sender) from exc


@functools.lru_cache(maxsize=4096)  # a chat repeats the same minute and day over and over
def _cached_stamp(
    year: str | None,
    month_number: str | None,
    month_name: str | None,
    day_of_month: str | None,
    hour: str | None,
    minute: str | None,
    ampm: str | None,
) -> tuple[date | None, time | None]:
    day: date | None = None
    clock: time | None = None
    if year and day_of_month:
        month = int(month_number) if month_number else _MONTHS.get(month_name or "", 0)
        day = date(int(year), month, int(day_of_month))
    if hour and minute:
        clock = time(_hour(int(hour), ampm), int(minute))
    return day, clock


def _hour(hour: int, ampm: str | None) -> int:
    """12-hour clock: 오전 12:xx is 00:xx, 오후 12:xx is 12:xx, otherwise 오후 adds 12."""
    if ampm is None:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"hour {hour} on a 12-hour clock")
    return hour % 12 + (12 if ampm in _AFTERNOON else 0)


def _grammar(
    name: str,
    stamp: str,
    *,
    system_sep: str | None,
    separators: tuple[str, ...],
) -> Grammar:
    return Grammar(
        name=name,
        message=re.compile(rf"^{stamp}, (?P<name>.+?) : (?P<text>.*)$"),
        system=re.compile(rf"^{stamp}{system_sep}(?P<text>.+)$") if system_sep else None,
        separators=tuple(re.compile(pattern) for pattern in separators),
    )


_KO_DATE = r"(?P<y>\d{4})년 (?P<mo>\d{1,2})월 (?P<d>\d{1,2})일"
_KO_WEEKDAY_SEPARATOR = rf"^{_KO_DATE} \S요일$"
_EN_WEEKDAY_SEPARATOR = r"^[A-Z][a-z]+day, (?P<mon>[A-Z][a-z]+) (?P<d>\d{1,2}), (?P<y>\d{4})$"

_WINDOWS_SEPARATORS = (
    re.compile(rf"^-{{3,}} {_KO_DATE} \S요일 -{{3,}}$"),
    re.compile(r"^-{3,} [A-Z][a-z]+day, (?P<mon>[A-Z][a-z]+) (?P<d>\d{1,2}), (?P<y>\d{4}) -{3,}$"),
)

WINDOWS_KO = Grammar(
    name="windows_ko",
    message=re.compile(
        r"^\[(?P<name>.+?)\] \[(?P<ampm>오전|오후) (?P<h>\d{1,2}):(?P<mi>\d{2})\](?: (?P<text>.*))?$"
    ),
    system=None,
    separators=_WINDOWS_SEPARATORS,
    unprefixed_system=True,
)
WINDOWS_EN = Grammar(
    name="windows_en",
    message=re.compile(
        r"^\[(?P<name>.+?)\] \[(?P<h>\d{1,2}):(?P<mi>\d{2}) (?P<ampm>AM|PM)\](?: (?P<text>.*))?$"
    ),
    system=None,
    separators=_WINDOWS_SEPARATORS,
    unprefixed_system=True,
)

_ANDROID_KO_STAMP = rf"{_KO_DATE} (?P<ampm>오전|오후) (?P<h>\d{{1,2}}):(?P<mi>\d{{2}})"
ANDROID_KO = _grammar(
    "android_ko",
    _ANDROID_KO_STAMP,
    system_sep=", ",
    separators=(rf"^{_ANDROID_KO_STAMP}$", _KO_WEEKDAY_SEPARATOR),
)

_ANDROID_EN_STAMP = (
    r"(?P<mon>[A-Z][a-z]+) (?P<d>\d{1,2}), (?P<y>\d{4}), (?P<h>\d{1,2}):(?P<mi>\d{2}) (?P<ampm>AM|PM)"
)
ANDROID_EN = _grammar(
    "android_en", _ANDROID_EN_STAMP, system_sep=", ", separators=(rf"^{_ANDROID_EN_STAMP}$",)
)

_ANDROID_EN_OLD_STAMP = (
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?P<ampm>am|pm|AM|PM), (?P<mon>[A-Z][a-z]+) (?P<d>\d{1,2}), (?P<y>\d{4})"
)
ANDROID_EN_OLD = _grammar(
    "android_en_old", _ANDROID_EN_OLD_STAMP, system_sep=", ", separators=(rf"^{_ANDROID_EN_OLD_STAMP}$",)
)

# iOS follows the device clock setting, so 오전/오후 is optional (24-hour phones omit it).
_IOS_KO_STAMP = (
    r"(?P<y>\d{4})\. (?P<mo>\d{1,2})\. (?P<d>\d{1,2})\. (?:(?P<ampm>오전|오후) )?(?P<h>\d{1,2}):(?P<mi>\d{2})"
)
IOS_KO = _grammar("ios_ko", _IOS_KO_STAMP, system_sep=": ", separators=(_KO_WEEKDAY_SEPARATOR,))

# Three-letter months only: full names belong to Android, which would otherwise read the same lines.
_IOS_EN_STAMP = (
    r"(?P<mon>[A-Z][a-z]{2}) (?P<d>\d{1,2}), (?P<y>\d{4})(?:,| at) (?P<h>\d{1,2}):(?P<mi>\d{2})"
    r"(?: (?P<ampm>AM|PM))?"
)
IOS_EN = _grammar("ios_en", _IOS_EN_STAMP, system_sep=": ", separators=(_EN_WEEKDAY_SEPARATOR,))

# Order is the tie-break when two grammars read equally many lines.
GRAMMARS: tuple[Grammar, ...] = (
    WINDOWS_KO,
    WINDOWS_EN,
    ANDROID_KO,
    ANDROID_EN,
    ANDROID_EN_OLD,
    IOS_KO,
    IOS_EN,
)
GRAMMARS_BY_NAME = {grammar.name: grammar for grammar in GRAMMARS}
