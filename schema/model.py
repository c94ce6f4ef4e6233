"""Typed model: frozen dataclasses that mirror ``document.schema.json``.

Objects are built from records that already passed schema validation
(:mod:`newsbench.schema.validate`); :func:`document_from_dict` does no checking
of its own. :func:`document_to_dict` is its exact inverse: optional fields that
are ``None`` are omitted, keys come out in schema order, so a canonical file
round-trips byte for byte.

References between objects are explicit string ids (``Argument.ref``,
``Source.mention``, ``Attribution.parent`` ...), never Python object links.

A prediction document may omit whole layers: an omitted layer is ``None``
("not predicted"), which is different from ``()`` ("predicted nothing").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

LAYERS: tuple[str, ...] = (
    "paragraphs",
    "zones",
    "sentences",
    "mentions",
    "time_expressions",
    "events",
    "attributions",
)
"""Layer names in schema order."""

ANNOTATION_LAYERS: tuple[str, ...] = ("mentions", "time_expressions", "events", "attributions")
"""The layers that systems predict and the harness scores."""


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character span ``[start, end)`` with its text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph (one line of the source text)."""

    id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Zone:
    """A region of the document: ``body``, ``caption`` or ``credit``."""

    id: str
    type: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A hand-checked sentence (or caption credit segment)."""

    id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention; ``entity`` is its coreference cluster id."""

    id: str
    start: int
    end: int
    text: str
    type: str
    mention_type: str | None = None
    entity: str | None = None


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A TIMEX3 time expression with its normalised value."""

    id: str
    start: int
    end: int
    text: str
    type: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Argument:
    """An event argument: a role filled by a mention or time expression id."""

    role: str
    ref: str


@dataclass(frozen=True, slots=True)
class Event:
    """An event mention; ``hopper`` is its event coreference cluster id."""

    id: str
    type: str
    trigger: Span
    realis: str | None = None
    arguments: tuple[Argument, ...] | None = None
    hopper: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """The source noun phrase of an attribution and the mention that heads it."""

    start: int
    end: int
    text: str
    mention: str | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    """An attribution relation (who said what): cue, source and content."""

    id: str
    cue: tuple[Span, ...]
    content: tuple[Span, ...]
    source: Source | None = None
    intermediary: str | None = None
    source_class: str | None = None
    mode: str | None = None
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Metadata:
    """Document metadata; ``dct`` is the document creation time (ISO date)."""

    dct: str
    source_file: str
    language: str
    source_sha256: str | None = None
    title: str | None = None
    perturbation: str | None = None
    perturbation_seed: int | None = None
    original_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A document with every annotation layer (``None`` = layer not given)."""

    id: str
    text: str
    metadata: Metadata | None = None
    paragraphs: tuple[Paragraph, ...] | None = None
    zones: tuple[Zone, ...] | None = None
    sentences: tuple[Sentence, ...] | None = None
    mentions: tuple[Mention, ...] | None = None
    time_expressions: tuple[TimeExpression, ...] | None = None
    events: tuple[Event, ...] | None = None
    attributions: tuple[Attribution, ...] | None = None

    def layer(self, name: str) -> tuple[Any, ...]:
        """Return layer ``name``, or ``()`` when the document does not give it."""
        value = getattr(self, name)
        return () if value is None else value


# --- building objects from records ---------------------------------------------------------
#
# Loading builds hundreds of objects per document, and a frozen dataclass's ``__init__``
# sets every field through ``object.__setattr__`` (the frozen ``__setattr__`` refuses).
# The builders below instead fill a plain mutable class with the very same ``__slots__``
# (so the same memory layout) and then set its ``__class__`` to the frozen class, which
# CPython allows for layout-compatible classes. The result is an ordinary instance of the
# frozen class, equal, hashable and picklable exactly like one made by its constructor;
# it is about four times faster. Every builder sets every field.


def _mutable_twin(cls: type) -> type:
    """Return a plain class with the same ``__slots__`` as the frozen dataclass ``cls``."""
    return type(f"_Mutable{cls.__name__}", (), {"__slots__": cls.__slots__})


_MutableSpan = _mutable_twin(Span)
_MutableParagraph = _mutable_twin(Paragraph)
_MutableZone = _mutable_twin(Zone)
_MutableSentence = _mutable_twin(Sentence)
_MutableMention = _mutable_twin(Mention)
_MutableTimeExpression = _mutable_twin(TimeExpression)
_MutableArgument = _mutable_twin(Argument)
_MutableEvent = _mutable_twin(Event)
_MutableSource = _mutable_twin(Source)
_MutableAttribution = _mutable_twin(Attribution)
_MutableMetadata = _mutable_twin(Metadata)


