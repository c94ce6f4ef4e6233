"""Span matching and SemEval entity span scoring: golden cases, properties, errors."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator

from newsbench.eval import spans as spans_module
from newsbench.eval.spans import (
    COUNT_NAMES,
    SCHEMES,
    Counts,
    Matching,
    SchemeCounts,
    Span,
    SpanScoringError,
    corpus_semeval_counts,
    match_spans,
    prf,
    semeval_counts,
    semeval_scores,
)

GOLDEN = Path(__file__).parent / "golden" / "spans" / "README.md"
LABELS = ("LOC", "ORG", "PER")
NERVALUATE_SCHEME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


# --- golden cases -----------------------------------------------------------------------


def _parse_spans(text: str) -> list[Span]:
    text = text.strip()
    if text == "-":
        return []
    result = []
    for item in text.split(";"):
        match = re.fullmatch(r"\s*\[(\d+),(\d+)\)\s+(\S+)\s*", item)
        assert match, f"bad span {item!r}"
        result.append(Span(int(match[1]), int(match[2]), match[3]))
    return result


def _parse_pairs(text: str) -> list[tuple[Span, Span]]:
    if text.strip() == "-":
        return []
    pairs = []
    for item in text.split(";"):
        gold, pred = item.split("~")
        pairs.append((_parse_spans(gold)[0], _parse_spans(pred)[0]))
    return pairs


def _value(expression: str, z: Fraction) -> Fraction:
    assert re.fullmatch(r"[0-9z+*/() ]+", expression), expression
    python = re.sub(r"\d+", lambda m: f"Fraction({m[0]})", expression)
    return eval(python, {"__builtins__": {}}, {"Fraction": Fraction, "z": z})


def _load_golden() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for section in GOLDEN.read_text(encoding="utf-8").split("\n## ")[1:]:
        title = section.splitlines()[0].strip()
        block = re.search(r"```golden\n(.*?)```", section, re.DOTALL)
        assert block, f"section {title!r} has no golden block"
        fields: dict[str, str] = {}
        for line in block[1].splitlines():
            key, _, value = line.partition(":")
            assert key.strip() not in fields, f"duplicate key {key!r} in {title!r}"
            fields[key.strip()] = value.strip()
        cases.append((title, fields))
    return cases


GOLDEN_CASES = _load_golden()


def _check_line(value: str, counts: Counts | None, scores: spans_module.PRF, z: Fraction) -> None:
    expected = dict(item.split("=", 1) for item in value.replace("|", " ").split())
    if counts is not None:
        for name in COUNT_NAMES:
            assert getattr(counts, name) == int(expected[name.upper()]), name
    for key, attribute in (("P", "precision"), ("R", "recall"), ("F1", "f1")):
        want = float(_value(expected[key], z))
        got = float(getattr(scores, attribute))
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), (key, got, want)


def test_golden_file_covers_required_cases() -> None:
    titles = " | ".join(title for title, _ in GOLDEN_CASES).lower()
    for topic in (
        "exact match",
        "boundary error, same type",
        "boundary error, wrong type",
        "wrong type, exact boundary",
        "missed",
        "spurious",
        "one prediction overlapping two gold",
        "two predictions overlapping one gold",
        "nested gold",
        "greedy",
        "empty gold and empty predictions",
        "empty predictions",
    ):
        assert topic in titles, topic
    for title, fields in GOLDEN_CASES:
        assert all(scheme in fields for scheme in SCHEMES), title


@pytest.mark.parametrize("z", [Fraction(0), Fraction(1)], ids=["z0", "z1"])
@pytest.mark.parametrize(("title", "fields"), GOLDEN_CASES, ids=[t for t, _ in GOLDEN_CASES])
def test_golden_case(title: str, fields: dict[str, str], z: Fraction) -> None:
    labels = fields["labels"].split()
    gold, pred = _parse_spans(fields["gold"]), _parse_spans(fields["pred"])
    matching = match_spans(gold, pred)
    assert list(matching.pairs) == sorted(_parse_pairs(fields["pairs"]))
    counts = semeval_counts(gold, pred, labels)
    scores = semeval_scores(counts, labels, zero_division=float(z))
    for key, value in fields.items():
        words = key.split()
        if words[0] not in SCHEMES:
            continue
        scheme = words[0]
        if len(words) == 1:
            _check_line(value, counts.overall[scheme], scores[scheme].micro, z)
        elif words[1] == "macro":
            _check_line(value, None, scores[scheme].macro, z)
        elif words[1] == "weighted":
            _check_line(value, None, scores[scheme].weighted, z)
        else:
            label = words[1]
            _check_line(value, counts.for_type(label)[scheme], scores[scheme].per_type[label], z)


def _nervaluate(gold: list[Span], pred: list[Span], labels: list[str]) -> dict:
    def convert(spans: list[Span]) -> list[dict]:
        # nervaluate compares inclusive ends.
        return [{"label": s.label, "start": s.start, "end": s.end - 1} for s in spans]

    return Evaluator([convert(gold)], [convert(pred)], tags=labels, loader="dict").evaluate()


@pytest.mark.parametrize(
    ("title", "fields"),
    [case for case in GOLDEN_CASES if any(k.startswith("nervaluate") for k in case[1])],
    ids=[t for t, f in GOLDEN_CASES if any(k.startswith("nervaluate") for k in f)],
)
def test_golden_nervaluate_notes(title: str, fields: dict[str, str]) -> None:
    """The README's statements about nervaluate 1.2.1 hold (spans in listed order)."""
    labels = fields["labels"].split()
    result = _nervaluate(_parse_spans(fields["gold"]), _parse_spans(fields["pred"]), labels)
    for key, value in fields.items():
        words = key.split()
        if words[0] != "nervaluate":
            continue
        name = NERVALUATE_SCHEME[words[1]]
        report = result["overall"][name] if len(words) == 2 else result["entities"][words[2]][name]
        got = Counts(
            report.correct, report.incorrect, report.partial, report.missed, report.spurious
        )
        _check_line(value, got, spans_module.PRF(report.precision, report.recall, report.f1), 0)


