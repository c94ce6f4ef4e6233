"""Event argument scoring of many documents at once: columnar, equal to :func:`score_events`.

The twelve argument metrics of :mod:`newsbench.eval.event_scoring` match tuples by
multiset intersection. :func:`score_arguments_block` reads the arguments of a block of
documents once (with the same head and coreference views), codes every tuple of every
metric as one integer per item (the document is part of the code), counts the codes of
both sides with ``bincount`` and credits the units with ``bincount``. Only a code that
repeats on a side while the other side has it too leaves a choice of which items carry
the credit; those items go through the reference :func:`~event_scoring._match`, which
decides it exactly as the per-document scorer does. Error records are those of
:func:`~event_scoring.argument_errors` on the unmatched ``arg_cls+`` items. Every count
is an integer, so the per-unit rows equal the per-document ones (compared in
``tests/test_event_blocks.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from newsbench.eval.event_scoring import (
    ARGUMENT_METRICS,
    MODES,
    _Arg,
    _arguments,
    _coref_view,
    _head_view,
    _match,
    argument_errors,
)
from newsbench.eval.units import BlockDocument, ErrorRecord

__all__ = ["ArgumentBlock", "score_arguments_block"]


_ROLE_METRIC = "events.arg_cls[{}]"
_MAX_KEY = 1 << 62


@dataclass
class ArgumentBlock:
    """The argument scores of a block of documents.

    Attributes:
        rows: ``metric -> flat (p_num, p_den, r_num, r_den) * n_units`` over the units of
            the whole block (zeros for unscored documents): the twelve argument metrics and
            ``events.arg_cls[<role>]`` of the declared roles and of every role an argument
            of a scored document has. Empty if no document is scored.
        errors: The argument error records of each document (unsorted; the layer sorts
            them with the trigger errors).
    """

    rows: dict[str, np.ndarray] = field(default_factory=dict)
    errors: list[list[ErrorRecord]] = field(default_factory=list)


class _Side:
    """One side's arguments of the block: the items, their documents and global units."""

    def __init__(self, items: list[list[_Arg]], base: np.ndarray) -> None:
        self.items = list(chain.from_iterable(items))
        self.doc = np.repeat(np.arange(len(items), dtype=np.int64), list(map(len, items)))
        self.unit = base[self.doc] + np.array([a.unit for a in self.items], dtype=np.int64)


def _codes(values: Sequence[object]) -> np.ndarray:
    """Dense integer codes of hashable values (equal values, equal codes)."""
    code_of = {value: k for k, value in enumerate(set(values))}
    return np.fromiter(map(code_of.__getitem__, values), dtype=np.int64, count=len(values))


