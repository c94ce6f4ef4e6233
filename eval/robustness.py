"""Robustness: how much a system loses on perturbed copies of the gold, with intervals.

A system is scored on the original gold and on each perturbed copy (``newsbench
perturb``: the same documents, sentences and annotations with names, dates, casing or
spelling changed and every span transferred exactly). The copies have the same units,
so each headline metric is compared unit by unit: the paired difference (perturbed -
original), its paired-bootstrap interval and the p-values of the paired bootstrap and
of approximate randomisation (the ``compare`` machinery).

The **contamination protocol** (``eval/METRICS.md``): a drop on ``counterfactual``
beyond the interval of ``names-invented`` alone is evidence that the system recalls
the original text rather than reading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from newsbench.eval import stats
from newsbench.eval.compare import paired_metric_rows
from newsbench.eval.gate import SignatureMismatch, signature_differences, signature_fields

PERTURBATION_FIELDS: frozenset[str] = frozenset({"gold", "perturbation"})
"""Signature fields in which a perturbed report may differ from the original's."""


class RobustnessError(ValueError):
    """The reports do not form an original and its perturbed copies."""


def perturbation_name(report: Mapping[str, Any]) -> str:
    """The perturbation a report's gold is (``none`` for the original gold)."""
    value = signature_fields(report["signature"]).get("perturbation", "none")
    return value.split("@", 1)[0]


def robustness(
    original: Mapping[str, Any],
    perturbed: Mapping[str, Mapping[str, Any]] | list[Mapping[str, Any]],
    *,
    n_resamples: int = 1000,
    n_permutations: int = 10_000,
    seed: int = stats.DEFAULT_SEED,
    zero_division: float = 0.0,
) -> dict[str, Any]:
    """Paired differences of one system between the original gold and perturbed copies.

    Args:
        original: The system's report on the original gold.
        perturbed: Its reports on perturbed copies (a list, or a mapping by any key);
            each names its perturbation in its signature.

    Returns:
        ``{"original": signature, "unit", "n_units", ..., "perturbations": {name:
        {"signature", "metrics": {metric: {"original", "perturbed", "delta", "ci_low",
        "ci_high", "p_bootstrap", "p_randomization"}}}}, "contamination": ...}``; every
        number is finite or ``None``.

    Raises:
        RobustnessError: if ``original`` is itself perturbed, a copy is not perturbed,
            two copies are the same perturbation, or the units differ.
        SignatureMismatch: if a copy's signature differs in more than the gold and the
            perturbation (another system, split, setting or label map).
    """
    if perturbation_name(original) != "none":
        raise RobustnessError(
            f"the original report is scored on a perturbed copy "
            f"({perturbation_name(original)}); give the report on the original gold first"
        )
    reports = list(perturbed.values()) if isinstance(perturbed, Mapping) else list(perturbed)
    if not reports:
        raise RobustnessError("give at least one report on a perturbed copy")
    result: dict[str, Any] = {
        "original": original["signature"],
        "unit": original["resampling"]["unit"],
        "n_units": len(original["unit_statistics"]["unit_ids"]),
        "n_resamples": n_resamples,
        "n_permutations": n_permutations,
        "seed": seed,
        "perturbations": {},
    }
    for report in reports:
        name = perturbation_name(report)
        if name in ("none", "mixed"):
            raise RobustnessError(
                f"a report given as perturbed is scored on {name} gold "
                f"({report['signature']}); score the system on a set written by "
                "`newsbench perturb`"
            )
        if name in result["perturbations"]:
            raise RobustnessError(f"two reports are scored on the same perturbation {name!r}")
        differences = signature_differences(
            original["signature"], report["signature"], also_allowed=PERTURBATION_FIELDS
        )
        if differences:
            raise SignatureMismatch(differences, f"the original report and the {name} report")
        _check_same_annotations(original, report, name)
        try:
            rows = paired_metric_rows(
                report,
                original,
                n_resamples=n_resamples,
                n_permutations=n_permutations,
                seed=seed,
                zero_division=zero_division,
            )
        except ValueError as exc:
            raise RobustnessError(f"{name}: {exc}") from exc
        result["perturbations"][name] = {
            "signature": report["signature"],
            "metrics": {
                metric: {
                    "original": row["b"],
                    "perturbed": row["a"],
                    "delta": row["delta"],
                    "ci_low": row["ci_low"],
                    "ci_high": row["ci_high"],
                    "p_bootstrap": row["p_bootstrap"],
                    "p_randomization": row["p_randomization"],
                }
                for metric, row in rows.items()
            },
        }
    result["contamination"] = contamination_evidence(result["perturbations"])
    return result


ANNOTATION_COUNTS: tuple[str, ...] = (
    "entities.strict",
    "timex.strict",
    "events.trigger_id",
)
"""Metrics whose gold denominator (``r_den``) counts the gold's annotations in a unit: a
perturbed copy carries every annotation over (only words change), so these counts are
the original's, unit by unit."""


def _check_same_annotations(
    original: Mapping[str, Any], report: Mapping[str, Any], name: str
) -> None:
    """Refuse a report on the copy of another gold: the signature allows the gold to differ
    (the copy's text is not the original's), so the units' annotation counts are
    compared where both reports hold them.

    Raises:
        RobustnessError: naming the first unit and metric whose count differs.
    """
    tables = (original["unit_statistics"], report["unit_statistics"])
    units = tables[0]["unit_ids"]
    if units != tables[1]["unit_ids"]:
        return  # refused with its own message by the paired comparison
    for metric in ANNOTATION_COUNTS:
        if any(metric not in table["metrics"] for table in tables):
            continue
        counts = [np.asarray(table["metrics"][metric], dtype=np.float64)[:, 3] for table in tables]
        differ = np.flatnonzero(counts[0] != counts[1])
        if differ.size:
            k = int(differ[0])
            raise RobustnessError(
                f"{name}: unit {units[k]!r} has {counts[0][k]:g} gold annotation(s) for "
                f"{metric} in the original report and {counts[1][k]:g} in this one; a "
                "perturbed copy keeps every annotation of the gold it copies, so this report "
                "is not scored on a copy of the original's gold"
            )


def contamination_evidence(perturbations: Mapping[str, Any]) -> dict[str, Any] | None:
    """Per metric: is the ``counterfactual`` drop beyond the ``names-invented`` interval?

    ``None`` unless both perturbations were scored. ``beyond`` is ``None`` where the
    interval is undefined (a single unit, or coreference without per-unit statistics).
    """
    if "counterfactual" not in perturbations or "names-invented" not in perturbations:
        return None
    evidence: dict[str, Any] = {}
    names = perturbations["names-invented"]["metrics"]
    for metric, row in perturbations["counterfactual"]["metrics"].items():
        if metric not in names:
            continue
        low = names[metric]["ci_low"]
        delta = row["delta"]
        evidence[metric] = {
            "counterfactual_delta": delta,
            "names_invented_delta": names[metric]["delta"],
            "names_invented_ci_low": low,
            "beyond": None if low is None or delta is None else delta < low,
        }
    return evidence
