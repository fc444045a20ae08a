"""Validation results kept per parsed document, without hashing the document.

strawberry's `ValidationCache` is an `lru_cache` over (schema, document, rules): each lookup hashes the
whole syntax tree (a glance document: ~130 nodes, about a tenth of a millisecond). The parser cache
already hands out one document object per query text, so the object's identity is the key here, with
the document held in the entry so its id cannot be reused while the entry lives.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

_Key = tuple[int, int, tuple[Any, ...]]
_results: OrderedDict[_Key, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()


class DocumentValidationCache(SchemaExtension):
    """A drop-in for strawberry's `ValidationCache`; pass it as a factory like the others."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        graphql_schema = context.schema._schema
        if document is None:  # nothing parsed: strawberry reports that itself
            yield
            return
        rules = tuple(context.validation_rules)
        key = (id(graphql_schema), id(document), rules)
        found = _results.get(key)
        if found is not None and found[0] is document:
            _results.move_to_end(key)
            errors = found[1]
        else:
            errors = validate_document(graphql_schema, document, rules)
            _results[key] = (document, errors)
            while len(_results) > self.maxsize:
                _results.popitem(last=False)
        context.pre_execution_errors = errors
        yield