def _pair_codes(pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Dense codes of ``(start, end)`` offsets (equal pairs, equal codes)."""
    if not pairs:
        return np.zeros(0, dtype=np.int64)
    offsets = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    width = int(offsets[:, 1].max()) + 1
    if int(offsets[:, 0].max()) < _MAX_KEY // width - 1:
        packed = offsets[:, 0] * width + offsets[:, 1]
        return np.unique(packed, return_inverse=True)[1].astype(np.int64).reshape(-1)
    # Offsets too large to pack into one int64: rows compared as rows.
    return np.unique(offsets, axis=0, return_inverse=True)[1].astype(np.int64).reshape(-1)


def _packed(*columns: np.ndarray) -> np.ndarray:
    """One integer per row, equal for two rows exactly when all their columns are equal."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for column in columns:
        width = int(column.max()) + 1 if len(column) else 1
        if span * width >= _MAX_KEY:
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * width + column
        span *= width
    return key


def score_arguments_block(
    documents: Sequence[BlockDocument], *, roles: Sequence[str] = ()
) -> ArgumentBlock:
    """Score the event arguments of a block of documents, all at once.

    Equal to the argument part of :func:`~newsbench.eval.event_scoring.score_events` on
    each scored document: its rows concatenated over the block's units (``roles``: the
    declared roles, whose ``events.arg_cls[<role>]`` rows exist even where nothing
    counts) and its argument error records.

    Raises:
        EventScoringError: If an argument refers to an unknown id (the first document with
            one, gold before prediction, as the per-document scorer finds it).
    """
    counts = [len(index) for _, _, index in documents]
    n_units = sum(counts)
    base = np.cumsum([0, *counts[:-1]]).astype(np.int64) if counts else np.zeros(0, np.int64)
    gold_items: list[list[_Arg]] = []
    pred_items: list[list[_Arg]] = []
    views: list[tuple[object, object]] = []  # (head, coref) functions of each document
    for gold, pred, index in documents:
        if pred is None:
            gold_items.append([])
            pred_items.append([])
            views.append((None, None))
        else:
            gold_items.append(_arguments(gold, index))
            pred_items.append(_arguments(pred, index))
            views.append((_head_view(gold.text), _coref_view(gold)))
    block = ArgumentBlock(errors=[[] for _ in documents])
    if all(pred is None for _, pred, _ in documents):
        return block
    sides = [_Side(gold_items, base), _Side(pred_items, base)]
    both = sides[0].items + sides[1].items
    doc = np.concatenate([sides[0].doc, sides[1].doc])
    n_gold = len(sides[0].items)
    triggers, types, spans, role_names, _ = zip(*both, strict=True) if both else ((),) * 5
    trigger = _pair_codes(triggers)
    event_type = _codes(types)
    role = _codes(role_names)
    docs_of = doc.tolist()
    heads = [views[d][0](span) for d, span in zip(docs_of, spans, strict=True)]  # type: ignore[operator]
    corefs = [views[d][1](span) for d, span in zip(docs_of, spans, strict=True)]  # type: ignore[operator]
    span_view = {"": _pair_codes(spans), ".head": _pair_codes(heads), ".coref": _codes(corefs)}
    hits: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for mode in MODES:
        view = span_view[mode]
        keys = {
            f"events.arg_id{mode}": _packed(doc, event_type, view),
            f"events.arg_cls{mode}": _packed(doc, event_type, view, role),
            f"events.arg_id+{mode}": _packed(doc, trigger, event_type, view),
            f"events.arg_cls+{mode}": _packed(doc, trigger, event_type, view, role),
        }
        for metric, key in keys.items():
            hits[metric] = _matched(key, n_gold, sides)
    for metric in ARGUMENT_METRICS:
        g_hit, p_hit = hits[metric]
        block.rows[metric] = _table(sides, g_hit, p_hit, n_units)
    _role_rows(block, sides, role_names, n_gold, hits["events.arg_cls"], roles, n_units)
    _errors(block, documents, sides, hits["events.arg_cls+"])
    return block


def _matched(key: np.ndarray, n_gold: int, sides: list[_Side]) -> tuple[np.ndarray, np.ndarray]:
    """Which gold and which predicted items the multiset intersection of ``key`` credits."""
    ids = np.unique(key, return_inverse=True)[1]
    gold_ids, pred_ids = ids[:n_gold], ids[n_gold:]
    size = int(ids.max()) + 1 if len(ids) else 0
    in_gold = np.bincount(gold_ids, minlength=size)
    in_pred = np.bincount(pred_ids, minlength=size)
    chosen = (in_gold > 0) & (in_pred > 0) & ((in_gold > 1) | (in_pred > 1))
    g_hit = (in_pred[gold_ids] > 0) & ~chosen[gold_ids]
    p_hit = (in_gold[pred_ids] > 0) & ~chosen[pred_ids]
    if chosen.any():
        # A shared key repeated on a side: which items carry the credit is the reference
        # matcher's choice (same trigger first, then same unit, then canonical order).
        g_open = np.flatnonzero(chosen[gold_ids])
        p_open = np.flatnonzero(chosen[pred_ids])
        g_docs, p_docs = sides[0].doc[g_open], sides[1].doc[p_open]
        for d in np.unique(g_docs).tolist():
            g_idx = g_open[g_docs == d].tolist()
            p_idx = p_open[p_docs == d].tolist()
            g_mark, p_mark = _match(
                [sides[0].items[i] for i in g_idx],
                [sides[1].items[j] for j in p_idx],
                gold_ids[g_idx].tolist(),
                pred_ids[p_idx].tolist(),
            )
            g_hit[g_idx] = g_mark
            p_hit[p_idx] = p_mark
    return g_hit, p_hit


def _table(
    sides: list[_Side],
    g_hit: np.ndarray,
    p_hit: np.ndarray,
    n_units: int,
    g_mask: np.ndarray | None = None,
    p_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Per-unit ``(p_num, p_den, r_num, r_den)`` of the (masked) items, flat."""
    g_unit, p_unit = sides[0].unit, sides[1].unit
    if g_mask is not None and p_mask is not None:
        g_unit, g_hit, p_unit, p_hit = g_unit[g_mask], g_hit[g_mask], p_unit[p_mask], p_hit[p_mask]
    table = np.stack(
        [
            np.bincount(p_unit, weights=p_hit, minlength=n_units),
            np.bincount(p_unit, minlength=n_units).astype(np.float64),
            np.bincount(g_unit, weights=g_hit, minlength=n_units),
            np.bincount(g_unit, minlength=n_units).astype(np.float64),
        ],
        axis=1,
    )
    return table.ravel()


def _role_rows(
    block: ArgumentBlock,
    sides: list[_Side],
    role_names: Sequence[str],
    n_gold: int,
    hits: tuple[np.ndarray, np.ndarray],
    declared: Sequence[str],
    n_units: int,
) -> None:
    """``events.arg_cls[<role>]``: the declared roles, then every other role that occurs."""
    found = sorted(set(role_names) - set(declared))
    role_of = {name: k for k, name in enumerate([*declared, *found])}
    role = np.fromiter(map(role_of.__getitem__, role_names), np.int64, len(role_names))
    g_role, p_role = role[:n_gold], role[n_gold:]
    for name, code in role_of.items():
        block.rows[_ROLE_METRIC.format(name)] = _table(
            sides, hits[0], hits[1], n_units, g_role == code, p_role == code
        )


def _errors(
    block: ArgumentBlock,
    documents: Sequence[BlockDocument],
    sides: list[_Side],
    hits: tuple[np.ndarray, np.ndarray],
) -> None:
    """:func:`argument_errors` of each document's unmatched ``arg_cls+`` items (in order)."""
    g_left, p_left = np.flatnonzero(~hits[0]).tolist(), np.flatnonzero(~hits[1]).tolist()
    if not g_left and not p_left:
        return
    missed: dict[int, list[_Arg]] = {}
    spurious: dict[int, list[_Arg]] = {}
    for left, side, out in ((g_left, sides[0], missed), (p_left, sides[1], spurious)):
        docs = side.doc[left].tolist() if left else []
        for d, i in zip(docs, left, strict=True):
            out.setdefault(d, []).append(side.items[i])
    for d in sorted({*missed, *spurious}):
        block.errors[d] = argument_errors(documents[d][0], missed.get(d, []), spurious.get(d, []))