# --- strategies -------------------------------------------------------------------------


@st.composite
def span_st(draw: st.DrawFn, max_start: int = 40, labels: tuple[str, ...] = LABELS) -> Span:
    start = draw(st.integers(0, max_start))
    return Span(start, start + draw(st.integers(1, 8)), draw(st.sampled_from(labels)))


span_lists = st.lists(span_st(), max_size=12)


def _objective(pairs: tuple[tuple[Span, Span], ...] | list[tuple[Span, Span]]) -> tuple:
    return (
        sum(g == p for g, p in pairs),
        sum((g.start, g.end) == (p.start, p.end) for g, p in pairs),
        sum(g.label == p.label for g, p in pairs),
        len(pairs),
        sum(g.overlap(p) for g, p in pairs),
    )


def _brute_force(gold: list[Span], pred: list[Span]) -> tuple:
    best: tuple | None = None

    def search(i: int, used: frozenset[int], pairs: list[tuple[Span, Span]]) -> None:
        nonlocal best
        if i == len(gold):
            value = _objective(pairs)
            best = value if best is None or value > best else best
            return
        search(i + 1, used, pairs)
        for j, p in enumerate(pred):
            if j not in used and gold[i].overlaps(p):
                search(i + 1, used | {j}, [*pairs, (gold[i], p)])

    search(0, frozenset(), [])
    assert best is not None
    return best


def _check_matching_shape(gold: list[Span], pred: list[Span], matching: Matching) -> None:
    assert Counter(g for g, _ in matching.pairs) + Counter(matching.missed) == Counter(gold)
    assert Counter(p for _, p in matching.pairs) + Counter(matching.spurious) == Counter(pred)
    assert all(g.overlaps(p) for g, p in matching.pairs)


# --- matching ---------------------------------------------------------------------------


def test_matching_is_lexicographically_optimal_against_brute_force() -> None:
    rng = random.Random(20130609)
    for _ in range(400):
        gold = [
            Span(s, s + rng.randint(1, 5), rng.choice("AB"))
            for s in (rng.randrange(15) for _ in range(rng.randrange(6)))
        ]
        pred = [
            Span(s, s + rng.randint(1, 5), rng.choice("AB"))
            for s in (rng.randrange(15) for _ in range(rng.randrange(6)))
        ]
        matching = match_spans(gold, pred)
        _check_matching_shape(gold, pred, matching)
        assert _objective(matching.pairs) == _brute_force(gold, pred), (gold, pred)


