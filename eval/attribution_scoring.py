"""Attribution (layer 4) scoring: cue, source and content components, and whole relations.

An attribution relation (PARC 3.0, Pareti 2016) has a cue, a source and a content; cue and
content may be discontinuous. :func:`score_attributions` scores one document pair:

* **Components** (``attr.cue``, ``attr.source``, ``attr.content`` and their ``.partial``
  variants). Each component of each attribution is an item: its *token set* is the set of
  document tokens (:func:`newsbench.schema.tokens.token_offsets` over the whole text) that
  share at least one character with one of its spans; the source item is the source span.
  Gold and predicted items are aligned one-to-one, only overlapping pairs, maximising
  (1) the total token overlap ``|G ∩ P|``, then (2) the number of identical token sets,
  (3) the number of pairs, (4) canonical order. Strict credit is 1 for an aligned pair with
  ``G = P``; partial credit is ``|G ∩ P| / |G|`` for the gold (recall) side and
  ``|G ∩ P| / |P|`` for the predicted (precision) side, the one-to-one variant of the soft
  overlap P/R of Johansson & Moschitti (2010). Unaligned items earn 0.
* **Relations** (``attr.relation``). ``g`` and ``p`` are *compatible* iff their cue token
  sets overlap, the predicted source resolves to the gold source's entity (its head
  mention, or its span when it has none, has the span of a gold mention of that entity, or
  the two source spans are identical), and the content Dice ``2|G ∩ P| / (|G| + |P|)`` is
  at least ``content_threshold``. Compatible pairs are aligned one-to-one maximising
  (1) the number of pairs, (2) the total content Dice (rounded down to multiples of
  ``2**-16``), (3) the number of pairs with identical cue and content token sets, (4) the
  number of mode and source-class agreements, (5) canonical order. ``attr.relation.strict``
  is the maximum one-to-one matching of compatible pairs whose cue and content token sets
  are identical. ``attr.mode``, ``attr.source_class`` and ``attr.parent`` are accuracies
  over the relation-aligned pairs.
* **Breakdowns** ``attr.content.partial[mode=M]``, ``[class=C]`` and ``attr.relation[...]``:
  a gold item counts under its gold label, a predicted item under the label of the gold
  attribution it is aligned with, else under its own label (``UNKNOWN`` when ``None``), so
  the breakdown rows sum to the overall row.

Units: every item of an attribution (its components too) is credited to the unit of the
start of its first cue span; accuracies use the gold attribution's unit.

Determinism: both sides are sorted by a canonical key (spans, labels, then id) before the
assignment problems are built; the objective ends with a preference for pairs at the same
canonical rank, so the result depends only on the two sets of attributions, never on their
order. See ``eval/METRICS.md`` for the formulas.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from operator import attrgetter
from typing import NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from newsbench.eval.bipartite import split_lone_edges
from newsbench.eval.units import ErrorRecord, LayerResult, MetricTable, UnitIndex, context_of
from newsbench.schema.contract import newsbench_inventory
from newsbench.schema.inventory import Inventory
from newsbench.schema.model import Attribution, Document, Mention, Span
from newsbench.schema.tokens import token_offsets

__all__ = [
    "BREAKDOWN_METRICS",
    "COMPONENTS",
    "METRICS",
    "UNKNOWN",
    "attribution_metrics",
    "content_dice",
    "score_attributions",
]

LAYER = "attributions"
UNKNOWN = "UNKNOWN"
"""Breakdown label of a predicted attribution that has no aligned gold and no label."""

COMPONENTS: tuple[str, ...] = ("cue", "source", "content")

METRICS: tuple[str, ...] = (
    "attr.cue",
    "attr.cue.partial",
    "attr.source",
    "attr.source.partial",
    "attr.content",
    "attr.content.partial",
    "attr.relation",
    "attr.relation.strict",
    "attr.mode",
    "attr.source_class",
    "attr.parent",
)
"""The overall metrics, always present in the table (0/0 when there is nothing to score)."""


def attribution_metrics(inventory: Inventory) -> tuple[str, ...]:
    """The overall metrics and the breakdown of every label of ``inventory``."""
    return METRICS + tuple(
        f"{base}[{kind}={label}]"
        for base in ("attr.content.partial", "attr.relation")
        for kind, labels in (
            ("mode", inventory.attribution_modes),
            ("class", inventory.source_classes),
        )
        for label in labels
    )


BREAKDOWN_METRICS: tuple[str, ...] = attribution_metrics(newsbench_inventory())[len(METRICS) :]
"""Breakdown metrics declared for every label of the newsbench inventory (``UNKNOWN`` only
when used)."""

_DICE_SCALE = 2**16
_EXACT_FLOAT_LIMIT = 2**50

Tokens = frozenset[int]
Pair = tuple[int, int]


# --------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------


class _TokenIndex:
    """Maps character spans of one text to the tokens they touch.

    Only the stretch of text from the first to the last character of the attributions'
    (non-empty) spans is tokenised: its tokens are the whole text's tokens
    (:func:`token_offsets`) clipped to the stretch, and a span inside it touches a clipped
    token iff it touches the whole one. A token is named by its (clipped) start offset and
    token order is start order, so token sets intersect, compare and sort exactly as the
    sets of whole-text token indices would. Token sets are cached by span.
    """

    def __init__(self, text: str, attrs: Iterable[Attribution]) -> None:
        spans = [
            (s.start, s.end)
            for a in attrs
            for s in (*a.cue, *a.content, *(() if a.source is None else (a.source,)))
            if s.start < s.end
        ]
        offsets: list[tuple[int, int]] = []
        if spans:
            offsets = token_offsets(text, min(s for s, _ in spans), max(e for _, e in spans))
        self._starts = [s for s, _ in offsets]
        self._ends = [e for _, e in offsets]
        self._cache: dict[tuple[int, int], Tokens] = {}

    def span_tokens(self, start: int, end: int) -> Tokens:
        """The tokens sharing at least one character with ``[start, end)``."""
        key = (start, end)
        tokens = self._cache.get(key)
        if tokens is None:
            if end <= start:
                return frozenset()
            first = bisect.bisect_right(self._ends, start)  # first token ending after start
            stop = bisect.bisect_left(self._starts, end)  # tokens starting before end
            tokens = self._cache[key] = frozenset(self._starts[first:stop])
        return tokens

    def tokens(self, spans: Sequence[Span]) -> Tokens:
        """The tokens sharing at least one character with one of ``spans``."""
        if len(spans) == 1:
            return self.span_tokens(spans[0].start, spans[0].end)
        return frozenset().union(*(self.span_tokens(s.start, s.end) for s in spans))


class _Item(NamedTuple):
    """One attribution with its derived token sets, unit and labels."""

    attr: Attribution
    first: int
    unit: int
    cue: Tokens
    source: Tokens | None
    source_span: tuple[int, int] | None
    content: Tokens
    mode: str
    source_class: str


def _first_offset(attr: Attribution) -> int:
    """Where an attribution starts: its first cue span, else content span, else source."""
    if attr.cue:
        return min(s.start for s in attr.cue)
    if attr.content:
        return min(s.start for s in attr.content)
    return attr.source.start if attr.source is not None else 0


def _items(attrs: Iterable[Attribution], index: _TokenIndex, units: UnitIndex) -> list[_Item]:
    """Build the items of one side, sorted canonically (independent of input order)."""
    items = []
    for a in attrs:
        first = _first_offset(a)
        source = a.source
        span = None if source is None else (source.start, source.end)
        items.append(
            _Item(
                attr=a,
                first=first,
                unit=units.unit_of(first),
                cue=index.tokens(a.cue),
                source=None if span is None else index.span_tokens(*span),
                source_span=span,
                content=index.tokens(a.content),
                mode=a.mode or UNKNOWN,
                source_class=a.source_class or UNKNOWN,
            )
        )
    if len({item.first for item in items}) == len(items):
        # The canonical key starts with the first offset: distinct ones decide the order.
        items.sort(key=attrgetter("first"))
    else:
        items.sort(key=_canonical_key)
    return items


def _canonical_key(item: _Item) -> tuple[object, ...]:
    a = item.attr
    source = () if a.source is None else (a.source.start, a.source.end, a.source.mention or "")
    return (
        item.first,
        sorted(item.cue),
        tuple(sorted([(s.start, s.end) for s in a.cue])),
        source,
        sorted(item.content),
        tuple(sorted([(s.start, s.end) for s in a.content])),
        a.mode or "",
        a.source_class or "",
        a.intermediary or "",
        a.parent or "",
        a.id,
    )


def content_dice(gold: Tokens, pred: Tokens) -> Fraction:
    """Token-level F1 (Dice) ``2|G ∩ P| / (|G| + |P|)`` as an exact fraction (0 if both empty)."""
    total = len(gold) + len(pred)
    return Fraction(2 * len(gold & pred), total) if total else Fraction(0)


# --------------------------------------------------------------------------------------
# Lexicographic one-to-one assignment
# --------------------------------------------------------------------------------------


def _assign(
    edges: Mapping[tuple[int, int], Sequence[int]], bounds: Sequence[int]
) -> list[tuple[int, int]]:
    """Maximum one-to-one matching over ``edges`` under a lexicographic objective.

    Args:
        edges: ``(gold rank, pred rank) -> levels``: non-negative integers, most important
            first, with ``levels[0] >= 1``; level ``l`` of one edge is at most ``bounds[l]``.
        bounds: Per-edge maximum of each level.

    A last level prefers pairs of equal canonical rank (``i == j``). The levels are encoded
    as exact integer weights (in float64) for :func:`scipy.optimize.linear_sum_assignment`
    on each connected component of the edge graph; if a component is too large for exact
    weights, the least important levels are dropped.

    Returns:
        The aligned pairs, sorted.
    """
    if not edges:
        return []
    result, linked = split_lone_edges(edges)
    levels = {e: (*edges[e], int(e[0] == e[1])) for e in linked}
    all_bounds = (*bounds, 1)
    for component in _components(linked):
        rows = sorted({i for i, _ in component})
        cols = sorted({j for _, j in component})
        k = min(len(rows), len(cols))
        depth = len(all_bounds)
        while True:
            units = _level_units(all_bounds[:depth], k)
            if k * all_bounds[0] * units[0] * 2 < _EXACT_FLOAT_LIMIT or depth == 1:
                break
            depth -= 1
        row_of = {r: n for n, r in enumerate(rows)}
        col_of = {c: n for n, c in enumerate(cols)}
        matrix = np.zeros((len(rows), len(cols)), dtype=np.float64)
        for i, j in component:
            weight = sum(v * u for v, u in zip(levels[i, j][:depth], units, strict=True))
            matrix[row_of[i], col_of[j]] = float(weight)
        row_ind, col_ind = linear_sum_assignment(matrix, maximize=True)
        for r, c in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
            pair = (rows[r], cols[c])
            if pair in levels and matrix[r, c] > 0:
                result.append(pair)
    return sorted(result)


def _level_units(bounds: Sequence[int], k: int) -> list[int]:
    """Integer weight of one unit of each level: one unit beats every lower level's total."""
    units = [0] * len(bounds)
    lower = 0  # max total of the lower levels over k pairs, in weight units
    for level in range(len(bounds) - 1, -1, -1):
        units[level] = lower + 1
        lower += k * bounds[level] * units[level]
    return units


