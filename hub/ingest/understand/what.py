"""What: a clean title and excerpt, the fee, categories from the hub's taxonomy, and change notices."""

from __future__ import annotations

import re

TITLE_MAX = 120
EXCERPT_MAX = 200

CATEGORIES: tuple[str, ...] = (
    "공연·전시",
    "교육·강좌",
    "모임·동아리",
    "봉사·나눔",
    "청년·창업",
    "공청회·설명회·회의",
    "축제·행사",
    "모집·공고",
)
_CATEGORY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "공연·전시",
        re.compile(
            r"공연|전시|콘서트|연주회|음악회|뮤지컬|연극|국악|버스킹|상영|영화|판소리|갤러리|展|오페라|합창"
        ),
    ),
    (
        "교육·강좌",
        re.compile(
            r"교육|강좌|강의|특강|아카데미|수업|클래스|배우기|워크숍|워크샵|강연|학교|과정|수강|연수|교실"
        ),
    ),
    ("모임·동아리", re.compile(r"모임|동아리|소모임|정모|독서회|북클럽|스터디|번개|반상회|친목")),
    ("봉사·나눔", re.compile(r"봉사|나눔|기부|플로깅|환경\s*정화|후원|김장|바자회|헌혈|연탄|도시락")),
    ("청년·창업", re.compile(r"청년|창업|스타트업|취업|일자리|구직|로컬크리에이터")),
    (
        "공청회·설명회·회의",
        re.compile(r"공청회|설명회|간담회|회의|토론회|원탁|총회|포럼|협의회|주민자치|공론장|타운홀"),
    ),
    (
        "축제·행사",
        re.compile(r"축제|페스티벌|기념식|체육대회|장터|마켓|한마당|잔치|행사|개막식|운동회|걷기대회|캠프"),
    ),
    ("모집·공고", re.compile(r"모집|공고|선발|채용|공모|참가자\s*접수|신청\s*접수")),
)

_HEAD = re.compile(r"^\s*(?:[\[【<〈「『(]\s*([^\]】>〉」』)\n]{1,24})\s*[\]】>〉」』)]\s*)+")
_EMOJI = "\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b06\u2934\u2935\u3030\ufe0f\u200d"
_DECOR = re.compile(rf"^[\s\-=*~·•○◎●▶▷►■□◆◇※>#♥♡★☆{_EMOJI}]+|[\s\-=*~·•#♥♡★☆{_EMOJI}]+$")
_GREETING = re.compile(
    r"^(?:안녕하세요|안녕하십니까|반갑습니다|회원\s*여러분|여러분|주민\s*여러분|좋은\s*(?:아침|하루)|"
    r"알려\s*드립니다|공지\s*드립니다|공지합니다|안내\s*드립니다|안내합니다)[\s!~.,^]*"
)
# A line that only says "here is news" is not a title.
_HERALD = re.compile(
    r"(?:알려\s*드립니다|안내\s*드립니다|안내합니다|공지\s*드립니다|전해\s*드려요|전해\s*드립니다|소식입니다|"
    r"소식\s*전해\s*드려요|공유\s*드립니다|공유합니다)[\s.!~^]*$"
)
_LABEL_LINE = re.compile(
    r"^\s*[\-*•·○◎●▶▷►■□◆◇※]*\s*(?:일\s*시|장\s*소|대\s*상|문\s*의|신\s*청|기\s*간)\s*[:：]"
)
_SPACES = re.compile(r"\s+")

_FEE_LABEL = re.compile(
    r"(?:참가비|참여비|참가\s*비용|비용|회비|수강료|수강비|교육비|입장료|관람료|재료비|체험비|요금|등록비|티켓|가격)"
    r"\s*[:：]?\s*(?P<value>[^\n]{1,40})"
)
_FREE = re.compile(r"무료|무\s*료|free|참가비\s*없음|비용\s*없음|공짜", re.IGNORECASE)
_AMOUNT = re.compile(
    r"(?P<man>\d+)\s*만\s*(?:(?P<cheon>\d)\s*천\s*)?원|(?P<k>\d+)\s*천\s*원|(?P<won>\d{1,3}(?:,\d{3})+|\d+)\s*원"
)

