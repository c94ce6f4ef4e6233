"""Entity mention scoring: the four SemEval-2013 9.1 schemes on optimal one-to-one matches.

Two views are scored by default: ``entities`` (every mention: NAM, NOM and PRO,
full mention detection) and ``entities.NAM`` (names only: classic NER). A zone
filter (``body``, ``caption``, ``credit``) restricts both sides to mentions that
start in a zone of that type. Predicted mentions without a ``mention_type`` are
kept in every view (a plain NER system predicts names).

Per-unit credits per scheme (see ``eval/METRICS.md``): strict and exact credit
COR, partial credits COR + PAR/2, type credits COR; the denominators are ACT
(precision) and POS (recall). Per-type rows use the convention of
:func:`newsbench.eval.spans.counts_from_matching`: an aligned pair counts under
its gold type, a missed span under its type, a spurious one under its
predicted type, so per-type counts sum to the overall counts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from newsbench.eval.spans import SCHEMES, Matching, Span, counts_from_matching, match_spans
from newsbench.eval.units import ErrorRecord, LayerResult, MetricTable, UnitIndex, context_of
from newsbench.schema.contract import ENTITY_TYPES
from newsbench.schema.model import Document, Mention

ALL_MENTION_TYPES: frozenset[str] = frozenset({"NAM", "NOM", "PRO"})


@dataclass(frozen=True, slots=True)
class EntityView:
    """A named filter of the mentions to score."""

    name: str
    mention_types: frozenset[str]


DEFAULT_VIEWS: tuple[EntityView, ...] = (
    EntityView("entities", ALL_MENTION_TYPES),
    EntityView("entities.NAM", frozenset({"NAM"})),
)


def _zone_of(doc: Document, offset: int) -> str | None:
    for zone in doc.layer("zones"):
        if zone.start <= offset < zone.end:
            return zone.type
    return None


def _select(
    mentions: Sequence[Mention], view: EntityView, gold: Document, zones: Collection[str] | None
) -> list[Mention]:
    out = []
    for mention in mentions:
        if mention.mention_type is not None and mention.mention_type not in view.mention_types:
            continue
        if zones is not None and _zone_of(gold, mention.start) not in zones:
            continue
        out.append(mention)
    return out


def _credit(scheme: str, outcome: str) -> float:
    if outcome == "cor":
        return 1.0
    if outcome == "par" and scheme == "partial":
        return 0.5
    return 0.0


def _outcomes(gold: Span, pred: Span) -> dict[str, str]:
    same_bounds = gold.start == pred.start and gold.end == pred.end
    same_label = gold.label == pred.label
    return {
        "strict": "cor" if same_bounds and same_label else "inc",
        "exact": "cor" if same_bounds else "inc",
        "partial": "cor" if same_bounds else "par",
        "type": "cor" if same_label else "inc",
    }


def _error_kind(gold: Span, pred: Span) -> str | None:
    same_bounds = gold.start == pred.start and gold.end == pred.end
    same_label = gold.label == pred.label
    if same_bounds and same_label:
        return None
    if same_bounds:
        return "type"
    return "boundary" if same_label else "boundary+type"


def _count_view(
    table: MetricTable, name: str, matching: Matching, units: UnitIndex, labels: Sequence[str]
) -> None:
    table.declare(*(f"{name}.{s}" for s in SCHEMES))
    table.declare(*(f"{name}.{s}[{label}]" for s in SCHEMES for label in labels))
    for gold, pred in matching.pairs:
        unit = units.unit_of(gold.start)
        for scheme, outcome in _outcomes(gold, pred).items():
            credit = _credit(scheme, outcome)
            for metric in (f"{name}.{scheme}", f"{name}.{scheme}[{gold.label}]"):
                table.gold(metric, unit, credit)
                table.pred(metric, unit, credit)
    for gold in matching.missed:
        unit = units.unit_of(gold.start)
        for scheme in SCHEMES:
            table.gold(f"{name}.{scheme}", unit, 0.0)
            table.gold(f"{name}.{scheme}[{gold.label}]", unit, 0.0)
    for pred in matching.spurious:
        unit = units.unit_of(pred.start)
        for scheme in SCHEMES:
            table.pred(f"{name}.{scheme}", unit, 0.0)
            table.pred(f"{name}.{scheme}[{pred.label}]", unit, 0.0)


def _errors(doc: Document, view: str, matching: Matching) -> list[ErrorRecord]:
    text = doc.text
    errors = []
    for gold, pred in matching.pairs:
        kind = _error_kind(gold, pred)
        if kind is not None:
            errors.append(
                ErrorRecord(
                    view,
                    kind,
                    doc.id,
                    (gold.start, gold.end),
                    (pred.start, pred.end),
                    gold.label,
                    pred.label,
                    text[gold.start : gold.end],
                    text[pred.start : pred.end],
                    context_of(text, min(gold.start, pred.start), max(gold.end, pred.end)),
                )
            )
    for gold in matching.missed:
        errors.append(
            ErrorRecord(
                view,
                "missed",
                doc.id,
                (gold.start, gold.end),
                None,
                gold.label,
                None,
                text[gold.start : gold.end],
                None,
                context_of(text, gold.start, gold.end),
            )
        )
    for pred in matching.spurious:
        errors.append(
            ErrorRecord(
                view,
                "spurious",
                doc.id,
                None,
                (pred.start, pred.end),
                None,
                pred.label,
                None,
                text[pred.start : pred.end],
                context_of(text, pred.start, pred.end),
            )
        )
    return errors


def score_entities(
    gold: Document,
    pred: Document,
    units: UnitIndex,
    *,
    views: Sequence[EntityView] = DEFAULT_VIEWS,
    zones: Collection[str] | None = None,
    labels: Sequence[str] = ENTITY_TYPES,
) -> LayerResult:
    """Score the entity mentions of one document pair under every view.

    Returns:
        Per-unit counts of ``<view>.<scheme>`` and ``<view>.<scheme>[<TYPE>]``, the
        mergeable SemEval counts per view in ``details["semeval:<view>"]``, and the
        error records of every view.
    """
    table = MetricTable(len(units))
    result = LayerResult(table)
    for view in views:
        gold_spans = [
            Span(m.start, m.end, m.type) for m in _select(gold.layer("mentions"), view, gold, zones)
        ]
        pred_spans = [
            Span(m.start, m.end, m.type) for m in _select(pred.layer("mentions"), view, gold, zones)
        ]
        matching = match_spans(gold_spans, pred_spans)
        _count_view(table, view.name, matching, units, labels)
        result.details[f"semeval:{view.name}"] = counts_from_matching(matching)
        result.errors.extend(_errors(gold, view.name, matching))
    return result
