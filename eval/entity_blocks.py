"""Entity mention scoring of many documents at once: columnar, equal to :func:`score_entities`.

:func:`score_entities_block` scores a block of document pairs with numpy columns: every
view of every document is one group of the columnar matcher of
:mod:`newsbench.eval.spans` (strict pairs by multiplicity for all groups at once, overlap
edges by binary search, lone pairs aligned directly, only components with a real choice
solved one by one, as the per-document matcher solves them), per-unit counts come from
``bincount``, and Python touches a mention only to read it and an error only to write its
record. The result is, value for value and record for record, what
:func:`~newsbench.eval.entity_scoring.score_entities` gives document by document (the
reference, compared in ``tests/test_entity_blocks.py``): per-unit credits are multiples
of 1/2, so their sums are exact in any order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from newsbench.eval.entity_scoring import DEFAULT_VIEWS, EntityView, _zone_of, score_entities
from newsbench.eval.spans import (
    SCHEMES,
    SchemeCounts,
    SpanColumns,
    _scheme_counts_from_outcomes,
    align_columns,
    offset_bits_of,
    strict_split_columns,
)
from newsbench.eval.units import BlockDocument, UnitIndex, context_of
from newsbench.schema.contract import ENTITY_TYPES
from newsbench.schema.model import Document, Mention

__all__ = ["EntityBlock", "score_entities_block"]


@dataclass
class EntityBlock:
    """The entity scores of a block of documents.

    Attributes:
        rows: ``metric -> flat (p_num, p_den, r_num, r_den) * n_units`` over the units of
            the whole block in order (the units of unscored documents hold zeros), for
            the metrics :func:`score_entities` gives some scored document of the block.
        details: ``semeval:<view>`` counts summed over the block (empty if no document
            was scored).
        errors: The error records of each document (empty for an unscored one), as
            :meth:`ErrorRecord.to_dict` gives them.
    """

    rows: dict[str, np.ndarray] = field(default_factory=dict)
    details: dict[str, SchemeCounts] = field(default_factory=dict)
    errors: list[list[dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Side:
    """One side's mentions of the block as columns (input order)."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    labels: list[str]
    mention_types: list[str | None]


def _side(lists: list[Sequence[Mention]]) -> _Side:
    mentions = list(chain.from_iterable(lists))
    return _Side(
        np.repeat(np.arange(len(lists), dtype=np.int64), [len(m) for m in lists]),
        np.array([m.start for m in mentions], dtype=np.int64),
        np.array([m.end for m in mentions], dtype=np.int64),
        [m.type for m in mentions],
        [m.mention_type for m in mentions],
    )


def _codes(values: list[str | None], code_of: dict[str | None, int]) -> np.ndarray:
    return np.fromiter(map(code_of.__getitem__, values), dtype=np.int64, count=len(values))


def _in_view(
    codes: np.ndarray, view: EntityView, zone_ok: np.ndarray | None, code_of: dict[str | None, int]
) -> np.ndarray:
    wanted = [code_of[None], *(code_of[t] for t in view.mention_types if t in code_of)]
    keep = np.isin(codes, wanted)
    return keep if zone_ok is None else keep & zone_ok


def _zone_mask(side: _Side, golds: Sequence[Document], zones: Collection[str]) -> np.ndarray:
    docs = side.doc.tolist()
    return np.fromiter(
        (_zone_of(golds[d], s) in zones for d, s in zip(docs, side.start.tolist(), strict=True)),
        dtype=bool,
        count=len(docs),
    )


def _view_columns(
    side: _Side, masks: list[np.ndarray], rank: np.ndarray, n_views: int
) -> SpanColumns:
    """The side's spans of every view, grouped as document ``doc * n_views + view``."""
    parts = [np.flatnonzero(mask) for mask in masks]
    index = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
    view = np.repeat(np.arange(n_views, dtype=np.int64), [len(p) for p in parts])
    return SpanColumns(
        side.doc[index] * n_views + view, side.start[index], side.end[index], rank[index]
    )


