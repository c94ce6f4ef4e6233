"""Align strings returned by a language model back to character offsets.

A model is asked for strings copied from the text, never for offsets. This
module finds each string in the document and returns exact Python ``str``
offsets, or says why it cannot. Nothing is snapped silently:

1. **Exact** occurrences of the string in the search window.
2. Only if there is none: **normalised** occurrences, ignoring case, treating
   every run of whitespace as one space and folding typographic quotes and
   dashes to their ASCII forms. The match is mapped back to the original
   offsets through a per-character index map, so the span is the document's own
   text (``text[start:end]``), not the model's spelling.
3. Occurrences that start or end inside a word ("Syria" in "Syrian") are
   rejected.
4. Among several occurrences: the one whose surroundings best match the
   returned ``context`` string (the characters shared on each side of the
   string, then word overlap); on a tie, the one nearest to a given anchor span;
   then the first occurrence not yet taken, so that the k-th request for the
   same string takes the k-th occurrence.

A string that is not found, is found only inside words, or whose occurrences
are all taken is reported as an :class:`Unaligned` result with the reason.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newsbench.schema.tokens import ends_inside_word, starts_inside_word

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Return ``text`` lowercased, whitespace runs collapsed, quotes and dashes folded."""
    return " ".join(text.translate(_FOLD).lower().split())


@dataclass(frozen=True, slots=True)
class Alignment:
    """A string found in the text: ``text == document_text[start:end]``.

    ``method`` is ``exact`` or ``normalised``; ``choices`` is how many valid,
    untaken occurrences there were to choose from.
    """

    start: int
    end: int
    text: str
    method: str
    choices: int = 1


@dataclass(frozen=True, slots=True)
class Unaligned:
    """A string that could not be aligned, with the reason."""

    query: str
    reason: str


@dataclass(frozen=True, slots=True)
class UnalignedItem:
    """One item (or part of an item) of a model answer that was not used.

    Attributes:
        layer: ``mentions``, ``time_expressions``, ``events``, ``attributions``,
            or ``response`` for a whole answer that could not be used.
        chunk: The index of the chunk (paragraph group) the answer was for.
        index: The item's position in the answer's list (``None`` for a whole answer).
        field: What was not used, e.g. ``text``, ``type``, ``arguments[1]``, ``json``.
        value: The returned string (shortened).
        reason: Why it was not used.
        dropped: ``item`` (nothing was created), ``field`` (the item was kept
            without this label) or ``argument`` (the event was kept without it).
    """

    layer: str
    chunk: int
    index: int | None
    field: str
    value: str
    reason: str
    dropped: str = "item"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "layer": self.layer,
            "chunk": self.chunk,
            "index": self.index,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
            "dropped": self.dropped,
        }


@dataclass(slots=True)
class AlignmentReport:
    """What became of one document's model answers.

    Attributes:
        document_id: The document.
        chunks: How many requests (paragraph groups) were sent.
        failed_chunks: How many answers could not be used at all.
        returned: How many items the model returned (over all layers).
        aligned: How many items became annotations.
        methods: How many strings aligned by each method (``exact``, ``normalised``).
        unaligned: Every item or part that was not used, with the reason.
    """

    document_id: str
    chunks: int = 0
    failed_chunks: int = 0
    returned: int = 0
    aligned: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    unaligned: list[UnalignedItem] = field(default_factory=list)

    def add(self, item: UnalignedItem) -> None:
        """Record one unused item or part."""
        self.unaligned.append(item)

    def count_method(self, alignment: Alignment) -> None:
        """Count one aligned string by its method."""
        self.methods[alignment.method] = self.methods.get(alignment.method, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "document_id": self.document_id,
            "chunks": self.chunks,
            "failed_chunks": self.failed_chunks,
            "returned": self.returned,
            "aligned": self.aligned,
            "methods": dict(sorted(self.methods.items())),
            "unaligned": [item.to_dict() for item in self.unaligned],
        }

    def summary(self) -> str:
        """Return a one-line summary, e.g. for ``newsbench run``."""
        dropped = sum(1 for u in self.unaligned if u.dropped == "item")
        return (
            f"{self.document_id}: {self.aligned}/{self.returned} items aligned, "
            f"{dropped} dropped, {len(self.unaligned) - dropped} labels/arguments dropped, "
            f"{self.failed_chunks}/{self.chunks} answers unusable"
        )


def merge_reports(reports: Iterable[AlignmentReport]) -> AlignmentReport:
    """Sum several documents' reports into one (``document_id`` ``*``)."""
    total = AlignmentReport("*")
    for report in reports:
        total.chunks += report.chunks
        total.failed_chunks += report.failed_chunks
        total.returned += report.returned
        total.aligned += report.aligned
        for method, count in report.methods.items():
            total.methods[method] = total.methods.get(method, 0) + count
        total.unaligned.extend(report.unaligned)
    return total


