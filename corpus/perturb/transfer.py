"""Carry a document's gold through an edit script: every span mapped, every text re-sliced."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from newsbench.corpus.perturb.edits import EditScript
from newsbench.schema.model import Attribution, Document, Event, Source, Span, TimeExpression

_Spanned = TypeVar("_Spanned")


def _moved(item: _Spanned, script: EditScript, new_text: str) -> _Spanned:
    start, end = script.map_span(item.start, item.end)  # type: ignore[attr-defined]
    return replace(item, start=start, end=end, text=new_text[start:end])  # type: ignore[type-var]


def _layer(items: tuple[Any, ...] | None, move: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    return None if items is None else tuple(move(item) for item in items)


def transfer(
    document: Document,
    script: EditScript,
    *,
    timex_values: Mapping[str, str | None] | None = None,
) -> Document:
    """The document with ``script`` applied to its text and every span carried over.

    Each span's offsets are mapped through the script and its stored text is the slice
    of the new text; no offset is searched for. ``timex_values`` replaces the value of
    the time expressions it names (by id); every other field is kept as it is.

    Raises:
        SpanCrossesEdit: an edit covers a span boundary from both sides.
    """
    new_text = script.apply(document.text)

    def move(item: Any) -> Any:
        return _moved(item, script, new_text)

    def move_timex(timex: TimeExpression) -> TimeExpression:
        moved = move(timex)
        if timex_values is not None and timex.id in timex_values:
            moved = replace(moved, value=timex_values[timex.id])
        return moved

    def move_event(event: Event) -> Event:
        return replace(event, trigger=move(event.trigger))

    def move_attribution(attribution: Attribution) -> Attribution:
        source: Source | None = attribution.source
        return replace(
            attribution,
            cue=tuple(move(span) for span in attribution.cue),
            content=tuple(move(span) for span in attribution.content),
            source=None if source is None else move(source),
        )

    return replace(
        document,
        text=new_text,
        paragraphs=_layer(document.paragraphs, move),
        zones=_layer(document.zones, move),
        sentences=_layer(document.sentences, move),
        mentions=_layer(document.mentions, move),
        time_expressions=_layer(document.time_expressions, move_timex),
        events=_layer(document.events, move_event),
        attributions=_layer(document.attributions, move_attribution),
    )


def annotated_spans(document: Document) -> list[tuple[int, int]]:
    """Every annotation span (mentions, timexes, triggers, cues, sources, contents).

    Structure (paragraphs, zones, sentences) is left out: it covers the whole text.
    """
    spans: list[tuple[int, int]] = []
    spans += [(m.start, m.end) for m in document.mentions or ()]
    spans += [(t.start, t.end) for t in document.time_expressions or ()]
    spans += [(e.trigger.start, e.trigger.end) for e in document.events or ()]
    for attribution in document.attributions or ():
        parts: list[Span | Source] = [*attribution.cue, *attribution.content]
        if attribution.source is not None:
            parts.append(attribution.source)
        spans += [(part.start, part.end) for part in parts]
    return spans
