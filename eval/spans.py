"""Span matching and entity span scoring (SemEval-2013 Task 9.1 schemes, as in nervaluate).

Offsets are half-open ``[start, end)`` Python ``str`` indices. Two spans overlap iff
``a.start < b.end and b.start < a.end``; adjacent spans (``a.end == b.start``) do not.

Matching is optimal, one-to-one and independent of input order. Among all one-to-one
alignments of overlapping (gold, pred) pairs, :func:`match_spans` picks the one that
maximises, lexicographically:

1. the number of pairs with identical boundaries and label (strict matches);
2. the number of pairs with identical boundaries (exact matches);
3. the number of pairs with the same label (type matches);
4. the number of aligned pairs;
5. the total overlap in characters;

and breaks the remaining ties canonically: both sides are sorted by
``(start, end, label)`` before solving, so the result depends only on the two multisets
of spans. Level 1 is solved directly (identical spans are interchangeable); levels 2-5
are encoded as integer weights and solved with :func:`scipy.optimize.linear_sum_assignment`
on each connected component of the gold/pred overlap graph, found by an interval sweep
(very large components use the sparse LAPJVsp solver instead of a dense matrix).

The four schemes are views of that single alignment. For an aligned pair:

======== ============================ ============================
scheme   correct (COR) when           otherwise
======== ============================ ============================
strict   same boundaries and label    INC
exact    same boundaries              INC
partial  same boundaries              PAR (half credit)
type     same label                   INC
======== ============================ ============================

An unaligned gold span is MIS and an unaligned prediction SPU in every scheme.
POS = COR+INC+PAR+MIS and ACT = COR+INC+PAR+SPU.

Per-type attribution: an aligned pair counts (COR/INC/PAR) under the *gold* label, a
missed span under its gold label and a spurious span under its predicted label, so the
per-type counts sum exactly to the overall counts and per-type POS is the gold support.
"""

from __future__ import annotations

import difflib
import math
import operator
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from types import MappingProxyType

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from newsbench.eval.bipartite import split_lone_edges
from newsbench.schema.io import gc_paused

__all__ = [
    "COUNT_NAMES",
    "PRF",
    "SCHEMES",
    "Counts",
    "Matching",
    "SchemeCounts",
    "SchemeScores",
    "Span",
    "SpanScoringError",
    "corpus_semeval_counts",
    "counts_from_matching",
    "match_keys",
    "match_spans",
    "prf",
    "scheme_counts_from_keys",
    "semeval_counts",
    "semeval_scores",
    "unknown_label_message",
]

SCHEMES: tuple[str, ...] = ("strict", "exact", "partial", "type")
"""The four SemEval-2013 Task 9.1 schemes (nervaluate calls ``type`` ``ent_type``)."""

COUNT_NAMES: tuple[str, ...] = ("cor", "inc", "par", "mis", "spu")
"""Field names of :class:`Counts`: correct, incorrect, partial, missed, spurious."""

_PARTIAL_CREDIT_SCHEMES = frozenset({"partial", "type"})

# A component whose dense weight matrix would exceed this many cells is solved with the
# sparse LAPJVsp solver instead of a dense matrix (e.g. a prediction layer shifted by one
# token that chains thousands of gold spans into a single component).
_DENSE_CELL_LIMIT = 1_000_000

# Integer weights must stay exactly representable in float64 (with headroom for the
# solver's sums of potentials).
_EXACT_FLOAT_LIMIT = 2**50


class SpanScoringError(ValueError):
    """Invalid span, label or parameter in span matching or scoring."""


def unknown_label_message(label: str, allowed: Iterable[str], where: str = "") -> str:
    """Return an error message for ``label`` naming the allowed labels and a close match.

    Args:
        label: The offending label.
        allowed: The allowed labels (the schema's label set).
        where: Optional context appended after the label, e.g. ``" in gold span ..."``.
    """
    allowed_sorted = sorted(allowed)
    message = f"unknown label {label!r}{where}; allowed labels: {allowed_sorted}"
    by_folded = {name.casefold(): name for name in allowed_sorted}
    close = difflib.get_close_matches(label.casefold(), list(by_folded), n=1, cutoff=0.6)
    if close:
        message += f"; did you mean {by_folded[close[0]]!r}?"
    return message


def _as_offset(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"span {name} must be an integer offset, got {value!r}")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"span {name} must be an integer offset, got {type(value).__name__} {value!r}"
        ) from None


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A labelled half-open character span ``[start, end)``.

    Spans order by ``(start, end, label)``, the canonical order used for tie-breaking.

    Raises:
        TypeError: If an offset is not an integer or the label is not a string.
        SpanScoringError: If ``start < 0``, ``end <= start`` or the label is empty.
    """

    start: int
    end: int
    label: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _as_offset(self.start, "start"))
        object.__setattr__(self, "end", _as_offset(self.end, "end"))
        if not isinstance(self.label, str):
            raise TypeError(f"span label must be a str, got {type(self.label).__name__}")
        if self.start < 0:
            raise SpanScoringError(f"span start must be >= 0, got {self.start} in {self!r}")
        if self.end <= self.start:
            raise SpanScoringError(
                f"span end must be greater than start (offsets are half-open [start, end)), "
                f"got {self!r}"
            )
        if not self.label:
            raise SpanScoringError(f"span label must be a non-empty string, got {self!r}")

    @property
    def length(self) -> int:
        """Number of characters covered."""
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        """Return True if the two half-open spans share at least one character."""
        return self.start < other.end and other.start < self.end

    def overlap(self, other: Span) -> int:
        """Return the number of characters shared with ``other`` (0 if disjoint)."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True, slots=True)