def test_sparse_solver_path_agrees_with_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    cases = []
    for _ in range(200):
        gold = [Span(s, s + rng.randint(1, 6), rng.choice("AB")) for s in rng.sample(range(30), 8)]
        pred = [Span(s, s + rng.randint(1, 6), rng.choice("AB")) for s in rng.sample(range(30), 8)]
        cases.append((gold, pred, match_spans(gold, pred)))
    monkeypatch.setattr(spans_module, "_DENSE_CELL_LIMIT", 0)
    for gold, pred, dense in cases:
        sparse = match_spans(gold, pred)
        _check_matching_shape(gold, pred, sparse)
        assert _objective(sparse.pairs) == _objective(dense.pairs)


def test_reduced_weights_for_huge_components_keep_levels_1_to_4(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spans_module, "_EXACT_FLOAT_LIMIT", 2**11)
    rng = random.Random(11)
    for _ in range(200):
        gold = [
            Span(s, s + rng.randint(1, 5), rng.choice("AB"))
            for s in (rng.randrange(12) for _ in range(rng.randrange(6)))
        ]
        pred = [
            Span(s, s + rng.randint(1, 5), rng.choice("AB"))
            for s in (rng.randrange(12) for _ in range(rng.randrange(6)))
        ]
        assert _objective(match_spans(gold, pred).pairs)[:4] == _brute_force(gold, pred)[:4]


def test_ten_thousand_mentions() -> None:
    """A large document (no timing assertion): counts follow from the construction."""
    rng = random.Random(10_000)
    gold, pred = [], []
    position = 0
    for i in range(10_000):
        length = rng.randint(2, 15)
        span = Span(position, position + length, LABELS[i % 3])
        gold.append(span)
        kind = i % 10
        if kind <= 5:
            pred.append(span)
        elif kind == 6:
            pred.append(Span(span.start, span.end, LABELS[(i + 1) % 3]))
        elif kind == 7:
            pred.append(Span(span.start + 1, span.end, span.label))
        elif kind == 9:
            pred.append(span)
            pred.append(Span(span.end + 1, span.end + 2, "LOC"))
        position += length + 3
    rng.shuffle(pred)
    counts = semeval_counts(gold, pred, LABELS)
    assert counts.overall["strict"] == Counts(cor=7000, inc=2000, mis=1000, spu=1000)
    assert counts.overall["exact"] == Counts(cor=8000, inc=1000, mis=1000, spu=1000)
    assert counts.overall["partial"] == Counts(cor=8000, par=1000, mis=1000, spu=1000)
    assert counts.overall["type"] == Counts(cor=8000, inc=1000, mis=1000, spu=1000)


def test_long_overlap_chain_is_solved_optimally() -> None:
    """A prediction layer shifted by one character chains 3000 gold spans together."""
    gold = [Span(3 * i, 3 * i + 3, "PER") for i in range(3000)]
    pred = [Span(3 * i + 1, 3 * i + 4, "PER") for i in range(3000)]
    matching = match_spans(pred=pred, gold=gold)
    assert list(matching.pairs) == list(zip(gold, pred, strict=True))
    assert semeval_counts(gold, pred, ["PER"]).overall["partial"] == Counts(par=3000)


# --- properties -------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(span_lists)
def test_gold_against_itself_scores_one(gold: list[Span]) -> None:
    scores = semeval_scores(semeval_counts(gold, gold, LABELS), LABELS, zero_division=1.0)
    for scheme in SCHEMES:
        assert scores[scheme].micro == spans_module.PRF(1.0, 1.0, 1.0)
        assert scores[scheme].macro == spans_module.PRF(1.0, 1.0, 1.0)
        assert all(v == spans_module.PRF(1.0, 1.0, 1.0) for v in scores[scheme].per_type.values())


@settings(max_examples=150, deadline=None)
@given(span_lists, span_lists, st.randoms(use_true_random=False))
def test_permutation_invariance(gold: list[Span], pred: list[Span], rnd: random.Random) -> None:
    matching = match_spans(gold, pred)
    counts = semeval_counts(gold, pred, LABELS)
    gold2, pred2 = gold[:], pred[:]
    rnd.shuffle(gold2)
    rnd.shuffle(pred2)
    assert match_spans(gold2, pred2) == matching
    assert semeval_counts(gold2, pred2, LABELS) == counts
    _check_matching_shape(gold, pred, matching)


