"""KakaoTalk: chat-export import (단톡방 내보내기) and the Kakao Talk Channel chatbot skill.

Kakao has no API to read group chats or channel posts (reference §2, §3). Staff either export the
organisation's room and import the file (`export`), or send announcements to the channel chatbot, whose
skill calls the hub (`skill`).
"""

from org_connectors.kakao.errors import MAX_EXPORT_BYTES, ExportTooLarge, UnknownExportFormat
from org_connectors.kakao.export import ExportParseResult, export_external_id, parse_export
from org_connectors.kakao.skill import (
    BUILDER_TEST_SURFACE,
    SIMPLE_TEXT_LIMIT,
    InvalidSkillResponse,
    SkillPayload,
    SkillRequest,
    is_builder_test,
    parse_skill_request,
    pseudonymous_user_key,
    simple_text_response,
    skill_external_id,
    skill_request_to_raw_post,
    validate_skill_response,
)

__all__ = [
    "BUILDER_TEST_SURFACE",
    "MAX_EXPORT_BYTES",
    "SIMPLE_TEXT_LIMIT",
    "ExportParseResult",
    "ExportTooLarge",
    "InvalidSkillResponse",
    "SkillPayload",
    "SkillRequest",
    "UnknownExportFormat",
    "export_external_id",
    "is_builder_test",
    "parse_export",
    "parse_skill_request",
    "pseudonymous_user_key",
    "simple_text_response",
    "skill_external_id",
    "skill_request_to_raw_post",
    "validate_skill_response",
]
