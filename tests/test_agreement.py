"""Inter-annotator agreement: Cohen's kappa (vs scikit-learn) and the recomputable report."""

from __future__ import annotations

import math
import random

import pytest

from newsbench.corpus.agreement import AGREEMENT_DOC, cohen_kappa, kappas, updated_document


def test_kappa_golden():
    # a: X X Y Y, b: X Y Y Y -> p_o = 3/4; p_A = (1/2, 1/2), p_B = (1/4, 3/4)
    # p_e = 1/2*1/4 + 1/2*3/4 = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2
    assert cohen_kappa("XXYY", "XYYY") == pytest.approx(0.5)
    assert cohen_kappa("XY", "XY") == 1.0
    assert cohen_kappa("XXXX", "XXXX") == 1.0  # p_e = 1: constant labelling, defined as 1
    assert math.isnan(cohen_kappa("", ""))
    with pytest.raises(ValueError, match="paired labels"):
        cohen_kappa("XY", "X")


def test_kappa_matches_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(2, 40)
        labels = rng.sample(["PER", "ORG", "GPE", "LOC"], rng.randint(2, 4))
        a = [rng.choice(labels) for _ in range(n)]
        b = [x if rng.random() < 0.7 else rng.choice(labels) for x in a]
        if len(set(a)) == 1 and len(set(b)) == 1:
            continue
        assert cohen_kappa(a, b) == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-12)


def test_kappas_of_a_document_with_itself(mini_document):
    for name, row in kappas(mini_document, mini_document).items():
        assert row["observed"] == 1.0, name
        assert row["kappa"] == 1.0, name


@pytest.mark.slow
def test_agreement_document_is_current():
    text = AGREEMENT_DOC.read_text("utf-8")
    assert text == updated_document(text), "run: python -m newsbench.corpus.agreement --update"
