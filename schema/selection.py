"""What a field's selection asks for further down, read from the document once per field node.

Lists that read their items' relations up front (`hub.services.item_relations`) skip the relations no one
selected. A name anywhere below counts, whatever type it is on: a false positive costs one statement, and
a relation that was skipped after all is still loaded by its resolver.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from hub.services.item_relations import Wanted
from schema.context import Info

_MAX_KEPT = 4096
# (the field nodes, as held by the cached parsed document) -> every field name below them
_names: dict[tuple[int, ...], tuple[tuple[FieldNode, ...], frozenset[str]]] = {}


def names_below(info: Info) -> frozenset[str]:
    """Every field name selected below the resolving field, through fragments."""
    raw = info._raw_info
    nodes = tuple(raw.field_nodes)
    key = tuple(map(id, nodes))
    hit = _names.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], nodes, strict=True)):
        return hit[1]
    names: set[str] = set()
    for node in nodes:
        if node.selection_set is not None:
            _collect(node.selection_set, raw.fragments, names, set())
    if len(_names) >= _MAX_KEPT:
        _names.clear()
    found = frozenset(names)
    _names[key] = (nodes, found)  # holding the nodes: their ids stay theirs
    return found


def _collect(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    names: set[str],
    spread: set[str],
) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
            if selection.selection_set is not None:
                _collect(selection.selection_set, fragments, names, spread)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, names, spread)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
            spread.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _collect(fragment.selection_set, fragments, names, spread)


_RELATIONS = {"categories": Wanted.CATEGORIES, "sources": Wanted.SOURCES, "coHosts": Wanted.CO_HOSTS}


def wanted_relations(info: Info) -> Wanted:
    """The item relations selected below the resolving field (a list of items, a connection, …)."""
    names = names_below(info)
    wanted = Wanted(0)
    for name, relation in _RELATIONS.items():
        if name in names:
            wanted |= relation
    return wanted
