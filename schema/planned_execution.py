"""A planned executor for read queries: graphql-core's per-field machinery, done once per document.

graphql-core spends ≈ 5 µs on every field of every object (resolve info, argument scan, awaitable
checks, completion dispatch); a glance page is ~700 fields, so that alone is several milliseconds. For a
query, the shape of the answer depends only on the document, so this executor works the shape out once
(fields collected and merged, fragments inlined, return types unwrapped, plain attributes recognised)
and then fills it in with code generated per object shape (`_compile_object`): plain attributes are read
and serialised by their scalar or enum type inline, and only fields with resolvers get a call (with a
lazily built resolve info). Objects declared `shared` (kept organisations, areas, places, categories)
are filled once per plain-scalar selection and reused.

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
from types import CoroutineType, GeneratorType
from typing import Any, Final, TypeVar

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
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
    # The object's fields as one generated function (see `_compile_object`), made on first use.
    fill: Callable[[PlannedExecutionContext, Any, Any], dict[str, Any]] | None = None
    # Answers for shared objects (`shared`), by id, when every field is a plain scalar: the same
    # organisation on twenty items of a page, and on every page after, is filled once.
    memo: dict[int, tuple[Any, dict[str, Any]]] | None = None


_Shape = _Leaf | _List | _Object

# A response path as (previous, key, type name) tuples: made for every object and list entry, turned
# into graphql-core's `Path` only when a resolver asks for its info (a tuple literal costs a fraction
# of a NamedTuple's constructor).
_Chain = tuple[Any, str | int, str | None]


def _as_path(chain: _Chain) -> Path:
    if isinstance(chain, Path):
        return chain
    previous = chain[0]
    return Path(None if previous is None else _as_path(previous), chain[1], chain[2])


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
# Objects that stay the same across requests (`shared`), by id; bounded, cleared when full.
_shared: dict[int, Any] = {}
MAX_SHARED: Final = 4096
T = TypeVar("T")


def shared(value: T) -> T:
    """Declare `value` immutable and long-lived (a kept organisation, area or place): the planned
    executor may then answer a plain-scalar selection of it from memory. Returns `value`."""
    if len(_shared) >= MAX_SHARED:
        _shared.clear()
    _shared[id(value)] = value
    return value


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
            fields = self._fields(inner, collected.grouped_field_set)
            pure = all(f.serialize is not None or f.typename for f in fields)
            return non_null, _Object(inner, fields, memo={} if pure else None)
        raise _NotPlannable  # interfaces and unions need runtime type resolution

    # -- running ----------------------------------------------------------------------------------

    async def _run(self, plan: _Plan, serially: bool | None) -> Any:
        assert plan.root_type is not None
        try:
            data: dict[str, Any] = {}
            for planned in plan.fields:
                path: _Chain = (None, planned.key, plan.root_type.name)
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

    def _resolve(self, planned: _Field, parent: GraphQLObjectType, source: Any, path: _Chain) -> Any:
        if planned.method is not None:
            if planned.info_name is None:
                return planned.method(source)
            return planned.method(source, **{planned.info_name: _LazyInfo(self, planned, parent, path)})
        definition = planned.definition
        nodes = [d.node for d in planned.details]
        info = self.build_resolve_info(definition, nodes, parent, _as_path(path))
        arguments = (
            get_argument_values(definition, planned.details[0].node, self.variable_values)
            if planned.has_arguments
            else {}
        )
        resolve = definition.resolve or self.field_resolver
        return resolve(source, info, **arguments)

    def _complete(self, shape: _Shape, non_null: bool, value: Any, path: _Chain) -> Any:
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
            kind = type(value)
            # Lists and tuples first: the ABC checks cost about a microsecond, for ~60 lists a page.
            if (
                kind is not list
                and kind is not tuple
                and (isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable))
            ):
                raise _Bail
            item = shape.item
            if isinstance(item, _Object):
                return [
                    self._object(item, entry, (path, index, None))
                    if entry is not None
                    else self._complete(item, shape.item_non_null, None, path)
                    for index, entry in enumerate(value)
                ]
            return [
                self._complete(item, shape.item_non_null, entry, (path, index, None))
                for index, entry in enumerate(value)
            ]
        return self._object(shape, value, path)

    def _object(self, shape: _Object, source: Any, path: _Chain) -> dict[str, Any]:
        fill = shape.fill
        if fill is None:
            fill = shape.fill = _compile_object(shape)
        memo = shape.memo
        if memo is None or _shared.get(id(source)) is not source:
            return fill(self, source, path)
        hit = memo.get(id(source))
        if hit is not None and hit[0] is source:
            return hit[1]
        if len(memo) >= MAX_SHARED:
            memo.clear()
        result = fill(self, source, path)
        memo[id(source)] = (source, result)  # holding the object: its id stays its own
        return result

    def _resolved(self, planned: _Field, parent: GraphQLObjectType, source: Any, path: _Chain) -> Any:
        """A resolver's value, for the generated fillers; an awaitable means graphql-core from now on."""
        value = self._resolve(planned, parent, source, path)
        if self.is_awaitable(value):
            self._give_up(value)
        return value

    @staticmethod
    def _give_up(awaitable: Awaitable[Any]) -> None:
        """A resolver below the root awaits (a loader): graphql-core batches those, so it answers this
        document from now on."""
        _discard(awaitable)
        raise _Bail(permanent=True)


