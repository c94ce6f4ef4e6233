"""Per-unit sufficient statistics shared by every layer scorer.

Every metric the harness reports is a precision and a recall, each a ratio of
sums: ``P = sum(p_num) / sum(p_den)``, ``R = sum(r_num) / sum(r_den)``. A layer
scorer aligns one document, then credits each **gold** item to the recall side
of the unit (sentence) it starts in and each **predicted** item to the precision
side of its unit. Summing the units of a document gives exactly the document's
counts, however the units are drawn, so corpus scores (micro: sums over all
units) and bootstrap resamples (sums over resampled units) come from the same
table without re-scoring. Accuracies are the special case ``p = r``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from newsbench.schema.model import Document

UnitKind = Literal["sentence", "document"]
PR_COLUMNS: tuple[str, str, str, str] = ("p_num", "p_den", "r_num", "r_den")
P_NUM, P_DEN, R_NUM, R_DEN = range(4)


@dataclass(frozen=True, slots=True)
class UnitIndex:
    """Maps character offsets of one document to resampling units.

    With ``kind="sentence"`` the units are the gold sentences (an offset before
    the first sentence belongs to the first); with ``kind="document"`` there is
    one unit.
    """

    kind: UnitKind
    starts: tuple[int, ...]

    @classmethod
    def for_document(cls, gold: Document, kind: UnitKind) -> UnitIndex:
        """Build the index of ``gold`` (sentence units need gold sentences)."""
        if kind == "document" or not gold.sentences:
            return cls("document" if kind == "document" else "sentence", (0,))
        return cls(kind, tuple(sorted(s.start for s in gold.sentences)))

    def __len__(self) -> int:
        return len(self.starts)

    def unit_of(self, offset: int) -> int:
        """Return the unit holding character ``offset``."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)


BlockDocument = tuple[Document, Document | None, UnitIndex]
"""A document of a block scorer: ``(gold, prediction, units)``; prediction ``None``: the
document is not scored (its gold lacks the layer)."""


class MetricTable:
    """Per-unit ``(p_num, p_den, r_num, r_den)`` counts of named metrics for one document.

    Counts accumulate in plain Python lists (one flat list of ``4 * n_units`` floats per
    metric: per-item numpy scalar updates cost more than the scoring itself); the
    ``arrays`` view converts them once. The additions happen in the same order as
    before, so every value is bit-identical to a float64 numpy accumulation.
    """

    __slots__ = ("_rows", "n_units")

    def __init__(self, n_units: int) -> None:
        self.n_units = n_units
        self._rows: dict[str, list[float]] = {}

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """``metric -> (n_units, 4)`` float64 array (a fresh conversion on every access)."""
        return {
            metric: np.array(row, dtype=np.float64).reshape(self.n_units, 4)
            for metric, row in self._rows.items()
        }

    @property
    def rows(self) -> dict[str, list[float]]:
        """``metric -> flat list`` ``[p_num, p_den, r_num, r_den] * n_units`` (live, no copy)."""
        return self._rows

    def _row(self, metric: str) -> list[float]:
        row = self._rows.get(metric)
        if row is None:
            row = self._rows[metric] = [0.0] * (4 * self.n_units)
        return row

    def declare(self, *metrics: str) -> None:
        """Make sure ``metrics`` exist (all zero) so that 0/0 is reported, not omitted."""
        rows, size = self._rows, 4 * self.n_units
        for metric in metrics:
            if metric not in rows:
                rows[metric] = [0.0] * size

    def gold(self, metric: str, unit: int, credit: float, weight: float = 1.0) -> None:
        """Count a gold item: ``r_num += credit``, ``r_den += weight``."""
        row = self._rows.get(metric) or self._row(metric)
        i = 4 * unit
        row[i + R_NUM] += credit
        row[i + R_DEN] += weight

    def pred(self, metric: str, unit: int, credit: float, weight: float = 1.0) -> None:
        """Count a predicted item: ``p_num += credit``, ``p_den += weight``."""
        row = self._rows.get(metric) or self._row(metric)
        i = 4 * unit
        row[i + P_NUM] += credit
        row[i + P_DEN] += weight

    def both(self, metric: str, unit: int, credit: float, weight: float = 1.0) -> None:
        """Count an item on both sides (accuracies: ``P = R``)."""
        row = self._rows.get(metric) or self._row(metric)
        i = 4 * unit
        row[i + R_NUM] += credit
        row[i + R_DEN] += weight
        row[i + P_NUM] += credit
        row[i + P_DEN] += weight

    def add_totals(self, metric: str, unit: int, counts: Iterable[float]) -> None:
        """Add a whole ``(p_num, p_den, r_num, r_den)`` vector to one unit."""
        row = self._row(metric)
        i = 4 * unit
        for k, value in enumerate(counts):
            row[i + k] += float(value)

    def merge(self, other: MetricTable) -> None:
        """Add another table over the same units into this one."""
        if other.n_units != self.n_units:
            raise ValueError("cannot merge tables over different units")
        for metric, values in other._rows.items():
            row = self._row(metric)
            for k, value in enumerate(values):
                row[k] += value


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One error for the error-analysis listing.

    ``kind`` is one of ``missed``, ``spurious``, ``boundary``, ``type``,
    ``boundary+type``, ``value``, ``role``, ``realis``, ``content-overlap`` ...;
    offsets are half-open; ``context`` is the surrounding text.
    """

    layer: str
    kind: str
    document: str
    gold: tuple[int, int] | None
    pred: tuple[int, int] | None
    gold_label: str | None
    pred_label: str | None
    gold_text: str | None
    pred_text: str | None
    context: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "layer": self.layer,
            "kind": self.kind,
            "document": self.document,
            "gold": list(self.gold) if self.gold else None,
            "pred": list(self.pred) if self.pred else None,
            "gold_label": self.gold_label,
            "pred_label": self.pred_label,
            "gold_text": self.gold_text,
            "pred_text": self.pred_text,
            "context": self.context,
            "note": self.note,
        }


def context_of(text: str, start: int, end: int, width: int = 40) -> str:
    """Return ``text`` around ``[start, end)`` with the span in ``[[...]]``."""
    left = text[max(0, start - width) : start].replace("\n", " ")
    right = text[end : end + width].replace("\n", " ")
    return f"{left}[[{text[start:end]}]]{right}"


@dataclass
class LayerResult:
    """What a layer scorer returns for one document.

    Attributes:
        table: Per-unit PR counts of every metric of the layer.
        details: Mergeable extras (e.g. SemEval counts); merged by the harness with ``+``.
        errors: The error-analysis records.
    """

    table: MetricTable
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorRecord] = field(default_factory=list)


def prf_from_totals(totals: np.ndarray, zero_division: float = 0.0) -> tuple[float, float, float]:
    """Return ``(P, R, F1)`` from summed ``(p_num, p_den, r_num, r_den)``.

    A zero denominator gives ``zero_division`` for that ratio; F1 is
    ``zero_division`` when both denominators are 0, and 0 when ``P + R = 0``.
    """
    p_num, p_den, r_num, r_den = (float(x) for x in totals)
    precision = p_num / p_den if p_den else zero_division
    recall = r_num / r_den if r_den else zero_division
    if not p_den and not r_den:
        return precision, recall, zero_division
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def merge_details(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    """Merge mergeable detail objects (anything supporting ``+``)."""
    for key, value in other.items():
        into[key] = value if key not in into else into[key] + value
