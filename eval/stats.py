"""Seeded bootstrap confidence intervals and paired significance tests.

Everything here works on stored per-unit sufficient statistics and never re-scores
a system. The harness keeps, for every unit (a document, or a sentence when the
corpus has a single document), a vector of counts such as ``(tp, n_pred, n_gold)``;
a :class:`Statistic` maps *summed* count vectors to a metric value. Corpus scores
are always micro scores computed from summed counts, never averages of per-unit
scores, and so is every resampled score: a bootstrap resample is a vector of
multinomial unit weights ``w`` and its score is ``f(w @ stats)``.

Definitions (see ``eval/METRICS.md`` for the full write-up):

* Confidence intervals: percentile bootstrap (default) or BCa with a jackknife over
  units (Efron & Tibshirani 1993, sec. 14.3), reproducing ``scipy.stats.bootstrap``
  for the same seed.
* Paired bootstrap p-value: two-sided, null-shifted,
  ``p = (1 + #{b : |d*_b - d| >= |d|}) / (B + 1)`` (the two-sided form of
  Berg-Kirkpatrick et al. 2012; Efron & Tibshirani 1993, ch. 16; add-one as in
  Davison & Hinkley 1997, sec. 4.2).
* Approximate randomization: each unit's pair of count vectors is swapped with
  probability 1/2; ``p = (1 + #{r : |d_r| >= |d|}) / (R + 1)`` (Noreen 1989;
  Riezler & Maxwell 2005). ``exact=True`` enumerates all ``2**m`` swaps.

All randomness comes from ``numpy.random.default_rng(seed)`` with
``seed=DEFAULT_SEED`` unless given: the same inputs and seed give the same results,
bit for bit on every machine (the resampled sums are exact, whatever order the BLAS
library adds in: :class:`_ExactSums`).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

__all__ = [
    "DEFAULT_N_PERMUTATIONS",
    "DEFAULT_N_RESAMPLES",
    "DEFAULT_SEED",
    "MAX_EXACT_UNITS",
    "CIMethod",
    "ConfidenceInterval",
    "PairedTestResult",
    "Statistic",
    "StatsInputError",
    "StatsWarning",
    "accuracy",
    "approximate_randomization",
    "bootstrap_ci",
    "bootstrap_cis",
    "bootstrap_replicates",
    "f1",
    "f1_from_pr_counts",
    "paired_bootstrap",
    "precision",
    "precision_from_pr_counts",
    "ratio",
    "recall",
    "recall_from_pr_counts",
    "safe_divide",
    "score",
]

FloatArray = NDArray[np.float64]
CIMethod = Literal["percentile", "bca"]

#: Seed used when none is given. Any fixed value would do; this one is documented
#: in eval/METRICS.md and recorded in every result.
DEFAULT_SEED: int = 12345
#: Default number of bootstrap resamples (``bootstrap_ci`` and ``paired_bootstrap``).
DEFAULT_N_RESAMPLES: int = 1000
#: Default number of random swap patterns for ``approximate_randomization``.
DEFAULT_N_PERMUTATIONS: int = 10_000
#: ``approximate_randomization(exact=True)`` refuses more differing units than this.
MAX_EXACT_UNITS: int = 20

_CI_METHODS: tuple[str, ...] = ("percentile", "bca")
# Entries of a (rows, n_units) weight or mask matrix materialised at once (2 MiB as
# float64): bounds memory, and small chunks are cache-friendly (no slower than large).
_CHUNK_ENTRIES: int = 1 << 18
# Relative tolerance for "at least as extreme" (the same rule as
# scipy.stats.permutation_test): floating-point ties count as ties.
_TIE_RTOL: float = 100 * float(np.finfo(np.float64).eps)


class StatsInputError(ValueError):
    """Invalid input to a statistics function; the message says how to fix it."""


class StatsWarning(RuntimeWarning):
    """A result could be computed only partially (e.g. an undefined BCa interval)."""


# --------------------------------------------------------------------------- #
# Statistics: functions of summed counts
# --------------------------------------------------------------------------- #


def safe_divide(num: ArrayLike, den: ArrayLike, zero_division: float) -> FloatArray:
    """Elementwise ``num / den`` with ``zero_division`` wherever ``den == 0``.

    Args:
        num: Numerators (broadcastable with ``den``).
        den: Denominators.
        zero_division: Value used where the denominator is zero.

    Returns:
        A float64 array of the broadcast shape.
    """
    num_arr = np.asarray(num, dtype=np.float64)
    den_arr = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast_shapes(num_arr.shape, den_arr.shape), zero_division, np.float64)
    np.divide(num_arr, den_arr, out=out, where=den_arr != 0)
    return out


@dataclass(frozen=True)
class Statistic:
    """A metric defined on summed per-unit counts.

    Attributes:
        name: Short metric name recorded in results (e.g. ``"f1"``).
        columns: Names of the ``k`` count columns, in the order of the stats array.
        func: Vectorised map from summed counts of shape ``(..., k)`` (float64) to
            metric values of shape ``(...)``. It must return finite values only: 0/0
            has to be mapped to ``zero_division`` (use :func:`safe_divide`).
        zero_division: The value the metric takes on 0/0 (documentation and results).
    """

    name: str
    columns: tuple[str, ...]
    func: Callable[[FloatArray], FloatArray]
    zero_division: float

    def __post_init__(self) -> None:
        columns = tuple(self.columns)
        if not columns or len(set(columns)) != len(columns):
            raise StatsInputError(
                f"Statistic {self.name!r} needs at least one column and unique column "
                f"names; got {columns!r}. Name each count column once, e.g. "
                "('tp', 'n_pred', 'n_gold')."
            )
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "zero_division", float(self.zero_division))

    @property
    def k(self) -> int:
        """Number of count columns the statistic expects."""
        return len(self.columns)

    def __call__(self, summed: ArrayLike) -> FloatArray:
        """Evaluate the metric on summed counts of shape ``(..., k)``."""
        arr = np.asarray(summed, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[-1] != self.k:
            raise StatsInputError(
                f"Statistic {self.name!r} expects summed counts with a last axis of "
                f"length {self.k} {self.columns!r}; got shape {arr.shape}."
            )
        out = np.asarray(self.func(arr), dtype=np.float64)
        if out.shape != arr.shape[:-1]:
            raise StatsInputError(
                f"Statistic {self.name!r} returned shape {out.shape} for input of shape "
                f"{arr.shape}; its function must reduce only the last axis."
            )
        if not np.isfinite(out).all():
            raise StatsInputError(
                f"Statistic {self.name!r} returned NaN or inf; its function must map "
                "x/0 to an explicit value (use safe_divide(num, den, zero_division))."
            )
        return out


def _f1_counts(summed: FloatArray, zero_division: float) -> FloatArray:
    tp, n_pred, n_gold = summed[..., 0], summed[..., 1], summed[..., 2]
    return safe_divide(2.0 * tp, n_pred + n_gold, zero_division)


def _column_ratio(summed: FloatArray, num: int, den: int, zero_division: float) -> FloatArray:
    return safe_divide(summed[..., num], summed[..., den], zero_division)


def _f1_pr(summed: FloatArray, zero_division: float) -> FloatArray:
    p = safe_divide(summed[..., 0], summed[..., 1], zero_division)
    r = safe_divide(summed[..., 2], summed[..., 3], zero_division)
    # P + R == 0 is a genuine zero (the harmonic mean tends to 0), not an undefined 0/0.
    return safe_divide(2.0 * p * r, p + r, 0.0)


def _difference(summed: FloatArray, statistic: Statistic) -> FloatArray:
    k = statistic.k
    return statistic.func(summed[..., :k]) - statistic.func(summed[..., k:])


def f1(
    zero_division: float = 0.0,
    *,
    columns: tuple[str, str, str] = ("tp", "n_pred", "n_gold"),
    name: str = "f1",
) -> Statistic:
    """F1 from ``(tp, n_pred, n_gold)``: ``2 tp / (n_pred + n_gold)``.

    Args:
        zero_division: Value when ``n_pred + n_gold == 0`` (nothing predicted and
            nothing to find). Default 0.0, as scikit-learn's default.
        columns: Column names recorded on the statistic.
        name: Metric name recorded in results.
    """
    return Statistic(name, columns, partial(_f1_counts, zero_division=zero_division), zero_division)


def precision(
    zero_division: float = 0.0,
    *,
    columns: tuple[str, str, str] = ("tp", "n_pred", "n_gold"),
    name: str = "precision",
) -> Statistic:
    """Precision ``tp / n_pred`` on the same ``(tp, n_pred, n_gold)`` layout as :func:`f1`."""
    func = partial(_column_ratio, num=0, den=1, zero_division=zero_division)
    return Statistic(name, columns, func, zero_division)


def recall(
    zero_division: float = 0.0,
    *,
    columns: tuple[str, str, str] = ("tp", "n_pred", "n_gold"),
    name: str = "recall",
) -> Statistic:
    """Recall ``tp / n_gold`` on the same ``(tp, n_pred, n_gold)`` layout as :func:`f1`."""
    func = partial(_column_ratio, num=0, den=2, zero_division=zero_division)
    return Statistic(name, columns, func, zero_division)


def accuracy(
    zero_division: float = 0.0,
    *,
    columns: tuple[str, str] = ("correct", "total"),
    name: str = "accuracy",
) -> Statistic:
    """Accuracy ``correct / total``; with ``total == 1`` per unit it is the plain mean."""
    func = partial(_column_ratio, num=0, den=1, zero_division=zero_division)
    return Statistic(name, columns, func, zero_division)


def ratio(
    num: str = "num",
    den: str = "den",
    *,
    zero_division: float = 0.0,
    name: str = "ratio",
) -> Statistic:
    """Generic ratio of two summed columns ``(num, den)``, e.g. a partial-credit precision.

    Args:
        num: Name of the numerator column (column 0).
        den: Name of the denominator column (column 1).
        zero_division: Value when the summed denominator is 0.
        name: Metric name recorded in results.
    """
    func = partial(_column_ratio, num=0, den=1, zero_division=zero_division)
    return Statistic(name, (num, den), func, zero_division)


def f1_from_pr_counts(
    p_num: str = "p_num",
    p_den: str = "p_den",
    r_num: str = "r_num",
    r_den: str = "r_den",
    *,
    zero_division: float = 0.0,
    name: str = "f1",
) -> Statistic:
    """F1 of a precision and a recall with their own numerators and denominators.

    The four columns ``(p_num, p_den, r_num, r_den)`` are summed separately, then
    ``P = p_num / p_den``, ``R = r_num / r_den`` and ``F1 = 2PR / (P + R)``
    (partial-credit F1, MUC/B-cubed/CEAF-style coreference scores). A zero
    denominator makes that component ``zero_division``; ``P + R == 0`` gives 0. With
    ``p_num = r_num = tp``, ``p_den = n_pred`` and ``r_den = n_gold`` this equals
    :func:`f1` for the same ``zero_division``.

    Args:
        p_num: Name of the precision numerator column (column 0).
        p_den: Name of the precision denominator column (column 1).
        r_num: Name of the recall numerator column (column 2).
        r_den: Name of the recall denominator column (column 3).
        zero_division: Value of P (resp. R) when its summed denominator is 0.
        name: Metric name recorded in results.
    """
    func = partial(_f1_pr, zero_division=zero_division)
    return Statistic(name, (p_num, p_den, r_num, r_den), func, zero_division)


def precision_from_pr_counts(*, zero_division: float = 0.0, name: str = "precision") -> Statistic:
    """``P = p_num / p_den`` on the 4-column layout of :func:`f1_from_pr_counts`."""
    func = partial(_column_ratio, num=0, den=1, zero_division=zero_division)
    return Statistic(name, ("p_num", "p_den", "r_num", "r_den"), func, zero_division)


def recall_from_pr_counts(*, zero_division: float = 0.0, name: str = "recall") -> Statistic:
    """``R = r_num / r_den`` on the 4-column layout of :func:`f1_from_pr_counts`."""
    func = partial(_column_ratio, num=2, den=3, zero_division=zero_division)
    return Statistic(name, ("p_num", "p_den", "r_num", "r_den"), func, zero_division)


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ConfidenceInterval:
    """A bootstrap confidence interval for a corpus-level (micro) score.

    Attributes:
        point: The score on the full data, ``f(stats.sum(axis=0))``.
        low: Lower bound (NaN only when a BCa interval is undefined, with a warning).
        high: Upper bound.
        n_resamples: Number of bootstrap resamples ``B``.
        confidence: Two-sided confidence level, e.g. 0.95.
        method: ``"percentile"`` or ``"bca"``.
        seed: Seed passed to ``numpy.random.default_rng``.
        unit: The resampling unit (``"document"`` or ``"sentence"``).
        statistic: Name of the statistic.
        n_units: Number of units resampled.
    """

    point: float
    low: float
    high: float
    n_resamples: int
    confidence: float
    method: str
    seed: int
    unit: str
    statistic: str
    n_units: int

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict (JSON-friendly)."""
        return asdict(self)