@settings(max_examples=150, deadline=None)
@given(span_lists, span_lists, span_st(max_start=10), st.sampled_from([0.0, 1.0]))
def test_adding_a_spurious_prediction_never_raises_precision(
    gold: list[Span], pred: list[Span], extra: Span, zero_division: float
) -> None:
    beyond = max((s.end for s in gold), default=0)
    extra = Span(beyond + extra.start, beyond + extra.end, extra.label)  # overlaps no gold
    before = semeval_scores(semeval_counts(gold, pred, LABELS), LABELS, zero_division=zero_division)
    after = semeval_scores(
        semeval_counts(gold, [*pred, extra], LABELS), LABELS, zero_division=zero_division
    )
    for scheme in SCHEMES:
        assert after[scheme].micro.precision <= before[scheme].micro.precision
        assert after[scheme].micro.recall == before[scheme].micro.recall
        assert after[scheme].counts.spu == before[scheme].counts.spu + 1


@settings(max_examples=150, deadline=None)
@given(span_lists, span_lists)
def test_per_type_counts_sum_to_overall(gold: list[Span], pred: list[Span]) -> None:
    counts = semeval_counts(gold, pred, LABELS)
    for scheme in SCHEMES:
        total = sum((counts.for_type(label)[scheme] for label in LABELS), Counts())
        assert total == counts.overall[scheme]
        assert counts.overall[scheme].pos == len(gold)
        assert counts.overall[scheme].act == len(pred)
        for label in LABELS:  # per-type POS is the gold support
            assert counts.for_type(label)[scheme].pos == sum(s.label == label for s in gold)
    assert all(c.par == 0 for s in ("strict", "exact", "type") for c in [counts.overall[s]])


@settings(max_examples=100, deadline=None)
@given(span_lists, span_lists, span_lists, span_lists)
def test_counts_are_additive_over_documents(
    gold1: list[Span], pred1: list[Span], gold2: list[Span], pred2: list[Span]
) -> None:
    shift = 1000

    def moved(spans: list[Span]) -> list[Span]:
        return [Span(s.start + shift, s.end + shift, s.label) for s in spans]

    doc1 = semeval_counts(gold1, pred1, LABELS)
    doc2 = semeval_counts(gold2, pred2, LABELS)
    together = semeval_counts(gold1 + moved(gold2), pred1 + moved(pred2), LABELS)
    assert doc1 + doc2 == together
    assert sum([doc1, doc2]) == together
    assert SchemeCounts() + doc1 == doc1 == doc1 + SchemeCounts()


# --- corpus-level counting ----------------------------------------------------------------


def _moved(spans: list[Span], offset: int) -> list[Span]:
    return [Span(s.start + offset, s.end + offset, s.label) for s in spans]


document_lists = st.lists(st.tuples(span_lists, span_lists), max_size=6)


@settings(max_examples=200, deadline=None)
@given(document_lists, st.sampled_from([0, 2**31, 2**47 + 5, 2**62, 2**70]))
def test_corpus_counts_equal_the_sum_of_document_counts(
    documents: list[tuple[list[Span], list[Span]]], offset: int
) -> None:
    # Small offsets make repeated and nested spans common; the large ones test the
    # columns' packed sort key (too wide from 2**47 on: lexsort) and offsets beyond int64
    # (2**70: the document-by-document fallback).
    documents = [(_moved(g, offset), _moved(p, offset)) for g, p in documents]
    expected = sum((semeval_counts(g, p, LABELS) for g, p in documents), SchemeCounts())
    assert corpus_semeval_counts(documents, LABELS) == expected
    assert corpus_semeval_counts(iter(documents), list(reversed(LABELS))) == expected


def test_corpus_counts_equal_document_counts_on_a_dense_random_corpus() -> None:
    # 300 documents with nested, repeated and chained spans (components of many edges,
    # solved by the assignment) at the same offsets in every document: an edge across
    # documents, or a component solved differently, would change the counts.
    rng = random.Random(2013)

    def spans(n: int) -> list[Span]:
        return [
            Span(s, s + rng.randint(1, 9), rng.choice(LABELS))
            for s in (rng.randrange(60) for _ in range(n))
        ]

    documents = [(spans(rng.randrange(25)), spans(rng.randrange(25))) for _ in range(300)]
    expected = sum((semeval_counts(g, p, LABELS) for g, p in documents), SchemeCounts())
    assert corpus_semeval_counts(documents, LABELS) == expected
    assert expected.overall["strict"].cor > 0 and expected.overall["partial"].par > 0