class _Units:
    """Global unit of an offset in a document of the block."""

    def __init__(self, indexes: Sequence[UnitIndex]) -> None:
        counts = np.fromiter(map(len, indexes), dtype=np.int64, count=len(indexes))
        self.n_units = int(counts.sum())
        self.base = np.cumsum(counts) - counts
        self.one_each = self.n_units == len(indexes)
        if not self.one_each:  # unit starts are sorted within each document
            self.doc = np.repeat(np.arange(len(indexes), dtype=np.int64), counts)
            self.start = np.fromiter(
                chain.from_iterable(ix.starts for ix in indexes), np.int64, self.n_units
            )

    def check_packing(self, n_docs: int) -> None:
        """Raise OverflowError if ``(doc, start)`` keys of unit starts overflow int64."""
        if not self.one_each:
            top = int(self.start.max(initial=0)).bit_length() + 1
            if n_docs.bit_length() + top > 62:
                raise OverflowError("unit starts too large to pack with document indices")

    def of(self, doc: np.ndarray, offset: np.ndarray) -> np.ndarray:
        """``UnitIndex.unit_of`` of each offset, plus its document's first unit."""
        if self.one_each:
            return self.base[doc]
        # The last unit of the document starting at or before the offset (its first unit
        # for an offset before every start): bisect_right on (doc, start) keys.
        top = max(int(self.start.max(initial=0)), int(offset.max(initial=0)))
        bits = top.bit_length() + 1
        packed = (self.doc << bits) | self.start
        found = np.searchsorted(packed, (doc << bits) | offset, side="right") - 1
        return np.maximum(found, self.base[doc])


def score_entities_block(
    documents: Sequence[BlockDocument],
    *,
    views: Sequence[EntityView] = DEFAULT_VIEWS,
    zones: Collection[str] | None = None,
    labels: Sequence[str] = ENTITY_TYPES,
) -> EntityBlock:
    """Score the entity mentions of a block of documents under every view, all at once.

    Equal to :func:`~newsbench.eval.entity_scoring.score_entities` on each scored document:
    its rows concatenated over the block's units, its details summed, its errors.
    """
    golds = [gold for gold, _, _ in documents]
    scored = [pred is not None for _, pred, _ in documents]
    gold_side = _side(
        [g.layer("mentions") if s else () for g, s in zip(golds, scored, strict=True)]
    )
    pred_side = _side([p.layer("mentions") if p is not None else () for _, p, _ in documents])
    units = _Units([ix for _, _, ix in documents])
    ordered = tuple(sorted({*labels, *gold_side.labels, *pred_side.labels}))
    rank_of = {label: r for r, label in enumerate(ordered)}
    type_codes = sorted(
        {t for t in (*gold_side.mention_types, *pred_side.mention_types) if t is not None}
        | {t for view in views for t in view.mention_types}
    )
    code_of: dict[str | None, int] = {None: 0, **{t: k + 1 for k, t in enumerate(type_codes)}}
    n_views = len(views)
    columns = []
    for side in (gold_side, pred_side):
        zone_ok = None if zones is None else _zone_mask(side, golds, zones)
        rank = _codes(side.labels, rank_of)  # type: ignore[arg-type]
        codes = _codes(side.mention_types, code_of)
        masks = [_in_view(codes, view, zone_ok, code_of) for view in views]
        columns.append(_view_columns(side, masks, rank, n_views))
    gold, pred = columns
    try:
        offset_bits = offset_bits_of(len(documents) * n_views, gold, pred)
        units.check_packing(len(documents))
    except OverflowError:  # offsets beyond int64 packing: the reference, document by document
        return _by_document(documents, views, zones, labels, units.n_units)
    strict, rest_gold, rest_pred = strict_split_columns(gold, pred)
    pair_gold, pair_pred = align_columns(rest_gold, rest_pred, offset_bits, ordered)
    block = EntityBlock(errors=[[] for _ in documents])
    if not any(scored):
        return block
    matched = _Pairs(strict, rest_gold, rest_pred, pair_gold, pair_pred)
    _rows(block, matched, units, views, ordered, labels)
    _details(block, matched, views, ordered)
    _errors(block, matched, documents, views, ordered)
    return block


class _Pairs:
    """The block's matching: aligned pairs (strict ones included), missed and spurious."""

    def __init__(
        self,
        strict: SpanColumns,
        rest_gold: SpanColumns,
        rest_pred: SpanColumns,
        pair_gold: np.ndarray,
        pair_pred: np.ndarray,
    ) -> None:
        g, p = rest_gold.take(pair_gold), rest_pred.take(pair_pred)
        self.group = np.concatenate([strict.doc, g.doc])
        self.gold_start = np.concatenate([strict.start, g.start])
        self.gold_end = np.concatenate([strict.end, g.end])
        self.gold_rank = np.concatenate([strict.rank, g.rank])
        self.pred_start = np.concatenate([strict.start, p.start])
        self.pred_end = np.concatenate([strict.end, p.end])
        self.pred_rank = np.concatenate([strict.rank, p.rank])
        self.same_bounds = (self.gold_start == self.pred_start) & (self.gold_end == self.pred_end)
        self.same_label = self.gold_rank == self.pred_rank
        left = np.ones(len(rest_gold.doc), dtype=bool)
        left[pair_gold] = False
        self.missed = rest_gold.take(np.flatnonzero(left))
        left = np.ones(len(rest_pred.doc), dtype=bool)
        left[pair_pred] = False
        self.spurious = rest_pred.take(np.flatnonzero(left))