@dataclass(frozen=True)
class PairedTestResult:
    """A paired comparison of system A against system B on the same units.

    Attributes:
        delta: ``f(sum A) - f(sum B)``; positive means A scores higher.
        ci_low: Lower bound of the bootstrap CI of ``delta`` (None for randomization).
        ci_high: Upper bound of the bootstrap CI of ``delta`` (None for randomization).
        p_value: Two-sided p-value for the null hypothesis ``delta == 0``.
        method: ``"paired_bootstrap"``, ``"approximate_randomization"`` or
            ``"exact_randomization"``.
        n_resamples: Resamples (bootstrap), random swap patterns (approximate) or
            enumerated swap patterns ``2**m`` (exact).
        seed: Seed of ``numpy.random.default_rng``; None for the exact test.
        point_a: ``f(sum A)``.
        point_b: ``f(sum B)``.
        statistic: Name of the statistic.
        unit: The resampling unit.
        n_units: Number of aligned units.
        confidence: Confidence level of the CI (None for randomization).
        ci_method: ``"percentile"`` or ``"bca"`` (None for randomization).
    """

    delta: float
    ci_low: float | None
    ci_high: float | None
    p_value: float
    method: str
    n_resamples: int
    seed: int | None
    point_a: float
    point_b: float
    statistic: str
    unit: str
    n_units: int
    confidence: float | None = None
    ci_method: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict (JSON-friendly)."""
        return asdict(self)


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #


def _check_statistic(statistic: object) -> Statistic:
    if not isinstance(statistic, Statistic):
        raise StatsInputError(
            f"Expected a Statistic (e.g. stats.f1()), got {type(statistic).__name__}. "
            "Build one with f1(), precision(), recall(), accuracy(), ratio(), "
            "f1_from_pr_counts() or Statistic(name, columns, func, zero_division)."
        )
    return statistic


def _check_stats(stats: ArrayLike, statistic: Statistic, what: str = "stats") -> FloatArray:
    try:
        arr = np.asarray(stats, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatsInputError(
            f"{what} must be a numeric array of shape (n_units, {statistic.k}) holding "
            f"the per-unit counts {statistic.columns!r}; it could not be converted to "
            f"float64 ({exc})."
        ) from exc
    if arr.ndim != 2:
        hint = " Use stats[:, None] for a single column." if arr.ndim == 1 else ""
        raise StatsInputError(
            f"{what} must be 2-D with shape (n_units, {statistic.k}) for statistic "
            f"{statistic.name!r} {statistic.columns!r}; got {arr.ndim}-D shape "
            f"{arr.shape}.{hint}"
        )
    if arr.shape[1] != statistic.k:
        raise StatsInputError(
            f"{what} has {arr.shape[1]} columns but statistic {statistic.name!r} "
            f"expects {statistic.k} {statistic.columns!r}; pass the per-unit counts "
            "in exactly that column order."
        )
    if arr.shape[0] == 0:
        raise StatsInputError(
            f"{what} is empty (0 units); resampling needs at least one unit. Check "
            "that the corpus split and the unit level (document/sentence) are right."
        )
    finite = np.isfinite(arr)
    if not finite.all():
        unit, col = (int(i) for i in np.argwhere(~finite)[0])
        raise StatsInputError(
            f"{what} must hold finite counts; found {arr[unit, col]} at unit {unit}, "
            f"column {statistic.columns[col]!r}. Counts are never NaN/inf: fix the "
            "scorer output (0/0 belongs in the Statistic, not in the stored counts)."
        )
    if (arr < 0).any():
        unit, col = (int(i) for i in np.argwhere(arr < 0)[0])
        raise StatsInputError(
            f"{what} must hold non-negative counts; found {arr[unit, col]} at unit "
            f"{unit}, column {statistic.columns[col]!r}. Store raw counts "
            "(e.g. tp, n_pred, n_gold), not differences or scores."
        )
    return arr


def _check_pair(
    stats_a: ArrayLike, stats_b: ArrayLike, statistic: Statistic
) -> tuple[FloatArray, FloatArray]:
    a = _check_stats(stats_a, statistic, "stats_a")
    b = _check_stats(stats_b, statistic, "stats_b")
    if a.shape != b.shape:
        raise StatsInputError(
            f"Paired tests need aligned units: stats_a has shape {a.shape} but stats_b "
            f"has shape {b.shape}. Both systems must be scored on the same gold units "
            "in the same order (row i of each array is the same document/sentence)."
        )
    return a, b


def _check_count(value: object, name: str, example: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise StatsInputError(
            f"{name} must be an integer >= 1; got {value!r}. Use e.g. {name}={example} "
            "(more gives a smaller Monte-Carlo error)."
        )
    return int(value)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise StatsInputError(
            f"seed must be a non-negative integer (passed to numpy.random.default_rng) "
            f"so that results are reproducible; got {seed!r}. Use e.g. "
            f"seed={DEFAULT_SEED} (the default)."
        )
    return int(seed)


def _check_confidence(confidence: object) -> float:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float | np.floating)
        or not 0.0 < float(confidence) < 1.0
    ):
        raise StatsInputError(
            f"confidence must be a number strictly between 0 and 1; got {confidence!r}. "
            "Use e.g. confidence=0.95 for a 95% interval (not 95)."
        )
    return float(confidence)


def _check_method(method: object) -> str:
    if method not in _CI_METHODS:
        raise StatsInputError(
            f"method must be one of {_CI_METHODS}; got {method!r}. 'percentile' is the "
            "default; 'bca' adds bias and acceleration corrections."
        )
    return str(method)


def check_resampling(n_resamples: object, confidence: object, seed: object, method: object) -> None:
    """Refuse resampling settings that the bootstrap would refuse, before any scoring.

    Raises:
        StatsInputError: The first bad setting, with the bootstrap's own message.
    """
    _check_count(n_resamples, "n_resamples", DEFAULT_N_RESAMPLES)
    _check_confidence(confidence)
    _check_seed(seed)
    _check_method(method)


def _check_unit(unit: object) -> str:
    if not isinstance(unit, str) or not unit:
        raise StatsInputError(
            f"unit must be a non-empty string naming the resampling unit, e.g. "
            f"'document' or 'sentence'; got {unit!r}."
        )
    return unit


# --------------------------------------------------------------------------- #
# Resampling engine
# --------------------------------------------------------------------------- #


_BLAS: Any = None


def one_blas_thread(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``function`` with the BLAS library on one thread (threadpoolctl).

    The resampling matrix products are small and many: with two BLAS threads on a machine
    where another process holds a core, they run 2-3x slower than on one thread. The
    results are the same either way (tested); without threadpoolctl nothing changes.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _BLAS
        if _BLAS is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:  # pragma: no cover - a dependency of the core
                _BLAS = False
            else:
                _BLAS = ThreadpoolController()
        if _BLAS is False:
            return function(*args, **kwargs)
        with _BLAS.limit(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper


def _chunk_rows(n_columns: int) -> int:
    return max(1, _CHUNK_ENTRIES // max(1, n_columns))


def _resample_weights(n: int, n_resamples: int, seed: int) -> Iterator[FloatArray]:
    """Yield the float64 multinomial weights ``(rows, n)`` of the resamples, in chunks.

    Row ``b`` uses the indices ``rng.integers(0, n, (B, n))[b]``: the same stream as
    ``scipy.stats.bootstrap`` (chunking does not change the stream). The indices are
    turned into multinomial weights with ``bincount``.
    """
    rng = np.random.default_rng(seed)
    rows = _chunk_rows(n)
    for start in range(0, n_resamples, rows):
        m = min(rows, n_resamples - start)
        idx = rng.integers(0, n, size=(m, n))
        idx += (np.arange(m, dtype=idx.dtype) * n)[:, None]
        weights = np.bincount(idx.ravel(), minlength=m * n).reshape(m, n)
        yield weights.astype(np.float64)


class _ExactSums:
    """``weights @ stats`` for weights of non-negative whole numbers whose rows sum to at
    most ``total``, bit for bit the same on every machine.

    A BLAS product adds in an order that depends on the CPU's kernel (one OpenBLAS build
    runs different kernels on AVX2 and AVX-512 machines), which changes the last bits of a
    sum of fractional values. A column whose values are all whole multiples of
    ``2**(e - bits)`` (its values are below ``2**e`` in size; ``total * 2**bits < 2**52``),
    such as counts and halves, sums exactly in any order: the product is kept for it.
    Every other column is scaled by ``2**-e`` and split in two parts: ``high``, a multiple
    of ``2**-bits``, and ``low``, the rest as a multiple of ``2**(-2 * bits)``. Every
    product and partial sum of one part is a whole multiple of its grid below ``2**52`` of
    them, hence exact whatever the order; the two exact sums are added once and scaled
    back. Such a sum is exact to within ``total * 2**(-2 * bits)`` of the column's largest
    value (``2 * bits`` is 76 at 10,000 units, 64 at a million), then rounded once; it is
    the correctly rounded sum unless a unit's value has bits below that. Besides a
    reference to ``stats``, the parts of the fractional columns are held: at most twice
    those columns' bytes.
    """

    def __init__(self, stats: FloatArray, total: int) -> None:
        bits = 52 - max(1, total).bit_length()
        self._stats = stats
        exponent = np.frexp(np.abs(stats).max(axis=0, initial=0.0))[1]  # |x| < 2**exponent
        scaled = np.ldexp(stats, -exponent)  # in (-1, 1): no grid below is subnormal
        high = np.ldexp(np.round(np.ldexp(scaled, bits)), -bits)
        self._columns = np.flatnonzero(np.any(high != scaled, axis=0))
        self._exponent = exponent[self._columns]
        rest = scaled[:, self._columns] - high[:, self._columns]  # exact
        del scaled
        self._high = np.ascontiguousarray(high[:, self._columns])
        del high
        self._low = np.ldexp(np.round(np.ldexp(rest, 2 * bits)), -2 * bits)

    def __call__(self, weights: FloatArray) -> FloatArray:
        """``weights @ stats`` (weights of shape ``(rows, n_units)``)."""
        sums = weights @ self._stats
        if self._columns.size:
            exact = weights @ self._high
            exact += weights @ self._low
            sums[:, self._columns] = np.ldexp(exact, self._exponent)
        return sums


def _resampled_sums(stats: FloatArray, n_resamples: int, seed: int) -> Iterator[FloatArray]:
    """Yield summed count vectors of bootstrap resamples (``w @ stats``), in chunks of rows."""
    sums = _ExactSums(stats, stats.shape[0])
    for weights in _resample_weights(stats.shape[0], n_resamples, seed):
        yield sums(weights)


def _replicates(stats: FloatArray, statistic: Statistic, n_resamples: int, seed: int) -> FloatArray:
    return np.concatenate([statistic(s) for s in _resampled_sums(stats, n_resamples, seed)], axis=0)


def _bca_quantile_levels(
    replicates: FloatArray, point: float, jackknife: FloatArray, alpha: float
) -> tuple[float, float] | None:
    """BCa quantile levels (Efron & Tibshirani 1993, sec. 14.3).

    Matches ``scipy.stats._resampling._bca_interval`` except that a jackknife with
    no variation gives acceleration 0 instead of NaN. Returns None when the bias
    correction is infinite (the point estimate lies outside the replicates).
    """
    b = replicates.size
    below = np.count_nonzero(replicates < point) + np.count_nonzero(replicates <= point)
    z0 = float(ndtri(below / (2 * b)))
    if not math.isfinite(z0):
        return None
    dev = jackknife.mean() - jackknife
    ss = float(np.sum(dev**2))
    accel = float(np.sum(dev**3)) / (6.0 * ss**1.5) if ss > 0 else 0.0
    z_alpha = float(ndtri(alpha))
    levels = []
    for z in (z_alpha, -z_alpha):
        num = z0 + z
        levels.append(float(ndtr(z0 + num / (1.0 - accel * num))))
    if not all(0.0 <= level <= 1.0 for level in levels):
        return None
    return levels[0], levels[1]


def _interval(
    stats: FloatArray,
    statistic: Statistic,
    replicates: FloatArray,
    point: float,
    confidence: float,
    method: str,
) -> tuple[float, float]:
    alpha = (1.0 - confidence) / 2.0
    if method == "percentile":
        lo, hi = np.quantile(replicates, [alpha, 1.0 - alpha])
        return float(lo), float(hi)
    # BCa: leave-one-unit-out sums are total - row, so the jackknife is one call.
    jackknife = statistic(stats.sum(axis=0) - stats)
    levels = _bca_quantile_levels(replicates, point, jackknife, alpha)
    if levels is None:
        warnings.warn(
            StatsWarning(
                "The BCa interval is undefined: the point estimate lies outside the "
                "bootstrap distribution (infinite bias correction) or the correction "
                "is NaN. Returning NaN bounds; use method='percentile' or more "
                "resamples/units."
            ),
            stacklevel=3,
        )
        return math.nan, math.nan
    lo, hi = np.quantile(replicates, levels)
    return float(lo), float(hi)


def _count_at_least(values: FloatArray, threshold: float) -> int:
    """``#{values >= threshold}`` with floating-point ties counted as ties."""
    tol = _TIE_RTOL * abs(threshold)
    return int(np.count_nonzero(values >= threshold - tol))


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #


def score(stats: ArrayLike, statistic: Statistic) -> float:
    """Corpus-level (micro) score: the statistic of the summed per-unit counts.

    Args:
        stats: Per-unit counts, shape ``(n_units, k)``.
        statistic: The metric.

    Returns:
        ``statistic(stats.sum(axis=0))`` as a float.
    """
    statistic = _check_statistic(statistic)
    arr = _check_stats(stats, statistic)
    return float(statistic(arr.sum(axis=0)))


@one_blas_thread
def bootstrap_replicates(
    stats: ArrayLike,
    statistic: Statistic,
    *,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> FloatArray:
    """The bootstrap distribution of a micro score: one value per resample of units.

    Args:
        stats: Per-unit counts, shape ``(n_units, k)``.
        statistic: The metric.
        n_resamples: Number of resamples ``B`` (>= 1).
        seed: Seed for ``numpy.random.default_rng``.

    Returns:
        Array of shape ``(B,)``; the values :func:`bootstrap_ci` takes quantiles of.
    """
    statistic = _check_statistic(statistic)
    arr = _check_stats(stats, statistic)
    n_resamples = _check_count(n_resamples, "n_resamples", DEFAULT_N_RESAMPLES)
    return _replicates(arr, statistic, n_resamples, _check_seed(seed))


@one_blas_thread
def bootstrap_ci(
    stats: ArrayLike,
    statistic: Statistic,
    *,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    confidence: float = 0.95,
    seed: int = DEFAULT_SEED,
    method: CIMethod = "percentile",
    unit: str = "document",
) -> ConfidenceInterval:
    """Bootstrap confidence interval of a corpus-level (micro) score.

    Units are resampled with replacement; each resample's score is the statistic of
    its summed counts. With the same seed the resamples are those of
    ``scipy.stats.bootstrap(..., rng=numpy.random.default_rng(seed))``.

    Args:
        stats: Per-unit counts, shape ``(n_units, k)`` with ``k == statistic.k``.
        statistic: The metric, e.g. :func:`f1`.
        n_resamples: Number of resamples ``B`` (>= 1).
        confidence: Two-sided level in (0, 1).
        seed: Seed for ``numpy.random.default_rng`` (default :data:`DEFAULT_SEED`).
        method: ``"percentile"`` or ``"bca"`` (jackknife over units for acceleration).
        unit: Name of the resampling unit, recorded in the result.

    Returns:
        The interval together with the settings that produced it.

    Raises:
        StatsInputError: On invalid counts or settings.
    """
    statistic = _check_statistic(statistic)
    arr = _check_stats(stats, statistic)
    n_resamples = _check_count(n_resamples, "n_resamples", DEFAULT_N_RESAMPLES)
    confidence = _check_confidence(confidence)
    seed = _check_seed(seed)
    method_name = _check_method(method)
    unit = _check_unit(unit)

    point = float(statistic(arr.sum(axis=0)))
    reps = _replicates(arr, statistic, n_resamples, seed)
    low, high = _interval(arr, statistic, reps, point, confidence, method_name)
    return ConfidenceInterval(
        point=point,
        low=low,
        high=high,
        n_resamples=n_resamples,
        confidence=confidence,
        method=method_name,
        seed=seed,
        unit=unit,
        statistic=statistic.name,
        n_units=int(arr.shape[0]),
    )


#: Table bytes :func:`bootstrap_cis` holds at once when tables are given as loaders.
TABLE_BUDGET_BYTES: int = 8 << 20

TableSource = ArrayLike | Callable[[], ArrayLike]


def _table_groups(sizes: Sequence[int], budget: int) -> list[list[int]]:
    """Consecutive groups of tables whose bytes stay under ``budget`` (at least one each)."""
    groups: list[list[int]] = []
    held = budget
    for k, size in enumerate(sizes):
        if held + size > budget:
            groups.append([])
            held = 0
        groups[-1].append(k)
        held += size
    return groups


@one_blas_thread
def bootstrap_cis(
    tables: Sequence[TableSource],
    statistics: Statistic | Sequence[Statistic],
    *,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    confidence: float = 0.95,
    seed: int = DEFAULT_SEED,
    method: CIMethod = "percentile",
    unit: str = "document",
    budget_bytes: int = TABLE_BUDGET_BYTES,
) -> list[ConfidenceInterval]:
    """:func:`bootstrap_ci` of several tables over the same units, sharing the resamples.

    Every table (one metric's per-unit counts, all with the same number of units) gets
    exactly the interval :func:`bootstrap_ci` gives it with the same settings: the
    resample weights depend only on the seed and the number of units, so they are drawn
    once and applied to every table (the random stream and the ``bincount`` dominate
    the cost of one interval).

    A table may be given as a loader (a function returning it, e.g. from disk): loaded
    tables are then held a group at a time, at most ``budget_bytes`` together (or one
    table; plus the exact parts of fractional columns, at most twice those columns'
    bytes: :class:`_ExactSums`), and each further group draws the same resamples again.
    The intervals do not depend on the grouping: each table meets the same weights in the
    same products.

    Args:
        tables: Per-unit counts of each metric, each of shape ``(n_units, k_i)``, or
            functions returning them (called once to check, once when resampled).
        statistics: One statistic for all tables, or one per table.
        n_resamples, confidence, seed, method, unit: As in :func:`bootstrap_ci`.
        budget_bytes: Bytes of loaded tables held at once.

    Raises:
        StatsInputError: On invalid counts or settings, or tables over different units.
    """
    if isinstance(statistics, Statistic):
        statistics = [statistics] * len(tables)
    if len(statistics) != len(tables):
        raise StatsInputError(
            f"got {len(tables)} tables but {len(statistics)} statistics; give one statistic "
            f"for all tables or one per table"
        )
    checked = [_check_statistic(s) for s in statistics]
    shapes: list[tuple[int, ...]] = []
    held: dict[int, FloatArray] = {}
    for k, (table, statistic) in enumerate(zip(tables, checked, strict=True)):
        arr = _check_stats(table() if callable(table) else table, statistic)
        shapes.append(arr.shape)
        if not callable(table):
            held[k] = arr
    n_resamples = _check_count(n_resamples, "n_resamples", DEFAULT_N_RESAMPLES)
    confidence = _check_confidence(confidence)
    seed = _check_seed(seed)
    method_name = _check_method(method)
    unit = _check_unit(unit)
    if not tables:
        return []
    n_units = {shape[0] for shape in shapes}
    if len(n_units) != 1:
        raise StatsInputError(
            f"the tables cover different numbers of units ({sorted(n_units)}); bootstrap "
            f"tables over the same units together, or call bootstrap_ci on each"
        )
    lazy = [k for k in range(len(tables)) if k not in held]
    groups = [sorted(held)] if held else []
    groups += [
        [lazy[i] for i in group]
        for group in _table_groups([8 * math.prod(shapes[k]) for k in lazy], budget_bytes)
    ]
    results: list[ConfidenceInterval | None] = [None] * len(tables)
    for group in groups:
        arrays = [
            held[k] if k in held else _check_stats(tables[k](), checked[k])  # type: ignore[operator]
            for k in group
        ]
        chunks: list[list[FloatArray]] = [[] for _ in group]
        sums = [_ExactSums(arr, shapes[0][0]) for arr in arrays]
        for weights in _resample_weights(shapes[0][0], n_resamples, seed):
            for k, summed, out in zip(group, sums, chunks, strict=True):
                out.append(checked[k](summed(weights)))
        for k, arr, out in zip(group, arrays, chunks, strict=True):
            statistic = checked[k]
            point = float(statistic(arr.sum(axis=0)))
            reps = np.concatenate(out, axis=0)
            low, high = _interval(arr, statistic, reps, point, confidence, method_name)
            results[k] = ConfidenceInterval(
                point=point,
                low=low,
                high=high,
                n_resamples=n_resamples,
                confidence=confidence,
                method=method_name,
                seed=seed,
                unit=unit,
                statistic=statistic.name,
                n_units=int(arr.shape[0]),
            )
        del arrays, chunks, sums
    return [ci for ci in results if ci is not None]


@one_blas_thread
def paired_bootstrap(
    stats_a: ArrayLike,
    stats_b: ArrayLike,
    statistic: Statistic,
    *,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    confidence: float = 0.95,
    seed: int = DEFAULT_SEED,
    method: CIMethod = "percentile",
    unit: str = "document",
) -> PairedTestResult:
    """Paired bootstrap of the difference ``delta = f(sum A) - f(sum B)``.

    Both systems are resampled with the same unit indices. The CI is a bootstrap CI
    of ``delta`` (``method`` as in :func:`bootstrap_ci`). The two-sided p-value is
    the null-shifted one, ``(1 + #{b : |d*_b - delta| >= |delta|}) / (B + 1)``:
    the bootstrap distribution is centred on ``delta``, so shifting it to 0 gives the
    null distribution (Berg-Kirkpatrick et al. 2012, two-sided; Efron & Tibshirani
    1993, ch. 16).

    Args:
        stats_a: Counts of system A, shape ``(n_units, k)``.
        stats_b: Counts of system B on the same units in the same order.
        statistic: The metric.
        n_resamples: Number of resamples ``B`` (>= 1).
        confidence: Two-sided level in (0, 1) for the CI of ``delta``.
        seed: Seed for ``numpy.random.default_rng``.
        method: CI method, ``"percentile"`` or ``"bca"``.
        unit: Name of the resampling unit, recorded in the result.

    Returns:
        ``delta``, its CI and the p-value.

    Raises:
        StatsInputError: On invalid or misaligned counts or settings.
    """
    statistic = _check_statistic(statistic)
    a, b = _check_pair(stats_a, stats_b, statistic)
    n_resamples = _check_count(n_resamples, "n_resamples", DEFAULT_N_RESAMPLES)
    confidence = _check_confidence(confidence)
    seed = _check_seed(seed)
    method_name = _check_method(method)
    unit = _check_unit(unit)

    diff = Statistic(
        f"delta_{statistic.name}",
        tuple(f"a.{c}" for c in statistic.columns) + tuple(f"b.{c}" for c in statistic.columns),
        partial(_difference, statistic=statistic),
        0.0,
    )
    pair = np.concatenate([a, b], axis=1)
    point_a = float(statistic(a.sum(axis=0)))
    point_b = float(statistic(b.sum(axis=0)))
    delta = point_a - point_b
    reps = _replicates(pair, diff, n_resamples, seed)
    low, high = _interval(pair, diff, reps, delta, confidence, method_name)
    extreme = _count_at_least(np.abs(reps - delta), abs(delta))
    return PairedTestResult(
        delta=delta,
        ci_low=low,
        ci_high=high,
        p_value=(extreme + 1) / (n_resamples + 1),
        method="paired_bootstrap",
        n_resamples=n_resamples,
        seed=seed,
        point_a=point_a,
        point_b=point_b,
        statistic=statistic.name,
        unit=unit,
        n_units=int(a.shape[0]),
        confidence=confidence,
        ci_method=method_name,
    )


def _swap_masks_random(n_units: int, n_permutations: int, seed: int) -> Iterator[FloatArray]:
    rng = np.random.default_rng(seed)
    rows = _chunk_rows(n_units)
    n_bytes = (n_units + 7) // 8
    for start in range(0, n_permutations, rows):
        m = min(rows, n_permutations - start)
        packed = rng.integers(0, 256, size=(m, n_bytes), dtype=np.uint8)
        yield np.unpackbits(packed, axis=1, count=n_units).astype(np.float64)


def _swap_masks_exact(n_units: int) -> Iterator[FloatArray]:
    total = 1 << n_units
    rows = _chunk_rows(n_units)
    shifts = np.arange(n_units, dtype=np.int64)
    for start in range(0, total, rows):
        codes = np.arange(start, min(total, start + rows), dtype=np.int64)
        yield ((codes[:, None] >> shifts) & 1).astype(np.float64)


@one_blas_thread
def approximate_randomization(
    stats_a: ArrayLike,
    stats_b: ArrayLike,
    statistic: Statistic,
    *,
    n_permutations: int = DEFAULT_N_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    exact: bool = False,
    unit: str = "document",
) -> PairedTestResult:
    """Paired (approximate) randomization test of ``delta = f(sum A) - f(sum B)``.

    Under the null the two systems are exchangeable within each unit, so each unit's
    pair of count vectors is swapped with probability 1/2 and ``delta`` recomputed
    from the swapped sums. The two-sided p-value is
    ``(1 + #{r : |d_r| >= |delta|}) / (R + 1)`` (Noreen 1989; Riezler & Maxwell
    2005). Units whose counts are identical in A and B are left out: swapping them
    changes nothing. With ``exact=True`` all ``2**m`` swap patterns of the ``m``
    differing units are enumerated and ``p = #{|d| >= |delta|} / 2**m`` (the
    identity is among them, so no correction is needed); ``seed`` is then unused.

    Args:
        stats_a: Counts of system A, shape ``(n_units, k)``.
        stats_b: Counts of system B on the same units in the same order.
        statistic: The metric.
        n_permutations: Number of random swap patterns ``R`` (>= 1; ignored if exact).
        seed: Seed for ``numpy.random.default_rng``.
        exact: Enumerate all swap patterns (at most ``MAX_EXACT_UNITS`` differing units).
        unit: Name of the resampling unit, recorded in the result.

    Returns:
        ``delta`` and the p-value; ``ci_low``/``ci_high`` are None.

    Raises:
        StatsInputError: On invalid or misaligned counts or settings.
    """
    statistic = _check_statistic(statistic)
    a, b = _check_pair(stats_a, stats_b, statistic)
    n_permutations = _check_count(n_permutations, "n_permutations", DEFAULT_N_PERMUTATIONS)
    seed = _check_seed(seed)
    unit = _check_unit(unit)
    if not isinstance(exact, bool | np.bool_):
        raise StatsInputError(f"exact must be True or False; got {exact!r}.")

    sum_a = a.sum(axis=0)
    sum_b = b.sum(axis=0)
    point_a = float(statistic(sum_a))
    point_b = float(statistic(sum_b))
    delta = point_a - point_b
    differing = np.any(a != b, axis=1)
    d = (b - a)[differing]
    m = int(d.shape[0])

    if exact:
        if m > MAX_EXACT_UNITS:
            raise StatsInputError(
                f"exact=True enumerates 2**m swap patterns and {m} units differ between "
                f"the systems (limit {MAX_EXACT_UNITS}). Use exact=False with "
                f"n_permutations={DEFAULT_N_PERMUTATIONS} or more."
            )
        masks: Iterator[FloatArray] = _swap_masks_exact(m)
        total = 1 << m
    else:
        masks = _swap_masks_random(m, n_permutations, seed)
        total = n_permutations

    extreme = 0
    shifts = _ExactSums(d, m)
    for mask in masks:
        shift = shifts(mask)
        null = statistic(sum_a + shift) - statistic(sum_b - shift)
        extreme += _count_at_least(np.abs(null), abs(delta))

    p_value = extreme / total if exact else (extreme + 1) / (total + 1)
    return PairedTestResult(
        delta=delta,
        ci_low=None,
        ci_high=None,
        p_value=p_value,
        method="exact_randomization" if exact else "approximate_randomization",
        n_resamples=total,
        seed=None if exact else seed,
        point_a=point_a,
        point_b=point_b,
        statistic=statistic.name,
        unit=unit,
        n_units=int(a.shape[0]),
    )
