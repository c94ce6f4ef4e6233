"""Tests for newsbench.eval.coref.

Golden values are derived by hand in tests/golden/coref/README.md (case ids G01...).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval import coref
from newsbench.eval.coref import (
    METRICS,
    PRF,
    CorefCounts,
    CorefInputError,
    coref_counts,
    coref_scores,
)

RATIO_METRICS = ("muc", "bcubed", "ceafm", "ceafe", "lea")
BLANC_FIELDS = (
    "blanc_coref_common",
    "blanc_coref_key",
    "blanc_coref_response",
    "blanc_noncoref_common",
    "blanc_noncoref_key",
    "blanc_noncoref_response",
)


def parse(spec: str) -> list[list[str]]:
    """'a bc def' -> [['a'], ['b', 'c'], ['d', 'e', 'f']]: one character per mention."""
    return [list(cluster) for cluster in spec.split()]


# ------------------------------------------------------------------------ golden

# metric -> (recall, precision, f1) as exact fractions; "conll" -> f1 only.
Expected = dict[str, Any]


@dataclass(frozen=True)
class Golden:
    key: str
    response: str
    expected: Expected
    links: tuple[int, int, int, int, int, int]  # see README: (Cc, Ck, Cr; Nc, Nk, Nr)
    singletons: bool = True
    zero_division: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)


def _with(base: Expected, **overrides: Any) -> Expected:
    return {**base, **overrides}


ONES = {m: ("1", "1", "1") for m in (*RATIO_METRICS, "blanc")} | {"conll": "1"}
ZEROS = {m: ("0", "0", "0") for m in (*RATIO_METRICS, "blanc")} | {"conll": "0"}

G05 = {
    "muc": ("0", "0", "0"),
    "bcubed": ("1/2", "1", "2/3"),
    "ceafm": ("1/2", "1/2", "1/2"),
    "ceafe": ("13/18", "13/36", "13/27"),
    "lea": ("1/6", "1/6", "1/6"),
    "blanc": ("1/2", "11/30", "11/26"),
    "conll": "31/81",
}
G15 = _with(ONES, muc=("0", "0", "0"), conll="2/3")

GOLDEN: dict[str, Golden] = {
    "G01_identical": Golden("a bc def", "a bc def", ONES, (4, 4, 4, 11, 11, 11)),
    "G02_missing_mentions": Golden(
        "a bc def",
        "a de",
        {
            "muc": ("1/3", "1", "1/2"),
            "bcubed": ("7/18", "1", "14/25"),
            "ceafm": ("1/2", "1", "2/3"),
            "ceafe": ("3/5", "9/10", "18/25"),
            "lea": ("1/3", "1", "1/2"),
            "blanc": ("19/88", "1", "23/65"),
            "conll": "89/150",
        },
        (1, 4, 1, 2, 11, 2),
    ),
    "G03_extra_mentions": Golden(
        "a bc def",
        "a bcx defy z",
        {
            "muc": ("1", "3/5", "3/4"),
            "bcubed": ("1", "55/108", "110/163"),
            "ceafm": ("1", "2/3", "4/5"),
            "ceafe": ("31/35", "93/140", "186/245"),
            "lea": ("1", "4/9", "8/13"),
            "blanc": ("1", "23/54", "295/494"),
            "conll": "348877/479220",
        },
        (4, 4, 9, 11, 11, 27),
    ),
    "G04_missing_and_extra": Golden(
        "a bc def",
        "a bcx dy z",
        {
            "muc": ("1/3", "1/3", "1/3"),
            "bcubed": ("5/9", "17/42", "170/363"),
            "ceafm": ("2/3", "4/7", "8/13"),
            "ceafe": ("11/15", "11/20", "22/35"),
            "lea": ("1/2", "2/7", "4/11"),
            "blanc": ("31/88", "37/136", "17/56"),
            "conll": "2019/4235",
        },
        (1, 4, 4, 5, 11, 17),
    ),
    "G05_all_singleton_response": Golden("a bc def", "a b c d e f", G05, (0, 4, 0, 11, 11, 15)),
    "G05b_all_singleton_response_zd1": Golden(
        "a bc def",
        "a b c d e f",
        _with(G05, muc=("0", "1", "0"), blanc=("1/2", "13/15", "11/26")),
        (0, 4, 0, 11, 11, 15),
        zero_division=1.0,
    ),
    "G06_one_big_response_cluster": Golden(
        "a bc def",
        "abcdef",
        {
            "muc": ("1", "3/5", "3/4"),
            "bcubed": ("1", "7/18", "14/25"),
            "ceafm": ("1/2", "1/2", "1/2"),
            "ceafe": ("2/9", "2/3", "1/3"),
            "lea": ("5/6", "4/15", "40/99"),
            "blanc": ("1/2", "2/15", "4/19"),
            "conll": "493/900",
        },
        (4, 4, 15, 0, 11, 0),
    ),
    "G07_all_singleton_predicted": Golden(
        "a bc def",
        "a x y c d e z",
        {
            "muc": ("0", "0", "0"),
            "bcubed": ("13/36", "4/7", "104/235"),
            "ceafm": ("1/2", "3/7", "6/13"),
            "ceafe": ("13/18", "13/42", "13/30"),
            "lea": ("1/6", "1/7", "2/13"),
            "blanc": ("5/22", "5/42", "5/32"),
            "conll": "247/846",
        },
        (0, 4, 0, 5, 11, 21),
    ),
    "G08_one_big_predicted": Golden(
        "a bc def",
        "axycdez",
        {
            "muc": ("1/3", "1/6", "2/9"),
            "bcubed": ("17/36", "6/49", "204/1049"),
            "ceafm": ("1/3", "2/7", "4/13"),
            "ceafe": ("2/15", "2/5", "1/5"),
            "lea": ("1/6", "1/21", "2/27"),
            "blanc": ("1/8", "1/42", "1/25"),
            "conll": "29111/141615",
        },
        (1, 4, 21, 0, 11, 0),
    ),
    "G09_merge_small_into_big": Golden(
        "12345 67 89ABC",
        "12345 6789ABC",
        {
            "muc": ("1", "9/10", "18/19"),
            "bcubed": ("1", "16/21", "32/37"),
            "ceafm": ("5/6", "5/6", "5/6"),
            "ceafe": ("11/18", "11/12", "11/15"),
            "lea": ("1", "13/18", "26/31"),
            "blanc": ("8/9", "26/31", "175/208"),
            "conll": "26843/31635",
        },
        (21, 21, 31, 35, 45, 35),
    ),
    "G10_merge_two_big": Golden(
        "12345 67 89ABC",
        "1234589ABC 67",
        {
            "muc": ("1", "9/10", "18/19"),
            "bcubed": ("1", "7/12", "14/19"),
            "ceafm": ("7/12", "7/12", "7/12"),
            "ceafe": ("5/9", "5/6", "2/3"),
            "lea": ("1", "29/54", "58/83"),
            "blanc": ("13/18", "67/92", "541/871"),
            "conll": "134/171",
        },
        (21, 21, 46, 20, 45, 20),
    ),
    "G11_split": Golden(
        "abcd",
        "ab cd",
        {
            "muc": ("2/3", "1", "4/5"),
            "bcubed": ("1/2", "1", "2/3"),
            "ceafm": ("1/2", "1/2", "1/2"),
            "ceafe": ("2/3", "1/3", "4/9"),
            "lea": ("1/3", "1", "1/2"),
            "blanc": ("1/3", "1", "1/2"),
            "conll": "86/135",
        },
        (2, 6, 2, 0, 0, 4),
    ),
    "G12_merge": Golden(
        "ab cd",
        "abcd",
        {
            "muc": ("1", "2/3", "4/5"),
            "bcubed": ("1", "1/2", "2/3"),
            "ceafm": ("1/2", "1/2", "1/2"),
            "ceafe": ("1/3", "2/3", "4/9"),
            "lea": ("1", "1/3", "1/2"),
            "blanc": ("1/2", "1/6", "1/4"),
            "conll": "86/135",
        },
        (2, 2, 6, 0, 4, 0),
    ),
    "G13_lea_paper_example": Golden(
        "abc defg",
        "ab cd fghi",
        {
            "muc": ("2/5", "2/5", "2/5"),
            "bcubed": ("5/12", "1/2", "5/11"),
            "ceafm": ("4/7", "1/2", "8/15"),
            "ceafe": ("13/20", "13/30", "13/25"),
            "lea": ("5/21", "1/3", "5/18"),
            "blanc": ("4/9", "13/40", "25/68"),
            "conll": "126/275",
        },
        (2, 9, 8, 8, 12, 20),
    ),
    "G13b_lea_example_fgh": Golden(
        "abc defg",
        "ab cd fgh",
        {
            "muc": ("2/5", "1/2", "4/9"),
            "bcubed": ("5/12", "13/21", "130/261"),
            "ceafm": ("4/7", "4/7", "4/7"),
            "ceafe": ("24/35", "16/35", "96/175"),
            "lea": ("5/21", "3/7", "15/49"),
            "blanc": ("4/9", "9/20", "3/7"),
            "conll": "22702/45675",
        },
        (2, 9, 5, 8, 12, 16),
    ),
    "G14_blanc_links": Golden(
        "ab cde",
        "bcx de",
        {
            "muc": ("1/3", "1/3", "1/3"),
            "bcubed": ("13/30", "8/15", "208/435"),
            "ceafm": ("3/5", "3/5", "3/5"),
            "ceafe": ("3/5", "3/5", "3/5"),
            "lea": ("1/5", "2/5", "4/15"),
            "blanc": ("7/24", "7/24", "7/24"),
            "conll": "614/1305",
        },
        (1, 4, 4, 2, 6, 6),
    ),
    "G15_muc_zero_over_zero": Golden("a b c d e f", "a b c d e f", G15, (0, 0, 0, 15, 15, 15)),
    "G15b_muc_zero_over_zero_zd1": Golden(
        "a b c d e f", "a b c d e f", ONES, (0, 0, 0, 15, 15, 15), zero_division=1.0
    ),
    "G16_singleton_key_blanc_noncoref_only": Golden(
        "a b c d e f",
        "ab cde f",
        {
            "muc": ("0", "0", "0"),
            "bcubed": ("1", "1/2", "2/3"),
            "ceafm": ("1/2", "1/2", "1/2"),
            "ceafe": ("13/36", "13/18", "13/27"),
            "lea": ("1/6", "1/6", "1/6"),
            "blanc": ("11/15", "1", "11/13"),
            "conll": "31/81",
        },
        (0, 0, 4, 11, 15, 11),
    ),
    "G17_single_entity_key_blanc_coref_only": Golden(
        "abcdef",
        "ab cde f",
        {
            "muc": ("3/5", "1", "3/4"),
            "bcubed": ("7/18", "1", "14/25"),
            "ceafm": ("1/2", "1/2", "1/2"),
            "ceafe": ("2/3", "2/9", "1/3"),
            "lea": ("4/15", "5/6", "40/99"),
            "blanc": ("4/15", "1", "8/19"),
            "conll": "493/900",
        },
        (4, 15, 4, 0, 0, 11),
    ),
    "G18a_singletons_removed": Golden(
        "a bc def g",
        "a b cx def",
        {
            "muc": ("2/3", "2/3", "2/3"),
            "bcubed": ("7/10", "7/10", "7/10"),
            "ceafm": ("4/5", "4/5", "4/5"),
            "ceafe": ("3/4", "3/4", "3/4"),
            "lea": ("3/5", "3/5", "3/5"),
            "blanc": ("5/8", "5/8", "5/8"),
            "conll": "127/180",
        },
        (3, 4, 4, 3, 6, 6),
        singletons=False,
    ),
    "G18b_singletons_kept": Golden(
        "a bc def g",
        "a b cx def",
        {
            "muc": ("2/3", "2/3", "2/3"),
            "bcubed": ("5/7", "11/14", "110/147"),
            "ceafm": ("5/7", "5/7", "5/7"),
            "ceafe": ("2/3", "2/3", "2/3"),
            "lea": ("4/7", "4/7", "4/7"),
            "blanc": ("95/136", "95/136", "95/136"),
            "conll": "34/49",
        },
        (3, 4, 4, 11, 17, 17),
    ),
    "G19_empty": Golden("", "", ZEROS, (0, 0, 0, 0, 0, 0)),
    "G20_ceaf_not_greedy": Golden(
        "abcde fg",
        "abcfg de",
        {
            "muc": ("4/5", "4/5", "4/5"),
            "bcubed": ("23/35", "23/35", "23/35"),
            "ceafm": ("4/7", "4/7", "4/7"),
            "ceafe": ("4/7", "4/7", "4/7"),
            "lea": ("4/7", "4/7", "4/7"),
            "blanc": ("47/110", "47/110", "47/110"),
            "conll": "71/105",
        },
        (5, 11, 11, 4, 10, 10),
    ),
}


def golden_counts(case: Golden) -> CorefCounts:
    return coref_counts(parse(case.key), parse(case.response), singletons=case.singletons)


def assert_matches_golden(counts: CorefCounts, case: Golden) -> None:
    zd = Fraction(int(case.zero_division))
    for metric in RATIO_METRICS:
        recall, precision, _ = (Fraction(x) for x in case.expected[metric])
        for side, want in (("recall", recall), ("precision", precision)):
            num = getattr(counts, f"{metric}_{side}_num")
            den = getattr(counts, f"{metric}_{side}_den")
            got = Fraction(num) / den if den else zd
            assert got == want, f"{metric} {side}: {got} != {want}"
    assert tuple(getattr(counts, f) for f in BLANC_FIELDS) == case.links

    scores = coref_scores(counts, zero_division=case.zero_division)
    assert tuple(scores) == METRICS
    for metric in (*RATIO_METRICS, "blanc"):
        recall, precision, f1 = (float(Fraction(x)) for x in case.expected[metric])
        got = scores[metric]
        assert got.recall == pytest.approx(recall, abs=1e-12), f"{metric} recall"
        assert got.precision == pytest.approx(precision, abs=1e-12), f"{metric} precision"
        assert got.f1 == pytest.approx(f1, abs=1e-12), f"{metric} f1"
    want_conll = float(Fraction(case.expected["conll"]))
    assert scores["conll"].f1 == pytest.approx(want_conll, abs=1e-12)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name: str) -> None:
    case = GOLDEN[name]
    assert_matches_golden(golden_counts(case), case)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_with_forced_float_assignment(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The float fallback of the CEAF assignment (huge LCMs) finds the same optimum."""
    monkeypatch.setattr(coref, "_EXACT_FLOAT_LIMIT", 0)
    case = GOLDEN[name]
    assert_matches_golden(golden_counts(case), case)


