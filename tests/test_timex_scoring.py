"""Golden cases for TIMEX scoring (derivations in tests/golden/timex/README.md)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from newsbench.eval.timex_scoring import METRICS, score_time_expressions
from newsbench.eval.units import UnitIndex, prf_from_totals
from newsbench.schema.model import Document, TimeExpression

TEXT = "The raid began Friday morning. It ended Saturday. Talks resumed in 2018."


def _timex(ident: str, surface: str, ttype: str, value: str | None) -> TimeExpression:
    start = TEXT.index(surface)
    return TimeExpression(ident, start, start + len(surface), surface, ttype, value)


def _doc(*timexes: TimeExpression) -> Document:
    return Document(id="d", text=TEXT, time_expressions=tuple(timexes))


def _scores(gold: Document, pred: Document) -> dict[str, tuple[float, float, float]]:
    result = score_time_expressions(gold, pred, UnitIndex("document", (0,)))
    return {m: prf_from_totals(a.sum(axis=0)) for m, a in result.table.arrays.items()}


def _f(x: Fraction) -> float:
    return float(x)


def test_t1_boundary_type_value_missed_spurious():
    gold = _doc(
        _timex("g1", "Friday morning", "TIME", "2024-12-06TMO"),
        _timex("g2", "Saturday", "DATE", "2024-12-07"),
        _timex("g3", "2018", "DATE", "2018"),
    )
    pred = _doc(
        _timex("p1", "Friday", "DATE", "2024-12-06"),
        _timex("p2", "Saturday", "DATE", "2024-12-07"),
        _timex("p3", "Talks", "DATE", "2024-12-09"),
    )
    s = _scores(gold, pred)
    third, two_thirds, half = Fraction(1, 3), Fraction(2, 3), Fraction(1, 2)
    assert s["timex.strict"] == pytest.approx((_f(third),) * 3)
    assert s["timex.relaxed"] == pytest.approx((_f(two_thirds),) * 3)
    assert s["timex.type"] == pytest.approx((_f(third),) * 3)
    assert s["timex.value"] == pytest.approx((_f(third),) * 3)
    assert s["timex.type_accuracy"] == pytest.approx((_f(half),) * 3)
    assert s["timex.value_accuracy"] == pytest.approx((_f(half),) * 3)
    errors = score_time_expressions(gold, pred, UnitIndex("document", (0,))).errors
    assert sorted(e.kind for e in errors) == ["boundary", "missed", "spurious", "type", "value"]


def test_t2_longer_prediction_and_missing_value():
    gold = _doc(
        _timex("g1", "Friday morning", "TIME", "2024-12-06TMO"),
        _timex("g2", "Saturday", "DATE", "2024-12-07"),
    )
    pred = _doc(
        _timex("p1", "began Friday morning", "TIME", "2024-12-06TMO"),
        _timex("p2", "Saturday", "DATE", None),
    )
    s = _scores(gold, pred)
    assert s["timex.strict"] == pytest.approx((0.5, 0.5, 0.5))
    assert s["timex.relaxed"] == (1.0, 1.0, 1.0)
    assert s["timex.type"] == (1.0, 1.0, 1.0)
    assert s["timex.value"] == pytest.approx((0.5, 0.5, 0.5))
    assert s["timex.value_accuracy"] == pytest.approx((0.5, 0.5, 0.5))


def test_t3_nothing_to_score():
    s = _scores(_doc(), _doc())
    assert set(s) == set(METRICS)
    assert all(v == (0.0, 0.0, 0.0) for v in s.values())


def test_t4_one_prediction_two_golds_is_one_to_one():
    gold = _doc(
        _timex("g1", "Friday morning", "TIME", "2024-12-06TMO"),
        _timex("g2", "Saturday", "DATE", "2024-12-07"),
    )
    pred = _doc(_timex("p1", "Friday morning. It ended Saturday", "TIME", "2024-12-06TMO"))
    result = score_time_expressions(gold, pred, UnitIndex("document", (0,)))
    s = {m: prf_from_totals(a.sum(axis=0)) for m, a in result.table.arrays.items()}
    assert s["timex.relaxed"] == pytest.approx((1.0, 0.5, _f(Fraction(2, 3))))
    assert s["timex.strict"] == (0.0, 0.0, 0.0)
    missed = [e for e in result.errors if e.kind == "missed"]
    assert [e.gold_text for e in missed] == ["Saturday"]


def test_totals_do_not_depend_on_units():
    gold = _doc(
        _timex("g1", "Friday morning", "TIME", "2024-12-06TMO"),
        _timex("g3", "2018", "DATE", "2018"),
    )
    pred = _doc(
        _timex("p2", "Saturday", "DATE", "2024-12-07"),
        _timex("p1", "Friday", "TIME", "2024-12-06TMO"),
    )
    one = score_time_expressions(gold, pred, UnitIndex("document", (0,))).table.arrays
    many = score_time_expressions(gold, pred, UnitIndex("sentence", (0, 31, 50))).table.arrays
    for metric in METRICS:
        assert (one[metric].sum(axis=0) == many[metric].sum(axis=0)).all()
    assert many["timex.relaxed"].shape == (3, 4)
