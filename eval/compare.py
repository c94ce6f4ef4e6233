"""Compare two score reports on the same gold: differences with significance.

Both reports keep their per-unit statistics, so the paired tests resample the
stored counts (never re-scoring): a paired bootstrap (CI of the difference and
a p-value) and approximate randomisation (a p-value), per headline metric.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from newsbench.eval import stats
from newsbench.eval.gate import check_same_signature


class CompareError(ValueError):
    """The reports cannot be compared (different gold units or settings)."""


def compare_reports(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    *,
    n_resamples: int = 1000,
    n_permutations: int = 10_000,
    seed: int = stats.DEFAULT_SEED,
    zero_division: float = 0.0,
) -> dict[str, Any]:
    """Return, per shared headline metric, A, B, their difference and its significance.

    Every number in the result is finite or ``None`` (undefined), so it is valid JSON.

    Raises:
        SignatureMismatch: if the signatures differ in more than the system.
        CompareError: if the reports were computed over different units.
    """
    check_same_signature(a, b, "the two reports")
    rows = paired_metric_rows(
        a,
        b,
        n_resamples=n_resamples,
        n_permutations=n_permutations,
        seed=seed,
        zero_division=zero_division,
    )
    return {
        "a": a["signature"],
        "b": b["signature"],
        "n_units": len(a["unit_statistics"]["unit_ids"]),
        "unit": a["resampling"]["unit"],
        "n_resamples": n_resamples,
        "n_permutations": n_permutations,
        "seed": seed,
        "metrics": rows,
        "only_in_a": [m for m in a["headline"] if m not in b["headline"]],
        "only_in_b": [m for m in b["headline"] if m not in a["headline"]],
    }


def paired_metric_rows(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    *,
    n_resamples: int = 1000,
    n_permutations: int = 10_000,
    seed: int = stats.DEFAULT_SEED,
    zero_division: float = 0.0,
) -> dict[str, dict[str, Any]]:
    """Per shared headline metric: A, B, A - B, the paired bootstrap CI and both p-values.

    The reports must already be known comparable (their signatures checked by the
    caller); the units must be the same. Undefined numbers are ``None``.

    Raises:
        CompareError: if the reports were computed over different units.
    """
    units_a = a["unit_statistics"]["unit_ids"]
    units_b = b["unit_statistics"]["unit_ids"]
    if units_a != units_b:
        raise CompareError(
            "the reports were computed over different units (different gold documents, "
            "sentences or --unit settings); score both systems on the same gold with the same "
            "settings"
        )
    statistic = stats.f1_from_pr_counts(zero_division=zero_division)
    rows: dict[str, Any] = {}
    shared = [m for m in a["headline"] if m in b["headline"]]
    for metric in shared:
        table_a, table_b = a["unit_statistics"]["metrics"], b["unit_statistics"]["metrics"]
        if metric not in table_a or metric not in table_b:
            # Coreference keeps per-document statistics only; compare its point values.
            row = {"a": a["headline"][metric]["f1"], "b": b["headline"][metric]["f1"]}
            row.update(
                delta=row["a"] - row["b"],
                ci_low=None,
                ci_high=None,
                p_bootstrap=None,
                p_randomization=None,
            )
            rows[metric] = row
            continue
        sa = np.asarray(table_a[metric], dtype=np.float64)
        sb = np.asarray(table_b[metric], dtype=np.float64)
        row: dict[str, Any] = {"a": a["headline"][metric]["f1"], "b": b["headline"][metric]["f1"]}
        row["delta"] = row["a"] - row["b"]
        if len(sa) >= 2:
            boot = stats.paired_bootstrap(
                sa, sb, statistic, n_resamples=n_resamples, seed=seed, unit=a["resampling"]["unit"]
            )
            ar = stats.approximate_randomization(
                sa,
                sb,
                statistic,
                n_permutations=n_permutations,
                seed=seed,
                unit=a["resampling"]["unit"],
            )
            row.update(
                ci_low=boot.ci_low,
                ci_high=boot.ci_high,
                p_bootstrap=boot.p_value,
                p_randomization=ar.p_value,
            )
        else:
            row.update(ci_low=None, ci_high=None, p_bootstrap=None, p_randomization=None)
        rows[metric] = row
    return {metric: {k: _finite_or_none(v) for k, v in row.items()} for metric, row in rows.items()}


def _finite_or_none(value: Any) -> Any:
    """``None`` for an undefined (NaN or infinite) statistic; any other value as it is."""
    return None if isinstance(value, float) and not math.isfinite(value) else value
