"""Tests for newsbench.eval.attribution_scoring.

Golden cases: tests/golden/attributions/README.md holds the hand derivations and, in its
``golden`` block, every expected number; the documents are built here from their text
(offsets always come from ``text.index``). Hypothesis properties check self-scoring,
order independence, monotonicity under spurious predictions, breakdown sums and
partial >= strict.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsbench.eval.attribution_scoring import (
    BREAKDOWN_METRICS,
    METRICS,
    content_dice,
    score_attributions,
)
from newsbench.eval.units import LayerResult, UnitIndex
from newsbench.schema.contract import ATTRIBUTION_MODES, SOURCE_CLASSES
from newsbench.schema.model import Attribution, Document, Mention, Sentence, Source, Span
from newsbench.schema.tokens import token_offsets

GOLDEN_README = Path(__file__).parent / "golden" / "attributions" / "README.md"

# --------------------------------------------------------------------------- #
# Building documents from text (no hand-typed offsets)
# --------------------------------------------------------------------------- #

Phrase = str | tuple[str, str]
"""A phrase, or ``(phrase, anchor)``: the first occurrence at or after ``anchor``."""


def locate(text: str, phrase: Phrase) -> Span:
    """Return the span of ``phrase`` in ``text``; a bare phrase must occur exactly once."""
    if isinstance(phrase, tuple):
        phrase, anchor = phrase
        start = text.index(phrase, text.index(anchor))
    else:
        assert text.count(phrase) == 1, f"ambiguous phrase {phrase!r}: give an anchor"
        start = text.index(phrase)
    return Span(start, start + len(phrase), phrase)


def mention(text: str, mid: str, phrase: Phrase, entity: str | None, etype: str = "PER") -> Mention:
    s = locate(text, phrase)
    return Mention(mid, s.start, s.end, s.text, etype, "NAM", entity)


def attribution(
    text: str,
    aid: str,
    cue: list[Phrase],
    source: Phrase | None,
    content: list[Phrase],
    *,
    head: str | None = None,
    mode: str | None = "INDIRECT",
    cls: str | None = "UNNAMED",
    parent: str | None = None,
) -> Attribution:
    src = None
    if source is not None:
        s = locate(text, source)
        src = Source(s.start, s.end, s.text, head)
    return Attribution(
        id=aid,
        cue=tuple(locate(text, c) for c in cue),
        content=tuple(locate(text, c) for c in content),
        source=src,
        source_class=cls,
        mode=mode,
        parent=parent,
    )


def document(
    text: str,
    attributions: list[Attribution] | None,
    mentions: Sequence[Mention] | None = (),
    sentences: list[str] | None = None,
) -> Document:
    sents = None
    if sentences is not None:
        sents = tuple(
            Sentence(f"s{k}", s.start, s.end, s.text)
            for k, s in enumerate(locate(text, x) for x in sentences)
        )
    return Document(
        id="doc",
        text=text,
        sentences=sents,
        mentions=None if mentions is None else tuple(mentions),
        attributions=None if attributions is None else tuple(attributions),
    )


def score(gold: Document, pred: Document, **kwargs: Any) -> LayerResult:
    units = UnitIndex.for_document(gold, "sentence")
    return score_attributions(gold, pred, units, **kwargs)


def totals(result: LayerResult) -> dict[str, np.ndarray]:
    return {m: a.sum(axis=0) for m, a in result.table.arrays.items()}


# --------------------------------------------------------------------------- #
# Golden cases (tests/golden/attributions/README.md)
# --------------------------------------------------------------------------- #


def case_perfect() -> tuple[Document, Document]:
    text = "Reuters said the rebels entered Homs."
    m = [mention(text, "m1", "Reuters", "E1", "ORG")]
    a = attribution(
        text,
        "a1",
        ["said"],
        "Reuters",
        ["the rebels entered Homs"],
        head="m1",
        cls="NAMED_ORGANIZATION",
    )
    return document(text, [a], m), document(text, [replace(a, id="p1")], m)


SHORT_TEXT = "Officials said rebels entered Homs after a long siege."


def _short_case(pred_content: str) -> tuple[Document, Document]:
    text = SHORT_TEXT
    m = [mention(text, "m1", "Officials", "E1")]
    g = attribution(
        text, "a1", ["said"], "Officials", ["rebels entered Homs after a long siege"], head="m1"
    )
    p = attribution(text, "p1", ["said"], "Officials", [pred_content], head="m1")
    return document(text, [g], m), document(text, [p], m)


def case_short() -> tuple[Document, Document]:
    return _short_case("rebels entered")


def case_above() -> tuple[Document, Document]:
    return _short_case("rebels entered Homs")


DISC_TEXT = '"We will not leave," the commander said, "until the city is safe."'


def case_discontinuous() -> tuple[Document, Document]:
    text = DISC_TEXT
    m = [mention(text, "m1", "commander", "E1")]
    g = attribution(
        text,
        "a1",
        ["said"],
        "the commander",
        ['"We will not leave,"', '"until the city is safe."'],
        head="m1",
        mode="DIRECT",
    )
    p = attribution(
        text,
        "p1",
        ["said"],
        "the commander",
        ['"We will not leave," the commander said, "until the city is safe."'],
        head="pm1",
        mode="DIRECT",
    )
    pm = [replace(m[0], id="pm1", entity=None)]
    return document(text, [g], m), document(text, [p], pm)


COREF_TEXT = "Ahmed Saleh is the mayor. He said the army had left."


def _coref_gold() -> tuple[Document, list[Mention]]:
    text = COREF_TEXT
    m = [
        mention(text, "m1", "Ahmed Saleh", "E1"),
        mention(text, "m2", "mayor", "E1"),
        mention(text, "m3", "He", "E1"),
        mention(text, "m4", "army", "E2", "ORG"),
    ]
    g = attribution(
        text, "a1", ["said"], "He", ["the army had left"], head="m3", cls="NAMED_PERSON"
    )
    return document(text, [g], m), m


def case_coref() -> tuple[Document, Document]:
    gold, _ = _coref_gold()
    text = COREF_TEXT
    pm = [Mention("x1", *_se(text, "Ahmed Saleh"), "Ahmed Saleh", "PER", "NAM", None)]
    p = attribution(
        text,
        "p1",
        ["said"],
        "Ahmed Saleh",
        ["the army had left"],
        head="x1",
        cls="NAMED_PERSON",
    )
    return gold, document(text, [p], pm)


def _coref_no_head(source: Phrase) -> tuple[Document, Document]:
    gold, _ = _coref_gold()
    text = COREF_TEXT
    p = attribution(
        text, "p1", ["said"], source, ["the army had left"], head=None, cls="NAMED_PERSON"
    )
    return gold, document(text, [p], None)


def case_coref_no_head() -> tuple[Document, Document]:
    return _coref_no_head("mayor")


def case_coref_np_no_head() -> tuple[Document, Document]:
    return _coref_no_head("the mayor")


def _se(text: str, phrase: Phrase) -> tuple[int, int]:
    s = locate(text, phrase)
    return s.start, s.end


WRONG_TEXT = "Officials told Reuters the base was hit."


def case_wrong_source() -> tuple[Document, Document]:
    text = WRONG_TEXT
    m = [mention(text, "m1", "Officials", "E1"), mention(text, "m2", "Reuters", "E2", "ORG")]
    g = attribution(text, "a1", ["told"], "Officials", ["the base was hit"], head="m1")
    p = attribution(text, "p1", ["told"], "Reuters", ["the base was hit"], head="m2")
    return document(text, [g], m), document(text, [p], m)


SHARED_TEXT = "The sources said the rebels entered the city and troops left Hama."


def case_shared_cue() -> tuple[Document, Document]:
    text = SHARED_TEXT
    m = [mention(text, "m1", "sources", "E1")]
    g = [
        attribution(
            text, "a1", ["said"], "The sources", ["the rebels entered the city"], head="m1"
        ),
        attribution(text, "a2", ["said"], "The sources", ["troops left Hama"], head="m1"),
    ]
    p = [
        attribution(
            text,
            "p1",
            ["said"],
            "The sources",
            ["the rebels entered the city and troops left Hama"],
            head="m1",
        ),
        attribution(text, "p2", ["said"], "The sources", ["rebels entered"], head="m1"),
    ]
    return document(text, g, m), document(text, p, m)


NESTED_TEXT = "Reuters reported that officials said the army withdrew."


def _nested(pred_parent: str | None) -> tuple[Document, Document]:
    text = NESTED_TEXT
    m = [mention(text, "m1", "Reuters", "E1", "ORG"), mention(text, "m2", "officials", "E2")]

    def pair(prefix: str, parent: str | None) -> list[Attribution]:
        return [
            attribution(
                text,
                f"{prefix}1",
                ["reported"],
                "Reuters",
                ["officials said the army withdrew"],
                head="m1",
                cls="NAMED_ORGANIZATION",
            ),
            attribution(
                text,
                f"{prefix}2",
                ["said"],
                "officials",
                ["the army withdrew"],
                head="m2",
                parent=parent,
            ),
        ]

    return document(text, pair("a", "a1"), m), document(text, pair("x", pred_parent), m)


def case_nested() -> tuple[Document, Document]:
    return _nested("x1")


def case_nested_no_parent() -> tuple[Document, Document]:
    return _nested(None)


BREAK_TEXT = (
    'Hamas said "the truce is over" on Monday. Residents said the shelling continued. '
    "Witnesses described fires."
)


def case_breakdown() -> tuple[Document, Document]:
    text = BREAK_TEXT
    m = [
        mention(text, "m1", "Hamas", "E1", "ORG"),
        mention(text, "m2", "Residents", "E2"),
        mention(text, "m3", "Witnesses", "E3"),
    ]
    sentences = [
        'Hamas said "the truce is over" on Monday.',
        "Residents said the shelling continued.",
        "Witnesses described fires.",
    ]
    g = [
        attribution(
            text,
            "a1",
            [("said", "Hamas")],
            "Hamas",
            ['"the truce is over"'],
            head="m1",
            mode="DIRECT",
            cls="NAMED_ORGANIZATION",
        ),
        attribution(
            text,
            "a2",
            [("said", "Residents")],
            "Residents",
            ["the shelling continued"],
            head="m2",
            mode="INDIRECT",
            cls="UNNAMED",
        ),
    ]
    p = [
        attribution(
            text,
            "p1",
            [("said", "Hamas")],
            "Hamas",
            ["the truce is over"],
            head="m1",
            mode="INDIRECT",
            cls="NAMED_ORGANIZATION",
        ),
        attribution(
            text,
            "p2",
            [("said", "Residents")],
            "Residents",
            ["the shelling continued"],
            head="m2",
            mode="INDIRECT",
            cls="NAMED_PERSON",
        ),
        attribution(
            text, "p3", ["described"], "Witnesses", ["fires"], head="m3", mode="MIXED", cls=None
        ),
    ]
    return document(text, g, m, sentences), document(text, p, m, sentences)


CASES = {
    "perfect": (case_perfect, {}),
    "short": (case_short, {}),
    "above": (case_above, {}),
    "above@0.6": (case_above, {"content_threshold": 0.6}),
    "above@0.61": (case_above, {"content_threshold": 0.61}),
    "discontinuous": (case_discontinuous, {}),
    "coref": (case_coref, {}),
    "coref-nohead": (case_coref_no_head, {}),
    "coref-np-nohead": (case_coref_np_no_head, {}),
    "wrong-source": (case_wrong_source, {}),
    "shared-cue": (case_shared_cue, {}),
    "nested": (case_nested, {}),
    "nested-noparent": (case_nested_no_parent, {}),
    "breakdown": (case_breakdown, {}),
}


def load_golden() -> dict[str, dict[str, str]]:
    """Parse ``case metric [metric ...] = values`` lines into ``case -> metric -> values``."""
    text = GOLDEN_README.read_text(encoding="utf-8")
    match = re.search(r"```golden\n(.*?)```", text, re.S)
    assert match, "golden block missing from tests/golden/attributions/README.md"
    cases: dict[str, dict[str, str]] = {}
    for line in match.group(1).splitlines():
        if line.strip():
            key, _, value = (part.strip() for part in line.rpartition(" ="))
            case, *fields = key.split()
            for field in fields:
                assert field not in cases.get(case, {}), f"duplicate {case} {field}"
                cases.setdefault(case, {})[field] = value
    return cases


GOLDEN = load_golden()


def test_golden_block_covers_every_case() -> None:
    assert set(GOLDEN) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_case(name: str) -> None:
    """Every metric with a non-zero row, and only those, has the README's totals."""
    build, kwargs = CASES[name]
    gold, pred = build()
    result = score(gold, pred, **kwargs)
    expected = dict(GOLDEN[name])
    errors = expected.pop("errors", "")
    got = {m: t for m, t in totals(result).items() if t.any()}
    assert set(got) == set(expected), (sorted(got), sorted(expected))
    for metric, value in expected.items():
        want = [float(Fraction(x)) for x in value.split()]
        assert got[metric] == pytest.approx(want, abs=1e-12), metric
    kinds = sorted(e.kind for e in result.errors)
    assert kinds == sorted(errors.split()), [e.to_dict() for e in result.errors]


