"""Render score reports: a rich table, Markdown, the error listing; write JSON atomically."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from newsbench.eval.report_schema import read_report as read_report  # one reader, re-exported
from newsbench.eval.unit_rows import UnitRows
from newsbench.schema.io import atomic_output


def make_console() -> Console:
    """A console for tables: the terminal's width, or 140 columns when not a terminal."""
    import sys

    return Console() if sys.stdout.isatty() else Console(width=140)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _ci(entry: Mapping[str, Any]) -> str:
    ci = entry.get("ci")
    if not ci:
        return "n/a"
    return f"[{_fmt(ci['low'])}, {_fmt(ci['high'])}]"


def headline_rows(report: Mapping[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Return ``(metric, P, R, F1, CI)`` rows of the headline metrics (percentages)."""
    return [
        (name, _fmt(e["precision"]), _fmt(e["recall"]), _fmt(e["f1"]), _ci(e))
        for name, e in report["headline"].items()
    ]


def print_report(report: Mapping[str, Any], console: Console) -> None:
    """Print the headline table and the per-type entity table."""
    resampling = report["resampling"]
    table = Table(title="newsbench scores (%; micro over the corpus)")
    for column in ("metric", "P", "R", "F1", f"{int(100 * resampling['confidence'])}% CI of F1"):
        table.add_column(
            column, justify="left" if column == "metric" else "right", no_wrap=column == "metric"
        )
    for row in headline_rows(report):
        table.add_row(*row)
    console.print(table)
    entities = report.get("entities", {}).get("entities")
    if entities:
        per_type = Table(title="entities, strict, per type (%)")
        for column in ("type", "support", "P", "R", "F1"):
            per_type.add_column(column, justify="left" if column == "type" else "right")
        for label, v in entities["strict"]["per_type"].items():
            per_type.add_row(
                label, str(v["support"]), _fmt(v["precision"]), _fmt(v["recall"]), _fmt(v["f1"])
            )
        macro = entities["strict"]["macro"]
        per_type.add_row(
            "macro", "", _fmt(macro["precision"]), _fmt(macro["recall"]), _fmt(macro["f1"])
        )
        console.print(per_type)
    missing = report["documents"]["missing_predictions"]
    if missing:
        console.print(
            f"[yellow]{len(missing)} document(s) without predictions scored as "
            f"predicting nothing: {', '.join(missing)}[/yellow]"
        )
    console.print(
        f"not predicted (not scored): {', '.join(report['layers']['not_predicted']) or 'none'}"
    )
    for name, reason in report["layers"].get("skipped", {}).items():
        console.print(f"not scored, the gold does not annotate it: {name}: {reason}")
    console.print(
        f"CI: {resampling['method']} bootstrap over {resampling['n_units']} "
        f"{resampling['unit']}s, {resampling['n_resamples']} resamples, seed "
        f"{resampling['seed']}"
    )
    console.print(f"signature: {report['signature']}", soft_wrap=True)


def render_markdown(report: Mapping[str, Any]) -> str:
    """Return the report as Markdown."""
    resampling = report["resampling"]
    lines = [
        "# newsbench report",
        "",
        f"`{report['signature']}`",
        "",
        "| metric | P | R | F1 | 95% CI of F1 |".replace(
            "95", str(int(100 * resampling["confidence"]))
        ),
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {m} | {p} | {r} | {f} | {c} |" for m, p, r, f, c in headline_rows(report)]
    lines += [
        "",
        f"Scores in %, micro-averaged over the corpus from summed counts. Confidence "
        f"intervals: {resampling['method']} bootstrap, {resampling['n_resamples']} resamples of "
        f"{resampling['n_units']} {resampling['unit']}s, seed {resampling['seed']}.",
        "",
        f"Layers scored: {', '.join(report['layers']['scored']) or 'none'}; not predicted: "
        f"{', '.join(report['layers']['not_predicted']) or 'none'}.",
        *(
            f"Not scored, the gold does not annotate it: {name} ({reason})."
            for name, reason in report["layers"].get("skipped", {}).items()
        ),
    ]
    missing = report["documents"]["missing_predictions"]
    if missing:
        lines += [
            "",
            f"Documents without predictions (scored as predicting nothing): {', '.join(missing)}.",
        ]
    entities = report.get("entities", {}).get("entities")
    if entities:
        lines += [
            "",
            "## Entities per type (strict)",
            "",
            "| type | support | P | R | F1 |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for label, v in entities["strict"]["per_type"].items():
            lines.append(
                f"| {label} | {v['support']} | {_fmt(v['precision'])} | "
                f"{_fmt(v['recall'])} | {_fmt(v['f1'])} |"
            )
    provenance = report["provenance"]
    lines += ["", "## Provenance", ""]
    lines += [f"- {key}: `{value}`" for key, value in provenance.items()]
    return "\n".join(lines) + "\n"


_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _escape_character(character: str) -> str:
    if unicodedata.category(character) not in _UNPRINTABLE_CATEGORIES:
        return character
    code = ord(character)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def terminal_safe(text: str) -> str:
    """``text`` with control, format, separator and unassigned characters escaped.

    Document text is data: an ESC sequence, a bidirectional override or a line separator
    in it must not reach a terminal raw (it could rewrite what the listing shows).
    """
    if text.isprintable():
        return text
    return "".join(_escape_character(c) for c in text)


def render_errors(report: Mapping[str, Any], *, limit: int | None = None) -> str:
    """Return the error-analysis listing: one line per error with its context.

    Every field is passed through :func:`terminal_safe`, so each error stays on one line
    and no character of the documents acts on the terminal.
    """
    errors = report["errors"][:limit] if limit else report["errors"]
    lines = []
    for e in errors:
        labels = f"{e['gold_label'] or '-'} -> {e['pred_label'] or '-'}"
        lines.append(
            terminal_safe(
                f"{e['layer']:<14} {e['kind']:<14} {labels:<28} {e['context']}"
                + (f"  ({e['note']})" if e.get("note") else "")
            )
        )
    return "\n".join(lines) + ("\n" if lines else "")


def json_default(value: object) -> Any:
    """``default`` hook of :func:`json.dump` for reports: per-unit rows become nested lists.

    Raises:
        TypeError: For any other object JSON cannot represent (as ``json`` would).
    """
    if isinstance(value, UnitRows):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def plain_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report as plain JSON data (per-unit rows as lists), as read back from its file."""
    result: dict[str, Any] = json.loads(json.dumps(report, default=json_default))
    return result


def write_json(path: str | Path, data: Any) -> None:
    """Write JSON atomically (temporary file, then rename); per-unit rows as lists."""
    with atomic_output(path, "w") as handle:
        json.dump(
            data,
            handle,
            indent=2,
            ensure_ascii=False,
            sort_keys=False,
            default=json_default,
            allow_nan=False,  # RFC 8259: a report never holds NaN or Infinity
        )
        handle.write("\n")


def write_text(path: str | Path, text: str) -> None:
    """Write text atomically."""
    with atomic_output(path, "w") as handle:
        handle.write(text)