class Matching:
    """A one-to-one alignment of gold and predicted spans.

    Attributes:
        pairs: Aligned ``(gold, pred)`` pairs; the two spans always overlap. Sorted.
        missed: Gold spans with no aligned prediction. Sorted.
        spurious: Predictions with no aligned gold span. Sorted.
    """

    pairs: tuple[tuple[Span, Span], ...]
    missed: tuple[Span, ...]
    spurious: tuple[Span, ...]


def _span_list(spans: Iterable[Span], side: str) -> list[Span]:
    if isinstance(spans, (str, bytes)):
        raise TypeError(f"{side} must be an iterable of Span, got {type(spans).__name__}")
    result = list(spans)
    if not all(map(isinstance, result, repeat(Span))):
        index, span = next((i, s) for i, s in enumerate(result) if not isinstance(s, Span))
        raise TypeError(f"{side}[{index}] must be a Span, got {type(span).__name__} {span!r}")
    return result


Key = tuple[int, int, str]
"""A span as a plain ``(start, end, label)`` tuple: orders and hashes like :class:`Span`."""

_span_key = operator.attrgetter("start", "end", "label")
"""``span -> (start, end, label)``: the :data:`Key` of a :class:`Span`."""
_key_label = operator.itemgetter(2)

# Up to this many overlap edges, components are found with a union-find in Python; above
# it, with scipy's connected_components (both give the same components).
_PYTHON_EDGE_LIMIT = 4096


def _overlap_edges(gold: list[Key], pred: list[Key]) -> tuple[list[int], list[int]]:
    """Return all overlapping (gold index, pred index) pairs of two start-sorted lists.

    Interval sweep in O(n + m + edges) after sorting: each new span overlaps exactly the
    still-open spans of the other side (they started no later and end after its start).
    Open spans are kept in lists and pruned when a span of the other side arrives: every
    span kept yields an edge and every span pruned leaves for good.
    """
    edge_gold: list[int] = []
    edge_pred: list[int] = []
    open_gold: list[int] = []
    open_pred: list[int] = []
    n_gold, n_pred = len(gold), len(pred)
    i = j = 0
    while i < n_gold or j < n_pred:
        if j == n_pred or (i < n_gold and gold[i][0] <= pred[j][0]):
            if open_pred:
                start = gold[i][0]
                open_pred = [p for p in open_pred if pred[p][1] > start]
                edge_gold.extend([i] * len(open_pred))
                edge_pred.extend(open_pred)
            open_gold.append(i)
            i += 1
        else:
            if open_gold:
                start = pred[j][0]
                open_gold = [g for g in open_gold if gold[g][1] > start]
                edge_gold.extend(open_gold)
                edge_pred.extend([j] * len(open_gold))
            open_pred.append(j)
            j += 1
    return edge_gold, edge_pred


def _solve_component(
    gold: list[Key], pred: list[Key], edge_gold: list[int], edge_pred: list[int]
) -> list[tuple[int, int]]:
    """Return the optimal (gold index, pred index) pairs of one multi-edge component.

    Integer weights encode levels 2-5 of the objective (exact in float64). Strict pairs
    were removed beforehand, so an exact-boundary pair always has different labels and
    levels 2 and 3 are exclusive per pair. Rows and columns follow the canonical (sorted)
    span order, so ties are broken the same way whatever the input order.
    """
    gold_ids = sorted(set(edge_gold))
    pred_ids = sorted(set(edge_pred))
    n, m = len(gold_ids), len(pred_ids)
    k = min(n, m)  # most pairs any matching can have
    total_overlap = min(
        sum(gold[i][1] - gold[i][0] for i in gold_ids),
        sum(pred[j][1] - pred[j][0] for j in pred_ids),
    )
    pair_unit = total_overlap + 1  # one more pair beats any total overlap
    type_unit = k * pair_unit + total_overlap + 1
    exact_unit = k * (type_unit + pair_unit) + total_overlap + 1
    overlap_weight = 1
    if k * (exact_unit + pair_unit + total_overlap) >= _EXACT_FLOAT_LIMIT:
        # Huge component: drop level 5 (overlap amount) to keep the weights exact.
        overlap_weight, pair_unit = 0, 1
        type_unit = k + 1
        exact_unit = k * (type_unit + 1) + 1
        if k * (exact_unit + 1) >= _EXACT_FLOAT_LIMIT:
            raise SpanScoringError(
                f"overlap component too large to match exactly ({n} gold x "
                f"{m} predicted spans chained by overlaps)"
            )
    row_of = {g: r for r, g in enumerate(gold_ids)}
    col_of = {p: c for c, p in enumerate(pred_ids)}
    rows = [row_of[g] for g in edge_gold]
    cols = [col_of[p] for p in edge_pred]
    weights = []
    for g, p in zip(edge_gold, edge_pred, strict=True):
        g_start, g_end, g_label = gold[g]
        p_start, p_end, p_label = pred[p]
        weight = pair_unit + overlap_weight * (min(g_end, p_end) - max(g_start, p_start))
        if g_start == p_start and g_end == p_end:
            weight += exact_unit
        elif g_label == p_label:
            weight += type_unit
        weights.append(float(weight))
    if n * m <= _DENSE_CELL_LIMIT:
        matrix = np.zeros((n, m), dtype=np.float64)
        matrix[rows, cols] = weights
        row_ind, col_ind = linear_sum_assignment(matrix, maximize=True)
        keep = matrix[row_ind, col_ind] > 0
        row_ind, col_ind = row_ind[keep], col_ind[keep]
    else:
        row_ind, col_ind = _solve_sparse(
            n,
            m,
            np.asarray(rows, dtype=np.intp),
            np.asarray(cols, dtype=np.intp),
            np.asarray(weights, dtype=np.float64),
        )
    return [
        (gold_ids[r], pred_ids[c]) for r, c in zip(row_ind.tolist(), col_ind.tolist(), strict=True)
    ]