def span_distance(start: int, end: int, anchor: tuple[int, int]) -> int:
    """Return the gap in characters between ``[start, end)`` and ``anchor`` (0 if they touch)."""
    return max(0, anchor[0] - end, start - anchor[1])


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class TextAligner:
    """Find strings in one document text; remembers which occurrences are taken.

    Args:
        text: The document text.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        chars: list[str] = []
        index: list[int] = []
        in_space = False
        for i, char in enumerate(text):
            if char.isspace():
                if not in_space:
                    chars.append(" ")
                    index.append(i)
                in_space = True
                continue
            in_space = False
            for folded in char.translate(_FOLD).lower():
                chars.append(folded)
                index.append(i)
        self._norm = "".join(chars)
        self._index = index
        self._taken: dict[str, set[tuple[int, int]]] = {}

    # --- occurrences ---------------------------------------------------------------

    def _exact(self, query: str, lo: int, hi: int) -> list[tuple[int, int]]:
        found = []
        at = self.text.find(query, lo, hi)
        while at >= 0:
            found.append((at, at + len(query)))
            at = self.text.find(query, at + 1, hi)
        return found

    def _normalised(self, query: str, lo: int, hi: int) -> list[tuple[int, int]]:
        needle = fold(query)
        if not needle:
            return []
        index = self._index
        nlo = bisect.bisect_left(index, lo)
        nhi = bisect.bisect_left(index, hi)
        found = []
        at = self._norm.find(needle, nlo, nhi)
        while at >= 0:
            stop = at + len(needle)
            # Reject matches that begin or end inside one character's case folding.
            whole = (at == 0 or index[at - 1] != index[at]) and (
                stop == len(index) or index[stop] != index[stop - 1]
            )
            if whole:
                found.append((index[at], index[stop - 1] + 1))
            at = self._norm.find(needle, at + 1, nhi)
        return found

    def _on_word_boundaries(self, span: tuple[int, int]) -> bool:
        start, end = span
        return not (starts_inside_word(self.text, start) or ends_inside_word(self.text, end))

    # --- choosing --------------------------------------------------------------------

    def _context_score(self, span: tuple[int, int], query: str, context: str) -> tuple[int, int]:
        """Score how well the text around ``span`` matches ``context``.

        The first number is the count of characters shared with the context on the
        left and on the right of the string (when the context contains the string);
        the second counts the context's words found near the span.
        """
        index = self._index
        nstart = bisect.bisect_left(index, span[0])
        nend = bisect.bisect_left(index, span[1])
        needle = fold(query)
        ctx = fold(context)
        anchored = 0
        at = ctx.find(needle) if needle else -1
        while at >= 0:
            before = self._norm[max(0, nstart - at) : nstart]
            left = _common_prefix(before[::-1], ctx[:at][::-1])
            right = _common_prefix(self._norm[nend:], ctx[at + len(needle) :])
            anchored = max(anchored, left + right)
            at = ctx.find(needle, at + 1)
        reach = len(ctx) + 1
        window = self._norm[max(0, nstart - reach) : nend + reach]
        overlap = len(set(_WORD.findall(ctx)) & set(_WORD.findall(window)))
        return anchored, overlap

    def align(
        self,
        query: str,
        *,
        context: str | None = None,
        near: tuple[int, int] | None = None,
        window: tuple[int, int] | None = None,
        namespace: str | None = None,
        take: bool = True,
    ) -> Alignment | Unaligned:
        """Align one returned string.

        Args:
            query: The string as the model returned it.
            context: A few words around the string, as the model returned them.
            near: Prefer occurrences nearest to this span (after the context).
            window: Search only ``text[window[0]:window[1]]`` (offsets stay absolute).
            namespace: Take the chosen occurrence in this namespace, so that a later
                request for the same string gets the next occurrence; ``None``
                takes nothing (lookups such as event arguments).
            take: If False, skip taken occurrences but take nothing yet (call
                :meth:`take` once the item is accepted).

        Returns:
            An :class:`Alignment`, or an :class:`Unaligned` with the reason.
        """
        if not isinstance(query, str) or not query.strip():
            return Unaligned(str(query), "empty string")
        lo, hi = window if window is not None else (0, len(self.text))
        stripped = query.strip()
        method = "exact"
        found = self._exact(stripped, lo, hi)
        valid = [span for span in found if self._on_word_boundaries(span)]
        if not valid:
            method = "normalised"
            loose = self._normalised(stripped, lo, hi)
            valid = [span for span in loose if self._on_word_boundaries(span)]
            found = found or loose
        if not valid:
            if found:
                return Unaligned(query, "occurs only inside words (would split a word)")
            return Unaligned(query, "not found in the text")
        taken = self._taken.setdefault(namespace, set()) if namespace is not None else set()
        if context:
            scores = {span: self._context_score(span, stripped, context) for span in valid}
            best = max(scores.values())
            leaders = [span for span in valid if scores[span] == best]
            if best != (0, 0) and len(leaders) == 1 and leaders[0] in taken:
                return Unaligned(
                    query, "its context points at an occurrence already taken (a duplicate?)"
                )
            if best != (0, 0):
                valid = [span for span in leaders if span not in taken] or [
                    span for span in valid if span not in taken
                ]
        free = [span for span in valid if span not in taken]
        if not free:
            return Unaligned(query, f"all {len(valid)} occurrence(s) already taken (a duplicate?)")
        choices = len(free)
        if near is not None:
            nearest = min(span_distance(s, e, near) for s, e in free)
            free = [span for span in free if span_distance(*span, near) == nearest]
        start, end = free[0]
        if namespace is not None and take:
            taken.add((start, end))
        return Alignment(start, end, self.text[start:end], method, choices)

    def take(self, namespace: str, start: int, end: int) -> None:
        """Mark ``[start, end)`` as taken in ``namespace``."""
        self._taken.setdefault(namespace, set()).add((start, end))
