"""The place gazetteer: real public places with aliases, matched inside free text.

Matching ignores spaces and case (staff write `남원시립 도서관` and `남원시립도서관` alike) and prefers
the longest name, so `남원시청년센터` is the youth centre, not city hall followed by `년센터`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("name", "aliases", "category", "address", "lat", "lng")
_IGNORED = re.compile(r"[\s·・\-_.]+")
_KEPT = re.compile(r"[^\s·・\-_.]")
# `요천로 1447` is an address on the road named after the stream, not the stream itself.
_ADDRESS_TAIL = re.compile(r"(?:로|길)\d")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    address: str | None
    lat: float
    lng: float
    category: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    place: Place
    start: int  # span in the searched text (original indices)
    end: int


class GazetteerError(ValueError):
    """The gazetteer file cannot be read."""


def _key(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFC", text)).lower()


class _Node(dict[str, "_Node"]):
    """A trie node; the key "" marks the end of a name."""


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regex alternation shaped as a trie, so a scan costs one branch test per character."""
    trie = _Node()
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, _Node())
        node[""] = _Node()

    def render(node: _Node) -> str:
        branches = [re.escape(char) + render(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy optional tail: the longest name wins (`남원시청년센터` over `남원시청`).
        return "(?:" + body + ")?" if "" in node else body

    return render(trie)


class Gazetteer:
    """Places by normalised name and alias; `find` returns the longest match in a text."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        self._by_key: dict[str, Place] = {}
        for place in self.places:
            for label in (place.name, *place.aliases):
                key = _key(label)
                if len(key) >= 2:
                    self._by_key.setdefault(key, place)
        keys = sorted(self._by_key, key=len, reverse=True)
        self._pattern = re.compile(_trie_pattern(keys)) if keys else None

    def __len__(self) -> int:
        return len(self.places)

    def by_name(self, name: str) -> Place | None:
        return self._by_key.get(_key(name))

    def find(self, text: str) -> PlaceMatch | None:
        """The longest gazetteer name in `text` (first one on a tie), with its span in `text`."""
        matches = self.find_all(text)
        if not matches:
            return None
        return max(matches, key=lambda m: (m.end - m.start, -m.start))

    def find_all(self, text: str) -> list[PlaceMatch]:
        if self._pattern is None or not text:
            return []
        stripped = _IGNORED.sub("", text).lower()
        if self._pattern.search(stripped) is None:
            return []
        index = _kept_index(text)
        found: list[PlaceMatch] = []
        pos = 0
        while pos < len(stripped):
            hit = self._pattern.search(stripped, pos)
            if hit is None:
                break
            if hit.end() == hit.start():
                pos = hit.start() + 1
                continue
            if not _ADDRESS_TAIL.match(stripped, hit.end()):
                place = self._by_key[hit.group()]
                found.append(PlaceMatch(place, index[hit.start()], index[hit.end() - 1] + 1))
            pos = hit.end()
        return found


def _kept_index(text: str) -> list[int]:
    """For each character `_IGNORED` keeps, its index in `text` (only built when something matched)."""
    return [m.start() for m in _KEPT.finditer(text)]


def load_gazetteer(path: Path) -> Gazetteer:
    """Read `name,aliases,category,address,lat,lng` (aliases `|`-separated) into a `Gazetteer`."""
    places: list[Place] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise GazetteerError(
                f"지명 사전의 열이 다릅니다: {reader.fieldnames} / "
                f"Gazetteer columns must be {','.join(COLUMNS)}"
            )
        for line_no, row in enumerate(reader, start=2):
            try:
                lat, lng = float(row["lat"]), float(row["lng"])
            except (TypeError, ValueError) as exc:
                raise GazetteerError(
                    f"{path.name} {line_no}행: 좌표가 숫자가 아닙니다 / "
                    f"line {line_no}: coordinates are not numbers"
                ) from exc
            name = unicodedata.normalize("NFC", row["name"] or "").strip()
            if not name:
                raise GazetteerError(
                    f"{path.name} {line_no}행: 이름이 없습니다 / line {line_no}: name is empty"
                )
            aliases = tuple(
                unicodedata.normalize("NFC", alias).strip()
                for alias in (row["aliases"] or "").split("|")
                if alias.strip()
            )
            places.append(
                Place(
                    name=name,
                    address=(row["address"] or "").strip() or None,
                    lat=lat,
                    lng=lng,
                    category=(row["category"] or "").strip() or None,
                    aliases=aliases,
                )
            )
    return Gazetteer(places)
