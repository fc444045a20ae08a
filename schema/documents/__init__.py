"""Trusted documents: the first-party queries, one `.graphql` file each, served by sha256 id.

`GET /graphql?documentId=sha256:<hex>&variables=<json>`. The id is the
sha256 of the file's bytes (`sha256sum schema/documents/glance.graphql`). Changing a file changes its
id, so clients and documents deploy together.
"""

from pathlib import Path

DOCUMENTS_DIR = Path(__file__).parent
