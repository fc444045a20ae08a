"""How errors leave the graph: readable codes for what a person can fix, masked internals for bugs."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.types import ExecutionContext

from hub.errors import HubError

logger = logging.getLogger("hub.graphql")

INTERNAL_MESSAGE = (
    "내부 오류가 발생했습니다. 요청 ID와 함께 문의하세요 / Internal error; quote the request id"
)


def _request_id(execution_context: ExecutionContext | None) -> str | None:
    context = execution_context.context if execution_context else None
    return getattr(context, "request_id", None)


def shape_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Give every error an `extensions.code`; replace unexpected resolver exceptions by a masked message."""
    request_id = _request_id(execution_context)
    for error in errors:
        original = error.original_error
        extensions = dict(error.extensions or {})
        if isinstance(original, HubError):
            extensions["code"] = original.code
        elif original is None or isinstance(original, GraphQLError):
            extensions.setdefault(
                "code", "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_REQUEST"
            )
        else:
            logger.error(
                "resolver failed at %s",
                ".".join(str(p) for p in error.path or ()),
                exc_info=(type(original), original, original.__traceback__),
                extra={"request_id": request_id},
            )
            error.message = INTERNAL_MESSAGE
            extensions["code"] = "INTERNAL_SERVER_ERROR"
        if request_id:
            extensions["requestId"] = request_id
        error.extensions = extensions
