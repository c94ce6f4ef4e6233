"""Event extraction scoring: golden cases (tests/golden/events/README.md) and properties."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval.coref import coref_counts
from newsbench.eval.event_scoring import (
    ARGUMENT_METRICS,
    METRICS,
    EventScoringError,
    hopper_clusters,
    score_events,
)
from newsbench.eval.units import LayerResult, UnitIndex
from newsbench.schema.contract import EVENT_TYPES, REALIS_VALUES, ROLES
from newsbench.schema.model import Argument, Document, Event, Mention, Span, TimeExpression
from newsbench.schema.tokens import token_offsets

GOLDEN = Path(__file__).parent / "golden" / "events" / "README.md"
TEXT = (
    "Rebels attacked Damascus on Friday. The city was shelled again. "
    "Troops moved the prisoners to Homs."
)
SENTENCE_ANCHORS = ("Rebels attacked", "The city was", "Troops moved")
UNITS = {f"s{i + 1}": i for i in range(len(SENTENCE_ANCHORS))}


def _at(anchor: str) -> tuple[int, int]:
    """Offsets of ``anchor``, which must occur exactly once in TEXT."""
    assert TEXT.count(anchor) == 1, anchor
    start = TEXT.index(anchor)
    return start, start + len(anchor)


def _mention(anchor: str, etype: str, entity: str | None, mtype: str = "NAM") -> Mention:
    start, end = _at(anchor)
    return Mention(f"m:{anchor}", start, end, anchor, etype, mtype, entity)


GOLD_MENTIONS = (
    _mention("Rebels", "ORG", "E1"),
    _mention("Damascus", "GPE", "E2"),
    _mention("The city", "GPE", "E2", "NOM"),
    _mention("Troops", "PER", "E3", "NOM"),
    _mention("the prisoners", "PER", "E4", "NOM"),
    _mention("Homs", "GPE", "E5"),
)
PRED_MENTIONS = (*GOLD_MENTIONS, _mention("prisoners", "PER", None, "NOM"))
TIMEXES = (TimeExpression("t:Friday", *_at("Friday"), "Friday", "DATE", "2024-12-06"),)
SENTENCE_UNITS = UnitIndex("sentence", tuple(_at(a)[0] for a in SENTENCE_ANCHORS))
ONE_UNIT = UnitIndex("document", (0,))


def _totals(result: LayerResult) -> dict[str, tuple[int, ...]]:
    return {
        metric: tuple(int(x) for x in array.sum(axis=0))
        for metric, array in result.table.arrays.items()
    }


# --- golden cases -------------------------------------------------------------------


def _load_golden() -> list[tuple[str, list[str]]]:
    cases = []
    for section in GOLDEN.read_text(encoding="utf-8").split("\n## ")[1:]:
        block = re.search(r"```golden\n(.*?)```", section, re.DOTALL)
        if block is None:
            continue
        cases.append((section.splitlines()[0].strip(), block[1].strip().splitlines()))
    return cases


GOLDEN_CASES = _load_golden()

_MODES = ("", ".head", ".coref")
_MACROS = {
    "ARGS": ARGUMENT_METRICS,
    **{
        f"ARGS.{name}": tuple(f"events.arg_{d}{m}" for d in defs for m in _MODES)
        for name, defs in {
            "plain": ("id", "cls"),
            "plus": ("id+", "cls+"),
            "id": ("id", "id+"),
            "cls": ("cls", "cls+"),
        }.items()
    },
    **{
        f"ARGS.{mode.strip('.') or 'span'}": tuple(
            f"events.arg_{d}{mode}" for d in ("id", "cls", "id+", "cls+")
        )
        for mode in _MODES
    },
}


def _expand(name: str) -> tuple[str, ...]:
    if name in _MACROS:
        return _MACROS[name]
    match = re.fullmatch(r"\[(.+)\]", name)
    if match:
        family = "trigger_cls" if match[1] in EVENT_TYPES else "arg_cls"
        return (f"events.{family}[{match[1]}]",)
    return (name,)


def _build(lines: list[str], side: str) -> Document:
    refs = {m.text: m.id for m in (PRED_MENTIONS if side == "pred" else GOLD_MENTIONS)}
    refs.update({t.text: t.id for t in TIMEXES})
    events = []
    for line in lines:
        fields = [f.strip() for f in line.split("|")]
        if fields[0] != side:
            continue
        _, trigger, etype, realis, args = fields
        arguments = tuple(
            Argument(role, refs[anchor])
            for role, anchor in (a.split("=") for a in args.split(", ") if args != "-")
        )
        events.append(
            Event(
                f"{side}{len(events)}",
                etype,
                Span(*_at(trigger), trigger),
                None if realis == "-" else realis,
                arguments,
            )
        )
    mentions = PRED_MENTIONS if side == "pred" else GOLD_MENTIONS
    return Document(
        "golden", TEXT, mentions=mentions, time_expressions=TIMEXES, events=tuple(events)
    )


def test_golden_file_covers_required_cases() -> None:
    titles = " | ".join(title for title, _ in GOLDEN_CASES).lower()
    for topic in (
        "perfect",
        "wrong type",
        "missed and spurious trigger",
        "right span and the wrong role",
        "argument on a wrong trigger",
        "head-only match",
        "coreference-aware match",
        "realis error",
        "duplicate gold tuples",
        "duplicate gold events",
        "duplicate predicted events",
    ):
        assert topic in titles, topic


@pytest.mark.parametrize(("title", "lines"), GOLDEN_CASES, ids=[t for t, _ in GOLDEN_CASES])
def test_golden_case(title: str, lines: list[str]) -> None:
    gold, pred = _build(lines, "gold"), _build(lines, "pred")
    result = score_events(gold, pred, SENTENCE_UNITS)
    totals = _totals(result)
    assert set(totals) == set(METRICS)
    expected_totals = dict.fromkeys(METRICS, (0, 0, 0, 0))
    errors: list[str] = []
    confusion: Counter[tuple[str, str]] = Counter()
    for line in lines:
        if line.startswith(("gold |", "pred |")):
            continue
        if line.startswith("errors "):
            errors = [] if line == "errors -" else line.removeprefix("errors ").split(", ")
            continue
        if line.startswith("confusion "):
            match = re.fullmatch(r"confusion (\S+) > (\S+) = (\d+)", line)
            assert match, line
            confusion[(match[1], match[2])] = int(match[3])
            continue
        match = re.fullmatch(r"(.+?)\s+P (\d+)/(\d+)\s+R (\d+)/(\d+)", line)
        assert match, f"{title}: bad line {line!r}"
        counts = tuple(int(match[i]) for i in range(2, 6))
        for name in match[1].split(", "):
            metric, _, unit = name.partition("@")
            for full in _expand(metric):
                assert full in METRICS, full
                if unit:
                    row = result.table.arrays[full][UNITS[unit]]
                    assert tuple(int(x) for x in row) == counts, (title, name)
                else:
                    expected_totals[full] = counts
    for metric in METRICS:
        assert totals[metric] == expected_totals[metric], (title, metric)
    assert sorted(e.kind for e in result.errors) == sorted(errors), title
    assert all(e.layer == "events" and e.document == "golden" for e in result.errors)
    assert result.details["events.confusion"] == confusion, title


def test_golden_error_records() -> None:
    """The error records carry the offsets, labels and texts of E02 and E04."""
    cases = dict(GOLDEN_CASES)
    wrong_type = cases["E02 wrong type"]
    result = score_events(_build(wrong_type, "gold"), _build(wrong_type, "pred"), ONE_UNIT)
    (type_error,) = [e for e in result.errors if e.kind == "type"]
    assert type_error.gold == type_error.pred == _at("attacked")
    assert (type_error.gold_label, type_error.pred_label) == (
        "Conflict.Attack",
        "Movement.TransportPerson",
    )
    assert type_error.gold_text == "attacked"
    assert "[[attacked]]" in type_error.context
    role_case = cases["E04 argument with the right span and the wrong role"]
    result = score_events(_build(role_case, "gold"), _build(role_case, "pred"), ONE_UNIT)
    (role_error,) = result.errors
    assert (role_error.kind, role_error.gold, role_error.pred) == (
        "role",
        _at("Rebels"),
        _at("Rebels"),
    )
    assert (role_error.gold_label, role_error.pred_label) == ("Attacker", "Target")
    assert "attacked" in role_error.note


# --- plain unit tests ---------------------------------------------------------------


def _simple_gold() -> Document:
    lines = [line for title, lines in GOLDEN_CASES if title.startswith("E01") for line in lines]
    return _build(lines, "gold")


def test_no_predicted_layer_counts_as_empty() -> None:
    gold = _simple_gold()
    missing = score_events(gold, replace(gold, events=None), SENTENCE_UNITS)
    empty = score_events(gold, replace(gold, events=()), SENTENCE_UNITS)
    assert _totals(missing) == _totals(empty)
    assert _totals(missing)["events.trigger_id"] == (0, 0, 0, 2)
    assert _totals(missing)["events.arg_cls+.coref"] == (0, 0, 0, 6)
    assert missing.errors == empty.errors
    assert Counter(e.kind for e in missing.errors) == {"missed": 2, "missed-argument": 6}


def test_every_metric_declared_for_empty_documents() -> None:
    empty = Document("empty", TEXT, events=())
    result = score_events(empty, empty, SENTENCE_UNITS)
    assert set(result.table.arrays) == set(METRICS)
    assert all(not array.any() for array in result.table.arrays.values())
    assert result.errors == []
    assert result.details == {"events.confusion": Counter()}
    assert len(METRICS) == len(set(METRICS)) == 2 + len(EVENT_TYPES) + 12 + len(ROLES) + 1


def test_dangling_reference_is_an_error() -> None:
    gold = _simple_gold()
    event = replace(gold.events[0], arguments=(Argument("Target", "nowhere"),))
    with pytest.raises(EventScoringError, match="nowhere"):
        score_events(gold, replace(gold, events=(event,)), ONE_UNIT)


def test_confusion_details_merge_with_plus() -> None:
    cases = dict(GOLDEN_CASES)
    lines = cases["E02 wrong type"]
    result = score_events(_build(lines, "gold"), _build(lines, "pred"), ONE_UNIT)
    merged = result.details["events.confusion"] + result.details["events.confusion"]
    assert merged == {("Conflict.Attack", "Movement.TransportPerson"): 2}


def test_hopper_clusters() -> None:
    def event(anchor: str, hopper: str | None, eid: str) -> Event:
        return Event(eid, "Conflict.Attack", Span(*_at(anchor), anchor), "ACTUAL", (), hopper)

    doc = Document(
        "h",
        TEXT,
        events=(
            event("shelled", "H1", "a"),
            event("moved", None, "b"),
            event("attacked", "H1", "c"),
            event("Troops", "H2", "d"),
        ),
    )
    assert hopper_clusters(doc) == [
        [_at("attacked"), _at("shelled")],
        [_at("Troops")],
        [_at("moved")],
    ]
    # Two events on the same trigger are one coreference mention: their clusters merge.
    doc = replace(doc, events=(*doc.events, event("moved", "H2", "e")))
    assert hopper_clusters(doc) == [
        [_at("attacked"), _at("shelled")],
        [_at("Troops"), _at("moved")],
    ]
    assert hopper_clusters(Document("e", TEXT)) == []


# --- properties ---------------------------------------------------------------------

TOKENS = token_offsets(TEXT)
SMALL_ROLES = ("Attacker", "Target", "Agent", "Time")


@st.composite
def doc_pairs(draw: Any) -> tuple[Document, Document]:
    """Draw a gold document and a prediction over TEXT with frequent collisions."""

    def span(max_len: int = 3) -> tuple[int, int]:
        i = draw(st.integers(0, len(TOKENS) - 1))
        j = draw(st.integers(i, min(len(TOKENS) - 1, i + max_len - 1)))
        return TOKENS[i][0], TOKENS[j][1]

    def mention(mid: str, entity: str | None) -> Mention:
        start, end = span()
        return Mention(mid, start, end, TEXT[start:end], "PER", "NAM", entity)

    gold_mentions = [
        mention(f"g{k}", f"E{draw(st.integers(0, 2))}") for k in range(draw(st.integers(1, 5)))
    ]
    pred_mentions = gold_mentions + [mention(f"p{k}", None) for k in range(draw(st.integers(0, 2)))]
    start, end = span(1)
    timexes = (TimeExpression("t0", start, end, TEXT[start:end], "DATE"),)
    triggers = [span(1) for _ in range(3)]

    def arguments(mentions: list[Mention]) -> tuple[Argument, ...]:
        out = []
        for _ in range(draw(st.integers(0, 3))):
            role = draw(st.sampled_from(SMALL_ROLES))
            ref = "t0" if role == "Time" else draw(st.sampled_from(mentions)).id
            out.append(Argument(role, ref))
        return tuple(out)

    def event(eid: str, mentions: list[Mention], realis: Any) -> Event:
        start, end = draw(st.sampled_from(triggers))
        return Event(
            eid,
            draw(st.sampled_from(EVENT_TYPES[:2])),
            Span(start, end, TEXT[start:end]),
            draw(realis),
            arguments(mentions),
            draw(st.sampled_from(["H0", "H1", None])),
        )

    gold_events = [
        event(f"ge{k}", gold_mentions, st.sampled_from(REALIS_VALUES))
        for k in range(draw(st.integers(0, 4)))
    ]
    pred_events = []
    for k, gold_event in enumerate(gold_events):
        choice = draw(st.sampled_from(["copy", "copy", "mutate", "drop"]))
        if choice == "copy":
            pred_events.append(replace(gold_event, id=f"pc{k}"))
        elif choice == "mutate":
            pred_events.append(
                replace(
                    gold_event,
                    id=f"pm{k}",
                    type=draw(st.sampled_from(EVENT_TYPES[:2])),
                    realis=draw(st.sampled_from([*REALIS_VALUES, None])),
                    arguments=arguments(pred_mentions),
                )
            )
    for k in range(draw(st.integers(0, 3))):
        pred_events.append(event(f"pn{k}", pred_mentions, st.sampled_from([*REALIS_VALUES, None])))
    gold = Document(
        "d",
        TEXT,
        mentions=tuple(gold_mentions),
        time_expressions=timexes,
        events=tuple(gold_events),
    )
    pred = Document(
        "d",
        TEXT,
        mentions=tuple(pred_mentions),
        time_expressions=timexes,
        events=tuple(pred_events),
    )
    return gold, pred


unit_indexes = st.lists(st.integers(1, len(TEXT) - 1), max_size=5, unique=True).map(
    lambda starts: UnitIndex("sentence", (0, *sorted(starts)))
)
PROPERTY_SETTINGS = settings(max_examples=80, deadline=None)


def _same_result(a: LayerResult, b: LayerResult) -> None:
    assert set(a.table.arrays) == set(b.table.arrays)
    for metric, array in a.table.arrays.items():
        assert np.array_equal(array, b.table.arrays[metric]), metric
    assert a.errors == b.errors
    assert a.details == b.details


@PROPERTY_SETTINGS
@given(doc_pairs(), unit_indexes)
def test_gold_against_itself_is_perfect(pair: tuple[Document, Document], units: UnitIndex) -> None:
    gold, _ = pair
    result = score_events(gold, gold, units)
    for metric, (p_num, p_den, r_num, r_den) in _totals(result).items():
        assert p_num == p_den and r_num == r_den, metric
    assert result.errors == []
    assert not result.details["events.confusion"]


def _shuffled(doc: Document, rng: random.Random) -> Document:
    events = [
        replace(e, arguments=tuple(rng.sample(e.arguments, len(e.arguments))))
        for e in doc.layer("events")
    ]
    rng.shuffle(events)
    mentions = list(doc.layer("mentions"))
    rng.shuffle(mentions)
    return replace(doc, events=tuple(events), mentions=tuple(mentions))


@PROPERTY_SETTINGS
@given(doc_pairs(), unit_indexes, st.randoms(use_true_random=False))
def test_permutation_invariance(
    pair: tuple[Document, Document], units: UnitIndex, rng: random.Random
) -> None:
    gold, pred = pair
    expected = score_events(gold, pred, units)
    _same_result(score_events(_shuffled(gold, rng), _shuffled(pred, rng), units), expected)


def _precision(counts: tuple[int, ...]) -> Fraction:
    return Fraction(counts[0], counts[1]) if counts[1] else Fraction(0)


@PROPERTY_SETTINGS
@given(doc_pairs(), st.data())
def test_spurious_event_never_raises_trigger_precision(
    pair: tuple[Document, Document], data: st.DataObject
) -> None:
    gold, pred = pair
    gold_triggers = {(e.trigger.start, e.trigger.end) for e in gold.layer("events")}
    free = [t for t in TOKENS if t not in gold_triggers]
    start, end = data.draw(st.sampled_from(free))
    spurious = Event(
        "spurious",
        data.draw(st.sampled_from(EVENT_TYPES)),
        Span(start, end, TEXT[start:end]),
        "ACTUAL",
        (Argument("Target", gold.mentions[0].id),),
    )
    before = _totals(score_events(gold, pred, SENTENCE_UNITS))
    after = _totals(score_events(gold, replace(pred, events=(*pred.events, spurious)), ONE_UNIT))
    for metric in ("events.trigger_id", "events.trigger_cls"):
        assert _precision(after[metric]) <= _precision(before[metric])
        assert after[metric][1] == before[metric][1] + 1
        assert after[metric][2:] == before[metric][2:]


@PROPERTY_SETTINGS
@given(doc_pairs(), unit_indexes)
def test_breakdowns_sum_to_overall(pair: tuple[Document, Document], units: UnitIndex) -> None:
    arrays = score_events(*pair, units).table.arrays
    by_type = sum(arrays[f"events.trigger_cls[{t}]"] for t in EVENT_TYPES)
    assert np.array_equal(by_type, arrays["events.trigger_cls"])
    by_role = sum(arrays[f"events.arg_cls[{r}]"] for r in ROLES)
    assert np.array_equal(by_role, arrays["events.arg_cls"])


@PROPERTY_SETTINGS
@given(doc_pairs(), unit_indexes)
def test_unit_totals_do_not_depend_on_the_units(
    pair: tuple[Document, Document], units: UnitIndex
) -> None:
    one = score_events(*pair, ONE_UNIT)
    many = score_events(*pair, units)
    assert _totals(one) == _totals(many)
    assert one.errors == many.errors
    assert one.details == many.details


@PROPERTY_SETTINGS
@given(doc_pairs())
def test_metric_orderings(pair: tuple[Document, Document]) -> None:
    """Coarser keys never match less; stricter tuples never match more."""
    totals = _totals(score_events(*pair, SENTENCE_UNITS))

    def at_most(stricter: str, looser: str) -> None:
        assert totals[stricter][0] <= totals[looser][0], (stricter, looser)
        assert totals[stricter][2] <= totals[looser][2], (stricter, looser)
        assert totals[stricter][1::2] == totals[looser][1::2], (stricter, looser)

    for definition in ("arg_id", "arg_cls", "arg_id+", "arg_cls+"):
        for mode in (".head", ".coref"):
            at_most(f"events.{definition}", f"events.{definition}{mode}")
    for mode in _MODES:
        at_most(f"events.arg_cls{mode}", f"events.arg_id{mode}")
        at_most(f"events.arg_cls+{mode}", f"events.arg_cls{mode}")
        at_most(f"events.arg_id+{mode}", f"events.arg_id{mode}")
    at_most("events.trigger_cls", "events.trigger_id")
    realis = totals["events.realis"]
    assert realis[1] == realis[3] == totals["events.trigger_cls"][0]
    assert realis[0] == realis[2] <= realis[1]


@PROPERTY_SETTINGS
@given(doc_pairs())
def test_hopper_clusters_are_valid_coreference_input(pair: tuple[Document, Document]) -> None:
    gold, pred = pair
    key, response = hopper_clusters(gold), hopper_clusters(pred)
    coref_counts(key, response)
    triggers = {(e.trigger.start, e.trigger.end) for e in gold.layer("events")}
    assert sorted(t for cluster in key for t in cluster) == sorted(triggers)
