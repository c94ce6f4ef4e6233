"""Derived token view of a document text.

Tokens are never stored: they are computed from the text on demand. A token is a
maximal run of word characters (``\\w``) or a single other non-space character, so
every span that respects word boundaries starts and ends on token boundaries.
"""

from __future__ import annotations

import re

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")


def is_word_char(char: str) -> bool:
    """Return True if ``char`` is a word character in the ``\\w`` sense."""
    return char.isalnum() or char == "_"


def token_offsets(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the half-open ``(start, end)`` offsets of the tokens in ``text[start:end]``."""
    stop = len(text) if end is None else end
    return [m.span() for m in TOKEN_PATTERN.finditer(text, start, stop)]


def starts_inside_word(text: str, start: int) -> bool:
    """Return True if offset ``start`` falls between two word characters."""
    return 0 < start < len(text) and is_word_char(text[start - 1]) and is_word_char(text[start])


def ends_inside_word(text: str, end: int) -> bool:
    """Return True if offset ``end`` falls between two word characters."""
    return 0 < end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end])