def test_golden_mentions_as_span_tuples() -> None:
    """Span tuples behave like any other hashable mention (G04 with (start, end) keys)."""
    span = {c: (i, i + 1) for i, c in enumerate("abcdefxyz")}
    key = [[span[c] for c in cluster] for cluster in parse("a bc def")]
    response = [[span[c] for c in cluster] for cluster in parse("a bcx dy z")]
    assert coref_counts(key, response) == golden_counts(GOLDEN["G04_missing_and_extra"])


def test_corpus_scores_are_micro_averaged() -> None:
    """README 'Corpus (micro) example': G02 + G06 summed before taking ratios."""
    total = golden_counts(GOLDEN["G02_missing_mentions"]) + golden_counts(
        GOLDEN["G06_one_big_response_cluster"]
    )
    scores = coref_scores(total)
    assert scores["muc"] == PRF(precision=2 / 3, recall=2 / 3, f1=2 / 3)
    assert scores["muc"].f1 != pytest.approx(5 / 8)  # the (wrong) macro average
    assert tuple(getattr(total, f) for f in BLANC_FIELDS) == (5, 8, 16, 2, 22, 2)
    assert scores["blanc"].recall == pytest.approx(63 / 176, abs=1e-12)
    assert scores["blanc"].precision == pytest.approx(21 / 32, abs=1e-12)
    assert scores["blanc"].f1 == pytest.approx(7 / 24, abs=1e-12)


