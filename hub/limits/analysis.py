"""Read a GraphQL document without executing it: tokens, depth, aliases, directives, node estimate.

Everything here runs *before* validation, on documents that may be hostile: fragment cycles and
unknown names must not crash it, and fragment fan-out (a fragment spreading another twice, n levels
deep) must not blow up — fragment results are memoised and field visits are capped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.language import Lexer, Source, TokenKind

INTROSPECTION_ROOTS: Final = frozenset({"__schema", "__type"})
FEDERATION_SDL_FIELD: Final = "_service"
MAX_FIELD_VISITS: Final = 20_000  # beyond this the document is treated as too costly
HUGE: Final = 10**12

# Lists that take no size argument count as their known cap (GitHub counts a connection at `first`).
DEFAULT_LIST_CAP: Final = 100
DEFAULT_PAGE: Final = 20  # `first` omitted on a connection
LIST_CAPS: Final[Mapping[str, int]] = {
    "Query.areas": 10,
    "Query.categories": 100,
    "Query.calendar": 62,  # days; the resolver refuses more
    "FeedItem.categories": 10,  # understanding keeps 3, staff may set 10
    "FeedItem.coHosts": 10,  # curation caps co-hosts at 10
    "FeedItem.sources": 10,  # cross-posts of one event; no hard cap, a realistic ceiling
    "Collection.entries": 100,
    "Area.organisations": 100,
    "CalendarDay.items": 20,  # perDay default; the calendar's own argument wins
    "Digest.days": 7,  # one week
    "DigestDay.items": 100,
}
SIZE_ARGUMENTS: Final = ("first", "last", "limit", "perDay")
MAX_SIZE_ARGUMENT: Final = 100


def count_tokens(query: str, cap: int) -> int:
    """Lexical tokens in `query`, counting stops at `cap + 1`; a lexing error stops counting too."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF and count <= cap:
            count += 1
            token = lexer.advance()
    except GraphQLSyntaxError:
        pass  # the parser reports it, with its position
    return count


_TOKENS: OrderedDict[str, int] = OrderedDict()
TOKEN_CACHE_SIZE: Final = 1024
TOKEN_COUNT_CAP: Final = 10_000  # above every limit in policy; counts are exact up to here


def cached_token_count(query: str) -> int:
    """`count_tokens` up to `TOKEN_COUNT_CAP`, memoised by query text (bounded LRU)."""
    found = _TOKENS.get(query)
    if found is not None:
        _TOKENS.move_to_end(query)
        return found
    found = _TOKENS[query] = count_tokens(query, TOKEN_COUNT_CAP)
    if len(_TOKENS) > TOKEN_CACHE_SIZE:
        _TOKENS.popitem(last=False)
    return found


class _DirectiveCounter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_directive(self, *_: Any) -> None:
        self.count += 1


def count_directives(document: DocumentNode) -> int:
    """Every directive written anywhere in the document (graphql-armor's max-directives)."""
    counter = _DirectiveCounter()
    visit(document, counter)
    return counter.count


@dataclass(frozen=True, slots=True)
class Shape:
    """What a document asks for, independent of variables."""

    depth: int
    aliases: int
    directives: int
    introspection: bool  # selects __schema or __type at the root
    federation_sdl: bool  # selects _service at the root


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


