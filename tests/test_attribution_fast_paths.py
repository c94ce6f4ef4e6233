"""The shortcuts of the attribution scorer equal the plain computations they replace.

* :class:`_TokenIndex` tokenises only the stretch of text the spans cover and names a
  token by its start offset; its token sets must correspond, one for one and in the same
  order, to the sets of whole-text token indices (:func:`token_offsets`) the spans touch.
* :func:`_items` sorts by the first offset alone when the first offsets are distinct; the
  order must be the full canonical sort.
* :func:`_assign` returns a graph of lone edges as it is; it must be an optimal matching.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval import attribution_scoring as attribution
from newsbench.eval.units import UnitIndex
from newsbench.schema.model import Attribution, Source, Span
from newsbench.schema.tokens import token_offsets

ALPHABET = "ab_1é中 \n.,-'"
"""Word characters (ASCII, accented, CJK, digit, underscore), spaces and punctuation."""


@st.composite
def texts_and_attributions(draw: st.DrawFn) -> tuple[str, list[Attribution]]:
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=40))

    def span() -> Span:
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        return Span(start, end, text[start:end])

    attrs = []
    for k in range(draw(st.integers(0, 6))):
        cue = tuple(span() for _ in range(draw(st.integers(0, 2))))
        content = tuple(span() for _ in range(draw(st.integers(1, 3))))
        source = None
        if draw(st.booleans()):
            s = span()
            source = Source(s.start, s.end, s.text, draw(st.sampled_from([None, "m1", "m2"])))
        attrs.append(
            Attribution(
                id=draw(st.sampled_from([f"a{k}", "dup"])),
                cue=cue,
                content=content,
                source=source,
                mode=draw(st.sampled_from([None, "DIRECT", "INDIRECT"])),
                source_class=draw(st.sampled_from([None, "ANONYMOUS"])),
            )
        )
    return text, attrs


def _reference_tokens(offsets: Sequence[tuple[int, int]], spans: Sequence[Span]) -> set[int]:
    """Indices of the whole-text tokens sharing a character with one of ``spans``."""
    return {
        n
        for n, (t_start, t_end) in enumerate(offsets)
        for s in spans
        if s.start < s.end and t_end > s.start and t_start < s.end
    }


@settings(max_examples=300, deadline=None)
@given(texts_and_attributions())
def test_token_sets_correspond_to_whole_text_token_indices(
    case: tuple[str, list[Attribution]],
) -> None:
    text, attrs = case
    index = attribution._TokenIndex(text, attrs)
    offsets = token_offsets(text)
    span_lists = [list(a.cue) for a in attrs] + [list(a.content) for a in attrs]
    span_lists += [[Span(a.source.start, a.source.end, "")] for a in attrs if a.source]
    name_of: dict[int, int] = {}  # whole-text token index -> name in the index
    for spans in span_lists:
        got = index.tokens(spans)
        want = _reference_tokens(offsets, spans)
        assert len(got) == len(want)
        for n, name in zip(sorted(want), sorted(got), strict=True):
            assert name_of.setdefault(n, name) == name
    # One name per token, increasing with the token index: the sets intersect, compare
    # and sort as the index sets do.
    names = [name_of[n] for n in sorted(name_of)]
    assert names == sorted(set(names))


@settings(max_examples=300, deadline=None)
@given(texts_and_attributions(), st.data())
def test_item_order_is_the_canonical_sort(
    case: tuple[str, list[Attribution]], data: st.DataObject
) -> None:
    text, attrs = case
    attrs = data.draw(st.permutations(attrs))
    index = attribution._TokenIndex(text, attrs)
    units = UnitIndex("sentence", (0, len(text) // 2))
    unsorted = [attribution._items([a], index, units)[0] for a in attrs]
    want = sorted(unsorted, key=attribution._canonical_key)
    assert attribution._items(attrs, index, units) == want


def _objective(
    pairs: Sequence[tuple[int, int]], edges: dict[tuple[int, int], tuple[int, ...]]
) -> tuple[int, ...]:
    """The lexicographic value of a matching: the level sums, then the equal-rank pairs."""
    depth = len(next(iter(edges.values())))
    sums = [sum(edges[e][level] for e in pairs) for level in range(depth)]
    return (*sums, sum(i == j for i, j in pairs))


def _best(edges: dict[tuple[int, int], tuple[int, ...]]) -> tuple[int, ...]:
    """The best objective over every matching, by enumeration."""
    best: tuple[int, ...] = ()
    keys = sorted(edges)
    for size in range(len(keys) + 1):
        for subset in itertools.combinations(keys, size):
            rows = {i for i, _ in subset}
            cols = {j for _, j in subset}
            if len(rows) == len(cols) == size:
                best = max(best, _objective(subset, edges))
    return best


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(1, 3), st.integers(0, 1)),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_assignment_is_an_optimal_matching(
    raw: list[tuple[int, int, int, int]], lone_only: bool
) -> None:
    if lone_only:  # keep the first edge at each row and at each column
        seen_rows: set[int] = set()
        seen_cols: set[int] = set()
        kept = []
        for i, j, a, b in raw:
            if i not in seen_rows and j not in seen_cols:
                seen_rows.add(i)
                seen_cols.add(j)
                kept.append((i, j, a, b))
        raw = kept
    edges = {(i, j): (a, b) for i, j, a, b in raw}
    pairs = attribution._assign(edges, (3, 1))
    assert pairs == sorted(pairs)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert set(pairs) <= set(edges)
    assert _objective(pairs, edges) == _best(edges)
    if lone_only:
        assert pairs == sorted(edges)
