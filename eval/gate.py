"""The CI regression gate: absolute thresholds and drops against a stored report.

A threshold names a metric and a field, ``layer.metric.field=VALUE`` (e.g.
``entities.strict.f1=0.80``); the field is ``precision``, ``recall`` or ``f1``
and values are fractions in [0, 1]. A baseline comparison fails every metric
whose value fell by more than ``max_drop`` (an absolute difference).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FIELDS = ("precision", "recall", "f1")


class GateUsageError(ValueError):
    """A malformed threshold or a metric the report does not have."""


class SignatureMismatch(ValueError):
    """Two reports whose signatures differ in more than the system: never compared."""

    def __init__(self, differences: Sequence[str], what: str = "the two reports") -> None:
        self.differences = list(differences)
        super().__init__(
            f"{what} were not computed on the same gold with the same settings; their "
            "signatures differ in: "
            + "; ".join(self.differences)
            + ". Score both systems on the same gold with the same options"
        )


SYSTEM_SIGNATURE_FIELDS: frozenset[str] = frozenset({"layers"})
"""Signature fields that describe the system (what it predicts), not the gold or settings."""


def signature_fields(signature: str) -> dict[str, str]:
    """Split a ``key:value|key:value`` signature into its fields."""
    fields: dict[str, str] = {}
    for part in signature.split("|"):
        key, _, value = part.partition(":")
        fields[key] = value
    return fields


def signature_differences(
    a: str, b: str, *, also_allowed: frozenset[str] = frozenset()
) -> list[str]:
    """Every field, other than the system's (and ``also_allowed``), in which two differ."""
    fa, fb = signature_fields(a), signature_fields(b)
    allowed = SYSTEM_SIGNATURE_FIELDS | also_allowed
    return [
        f"{key} ({fa.get(key, 'absent')} vs {fb.get(key, 'absent')})"
        for key in dict.fromkeys([*fa, *fb])
        if key not in allowed and fa.get(key) != fb.get(key)
    ]


def check_same_signature(a: Mapping[str, Any], b: Mapping[str, Any], what: str) -> None:
    """Raise :class:`SignatureMismatch` unless the reports differ only in the system."""
    differences = signature_differences(str(a["signature"]), str(b["signature"]))
    if differences:
        raise SignatureMismatch(differences, what)


