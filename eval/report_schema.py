"""The stored report's contract: what ``gate``, ``compare`` and ``plot`` read, checked first.

A report is read as strict JSON: ``NaN`` and ``Infinity`` (which Python's encoder writes
but RFC 8259 forbids) are kept as markers that fail the schema at their JSON pointer, so a
gate never decides on a number that is not one. Every score is a finite JSON number in
[0, 1]; every problem is reported at once, located by file and JSON pointer.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema_rs

from newsbench.schema.paths import read_regular_file
from newsbench.schema.problems import DataError, Problem, json_pointer

REPORT_FORMAT = "newsbench-report/2"
"""Format 2 keeps the error records in a JSON Lines side file (``error_listing``) and, for
large corpora, the per-unit tables in an ``.npz`` side file (:mod:`newsbench.eval.report_files`)."""

READABLE_FORMATS = ("newsbench-report/1", REPORT_FORMAT)
"""Format 1 (error records inline) is still read by ``gate``, ``compare`` and ``robustness``."""

_FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
_INTERVAL = {
    "type": ["object", "null"],
    "required": ["low", "high"],
    "properties": {"low": _FRACTION, "high": _FRACTION},
}
_SCORES = {
    "type": "object",
    "properties": {
        "precision": _FRACTION,
        "recall": _FRACTION,
        "f1": _FRACTION,
        "ci": _INTERVAL,
    },
}
_COUNT = {"type": "number", "minimum": 0}
_SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_SIDE_FILE_NAME = {"type": "string", "pattern": "^[^/\\\\]+$", "not": {"enum": ["", ".", ".."]}}
"""A side file is named relative to the report's folder: a plain name, never a path."""
_INLINE_TABLE = {
    "type": "object",
    "required": ["unit_ids", "metrics"],
    "properties": {
        "unit_ids": {"type": "array", "items": {"type": "string"}},
        "metrics": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {"type": "array", "items": _COUNT, "minItems": 4, "maxItems": 4},
            },
        },
    },
}
_TABLE_IN_FILE = {
    "type": "object",
    "required": ["file", "sha256", "unit_ids", "metrics"],
    "properties": {
        "file": _SIDE_FILE_NAME,
        "sha256": _SHA256,
        "unit_ids": {"type": "integer", "minimum": 0},
        "columns": {"type": "array", "items": {"type": "string"}},
        "metrics": {"type": "array", "items": {"type": "string"}},
    },
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "format",
        "signature",
        "headline",
        "metrics",
        "resampling",
        "unit_statistics",
        "layers",
    ],
    "properties": {
        "format": {"enum": list(READABLE_FORMATS)},
        "signature": {"type": "string", "minLength": 1},
        "headline": {
            "type": "object",
            "additionalProperties": {**_SCORES, "required": ["precision", "recall", "f1"]},
        },
        "metrics": {
            "type": "object",
            "additionalProperties": {**_SCORES, "required": ["precision", "recall", "f1"]},
        },
        "resampling": {
            "type": "object",
            "required": ["unit"],
            "properties": {"unit": {"enum": ["sentence", "document"]}},
        },
        "unit_statistics": {"oneOf": [_INLINE_TABLE, _TABLE_IN_FILE]},
        "document_statistics": {"oneOf": [_INLINE_TABLE, _TABLE_IN_FILE]},
        "error_listing": {
            "type": "object",
            "required": ["file", "records", "sha256"],
            "properties": {
                "file": _SIDE_FILE_NAME,
                "records": {"type": "integer", "minimum": 0},
                "sha256": _SHA256,
            },
        },
        "layers": {"type": "object"},
        "provenance": {"type": "object"},
        "config": {"type": "object"},
    },
}

_VALIDATOR = jsonschema_rs.validator_for(REPORT_SCHEMA)


def _non_finite(literal: str) -> str:
    """A ``NaN``/``Infinity`` literal kept as a marker: a string where a number must be."""
    return f"{literal} (not a JSON number: RFC 8259 has no NaN or Infinity)"


def _problem(message: str, file: str, path: str = "", fix: str | None = None) -> Problem:
    return Problem(
        "report-invalid",
        message,
        f"a report written by `newsbench score --out` (format {REPORT_FORMAT}), every score "
        "a finite number in [0, 1]",
        fix or "score the system again with `newsbench score --out`; do not edit reports",
        file=file,
        path=path,
    )


def _finite_float(literal: str) -> float | str:
    """A number literal too large for a float (``1e999``) kept as a marker, not infinity."""
    value = float(literal)
    return value if math.isfinite(value) else f"{literal} (too large for a float)"


