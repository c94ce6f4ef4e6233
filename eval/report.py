"""Render score reports: a rich table, Markdown, the error listing; write JSON atomically."""

from __future__ import annotations

import io
import json
import math
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
from rich.console import Console
from rich.table import Table

from newsbench.eval.report_files import write_report as write_report  # one writer, re-exported
from newsbench.eval.report_schema import read_report as read_report  # one reader, re-exported
from newsbench.eval.unit_rows import UnitRows
from newsbench.schema.io import StagedOutputs, atomic_output


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
    if hasattr(value, "raw_lines"):  # error records kept on disk (eval/spill.py)
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def plain_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report as plain JSON data (per-unit rows as lists), as read back from its file."""
    result: dict[str, Any] = json.loads(encode_json(report))
    return result


_EXPONENT_FREE = 1e-4
"""Below this magnitude Python writes floats with an exponent (``1e-05``) and orjson
without (``0.00001``); from 1e-4 up (and for ``1e+16`` and beyond) both write the same."""


def _orjson_default(value: object) -> Any:
    if isinstance(value, UnitRows):
        return np.asarray(value)
    if hasattr(value, "raw_lines"):  # error records kept on disk (eval/spill.py)
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _floats_agree(value: Any) -> bool:
    """True when every number in ``value`` is finite and written alike by json and orjson."""
    stack = [value]
    push, pop = stack.append, stack.pop
    while stack:
        item = pop()
        if isinstance(item, dict):
            if not all(type(key) is str for key in item):
                return False  # json turns other keys into strings, orjson refuses them
            children = item.values()
        else:
            children = item
        for child in children:
            kind = type(child)
            if kind is str or kind is int or kind is bool or child is None:
                continue
            if kind is float:
                if not math.isfinite(child) or 0.0 < abs(child) < _EXPONENT_FREE:
                    return False
            elif kind is dict or kind is list or kind is tuple:
                push(child)
            elif hasattr(child, "raw_lines"):  # error records kept on disk (eval/spill.py)
                push(list(child))
            elif isinstance(child, UnitRows):
                if not _rows_agree(np.asarray(child)):
                    return False
            else:  # anything else (numpy scalars, subclasses): the standard encoder decides
                return False
    return True


def _rows_agree(values: np.ndarray) -> bool:
    magnitude = np.abs(values)
    tiny = (magnitude > 0) & (magnitude < _EXPONENT_FREE)
    return bool(np.isfinite(values).all()) and not bool(tiny.any())


def encode_json(data: Any) -> bytes:
    """``data`` as ``json.dump(indent=2, ensure_ascii=False)`` writes it, plus a newline.

    See :func:`write_json`; this is its output as bytes.
    """
    if _floats_agree([data]):
        buffer = io.BytesIO()
        try:
            _stream(buffer, data, 0, 0)
        except TypeError:  # what orjson refuses (a lone surrogate, a huge integer)
            return _standard_bytes(data)
        return buffer.getvalue() + b"\n"
    return _standard_bytes(data)


def _standard_bytes(data: Any) -> bytes:
    text = json.dumps(
        data,
        indent=2,
        ensure_ascii=False,
        sort_keys=False,
        default=json_default,
        allow_nan=False,  # RFC 8259: a report never holds NaN or Infinity
    )
    return text.encode("utf-8") + b"\n"


_STREAMED_DEPTH = 3
"""Containers this shallow are written item by item, so that memory holds one item's
encoding at a time (a report's error listing or per-unit rows can be hundreds of MB)."""

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY


def _leaf(value: Any, indent: int) -> bytes:
    data = orjson.dumps(value, default=_orjson_default, option=_OPTIONS)
    return data.replace(b"\n", b"\n" + b" " * indent) if indent else data


def _stream(handle: IO[bytes], value: Any, indent: int, depth: int) -> None:
    """Write ``value`` at ``indent``, item by item while shallower than _STREAMED_DEPTH.

    JSON strings hold no raw line break, so re-indenting an item's encoding is a
    replacement of every line break.
    """
    if depth >= _STREAMED_DEPTH or not value or type(value) not in (dict, list):
        handle.write(_leaf(value, indent))
        return
    pad = b"\n" + b" " * (indent + 2)
    if type(value) is dict:
        handle.write(b"{")
        for k, (key, child) in enumerate(value.items()):
            handle.write((b"," if k else b"") + pad + orjson.dumps(key) + b": ")
            _stream(handle, child, indent + 2, depth + 1)
        handle.write(b"\n" + b" " * indent + b"}")
    else:
        handle.write(b"[")
        for k, child in enumerate(value):
            handle.write((b"," if k else b"") + pad + _leaf(child, indent + 2))
        handle.write(b"\n" + b" " * indent + b"]")


def write_json(path: str | Path, data: Any, *, stage: StagedOutputs | None = None) -> None:
    """Write JSON atomically (temporary file, then rename); per-unit rows as lists.

    The bytes are exactly those of ``json.dump(indent=2, ensure_ascii=False)``. orjson
    writes them 10-20 times faster, item by item: it is used when every number is one it
    writes as Python does (finite, and not below 1e-4 in magnitude: Python writes
    ``1e-05``, orjson ``0.00001``) and every key is a string; otherwise (and for what
    orjson refuses) the standard encoder runs. A report never holds NaN or Infinity
    (RFC 8259): the standard encoder raises ``ValueError`` on them. With a ``stage``, the
    file is renamed into place with the others (:func:`~newsbench.schema.io.staged_outputs`).
    """
    if _floats_agree([data]):
        try:
            with atomic_output(path, "wb", stage=stage) as handle:
                _stream(handle, data, 0, 0)
                handle.write(b"\n")
            return
        except TypeError:  # what orjson refuses: the temporary file is gone, path untouched
            pass
    encoded = _standard_bytes(data)  # raises on NaN or Infinity before the file is opened
    with atomic_output(path, "wb", stage=stage) as handle:
        handle.write(encoded)


def write_text(path: str | Path, text: str) -> None:
    """Write text atomically."""
    with atomic_output(path, "w") as handle:
        handle.write(text)