def test_golden_breakdown_units() -> None:
    """Items are credited to the sentence of their first cue token."""
    gold, pred = case_breakdown()
    result = score(gold, pred)
    relation = result.table.arrays["attr.relation"]
    # (p_num, p_den, r_num, r_den) per sentence: a1/p1, a2/p2, p3.
    assert relation.tolist() == [[1, 1, 1, 1], [1, 1, 1, 1], [0, 1, 0, 0]]
    assert result.table.arrays["attr.mode"].tolist() == [[0, 1, 0, 1], [1, 1, 1, 1], [0, 0, 0, 0]]


def test_shared_cue_greedy_would_fail() -> None:
    """The highest-Dice pair (p1, a1) is not part of the optimal alignment."""
    gold, pred = case_shared_cue()
    index = {a.id: a for a in (*gold.layer("attributions"), *pred.layer("attributions"))}
    toks = token_offsets(gold.text)

    def tokens(a: Attribution) -> frozenset[int]:
        return frozenset(
            k for k, (s, e) in enumerate(toks) for c in a.content if s < c.end and c.start < e
        )

    dice = {
        (g, p): content_dice(tokens(index[g]), tokens(index[p]))
        for g in ("a1", "a2")
        for p in ("p1", "p2")
    }
    assert dice == {
        ("a1", "p1"): Fraction(5, 7),
        ("a1", "p2"): Fraction(4, 7),
        ("a2", "p1"): Fraction(1, 2),
        ("a2", "p2"): Fraction(0),
    }
    assert max(dice, key=dice.__getitem__) == ("a1", "p1")
    result = score(gold, pred)
    assert totals(result)["attr.relation"].tolist() == [2, 2, 2, 2]