def test_sum_with_zero_element() -> None:
    parts = [
        golden_counts(GOLDEN[n]) for n in ("G02_missing_mentions", "G11_split", "G14_blanc_links")
    ]
    manual = parts[0] + parts[1] + parts[2]
    assert sum(parts) == manual
    assert sum(parts, CorefCounts()) == manual
    assert CorefCounts() + parts[0] == parts[0] == parts[0] + CorefCounts()
    assert coref_counts([], []) == CorefCounts()
    with pytest.raises(TypeError):
        parts[0] + 1


def test_conll_is_mean_of_muc_bcubed_ceafe() -> None:
    scores = coref_scores(golden_counts(GOLDEN["G13_lea_paper_example"]))
    for attr in ("precision", "recall", "f1"):
        mean = sum(getattr(scores[m], attr) for m in ("muc", "bcubed", "ceafe")) / 3
        assert getattr(scores["conll"], attr) == pytest.approx(mean, abs=1e-12)


@pytest.mark.parametrize(
    ("zero_division", "expected"), [(0.0, 0.0), (1.0, 1.0), (0, 0.0), (1, 1.0), (0.25, 0.25)]
)
def test_zero_division_on_empty_document(zero_division: float, expected: float) -> None:
    scores = coref_scores(coref_counts([], []), zero_division=zero_division)
    for metric in METRICS:
        assert scores[metric] == PRF(expected, expected, expected), metric


