"""Coreference metrics: MUC, B-cubed, CEAF-m, CEAF-e, LEA, BLANC and the CoNLL average.

Pure functions over clusters. A mention is any hashable key (``(start, end)`` tuples,
mention ids, ...). Key and response may contain different mentions (end-to-end
setting); twinless mentions are handled exactly as in the CoNLL reference scorer
v8.01 (Pradhan et al., 2014), without mention manipulation. LEA follows Moosavi &
Strube (2016) and BLANC follows Luo et al. (2014) as implemented in the reference
scorer.

Usage::

    counts = sum((coref_counts(k, r) for k, r in documents), CorefCounts())  # micro
    scores = coref_scores(counts)  # {"muc": PRF(...), ..., "conll": PRF(...)}

Per document, :func:`coref_counts` returns mergeable sufficient statistics
(:class:`CorefCounts`). Corpus scores are computed from the summed counts, like the
reference scorer does; per-document F1 values are never averaged. All counts are
exact (``int`` or :class:`fractions.Fraction`), so results do not depend on the
order of documents, clusters or mentions. See ``eval/METRICS.md`` for formulas
and conventions.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = [
    "METRICS",
    "PRF",
    "CorefCounts",
    "CorefInputError",
    "coref_counts",
    "coref_counts_by_policy",
    "coref_counts_unchecked",
    "coref_scores",
]

#: Keys of the dictionary returned by :func:`coref_scores`, in reporting order.
METRICS: tuple[str, ...] = ("muc", "bcubed", "ceafm", "ceafe", "lea", "blanc", "conll")

_RATIO_METRICS: tuple[str, ...] = ("muc", "bcubed", "ceafm", "ceafe", "lea")
_CONLL_METRICS: tuple[str, ...] = ("muc", "bcubed", "ceafe")

# Integer weights are exact in float64 below 2**53; keep a safety margin.
_EXACT_FLOAT_LIMIT = 2**52

Exact = Fraction | float  # a Fraction, or float("nan") under zero_division=nan


class CorefInputError(ValueError):
    """Raised when key or response clusters are malformed (never repaired silently)."""


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of one metric, as floats."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class CorefCounts:
    """Mergeable sufficient statistics of all coreference metrics.

    For MUC, B-cubed, CEAF-m, CEAF-e and LEA: ``<metric>_recall_num / <metric>_recall_den``
    is the recall and ``<metric>_precision_num / <metric>_precision_den`` the precision.
    For BLANC: ``blanc_coref_*`` count coreference links (mention pairs in the same
    cluster) and ``blanc_noncoref_*`` non-coreference links (pairs in different
    clusters), in the key, the response, and both (``common``).

    Instances add with ``+`` and ``sum(...)``; ``CorefCounts()`` is the zero element.
    """

    muc_recall_num: int = 0
    muc_recall_den: int = 0
    muc_precision_num: int = 0
    muc_precision_den: int = 0
    bcubed_recall_num: Fraction = Fraction(0)
    bcubed_recall_den: int = 0
    bcubed_precision_num: Fraction = Fraction(0)
    bcubed_precision_den: int = 0
    ceafm_recall_num: int = 0
    ceafm_recall_den: int = 0
    ceafm_precision_num: int = 0
    ceafm_precision_den: int = 0
    ceafe_recall_num: Fraction = Fraction(0)
    ceafe_recall_den: int = 0
    ceafe_precision_num: Fraction = Fraction(0)
    ceafe_precision_den: int = 0
    lea_recall_num: Fraction = Fraction(0)
    lea_recall_den: int = 0
    lea_precision_num: Fraction = Fraction(0)
    lea_precision_den: int = 0
    blanc_coref_common: int = 0
    blanc_coref_key: int = 0
    blanc_coref_response: int = 0
    blanc_noncoref_common: int = 0
    blanc_noncoref_key: int = 0
    blanc_noncoref_response: int = 0

    def __add__(self, other: object) -> CorefCounts:
        if not isinstance(other, CorefCounts):
            return NotImplemented
        return CorefCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @classmethod
    def total(cls, counts: Iterable[CorefCounts]) -> CorefCounts:
        """Exact sum of many counts (the value of ``sum(counts, CorefCounts())``, faster).

        Fractions are added per denominator as integers first, so there is one
        ``Fraction`` addition per distinct denominator instead of one per document.
        """
        items = list(counts)
        values: dict[str, int | Fraction] = {}
        for f in fields(cls):
            column = [getattr(c, f.name) for c in items]
            if f.default == 0 and not isinstance(f.default, Fraction):
                values[f.name] = sum(column)
            else:
                by_den: defaultdict[int, int] = defaultdict(int)
                for value in column:
                    by_den[value.denominator] += value.numerator
                values[f.name] = sum(
                    (Fraction(num, den) for den, num in by_den.items()), Fraction(0)
                )
        return cls(**values)  # type: ignore[arg-type]

    def pr_counts(self, metric: str) -> tuple[float, float, float, float]:
        """Returns ``(p_num, p_den, r_num, r_den)`` of one ratio metric as floats.

        This is the column layout of ``newsbench.eval.stats`` (bootstrap over units).

        Args:
            metric: One of ``muc``, ``bcubed``, ``ceafm``, ``ceafe``, ``lea``.

        Raises:
            CorefInputError: For another name (BLANC and CoNLL are not one ratio pair).
        """
        if metric not in _RATIO_METRICS:
            raise CorefInputError(
                f"pr_counts() needs one of {', '.join(_RATIO_METRICS)}; got {metric!r} "
                f"(BLANC and CoNLL combine several ratios: use the blanc_* counts)"
            )
        return (
            float(getattr(self, f"{metric}_precision_num")),
            float(getattr(self, f"{metric}_precision_den")),
            float(getattr(self, f"{metric}_recall_num")),
            float(getattr(self, f"{metric}_recall_den")),
        )

    def __radd__(self, other: object) -> CorefCounts:
        # Lets the builtin sum() start from its default 0.
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented


def coref_counts(
    key: Iterable[Iterable[Hashable]],
    response: Iterable[Iterable[Hashable]],
    *,
    singletons: bool = True,
) -> CorefCounts:
    """Computes the sufficient statistics of all metrics for one document.

    Args:
        key: Gold clusters, each an iterable of hashable mentions.
        response: System clusters, each an iterable of hashable mentions. Mentions
            need not match the key's (twinless mentions are scored as in the CoNLL
            reference scorer).
        singletons: If False, singleton clusters are removed from both key and
            response before scoring (CoNLL-2012 convention). Input is validated first.

    Returns:
        The document's counts; add counts of several documents before scoring.

    Raises:
        CorefInputError: If a side is not an iterable of clusters, a cluster is empty
            or not an iterable of hashable mentions, or a mention occurs twice on the
            same side.
    """
    key_clusters = _read_side(key, "key")
    response_clusters = _read_side(response, "response")
    return coref_counts_unchecked(key_clusters, response_clusters, singletons=singletons)


def coref_counts_unchecked(
    key: list[list[Hashable]], response: list[list[Hashable]], *, singletons: bool = True
) -> CorefCounts:
    """:func:`coref_counts` for clusters known to be valid (the harness's own clusters).

    ``key`` and ``response`` must be lists of non-empty lists in which no mention occurs
    twice on one side; nothing is checked.
    """
    if not singletons:
        key = [c for c in key if len(c) > 1]
        response = [c for c in response if len(c) > 1]
    return _count(key, response)


def coref_counts_by_policy(
    key: list[list[Hashable]], response: list[list[Hashable]]
) -> dict[str, CorefCounts]:
    """:func:`coref_counts_unchecked` with and without singletons, sharing the work.

    Returns:
        ``{"singletons": ..., "no_singletons": ...}``, equal to
        ``coref_counts_unchecked(key, response, singletons=True)`` and ``(..., False)``.
    """
    with_singletons, without = _count_both_policies(key, response)
    return {"singletons": with_singletons, "no_singletons": without}


def coref_scores(counts: CorefCounts, *, zero_division: float = 0.0) -> dict[str, PRF]:
    """Turns (summed) counts into precision, recall and F1 for every metric.

    Args:
        counts: Counts of one document or the sum over a corpus (micro average).
        zero_division: Value of any ratio whose denominator is 0 (e.g. MUC recall
            when the key has no links): a number in [0, 1] (default 0.0, as the
            reference scorer) or ``float("nan")``. F1 is ``zero_division`` only when
            precision and recall are both 0/0, and 0 whenever either is a defined 0.

    Returns:
        A dict with keys :data:`METRICS`. ``conll`` holds the means of MUC, B-cubed
        and CEAF-e precision, recall and F1 (its f1 is the CoNLL-2012 score).

    Raises:
        CorefInputError: If ``counts`` is not a :class:`CorefCounts` or
            ``zero_division`` is not a number in [0, 1] or nan.
    """
    if not isinstance(counts, CorefCounts):
        raise CorefInputError(
            f"coref_scores() needs a CorefCounts; got {type(counts).__name__} "
            f"(to sum documents use sum(counts_list, CorefCounts()), which also works "
            f"for an empty corpus)"
        )
    zd = _zero_division_value(zero_division)
    exact: dict[str, tuple[Exact, Exact, Exact]] = {}
    for name in _RATIO_METRICS:
        precision = _ratio(
            getattr(counts, f"{name}_precision_num"),
            getattr(counts, f"{name}_precision_den"),
            zd,
        )
        recall = _ratio(
            getattr(counts, f"{name}_recall_num"), getattr(counts, f"{name}_recall_den"), zd
        )
        exact[name] = (precision, recall, _f1(precision, recall))
    exact["blanc"] = _blanc(counts, zd)
    exact["conll"] = (
        _mean([exact[m][0] for m in _CONLL_METRICS]),
        _mean([exact[m][1] for m in _CONLL_METRICS]),
        _mean([exact[m][2] for m in _CONLL_METRICS]),
    )
    return {
        name: PRF(precision=float(p), recall=float(r), f1=float(f))
        for name, (p, r, f) in ((m, exact[m]) for m in METRICS)
    }


# --------------------------------------------------------------------------- input


def _read_side(clusters: object, side: str) -> list[list[Hashable]]:
    """Validates one side and returns its clusters as lists (input order kept)."""
    if isinstance(clusters, Mapping):
        raise CorefInputError(
            f"{side} is a mapping ({type(clusters).__name__}); pass its clusters, "
            f"e.g. list({side}.values())"
        )
    if isinstance(clusters, (str, bytes)) or not isinstance(clusters, Iterable):
        raise CorefInputError(
            f"{side} must be an iterable of clusters, each an iterable of hashable "
            f"mentions such as (start, end) tuples; got {type(clusters).__name__}"
        )
    out: list[list[Hashable]] = []
    owner: dict[Hashable, int] = {}
    for index, cluster in enumerate(clusters):
        if isinstance(cluster, (str, bytes)) or not isinstance(cluster, Iterable):
            raise CorefInputError(
                f"{side} cluster #{index} must be an iterable of mentions (e.g. a list "
                f"of (start, end) tuples); got {type(cluster).__name__}: {cluster!r}"
            )
        members: list[Hashable] = []
        for mention in cluster:
            try:
                previous = owner.get(mention)
            except TypeError:
                raise CorefInputError(
                    f"{side} cluster #{index} contains an unhashable mention {mention!r}; "
                    f"use hashable mentions such as (start, end) tuples or ids"
                ) from None
            if previous == index:
                raise CorefInputError(
                    f"mention {mention!r} appears twice in {side} cluster #{index}; "
                    f"remove the duplicate"
                )
            if previous is not None:
                raise CorefInputError(
                    f"mention {mention!r} appears in {side} clusters #{previous} and "
                    f"#{index}; a mention can belong to only one cluster: merge the two "
                    f"clusters or drop one occurrence"
                )
            owner[mention] = index
            members.append(mention)
        if not members:
            raise CorefInputError(
                f"{side} cluster #{index} is empty; drop empty clusters before scoring"
            )
        out.append(members)
    return out


# -------------------------------------------------------------------------- counts


def _pairs(n: int) -> int:
    """Number of unordered mention pairs (links) among ``n`` mentions."""
    return n * (n - 1) // 2


def _exact_sum(by_den: Mapping[int, int]) -> Fraction:
    """Exact sum of ``num / den`` over a ``den -> num`` mapping, as one ``Fraction``.

    The numerators are brought to the least common denominator as integers, so the
    only ``Fraction`` built is the (normalised) result.
    """
    terms = [(den, num) for den, num in by_den.items() if num]
    if len(terms) == 1:
        return Fraction(terms[0][1], terms[0][0])
    common = math.lcm(*[den for den, _ in terms])
    return Fraction(sum([num * (common // den) for den, num in terms]), common)


def _count(key: list[list[Hashable]], response: list[list[Hashable]]) -> CorefCounts:
    """Computes all counts for validated clusters."""
    return _counts_of_overlap(
        _overlap(key, response), [len(c) for c in key], [len(c) for c in response]
    )


def _count_both_policies(
    key: list[list[Hashable]], response: list[list[Hashable]]
) -> tuple[CorefCounts, CorefCounts]:
    """``(_count(key, response), _count(<the same without singleton clusters>))``.

    Dropping singleton clusters drops exactly the intersections with a singleton
    cluster, so the intersections are computed once; a dropped cluster is given size 0.
    """
    overlap = _overlap(key, response)
    key_sizes = [len(c) for c in key]
    response_sizes = [len(c) for c in response]
    with_singletons = _counts_of_overlap(overlap, key_sizes, response_sizes)
    linked = {
        (i, j): n for (i, j), n in overlap.items() if key_sizes[i] > 1 and response_sizes[j] > 1
    }
    without = _counts_of_overlap(
        linked,
        [s if s > 1 else 0 for s in key_sizes],
        [s if s > 1 else 0 for s in response_sizes],
    )
    return with_singletons, without


def _overlap(key: list[list[Hashable]], response: list[list[Hashable]]) -> Counter[tuple[int, int]]:
    """``overlap[(i, j)] = |K_i ∩ R_j|`` for every non-empty intersection."""
    response_of = {m: j for j, cluster in enumerate(response) for m in cluster}
    return Counter(
        [(i, response_of[m]) for i, cluster in enumerate(key) for m in cluster if m in response_of]
    )


def _counts_of_overlap(
    overlap: Mapping[tuple[int, int], int], key_sizes: list[int], response_sizes: list[int]
) -> CorefCounts:
    """Computes all counts from the cluster intersections and the cluster sizes.

    A cluster of size 0 is absent (it has no mention). Every count is a sum over the
    non-empty intersections ``K_i ∩ R_j`` (one pass over them, :meth:`_Overlaps.tally`).
    Fractional numerators (B-cubed, LEA, CEAF-e) are kept as integer numerators per
    denominator and become one exact ``Fraction`` each.
    """
    n_key, n_response = sum(key_sizes), sum(response_sizes)
    key_clusters = len(key_sizes) - key_sizes.count(0)
    response_clusters = len(response_sizes) - response_sizes.count(0)
    o = _Overlaps.tally(overlap, key_sizes, response_sizes)

    # MUC: sum over key clusters of |K| - |p(K)| equals sum over overlaps of (n - 1);
    # the same sum is the precision numerator.
    muc_num = o.n_common - len(overlap)

    # BLANC link counts.
    coref_key = sum([s * (s - 1) for s in key_sizes]) // 2
    coref_response = sum([s * (s - 1) for s in response_sizes]) // 2
    noncoref_common = (
        _pairs(o.n_common)
        - sum([c * (c - 1) for c in o.key_common]) // 2
        - sum([c * (c - 1) for c in o.response_common]) // 2
        + o.coref_common
    )

    ceafm_num, ceafe_num = _ceaf(overlap, o, key_sizes, response_sizes)

    return CorefCounts(
        muc_recall_num=muc_num,
        muc_recall_den=n_key - key_clusters,
        muc_precision_num=muc_num,
        muc_precision_den=n_response - response_clusters,
        bcubed_recall_num=_exact_sum(o.bcubed_recall),
        bcubed_recall_den=n_key,
        bcubed_precision_num=_exact_sum(o.bcubed_precision),
        bcubed_precision_den=n_response,
        ceafm_recall_num=ceafm_num,
        ceafm_recall_den=n_key,
        ceafm_precision_num=ceafm_num,
        ceafm_precision_den=n_response,
        ceafe_recall_num=ceafe_num,
        ceafe_recall_den=key_clusters,
        ceafe_precision_num=ceafe_num,
        ceafe_precision_den=response_clusters,
        lea_recall_num=_exact_sum(o.lea_recall),
        lea_recall_den=n_key,
        lea_precision_num=_exact_sum(o.lea_precision),
        lea_precision_den=n_response,
        blanc_coref_common=o.coref_common,
        blanc_coref_key=coref_key,
        blanc_coref_response=coref_response,
        blanc_noncoref_common=noncoref_common,
        blanc_noncoref_key=_pairs(n_key) - coref_key,
        blanc_noncoref_response=_pairs(n_response) - coref_response,
    )


@dataclass
class _Overlaps:
    """Sums over the intersections ``n = |K_i ∩ R_j|`` of one document.

    ``key_common[i]`` is ``|K_i ∩ response mentions|`` and ``key_degree[i]`` the number
    of response clusters ``K_i`` meets (likewise ``response_*`` by ``j``).
    ``bcubed_*`` and ``lea_*`` map a denominator to an integer numerator:

    - B-cubed recall is ``sum_i sum_j n^2 / |K_i|`` (precision: ``/ |R_j|``);
    - LEA recall is ``sum_i |K_i| * resolved(K_i) / links(K_i)`` over key entities with
      2+ mentions, ``resolved(K_i) = sum_j C(n, 2)``, plus 1 for every singleton key
      entity whose mention is a singleton response entity (its self-link): exactly the
      intersections with ``|K_i| = |R_j| = 1``. Precision likewise with the sides swapped.
    """

    n_common: int
    coref_common: int
    key_common: list[int]
    response_common: list[int]
    key_degree: list[int]
    response_degree: list[int]
    bcubed_recall: dict[int, int]
    bcubed_precision: dict[int, int]
    lea_recall: dict[int, int]
    lea_precision: dict[int, int]

    @classmethod
    def tally(
        cls, overlap: Mapping[tuple[int, int], int], key_sizes: list[int], response_sizes: list[int]
    ) -> _Overlaps:
        """Sum over the intersections in one pass."""
        key_common = [0] * len(key_sizes)
        response_common = [0] * len(response_sizes)
        key_degree = [0] * len(key_sizes)
        response_degree = [0] * len(response_sizes)
        bcubed_recall: defaultdict[int, int] = defaultdict(int)
        bcubed_precision: defaultdict[int, int] = defaultdict(int)
        lea_recall: defaultdict[int, int] = defaultdict(int)
        lea_precision: defaultdict[int, int] = defaultdict(int)
        n_common = coref_common = self_links = 0
        for (i, j), n in overlap.items():
            k_size, r_size = key_sizes[i], response_sizes[j]
            n_common += n
            key_common[i] += n
            response_common[j] += n
            key_degree[i] += 1
            response_degree[j] += 1
            square = n * n
            bcubed_recall[k_size] += square
            bcubed_precision[r_size] += square
            if n > 1:  # then both clusters have 2+ mentions
                links = (square - n) // 2
                coref_common += links
                lea_recall[k_size * (k_size - 1) // 2] += k_size * links
                lea_precision[r_size * (r_size - 1) // 2] += r_size * links
            elif k_size == 1 and r_size == 1:
                self_links += 1
        lea_recall[1] += self_links
        lea_precision[1] += self_links
        return cls(
            n_common,
            coref_common,
            key_common,
            response_common,
            key_degree,
            response_degree,
            bcubed_recall,
            bcubed_precision,
            lea_recall,
            lea_precision,
        )


# ---------------------------------------------------------------------------- CEAF


def _ceaf(
    overlap: Mapping[tuple[int, int], int],
    tallied: _Overlaps,
    key_sizes: list[int],
    response_sizes: list[int],
) -> tuple[int, Fraction]:
    """Optimal CEAF-m (phi3) and CEAF-e (phi4) similarity totals.

    Clusters without any overlap have similarity 0 with everything, so only the
    connected components of the key-response overlap graph need an assignment. A pair
    of clusters that overlap only each other (degree 1 on both sides, from ``tallied``)
    is its own assignment. CEAF-e similarities ``2n / (|K| + |R|)`` are kept as integer
    numerators per denominator and summed exactly once at the end.
    """
    phi3_total = 0
    phi4_by_den: defaultdict[int, int] = defaultdict(int)  # exact sums of 2n / den
    key_degree, response_degree = tallied.key_degree, tallied.response_degree
    linked: list[tuple[int, int, int]] = []
    for (i, j), n in overlap.items():
        if key_degree[i] == 1 and response_degree[j] == 1:
            phi3_total += n
            phi4_by_den[key_sizes[i] + response_sizes[j]] += 2 * n
        else:
            linked.append((i, j, n))
    for pairs in _components(linked, len(key_sizes)):
        phi4 = [(i, j, 2 * n, key_sizes[i] + response_sizes[j]) for i, j, n in pairs]
        rows = sorted({i for i, _, _ in pairs})
        cols = sorted({j for _, j, _ in pairs})
        if len(rows) == 1 or len(cols) == 1:
            # One cluster on a side: the best single pair is the assignment.
            phi3_total += max(n for _, _, n in pairs)
            num, den = _largest_ratio((num, den) for _, _, num, den in phi4)
            phi4_by_den[den] += num
            continue
        phi3_total += _max_assignment(rows, cols, [(i, j, n, 1) for i, j, n in pairs])[0]
        num, den = _max_assignment(rows, cols, phi4)
        phi4_by_den[den] += num
    return phi3_total, _exact_sum(phi4_by_den)


def _components(
    pairs: list[tuple[int, int, int]], n_key: int
) -> Iterable[list[tuple[int, int, int]]]:
    """Group overlapping ``(key, response, n)`` pairs into connected components.

    Union-find over key clusters ``i`` and response clusters ``n_key + j``; a root is
    absent from ``parent``. Without path compression a lookup may take time linear in
    the component, which stays below the cubic assignment solved on it.
    """
    parent: dict[int, int] = {}
    for i, j, _ in pairs:
        a, b = i, n_key + j
        while a in parent:
            a = parent[a]
        while b in parent:
            b = parent[b]
        if a != b:
            parent[a] = b
    components: defaultdict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for pair in pairs:
        root = pair[0]
        while root in parent:
            root = parent[root]
        components[root].append(pair)
    return components.values()


def _largest_ratio(ratios: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The largest ``num / den`` (positive denominators), compared exactly."""
    iterator = iter(ratios)
    best_num, best_den = next(iterator)
    for num, den in iterator:
        if num * best_den > best_num * den:
            best_num, best_den = num, den
    return best_num, best_den


def _max_assignment(
    rows: list[int], cols: list[int], weights: list[tuple[int, int, int, int]]
) -> tuple[int, int]:
    """Exact value of a maximum-weight one-to-one assignment (missing pairs weigh 0).

    ``rows`` and ``cols`` are the sorted rows and columns of the ``weights``, which are
    ``(row, column, num, den)``: weight ``num / den`` (positive ``den``).
    The value is returned as ``(numerator, denominator)``, the denominator being the
    LCM of the weights' reduced denominators. Weights are scaled to integers by that
    LCM so that the float64 assignment is exact; if that would exceed float64's exact
    integer range, the float weights are used (optimal up to rounding).
    """
    reduced = [(num // g, den // g) for _, _, num, den in weights for g in (math.gcd(num, den),)]
    scale = math.lcm(*{den for _, den in reduced})
    scaled = {
        (i, j): num * (scale // den)
        for (i, j, _, _), (num, den) in zip(weights, reduced, strict=True)
    }
    exact = max(scaled.values()) * (len(rows) + len(cols) + 1) < _EXACT_FLOAT_LIMIT
    row_of = {r: k for k, r in enumerate(rows)}
    col_of = {c: k for k, c in enumerate(cols)}
    matrix = np.zeros((len(rows), len(cols)))
    for i, j, num, den in weights:
        matrix[row_of[i], col_of[j]] = scaled[(i, j)] if exact else num / den
    row_ind, col_ind = linear_sum_assignment(matrix, maximize=True)
    total = sum(
        scaled.get((rows[a], cols[b]), 0)
        for a, b in zip(row_ind.tolist(), col_ind.tolist(), strict=True)
    )
    return total, scale


# -------------------------------------------------------------------------- scores


def _zero_division_value(zero_division: float) -> Exact:
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if math.isnan(zero_division):
            return math.nan
        if 0 <= zero_division <= 1:
            return Fraction(zero_division)
    raise CorefInputError(
        f"zero_division must be a number in [0, 1] or float('nan'); got {zero_division!r}"
    )


def _ratio(num: int | Fraction, den: int, zd: Exact) -> Exact:
    return Fraction(num) / den if den else zd


def _is_nan(x: Exact) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _f1(precision: Exact, recall: Exact) -> Exact:
    """Harmonic mean; 0 if either ratio is a defined 0, nan if either is nan otherwise.

    A ratio is 0/0 only if the other one is 0/x (no overlap is possible), so F1 is
    ``zero_division`` exactly when both ratios are 0/0, and 0 otherwise.
    """
    if precision == 0 or recall == 0:
        return Fraction(0)
    if _is_nan(precision) or _is_nan(recall):
        return math.nan
    return 2 * precision * recall / (precision + recall)


def _mean(values: list[Exact]) -> Exact:
    if any(_is_nan(v) for v in values):
        return math.nan
    return sum(values, Fraction(0)) / len(values)


def _blanc(counts: CorefCounts, zd: Exact) -> tuple[Exact, Exact, Exact]:
    """BLANC (precision, recall, F1) with the reference scorer's boundary rules.

    A link type absent from the KEY is left out of the average (key without
    coreference links: non-coreference component only; key without
    non-coreference links: coreference component only).
    """
    c_common, c_key, c_resp = (
        counts.blanc_coref_common,
        counts.blanc_coref_key,
        counts.blanc_coref_response,
    )
    n_common, n_key, n_resp = (
        counts.blanc_noncoref_common,
        counts.blanc_noncoref_key,
        counts.blanc_noncoref_response,
    )

    def component(common: int, key: int, resp: int) -> tuple[Exact, Exact, Exact]:
        precision, recall = _ratio(common, resp, zd), _ratio(common, key, zd)
        return precision, recall, _f1(precision, recall)

    if c_key and n_key:
        coref = component(c_common, c_key, c_resp)
        noncoref = component(n_common, n_key, n_resp)
        return (
            _mean([coref[0], noncoref[0]]),
            _mean([coref[1], noncoref[1]]),
            _mean([coref[2], noncoref[2]]),
        )
    if c_key:
        return component(c_common, c_key, c_resp)
    if n_key:
        return component(n_common, n_key, n_resp)
    # Key with at most one mention: no links at all. Pool both link types: recall is
    # undefined, and precision is 0 if the response has links (none can be right).
    return component(c_common + n_common, 0, c_resp + n_resp)
