"""What a message body is: system text, a media placeholder, staff chatter, or real text (reference §2.3)."""

from __future__ import annotations

import re

# Full templates only: a body line that merely ends in "…들어왔습니다." must stay a body line.
_SYSTEM = re.compile(
    "|".join(
        (
            r"^.+님이 들어왔습니다\.?$",
            r"^.+님이 나갔습니다\.?$",
            r"^.+님이 .+님을 초대(?:했|하였)습니다\.?$",
            r"^.+님을 내보냈습니다\.?$",
            r"^.+님이 (?:부방장|방장)이 되었습니다\.?$",
            r"^(?:채팅방 )?관리자만 말하기 기능이 (?:활성화|해제)되었습니다\.?$",
            r"^(?:삭제된 메시지입니다|메시지가 삭제되었습니다|(?:채팅방 )?관리자가 메시지를 가렸습니다)\.?$",
            r"^샵검색: ?#.*$",
            r"^운영정책을 위반한 메시지로 신고 접수 시 카카오톡 이용에 제한이 있을 수 있습니다\.?$",
            r"^\S.* invited \S.*\.$",
            r"^\S.* (?:left|joined) (?:this|the) chat ?room\.$",
            r"^\S.* (?:removed|kicked) \S.* from (?:this|the) chat ?room\.$",
        )
    )
)

_PLACEHOLDER = re.compile(
    "|".join(
        (
            r"^(?:사진|동영상|이모티콘|음성메시지)$",
            r"^(?:Photo|Photos|Video|Emoticon|Sticker|Voice Note|Voice Message)$",
            r"^(?:사진|동영상) \d+(?:장|개)$",
            r"^\d+ (?:[Pp]hotos|[Vv]ideos)$",
            r"^<[^<>\n]{1,20} 읽지 않음>$",
            r"^<[^<>\n]{1,30} not opened>$",
            r"^(?:파일|File): .+$",
            r"^(?:삭제된 메시지입니다|메시지가 삭제되었습니다|(?:채팅방 )?관리자가 메시지를 가렸습니다)\.?$",
            r"^(?:This message (?:was|has been) deleted|Deleted message)\.?$",
            r"^샵검색: ?#.*$",
            # A bare link (often a shared video) says nothing on its own.
            r"^https?://\S+$",
        )
    )
)

# Words that make up acknowledgements and thanks; a staff message made only of these is chatter.
_CHATTER_WORD = re.compile(
    r"^(?:"
    r"넵+|네+|넹|넴|예|옙|응|웅|넵넵|네네|예예|오케이|오키|"
    r"확인(?:했습니다|했어요|했습니당|합니다|요|완료|이요)?|"
    r"감사(?:합니다|해요|드립니다|드려요|합니당|해용)?|고맙(?:습니다|습니당|아요|네요)|고마워요|"
    r"수고(?:하셨습니다|하셨어요|많으셨습니다|많으셨어요|하세요|하십니다|했어요)?|"
    r"고생(?:하셨습니다|하셨어요|많으셨습니다|많으셨어요|하세요)?|많으셨습니다|많으셨어요|"
    r"좋아요|좋습니다|좋네요|좋아용|알겠습니다|알겠어요|알겠습니당|알았어요|"
    r"반갑습니다|반가워요|환영합니다|환영해요|축하(?:합니다|드립니다|해요)|화이팅|파이팅|"
    r"최고(?:예요|에요|입니다)?|멋져요|멋집니다|대박|우와|와|오|아|앗|헉|"
    r"모두|다들|모두들|정말|너무|진짜|항상|오늘도|많이|늘|"
    r"ok|okay|thanks|thank|you|thx|great|nice|good|cool|yes|sure"
    r")$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[0-9A-Za-z\uac00-\ud7a3]+")
_CHATTER_MAX_LENGTH = 40

# `@name` but not e-mail addresses or URL paths (a letter, dot or slash right before `@`).
_MENTION = re.compile(r"(?<![\w.@/])@[^\s@,.!?;:()\[\]<>\"'“”‘’]+")
MEMBER_MENTION = "@회원"


def is_system_text(text: str) -> bool:
    """A join/leave/invite/kick/deleted/hidden/admin-mode notice, not someone's words."""
    return bool(_SYSTEM.match(text.strip()))


def is_placeholder(text: str) -> bool:
    """Media (`사진 3장`, `<사진 읽지 않음>`, `파일: …`), deleted messages, or a bare link."""
    return bool(_PLACEHOLDER.match(text.strip()))


def is_chatter(text: str) -> bool:
    """Short reactions and thanks ("넵 확인했습니다!", "👍", "ㅎㅎ") that announce nothing.

    Deliberately narrow: a short message with any other word ("오늘 모임 취소합니다") is kept, because
    dropping a real announcement is worse than keeping a pleasantry.
    """
    stripped = text.strip()
    if "\n" in stripped or len(stripped) > _CHATTER_MAX_LENGTH:
        return False
    words = _WORD.findall(stripped)
    if any(character.isdigit() for word in words for character in word):
        return False
    return all(_CHATTER_WORD.match(word) for word in words)


def mask_mentions(text: str) -> str:
    """Member mentions become `@회원` so members' names never leave the export."""
    return _MENTION.sub(MEMBER_MENTION, text)
