"""A baseline that prompts a chat model behind any OpenAI-compatible endpoint.

Configure it with constructor arguments or the environment:

* ``NEWSBENCH_LLM_BASE_URL``: the API root, e.g. ``http://127.0.0.1:11434/v1``
  (Ollama), ``http://127.0.0.1:8000/v1`` (vLLM) or ``http://127.0.0.1:8080/v1``
  (llama.cpp server). Only ``http`` and ``https`` are accepted.
* ``NEWSBENCH_LLM_MODEL``: the model name the server knows.
* ``NEWSBENCH_LLM_API_KEY`` (optional): sent as ``Authorization: Bearer ...``.
* ``NEWSBENCH_LLM_TIMEOUT`` (optional): seconds per request (default 120).
* ``NEWSBENCH_LLM_MAX_TOKENS`` (optional): cap on each answer's length (a small model can
  otherwise generate until its context is full).

Each document is sent in chunks of whole paragraphs (lines), one
``POST {base_url}/chat/completions`` per chunk with temperature 0, a fixed seed
and ``response_format: {"type": "json_object"}``. Requests go to the configured
host only: ``http.client`` is used directly, so no proxy from the environment is
consulted and no redirect is followed; nothing else is ever contacted.

The model answers in a compact form that contains strings, never offsets::

    {"mentions": [{"text", "type", "mention_type", "entity", "context"}],
     "time_expressions": [{"text", "type", "value", "context"}],
     "events": [{"trigger", "type", "realis", "hopper", "context",
                 "arguments": [{"role", "text"}]}],
     "attributions": [{"cue", "source", "content", "mode", "source_class"}]}

:mod:`newsbench.baselines.align` maps every string back to offsets inside its
chunk. Whatever cannot be used (a string not in the text, a label outside the
schema's vocabularies, an argument that names no predicted mention, an answer
that is not JSON) is left out and listed in the document's
:class:`~newsbench.baselines.align.AlignmentReport`, available afterwards as
``extractor.reports[doc_id]`` and ``extractor.last_report``.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import re
import socket
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newsbench.baselines.align import (
    Alignment,
    AlignmentReport,
    TextAligner,
    Unaligned,
    UnalignedItem,
    fold,
    merge_reports,
    span_distance,
)
from newsbench.baselines.base import (
    LAYER_NAMES,
    ExtractorConfigError,
    ExtractorUnavailable,
    SourceDocument,
)
from newsbench.schema.contract import (
    ATTRIBUTION_MODES,
    ENTITY_TYPES,
    EVENT_TYPES,
    MENTION_TYPES,
    REALIS_VALUES,
    SOURCE_CLASSES,
    TIMEX_TYPES,
    load_schema,
    roles_by_event_type,
)
from newsbench.schema.model import (
    Argument,
    Attribution,
    Document,
    Event,
    Mention,
    Source,
    Span,
    TimeExpression,
)

ENV_BASE_URL = "NEWSBENCH_LLM_BASE_URL"
ENV_MODEL = "NEWSBENCH_LLM_MODEL"
ENV_API_KEY = "NEWSBENCH_LLM_API_KEY"
ENV_TIMEOUT = "NEWSBENCH_LLM_TIMEOUT"
ENV_MAX_TOKENS = "NEWSBENCH_LLM_MAX_TOKENS"

_TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_VALUE_MAX = 80

# --- the prompt -------------------------------------------------------------------------

_ENTITY_HELP = {
    "PER": "people and groups of people: rebels, fighters, residents, sources, officers",
    "ORG": "organisations: armed groups, militaries, units, agencies, media outlets",
    "GPE": "countries, cities, and their adjectives used as modifiers: French, Kenyan",
    "LOC": "geographic areas that are not GPEs: the Alps, border areas, regions",
    "FAC": "buildings, bases, airports, posts, roads, crossroads",
    "VEH": "vehicles and convoys",
    "WEA": "weapons, arms",
}
_EVENT_HELP = {
    "Conflict.Attack": "strikes, clashes, fighting, offensives, sieges, raids",
    "Movement.TransportPerson": "people entering, leaving, fleeing, retreating, withdrawing, "
    "advancing, being sent",
    "Movement.TransportArtifact": "goods or weapons being moved",
    "Transaction.TransferControl": "taking, seizing, capturing a place, takeovers, the fall of "
    "a place",
}


def _labelled(labels: Sequence[str], help_text: Mapping[str, str]) -> str:
    return "; ".join(
        f"{label} ({help_text[label]})" if label in help_text else label for label in labels
    )


def system_prompt(layers: Iterable[str]) -> str:
    """Return the system message: a compact annotation guide and the answer format.

    Every label list is read from the schema (``newsbench.schema.contract``).
    """
    wanted = set(layers)
    roles = roles_by_event_type()
    parts = [
        "You annotate English news text for information extraction. Copy every string "
        "VERBATIM from the text (same spelling, case and punctuation); never give character "
        "offsets. Spans never include a leading determiner, a preposition, surrounding "
        "spaces or sentence-final punctuation. Answer with ONE JSON object and nothing else, "
        "with exactly these keys: " + ", ".join(f'"{n}"' for n in _ordered(wanted)) + ".",
    ]
    if "mentions" in wanted:
        parts.append(
            '"mentions": [{"text": str, "type": str, "mention_type": str, "entity": str, '
            '"context": str}]. Specific, referring entity mentions. type: '
            + _labelled(ENTITY_TYPES, _ENTITY_HELP)
            + ". mention_type: "
            + ", ".join(MENTION_TYPES)
            + " (NAM = a name, the whole name without determiner or possessive 's; NOM = a "
            'common noun, give the head noun only: "troops" in "government troops", '
            '"members" in "three members of the council"; PRO = a referring pronoun, '
            'possessives included, not expletive "it"). Mentions may nest ("France" inside '
            '"France\'s Foreign Ministry" beside ORG "Foreign Ministry"). entity: a cluster '
            'label such as "e1", the '
            "same for every mention of the same real entity. context: about eight words of "
            "the text around the mention, copied verbatim and including it, so that a "
            "repeated string can be located."
        )
    if "time_expressions" in wanted:
        parts.append(
            '"time_expressions": [{"text": str, "type": str, "value": str, "context": str}]. '
            'TIMEX3 expressions without a leading preposition ("Monday", not "on Monday"). '
            "type: " + ", ".join(TIMEX_TYPES) + ". value: the TimeML value resolved against the "
            "document creation time (DCT); with DCT 2023-05-10 (a Wednesday): Monday -> "
            "2023-05-08, Tuesday morning -> 2023-05-09TMO, Tuesday evening -> 2023-05-09TEV, "
            "1999 -> 1999, three days -> P3D, recently -> PAST_REF."
        )
    if "events" in wanted:
        table = "; ".join(
            f"{etype}: {_EVENT_HELP.get(etype, '')} [roles: {', '.join(r)}]"
            for etype, r in roles.items()
        )
        parts.append(
            '"events": [{"trigger": str, "type": str, "realis": str, "hopper": str, '
            '"context": str, "arguments": [{"role": str, "text": str}]}]. Types: '
            + table
            + ". Speech and reporting are not events. trigger: the single word that best "
            'expresses the event (a phrasal verb may be two words: "take over"). realis: '
            + ", ".join(REALIS_VALUES)
            + " (ACTUAL happened; GENERIC habitual; OTHER future, planned, negated, modal). "
            "hopper: a label shared by mentions of the same real event. arguments: text is "
            "the exact text of an entity mention or time expression you listed (the Time role "
            "takes a time expression), preferably in the trigger's sentence."
        )
    if "attributions" in wanted:
        parts.append(
            '"attributions": [{"cue": str, "source": str, "content": str or [str], '
            '"mode": str, "source_class": str}]. Who said what. cue: the reporting verb or '
            'phrase ("said", "told", "according to", "reported"). source: the whole noun '
            'phrase of the source ("a senior official of the ministry"). content: '
            'what is attributed, without the complementizer "that"; a quotation keeps its '
            "quotation marks; several strings if discontinuous. mode: "
            + ", ".join(ATTRIBUTION_MODES)
            + " (verbatim quote, paraphrase, paraphrase with a quoted part). source_class: "
            + ", ".join(SOURCE_CLASSES)
            + " (UNNAMED = described but not named)."
        )
    parts.append("Use an empty list for a layer with nothing to annotate.")
    return "\n\n".join(parts)


def user_prompt(text: str, dct: str | None, part: int, parts: int) -> str:
    """Return the user message for one chunk of a document."""
    where = f" (part {part + 1} of {parts} of the article)" if parts > 1 else ""
    return (
        f"Document creation time (DCT): {dct or 'unknown'}\n"
        f"Annotate this news text{where}:\n<<<\n{text}\n>>>"
    )


def _ordered(layers: Iterable[str]) -> list[str]:
    order = ("mentions", "time_expressions", "events", "attributions")
    wanted = set(layers)
    return [name for name in order if name in wanted]


# --- chunks and answers -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of whole paragraphs ``text[start:end]`` sent in one request."""

    index: int
    start: int
    end: int
    text: str


