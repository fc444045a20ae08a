"""Readable refusals: a stable `code` for programs, a Korean-then-English message for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    message: str

    def as_error(self, **extensions: object) -> dict[str, object]:
        """The GraphQL error object for an HTTP-level refusal (no execution happened)."""
        return {"message": self.message, "extensions": {"code": self.code, **extensions}}


def too_many_tokens(found: int, limit: int) -> Refusal:
    return Refusal(
        "QUERY_TOO_MANY_TOKENS",
        f"질의가 너무 깁니다 (토큰 {found}개 이상, 최대 {limit}개) / "
        f"query too long: more than {limit} tokens",
    )


def too_deep(found: int, limit: int) -> Refusal:
    return Refusal(
        "QUERY_TOO_DEEP",
        f"질의가 너무 깊습니다 (깊이 {found}, 최대 {limit}) / query depth {found} exceeds {limit}",
    )


def too_many_aliases(found: int, limit: int) -> Refusal:
    return Refusal(
        "QUERY_TOO_MANY_ALIASES",
        f"별칭이 너무 많습니다 ({found}개, 최대 {limit}개) / {found} aliases, at most {limit}",
    )


def too_many_directives(found: int, limit: int) -> Refusal:
    return Refusal(
        "QUERY_TOO_MANY_DIRECTIVES",
        f"지시어가 너무 많습니다 ({found}개, 최대 {limit}개) / {found} directives, at most {limit}",
    )


def too_many_nodes(found: int, limit: int) -> Refusal:
    return Refusal(
        "QUERY_TOO_COSTLY",
        f"한 번에 요청한 항목이 너무 많습니다 (추정 {found}개, 최대 {limit}개). first 값을 줄이세요 / "
        f"query may return {found} nodes, at most {limit}: lower `first`",
    )


INTROSPECTION_DISABLED = Refusal(
    "INTROSPECTION_DISABLED",
    "공개 그래프에서는 스키마 조회(introspection)를 할 수 없습니다. "
    "스키마는 저장소의 schema/schema.graphql에 있습니다 / "
    "introspection is disabled for anonymous clients; the schema is published as schema/schema.graphql",
)

RATE_LIMITED = Refusal(
    "RATE_LIMITED",
    "요청이 너무 많습니다. Retry-After 초 뒤에 다시 시도하세요 / "
    "too many requests: retry after Retry-After seconds",
)

BODY_TOO_LARGE = Refusal(
    "REQUEST_TOO_LARGE", "요청 본문이 너무 큽니다 (최대 64 KiB) / request body too large: at most 64 KiB"
)

UPLOAD_TOO_LARGE = Refusal(
    "REQUEST_TOO_LARGE", "올린 파일이 너무 큽니다 (최대 20 MB) / upload too large: at most 20 MB per file"
)

UPLOAD_NEEDS_STAFF = Refusal(
    "UNAUTHENTICATED",
    "파일 올리기(multipart)는 로그인한 담당자만 할 수 있습니다. Authorization: Bearer 토큰을 보내세요 / "
    "multipart uploads need a valid staff token or API key in `Authorization: Bearer …`",
)

BATCHING_DISABLED = Refusal(
    "BATCHING_DISABLED",
    "여러 질의를 한 요청에 묶을 수 없습니다. 하나씩 보내세요 / "
    "batched requests (a JSON array) are not accepted: send one operation per request",
)

TIMEOUT = Refusal(
    "TIMEOUT",
    "응답 시간(5초)을 넘겼습니다. 조건을 좁혀 다시 시도하세요 / the request took longer than 5 seconds: "
    "narrow it and retry",
)

UNKNOWN_DOCUMENT = Refusal(
    "PERSISTED_QUERY_NOT_FOUND",
    "등록되지 않은 문서 ID입니다 / unknown documentId: only the hub's trusted documents are served by id",
)

BAD_VARIABLES = Refusal(
    "BAD_REQUEST",
    "variables는 JSON 객체여야 합니다 / `variables` must be a JSON object",
)
