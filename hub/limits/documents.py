"""Trusted documents: the first-party queries, stored as `.graphql` files and known by their sha256.

A client sends `GET /graphql?documentId=sha256:<hex>&variables=…` instead of the query text; only
these documents are answered by id, and only their responses are cached and marked `public`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    id: str  # "sha256:<hex of the file's UTF-8 bytes>"
    name: str  # the file's stem, e.g. glance
    text: str


def document_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class TrustedDocuments(Mapping[str, TrustedDocument]):
    def __init__(self, documents: list[TrustedDocument]) -> None:
        self._by_id = {document.id: document for document in documents}
        self.by_name = {document.name: document for document in documents}

    @classmethod
    def load(cls, directory: Path) -> TrustedDocuments:
        return cls(
            [
                TrustedDocument(document_id(text), path.stem, text)
                for path in sorted(directory.glob("*.graphql"))
                for text in [path.read_text(encoding="utf-8")]
            ]
        )

    def lookup(self, key: str) -> TrustedDocument | None:
        """By id, with or without the `sha256:` prefix."""
        return self._by_id.get(key if key.startswith("sha256:") else f"sha256:{key}")

    def __getitem__(self, key: str) -> TrustedDocument:
        found = self.lookup(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)