def test_error_records_explain_near_misses() -> None:
    gold, pred = case_short()
    [error] = score(gold, pred).errors
    assert error.kind == "content-overlap"
    assert "4/9" in error.note
    assert error.layer == "attributions" and error.document == "doc"
    gold, pred = case_wrong_source()
    [error] = score(gold, pred).errors
    assert error.kind == "source" and "'Reuters'" in error.note
    gold, pred = case_nested_no_parent()
    [error] = score(gold, pred).errors
    assert (error.kind, error.gold_label, error.pred_label) == ("parent", "a1", None)


def test_cue_near_miss() -> None:
    """Same source and content but disjoint cues: one ``cue`` record, no missed/spurious."""
    text = "Officials said and later repeated that the base was hit."
    m = [mention(text, "m1", "Officials", "E1")]
    g = attribution(text, "a1", ["said"], "Officials", ["the base was hit"], head="m1")
    p = attribution(text, "p1", ["repeated"], "Officials", ["the base was hit"], head="m1")
    result = score(document(text, [g], m), document(text, [p], m))
    assert [e.kind for e in result.errors] == ["cue"]


def test_identical_duplicates_align_rank_to_rank() -> None:
    """Two attributions differing only by id: self-scoring keeps each parent link right."""
    text = "Officials said that officials said the city fell."
    m = [mention(text, "m1", ("officials", "that"), "E1")]
    twin = attribution(
        text, "a0", [("said", "that")], ("officials", "that"), ["the city fell"], head="m1"
    )
    inner = attribution(
        text,
        "a2",
        [("said", "that")],
        ("officials", "that"),
        ["the city fell"],
        head="m1",
        parent="a0",
    )
    gold = document(text, [twin, replace(twin, id="a1"), inner], m)
    t = totals(score(gold, gold))
    assert t["attr.parent"].tolist() == [1, 1, 1, 1]
    assert t["attr.relation"].tolist() == [3, 3, 3, 3]


