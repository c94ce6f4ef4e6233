"""Harness-level properties on generated corpora (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.schema.model import document_from_dict

from .strategies import documents


@st.composite
def corpora(draw):
    records = draw(st.lists(documents(max_tokens=25), min_size=2, max_size=4))
    return [document_from_dict({**r, "id": f"doc{i}"}) for i, r in enumerate(records)]


@settings(max_examples=25, deadline=None)
@given(corpora(), st.randoms(use_true_random=False))
def test_document_order_does_not_change_any_metric(gold, rng):
    config = ScoringConfig(n_resamples=30, zero_division=1.0)
    from dataclasses import replace

    # predictions: the gold, except that the last document predicts nothing
    empty = replace(gold[-1], mentions=(), time_expressions=(), events=(), attributions=())
    preds = [*gold[:-1], empty]
    a = score_documents(pair_documents(gold, preds), config)
    shuffled_gold, shuffled_preds = list(gold), list(preds)
    rng.shuffle(shuffled_gold)
    rng.shuffle(shuffled_preds)
    b = score_documents(pair_documents(shuffled_gold, shuffled_preds), config)
    assert a["metrics"].keys() == b["metrics"].keys()
    for name in a["metrics"]:
        for field in ("precision", "recall", "f1"):
            assert abs(a["metrics"][name][field] - b["metrics"][name][field]) < 1e-12, name


@settings(max_examples=25, deadline=None)
@given(corpora())
def test_gold_against_itself_is_perfect_on_every_metric(gold):
    report = score_documents(
        pair_documents(gold, gold), ScoringConfig(n_resamples=30, zero_division=1.0)
    )
    assert report["errors"] == []
    for name, entry in report["metrics"].items():
        assert entry["f1"] == 1.0, name
