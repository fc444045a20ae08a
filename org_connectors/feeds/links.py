"""URL hygiene: drop tracking parameters from post links, hide secrets in URLs we print."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Naver appends fromRss/trackingCode to every feed link; the rest are common campaign/click ids.
_TRACKING_EXACT = frozenset(
    {"fromrss", "trackingcode", "fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "nclick"}
)
_TRACKING_PREFIXES = ("utm_",)

# Google's secret iCal address carries its token in the path: /calendar/ical/{id}/private-{token}/basic.ics
_PRIVATE_SEGMENT = re.compile(r"(?i)(/private-)[^/]+")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """`url` without tracking parameters; other parameters keep their order."""
    parts = urlsplit(url.strip())
    if not parts.query:
        return urlunsplit(parts)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit(parts._replace(query=urlencode(kept, safe="/:@")))


def query_value(url: str, name: str) -> str | None:
    """The first value of query parameter `name` in `url`, or None."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=False):
        if key == name:
            return value
    return None


def redact_url(url: str) -> str:
    """`url` fit for a message or a log: no user info, no query string, no private-calendar token."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname or "", parts.port
    except ValueError:
        return "(잘못된 주소 / invalid URL)"
    host = f"[{hostname}]" if ":" in hostname else hostname
    if port is not None:
        host = f"{host}:{port}"
    path = _PRIVATE_SEGMENT.sub(r"\1***", parts.path)
    query = "?***" if parts.query else ""
    return urlunsplit((parts.scheme, host, path, "", "")) + query


def redact_url_for_log(url: str) -> str:
    """Like `redact_url`, but query parameter names stay (`?access_token=***`) so logs remain useful."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(잘못된 주소 / invalid URL)"
    query = "&".join(f"{name}=***" for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    path = _PRIVATE_SEGMENT.sub(r"\1***", parts.path)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def canonical_post_url(url: str) -> str:
    """A post link without tracking, with Naver blog's mobile and PostView forms folded to one address."""
    clean = strip_tracking(url)
    parts = urlsplit(clean)
    host = (parts.hostname or "").lower()
    if host not in ("blog.naver.com", "m.blog.naver.com"):
        return clean
    if parts.path.startswith("/PostView"):
        blog_id, log_no = query_value(clean, "blogId"), query_value(clean, "logNo")
        if blog_id and log_no:
            return f"https://blog.naver.com/{blog_id}/{log_no}"
    return urlunsplit(parts._replace(netloc="blog.naver.com"))
