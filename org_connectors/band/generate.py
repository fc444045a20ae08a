"""Deterministic, realistic BAND posts in bulk, for big simulated syncs (e.g. 250 posts per band).

Texts vary Namwon-flavoured announcement templates (dates, places, fees, hashtags, mentions, photos);
the same `seed` and band always give the same posts, so a test can know exactly what should arrive.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

PLACES = (
    "남원시청 2층 회의실",
    "춘향문화예술회관 소공연장",
    "광한루원 앞 광장",
    "남원예촌 마당",
    "요천 둔치 생태공원",
    "남원시 공동체지원센터 1층 공유공간",
    "운봉 마을회관",
    "인월 지리산 둘레길 안내센터",
    "남원시립김병종미술관 세미나실",
    "동충동 청년공간 '모락'",
)
TOPICS = (
    ("마을 공동체 활동가 교육", "교육"),
    ("주민자치 원탁회의", "원탁회의"),
    ("청년 창업 네트워킹 모임", "청년"),
    ("어린이 생태 놀이 학교", "교육"),
    ("전통시장 살리기 아이디어 회의", "마을"),
    ("플로깅 봉사활동", "봉사"),
    ("문화도시 시민 기획단 워크숍", "문화도시"),
    ("작은도서관 그림책 읽기 모임", "독서"),
    ("지리산 둘레길 함께 걷기", "걷기"),
    ("마을 부엌 반찬 나눔", "나눔"),
    ("학부모 교육 공동체 간담회", "교육공동체"),
    ("시민 제안 공모전 설명회", "시민제안"),
)
TEMPLATES = (
    "[{topic} 안내]\n일시: {month}월 {day}일({weekday}) {ampm} {hour}시\n장소: {place}\n"
    "참가비: {fee}\n많은 참여 부탁드립니다.",
    "안녕하세요, {org}입니다.\n"
    "{month}월 {day}일({weekday}) {ampm} {hour}시에 {place}에서 {topic}을(를) 엽니다.\n"
    "신청은 댓글로 남겨 주세요. (선착순 {seats}명)",
    "📢 {topic} 참가자 모집\n- 모집 기간: {month}월 {day}일까지\n- 대상: 남원 시민 누구나\n- 장소: {place}\n"
    "- 문의: 사무국 063-63{n4}",
    "[공지] {month}월 {day}일 {topic} 일정이 {place}(으)로 변경되었습니다.\n"
    "시간은 {ampm} {hour}시 그대로입니다.",
    "{topic} 결과 공유드립니다.\n{count}명이 함께해 주셨고, 다음 모임은 {month}월 {day}일({weekday})입니다.\n"
    "함께해 주신 모든 분께 감사드립니다 🙏",
    "[{org}] {month}월 운영위원회 회의록을 올립니다.\n1. {topic} 준비 상황 점검\n2. 예산 집행 현황 "
    "(집행률 {pct}%)\n3. 기타 안건\n다음 회의: {month}월 {day}일 {ampm} {hour}시, {place}",
)
WEEKDAYS = "월화수목금토일"
STAFF = (
    {"name": "김센터장", "role": "leader", "description": "센터장", "user_key": "AABgenLeader0000000001"},
    {"name": "이사무국장", "role": "coleader", "description": "사무국", "user_key": "AABgenCoLeader00000001"},
    {"name": "박매니저", "role": "coleader", "description": "", "user_key": "AABgenCoLeader00000002"},
)
MEMBERS = (
    {"name": "최회원", "role": "member", "description": "", "user_key": "AACgenMember0000000001"},
    {"name": "정주민", "role": "member", "description": "", "user_key": "AACgenMember0000000002"},
)
REFER_TARGETS = (("AACgenMember0000000003", "한총무"), ("AACgenMember0000000004", "오간사"))


def post_key_for(band_key: str, index: int, seed: int = 0) -> str:
    digest = hashlib.sha1(f"{seed}:{band_key}:{index}".encode(), usedforsecurity=False).hexdigest()
    return "AAD" + digest[:21]


def generate_posts(
    band_key: str,
    count: int,
    *,
    seed: int = 0,
    organisation: str = "남원시 공동체지원센터",
    start: datetime = datetime(2025, 3, 3, 0, 0, tzinfo=UTC),
    step: timedelta = timedelta(hours=9),
    member_share: float = 0.1,
) -> list[dict[str, Any]]:
    """`count` API-shaped post items, oldest first (add them in order; the last ends up on top)."""
    rng = random.Random(f"{seed}:{band_key}")
    items: list[dict[str, Any]] = []
    for index in range(count):
        created = start + step * index
        event_day = created + timedelta(days=rng.randint(3, 30))
        topic, hashtag = rng.choice(TOPICS)
        hour = rng.choice((10, 14, 16, 19))
        text = rng.choice(TEMPLATES).format(
            topic=topic,
            org=organisation,
            month=event_day.month,
            day=event_day.day,
            weekday=WEEKDAYS[event_day.weekday()],
            ampm="오전" if hour < 12 else "오후",
            hour=hour if hour <= 12 else hour - 12,
            place=rng.choice(PLACES),
            fee=rng.choice(("무료", "5,000원", "10,000원 (재료비 포함)")),
            seats=rng.choice((15, 20, 30)),
            n4=f"{rng.randint(0, 9999):04d}",
            count=rng.randint(8, 60),
            pct=rng.randint(20, 95),
        )
        if rng.random() < 0.3:
            user_key, name = rng.choice(REFER_TARGETS)
            text += f'\n담당: <band:refer user_key="{user_key}">{name}</band:refer> 님'
        photos: list[dict[str, Any]] = []
        if rng.random() < 0.35:
            for n in range(rng.randint(1, 2)):
                media_id = str(3000 + index * 10 + n)
                text += f'\n<band:attachment type="photo" id="{media_id}" />'
                photos.append(
                    {
                        "width": 1280,
                        "height": 960,
                        "photo_key": f"AAP{post_key_for(band_key, index, seed)[3:]}{n}",
                        "photo_album_key": None,
                        "url": f"https://coresos-phinf.pstatic.net/a/sim/{band_key}/{index}_{n}.jpg",
                        "comment_count": 0,
                        "emotion_count": rng.randint(0, 5),
                        "created_at": int(created.timestamp() * 1000),
                        "is_video_thumbnail": False,
                    }
                )
        text += f"\n<band:hashtag>#{hashtag}</band:hashtag> <band:hashtag>#남원</band:hashtag>"
        author = dict(rng.choice(MEMBERS) if rng.random() < member_share else rng.choice(STAFF))
        author.setdefault("profile_image_url", "")
        items.append(
            {
                "post_key": post_key_for(band_key, index, seed),
                "band_key": band_key,
                "content": text,
                "author": author,
                "created_at": int(created.timestamp() * 1000),
                "comment_count": rng.randint(0, 12),
                "emotion_count": rng.randint(0, 40),
                "photos": photos,
            }
        )
    return items
