"""Differential tests against nervaluate 1.2.1 and seqeval 1.2.2 (seeded, bounded).

nervaluate is compared where it is order-independent and one-to-one: on each side the
spans do not overlap, and every prediction overlaps at most one gold span and vice
versa. Gold spans are at most 20 characters long, so nervaluate's default 1% minimum
overlap (relative to the gold length) accepts every overlap of one character or more.
"""

from __future__ import annotations

import random
import warnings
from collections import Counter

import pytest
from nervaluate import Evaluator
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from newsbench.eval.bio import Token, bio_to_offsets
from newsbench.eval.spans import (
    SCHEMES,
    Counts,
    SchemeCounts,
    Span,
    match_spans,
    semeval_counts,
    semeval_scores,
)

LABELS = ["LOC", "MISC", "ORG", "PER"]
NERVALUATE_SCHEME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def _to_nervaluate(spans: list[Span]) -> list[dict]:
    # nervaluate's ends are inclusive: it treats [s, e] and [e, f] as overlapping.
    return [{"label": s.label, "start": s.start, "end": s.end - 1} for s in spans]


def _random_document(rng: random.Random) -> tuple[list[Span], list[Span]]:
    """Slots 21 characters apart, each holding at most one gold and one predicted span."""
    gold, pred = [], []
    for slot in range(rng.randrange(9)):
        base = 21 * slot
        start = base + rng.randrange(15)
        g = Span(start, start + rng.randint(1, 20 - (start - base)), rng.choice(LABELS))
        has_gold, has_pred = rng.random() < 0.8, rng.random() < 0.8
        if has_gold:
            gold.append(g)
        if has_pred:
            roll = rng.random()
            if has_gold and roll < 0.3:
                p = Span(g.start, g.end, rng.choice(LABELS))  # exact boundaries
            else:
                p_start = base + rng.randrange(15)
                p = Span(p_start, p_start + rng.randint(1, 20 - (p_start - base)), g.label)
                if roll < 0.6:
                    p = Span(p.start, p.end, rng.choice(LABELS))
            pred.append(p)
    rng.shuffle(gold)
    rng.shuffle(pred)
    return gold, pred


def _cross_type_pairs(matchings: list) -> bool:
    return any(g.label != p.label for m in matchings for g, p in m.pairs)


def test_overall_counts_and_scores_equal_nervaluate() -> None:
    rng = random.Random(91)
    compared_per_type = 0
    for _ in range(300):
        docs = [_random_document(rng) for _ in range(rng.randint(1, 3))]
        ours = sum((semeval_counts(g, p, LABELS) for g, p in docs), SchemeCounts())
        scores = semeval_scores(ours, LABELS)
        result = Evaluator(
            [_to_nervaluate(g) for g, _ in docs],
            [_to_nervaluate(p) for _, p in docs],
            tags=LABELS,
            loader="dict",
        ).evaluate()
        for scheme in SCHEMES:
            theirs = result["overall"][NERVALUATE_SCHEME[scheme]]
            counts = ours.overall[scheme]
            assert counts == Counts(
                theirs.correct, theirs.incorrect, theirs.partial, theirs.missed, theirs.spurious
            ), (scheme, docs)
            assert (counts.pos, counts.act) == (theirs.possible, theirs.actual)
            micro = scores[scheme].micro
            assert (micro.precision, micro.recall, micro.f1) == (
                theirs.precision,
                theirs.recall,
                theirs.f1,
            ), (scheme, docs)
        # Per type, nervaluate re-scores each label on its own filtered spans; that
        # equals our gold-label attribution unless a pair has two different labels.
        for label in LABELS:
            for scheme in SCHEMES:
                theirs = result["entities"].get(label, {}).get(NERVALUATE_SCHEME[scheme])
                possible = theirs.possible if theirs else 0
                assert ours.for_type(label)[scheme].pos == possible  # gold support agrees
        if not _cross_type_pairs([match_spans(g, p) for g, p in docs]):
            compared_per_type += 1
            for label in LABELS:
                for scheme in SCHEMES:
                    theirs = result["entities"].get(label, {}).get(NERVALUATE_SCHEME[scheme])
                    want = (
                        Counts(
                            theirs.correct,
                            theirs.incorrect,
                            theirs.partial,
                            theirs.missed,
                            theirs.spurious,
                        )
                        if theirs
                        else Counts()
                    )
                    assert ours.for_type(label)[scheme] == want
    assert compared_per_type >= 30


def test_nervaluate_is_order_dependent_where_we_are_not() -> None:
    """The greedy-vs-optimal golden case: nervaluate's result depends on prediction order."""
    gold = [Span(0, 5, "PER"), Span(6, 10, "PER")]
    pred = [Span(0, 7, "PER"), Span(2, 4, "PER")]
    partial = []
    for order in (pred, pred[::-1]):
        result = Evaluator([_to_nervaluate(gold)], [_to_nervaluate(order)], tags=LABELS).evaluate()
        partial.append(result["overall"]["partial"].partial)
        assert semeval_counts(gold, order, LABELS).overall["partial"] == Counts(par=2)
    assert partial == [1, 2]


