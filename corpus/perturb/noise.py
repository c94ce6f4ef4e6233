"""Surface noise that leaves every annotation in place: casing and typos."""

from __future__ import annotations

import random
import re
from bisect import bisect_right

from newsbench.corpus.perturb.edits import Edit, EditScript
from newsbench.corpus.perturb.transfer import annotated_spans
from newsbench.schema.model import Document

TYPO_RATE = 0.1
"""The share of eligible words (outside every annotated span) that get one typo."""

TYPO_MIN_LETTERS = 4
"""Shorter words are never touched (a typo in "of" reads as another word)."""

_WORD = re.compile(r"[^\W\d_]+")


def casing_script(text: str, mode: str) -> EditScript:
    """Lower- or upper-case every character whose changed case is one character.

    The few characters whose case form is longer (``"ß".upper()`` is ``"SS"``) are
    kept as they are, so every offset stays where it was.
    """
    convert = str.lower if mode == "lowercase" else str.upper
    edits = []
    for index, char in enumerate(text):
        changed = convert(char)
        if changed != char and len(changed) == 1:
            edits.append(Edit(index, index + 1, changed))
    return EditScript(edits, len(text))


def eligible_words(document: Document) -> list[tuple[int, int]]:
    """Words of at least :data:`TYPO_MIN_LETTERS` letters that overlap no annotated span."""
    covered = sorted(annotated_spans(document))
    starts = [start for start, _ in covered]
    reach: list[int] = []  # the furthest end among spans starting at or before each one
    furthest = -1
    for _, end in covered:
        furthest = max(furthest, end)
        reach.append(furthest)
    words = []
    for match in _WORD.finditer(document.text):
        start, end = match.span()
        if end - start < TYPO_MIN_LETTERS:
            continue
        index = bisect_right(starts, end - 1) - 1  # spans starting before the word ends
        if index >= 0 and reach[index] > start:
            continue
        words.append((start, end))
    return words


def typo_script(document: Document, *, seed: int, rate: float = TYPO_RATE) -> EditScript:
    """Seeded typos (swap two letters, drop one, double one) in eligible words only."""
    rng = random.Random(f"typos:{seed}:{document.id}")
    text = document.text
    edits = []
    for start, end in eligible_words(document):
        if rng.random() >= rate:
            continue
        word = text[start:end]
        kind = rng.choice(("swap", "drop", "double"))
        # never the first letter: it keeps the word recognisable and its case
        position = rng.randrange(1, len(word) - 1)
        if kind == "swap" and word[position] != word[position + 1]:
            edits.append(
                Edit(start + position, start + position + 2, word[position + 1] + word[position])
            )
        elif kind == "double" or kind == "swap":
            edits.append(Edit(start + position, start + position + 1, word[position] * 2))
        else:
            edits.append(Edit(start + position, start + position + 1, ""))
    return EditScript(edits, len(text))
