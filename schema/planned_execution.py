"""A planned executor for read queries: graphql-core's per-field machinery, done once per document.

graphql-core spends ≈ 5 µs on every field of every object (resolve info, argument scan, awaitable
checks, completion dispatch); a glance page is ~700 fields, so that alone is several milliseconds. For a
query, the shape of the answer depends only on the document, so this executor works the shape out once
(fields collected and merged, fragments inlined, return types unwrapped, plain attributes recognised)
and then fills it in with a tight loop: plain attributes are read with `getattr` and serialised by their
scalar or enum type, and only fields with resolvers get a resolve info and a call.

It answers only when it gives exactly what graphql-core would. Anything else goes to graphql-core, the
whole operation run afresh (queries have no side effects):
- not a query, or the document uses directives, `@defer`/`@stream`, or abstract types (interfaces,
  unions: `node`, `_entities`) — decided once per document;
- a resolver below the root returns an awaitable (a DataLoader): graphql-core batches sibling loads,
  a sequential walk would not — decided on first sight, then the document always goes to graphql-core;
- a resolver raises, or a non-null field is null: graphql-core builds the error with its path.
Objects are not checked with `is_type_of`: resolvers here return the declared types.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.language import Visitor
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

MAX_PLANS: Final = 512  # bounded like the parser and validation caches
_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


class _NotPlannable(Exception):
    """The document needs graphql-core for good (abstract types, directives, defer)."""


class _Bail(Exception):
    """This run needs graphql-core; `permanent` when every later run of the document would too."""

    def __init__(self, permanent: bool = False) -> None:
        super().__init__()
        self.permanent = permanent


@dataclass(slots=True)
class _Leaf:
    serialize: Callable[[Any], Any]


@dataclass(slots=True)
class _List:
    item: _Shape
    item_non_null: bool


@dataclass(slots=True)
class _Object:
    type: GraphQLObjectType
    fields: list[_Field]


_Shape = _Leaf | _List | _Object


@dataclass(slots=True)
class _Field:
    key: str
    definition: GraphQLField
    details: list[FieldDetails]
    non_null: bool
    shape: _Shape
    attribute: str | None  # a plain strawberry attribute: read it, no resolver call
    typename: bool  # `__typename`
    has_arguments: bool
    # A strawberry resolver taking only `self` and `info`: called directly, skipping strawberry's argument
    # conversion chain (nothing to convert). `info_name` is its info parameter's name, if it has one.
    method: Callable[..., Any] | None = None
    info_name: str | None = None
    strawberry_field: Any = None
    # A plain attribute that is a scalar or enum: the hot case, serialised inline.
    serialize: Callable[[Any], Any] | None = None


@dataclass(slots=True)
class _Plan:
    operation: OperationDefinitionNode  # identity check: plans are keyed by id()
    root_type: GraphQLObjectType | None = None
    fields: list[_Field] = field(default_factory=list)
    disabled: bool = False


class _HasDirective(Visitor):
    found = False

    def enter_directive(self, *_: Any) -> None:
        self.found = True


_plans: OrderedDict[int, _Plan] = OrderedDict()
# How operations were answered: "planned", "fallback" (planned, then handed to graphql-core) and
# "graphql-core" (never planned). For tests and for anyone profiling a slow document.
runs: Counter[str] = Counter()


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the planned fast path for queries (see the module)."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self._plan() if self._eligible() else None
        if plan is None or plan.disabled:
            runs["graphql-core"] += 1
            return super().execute_operation(serially)
        return self._run(plan, serially)

    def _eligible(self) -> bool:
        return (
            self.operation.operation is OperationType.QUERY
            # Strawberry always passes a manager; it matters only when it holds middleware (extensions
            # with a `resolve` hook), which then has to wrap every field.
            and (self.middleware_manager is None or not self.middleware_manager.middlewares)
            and self.abort_signal is None
        )

    def _plan(self) -> _Plan | None:
        key = id(self.operation)
        plan = _plans.get(key)
        if plan is not None and plan.operation is self.operation:
            _plans.move_to_end(key)
            return plan
        plan = _Plan(self.operation)
        try:
            self._build(plan)
        except _NotPlannable:
            plan.disabled = True
        _plans[key] = plan
        while len(_plans) > MAX_PLANS:
            _plans.popitem(last=False)
        return plan

    # -- planning ---------------------------------------------------------------------------------

    def _build(self, plan: _Plan) -> None:
        finder = _HasDirective()
        visit(self.operation, finder)
        for fragment in self.fragment_definitions.values():
            visit(fragment, finder)
        if finder.found:
            raise _NotPlannable
        root_type = self.schema.get_root_type(OperationType.QUERY)
        if root_type is None:
            raise _NotPlannable
        collected = collect_fields(
            self.schema,
            self.fragments,
            self.variable_values,
            root_type,
            self.operation,
            self.hide_suggestions,
        )
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise _NotPlannable
        plan.root_type = root_type
        plan.fields = self._fields(root_type, collected.grouped_field_set)

    def _fields(self, parent: GraphQLObjectType, grouped: Mapping[str, list[FieldDetails]]) -> list[_Field]:
        planned: list[_Field] = []
        for key, details in grouped.items():
            if any(d.fragment_variable_values is not None or d.defer_usage is not None for d in details):
                raise _NotPlannable
            node = details[0].node
            name = node.name.value
            definition = self.schema.get_field(parent, name)
            if definition is None:
                continue  # graphql-core leaves unknown fields out (validation already refused them)
            non_null, shape = self._shape(definition.type, details)
            strawberry_field = (definition.extensions or {}).get(_DEFINITION)
            attribute = (
                strawberry_field.python_name
                if strawberry_field is not None
                and strawberry_field.is_basic_field
                and strawberry_field.default_resolver is getattr
                and not definition.args
                else None
            )
            method, info_name = _direct_method(strawberry_field, definition)
            planned.append(
                _Field(
                    key=key,
                    method=method,
                    info_name=info_name,
                    strawberry_field=strawberry_field,
                    definition=definition,
                    details=details,
                    non_null=non_null,
                    shape=shape,
                    attribute=attribute,
                    typename=name == "__typename",
                    has_arguments=bool(definition.args or node.arguments),
                    serialize=shape.serialize if attribute is not None and isinstance(shape, _Leaf) else None,
                )
            )
        return planned

    def _shape(self, output: GraphQLOutputType, details: list[FieldDetails]) -> tuple[bool, _Shape]:
        non_null = is_non_null_type(output)
        inner: Any = output.of_type if non_null else output  # type: ignore[union-attr]
        if is_list_type(inner):
            item_non_null, item = self._shape(inner.of_type, details)
            return non_null, _List(item, item_non_null)
        if is_leaf_type(inner):
            return non_null, _Leaf(_serializer(inner))
        if is_object_type(inner):
            collected = collect_subfields(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                inner,
                details,
                self.hide_suggestions,
            )
            if collected.new_defer_usages or collected.forbidden_directive_instances:
                raise _NotPlannable
            return non_null, _Object(inner, self._fields(inner, collected.grouped_field_set))
        raise _NotPlannable  # interfaces and unions need runtime type resolution

    # -- running ----------------------------------------------------------------------------------

    async def _run(self, plan: _Plan, serially: bool | None) -> Any:
        assert plan.root_type is not None
        try:
            data: dict[str, Any] = {}
            for planned in plan.fields:
                path = Path(None, planned.key, plan.root_type.name)
                value = self._resolve(planned, plan.root_type, self.root_value, path)
                if self.is_awaitable(value):
                    value = await value
                data[planned.key] = self._complete(planned.shape, planned.non_null, value, path)
        except _Bail as bail:
            plan.disabled = bail.permanent
            return await self._fallback(serially)
        except Exception:  # graphql-core turns resolver errors into located GraphQL errors
            return await self._fallback(serially)
        runs["planned"] += 1
        return self.build_response(data)

    async def _fallback(self, serially: bool | None) -> Any:
        runs["fallback"] += 1
        result = super().execute_operation(serially)
        return await result if self.is_awaitable(result) else result

    def _resolve(self, planned: _Field, parent: GraphQLObjectType, source: Any, path: Path) -> Any:
        if planned.method is not None:
            if planned.info_name is None:
                return planned.method(source)
            return planned.method(source, **{planned.info_name: _LazyInfo(self, planned, parent, path)})
        definition = planned.definition
        info = self.build_resolve_info(definition, [d.node for d in planned.details], parent, path)
        arguments = (
            get_argument_values(definition, planned.details[0].node, self.variable_values)
            if planned.has_arguments
            else {}
        )
        resolve = definition.resolve or self.field_resolver
        return resolve(source, info, **arguments)

    def _complete(self, shape: _Shape, non_null: bool, value: Any, path: Path) -> Any:
        if value is None:
            if non_null:
                raise _Bail
            return None
        if isinstance(shape, _Leaf):
            serialized = shape.serialize(value)
            if serialized is None or serialized is Undefined:
                raise _Bail
            return serialized
        if isinstance(shape, _List):
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise _Bail
            return [
                self._complete(shape.item, shape.item_non_null, item, path.add_key(index))
                for index, item in enumerate(value)
            ]
        return self._object(shape, value, path)

    def _object(self, shape: _Object, source: Any, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        type_name = shape.type.name
        for planned in shape.fields:
            if planned.serialize is not None:  # the hot case: a plain scalar attribute
                value = getattr(source, planned.attribute)  # type: ignore[arg-type]
                if value is None:
                    if planned.non_null:
                        raise _Bail
                    result[planned.key] = None
                    continue
                serialized = planned.serialize(value)
                if serialized is None or serialized is Undefined:
                    raise _Bail
                result[planned.key] = serialized
                continue
            field_path = path.add_key(planned.key, type_name)
            if planned.typename:
                value = type_name
            elif planned.attribute is not None:
                value = getattr(source, planned.attribute)
            else:
                value = self._resolve(planned, shape.type, source, field_path)
                if self.is_awaitable(value):
                    _discard(value)
                    raise _Bail(permanent=True)
            result[planned.key] = self._complete(planned.shape, planned.non_null, value, field_path)
        return result


class _LazyInfo:
    """The `info` a directly called resolver gets: `context` at once, anything else (path, field nodes,
    selected fields, …) from a real strawberry `Info` built on first use. Resolvers answering from data
    read up front only touch `context`, and building an info for each of ~100 calls a page is not free."""

    __slots__ = ("_context", "_parent", "_path", "_planned", "_real")

    def __init__(
        self, context: PlannedExecutionContext, planned: _Field, parent: GraphQLObjectType, path: Path
    ) -> None:
        self._context = context
        self._planned = planned
        self._parent = parent
        self._path = path
        self._real: Any = None

    @property
    def context(self) -> Any:
        return self._context.context_value

    def __getattr__(self, name: str) -> Any:
        if self._real is None:
            planned = self._planned
            raw = self._context.build_resolve_info(
                planned.definition, [d.node for d in planned.details], self._parent, self._path
            )
            info_class = self._context.schema._strawberry_schema.config.info_class  # type: ignore[attr-defined]
            self._real = info_class(_raw_info=raw, _field=planned.strawberry_field)
        return getattr(self._real, name)


def _serializer(leaf: Any) -> Callable[[Any], Any]:
    """The leaf type's `serialize`; for strawberry's enums a dict lookup first (its own serialize scans
    every value of the enum for each one it writes)."""
    members = getattr(leaf, "wrapped_cls", None)
    if not isinstance(leaf, GraphQLEnumType) or members is None:
        serialize: Callable[[Any], Any] = leaf.serialize
        return serialize
    names = {
        member: name
        for name, value in leaf.values.items()
        for member in members
        if member.value == value.value
    }
    slow = leaf.serialize

    def serialize_enum(value: Any) -> Any:
        try:
            return names[value]
        except (KeyError, TypeError):
            return slow(value)

    return serialize_enum


def _direct_method(
    strawberry_field: Any, definition: GraphQLField
) -> tuple[Callable[..., Any] | None, str | None]:
    """The plain function behind a strawberry resolver that can be called as `f(source[, info=…])`."""
    resolver = getattr(strawberry_field, "base_resolver", None)
    if (
        resolver is None
        or strawberry_field.extensions
        or definition.args
        or resolver.arguments
        or resolver.is_async  # awaiting would be the fallback's job anyway
        or resolver.self_parameter is None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
    ):
        return None, None
    info = resolver.info_parameter
    return resolver.wrapped_func, info.name if info is not None else None


def _discard(awaitable: Awaitable[Any]) -> None:
    close = getattr(awaitable, "close", None)  # a coroutine never awaited would warn
    if close is not None:
        close()
