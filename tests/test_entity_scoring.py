"""Entity scoring in the harness: views, zones, per-unit statistics, SemEval agreement."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval.entity_scoring import score_entities
from newsbench.eval.spans import SCHEMES, Span, semeval_counts
from newsbench.eval.units import UnitIndex, prf_from_totals
from newsbench.schema.contract import ENTITY_TYPES
from newsbench.schema.model import document_from_dict
from newsbench.schema.tokens import token_offsets

from .strategies import documents

DOC_UNIT = UnitIndex("document", (0,))


def _totals(result, metric):
    return result.table.arrays[metric].sum(axis=0)


def test_names_view_keeps_only_nam_and_untyped_predictions(mini_document):
    nam = [m for m in mini_document.mentions if m.mention_type == "NAM"]
    untyped = tuple(replace(m, mention_type=None) for m in nam)
    pred = replace(mini_document, mentions=untyped)
    result = score_entities(mini_document, pred, DOC_UNIT)
    assert prf_from_totals(_totals(result, "entities.NAM.strict")) == (1.0, 1.0, 1.0)
    precision, recall, _ = prf_from_totals(_totals(result, "entities.strict"))
    assert precision == 1.0 and recall == len(nam) / len(mini_document.mentions)


def test_zone_filter(mini_document):
    caption_only = score_entities(mini_document, mini_document, DOC_UNIT, zones=("caption",))
    gold_in_caption = [
        m for m in mini_document.mentions if 1868 <= m.start < 1994
    ]  # the caption zone of paragraph 9
    caption = next(z for z in mini_document.zones if z.type == "caption")
    assert all(caption.start <= m.start < caption.end for m in gold_in_caption)
    assert _totals(caption_only, "entities.strict")[3] == len(gold_in_caption)


def test_details_equal_the_span_module(mini_document):
    pred = replace(mini_document, mentions=mini_document.mentions[2:])
    result = score_entities(mini_document, pred, DOC_UNIT)
    expected = semeval_counts(
        [Span(m.start, m.end, m.type) for m in mini_document.mentions],
        [Span(m.start, m.end, m.type) for m in pred.mentions],
        ENTITY_TYPES,
    )
    assert result.details["semeval:entities"] == expected
    strict = expected.overall["strict"]
    assert tuple(_totals(result, "entities.strict")) == (
        strict.cor,
        strict.act,
        strict.cor,
        strict.pos,
    )


def test_per_type_rows_sum_to_overall(mini_document):
    pred = replace(
        mini_document,
        mentions=tuple(
            replace(m, type="ORG") if i % 3 == 0 else m
            for i, m in enumerate(mini_document.mentions)
        ),
    )
    result = score_entities(mini_document, pred, UnitIndex.for_document(mini_document, "sentence"))
    for scheme in SCHEMES:
        overall = result.table.arrays[f"entities.{scheme}"]
        per_type = sum(result.table.arrays[f"entities.{scheme}[{t}]"] for t in ENTITY_TYPES)
        assert (per_type == overall).all()


@settings(max_examples=40, deadline=None)
@given(documents(), documents(), st.randoms(use_true_random=False))
def test_properties(gold_record, pred_record, rng):
    gold = document_from_dict(gold_record)
    pred = document_from_dict({**pred_record, "text": gold_record["text"], "id": gold_record["id"]})
    pred = replace(pred, mentions=tuple(m for m in pred.mentions if m.end <= len(gold.text)))
    # gold against itself is perfect
    self_score = score_entities(gold, gold, DOC_UNIT)
    for scheme in SCHEMES:
        assert prf_from_totals(_totals(self_score, f"entities.{scheme}"))[2] == 1.0
    # permutation invariance
    shuffled = list(pred.mentions)
    rng.shuffle(shuffled)
    a = score_entities(gold, pred, DOC_UNIT)
    b = score_entities(gold, replace(pred, mentions=tuple(shuffled)), DOC_UNIT)
    for metric in a.table.arrays:
        assert (a.table.arrays[metric] == b.table.arrays[metric]).all()
    # a spurious prediction (overlapping nothing) never raises precision
    taken = [(m.start, m.end) for m in (*gold.mentions, *pred.mentions)]
    free = [
        (s, e)
        for s, e in token_offsets(gold.text)
        if not any(s < te and ts < e for ts, te in taken)
    ]
    if not free:
        return
    start, end = free[0]
    extra = replace(
        gold.mentions[0], id="spurious", start=start, end=end, text=gold.text[start:end], type="WEA"
    )
    c = score_entities(gold, replace(pred, mentions=(*pred.mentions, extra)), DOC_UNIT)
    for scheme in SCHEMES:
        before = prf_from_totals(_totals(a, f"entities.{scheme}"))[0]
        after = prf_from_totals(_totals(c, f"entities.{scheme}"))[0]
        assert after <= before + 1e-12
