"""Time ``bootstrap_ci`` on 10,000 units x 3 columns with 1,000 resamples (not a test).

Run: ``python benchmarks/bench_stats.py`` (prints the best of a few repeats).
"""

from __future__ import annotations

import time

import numpy as np

from newsbench.eval.stats import bootstrap_ci, f1

N_UNITS = 10_000
N_RESAMPLES = 1_000
REPEATS = 5


def make_stats(n_units: int, seed: int = 0) -> np.ndarray:
    """Synthetic per-unit strict-F1 counts ``(tp, n_pred, n_gold)``."""
    rng = np.random.default_rng(seed)
    tp = rng.integers(0, 6, n_units)
    n_pred = tp + rng.integers(0, 3, n_units)
    n_gold = tp + rng.integers(0, 3, n_units)
    return np.column_stack([tp, n_pred, n_gold]).astype(np.float64)


def main() -> None:
    """Print the timings of the percentile and BCa intervals."""
    stats = make_stats(N_UNITS)
    statistic = f1()
    bootstrap_ci(stats[:100], statistic, n_resamples=10)  # warm-up (imports, BLAS)
    for method in ("percentile", "bca"):
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            ci = bootstrap_ci(stats, statistic, n_resamples=N_RESAMPLES, method=method)
            times.append(time.perf_counter() - start)
        print(
            f"bootstrap_ci({N_UNITS} units x 3 columns, {N_RESAMPLES} resamples, {method}): "
            f"best {min(times) * 1000:.1f} ms, median {sorted(times)[REPEATS // 2] * 1000:.1f} ms"
            f" over {REPEATS} runs -> [{ci.low:.4f}, {ci.high:.4f}] around {ci.point:.4f}"
        )


if __name__ == "__main__":
    main()
