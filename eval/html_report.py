"""One self-contained HTML page to see a system's errors, and the gold alone.

:func:`render_html` draws every document of a scored run with its gold and
predicted annotations (each layer switchable), every error of the report
marked in place and listed in a filterable table, the scores with their
confidence intervals, per-type bars and the entity type confusion matrix
(inline SVG and tables), the metric signature and the run's provenance.
:func:`render_gold` draws the gold alone (``newsbench show``).

All markup is built here in Python from half-open ``[start, end)`` ``str``
offsets, so the page's script never computes an offset (JavaScript strings are
UTF-16). Every text is escaped. The page makes no request: CSS and script are
inline and a Content-Security-Policy forbids everything else.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from newsbench.eval.pairing import DocumentPair
from newsbench.schema.model import Document
from newsbench.schema.paths import PathSpec, declare_paths

__all__ = [
    "ENTITY_COLOURS",
    "confusion_counts",
    "error_class",
    "error_code",
    "register_show",
    "render_gold",
    "render_html",
]

SIDES = {"g": "gold", "p": "prediction"}
TOGGLE_LAYERS: tuple[tuple[str, str], ...] = (
    ("mentions", "mentions"),
    ("time_expressions", "time expressions"),
    ("events", "events"),
    ("attributions", "attributions"),
)
ENTITY_COLOURS: dict[str, str] = {
    "PER": "#0072B2",
    "ORG": "#D55E00",
    "GPE": "#009E73",
    "LOC": "#E69F00",
    "FAC": "#CC79A7",
    "VEH": "#56B4E9",
    "WEA": "#000000",
}
"""Okabe–Ito colours of the entity types (shared with :mod:`newsbench.eval.plots`)."""

_CODES = {
    "missed": "M",
    "spurious": "S",
    "boundary": "B",
    "type": "T",
    "boundary+type": "BT",
    "value": "V",
    "role": "R",
    "realis": "RE",
    "missed-argument": "MA",
    "spurious-argument": "SA",
    "content-overlap": "CO",
    "source": "SRC",
    "cue": "CUE",
    "mode": "MO",
    "source_class": "SC",
    "parent": "PA",
}
_MAX_LEVEL = 4
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)


def error_code(kind: str) -> str:
    """Return the short badge text of an error kind (e.g. ``missed`` -> ``M``)."""
    if kind in _CODES:
        return _CODES[kind]
    parts = [p for p in re.split(r"[-+_]", kind) if p]
    return "".join(_CODES.get(p, p[:1].upper()) for p in parts) or "?"


def error_class(kind: str) -> str:
    """Return the colour class of an error kind (missed, spurious, boundary, type ...)."""
    if kind.startswith("missed"):
        return "missed"
    if kind.startswith("spurious"):
        return "spurious"
    if kind == "boundary+type":
        return "boundary-type"
    if kind in {"boundary", "type"}:
        return kind
    if any(part in kind for part in ("content-overlap", "cue", "source+", "source")) and (
        kind != "source_class"
    ):
        return "overlap"
    return "attribute"


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


# --------------------------------------------------------------------------------------
# Marked-up text
# --------------------------------------------------------------------------------------


@dataclass
class _Mark:
    """A span of the text to wrap in ``<span class=...>`` (split where marks cross)."""

    start: int
    end: int
    classes: str
    attrs: dict[str, str] = field(default_factory=dict)
    rank: int = 0


def _levels(spans: Sequence[tuple[int, int]]) -> list[int]:
    """Return each span's nesting height: 0 when it contains no other span."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][0], i))
    level = [0] * len(spans)
    for position, i in enumerate(order):
        s, e = spans[i]
        for j in order[:position]:
            t, u = spans[j]
            if (s <= t and u <= e and (t, u) != (s, e)) or ((t, u) == (s, e) and j < i):
                level[i] = max(level[i], level[j] + 1)
    return [min(v, _MAX_LEVEL) for v in level]


def _render_text(text: str, marks: Sequence[_Mark], points: Mapping[int, list[str]]) -> str:
    """Return ``text`` escaped, with every mark wrapped and the point markup inserted.

    Marks that cross are closed and reopened (each piece keeps the mark's attributes);
    a point at offset ``p`` goes after every mark ending at ``p``.
    """
    n = len(text)
    marks = [m for m in marks if 0 <= m.start < m.end <= n]
    order = sorted(range(len(marks)), key=lambda i: (marks[i].start, -marks[i].end, marks[i].rank))
    bounds = sorted(
        {0, n}
        | {m.start for m in marks}
        | {m.end for m in marks}
        | {p for p in points if 0 <= p <= n}
    )
    out: list[str] = []
    stack: list[int] = []
    cursor = 0  # the next mark (in ``order``) to consider opening
    for k, a in enumerate(bounds):
        keep = 0
        while keep < len(stack) and marks[stack[keep]].end > a:
            keep += 1
        out.append("</span>" * (len(stack) - keep))
        reopen = stack[keep:]
        del stack[keep:]
        out.extend(points.get(a, ()))
        if a == n:
            break
        starting = []
        while cursor < len(order) and marks[order[cursor]].start <= a:
            starting.append(order[cursor])
            cursor += 1
        opening = [i for i in reopen if marks[i].end > a] + starting
        opening.sort(key=lambda i: (marks[i].start, -marks[i].end, marks[i].rank))
        for i in opening:
            mark = marks[i]
            attrs = "".join(f' {key}="{_attr(value)}"' for key, value in mark.attrs.items())
            out.append(f'<span class="{_attr(mark.classes)}"{attrs}>')
            stack.append(i)
        out.append(escape(text[a : bounds[k + 1]], quote=False))
    return "".join(out)


