"""OneIE / TextEE-style event extraction JSON (``oneie``): gold data and system output.

One JSON object per line, one sentence (or TextEE window) each, in either layout:

* the **data** layout of OneIE's preprocessing and TextEE: ``doc_id``, ``sent_id`` (or
  ``wnd_id``), ``tokens``, ``entity_mentions`` (``id``, ``entity_type``, optional
  ``mention_type``, token ``start``/``end``), ``event_mentions`` (``id``,
  ``event_type``, ``trigger`` with token ``start``/``end``, ``arguments`` naming an
  ``entity_id`` and a ``role``);
* the **prediction** layout OneIE writes: ``doc_id``, ``sent_id``, ``tokens`` and a
  ``graph`` with ``entities`` (``[start, end, type, mention type, score]``),
  ``triggers`` (``[start, end, type, score]``) and ``roles`` (``[trigger index, entity
  index, role, score]``).

Token offsets are half-open token indices. Sentences group into documents by
``doc_id`` in file order; a document's text is its sentences' tokens joined by one space,
sentences joined by a line break, so a gold file and a system's output over the same
tokens give the same texts and pair document by document. Each document has the
``sentences``, ``mentions`` and ``events`` layers. Event types ``Type:Subtype`` become
``Type.Subtype`` (the ``ace2005`` inventory's spelling). Ids: those of the data layout,
else ``<sent_id>-E<k>`` and ``<sent_id>-EV<k>``.

What is lost: the original spacing of the text, relations, confidence scores, word
pieces, and anything else on a line. OneIE/TextEE have no realis, coreference or
hoppers (the harness skips those metrics). Labels are checked against the ``ace2005``
inventory unless another is given.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from newsbench.corpus.interchange import ImportErrors, finish_record
from newsbench.eval.converters import read_text_lines
from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import Inventory, load_inventory
from newsbench.schema.model import Document
from newsbench.schema.problems import json_pointer
from newsbench.schema.validate import has_lone_surrogate, non_json_problem

__all__ = ["import_"]


@dataclass
class _Document:
    doc_id: str
    first_line: int
    texts: list[str] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    length: int = 0


def _token_spans(tokens: list[str], offset: int) -> tuple[str, list[tuple[int, int]]]:
    spans = []
    position = offset
    for token in tokens:
        spans.append((position, position + len(token)))
        position += len(token) + 1
    return " ".join(tokens), spans


class _Line:
    """Reads one sentence line into its document, recording located problems."""

    def __init__(self, errors: ImportErrors, number: int, doc_id: str) -> None:
        self.errors = errors
        self.number = number
        self.doc_id = doc_id

    def problem(self, message: str, expected: str, fix: str, code: str = "oneie-malformed") -> None:
        self.errors.add(code, message, expected, fix, line=self.number, document=self.doc_id)

    def span(self, value: Any, n_tokens: int, what: str) -> tuple[int, int] | None:
        start, end = value
        if not (type(start) is int and type(end) is int and 0 <= start < end <= n_tokens):
            self.problem(
                f"{what} has the token span [{start!r}, {end!r}) in a sentence of "
                f"{n_tokens} tokens",
                "half-open token indices 0 <= start < end <= len(tokens)",
                "correct the span (OneIE and TextEE ends are exclusive)",
            )
            return None
        return start, end


def _char_span(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    return spans[start][0], spans[end - 1][1]


def _prefix(item: dict[str, Any], doc: _Document) -> str:
    """The id prefix of a sentence: its sent_id or wnd_id, else ``<doc_id>-s<k>``."""
    return str(
        item.get("sent_id") or item.get("wnd_id") or f"{doc.doc_id}-s{len(doc.sentences) + 1}"
    )


def _slice(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """The text of document offsets ``[start, end)`` from the sentence being read."""
    base = spans[0][0]
    return text[start - base : end - base]


def _event_type(value: Any) -> str:
    return str(value).replace(":", ".", 1)


@dataclass
class _Sentence:
    """One sentence line being read into its document."""

    line: _Line
    doc: _Document
    spans: list[tuple[int, int]]
    text: str

    def _span(self, token_span: Any, what: str) -> dict[str, Any] | None:
        checked = self.line.span(token_span, len(self.spans), what)
        if checked is None:
            return None
        start, end = _char_span(self.spans, *checked)
        return {"start": start, "end": end, "text": _slice(self.text, self.spans, start, end)}

    def mention(
        self, mid: str, token_span: Any, what: str, label: Any, mtype: Any, stated: Any = None
    ) -> bool:
        """Add a mention; ``False`` when its token span is out of range or its ``text``
        (``stated``, where the line gives one) is not the tokens' (a problem)."""
        span = self._span(token_span, what)
        if span is None:
            return False
        if isinstance(stated, str) and "".join(stated.split()) != "".join(span["text"].split()):
            self.line.problem(
                f"{what} says its text is {stated!r}, but its tokens are {span['text']!r}",
                "the mention's text equal to its tokens (spaces aside)",
                "fix the token offsets or the text (are they counted in this sentence?)",
                "span-text-mismatch",
            )
            return False
        self.doc.lines[f"/mentions/{len(self.doc.mentions)}"] = self.line.number
        record: dict[str, Any] = {"id": mid, **span, "type": str(label)}
        if isinstance(mtype, str) and mtype:
            record["mention_type"] = mtype
        self.doc.mentions.append(record)
        return True

    def event(self, eid: str, token_span: Any, what: str, label: Any) -> dict[str, Any] | None:
        """Add an event without arguments and return it (``None``: span out of range)."""
        span = self._span(token_span, what)
        if span is None:
            return None
        self.doc.lines[f"/events/{len(self.doc.events)}"] = self.line.number
        event = {"id": eid, "type": _event_type(label), "trigger": span, "arguments": []}
        self.doc.events.append(event)
        return event