# --------------------------------------------------------------------------- #
# API edge cases
# --------------------------------------------------------------------------- #


def test_prediction_layer_missing_counts_as_empty() -> None:
    gold, _ = case_perfect()
    pred = replace(gold, attributions=None)
    t = totals(score(gold, pred))
    assert t["attr.relation"].tolist() == [0, 0, 0, 1]
    assert t["attr.content.partial"].tolist() == [0, 0, 0, 1]
    assert [e.kind for e in score(gold, pred).errors] == ["missed"]


def test_every_metric_is_declared() -> None:
    gold = document("Nothing was said.", [])
    result = score(gold, gold)
    assert set(result.table.arrays) == set(METRICS) | set(BREAKDOWN_METRICS)
    assert not any(a.any() for a in result.table.arrays.values())
    assert result.errors == []


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), True])
def test_threshold_is_validated(bad: float) -> None:
    gold, pred = case_perfect()
    with pytest.raises(ValueError, match="content_threshold"):
        score(gold, pred, content_threshold=bad)


def test_prediction_spans_cutting_words_use_whole_tokens() -> None:
    """A predicted span touching part of a token covers that token (token-level scoring)."""
    gold, pred = case_perfect()
    text = gold.text
    a = pred.layer("attributions")[0]
    s = locate(text, "said")
    cut = replace(a, cue=(Span(s.start + 1, s.end + 1, text[s.start + 1 : s.end + 1]),))
    t = totals(score(gold, replace(pred, attributions=(cut,))))
    assert t["attr.cue"].tolist() == [1, 1, 1, 1]


