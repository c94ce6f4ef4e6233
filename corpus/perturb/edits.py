"""Edit scripts over a text, and the exact map of spans through them.

An :class:`EditScript` is a sorted list of non-overlapping replacements
``[start, end) -> replacement`` over one original text. Applying it gives the new
text; :meth:`EditScript.map_span` gives where any original half-open span lies in the
new text, without searching; :meth:`EditScript.inverse` is the script from the new
text back to the original, so mapping through it recovers every original span.

A span keeps an edit that lies wholly inside it (the span's text changes) and leaves
out an edit wholly outside it. An edit that covers a span boundary from both sides
cannot be mapped and raises :class:`SpanCrossesEdit`; an insertion (an empty
replaced range) exactly at a boundary lies outside the span.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass


class SpanCrossesEdit(ValueError):
    """A span boundary falls strictly inside an edit: the span has no image."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` (half-open) by ``replacement``."""

    start: int
    end: int
    replacement: str

    @property
    def delta(self) -> int:
        """How much longer the text gets."""
        return len(self.replacement) - (self.end - self.start)


class EditScript:
    """Non-overlapping edits over one text, applied all at once."""

    __slots__ = ("_cumulative", "_ends", "_starts", "edits", "length")

    def __init__(self, edits: Iterable[Edit], length: int) -> None:
        """Check and sort ``edits`` over a text of ``length`` characters.

        Raises:
            ValueError: an edit outside the text, reversed, or overlapping another
                (two insertions at one position also overlap: order would be a guess).
        """
        ordered = sorted(edits, key=lambda e: (e.start, e.end))
        previous_end = 0
        previous: Edit | None = None
        for edit in ordered:
            if not 0 <= edit.start <= edit.end <= length:
                raise ValueError(f"edit {edit} lies outside a text of {length} characters")
            if previous is not None and (
                edit.start < previous_end or (edit.start == previous.start == previous.end)
            ):
                raise ValueError(f"edits {previous} and {edit} overlap")
            previous_end, previous = edit.end, edit
        self.edits: tuple[Edit, ...] = tuple(ordered)
        self.length = length
        self._starts = [e.start for e in self.edits]
        self._ends = [e.end for e in self.edits]
        running = 0
        self._cumulative = [0]
        for edit in self.edits:
            running += edit.delta
            self._cumulative.append(running)

    def __len__(self) -> int:
        return len(self.edits)

    def apply(self, text: str) -> str:
        """The edited text."""
        if len(text) != self.length:
            raise ValueError(
                f"the script is for a text of {self.length} characters, not {len(text)}"
            )
        pieces: list[str] = []
        position = 0
        for edit in self.edits:
            pieces.append(text[position : edit.start])
            pieces.append(edit.replacement)
            position = edit.end
        pieces.append(text[position:])
        return "".join(pieces)

    def _check_boundary(self, position: int) -> None:
        index = bisect_right(self._starts, position - 1) - 1  # last edit starting before position
        if index >= 0 and self._ends[index] > position:
            raise SpanCrossesEdit(
                f"offset {position} falls inside the edit {self.edits[index]}: "
                "the span boundary has no image in the new text"
            )

    def map_start(self, position: int) -> int:
        """Where a span starting at ``position`` starts in the new text."""
        self._check_boundary(position)
        # every edit ending at or before the position shifts it (insertions there included)
        return position + self._cumulative[bisect_right(self._ends, position)]

    def map_end(self, position: int) -> int:
        """Where a span ending at ``position`` ends in the new text."""
        self._check_boundary(position)
        # edits ending before the position, and replacements ending at it; not insertions at it
        count = bisect_left(self._ends, position)
        while count < len(self.edits) and self._ends[count] == position:
            if self._starts[count] == position:
                break
            count += 1
        return position + self._cumulative[count]

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """The image of the half-open span ``[start, end)`` in the new text.

        Raises:
            SpanCrossesEdit: a boundary falls strictly inside an edit.
        """
        if not 0 <= start <= end <= self.length:
            raise ValueError(
                f"span [{start}, {end}) lies outside a text of {self.length} characters"
            )
        new_start = self.map_start(start)
        new_end = self.map_end(end) if end != start else new_start
        return new_start, new_end

    def inverse(self, text: str) -> EditScript:
        """The script that takes the new text back to ``text`` (the original).

        Mapping a span through the script and then through its inverse gives the span
        back, unless a deletion sits at the span's own edge inside it (the new text
        keeps no trace of which side it was on; no perturbation makes one).
        """
        new_length = self.length + self._cumulative[-1]
        inverse_edits = [
            Edit(
                edit.start + self._cumulative[index],
                edit.start + self._cumulative[index] + len(edit.replacement),
                text[edit.start : edit.end],
            )
            for index, edit in enumerate(self.edits)
        ]
        return EditScript(inverse_edits, new_length)
