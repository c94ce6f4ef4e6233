"""The fast paths of loading and validation give exactly what the plain code gives.

* :func:`document_from_dict` builds frozen objects through mutable twins: the objects must
  be equal, hash and pickle exactly like the ones the dataclass constructors build.
* The word-boundary tests use a regex: ``\\w`` must be :func:`is_word_char`.
* The semantic checks skip their path-building loops when a fast test finds nothing; the
  fast tests must never hide a problem.
* Loaders pause the cyclic garbage collector and restore its state afterwards; after a
  long pause, one young collection promotes what it allocated.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import pickle
import re
import sys
import weakref
from collections.abc import Mapping
from typing import Any

import pytest

from newsbench.eval.pairing import load_predictions
from newsbench.schema import model
from newsbench.schema.io import PROMOTE_AFTER, gc_paused, write_jsonl
from newsbench.schema.model import (
    Argument,
    Attribution,
    Document,
    Event,
    Mention,
    Metadata,
    Paragraph,
    Sentence,
    Source,
    Span,
    TimeExpression,
    Zone,
    document_from_dict,
)
from newsbench.schema.problems import DataError
from newsbench.schema.tokens import (
    any_inside_word,
    ends_inside_word,
    is_word_char,
    starts_inside_word,
)
from newsbench.schema.validate import (
    _may_overlap,
    _span_problems,
    _spans_are_clean,
    _unique_id_kinds,
    load_documents,
    semantic_problems,
    validate_record,
)

FROZEN_CLASSES = (
    Span,
    Paragraph,
    Zone,
    Sentence,
    Mention,
    TimeExpression,
    Argument,
    Event,
    Source,
    Attribution,
    Metadata,
)


def _constructed(record: Mapping[str, Any]) -> Document:
    """The reference: every object built by its dataclass constructor."""

    def span(r: Mapping[str, Any]) -> Span:
        return Span(r["start"], r["end"], r["text"])

    def event(r: Mapping[str, Any]) -> Event:
        arguments = r.get("arguments")
        return Event(
            r["id"],
            r["type"],
            span(r["trigger"]),
            r.get("realis"),
            None if arguments is None else tuple(Argument(**a) for a in arguments),
            r.get("hopper"),
        )

    def attribution(r: Mapping[str, Any]) -> Attribution:
        source = r.get("source")
        return Attribution(
            r["id"],
            tuple(span(s) for s in r["cue"]),
            tuple(span(s) for s in r["content"]),
            None if source is None else Source(**source),
            r.get("intermediary"),
            r.get("source_class"),
            r.get("mode"),
            r.get("parent"),
        )

    def layer(name: str, build: Any) -> tuple[Any, ...] | None:
        items = record.get(name)
        return None if items is None else tuple(build(item) for item in items)

    meta = record.get("metadata")
    return Document(
        record["id"],
        record["text"],
        None if meta is None else Metadata(**meta),
        layer("paragraphs", lambda r: Paragraph(**r)),
        layer("zones", lambda r: Zone(**r)),
        layer("sentences", lambda r: Sentence(**r)),
        layer("mentions", lambda r: Mention(**r)),
        layer("time_expressions", lambda r: TimeExpression(**r)),
        layer("events", event),
        layer("attributions", attribution),
    )


def _objects(value: Any) -> list[Any]:
    """Every dataclass instance inside ``value``, depth first."""
    found = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif dataclasses.is_dataclass(node):
            found.append(node)
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return found


def _sparse(record: dict[str, Any]) -> dict[str, Any]:
    """The record with every optional key and some layers left out."""
    sparse = {"id": record["id"], "text": record["text"]}
    sparse["mentions"] = [
        {k: m[k] for k in ("id", "start", "end", "text", "type")} for m in record["mentions"]
    ]
    sparse["events"] = [
        {"id": e["id"], "type": e["type"], "trigger": e["trigger"]} for e in record["events"]
    ]
    sparse["attributions"] = [
        {"id": a["id"], "cue": a["cue"], "content": a["content"]} for a in record["attributions"]
    ]
    return sparse


@pytest.mark.parametrize("variant", ["full", "sparse"])
def test_built_objects_equal_constructed_ones(mini_record, variant):
    record = mini_record if variant == "full" else _sparse(mini_record)
    built, expected = document_from_dict(record), _constructed(record)
    assert built == expected
    assert hash(built) == hash(expected)
    assert pickle.dumps(built) == pickle.dumps(expected)
    assert pickle.loads(pickle.dumps(built)) == expected
    assert repr(built) == repr(expected)
    for obj in _objects(built):
        assert type(obj) in (*FROZEN_CLASSES, Document)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, dataclasses.fields(obj)[0].name, "changed")


def test_every_frozen_class_has_a_twin_with_its_slots():
    for cls in FROZEN_CLASSES:
        twin = getattr(model, f"_Mutable{cls.__name__}")
        assert twin.__slots__ == cls.__slots__ == tuple(f.name for f in dataclasses.fields(cls))


def test_regex_word_characters_are_is_word_char():
    chars = "".join(chr(i) for i in range(sys.maxunicode + 1))
    by_regex = set(re.findall(r"\w", chars))
    assert by_regex == {c for c in chars if is_word_char(c)}


@pytest.mark.parametrize("text", ["", "a", "ab cd", "_x y_", "é2 ü-b\U0001f600c", "a.b,c d"])
def test_any_inside_word_is_any_starts_inside_word(text):
    offsets = range(-1, len(text) + 2)
    for start in offsets:
        assert starts_inside_word(text, start) == (
            0 < start < len(text) and is_word_char(text[start - 1]) and is_word_char(text[start])
        )
        assert ends_inside_word(text, start) == starts_inside_word(text, start)
        for end in offsets:
            assert any_inside_word(text, [start, end]) == (
                starts_inside_word(text, start) or starts_inside_word(text, end)
            )
    assert any_inside_word(text, offsets) == any(starts_inside_word(text, o) for o in offsets)
    assert not any_inside_word(text, [])


def _broken_variants(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of ``record`` with one span or id problem each."""
    text = record["text"]
    variants = []

    def variant(change: Any) -> None:
        copied = copy.deepcopy(record)
        change(copied)
        variants.append(copied)

    def move(delta_start: int, delta_end: int) -> Any:
        def change(r: dict[str, Any]) -> None:
            m = r["mentions"][0]
            m["start"] += delta_start
            m["end"] += delta_end
            m["text"] = text[m["start"] : m["end"]]

        return change

    for deltas in [(-1, 0), (1, 0), (0, 1), (0, -1), (-1, 1)]:
        variant(move(*deltas))
    variant(lambda r: r["mentions"][0].update(end=r["mentions"][0]["start"]))
    variant(lambda r: r["mentions"][0].update(end=len(text) + 1))
    variant(lambda r: r["mentions"][0].update(text="?"))
    variant(lambda r: r["mentions"][1].update(id=r["mentions"][0]["id"]))
    variant(lambda r: r["sentences"].append(dict(r["sentences"][0])))
    variant(
        lambda r: r["attributions"][0]["content"].append(dict(r["attributions"][0]["content"][0]))
    )
    return variants


