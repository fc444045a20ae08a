"""Where: the place an announcement names, matched to the gazetteer, and whether it happens online.

Order of trust: a labelled line (`장소:`, `📍`, `○ 장소`), then `…에서` in running text, then a gazetteer
name anywhere outside host/contact/application sentences, nearest to the sentence the time came from
(the place is written next to the time; the host's name usually is not). The room or floor after a
known place (`남원시립도서관 3층 강의실`) is kept as `detail`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from hub.ingest.understand.gazetteer import Gazetteer, Place
from hub.ingest.understand.text import Segment, segments

_S = r"[^\S\n]*"
_BULLETS = (
    r"^[^\S\n]*[\-*•·○◎●▶▷►■□◆◇※>❶-❿①-⑩✔✅☑️▪️🔹🔸👉]*[^\S\n]*"
    r"(?:(?:[1-9]|[가나다라마바사아자차카타파하])[.)][^\S\n]+)?"
)
_PLACE_WORDS = (
    rf"장{_S}소|행사장|공연장소|교육{_S}장소|모임{_S}장소|집결{_S}장소|집결지|집결|변경{_S}장소|새{_S}장소|"
    rf"변경된{_S}장소|바뀐{_S}장소|모이는{_S}곳"
)
_PLACE_LINE = re.compile(
    _BULLETS
    + rf"(?:\[{_S}(?:{_PLACE_WORDS}){_S}\]|【{_S}(?:{_PLACE_WORDS}){_S}】|(?:{_PLACE_WORDS})(?:는|은)?)"
    rf"{_S}[:\-]?{_S}(?P<value>[^\n]+)$"
    rf"|{_BULLETS}(?:곳|어디서|어디|위{_S}치|where){_S}:{_S}(?P<value2>[^\n]+)$"
    rf"|^{_S}(?:📍|🏠|🏫|🗺️?)(?:{_S}(?:{_PLACE_WORDS}))?{_S}:?{_S}(?P<value3>[^\n]+)$",
    re.MULTILINE | re.IGNORECASE,
)
_PREVIOUS_PLACE = re.compile(r"(?:기존|변경\s*전|당초)\s*장소")
_INLINE_AT = re.compile(r"(?P<before>[^\n.!?。,]{2,40}?)\s*에서(?:\s|$|[,.!])")
_PLACEISH = re.compile(
    r"([가-힣A-Za-z0-9]+(?:센터|도서관|회관|복지관|미술관|박물관|공원|광장|체육관|운동장|학교|마을회관|경로당|교회|성당|카페|"
    r"식당|강당|홀|터|마당|시장|캠퍼스|수련관|문학관|아트센터|갤러리|책방|서점|공방|농장|역))"
    r"(?:\s*[0-9]+층)?(?:\s*[가-힣A-Za-z0-9]*(?:실|홀|룸|강당))?"
)
_EXCLUDED = re.compile(
    r"^[^\S\n]*[\-*•·○◎●▶▷►■□◆◇※>]*[^\S\n]*(?:[\[<【(]\s*)?(?:주\s*최|주\s*관|후\s*원|문\s*의|협\s*조|신\s*청|접\s*수|"
    r"모\s*집|제\s*출|작성자|출처|보도|담당|강\s*사)"
    r"|문의|☎|📞|전화|신청|접수|누리집|홈페이지|카카오톡\s*채널|주최|주관|모시고|기증|보내주",
)
_HEAD = re.compile(r"^\s*[\[【<(][^\]】>)\n]{1,20}[\]】>)]")
_ONLINE = re.compile(
    r"(?<![가-힣])줌(?!바|인|아웃|마)|zoom|온라인|비대면|유튜브|youtube|웨비나|webinar|구글\s*미트|google\s*meet|"
    r"meet\.google|라이브\s*방송|실시간\s*(?:중계|스트리밍|방송)|생중계|화상\s*(?:회의|회의실)|웹엑스|webex",
    re.IGNORECASE,
)
# `온라인 신청`, `온라인으로 예매` are about applying, not about the event being online.
_ONLINE_NOT_EVENT = re.compile(
    r"(?:온라인|비대면|구글|유튜브|줌|zoom)[^\n]{0,8}(?:신청|접수|설문|폼|예약|예매|등록|제출|구독|채널|홍보|게시|공개)|"
    r"(?:신청|접수|예약|예매|등록|제출)[^\n]{0,10}(?:온라인|비대면)",
    re.IGNORECASE,
)
_ONLINE_ONLY = re.compile(r"^\s*(?:\(?\s*)?(?:온라인|비대면|zoom|줌|유튜브|youtube|웨비나)", re.IGNORECASE)
_TRIM_VALUE = re.compile(r"\s*(?:[※*]|☎|문의|주차|\(\s*주차|/\s*주차)[^\n]*$")
_DETAIL_CLEAN = re.compile(r"^[\s,:·\-)\]]+|[\s,(\[\-]+$")
_PARENS = re.compile(r"\([^)]*\)")
_DETAIL_OK = re.compile(
    r"층|호|실|관|홀|강당|마당|광장|로비|앞|옆|정문|주차장|카페|룸|동|무대|F\b|공간|라운지|갤러리", re.I
)


@dataclass(frozen=True, slots=True)
class Where:
    place_name: str | None = None  # as written
    place: Place | None = None
    detail: str | None = None
    is_online: bool = False
    confidence: float = 0.0


def read_where(
    text: str,
    *,
    title: str | None,
    gazetteer: Gazetteer,
    location: str | None = None,
    anchor: str | None = None,
) -> Where:
    """Find the place of an announcement.

    `location` is a structured location (iCal), taken first. `anchor` is the text the event's time was
    read from: among unlabelled mentions, the one nearest to it wins.
    """
    online = _is_online(text, title, location)
    if location and location.strip():
        found = _resolve(location.strip(), gazetteer)
        return Where(
            found.place_name, found.place, found.detail, online or _ONLINE.search(location) is not None, 0.95
        )
    for m in _PLACE_LINE.finditer(text):
        if _PREVIOUS_PLACE.search(m.group(0)):
            continue
        value = _TRIM_VALUE.sub("", m["value"] or m["value2"] or m["value3"] or "").strip(" :-")
        if not value:
            continue
        resolved = _resolve(value, gazetteer)
        if resolved.place is None and _ONLINE_ONLY.match(value):
            return Where(value, None, None, True, 0.9)
        return Where(
            resolved.place_name, resolved.place, resolved.detail, online, 0.9 if resolved.place else 0.7
        )
    ordered = list(_by_nearness(text, title, anchor))
    for seg in ordered:
        hits = []
        for m in _INLINE_AT.finditer(seg.text):
            hit = gazetteer.find(m["before"])
            if hit is not None:
                hits.append((m["before"], hit))
        if hits:
            before, hit = hits[-1]  # `센터에서 토요일 9시에 요천에서 해요`: the venue is nearest the verb
            detail = _detail(before[hit.end :], hit.place)
            name = before[hit.start : hit.end].strip()
            return Where(name + (f" {detail}" if detail else ""), hit.place, detail, online, 0.75)
    for seg in ordered:
        hit = gazetteer.find(_HEAD.sub(lambda m: " " * len(m.group(0)), seg.text, count=1))
        if hit is not None:
            detail = _detail(_first_clause(seg.text[hit.end :]), hit.place)
            name = seg.text[hit.start : hit.end].strip()
            return Where(name + (f" {detail}" if detail else ""), hit.place, detail, online, 0.6)
    for seg in ordered:
        for m in _INLINE_AT.finditer(seg.text):
            before = m["before"].strip()
            guess = _PLACEISH.search(before)
            if guess is not None and guess.end() >= len(before) - 1:
                return Where(guess.group(0).strip(), None, None, online, 0.4)
    return Where(None, None, None, online, 0.0)


def _by_nearness(text: str, title: str | None, anchor: str | None) -> Iterator[Segment]:
    """Sentences that may name the venue, nearest to the time's sentence first (later before earlier)."""
    usable = [seg for seg in segments(text) if seg.text.strip() and not _EXCLUDED.search(seg.text)]
    at = None
    if anchor:
        key = anchor.split(" / ")[0].strip()
        at = next(
            (i for i, seg in enumerate(usable) if key and (key in seg.text or seg.text.strip() in key)), None
        )
    if at is None:
        yield from usable
    else:
        yield from sorted(usable, key=lambda seg: (abs(usable.index(seg) - at), usable.index(seg) < at))
    if title and not _EXCLUDED.search(title):
        yield Segment(0, len(title), title, -1)