def test_zero_division_nan() -> None:
    scores = coref_scores(coref_counts([], []), zero_division=math.nan)
    assert all(math.isnan(v) for prf in scores.values() for v in vars(prf).values())
    # G05: only MUC precision and BLANC P_c are 0/0. F1 is 0 as soon as the other
    # ratio is a defined 0 (MUC R = 0/3, BLANC R_c = 0/4), so it is not nan.
    scores = coref_scores(
        golden_counts(GOLDEN["G05_all_singleton_response"]), zero_division=math.nan
    )
    assert math.isnan(scores["muc"].precision)
    assert (scores["muc"].recall, scores["muc"].f1) == (0.0, 0.0)
    assert scores["conll"].f1 == pytest.approx(31 / 81, abs=1e-12)
    assert scores["bcubed"] == PRF(1.0, 0.5, pytest.approx(2 / 3))
    assert math.isnan(scores["blanc"].precision)
    assert scores["blanc"].recall == 0.5
    assert scores["blanc"].f1 == pytest.approx(11 / 26, abs=1e-12)


@pytest.mark.parametrize("zero_division", [0.0, 0.5, 1.0, math.nan])
def test_f1_is_zero_when_only_one_side_is_undefined(zero_division: float) -> None:
    """G16: MUC recall is 0/0 but precision is 0/3, so F1 is 0 under every convention."""
    scores = coref_scores(
        golden_counts(GOLDEN["G16_singleton_key_blanc_noncoref_only"]),
        zero_division=zero_division,
    )
    assert scores["muc"].precision == 0.0
    assert scores["muc"].f1 == 0.0
    recall = scores["muc"].recall
    assert math.isnan(recall) if math.isnan(zero_division) else recall == zero_division


