"""Format detection, encodings, damaged and foreign files, and the size cap."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from org_connectors.base import ConnectorError, UnreadableInput
from org_connectors.kakao import MAX_EXPORT_BYTES, ExportTooLarge, UnknownExportFormat, parse_export
from tests.connectors.kakao.support import everything_in, fixture_bytes, parse_fixture

SEOUL = ZoneInfo("Asia/Seoul")
CENTER = "남원시공동체지원센터"


def _parse(text: str, staff: list[str], encoding: str = "utf-8") -> list[tuple[datetime, str]]:
    result = parse_export(text.encode(encoding), room="방", staff=staff)
    return [(post.posted_at, post.body) for post in result.posts]


def _format(text: str) -> str:
    return parse_export(text.encode(), room="방", staff=[]).format


# --- detection -----------------------------------------------------------------------------------------


def test_headerless_android_lines_are_recognised_by_their_grammar() -> None:
    text = (
        "2025년 3월 4일 오후 3:21, 남원시공동체지원센터 : [공지] 3월 마을회의\n"
        "장소: 동충동 행정복지센터\n"
        "2025년 3월 4일 오후 3:25, 박민지 : 참석합니다\n"
    )

    assert _format(text) == "android_ko"
    assert _parse(text, [CENTER]) == [
        (datetime(2025, 3, 4, 15, 21, tzinfo=SEOUL), "[공지] 3월 마을회의\n장소: 동충동 행정복지센터")
    ]


def test_ios_separator_that_android_also_reads_does_not_decide_the_format() -> None:
    # "2026년 2월 1일 일요일" fits both the Android and the iOS separator; the message lines decide.
    text = "2026년 2월 1일 일요일\n2026. 2. 1. 오후 8:35, 교육공동체 사무국 : 2월 학부모 배움터 안내\n"

    assert _format(text) == "ios_ko"


def test_old_windows_export_with_english_header_but_korean_lines_reads_as_korean() -> None:
    assert parse_fixture("windows_ko_2015_cp949.txt", staff=[]).format == "windows_ko"


def test_misleading_header_loses_to_the_grammar_that_reads_the_most_lines() -> None:
    text = (
        "저장한 날짜 : 2025년 3월 5일 오전 9:12\n"  # says Android
        "2025. 3. 4. 15:21, 남원시공동체지원센터 : 3월 정기 플로깅 안내\n"
        "2025. 3. 4. 15:25, 남원시공동체지원센터 : 장갑은 센터에서 준비합니다\n"
    )

    assert _format(text) == "ios_ko"
    assert len(_parse(text, [CENTER])) == 2


def test_may_only_english_dates_are_read_by_either_english_grammar_with_the_same_result() -> None:
    # "May" is both the full and the short month name, so iOS and Android English tie on these lines.
    text = (
        "Date Saved : May 20, 2025, 9:00 PM\n\n"
        "May 16, 2025, 7:02 PM, 청년모임 운영진 : 5월 청년 원탁회의 안내\n"
        "May 16, 2025, 7:15 PM, 최하늘 : 저 참석할게요!\n"
    )

    assert _format(text) in {"ios_en", "android_en"}
    assert _parse(text, ["청년모임 운영진"]) == [
        (datetime(2025, 5, 16, 19, 2, tzinfo=SEOUL), "5월 청년 원탁회의 안내")
    ]


def test_full_month_names_make_it_android_english() -> None:
    text = (
        "Date Saved : May 20, 2025, 9:00 PM\n\n"
        "May 16, 2025, 7:02 PM, 청년모임 운영진 : 5월 청년 원탁회의 안내\n"
        "June 2, 2025, 10:00 AM, 청년모임 운영진 : 6월 원탁회의도 곧 열립니다\n"
    )

    assert _format(text) == "android_en"


def test_csv_without_header_is_detected_from_its_rows() -> None:
    text = '2025-05-30 09:00:12,남원시공동체지원센터,"6월 네트워크 파티\n장소: 요천 둔치"\n'

    assert _format(text) == "csv"
    assert _parse(text, [CENTER]) == [
        (datetime(2025, 5, 30, 9, 0, 12, tzinfo=SEOUL), "6월 네트워크 파티\n장소: 요천 둔치")
    ]


def test_header_only_export_is_an_empty_room_not_an_error() -> None:
    result = parse_export(
        "남원 청년모임 님과 카카오톡 대화\n저장한 날짜 : 2025-04-07 21:15:03\n".encode(), room="방", staff=[]
    )

    assert (result.format, result.posts, result.messages_read) == ("windows_ko", (), 0)


# --- files that are not exports ---------------------------------------------------------------------------


def test_a_document_that_is_no_export_is_refused_quoting_its_first_line() -> None:
    with pytest.raises(UnknownExportFormat) as caught:
        parse_export(fixture_bytes("not_an_export.txt"), room="방", staff=[CENTER])

    message = str(caught.value)
    assert "카카오톡 대화 내보내기 형식이 아닙니다" in message
    assert "Not a known KakaoTalk export format" in message
    assert "«2025년 남원시 마을공동체 활성화 회의록»" in message
    assert caught.value.where == "line 1"
    assert isinstance(caught.value, UnreadableInput)


def test_binary_garbage_is_refused_with_a_printable_quote() -> None:
    with pytest.raises(UnknownExportFormat) as caught:
        parse_export(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, room="방", staff=[])

    assert "\x00" not in str(caught.value)
    assert "PNG" in str(caught.value)


def test_empty_file_is_refused() -> None:
    with pytest.raises(UnknownExportFormat, match="빈 파일"):
        parse_export(b"\n\n", room="방", staff=[])


def test_long_first_line_is_shortened_in_the_error() -> None:
    with pytest.raises(UnknownExportFormat) as caught:
        parse_export(("회의록 " * 100).encode(), room="방", staff=[])

    assert len(str(caught.value)) < 300


# --- encodings --------------------------------------------------------------------------------------------


def test_cp949_file_decodes() -> None:
    data = fixture_bytes("windows_ko_2015_cp949.txt")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    result = parse_export(data, room="방", staff=["교육공동체 사무국"])

    assert result.posts[0].body.endswith("책: 『아이들은 놀이가 밥이다』")


def test_bom_and_crlf_leave_no_trace_in_text() -> None:
    data = fixture_bytes("android_ko.txt")
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data

    result = parse_export(data, room="방", staff=["문화도시사무국"])

    assert result.format == "android_ko"
    assert all("\r" not in post.body and "\ufeff" not in post.body for post in result.posts)


def test_same_text_in_three_encodings_gives_the_same_posts() -> None:
    text = (
        "남원 청년모임 님과 카카오톡 대화\r\n저장한 날짜 : 2025-04-07 21:15:03\r\n\r\n"
        "--------------- 2025년 4월 5일 토요일 ---------------\r\n"
        "[청년모임 운영진] [오후 1:05] 청년마루 집들이\r\n일시: 4월 12일(토) 오후 5시\r\n"
    )
    plain = parse_export(text.encode(), room="방", staff=["청년모임 운영진"])
    with_bom = parse_export(b"\xef\xbb\xbf" + text.encode(), room="방", staff=["청년모임 운영진"])
    cp949 = parse_export(text.encode("cp949"), room="방", staff=["청년모임 운영진"])

    assert plain.posts == with_bom.posts == cp949.posts
    assert plain.posts[0].body == "청년마루 집들이\n일시: 4월 12일(토) 오후 5시"


def test_decomposed_hangul_matches_staff_names_written_composed() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "2025년 3월 4일 오후 3:21, 남원시공동체지원센터 : 마을회의 안내\n")

    assert _parse(text, [CENTER]) == [(datetime(2025, 3, 4, 15, 21, tzinfo=SEOUL), "마을회의 안내")]


# --- damaged lines -----------------------------------------------------------------------------------------


def test_corrupted_file_keeps_good_posts_and_reports_bad_lines_by_number() -> None:
    result = parse_fixture("corrupted.txt", staff=[CENTER])

    assert [post.body for post in result.posts] == [
        "[공지] 11월 마을활동가 역량강화 교육\n일시: 11월 5일(수) 오후 2시\n장소: 남원시공동체지원센터 교육장",
        "교육장 주차 공간이 좁으니 대중교통 이용을 부탁드립니다",
        "교육 신청은 11월 3일(월)까지 받습니다",
    ]
    assert [item.where for item in result.unreadable] == ["line 8", "line 11", "line 13", "line 14"]
    assert all("읽을 수 없습니다" in str(item) and "unreadable" in str(item) for item in result.unreadable)
    # A staff line keeps its raw text for the dead letter; the garbage and a member's line do not.
    assert [item.raw for item in result.unreadable] == [
        None,
        "2025년 2월 30일 오후 3:00, 남원시공동체지원센터 : 날짜가 깨진 센터 공지",
        None,
        None,
    ]


def test_lines_following_an_unreadable_message_are_not_glued_elsewhere() -> None:
    dumped = everything_in(parse_fixture("corrupted.txt", staff=[CENTER]))

    assert "이어진 줄" not in dumped
    assert "시각이 깨진 회원 메시지" not in dumped
    assert "정미경" not in dumped
    assert "노암동" not in dumped


def test_windows_message_before_any_date_line_is_unreadable() -> None:
    text = (
        "남원 청년모임 님과 카카오톡 대화\n"
        "[청년모임 운영진] [오후 1:05] 날짜를 모르는 공지\n"
        "--------------- 2025년 4월 5일 토요일 ---------------\n"
        "[청년모임 운영진] [오후 1:06] 청년마루 집들이 안내\n"
    )
    result = parse_export(text.encode(), room="방", staff=["청년모임 운영진"])

    assert [post.body for post in result.posts] == ["청년마루 집들이 안내"]
    assert [item.where for item in result.unreadable] == ["line 2"]


def test_windows_body_line_worded_like_a_join_notice_stays_in_the_message() -> None:
    text = (
        "--------------- 2025년 4월 5일 토요일 ---------------\n"
        "[남원시공동체지원센터] [오후 1:05] 반가운 소식입니다.\n"
        "노암동 김할머니님이 들어왔습니다.\n"
        "이제 노암동 마을학교에 어르신 강사가 함께합니다.\n"
        "이정훈님이 들어왔습니다.\n"
        "[남원시공동체지원센터] [오후 1:10] 이번 주 모임은 금요일입니다\n"
    )

    assert _parse(text, [CENTER]) == [
        (
            datetime(2025, 4, 5, 13, 5, tzinfo=SEOUL),
            "반가운 소식입니다.\n노암동 김할머니님이 들어왔습니다.\n이제 노암동 마을학교에 어르신 강사가 함께합니다.",
        ),
        (datetime(2025, 4, 5, 13, 10, tzinfo=SEOUL), "이번 주 모임은 금요일입니다"),
    ]


def test_text_before_the_first_message_is_reported_not_glued() -> None:
    text = "아무 말이나 적힌 줄\n2025년 3월 4일 오후 3:21, 남원시공동체지원센터 : 마을회의 안내\n"
    result = parse_export(text.encode(), room="방", staff=[CENTER])

    assert [post.body for post in result.posts] == ["마을회의 안내"]
    assert [(item.where, item.raw) for item in result.unreadable] == [("line 1", None)]


def test_csv_rows_with_bad_dates_or_missing_columns_are_reported_by_line() -> None:
    text = (
        "Date,User,Message\n"
        '2025-05-30 09:00:12,남원시공동체지원센터,"6월 네트워크 파티\n장소: 요천 둔치"\n'
        "2025-13-40 10:00:00,이하은,잘못된 날짜의 회원 글\n"
        "깨진 줄\n"
        "2025-05-30 10:05:00,남원시공동체지원센터,자원봉사자 모집합니다\n"
    )
    result = parse_export(text.encode(), room="방", staff=[CENTER])

    assert [post.body for post in result.posts] == [
        "6월 네트워크 파티\n장소: 요천 둔치",
        "자원봉사자 모집합니다",
    ]
    assert [(item.where, item.raw) for item in result.unreadable] == [("line 4", None), ("line 5", None)]
    assert [post.payload["line"] for post in result.posts] == [2, 6]


# --- size cap ---------------------------------------------------------------------------------------------


def test_files_over_20_mb_are_refused_before_reading() -> None:
    with pytest.raises(ExportTooLarge) as caught:
        parse_export(b"a" * (MAX_EXPORT_BYTES + 1), room="방", staff=[])

    assert isinstance(caught.value, ConnectorError)
    assert "20 MB" in str(caught.value) and "너무 큽니다" in str(caught.value)


def test_a_file_at_the_cap_is_read() -> None:
    line = "2025년 3월 4일 오후 3:21, 박민지 : 넵\n".encode()
    data = line * (MAX_EXPORT_BYTES // len(line))
    assert len(data) <= MAX_EXPORT_BYTES

    result = parse_export(data, room="방", staff=[CENTER])

    assert result.messages_read == result.skipped_non_staff == MAX_EXPORT_BYTES // len(line)