def _components(edges: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Connected components (as edge lists, in sorted order) of a bipartite edge set."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        a, b = find(("g", i)), find(("p", j))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for edge in sorted(edges):
        groups.setdefault(find(("g", edge[0])), []).append(edge)
    return [groups[key] for key in sorted(groups)]


# --------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------


def _overlaps(gold: Sequence[Tokens | None], pred: Sequence[Tokens | None]) -> list[Pair]:
    """The ``(i, j)`` pairs, sorted, whose token sets share a token."""
    candidates = [(j, pt) for j, pt in enumerate(pred) if pt]
    return [
        (i, j) for i, gt in enumerate(gold) if gt for j, pt in candidates if not gt.isdisjoint(pt)
    ]


def _align_component(
    gold: Sequence[Tokens | None], pred: Sequence[Tokens | None], overlaps: Iterable[Pair]
) -> list[Pair]:
    """Align the token sets of one component (``None`` or empty: nothing to align) over the
    pairs that share a token (:func:`_overlaps`)."""
    largest = max([len(gt) for gt in gold if gt], default=1)
    edges: dict[Pair, tuple[int, ...]] = {}
    for i, j in overlaps:
        gt, pt = gold[i], pred[j]
        assert gt is not None and pt is not None
        edges[i, j] = (len(gt & pt), int(gt == pt), 1)
    return _assign(edges, (largest, 1, 1))


def _score_components(
    gold: list[_Item], pred: list[_Item], table: MetricTable
) -> dict[str, list[Pair]]:
    """Score the components; return the :func:`_overlaps` of each component."""
    overlaps = {}
    for name in COMPONENTS:
        component = attrgetter(name)
        g_sets: list[Tokens | None] = [component(g) for g in gold]
        p_sets: list[Tokens | None] = [component(p) for p in pred]
        overlaps[name] = _overlaps(g_sets, p_sets)
        pairs = _align_component(g_sets, p_sets, overlaps[name])
        g_credit: dict[int, tuple[float, float]] = {}
        p_credit: dict[int, tuple[float, float]] = {}
        for i, j in pairs:
            gt, pt = g_sets[i], p_sets[j]
            assert gt is not None and pt is not None
            common = len(gt & pt)
            strict = float(gt == pt)
            g_credit[i] = (strict, common / len(gt))
            p_credit[j] = (strict, common / len(pt))
        partner = {j: i for i, j in pairs}
        strict_metric, partial_metric = f"attr.{name}", f"attr.{name}.partial"
        content = name == "content"
        for add, items, sets, credit, is_pred in (
            (table.gold, gold, g_sets, g_credit, False),
            (table.pred, pred, p_sets, p_credit, True),
        ):
            for n, item in enumerate(items):
                if sets[n] is None:
                    continue
                strict, partial = credit.get(n, (0.0, 0.0))
                add(strict_metric, item.unit, strict)
                add(partial_metric, item.unit, partial)
                if content:
                    labelled = gold[partner[n]] if is_pred and n in partner else item
                    _breakdown(add, "attr.content.partial", item, labelled, partial)
    return overlaps


def _breakdown(
    add: Callable[[str, int, float], None], base: str, item: _Item, labelled: _Item, credit: float
) -> None:
    """Credit ``item`` (in its own unit) under the mode and class of ``labelled``."""
    add(f"{base}[mode={labelled.mode}]", item.unit, credit)
    add(f"{base}[class={labelled.source_class}]", item.unit, credit)


# --------------------------------------------------------------------------------------
# Relations
# --------------------------------------------------------------------------------------


class _SourceMatcher:
    """Decides whether a predicted source denotes the gold source's entity."""

    def __init__(self, gold: Document, pred: Document, pred_items: Iterable[_Item]) -> None:
        self._gold_mentions: dict[str, Mention] = {m.id: m for m in gold.layer("mentions")}
        self._pred_mentions: dict[str, Mention] = {m.id: m for m in pred.layer("mentions")}
        # The entities of the gold mentions at each span, only where a predicted head is.
        heads = {self.pred_head(p) for p in pred_items}
        self._entities_at: dict[tuple[int, int], set[str]] = {}
        for m in gold.layer("mentions"):
            span = (m.start, m.end)
            if span in heads:
                self._entities_at.setdefault(span, set()).add(self._entity(m))

    @staticmethod
    def _entity(mention: Mention) -> str:
        # A gold mention without a cluster id is a singleton cluster of itself.
        return mention.entity if mention.entity is not None else f"\0{mention.id}"

    def gold_entity(self, item: _Item) -> str | None:
        """The entity of the gold source's head mention (None if it has none)."""
        source = item.attr.source
        if source is None or source.mention is None:
            return None
        head = self._gold_mentions.get(source.mention)
        return None if head is None else self._entity(head)

    def pred_head(self, item: _Item) -> tuple[int, int] | None:
        """The span of the predicted source's head mention, else of the source itself."""
        source = item.attr.source
        if source is None:
            return None
        head = self._pred_mentions.get(source.mention) if source.mention is not None else None
        return (source.start, source.end) if head is None else (head.start, head.end)

    def matches(self, g: _Item, p: _Item) -> bool:
        """Source condition (b) of compatibility."""
        if g.source_span is None or p.source_span is None:
            return g.source_span is None and p.source_span is None
        entity = self.gold_entity(g)
        head = self.pred_head(p)
        if entity is not None and head is not None and entity in self._entities_at.get(head, ()):
            return True
        return g.source_span == p.source_span


class _Checks(NamedTuple):
    """The compatibility conditions of one gold/predicted pair.

    The content Dice is kept as ``dice_num / dice_den`` (``2|G ∩ P|`` over ``|G| + |P|``,
    unreduced; ``0 / 0`` when both contents are empty, a Dice of 0).
    """

    cue: bool
    source: bool
    dice_num: int
    dice_den: int
    content: bool

    @property
    def compatible(self) -> bool:
        return self.cue and self.source and self.content

    @property
    def dice(self) -> Fraction:
        """The content Dice as an exact fraction (what :func:`content_dice` returns)."""
        return Fraction(self.dice_num, self.dice_den) if self.dice_den else Fraction(0)

    @property
    def quantised_dice(self) -> int:
        """``floor(dice * 2**16)``: the Dice rounded down to a multiple of ``2**-16``."""
        return (self.dice_num * _DICE_SCALE) // self.dice_den if self.dice_den else 0


def _checks(g: _Item, p: _Item, sources: _SourceMatcher, threshold: Fraction) -> _Checks:
    num = 2 * len(g.content & p.content)
    den = len(g.content) + len(p.content)
    # dice >= threshold, compared exactly (a Dice of 0/0 is 0).
    content = num * threshold.denominator >= threshold.numerator * den if den else threshold <= 0
    return _Checks(
        cue=not g.cue.isdisjoint(p.cue),
        source=sources.matches(g, p),
        dice_num=num,
        dice_den=den,
        content=content,
    )


def _agreement(g: _Item, p: _Item) -> int:
    return int(g.attr.mode == p.attr.mode) + int(g.attr.source_class == p.attr.source_class)


def _score_relations(
    gold: list[_Item],
    pred: list[_Item],
    checks: dict[tuple[int, int], _Checks],
    table: MetricTable,
) -> list[tuple[int, int]]:
    edges: dict[tuple[int, int], tuple[int, ...]] = {}
    strict_edges: dict[tuple[int, int], tuple[int, ...]] = {}
    for (i, j), c in checks.items():
        if not c.compatible:
            continue
        g, p = gold[i], pred[j]
        strict = int(g.cue == p.cue and g.content == p.content)
        agree = _agreement(g, p)
        edges[i, j] = (1, c.quantised_dice, strict, agree)
        if strict:
            strict_edges[i, j] = (1, agree)
    pairs = _assign(edges, (1, _DICE_SCALE, 1, 2))
    strict_pairs = _assign(strict_edges, (1, 2))

    g_of = {j: i for i, j in pairs}
    p_of = {i: j for i, j in pairs}
    g_strict = {i for i, _ in strict_pairs}
    p_strict = {j for _, j in strict_pairs}
    for n, g in enumerate(gold):
        hit = float(n in p_of)
        table.gold("attr.relation", g.unit, hit)
        table.gold("attr.relation.strict", g.unit, float(n in g_strict))
        _breakdown(table.gold, "attr.relation", g, g, hit)
    for n, p in enumerate(pred):
        hit = float(n in g_of)
        labelled = gold[g_of[n]] if n in g_of else p
        table.pred("attr.relation", p.unit, hit)
        table.pred("attr.relation.strict", p.unit, float(n in p_strict))
        _breakdown(table.pred, "attr.relation", p, labelled, hit)

    gold_rank = {g.attr.id: n for n, g in enumerate(gold)}
    for i, j in pairs:
        g, p = gold[i], pred[j]
        if g.attr.mode is not None:
            table.both("attr.mode", g.unit, float(g.attr.mode == p.attr.mode))
        if g.attr.source_class is not None:
            same_class = g.attr.source_class == p.attr.source_class
            table.both("attr.source_class", g.unit, float(same_class))
        if g.attr.parent is not None:
            parent = gold_rank.get(g.attr.parent)
            partner = p_of.get(parent) if parent is not None else None
            ok = partner is not None and p.attr.parent == pred[partner].attr.id
            table.both("attr.parent", g.unit, float(ok))
    return pairs


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def _extent(a: Attribution) -> tuple[int, int]:
    spans = [*a.cue, *a.content, *([a.source] if a.source is not None else [])]
    return min(s.start for s in spans), max(s.end for s in spans)


def _describe(a: Attribution) -> str:
    cue = " … ".join(s.text for s in sorted(a.cue, key=lambda s: s.start))
    content = " … ".join(s.text for s in sorted(a.content, key=lambda s: s.start))
    source = None if a.source is None else a.source.text
    return f"source={source!r} cue={cue!r} content={content!r}"


def _label(item: _Item) -> str:
    return f"{item.mode}/{item.source_class}"


def _fmt_dice(dice: Fraction) -> str:
    return f"{dice.numerator}/{dice.denominator} = {float(dice):.3f}"


def _record(
    text: str,
    doc_id: str,
    kind: str,
    g: _Item | None,
    p: _Item | None,
    note: str = "",
    labels: tuple[str | None, str | None] | None = None,
) -> ErrorRecord:
    g_ext = None if g is None else _extent(g.attr)
    p_ext = None if p is None else _extent(p.attr)
    where = g_ext or p_ext
    assert where is not None
    if labels is None:
        labels = (None if g is None else _label(g), None if p is None else _label(p))
    return ErrorRecord(
        layer=LAYER,
        kind=kind,
        document=doc_id,
        gold=g_ext,
        pred=p_ext,
        gold_label=labels[0],
        pred_label=labels[1],
        gold_text=None if g is None else _describe(g.attr),
        pred_text=None if p is None else _describe(p.attr),
        context=context_of(text, *where),
        note=note,
    )


def _errors(
    text: str,
    doc_id: str,
    gold: list[_Item],
    pred: list[_Item],
    checks: dict[tuple[int, int], _Checks],
    pairs: list[tuple[int, int]],
    sources: _SourceMatcher,
    threshold: Fraction,
) -> list[ErrorRecord]:
    errors: list[ErrorRecord] = []
    aligned_g = {i for i, _ in pairs}
    aligned_p = {j for _, j in pairs}
    # Near misses: pair the leftovers that share a cue token, or a content token and the
    # source; report why each such pair is not compatible.
    near: dict[tuple[int, int], tuple[int, ...]] = {}
    for (i, j), c in checks.items():
        if i in aligned_g or j in aligned_p:
            continue
        shares_content = not gold[i].content.isdisjoint(pred[j].content)
        if c.cue or (c.source and shares_content):
            near[i, j] = (int(c.cue) + int(c.source) + int(c.content), c.quantised_dice)
    near_pairs = _assign(near, (3, _DICE_SCALE))
    for i, j in near_pairs:
        c = checks[i, j]
        reasons, notes = [], []
        if not c.cue:
            reasons.append("cue")
            notes.append("cue tokens do not overlap")
        if not c.source:
            reasons.append("source")
            notes.append(_source_note(gold[i], pred[j], sources))
        if not c.content:
            reasons.append("content-overlap")
            notes.append(f"content Dice {_fmt_dice(c.dice)} < threshold {float(threshold):g}")
        errors.append(_record(text, doc_id, "+".join(reasons), gold[i], pred[j], "; ".join(notes)))
    near_g = {i for i, _ in near_pairs}
    near_p = {j for _, j in near_pairs}
    for n, g in enumerate(gold):
        if n not in aligned_g and n not in near_g:
            errors.append(_record(text, doc_id, "missed", g, None))
    for n, p in enumerate(pred):
        if n not in aligned_p and n not in near_p:
            errors.append(_record(text, doc_id, "spurious", None, p))
    p_of = {i: j for i, j in pairs}
    gold_rank = {g.attr.id: n for n, g in enumerate(gold)}
    for i, j in pairs:
        g, p = gold[i], pred[j]
        if g.attr.mode is not None and g.attr.mode != p.attr.mode:
            errors.append(_record(text, doc_id, "mode", g, p, labels=(g.attr.mode, p.attr.mode)))
        if g.attr.source_class is not None and g.attr.source_class != p.attr.source_class:
            errors.append(
                _record(
                    text,
                    doc_id,
                    "source_class",
                    g,
                    p,
                    labels=(g.attr.source_class, p.attr.source_class),
                )
            )
        if g.attr.parent is not None:
            parent = gold_rank.get(g.attr.parent)
            partner = p_of.get(parent) if parent is not None else None
            expected = None if partner is None else pred[partner].attr.id
            if expected is None or p.attr.parent != expected:
                note = (
                    "the gold parent has no aligned prediction"
                    if expected is None
                    else f"the gold parent is aligned with predicted {expected!r}"
                )
                errors.append(
                    _record(
                        text, doc_id, "parent", g, p, note, labels=(g.attr.parent, p.attr.parent)
                    )
                )
    errors.sort(key=_error_key)
    return errors


def _source_note(g: _Item, p: _Item, sources: _SourceMatcher) -> str:
    gs, ps = g.attr.source, p.attr.source
    if gs is None:
        return f"predicted source {ps.text if ps else None!r} where the gold has none"
    if ps is None:
        return f"no predicted source (gold {gs.text!r})"
    entity = sources.gold_entity(g)
    head = sources.pred_head(p)
    return (
        f"predicted source {ps.text!r} (head {head}) is not a mention of the gold source "
        f"{gs.text!r} (entity {entity!r})"
    )


def _error_key(e: ErrorRecord) -> tuple[object, ...]:
    where = e.gold or e.pred or (0, 0)
    return (
        where,
        e.gold or (-1, -1),
        e.pred or (-1, -1),
        e.kind,
        e.gold_label or "",
        e.pred_label or "",
        e.gold_text or "",
        e.pred_text or "",
        e.note,
    )


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def score_attributions(
    gold: Document,
    pred: Document,
    units: UnitIndex,
    *,
    content_threshold: float = 0.5,
    declared: Sequence[str] | None = None,
) -> LayerResult:
    """Score the attribution layer of one document pair.

    Args:
        gold: The gold document (its mentions carry entity cluster ids).
        pred: The prediction for the same text; ``attributions=None`` counts as ``()``.
        units: The resampling units of ``gold``.
        content_threshold: Minimum content Dice for a relation match, in ``[0, 1]``;
            compared exactly (a Dice of exactly the threshold matches).
        declared: The metrics reported even where nothing counts (0/0); default
            :data:`METRICS` and :data:`BREAKDOWN_METRICS` (:func:`attribution_metrics`).

    Returns:
        The :class:`LayerResult`: the ``declared`` metrics
        (plus ``...[mode=UNKNOWN]`` / ``[class=UNKNOWN]`` rows when used) and the errors
        (``missed``, ``spurious``, near misses ``cue`` / ``source`` / ``content-overlap`` and
        their ``+`` combinations, ``mode``, ``source_class``, ``parent``), sorted.

    Raises:
        ValueError: If ``content_threshold`` is not in ``[0, 1]``.
    """
    if isinstance(content_threshold, bool) or not 0.0 <= content_threshold <= 1.0:
        raise ValueError(f"content_threshold must be in [0, 1], got {content_threshold!r}")
    threshold = Fraction(content_threshold)
    table = MetricTable(len(units))
    table.declare(*(METRICS + BREAKDOWN_METRICS if declared is None else declared))
    gold_attrs, pred_attrs = gold.layer("attributions"), pred.layer("attributions")
    index = _TokenIndex(gold.text, (*gold_attrs, *pred_attrs))
    gold_items = _items(gold_attrs, index, units)
    pred_items = _items(pred_attrs, index, units)

    overlaps = _score_components(gold_items, pred_items, table)
    sources = _SourceMatcher(gold, pred, pred_items)
    # Only pairs that share a cue or a content token can be compatible or a near miss:
    # the others are never looked at, so they are not checked.
    checks = {
        (i, j): _checks(gold_items[i], pred_items[j], sources, threshold)
        for i, j in sorted({*overlaps["cue"], *overlaps["content"]})
    }
    pairs = _score_relations(gold_items, pred_items, checks, table)
    errors = _errors(gold.text, gold.id, gold_items, pred_items, checks, pairs, sources, threshold)
    return LayerResult(table=table, details={}, errors=errors)
