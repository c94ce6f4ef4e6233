"""Tests for newsbench.eval.stats: bootstrap CIs and paired significance tests."""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval import stats as S

GOLDEN_README = Path(__file__).parent / "golden" / "stats" / "README.md"
FAST = settings(max_examples=40, deadline=None)


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def mean_stats(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Per-unit (correct, total) counts whose accuracy is the plain mean of ``values``."""
    x = np.asarray(values, dtype=np.float64)
    return np.column_stack([x, np.ones_like(x)])


def mc_tol(p: float, n: int, k: float = 4.0) -> float:
    """k standard errors of a Monte-Carlo proportion estimate."""
    return k * math.sqrt(p * (1.0 - p) / n)


def frac_accuracy(s: Sequence[int]) -> Fraction:
    return Fraction(0) if s[1] == 0 else Fraction(s[0], s[1])


def frac_f1(s: Sequence[int]) -> Fraction:
    return Fraction(0) if s[1] + s[2] == 0 else Fraction(2 * s[0], s[1] + s[2])


FRACTION_METRICS: dict[str, Callable[[Sequence[int]], Fraction]] = {
    "accuracy": frac_accuracy,
    "f1": frac_f1,
}
STATISTICS: dict[str, Callable[[], S.Statistic]] = {"accuracy": S.accuracy, "f1": S.f1}


def summed(rows: Sequence[Sequence[int]]) -> list[int]:
    return [sum(col) for col in zip(*rows, strict=True)]


def exact_bootstrap(stats: list[list[int]], metric: Callable) -> dict[Fraction, Fraction]:
    """Bootstrap distribution by enumerating all n^n ordered resamples."""
    n = len(stats)
    counts = Counter(metric(summed([stats[i] for i in r])) for r in product(range(n), repeat=n))
    return {v: Fraction(c, n**n) for v, c in counts.items()}


def exact_paired_bootstrap(
    a: list[list[int]], b: list[list[int]], metric: Callable
) -> dict[Fraction, Fraction]:
    n = len(a)
    counts: Counter[Fraction] = Counter()
    for r in product(range(n), repeat=n):
        counts[metric(summed([a[i] for i in r])) - metric(summed([b[i] for i in r]))] += 1
    return {v: Fraction(c, n**n) for v, c in counts.items()}


def exact_null(a: list[list[int]], b: list[list[int]], metric: Callable) -> list[Fraction]:
    """Randomization null distribution over all 2^n swap patterns (s1 varies slowest)."""
    out = []
    for mask in product((0, 1), repeat=len(a)):
        a_rows = [bi if s else ai for ai, bi, s in zip(a, b, mask, strict=True)]
        b_rows = [ai if s else bi for ai, bi, s in zip(a, b, mask, strict=True)]
        out.append(metric(summed(a_rows)) - metric(summed(b_rows)))
    return out


def load_golden() -> dict[str, dict[str, str]]:
    text = GOLDEN_README.read_text(encoding="utf-8")
    match = re.search(r"```golden\n(.*?)```", text, re.S)
    assert match, "golden block missing from tests/golden/stats/README.md"
    cases: dict[str, dict[str, str]] = {}
    for line in match.group(1).splitlines():
        if line.strip():
            key, value = (part.strip() for part in line.split("=", 1))
            case, field = key.split(".", 1)
            cases.setdefault(case, {})[field] = value
    return cases


def parse_rows(value: str) -> list[list[int]]:
    return [[int(x) for x in row.split(",")] for row in value.split(";")]


def parse_fracs(value: str) -> list[Fraction]:
    return [Fraction(x.strip()) for x in value.split(",")]


def parse_dist(value: str) -> dict[Fraction, Fraction]:
    pairs = (item.split(":") for item in value.split(","))
    return {Fraction(v.strip()): Fraction(p.strip()) for v, p in pairs}


GOLDEN = load_golden()


def assert_frequencies(reps: np.ndarray, dist: dict[Fraction, Fraction]) -> None:
    seen = np.zeros(reps.shape, dtype=bool)
    for value, prob in dist.items():
        hit = np.isclose(reps, float(value), rtol=0, atol=1e-12)
        seen |= hit
        assert abs(hit.mean() - float(prob)) <= mc_tol(float(prob), reps.size), (value, prob)
    assert seen.all(), "bootstrap produced a value outside the exact support"


# --------------------------------------------------------------------------- #
# Statistics
# --------------------------------------------------------------------------- #


class TestStatistics:
    def test_f1_precision_recall_values(self) -> None:
        counts = np.array([2.0, 3.0, 5.0])
        assert S.f1()(counts) == pytest.approx(4 / 8)
        assert S.precision()(counts) == pytest.approx(2 / 3)
        assert S.recall()(counts) == pytest.approx(2 / 5)

    def test_zero_division_is_explicit(self) -> None:
        zero = np.zeros(3)
        assert S.f1()(zero) == 0.0
        assert S.f1(zero_division=1.0)(zero) == 1.0
        assert S.precision(zero_division=1.0)(np.array([0.0, 0.0, 4.0])) == 1.0
        assert S.recall(zero_division=0.5)(np.array([0.0, 3.0, 0.0])) == 0.5
        assert S.accuracy(zero_division=1.0)(np.zeros(2)) == 1.0
        assert S.ratio(zero_division=0.25)(np.zeros(2)) == 0.25
        # Nothing predicted but gold exists: a genuine zero, not 0/0.
        assert S.f1(zero_division=1.0)(np.array([0.0, 0.0, 3.0])) == 0.0
        assert S.f1().zero_division == 0.0

    def test_f1_from_pr_counts_value(self) -> None:
        stat = S.f1_from_pr_counts()
        assert stat.columns == ("p_num", "p_den", "r_num", "r_den")
        # P = 1/2, R = 1/4 -> F1 = 2 * (1/8) / (3/4) = 1/3
        assert stat(np.array([1.0, 2.0, 1.0, 4.0])) == pytest.approx(1 / 3)
        assert stat(np.array([0.0, 2.0, 0.0, 4.0])) == 0.0  # P + R == 0
        assert S.precision_from_pr_counts()(np.array([1.0, 2.0, 1.0, 4.0])) == 0.5
        assert S.recall_from_pr_counts()(np.array([1.0, 2.0, 1.0, 4.0])) == 0.25
        # Both denominators 0 -> zero_division; one of them 0 -> that ratio is zero_division.
        assert S.f1_from_pr_counts(zero_division=1.0)(np.zeros(4)) == 1.0
        assert S.f1_from_pr_counts(zero_division=1.0)(np.array([0.0, 0.0, 1.0, 2.0])) == (
            pytest.approx(2 * 0.5 / 1.5)
        )

    def test_vectorised_over_leading_axes(self) -> None:
        rng = np.random.default_rng(0)
        batch = rng.integers(0, 5, size=(4, 7, 3)).astype(float)
        out = S.f1()(batch)
        assert out.shape == (4, 7)
        assert out[2, 5] == S.f1()(batch[2, 5])

    @FAST
    @given(
        st.lists(st.tuples(*(st.integers(0, 4),) * 3), min_size=1, max_size=6),
        st.sampled_from([0.0, 0.5, 1.0]),
    )
    def test_f1_from_pr_counts_equals_f1(self, rows: list[tuple[int, int, int]], zd: float) -> None:
        c = np.array([(min(t, p, g), p, g) for t, p, g in rows], dtype=float).sum(axis=0)
        pr = np.array([c[0], c[1], c[0], c[2]])
        assert S.f1_from_pr_counts(zero_division=zd)(pr) == pytest.approx(S.f1(zero_division=zd)(c))

    def test_score_is_micro_not_macro(self) -> None:
        stats = np.array([[1, 1, 1], [0, 9, 9]])  # per-unit F1 1 and 0 -> macro 0.5
        assert S.score(stats, S.f1()) == pytest.approx(2 / 20)

    def test_statistic_is_picklable(self) -> None:
        import pickle

        stat = pickle.loads(pickle.dumps(S.f1(zero_division=1.0)))
        assert stat(np.zeros(3)) == 1.0


# --------------------------------------------------------------------------- #
# Golden cases (tests/golden/stats/README.md)
# --------------------------------------------------------------------------- #


class TestGolden:
    B = 20_000

    @pytest.mark.parametrize("case", ["B1", "B2"])
    def test_hand_derivation_matches_enumeration(self, case: str) -> None:
        g = GOLDEN[case]
        metric = FRACTION_METRICS[g["statistic"]]
        stats = parse_rows(g["stats"])
        assert metric(summed(stats)) == Fraction(g["point"])
        dist = exact_bootstrap(stats, metric)
        assert dist == parse_dist(g["dist"])
        assert sum(v * p for v, p in dist.items()) == Fraction(g["mean"])
        if "var" in g:
            mean = Fraction(g["mean"])
            assert sum((v - mean) ** 2 * p for v, p in dist.items()) == Fraction(g["var"])

    @pytest.mark.parametrize("case", ["B1", "B2"])
    def test_bootstrap_matches_exact_distribution(self, case: str) -> None:
        g = GOLDEN[case]
        stat = STATISTICS[g["statistic"]]()
        stats = np.array(parse_rows(g["stats"]), dtype=float)
        dist = parse_dist(g["dist"])
        reps = S.bootstrap_replicates(stats, stat, n_resamples=self.B)
        assert_frequencies(reps, dist)
        mean = float(Fraction(g["mean"]))
        var = sum(float(p) * (float(v) - mean) ** 2 for v, p in dist.items())
        assert abs(reps.mean() - mean) <= 4 * math.sqrt(var / self.B)
        for key in (k for k in g if k.startswith("ci")):
            low, high = parse_fracs(g[key])
            ci = S.bootstrap_ci(stats, stat, n_resamples=self.B, confidence=int(key[2:]) / 100)
            assert ci.point == float(Fraction(g["point"]))
            assert (ci.low, ci.high) == pytest.approx((float(low), float(high)), abs=1e-12)

    def test_paired_bootstrap_golden(self) -> None:
        g = GOLDEN["P1"]
        metric = FRACTION_METRICS[g["statistic"]]
        a, b = parse_rows(g["stats_a"]), parse_rows(g["stats_b"])
        delta = Fraction(g["delta"])
        dist = exact_paired_bootstrap(a, b, metric)
        assert dist == parse_dist(g["dist"])
        p_limit = sum(p for v, p in dist.items() if abs(v - delta) >= abs(delta))
        assert p_limit == Fraction(g["p_limit"])

        res = S.paired_bootstrap(
            np.array(a), np.array(b), STATISTICS[g["statistic"]](), n_resamples=self.B
        )
        assert res.delta == float(delta)
        assert abs(res.p_value - float(p_limit)) <= mc_tol(float(p_limit), self.B)
        low, high = parse_fracs(g["ci95"])
        assert (res.ci_low, res.ci_high) == (float(low), float(high))
        reps = S.bootstrap_replicates(
            np.hstack([a, b]),
            S.Statistic(
                "d",
                ("ca", "ta", "cb", "tb"),
                lambda s: s[..., 0] / s[..., 1] - s[..., 2] / s[..., 3],
                0,
            ),
            n_resamples=self.B,
        )
        assert_frequencies(reps, dist)

    @pytest.mark.parametrize("case", ["R1", "R1b"])
    def test_exact_randomization_golden(self, case: str) -> None:
        g = GOLDEN[case]
        metric = FRACTION_METRICS[g["statistic"]]
        a, b = parse_rows(g["stats_a"]), parse_rows(g["stats_b"])
        delta = Fraction(g["delta"])
        null = exact_null(a, b, metric)
        if "null" in g:
            assert null == parse_fracs(g["null"])
        assert null[0] == delta
        p_brute = Fraction(sum(abs(d) >= abs(delta) for d in null), len(null))
        assert p_brute == Fraction(g["p_exact"])

        stat = STATISTICS[g["statistic"]]()
        res = S.approximate_randomization(np.array(a), np.array(b), stat, exact=True)
        assert res.delta == pytest.approx(float(delta), abs=1e-15)
        assert res.p_value == float(Fraction(g["p_exact"]))
        assert res.n_resamples == int(g["n_patterns"])
        assert res.method == "exact_randomization"
        assert res.seed is None and res.ci_low is None and res.ci_high is None

        approx = S.approximate_randomization(np.array(a), np.array(b), stat, n_permutations=self.B)
        p = float(p_brute)
        assert abs(approx.p_value - p) <= mc_tol(p, self.B)
        assert approx.method == "approximate_randomization"


# --------------------------------------------------------------------------- #
# Differential tests against scipy
# --------------------------------------------------------------------------- #


class TestAgainstScipy:
    """Our resampling stream is scipy's (rng.integers(0, n, (B, n))), so CIs agree
    exactly up to floating-point summation order; permutation p-values agree exactly
    in exact mode and within Monte-Carlo error otherwise (different streams)."""

    @pytest.mark.parametrize("method", ["percentile", "bca"])
    @pytest.mark.parametrize(
        ("n", "n_resamples", "confidence", "seed"),
        [(25, 2000, 0.95, 7), (60, 999, 0.9, 0), (7, 500, 0.5, 123)],
    )
    def test_ci_of_mean_matches_scipy_bootstrap(
        self, method: str, n: int, n_resamples: int, confidence: float, seed: int
    ) -> None:
        x = np.random.default_rng(seed + 1).gamma(2.0, size=n)
        ours = S.bootstrap_ci(
            mean_stats(x),
            S.accuracy(),
            n_resamples=n_resamples,
            confidence=confidence,
            seed=seed,
            method=method,
        )
        ref = scipy.stats.bootstrap(
            (x,),
            np.mean,
            n_resamples=n_resamples,
            confidence_level=confidence,
            method=method,
            rng=np.random.default_rng(seed),
        )
        assert ours.point == pytest.approx(x.mean(), rel=1e-12)
        assert ours.low == pytest.approx(ref.confidence_interval.low, rel=1e-12)
        assert ours.high == pytest.approx(ref.confidence_interval.high, rel=1e-12)
        reps = S.bootstrap_replicates(
            mean_stats(x), S.accuracy(), n_resamples=n_resamples, seed=seed
        )
        np.testing.assert_allclose(reps, ref.bootstrap_distribution, rtol=1e-12)

    @pytest.mark.parametrize("method", ["percentile", "bca"])
    def test_paired_ci_matches_scipy_paired_bootstrap(self, method: str) -> None:
        rng = np.random.default_rng(5)
        x = rng.random(40)
        y = np.clip(x - 0.1 + 0.2 * rng.random(40), 0, None)
        ours = S.paired_bootstrap(
            mean_stats(x), mean_stats(y), S.accuracy(), n_resamples=1500, seed=3, method=method
        )
        ref = scipy.stats.bootstrap(
            (x, y),
            lambda a, b, axis=-1: a.mean(axis=axis) - b.mean(axis=axis),
            paired=True,
            n_resamples=1500,
            method=method,
            rng=np.random.default_rng(3),
        )
        assert ours.ci_low == pytest.approx(ref.confidence_interval.low, rel=1e-10)
        assert ours.ci_high == pytest.approx(ref.confidence_interval.high, rel=1e-10)

    @staticmethod
    def _mean_diff(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        return a.mean(axis=axis) - b.mean(axis=axis)

    @pytest.mark.parametrize("seed", [0, 1, 2, 3])
    def test_exact_randomization_matches_scipy_exact(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        n = 11
        x = rng.integers(0, 9, n) / 4  # dyadic values: sums are exact in float64
        y = x.copy()
        y[: n - 3] = rng.integers(0, 9, n - 3) / 4  # three units identical in A and B
        ours = S.approximate_randomization(mean_stats(x), mean_stats(y), S.accuracy(), exact=True)
        ref = scipy.stats.permutation_test(
            (x, y),
            self._mean_diff,
            permutation_type="samples",
            n_resamples=np.inf,
            vectorized=True,
        )
        assert ours.p_value == pytest.approx(ref.pvalue, abs=1e-15)

    def test_approximate_randomization_matches_scipy_within_mc_error(self) -> None:
        rng = np.random.default_rng(11)
        n = 30
        x = rng.random(n)
        y = x + rng.normal(0.04, 0.15, n).clip(-x, None)
        r = 10_000
        ours = S.approximate_randomization(
            mean_stats(x), mean_stats(y), S.accuracy(), n_permutations=r, seed=1
        )
        ref = scipy.stats.permutation_test(
            (x, y),
            self._mean_diff,
            permutation_type="samples",
            n_resamples=r,
            vectorized=True,
            rng=np.random.default_rng(2),
        )
        assert 0.02 < ref.pvalue < 0.98  # a non-trivial p-value
        # Two independent estimates: allow 4 standard errors of their difference.
        assert abs(ours.p_value - ref.pvalue) <= math.sqrt(2) * mc_tol(ref.pvalue, r)


# --------------------------------------------------------------------------- #
# Properties
# --------------------------------------------------------------------------- #


def _f1_rows(draw: st.DrawFn, min_size: int, max_size: int) -> np.ndarray:
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)),
            min_size=min_size,
            max_size=max_size,
        )
    )
    return np.array([(tp, tp + fp, tp + fn) for tp, fp, fn in rows], dtype=float).reshape(-1, 3)


@st.composite
def f1_units(draw: st.DrawFn, min_size: int = 1, max_size: int = 12) -> np.ndarray:
    return _f1_rows(draw, min_size, max_size)


@st.composite
def paired_f1_units(
    draw: st.DrawFn, min_size: int = 1, max_size: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Two systems scored against the same gold: n_gold is shared per unit."""
    rows = draw(
        st.lists(st.tuples(*(st.integers(0, 3),) * 5), min_size=min_size, max_size=max_size)
    )
    a = [(min(ta, g), min(ta, g) + fa, g) for g, ta, fa, _, _ in rows]
    b = [(min(tb, g), min(tb, g) + fb, g) for g, _, _, tb, fb in rows]
    return np.array(a, dtype=float), np.array(b, dtype=float)


class TestProperties:
    @FAST
    @given(f1_units(), st.integers(0, 2**32))
    def test_same_seed_same_result(self, stats: np.ndarray, seed: int) -> None:
        for method in ("percentile", "bca"):
            first = S.bootstrap_ci(stats, S.f1(), n_resamples=50, seed=seed, method=method)
            again = S.bootstrap_ci(stats, S.f1(), n_resamples=50, seed=seed, method=method)
            assert first.as_dict() == pytest.approx(again.as_dict(), nan_ok=True)

    @FAST
    @given(paired_f1_units(), st.integers(0, 2**32))
    def test_paired_tests_deterministic_for_seed(
        self, pair: tuple[np.ndarray, np.ndarray], seed: int
    ) -> None:
        a, b = pair
        assert S.paired_bootstrap(a, b, S.f1(), n_resamples=50, seed=seed) == (
            S.paired_bootstrap(a, b, S.f1(), n_resamples=50, seed=seed)
        )
        assert S.approximate_randomization(a, b, S.f1(), n_permutations=50, seed=seed) == (
            S.approximate_randomization(a, b, S.f1(), n_permutations=50, seed=seed)
        )

    @FAST
    @given(f1_units())
    def test_identical_systems(self, stats: np.ndarray) -> None:
        boot = S.paired_bootstrap(stats, stats.copy(), S.f1(), n_resamples=100)
        assert (boot.delta, boot.ci_low, boot.ci_high, boot.p_value) == (0.0, 0.0, 0.0, 1.0)
        ar = S.approximate_randomization(stats, stats.copy(), S.f1(), n_permutations=100)
        assert (ar.delta, ar.p_value) == (0.0, 1.0)
        ex = S.approximate_randomization(stats, stats.copy(), S.f1(), exact=True)
        assert (ex.delta, ex.p_value, ex.n_resamples) == (0.0, 1.0, 1)

    @settings(max_examples=25, deadline=None)
    @given(f1_units(min_size=30, max_size=60), st.integers(0, 2**32))
    def test_percentile_ci_contains_point_for_f1(self, stats: np.ndarray, seed: int) -> None:
        ci = S.bootstrap_ci(stats, S.f1(), n_resamples=200, seed=seed)
        assert ci.low <= ci.point <= ci.high

    @FAST
    @given(paired_f1_units(max_size=8), st.randoms(use_true_random=False))
    def test_exact_randomization_invariant_to_unit_order(
        self, pair: tuple[np.ndarray, np.ndarray], random: object
    ) -> None:
        a, b = pair
        order = list(range(len(a)))
        random.shuffle(order)  # type: ignore[attr-defined]
        base = S.approximate_randomization(a, b, S.f1(), exact=True)
        perm = S.approximate_randomization(a[order], b[order], S.f1(), exact=True)
        assert (perm.delta, perm.p_value, perm.n_resamples) == (
            base.delta,
            base.p_value,
            base.n_resamples,
        )

    @FAST
    @given(paired_f1_units(max_size=8), st.integers(0, 2**32))
    def test_swapping_systems_negates_delta(
        self, pair: tuple[np.ndarray, np.ndarray], seed: int
    ) -> None:
        a, b = pair
        ab = S.approximate_randomization(a, b, S.f1(), exact=True)
        ba = S.approximate_randomization(b, a, S.f1(), exact=True)
        assert (ba.delta, ba.p_value) == (-ab.delta, ab.p_value)
        pab = S.paired_bootstrap(a, b, S.f1(), n_resamples=60, seed=seed)
        pba = S.paired_bootstrap(b, a, S.f1(), n_resamples=60, seed=seed)
        assert pba.p_value == pab.p_value
        assert (pba.ci_low, pba.ci_high) == pytest.approx((-pab.ci_high, -pab.ci_low))

    @FAST
    @given(paired_f1_units(min_size=2))
    def test_p_values_are_probabilities(self, pair: tuple[np.ndarray, np.ndarray]) -> None:
        a, b = pair
        for res in (
            S.paired_bootstrap(a, b, S.f1(), n_resamples=40),
            S.approximate_randomization(a, b, S.f1(), n_permutations=40),
        ):
            assert 1 / 41 <= res.p_value <= 1.0
        assert 0.0 < S.approximate_randomization(a, b, S.f1(), exact=True).p_value <= 1.0


class TestEngine:
    def test_chunking_does_not_change_results(self, monkeypatch: pytest.MonkeyPatch) -> None:
        rng = np.random.default_rng(9)
        a = rng.integers(0, 4, size=(37, 3)).astype(float)
        b = rng.integers(0, 4, size=(37, 3)).astype(float)
        ref_reps = S.bootstrap_replicates(a, S.f1(), n_resamples=101, seed=4)
        ref_ar = S.approximate_randomization(a, b, S.f1(), n_permutations=101, seed=4)
        ref_ex = S.approximate_randomization(a[:9], b[:9], S.f1(), exact=True)
        monkeypatch.setattr(S, "_CHUNK_ENTRIES", 37 * 4)  # 4-row chunks
        np.testing.assert_array_equal(
            S.bootstrap_replicates(a, S.f1(), n_resamples=101, seed=4), ref_reps
        )
        assert S.approximate_randomization(a, b, S.f1(), n_permutations=101, seed=4) == ref_ar
        assert S.approximate_randomization(a[:9], b[:9], S.f1(), exact=True) == ref_ex

    def test_result_records_settings(self) -> None:
        ci = S.bootstrap_ci([[1, 2, 2], [0, 1, 3]], S.f1(), unit="sentence")
        assert (ci.n_resamples, ci.confidence, ci.method, ci.seed, ci.unit) == (
            S.DEFAULT_N_RESAMPLES,
            0.95,
            "percentile",
            S.DEFAULT_SEED,
            "sentence",
        )
        assert (ci.statistic, ci.n_units) == ("f1", 2)
        json.dumps(ci.as_dict())
        res = S.approximate_randomization([[1, 1]], [[0, 1]], S.accuracy())
        assert res.n_resamples == S.DEFAULT_N_PERMUTATIONS
        json.dumps(res.as_dict())

    def test_different_seeds_differ(self) -> None:
        stats = np.random.default_rng(0).integers(0, 5, size=(50, 3))
        r1 = S.bootstrap_replicates(stats, S.f1(), n_resamples=20, seed=1)
        r2 = S.bootstrap_replicates(stats, S.f1(), n_resamples=20, seed=2)
        assert not np.array_equal(r1, r2)

    def test_large_input_is_fast_enough(self) -> None:
        import time

        stats = np.random.default_rng(0).integers(0, 5, size=(10_000, 3)).astype(float)
        S.bootstrap_ci(stats[:100], S.f1(), n_resamples=10)  # warm-up
        start = time.perf_counter()
        S.bootstrap_ci(stats, S.f1(), n_resamples=1000)
        assert time.perf_counter() - start < 2.0  # benchmark: ~0.1 s; generous for CI noise

    def test_bca_undefined_warns_and_returns_nan(self) -> None:
        x = np.random.default_rng(1).random(10)
        total = float(x.sum())
        # Maximal on the full data: every resample scores strictly below the point.
        stat = S.Statistic("neg_gap", ("x",), lambda s: -np.abs(s[..., 0] - total), 0.0)
        stat_point = stat(np.array([total]))
        with pytest.warns(S.StatsWarning, match="BCa interval is undefined"):
            ci = S.bootstrap_ci(x[:, None], stat, n_resamples=200, method="bca")
        assert ci.point == stat_point
        assert math.isnan(ci.low) and math.isnan(ci.high)


# --------------------------------------------------------------------------- #
# Errors: one test per message
# --------------------------------------------------------------------------- #


class TestErrors:
    good = np.array([[1, 2, 2], [0, 1, 1]], dtype=float)

    def test_is_value_error(self) -> None:
        assert issubclass(S.StatsInputError, ValueError)

    def test_not_a_statistic(self) -> None:
        with pytest.raises(S.StatsInputError, match="Expected a Statistic"):
            S.bootstrap_ci(self.good, lambda s: s)  # type: ignore[arg-type]

    def test_non_numeric_stats(self) -> None:
        with pytest.raises(S.StatsInputError, match="could not be converted to float64"):
            S.bootstrap_ci([["a", "b", "c"]], S.f1())

    def test_wrong_dimensionality(self) -> None:
        with pytest.raises(S.StatsInputError, match=r"must be 2-D .*stats\[:, None\]"):
            S.bootstrap_ci(np.ones(5), S.accuracy())
        with pytest.raises(S.StatsInputError, match="got 3-D shape"):
            S.bootstrap_ci(np.ones((2, 2, 3)), S.f1())

    def test_wrong_number_of_columns(self) -> None:
        with pytest.raises(S.StatsInputError, match=r"has 2 columns .* expects 3"):
            S.bootstrap_ci(np.ones((4, 2)), S.f1())

    def test_empty(self) -> None:
        with pytest.raises(S.StatsInputError, match="is empty"):
            S.bootstrap_ci(np.empty((0, 3)), S.f1())

    def test_nan_counts(self) -> None:
        bad = self.good.copy()
        bad[1, 2] = np.nan
        with pytest.raises(
            S.StatsInputError, match=r"finite counts; found nan at unit 1, column 'n_gold'"
        ):
            S.bootstrap_ci(bad, S.f1())

    def test_negative_counts(self) -> None:
        bad = self.good.copy()
        bad[0, 1] = -1
        with pytest.raises(S.StatsInputError, match=r"non-negative counts; found -1.0 at unit 0"):
            S.paired_bootstrap(self.good, bad, S.f1())

    @pytest.mark.parametrize("test", [S.paired_bootstrap, S.approximate_randomization])
    def test_mismatched_shapes(self, test: Callable) -> None:
        with pytest.raises(S.StatsInputError, match="aligned units: stats_a has shape"):
            test(self.good, self.good[:1], S.f1())

    @pytest.mark.parametrize("confidence", [0, 1, 95, -0.1, True, "0.95"])
    def test_confidence_out_of_range(self, confidence: object) -> None:
        with pytest.raises(S.StatsInputError, match="strictly between 0 and 1"):
            S.bootstrap_ci(self.good, S.f1(), confidence=confidence)  # type: ignore[arg-type]

    @pytest.mark.parametrize("n", [0, -5, 2.5, True])
    def test_n_resamples_below_one(self, n: object) -> None:
        with pytest.raises(S.StatsInputError, match="n_resamples must be an integer >= 1"):
            S.bootstrap_ci(self.good, S.f1(), n_resamples=n)  # type: ignore[arg-type]

    def test_n_permutations_below_one(self) -> None:
        with pytest.raises(S.StatsInputError, match="n_permutations must be an integer >= 1"):
            S.approximate_randomization(self.good, self.good, S.f1(), n_permutations=0)

    @pytest.mark.parametrize("seed", [-1, None, 1.5])
    def test_bad_seed(self, seed: object) -> None:
        with pytest.raises(S.StatsInputError, match="seed must be a non-negative integer"):
            S.bootstrap_ci(self.good, S.f1(), seed=seed)  # type: ignore[arg-type]

    def test_bad_method(self) -> None:
        with pytest.raises(S.StatsInputError, match="method must be one of"):
            S.bootstrap_ci(self.good, S.f1(), method="basic")  # type: ignore[arg-type]

    def test_bad_unit(self) -> None:
        with pytest.raises(S.StatsInputError, match="unit must be a non-empty string"):
            S.bootstrap_ci(self.good, S.f1(), unit="")

    def test_exact_too_many_units(self) -> None:
        a = np.ones((S.MAX_EXACT_UNITS + 1, 2))
        b = np.zeros_like(a)
        b[:, 1] = 1
        with pytest.raises(S.StatsInputError, match="21 units differ"):
            S.approximate_randomization(a, b, S.accuracy(), exact=True)

    def test_exact_not_bool(self) -> None:
        with pytest.raises(S.StatsInputError, match="exact must be True or False"):
            S.approximate_randomization(self.good, self.good, S.f1(), exact="yes")  # type: ignore[arg-type]

    def test_statistic_returning_nan(self) -> None:
        stat = S.Statistic("raw", ("tp", "n"), lambda s: s[..., 0] / s[..., 1], 0.0)
        with (
            np.errstate(invalid="ignore"),
            pytest.raises(
                S.StatsInputError, match="returned NaN or inf; its function must map x/0"
            ),
        ):
            S.bootstrap_ci([[0, 0], [0, 0]], stat)
        with (
            np.errstate(divide="ignore"),
            pytest.raises(S.StatsInputError, match="returned NaN or inf"),
        ):
            S.score([[1, 0]], stat)

    def test_statistic_returning_wrong_shape(self) -> None:
        stat = S.Statistic("bad", ("x",), lambda s: s, 0.0)
        with pytest.raises(S.StatsInputError, match="must reduce only the last axis"):
            S.score([[1.0]], stat)

    def test_statistic_called_with_wrong_width(self) -> None:
        with pytest.raises(S.StatsInputError, match="last axis of length 3"):
            S.f1()(np.ones(2))

    @pytest.mark.parametrize("columns", [(), ("tp", "tp")])
    def test_statistic_bad_columns(self, columns: tuple[str, ...]) -> None:
        with pytest.raises(S.StatsInputError, match="unique column names"):
            S.Statistic("bad", columns, lambda s: s[..., 0], 0.0)


def test_resampling_runs_on_one_blas_thread_with_the_same_results():
    import threadpoolctl

    from newsbench.eval.stats import bootstrap_cis, f1_from_pr_counts, one_blas_thread

    seen = []

    @one_blas_thread
    def probe() -> None:
        seen.extend(
            i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
        )

    probe()
    assert seen and set(seen) == {1}
    rng = np.random.default_rng(3)
    tables = [rng.random(size=(500, 4)) * 9 for _ in range(3)]
    f1 = f1_from_pr_counts()
    capped = bootstrap_cis(tables, [f1] * 3, n_resamples=200, seed=5, unit="document")
    uncapped = bootstrap_cis.__wrapped__(tables, [f1] * 3, n_resamples=200, seed=5, unit="document")
    assert capped == uncapped


# ------------------------------------------------- resampled sums: the same on every machine


def _exact_weighted_sums(weights: np.ndarray, stats: np.ndarray) -> list[list[Fraction]]:
    return [
        [
            sum((Fraction(w) * Fraction(x) for w, x in zip(row, column, strict=True)), Fraction(0))
            for column in stats.T
        ]
        for row in weights.tolist()
    ]


_FRACTIONAL_STATS = st.lists(
    st.lists(
        st.one_of(
            st.integers(0, 40).map(float),
            st.fractions(0, 40, max_denominator=97).map(float),
            st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
            st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
        ),
        min_size=3,
        max_size=3,
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(_FRACTIONAL_STATS, st.randoms(use_true_random=False))
def test_resampled_sums_do_not_depend_on_the_order_of_the_units(
    rows: list[list[float]], rnd: Any
) -> None:
    """The BLAS library adds in a CPU-dependent order (AVX2 and AVX-512 kernels of one
    OpenBLAS differ in the last bits); permuting the units changes the order alike.
    The sums must come out the same bit for bit, and within 2**-60 of the column's largest
    value per unit of the exact sum."""
    stats = np.array(rows)
    n = stats.shape[0]
    weights = np.array([[rnd.randrange(0, 4) for _ in range(n)] for _ in range(5)], float)
    weights[0] = 1.0  # one row of ones: the plain sum
    total = int(weights.sum(axis=1).max())
    got = S._ExactSums(stats, total)(weights)
    order = list(range(n))
    rnd.shuffle(order)
    permuted = S._ExactSums(stats[order], total)(weights[:, order])
    assert got.tobytes() == permuted.tobytes()
    exact = _exact_weighted_sums(weights, stats)
    scale = np.abs(stats).max(axis=0)
    for b in range(weights.shape[0]):
        for c in range(stats.shape[1]):
            bound = Fraction(float(scale[c])) * total * Fraction(1, 2**60)
            assert abs(Fraction(float(got[b, c])) - exact[b][c]) <= bound + abs(
                Fraction(float(got[b, c])) * Fraction(1, 2**52)
            )


def test_resampled_sums_of_counts_and_halves_are_the_exact_sums() -> None:
    rng = np.random.default_rng(3)
    stats = rng.integers(0, 50, size=(400, 4)) / 2.0
    weights = rng.integers(0, 5, size=(20, 400)).astype(float)
    got = S._ExactSums(stats, int(weights.sum(axis=1).max()))(weights)
    assert got.tolist() == [[float(x) for x in row] for row in _exact_weighted_sums(weights, stats)]


def test_a_plain_matrix_product_does_depend_on_the_order_of_the_units() -> None:
    """Why :class:`_ExactSums` exists: the same sums in another order differ in the last
    bits (on the BLAS here; on any library that adds in the order it is given)."""
    rng = np.random.default_rng(5)
    stats = rng.random((2000, 4)) / 3.0
    weights = rng.integers(0, 4, size=(50, 2000)).astype(float)
    order = rng.permutation(2000)
    plain, reordered = weights @ stats, weights[:, order] @ stats[order]
    assert plain.tobytes() != reordered.tobytes()
    exact = S._ExactSums(stats, int(weights.sum(axis=1).max()))
    assert exact(weights).tobytes() == S._ExactSums(stats[order], 8000)(weights[:, order]).tobytes()


def test_bootstrap_intervals_of_fractional_counts_are_the_same_on_other_blas_kernels() -> None:
    """The real cause, reproduced where OpenBLAS can be told to use another CPU's kernels."""
    import platform
    import subprocess
    import sys

    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("OpenBLAS core types named here are x86-64 ones")
    script = (
        "import numpy as np; from newsbench.eval import stats as S;"
        "rng = np.random.default_rng(7); t = rng.random((3000, 4)) / 3.0;"
        "ci = S.bootstrap_ci(t, S.f1_from_pr_counts(), n_resamples=200);"
        "print(repr((ci.low, ci.high)))"
    )
    outputs = set()
    for core in ("Nehalem", "Haswell", None):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        if core:
            env["OPENBLAS_CORETYPE"] = core
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs


def test_resampled_sums_of_a_column_of_tiny_values_keep_their_bits() -> None:
    tiny = np.array([[1.2571691535111218e-305], [3e-306]])
    got = S._ExactSums(tiny, 2)(np.array([[1.0, 1.0]]))
    assert got[0, 0] == float(Fraction(1.2571691535111218e-305) + Fraction(3e-306))
    ci = S.bootstrap_ci([[1e-300, 2e-300]], S.accuracy())
    assert (ci.low, ci.high) == (0.5, 0.5)


def test_resampled_sums_near_the_largest_float_are_not_nan() -> None:
    largest = float(np.finfo(np.float64).max)
    assert S._ExactSums(np.array([[largest]]), 1)(np.array([[1.0]]))[0, 0] == largest
    ci = S.bootstrap_ci([[largest, largest]], S.accuracy())
    assert (ci.low, ci.high) == (1.0, 1.0)


def test_resampled_sums_hold_no_copy_of_columns_of_counts_and_halves() -> None:
    stats = np.array([[1.0, 0.5, 1 / 3], [2.0, 1.5, 2 / 3], [0.0, 3.0, 1.0]])
    sums = S._ExactSums(stats, 3)
    assert sums._columns.tolist() == [2]
    assert sums._high.shape == sums._low.shape == (3, 1)
