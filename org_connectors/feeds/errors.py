"""What the feed, calendar and fetch code raises on purpose.

Exception tree (callers catch the narrowest they can act on):

    ConnectorError
    ├── UnreadableInput
    │   ├── NotAFeed              the bytes are not RSS/Atom (an HTML page, a login wall, JSON …)
    │   └── NotACalendar          the bytes are not an iCalendar file
    └── FetchError                fetching a feed or calendar URL failed; `url` is already redacted
        ├── URLRefused            not http/https, no host, or a private/loopback/reserved address
        ├── TooManyRedirects      more redirects than the policy allows
        ├── ResponseTooLarge      the body grew past the policy's byte cap
        ├── FetchTimeout          the server did not answer in time (retry on the next poll)
        ├── FetchUnavailable      DNS or connection failure (retry on the next poll)
        └── BadStatus             an HTTP error status; `status` and `retryable` (5xx, 408, 429)

Messages are Korean first, then English. A URL in a message is always passed through `redact_url`
first, because a Google private iCal address is a credential.
"""

from __future__ import annotations

from org_connectors.base import ConnectorError, UnreadableInput

_PREVIEW_CHARS = 60


def preview(data: bytes) -> str:
    """The start of some input, printable and short, to quote in an error message."""
    text = data[:400].decode("utf-8", errors="replace").lstrip("\ufeff")
    flat = " ".join(text.split())
    return flat[:_PREVIEW_CHARS] + ("…" if len(flat) > _PREVIEW_CHARS else "")


class NotAFeed(UnreadableInput):
    """The input is not an RSS or Atom feed."""

    def __init__(self, data: bytes, *, reason: str | None = None) -> None:
        start = preview(data)
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"RSS/Atom 피드가 아닙니다{why}. 내용 시작: «{start}» / Not an RSS or Atom feed{why}. "
            f"Input starts with: «{start}»",
            where="feed",
            raw=start,
        )


class NotACalendar(UnreadableInput):
    """The input is not an iCalendar (.ics) file."""

    def __init__(self, data: bytes, *, reason: str | None = None) -> None:
        start = preview(data)
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"iCalendar(.ics) 파일이 아닙니다{why}. 내용 시작: «{start}» / Not an iCalendar file{why}. "
            f"Input starts with: «{start}»",
            where="calendar",
            raw=start,
        )


class FetchError(ConnectorError):
    """Fetching a URL failed. `url` is the redacted address (no query string, no private token)."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url


class URLRefused(FetchError):
    """The address is not one the hub may fetch: bad scheme, or a private/internal network address."""


class TooManyRedirects(FetchError):
    """The server redirected more times than the policy allows."""


class ResponseTooLarge(FetchError):
    """The response body is larger than the policy's cap."""


class FetchTimeout(FetchError):
    """The server did not answer in time."""


class FetchUnavailable(FetchError):
    """The host name did not resolve or the connection failed."""


class BadStatus(FetchError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retryable = status >= 500 or status in (408, 429)
