"""One item per real event: decide whether two understood posts announce the same thing.

The decision weighs start time, place and Korean-aware text similarity (character bigrams, which
survive the spacing and particle differences between how two organisations write one event, plus
rapidfuzz's partial ratio on titles). Candidates are only compared within a day (`blocking_keys`), so
clustering stays near-linear. Hard rules come first: a different day, a start more than
`MAX_START_GAP` apart, or two different known places never merge.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz

from hub.ingest.understand import Understanding

MAX_START_GAP = timedelta(minutes=45)
SAME_THRESHOLD = 0.62
# Same minute at the same known place is strong evidence on its own; the words need only agree a little.
SAME_SLOT_TEXT = 0.2
SAME_TEXT = 0.35
BODY_CHARS = 400
REFERS_THRESHOLD = 0.5

# Words every announcement uses: they say nothing about which event it is.
_BOILERPLATE = re.compile(
    r"안내|공지|알림|모집|신청|접수|참여|참가|행사|일시|장소|대상|문의|주최|주관|후원|누구나|무료|참가비|"
    r"바랍니다|합니다|습니다|드립니다|해주세요|주세요|있습니다|입니다|많은|관심|부탁|여러분|회원|시민|남원시|남원|"
    r"연기|취소|변경|순연|되었|됐|예정|이던|일정|오전|오후|저녁|요일|까지|부터"
)
_NOT_WORD = re.compile(r"[^가-힣a-z]+")


@dataclass(frozen=True, slots=True)
class EventFingerprint:
    starts_at: datetime | None
    all_day: bool
    place_key: str | None
    title: str  # normalised: lowercase letters and Hangul only, boilerplate removed
    text: str  # normalised title and excerpt
    organisation: str
    source_kind: str
    change: str | None = None
    previous_starts_at: datetime | None = None
    is_online: bool = False
    title_grams: frozenset[str] = frozenset()
    text_grams: frozenset[str] = frozenset()

    @property
    def day(self) -> date | None:
        return self.starts_at.date() if self.starts_at else None


@dataclass(frozen=True, slots=True)
class MatchDecision:
    score: float
    same: bool
    reason: str


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = _BOILERPLATE.sub(" ", text)
    return _NOT_WORD.sub("", text)


def _grams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def fingerprint(
    u: Understanding, *, organisation: str, source_kind: str, body: str | None = None
) -> EventFingerprint:
    """The parts of an understood post that identify its event; `body` (when given) beats the excerpt."""
    title = normalise(u.title)
    text = normalise(f"{u.title} {(body or u.excerpt)[:BODY_CHARS]}")
    if u.place is not None:
        place_key: str | None = u.place.name
    elif u.place_name:
        place_key = normalise(u.place_name) or None
    else:
        place_key = None
    return EventFingerprint(
        starts_at=u.starts_at,
        all_day=u.all_day,
        place_key=place_key,
        title=title,
        text=text,
        organisation=organisation,
        source_kind=source_kind,
        change=u.change,
        previous_starts_at=u.previous_starts_at,
        is_online=u.is_online,
        title_grams=_grams(title),
        text_grams=_grams(text),
    )


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def text_similarity(a: EventFingerprint, b: EventFingerprint) -> float:
    """0..1: how much two posts' words agree, robust to spacing, particles and word order."""
    title = max(_dice(a.title_grams, b.title_grams), 0.9 * _overlap(a.title_grams, b.title_grams))
    if a.title and b.title and min(len(a.title), len(b.title)) >= 4:
        title = max(title, 0.9 * fuzz.partial_ratio(a.title, b.title) / 100)
    body = _overlap(a.text_grams, b.text_grams) * 0.6 + _dice(a.text_grams, b.text_grams) * 0.4
    return max(title, body, 0.5 * title + 0.5 * body)


def _place_score(a: EventFingerprint, b: EventFingerprint) -> tuple[float | None, str]:
    """None: the places contradict each other."""
    if a.place_key is None or b.place_key is None:
        return 0.5, "장소 한쪽 없음"
    if a.place_key == b.place_key:
        return 1.0, "같은 장소"
    if fuzz.partial_ratio(a.place_key, b.place_key) >= 80:
        return 0.8, "비슷한 장소"
    if a.is_online and b.is_online:
        return 0.6, "둘 다 온라인"
    return None, "다른 장소"