class _ShapeWalker:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, tuple[int, int]] = {}
        self.active: set[str] = set()

    def selection(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        """(depth, aliases) below this selection set; introspection subtrees are not counted."""
        if selection_set is None:
            return 0, 0
        depth = aliases = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                if node.name.value in INTROSPECTION_ROOTS:
                    continue  # gated separately; its nested ofType chains are legitimately deep
                below, below_aliases = self.selection(node.selection_set)
                depth = max(depth, 1 + below)
                aliases += below_aliases + (1 if node.alias else 0)
            elif isinstance(node, InlineFragmentNode):
                below, below_aliases = self.selection(node.selection_set)
                depth, aliases = max(depth, below), aliases + below_aliases
            elif isinstance(node, FragmentSpreadNode):
                below, below_aliases = self.fragment(node.name.value)
                depth, aliases = max(depth, below), aliases + below_aliases
        return depth, aliases

    def fragment(self, name: str) -> tuple[int, int]:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return 0, 0  # unknown or cyclic: validation rejects it
        self.active.add(name)
        result = self.selection(definition.selection_set)
        self.active.discard(name)
        self.memo[name] = result
        return result


def _root_names(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> set[str]:
    names: set[str] = set()
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            names.add(node.name.value)
        elif isinstance(node, InlineFragmentNode):
            names |= _root_names(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            definition = fragments.get(node.name.value)
            if definition is not None:
                seen.add(node.name.value)
                names |= _root_names(definition.selection_set, fragments, seen)
    return names


def shape_of(document: DocumentNode) -> Shape:
    """The document's shape (depth and aliases leave introspection subtrees out)."""
    fragments = _fragments(document)
    walker = _ShapeWalker(fragments)
    depth = aliases = 0
    roots: set[str] = set()
    for operation in _operations(document):
        below, below_aliases = walker.selection(operation.selection_set)
        depth, aliases = max(depth, below), aliases + below_aliases
        roots |= _root_names(operation.selection_set, fragments, set())
    return Shape(
        depth=depth,
        aliases=aliases,
        directives=count_directives(document),
        introspection=bool(roots & INTROSPECTION_ROOTS),
        federation_sdl=FEDERATION_SDL_FIELD in roots,
    )


_SHAPES: OrderedDict[str, Shape] = OrderedDict()
SHAPE_CACHE_SIZE: Final = 1024


def cached_shape(query: str | None, document: DocumentNode) -> Shape:
    """`shape_of`, memoised by query text in a bounded LRU (hashing a string is cheaper than an AST)."""
    if query is None:
        return shape_of(document)
    found = _SHAPES.get(query)
    if found is None:
        found = _SHAPES[query] = shape_of(document)
        if len(_SHAPES) > SHAPE_CACHE_SIZE:
            _SHAPES.popitem(last=False)
    else:
        _SHAPES.move_to_end(query)
    return found


# ---- node estimate -------------------------------------------------------------------------------


def _unwrap(type_: Any) -> tuple[GraphQLNamedType, bool]:
    """The named type under NonNull/List wrappers, and whether a list was among them."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    named: GraphQLNamedType = type_
    return named, is_list


def _is_connection(type_: GraphQLNamedType) -> bool:
    return (
        isinstance(type_, GraphQLObjectType) and type_.name.endswith("Connection") and "edges" in type_.fields
    )


class _NodeEstimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.visits = 0
        self.memo: dict[tuple[str, str, int | None], int] = {}
        self.active: set[str] = set()

    def value(self, node: ValueNode | None) -> Any:
        if node is None:
            return None
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, StringValueNode):
            return node.value
        if isinstance(node, ListValueNode):
            return list(node.values)
        return None

    def argument(self, field: FieldNode, name: str) -> Any:
        for argument in field.arguments or ():
            if argument.name.value == name:
                return self.value(argument.value)
        return None

    def size_argument(self, field: FieldNode) -> int | None:
        for name in SIZE_ARGUMENTS:
            value = self.argument(field, name)
            if isinstance(value, int) and not isinstance(value, bool):
                # Every size argument of this graph is refused above 100 by its resolver (a clear error,
                # no work done), so a larger value costs what 100 would.
                return min(max(value, 1), MAX_SIZE_ARGUMENT)
        return None

    def calendar_days(self, field: FieldNode) -> int:
        start, end = self.argument(field, "from"), self.argument(field, "to")
        try:
            days = (date.fromisoformat(str(end)) - date.fromisoformat(str(start))).days + 1
        except ValueError:
            return LIST_CAPS["Query.calendar"]
        return max(1, days)

    def selection(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None, per_day: int | None
    ) -> int:
        """Nodes below `selection_set` for one instance of `parent`."""
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            self.visits += 1
            if self.visits > MAX_FIELD_VISITS:
                return HUGE
            if isinstance(node, FieldNode):
                if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                    total += self.field(parent, node, per_day)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection(target or parent, node.selection_set, per_day)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, per_day)
            if total >= HUGE:
                return HUGE
        return total

    def fragment(self, name: str, per_day: int | None) -> int:
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return 0
        key = (name, definition.type_condition.name.value, per_day)
        if key not in self.memo:
            target = self.schema.get_type(definition.type_condition.name.value)
            if target is None:
                return 0
            self.active.add(name)
            self.memo[key] = self.selection(target, definition.selection_set, per_day)
            self.active.discard(name)
        return self.memo[key]

    def field(
        self, parent: GraphQLObjectType | GraphQLInterfaceType, node: FieldNode, per_day: int | None
    ) -> int:
        name = node.name.value
        if name in INTROSPECTION_ROOTS or name.startswith("__"):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # validation reports it
        child, is_list = _unwrap(definition.type)
        composite = isinstance(child, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        key = f"{parent.name}.{name}"
        if _is_connection(child):
            size = self.size_argument(node) or DEFAULT_PAGE
            return size + size * self.selection(child, node.selection_set, per_day)
        if not is_list or not composite:
            return self.selection(child, node.selection_set, per_day)
        if _is_connection(parent) and name == "edges":
            return self.selection(child, node.selection_set, per_day)  # counted by the connection
        if key == "Query.calendar":
            size = self.calendar_days(node)
            per_day = self.size_argument(node) or LIST_CAPS["CalendarDay.items"]
        elif key == "CalendarDay.items" and per_day is not None:
            size = per_day
        elif key in {"Query.nodes", "Query._entities"}:
            listed = self.argument(node, "ids" if name == "nodes" else "representations")
            size = len(listed) if isinstance(listed, list) else DEFAULT_LIST_CAP
        else:
            size = self.size_argument(node) or LIST_CAPS.get(key, DEFAULT_LIST_CAP)
        return size + size * self.selection(child, node.selection_set, per_day)


def estimate_nodes(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> int:
    """GitHub-style node count: list sizes (`first`, else the known cap) multiplied through nesting."""
    operations = _operations(document)
    if operation_name is not None:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    estimator = _NodeEstimator(schema, _fragments(document), variables or {})
    worst = 0
    for operation in operations:
        defaults = {
            d.variable.name.value: estimator.value(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        estimator.variables = {**defaults, **(variables or {})}
        root = schema.get_root_type(operation.operation)
        if root is not None:
            worst = max(worst, estimator.selection(root, operation.selection_set, None))
    return min(worst, HUGE)


_ESTIMATES: OrderedDict[tuple[int, str, str | None, bytes], int] = OrderedDict()
ESTIMATE_CACHE_SIZE: Final = 4096


def cached_estimate_nodes(
    schema: GraphQLSchema,
    query: str | None,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> int:
    """`estimate_nodes`, memoised by query text, operation and variables (bounded LRU): a page asked
    again with the same `first` costs the same, and the walk over the document is not free."""
    if query is None:
        return estimate_nodes(schema, document, variables, operation_name)
    try:
        key = (id(schema), query, operation_name, orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS))
    except TypeError:  # variables that are not plain JSON (never from HTTP): no memo
        return estimate_nodes(schema, document, variables, operation_name)
    found = _ESTIMATES.get(key)
    if found is None:
        found = _ESTIMATES[key] = estimate_nodes(schema, document, variables, operation_name)
        if len(_ESTIMATES) > ESTIMATE_CACHE_SIZE:
            _ESTIMATES.popitem(last=False)
    else:
        _ESTIMATES.move_to_end(key)
    return found