def test_pr_counts_matches_stats_column_layout() -> None:
    counts = golden_counts(GOLDEN["G04_missing_and_extra"])
    assert counts.pr_counts("muc") == (1.0, 3.0, 1.0, 3.0)
    assert counts.pr_counts("bcubed") == (17 / 6, 7.0, 10 / 3, 6.0)
    assert counts.pr_counts("ceafe") == (11 / 5, 4.0, 11 / 5, 3.0)


def test_blanc_key_without_links_uses_response_links_for_precision() -> None:
    # One key mention, spurious response link: recall undefined, precision 0.
    counts = coref_counts([["a"]], [["a", "b"]])
    assert coref_scores(counts)["blanc"] == PRF(0.0, 0.0, 0.0)
    assert coref_scores(counts, zero_division=1.0)["blanc"] == PRF(0.0, 1.0, 0.0)
    # Same single mention on both sides: fully undefined.
    assert coref_scores(coref_counts([["a"]], [["a"]]), zero_division=1.0)["blanc"] == PRF(
        1.0, 1.0, 1.0
    )


def test_singletons_false_equals_prefiltered_input() -> None:
    key, response = parse("a bc def g"), parse("a b cx def")
    filtered = coref_counts([c for c in key if len(c) > 1], [c for c in response if len(c) > 1])
    assert coref_counts(key, response, singletons=False) == filtered


def test_accepts_sets_tuples_and_generators() -> None:
    expected = golden_counts(GOLDEN["G14_blanc_links"])
    key = ({"a", "b"}, frozenset("cde"))
    response = (m for m in (("b", "c", "x"), ["d", "e"]))
    assert coref_counts(key, response) == expected


# ------------------------------------------------------------------------ errors


def test_error_class_is_value_error() -> None:
    assert issubclass(CorefInputError, ValueError)


def test_error_side_is_mapping() -> None:
    with pytest.raises(CorefInputError, match=r"key is a mapping \(dict\); pass its clusters"):
        coref_counts({"e1": [(0, 1)]}, [])


@pytest.mark.parametrize("bad", ["ab cd", 3, None])
def test_error_side_not_iterable_of_clusters(bad: object) -> None:
    with pytest.raises(CorefInputError, match=r"^response must be an iterable of clusters"):
        coref_counts([], bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["ab", 7])