def test_nervaluate_can_lose_a_strict_match_to_an_earlier_overlapping_prediction() -> None:
    gold = [Span(0, 10, "PER")]
    pred = [Span(0, 5, "PER"), Span(0, 10, "PER")]
    strict = []
    for order in (pred, pred[::-1]):
        result = Evaluator([_to_nervaluate(gold)], [_to_nervaluate(order)], tags=LABELS).evaluate()
        strict.append(result["overall"]["strict"].correct)
        assert semeval_counts(gold, order, LABELS).overall["strict"] == Counts(cor=1, spu=1)
    assert strict == [0, 1]


def test_nervaluate_minimum_overlap_ignores_small_overlaps_of_long_spans() -> None:
    """nervaluate's default 1% threshold is relative to the gold length; ours is 1 char."""
    gold, pred = [Span(0, 200, "ORG")], [Span(199, 205, "ORG")]
    result = Evaluator([_to_nervaluate(gold)], [_to_nervaluate(pred)], tags=LABELS).evaluate()
    theirs = result["overall"]["partial"]
    assert (theirs.partial, theirs.missed, theirs.spurious) == (0, 1, 1)
    assert semeval_counts(gold, pred, LABELS).overall["partial"] == Counts(par=1)


def test_nervaluate_silently_drops_unknown_labels() -> None:
    gold, pred = [Span(0, 5, "PER")], [Span(0, 5, "PERSON")]
    result = Evaluator([_to_nervaluate(gold)], [_to_nervaluate(pred)], tags=LABELS).evaluate()
    assert result["overall"]["strict"].spurious == 0  # the prediction vanished
    with pytest.raises(ValueError, match="unknown label 'PERSON'"):
        semeval_counts(gold, pred, LABELS)


# --- seqeval ------------------------------------------------------------------------------


def _random_iob2(rng: random.Random, length: int) -> list[str]:
    tags: list[str] = []
    for _ in range(length):
        roll = rng.random()
        if tags and tags[-1] != "O" and roll < 0.35:
            tags.append("I-" + tags[-1][2:])
        elif roll < 0.7:
            tags.append("O")
        else:
            tags.append("B-" + rng.choice(LABELS))
    return tags


def _perturb(rng: random.Random, tags: list[str]) -> list[str]:
    """A prediction: mostly the gold tags, with local edits, always valid IOB2."""
    if rng.random() < 0.3:
        return _random_iob2(rng, len(tags))
    pred = tags[:]
    for _ in range(rng.randrange(4)):
        if not pred:
            break
        i = rng.randrange(len(pred))
        pred[i] = rng.choice(["O", "B-" + rng.choice(LABELS)])
    for i in range(1, len(pred)):  # a removed B- leaves I- orphans: make them B-
        if pred[i].startswith("I-") and pred[i - 1][2:] != pred[i][2:]:
            pred[i] = "B-" + pred[i][2:]
    if pred and pred[0].startswith("I-"):
        pred[0] = "B-" + pred[0][2:]
    return pred


def _tokens(n: int) -> list[Token]:
    return [Token(f"w{i}", 2 * i, 2 * i + 1) for i in range(n)]


@pytest.mark.parametrize("zero_division", [0, 1])
def test_strict_scores_equal_seqeval(zero_division: int) -> None:
    rng = random.Random(122 + zero_division)
    compared_per_type = 0
    for _ in range(300):
        y_true, y_pred = [], []
        for _ in range(rng.randint(1, 4)):
            tags = _random_iob2(rng, rng.randrange(16))
            y_true.append(tags)
            y_pred.append(_perturb(rng, tags))
        docs = [
            (bio_to_offsets(_tokens(len(t)), t), bio_to_offsets(_tokens(len(p)), p))
            for t, p in zip(y_true, y_pred, strict=True)
        ]
        counts = sum((semeval_counts(g, p, LABELS) for g, p in docs), SchemeCounts())
        present = sorted({s.label for g, p in docs for s in g + p})
        ours = semeval_scores(counts, present, zero_division=zero_division)["strict"]
        options = {"mode": "strict", "scheme": IOB2, "zero_division": zero_division}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert ours.micro.precision == precision_score(y_true, y_pred, **options)
            assert ours.micro.recall == recall_score(y_true, y_pred, **options)
            assert ours.micro.f1 == f1_score(y_true, y_pred, **options)
            report = classification_report(y_true, y_pred, output_dict=True, **options)
        matchings = [match_spans(g, p) for g, p in docs]
        # seqeval's per-type precision divides by the predictions of that type; ours by
        # the attributed ACT. Reconcile: move each cross-type pair to its predicted type.
        moved_out = Counter(g.label for m in matchings for g, p in m.pairs if g.label != p.label)
        moved_in = Counter(p.label for m in matchings for g, p in m.pairs if g.label != p.label)
        for label in present:
            row = report[label]
            mine = counts.for_type(label)["strict"]
            assert row["support"] == ours.support[label] == mine.pos
            assert row["recall"] == ours.per_type[label].recall
            predicted = mine.act - moved_out[label] + moved_in[label]
            expected = mine.cor / predicted if predicted else zero_division
            assert row["precision"] == expected
        if not moved_out:
            compared_per_type += 1
            for label in present:
                assert report[label]["precision"] == ours.per_type[label].precision
                assert report[label]["f1-score"] == ours.per_type[label].f1
            if present:
                assert report["macro avg"]["f1-score"] == pytest.approx(ours.macro.f1, abs=1e-12)
                assert report["weighted avg"]["f1-score"] == pytest.approx(
                    ours.weighted.f1, abs=1e-12
                )
    assert compared_per_type >= 50