def _read_data_layout(sentence: _Sentence, item: dict[str, Any]) -> None:
    prefix = _prefix(item, sentence.doc)
    for k, mention in enumerate(item.get("entity_mentions") or []):
        sentence.mention(
            str(mention.get("id") or f"{prefix}-E{k}"),
            (mention.get("start"), mention.get("end")),
            f"entity mention {k}",
            mention.get("entity_type", ""),
            mention.get("mention_type"),
            mention.get("text"),
        )
    for k, event in enumerate(item.get("event_mentions") or []):
        trigger = event.get("trigger") or {}
        added = sentence.event(
            str(event.get("id") or f"{prefix}-EV{k}"),
            (trigger.get("start"), trigger.get("end")),
            f"event mention {k}",
            event.get("event_type", ""),
        )
        if added is not None:
            added["arguments"] = [
                {"role": str(a.get("role", "")), "ref": str(a.get("entity_id", ""))}
                for a in event.get("arguments") or []
            ]


def _graph_item(sentence: _Sentence, item: Any, k: int, what: str, shape: str) -> bool:
    """True if a graph entity or trigger has at least start, end and type (else a problem)."""
    if isinstance(item, list) and len(item) >= 3:
        return True
    sentence.line.problem(
        f"graph {what} {k} is {item!r}", shape, f"write every {what} as OneIE does"
    )
    return False


