"""Time expression scoring, TempEval-3 style (UzZaman et al. 2013).

Gold and predicted time expressions are aligned one-to-one by optimal span
matching (any overlap may align). Metrics:

- ``timex.strict``: P/R/F1 where an aligned pair counts when its offsets are equal;
- ``timex.relaxed``: P/R/F1 where any aligned (overlapping) pair counts;
- ``timex.type`` and ``timex.value``: attribute F1, an aligned pair counts when it
  also has the right type (value); TempEval-3's attribute F1;
- ``timex.type_accuracy`` and ``timex.value_accuracy``: accuracy over aligned
  pairs (a missing predicted value is wrong).
"""

from __future__ import annotations

from newsbench.eval.spans import Span, match_spans
from newsbench.eval.units import ErrorRecord, LayerResult, MetricTable, UnitIndex, context_of
from newsbench.schema.model import Document

METRICS: tuple[str, ...] = (
    "timex.strict",
    "timex.relaxed",
    "timex.type",
    "timex.value",
    "timex.type_accuracy",
    "timex.value_accuracy",
)


def score_time_expressions(gold: Document, pred: Document, units: UnitIndex) -> LayerResult:
    """Score the time expressions of one document pair."""
    table = MetricTable(len(units))
    table.declare(*METRICS)
    result = LayerResult(table)
    gold_by_span = {(t.start, t.end, t.id): t for t in gold.layer("time_expressions")}
    pred_by_span = {(t.start, t.end, t.id): t for t in pred.layer("time_expressions")}
    # Spans are matched without labels (the type is scored as an attribute); several
    # expressions at the same offsets are told apart by id order.
    gold_spans = [Span(s, e, "T") for s, e, _ in gold_by_span]
    pred_spans = [Span(s, e, "T") for s, e, _ in pred_by_span]
    gold_at = {}
    for (s, e, _), t in sorted(gold_by_span.items()):
        gold_at.setdefault((s, e), []).append(t)
    pred_at = {}
    for (s, e, _), t in sorted(pred_by_span.items()):
        pred_at.setdefault((s, e), []).append(t)
    matching = match_spans(gold_spans, pred_spans)
    text = gold.text
    for g_span, p_span in matching.pairs:
        g = gold_at[(g_span.start, g_span.end)].pop()
        p = pred_at[(p_span.start, p_span.end)].pop()
        unit = units.unit_of(g.start)
        exact = g.start == p.start and g.end == p.end
        type_ok = g.type == p.type
        value_ok = p.value is not None and g.value == p.value
        for metric, ok in (
            ("timex.strict", exact),
            ("timex.relaxed", True),
            ("timex.type", type_ok),
            ("timex.value", value_ok),
        ):
            table.gold(metric, unit, float(ok))
            table.pred(metric, unit, float(ok))
        table.both("timex.type_accuracy", unit, float(type_ok))
        table.both("timex.value_accuracy", unit, float(value_ok))
        context = context_of(text, min(g.start, p.start), max(g.end, p.end))
        for kind, wrong, gold_label, pred_label in (
            ("boundary", not exact, g.type, p.type),
            ("type", not type_ok, g.type, p.type),
            ("value", not value_ok, g.value, p.value),
        ):
            if wrong:
                result.errors.append(
                    ErrorRecord(
                        "timex",
                        kind,
                        gold.id,
                        (g.start, g.end),
                        (p.start, p.end),
                        gold_label,
                        pred_label,
                        g.text,
                        p.text,
                        context,
                    )
                )
    for g_span in matching.missed:
        g = gold_at[(g_span.start, g_span.end)].pop()
        unit = units.unit_of(g.start)
        for metric in ("timex.strict", "timex.relaxed", "timex.type", "timex.value"):
            table.gold(metric, unit, 0.0)
        result.errors.append(
            ErrorRecord(
                "timex",
                "missed",
                gold.id,
                (g.start, g.end),
                None,
                g.type,
                None,
                g.text,
                None,
                context_of(text, g.start, g.end),
            )
        )
    for p_span in matching.spurious:
        p = pred_at[(p_span.start, p_span.end)].pop()
        unit = units.unit_of(p.start)
        for metric in ("timex.strict", "timex.relaxed", "timex.type", "timex.value"):
            table.pred(metric, unit, 0.0)
        result.errors.append(
            ErrorRecord(
                "timex",
                "spurious",
                gold.id,
                None,
                (p.start, p.end),
                None,
                p.type,
                None,
                p.text,
                context_of(text, p.start, p.end),
            )
        )
    return result
