"""The columnar entity scorer equals the per-document reference, value for value and record
for record; the harness gives the same report whatever the block size."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbench.eval import entity_blocks, harness
from newsbench.eval.entity_blocks import EntityBlock, _by_document, score_entities_block
from newsbench.eval.entity_scoring import DEFAULT_VIEWS, EntityView
from newsbench.eval.harness import ScoringConfig, score_documents, score_shard
from newsbench.eval.pairing import DocumentPair
from newsbench.eval.units import UnitIndex
from newsbench.schema.contract import ENTITY_TYPES
from newsbench.schema.model import Document, Mention, Sentence, Zone

from .test_scale import LAYERS, _json, _without_provenance
from .test_scale import pairs as pairs

TEXT = "The quick brown fox jumps over the lazy dog.\nA second line follows here, and a third one."
LABELS = ("PER", "ORG", "GPE", "XYZ")  # XYZ: a label outside the declared inventory
MENTION_TYPES = ("NAM", "NOM", "PRO", None)


@st.composite
def mention_lists(draw: Any, prefix: str) -> tuple[Mention, ...]:
    """Mentions with every kind of overlap: duplicates, nesting, chains, ties."""
    n = draw(st.integers(0, 9))
    out = []
    for k in range(n):
        start = draw(st.integers(0, len(TEXT) - 1))
        end = draw(st.integers(start + 1, min(len(TEXT), start + 12)))
        out.append(
            Mention(
                f"{prefix}{k}",
                start,
                end,
                TEXT[start:end],
                draw(st.sampled_from(LABELS)),
                draw(st.sampled_from(MENTION_TYPES)),
            )
        )
    return tuple(out)


ZONES = (Zone("z1", "body", 0, 45, TEXT[:45]), Zone("z2", "caption", 45, len(TEXT), TEXT[45:]))
SENTENCES = (Sentence("s1", 0, 44, TEXT[:44]), Sentence("s2", 45, 70, TEXT[45:70]))


@st.composite
def blocks(draw: Any) -> list[tuple[Document, Document | None, UnitIndex]]:
    unit = draw(st.sampled_from(["document", "sentence"]))
    out = []
    for d in range(draw(st.integers(1, 6))):
        sentences = SENTENCES if draw(st.booleans()) else None
        gold = Document(
            f"d{d}",
            TEXT,
            zones=ZONES,
            sentences=sentences,
            mentions=draw(mention_lists("g")),
        )
        pred = Document(f"d{d}", TEXT, mentions=draw(mention_lists("p")))
        scored = draw(st.integers(0, 5)) > 0
        out.append((gold, pred if scored else None, UnitIndex.for_document(gold, unit)))
    return out


def assert_same_rows(rows: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    """The same metrics with the same values (metrics of undeclared labels may come in
    another order: the report sorts them)."""
    assert sorted(rows) == sorted(expected)
    for metric, values in expected.items():
        assert np.array_equal(rows[metric], values), metric


def assert_same(block: EntityBlock, reference: EntityBlock) -> None:
    assert_same_rows(block.rows, reference.rows)
    assert block.details == reference.details
    assert block.errors == reference.errors


def reference(documents, views=DEFAULT_VIEWS, zones=None, labels=ENTITY_TYPES) -> EntityBlock:
    n_units = sum(len(index) for _, _, index in documents)
    return _by_document(documents, views, zones, labels, n_units)


VIEWS = (
    *DEFAULT_VIEWS,
    EntityView("entities.NOM+PRO", frozenset({"NOM", "PRO"})),
    EntityView("entities.other", frozenset({"OTHER"})),  # a mention type nobody uses
    EntityView("entities.NAM", frozenset({"PRO"})),  # a second view of one name: rows add up
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=blocks(), zones=st.sampled_from([None, ("caption",), ("body", "caption")]))
def test_the_block_equals_the_per_document_scorer(documents, zones) -> None:
    for views in (DEFAULT_VIEWS, VIEWS):
        for labels in (ENTITY_TYPES, ("PER", "ORG")):
            got = score_entities_block(documents, views=views, zones=zones, labels=labels)
            assert_same(got, reference(documents, views, zones, labels))


def test_the_synthetic_corpus_in_one_block_and_in_small_ones(pairs) -> None:
    for unit in ("document", "sentence"):
        documents = [(p.gold, p.pred, UnitIndex.for_document(p.gold, unit)) for p in pairs]
        expected = reference(documents)
        assert_same(score_entities_block(documents), expected)
        assert sum(len(e) for e in expected.errors) > 50  # the matching has work to do


def test_a_block_without_a_scored_document_has_no_rows_and_no_details() -> None:
    gold = Document("d", TEXT, mentions=(Mention("m", 0, 3, "The", "PER", "NOM"),))
    block = score_entities_block([(gold, None, UnitIndex("document", (0,)))])
    assert (block.rows, block.details, block.errors) == ({}, {}, [[]])


def test_offsets_beyond_the_packed_keys_fall_back_to_the_reference(monkeypatch, pairs) -> None:
    documents = [(p.gold, p.pred, UnitIndex.for_document(p.gold, "sentence")) for p in pairs]

    def overflow(*args: object) -> int:
        raise OverflowError("too large")

    monkeypatch.setattr(entity_blocks, "offset_bits_of", overflow)
    assert_same(score_entities_block(documents), reference(documents))


@pytest.mark.parametrize("block_size", [1, 5, 64])
@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_the_report_does_not_depend_on_the_block_size(monkeypatch, pairs, unit, block_size) -> None:
    config = ScoringConfig(unit=unit, n_resamples=50)
    monkeypatch.setattr(harness, "SCORING_BLOCK", 1)
    one = score_documents(pairs, config, layers=LAYERS)
    monkeypatch.setattr(harness, "SCORING_BLOCK", block_size)
    other = score_documents(pairs, config, layers=LAYERS)
    assert _json(_without_provenance(other)) == _json(_without_provenance(one))
    assert any(e["layer"] == "entities.NAM" for e in one["errors"])


@pytest.mark.parametrize("keep", ["all", "headline"])
@pytest.mark.parametrize("block_size", [2, 5])
def test_documents_whose_gold_lacks_mentions_are_skipped_in_a_block(
    monkeypatch,
    pairs,
    block_size,
    keep,
) -> None:
    """A partial gold (the report then skips the layer): the shard's statistics, errors
    and details do not depend on the block size."""
    config = ScoringConfig(unit="sentence", n_resamples=10)
    mixed = [
        DocumentPair(Document(p.gold.id, p.gold.text, sentences=p.gold.sentences), p.pred)
        if k in (0, 3, 4, 9)
        else p
        for k, p in enumerate(pairs)
    ]
    shards = []
    for size in (1, block_size):
        monkeypatch.setattr(harness, "SCORING_BLOCK", size)
        shards.append(score_shard(mixed, config, layers=LAYERS, unit="sentence", keep=keep))
    one, other = shards
    assert sorted(other.rows) == sorted(one.rows)
    for metric in one.rows:
        assert np.array_equal(other.matrix(metric), one.matrix(metric)), metric
    assert other.totals == one.totals
    assert other.details == one.details and list(other.details) == list(one.details)
    assert other.errors == one.errors and other.error_counts == one.error_counts
    assert any(e["layer"] == "entities" for e in one.errors)


def test_two_views_of_one_name_add_up_their_rows() -> None:
    text = "Alice met him."
    gold = Document(
        "d",
        text,
        mentions=(
            Mention("a", 0, 5, "Alice", "PER", "NAM"),
            Mention("b", 10, 13, "him", "PER", "PRO"),
        ),
    )
    pred = Document("d", text, mentions=(Mention("a", 0, 5, "Alice", "PER", "NAM"),))
    views = (EntityView("v", frozenset({"NAM"})), EntityView("v", frozenset({"PRO"})))
    documents = [(gold, pred, UnitIndex("document", (0,)))]
    block = score_entities_block(documents, views=views)
    assert block.rows["v.strict"].tolist() == [1.0, 1.0, 1.0, 2.0]
    assert_same(block, reference(documents, views))


def test_unit_starts_too_large_to_pack_fall_back_to_the_reference() -> None:
    text = "Alice met him."
    far = 1 << 61
    gold = Document(
        "d",
        text,
        sentences=(Sentence("s1", 0, 14, text), Sentence("s2", far, far + 1, "")),
        mentions=(Mention("a", 0, 5, "Alice", "PER", "NAM"),),
    )
    pred = Document("d", text, mentions=(Mention("b", 10, 13, "him", "PER", "PRO"),))
    documents = [(gold, pred, UnitIndex.for_document(gold, "sentence"))] * 3
    assert_same(score_entities_block(documents), reference(documents))