def check_max_drop(value: float) -> float:
    """Return ``value`` if it is a usable allowed drop: a finite fraction in [0, 1].

    Raises:
        GateUsageError: for NaN, infinities, negative values and values above 1.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GateUsageError(f"--max-drop {value!r} is not a number: give a fraction in [0, 1]")
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise GateUsageError(
            f"--max-drop {value} is not an allowed drop: give a fraction in [0, 1] "
            "(0.01 allows F1 to fall by one point)"
        )
    return value


@dataclass(frozen=True, slots=True)
class Threshold:
    """``metric.field >= value``."""

    metric: str
    field: str
    value: float


@dataclass(frozen=True, slots=True)
class GateResult:
    """The outcome of a gate: every failure and every check made."""

    failures: tuple[str, ...]
    checks: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return not self.failures

    def message(self) -> str:
        """A message naming each metric that fell and by how much."""
        if self.passed:
            return f"gate passed: {len(self.checks)} check(s)"
        return "gate FAILED:\n" + "\n".join(f"  - {f}" for f in self.failures)


def parse_threshold(text: str) -> Threshold:
    """Parse ``metric.field=VALUE``.

    Raises:
        GateUsageError: naming what is wrong and an example.
    """
    name, sep, raw = text.partition("=")
    metric, dot, field = name.strip().rpartition(".")
    if not sep or not dot or field not in FIELDS:
        raise GateUsageError(
            f"cannot read the threshold {text!r}: expected METRIC.FIELD=VALUE with FIELD one of "
            f"{', '.join(FIELDS)}, e.g. entities.strict.f1=0.8"
        )
    try:
        value = float(raw)
    except ValueError:
        raise GateUsageError(f"the threshold value {raw!r} in {text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise GateUsageError(f"the threshold {value} in {text!r} is not a fraction in [0, 1]")
    return Threshold(metric, field, value)


def _headline_metrics() -> set[str]:
    from newsbench.eval.harness import HEADLINE

    return {metric for names in HEADLINE.values() for metric in names}


def _did_you_mean(metric: str, metrics: Mapping[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(metric, list(metrics), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _value(report: Mapping[str, Any], metric: str, field: str, what: str) -> float:
    metrics = report["metrics"]
    if metric not in metrics:
        raise GateUsageError(f"the {what} has no metric {metric!r}{_did_you_mean(metric, metrics)}")
    value = metrics[metric].get(field) if isinstance(metrics[metric], Mapping) else None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 1  # precision, recall and F1 are fractions
    ):
        raise GateUsageError(
            f"the {what}'s metric {metric!r} has no usable {field} (found {value!r}); "
            "read it with newsbench.eval.report.read_report, which checks every number"
        )
    return float(value)


def check_gate(
    report: Mapping[str, Any],
    thresholds: Sequence[Threshold] = (),
    *,
    baseline: Mapping[str, Any] | None = None,
    max_drop: float | None = None,
    baseline_metrics: Sequence[str] | None = None,
) -> GateResult:
    """Check a report against thresholds and, optionally, a baseline report.

    Args:
        report: The current report.
        thresholds: Absolute minimums.
        baseline: An earlier report; each of its headline metrics (or
            ``baseline_metrics``) may fall by at most ``max_drop`` (F1).
        max_drop: The allowed absolute drop, e.g. 0.01 for one point.
        baseline_metrics: The metrics compared with the baseline (default: its headline).

    Raises:
        GateUsageError: a bad threshold, metric name or ``max_drop``; nothing to check.
        SignatureMismatch: the baseline's signature differs in more than the system.
    """
    if baseline is not None:
        if max_drop is None:
            raise GateUsageError("--baseline needs --max-drop (the allowed absolute drop)")
        check_max_drop(max_drop)
        check_same_signature(baseline, report, "the baseline and the report")
    failures: list[str] = []
    checks: list[str] = []
    for t in thresholds:
        checks.append(f"{t.metric}.{t.field} >= {t.value}")
        if t.metric not in report["metrics"] and t.metric in _headline_metrics():
            # a layer's headline metric the report lacks fails, as a baseline metric gone does
            failures.append(
                f"{t.metric}.{t.field} is missing from the report (is the layer predicted?)"
                + _did_you_mean(t.metric, report["metrics"])
            )
            continue
        value = _value(report, t.metric, t.field, "report")
        if value < t.value:
            failures.append(
                f"{t.metric}.{t.field} = {value:.4f} is below the threshold "
                f"{t.value:.4f} (short by {t.value - value:.4f})"
            )
    if baseline is not None and max_drop is not None:
        names = list(baseline_metrics or baseline["headline"])
        if not names:  # a baseline that checks nothing never passes, beside thresholds too
            raise GateUsageError(
                "the baseline report has no headline metric (it scored no layer): there is "
                "nothing to compare with; give another baseline"
            )
        for name in names:
            old = _value(baseline, name, "f1", "baseline report")
            checks.append(f"{name}.f1 drop <= {max_drop}")
            if name not in report["metrics"]:
                failures.append(
                    f"{name}.f1 was {old:.4f} in the baseline but is missing from the "
                    "report (is the layer still predicted?)"
                )
                continue
            new = _value(report, name, "f1", "report")
            if old - new > max_drop + 1e-12:
                failures.append(
                    f"{name}.f1 fell from {old:.4f} to {new:.4f} (by {old - new:.4f}; "
                    f"allowed {max_drop:.4f})"
                )
    if not checks:  # a gate that checked nothing never passes
        raise GateUsageError(
            "the gate has nothing to check: give --fail-under METRIC.FIELD=VALUE or "
            "--baseline REPORT --max-drop X"
        )
    return GateResult(tuple(failures), tuple(checks))


def assert_scores(
    report: Any,
    fail_under: Mapping[str, float] | None = None,
    *,
    baseline: Any = None,
    max_drop: float | None = None,
) -> None:
    """Pytest helper: raise ``AssertionError`` with the gate message when a check fails.

    Example::

        from newsbench.eval.gate import assert_scores
        assert_scores("report.json", {"entities.strict.f1": 0.80})

    ``report`` and ``baseline``: a report file, the ``Report`` :func:`newsbench.score`
    returns, or report data.
    """
    from newsbench.eval.report import read_report

    def as_report(value: Any, what: str) -> Mapping[str, Any]:
        if isinstance(value, str | os.PathLike):
            return read_report(value)
        data = getattr(value, "data", value)  # the Report newsbench.score returns
        if (
            not isinstance(data, Mapping)
            or not {"metrics", "headline", "signature"} <= set(data)
            or not isinstance(data["metrics"], Mapping)
            or not isinstance(data["headline"], Mapping)
        ):
            raise GateUsageError(
                f"the {what} is not a newsbench report: give a report file, the Report "
                "newsbench.score returns, or its .data"
            )
        return data

    if fail_under is not None and not isinstance(fail_under, Mapping):
        raise GateUsageError(
            f"fail_under must map METRIC.FIELD to a minimum, such as "
            f"{{'entities.strict.f1': 0.8}}, not a {type(fail_under).__name__}"
        )
    if max_drop is not None and baseline is None:  # as the command refuses --max-drop alone
        raise GateUsageError("max_drop needs a baseline (the report it may not fall below)")
    current = as_report(report, "report")
    base = None if baseline is None else as_report(baseline, "baseline")
    thresholds = [parse_threshold(f"{k}={v}") for k, v in (fail_under or {}).items()]
    result = check_gate(current, thresholds, baseline=base, max_drop=max_drop)
    if not result.passed:
        raise AssertionError(result.message())
