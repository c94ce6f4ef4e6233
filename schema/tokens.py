"""Derived token view of a document text.

Tokens are never stored: they are computed from the text on demand. A token is a
maximal run of word characters (``\\w``) or a single other non-space character, so
every span that respects word boundaries starts and ends on token boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")

_WORD_PAIR = re.compile(r"\w\w")
"""Two word characters: ``\\w`` is exactly :func:`is_word_char` (``isalnum()`` or ``_``)."""


def is_word_char(char: str) -> bool:
    """Return True if ``char`` is a word character in the ``\\w`` sense."""
    return char.isalnum() or char == "_"


def token_offsets(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the half-open ``(start, end)`` offsets of the tokens in ``text[start:end]``."""
    stop = len(text) if end is None else end
    return [m.span() for m in TOKEN_PATTERN.finditer(text, start, stop)]


def _between_word_chars(text: str, offset: int) -> bool:
    """Return True if ``text[offset - 1]`` and ``text[offset]`` are both word characters.

    One bounded regex match instead of two Python-level character tests.
    """
    return 0 < offset < len(text) and _WORD_PAIR.match(text, offset - 1, offset + 1) is not None


def starts_inside_word(text: str, start: int) -> bool:
    """Return True if offset ``start`` falls between two word characters."""
    return _between_word_chars(text, start)


def ends_inside_word(text: str, end: int) -> bool:
    """Return True if offset ``end`` falls between two word characters."""
    return _between_word_chars(text, end)


def any_inside_word(text: str, offsets: Iterable[int]) -> bool:
    """Return True if any offset falls between two word characters.

    The same as ``any(starts_inside_word(text, o) for o in offsets)`` for integer
    offsets, in one regex search: the two characters around each offset, joined by
    spaces, hold two adjacent word characters only where an offset is inside a word.
    """
    pairs = [text[offset - 1 : offset + 1] for offset in offsets if offset > 0]
    return _WORD_PAIR.search(" ".join(pairs)) is not None
