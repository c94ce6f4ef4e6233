"""The bootstrap with numpy's default BLAS threads against one thread, side by side.

Not a test. Run from the repository root, once idle and once with another process holding
a core (``python3 -c "while True: pass" &``)::

    python benchmarks/bench_bootstrap_threads.py

Prints the best of three of ``bootstrap_cis`` (19 metrics, 10,000 units, 1,000 resamples)
with the default threads and on one BLAS thread, and whether the intervals are equal.
"""

from __future__ import annotations

import time

import numpy as np

from newsbench.eval import stats


def main() -> None:
    rng = np.random.default_rng(0)
    tables = [rng.integers(0, 50, size=(10_000, 4)).astype(np.float64) for _ in range(19)]
    f1 = [stats.f1_from_pr_counts()] * 19
    runs = {
        "default threads": stats.bootstrap_cis.__wrapped__,  # type: ignore[attr-defined]
        "one BLAS thread": stats.bootstrap_cis,
    }
    results = {}
    for label, function in runs.items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            results[label] = function(tables, f1, n_resamples=1000, seed=1, unit="document")
            best = min(best, time.perf_counter() - start)
        print(f"{label}: {best:.2f} s")
    print("identical intervals:", results["default threads"] == results["one BLAS thread"])


if __name__ == "__main__":
    main()