def _first_clause(text: str) -> str:
    return re.split(r"[,.!?\n]|에서|으로|에 |에서는|에서의", text, maxsplit=1)[0][:20]


@dataclass(frozen=True, slots=True)
class _Resolved:
    place_name: str
    place: Place | None
    detail: str | None


def _resolve(value: str, gazetteer: Gazetteer) -> _Resolved:
    # Prefer a name outside parentheses: `청년마루 (남원시 용성로 78)` is not about `요천로`.
    outside = _PARENS.sub(lambda m: " " * len(m.group(0)), value)
    hit = gazetteer.find(outside) or gazetteer.find(value)
    if hit is None:
        return _Resolved(value, None, None)
    return _Resolved(value, hit.place, _detail(value[hit.end :], hit.place))


def _detail(tail: str, place: Place) -> str | None:
    """`3층 강의실` after `남원시립도서관`: what narrows the place down, without addresses or notes."""
    tail = " ".join(_PARENS.sub(" ", tail).split())
    tail = re.split(r"[※*/]|\s-\s", tail, maxsplit=1)[0]
    tail = _DETAIL_CLEAN.sub("", tail).strip()
    if not tail or len(tail) > 30 or tail in (place.name, *place.aliases):
        return None
    return tail if _DETAIL_OK.search(tail) else None


def _is_online(text: str, title: str | None, location: str | None) -> bool:
    for chunk in (location or "", title or "", text):
        if _ONLINE.search(chunk) is None:
            continue
        for line in chunk.split("\n"):
            if (
                _ONLINE.search(line) is not None
                and _ONLINE.search(_ONLINE_NOT_EVENT.sub(" ", line)) is not None
            ):
                return True
    return False