def test_error_cluster_not_iterable(bad: object) -> None:
    with pytest.raises(CorefInputError, match=r"^key cluster #1 must be an iterable of mentions"):
        coref_counts([["a"], bad], [])  # type: ignore[list-item]


def test_error_empty_cluster() -> None:
    with pytest.raises(
        CorefInputError, match=r"^response cluster #0 is empty; drop empty clusters"
    ):
        coref_counts([["a"]], [[], ["a"]])


def test_error_unhashable_mention() -> None:
    with pytest.raises(
        CorefInputError, match=r"^key cluster #0 contains an unhashable mention \[0, 1\]"
    ):
        coref_counts([[[0, 1]]], [])


def test_error_duplicate_mention_in_one_cluster() -> None:
    with pytest.raises(
        CorefInputError,
        match=r"^mention \(0, 1\) appears twice in response cluster #1; remove the duplicate",
    ):
        coref_counts([], [[(5, 6)], [(0, 1), (2, 3), (0, 1)]])


def test_error_mention_in_two_clusters() -> None:
    with pytest.raises(
        CorefInputError,
        match=r"^mention 'b' appears in key clusters #0 and #2; a mention can belong to only one "
        r"cluster: merge the two clusters or drop one occurrence",
    ):
        coref_counts(parse("ab c bd"), [])


def test_error_checked_before_singleton_removal() -> None:
    with pytest.raises(CorefInputError, match=r"appears in key clusters #0 and #1"):
        coref_counts([["a"], ["a"]], [], singletons=False)


@pytest.mark.parametrize("bad", [1.5, -0.1, "warn", None, True])
def test_error_zero_division(bad: object) -> None:
    with pytest.raises(
        CorefInputError,
        match=r"^zero_division must be a number in \[0, 1\] or float\('nan'\); got",
    ):
        coref_scores(CorefCounts(), zero_division=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, None, {"muc_recall_num": 1}])
def test_error_scores_need_counts(bad: object) -> None:
    with pytest.raises(
        CorefInputError,
        match=r"^coref_scores\(\) needs a CorefCounts; got .*sum\(counts_list, CorefCounts\(\)\)",
    ):
        coref_scores(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["blanc", "conll", "MUC"])
def test_error_pr_counts_unknown_metric(bad: str) -> None:
    with pytest.raises(
        CorefInputError,
        match=r"^pr_counts\(\) needs one of muc, bcubed, ceafm, ceafe, lea; got",
    ):
        CorefCounts().pr_counts(bad)


# -------------------------------------------------------------------- properties

Mention = tuple[int, int]
Doc = tuple[list[list[Mention]], list[list[Mention]]]


def _group(mentions: list[Mention], labels: list[int | None]) -> list[list[Mention]]:
    clusters: dict[int, list[Mention]] = {}
    for mention, label in zip(mentions, labels, strict=True):
        if label is not None:
            clusters.setdefault(label, []).append(mention)
    return list(clusters.values())


@st.composite
def documents(draw: st.DrawFn, max_mentions: int = 9, max_clusters: int = 5) -> Doc:
    """A key and a response over partly shared span mentions (twinless ones included)."""
    n = draw(st.integers(0, max_mentions))
    label = st.one_of(st.none(), st.integers(0, max_clusters - 1))
    key_labels = draw(st.lists(label, min_size=n, max_size=n))
    response_labels = draw(st.lists(label, min_size=n, max_size=n))
    mentions = [(i, i + 1) for i in range(n)]
    return _group(mentions, key_labels), _group(mentions, response_labels)


def _shuffled(clusters: list[list[Mention]], rnd: random.Random) -> list[list[Mention]]:
    out = [rnd.sample(c, len(c)) for c in clusters]
    rnd.shuffle(out)
    return out


def _all_values(scores: dict[str, PRF]) -> list[float]:
    return [v for prf in scores.values() for v in (prf.precision, prf.recall, prf.f1)]


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


