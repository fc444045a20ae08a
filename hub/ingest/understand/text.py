"""Sentences: the unit a date's or a place's meaning is read in.

A KakaoTalk message is often one line holding several sentences (`토요일 4시에 청년마루에서 해요.
신청은 내일까지!`), so a line's label alone would mislabel half of it. Dotted dates (`9. 1.(화)`) and
times never split a sentence: a break needs a letter before the full stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAK = re.compile(
    r"(?<=[가-힣A-Za-z)\]][.!?])[^\S\n]+|(?<=[.!?][.!?])[^\S\n]+|(?<=[가-힣]~)[^\S\n]+(?=[가-힣])|\n"
)


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    text: str
    line: int  # index of the physical line it sits on


def segments(text: str) -> list[Segment]:
    """Sentences with their spans in `text`; every line break also ends a sentence."""
    out: list[Segment] = []
    pos = 0
    line = 0
    for m in _BREAK.finditer(text):
        out.append(Segment(pos, m.start(), text[pos : m.start()], line))
        if m.group() == "\n":
            line += 1
        pos = m.end()
    out.append(Segment(pos, len(text), text[pos:], line))
    return out
