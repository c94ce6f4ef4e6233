"""Edit scripts and the exact span map: golden cases, every refusal, hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.corpus.perturb.edits import Edit, EditScript, SpanCrossesEdit

TEXT = "Syrian rebels entered Damascus on Sunday."


def test_apply_and_map_a_replacement_inside_and_outside_spans():
    script = EditScript([Edit(0, 6, "Velorian"), Edit(22, 30, "Karsk")], len(TEXT))
    new = script.apply(TEXT)
    assert new == "Velorian rebels entered Karsk on Sunday."
    assert script.map_span(0, 6) == (0, 8)  # the edit is the span
    assert script.map_span(0, 13) == (0, 15)  # the edit lies inside the span
    assert script.map_span(7, 13) == (9, 15)  # after one edit
    assert script.map_span(34, 40) == (33, 39)  # after both: +2 -3
    assert new[33:39] == "Sunday"


def test_an_insertion_at_a_boundary_lies_outside_the_span():
    script = EditScript([Edit(7, 7, "armed "), Edit(13, 13, "!")], len(TEXT))
    assert script.apply(TEXT) == "Syrian armed rebels! entered Damascus on Sunday."
    assert script.map_span(7, 13) == (13, 19)  # "rebels" without either insertion
    assert script.map_span(0, 6) == (0, 6)


def test_a_deletion_inside_a_span_shortens_it():
    script = EditScript([Edit(10, 11, "")], len(TEXT))  # "rebels" -> "rebls"
    assert script.apply(TEXT)[7:12] == "rebls"
    assert script.map_span(7, 13) == (7, 12)


def test_a_boundary_inside_an_edit_is_refused():
    script = EditScript([Edit(3, 10, "X")], len(TEXT))
    with pytest.raises(SpanCrossesEdit, match="offset 7 falls inside the edit"):
        script.map_span(7, 13)
    with pytest.raises(SpanCrossesEdit, match="offset 5 falls inside"):
        script.map_span(0, 5)


def test_overlapping_or_outside_edits_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        EditScript([Edit(0, 5, "a"), Edit(4, 6, "b")], len(TEXT))
    with pytest.raises(ValueError, match="overlap"):
        EditScript([Edit(3, 3, "a"), Edit(3, 3, "b")], len(TEXT))
    with pytest.raises(ValueError, match="outside a text"):
        EditScript([Edit(40, 50, "a")], len(TEXT))
    with pytest.raises(ValueError, match="outside a text"):
        EditScript([Edit(5, 4, "a")], len(TEXT))
    with pytest.raises(ValueError, match="outside a text"):
        EditScript([], len(TEXT)).map_span(0, 99)
    with pytest.raises(ValueError, match="for a text of"):
        EditScript([], 3).apply(TEXT)


def test_the_inverse_takes_the_new_text_back():
    script = EditScript([Edit(0, 6, "Velorian"), Edit(22, 30, "")], len(TEXT))
    new = script.apply(TEXT)
    inverse = script.inverse(TEXT)
    assert inverse.apply(new) == TEXT
    assert inverse.map_span(*script.map_span(0, 13)) == (0, 13)


@st.composite
def _scripts_and_spans(draw):
    """A text, non-overlapping replacements (never empty ranges) and spans that either
    contain an edit wholly or miss it, as the perturbations make them."""
    text = draw(st.text(alphabet="abcdefgh .", min_size=1, max_size=60))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))))
    edits = []
    for left, right in zip(cuts[::2], cuts[1::2], strict=False):
        if left < right:
            edits.append(Edit(left, right, draw(st.text(alphabet="XYZ", max_size=5))))
    script = EditScript(edits, len(text))
    boundaries = sorted({0, len(text), *(e.start for e in edits), *(e.end for e in edits)})
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.sampled_from(boundaries))
        end = draw(st.sampled_from([b for b in boundaries if b >= start]))
        spans.append((start, end))
    return text, script, spans


def _expected_image(text: str, script: EditScript, start: int, end: int) -> str:
    """The span's own text with the edits inside it applied (the oracle)."""
    inside = [e for e in script.edits if start <= e.start and e.end <= end]
    out, position = [], start
    for edit in inside:
        out += [text[position : edit.start], edit.replacement]
        position = edit.end
    return "".join(out) + text[position:end]


@settings(max_examples=300, deadline=None)
@given(_scripts_and_spans())
def test_every_mapped_span_is_its_edited_text_and_the_inverse_recovers_it(case):
    text, script, spans = case
    new = script.apply(text)
    inverse = script.inverse(text)
    assert inverse.apply(new) == text
    for start, end in spans:
        new_start, new_end = script.map_span(start, end)
        if start < end:
            assert new[new_start:new_end] == _expected_image(text, script, start, end)
            # a deletion at a span's own edge leaves no trace of which side it was on
            edge_deletion = any(
                not e.replacement and (e.start == start or e.end == end)
                for e in script.edits
                if start <= e.start and e.end <= end
            )
            if not edge_deletion:
                assert inverse.map_span(new_start, new_end) == (start, end)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.data())
def test_equal_length_edits_keep_every_offset(text, data):
    positions = sorted(set(data.draw(st.lists(st.integers(0, max(0, len(text) - 1)), max_size=10))))
    edits = [Edit(p, p + 1, "Q") for p in positions if p < len(text)]
    script = EditScript(edits, len(text))
    for start in range(len(text) + 1):
        assert script.map_span(start, start) == (start, start)
    assert len(script.apply(text)) == len(text)