def _document_marks(doc: Document, side: str, key: str) -> list[_Mark]:
    """Return the marks of every annotation layer of one side of a document."""
    marks: list[_Mark] = []
    prefix = f"{key}:{side}"
    spans: list[tuple[int, int]] = []
    items: list[tuple[str, Any]] = []
    for mention in doc.layer("mentions"):
        spans.append((mention.start, mention.end))
        items.append(("m", mention))
    for timex in doc.layer("time_expressions"):
        spans.append((timex.start, timex.end))
        items.append(("x", timex))
    texts: dict[str, str] = {}
    for (kind, item), level in zip(items, _levels(spans), strict=True):
        texts[item.id] = item.text
        attrs = {"data-id": f"{prefix}:{item.id}"}
        if kind == "m":
            details = " ".join(v for v in (item.type, item.mention_type) if v)
            title = f"{SIDES[side]} mention {item.id}: {details}"
            if item.entity:
                attrs["data-ent"] = f"{prefix}:{item.entity}"
                title += f" · entity {item.entity}"
            classes = f"m {side} t-{_slug(item.type)} lv-{level}"
        else:
            title = f"{SIDES[side]} time expression {item.id}: {item.type}"
            if item.value:
                title += f" = {item.value}"
            classes = f"x {side} lv-{level}"
        attrs["title"] = title
        marks.append(_Mark(item.start, item.end, classes, attrs, rank=1))
    for event in doc.layer("events"):
        args = [
            [a.role, f"{prefix}:{a.ref}", texts.get(a.ref, a.ref)] for a in event.arguments or ()
        ]
        info = f"{SIDES[side]} event {event.id}: {event.type}"
        if event.realis:
            info += f", {event.realis}"
        if event.hopper:
            info += f", hopper {event.hopper}"
        title = info + "".join(f"\n  {role}: {text}" for role, _, text in args)
        marks.append(
            _Mark(
                event.trigger.start,
                event.trigger.end,
                f"ev {side}",
                {
                    "data-info": info,
                    "data-args": json.dumps(args, ensure_ascii=False),
                    "title": title,
                },
                rank=2,
            )
        )
    for attribution in doc.layer("attributions"):
        group = f"{prefix}:{attribution.id}"
        described = ", ".join(
            f"{name} {value}"
            for name, value in (
                ("mode", attribution.mode),
                ("source class", attribution.source_class),
                ("parent", attribution.parent),
            )
            if value
        )
        base = f"{SIDES[side]} attribution {attribution.id}" + (
            f" ({described})" if described else ""
        )
        for span in attribution.content:
            marks.append(
                _Mark(span.start, span.end, f"ac {side}", {"data-attr": group, "title": base})
            )
        for span in attribution.cue:
            marks.append(
                _Mark(
                    span.start,
                    span.end,
                    f"au {side}",
                    {"data-attr": group, "title": f"{base}: cue"},
                    rank=3,
                )
            )
        if attribution.source is not None:
            marks.append(
                _Mark(
                    attribution.source.start,
                    attribution.source.end,
                    f"as {side}",
                    {"data-attr": group, "title": f"{base}: source"},
                    rank=-1,
                )
            )
    return marks