def test_corpus_counts_pair_repeated_spans_by_multiplicity() -> None:
    # Document 1: gold a a a b, predictions a b a c (c = b's boundaries typed ORG).
    #   strict pairs min(3, 2) a + min(1, 1) b = 3; left: gold a, predicted c; they do not
    #   overlap ([0, 3) vs [5, 9)): 1 missed, 1 spurious.
    # Document 2: the same lists swapped: 3 strict, left gold c and predicted a: 1 + 1.
    # Corpus: COR 3 + 3 = 6, INC 0, MIS 1 + 1 = 2, SPU 1 + 1 = 2.
    a, b = Span(0, 3, "LOC"), Span(5, 9, "PER")
    gold = [a, a, a, b]
    pred = [a, b, a, Span(5, 9, "ORG")]
    counts = corpus_semeval_counts([(gold, pred), (pred, gold)], LABELS)
    assert counts == semeval_counts(gold, pred, LABELS) + semeval_counts(pred, gold, LABELS)
    strict = counts.overall["strict"]
    assert (strict.cor, strict.inc, strict.mis, strict.spu) == (6, 0, 2, 2)


def test_corpus_counts_of_no_documents_are_zero() -> None:
    assert corpus_semeval_counts([], LABELS) == SchemeCounts()
    assert corpus_semeval_counts([([], []), ([], [])], LABELS) == SchemeCounts()


def test_error_unknown_label_in_corpus_counts_names_side_and_span() -> None:
    ok = ([Span(0, 3, "PER")], [Span(0, 3, "PER")])
    with pytest.raises(SpanScoringError, match=r"unknown label 'PERS' in gold span .*'PER'\?"):
        corpus_semeval_counts([ok, ([Span(4, 5, "PERS")], [])], LABELS)
    with pytest.raises(SpanScoringError, match=r"'org' in predicted span .*did you mean 'ORG'"):
        corpus_semeval_counts([ok, ([], [Span(4, 5, "org")])], LABELS)


def test_error_non_span_in_corpus_counts() -> None:
    with pytest.raises(TypeError, match=r"pred\[1\] must be a Span, got tuple \(0, 3, 'PER'\)"):
        corpus_semeval_counts([([], [Span(0, 3, "PER"), (0, 3, "PER")])], LABELS)


# --- scores and conventions ---------------------------------------------------------------


def test_zero_division_nan_propagates_but_weighted_ignores_zero_support_types() -> None:
    nan = float("nan")
    counts = semeval_counts([Span(0, 3, "PER")], [Span(0, 3, "PER")], LABELS)
    scores = semeval_scores(counts, LABELS, zero_division=nan)["strict"]
    assert scores.micro == spans_module.PRF(1.0, 1.0, 1.0)
    assert math.isnan(scores.per_type["LOC"].f1)
    assert math.isnan(scores.macro.f1)
    assert scores.weighted == spans_module.PRF(1.0, 1.0, 1.0)
    empty = prf(Counts(), "strict", zero_division=nan)
    assert all(math.isnan(v) for v in (empty.precision, empty.recall, empty.f1))


def test_macro_averages_every_requested_label_including_zero_support() -> None:
    counts = semeval_counts([Span(0, 3, "PER")], [Span(0, 3, "PER")], LABELS)
    assert semeval_scores(counts, LABELS)["strict"].macro.f1 == pytest.approx(1 / 3)
    assert semeval_scores(counts, ["PER"])["strict"].macro.f1 == 1.0
    assert semeval_scores(counts, LABELS, zero_division=1.0)["strict"].macro.f1 == 1.0


def test_spans_are_ordered_canonically_and_validate_integers() -> None:
    import numpy as np

    assert sorted([Span(2, 3, "A"), Span(0, 5, "B"), Span(0, 5, "A")]) == [
        Span(0, 5, "A"),
        Span(0, 5, "B"),
        Span(2, 3, "A"),
    ]
    span = Span(np.int64(1), np.int32(4), "A")
    assert type(span.start) is int and span == Span(1, 4, "A")
    assert Span(0, 4, "A").overlap(Span(2, 9, "B")) == 2
    assert not Span(0, 4, "A").overlaps(Span(4, 9, "A"))
    assert Counts(1, 2, 3, 4, 5).as_dict() == {
        "COR": 1, "INC": 2, "PAR": 3, "MIS": 4, "SPU": 5, "POS": 10, "ACT": 11,
    }  # fmt: skip


