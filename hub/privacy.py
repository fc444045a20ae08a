"""Personal data in public output: individuals' mobile numbers and e-mail addresses are masked.

Institutional numbers stay (`063-620-6114`, `1588-…`, `02-…`, `070-…`): residents need them to ask.
Masked forms keep enough to recognise one's own entry (`010-****-5678`, `k***@naver.com`).
"""

from __future__ import annotations

import re

# 010/011/016/017/018/019, or +82 10 …, with dashes, dots, spaces or nothing between the groups.
_MOBILE = re.compile(
    r"(?<![\d+])(?:\+\s*82[\s.\-]*\(?0?\)?[\s.\-]*|\b0)(?P<carrier>1[016789])[\s.\-)]*(?P<mid>\d{3,4})"
    r"[\s.\-]*(?P<last>\d{4})(?!\d)"
)
_EMAIL = re.compile(
    r"(?<![\w.+-])(?P<local>[A-Za-z0-9._%+-]+)@(?P<domain>[A-Za-z0-9.-]+\.[A-Za-z]{2,})(?![\w])"
)


def _mobile(m: re.Match[str]) -> str:
    return f"0{m['carrier']}-****-{m['last']}"


def _email(m: re.Match[str]) -> str:
    return f"{m['local'][0]}***@{m['domain']}"


def mask_personal_data(text: str) -> str:
    """Mask mobile numbers and e-mail addresses; leave landline and institutional numbers as written."""
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub(_email, text)
    return _MOBILE.sub(_mobile, text)


def find_personal_data(text: str) -> list[str]:
    """Unmasked mobile numbers and e-mail addresses in `text` (what a leak check looks for)."""
    found = [m.group(0) for m in _MOBILE.finditer(text) if "*" not in m.group(0)]
    found += [m.group(0) for m in _EMAIL.finditer(text) if not m["local"].endswith("***")]
    return found