def _solve_sparse(
    n: int, m: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-weight (not necessarily full) matching with the sparse LAPJVsp solver.

    Every node gets a dummy partner (weight 1) and every real edge (g, p) a twin edge
    between p's and g's dummies (weight 1), so each matching of t real edges extends to a
    perfect matching with n + m - t dummy edges: its weight plus the constant n + m.
    """
    e = len(rows)
    arange_n, arange_m = np.arange(n), np.arange(m)
    all_rows = np.concatenate([rows, arange_n, n + cols, n + arange_m])
    all_cols = np.concatenate([cols, m + arange_n, m + rows, arange_m])
    data = np.concatenate([weights + 1.0, np.ones(n + e + m)])
    graph = coo_matrix((data, (all_rows, all_cols)), shape=(n + m, m + n)).tocsr()
    row_ind, col_ind = min_weight_full_bipartite_matching(graph, maximize=True)
    keep = (row_ind < n) & (col_ind < m)
    return row_ind[keep], col_ind[keep]


def _components(n_gold: int, edge_gold: list[int], edge_pred: list[int]) -> list[int]:
    """Component label of every edge (gold node i is i, pred node j is n_gold + j)."""
    if len(edge_gold) > _PYTHON_EDGE_LIMIT:
        eg = np.asarray(edge_gold, dtype=np.intp)
        ep = np.asarray(edge_pred, dtype=np.intp)
        size = n_gold + int(ep.max()) + 1
        graph = coo_matrix((np.ones(len(eg)), (eg, n_gold + ep)), shape=(size, size))
        _, node_component = connected_components(graph, directed=False)
        return node_component[eg].tolist()
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:
            parent[x], x = root, parent[x]
        return root

    for g, p in zip(edge_gold, edge_pred, strict=True):
        a, b = find(g), find(n_gold + p)
        if a != b:
            parent[a] = b
    return [find(g) for g in edge_gold]


def _align(gold: list[Key], pred: list[Key]) -> list[tuple[int, int]]:
    """Optimal pairs (indices into the sorted lists) of spans without strict matches."""
    edge_gold, edge_pred = _overlap_edges(gold, pred)
    if not edge_gold:
        return []
    # A lone overlapping pair (both spans overlap nothing else) is a component with one
    # edge: nothing to choose. Only the other edges need components and the solver.
    pairs, linked = split_lone_edges(zip(edge_gold, edge_pred, strict=True))
    if not linked:
        return pairs
    shared_gold = [g for g, _ in linked]
    shared_pred = [p for _, p in linked]
    by_component: dict[int, list[int]] = {}
    for e, label in enumerate(_components(len(gold), shared_gold, shared_pred)):
        by_component.setdefault(label, []).append(e)
    for edges in by_component.values():
        pairs.extend(
            _solve_component(
                gold, pred, [shared_gold[e] for e in edges], [shared_pred[e] for e in edges]
            )
        )
    return pairs


def _repeats(keys: list[Key]) -> list[Key]:
    """Every occurrence of a key after its first, from a sorted list (``[]`` if all differ)."""
    return list(compress(keys[1:], map(operator.eq, keys, keys[1:])))


def _split_strict(gold: list[Key], pred: list[Key]) -> tuple[list[Key], list[Key], list[Key]]:
    """Pair identical spans (level 1 of the objective); return ``(strict, rest_gold, rest_pred)``.

    Identical spans are interchangeable, so pairing as many as possible is part of every
    lexicographically optimal matching. ``strict`` holds one key per strict pair; the
    unpaired rests are sorted (the canonical order the solver needs). Repeated spans are
    paired by multiplicity: a key ``k`` found ``g`` times in gold and ``p`` times in the
    predictions gives ``min(g, p)`` strict pairs, and the first occurrences are handled
    with set algebra, the (rare) repeats with small counters.
    """
    gold_set, pred_set = set(gold), set(pred)
    shared = gold_set & pred_set
    strict = sorted(shared)
    rest_gold, rest_pred = sorted(gold_set - shared), sorted(pred_set - shared)
    gold_repeated, pred_repeated = len(gold_set) < len(gold), len(pred_set) < len(pred)
    if not gold_repeated and not pred_repeated:
        return strict, rest_gold, rest_pred
    # A repeat pairs with a repeat of the same key on the other side (first occurrences
    # are paired above); what is left of them joins its side's rest.
    gold_repeats = Counter(_repeats(sorted(gold)) if gold_repeated else ())
    pred_repeats = Counter(_repeats(sorted(pred)) if pred_repeated else ())
    paired = gold_repeats & pred_repeats
    return (
        sorted([*strict, *paired.elements()]),
        sorted([*rest_gold, *(gold_repeats - paired).elements()]),
        sorted([*rest_pred, *(pred_repeats - paired).elements()]),
    )


def match_keys(
    gold: list[Key], pred: list[Key]
) -> tuple[list[tuple[Key, Key]], list[Key], list[Key]]:
    """:func:`match_spans` on ``(start, end, label)`` tuples (no checks; the fast path).

    Returns:
        ``(pairs, missed, spurious)``, each sorted, exactly as in :class:`Matching`.
    """
    strict, rest_gold, rest_pred = _split_strict(gold, pred)
    pairs: list[tuple[Key, Key]] = [(span, span) for span in strict]
    if not rest_gold or not rest_pred:
        return pairs, rest_gold, rest_pred
    gold_matched = [False] * len(rest_gold)
    pred_matched = [False] * len(rest_pred)
    for g, p in _align(rest_gold, rest_pred):
        pairs.append((rest_gold[g], rest_pred[p]))
        gold_matched[g] = pred_matched[p] = True
    pairs.sort()
    missed = [s for s, done in zip(rest_gold, gold_matched, strict=True) if not done]
    spurious = [s for s, done in zip(rest_pred, pred_matched, strict=True) if not done]
    return pairs, missed, spurious


def match_spans(gold: Iterable[Span], pred: Iterable[Span]) -> Matching:
    """Align gold and predicted spans one-to-one, optimally and order-independently.

    Only overlapping spans can be aligned. See the module docstring for the objective.

    Args:
        gold: Gold spans (may overlap, nest or repeat).
        pred: Predicted spans (may overlap, nest or repeat).

    Returns:
        The :class:`Matching`; it depends only on the multisets of spans.

    Raises:
        TypeError: If an element is not a :class:`Span`.
    """
    gold_list = _span_list(gold, "gold")
    pred_list = _span_list(pred, "pred")
    span_of: dict[Key, Span] = {}
    gold_keys = list(map(_span_key, gold_list))
    pred_keys = list(map(_span_key, pred_list))
    for key, span in zip(gold_keys + pred_keys, gold_list + pred_list, strict=True):
        span_of.setdefault(key, span)
    pairs, missed, spurious = match_keys(gold_keys, pred_keys)
    return Matching(
        pairs=tuple((span_of[g], span_of[p]) for g, p in pairs),
        missed=tuple(span_of[s] for s in missed),
        spurious=tuple(span_of[s] for s in spurious),
    )


@dataclass(frozen=True, slots=True)
class Counts:
    """SemEval counts for one scheme: correct, incorrect, partial, missed, spurious."""

    cor: int = 0
    inc: int = 0
    par: int = 0
    mis: int = 0
    spu: int = 0

    @property
    def pos(self) -> int:
        """Possible: COR + INC + PAR + MIS (the number of gold spans)."""
        return self.cor + self.inc + self.par + self.mis

    @property
    def act(self) -> int:
        """Actual: COR + INC + PAR + SPU (the number of predictions)."""
        return self.cor + self.inc + self.par + self.spu

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            self.cor + other.cor,
            self.inc + other.inc,
            self.par + other.par,
            self.mis + other.mis,
            self.spu + other.spu,
        )

    def is_zero(self) -> bool:
        """Return True if every count is zero."""
        return not (self.cor or self.inc or self.par or self.mis or self.spu)

    def as_dict(self) -> dict[str, int]:
        """Return the counts keyed ``COR``, ``INC``, ``PAR``, ``MIS``, ``SPU``, ``POS``, ``ACT``."""
        return {
            "COR": self.cor,
            "INC": self.inc,
            "PAR": self.par,
            "MIS": self.mis,
            "SPU": self.spu,
            "POS": self.pos,
            "ACT": self.act,
        }


_ZERO = Counts()


def _scheme_map(value: Mapping[str, Counts] | None) -> Mapping[str, Counts]:
    value = dict(value or {})
    unknown = set(value) - set(SCHEMES)
    if unknown:
        raise SpanScoringError(f"unknown scheme(s) {sorted(unknown)}; schemes are {list(SCHEMES)}")
    return MappingProxyType({scheme: value.get(scheme, _ZERO) for scheme in SCHEMES})


@dataclass(frozen=True, eq=False)
class SchemeCounts:
    """Overall and per-type :class:`Counts` for the four schemes; a sufficient statistic.

    Documents combine with ``+`` (``SchemeCounts()`` is the zero element, and ``sum``
    works without a start value); corpus scores come from the summed counts.

    Attributes:
        overall: ``scheme -> Counts``.
        by_type: ``label -> scheme -> Counts`` (labels with all-zero counts are omitted).
    """

    overall: Mapping[str, Counts] = field(default_factory=dict)
    by_type: Mapping[str, Mapping[str, Counts]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overall", _scheme_map(self.overall))
        by_type = {}
        for label in sorted(self.by_type):
            per_scheme = _scheme_map(self.by_type[label])
            if not all(c.is_zero() for c in per_scheme.values()):
                by_type[label] = per_scheme
        object.__setattr__(self, "by_type", MappingProxyType(by_type))

    @property
    def labels(self) -> tuple[str, ...]:
        """Sorted labels with at least one non-zero count."""
        return tuple(self.by_type)

    def for_type(self, label: str) -> Mapping[str, Counts]:
        """Return ``scheme -> Counts`` for ``label`` (all zero if the label never occurred)."""
        return self.by_type.get(label) or _scheme_map(None)

    def __add__(self, other: SchemeCounts) -> SchemeCounts:
        if not isinstance(other, SchemeCounts):
            return NotImplemented
        # Both operands are normalised already: merge without re-validating.
        mine, theirs = self.by_type, other.by_type
        by_type: dict[str, Mapping[str, Counts]] = {}
        for label in sorted(set(mine) | set(theirs)):
            a, b = mine.get(label), theirs.get(label)
            if a is None or b is None:
                by_type[label] = a if b is None else b  # type: ignore[assignment]
                continue
            merged = {s: a[s] + b[s] for s in SCHEMES}
            if not all(c.is_zero() for c in merged.values()):
                by_type[label] = MappingProxyType(merged)
        return _scheme_counts(
            MappingProxyType({s: self.overall[s] + other.overall[s] for s in SCHEMES}),
            MappingProxyType(by_type),
        )

    def __radd__(self, other: object) -> SchemeCounts:
        if isinstance(other, int) and other == 0:  # support sum(counts_list)
            return self
        return NotImplemented

    def __reduce__(self) -> tuple[object, ...]:
        # Mapping proxies do not pickle: rebuild from plain dicts (shards cross processes).
        return (
            SchemeCounts,
            (dict(self.overall), {label: dict(c) for label, c in self.by_type.items()}),
        )

    def _key(self) -> tuple[object, ...]:
        return (
            tuple(self.overall.items()),
            tuple((label, tuple(c.items())) for label, c in self.by_type.items()),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SchemeCounts):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def _scheme_counts(
    overall: Mapping[str, Counts], by_type: Mapping[str, Mapping[str, Counts]]
) -> SchemeCounts:
    """Build a :class:`SchemeCounts` from already normalised mappings (no re-validation)."""
    result = object.__new__(SchemeCounts)
    object.__setattr__(result, "overall", overall)
    object.__setattr__(result, "by_type", by_type)
    return result


# Index of (scheme, count name) in a flat row of 20 counts: scheme-major.
_COR, _INC, _PAR, _MIS, _SPU = range(5)


Outcome = tuple[str, bool, bool]
"""An aligned pair as counted: ``(gold label, same boundaries, same label)``."""


def _pair_outcomes(pairs: Iterable[tuple[Key, Key]]) -> Counter[Outcome]:
    return Counter((g[2], g[0] == p[0] and g[1] == p[1], g[2] == p[2]) for g, p in pairs)


def _scheme_counts_from_outcomes(
    outcomes: Mapping[Outcome, int], missed: Mapping[str, int], spurious: Mapping[str, int]
) -> SchemeCounts:
    """Build :class:`SchemeCounts` from aggregated pair outcomes and unaligned labels."""
    rows: dict[str, list[int]] = {}

    def row_of(label: str) -> list[int]:
        row = rows.get(label)
        if row is None:
            row = rows[label] = [0] * 20
        return row

    for (label, same_bounds, same_label), n in outcomes.items():
        row = row_of(label)
        row[_COR if same_bounds and same_label else _INC] += n
        row[5 + (_COR if same_bounds else _INC)] += n
        row[10 + (_COR if same_bounds else _PAR)] += n
        row[15 + (_COR if same_label else _INC)] += n
    for labels, outcome in ((missed, _MIS), (spurious, _SPU)):
        for label, n in labels.items():
            row = row_of(label)
            for base in (0, 5, 10, 15):
                row[base + outcome] += n
    total = [sum(column) for column in zip(*rows.values(), strict=True)] if rows else [0] * 20
    by_type = {
        label: MappingProxyType(
            {s: Counts(*rows[label][5 * k : 5 * k + 5]) for k, s in enumerate(SCHEMES)}
        )
        for label in sorted(rows)
    }
    return _scheme_counts(
        MappingProxyType({s: Counts(*total[5 * k : 5 * k + 5]) for k, s in enumerate(SCHEMES)}),
        MappingProxyType(by_type),
    )


def scheme_counts_from_keys(
    pairs: Iterable[tuple[Key, Key]], missed: Iterable[Key], spurious: Iterable[Key]
) -> SchemeCounts:
    """:func:`counts_from_matching` for a matching of ``(start, end, label)`` tuples."""
    return _scheme_counts_from_outcomes(
        _pair_outcomes(pairs), Counter(s[2] for s in missed), Counter(s[2] for s in spurious)
    )


def counts_from_matching(matching: Matching) -> SchemeCounts:
    """Count a :class:`Matching` under the four schemes (no label validation).

    Aligned pairs are attributed to the gold label, missed spans to their label and
    spurious spans to their predicted label.
    """

    def key(span: Span) -> Key:
        return (span.start, span.end, span.label)

    return scheme_counts_from_keys(
        [(key(g), key(p)) for g, p in matching.pairs],
        [key(s) for s in matching.missed],
        [key(s) for s in matching.spurious],
    )


def _label_set(labels: Collection[str]) -> frozenset[str]:
    if isinstance(labels, (str, bytes)):
        raise TypeError(
            f"labels must be a collection of label strings, not a single string {labels!r}"
        )
    result = frozenset(labels)
    for label in result:
        if not isinstance(label, str) or not label:
            raise TypeError(f"labels must be non-empty strings, got {label!r}")
    return result


def _checked_keys(spans: Iterable[Span], side: str, allowed: frozenset[str]) -> list[Key]:
    """``(start, end, label)`` keys of one side's spans; every label must be allowed."""
    span_list = _span_list(spans, side)
    keys = list(map(_span_key, span_list))
    if not allowed.issuperset(map(_key_label, keys)):
        span = next(s for s in span_list if s.label not in allowed)
        name = "predicted" if side == "pred" else side
        raise SpanScoringError(
            unknown_label_message(span.label, allowed, f" in {name} span {span!r}")
        )
    return keys


def semeval_counts(
    gold: Iterable[Span], pred: Iterable[Span], labels: Collection[str]
) -> SchemeCounts:
    """Match one document's spans and count them under the four SemEval schemes.

    Args:
        gold: Gold spans of one document.
        pred: Predicted spans of the same document.
        labels: The schema's label set; every span label must belong to it.

    Returns:
        The document's :class:`SchemeCounts` (add documents with ``+``).

    Raises:
        SpanScoringError: If a span has a label outside ``labels``.
        TypeError: If an element is not a :class:`Span` or ``labels`` is a string.
    """
    allowed = _label_set(labels)
    gold_keys = _checked_keys(gold, "gold", allowed)
    pred_keys = _checked_keys(pred, "pred", allowed)
    return scheme_counts_from_keys(*match_keys(gold_keys, pred_keys))


_span_start = operator.attrgetter("start")
_span_end = operator.attrgetter("end")
_span_label = operator.attrgetter("label")


@dataclass(frozen=True, slots=True)
class SpanColumns:
    """Spans of many documents as parallel int64 columns: document index, offsets, label rank."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    rank: np.ndarray

    def take(self, index: np.ndarray) -> SpanColumns:
        return SpanColumns(self.doc[index], self.start[index], self.end[index], self.rank[index])

    def joined(self, other: SpanColumns) -> SpanColumns:
        return SpanColumns(
            np.concatenate([self.doc, other.doc]),
            np.concatenate([self.start, other.start]),
            np.concatenate([self.end, other.end]),
            np.concatenate([self.rank, other.rank]),
        )


def _columns(documents: list[list[Span]], rank: Mapping[str, int]) -> SpanColumns:
    """Column arrays of one side's spans, in input order.

    Raises:
        KeyError: For a label without a rank.
        OverflowError: For an offset beyond int64.
    """
    spans = list(chain.from_iterable(documents))
    n = len(spans)
    return SpanColumns(
        np.repeat(np.arange(len(documents), dtype=np.int64), [len(d) for d in documents]),
        np.fromiter(map(_span_start, spans), dtype=np.int64, count=n),
        np.fromiter(map(_span_end, spans), dtype=np.int64, count=n),
        np.fromiter(map(rank.__getitem__, map(_span_label, spans)), dtype=np.int64, count=n),
    )


def _sorted_groups(columns: SpanColumns) -> tuple[np.ndarray, np.ndarray]:
    """Sort order by ``(doc, start, end, rank)`` and, in that order, where a new key begins.

    The four columns are packed into one int64 key (one argsort) when their ranges fit
    in 63 bits, else sorted with :func:`numpy.lexsort`; both orders are stable.
    """
    n = len(columns.doc)
    first = np.ones(n, dtype=bool)
    if n == 0:
        return np.zeros(0, dtype=np.intp), first
    widths = [int(c.max()).bit_length() for c in (columns.start, columns.end, columns.rank)]
    if int(columns.doc.max()).bit_length() + sum(widths) <= 63:
        key = columns.doc
        for column, width in zip((columns.start, columns.end, columns.rank), widths, strict=True):
            key = (key << width) | column
        order = np.argsort(key, kind="stable")
        first[1:] = np.diff(key[order]) != 0
        return order, first
    order = np.lexsort((columns.rank, columns.end, columns.start, columns.doc))
    first[1:] = (
        (np.diff(columns.doc[order]) != 0)
        | (np.diff(columns.start[order]) != 0)
        | (np.diff(columns.end[order]) != 0)
        | (np.diff(columns.rank[order]) != 0)
    )
    return order, first


def strict_split_columns(
    gold: SpanColumns, pred: SpanColumns
) -> tuple[SpanColumns, SpanColumns, SpanColumns]:
    """Level 1 of the matching for every document at once.

    Identical spans (same document, boundaries and label) pair by multiplicity:
    ``min(gold count, predicted count)`` strict pairs per distinct span. Returns one row
    per strict pair and the unpaired rests of both sides, all sorted by
    ``(doc, start, end, rank)``, the canonical order :func:`_align` needs.
    """
    n_gold = len(gold.doc)
    both = gold.joined(pred)
    order, first = _sorted_groups(both)
    ordered = both.take(order)
    is_pred = order >= n_gold
    group = np.cumsum(first) - 1
    n_groups = int(group[-1]) + 1 if len(group) else 0
    in_pred = np.bincount(group[is_pred], minlength=n_groups)
    in_gold = np.bincount(group[~is_pred], minlength=n_groups)
    paired = np.minimum(in_gold, in_pred)
    keys = ordered.take(np.flatnonzero(first))
    groups = np.arange(n_groups)
    return (
        keys.take(np.repeat(groups, paired)),
        keys.take(np.repeat(groups, in_gold - paired)),
        keys.take(np.repeat(groups, in_pred - paired)),
    )


def _strict_level(
    gold: SpanColumns, pred: SpanColumns, n_labels: int
) -> tuple[np.ndarray, SpanColumns, SpanColumns]:
    """:func:`strict_split_columns` with the strict pairs counted per label rank."""
    strict, rest_gold, rest_pred = strict_split_columns(gold, pred)
    return np.bincount(strict.rank, minlength=n_labels).astype(np.int64), rest_gold, rest_pred


def label_ranks(labels: Collection[str]) -> tuple[tuple[str, ...], dict[str, int]]:
    ordered = tuple(sorted(_label_set(labels)))
    return ordered, {label: r for r, label in enumerate(ordered)}


def corpus_semeval_counts(
    documents: Iterable[tuple[Iterable[Span], Iterable[Span]]], labels: Collection[str]
) -> SchemeCounts:
    """Sum of :func:`semeval_counts` over ``(gold, pred)`` span lists, one pair per document.

    Equal to ``sum(semeval_counts(g, p, labels) for g, p in documents)``: each document
    is matched on its own, with the same objective. Columnar: the strict level (identical
    spans) is solved for all documents at once with numpy, and only the spans left over
    go through the per-document alignment (:func:`_align`); the outcomes of every
    document are tallied and turned into :class:`SchemeCounts` once.

    Raises:
        SpanScoringError: If a span has a label outside ``labels`` (the first document
            with one is reported, gold before predictions).
        TypeError: As :func:`semeval_counts`.
    """
    ordered, rank = label_ranks(labels)
    gold_docs: list[list[Span]] = []
    pred_docs: list[list[Span]] = []
    for gold, pred in documents:
        gold_docs.append(_span_list(gold, "gold"))
        pred_docs.append(_span_list(pred, "pred"))
    with gc_paused():  # the keys made below hold no cycles; full collections would walk them
        return _tally_columns(gold_docs, pred_docs, labels, ordered, rank)


def _tally_columns(
    gold_docs: list[list[Span]],
    pred_docs: list[list[Span]],
    labels: Collection[str],
    ordered: tuple[str, ...],
    rank: dict[str, int],
) -> SchemeCounts:
    """The body of :func:`corpus_semeval_counts` (spans checked, labels ranked)."""
    try:
        gold_columns, pred_columns = _columns(gold_docs, rank), _columns(pred_docs, rank)
        offset_bits = offset_bits_of(len(gold_docs), gold_columns, pred_columns)
    except KeyError:
        allowed = frozenset(rank)
        for gold, pred in zip(gold_docs, pred_docs, strict=True):
            _checked_keys(gold, "gold", allowed)  # raises the unknown-label error
            _checked_keys(pred, "pred", allowed)
        raise
    except OverflowError:  # offsets too large for int64 columns: document by document
        return sum(
            (semeval_counts(g, p, labels) for g, p in zip(gold_docs, pred_docs, strict=True)),
            SchemeCounts(),
        )
    n_labels = len(ordered)
    strict, rest_gold, rest_pred = _strict_level(gold_columns, pred_columns, n_labels)
    pair_gold, pair_pred = align_columns(rest_gold, rest_pred, offset_bits, ordered)
    same_bounds = (rest_gold.start[pair_gold] == rest_pred.start[pair_pred]) & (
        rest_gold.end[pair_gold] == rest_pred.end[pair_pred]
    )
    same_label = rest_gold.rank[pair_gold] == rest_pred.rank[pair_pred]
    code = 4 * rest_gold.rank[pair_gold] + 2 * same_bounds + same_label
    outcomes: Counter[Outcome] = Counter()
    for c, n in enumerate(np.bincount(code, minlength=4 * n_labels).tolist()):
        if n:
            outcomes[(ordered[c // 4], bool(c & 2), bool(c & 1))] += n
    for r, n in enumerate(strict.tolist()):
        if n:
            outcomes[(ordered[r], True, True)] += n
    return _scheme_counts_from_outcomes(
        outcomes,
        _unpaired_labels(rest_gold, pair_gold, ordered),
        _unpaired_labels(rest_pred, pair_pred, ordered),
    )


def offset_bits_of(n_docs: int, *sides: SpanColumns) -> int:
    """Bits of the largest offset; ``(doc << bits) | offset`` must fit a signed int64.

    Raises:
        OverflowError: If the packed search key of :func:`_overlap_edges_columns` would not.
    """
    max_end = max((int(c.end.max()) for c in sides if len(c.end)), default=0)
    bits = max_end.bit_length()
    if n_docs.bit_length() + bits > 62:
        raise OverflowError(f"{n_docs} documents with offsets up to {max_end} overflow int64")
    return bits


def _keys_of(columns: SpanColumns, labels: tuple[str, ...]) -> list[Key]:
    """``(start, end, label)`` tuples of column spans (same order)."""
    names = [labels[r] for r in columns.rank.tolist()]
    return list(zip(columns.start.tolist(), columns.end.tolist(), names, strict=True))


def _unpaired_labels(
    columns: SpanColumns, paired: np.ndarray, ordered: tuple[str, ...]
) -> dict[str, int]:
    """Count per label of the spans not in ``paired`` (missed gold or spurious predictions)."""
    left = np.ones(len(columns.doc), dtype=bool)
    left[paired] = False
    counts = np.bincount(columns.rank[left], minlength=len(ordered)).tolist()
    return {ordered[r]: n for r, n in enumerate(counts) if n}


def _ragged(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(i, j)`` with ``lo[i] <= j < hi[i]``, as two index arrays."""
    counts = hi - lo
    owner = np.repeat(np.arange(len(lo)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, lo[owner] + within


def _overlap_edges_columns(
    gold: SpanColumns, pred: SpanColumns, offset_bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every overlapping (gold, pred) pair of the same document, for all documents at once.

    With both sides sorted by ``(doc, start)``, the pairs where the prediction starts no
    earlier than the gold span are the predictions starting in ``[g.start, g.end)``,
    and the others the gold spans starting in ``(p.start, p.end)``: two binary searches
    per span give contiguous ranges that hold edges only (O((n + m) log(n + m) + edges),
    the vectorised form of :func:`_overlap_edges`).
    """

    def key(columns: SpanColumns, offsets: np.ndarray) -> np.ndarray:
        return (columns.doc << offset_bits) | offsets

    gold_start, pred_start = key(gold, gold.start), key(pred, pred.start)
    gold_a, pred_a = _ragged(
        np.searchsorted(pred_start, gold_start), np.searchsorted(pred_start, key(gold, gold.end))
    )
    pred_b, gold_b = _ragged(
        np.searchsorted(gold_start, pred_start + 1),
        np.searchsorted(gold_start, key(pred, pred.end)),
    )
    return np.concatenate([gold_a, gold_b]), np.concatenate([pred_a, pred_b])


def align_columns(
    gold: SpanColumns, pred: SpanColumns, offset_bits: int, ordered: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_align` for the spans left after the strict level of every document at once.

    Returns the aligned (gold index, pred index) pairs. A lone overlapping pair (both
    spans overlap nothing else) is aligned directly; every other component of the
    overlap graph is solved by :func:`_solve_component` exactly as the per-document
    path solves it (the same spans in the same canonical order).
    """
    edge_gold, edge_pred = _overlap_edges_columns(gold, pred, offset_bits)
    n_gold, n_pred = len(gold.doc), len(pred.doc)
    lone = (np.bincount(edge_gold, minlength=n_gold)[edge_gold] == 1) & (
        np.bincount(edge_pred, minlength=n_pred)[edge_pred] == 1
    )
    pair_gold, pair_pred = [edge_gold[lone]], [edge_pred[lone]]
    shared_gold, shared_pred = edge_gold[~lone], edge_pred[~lone]
    if len(shared_gold):
        size = n_gold + n_pred
        graph = coo_matrix(
            (np.ones(len(shared_gold)), (shared_gold, n_gold + shared_pred)), shape=(size, size)
        )
        component = connected_components(graph, directed=False)[1][shared_gold]
        order = np.argsort(component, kind="stable")
        starts = np.flatnonzero(np.diff(component[order], prepend=-1))
        gold_keys, pred_keys = _keys_of(gold, ordered), _keys_of(pred, ordered)
        solved: list[tuple[int, int]] = []
        for edges in np.split(order, starts[1:]):
            solved.extend(
                _solve_component(
                    gold_keys, pred_keys, shared_gold[edges].tolist(), shared_pred[edges].tolist()
                )
            )
        if solved:
            g, p = zip(*solved, strict=True)
            pair_gold.append(np.asarray(g, dtype=np.intp))
            pair_pred.append(np.asarray(p, dtype=np.intp))
    return np.concatenate(pair_gold), np.concatenate(pair_pred)


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float
    f1: float


def _check_zero_division(zero_division: float) -> float:
    if isinstance(zero_division, bool) or not isinstance(zero_division, (int, float)):
        raise SpanScoringError(
            f"zero_division must be a number in [0, 1] or nan, got {zero_division!r}"
        )
    value = float(zero_division)
    if not (math.isnan(value) or 0.0 <= value <= 1.0):
        raise SpanScoringError(f"zero_division must be a number in [0, 1] or nan, got {value!r}")
    return value


def prf(counts: Counts, scheme: str, *, zero_division: float = 0.0) -> PRF:
    """Precision, recall and F1 of one scheme's counts, with nervaluate 1.2.1's formulas.

    strict, exact: ``P = COR/ACT``, ``R = COR/POS``; partial, type:
    ``P = (COR + 0.5·PAR)/ACT``, ``R = (COR + 0.5·PAR)/POS`` (PAR is always 0 under type).
    ``F1 = 2·P·R/(P + R)``. A ratio with denominator 0 is ``zero_division``; F1 is
    ``zero_division`` only if POS = ACT = 0, and 0 whenever there is no credit but
    POS + ACT > 0 (it equals ``2·credit/(POS + ACT)``).

    Raises:
        SpanScoringError: For an unknown scheme or an invalid ``zero_division``.
    """
    if scheme not in SCHEMES:
        raise SpanScoringError(f"unknown scheme {scheme!r}; schemes are {list(SCHEMES)}")
    zd = _check_zero_division(zero_division)
    credit: float = (
        counts.cor + 0.5 * counts.par if scheme in _PARTIAL_CREDIT_SCHEMES else counts.cor
    )
    pos, act = counts.pos, counts.act
    precision = credit / act if act else zd
    recall = credit / pos if pos else zd
    if pos + act == 0:
        f1 = zd
    elif credit == 0:
        f1 = 0.0
    else:
        f1 = 2 * (precision * recall) / (precision + recall)
    return PRF(precision, recall, f1)


@dataclass(frozen=True)
class SchemeScores:
    """Scores of one scheme.

    Attributes:
        scheme: The scheme name.
        counts: Overall counts.
        micro: P/R/F1 of the overall counts.
        macro: Unweighted mean of the per-type P, R and F1 over every requested label.
        weighted: Mean of the per-type P, R and F1 weighted by gold support (per-type
            POS); equal to ``micro`` when there is no gold span at all.
        per_type: ``label -> PRF`` for every requested label.
        support: ``label -> number of gold spans``.
    """

    scheme: str
    counts: Counts
    micro: PRF
    macro: PRF
    weighted: PRF
    per_type: Mapping[str, PRF]
    support: Mapping[str, int]


def semeval_scores(
    counts: SchemeCounts, labels: Collection[str], *, zero_division: float = 0.0
) -> dict[str, SchemeScores]:
    """Score summed counts: micro, macro and support-weighted P/R/F1 per scheme.

    Args:
        counts: Counts, typically summed over the documents of a corpus.
        labels: Labels to report and average over (the schema's label set); labels with
            no gold and no predicted span are included, so with ``zero_division=0`` they
            contribute an F1 of 0 to the macro average.
        zero_division: Value of a ratio whose denominator is 0 (a number in [0, 1] or nan).

    Returns:
        ``scheme -> SchemeScores`` for ``strict``, ``exact``, ``partial`` and ``type``.

    Raises:
        SpanScoringError: If ``counts`` holds a label outside ``labels`` or
            ``zero_division`` is invalid.
    """
    allowed = _label_set(labels)
    zd = _check_zero_division(zero_division)
    for label in counts.labels:
        if label not in allowed:
            raise SpanScoringError(unknown_label_message(label, allowed, " in counts"))
    ordered = sorted(allowed)
    result: dict[str, SchemeScores] = {}
    for scheme in SCHEMES:
        overall = counts.overall[scheme]
        micro = prf(overall, scheme, zero_division=zd)
        per_type = {
            label: prf(counts.for_type(label)[scheme], scheme, zero_division=zd)
            for label in ordered
        }
        support = {label: counts.for_type(label)[scheme].pos for label in ordered}
        if ordered:
            macro = PRF(
                sum(v.precision for v in per_type.values()) / len(ordered),
                sum(v.recall for v in per_type.values()) / len(ordered),
                sum(v.f1 for v in per_type.values()) / len(ordered),
            )
        else:
            macro = PRF(zd, zd, zd)
        supported = [(support[k], v) for k, v in per_type.items() if support[k]]
        total = sum(n for n, _ in supported)
        if total:
            weighted = PRF(
                sum(n * v.precision for n, v in supported) / total,
                sum(n * v.recall for n, v in supported) / total,
                sum(n * v.f1 for n, v in supported) / total,
            )
        else:
            weighted = micro
        result[scheme] = SchemeScores(
            scheme=scheme,
            counts=overall,
            micro=micro,
            macro=macro,
            weighted=weighted,
            per_type=MappingProxyType(per_type),
            support=MappingProxyType(support),
        )
    return result