def chunk_paragraphs(text: str, max_chars: int) -> list[Chunk]:
    """Split ``text`` into runs of whole lines of at most ``max_chars`` characters.

    A single longer line is a chunk of its own; blank lines are skipped. Offsets
    are absolute.
    """
    lines: list[tuple[int, int]] = []
    at = 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((at, at + len(line)))
        at += len(line) + 1
    groups: list[tuple[int, int]] = []
    for start, end in lines:
        if groups and end - groups[-1][0] <= max_chars:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    return [Chunk(i, s, e, text[s:e]) for i, (s, e) in enumerate(groups)]


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def parse_answer(content: str) -> dict[str, Any]:
    """Parse a model answer into a JSON object, tolerating code fences and chatter.

    Raises:
        ValueError: the answer holds no JSON object (the message says why).
    """
    text = content.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    candidates = [text]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last and (first, last) != (0, len(text) - 1):
        candidates.append(text[first : last + 1])
    error = "empty answer"
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError as exc:
            error = f"malformed JSON ({exc})"
            continue
        if isinstance(value, dict):
            return value
        error = f"the answer is JSON {type(value).__name__}, not an object"
    raise ValueError(error)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _VALUE_MAX else text[: _VALUE_MAX - 3] + "..."


def _label(value: Any, vocabulary: Sequence[str]) -> str | None:
    """Return the vocabulary label equal to ``value`` (ignoring case), else None."""
    if not isinstance(value, str):
        return None
    if value in vocabulary:
        return value
    matches = [label for label in vocabulary if label.lower() == value.strip().lower()]
    return matches[0] if len(matches) == 1 else None