@PROPERTY_SETTINGS
@given(documents(), st.sampled_from([True, False]))
def test_key_against_itself_is_perfect(doc: Doc, singletons: bool) -> None:
    key, _ = doc
    counts = coref_counts(key, key, singletons=singletons)
    assert all(v == 1.0 for v in _all_values(coref_scores(counts, zero_division=1.0)))
    # With the default zero_division=0 a metric is 1.0 exactly when it is defined.
    scores = coref_scores(counts)
    n_mentions = counts.bcubed_recall_den
    defined = {
        "muc": counts.muc_recall_den > 0,
        "bcubed": n_mentions > 0,
        "ceafm": n_mentions > 0,
        "ceafe": counts.ceafe_recall_den > 0,
        "lea": n_mentions > 0,
        "blanc": n_mentions > 1,
    }
    for metric, is_defined in defined.items():
        want = 1.0 if is_defined else 0.0
        assert scores[metric] == PRF(want, want, want), metric


@PROPERTY_SETTINGS
@given(documents(), st.randoms(use_true_random=False), st.sampled_from([True, False]))
def test_permutation_invariance(doc: Doc, rnd: random.Random, singletons: bool) -> None:
    key, response = doc
    counts = coref_counts(key, response, singletons=singletons)
    shuffled = coref_counts(_shuffled(key, rnd), _shuffled(response, rnd), singletons=singletons)
    assert shuffled == counts
    assert coref_scores(shuffled) == coref_scores(counts)


@PROPERTY_SETTINGS
@given(documents(), documents())
def test_counts_are_additive_over_documents(doc1: Doc, doc2: Doc) -> None:
    """Scoring two disjoint documents concatenated == scoring their summed counts.

    Exception by definition: BLANC non-coreference links of a concatenation also pair
    mentions across the two documents, so those three counts differ by exactly the
    cross-document pair counts (corpus BLANC therefore sums per-document counts, as
    the reference scorer does, rather than scoring a concatenation).
    """

    def tag(doc: Doc, t: int) -> Doc:
        return tuple([[(t, *m) for m in c] for c in side] for side in doc)  # type: ignore[return-value]

    (k1, r1), (k2, r2) = tag(doc1, 1), tag(doc2, 2)
    c1, c2 = coref_counts(k1, r1), coref_counts(k2, r2)
    concatenated = coref_counts(k1 + k2, r1 + r2)
    summed = c1 + c2
    noncoref = {"blanc_noncoref_common", "blanc_noncoref_key", "blanc_noncoref_response"}
    for f in fields(CorefCounts):
        if f.name not in noncoref:
            assert getattr(concatenated, f.name) == getattr(summed, f.name), f.name

    def mentions(clusters: list[list[Any]]) -> set[Any]:
        return {m for c in clusters for m in c}

    k1m, k2m, r1m, r2m = mentions(k1), mentions(k2), mentions(r1), mentions(r2)
    cross = {
        "blanc_noncoref_key": len(k1m) * len(k2m),
        "blanc_noncoref_response": len(r1m) * len(r2m),
        "blanc_noncoref_common": len(k1m & r1m) * len(k2m & r2m),
    }
    for name, extra in cross.items():
        assert getattr(concatenated, name) == getattr(summed, name) + extra, name

    scores_concat, scores_summed = coref_scores(concatenated), coref_scores(summed)
    for metric in (*RATIO_METRICS, "conll"):
        assert scores_concat[metric] == scores_summed[metric], metric


@PROPERTY_SETTINGS
@given(documents(), st.sampled_from([0.0, 1.0]), st.sampled_from([True, False]))
def test_values_in_unit_interval(doc: Doc, zero_division: float, singletons: bool) -> None:
    scores = coref_scores(coref_counts(*doc, singletons=singletons), zero_division=zero_division)
    assert tuple(scores) == METRICS
    assert all(0.0 <= v <= 1.0 for v in _all_values(scores))


@PROPERTY_SETTINGS
@given(documents())
def test_swapping_sides_swaps_recall_and_precision(doc: Doc) -> None:
    """All metrics except BLANC (whose boundary rule looks at the key) are symmetric."""
    key, response = doc
    forward, backward = coref_counts(key, response), coref_counts(response, key)
    for metric in RATIO_METRICS:
        for part in ("num", "den"):
            assert getattr(forward, f"{metric}_recall_{part}") == getattr(
                backward, f"{metric}_precision_{part}"
            )
    assert forward.blanc_coref_key == backward.blanc_coref_response
    assert forward.blanc_noncoref_common == backward.blanc_noncoref_common


# Textbook implementations, written independently of the module, for cross-checking.