def test_fast_tests_never_hide_a_problem(mini_record):
    doc = document_from_dict(mini_record)
    assert _spans_are_clean(doc, True) and semantic_problems(doc) == []
    for broken in _broken_variants(mini_record):
        for gold in (True, False):
            doc, _ = validate_record(broken, "document" if gold else "prediction")
            if doc is None:
                continue
            assert _spans_are_clean(doc, gold) == (list(_span_problems(doc, gold)) == [])
            ids = [item.id for name in model.LAYERS for item in doc.layer(name)]
            assert (_unique_id_kinds(doc) is None) == (len(set(ids)) < len(ids))
        assert validate_record(broken, "document")[1], broken


def test_may_overlap():
    def spans(*pairs: tuple[int, int]) -> list[Span]:
        return [Span(s, e, "x") for s, e in pairs]

    assert not _may_overlap(spans())
    assert not _may_overlap(spans((0, 5)))
    assert not _may_overlap(spans((5, 9), (0, 5)))
    assert _may_overlap(spans((0, 5), (4, 9)))
    assert _may_overlap(spans((3, 4), (0, 9)))
    assert _may_overlap(spans((0, 5), (0, 5)))


def test_loading_pauses_the_collector_and_restores_its_state(tmp_path, mini_record):
    path = tmp_path / "gold.jsonl"
    write_jsonl(path, [mini_record])
    was_enabled = gc.isenabled()
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            with gc_paused():
                assert not gc.isenabled()
                with gc_paused():
                    assert not gc.isenabled()
                assert not gc.isenabled()
            assert gc.isenabled() == enabled
            assert load_documents(path) == [document_from_dict(mini_record)]
            assert gc.isenabled() == enabled
            assert len(load_predictions(path).documents) == 1
            assert gc.isenabled() == enabled
            with pytest.raises(DataError):
                load_predictions(tmp_path / "missing.jsonl")
            assert gc.isenabled() == enabled
    finally:
        gc.enable() if was_enabled else gc.disable()


class _Node:
    """A weakly referable object to make reference cycles of."""

    other: Any = None


@pytest.fixture
def collections_run():
    """The generations of the collections that run while the test holds it (collector on)."""
    was_enabled, threshold = gc.isenabled(), gc.get_threshold()
    generations: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.collect()
    gc.enable()
    gc.callbacks.append(record)
    try:
        yield generations
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*threshold)
        gc.enable() if was_enabled else gc.disable()


needs_generational_collector = pytest.mark.skipif(
    sys.version_info >= (3, 14), reason="the incremental collector of 3.14 has no young generations"
)


@needs_generational_collector
def test_a_long_pause_ends_with_one_young_collection(collections_run):
    with gc_paused():
        kept = [[k] for k in range(PROMOTE_AFTER + 1000)]  # tracked, surviving
        cycle = _Node()
        cycle.other = cycle
        dead = weakref.ref(cycle)
        del cycle
        assert collections_run == []
    # One collection of the two young generations, straight away: the loaded objects now
    # sit in the oldest generation, and the caller's young cyclic garbage is freed.
    assert collections_run == [1]
    assert dead() is None
    assert gc.get_count()[0] < 700
    assert len(kept) == PROMOTE_AFTER + 1000


@needs_generational_collector
def test_a_short_pause_leaves_collection_to_the_collector(collections_run):
    with gc_paused():
        kept = [[k] for k in range(100)]
    assert collections_run == []
    assert len(kept) == 100


@pytest.mark.parametrize("how", ["disabled", "threshold 0"])
def test_no_collection_after_a_pause_when_automatic_collection_is_off(collections_run, how):
    if how == "disabled":
        gc.disable()
    else:
        gc.set_threshold(0)
    with gc_paused():
        kept = [[k] for k in range(PROMOTE_AFTER + 1000)]
    assert collections_run == []
    assert gc.get_count()[0] > PROMOTE_AFTER
    assert len(kept) == PROMOTE_AFTER + 1000