_TIMEX_VALUE = re.compile(
    load_schema("prediction")["$defs"]["time_expression"]["properties"]["value"]["pattern"]
)


# --- building a document ----------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _MentionDraft:
    start: int
    end: int
    text: str
    type: str
    mention_type: str | None
    cluster: tuple[Any, ...]
    id: str = ""


@dataclass(eq=False, slots=True)
class _TimexDraft:
    start: int
    end: int
    text: str
    type: str
    value: str | None
    id: str = ""


@dataclass(eq=False, slots=True)
class _EventDraft:
    trigger: Span
    type: str
    realis: str | None
    arguments: list[tuple[str, _MentionDraft | _TimexDraft]]
    hopper: tuple[Any, ...]


@dataclass(eq=False, slots=True)
class _AttributionDraft:
    cue: list[Span]
    content: list[Span]
    source: Span | None
    head: _MentionDraft | None
    mode: str | None
    source_class: str | None


_POSTMODIFIER = re.compile(r"\s(?:of|who|which|that|from|in|at|on|with|near)\s|,|\(")


def head_mention(
    text: str, start: int, end: int, inside: Sequence[_MentionDraft]
) -> _MentionDraft | None:
    """Return the mention heading the noun phrase ``text[start:end]`` among ``inside``.

    English noun phrases put the head before any post-modifier ("of ...", ", ...",
    "who ..."): take the rightmost (then longest) mention that ends before the
    first post-modifier, else the rightmost mention.
    """
    if not inside:
        return None
    cut = _POSTMODIFIER.search(text, start, end)
    limit = cut.start() if cut else end
    before = [m for m in inside if m.end <= limit] or list(inside)
    return max(before, key=lambda m: (m.end, -m.start))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, key: Any) -> Any:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: Any, b: Any) -> None:
        self.parent[self.find(a)] = self.find(b)


def _items(
    answer: Mapping[str, Any], layer: str, chunk: Chunk, report: AlignmentReport
) -> list[tuple[int, dict[str, Any]]]:
    """Return the well-formed items of one layer of an answer; report the others."""
    value = answer.get(layer)
    if value is None:
        return []
    if not isinstance(value, list):
        report.add(UnalignedItem(layer, chunk.index, None, layer, _short(value), "not a list"))
        return []
    items = []
    for index, item in enumerate(value):
        report.returned += 1
        if isinstance(item, dict):
            items.append((index, item))
        else:
            report.add(
                UnalignedItem(layer, chunk.index, index, "item", _short(item), "not a JSON object")
            )
    return items