def _read_graph_layout(sentence: _Sentence, item: dict[str, Any]) -> None:
    graph = item["graph"]
    prefix = _prefix(item, sentence.doc)
    entity_ids: list[str | None] = []
    for k, entity in enumerate(graph.get("entities") or []):
        shape = "[start, end, type, mention type, score]"
        mid = f"{prefix}-E{k}"
        ok = _graph_item(sentence, entity, k, "entity", shape) and sentence.mention(
            mid, tuple(entity[:2]), f"graph entity {k}", entity[2], (entity[3:4] or [None])[0]
        )
        entity_ids.append(mid if ok else None)
    events: list[dict[str, Any] | None] = []
    for k, trigger in enumerate(graph.get("triggers") or []):
        shape = "[start, end, type, score]"
        ok = _graph_item(sentence, trigger, k, "trigger", shape)
        events.append(
            sentence.event(f"{prefix}-EV{k}", tuple(trigger[:2]), f"graph trigger {k}", trigger[2])
            if ok
            else None
        )
    for k, role in enumerate(graph.get("roles") or []):
        ok = len(role) >= 3 and all(type(i) is int for i in role[:2])  # not bool
        if ok and 0 <= role[0] < len(events) and 0 <= role[1] < len(entity_ids):
            event, entity = events[role[0]], entity_ids[role[1]]
            if event is not None and entity is not None:
                event["arguments"].append({"role": str(role[2]), "ref": entity})
            continue
        sentence.line.problem(
            f"graph role {k} is {role!r}: no such trigger or entity",
            "[trigger index, entity index, role, score] with indices into this graph",
            "write every role as OneIE does",
        )


_INT = {"type": "integer"}
_NAME = {"type": "string"}
_ROWS = {"type": "array", "items": {"type": "array"}}


def _objects(required: list[str], **properties: Any) -> dict[str, Any]:
    """A JSON Schema list of objects with these required keys and typed properties."""
    item = {"type": "object", "required": required, "properties": properties}
    return {"type": "array", "items": item}


_SPAN = {"type": "object", "required": ["start", "end"], "properties": {"start": _INT, "end": _INT}}
_LINE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["doc_id", "tokens"],
    "properties": {
        "doc_id": _NAME,
        "sent_id": {"type": ["string", "integer"]},
        "wnd_id": {"type": ["string", "integer"]},
        "tokens": {"type": "array", "minItems": 1, "items": _NAME},
        "entity_mentions": _objects(
            ["start", "end", "entity_type"],
            id=_NAME, start=_INT, end=_INT, entity_type=_NAME, mention_type=_NAME,
        ),
        "event_mentions": _objects(
            ["trigger", "event_type"],
            id=_NAME, event_type=_NAME, trigger=_SPAN,
            arguments=_objects(["entity_id", "role"], entity_id=_NAME, role=_NAME),
        ),
        "graph": {
            "type": "object",
            "properties": {"entities": _ROWS, "triggers": _ROWS, "roles": _ROWS},
        },
    },
}  # fmt: skip
"""The parts of a line this importer reads, with their types: a layer that is ``null`` or
of another type is a problem, never an empty layer."""

KNOWN_KEYS = frozenset(
    {
        *_LINE_SCHEMA["properties"],
        # read by neither layout, written by OneIE's and TextEE's preprocessing
        "pieces", "token_lens", "sentence", "sentence_starts", "relation_mentions", "lang",
        "text", "offset", "entity_coreference", "event_coreference",
    }
)  # fmt: skip
"""Keys of a line that are known; any other is named in a note (a misspelled layer is not
lost without a word)."""


def _shape_problems(item: Any, number: int, errors: ImportErrors) -> bool:
    """Record every way ``item`` breaks :data:`_LINE_SCHEMA`; ``True`` if it does."""
    found = False
    for error in _LINE_VALIDATOR.iter_errors(item):
        found = True
        where = json_pointer(error.instance_path)
        errors.add(
            "oneie-malformed",
            error.message if where else f"the line: {error.message}",
            "OneIE or TextEE JSON: typed layers (lists of objects, token offsets as integers)",
            "write the line as OneIE or TextEE does",
            line=number,
            document=item.get("doc_id") if isinstance(item, dict) else None,
            path=where,
        )
    return found


_LINE_VALIDATOR = jsonschema_rs.validator_for(_LINE_SCHEMA)