def _span(r: Mapping[str, Any]) -> Span:
    obj = _MutableSpan()
    obj.start, obj.end, obj.text = r["start"], r["end"], r["text"]
    obj.__class__ = Span
    return obj


def _paragraph(r: Mapping[str, Any]) -> Paragraph:
    obj = _MutableParagraph()
    obj.id, obj.start, obj.end, obj.text = r["id"], r["start"], r["end"], r["text"]
    obj.__class__ = Paragraph
    return obj


def _zone(r: Mapping[str, Any]) -> Zone:
    obj = _MutableZone()
    obj.id, obj.type, obj.start, obj.end = r["id"], r["type"], r["start"], r["end"]
    obj.text = r["text"]
    obj.__class__ = Zone
    return obj


def _sentence(r: Mapping[str, Any]) -> Sentence:
    obj = _MutableSentence()
    obj.id, obj.start, obj.end, obj.text = r["id"], r["start"], r["end"], r["text"]
    obj.__class__ = Sentence
    return obj


def _mention(r: Mapping[str, Any]) -> Mention:
    obj = _MutableMention()
    obj.id, obj.start, obj.end, obj.text = r["id"], r["start"], r["end"], r["text"]
    obj.type, obj.mention_type, obj.entity = r["type"], r.get("mention_type"), r.get("entity")
    obj.__class__ = Mention
    return obj


def _timex(r: Mapping[str, Any]) -> TimeExpression:
    obj = _MutableTimeExpression()
    obj.id, obj.start, obj.end, obj.text = r["id"], r["start"], r["end"], r["text"]
    obj.type, obj.value = r["type"], r.get("value")
    obj.__class__ = TimeExpression
    return obj


def _argument(r: Mapping[str, Any]) -> Argument:
    obj = _MutableArgument()
    obj.role, obj.ref = r["role"], r["ref"]
    obj.__class__ = Argument
    return obj


def _event(r: Mapping[str, Any]) -> Event:
    arguments = r.get("arguments")
    obj = _MutableEvent()
    obj.id, obj.type, obj.trigger = r["id"], r["type"], _span(r["trigger"])
    obj.realis, obj.hopper = r.get("realis"), r.get("hopper")
    obj.arguments = None if arguments is None else tuple(map(_argument, arguments))
    obj.__class__ = Event
    return obj


def _source(r: Mapping[str, Any]) -> Source:
    obj = _MutableSource()
    obj.start, obj.end, obj.text, obj.mention = r["start"], r["end"], r["text"], r.get("mention")
    obj.__class__ = Source
    return obj


def _attribution(r: Mapping[str, Any]) -> Attribution:
    source = r.get("source")
    obj = _MutableAttribution()
    obj.id = r["id"]
    obj.cue, obj.content = tuple(map(_span, r["cue"])), tuple(map(_span, r["content"]))
    obj.source = None if source is None else _source(source)
    obj.intermediary, obj.source_class = r.get("intermediary"), r.get("source_class")
    obj.mode, obj.parent = r.get("mode"), r.get("parent")
    obj.__class__ = Attribution
    return obj


def _metadata(r: Mapping[str, Any]) -> Metadata:
    obj = _MutableMetadata()
    obj.dct, obj.source_file, obj.language = r["dct"], r["source_file"], r["language"]
    obj.source_sha256, obj.title = r.get("source_sha256"), r.get("title")
    obj.perturbation = r.get("perturbation")
    obj.perturbation_seed = r.get("perturbation_seed")
    obj.original_sha256 = r.get("original_sha256")
    obj.__class__ = Metadata
    return obj


def _tuple(
    records: Iterable[Mapping[str, Any]] | None, build: Callable[[Mapping[str, Any]], Any]
) -> tuple[Any, ...] | None:
    return None if records is None else tuple(map(build, records))


def document_from_dict(record: Mapping[str, Any]) -> Document:
    """Build a :class:`Document` from a schema-valid JSON object.

    No checking is done on the way (validation comes first, in
    :func:`newsbench.schema.validate.validate_record`); but a record that cannot be built
    at all (a missing key, a wrong type) raises
    :class:`~newsbench.schema.problems.DataError` with the validator's located problems,
    never a bare ``KeyError``.
    """
    try:
        return _build_document(record)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        from newsbench.schema.problems import DataError
        from newsbench.schema.validate import schema_problems

        problems = schema_problems(record, "prediction")
        if not problems:
            raise
        doc_id = record.get("id") if isinstance(record, Mapping) else None
        located = [
            p.located(document=doc_id if isinstance(doc_id, str) else None) for p in problems
        ]
        raise DataError(located) from exc