# --- one test per error message -----------------------------------------------------------


def test_error_negative_start() -> None:
    with pytest.raises(SpanScoringError, match=r"span start must be >= 0, got -1"):
        Span(-1, 3, "PER")


def test_error_empty_or_inverted_span() -> None:
    with pytest.raises(SpanScoringError, match=r"end must be greater than start .*half-open"):
        Span(3, 3, "PER")


def test_error_empty_label() -> None:
    with pytest.raises(SpanScoringError, match=r"label must be a non-empty string"):
        Span(0, 3, "")


def test_error_non_integer_offset() -> None:
    with pytest.raises(TypeError, match=r"span end must be an integer offset, got float 3.0"):
        Span(0, 3.0, "PER")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"span start must be an integer offset, got True"):
        Span(True, 3, "PER")  # type: ignore[arg-type]


def test_error_non_string_label() -> None:
    with pytest.raises(TypeError, match=r"span label must be a str, got int"):
        Span(0, 3, 7)  # type: ignore[arg-type]


def test_error_unknown_gold_label_with_suggestion() -> None:
    message = (
        r"unknown label 'PERS' in gold span Span\(start=0, end=3, label='PERS'\); "
        r"allowed labels: \['LOC', 'ORG', 'PER'\]; did you mean 'PER'\?"
    )
    with pytest.raises(SpanScoringError, match=message):
        semeval_counts([Span(0, 3, "PERS")], [], LABELS)


def test_error_unknown_predicted_label_case_insensitive_suggestion() -> None:
    with pytest.raises(SpanScoringError, match=r"'org' in predicted span .*did you mean 'ORG'\?"):
        semeval_counts([], [Span(0, 3, "org")], LABELS)


def test_error_unknown_label_without_close_match() -> None:
    with pytest.raises(SpanScoringError, match=r"unknown label 'WEAPON'.*'PER'\]$"):
        semeval_counts([Span(0, 3, "WEAPON")], [], LABELS)


def test_error_unknown_label_in_counts() -> None:
    counts = semeval_counts([Span(0, 3, "LOC")], [], LABELS)
    with pytest.raises(SpanScoringError, match=r"unknown label 'LOC' in counts; allowed"):
        semeval_scores(counts, ["ORG", "PER"])


def test_error_labels_given_as_a_string() -> None:
    with pytest.raises(TypeError, match=r"labels must be a collection .* not a single string"):
        semeval_counts([], [], "PER")


def test_error_non_string_label_in_label_set() -> None:
    with pytest.raises(TypeError, match=r"labels must be non-empty strings, got 3"):
        semeval_counts([], [], ["PER", 3])  # type: ignore[list-item]


def test_error_element_not_a_span() -> None:
    with pytest.raises(TypeError, match=r"pred\[1\] must be a Span, got tuple"):
        match_spans([], [Span(0, 3, "PER"), (0, 3, "PER")])  # type: ignore[list-item]


def test_error_spans_given_as_a_string() -> None:
    with pytest.raises(TypeError, match=r"gold must be an iterable of Span, got str"):
        match_spans("PER", [])  # type: ignore[arg-type]


def test_error_invalid_zero_division() -> None:
    with pytest.raises(SpanScoringError, match=r"zero_division must be a number in \[0, 1\]"):
        semeval_scores(SchemeCounts(), LABELS, zero_division=2.0)
    with pytest.raises(SpanScoringError, match=r"zero_division must be a number in \[0, 1\]"):
        prf(Counts(), "strict", zero_division="warn")  # type: ignore[arg-type]


def test_error_unknown_scheme_in_prf() -> None:
    with pytest.raises(SpanScoringError, match=r"unknown scheme 'ent_type'; schemes are"):
        prf(Counts(), "ent_type")


def test_error_unknown_scheme_in_counts() -> None:
    with pytest.raises(SpanScoringError, match=r"unknown scheme\(s\) \['ent_type'\]"):
        SchemeCounts(overall={"ent_type": Counts(cor=1)})


def test_error_component_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spans_module, "_EXACT_FLOAT_LIMIT", 32)
    gold = [Span(0, 10, "A"), Span(5, 15, "A"), Span(10, 20, "B")]
    pred = [Span(0, 12, "B"), Span(8, 18, "A"), Span(9, 19, "B")]
    with pytest.raises(SpanScoringError, match=r"overlap component too large .*3 gold x 3"):
        match_spans(gold, pred)
