"""Every composed export in seeds/namwon/kakao parses into exactly the expected staff posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from org_connectors.base import DatePrecision, SourceKind
from tests.connectors.kakao.support import everything_in, parse_fixture

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class Expected:
    file: str
    staff: list[str]
    format: str
    messages: int
    non_staff: int
    chatter: int
    # (local time "YYYY-MM-DD HH:MM[:SS]", author, exact body)
    posts: list[tuple[str, str, str]]
    # Member text and names that must appear nowhere in the result.
    absent: list[str]


CASES = [
    Expected(
        "windows_ko.txt",
        ["남원시공동체지원센터", "김보람 코디"],
        "windows_ko",
        messages=13,
        non_staff=4,
        chatter=4,
        posts=[
            (
                "2025-04-03 09:30",
                "남원시공동체지원센터",
                "[공지] 2025 마을공동체 씨앗모임 공모 설명회\n일시: 4월 10일(목) 오후 2시~4시\n"
                "장소: 남원시청 대회의실\n\n공모 대상: 주민 3인 이상 모임\n"
                "신청: https://forms.gle/NamwonSeed2025\n문의: 063-620-1234",
            ),
            ("2025-04-03 09:45", "김보람 코디", "@회원 네 가능합니다. 면 지역 마을도 모두 대상이에요"),
            (
                "2025-04-05 00:15",
                "김보람 코디",
                "늦은 시간 죄송합니다. 내일 운영위원회는 예정대로 오전 10시에 센터 2층에서 합니다.",
            ),
            (
                "2025-04-05 12:40",
                "김보람 코디",
                "씨앗모임 설명회 자료집 올려두었습니다. 참석 못 하시는 분들은 꼭 확인해주세요",
            ),
            (
                "2025-04-05 13:05",
                "남원시공동체지원센터",
                "📢 요천 생태 플로깅 함께해요\n4월 12일(토) 오전 10시, 요천 승사교 아래 집결\n"
                "장갑과 집게는 센터에서 준비합니다.\n\n우천 시 19일로 연기됩니다.",
            ),
        ],
        absent=["송동면", "세전마을", "대청소", "이정훈", "박서연", "최은비", "나갔습니다"],
    ),
    Expected(
        "windows_en.txt",
        ["청년모임 운영진"],
        "windows_en",
        messages=7,
        non_staff=2,
        chatter=2,
        posts=[
            (
                "2025-05-16 19:02",
                "청년모임 운영진",
                "[모집] 5월 청년 원탁회의 '남원에서 살아보기'\nDate: May 24 (Sat) 3 PM\n"
                "Place: 청년마루 2층 다목적실\n신청: https://forms.gle/YouthRound0524",
            ),
            (
                "2025-05-17 10:05",
                "청년모임 운영진",
                "청년마루 뒤편 공영주차장 이용하시면 됩니다 (2시간 무료)",
            ),
            (
                "2025-05-17 12:30",
                "청년모임 운영진",
                "원탁회의 사전 설문도 부탁드려요 🙏\nhttps://naver.me/YouthSurvey0524",
            ),
        ],
        absent=["친구도 데려가도", "주차 가능한가요", "최하늘", "정우진", "left this chatroom"],
    ),
    Expected(
        "windows_ko_2015_cp949.txt",
        ["교육공동체 사무국"],
        "windows_ko",
        messages=5,
        non_staff=2,
        chatter=1,
        posts=[
            (
                "2015-08-01 14:37",
                "교육공동체 사무국",
                "8월 학부모 책모임 안내드립니다.\n일시: 8월 8일(토) 오전 10시 30분\n"
                "장소: 남원시립도서관 3층 세미나실\n책: 『아이들은 놀이가 밥이다』",
            ),
            ("2015-08-02 11:03", "교육공동체 사무국", "책모임 장소가 변경되었습니다 → 남원향교 명륜당"),
        ],
        absent=["막내도", "김은정"],
    ),
    Expected(
        "android_ko.txt",
        ["문화도시사무국", "서해린 코디네이터"],
        "android_ko",
        messages=9,
        non_staff=2,
        chatter=4,
        posts=[
            (
                "2025-09-22 09:02",
                "문화도시사무국",
                "[공지] 2025 남원 문화도시 시민기획단 2차 워크숍\n일시: 9월 27일(토) 오후 1시~5시\n"
                "장소: 남원예촌 공연장\n\n준비물: 개인 텀블러\n참가 신청: https://forms.gle/NamwonCulture0927",
            ),
            # The sender ends at the first " : "; later ones belong to the text.
            (
                "2025-09-22 09:11",
                "문화도시사무국",
                "메모: 점심은 제공되지 않습니다 : 근처 식당 이용 부탁드려요",
            ),
            (
                "2025-09-24 15:45",
                "서해린 코디네이터",
                "[변경] 워크숍 장소가 광한루원 완월정으로 바뀌었습니다.\n@회원 님 확인 부탁드려요.",
            ),
        ],
        absent=["작년 워크숍 사진", "꼭 가고 싶네요", "양세영", "박지호"],
    ),
    Expected(
        "android_en.txt",
        ["남원청년센터"],
        "android_en",
        messages=7,
        non_staff=2,
        chatter=2,
        posts=[
            (
                "2026-03-10 10:03",
                "남원청년센터",
                "[안내] 로컬크리에이터 창업 교실 3기 모집\n기간: 3월 10일 ~ 3월 21일\n"
                "교육: 4월 매주 수요일 오후 7시, 청년마루\n신청: https://forms.gle/LocalCreator3",
            ),
            ("2026-03-11 00:20", "남원청년센터", "3기 설명회 영상은 유튜브 '남원청년TV'에 올려두었습니다"),
            ("2026-03-11 12:20", "남원청년센터", "점심시간 상담 가능합니다. 청년마루 1층으로 오세요"),
        ],
        absent=["후기 공유해도", "오민준", "강다은"],
    ),
    Expected(
        "android_en_2015.txt",
        ["마을기자단 간사"],
        "android_en_old",
        messages=4,
        non_staff=1,
        chatter=1,
        posts=[
            (
                "2015-07-09 20:34",
                "마을기자단 간사",
                # An e-mail address is not a mention.
                "7월 마을신문 원고 마감 안내\n마감: 7월 20일(월) 자정\n보낼 곳: village@namwon-news.kr",
            ),
            ("2015-07-10 00:05", "마을기자단 간사", "취재 사진은 원본 크기로 부탁드립니다"),
        ],
        absent=["사진도 같이 보낼게요", "회원님", "김민지"],
    ),
    Expected(
        "ios_ko_12h.txt",
        ["교육공동체 사무국"],
        "ios_ko",
        messages=6,
        non_staff=2,
        chatter=2,
        posts=[
            (
                "2026-02-01 20:35",
                "교육공동체 사무국",
                "[공지] 2026 마을방과후 '놀이가 배움' 강사 모집\n모집 분야: 전래놀이, 목공, 생태\n"
                "활동 장소: 도통동·향교동 마을학교\n접수: 2월 14일(토)까지 이메일 접수\n\n"
                "자세한 내용은 첨부 공고문 참고 바랍니다.",
            ),
            (
                "2026-02-03 00:05",
                "교육공동체 사무국",
                "늦은 공지 죄송합니다. 2월 운영위원회는 5일(목) 저녁 7시 남원교육지원청 대회의실입니다.",
            ),
        ],
        absent=["경력이 짧아도", "문서현", "이윤아", "Talk_2026"],
    ),
    Expected(
        "ios_ko_24h.txt",
        ["인월마을 사무장"],
        "ios_ko",
        messages=5,
        non_staff=2,
        chatter=1,
        posts=[
            (
                "2023-03-19 16:52",
                "인월마을 사무장",
                "3월 마을총회 안내\n일시: 3월 25일(토) 14:00\n장소: 인월면 행정복지센터 2층\n"
                "안건: 달오름마을 축제 예산, 마을버스 시간 조정",
            ),
            ("2023-03-20 00:10", "인월마을 사무장", "총회 자료는 마을회관 게시판에도 붙여두었습니다"),
        ],
        absent=["병원 가기 힘듭니다", "노영길"],
    ),
    Expected(
        "ios_en_2015.txt",
        ["청년농부 간사"],
        "ios_en",
        messages=4,
        non_staff=1,
        chatter=1,
        posts=[
            (
                "2015-07-09 20:34",
                "청년농부 간사",
                "[Notice] 7월 청년농부 파머스마켓\nWhen: Jul 18 (Sat) 10 AM - 2 PM\nWhere: 광한루원 앞 광장\n"
                "신청: 간사에게 문자",
            ),
            ("2015-07-10 00:01", "청년농부 간사", "참가비는 없습니다. 부스 자리는 선착순 12팀입니다."),
        ],
        absent=["블루베리", "송가람", "임채원"],
    ),
    Expected(
        "ios_en_at.txt",
        ["문화도시사무국"],
        "ios_en",
        messages=4,
        non_staff=1,
        chatter=1,
        posts=[
            (
                "2026-02-01 20:35",
                "문화도시사무국",
                "[모집] 남원 문화도시 '춘향제 자원활동가' 사전 교육\nDate: 2/21 (Sat) 10:00-12:00\n"
                "Place: 남원시립김병종미술관 교육실\nApply: https://forms.gle/ChunhyangVolunteer",
            ),
            ("2026-02-02 09:05", "문화도시사무국", "교육 당일 주차는 미술관 주차장을 이용해주세요."),
        ],
        absent=["친구랑 같이", "윤소희"],
    ),
    Expected(
        "pc_export.csv",
        ["남원시공동체지원센터", "김보람 코디"],
        "csv",
        messages=8,
        non_staff=2,
        chatter=2,
        posts=[
            (
                "2025-05-30 09:00:12",
                "남원시공동체지원센터",
                "[공지] 6월 마을공동체 네트워크 파티\n일시: 6월 7일(토) 오후 5시\n"
                '장소: 요천 둔치 야외무대, 우천 시 남원시청 대회의실\n\n"함께 차린 밥상" 음식 나눔이 있습니다.\n'
                "신청: https://forms.gle/NamwonParty0607",
            ),
            (
                "2025-05-30 14:20:31",
                "김보람 코디",
                "네트워크 파티 자원봉사자가 4명 더 필요합니다.\n@회원 님 마을에서도 도와주실 수 있을까요?",
            ),
            (
                "2025-05-30 14:25:10",
                "남원시공동체지원센터",
                "파티 당일 주차는 남원시청 주차장을 이용해주세요",
            ),
            (
                "2025-05-30 14:25:40",
                "남원시공동체지원센터",
                "파티 당일 주차는 남원시청 주차장을 이용해주세요",
            ),
        ],
        absent=["식혜", "이하은", "초대했습니다"],
    ),
]


def _local(text: str) -> datetime:
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(text, fmt).replace(tzinfo=SEOUL)


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_fixture_yields_exactly_the_staff_posts(case: Expected) -> None:
    result = parse_fixture(case.file, staff=case.staff)

    assert result.format == case.format
    assert [(post.posted_at, post.author_name, post.body) for post in result.posts] == [
        (_local(when), author, body) for when, author, body in case.posts
    ]
    assert (result.messages_read, result.kept, result.skipped_non_staff, result.skipped_chatter) == (
        case.messages,
        len(case.posts),
        case.non_staff,
        case.chatter,
    )
    assert result.messages_read == result.kept + result.skipped_non_staff + result.skipped_chatter
    assert result.unreadable == ()


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_member_text_never_leaves_the_parser(case: Expected) -> None:
    dumped = everything_in(parse_fixture(case.file, staff=case.staff))

    for fragment in case.absent:
        assert fragment not in dumped


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_posts_carry_kakao_metadata(case: Expected) -> None:
    result = parse_fixture(case.file, staff=case.staff, room="남원 단톡방")
    precision = DatePrecision.SECOND if case.format == "csv" else DatePrecision.MINUTE

    for post in result.posts:
        assert post.source_kind is SourceKind.KAKAO
        assert post.author_is_staff is True
        assert post.posted_at.utcoffset() is not None
        assert post.posted_at_precision is precision
        assert dict(post.payload) == {
            "room": "남원 단톡방",
            "format": case.format,
            "line": post.payload["line"],
        }
        assert isinstance(post.payload["line"], int)
    assert len({post.external_id for post in result.posts}) == len(result.posts)


def test_windows_post_line_numbers_point_at_the_message_line() -> None:
    result = parse_fixture("windows_ko.txt", staff=["남원시공동체지원센터"])

    assert [post.payload["line"] for post in result.posts] == [7, 25]


def test_no_staff_means_no_posts() -> None:
    result = parse_fixture("android_ko.txt", staff=[])

    assert result.posts == ()
    assert result.skipped_non_staff == result.messages_read == 9


def test_placeholders_and_system_lines_are_never_glued_onto_announcements() -> None:
    bodies = "\n".join(
        post.body for case in CASES for post in parse_fixture(case.file, staff=case.staff).posts
    )

    for placeholder in (
        "이모티콘",
        "사진 3장",
        "<사진 읽지 않음>",
        "<동영상 읽지 않음>",
        "파일:",
        "Photo\n",
        "Emoticon",
    ):
        assert placeholder not in bodies
    for system in (
        "들어왔습니다",
        "나갔습니다",
        "초대",
        "삭제된 메시지",
        "메시지가 삭제",
        "invited",
        "left this",
    ):
        assert system not in bodies
