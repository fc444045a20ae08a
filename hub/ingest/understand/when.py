"""When: event times, application deadlines and recurrence read from Korean announcement text.

Everything is read relative to the post's own time in the hub's zone, because staff write `내일`,
`이번 주 금요일` or `9.5(토)` without a year. Regexes run once over the whole text (never across lines)
and each hit is then placed on its line; a line's label (`일시:`, `모집기간:` …) says whether its dates
are the event's, an application period's, or something else's (results, closures, past reports).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from hub.ingest.understand.text import segments

WEEKDAYS = "월화수목금토일"
_S = r"[^\S\n]*"  # spaces that never cross a line
_WD = (
    rf"(?:{_S}[(\[]{_S}(?P<wd>[월화수목금토일])(?:요일)?{_S}[)\]]"
    rf"|{_S}(?P<wd2>[월화수목금토일])요일(?![^\S\n]*\(\d))?"
)
_MERIDIEM = r"오전|오후|낮|저녁|밤|새벽|아침|[AaPp]\.?[Mm]\.?"

_TRANSLATE = str.maketrans(
    {
        "～": "~",
        "〜": "~",
        "∼": "~",
        "–": "-",
        "—": "-",
        "―": "-",
        "：": ":",
        "（": "(",
        "）": ")",
        "．": ".",
        "／": "/",
        "\u00a0": " ",
        "\u3000": " ",
    }
)

# Date forms, tried in this order; a later form never reuses text an earlier one took.
_YMD = re.compile(
    rf"(?<![\d.])(?P<y>20\d\d){_S}(?:년|[./-]){_S}(?P<m>\d{{1,2}}){_S}(?:월|[./-]){_S}(?P<d>\d{{1,2}})"
    rf"(?!\d)(?:{_S}일|\.(?!\d))?{_WD}"
)
_KSPAN = re.compile(
    rf"(?<!\d)(?P<m>\d{{1,2}}){_S}월{_S}(?P<d>\d{{1,2}}){_S}(?:일{_S})?[~\-]{_S}(?P<d2>\d{{1,2}}){_S}일{_WD}"
)
_KMD = re.compile(rf"(?<!\d)(?P<m>\d{{1,2}}){_S}월{_S}(?P<d>\d{{1,2}}){_S}일{_WD}")
_DMD = re.compile(
    rf"(?<![\d.:/,])(?P<m>\d{{1,2}}){_S}[./]{_S}(?P<d>\d{{1,2}})"
    rf"(?![\d%]|\.\d|{_S}(?:km|kg|배|점|만|억|원|명|회|세|살|개|년|:))(?:{_S}\.)?{_WD}"
)
_TILDE_DAY = re.compile(rf"[~\-]{_S}(?P<d>\d{{1,2}}){_S}일(?!{_S}간){_WD}")
_DAY = re.compile(
    rf"(?<![\d.~/(])(?P<pre>(?:이번|이){_S}달{_S}|이달{_S}|다음{_S}달{_S}|오는{_S})?"
    rf"(?P<d>\d{{1,2}}){_S}일(?!{_S}간|{_S}\d){_WD}(?P<until>{_S}까지)?"
)
_REL_DAY = re.compile(r"(?P<w>내일[^\S\n]*모레|오늘|금일|내일|명일|모레|글피|낼(?=[^\S\n]|$))")
_REL_WEEK = re.compile(
    rf"(?P<pre>다다음{_S}주|다음{_S}주|담주|차주|이번{_S}주|금주|오는|이번|돌아오는)?{_S}"
    rf"(?P<wd>[월화수목금토일])요일(?:{_S}\({_S}(?P<d>\d{{1,2}}){_S}일?{_S}\))?"
)
_TIME_COLON = re.compile(
    rf"(?:(?P<mer>{_MERIDIEM}){_S})?(?<![\d:.])(?P<h>[01]?\d|2[0-4]){_S}:{_S}(?P<mi>[0-5]\d)(?!\d)"
)
_TIME_KO = re.compile(
    rf"(?:(?P<mer>{_MERIDIEM}){_S})?(?<![\d.:])(?P<h>[01]?\d|2[0-4]){_S}시(?![간대즌청민설각])"
    rf"(?:{_S}(?P<mi>[0-5]?\d){_S}분|{_S}(?P<half>반))?"
)
_NOON = re.compile(r"정오")
_TIME_JOIN = re.compile(rf"^{_S}(?:~|-|부터|에서){_S}$")
_SPAN_JOIN = re.compile(rf"^{_S}(?:~|-|부터|에서|까지{_S}~?){_S}$")
_TIME_ANY = re.compile(
    rf"(?:(?:{_MERIDIEM}){_S})?\d{{1,2}}{_S}(?::{_S}\d\d|시(?:{_S}\d{{1,2}}{_S}분|{_S}반)?)"
)
_UNTIL = re.compile(rf"{_S}까지")
_WINDOW_START = re.compile(rf"{_S}(?:\d{{1,2}}{_S}(?::{_S}\d\d|시){_S})?부터")

_RECUR_WEEKLY = re.compile(
    rf"(?P<every>매주|격주|주마다){_S}(?P<days>(?:[월화수목금토일](?:요일)?{_S}(?:[,·/및와과]|그리고)?{_S})+)"
)
_RECUR_MONTHLY = re.compile(
    rf"매월{_S}(?P<nth>첫째|첫|둘째|두|셋째|세|넷째|네|마지막|[1-5]){_S}(?:번째{_S})?주{_S}"
    rf"(?P<wd>[월화수목금토일])요일"
)
_NTH = {"첫째": 1, "첫": 1, "1": 1, "둘째": 2, "두": 2, "2": 2, "셋째": 3, "세": 3, "3": 3}
_NTH.update({"넷째": 4, "네": 4, "4": 4, "5": 5, "마지막": -1})
_RECURRING_BEFORE = re.compile(r"(?:매주|격주|주마다|매월|째\s*주|번째\s*주|[,·/및와과]|요일\s*)\s*$")

# Line labels. An application-type label wins over an event label (`신청 일시` is not the event).
_BULLETS = re.compile(
    r"^[\s\-*•·○◎●▶▷►■□◆◇※>→❶-❿①-⑩✔✅☑️▪️◽◾⭐🔹🔸👉📌📍✏️📝💰👥🙋☎️📞]*"
    r"(?:(?:[1-9]|[가나다라마바사아자차카타파하])[.)][^\S\n]+(?=[가-힣\[<]))?"
)
_LABEL = re.compile(
    r"^[\[<【(]?[^\S\n]*(?P<label>[가-힣A-Za-z][가-힣A-Za-z /·]{0,11}?)[^\S\n]*(?:[\]>】)][^\S\n]*:?|:)"
)
_EVENT_EMOJI = re.compile(r"^(?:📅|🗓️?|⏰|⏱️?|🕐|🕑|🕒|🕓|🕔|🕕|🕖|🕗|🕘|🕙|🕚|🕛|📆|🔔)")
_APPLY_LABEL = re.compile(
    r"(?:모집|신청|접수|납부|제출|등록|마감|응모|공모|참가\s*신청|사전\s*예약|예약|예매)(?!\s*대상)"
)
_EVENT_LABEL = re.compile(
    r"^(?:일\s*시|일\s*정|날\s*짜|때|언제|기\s*간|일\s*자|시\s*간|when|date|"
    r"(?:행사|교육|강의|강좌|모임|개최|진행|공연|상영|전시|운영|축제|회의|설명회|공청회|총회|변경|연기|새|변경된|"
    r"바뀐|수업|프로그램|대회|체험|개강|개막)\s*(?:일\s*시|일\s*정|일\s*자|날\s*짜|기\s*간|일|후|시간|시각)?)$",
    re.IGNORECASE,
)
_PREVIOUS_LABEL = re.compile(r"^(?:기존|변경\s*전|당초|원래|종전|원\s*일정)")
_OTHER_LABEL = re.compile(
    r"(?:(?:결과|합격자?|선정|당첨|심사|명단)\s*발표|발표\s*일|문의|주최|주관|후원|협조|대상|인원|정원|참가비|비용|회비|장소|곳|어디서|위치|준비물|내용|강사|"
    r"활동|면접|심사|결과|선정|공고|운영\s*시간|관람\s*시간|이용\s*시간|휴관|휴무|기준|점검)"
)
_APPLY_INLINE = re.compile(
    r"(?:신청|접수|모집|납부|제출|등록|응모|예약|예매)[^\n]{0,20}?(?:까지|마감|기간|받습니다)|마감"
)
_APPLY_INLINE2 = re.compile(r"까지[^\n]{0,15}(?:신청|접수|모집|납부|제출|등록|응모|예약|보내)")
_OTHER_INLINE = re.compile(
    r"(?:결과|합격자?|선정|당첨|심사|명단)\s*발표|발표(?:합니다|됩니다|\s*예정)|공고일|게시|결과|휴관|휴무|휴강|운영\s*중단|쉽니다|문을\s*닫|정상\s*운영|지난|지났|마쳤|마무리|성황|"
    r"다녀왔|다녀가|진행했|열렸습니다|열렸던|기준|작성일|등록일|시행|적용|발행|발간|점검|"
    r"중단됩니다|서비스\s*중단|\?|실\s*분"
)
_EVENING_WORD = re.compile(r"저녁|밤|야간")
_OPERATING_HOURS = re.compile(r"운영\s*시간|관람\s*시간|이용\s*시간")
_DATE_LIKE = re.compile(r"\d{1,2}\s*월\s*\d{1,2}\s*일|\d{1,2}\s*[./]\s*\d{1,2}|요일")
_PREVIOUS_INLINE = re.compile(
    rf"^{_S}(?:\([^)\n]*\){_S})?(?:[^\n]{{0,12}}?)(?:에서|예정(?:이던|이었던|되었던|된)|→|->|⇒|>)"
)
_NEW_INLINE = re.compile(
    rf"^{_S}(?:\([^)\n]*\){_S})?(?:[^\n]{{0,12}}?)(?:로|으로)[^\S\n]*(?:연기|변경|순연|조정|옮)"
)


class Context:
    """What a line's dates mean; higher is more trusted as the event's own time."""

    EVENT = 3  # labelled as the event's time
    TITLE = 2
    PLAIN = 1  # unlabelled text
    APPLY = -1  # application or payment period
    PREVIOUS = -2  # the earlier time a change notice replaces
    OTHER = -3  # results, closures, contact lines, past reports, questions


@dataclass(frozen=True, slots=True)
class DateHit:
    start: int
    end: int
    day: date
    last_day: date | None  # end of a multi-day span
    weekday_ok: bool | None  # None when no weekday was written
    strong: bool  # a form that cannot be a plain number (월/일, a year, a weekday or a relative word)
    relative: bool = False
    relative_word: bool = False  # 오늘/내일 or a bare weekday: only counts next to a time
    deadline: bool = False  # `17일까지`: only ever a deadline


@dataclass(frozen=True, slots=True)
class TimeHit:
    start: int
    end: int
    at: time
    until: time | None


@dataclass(frozen=True, slots=True)
class When:
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool = False
    apply_until: datetime | None = None
    recurrence: str | None = None
    previous_starts_at: datetime | None = None
    confidence: float = 0.0
    span: str | None = None
    # Where the start came from: "label" (일시:), "title", "text", "recurrence", "structured".
    source: str | None = None
    has_time: bool = False
    in_past: bool = False  # the only event dates found lie before the post


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str
    context: int


def normalise_text(text: str) -> str:
    return text.translate(_TRANSLATE)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_shift(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _infer_year(month: int, day: int, today: date, weekday: int | None) -> tuple[date, bool] | None:
    """The year a yearless date means: near the post, rolling over at new year; the weekday breaks ties."""
    options = [
        found
        for year in (today.year, today.year + 1, today.year - 1)
        if (found := _safe_date(year, month, day)) is not None
    ]
    if not options:
        return None

    def cost(candidate: date) -> float:
        delta = (candidate - today).days
        return float(delta) if delta >= -45 else 1000.0 + abs(delta)

    options.sort(key=cost)
    best = options[0]
    if weekday is not None and best.weekday() != weekday:
        for other in options[1:]:
            if other.weekday() == weekday and -45 <= (other - today).days <= 366:
                return other, True
        return best, False
    return best, True


def _nearest_day_of_month(day: int, around: date, weekday: int | None) -> tuple[date, bool] | None:
    """`(17일)` next to a computed date: the date with that day-of-month nearest to it."""
    options = []
    for shift in (0, 1, -1):
        y, m = _month_shift(around, shift)
        found = _safe_date(y, m, day)
        if found is not None:
            options.append(found)
    if not options:
        return None
    best = min(options, key=lambda d: abs((d - around).days))
    return best, weekday is None or best.weekday() == weekday


def _weekday(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    char = groups.get("wd") or groups.get("wd2")
    return WEEKDAYS.index(char) if char else None


class _DateScanner:
    def __init__(self, text: str, today: date) -> None:
        self.text = text
        self.today = today
        self.taken: list[tuple[int, int]] = []
        self.dates: list[DateHit] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.taken)

    def add(self, hit: DateHit) -> None:
        self.taken.append((hit.start, hit.end))
        self.dates.append(hit)

    def scan(self) -> list[DateHit]:
        self._absolute()
        self._day_of_month()
        self._relative()
        self._join_tilde_days()
        self.dates.sort(key=lambda h: h.start)
        return self._join_spans()

    def _absolute(self) -> None:
        for m in _YMD.finditer(self.text):
            found = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
            if found is not None:
                wd = _weekday(m)
                self.add(
                    DateHit(
                        m.start(), m.end(), found, None, None if wd is None else found.weekday() == wd, True
                    )
                )
        for m in _KSPAN.finditer(self.text):
            if not self.free(m.start(), m.end()):
                continue
            first = self._yearless(int(m["m"]), int(m["d"]), None)
            if first is not None:
                last = _safe_date(first[0].year, first[0].month, int(m["d2"]))
                wd = _weekday(m)
                ok = None if wd is None or last is None else last.weekday() == wd
                self.add(DateHit(m.start(), m.end(), first[0], last, ok, True))
        for pattern, strong in ((_KMD, True), (_DMD, False)):
            for m in pattern.finditer(self.text):
                if not self.free(m.start(), m.end()):
                    continue
                wd = _weekday(m)
                got = self._yearless(int(m["m"]), int(m["d"]), wd)
                if got is not None:
                    ok = None if wd is None else got[1]
                    self.add(DateHit(m.start(), m.end(), got[0], None, ok, strong or wd is not None))

    def _day_of_month(self) -> None:
        today = self.today
        for m in _DAY.finditer(self.text):
            if not self.free(m.start(), m.end()):
                continue
            wd = _weekday(m)
            pre = (m["pre"] or "").replace(" ", "")
            if not pre and wd is None and not m["until"]:
                continue  # a bare `3일` is as often a duration or a count; `17일까지` is a deadline
            day = int(m["d"])
            got: tuple[date, bool] | None
            if pre:
                y, mo = _month_shift(today, 1 if pre.startswith("다음") else 0)
                found = _safe_date(y, mo, day)
                if found is not None and pre.startswith("오는") and found < today:
                    y, mo = _month_shift(today, 1)
                    found = _safe_date(y, mo, day)
                got = None if found is None else (found, wd is None or found.weekday() == wd)
            else:
                got = _nearest_day_of_month(day, today + timedelta(days=12), wd)
                if got is not None and got[0] < today:
                    y, mo = _month_shift(today, 1)
                    found = _safe_date(y, mo, day)
                    got = None if found is None else (found, wd is None or found.weekday() == wd)
            if got is not None:
                ok = None if wd is None else got[1]
                deadline = not pre and wd is None
                self.add(DateHit(m.start(), m.end(), got[0], None, ok, True, deadline=deadline))

    def _relative(self) -> None:
        today, text = self.today, self.text
        monday = today - timedelta(days=today.weekday())
        for m in _REL_WEEK.finditer(text):
            if not self.free(m.start(), m.end()) or _RECURRING_BEFORE.search(
                text, max(0, m.start() - 12), m.start()
            ):
                continue
            wd = WEEKDAYS.index(m["wd"])
            pre = (m["pre"] or "").replace(" ", "")
            if pre in ("이번주", "금주"):
                found = monday + timedelta(days=wd)
            elif pre in ("다음주", "담주", "차주"):
                found = monday + timedelta(days=7 + wd)
            elif pre == "다다음주":
                found = monday + timedelta(days=14 + wd)
            else:
                found = today + timedelta(days=(wd - today.weekday()) % 7)
            ok: bool | None = None
            if m["d"]:
                near = _nearest_day_of_month(int(m["d"]), found, wd)
                if near is not None:
                    found, ok = near
            bare = not pre and not m["d"]
            self.add(DateHit(m.start(), m.end(), found, None, ok, True, relative=True, relative_word=bare))
        for m in _REL_DAY.finditer(text):
            if not self.free(m.start(), m.end()):
                continue
            word = m["w"].replace(" ", "")
            offset = {
                "오늘": 0,
                "금일": 0,
                "내일": 1,
                "명일": 1,
                "모레": 2,
                "글피": 3,
                "내일모레": 2,
                "낼": 1,
            }[word]
            found = today + timedelta(days=offset)
            after = _REL_WEEK.match(text, m.end())
            if after is not None and word == "내일모레":
                # `내일 모레 일요일`: the named day within the next three days.
                wd = WEEKDAYS.index(after["wd"])
                for ahead in (1, 2, 3):
                    if (today + timedelta(days=ahead)).weekday() == wd:
                        found = today + timedelta(days=ahead)
            self.add(DateHit(m.start(), m.end(), found, None, None, True, relative=True, relative_word=True))

    def _yearless(self, month: int, day: int, weekday: int | None) -> tuple[date, bool] | None:
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return _infer_year(month, day, self.today, weekday)

    def _join_tilde_days(self) -> None:
        """`5월 1일(금)~3일(일)`: a bare day right after a date and a tilde closes its span."""
        joined: dict[int, DateHit] = {}
        for hit in self.dates:
            m = _TILDE_DAY.match(self.text, hit.end)
            if m is None or hit.last_day is not None or not self.free(m.start() + 1, m.end()):
                continue
            last = _safe_date(hit.day.year, hit.day.month, int(m["d"]))
            if last is not None and last < hit.day:
                y, mo = _month_shift(hit.day, 1)
                last = _safe_date(y, mo, int(m["d"]))
            if last is None:
                continue
            wd = _weekday(m)
            ok = hit.weekday_ok if wd is None else (last.weekday() == wd and hit.weekday_ok is not False)
            joined[hit.start] = DateHit(hit.start, m.end(), hit.day, last, ok, True)
            self.taken.append((m.start(), m.end()))
        if joined:
            self.dates = [joined.get(h.start, h) for h in self.dates]

    def _join_spans(self) -> list[DateHit]:
        """`4. 7.(화) ~ 5. 31.(일)`: two dates joined by a tilde (times may sit between) make a span."""
        out: list[DateHit] = []
        for hit in self.dates:
            if out and hit.last_day is None and out[-1].last_day is None and not hit.relative:
                prev = out[-1]
                between = _TIME_ANY.sub("", self.text[prev.end : hit.start])
                if (
                    "\n" not in between
                    and _SPAN_JOIN.match(between)
                    and prev.day < hit.day
                    and (hit.day - prev.day).days <= 366
                ):
                    ok = None
                    if prev.weekday_ok is not None or hit.weekday_ok is not None:
                        ok = prev.weekday_ok is not False and hit.weekday_ok is not False
                    out[-1] = DateHit(prev.start, hit.end, prev.day, hit.day, ok, prev.strong or hit.strong)
                    continue
            out.append(hit)
        return out


def _resolve_hour(hour: int, meridiem: str | None, evening: bool) -> int:
    if meridiem:
        low = meridiem.lower().replace(".", "")
        if low in ("오후", "저녁", "밤", "pm") and hour < 12:
            return hour + 12
        if low == "낮" and hour <= 6:
            return hour + 12
        if low in ("오전", "새벽", "아침", "am") and hour == 12:
            return 0
        return hour
    if hour >= 13 or hour == 0:
        return hour
    if evening and 5 <= hour <= 11:
        return hour + 12
    # Community events rarely start before 8 a.m.: a bare `7시` is the evening, `9시` the morning.
    return hour + 12 if 1 <= hour <= 7 else hour


def _scan_times(text: str, evening_lines: set[int], line_starts: list[int]) -> list[TimeHit]:
    raw: list[tuple[int, int, int, int, str | None]] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_TIME_COLON, _TIME_KO):
        for m in pattern.finditer(text):
            if any(not (m.end() <= s or m.start() >= e) for s, e in taken):
                continue
            minute = int(m["mi"]) if m["mi"] else (30 if m.groupdict().get("half") else 0)
            taken.append((m.start(), m.end()))
            raw.append((m.start(), m.end(), int(m["h"]), minute, m["mer"]))
    for m in _NOON.finditer(text):
        raw.append((m.start(), m.end(), 12, 0, "낮"))
    raw.sort()
    hits: list[TimeHit] = []
    i = 0
    while i < len(raw):
        start, end, hour, minute, mer = raw[i]
        evening = bisect.bisect_right(line_starts, start) - 1 in evening_lines
        h1 = _resolve_hour(hour, mer, evening) % 24
        until: time | None = None
        stop = end
        if i + 1 < len(raw) and _TIME_JOIN.match(text[end : raw[i + 1][0]]):
            _, e2, hour2, minute2, mer2 = raw[i + 1]
            # `오후 1시 ~ 5시`: the end inherits the start's 오전/오후.
            h2 = _resolve_hour(hour2, mer2 or mer, evening)
            if h2 < h1 and h2 < 12 and mer2 is None:
                h2 += 12
            until = time(h2 % 24, minute2)
            stop = e2
            i += 1
        hits.append(TimeHit(start, stop, time(h1, minute), until))
        i += 1
    return hits


def _classify(line: str, is_title: bool) -> int:
    body = _BULLETS.sub("", line, count=1)
    if _EVENT_EMOJI.match(body):
        return Context.EVENT
    m = _LABEL.match(body)
    if m is not None:
        label = m["label"].strip()
        compact = label.replace(" ", "")
        if _PREVIOUS_LABEL.match(compact):
            return Context.PREVIOUS
        if _APPLY_LABEL.search(compact):
            return Context.APPLY
        if _EVENT_LABEL.match(compact):
            return Context.EVENT
        if _OTHER_LABEL.search(compact):
            return Context.OTHER
    if _APPLY_INLINE.search(body) or _APPLY_INLINE2.search(body):
        return Context.APPLY
    if _OTHER_INLINE.search(body):
        return Context.OTHER
    return Context.TITLE if is_title else Context.PLAIN


class _Doc:
    """The text split into classified lines, with every date and time hit found once."""

    def __init__(self, text: str, title_len: int, today: date) -> None:
        self.text = text
        self.lines = [
            _Line(seg.start, seg.end, seg.text, _classify(seg.text, seg.start < title_len))
            for seg in segments(text)
        ]
        self.starts = [line.start for line in self.lines]
        evening = {i for i, line in enumerate(self.lines) if _EVENING_WORD.search(line.text)}
        self.dates = _DateScanner(text, today).scan()
        self.times = _scan_times(text, evening, self.starts)

    def line_index(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def context(self, hit: DateHit) -> int:
        return self.lines[self.line_index(hit.start)].context

    def times_on(self, idx: int) -> list[TimeHit]:
        line = self.lines[idx]
        return [t for t in self.times if line.start <= t.start <= line.end]

    def time_after(self, hit: DateHit) -> TimeHit | None:
        for t in self.times_on(self.line_index(hit.start)):
            if t.start >= hit.end:
                return t
        return None


def _apply_until(doc: _Doc, tz: tzinfo) -> datetime | None:
    """The latest date on any application line; a date-only deadline means the end of that day."""
    found: datetime | None = None
    for hit in doc.dates:
        if doc.context(hit) != Context.APPLY:
            continue
        if hit.last_day is None and _WINDOW_START.match(doc.text, hit.end):
            continue  # `10. 5.(월) 10:00부터 예매`: when applying opens, not the deadline
        after = doc.time_after(hit)
        at = (after.until or after.at) if after else time(23, 59)
        candidate = datetime.combine(hit.last_day or hit.day, at, tz)
        if found is None or candidate > found:
            found = candidate
    return found


@dataclass(frozen=True, slots=True)
class _Recurrence:
    label: str
    weekdays: tuple[int, ...]
    nth: int | None  # the week of the month, -1 for the last; None for weekly
    start: int


def _recurrence(doc: _Doc) -> _Recurrence | None:
    for m in _RECUR_WEEKLY.finditer(doc.text):
        if doc.lines[doc.line_index(m.start())].context in (Context.APPLY, Context.OTHER):
            continue
        days = tuple(
            WEEKDAYS.index(c) for c in re.findall(r"[월화수목금토일]", m["days"].replace("요일", ""))
        )
        if days:
            every = "격주" if m["every"] == "격주" else "매주"
            return _Recurrence(f"{every} {'·'.join(WEEKDAYS[d] for d in days)}요일", days, None, m.start())
    m2 = _RECUR_MONTHLY.search(doc.text)
    if m2 is not None:
        nth = _NTH.get(m2["nth"], 1)
        name = "마지막" if nth == -1 else ["첫째", "둘째", "셋째", "넷째", "다섯째"][nth - 1]
        return _Recurrence(f"매월 {name} 주 {m2['wd']}요일", (WEEKDAYS.index(m2["wd"]),), nth, m2.start())
    return None


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    if nth == -1:
        y, m = _month_shift(date(year, month, 1), 1)
        last = date(y, m, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    found = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    return found if found.month == month else None


def _next_occurrence(today: date, rule: _Recurrence) -> date:
    if rule.nth is None:
        return min(today + timedelta(days=(d - today.weekday()) % 7) for d in rule.weekdays)
    for shift in range(3):
        y, m = _month_shift(today, shift)
        found = _nth_weekday(y, m, rule.weekdays[0], rule.nth)
        if found is not None and found >= today:
            return found
    return today


def read_when(
    text: str, *, title: str | None, posted_at: datetime, tz: tzinfo, change: str | None = None
) -> When:
    """Read event times, the application deadline and recurrence from `title` and `text`."""
    head = normalise_text(title.strip()) + "\n" if title and title.strip() else ""
    today = posted_at.astimezone(tz).date()
    doc = _Doc(head + normalise_text(text), len(head), today)
    apply_until = _apply_until(doc, tz)
    rule = _recurrence(doc)

    def usable(hit: DateHit) -> bool:
        context = doc.context(hit)
        if context in (Context.APPLY, Context.OTHER) or hit.deadline:
            return False
        after = doc.time_after(hit)
        if not hit.strong and context != Context.EVENT and after is None and hit.last_day is None:
            return False  # `1/2`, `3.5` without a weekday or a time in running text
        if hit.relative_word and context != Context.EVENT:
            return after is not None
        return True

    candidates = [h for h in doc.dates if usable(h)]
    previous = next((h for h in doc.dates if doc.context(h) == Context.PREVIOUS), None)
    chosen: DateHit | None = None
    if change == "RESCHEDULED":
        chosen, previous = _pick_reschedule(doc.text, candidates, previous)
    else:
        ranked = sorted(candidates, key=lambda h: (-max(doc.context(h), Context.PLAIN), h.start))
        upcoming = [h for h in ranked if (h.last_day or h.day) >= today]
        if upcoming:
            chosen = upcoming[0]
        elif ranked and change == "CANCELLED":
            chosen = ranked[0]
        elif ranked:
            return When(apply_until=apply_until, in_past=True, confidence=0.3)

    previous_at = _date_time(doc, previous, tz) if previous is not None and previous is not chosen else None
    confidence = 0.9
    source = "text"
    if chosen is None:
        if rule is None:
            return When(apply_until=apply_until, previous_starts_at=previous_at, confidence=0.2)
        first = _next_occurrence(today, rule)
        chosen = DateHit(rule.start, rule.start, first, None, None, True, relative=True)
        confidence, source = 0.6, "recurrence"
    else:
        context = doc.context(chosen)
        source = {Context.EVENT: "label", Context.TITLE: "title"}.get(context, "text")

    starts_at, ends_at, all_day, span = _compose(doc, chosen, tz, recurring=rule is not None)
    recurrence = None
    if rule is not None:
        recurrence = rule.label if all_day else f"{rule.label} {starts_at:%H:%M}"
    if chosen.weekday_ok is False:
        confidence -= 0.3  # `9월 5일(수)` when the 5th is a Saturday: the date wins, but say so
    if chosen.relative:
        confidence -= 0.1
    if source == "text":
        confidence -= 0.15
    if not chosen.strong:
        confidence -= 0.1
    if change == "CANCELLED" and previous_at is None:
        previous_at = starts_at
    return When(
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        apply_until=apply_until,
        recurrence=recurrence,
        previous_starts_at=previous_at,
        confidence=round(max(0.05, min(1.0, confidence)), 2),
        span=span,
        source=source,
        has_time=not all_day,
    )


def _pick_reschedule(
    text: str, candidates: list[DateHit], previous: DateHit | None
) -> tuple[DateHit | None, DateHit | None]:
    """Which date is the new one in `9월 12일 → 9월 19일로 연기` or `기존: … / 변경: …` notices."""
    new: DateHit | None = None
    for hit in candidates:
        tail = text[hit.end : hit.end + 40]
        if previous is None and _PREVIOUS_INLINE.match(tail):
            previous = hit
        elif new is None and _NEW_INLINE.match(tail):
            new = hit
    if new is None:
        for hit in candidates:
            if hit is previous:
                continue
            if previous is None or hit.start > previous.start:
                new = hit
                break
    if new is not None and previous is None:
        previous = next((h for h in candidates if h is not new and h.day != new.day), None)
    return new, previous


def _date_time(doc: _Doc, hit: DateHit, tz: tzinfo) -> datetime:
    after = doc.time_after(hit)
    return datetime.combine(hit.day, after.at if after else time(0, 0), tz)


def _compose(
    doc: _Doc, hit: DateHit, tz: tzinfo, *, recurring: bool
) -> tuple[datetime, datetime | None, bool, str]:
    """Join a date with the time written after it (same line, or the next unlabelled/time lines)."""
    idx = doc.line_index(hit.start)
    line = doc.lines[idx]
    on_line = doc.times_on(idx)
    same_line = [t for t in on_line if t.start >= hit.start]
    before = [t for t in on_line if t.start < hit.start]
    span_lines = [line.text.strip()]
    chosen = same_line or before[-1:]
    if not chosen:
        for look in range(idx + 1, min(idx + 4, len(doc.lines))):
            nxt = doc.lines[look]
            if nxt.context in (Context.APPLY, Context.PREVIOUS):
                break
            if nxt.context == Context.OTHER or _OPERATING_HOURS.search(nxt.text):
                continue  # `관람시간 10:00~18:00` belongs to a venue, not to the event's start
            if _DATE_LIKE.search(nxt.text):
                break  # its times belong to its own date (`오프닝은 11월 10일 오후 5시`)
            on = doc.times_on(look)
            if on:
                chosen = on
                span_lines.append(nxt.text.strip())
                break
    span = " / ".join(s for s in span_lines if s)
    if not chosen:
        start = datetime.combine(hit.day, time(0, 0), tz)
        # All-day spans end at midnight after their last day, as iCalendar's DTEND does.
        day_end = datetime.combine(hit.last_day + timedelta(days=1), time(0, 0), tz) if hit.last_day else None
        return start, day_end, True, span
    first = chosen[0]
    start = datetime.combine(hit.day, first.at, tz)
    end: datetime | None = None
    # A series (`10. 6.~10. 27. 매주 화요일 19:00~21:00`) ends its first session, not its last.
    last_day = hit.day if recurring else (hit.last_day or hit.day)
    if first.until is not None:
        end = datetime.combine(last_day, first.until, tz)
        if end <= start:
            end += timedelta(days=1)
    elif hit.last_day is not None and not recurring:
        later = [t for t in chosen[1:] if t.start > first.end]
        if later:
            end = datetime.combine(hit.last_day, later[0].at, tz)
        else:
            end = datetime.combine(hit.last_day + timedelta(days=1), time(0, 0), tz)
    if end is None:
        end = _until_later(doc, idx, start)
    return start, end, False, span


def _until_later(doc: _Doc, idx: int, start: datetime) -> datetime | None:
    """`… 10시까지 모여주세요. 행사는 오후 4시까지입니다.`: a lone `까지` time just after is the end."""
    for look in range(idx + 1, min(idx + 3, len(doc.lines))):
        nxt = doc.lines[look]
        if nxt.context < Context.PLAIN or _DATE_LIKE.search(nxt.text):
            return None
        for t in doc.times_on(look):
            if t.until is None and _UNTIL.match(doc.text, t.end):
                end = datetime.combine(start.date(), t.at, start.tzinfo)
                return end if end > start else None
    return None
