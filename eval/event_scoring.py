"""Event extraction scoring, following TextEE (Huang et al., 2024).

Triggers and arguments are scored as tuples matched exactly, one-to-one, by multiset
intersection (so duplicate gold tuples count as many times as they occur and the
result does not depend on input order). Metrics (full definitions and formulas in
``eval/METRICS.md``):

- ``events.trigger_id``: trigger offsets equal;
- ``events.trigger_cls`` and ``events.trigger_cls[<EventType>]``: offsets and type equal;
- ``events.arg_id``: (event type, argument span) equal;
- ``events.arg_cls`` and ``events.arg_cls[<Role>]``: (event type, argument span, role);
- ``events.arg_id+`` and ``events.arg_cls+``: the same tuples plus the trigger offsets
  (the argument must hang on a correctly classified trigger);
- each argument metric also with suffix ``.head`` (argument spans compared by their
  last token) and ``.coref`` (argument spans compared through gold entity clusters);
- ``events.realis``: realis accuracy over trigger classification matches.

Gold items are credited to the recall side of the unit their trigger starts in and
predicted items to the precision side of theirs (arguments use their event's trigger).
Event coreference is scored elsewhere; :func:`hopper_clusters` gives its clusters.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import NamedTuple

from newsbench.eval.units import ErrorRecord, LayerResult, MetricTable, UnitIndex, context_of
from newsbench.schema.contract import newsbench_inventory
from newsbench.schema.inventory import Inventory
from newsbench.schema.model import Document, Event
from newsbench.schema.tokens import is_word_char

__all__ = [
    "ARGUMENT_METRICS",
    "LAYER",
    "METRICS",
    "MODES",
    "EventScoringError",
    "argument_errors",
    "error_order",
    "event_metrics",
    "hopper_clusters",
    "score_events",
    "trigger_metrics",
]

LAYER = "events"
"""The ``layer`` of every :class:`ErrorRecord` produced here."""

MODES: tuple[str, ...] = ("", ".head", ".coref")
"""Argument matching modes as metric suffixes: exact span (no suffix), head, coref."""

_ARGUMENT_BASES: tuple[str, ...] = (
    "events.arg_id",
    "events.arg_cls",
    "events.arg_id+",
    "events.arg_cls+",
)

ARGUMENT_METRICS: tuple[str, ...] = tuple(f"{b}{m}" for b in _ARGUMENT_BASES for m in MODES)
"""The 12 argument metrics (4 tuple definitions x 3 matching modes)."""


def event_metrics(inventory: Inventory) -> tuple[str, ...]:
    """Every metric :func:`score_events` declares under ``inventory``, in reporting order."""
    return (
        "events.trigger_id",
        "events.trigger_cls",
        *(f"events.trigger_cls[{t}]" for t in inventory.event_types),
        *ARGUMENT_METRICS,
        *(f"events.arg_cls[{r}]" for r in inventory.roles),
        "events.realis",
    )


def trigger_metrics(inventory: Inventory) -> tuple[str, ...]:
    """:func:`event_metrics` without the argument metrics (``score_events(...,
    arguments=False)`` declares these)."""
    return tuple(
        m
        for m in event_metrics(inventory)
        if m not in ARGUMENT_METRICS and not m.startswith("events.arg_cls[")
    )


METRICS: tuple[str, ...] = event_metrics(newsbench_inventory())
"""Every metric declared by :func:`score_events` (newsbench inventory), in reporting order."""

Offsets = tuple[int, int]


class EventScoringError(ValueError):
    """An event argument refers to an id that is neither a mention nor a time expression."""


class _Arg(NamedTuple):
    """One argument as a scoring item (field order is the canonical sort order)."""

    trigger: Offsets
    event_type: str
    span: Offsets
    role: str
    unit: int


# ------------------------------------------------------------------------ helpers


def _events(doc: Document) -> tuple[Event, ...]:
    return doc.layer("events")


def _offsets(event: Event) -> Offsets:
    return (event.trigger.start, event.trigger.end)


def _arguments(doc: Document, units: UnitIndex) -> list[_Arg]:
    """Resolve every argument of ``doc`` to an item with its argument span."""
    spans: dict[str, Offsets] = {t.id: (t.start, t.end) for t in doc.layer("time_expressions")}
    spans.update({m.id: (m.start, m.end) for m in doc.layer("mentions")})
    items = []
    for event in _events(doc):
        unit = units.unit_of(event.trigger.start)
        for argument in event.arguments or ():
            span = spans.get(argument.ref)
            if span is None:
                raise EventScoringError(
                    f"document {doc.id!r}: event {event.id!r} has a {argument.role} argument "
                    f"{argument.ref!r} that names no mention or time expression"
                )
            items.append(_Arg(_offsets(event), event.type, span, argument.role, unit))
    return items


def _head_view(text: str) -> Callable[[Offsets], Hashable]:
    """Return span -> head offsets (its last token; the span itself if it has none)."""
    cache: dict[Offsets, Hashable] = {}

    def head(span: Offsets) -> Hashable:
        value = cache.get(span)
        if value is None:
            value = cache[span] = _last_token(text, span[0], span[1]) or span
        return value

    return head


def _last_token(text: str, start: int, end: int) -> Offsets | None:
    """The last of ``token_offsets(text, start, end)`` (None if none), without the others.

    Trailing whitespace (``str.isspace``, which is ``\\s``) is skipped; a last non-word
    character is a token of its own, a last word character ends a run of word characters
    (``\\w``: ``isalnum()`` or ``_``) that starts at ``start`` at the earliest.
    """
    stop = start + len(text[start:end].rstrip())
    if stop <= start:
        return None
    if not is_word_char(text[stop - 1]):
        return (stop - 1, stop)
    first = stop - 1
    while first > start and is_word_char(text[first - 1]):
        first -= 1
    return (first, stop)


def _coref_view(gold: Document) -> Callable[[Offsets], Hashable]:
    """Return span -> gold entity id (span exactly a gold mention's) or the span itself.

    Spans of gold time expressions always keep their span. When several gold mentions
    with entity ids share the span, the smallest entity id is used.
    """
    timex_spans = {(t.start, t.end) for t in gold.layer("time_expressions")}
    entity_of: dict[Offsets, str] = {}
    for mention in gold.layer("mentions"):
        span = (mention.start, mention.end)
        if mention.entity is None or span in timex_spans:
            continue
        if span not in entity_of or mention.entity < entity_of[span]:
            entity_of[span] = mention.entity

    def coref(span: Offsets) -> Hashable:
        entity = entity_of.get(span)
        return ("span", span) if entity is None else ("entity", entity)

    return coref


def _group(indices: Iterable[int], key: Callable[[int], Hashable]) -> dict[Hashable, list[int]]:
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i in indices:
        groups[key(i)].append(i)
    return groups


_LOCALITY: tuple[Callable[[_Arg], Hashable], ...] = (
    lambda item: item.trigger,
    lambda item: item.unit,
    lambda item: None,
)


def _match(
    gold: Sequence[_Arg],
    pred: Sequence[_Arg],
    gold_keys: Sequence[Hashable],
    pred_keys: Sequence[Hashable],
) -> tuple[list[bool], list[bool]]:
    """Multiset intersection of the items' keys; return which items are matched.

    ``gold_keys[i]`` is the key of ``gold[i]`` (likewise for ``pred``). The number of
    matches per key is ``min(#gold, #pred)``. Which items carry the credit only decides
    the units credited: items on the same trigger pair first, then items in the same
    unit, then the rest in canonical (sorted) order, so the result depends only on the
    multisets of items.
    """
    if not gold or not pred:
        return [False] * len(gold), [False] * len(pred)
    gold_count, pred_count = Counter(gold_keys), Counter(pred_keys)
    # Keys on both sides and repeated on one: the only ones where the choice of items
    # matters. Every other shared key pairs a lone couple.
    repeated = {k for k, n in gold_count.items() if n > 1 and k in pred_count}
    repeated.update(k for k, n in pred_count.items() if n > 1 and k in gold_count)
    gold_hit = [k in pred_count and k not in repeated for k in gold_keys]
    pred_hit = [k in gold_count and k not in repeated for k in pred_keys]
    if not repeated:
        return gold_hit, pred_hit
    pred_by_key: dict[Hashable, list[int]] = {}
    for j, k in enumerate(pred_keys):
        if k in repeated:
            pred_by_key.setdefault(k, []).append(j)
    gold_by_key: dict[Hashable, list[int]] = {}
    for i, k in enumerate(gold_keys):
        if k in repeated:
            gold_by_key.setdefault(k, []).append(i)
    for k, gold_idx in gold_by_key.items():
        pred_idx = pred_by_key[k]
        g_rest = sorted(gold_idx, key=gold.__getitem__)
        p_rest = sorted(pred_idx, key=pred.__getitem__)
        for level in _LOCALITY:
            p_buckets = _group(p_rest, lambda j, level=level: level(pred[j]))
            for value, g_bucket in _group(g_rest, lambda i, level=level: level(gold[i])).items():
                p_bucket = p_buckets.get(value, [])
                for i, j in zip(g_bucket, p_bucket, strict=False):
                    gold_hit[i] = pred_hit[j] = True
            g_rest = [i for i in g_rest if not gold_hit[i]]
            p_rest = [j for j in p_rest if not pred_hit[j]]
            if not g_rest or not p_rest:
                break
    return gold_hit, pred_hit


def _error(
    kind: str,
    doc: Document,
    gold_span: Offsets | None,
    pred_span: Offsets | None,
    gold_label: str | None,
    pred_label: str | None,
    note: str = "",
) -> ErrorRecord:
    text = doc.text
    spans = [s for s in (gold_span, pred_span) if s is not None]
    return ErrorRecord(
        LAYER,
        kind,
        doc.id,
        gold_span,
        pred_span,
        gold_label,
        pred_label,
        None if gold_span is None else text[gold_span[0] : gold_span[1]],
        None if pred_span is None else text[pred_span[0] : pred_span[1]],
        context_of(text, min(s[0] for s in spans), max(s[1] for s in spans)),
        note,
    )


def _none_last(value: str | None) -> tuple[bool, str]:
    return (value is None, value or "")


# ----------------------------------------------------------------------- triggers


def _score_triggers(gold: Document, pred: Document, units: UnitIndex, result: LayerResult) -> None:
    confusion: Counter[tuple[str, str]] = Counter()
    gold_at: dict[Offsets, list[Event]] = defaultdict(list)
    pred_at: dict[Offsets, list[Event]] = defaultdict(list)
    for event in _events(gold):
        gold_at[_offsets(event)].append(event)
    for event in _events(pred):
        pred_at[_offsets(event)].append(event)
    for offsets in sorted(set(gold_at) | set(pred_at)):
        unit = units.unit_of(offsets[0])
        g_events, p_events = gold_at.get(offsets, []), pred_at.get(offsets, [])
        score = (
            _score_lone_trigger
            if len(g_events) <= 1 and len(p_events) <= 1
            else _score_trigger_group
        )
        score(gold, offsets, g_events, p_events, unit, result, confusion)
    result.details["events.confusion"] = confusion


def _score_trigger_group(
    gold: Document,
    offsets: Offsets,
    g_events: Sequence[Event],
    p_events: Sequence[Event],
    unit: int,
    result: LayerResult,
    confusion: Counter[tuple[str, str]],
) -> None:
    """Score the gold and predicted events at one trigger offsets (multisets of types)."""
    table = result.table
    matched = min(len(g_events), len(p_events))
    table.gold("events.trigger_id", unit, matched, len(g_events))
    table.pred("events.trigger_id", unit, matched, len(p_events))

    g_types = Counter(e.type for e in g_events)
    p_types = Counter(e.type for e in p_events)
    for event_type in sorted(set(g_types) | set(p_types)):
        n_gold, n_pred = g_types[event_type], p_types[event_type]
        hits = min(n_gold, n_pred)
        for metric in ("events.trigger_cls", f"events.trigger_cls[{event_type}]"):
            table.gold(metric, unit, hits, n_gold)
            table.pred(metric, unit, hits, n_pred)
        if hits:
            _score_realis(gold, offsets, event_type, g_events, p_events, hits, unit, result)

    # Same offsets, different type: pair the left-over types in sorted order.
    g_left = sorted((g_types - p_types).elements())
    p_left = sorted((p_types - g_types).elements())
    for g_type, p_type in zip(g_left, p_left, strict=False):
        confusion[(g_type, p_type)] += 1
        result.errors.append(_error("type", gold, offsets, offsets, g_type, p_type))
    for g_type in g_left[len(p_left) :]:
        result.errors.append(_error("missed", gold, offsets, None, g_type, None))
    for p_type in p_left[len(g_left) :]:
        result.errors.append(_error("spurious", gold, None, offsets, None, p_type))


def _score_lone_trigger(
    gold: Document,
    offsets: Offsets,
    g_events: Sequence[Event],
    p_events: Sequence[Event],
    unit: int,
    result: LayerResult,
    confusion: Counter[tuple[str, str]],
) -> None:
    """:func:`_score_trigger_group` for at most one event on each side, without multisets.

    The same counts and errors: a gold and a predicted event of one type are a
    trigger_cls match (realis compared; two ``None`` realis values do not agree), of two
    types a confusion.
    """
    table = result.table
    g_event = g_events[0] if g_events else None
    p_event = p_events[0] if p_events else None
    matched = int(g_event is not None and p_event is not None)
    table.gold("events.trigger_id", unit, matched, len(g_events))
    table.pred("events.trigger_id", unit, matched, len(p_events))
    if g_event is not None and p_event is not None and g_event.type == p_event.type:
        for metric in ("events.trigger_cls", f"events.trigger_cls[{g_event.type}]"):
            table.gold(metric, unit, 1, 1)
            table.pred(metric, unit, 1, 1)
        realis = g_event.realis
        same = int(realis is not None and realis == p_event.realis)
        table.both("events.realis", unit, same, 1)
        if not same:
            result.errors.append(
                _error("realis", gold, offsets, offsets, realis, p_event.realis, g_event.type)
            )
        return
    types = sorted({e.type for e in (*g_events, *p_events)})
    for event_type in types:
        n_gold = int(g_event is not None and g_event.type == event_type)
        n_pred = int(p_event is not None and p_event.type == event_type)
        for metric in ("events.trigger_cls", f"events.trigger_cls[{event_type}]"):
            table.gold(metric, unit, 0, n_gold)
            table.pred(metric, unit, 0, n_pred)
    if g_event is not None and p_event is not None:
        confusion[(g_event.type, p_event.type)] += 1
        result.errors.append(_error("type", gold, offsets, offsets, g_event.type, p_event.type))
    elif g_event is not None:
        result.errors.append(_error("missed", gold, offsets, None, g_event.type, None))
    elif p_event is not None:
        result.errors.append(_error("spurious", gold, None, offsets, None, p_event.type))


def _score_realis(
    gold: Document,
    offsets: Offsets,
    event_type: str,
    g_events: Sequence[Event],
    p_events: Sequence[Event],
    hits: int,
    unit: int,
    result: LayerResult,
) -> None:
    """Credit the ``hits`` trigger_cls pairs at ``offsets``, pairing equal realis first."""
    g_realis = Counter(e.realis for e in g_events if e.type == event_type)
    p_realis = Counter(e.realis for e in p_events if e.type == event_type)
    shared = {r: min(n, p_realis[r]) for r, n in g_realis.items() if r is not None}
    same = sum(shared.values())
    result.table.both("events.realis", unit, same, hits)
    g_left = sorted(
        (r for r, n in g_realis.items() for _ in range(n - shared.get(r, 0))), key=_none_last
    )
    p_left = sorted(
        (r for r, n in p_realis.items() for _ in range(n - shared.get(r, 0))), key=_none_last
    )
    for g_value, p_value in list(zip(g_left, p_left, strict=False))[: hits - same]:
        result.errors.append(
            _error("realis", gold, offsets, offsets, g_value, p_value, note=event_type)
        )


# ---------------------------------------------------------------------- arguments


def _argument_keys(
    args: Sequence[_Arg],
    head: Callable[[Offsets], Hashable],
    coref: Callable[[Offsets], Hashable],
) -> dict[str, list[Hashable]]:
    """The key of every item under every argument metric (metric -> keys in item order)."""
    triggers = [a.trigger for a in args]
    types = [a.event_type for a in args]
    roles = [a.role for a in args]
    spans = [a.span for a in args]
    views = {"": spans, ".head": [head(s) for s in spans], ".coref": [coref(s) for s in spans]}
    keys: dict[str, list[Hashable]] = {}
    for mode, view in views.items():
        keys[f"events.arg_id{mode}"] = list(zip(types, view, strict=True))
        keys[f"events.arg_cls{mode}"] = list(zip(types, view, roles, strict=True))
        keys[f"events.arg_id+{mode}"] = list(zip(triggers, types, view, strict=True))
        keys[f"events.arg_cls+{mode}"] = list(zip(triggers, types, view, roles, strict=True))
    return keys


def _argument_note(doc: Document, item: _Arg) -> str:
    start, end = item.trigger
    return f"{item.event_type} trigger {doc.text[start:end]!r} [{start}, {end})"


def _add_items(
    table: MetricTable, metric: str, units: Sequence[int], hits: Sequence[bool], side: int
) -> None:
    """Credit every item (1 if hit) in its unit; ``side`` 0 = precision, 2 = recall.

    ``units[k]`` is the unit of item ``k``. Credits are 0 or 1, so summing them per unit
    first gives the same (exact) values.
    """
    row = table.rows.get(metric)
    if row is None:
        table.declare(metric)
        row = table.rows[metric]
    if not units:
        return
    if table.n_units == 1:
        row[side] += sum(hits)
        row[side + 1] += len(units)
        return
    per_unit: dict[int, list[int]] = {}
    for unit, hit in zip(units, hits, strict=True):
        counts = per_unit.get(unit)
        if counts is None:
            counts = per_unit[unit] = [0, 0]
        counts[0] += hit
        counts[1] += 1
    for unit, (num, den) in per_unit.items():
        row[4 * unit + side] += num
        row[4 * unit + side + 1] += den


def _by_role(args: Sequence[_Arg]) -> dict[str, list[int]]:
    """Indices of the items of every role (roles in order of first occurrence)."""
    groups: dict[str, list[int]] = {}
    for k, item in enumerate(args):
        groups.setdefault(item.role, []).append(k)
    return groups


def _score_arguments(gold: Document, pred: Document, units: UnitIndex, result: LayerResult) -> None:
    table = result.table
    g_args, p_args = _arguments(gold, units), _arguments(pred, units)
    if not g_args and not p_args:
        return  # every argument metric is declared (all zero) already
    head, coref = _head_view(gold.text), _coref_view(gold)
    g_keys = _argument_keys(g_args, head, coref)
    p_keys = _argument_keys(p_args, head, coref)
    g_units = [a.unit for a in g_args]
    p_units = [a.unit for a in p_args]
    for metric in ARGUMENT_METRICS:
        g_hit, p_hit = _match(g_args, p_args, g_keys[metric], p_keys[metric])
        _add_items(table, metric, g_units, g_hit, 2)
        _add_items(table, metric, p_units, p_hit, 0)
        if metric == "events.arg_cls":
            for side, args, item_units, hits in (
                (2, g_args, g_units, g_hit),
                (0, p_args, p_units, p_hit),
            ):
                for role, members in _by_role(args).items():
                    _add_items(
                        table,
                        f"events.arg_cls[{role}]",
                        [item_units[k] for k in members],
                        [hits[k] for k in members],
                        side,
                    )
        if metric == "events.arg_cls+":
            result.errors.extend(
                argument_errors(
                    gold,
                    [a for a, hit in zip(g_args, g_hit, strict=True) if not hit],
                    [a for a, hit in zip(p_args, p_hit, strict=True) if not hit],
                )
            )


def argument_errors(gold: Document, missed: list[_Arg], spurious: list[_Arg]) -> list[ErrorRecord]:
    """The error records of the arguments ``events.arg_cls+`` leaves unmatched: role errors
    (same trigger, type and span) first; the rest missed or spurious."""
    errors: list[ErrorRecord] = []
    order = sorted(range(len(spurious)), key=spurious.__getitem__)
    spurious_at = _group(
        order, lambda j: (spurious[j].trigger, spurious[j].event_type, spurious[j].span)
    )
    used: set[int] = set()
    for g in sorted(missed):
        candidates = spurious_at.get((g.trigger, g.event_type, g.span))
        note = _argument_note(gold, g)
        if candidates:
            j = candidates.pop(0)
            used.add(j)
            p = spurious[j]
            errors.append(_error("role", gold, g.span, p.span, g.role, p.role, note))
        else:
            errors.append(_error("missed-argument", gold, g.span, None, g.role, None, note))
    for j in order:
        if j not in used:
            p = spurious[j]
            note = _argument_note(gold, p)
            errors.append(_error("spurious-argument", gold, None, p.span, None, p.role, note))
    return errors


# ----------------------------------------------------------------------------- API


def error_order(error: ErrorRecord) -> tuple[object, ...]:
    """Sort key of the layer's error records (text order)."""
    where = error.gold if error.gold is not None else error.pred
    return (
        where,
        error.kind,
        error.gold or (-1, -1),
        error.pred or (-1, -1),
        _none_last(error.gold_label),
        _none_last(error.pred_label),
        error.note,
    )


def score_events(
    gold: Document,
    pred: Document,
    units: UnitIndex,
    *,
    declared: Sequence[str] = METRICS,
    arguments: bool = True,
) -> LayerResult:
    """Score the events of one document pair (``pred.events is None`` counts as ``()``).

    Args:
        gold: The gold document.
        pred: The prediction for the same text.
        units: The resampling units of ``gold``.
        declared: The metrics reported even where nothing counts (0/0):
            :func:`event_metrics` of the inventory scored under.
        arguments: Score the arguments too (``False``: triggers and realis only; the
            harness scores arguments a block of documents at a time with
            :func:`newsbench.eval.event_blocks.score_arguments_block`).

    Returns:
        Per-unit counts of every metric in ``declared`` (and any other that counts), the mergeable
        ``details["events.confusion"]`` (a :class:`collections.Counter` of
        ``(gold_type, pred_type)`` over trigger pairs with equal offsets and different
        types), and the error records (layer ``"events"``) in text order.

    Raises:
        EventScoringError: If an argument refers to an unknown id.
    """
    table = MetricTable(len(units))
    table.declare(*declared)
    result = LayerResult(table)
    _score_triggers(gold, pred, units, result)
    if arguments:
        _score_arguments(gold, pred, units, result)
    result.errors.sort(key=error_order)
    return result


def hopper_clusters(doc: Document) -> list[list[Offsets]]:
    """Return the event coreference (hopper) clusters of ``doc`` keyed by trigger offsets.

    An event whose ``hopper`` is ``None`` is its own singleton cluster. Events with the
    same trigger offsets are one coreference mention, so clusters that share a trigger
    are merged; the result is valid input for :func:`newsbench.eval.coref.coref_counts`
    (each key occurs once). Clusters are sorted, and so is each cluster.
    """
    parent: dict[Offsets, Offsets] = {}

    def find(x: Offsets) -> Offsets:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_of_hopper: dict[str, Offsets] = {}
    for event in _events(doc):
        offsets = _offsets(event)
        parent.setdefault(offsets, offsets)
        if event.hopper is None:
            continue
        other = first_of_hopper.setdefault(event.hopper, offsets)
        a, b = find(offsets), find(other)
        if a != b:
            parent[max(a, b)] = min(a, b)
    clusters: dict[Offsets, list[Offsets]] = defaultdict(list)
    for offsets in parent:
        clusters[find(offsets)].append(offsets)
    return sorted(sorted(c) for c in clusters.values())
