"""One extension for every per-request guard of the graph, by who is asking.

- parse: token count (before the parser cache parses anything);
- validate: depth, aliases and directives counted on the AST *before* validation (so ten unknown
  directives give one error, not ten), introspection and field suggestions refused to anonymous
  clients in production;
- execute: the GitHub-style node estimate with the request's variables, refused above the viewer's
  ceiling, then charged to the client's leaky bucket (`hub.limits.ratelimit`);
- every response: `extensions.cost` = `{nodes, points, maxNodes}`.

Anonymous and staff differ only in numbers (`hub.limits.policy`); the viewer comes from the context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, GraphQLSchema, ValidationRule
from strawberry.extensions import SchemaExtension

from hub.limits import errors
from hub.limits.analysis import cached_estimate_nodes, cached_shape, cached_token_count
from hub.limits.errors import Refusal
from hub.limits.policy import QueryLimits, limits_for, points_for
from hub.limits.ratelimit import STATE_KEY, RequestLimits

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def refusal_error(refusal: Refusal, **extensions: object) -> GraphQLError:
    return GraphQLError(refusal.message, extensions={"code": refusal.code, **extensions})


def is_authenticated(context: Any) -> bool:
    """Staff and API keys count as authenticated; a missing or anonymous viewer does not."""
    viewer = getattr(context, "viewer", None)
    return bool(getattr(viewer, "is_authenticated", False) or getattr(viewer, "is_staff", False))


def is_production(context: Any) -> bool:
    settings = getattr(context, "settings", None)
    return settings is not None and not getattr(settings, "is_dev", True)


def client_key(context: Any, limits: RequestLimits) -> str:
    viewer = getattr(context, "viewer", None)
    if is_authenticated(context):
        if getattr(viewer, "user_id", None) is not None:
            return f"user:{viewer.user_id}"  # type: ignore[union-attr]
        if getattr(viewer, "api_key_id", None) is not None:
            return f"key:{viewer.api_key_id}"  # type: ignore[union-attr]
    return f"ip:{limits.client_ip}"


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    error.message = _SUGGESTION.sub("", error.message)
    return error


def shape_refusal(shape: Any, limits: QueryLimits) -> Refusal | None:
    """Why a document's shape (`hub.limits.analysis.cached_shape`) is over the limits, if it is."""
    if shape.directives > limits.max_directives:
        return errors.too_many_directives(shape.directives, limits.max_directives)
    if shape.depth > limits.max_depth:
        return errors.too_deep(shape.depth, limits.max_depth)
    if shape.aliases > limits.max_aliases:
        return errors.too_many_aliases(shape.aliases, limits.max_aliases)
    return None


class AnonymousProductionMarker(ValidationRule):
    """Checks nothing; only makes anonymous production validations a separate validation-cache entry."""


class PublicLimits(SchemaExtension):
    """List it before ParserCache and ValidationCache: its checks must run before they do."""

    def __init__(self) -> None:
        self.nodes: int | None = None

    @property
    def _context(self) -> Any:
        return self.execution_context.context

    @property
    def _limits(self) -> QueryLimits:
        return limits_for(is_authenticated(self._context))

    def _request_limits(self) -> RequestLimits | None:
        request = getattr(self._context, "request", None)
        state = getattr(request, "scope", {}).get("state", {}) if request is not None else {}
        found = state.get(STATE_KEY)
        return found if isinstance(found, RequestLimits) else None

    def _anonymous_in_production(self) -> bool:
        return is_production(self._context) and not is_authenticated(self._context)

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query is not None and self.execution_context.graphql_document is None:
            limit = self._limits.max_tokens
            found = cached_token_count(query)
            if found > limit:
                raise refusal_error(errors.too_many_tokens(found, limit))
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            self._check_shape(cached_shape(context.query, context.graphql_document))
        hide_suggestions = self._anonymous_in_production()
        if hide_suggestions:
            # A rule set of their own: the validation cache keeps these results apart, so editing
            # the (cached, shared) error list below never reaches staff answers.
            context.validation_rules = (*context.validation_rules, AnonymousProductionMarker)
        yield
        found = context.pre_execution_errors
        if found and hide_suggestions:
            # In place: strawberry has already taken this list for its answer.
            found[:] = [_without_suggestion(error) for error in found]

    def _check_shape(self, shape: Any) -> None:
        refusal = shape_refusal(shape, self._limits)
        if refusal is not None:
            raise refusal_error(refusal)
        if self._anonymous_in_production():
            settings = getattr(self._context, "settings", None)
            federation_sdl = bool(getattr(settings, "federation_sdl", True))
            if shape.introspection or (shape.federation_sdl and not federation_sdl):
                raise refusal_error(errors.INTROSPECTION_DISABLED)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        graphql_schema: GraphQLSchema | None = getattr(context.schema, "_schema", None)
        if document is None or graphql_schema is None:
            yield
            return
        limits = self._limits
        self.nodes = cached_estimate_nodes(
            graphql_schema, context.query, document, context.variables, context.operation_name
        )
        refusal: GraphQLError | None = None
        if self.nodes > limits.max_nodes:
            refusal = refusal_error(errors.too_many_nodes(self.nodes, limits.max_nodes))
        else:
            request_limits = self._request_limits()
            if request_limits is not None:
                decision = request_limits.charge(
                    client_key(self._context, request_limits),
                    points_for(self.nodes),
                    authenticated=is_authenticated(self._context),
                )
                if not decision.allowed:
                    refusal = refusal_error(errors.RATE_LIMITED, retryAfter=decision.retry_after)
        if refusal is not None:
            context.result = GraphQLExecutionResult(data=None, errors=[refusal])
        yield

    def get_results(self) -> dict[str, Any]:
        request_limits = self._request_limits()
        if request_limits is not None and not request_limits.charged:
            # Refused before execution (syntax, limits, validation): still one point, so floods of
            # garbage drain the bucket too. Never refused here: the answer is an error already.
            request_limits.charge_quietly(
                client_key(self._context, request_limits), 1, authenticated=is_authenticated(self._context)
            )
        nodes = self.nodes or 0
        return {"cost": {"nodes": nodes, "points": points_for(nodes), "maxNodes": self._limits.max_nodes}}