class _DocumentBuilder:
    """Turn one document's chunk answers into a prediction :class:`Document`."""

    def __init__(self, source: SourceDocument, layers: frozenset[str]) -> None:
        self.source = source
        self.layers = layers
        self.text = source.text
        self.aligner = TextAligner(source.text)
        self.report = AlignmentReport(source.id)
        self.mentions: list[_MentionDraft] = []
        self.timexes: list[_TimexDraft] = []
        self.events: list[_EventDraft] = []
        self.attributions: list[_AttributionDraft] = []

    # --- reporting helpers ---------------------------------------------------------------

    def _drop(
        self,
        layer: str,
        chunk: Chunk,
        index: int | None,
        name: str,
        value: Any,
        reason: str,
        dropped: str = "item",
    ) -> None:
        self.report.add(
            UnalignedItem(layer, chunk.index, index, name, _short(value), reason, dropped)
        )

    def _align(
        self,
        layer: str,
        chunk: Chunk,
        index: int,
        name: str,
        value: Any,
        *,
        context: Any = None,
        near: tuple[int, int] | None = None,
        namespace: str | None = None,
        take: bool = True,
        dropped: str = "item",
    ) -> Alignment | None:
        if not isinstance(value, str):
            self._drop(layer, chunk, index, name, value, "missing or not a string", dropped)
            return None
        found = self.aligner.align(
            value,
            context=context if isinstance(context, str) else None,
            near=near,
            window=(chunk.start, chunk.end),
            namespace=namespace,
            take=take,
        )
        if isinstance(found, Unaligned):
            self._drop(layer, chunk, index, name, value, found.reason, dropped)
            return None
        return found

    def _labelled(
        self,
        layer: str,
        chunk: Chunk,
        index: int,
        item: Mapping[str, Any],
        key: str,
        vocabulary: Sequence[str],
        *,
        required: bool,
    ) -> tuple[bool, str | None]:
        """Return (ok, label); an unknown optional label is dropped (and reported)."""
        value = item.get(key)
        if value is None and not required:
            return True, None
        label = _label(value, vocabulary)
        if label is not None:
            return True, label
        reason = f"{_short(value)!s} is not one of {', '.join(vocabulary)}"
        self._drop(layer, chunk, index, key, value, reason, "item" if required else "field")
        return not required, None

    # --- layers ----------------------------------------------------------------------------

    def add_entities(self, chunk: Chunk, answer: Mapping[str, Any]) -> None:
        """Align the mentions and time expressions of one answer."""
        for index, item in _items(answer, "mentions", chunk, self.report):
            ok, etype = self._labelled(
                "mentions", chunk, index, item, "type", ENTITY_TYPES, required=True
            )
            if not ok or etype is None:
                continue
            _, mtype = self._labelled(
                "mentions", chunk, index, item, "mention_type", MENTION_TYPES, required=False
            )
            hit = self._align(
                "mentions",
                chunk,
                index,
                "text",
                item.get("text"),
                context=item.get("context"),
                namespace="mentions",
            )
            if hit is None:
                continue
            label = item.get("entity")
            cluster: tuple[Any, ...] = (
                ("label", chunk.index, str(label))
                if isinstance(label, (str, int)) and str(label).strip()
                else ("single", hit.start, hit.end)
            )
            self.report.count_method(hit)
            self.report.aligned += 1
            self.mentions.append(_MentionDraft(hit.start, hit.end, hit.text, etype, mtype, cluster))
        for index, item in _items(answer, "time_expressions", chunk, self.report):
            ok, ttype = self._labelled(
                "time_expressions", chunk, index, item, "type", TIMEX_TYPES, required=True
            )
            if not ok or ttype is None:
                continue
            value = item.get("value")
            if value is not None and not (isinstance(value, str) and _TIMEX_VALUE.match(value)):
                self._drop(
                    "time_expressions", chunk, index, "value", value, "not a TIMEX3 value", "field"
                )
                value = None
            hit = self._align(
                "time_expressions",
                chunk,
                index,
                "text",
                item.get("text"),
                context=item.get("context"),
                namespace="time_expressions",
            )
            if hit is None:
                continue
            self.report.count_method(hit)
            self.report.aligned += 1
            self.timexes.append(_TimexDraft(hit.start, hit.end, hit.text, ttype, value))

    def _resolve(
        self,
        value: Any,
        pool: Sequence[_MentionDraft | _TimexDraft],
        anchor: tuple[int, int],
        chunk: Chunk,
    ) -> _MentionDraft | _TimexDraft | str:
        """Find the predicted mention (or time expression) an argument string names."""
        if not isinstance(value, str) or not value.strip():
            return "missing or not a string"
        wanted = fold(value)
        same = [d for d in pool if fold(d.text) == wanted]
        if same:
            return min(same, key=lambda d: (span_distance(d.start, d.end, anchor), d.start))
        hit = self.aligner.align(value, near=anchor, window=(chunk.start, chunk.end))
        if isinstance(hit, Unaligned):
            return f"{hit.reason}; names no predicted mention"
        inside = [d for d in pool if hit.start <= d.start and d.end <= hit.end]
        if not inside:
            return "names no predicted mention"
        if isinstance(inside[0], _TimexDraft):
            return max(inside, key=lambda d: d.end - d.start)
        head = head_mention(self.text, hit.start, hit.end, inside)  # type: ignore[arg-type]
        return head if head is not None else "names no predicted mention"

    def add_events(self, chunk: Chunk, answer: Mapping[str, Any]) -> None:
        """Align the events of one answer (after every chunk's mentions)."""
        roles = roles_by_event_type()
        for index, item in _items(answer, "events", chunk, self.report):
            ok, etype = self._labelled(
                "events", chunk, index, item, "type", EVENT_TYPES, required=True
            )
            if not ok or etype is None:
                continue
            _, realis = self._labelled(
                "events", chunk, index, item, "realis", REALIS_VALUES, required=False
            )
            hit = self._align(
                "events",
                chunk,
                index,
                "trigger",
                item.get("trigger"),
                context=item.get("context"),
                namespace="events",
            )
            if hit is None:
                continue
            self.report.count_method(hit)
            anchor = (hit.start, hit.end)
            arguments: list[tuple[str, _MentionDraft | _TimexDraft]] = []
            raw_arguments = item.get("arguments") or []
            if not isinstance(raw_arguments, list):
                self._drop(
                    "events", chunk, index, "arguments", raw_arguments, "not a list", "argument"
                )
                raw_arguments = []
            for j, raw in enumerate(raw_arguments):
                name = f"arguments[{j}]"
                if not isinstance(raw, dict):
                    self._drop("events", chunk, index, name, raw, "not a JSON object", "argument")
                    continue
                role = _label(raw.get("role"), roles[etype])
                if role is None:
                    self._drop(
                        "events",
                        chunk,
                        index,
                        f"{name}.role",
                        raw.get("role"),
                        f"not a role of {etype} ({', '.join(roles[etype])})",
                        "argument",
                    )
                    continue
                layer = "time_expressions" if role == "Time" else "mentions"
                if layer not in self.layers:
                    continue
                pool = self.timexes if role == "Time" else self.mentions
                target = self._resolve(raw.get("text"), pool, anchor, chunk)
                if isinstance(target, str):
                    self._drop(
                        "events", chunk, index, f"{name}.text", raw.get("text"), target, "argument"
                    )
                    continue
                if all(not (r == role and t is target) for r, t in arguments):
                    arguments.append((role, target))
            label = item.get("hopper")
            hopper: tuple[Any, ...] = (
                ("label", chunk.index, str(label))
                if isinstance(label, (str, int)) and str(label).strip()
                else ("single", hit.start, hit.end, etype)
            )
            self.report.aligned += 1
            self.events.append(
                _EventDraft(Span(hit.start, hit.end, hit.text), etype, realis, arguments, hopper)
            )

    def _spans(
        self,
        chunk: Chunk,
        index: int,
        name: str,
        value: Any,
        near: tuple[int, int] | None,
        namespace: str,
    ) -> list[Alignment] | None:
        parts = value if isinstance(value, list) and value else [value]
        hits: list[Alignment] = []
        for j, part in enumerate(parts):
            label = name if len(parts) == 1 else f"{name}[{j}]"
            hit = self._align(
                "attributions",
                chunk,
                index,
                label,
                part,
                near=near,
                namespace=namespace,
                take=False,
            )
            if hit is None:
                return None
            hits.append(hit)
        return hits

    def add_attributions(self, chunk: Chunk, answer: Mapping[str, Any]) -> None:
        """Align the attributions of one answer: content, then the nearest cue and source."""
        for index, item in _items(answer, "attributions", chunk, self.report):
            _, mode = self._labelled(
                "attributions", chunk, index, item, "mode", ATTRIBUTION_MODES, required=False
            )
            _, source_class = self._labelled(
                "attributions", chunk, index, item, "source_class", SOURCE_CLASSES, required=False
            )
            content = self._spans(
                chunk, index, "content", item.get("content"), None, "attribution-content"
            )
            if content is None:
                continue
            ordered = sorted(content, key=lambda h: h.start)
            if any(b.start < a.end for a, b in itertools.pairwise(ordered)):
                self._drop(
                    "attributions",
                    chunk,
                    index,
                    "content",
                    item.get("content"),
                    "content strings overlap",
                )
                continue
            hull = (ordered[0].start, ordered[-1].end)
            cue = self._spans(chunk, index, "cue", item.get("cue"), hull, "attribution-cue")
            if cue is None:
                continue
            source: Alignment | None = None
            head: _MentionDraft | None = None
            if item.get("source") is not None:
                cue_hull = (min(h.start for h in cue), max(h.end for h in cue))
                found = self._align(
                    "attributions",
                    chunk,
                    index,
                    "source",
                    item.get("source"),
                    near=cue_hull,
                    take=False,
                    dropped="field",
                )
                if found is not None:  # else the relation stands without its source (reported)
                    source = found
                    if "mentions" in self.layers:
                        inside = [
                            m
                            for m in self.mentions
                            if found.start <= m.start and m.end <= found.end
                        ]
                        head = head_mention(self.text, found.start, found.end, inside)
            for hit in content:
                self.aligner.take("attribution-content", hit.start, hit.end)
                self.report.count_method(hit)
            for hit in cue:
                self.aligner.take("attribution-cue", hit.start, hit.end)
                self.report.count_method(hit)
            if source is not None:
                self.report.count_method(source)
            self.report.aligned += 1
            self.attributions.append(
                _AttributionDraft(
                    cue=[Span(h.start, h.end, h.text) for h in sorted(cue, key=lambda h: h.start)],
                    content=[Span(h.start, h.end, h.text) for h in ordered],
                    source=None if source is None else Span(source.start, source.end, source.text),
                    head=head,
                    mode=mode,
                    source_class=source_class,
                )
            )

    # --- output ----------------------------------------------------------------------------

    def document(self) -> Document:
        """Return the prediction document with exactly the declared layers."""
        mentions = sorted(self.mentions, key=lambda m: (m.start, m.end))
        for number, m in enumerate(mentions, 1):
            m.id = f"M{number}"
        clusters = _UnionFind()
        names: dict[str, tuple[Any, ...]] = {}
        for m in mentions:
            clusters.find(m.cluster)
            if m.mention_type == "NAM":
                key = fold(m.text)
                if key in names:
                    clusters.union(m.cluster, names[key])
                names.setdefault(key, m.cluster)
        entity_ids: dict[Any, str] = {}
        built_mentions = []
        for m in mentions:
            root = clusters.find(m.cluster)
            entity = entity_ids.setdefault(root, f"E{len(entity_ids) + 1}")
            built_mentions.append(
                Mention(m.id, m.start, m.end, m.text, m.type, m.mention_type, entity)
            )
        timexes = sorted(self.timexes, key=lambda t: (t.start, t.end))
        for number, t in enumerate(timexes, 1):
            t.id = f"T{number}"
        events = sorted(self.events, key=lambda e: (e.trigger.start, e.trigger.end, e.type))
        hopper_ids: dict[Any, str] = {}
        built_events = []
        for number, e in enumerate(events, 1):
            hopper = hopper_ids.setdefault(e.hopper, f"H{len(hopper_ids) + 1}")
            arguments = tuple(Argument(role, target.id) for role, target in e.arguments)
            built_events.append(Event(f"V{number}", e.type, e.trigger, e.realis, arguments, hopper))
        attributions = sorted(self.attributions, key=lambda a: (a.cue[0].start, a.cue[0].end))
        built_attributions = []
        for number, a in enumerate(attributions, 1):
            source = None
            if a.source is not None:
                source = Source(
                    a.source.start,
                    a.source.end,
                    a.source.text,
                    a.head.id if a.head is not None else None,
                )
            built_attributions.append(
                Attribution(
                    f"A{number}",
                    tuple(a.cue),
                    tuple(a.content),
                    source,
                    source_class=a.source_class,
                    mode=a.mode,
                )
            )
        built_timexes = tuple(
            TimeExpression(t.id, t.start, t.end, t.text, t.type, t.value) for t in timexes
        )

        def given(layer: str, items: Sequence[Any]) -> tuple[Any, ...] | None:
            return tuple(items) if layer in self.layers else None

        return Document(
            id=self.source.id,
            text=self.source.text,
            mentions=given("mentions", built_mentions),
            time_expressions=given("time_expressions", built_timexes),
            events=given("events", built_events),
            attributions=given("attributions", built_attributions),
        )


