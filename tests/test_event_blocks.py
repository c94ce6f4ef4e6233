"""The columnar argument scorer equals the per-document reference: every per-unit row and
every error record, on random documents built to repeat argument tuples (the case where
the reference's locality rules choose which items carry the credit)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbench.eval.event_blocks import ArgumentBlock, score_arguments_block
from newsbench.eval.event_scoring import (
    ARGUMENT_METRICS,
    EventScoringError,
    _score_arguments,
    score_events,
    trigger_metrics,
)
from newsbench.eval.units import LayerResult, MetricTable, UnitIndex
from newsbench.schema.contract import newsbench_inventory
from newsbench.schema.model import (
    Argument,
    Document,
    Event,
    Mention,
    Sentence,
    Span,
    TimeExpression,
)

from .test_entity_blocks import assert_same_rows
from .test_scale import pairs as pairs

TEXT = "Rebels attacked the town on Monday.\nTroops and rebels fought near the old bridge."
WORDS = [(0, 6), (7, 15), (16, 19), (20, 24), (28, 34), (36, 42), (47, 53), (54, 60), (66, 75)]
SENTENCES = (Sentence("s1", 0, 35, TEXT[:35]), Sentence("s2", 36, len(TEXT), TEXT[36:]))
TYPES = ("Conflict.Attack", "Movement.Transport")
ROLES = ("Attacker", "Target", "Place", "Unheard")  # Unheard: a role outside the inventory
TRIGGERS = [(7, 15), (61, 67), (61, 67), (0, 6)]  # a repeated trigger span


@st.composite
def sides(draw: Any, prefix: str, scored_entities: bool) -> Document:
    mentions = []
    for k in range(draw(st.integers(0, 6))):
        start = draw(st.sampled_from([s for s, _ in WORDS]))
        end = draw(st.sampled_from([e for s, e in WORDS if e > start] + [len(TEXT)]))
        entity = draw(st.sampled_from(["E1", "E2", None])) if scored_entities else None
        mentions.append(Mention(f"{prefix}m{k}", start, end, TEXT[start:end], "PER", "NAM", entity))
    timexes = (TimeExpression(f"{prefix}t0", 28, 34, TEXT[28:34], "DATE"),)
    refs = [m.id for m in mentions] + [timexes[0].id]
    events = []
    for k in range(draw(st.integers(0, 4))):
        start, end = draw(st.sampled_from(TRIGGERS))
        arguments = tuple(
            Argument(draw(st.sampled_from(ROLES)), draw(st.sampled_from(refs)))
            for _ in range(draw(st.integers(0, 4)))
        )
        events.append(
            Event(
                f"{prefix}e{k}",
                draw(st.sampled_from(TYPES)),
                Span(start, end, TEXT[start:end]),
                arguments=arguments,
            )
        )
    return Document(
        "d",
        TEXT,
        sentences=SENTENCES,
        mentions=tuple(mentions),
        time_expressions=timexes,
        events=tuple(events),
    )


@st.composite
def blocks(draw: Any) -> list[tuple[Document, Document | None, UnitIndex]]:
    unit = draw(st.sampled_from(["document", "sentence"]))
    out = []
    for _ in range(draw(st.integers(1, 5))):
        gold = draw(sides("g", True))
        pred = draw(sides("p", False))
        scored = draw(st.integers(0, 5)) > 0
        out.append((gold, pred if scored else None, UnitIndex.for_document(gold, unit)))
    return out


def reference(documents, roles) -> ArgumentBlock:
    n_units = sum(len(index) for _, _, index in documents)
    block = ArgumentBlock()
    first = 0
    for gold, pred, index in documents:
        result = LayerResult(MetricTable(len(index)))
        if pred is not None:
            result.table.declare(*ARGUMENT_METRICS, *(f"events.arg_cls[{r}]" for r in roles))
            _score_arguments(gold, pred, index, result)
        for metric, values in result.table.rows.items():
            row = block.rows.setdefault(metric, np.zeros(4 * n_units))
            row[4 * first : 4 * (first + len(index))] = values
        block.errors.append(result.errors)
        first += len(index)
    return block


def assert_same(block: ArgumentBlock, expected: ArgumentBlock) -> None:
    assert_same_rows(block.rows, expected.rows)
    assert block.errors == expected.errors


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=blocks())
def test_the_block_equals_the_per_document_scorer(documents) -> None:
    roles = newsbench_inventory().roles
    assert_same(score_arguments_block(documents, roles=roles), reference(documents, roles))
    assert_same(score_arguments_block(documents, roles=()), reference(documents, ()))


@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_the_synthetic_corpus(pairs, unit) -> None:
    documents = [(p.gold, p.pred, UnitIndex.for_document(p.gold, unit)) for p in pairs]
    roles = newsbench_inventory().roles
    expected = reference(documents, roles)
    assert_same(score_arguments_block(documents, roles=roles), expected)
    assert sum(len(e) for e in expected.errors) > 20


def test_triggers_alone_and_the_block_make_the_whole_layer(pairs) -> None:
    """What the harness adds up: score_events(arguments=False) declares no argument metric,
    and its errors with the block's, sorted, are score_events's errors."""
    inventory = newsbench_inventory()
    for pair in pairs:
        index = UnitIndex.for_document(pair.gold, "sentence")
        whole = score_events(pair.gold, pair.pred, index)
        triggers = score_events(
            pair.gold, pair.pred, index, declared=trigger_metrics(inventory), arguments=False
        )
        block = score_arguments_block([(pair.gold, pair.pred, index)], roles=inventory.roles)
        assert not set(triggers.table.rows) & set(block.rows)
        assert set(triggers.table.rows) | set(block.rows) == set(whole.table.rows)
        from newsbench.eval.event_scoring import error_order

        assert sorted(triggers.errors + block.errors[0], key=error_order) == whole.errors


def test_no_scored_document_gives_no_rows() -> None:
    gold = Document("d", TEXT, events=())
    block = score_arguments_block([(gold, None, UnitIndex("document", (0,)))])
    assert (block.rows, block.errors) == ({}, [[]])


def test_an_unknown_argument_reference_is_reported_as_the_reference_does() -> None:
    event = Event("e", TYPES[0], Span(7, 15, TEXT[7:15]), arguments=(Argument("Place", "nope"),))
    gold = Document("d", TEXT, mentions=(), events=(event,))
    with pytest.raises(EventScoringError, match="'nope' that names no mention"):
        score_arguments_block([(gold, gold, UnitIndex("document", (0,)))])


def test_offsets_too_large_to_pack_keep_different_spans_apart() -> None:
    end = (1 << 33) - 1

    def side(start: int) -> Document:
        return Document(
            "d",
            "x" * 10,
            mentions=(Mention("m", start, end, "", "PER", "NAM"),),
            events=(
                Event("e", TYPES[0], Span(0, 3, "xxx"), arguments=(Argument("Attacker", "m"),)),
            ),
        )

    gold, pred = side(0), side(1 << 31)
    documents = [(gold, pred, UnitIndex("document", (0,)))]
    block = score_arguments_block(documents)
    assert block.rows["events.arg_id"].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert_same(block, reference(documents, ()))