def _time_score(a: datetime, a_all_day: bool, b: datetime, b_all_day: bool) -> float | None:
    if a.date() != b.date():
        return None
    if a_all_day or b_all_day:
        return 0.6
    gap = abs(a - b)
    if gap > MAX_START_GAP:
        return None
    if gap == timedelta(0):
        return 1.0
    return 0.8 if gap <= timedelta(minutes=30) else 0.6


def match(a: EventFingerprint, b: EventFingerprint) -> MatchDecision:
    """Whether `a` and `b` announce the same event, with a score and a reason staff can read."""
    if a.starts_at is None or b.starts_at is None:
        return MatchDecision(0.0, False, "시작 시각 없음 / no start time")
    time_score = _time_score(a.starts_at, a.all_day, b.starts_at, b.all_day)
    if time_score is None:
        return MatchDecision(0.0, False, "날짜나 시각이 다름 / different date or time")
    place_score, place_reason = _place_score(a, b)
    if place_score is None:
        return MatchDecision(0.1, False, "다른 장소 / different place")
    text = text_similarity(a, b)
    score = round(0.3 * time_score + 0.2 * place_score + 0.5 * text, 3)
    same_slot = time_score == 1.0 and not (a.all_day or b.all_day) and place_score == 1.0
    same = (score >= SAME_THRESHOLD and text >= SAME_TEXT) or (same_slot and text >= SAME_SLOT_TEXT)
    reason = f"시각 {time_score:.1f}, {place_reason}, 글 유사도 {text:.2f} / time, place, text similarity"
    return MatchDecision(score, same, reason)


def refers_to(change: EventFingerprint, candidate: EventFingerprint) -> MatchDecision:
    """Whether a change notice (`연기`, `변경`, `취소`) is about `candidate`'s event."""
    if candidate.starts_at is None:
        return MatchDecision(0.0, False, "대상 일정에 시작 시각 없음 / candidate has no start")
    before = change.previous_starts_at or (change.starts_at if change.change != "RESCHEDULED" else None)
    text = text_similarity(change, candidate)
    if before is None:
        # `잠정 연기` without a date: only words can tell.
        same = text >= 0.7
        return MatchDecision(round(0.8 * text, 3), same, f"날짜 없는 변경, 글 유사도 {text:.2f} / text only")
    if before.date() != candidate.starts_at.date():
        return MatchDecision(0.0, False, "변경 전 날짜가 다름 / previous date differs")
    place_score, place_reason = _place_score(change, candidate)
    if place_score is None and change.change != "CHANGED":
        return MatchDecision(0.1, False, "다른 장소 / different place")
    score = round(0.4 + 0.1 * (place_score or 0.5) + 0.5 * text, 3)
    same = score >= REFERS_THRESHOLD + 0.1 and text >= 0.3
    return MatchDecision(score, same, f"변경 전 날짜 일치, {place_reason}, 글 유사도 {text:.2f} / refers")


def blocking_keys(fp: EventFingerprint) -> tuple[str, ...]:
    """Days a fingerprint is compared on: its start, and for a change notice the day it replaces."""
    keys: list[str] = []
    for moment in (fp.starts_at, fp.previous_starts_at):
        if moment is not None and moment.date().isoformat() not in keys:
            keys.append(moment.date().isoformat())
    return tuple(keys)


def blocking_key(fp: EventFingerprint) -> str | None:
    keys = blocking_keys(fp)
    return keys[0] if keys else None


def decide(a: EventFingerprint, b: EventFingerprint) -> MatchDecision:
    """`match`, or `refers_to` when one side is a change notice; the stronger 'same' wins."""
    decisions = [match(a, b)]
    if a.change and not b.change:
        decisions.append(refers_to(a, b))
    elif b.change and not a.change:
        decisions.append(refers_to(b, a))
    same = [d for d in decisions if d.same]
    return max(same or decisions, key=lambda d: d.score)


def cluster(fingerprints: Sequence[EventFingerprint]) -> list[list[int]]:
    """Groups of indices that are one real event; posts without a start stay alone."""
    parent = list(range(len(fingerprints)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    blocks: dict[str, list[int]] = defaultdict(list)
    for index, fp in enumerate(fingerprints):
        for key in blocking_keys(fp):
            blocks[key].append(index)
    for members in blocks.values():
        for i_pos, i in enumerate(members):
            for j in members[i_pos + 1 :]:
                if find(i) == find(j):
                    continue
                if decide(fingerprints[i], fingerprints[j]).same:
                    parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(fingerprints)):
        groups[find(index)].append(index)
    return sorted(groups.values(), key=lambda g: g[0])