def _rows(
    block: EntityBlock,
    pairs: _Pairs,
    units: _Units,
    views: Sequence[EntityView],
    ordered: tuple[str, ...],
    declared: Sequence[str],
) -> None:
    n_views, n_labels, n_units = len(views), len(ordered), units.n_units
    size = n_units * n_labels
    cells = pairs.group % n_views, units.of(pairs.group // n_views, pairs.gold_start)
    missed_cells = (
        pairs.missed.doc % n_views,
        units.of(pairs.missed.doc // n_views, pairs.missed.start),
    )
    spurious_cells = (
        pairs.spurious.doc % n_views,
        units.of(pairs.spurious.doc // n_views, pairs.spurious.start),
    )
    sb, sl = pairs.same_bounds, pairs.same_label
    credits = {
        "strict": (sb & sl).astype(np.float64),
        "exact": sb.astype(np.float64),
        "partial": np.where(sb, 1.0, 0.5),
        "type": sl.astype(np.float64),
    }
    declared_set = set(declared)
    rank_of = {label: r for r, label in enumerate(ordered)}
    declared_ranks = [rank_of[label] for label in declared]
    for v, view in enumerate(views):
        in_view = cells[0] == v
        cell = cells[1][in_view] * n_labels + pairs.gold_rank[in_view]
        n_pairs = np.bincount(cell, minlength=size).reshape(n_units, n_labels)
        mv = missed_cells[0] == v
        missed = np.bincount(
            missed_cells[1][mv] * n_labels + pairs.missed.rank[mv], minlength=size
        ).reshape(n_units, n_labels)
        sv = spurious_cells[0] == v
        spurious = np.bincount(
            spurious_cells[1][sv] * n_labels + pairs.spurious.rank[sv], minlength=size
        ).reshape(n_units, n_labels)
        p_den = (n_pairs + spurious).astype(np.float64)
        r_den = (n_pairs + missed).astype(np.float64)
        present = (n_pairs + missed + spurious).any(axis=0)
        undeclared = [
            r for r, label in enumerate(ordered) if label not in declared_set and present[r]
        ]
        by_scheme = {}
        for scheme in SCHEMES:
            credit = np.bincount(cell, weights=credits[scheme][in_view], minlength=size).reshape(
                n_units, n_labels
            )
            by_scheme[scheme] = credit
            table = np.stack(
                [credit.sum(axis=1), p_den.sum(axis=1), credit.sum(axis=1), r_den.sum(axis=1)],
                axis=1,
            )
            _add_row(block.rows, f"{view.name}.{scheme}", table.ravel())
        for shown in (declared_ranks, undeclared):
            for scheme in SCHEMES:
                credit = by_scheme[scheme]
                for r in shown:
                    table = np.stack([credit[:, r], p_den[:, r], credit[:, r], r_den[:, r]], axis=1)
                    _add_row(block.rows, f"{view.name}.{scheme}[{ordered[r]}]", table.ravel())


def _add_row(rows: dict[str, np.ndarray], metric: str, values: np.ndarray) -> None:
    """Set a metric's rows, or add to them: two views with one name share their rows, as
    in :func:`score_entities` (exact: the counts are halves)."""
    rows[metric] = rows[metric] + values if metric in rows else values


def _details(
    block: EntityBlock, pairs: _Pairs, views: Sequence[EntityView], ordered: tuple[str, ...]
) -> None:
    n_views = len(views)
    code = (
        (pairs.group % n_views) * (4 * len(ordered))
        + 4 * pairs.gold_rank
        + 2 * pairs.same_bounds
        + pairs.same_label
    )
    found = np.bincount(code, minlength=n_views * 4 * len(ordered)).tolist()
    for v, view in enumerate(views):
        outcomes: Counter[tuple[str, bool, bool]] = Counter()
        base = v * 4 * len(ordered)
        for r, label in enumerate(ordered):
            for c in range(4):
                n = found[base + 4 * r + c]
                if n:
                    outcomes[(label, bool(c & 2), bool(c & 1))] += n
        unpaired = []
        for spans in (pairs.missed, pairs.spurious):
            mine = spans.doc % n_views == v
            counts = np.bincount(spans.rank[mine], minlength=len(ordered)).tolist()
            unpaired.append({ordered[r]: n for r, n in enumerate(counts) if n})
        block.details[f"semeval:{view.name}"] = _scheme_counts_from_outcomes(outcomes, *unpaired)


_KINDS = ("boundary+type", "boundary", "type", None)  # by 2 * same bounds + same label


def _errors(
    block: EntityBlock,
    pairs: _Pairs,
    documents: Sequence[BlockDocument],
    views: Sequence[EntityView],
    ordered: tuple[str, ...],
) -> None:
    """Error records in :func:`score_entities`'s order: per document, per view, the aligned
    pairs that differ (sorted), then the missed spans, then the spurious ones (sorted)."""
    n_views = len(views)
    texts = [gold.text for gold, _, _ in documents]
    ids = [gold.id for gold, _, _ in documents]
    names = [view.name for view in views]
    wrong = np.flatnonzero(~(pairs.same_bounds & pairs.same_label))
    wrong = wrong[
        np.lexsort(
            (
                pairs.pred_rank[wrong],
                pairs.pred_end[wrong],
                pairs.pred_start[wrong],
                pairs.gold_rank[wrong],
                pairs.gold_end[wrong],
                pairs.gold_start[wrong],
                pairs.group[wrong],
            )
        )
    ]
    groups = pairs.group[wrong]
    kinds = [_KINDS[c] for c in (2 * pairs.same_bounds[wrong] + pairs.same_label[wrong]).tolist()]
    differing = [
        {
            "layer": names[g % n_views],
            "kind": kind,
            "document": ids[g // n_views],
            "gold": [gs, ge],
            "pred": [ps, pe],
            "gold_label": ordered[gr],
            "pred_label": ordered[pr],
            "gold_text": texts[g // n_views][gs:ge],
            "pred_text": texts[g // n_views][ps:pe],
            "context": context_of(texts[g // n_views], min(gs, ps), max(ge, pe)),
            "note": "",
        }
        for g, kind, gs, ge, gr, ps, pe, pr in zip(
            groups.tolist(),
            kinds,
            pairs.gold_start[wrong].tolist(),
            pairs.gold_end[wrong].tolist(),
            pairs.gold_rank[wrong].tolist(),
            pairs.pred_start[wrong].tolist(),
            pairs.pred_end[wrong].tolist(),
            pairs.pred_rank[wrong].tolist(),
            strict=True,
        )
    ]
    missed = _unpaired_records("missed", pairs.missed, names, ids, texts, ordered)
    spurious = _unpaired_records("spurious", pairs.spurious, names, ids, texts, ordered)
    edges = np.arange(len(documents) * n_views + 1)
    bounds = [
        np.searchsorted(group, edges).tolist()
        for group in (groups, pairs.missed.doc, pairs.spurious.doc)
    ]
    for doc, out in enumerate(block.errors):
        for g in range(doc * n_views, (doc + 1) * n_views):
            for records, bound in zip((differing, missed, spurious), bounds, strict=True):
                if bound[g] < bound[g + 1]:
                    out.extend(records[bound[g] : bound[g + 1]])


def _unpaired_records(
    kind: str,
    spans: SpanColumns,
    names: list[str],
    ids: list[str],
    texts: list[str],
    ordered: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The records of missed gold spans or spurious predicted ones (``kind``), in order."""
    n_views, gold = len(names), kind == "missed"
    return [
        {
            "layer": names[g % n_views],
            "kind": kind,
            "document": ids[g // n_views],
            "gold": [s, e] if gold else None,
            "pred": None if gold else [s, e],
            "gold_label": ordered[r] if gold else None,
            "pred_label": None if gold else ordered[r],
            "gold_text": texts[g // n_views][s:e] if gold else None,
            "pred_text": None if gold else texts[g // n_views][s:e],
            "context": context_of(texts[g // n_views], s, e),
            "note": "",
        }
        for g, s, e, r in zip(
            spans.doc.tolist(),
            spans.start.tolist(),
            spans.end.tolist(),
            spans.rank.tolist(),
            strict=True,
        )
    ]


def _by_document(
    documents: Sequence[BlockDocument],
    views: Sequence[EntityView],
    zones: Collection[str] | None,
    labels: Sequence[str],
    n_units: int,
) -> EntityBlock:
    """The block from :func:`score_entities` document by document (the reference)."""
    block = EntityBlock()
    first = 0
    for gold, pred, index in documents:
        if pred is None:
            block.errors.append([])
        else:
            result = score_entities(gold, pred, index, views=views, zones=zones, labels=labels)
            for metric, values in result.table.rows.items():
                row = block.rows.get(metric)
                if row is None:
                    row = block.rows[metric] = np.zeros(4 * n_units)
                row[4 * first : 4 * (first + len(index))] = values
            for key, value in result.details.items():
                block.details[key] = block.details[key] + value if key in block.details else value
            block.errors.append([e.to_dict() for e in result.errors])
        first += len(index)
    return block