# --------------------------------------------------------------------------- #
# Hypothesis properties
# --------------------------------------------------------------------------- #

WORDS = [
    "Officials",
    "said",
    "the",
    "rebels",
    "told",
    "Reuters",
    "city",
    "fell",
    ",",
    ".",
    '"',
    "He",
    "army",
    "according",
    "to",
    "Homs",
    "on",
    "Friday",
    "é",
]


@st.composite
def gold_and_pred(draw: Any) -> tuple[Document, Document]:
    """A gold document with attributions, and a prediction derived from it by noise."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=4, max_size=24))
    text = " ".join(words)
    toks = token_offsets(text)
    n = len(toks)

    def span() -> Span:
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(i, min(n - 1, i + 3)))
        return Span(toks[i][0], toks[j][1], text[toks[i][0] : toks[j][1]])

    mentions = []
    for k in range(draw(st.integers(1, 4))):
        s = span()
        mentions.append(
            Mention(f"m{k}", s.start, s.end, s.text, "PER", "NOM", f"E{draw(st.integers(0, 2))}")
        )
    attributions: list[Attribution] = []
    for k in range(draw(st.integers(0, 4))):
        head = draw(st.sampled_from(mentions))
        source = Source(head.start, head.end, head.text, head.id)
        parent = None
        if attributions and draw(st.booleans()):
            parent = draw(st.sampled_from(attributions)).id
        attributions.append(
            Attribution(
                id=f"a{k}",
                cue=tuple(span() for _ in range(draw(st.integers(1, 2)))),
                content=tuple(span() for _ in range(draw(st.integers(1, 2)))),
                source=source,
                source_class=draw(st.sampled_from(SOURCE_CLASSES)),
                mode=draw(st.sampled_from(ATTRIBUTION_MODES)),
                parent=parent,
            )
        )
    cuts = sorted(set(draw(st.lists(st.integers(1, n - 1), max_size=2)))) if n > 1 else []
    bounds = [0, *(toks[c][0] for c in cuts), len(text)]
    sentences = tuple(
        Sentence(f"s{k}", bounds[k], bounds[k + 1], text[bounds[k] : bounds[k + 1]])
        for k in range(len(bounds) - 1)
    )
    gold = Document(
        "doc", text, sentences=sentences, mentions=tuple(mentions), attributions=tuple(attributions)
    )

    pred_mentions = tuple(replace(m, id=f"p{m.id}", entity=None) for m in mentions)
    pred_attrs: list[Attribution] = []
    for k, a in enumerate(attributions):
        action = draw(st.sampled_from(["keep", "drop", "noise", "noise"]))
        if action == "drop":
            continue
        new = replace(a, id=f"x{k}", parent=None if a.parent is None else f"x{a.parent[1:]}")
        if a.source is not None:
            new = replace(new, source=replace(a.source, mention=f"p{a.source.mention}"))
        if action == "noise":
            if draw(st.booleans()):
                new = replace(new, content=tuple(span() for _ in range(draw(st.integers(1, 2)))))
            if draw(st.booleans()):
                new = replace(new, cue=(span(),))
            if draw(st.booleans()):
                s = span()
                new = replace(new, source=Source(s.start, s.end, s.text, None))
            new = replace(
                new,
                mode=draw(st.sampled_from([*ATTRIBUTION_MODES, None])),
                source_class=draw(st.sampled_from([*SOURCE_CLASSES, None])),
            )
        pred_attrs.append(new)
    # Dangling parents (a dropped parent) are dropped, as a valid prediction would.
    ids = {a.id for a in pred_attrs}
    pred_attrs = [a if a.parent in ids else replace(a, parent=None) for a in pred_attrs]
    for k in range(draw(st.integers(0, 2))):
        s = span()
        pred_attrs.append(
            Attribution(f"y{k}", (span(),), (span(),), Source(s.start, s.end, s.text, None))
        )
    pred = Document("doc", text, mentions=pred_mentions, attributions=tuple(pred_attrs))
    return gold, pred


PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(gold_and_pred())
def test_gold_against_itself_is_perfect(docs: tuple[Document, Document]) -> None:
    gold, _ = docs
    result = score(gold, gold)
    for metric, (p_num, p_den, r_num, r_den) in totals(result).items():
        assert p_num == pytest.approx(p_den), metric
        assert r_num == pytest.approx(r_den), metric
    assert result.errors == []
    t = totals(result)
    n = len(gold.layer("attributions"))
    assert t["attr.relation"].tolist() == [n, n, n, n]


@PROPERTY_SETTINGS
@given(gold_and_pred(), st.randoms(use_true_random=False))
def test_permutation_invariance(docs: tuple[Document, Document], rnd: random.Random) -> None:
    gold, pred = docs
    base = score(gold, pred)

    def shuffled(doc: Document) -> Document:
        attrs = list(doc.layer("attributions"))
        mentions = list(doc.layer("mentions"))
        rnd.shuffle(attrs)
        rnd.shuffle(mentions)
        return replace(doc, attributions=tuple(attrs), mentions=tuple(mentions))

    other = score(shuffled(gold), shuffled(pred))
    assert base.table.arrays.keys() == other.table.arrays.keys()
    for metric, array in base.table.arrays.items():
        assert np.array_equal(array, other.table.arrays[metric]), metric
    assert base.errors == other.errors


@PROPERTY_SETTINGS
@given(gold_and_pred(), st.data())
def test_spurious_attribution_never_raises_relation_precision(
    docs: tuple[Document, Document], data: st.DataObject
) -> None:
    gold, pred = docs
    text = gold.text
    toks = token_offsets(text)
    gold_cue = {
        k
        for a in gold.layer("attributions")
        for c in a.cue
        for k, (s, e) in enumerate(toks)
        if s < c.end and c.start < e
    }
    free = [k for k in range(len(toks)) if k not in gold_cue]
    assume(free)
    k = data.draw(st.sampled_from(free))
    c = data.draw(st.integers(0, len(toks) - 1))
    cue = Span(toks[k][0], toks[k][1], text[toks[k][0] : toks[k][1]])
    content = Span(toks[c][0], toks[c][1], text[toks[c][0] : toks[c][1]])
    extra = Attribution("spurious", (cue,), (content,), None, mode="DIRECT")
    before = totals(score(gold, pred))["attr.relation"]
    after = totals(score(gold, replace(pred, attributions=(*pred.layer("attributions"), extra))))[
        "attr.relation"
    ]
    assert after[0] == before[0] and after[1] == before[1] + 1
    assert after[2:].tolist() == before[2:].tolist()
    if before[1]:
        assert after[0] / after[1] <= before[0] / before[1]


@PROPERTY_SETTINGS
@given(gold_and_pred())
def test_breakdowns_sum_to_overall(docs: tuple[Document, Document]) -> None:
    gold, pred = docs
    arrays = score(gold, pred).table.arrays
    for base in ("attr.content.partial", "attr.relation"):
        for kind in ("mode", "class"):
            parts = [a for m, a in arrays.items() if m.startswith(f"{base}[{kind}=")]
            np.testing.assert_allclose(sum(parts), arrays[base], atol=1e-9)


@PROPERTY_SETTINGS
@given(gold_and_pred())
def test_partial_dominates_strict(docs: tuple[Document, Document]) -> None:
    gold, pred = docs
    arrays = score(gold, pred).table.arrays
    for c in ("cue", "source", "content"):
        a, b = arrays[f"attr.{c}.partial"], arrays[f"attr.{c}"]
        assert np.all(a[:, [0, 2]] >= b[:, [0, 2]] - 1e-12), (c, a, b)
        assert np.array_equal(a[:, [1, 3]], b[:, [1, 3]])
    # The strict relation matching is a matching of a subgraph: never more pairs in total.
    a, b = arrays["attr.relation"].sum(axis=0), arrays["attr.relation.strict"].sum(axis=0)
    assert a[0] >= b[0] and a[2] >= b[2] and a[1] == b[1] and a[3] == b[3]
