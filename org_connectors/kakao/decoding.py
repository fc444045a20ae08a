"""Bytes of an export file to text: UTF-8 with or without BOM, UTF-16 with BOM, or CP949 (old Windows)."""

from __future__ import annotations

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_PROBE = 512


def decode_export(data: bytes) -> str:
    """Decode `data`; bytes that fit no encoding become U+FFFD so their lines can be reported unreadable."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:_BINARY_PROBE]:
        # No text export holds NUL bytes near its start: a binary file, shown as is in the error.
        return data.decode("utf-8", errors="replace")
    encoding = _likely_encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return data.decode(encoding, errors="replace")


def _likely_encoding(data: bytes) -> str:
    """Vote line by line, so a few garbage lines in a UTF-8 file do not turn it all into CP949 mojibake."""
    utf8_lines = cp949_lines = 0
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
            continue
        except UnicodeDecodeError:
            pass
        try:
            line.decode("cp949")
            cp949_lines += 1
        except UnicodeDecodeError:
            pass
    return "cp949" if cp949_lines > utf8_lines else "utf-8"
