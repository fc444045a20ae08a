"""One tokenizer for Korean (and any) text, shared by SQLite FTS5 and PostgreSQL full-text search.

Neither engine splits Korean well (particles stay glued: `청년들이`), so the hub tokenises in Python
and both databases index the same tokens (reference/performance-and-search.md):

- text is NFC-normalised and case-folded (text typed on iOS arrives as NFD and would match nothing);
- it is cut into runs of letters and digits, and a run changes at a script boundary (`Zoom으로` is
  `zoom` + `으로`);
- a run in a script written without spaces between morphemes (Hangul, Han, kana) becomes its
  character bigrams plus its last character alone (`청년마루` → `청년 년마 마루 루`), so any two
  characters match and a single character matches as a prefix;
- any other run (Latin, digits, …) is one token, matched as a prefix at query time (`zoo` finds `zoom`).

A query term matches when its bigrams appear consecutively (an FTS5 phrase, a PostgreSQL `<->`
chain): `청년마루` does not match `청년 … 마루` far apart. All terms must match.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

MAX_DOCUMENT_CHARS = 6000  # PostgreSQL keeps positions up to 16,383; stay well inside on both engines
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12


def _is_bigram_script(char: str) -> bool:
    code = ord(char)
    return (
        0xAC00 <= code <= 0xD7A3  # Hangul syllables
        or 0x1100 <= code <= 0x11FF  # Hangul jamo
        or 0x3130 <= code <= 0x318F  # Hangul compatibility jamo
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # Han
        or 0xF900 <= code <= 0xFAFF
    )


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in {"L", "N"}


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _runs(text: str) -> Iterator[tuple[str, bool]]:
    """Maximal runs of word characters of one script class: (run, is_bigram_script)."""
    start = None
    bigram = False
    for index, char in enumerate(text):
        if not _is_word_char(char):
            if start is not None:
                yield text[start:index], bigram
                start = None
            continue
        char_bigram = _is_bigram_script(char)
        if start is not None and char_bigram != bigram:
            yield text[start:index], bigram
            start = None
        if start is None:
            start, bigram = index, char_bigram
    if start is not None:
        yield text[start:], bigram


def _run_tokens(run: str, bigram: bool) -> list[str]:
    if not bigram:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def document_tokens(*parts: str) -> str:
    """The space-separated tokens of some text, as the search indexes store them (`item_tokens`)."""
    text = normalise(" ".join(part for part in parts if part))[:MAX_DOCUMENT_CHARS]
    return " ".join(token for run, bigram in _runs(text) for token in _run_tokens(run, bigram))


@dataclass(frozen=True, slots=True)
class Term:
    """One run of the query: consecutive tokens (a phrase), the last one matched as a prefix if `prefix`."""

    tokens: tuple[str, ...]
    prefix: bool


def query_terms(text: str) -> tuple[Term, ...]:
    """The terms of a search; empty when the text has no letters or digits."""
    terms: list[Term] = []
    for run, bigram in _runs(normalise(text[:MAX_QUERY_CHARS])):
        if not bigram:
            term = Term((run,), prefix=True)
        elif len(run) == 1:
            # A lone syllable: the first character of a bigram, or the last character of a run.
            term = Term((run,), prefix=True)
        else:
            term = Term(tuple(run[i : i + 2] for i in range(len(run) - 1)), prefix=False)
        if term not in terms:
            terms.append(term)
    return tuple(terms[:MAX_QUERY_TERMS])


def item_tokens(title: str, body: str, place_detail: str | None) -> tuple[str, str]:
    """What the search indexes hold for an item: the title's tokens (`feed_item.title_tokens`, which
    ranked search counts the words in) and those of everything searchable (`feed_item.search_tokens`)."""
    return document_tokens(title), document_tokens(title, body, place_detail or "")


def _fts5_phrase(term: Term) -> str:
    return '"' + " ".join(term.tokens) + '"' + (" *" if term.prefix else "")


def fts5_query(terms: tuple[Term, ...]) -> str:
    """An FTS5 MATCH expression: phrases joined by AND (tokens never contain quotes)."""
    return " AND ".join(_fts5_phrase(term) for term in terms)


# SQLite's FTS5 holds the title's tokens again, each behind this mark (migration 0009): a private-use
# character, which FTS5 keeps inside a token and `_runs` never does, so a marked token is found only in
# titles. PostgreSQL reads `feed_item.title_tokens` (unmarked) instead.
TITLE_MARK = "\ue000"


def _marked(term: Term) -> Term:
    return Term(tuple(TITLE_MARK + token for token in term.tokens), term.prefix)


def fts5_title_query(term: Term, terms: tuple[Term, ...] = ()) -> str:
    """An FTS5 MATCH expression: the term in the title; with several `terms` (the whole search), only
    among their matches, so a common word's titles are not all walked (36,954 for 청년 beside 2,000
    matches of 청년 공연 at 1,000,000 items)."""
    in_title = _fts5_phrase(_marked(term))
    return f"({fts5_query(terms)}) AND {in_title}" if len(terms) > 1 else in_title


def fts5_title_all_query(terms: tuple[Term, ...]) -> str:
    """An FTS5 MATCH expression: every term in the title."""
    return fts5_query(tuple(_marked(term) for term in terms))


def tsquery_term(term: Term) -> str:
    """One term as a PostgreSQL `to_tsquery('simple', …)` expression."""
    return "(" + " <-> ".join("'" + t + "'" for t in term.tokens) + (":*" if term.prefix else "") + ")"


def tsquery(terms: tuple[Term, ...]) -> str:
    """The same search as a PostgreSQL `to_tsquery('simple', …)` expression."""
    return " & ".join(tsquery_term(term) for term in terms)


# SQLite's FTS5 rowid for an item (migration 0008): whole seconds of posted_at, then the id, so the index
# hands out matches newest first. Ids stay below 2³¹ and seconds below 2³² (the year 2106).
SEARCH_KEY_SHIFT = 31
SEARCH_KEY_ID_MASK = (1 << SEARCH_KEY_SHIFT) - 1


def search_key(posted_at: datetime, item_id: int) -> int:
    """What the triggers store: `strftime('%s', posted_at) * 2³¹ + id`."""
    return (math.floor(posted_at.timestamp()) << SEARCH_KEY_SHIFT) + item_id
