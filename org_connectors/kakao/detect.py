"""Which export variant a file is: sniff the header lines, then let the grammars compete.

Every grammar scores the lines it can read in a sample; the most lines wins. The header (the save-date
line, the CSV header) only breaks ties, so a file whose header is missing or misleading is still read by
the grammar that fits its lines (reference §2.6).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from org_connectors.kakao.csv_reader import CSV_HEADER, CSV_RECORD_START
from org_connectors.kakao.errors import UnknownExportFormat
from org_connectors.kakao.grammars import GRAMMARS, Grammar, InvalidStamp, LineKind

CSV_FORMAT = "csv"
FORMATS: tuple[str, ...] = (*(grammar.name for grammar in GRAMMARS), CSV_FORMAT)
_SAMPLE_LINES = 3000
_HEAD_LINES = 5

_SAVE_DATE_HINTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^(?:저장한 날짜|Date Saved) ?: ?\d{4}-\d{2}-\d{2} "), ("windows_ko", "windows_en")),
    (re.compile(r"^저장한 날짜 ?: ?\d{4}년 "), ("android_ko",)),
    (re.compile(r"^저장한 날짜 ?: ?\d{4}\. "), ("ios_ko",)),
    (re.compile(r"^Date Saved ?: ?\d{1,2}:\d{2}[ap]m, "), ("android_en_old",)),
    (re.compile(r"^Date Saved ?: ?May \d{1,2}, \d{4}, "), ("ios_en", "android_en")),
    (re.compile(r"^Date Saved ?: ?[A-Z][a-z]{2} \d{1,2}, \d{4}(?:,| at) "), ("ios_en",)),
    (re.compile(r"^Date Saved ?: ?[A-Z][a-z]{3,} \d{1,2}, \d{4}, "), ("android_en",)),
)


@dataclass(frozen=True, slots=True)
class _Score:
    lines: int
    messages: int


def detect_format(lines: Sequence[str]) -> str:
    """The format name (`windows_ko`, …, `csv`). Raises `UnknownExportFormat` quoting the first line."""
    sample = lines[:_SAMPLE_LINES]
    hinted = _hints(sample)
    scores = {grammar.name: _score(grammar, sample) for grammar in GRAMMARS}
    csv_rows = sum(1 for line in sample if CSV_RECORD_START.match(line))
    scores[CSV_FORMAT] = _Score(csv_rows, csv_rows)
    best = max(FORMATS, key=lambda name: (scores[name].lines, name in hinted, -FORMATS.index(name)))
    if scores[best].messages > 0:
        return best
    if hinted:
        # A header with no message yet (an empty room) is still an export: read it, find nothing.
        return min(hinted, key=FORMATS.index)
    raise _unknown(lines)


def _hints(sample: Sequence[str]) -> set[str]:
    head = [line.strip() for line in sample if line.strip()][:_HEAD_LINES]
    if head and CSV_HEADER.match(head[0]):
        return {CSV_FORMAT}
    hinted: set[str] = set()
    for line in head:
        for pattern, names in _SAVE_DATE_HINTS:
            if pattern.match(line):
                hinted.update(names)
                break
    return hinted


def _score(grammar: Grammar, sample: Sequence[str]) -> _Score:
    lines = messages = 0
    for line in sample:
        try:
            record = grammar.read(line)
        except InvalidStamp:
            continue
        if record is not None:
            lines += 1
            messages += record.kind is LineKind.MESSAGE
    return _Score(lines, messages)


def _unknown(lines: Sequence[str]) -> UnknownExportFormat:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            return UnknownExportFormat(line, line_number=number)
    return UnknownExportFormat(None)