_CANCEL = re.compile(
    r"취소(?:되었|됐|됩니다|합니다|하게\s*되었|\s*안내|\s*공지|\s*알림|되어|\s*되었|함|\])|"
    r"(?:열리지|진행하지|진행되지|개최하지|개최되지)\s*않|행사\s*취소|전면\s*취소|잠정\s*중단"
)
_RESCHEDULE = re.compile(
    r"연기(?:되었|됐|됩니다|합니다|하게|\s*안내|\s*공지|\s*알림|되어|\])|순연|일정\s*(?:이\s*)?(?:변경|조정)|"
    r"날짜\s*(?:가\s*)?변경|시작\s*시간\s*(?:이\s*)?변경|(?<!운영|관람|이용)시간\s*(?:이\s*)?변경|일시\s*(?:가\s*)?변경|"
    r"변경된\s*일(?:정|시)|(?:일|\)|시|분)\s*(?:로|으로)\s*(?:연기|변경|옮겨)"
)
# Opening hours of a venue change without any event changing.
_HOURS_CHANGE = re.compile(r"(?:운영|관람|이용)\s*시간[^\n]{0,30}변경")
_PLACE_CHANGE = re.compile(r"장소\s*(?:가\s*)?변경|변경된\s*장소|장소를\s*(?:옮|변경)|(?:로|으로)\s*장소")
_CONDITIONAL = re.compile(r"(?:우천\s*시|비가\s*오면|미달\s*시|경우)[^\n]{0,12}(?:취소|연기|변경)")


def clean_title(title: str | None, body: str) -> str:
    """The given title without `[공지]`-style heads, else the first line that says something."""
    if title and title.strip():
        cleaned = _strip_heads(title)
        if cleaned:
            return _shorten(cleaned, TITLE_MAX)
    for line in body.split("\n"):
        cleaned = _strip_heads(line)
        cleaned = _GREETING.sub("", cleaned).strip()
        if len(cleaned) < 4 or _LABEL_LINE.match(line) or (len(cleaned) < 30 and _HERALD.search(cleaned)):
            continue
        return _shorten(cleaned, TITLE_MAX)
    fallback = _strip_heads(title or "") or " ".join(body.split())
    return _shorten(fallback, TITLE_MAX) if fallback else "(제목 없음)"


def _strip_heads(text: str) -> str:
    text = _DECOR.sub("", text.strip())
    stripped = _HEAD.sub("", text).strip()
    if len(stripped) >= 4:
        text = stripped
    return _DECOR.sub("", text).strip()


def excerpt(body: str) -> str:
    return _shorten(_SPACES.sub(" ", body).strip(), EXCERPT_MAX)


def _shorten(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def read_fee(text: str) -> str | None:
    """`무료`, or the first amount in a fee line normalised to `5,000원`."""
    for m in _FEE_LABEL.finditer(text):
        value = m["value"]
        amount = _amount(value)
        if _FREE.search(value) and (amount is None or _FREE.search(value).start() < value.find("원")):  # type: ignore[union-attr]
            return "무료"
        if amount is not None:
            return amount
    if _FREE.search(text) and not re.search(r"무료\s*(?:주차|셔틀|배송|나눔\s*아님)", text):
        return "무료"
    return None


def _amount(value: str) -> str | None:
    m = _AMOUNT.search(value)
    if m is None:
        return None
    if m["man"]:
        won = int(m["man"]) * 10000 + int(m["cheon"] or 0) * 1000
    elif m["k"]:
        won = int(m["k"]) * 1000
    else:
        won = int(m["won"].replace(",", ""))
    if won == 0:
        return "무료"
    return f"{won:,}원"


def read_categories(title: str, text: str) -> tuple[str, ...]:
    """Categories whose words appear in the title, or at least twice in the text."""
    found: list[str] = []
    for name, pattern in _CATEGORY_WORDS:
        if pattern.search(title) or len(pattern.findall(text)) >= 2:
            found.append(name)
    return tuple(found[:3])


def read_change(title: str | None, text: str) -> str | None:
    """`CANCELLED`, `RESCHEDULED` or `CHANGED` when the post announces a change to an event."""
    head = (title or "") + "\n" + "\n".join(text.split("\n")[:6])
    head = _HOURS_CHANGE.sub(" ", _CONDITIONAL.sub(" ", head))
    if _CANCEL.search(head):
        return "CANCELLED"
    if _RESCHEDULE.search(head):
        return "RESCHEDULED"
    if _PLACE_CHANGE.search(head):
        return "CHANGED"
    return None