# --- the extractor ----------------------------------------------------------------------


class _RequestFailed(Exception):
    """A request failed after every retry (timeouts, 5xx): the chunk is reported, not fatal."""


@dataclass(frozen=True, slots=True)
class _Endpoint:
    scheme: str
    host: str
    port: int | None
    path: str
    url: str


def _endpoint(base_url: str) -> _Endpoint:
    try:
        parts = urlsplit(base_url.strip())
    except ValueError as exc:
        raise ExtractorConfigError(f"{ENV_BASE_URL} is not a URL ({exc}): {base_url!r}") from None
    if parts.scheme not in ("http", "https"):
        raise ExtractorConfigError(
            f"{ENV_BASE_URL} must be an http:// or https:// URL, not {base_url!r}"
        )
    if not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        raise ExtractorConfigError(
            f"{ENV_BASE_URL} must be a plain URL such as http://127.0.0.1:11434/v1 "
            f"(a host, no credentials, query or fragment), not {base_url!r}"
        )
    try:
        port = parts.port
    except ValueError:
        raise ExtractorConfigError(f"{ENV_BASE_URL} has an invalid port: {base_url!r}") from None
    path = parts.path.rstrip("/") + "/chat/completions"
    root = base_url.strip().rstrip("/")
    return _Endpoint(parts.scheme, parts.hostname, port, path, root + "/chat/completions")