def _read(path: Path, errors: ImportErrors) -> list[_Document]:
    documents: dict[str, _Document] = {}
    unknown: Counter[str] = Counter()
    lines = read_text_lines(path, errors, "JSON Lines file")
    if lines is None:
        return []
    for number, source in enumerate(lines, start=1):
        if not source.strip():
            continue
        try:
            item = json.loads(source)
        except (RecursionError, ValueError) as exc:  # JSONDecodeError; too deep; too long
            if isinstance(exc, RecursionError):
                why = "nested too deep to read"
            else:
                why = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            errors.add(
                "invalid-json",
                f"the line is not JSON: {why}",
                "one JSON object per line",
                "fix the JSON syntax",
                line=number,
            )
            continue
        not_json = non_json_problem(item)  # a lone surrogate escape ("\ud800") reads in
        if not_json is not None:
            doc_id = item.get("doc_id") if isinstance(item, dict) else None
            errors.add(
                not_json.code,
                not_json.message,
                "JSON text whose \\u escapes stand for characters (a surrogate escape only in "
                "a pair)",
                "replace the lone surrogate escape by the character it was meant for",
                line=number,
                document=doc_id if type(doc_id) is str and not has_lone_surrogate(doc_id) else None,
                path=not_json.path,
            )
            continue
        doc_id = item.get("doc_id") if isinstance(item, dict) else None
        tokens = item.get("tokens") if isinstance(item, dict) else None
        if isinstance(item, dict) and isinstance(doc_id, str) and isinstance(tokens, list):
            if _shape_problems(item, number, errors):
                continue
            unknown.update(set(item) - KNOWN_KEYS)
        if not isinstance(doc_id, str) or not isinstance(tokens, list) or not tokens:
            errors.add(
                "oneie-malformed",
                "the line lacks a doc_id string or a non-empty tokens list",
                "an object with doc_id, sent_id or wnd_id, tokens, and a graph or "
                "entity_mentions/event_mentions",
                "check that this is OneIE or TextEE JSON",
                line=number,
            )
            continue
        if not all(isinstance(t, str) and t and not t.isspace() for t in tokens):
            errors.add(
                "oneie-malformed",
                "a token is empty, blank or not a string",
                "non-empty token strings",
                "fix the tokens list",
                line=number,
                document=doc_id,
            )
            continue
        doc = documents.setdefault(doc_id, _Document(doc_id, number))
        offset = doc.length + (1 if doc.texts else 0)
        text, spans = _token_spans(tokens, offset)
        sentence = _Sentence(_Line(errors, number, doc_id), doc, spans, text)
        if "graph" in item and isinstance(item["graph"], dict):
            _read_graph_layout(sentence, item)
        else:
            _read_data_layout(sentence, item)
        sentence_id = str(item.get("sent_id") or item.get("wnd_id") or f"s{len(doc.sentences) + 1}")
        doc.sentences.append(
            {"id": sentence_id, "start": offset, "end": offset + len(text), "text": text}
        )
        doc.texts.append(text)
        doc.length = offset + len(text)
    if unknown:
        errors.note(
            "keys not read (neither OneIE nor TextEE layers): "
            + ", ".join(f"{key!r} on {n} line(s)" for key, n in sorted(unknown.items()))
        )
    return list(documents.values())


def import_(
    fmt: str,
    path: Path,
    *,
    kind: SchemaKind = "document",
    inventory: Inventory | str | None = "ace2005",
    **_: Any,
) -> list[Document]:
    """Import OneIE or TextEE JSON Lines (see the module docstring).

    Raises:
        DataError: Every problem of the file: bad JSON, missing tokens, token spans out of
            range, dangling roles, labels outside the inventory, each at its line.
    """
    errors = ImportErrors(path)
    labels = load_inventory(inventory)
    documents = []
    for doc in _read(path, errors):
        record = {
            "id": doc.doc_id,
            "text": "\n".join(doc.texts),
            "sentences": doc.sentences,
            "mentions": doc.mentions,
            "events": doc.events,
        }
        document = finish_record(
            record, kind, errors, lines={"": doc.first_line, **doc.lines}, inventory=labels
        )
        if document is not None:
            documents.append(document)
    if not documents and not errors.problems:
        errors.add(
            "file-empty",
            "the file holds no sentence",
            "OneIE or TextEE JSON Lines, one sentence per line",
            "check that this is the right file",
        )
    errors.raise_if_any()
    return documents