# Classes whose instances are never awaitable (no `__await__`, neither coroutine nor generator), learned
# as resolvers return them: the generated code's check for a loader's awaitable is then a set lookup.
_SYNC_CLASSES: Final[set[type]] = {type(None), bool, int, float, str, bytes, list, tuple, dict}


def _awaits(context: PlannedExecutionContext, value: Any) -> bool:
    if context.is_awaitable(value):
        return True
    kind = type(value)
    if not hasattr(kind, "__await__") and not issubclass(kind, CoroutineType | GeneratorType):
        _SYNC_CLASSES.add(kind)
    return False


# graphql-core's String and ID serialisers return a `str` unchanged: the generated code skips the call.
_STR_SERIALIZERS: Final = {GraphQLString.serialize, GraphQLID.serialize}


def _compile_object(shape: _Object) -> Callable[[PlannedExecutionContext, Any, Any], dict[str, Any]]:
    """The object's fields as straight-line Python: one `def` per object shape of a document.

    Interpreting the plan costs a loop step, a few attribute reads and branches per field; a page has
    ~700 fields, and generated code does the same work at a third of the cost. It does exactly what the
    interpreter would: scalar attributes read and serialised inline (null checks as declared), everything
    else through the context's `_resolved` and `_complete`. Only names from the schema (already valid
    identifiers) and `repr`'d response keys go into the source.
    """
    type_name = shape.type.name
    namespace: dict[str, Any] = {
        "Bail": _Bail,
        "Undefined": Undefined,
        "LazyInfo": _LazyInfo,
        "T": shape.type,
        "Sync": _SYNC_CLASSES,
        "awaits": _awaits,
    }
    lines = ["def fill(ctx, source, path):", "    result = {}"]
    for index, planned in enumerate(shape.fields):
        key = repr(planned.key)
        namespace[f"F{index}"] = planned
        if planned.serialize is not None:
            namespace[f"S{index}"] = planned.serialize
            null = "raise Bail()" if planned.non_null else f"result[{key}] = None"
            if planned.serialize in _STR_SERIALIZERS:
                serialized = f"value if value.__class__ is str else S{index}(value)"
            elif planned.serialize is GraphQLBoolean.serialize:  # returns a bool unchanged
                serialized = f"value if value is True or value is False else S{index}(value)"
            else:
                serialized = f"S{index}(value)"
            lines += [
                f"    value = source.{planned.attribute}",
                "    if value is None:",
                f"        {null}",
                "    else:",
                f"        value = {serialized}",
                "        if value is None or value is Undefined:",
                "            raise Bail()",
                f"        result[{key}] = value",
            ]
            continue
        if planned.typename:
            lines.append(f"    result[{key}] = {type_name!r}")
            continue
        field_path = f"(path, {key}, {type_name!r})"  # a `_Chain`: a Path only if someone asks
        if planned.attribute is not None:
            lines.append(f"    value = source.{planned.attribute}")
        elif planned.method is not None:
            namespace[f"M{index}"] = planned.method
            info = (
                f", {planned.info_name}=LazyInfo(ctx, F{index}, T, {field_path})" if planned.info_name else ""
            )
            lines += [
                f"    value = M{index}(source{info})",
                "    if type(value) not in Sync and awaits(ctx, value):",
                "        ctx._give_up(value)",
            ]
        else:
            lines.append(f"    value = ctx._resolved(F{index}, T, source, {field_path})")
        if isinstance(planned.shape, _Object):
            null = "raise Bail()" if planned.non_null else f"result[{key}] = None"
            namespace[f"O{index}"] = planned.shape
            lines += [
                "    if value is None:",
                f"        {null}",
                "    else:",
                f"        result[{key}] = ctx._object(O{index}, value, {field_path})",
            ]
        else:
            lines.append(
                f"    result[{key}] = ctx._complete(F{index}.shape, F{index}.non_null, value, {field_path})"
            )
    lines.append("    return result")
    exec(compile("\n".join(lines), f"<planned {type_name}>", "exec"), namespace)  # noqa: S102
    fill: Callable[[PlannedExecutionContext, Any, Any], dict[str, Any]] = namespace["fill"]
    return fill


class _LazyInfo:
    """The `info` a directly called resolver gets: `context` at once, anything else (path, field nodes,
    selected fields, …) from a real strawberry `Info` built on first use. Resolvers answering from data
    read up front only touch `context`, and building an info for each of ~100 calls a page is not free."""

    __slots__ = ("_context", "_parent", "_path", "_planned", "_real")

    def __init__(
        self, context: PlannedExecutionContext, planned: _Field, parent: GraphQLObjectType, path: _Chain
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
                planned.definition, [d.node for d in planned.details], self._parent, _as_path(self._path)
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
