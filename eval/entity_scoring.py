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

import bisect
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from newsbench.eval.spans import SCHEMES, Key, match_keys, scheme_counts_from_keys
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
    types = view.mention_types
    out = [m for m in mentions if m.mention_type is None or m.mention_type in types]
    if zones is not None:
        out = [m for m in out if _zone_of(gold, m.start) in zones]
    return out


# Credit of an aligned pair per scheme, by (same boundaries, same label).
_PAIR_CREDITS: dict[tuple[bool, bool], tuple[float, float, float, float]] = {
    (True, True): (1.0, 1.0, 1.0, 1.0),
    (True, False): (0.0, 1.0, 1.0, 0.0),
    (False, True): (0.0, 0.0, 0.5, 1.0),
    (False, False): (0.0, 0.0, 0.5, 0.0),
}


def _error_kind(gold: Key, pred: Key) -> str | None:
    same_bounds = gold[0] == pred[0] and gold[1] == pred[1]
    same_label = gold[2] == pred[2]
    if same_bounds and same_label:
        return None
    if same_bounds:
        return "type"
    return "boundary" if same_label else "boundary+type"


def _count_view(
    table: MetricTable,
    name: str,
    pairs: list[tuple[Key, Key]],
    missed: list[Key],
    spurious: list[Key],
    units: UnitIndex,
    labels: Sequence[str],
) -> None:
    """Add the view's per-unit counts (credits are multiples of 1/2: sums are exact)."""
    scheme_metrics = [f"{name}.{s}" for s in SCHEMES]
    table.declare(*scheme_metrics)
    table.declare(*(f"{name}.{s}[{label}]" for s in SCHEMES for label in labels))
    starts = units.starts
    if len(starts) == 1:

        def unit_of(offset: int) -> int:
            return 0

    else:

        def unit_of(offset: int) -> int:
            return max(0, bisect.bisect_right(starts, offset) - 1)

    rows = table.rows
    aligned = Counter(
        (unit_of(g[0]), g[2], g[0] == p[0] and g[1] == p[1], g[2] == p[2]) for g, p in pairs
    )
    for (unit, label, same_bounds, same_label), n in aligned.items():
        i = 4 * unit
        for metric, credit in zip(
            scheme_metrics, _PAIR_CREDITS[same_bounds, same_label], strict=True
        ):
            value = n * credit
            for key in (metric, f"{metric}[{label}]"):
                row = rows.get(key) or table.rows.setdefault(key, [0.0] * (4 * len(starts)))
                row[i] += value
                row[i + 1] += n
                row[i + 2] += value
                row[i + 3] += n
    for spans, den in ((missed, 3), (spurious, 1)):
        for (unit, label), n in Counter((unit_of(s[0]), s[2]) for s in spans).items():
            i = 4 * unit + den
            for metric in scheme_metrics:
                for key in (metric, f"{metric}[{label}]"):
                    row = rows.get(key) or table.rows.setdefault(key, [0.0] * (4 * len(starts)))
                    row[i] += n


def _errors(
    doc: Document, view: str, pairs: list[tuple[Key, Key]], missed: list[Key], spurious: list[Key]
) -> list[ErrorRecord]:
    text = doc.text
    errors = []
    for gold, pred in pairs:
        kind = _error_kind(gold, pred)
        if kind is not None:
            errors.append(
                ErrorRecord(
                    view,
                    kind,
                    doc.id,
                    (gold[0], gold[1]),
                    (pred[0], pred[1]),
                    gold[2],
                    pred[2],
                    text[gold[0] : gold[1]],
                    text[pred[0] : pred[1]],
                    context_of(text, min(gold[0], pred[0]), max(gold[1], pred[1])),
                )
            )
    for gold in missed:
        errors.append(
            ErrorRecord(
                view,
                "missed",
                doc.id,
                (gold[0], gold[1]),
                None,
                gold[2],
                None,
                text[gold[0] : gold[1]],
                None,
                context_of(text, gold[0], gold[1]),
            )
        )
    for pred in spurious:
        errors.append(
            ErrorRecord(
                view,
                "spurious",
                doc.id,
                None,
                (pred[0], pred[1]),
                None,
                pred[2],
                None,
                text[pred[0] : pred[1]],
                context_of(text, pred[0], pred[1]),
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
    gold_mentions, pred_mentions = gold.layer("mentions"), pred.layer("mentions")
    for view in views:
        gold_spans = [(m.start, m.end, m.type) for m in _select(gold_mentions, view, gold, zones)]
        pred_spans = [(m.start, m.end, m.type) for m in _select(pred_mentions, view, gold, zones)]
        pairs, missed, spurious = match_keys(gold_spans, pred_spans)
        _count_view(table, view.name, pairs, missed, spurious, units, labels)
        result.details[f"semeval:{view.name}"] = scheme_counts_from_keys(pairs, missed, spurious)
        result.errors.extend(_errors(gold, view.name, pairs, missed, spurious))
    return result