def _links(
    clusters: list[list[Mention]],
) -> tuple[set[frozenset[Mention]], set[frozenset[Mention]]]:
    coref_links = {frozenset(p) for c in clusters for p in itertools.combinations(c, 2)}
    every = [m for c in clusters for m in c]
    all_links = {frozenset(p) for p in itertools.combinations(every, 2)}
    return coref_links, all_links - coref_links


def _naive_side(clusters: list[list[Mention]], other: list[list[Mention]]) -> dict[str, Fraction]:
    """Recall-side numerators of MUC, B3 and LEA for `clusters` against `other`."""
    owner = {m: i for i, c in enumerate(other) for m in c}
    muc = b3 = lea = Fraction(0)
    for c in clusters:
        partition = {owner.get(m, ("missing", m)) for m in c}
        muc += len(c) - len(partition)
        for m in c:
            if m in owner:
                b3 += Fraction(len(set(c) & set(other[owner[m]])), len(c))
        if len(c) == 1:
            m = c[0]
            resolved, links = int(m in owner and len(other[owner[m]]) == 1), 1
        else:
            pairs = list(itertools.combinations(c, 2))
            resolved = sum(1 for a, b in pairs if a in owner and owner.get(b) == owner[a])
            links = len(pairs)
        lea += Fraction(len(c) * resolved, links)
    return {"muc": muc, "bcubed": b3, "lea": lea}


def _naive_ceaf(key: list[list[Mention]], response: list[list[Mention]], phi: Any) -> Fraction:
    small, large, swap = (
        (key, response, False)
        if len(key) <= len(response)
        else (
            response,
            key,
            True,
        )
    )
    best = Fraction(0)
    for chosen in itertools.permutations(range(len(large)), len(small)):
        total = Fraction(0)
        for i, j in enumerate(chosen):
            k, r = (large[j], small[i]) if swap else (small[i], large[j])
            total += phi(set(k), set(r))
        best = max(best, total)
    return best


@PROPERTY_SETTINGS
@given(documents(max_mentions=8, max_clusters=5))
def test_matches_textbook_definitions(doc: Doc) -> None:
    key, response = doc
    counts = coref_counts(key, response)
    recall_side, precision_side = _naive_side(key, response), _naive_side(response, key)
    for metric in ("muc", "bcubed", "lea"):
        assert counts.__getattribute__(f"{metric}_recall_num") == recall_side[metric]
        assert counts.__getattribute__(f"{metric}_precision_num") == precision_side[metric]
    n_key = sum(map(len, key))
    n_response = sum(map(len, response))
    assert (counts.muc_recall_den, counts.muc_precision_den) == (
        n_key - len(key),
        n_response - len(response),
    )
    assert (counts.bcubed_recall_den, counts.lea_recall_den) == (n_key, n_key)
    assert counts.ceafm_recall_num == _naive_ceaf(key, response, lambda k, r: len(k & r))
    assert counts.ceafe_recall_num == _naive_ceaf(
        key, response, lambda k, r: Fraction(2 * len(k & r), len(k) + len(r))
    )
    key_coref, key_noncoref = _links(key)
    response_coref, response_noncoref = _links(response)
    assert tuple(getattr(counts, f) for f in BLANC_FIELDS) == (
        len(key_coref & response_coref),
        len(key_coref),
        len(response_coref),
        len(key_noncoref & response_noncoref),
        len(key_noncoref),
        len(response_noncoref),
    )


def test_large_document_uses_components_and_stays_optimal() -> None:
    """A 600-mention document: CEAF via components equals one global assignment."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    rnd = random.Random(7)
    mentions = [(i, i + 1) for i in range(600)]
    key = _group(mentions, [rnd.randrange(120) if rnd.random() < 0.9 else None for _ in mentions])
    response = _group(
        mentions, [rnd.randrange(150) if rnd.random() < 0.9 else None for _ in mentions]
    )
    counts = coref_counts(key, response)
    phi3 = np.array([[len(set(k) & set(r)) for r in response] for k in key], dtype=float)
    phi4 = np.array([[2 * len(set(k) & set(r)) / (len(k) + len(r)) for r in response] for k in key])
    for matrix, got in ((phi3, counts.ceafm_recall_num), (phi4, counts.ceafe_recall_num)):
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        assert float(got) == pytest.approx(matrix[rows, cols].sum(), abs=1e-9)