def _build_document(record: Mapping[str, Any]) -> Document:
    meta = record.get("metadata")
    return Document(
        id=record["id"],
        text=record["text"],
        metadata=None if meta is None else _metadata(meta),
        paragraphs=_tuple(record.get("paragraphs"), _paragraph),
        zones=_tuple(record.get("zones"), _zone),
        sentences=_tuple(record.get("sentences"), _sentence),
        mentions=_tuple(record.get("mentions"), _mention),
        time_expressions=_tuple(record.get("time_expressions"), _timex),
        events=_tuple(record.get("events"), _event),
        attributions=_tuple(record.get("attributions"), _attribution),
    )


def _span_dict(span: Span | Source) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def _drop_none(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    return {key: value for key, value in pairs if value is not None}


def _mention_dict(m: Mention) -> dict[str, Any]:
    return _drop_none(
        [
            ("id", m.id),
            ("start", m.start),
            ("end", m.end),
            ("text", m.text),
            ("type", m.type),
            ("mention_type", m.mention_type),
            ("entity", m.entity),
        ]
    )


def _timex_dict(t: TimeExpression) -> dict[str, Any]:
    return _drop_none(
        [
            ("id", t.id),
            ("start", t.start),
            ("end", t.end),
            ("text", t.text),
            ("type", t.type),
            ("value", t.value),
        ]
    )


def _event_dict(e: Event) -> dict[str, Any]:
    arguments = (
        None if e.arguments is None else [{"role": a.role, "ref": a.ref} for a in e.arguments]
    )
    return _drop_none(
        [
            ("id", e.id),
            ("type", e.type),
            ("trigger", _span_dict(e.trigger)),
            ("realis", e.realis),
            ("arguments", arguments),
            ("hopper", e.hopper),
        ]
    )


def _attribution_dict(a: Attribution) -> dict[str, Any]:
    source = None
    if a.source is not None:
        source = _drop_none([*_span_dict(a.source).items(), ("mention", a.source.mention)])
    return _drop_none(
        [
            ("id", a.id),
            ("cue", [_span_dict(s) for s in a.cue]),
            ("source", source),
            ("content", [_span_dict(s) for s in a.content]),
            ("intermediary", a.intermediary),
            ("source_class", a.source_class),
            ("mode", a.mode),
            ("parent", a.parent),
        ]
    )


def _structure_dict(obj: Paragraph | Zone | Sentence) -> dict[str, Any]:
    if isinstance(obj, Zone):
        return {
            "id": obj.id,
            "type": obj.type,
            "start": obj.start,
            "end": obj.end,
            "text": obj.text,
        }
    return {"id": obj.id, "start": obj.start, "end": obj.end, "text": obj.text}


_LAYER_WRITERS: dict[str, Any] = {
    "paragraphs": _structure_dict,
    "zones": _structure_dict,
    "sentences": _structure_dict,
    "mentions": _mention_dict,
    "time_expressions": _timex_dict,
    "events": _event_dict,
    "attributions": _attribution_dict,
}


def document_to_dict(doc: Document) -> dict[str, Any]:
    """Return the JSON object for ``doc`` in canonical (schema) key order."""
    record: dict[str, Any] = {"id": doc.id, "text": doc.text}
    if doc.metadata is not None:
        m = doc.metadata
        record["metadata"] = _drop_none(
            [
                ("dct", m.dct),
                ("source_file", m.source_file),
                ("source_sha256", m.source_sha256),
                ("language", m.language),
                ("title", m.title),
                ("perturbation", m.perturbation),
                ("perturbation_seed", m.perturbation_seed),
                ("original_sha256", m.original_sha256),
            ]
        )
    for name in LAYERS:
        items = getattr(doc, name)
        if items is not None:
            record[name] = [_LAYER_WRITERS[name](item) for item in items]
    return record


def iter_spans(
    doc: Document,
) -> Iterator[tuple[str, Span | Source | Paragraph | Zone | Sentence | Mention | TimeExpression]]:
    """Yield ``(json_path, span_object)`` for every span in ``doc``."""
    for name in ("paragraphs", "zones", "sentences", "mentions", "time_expressions"):
        for i, item in enumerate(doc.layer(name)):
            yield f"/{name}/{i}", item
    for i, event in enumerate(doc.layer("events")):
        yield f"/events/{i}/trigger", event.trigger
    for i, attribution in enumerate(doc.layer("attributions")):
        for j, cue in enumerate(attribution.cue):
            yield f"/attributions/{i}/cue/{j}", cue
        if attribution.source is not None:
            yield f"/attributions/{i}/source", attribution.source
        for j, content in enumerate(attribution.content):
            yield f"/attributions/{i}/content/{j}", content
