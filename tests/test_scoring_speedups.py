"""The fast paths of the layer scorers equal the general code they shortcut.

Each fast path (set membership instead of grouping, lone trigger pairs, lone assignment
edges, integer Dice, integer sums of fractions) is compared on random inputs with the
general computation (or a plain reference written here), value for value.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from fractions import Fraction

import pytest

from newsbench.eval import attribution_scoring as attribution
from newsbench.eval import coref
from newsbench.eval import event_scoring as events
from newsbench.eval.units import LayerResult, MetricTable
from newsbench.schema.model import Document, Event, Span
from newsbench.schema.tokens import token_offsets

SEEDS = range(300)


# ------------------------------------------------------------------------- events


def _reference_match(
    gold: Sequence[events._Arg], pred: Sequence[events._Arg], key: Callable[[events._Arg], Hashable]
) -> tuple[list[bool], list[bool]]:
    """The multiset matching by grouping every key (no shortcut)."""
    gold_hit, pred_hit = [False] * len(gold), [False] * len(pred)
    pred_by_key: dict[Hashable, list[int]] = {}
    for j, item in enumerate(pred):
        pred_by_key.setdefault(key(item), []).append(j)
    gold_by_key: dict[Hashable, list[int]] = {}
    for i, item in enumerate(gold):
        gold_by_key.setdefault(key(item), []).append(i)
    for k, gold_idx in gold_by_key.items():
        g_rest = sorted(gold_idx, key=gold.__getitem__)
        p_rest = sorted(pred_by_key.get(k, []), key=pred.__getitem__)
        for level in events._LOCALITY:
            for value, g_bucket in events._group(g_rest, lambda i, f=level: f(gold[i])).items():
                p_bucket = [j for j in p_rest if level(pred[j]) == value and not pred_hit[j]]
                for i, j in zip(g_bucket, p_bucket, strict=False):
                    gold_hit[i] = pred_hit[j] = True
            g_rest = [i for i in g_rest if not gold_hit[i]]
            p_rest = [j for j in p_rest if not pred_hit[j]]
    return gold_hit, pred_hit


def _random_args(rnd: random.Random, n: int) -> list[events._Arg]:
    return [
        events._Arg(
            trigger=(t := rnd.randrange(4) * 10, t + 3),
            event_type=rnd.choice("AB"),
            span=(s := rnd.randrange(5) * 7, s + 2),
            role=rnd.choice("xy"),
            unit=rnd.randrange(3),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_argument_matching_equals_grouping_every_key(seed: int) -> None:
    rnd = random.Random(seed)
    gold = _random_args(rnd, rnd.randrange(8))
    pred = _random_args(rnd, rnd.randrange(8))
    keys: list[Callable[[events._Arg], Hashable]] = [
        lambda a: (a.event_type, a.span),
        lambda a: (a.event_type, a.span, a.role),
        lambda a: (a.trigger, a.event_type, a.span, a.role),
        lambda a: a.span[0] // 14,  # coarse: many repeated keys
    ]
    for key in keys:
        got = events._match(gold, pred, [key(a) for a in gold], [key(a) for a in pred])
        assert got == _reference_match(gold, pred, key)


def _event(rnd: random.Random, offsets: tuple[int, int], n: int) -> list[Event]:
    return [
        Event(
            id=f"e{k}",
            type=rnd.choice(("Conflict.Attack", "Life.Die")),
            trigger=Span(offsets[0], offsets[1], "x" * (offsets[1] - offsets[0])),
            realis=rnd.choice((None, "ACTUAL", "OTHER")),
        )
        for k in range(n)
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_lone_trigger_equals_the_multiset_scoring(seed: int) -> None:
    rnd = random.Random(seed)
    doc = Document(id="d", text="Rebels attacked Damascus on Friday.")
    offsets = (7, 15)
    g_events = _event(rnd, offsets, rnd.randrange(2))
    p_events = _event(rnd, offsets, rnd.randrange(2))
    outcomes = []
    for score in (events._score_lone_trigger, events._score_trigger_group):
        table = MetricTable(2)
        table.declare(*events.METRICS)
        result = LayerResult(table)
        confusion: Counter[tuple[str, str]] = Counter()
        score(doc, offsets, g_events, p_events, 1, result, confusion)
        outcomes.append((table.rows, result.errors, confusion))
    assert outcomes[0] == outcomes[1]


# -------------------------------------------------------------------- attributions


def _reference_assign(
    edges: dict[tuple[int, int], tuple[int, ...]], bounds: Sequence[int]
) -> list[tuple[int, int]]:
    """``_assign`` with every component (lone edges too) given to the solver."""
    saved = attribution.split_lone_edges
    attribution.split_lone_edges = lambda e: ([], list(e))  # type: ignore[assignment]
    try:
        return attribution._assign(edges, bounds)
    finally:
        attribution.split_lone_edges = saved


@pytest.mark.parametrize("seed", SEEDS)
def test_assignment_without_solver_for_lone_edges(seed: int) -> None:
    rnd = random.Random(seed)
    n_gold, n_pred = rnd.randrange(1, 7), rnd.randrange(1, 7)
    edges = {
        (i, j): (rnd.randrange(1, 4), rnd.randrange(2))
        for i in range(n_gold)
        for j in range(n_pred)
        if rnd.random() < 0.25
    }
    assert attribution._assign(edges, (3, 1)) == _reference_assign(edges, (3, 1))


@pytest.mark.parametrize("seed", SEEDS)
def test_integer_dice_checks_equal_the_fraction(seed: int) -> None:
    rnd = random.Random(seed)
    gold = frozenset(rnd.sample(range(12), rnd.randrange(5)))
    pred = frozenset(rnd.sample(range(12), rnd.randrange(5)))
    threshold = Fraction(rnd.choice((0.0, 0.25, 0.5, 0.6, 2 / 3, 1.0)))
    dice = attribution.content_dice(gold, pred)
    num, den = 2 * len(gold & pred), len(gold) + len(pred)
    checks = attribution._Checks(cue=True, source=True, dice_num=num, dice_den=den, content=True)
    assert checks.dice == dice
    assert checks.quantised_dice == int(dice * attribution._DICE_SCALE)
    content = num * threshold.denominator >= threshold.numerator * den if den else threshold <= 0
    assert content == (dice >= threshold)


# --------------------------------------------------------------------------- coref


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_sum_equals_fraction_sum(seed: int) -> None:
    rnd = random.Random(seed)
    by_den = {rnd.randrange(1, 40): rnd.randrange(0, 50) for _ in range(rnd.randrange(6))}
    want = sum((Fraction(num, den) for den, num in by_den.items()), Fraction(0))
    assert coref._exact_sum(by_den) == want


@pytest.mark.parametrize("seed", SEEDS)
def test_integer_scaled_assignment_equals_fraction_weights(seed: int) -> None:
    """The value of ``_max_assignment`` equals the best assignment of the exact weights."""
    rnd = random.Random(seed)
    rows, cols = rnd.randrange(2, 5), rnd.randrange(2, 5)
    weights = [
        (i, j, 2 * rnd.randrange(1, 5), rnd.randrange(2, 12))
        for i in range(rows)
        for j in range(cols)
        if rnd.random() < 0.6
    ]
    if not weights:
        return
    exact = {(i, j): Fraction(num, den) for i, j, num, den in weights}
    best = max(
        sum((exact.get((i, j), Fraction(0)) for j, i in enumerate(perm)), Fraction(0))
        for perm in itertools.permutations(range(max(rows, cols)), cols)
    )
    rows_used = sorted({i for i, _, _, _ in weights})
    cols_used = sorted({j for _, j, _, _ in weights})
    num, den = coref._max_assignment(rows_used, cols_used, weights)
    assert Fraction(num, den) == best


def _random_clusters(rnd: random.Random, mentions: list[int]) -> list[list[int]]:
    labels = [rnd.randrange(max(1, len(mentions) // 2)) for _ in mentions]
    clusters: dict[int, list[int]] = {}
    for mention, label in zip(mentions, labels, strict=True):
        clusters.setdefault(label, []).append(mention)
    return list(clusters.values())


@pytest.mark.parametrize("seed", SEEDS)
def test_counts_by_policy_equal_separate_counts(seed: int) -> None:
    rnd = random.Random(seed)
    key = _random_clusters(rnd, rnd.sample(range(30), rnd.randrange(12)))
    response = _random_clusters(rnd, rnd.sample(range(30), rnd.randrange(12)))
    by_policy = coref.coref_counts_by_policy(key, response)
    assert by_policy == {
        "singletons": coref.coref_counts_unchecked(key, response, singletons=True),
        "no_singletons": coref.coref_counts_unchecked(key, response, singletons=False),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_last_token_equals_the_last_of_token_offsets(seed: int) -> None:
    rnd = random.Random(seed)
    text = "".join(rnd.choice("ab_9é .,-\t\n\u00a0\x1c'") for _ in range(rnd.randrange(1, 30)))
    for _ in range(20):
        start = rnd.randrange(len(text) + 1)
        end = rnd.randrange(start, len(text) + 1)
        tokens = token_offsets(text, start, end)
        assert events._last_token(text, start, end) == (tokens[-1] if tokens else None)
