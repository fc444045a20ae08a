"""A short way through for anonymous queries that were answered cleanly before.

Under load, a glance page spends about a fifth of its time in strawberry's per-request machinery around
execution: four extension phases, each with a context manager per extension, the execution context, the
result handling. For an anonymous query whose text has already passed every check, none of that can
decide anything new. This lane keeps, per query text, the parsed document once it has passed the same
checks the `PublicLimits` extension makes (tokens, depth, aliases, directives, introspection in
production) and validation; each request then only estimates its nodes with its variables and runs the
planned executor.

It answers only clean successes. Anything else — a document it has not admitted, more nodes than allowed,
an error or a null where the schema forbids it, a rate-limit refusal — goes the usual way, which makes
the error answer and charges the client; the lane charges only what it answers. A query that fails
after the lane ran it is run again the usual way: failures are rare and cheap (a bad argument fails
before any read), and the usual way stays the one place where errors are shaped and logged.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
)
from graphql.execution import execute
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import validate_document

from hub.limits.analysis import cached_estimate_nodes, cached_shape, cached_token_count
from hub.limits.policy import ANONYMOUS, points_for
from schema.extensions.limits import shape_refusal

MAX_DOCUMENTS: Final = 512  # bounded like the parser and validation caches
# Admitted requests: "answered" here, or "declined" after all (too costly, or an error) and handed on.
lane_runs: Counter[str] = Counter()


@dataclass(frozen=True, slots=True)
class LaneAnswer:
    body: dict[str, Any]
    points: int  # what to charge the client


class PlannedLane:
    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.graphql_schema = schema._schema
        self._documents: OrderedDict[tuple[str, str | None], DocumentNode | None] = OrderedDict()
        self._rules = tuple(specified_rules)  # what strawberry validates with (its ExecutionContext default)

    def admit(self, query: str, operation_name: str | None) -> DocumentNode | None:
        """The document, if this query text passes every check for an anonymous client (memoised).
        Introspection and the federation SDL never take the lane: whether they are allowed depends on
        the deployment, and the usual way decides."""
        key = (query, operation_name)
        if key in self._documents:
            self._documents.move_to_end(key)
            return self._documents[key]
        document = self._check(query, operation_name)
        self._documents[key] = document
        while len(self._documents) > MAX_DOCUMENTS:
            self._documents.popitem(last=False)
        return document

    def _check(self, query: str, operation_name: str | None) -> DocumentNode | None:
        limits = ANONYMOUS
        if cached_token_count(query) > limits.max_tokens:
            return None
        try:
            document = parse(query)
        except GraphQLError:
            return None
        shape = cached_shape(query, document)
        if shape_refusal(shape, limits) is not None or shape.introspection or shape.federation_sdl:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if validate_document(self.graphql_schema, document, self._rules):
            return None
        return document

    async def answer(
        self,
        document: DocumentNode,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
    ) -> LaneAnswer | None:
        nodes = cached_estimate_nodes(self.graphql_schema, query, document, variables, operation_name)
        if nodes > ANONYMOUS.max_nodes:
            lane_runs["declined"] += 1
            return None
        outcome = execute(
            self.graphql_schema,
            document,
            variable_values=variables,
            operation_name=operation_name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            executor_class=self.schema.execution_context_class,
            operation_extensions=None,  # what strawberry passes its execution context
        )
        result = outcome if isinstance(outcome, ExecutionResult) else await outcome
        if result.errors or result.data is None:
            lane_runs["declined"] += 1
            return None
        lane_runs["answered"] += 1
        points = points_for(nodes)
        cost = {"nodes": nodes, "points": points, "maxNodes": ANONYMOUS.max_nodes}
        return LaneAnswer({"data": result.data, "extensions": {"cost": cost}}, points)