def _error_where(error: Mapping[str, Any]) -> tuple[int, int] | None:
    spans = [tuple(s) for s in (error.get("gold"), error.get("pred")) if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _view_class(error: Mapping[str, Any]) -> str:
    """A sub-view of a layer (``entities.NAM``) repeats errors: its marks get a dashed rim."""
    return " view" if "." in str(error.get("layer", "")) else ""


def _error_title(error: Mapping[str, Any]) -> str:
    parts = [f"{error['layer']}: {error['kind']}"]
    for side in ("gold", "pred"):
        label, text = error.get(f"{side}_label"), error.get(f"{side}_text")
        if label is not None or text is not None:
            parts.append(f"{side} {label or ''} {text!r}".replace("  ", " "))
    if error.get("note"):
        parts.append(str(error["note"]))
    return " · ".join(parts)


def _error_marks(
    errors: Iterable[tuple[int, Mapping[str, Any]]], text_length: int
) -> tuple[list[_Mark], dict[int, list[str]], set[int]]:
    """Return the error ranges, the badges by offset and the numbers placed in the text."""
    marks: list[_Mark] = []
    points: dict[int, list[str]] = {}
    placed: set[int] = set()
    for number, error in errors:
        where = _error_where(error)
        if where is None or not 0 <= where[0] <= where[1] <= text_length:
            continue
        placed.add(number)
        kind = str(error["kind"])
        if where[0] < where[1]:
            marks.append(_Mark(where[0], where[1], "er", {"data-err": str(number)}, rank=-2))
        points.setdefault(where[1], []).append(
            f'<a class="emark c-{error_class(kind)}{_view_class(error)}" id="e{number}"'
            f' href="#r{number}"'
            f' data-err="{number}" data-kind="{_attr(kind)}" data-layer="{_attr(error["layer"])}"'
            f' title="{_attr(_error_title(error))}">{escape(error_code(kind))}</a>'
        )
    return marks, points, placed


def _document_html(
    doc: Document,
    key: str,
    sides: Sequence[tuple[str, Document]],
    errors: Sequence[tuple[int, Mapping[str, Any]]] = (),
    *,
    note: str = "",
) -> tuple[str, set[int]]:
    marks: list[_Mark] = []
    for side, document in sides:
        marks.extend(_document_marks(document, side, key))
    error_ranges, points, placed = _error_marks(errors, len(doc.text))
    marks.extend(error_ranges)
    heading = f'<span class="mono">{escape(doc.id)}</span>'
    if doc.metadata is not None and doc.metadata.title:
        heading = f"{escape(doc.metadata.title)} {heading}"
    meta = []
    if doc.metadata is not None:
        meta.append(f"dated {doc.metadata.dct}")
        meta.append(f"source {doc.metadata.source_file}")
    meta.append(f"{len(doc.text)} characters")
    if errors:
        meta.append(f"{len(errors)} error(s)")
    if note:
        meta.append(note)
    body = _render_text(doc.text, marks, points)
    return (
        f'<article class="doc" id="doc-{key}">'
        f"<h3>{heading}</h3>"
        f'<p class="muted">{escape(" · ".join(meta))}</p>'
        f'<div class="text" lang="{_attr(doc.metadata.language if doc.metadata else "en")}">'
        f"{body}</div></article>",
        placed,
    )


# --------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _layer_of(metric: str) -> str:
    return metric.split(".", 1)[0]


_LAYER_NAMES = {
    "entities": "Entities",
    "timex": "Time expressions",
    "events": "Events",
    "attr": "Attributions",
    "coref": "Coreference",
}


def _ci_bar(f1: float, ci: Mapping[str, float] | None, width: int = 180) -> str:
    """An inline SVG bar of F1 (0–100 %) with the CI as a whisker."""
    x = max(0.0, min(1.0, f1)) * width
    whisker = ""
    label = f"F1 {_pct(f1)}"
    if ci:
        lo = max(0.0, min(1.0, ci["low"])) * width
        hi = max(0.0, min(1.0, ci["high"])) * width
        whisker = (
            f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="8" y2="8" stroke="#000" stroke-width="1.5"/>'
            f'<line x1="{lo:.1f}" x2="{lo:.1f}" y1="3" y2="13" stroke="#000" stroke-width="1.5"/>'
            f'<line x1="{hi:.1f}" x2="{hi:.1f}" y1="3" y2="13" stroke="#000" stroke-width="1.5"/>'
        )
        label += f", CI [{_pct(ci['low'])}, {_pct(ci['high'])}]"
    return (
        f'<svg class="bar" width="{width}" height="16" viewBox="0 0 {width} 16" role="img"'
        f' aria-label="{_attr(label)}"><title>{escape(label)}</title>'
        f'<rect x="0" y="2" width="{width}" height="12" fill="#eee"/>'
        f'<rect x="0" y="2" width="{x:.1f}" height="12" fill="#56B4E9"/>{whisker}</svg>'
    )


def _headline_html(report: Mapping[str, Any]) -> str:
    headline: Mapping[str, Any] = report.get("headline", {})
    if not headline:
        return "<p>No headline metrics.</p>"
    confidence = report.get("resampling", {}).get("confidence", 0.95)
    groups: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for metric, entry in headline.items():
        groups.setdefault(_layer_of(metric), []).append((metric, entry))
    parts = []
    for layer, rows in groups.items():
        body = "".join(
            f'<tr data-metric="{_attr(metric)}"><td class="mono">{escape(metric)}</td>'
            f'<td class="num">{_pct(e.get("precision"))}</td>'
            f'<td class="num">{_pct(e.get("recall"))}</td>'
            f'<td class="num"><b>{_pct(e.get("f1"))}</b></td>'
            f'<td class="num">{_ci_text(e.get("ci"))}</td>'
            f"<td>{_ci_bar(float(e.get('f1') or 0.0), e.get('ci'))}</td></tr>"
            for metric, e in rows
        )
        parts.append(
            f"<h3>{escape(_LAYER_NAMES.get(layer, layer))}</h3>"
            '<div class="scroll"><table class="headline"><thead><tr><th>metric</th>'
            '<th class="num">P</th><th class="num">R</th><th class="num">F1</th>'
            f'<th class="num">{round(100 * confidence)}% CI of F1</th><th>F1 (0–100)</th>'
            f"</tr></thead><tbody>{body}</tbody></table></div>"
        )
    return "".join(parts)


def _ci_text(ci: Mapping[str, float] | None) -> str:
    return "n/a" if not ci else f"[{_pct(ci['low'])}, {_pct(ci['high'])}]"


def _per_type_svg(per_type: Mapping[str, Mapping[str, Any]], caption: str) -> str:
    """Horizontal F1 bars per type (inline SVG), with precision/recall in the label."""
    rows = list(per_type.items())
    if not rows:
        return ""
    bar_w, label_w, row_h = 220, 48, 22
    width, height = label_w + bar_w + 150, row_h * len(rows) + 24
    items = []
    for i, (label, v) in enumerate(rows):
        y = 20 + i * row_h
        f1 = float(v.get("f1") or 0.0)
        colour = ENTITY_COLOURS.get(label, "#888888")
        text = (
            f"F1 {_pct(f1)} (P {_pct(v.get('precision'))}, R {_pct(v.get('recall'))}, "
            f"n={v.get('support', '?')})"
        )
        items.append(
            f"<g><title>{escape(f'{label}: {text}')}</title>"
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="14" fill="#eee"/>'
            f'<rect x="{label_w}" y="{y + 2}" width="{f1 * bar_w:.1f}" height="14"'
            f' fill="{colour}"/>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 13}" font-size="11">'
            f"{escape(_pct(f1))} n={escape(str(v.get('support', '?')))}</text></g>"
        )
    ticks = "".join(
        f'<line x1="{label_w + t * bar_w / 4:.1f}" x2="{label_w + t * bar_w / 4:.1f}" y1="16"'
        f' y2="{height - 4}" stroke="#bbb" stroke-dasharray="2 2"/>'
        f'<text x="{label_w + t * bar_w / 4:.1f}" y="12" font-size="10" text-anchor="middle">'
        f"{25 * t}</text>"
        for t in range(5)
    )
    return (
        f'<figure class="pertype"><figcaption>{escape(caption)}</figcaption>'
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{_attr(caption)}">{ticks}{"".join(items)}</svg></figure>'
    )


def confusion_counts(report: Mapping[str, Any], layer: str = "entities") -> dict[str, Any]:
    """Return the entity type confusion matrix of a report.

    Rows are gold types plus ``"(spurious)"``, columns predicted types plus ``"(missed)"``.
    Off-diagonal cells count the ``type`` and ``boundary+type`` errors; the missed column
    and the spurious row count the missed and spurious errors; the diagonal is the gold
    support (``report["entities"]``) less the gold mentions missed or mistyped.

    Returns:
        ``{"rows": [...], "columns": [...], "counts": [[int, ...], ...]}``.
    """
    errors = [e for e in report.get("errors", ()) if e.get("layer") == layer]
    view = report.get("entities", {}).get(layer, {})
    support = {
        label: int(v.get("support", 0))
        for label, v in view.get("strict", {}).get("per_type", {}).items()
    }
    pairs: Counter[tuple[str, str]] = Counter()
    missed: Counter[str] = Counter()
    spurious: Counter[str] = Counter()
    for error in errors:
        kind = error.get("kind")
        if kind in {"type", "boundary+type"}:
            pairs[str(error["gold_label"]), str(error["pred_label"])] += 1
        elif kind == "missed":
            missed[str(error["gold_label"])] += 1
        elif kind == "spurious":
            spurious[str(error["pred_label"])] += 1
    types = sorted(
        set(support) | {g for g, _ in pairs} | {p for _, p in pairs} | set(missed) | set(spurious)
    )
    rows, columns = [*types, "(spurious)"], [*types, "(missed)"]
    counts = [[0] * len(columns) for _ in rows]
    for i, gold in enumerate(types):
        confused = sum(c for (g, _), c in pairs.items() if g == gold)
        counts[i][i] = max(0, support.get(gold, 0) - missed[gold] - confused)
        for j, pred in enumerate(types):
            if i != j:
                counts[i][j] = pairs[gold, pred]
        counts[i][-1] = missed[gold]
    for j, pred in enumerate(types):
        counts[-1][j] = spurious[pred]
    return {"rows": rows, "columns": columns, "counts": counts}


def _confusion_html(report: Mapping[str, Any], layer: str = "entities") -> str:
    matrix = confusion_counts(report, layer)
    if len(matrix["rows"]) <= 1:
        return ""
    peak = max((max(r) for r in matrix["counts"]), default=0) or 1
    head = "".join(f'<th class="num">{escape(c)}</th>' for c in matrix["columns"])
    body = []
    for i, (row, counts) in enumerate(zip(matrix["rows"], matrix["counts"], strict=True)):
        cells = []
        for j, count in enumerate(counts):
            diagonal = i == j and i < len(matrix["rows"]) - 1
            alpha = 0.0 if count == 0 else 0.12 + 0.6 * count / peak
            rgb = "0,158,115" if diagonal else "213,94,0"
            style = f' style="background:rgba({rgb},{alpha:.2f})"' if count else ""
            cls = "num zero" if count == 0 else "num"
            cells.append(
                f'<td class="{cls}"{style} title="{_attr(row)} → {_attr(matrix["columns"][j])}">'
                f"{count}</td>"
            )
        body.append(f"<tr><th>{escape(row)}</th>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="confusion" data-layer="{_attr(layer)}">'
        '<caption class="muted">rows: gold type · columns: predicted type '
        "(diagonal: same type, boundary possibly off)</caption>"
        f'<thead><tr><th class="corner">gold ↓ / pred →</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _scores_html(report: Mapping[str, Any]) -> str:
    parts = [_headline_html(report)]
    figures = []
    for view, schemes in report.get("entities", {}).items():
        strict = schemes.get("strict", {})
        if strict.get("per_type"):
            figures.append(
                _per_type_svg(strict["per_type"], f"{view}: strict F1 per type (%), n = support")
            )
    if figures:
        parts.append(f'<h3>Per type</h3><div class="grid">{"".join(figures)}</div>')
    confusion = _confusion_html(report)
    if confusion:
        parts.append("<h3>Entity type confusion (counts)</h3>" + confusion)
    return "".join(parts)


def _provenance_html(report: Mapping[str, Any]) -> str:
    provenance = dict(report.get("provenance", {}))
    rows = [("corpus version", provenance.pop("corpus_version", "unknown"))]
    rows += [(k, v) for k, v in provenance.items()]
    documents = report.get("documents", {})
    if documents:
        rows.append(("gold documents", documents.get("gold")))
        missing = documents.get("missing_predictions") or ()
        rows.append(("missing predictions", ", ".join(missing) or "none"))
    layers = report.get("layers", {})
    for key in ("scored", "not_predicted", "coreference"):
        if key in layers:
            rows.append((f"layers {key.replace('_', ' ')}", ", ".join(layers[key]) or "none"))
    resampling = report.get("resampling", {})
    if resampling:
        rows.append(("resampling", ", ".join(f"{k} {v}" for k, v in resampling.items())))
    items = "".join(
        f"<dt>{escape(str(k))}</dt><dd>{escape(_show(v))}</dd>" for k, v in rows if v is not None
    )
    return (
        '<h3>Metric signature</h3><code class="sig">'
        + "|<wbr>".join(escape(part) for part in str(report.get("signature", "")).split("|"))
        + "</code>"
        f'<h3>Provenance</h3><dl class="prov">{items}</dl>'
    )


def _show(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# --------------------------------------------------------------------------------------
# Errors table
# --------------------------------------------------------------------------------------


def _context_html(context: str) -> str:
    """Escape an error context; the ``[[span]]`` becomes a ``<mark>``."""
    match = re.search(r"\[\[(.*)\]\]", context, flags=re.S)
    if not match:
        return escape(context)
    return (
        escape(context[: match.start()])
        + f"<mark>{escape(match.group(1))}</mark>"
        + escape(context[match.end() :])
    )


def _side_cell(error: Mapping[str, Any], side: str) -> str:
    label, text, span = error.get(f"{side}_label"), error.get(f"{side}_text"), error.get(side)
    if label is None and text is None and not span:
        return '<td class="muted">–</td>'
    where = f" [{span[0]}, {span[1]})" if span else ""
    return (
        f"<td><b>{escape(str(label or ''))}</b> {escape(str(text or ''))}"
        f'<span class="muted mono nowrap">{escape(where)}</span></td>'
    )


def _errors_html(errors: Sequence[Mapping[str, Any]], placed: set[int]) -> str:
    layers = sorted({str(e["layer"]) for e in errors})
    kinds = sorted({str(e["kind"]) for e in errors})
    by_kind = Counter(str(e["kind"]) for e in errors)
    layer_counts = Counter(str(e["layer"]) for e in errors)

    def options(values: Sequence[str], counts: Counter[str]) -> str:
        return '<option value="">all</option>' + "".join(
            f'<option value="{_attr(v)}">{escape(v)} ({counts[v]})</option>' for v in values
        )

    rows = []
    for number, error in enumerate(errors):
        kind = str(error["kind"])
        badge = (
            f'<a class="emark c-{error_class(kind)}" href="#e{number}" data-jump="{number}">'
            f"{escape(error_code(kind))}</a>"
            if number in placed
            else f'<span class="emark c-{error_class(kind)}">{escape(error_code(kind))}</span>'
        )
        rows.append(
            f'<tr id="r{number}" data-err="{number}" data-layer="{_attr(error["layer"])}"'
            f' data-kind="{_attr(kind)}"><td class="num">{number + 1}</td>'
            f'<td class="mono id">{escape(str(error["document"]))}</td>'
            f'<td class="mono nowrap">{escape(str(error["layer"]))}</td>'
            f'<td class="nowrap">{badge} {escape(kind)}</td>'
            f"{_side_cell(error, 'gold')}{_side_cell(error, 'pred')}"
            f'<td class="ctx">{_context_html(str(error.get("context", "")))}'
            + (
                f'<br><span class="muted">{escape(str(error["note"]))}</span>'
                if error.get("note")
                else ""
            )
            + "</td></tr>"
        )
    legend = " ".join(
        f'<span><span class="emark c-{error_class(k)}">{escape(error_code(k))}</span> '
        f"{escape(k)} ({by_kind[k]})</span>"
        for k in kinds
    )
    views = sorted({layer for layer in layers if "." in layer})
    if views:
        legend += (
            ' <span><span class="emark view">T</span> dashed rim: the '
            f"{escape(', '.join(views))} view (repeats errors of its layer)</span>"
        )
    return (
        f'<div class="legend" id="error-legend">{legend}</div>'
        '<div class="filters"><label>layer <select id="f-layer">'
        f"{options(layers, layer_counts)}</select></label>"
        f'<label>kind <select id="f-kind">{options(kinds, by_kind)}</select></label>'
        f'<span id="f-count" class="muted">{len(errors)} of {len(errors)} errors</span></div>'
        '<div class="scroll"><table class="errors"><thead><tr><th class="num">#</th>'
        "<th>document</th><th>layer</th><th>kind</th><th>gold</th><th>predicted</th>"
        f"<th>context</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def _controls_html(sides: Sequence[str], errors: bool) -> str:
    fieldsets = []
    for side in sides:
        boxes = "".join(
            f'<label><input type="checkbox" checked data-toggle="{layer}-{side}"> {label}</label>'
            for layer, label in TOGGLE_LAYERS
        )
        fieldsets.append(f"<fieldset><legend>{SIDES[side]}</legend>{boxes}</fieldset>")
    if errors:
        fieldsets.append(
            '<fieldset><legend>errors</legend><label><input type="checkbox" checked'
            ' data-toggle="errors"> marks</label></fieldset>'
        )
    return f'<div class="controls" id="controls">{"".join(fieldsets)}</div>'


def _legend_html(sides: Sequence[str]) -> str:
    types = "".join(
        f'<span><span class="sw" style="border-bottom:3px solid {c}"></span>{t}</span>'
        for t, c in ENTITY_COLOURS.items()
    )
    notes = [
        '<span><span class="sw" style="border-bottom:3px double #6b6b6b"></span>time</span>',
        '<span><span class="sw" style="background:#F0E442"></span>event trigger '
        "(hover/click: arguments)</span>",
        '<span><span class="sw" style="background:rgba(86,180,233,.35)"></span>'
        "attribution content</span>",
        '<span><b style="color:#005a8c">cue</b></span>',
        '<span style="text-decoration:underline wavy #D55E00">source</span>',
    ]
    if len(sides) == 2:
        notes.append(
            "<span><b>gold</b>: solid lines and tints below the text · <b>prediction</b>: "
            "dashed lines and tints above it · nested mentions stack outwards</span>"
        )
    else:
        notes.append("<span>nested mentions stack outwards; hover a mention: its entity</span>")
    return f'<div class="legend">{types}{"".join(notes)}</div>'


def _page(
    title: str, subtitle: str, sections: Sequence[tuple[str, str, str]], *, body_class: str = ""
) -> str:
    nav = " · ".join(f'<a href="#{sid}">{escape(name)}</a>' for sid, name, _ in sections)
    body = "".join(
        f'<section id="{sid}"><h2>{escape(name)}</h2>{html}</section>'
        for sid, name, html in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f'<body class="{body_class}">'
        f'<header class="top"><h1>{escape(title)}</h1><p>{escape(subtitle)}</p>'
        f"<p>{nav}</p></header>"
        f'<main>{body}</main><aside id="info" hidden aria-live="polite"></aside>'
        f"<script>{_JS}</script></body></html>\n"
    )


def render_html(
    report: Mapping[str, Any], pairs: Sequence[DocumentPair], *, title: str | None = None
) -> str:
    """Return one self-contained HTML page of a scored run.

    Args:
        report: The report of :func:`newsbench.eval.harness.score_documents`.
        pairs: The gold/prediction pairs that were scored (for the texts and annotations).
        title: The page title (default: names the prediction file).
    """
    errors: list[Mapping[str, Any]] = list(report.get("errors", ()))
    by_doc: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for number, error in enumerate(errors):
        by_doc.setdefault(str(error["document"]), []).append((number, error))
    provenance = report.get("provenance", {})
    pred_file = provenance.get("pred_file")
    if title is None:
        title = f"newsbench: {Path(str(pred_file)).name}" if pred_file else "newsbench report"
    placed: set[int] = set()
    documents = []
    for i, pair in enumerate(pairs):
        html, done = _document_html(
            pair.gold,
            f"d{i}",
            [("g", pair.gold), ("p", pair.pred)],
            by_doc.get(pair.gold.id, ()),
            note="no prediction (scored as predicting nothing)" if pair.missing else "",
        )
        documents.append(html)
        placed |= done
    scored = ", ".join(report.get("layers", {}).get("scored", ())) or "none"
    subtitle = (
        f"{len(pairs)} document(s) · {len(errors)} error(s) · layers scored: {scored} · "
        f"corpus {provenance.get('corpus_version', 'unknown')}"
    )
    sections = [
        ("scores", "Scores", _scores_html(report)),
        (
            "documents",
            "Documents",
            _controls_html(("g", "p"), True) + _legend_html(("g", "p")) + "".join(documents),
        ),
        ("errors", "Errors", _errors_html(errors, placed)),
        ("provenance", "Signature and provenance", _provenance_html(report)),
    ]
    return _page(title, subtitle, sections)


def render_gold(documents: Sequence[Document], *, title: str | None = None) -> str:
    """Return one self-contained HTML page of documents' own annotations (no scoring)."""
    title = title or "newsbench: gold annotations"
    rendered = [_document_html(doc, f"d{i}", [("g", doc)])[0] for i, doc in enumerate(documents)]
    counts = Counter(
        layer for doc in documents for layer, _ in TOGGLE_LAYERS for _ in doc.layer(layer)
    )
    subtitle = f"{len(documents)} document(s) · " + ", ".join(
        f"{counts[layer]} {label}" for layer, label in TOGGLE_LAYERS
    )
    nav = "".join(
        f'<li><a href="#doc-d{i}">{escape(doc.id)}</a></li>' for i, doc in enumerate(documents)
    )
    section = (
        _controls_html(("g",), False)
        + _legend_html(("g",))
        + (f"<ul>{nav}</ul>" if len(documents) > 1 else "")
        + "".join(rendered)
    )
    return _page(title, subtitle, [("documents", "Documents", section)], body_class="one-side")


# --------------------------------------------------------------------------------------
# newsbench show
# --------------------------------------------------------------------------------------


def command_show(args: argparse.Namespace) -> int:
    """Write the HTML page of a gold (or prediction) JSONL file."""
    from newsbench.eval.report import write_text
    from newsbench.schema.problems import DataError
    from newsbench.schema.validate import load_documents

    if args.file is None:
        from newsbench.eval.cli import UsageError, packaged_gold

        try:
            args.file = packaged_gold().gold_path()
        except UsageError as exc:
            print(f"newsbench: error: {exc}", file=sys.stderr)
            return 2
    if not Path(args.file).is_file():
        print(f"newsbench: error: file not found: {args.file}", file=sys.stderr)
        return 2
    try:
        documents = load_documents(args.file, "document" if args.kind == "gold" else "prediction")
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    write_text(args.out, render_gold(documents, title=args.title))
    print(f"wrote {args.out} ({len(documents)} document(s))")
    return 0


def register_show(sub: Any) -> None:
    """Entry point: add ``newsbench show`` to the command line."""
    parser = sub.add_parser("show", help="write an HTML page of a file's annotations")
    parser.add_argument(
        "file", nargs="?", type=Path, metavar="FILE", help="JSONL (default: the packaged gold)"
    )
    parser.add_argument("--out", type=Path, required=True, help="the HTML page to write")
    parser.add_argument(
        "--kind", choices=["gold", "prediction"], default="gold", help="what FILE holds"
    )
    parser.add_argument("--title", help="the page title")
    parser.set_defaults(handler=command_show)
    declare_paths(parser, PathSpec("file", "FILE", "input"), PathSpec("out", "--out", "output"))


_CSS = """\
/* newsbench error report. Okabe-Ito palette (colour-blind safe). Gold is drawn
   below the text (underlines, lower-half tints), predictions above it. */
:root {
  --ink: #1a1a1a; --muted: #595959; --rule: #d0d0d0; --panel: #f6f6f4;
  --orange: #E69F00; --sky: #56B4E9; --green: #009E73; --yellow: #F0E442;
  --blue: #0072B2; --vermillion: #D55E00; --purple: #CC79A7; --black: #000000;
  --step: 3px;
}
* { box-sizing: border-box; }
html { font-size: 16px; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 1rem/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
header.top {
  padding: .8rem 1.2rem;
  border-bottom: 1px solid var(--rule);
  background: var(--panel);
}
header.top h1 { margin: 0 0 .2rem; font-size: 1.35rem; overflow-wrap: anywhere; }
header.top p { margin: 0; color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
main { padding: 0 1.2rem 6rem; max-width: 1400px; margin: 0 auto; }
section { margin-top: 1.4rem; }
h2 { font-size: 1.15rem; border-bottom: 2px solid var(--ink); padding-bottom: .15rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
code, .mono {
  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: .85rem;
}
code.sig {
  display: block;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  background: var(--panel);
  padding: .5rem .6rem;
  border-left: 4px solid var(--blue);
}
table { border-collapse: collapse; font-size: .9rem; }
th, td {
  padding: .25rem .5rem;
  border-bottom: 1px solid var(--rule);
  text-align: left;
  vertical-align: top;
}
th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; }
.grid {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
  gap: 1rem 1.6rem;
}
svg text { font-family: inherit; }

/* ---- controls ---- */
.controls {
  position: sticky;
  top: 0;
  z-index: 5;
  background: #fff;
  border-bottom: 1px solid var(--rule);
  padding: .45rem 0;
  display: flex;
  flex-wrap: wrap;
  gap: .3rem 1.1rem;
  align-items: center;
  font-size: .9rem;
}
.controls fieldset {
  border: 0;
  margin: 0;
  padding: 0;
  display: flex;
  flex-wrap: wrap;
  gap: .15rem .7rem;
}
.controls legend { float: left; font-weight: 700; margin-right: .4rem; padding: 0; }
.controls label { white-space: nowrap; cursor: pointer; }
.legend {
  display: flex;
  flex-wrap: wrap;
  gap: .2rem .9rem;
  font-size: .85rem;
  margin: .5rem 0;
}
.legend .sw {
  display: inline-block;
  width: 1.6em;
  height: .75em;
  vertical-align: middle;
  margin-right: .25em;
}

/* ---- document text ---- */
article.doc { margin-top: 1rem; }
article.doc h3 { font-size: 1.05rem; }
.text {
  white-space: pre-wrap;
  overflow-wrap: break-word;
  font-size: 1.02rem;
  line-height: 2.75;
  max-width: 62rem;
  padding: .3rem .2rem;
}
.text span { --lv: 0; }
.lv-1 { --lv: 1 !important; } .lv-2 { --lv: 2 !important; } .lv-3 { --lv: 3 !important; }
.lv-4 { --lv: 4 !important; }

/* entity mentions and time expressions: colour = type; nesting depth = distance from the text */
.m, .x { --c: #888; }
.t-PER { --c: var(--blue); } .t-ORG { --c: var(--vermillion); } .t-GPE { --c: var(--green); }
.t-LOC { --c: var(--orange); } .t-FAC { --c: var(--purple); } .t-VEH { --c: var(--sky); }
.t-WEA { --c: var(--black); } .x { --c: #6b6b6b; }
.m.g { border-bottom: 2px solid var(--c); padding-bottom: calc(var(--lv) * var(--step)); }
.m.p { border-top: 2px dashed var(--c); padding-top: calc(var(--lv) * var(--step)); }
.x.g { border-bottom: 3px double var(--c); padding-bottom: calc(var(--lv) * var(--step)); }
.x.p { border-top: 3px double var(--c); padding-top: calc(var(--lv) * var(--step)); }

/* event triggers: gold tints the lower half, prediction the upper half */
.ev { font-weight: 650; cursor: pointer; }
.ev.g {
  background-image: linear-gradient(to bottom, transparent 52%, rgba(240, 228, 66, .95) 52%);
}
.ev.p {
  background-image: linear-gradient(to top, transparent 52%, rgba(240, 228, 66, .95) 52%);
}
.ev.pinned { outline: 2px solid var(--ink); }

/* attributions: content tinted, cue bold and thick-underlined, source wavy */
.ac.g {
  background-image: linear-gradient(to bottom, transparent 52%, rgba(86, 180, 233, .28) 52%);
}
.ac.p {
  background-image: linear-gradient(to top, transparent 52%, rgba(86, 180, 233, .28) 52%);
}
.au { font-weight: 700; color: #005a8c; }
.au.g { text-decoration: underline solid 3px var(--blue); text-underline-offset: 3px; }
.au.p { text-decoration: overline solid 3px var(--blue); }
.as.g { text-decoration: underline wavy 1.5px var(--vermillion); text-underline-offset: 3px; }
.as.p { text-decoration: overline wavy 1.5px var(--vermillion); }

/* hover: every mention of the entity / every piece of the attribution */
.hl { background-color: rgba(230, 159, 0, .38) !important; border-radius: 2px; }
.hl2 { background-color: rgba(86, 180, 233, .45) !important; }
.arg {
  outline: 2px solid var(--purple);
  outline-offset: 1px;
  background-color: rgba(204, 121, 167, .22);
}

/* layers switched off: the marks lose their styling (the text stays) */
.off-mentions-g .m.g, .off-time_expressions-g .x.g {
  border-bottom-color: transparent;
  padding-bottom: 0;
}
.off-mentions-p .m.p, .off-time_expressions-p .x.p {
  border-top-color: transparent;
  padding-top: 0;
}
.off-mentions-g .m.g[data-ent], .off-mentions-p .m.p[data-ent] { pointer-events: none; }
.off-events-g .ev.g, .off-events-p .ev.p {
  background-image: none;
  font-weight: inherit;
  cursor: auto;
}
.off-attributions-g .ac.g, .off-attributions-p .ac.p { background-image: none; }
.off-attributions-g .au.g, .off-attributions-p .au.p {
  text-decoration: none;
  font-weight: inherit;
  color: inherit;
}
.off-attributions-g .as.g, .off-attributions-p .as.p { text-decoration: none; }
.off-errors .emark { display: none; }

/* error marks */
.emark {
  display: inline-block;
  font: 700 .68rem/1.25 system-ui, sans-serif;
  padding: 0 .28em;
  margin: 0 .08em;
  border-radius: .55em;
  vertical-align: .55em;
  text-decoration: none;
  color: #fff;
  background: #444;
  border: 1px solid transparent;
  cursor: pointer;
}
.emark.c-missed { background: var(--vermillion); }
.emark.c-spurious { background: var(--purple); color: #000; }
.emark.c-boundary { background: var(--orange); color: #000; }
.emark.c-type { background: var(--blue); }
.emark.c-boundary-type { background: var(--green); color: #000; }
.emark.c-overlap { background: var(--sky); color: #000; }
.emark.c-attribute { background: #fff; color: #000; border-color: #000; }
.emark.filtered { display: none; }
.emark.view { border: 2px dashed #000; }
.er.flash { outline: 3px solid var(--vermillion); background-color: rgba(213, 94, 0, .16); }
.emark:target, .emark.flash { outline: 3px solid var(--ink); outline-offset: 1px; }

/* error table */
.filters {
  display: flex;
  flex-wrap: wrap;
  gap: .4rem 1rem;
  align-items: center;
  margin: .4rem 0;
  font-size: .9rem;
}
table.errors { width: 100%; }
table.errors td { overflow-wrap: anywhere; }
table.errors td.id { font-size: .75rem; max-width: 9rem; }
table.errors td.nowrap { white-space: nowrap; overflow-wrap: normal; }
table.headline { width: 100%; max-width: 54rem; }
table.headline td:first-child { width: 13rem; }
table.errors tr.hidden { display: none; }
table.errors tbody tr { cursor: pointer; }
table.errors tbody tr:hover { background: #fff6d6; }
table.errors tr:target { background: #ffe9a8; }
.ctx mark { background: #ffe08a; font-weight: 700; }
.muted { color: var(--muted); }
span.nowrap { white-space: nowrap; }

/* scores */
table.confusion td.num { min-width: 2.6em; }
table.confusion td.zero { color: #aaa; }
table.confusion th.corner { font-weight: 400; font-size: .8rem; color: var(--muted); }
dl.prov {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: .15rem .9rem;
  font-size: .88rem;
}
dl.prov dt { font-weight: 700; }
dl.prov dd { margin: 0; overflow-wrap: anywhere; }

/* the event / attribution details box */
#info {
  position: fixed;
  right: .8rem;
  bottom: .8rem;
  width: min(26rem, calc(100vw - 1.6rem));
  max-height: 40vh;
  overflow: auto;
  background: #fff;
  border: 2px solid var(--ink);
  border-radius: 6px;
  padding: .5rem .7rem;
  font-size: .88rem;
  box-shadow: 0 2px 10px rgba(0,0,0,.2);
  z-index: 10;
}
#info[hidden] { display: none; }
#info h4 { margin: 0 0 .3rem; font-size: .95rem; }
#info ul { margin: .2rem 0 0; padding-left: 1.1rem; }

.one-side .text { line-height: 2.2; }
@media (max-width: 900px) {
  main { padding: 0 .6rem 6rem; }
  header.top { padding: .6rem; }
  .text { font-size: .98rem; line-height: 2.85; }
  .one-side .text { line-height: 2.3; }
  .controls { position: static; }
  table.errors { font-size: .8rem; }
  table.errors td.ctx { min-width: 11rem; }
  table.errors td.id { max-width: 6rem; }
  table.errors td.nowrap { white-space: normal; }
  .grid { grid-template-columns: 1fr; }
}
"""

_JS = """\
(function () {
  "use strict";
  var body = document.body;
  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function byData(name, value) { return all("[" + name + '="' + CSS.escape(value) + '"]'); }

  all("input[data-toggle]").forEach(function (box) {
    function apply() { body.classList.toggle("off-" + box.dataset.toggle, !box.checked); }
    box.addEventListener("change", apply);
    apply();
  });

  var lit = [];
  function clear() { lit.forEach(function (p) { p[0].classList.remove(p[1]); }); lit = []; }
  function light(elements, cls) {
    elements.forEach(function (e) { e.classList.add(cls); lit.push([e, cls]); });
  }

  var info = document.getElementById("info");
  var pinned = null;
  var argLit = [];
  function clearArgs() {
    argLit.forEach(function (e) { e.classList.remove("arg"); e.removeAttribute("data-role"); });
    argLit = [];
  }
  function showEvent(trigger) {
    clearArgs();
    var args = JSON.parse(trigger.dataset.args || "[]");
    info.textContent = "";
    var h = document.createElement("h4");
    h.textContent = trigger.dataset.info + ": \\u201c" + trigger.textContent + "\\u201d";
    info.appendChild(h);
    var list = document.createElement("ul");
    if (!args.length) {
      var none = document.createElement("li");
      none.textContent = "no arguments";
      list.appendChild(none);
    }
    args.forEach(function (a) {
      var item = document.createElement("li");
      var role = document.createElement("b");
      role.textContent = a[0] + ": ";
      item.appendChild(role);
      item.appendChild(document.createTextNode(a[2]));
      list.appendChild(item);
      byData("data-id", a[1]).forEach(function (e) {
        e.classList.add("arg");
        e.setAttribute("data-role", a[0]);
        argLit.push(e);
      });
    });
    info.appendChild(list);
    info.hidden = false;
  }
  function hideEvent() { if (!pinned) { clearArgs(); info.hidden = true; } }

  document.addEventListener("mouseover", function (ev) {
    clear();
    var t = ev.target;
    if (!(t instanceof Element)) return;
    var mention = t.closest("[data-ent]");
    if (mention) light(byData("data-ent", mention.dataset.ent), "hl");
    var attribution = t.closest("[data-attr]");
    if (attribution && !mention) light(byData("data-attr", attribution.dataset.attr), "hl2");
    var mark = t.closest(".text .emark");
    if (mark) light(all('.er[data-err="' + mark.dataset.err + '"]'), "flash");
    var trigger = t.closest(".ev");
    var side = trigger && trigger.classList.contains("g") ? "g" : "p";
    if (trigger && !body.classList.contains("off-events-" + side)) {
      if (!pinned) showEvent(trigger);
    } else { hideEvent(); }
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) return;
    var trigger = t.closest(".ev");
    if (trigger) {
      if (pinned) pinned.classList.remove("pinned");
      if (pinned === trigger) { pinned = null; hideEvent(); return; }
      pinned = trigger; trigger.classList.add("pinned"); showEvent(trigger);
      return;
    }
    var row = t.closest("tr[data-err]");
    if (row) {
      var n = row.dataset.err;
      var mark = document.getElementById("e" + n);
      if (!mark) return;
      ev.preventDefault();
      all(".flash").forEach(function (e) { e.classList.remove("flash"); });
      mark.scrollIntoView({ block: "center" });
      mark.classList.add("flash");
      all('.er[data-err="' + n + '"]').forEach(function (e) { e.classList.add("flash"); });
      history.replaceState(null, "", "#e" + n);
    }
  });

  var fLayer = document.getElementById("f-layer"), fKind = document.getElementById("f-kind");
  function filter() {
    var layer = fLayer.value, kind = fKind.value, shown = 0, rows = all("table.errors tbody tr");
    rows.forEach(function (row) {
      var ok = (!layer || row.dataset.layer === layer) && (!kind || row.dataset.kind === kind);
      row.classList.toggle("hidden", !ok);
      if (ok) shown++;
    });
    all(".text .emark").forEach(function (m) {
      var ok = (!layer || m.dataset.layer === layer) && (!kind || m.dataset.kind === kind);
      m.classList.toggle("filtered", !ok);
    });
    document.getElementById("f-count").textContent = shown + " of " + rows.length + " errors";
  }
  if (fLayer && fKind) {
    fLayer.addEventListener("change", filter);
    fKind.addEventListener("change", filter);
  }
})();
"""