class _RepeatedKey(Exception):
    """A key repeated in one object: a parser keeps one value and loses the other."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return found


def parse_report(text: str, file: str) -> Any:
    """Parse report text as JSON, keeping non-finite literals as markers.

    Raises:
        DataError: the text is not JSON, or is nested too deep to read.
    """
    try:
        return json.loads(
            text,
            parse_constant=_non_finite,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except _RepeatedKey as exc:
        raise DataError(
            [_problem(f"the key {exc.args[0]!r} is repeated in one object (JSON keeps one)", file)]
        ) from None
    except json.JSONDecodeError as exc:
        raise DataError([_problem(f"not valid JSON: {exc}", file)]) from None
    except RecursionError:
        raise DataError([_problem("JSON nested too deep to read", file)]) from None
    except ValueError as exc:  # an integer longer than Python converts
        raise DataError([_problem(f"a number that cannot be read: {exc}", file)]) from None


def _shortened(message: str, width: int = 300) -> str:
    """A validator message quotes the whole value it refuses (a per-unit table: megabytes)."""
    return message if len(message) <= width else f"{message[:width]}… (shortened)"


def report_problems(data: Any, file: str) -> list[Problem]:
    """Every way ``data`` breaks the report contract, each located by a JSON pointer."""
    if isinstance(data, dict) and data.get("format") not in READABLE_FORMATS:
        return [
            _problem(
                f"not a newsbench report: format is {data.get('format')!r}",
                file,
                "/format",
            )
        ]
    try:
        errors = list(_VALIDATOR.iter_errors(data))
    except (RecursionError, ValueError) as exc:  # too deep for the validator
        return [_problem(f"the report cannot be checked: {exc}", file)]
    if errors:
        return [
            _problem(_shortened(error.message), file, json_pointer(error.instance_path))
            for error in sorted(errors, key=lambda e: [str(p) for p in e.instance_path])
        ]
    return _table_shape_problems(data, file) + _consistency_problems(data, file)


_SIGNED_PROVENANCE = {
    "corpus": "corpus_version",
    "split": "split",
    "perturbation": "perturbation",
}


def _consistency_problems(data: dict[str, Any], file: str) -> list[Problem]:
    """Where a report disagrees with itself (an edited report): a metric's scores that are
    not those of its counts, a headline entry that is not its metric's, a signature that
    names another gold, split or resampling than the report's own provenance."""
    from newsbench.eval.units import prf_from_totals

    problems = []
    config = data.get("config")
    zero_division = config.get("zero_division") if isinstance(config, dict) else None
    metrics = data["metrics"]
    if isinstance(zero_division, int | float) and not isinstance(zero_division, bool):
        for name, entry in metrics.items():
            counts = entry.get("counts")
            if not isinstance(counts, dict):
                continue
            try:
                totals = [float(counts[k]) for k in ("p_num", "p_den", "r_num", "r_den")]
            except (KeyError, TypeError, ValueError, OverflowError):
                problems.append(
                    _problem(
                        "the metric's counts are not four numbers a float holds",
                        file,
                        json_pointer(["metrics", name, "counts"]),
                    )
                )
                continue
            expected = prf_from_totals(totals, float(zero_division))  # type: ignore[arg-type]
            found = tuple(entry.get(field) for field in ("precision", "recall", "f1"))
            if found != expected:
                problems.append(
                    _problem(
                        f"precision, recall and F1 {list(found)} are not those of the "
                        f"metric's counts, which give {list(expected)}",
                        file,
                        json_pointer(["metrics", name]),
                    )
                )
    for name, entry in data["headline"].items():
        metric = metrics.get(name)
        fields = ("precision", "recall", "f1")
        if isinstance(metric, dict) and any(entry.get(f) != metric.get(f) for f in fields):
            problems.append(
                _problem(
                    f"the headline's scores of {name!r} are not those of its metric",
                    file,
                    json_pointer(["headline", name]),
                )
            )
    signed = dict(part.split(":", 1) for part in str(data["signature"]).split("|") if ":" in part)
    provenance = data.get("provenance")
    resampling = data["resampling"]
    own = {}
    if isinstance(provenance, dict):
        own = {key: provenance.get(field) for key, field in _SIGNED_PROVENANCE.items()}
        sha = provenance.get("gold_sha256")
        own["gold"] = sha[:16] if isinstance(sha, str) else None
    own["unit"] = resampling.get("unit")
    own["boot"] = resampling.get("n_resamples")
    own["seed"] = resampling.get("seed")
    differing = [
        f"{key} ({signed[key]} signed, {value} in the report)"
        for key, value in own.items()
        if value is not None and key in signed and signed[key] != str(value)
    ]
    if differing:
        problems.append(
            _problem(
                "the signature is not the report's own: " + "; ".join(differing),
                file,
                "/signature",
            )
        )
    return problems


def _table_shape_problems(data: dict[str, Any], file: str) -> list[Problem]:
    """An inline per-unit table whose metric has other than one row per unit."""
    problems = []
    for name in ("unit_statistics", "document_statistics"):
        table = data.get(name)
        if not isinstance(table, dict) or "file" in table:
            continue
        units = len(table["unit_ids"])
        for metric, rows in table["metrics"].items():
            if len(rows) != units:
                problems.append(
                    _problem(
                        f"{len(rows)} row(s) for {units} unit(s): a table holds one row per unit",
                        file,
                        json_pointer([name, "metrics", metric]),
                    )
                )
    return problems


def read_report(path: str | Path) -> dict[str, Any]:
    """Read and check a JSON report written by ``newsbench score``.

    Raises:
        DataError: with every problem (unreadable, not JSON, not a complete report, a score
            that is not a finite number in [0, 1]).
    """
    file = str(path)
    try:
        text = read_regular_file(path).decode("utf-8")  # a FIFO would block forever
    except UnicodeDecodeError as exc:
        raise DataError([_problem(f"not UTF-8 text: {exc}", file)]) from None
    except OSError as exc:
        raise DataError(
            [_problem(f"cannot read the report: {exc.strerror or exc}", file, fix="check the path")]
        ) from None
    data = parse_report(text, file)
    problems = report_problems(data, file)
    if not problems:
        from newsbench.eval.report_files import load_unit_tables

        problems = load_unit_tables(data, path)
    if problems:
        raise DataError(problems)
    return data