@dataclass
class LLMExtractor:
    """Prompt a chat model (OpenAI-compatible endpoint) and align its strings to offsets.

    Args:
        base_url: The API root (default: ``$NEWSBENCH_LLM_BASE_URL``).
        model: The model name (default: ``$NEWSBENCH_LLM_MODEL``).
        api_key: Optional bearer token (default: ``$NEWSBENCH_LLM_API_KEY``).
        layers: The layers to predict (default: all four).
        timeout: Seconds per request (default: ``$NEWSBENCH_LLM_TIMEOUT`` or 120).
        temperature: Sampling temperature (0: as deterministic as the server allows).
        seed: Sent with every request.
        max_retries: Extra attempts after a timeout, a dropped connection or HTTP
            408/429/5xx.
        retry_backoff: Seconds before the first retry (doubling after each).
        max_chunk_chars: Largest run of whole paragraphs sent in one request.
        max_tokens: Optional cap on the answer length.

    Raises:
        ExtractorUnavailable: the endpoint or model is not configured; from
            :meth:`extract`: the endpoint cannot be reached or refuses the request.
        ExtractorConfigError: a configured value cannot be used (a URL that is not plain
            http(s), a timeout that is not a finite number of seconds above 0, a bad
            token cap).
    """

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    layers: frozenset[str] = LAYER_NAMES
    timeout: float | None = None
    temperature: float = 0.0
    seed: int = 0
    max_retries: int = 2
    retry_backoff: float = 1.0
    max_chunk_chars: int = 6000
    max_tokens: int | None = None
    name: str = "llm"
    protocol: str = (
        "zero-shot prompting of an OpenAI-compatible chat endpoint (NEWSBENCH_LLM_BASE_URL, "
        "NEWSBENCH_LLM_MODEL) for JSON strings aligned back to offsets; no examples from the corpus"
    )
    reports: dict[str, AlignmentReport] = field(default_factory=dict, init=False, repr=False)
    last_report: AlignmentReport | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url or os.environ.get(ENV_BASE_URL) or None
        self.model = self.model or os.environ.get(ENV_MODEL) or None
        self.api_key = self.api_key or os.environ.get(ENV_API_KEY) or None
        missing = [
            v for v, given in ((ENV_BASE_URL, self.base_url), (ENV_MODEL, self.model)) if not given
        ]
        if missing:
            raise ExtractorUnavailable(
                "the LLM baseline is not configured: set "
                + " and ".join(missing)
                + f" (e.g. {ENV_BASE_URL}=http://127.0.0.1:11434/v1 for a local Ollama, "
                f"{ENV_MODEL}=<model name>; {ENV_API_KEY} is optional)"
            )
        assert self.base_url is not None
        self._endpoint = _endpoint(self.base_url)
        if self.timeout is None:
            raw = os.environ.get(ENV_TIMEOUT)
            try:
                self.timeout = float(raw) if raw else 120.0
            except ValueError:
                raise ExtractorConfigError(
                    f"{ENV_TIMEOUT} must be a number of seconds, not {raw!r}"
                ) from None
        if not math.isfinite(self.timeout) or self.timeout <= 0:
            raise ExtractorConfigError(
                f"{ENV_TIMEOUT} (the timeout) must be a finite number of seconds above 0, "
                f"not {self.timeout!r}"
            )
        if self.max_tokens is None and os.environ.get(ENV_MAX_TOKENS):
            raw = os.environ[ENV_MAX_TOKENS]
            if not raw.isdigit() or int(raw) < 1:
                raise ExtractorConfigError(
                    f"{ENV_MAX_TOKENS} must be a positive whole number, not {raw!r}"
                )
            self.max_tokens = int(raw)
        self.layers = frozenset(self.layers)
        unknown = self.layers - LAYER_NAMES
        if unknown or not self.layers:
            raise ValueError(f"layers must be a non-empty subset of {sorted(LAYER_NAMES)}")
        self._system = system_prompt(self.layers)
        self._answered = False  # has the endpoint ever answered HTTP 200?

    @property
    def url(self) -> str:
        """The chat-completions URL every request goes to."""
        return self._endpoint.url

    def total_report(self) -> AlignmentReport:
        """Return the sum of every document's report since the extractor was built."""
        return merge_reports(self.reports.values())

    # --- HTTP ------------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        ep = self._endpoint
        if ep.scheme == "https":
            return http.client.HTTPSConnection(
                ep.host, ep.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(ep.host, ep.port, timeout=self.timeout)

    def _post(self, payload: Mapping[str, Any]) -> Any:
        """POST one JSON request; return the decoded JSON answer.

        Raises:
            ExtractorUnavailable: unreachable host, refused connection, or an HTTP error
                that retrying cannot fix (401, 404, a redirect ...).
            _RequestFailed: a transient failure persisted through every retry (once the
                endpoint has answered before; otherwise ExtractorUnavailable).
        """
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = self.url
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.retry_backoff * 2 ** (attempt - 1))
            connection = self._connection()
            try:
                connection.request("POST", self._endpoint.path, body, headers)
                response = connection.getresponse()
                status, data = response.status, response.read()
            except (ConnectionRefusedError, socket.gaierror, ssl.SSLError) as exc:
                raise ExtractorUnavailable(f"cannot reach the LLM endpoint {url}: {exc}") from None
            except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            except OSError as exc:
                raise ExtractorUnavailable(f"cannot reach the LLM endpoint {url}: {exc}") from None
            finally:
                connection.close()
            if status == 200:
                self._answered = True
                try:
                    return json.loads(data)
                except ValueError:
                    raise _RequestFailed(
                        f"{url} answered HTTP 200 with a body that is not JSON"
                    ) from None
            excerpt = data[:200].decode("utf-8", "replace")
            if status in _TRANSIENT_STATUS:
                last = f"HTTP {status}: {excerpt}"
                continue
            raise ExtractorUnavailable(f"the LLM endpoint {url} answered HTTP {status}: {excerpt}")
        failure = f"no answer after {self.max_retries + 1} attempt(s) ({last})"
        if not self._answered:
            # Never answered at all: a dead or wrong endpoint, not a bad moment.
            raise ExtractorUnavailable(f"the LLM endpoint {url} gave {failure}")
        raise _RequestFailed(failure)

    def complete(self, messages: Sequence[Mapping[str, str]]) -> str:
        """Send one chat request; return the answer's message content.

        Raises:
            ExtractorUnavailable: see :meth:`_post`.
            _RequestFailed: the request failed or the answer has no message content.
        """
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "temperature": self.temperature,
            "seed": self.seed,
            "response_format": {"type": "json_object"},
            "stream": False,
        }
        if self.max_tokens is not None:
            payload["max_tokens"] = self.max_tokens
        answer = self._post(payload)
        try:
            choice = answer["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _RequestFailed("the answer has no choices[0].message.content") from None
        if not isinstance(content, str):
            raise _RequestFailed("the answer's message content is not a string")
        if choice.get("finish_reason") == "length":
            try:
                parse_answer(content)
            except ValueError:
                raise _RequestFailed(
                    "the answer was cut off at the token limit (finish_reason 'length')"
                ) from None
        return content

    # --- extraction ------------------------------------------------------------------------

    def _answers(
        self, source: SourceDocument, report: AlignmentReport
    ) -> list[tuple[Chunk, dict[str, Any]]]:
        chunks = chunk_paragraphs(source.text, self.max_chunk_chars)
        report.chunks = len(chunks)
        answers = []
        for chunk in chunks:
            messages = [
                {"role": "system", "content": self._system},
                {
                    "role": "user",
                    "content": user_prompt(chunk.text, source.dct, chunk.index, len(chunks)),
                },
            ]
            try:
                content = self.complete(messages)
                answers.append((chunk, parse_answer(content)))
            except (_RequestFailed, ValueError) as exc:
                report.failed_chunks += 1
                report.add(
                    UnalignedItem(
                        "response", chunk.index, None, "json", "", f"answer unusable: {exc}"
                    )
                )
        return answers

    def extract_one(self, source: SourceDocument) -> Document:
        """Predict one document; its report goes to ``reports`` and ``last_report``."""
        builder = _DocumentBuilder(source, self.layers)
        answers = self._answers(source, builder.report)
        for chunk, answer in answers:
            builder.add_entities(chunk, answer)
        for chunk, answer in answers:
            builder.add_events(chunk, answer)
            builder.add_attributions(chunk, answer)
        self.reports[source.id] = builder.report
        self.last_report = builder.report
        return builder.document()

    def extract(self, documents: Iterable[SourceDocument]) -> Iterator[Document]:
        """Yield one prediction document per input document, in input order."""
        for source in documents:
            yield self.extract_one(source)
