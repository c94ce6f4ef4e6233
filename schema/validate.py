"""Two-stage validation: the JSON Schema, then the checks it cannot express.

Stage 1 runs ``jsonschema-rs`` (draft 2020-12) on the raw object and turns each
error into a :class:`Problem`. Stage 2 runs only on objects that pass stage 1:
offsets inside the text, stored span text equal to ``text[start:end]``, spans on
word boundaries without outer whitespace (gold only), unique ids, references
that resolve to objects of the right kind, non-overlapping structure and
content spans, and acyclic attribution parents.

Both stages report every problem; nothing is repaired.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import jsonschema_rs
import orjson

from newsbench.schema.contract import SchemaKind, schema_for
from newsbench.schema.inventory import DEFAULT_INVENTORY, Inventory
from newsbench.schema.io import JsonlSource, gc_paused, iter_jsonl, too_deep_problem
from newsbench.schema.model import (
    LAYERS,
    Document,
    Mention,
    Paragraph,
    Sentence,
    Source,
    Span,
    Zone,
    document_from_dict,
    iter_spans,
)
from newsbench.schema.problems import DataError, Problem, did_you_mean, json_pointer
from newsbench.schema.tokens import any_inside_word, ends_inside_word, starts_inside_word


@cache
def _validator(kind: SchemaKind, inventory: Inventory | None = None) -> Any:
    return jsonschema_rs.validator_for(schema_for(kind, inventory))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    return node


def _schema_node(
    kind: SchemaKind, schema_path: Sequence[str | int], inventory: Inventory | None = None
) -> dict[str, Any]:
    schema = schema_for(kind, inventory)
    node: Any = schema
    for part in schema_path[:-1]:
        node = node[part]
    return _resolve(schema, node) if isinstance(node, dict) else {}


def _event_type_at(record: Any, instance_path: Sequence[str | int]) -> str | None:
    if len(instance_path) >= 2 and instance_path[0] == "events" and isinstance(record, dict):
        try:
            event_type = record["events"][instance_path[1]]["type"]
        except (KeyError, IndexError, TypeError):
            return None
        return event_type if isinstance(event_type, str) else None
    return None


def _label_fix(inventory: Inventory | None) -> str:
    name = DEFAULT_INVENTORY if inventory is None else inventory.name
    return (
        f"use a label of the {name} inventory; for another corpus declare its inventory "
        "(--inventory NAME or FILE), or map your labels with a label map (--label-map)"
    )


def label_problem(
    label: object, options: Sequence[str], inventory: Inventory | None, **where: Any
) -> Problem:
    """The ``schema-enum`` problem of a label outside an inventory's closed set."""
    name = DEFAULT_INVENTORY if inventory is None else inventory.name
    return Problem(
        "schema-enum",
        f"{label!r} is not a label of the {name} inventory{did_you_mean(label, list(options))}",
        f"one of {', '.join(options)}"
        if options
        else f"no value here: the {name} inventory declares no labels for it",
        _label_fix(inventory),
        **where,
    )


def schema_problem(
    error: Any, kind: SchemaKind, record: Any = None, inventory: Inventory | None = None
) -> Problem:
    """Translate one ``jsonschema_rs.ValidationError`` into a :class:`Problem`."""
    path = json_pointer(error.instance_path)
    name = type(error.kind).__name__
    instance = error.instance
    if name == "Required":
        key = error.kind.property
        return Problem(
            "schema-required",
            f"the required key {key!r} is missing",
            f"an object with the key {key!r}",
            f"add {key!r}; see the schema definition of this object",
            path=path,
        )
    if name == "AdditionalProperties":
        unexpected = list(error.kind.unexpected)
        allowed = sorted(
            _schema_node(kind, list(error.schema_path), inventory).get("properties", {})
        )
        hints = "".join(did_you_mean(k, allowed) for k in unexpected)
        return Problem(
            "schema-unknown-key",
            f"unknown key(s) {', '.join(map(repr, unexpected))}{hints}",
            f"only the keys {', '.join(allowed)}",
            "remove or rename the key; the schema forbids unknown keys so that typos are caught",
            path=path,
        )
    if name == "Enum":
        options = [str(o) for o in error.kind.options]
        event_type = _event_type_at(record, list(error.instance_path))
        inventory_name = DEFAULT_INVENTORY if inventory is None else inventory.name
        if event_type is not None and "arguments" in error.instance_path:
            return Problem(
                "schema-enum",
                f"the role {instance!r} is not allowed for events of "
                f"type {event_type}{did_you_mean(instance, options)}",
                f"one of the {event_type} roles: {', '.join(options)}"
                if options
                else f"no argument: the {inventory_name} inventory gives {event_type} no roles",
                "use a role of this event type (see the roles table in "
                "schema/GUIDELINES.md, or the inventory file) or correct the event type",
                path=path,
            )
        return label_problem(instance, options, inventory, path=path)
    if name == "Type":
        expected = error.kind.types if hasattr(error.kind, "types") else "another type"
        expected_text = " or ".join(expected) if isinstance(expected, list) else str(expected)
        hint = ""
        if isinstance(instance, str) and instance.strip().lstrip("-").isdigit():
            hint = " (a number written as a string)"
        elif isinstance(instance, float):
            hint = " (a float where a whole number is needed)"
        return Problem(
            "schema-type",
            f"{instance!r} has JSON type {type(instance).__name__}{hint}",
            f"a value of JSON type {expected_text}",
            "write the value with the expected JSON type (offsets are integers)",
            path=path,
        )
    if name == "Pattern":
        return Problem(
            "schema-pattern",
            f"{instance!r} is not in the expected format",
            f"a string matching {error.kind.pattern}",
            "correct the format (dates are YYYY-MM-DD; ids use letters, digits and _ . : -)",
            path=path,
        )
    if name in {
        "Minimum",
        "Maximum",
        "MinLength",
        "MaxLength",
        "MinItems",
        "MaxItems",
        "ExclusiveMinimum",
        "ExclusiveMaximum",
    }:
        return Problem(
            "schema-range",
            error.message,
            "a value inside the schema's range",
            "correct the value (offsets are non-negative; lists of spans are non-empty)",
            path=path,
        )
    return Problem(
        "schema-other",
        error.message,
        "a value the schema allows",
        "see the schema definition of this object",
        path=path,
    )


def schema_problems(
    record: Any, kind: SchemaKind = "document", inventory: Inventory | None = None
) -> list[Problem]:
    """Return every schema problem of one record (stage 1) under ``inventory``.

    A record nested deeper than jsonschema-rs accepts is one ``json-too-deep`` problem.
    ``is_valid`` (no error objects) answers first: most records are valid.
    """
    validator = _validator(kind, inventory)
    try:
        if validator.is_valid(record):
            return []
        return [schema_problem(e, kind, record, inventory) for e in validator.iter_errors(record)]
    except (ValueError, TypeError) as exc:
        if "recursion limit" in str(exc).lower():
            return [too_deep_problem()]
        problem = _non_json_problem(record)
        if problem is None:
            raise
        return [problem]


def non_json_problem(record: Any) -> Problem | None:
    """The ``not-json`` problem of a record given from Python (a JSON Lines file cannot
    hold one): the first value JSON cannot hold, such as a ``date``, a numpy scalar or a
    string with a lone surrogate, in a value or a key. ``None`` when there is none."""
    try:
        encoded = orjson.dumps(record)  # fast and strict about surrogates; subclasses pass
    except TypeError as exc:
        if "recursion" in str(exc).lower():
            return None  # too deep: the schema check reports json-too-deep
        return _non_json_problem(record)
    if b"null" not in encoded:
        return None
    # orjson writes NaN and infinities as null: where a null is written, look for them
    parts = (part for part in non_json_parts(record) if isinstance(part[1], float))
    found = next(parts, None)
    return None if found is None else _described(*found, fix=_FINITE_FIX)


_FINITE_FIX = "write a finite number, or null where the schema allows one"
_CONVERT_FIX = (
    "convert it first (dates to ISO 8601 strings, numpy numbers to int or float, sets to "
    "lists, lone surrogates to the characters they stand for), as a JSON Lines file would "
    "hold it"
)


def _non_json_problem(record: Any) -> Problem | None:
    found = next(non_json_parts(record, exact=True), None)
    return None if found is None else _described(*found, fix=_CONVERT_FIX)


def _described(path: str, value: Any, is_key: bool, *, fix: str) -> Problem:
    """The ``not-json`` problem of one part :func:`non_json_parts` found."""
    if isinstance(value, str) and has_lone_surrogate(value):
        index = next(i for i, c in enumerate(value) if 0xD800 <= ord(c) <= 0xDFFF)
        what = (
            f"the {'key' if is_key else 'string'} {_shortened(value)} holds a lone surrogate "
            f"{value[index]!r} at index {index}, which UTF-8 cannot encode"
        )
    elif is_key:
        what = f"the key {_shortened(value)} is not a str but a {type(value).__name__}"
    elif type(value) is float:
        what = f"the number {value!r} is not a JSON value (RFC 8259 has no NaN or Infinity)"
    else:
        what = f"{type(value).__name__} {_shortened(value)} is not a JSON value"
    return Problem(
        "not-json",
        what,
        "JSON values only: strings, numbers, booleans, null, lists, and objects with string keys",
        fix,
        path=path,
    )


def _shortened(value: Any, width: int = 60) -> str:
    shown = repr(value)
    return shown if len(shown) <= width else shown[: width - 4] + "..." + shown[-1:]


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` cannot be written as UTF-8 (it holds a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True  # a lone surrogate
    return False


def non_json_parts(value: Any, *, exact: bool = False) -> Iterator[tuple[str, Any, bool]]:
    """Every part of ``value`` JSON cannot hold, in document order, as ``(JSON pointer of
    the part or of the object holding the key, the part, whether it is a key)``: a string
    with a lone surrogate, NaN or an infinity, a key that is not a string or holds a lone
    surrogate, a value of any other type.

    With ``exact`` only the built-in types count, as jsonschema-rs reads them (a ``str`` or
    ``float`` subclass, a tuple is a part); else their subclasses and tuples pass, as
    orjson writes them. Walked with a stack: no depth makes it recurse.
    """
    text: Any = str
    number: Any = (bool, int)
    sequence: Any = list if exact else (list, tuple)
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        kind = type(node)
        if (kind is str) if exact else isinstance(node, text):
            if has_lone_surrogate(node):
                yield json_pointer(path), node, False
        elif node is None or ((kind in number) if exact else isinstance(node, number)):
            continue
        elif (kind is float) if exact else isinstance(node, float):
            if not math.isfinite(node):
                yield json_pointer(path), node, False
        elif isinstance(node, sequence):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))
        elif isinstance(node, dict):
            children = []
            for key, child in node.items():
                is_text = (type(key) is str) if exact else isinstance(key, str)
                if not is_text or has_lone_surrogate(key):
                    yield json_pointer(path), key, True  # no pointer can name it in UTF-8
                else:
                    children.append(((*path, key), child))
            stack.extend(reversed(children))
        else:
            yield json_pointer(path), node, False


# --- stage 2 -----------------------------------------------------------------------


def _utf16_to_index(text: str, unit: int) -> int | None:
    count = 0
    for index, char in enumerate(text):
        if count == unit:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text) if count == unit else None


def _byte_to_index(text: str, byte: int) -> int | None:
    encoded = text.encode("utf-8")
    if byte > len(encoded):
        return None
    try:
        return len(encoded[:byte].decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _line_end_cause(text: str, start: int, end: int, stored: str) -> str | None:
    """Detect offsets counted with other line ends than the text has (CRLF vs LF)."""
    if "\r\n" in text and text.replace("\r\n", "\n")[start:end] == stored:
        return (
            "the text has CRLF (\\r\\n) line ends but the offsets were counted with LF "
            "(\\n) line ends: every \\r counts as one character; recompute the offsets on "
            "the text exactly as stored (or store the text with \\n line ends)"
        )
    if "\n" in text and "\r\n" not in text and text.replace("\n", "\r\n")[start:end] == stored:
        return (
            "the offsets were counted with CRLF (\\r\\n) line ends but the text has LF "
            "(\\n): recompute the offsets on the text exactly as stored"
        )
    return None


def _unit_cause(text: str, start: int, end: int, stored: str) -> str | None:
    """Detect offsets in UTF-16 code units or UTF-8 bytes instead of str indices."""
    s16, e16 = _utf16_to_index(text, start), _utf16_to_index(text, end)
    if s16 is not None and e16 is not None and text[s16:e16] == stored:
        return (
            f"the offsets look like UTF-16 code units (JavaScript/Java string indices); "
            f"as Python str indices they are [{s16}, {e16})"
        )
    sb, eb = _byte_to_index(text, start), _byte_to_index(text, end)
    if sb is not None and eb is not None and text[sb:eb] == stored:
        return (
            f"the offsets look like UTF-8 byte offsets; as Python str indices they are [{sb}, {eb})"
        )
    return None


def _mismatch_cause(text: str, start: int, end: int, stored: str) -> str:
    """Guess why ``text[start:end]`` differs from ``stored``; return a fix hint."""
    if text[start : end + 1] == stored:
        return "the end offset looks inclusive: newsbench ends are exclusive, use end + 1"
    if start > 0 and text[start - 1 : end] == stored:
        return "the offsets look 1-based: newsbench offsets are 0-based Python str indices"
    cause = _unit_cause(text, start, end, stored) or _line_end_cause(text, start, end, stored)
    if cause is not None:
        return cause
    found = text.find(stored)
    if found >= 0:
        return (
            f"the stored text occurs at [{found}, {found + len(stored)}); recompute the "
            "offsets from the text, never type them by hand"
        )
    return "the stored text does not occur in the document: recompute offsets and text together"


def _spans(doc: Document) -> list[Span | Source | Paragraph | Zone | Sentence | Mention | Any]:
    """Every span object of ``doc`` (as :func:`iter_spans`, without building paths)."""
    spans: list[Any] = []
    for name in ("paragraphs", "zones", "sentences", "mentions", "time_expressions"):
        spans.extend(doc.layer(name))
    spans.extend(event.trigger for event in doc.layer("events"))
    for attribution in doc.layer("attributions"):
        spans.extend(attribution.cue)
        if attribution.source is not None:
            spans.append(attribution.source)
        spans.extend(attribution.content)
    return spans


def _spans_are_clean(doc: Document, gold: bool) -> bool:
    """Fast test: True only if :func:`_span_problems` would report nothing.

    Checks the conditions of the full check in one tight loop and builds no JSON
    paths; any doubt returns False and the full check runs.
    """
    text = doc.text
    size = len(text)
    spans = _spans(doc)
    for span in spans:
        start, end, stored = span.start, span.end, span.text
        if not (type(start) is int and type(end) is int and 0 <= start < end <= size):
            return False
        if text[start:end] != stored:
            return False
        if gold and (stored[0].isspace() or stored[-1].isspace()):
            return False  # (``stored`` is not empty: it equals a non-empty slice)
    if gold:
        offsets = [span.start for span in spans]
        offsets.extend([span.end for span in spans])
        return not any_inside_word(text, offsets)
    return True


def _span_problems(doc: Document, gold: bool) -> Iterator[Problem]:
    if _spans_are_clean(doc, gold):
        return
    text = doc.text
    size = len(text)
    for path, span in iter_spans(doc):
        start, end, stored = span.start, span.end, span.text
        if type(start) is not int or type(end) is not int:
            huge = any(isinstance(v, float) and abs(v) >= 2**63 for v in (start, end))
            yield Problem(
                "schema-type",
                f"the offsets ({start!r}, {end!r}) are not whole numbers"
                + (" (an integer beyond the 64-bit range is read as a float)" if huge else ""),
                "integer offsets such as 12, not 12.0",
                "write offsets as JSON integers without a decimal point",
                path=path,
            )
            continue
        if end <= start:
            yield Problem(
                "span-empty",
                f"the span [{start}, {end}) is empty or reversed",
                "start < end (half-open [start, end) offsets)",
                "check for swapped or equal offsets; a zero-length span is not allowed",
                path=path,
            )
            continue
        if end > size:
            yield Problem(
                "span-out-of-range",
                f"the span [{start}, {end}) ends beyond the text (length {size})",
                f"0 <= start < end <= {size}",
                _unit_cause(text, start, end, stored)
                or _line_end_cause(text, start, end, stored)
                or "recompute the offsets against this document's text",
                path=path,
            )
            continue
        if text[start:end] != stored:
            yield Problem(
                "span-text-mismatch",
                f"text[{start}:{end}] is {text[start:end]!r} but the stored text is {stored!r}",
                "the stored text equal to text[start:end]",
                _mismatch_cause(text, start, end, stored),
                path=path,
            )
            continue
        if not gold:
            continue
        if stored != stored.strip():
            yield Problem(
                "span-outer-whitespace",
                f"the span text {stored!r} has outer whitespace",
                "a span that starts and ends on a non-space character",
                "move start/end inwards past the whitespace",
                path=path,
            )
        elif starts_inside_word(text, start) or ends_inside_word(text, end):
            context = text[max(0, start - 10) : min(size, end + 10)]
            yield Problem(
                "span-splits-word",
                f"the span {stored!r} starts or ends inside a word (in {context!r})",
                "spans that start and end on word boundaries",
                "extend the span to the whole word",
                path=path,
            )


def _overlap_problems(spans: Iterable[tuple[str, int, int]], what: str) -> Iterator[Problem]:
    ordered = sorted(spans, key=lambda s: (s[1], s[2], s[0]))
    for (path_a, start_a, end_a), (path_b, start_b, end_b) in itertools.pairwise(ordered):
        if start_b < end_a:
            yield Problem(
                "overlapping-spans",
                f"{what} [{start_a}, {end_a}) at {path_a} and [{start_b}, {end_b}) overlap",
                f"{what} that do not overlap",
                "split or merge them so that each character belongs to at most one",
                path=path_b,
            )


def _unique_id_kinds(doc: Document) -> dict[str, str] | None:
    """Map every id to its layer, in document order; ``None`` if an id repeats."""
    kinds: dict[str, str] = {}
    count = 0
    for layer in LAYERS:
        items = doc.layer(layer)
        count += len(items)
        kinds.update(dict.fromkeys([item.id for item in items], layer))
    return kinds if len(kinds) == count else None


def _may_overlap(spans: Sequence[Any]) -> bool:
    """Fast test: False only if :func:`_overlap_problems` would report nothing for ``spans``.

    Overlap depends only on the sorted ``(start, end)`` values, not on the paths that
    break ties in the full check.
    """
    if len(spans) < 2:
        return False
    ordered = sorted([(s.start, s.end) for s in spans])
    return any(b[0] < a[1] for a, b in itertools.pairwise(ordered))


def _id_problems(doc: Document) -> tuple[dict[str, str], list[Problem]]:
    unique = _unique_id_kinds(doc)
    if unique is not None:
        return unique, []
    kinds: dict[str, str] = {}
    first_path: dict[str, str] = {}
    problems = []
    for layer in LAYERS:
        for i, item in enumerate(doc.layer(layer)):
            path = f"/{layer}/{i}/id"
            if item.id in kinds:
                problems.append(
                    Problem(
                        "duplicate-id",
                        f"the id {item.id!r} is already used at {first_path[item.id]}",
                        "ids unique within the document",
                        "rename one of the two objects and update its references",
                        path=path,
                    )
                )
                continue
            kinds[item.id] = layer
            first_path[item.id] = path
    return kinds, problems


def _reference_problem(
    kinds: dict[str, str], ref: str, allowed: Sequence[str], path: str, what: str
) -> Problem | None:
    kind = kinds.get(ref)
    if kind is None:
        same_kind = [i for i, k in kinds.items() if k in allowed]
        return Problem(
            "dangling-reference",
            f"{what} {ref!r} does not exist in this document{did_you_mean(ref, same_kind)}",
            f"the id of an object in {' or '.join(allowed)}",
            "add the missing object or correct the id",
            path=path,
        )
    if kind not in allowed:
        return Problem(
            "wrong-reference-kind",
            f"{what} {ref!r} names an object in {kind}",
            f"the id of an object in {' or '.join(allowed)}",
            "point the reference at an object of the right kind",
            path=path,
        )
    return None


def is_time_role(role: str) -> bool:
    """A role filled by a time expression: ``Time``, and ACE's ``Time-Within``, ``Time-After``..."""
    return role == "Time" or role.startswith("Time-")


def _reference_problems(doc: Document, kinds: dict[str, str]) -> Iterator[Problem]:
    mentions: dict[str, Mention] = {m.id: m for m in doc.layer("mentions")}
    for i, event in enumerate(doc.layer("events")):
        for j, argument in enumerate(event.arguments or ()):
            allowed = ("time_expressions",) if is_time_role(argument.role) else ("mentions",)
            if kinds.get(argument.ref) in allowed:
                continue  # resolves to the right kind: nothing to report
            problem = _reference_problem(
                kinds,
                argument.ref,
                allowed,
                f"/events/{i}/arguments/{j}/ref",
                f"the {argument.role} argument",
            )
            if problem:
                yield problem
    parents: dict[str, str] = {}
    for i, attribution in enumerate(doc.layer("attributions")):
        base = f"/attributions/{i}"
        source = attribution.source
        if source is not None and source.mention is not None:
            problem = _reference_problem(
                kinds, source.mention, ("mentions",), f"{base}/source/mention", "the source mention"
            )
            if problem:
                yield problem
            else:
                head = mentions[source.mention]
                if not (source.start <= head.start and head.end <= source.end):
                    yield Problem(
                        "source-mention-outside-source",
                        f"the source mention {head.text!r} [{head.start}, {head.end}) is "
                        f"outside the source span [{source.start}, {source.end})",
                        "a head mention inside the source noun phrase",
                        "point source.mention at the mention that heads this source",
                        path=f"{base}/source/mention",
                    )
        if attribution.intermediary is not None:
            problem = _reference_problem(
                kinds,
                attribution.intermediary,
                ("mentions",),
                f"{base}/intermediary",
                "the intermediary",
            )
            if problem:
                yield problem
        if attribution.parent is not None:
            problem = _reference_problem(
                kinds,
                attribution.parent,
                ("attributions",),
                f"{base}/parent",
                "the parent attribution",
            )
            if problem:
                yield problem
            else:
                parents[attribution.id] = attribution.parent
        if _may_overlap(attribution.content):
            yield from _overlap_problems(
                (
                    (f"{base}/content/{j}", s.start, s.end)
                    for j, s in enumerate(attribution.content)
                ),
                "content spans of one attribution",
            )
    if parents:
        yield from _cycle_problems(doc, parents)


def _cycle_problems(doc: Document, parents: dict[str, str]) -> Iterator[Problem]:
    index = {a.id: i for i, a in enumerate(doc.layer("attributions"))}
    reported: set[str] = set()
    for start in sorted(parents):
        seen: list[str] = []
        node: str | None = start
        while node is not None and node not in seen:
            seen.append(node)
            node = parents.get(node)
        if node is not None and node not in reported:
            cycle = seen[seen.index(node) :]
            reported.update(cycle)
            yield Problem(
                "parent-cycle",
                f"the parents form a cycle: {' -> '.join([*cycle, node])}",
                "parent links that lead to a top-level attribution",
                "remove the parent link of the outermost attribution",
                path=f"/attributions/{index[node]}/parent",
            )


def semantic_problems(doc: Document, *, gold: bool = True) -> list[Problem]:
    """Return every stage-2 problem of a schema-valid document.

    Args:
        doc: The document.
        gold: Apply the annotation-only span rules (word boundaries, whitespace).
    """
    problems = list(_span_problems(doc, gold))
    if gold:
        problems.extend(_date_problems(doc))
    kinds, id_problems = _id_problems(doc)
    problems.extend(id_problems)
    problems.extend(_reference_problems(doc, kinds))
    for layer in ("paragraphs", "sentences", "zones"):
        if _may_overlap(doc.layer(layer)):
            problems.extend(
                _overlap_problems(
                    ((f"/{layer}/{i}", s.start, s.end) for i, s in enumerate(doc.layer(layer))),
                    layer,
                )
            )
    return problems


_DAY_VALUE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d])")
_WEEK_VALUE = re.compile(r"(\d{4})-W(\d{2})(?![\d])")


def _date_problems(doc: Document) -> list[Problem]:
    """A DCT, or a TIMEX value's day or ISO week, that is no such thing (``2024-02-30``,
    ``2023-W53``): relative expressions resolve against the DCT, and a value is a point
    of the calendar."""
    problems = []
    if doc.metadata is not None and (why := _no_day(doc.metadata.dct)) is not None:
        problems.append(_date_problem("the DCT", doc.metadata.dct, why, "/metadata/dct"))
    for i, timex in enumerate(doc.time_expressions or ()):
        value = timex.value or ""
        if (day := _DAY_VALUE.match(value)) and (why := _no_day(day.group())) is not None:
            path = f"/time_expressions/{i}/value"
            problems.append(
                _date_problem(f"the value of time expression {timex.id!r}", value, why, path)
            )
        elif week := _WEEK_VALUE.match(value):
            try:
                date.fromisocalendar(int(week[1]), int(week[2]), 1)
            except ValueError as exc:
                path = f"/time_expressions/{i}/value"
                what = f"the value of time expression {timex.id!r}"
                problems.append(_date_problem(what, value, str(exc), path))
    return problems


def _no_day(text: str) -> str | None:
    """Why ``YYYY-MM-DD`` names no calendar day, or None when it does."""
    try:
        date.fromisoformat(text)
    except ValueError as exc:
        return str(exc)
    return None


def _date_problem(what: str, value: str, why: str, path: str) -> Problem:
    return Problem(
        "date-invalid",
        f"{what} is {value!r}, which names no day or week of the calendar ({why})",
        "a real calendar day (YYYY-MM-DD) or ISO week (YYYY-Www) of that year",
        "correct the date: 2024-02-29 exists, 2024-02-30 does not; 2020 has a week 53, "
        "2023 does not",
        path=path,
    )


_COMPLETE_ATTRIBUTES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mentions", ("mention_type", "entity")),
    ("events", ("realis", "hopper")),
)


def completeness_problems(doc: Document) -> list[Problem]:
    """Return a problem for every layer or attribute a complete newsbench document lacks.

    The schema lets a gold document leave layers (and ``mention_type``, ``entity``,
    ``realis``, ``hopper``) out: partial gold from other corpora. The newsbench corpus
    annotates everything; ``build-corpus`` applies this check to it.
    """
    problems: list[Problem] = []
    if doc.metadata is None:
        problems.append(_incomplete("metadata", "", "the document metadata"))
    for layer in LAYERS:
        if getattr(doc, layer) is None:
            problems.append(_incomplete(layer, "", f"the {layer} layer"))
    for layer, attributes in _COMPLETE_ATTRIBUTES:
        for i, item in enumerate(doc.layer(layer)):
            for attribute in attributes:
                if getattr(item, attribute) is None:
                    problems.append(
                        _incomplete(attribute, f"/{layer}/{i}", f"the {attribute} of every item")
                    )
    return problems


def _incomplete(key: str, path: str, what: str) -> Problem:
    return Problem(
        "incomplete-document",
        f"the key {key!r} is missing: a newsbench corpus document annotates {what}",
        f"an object with the key {key!r}",
        f"annotate {key!r} in the gold source (corpus/gold/FORMAT.md)",
        path=path,
    )


def repeated_id_problem(
    seen: dict[str, int], doc_id: object, file: str | None, line: int
) -> Problem | None:
    """Note the first line of a string ``doc_id`` in ``seen``; if an earlier line has it,
    the ``duplicate-document-id`` problem of this one (anything but a string: ``None``)."""
    if not isinstance(doc_id, str):
        return None
    if doc_id in seen:
        return duplicate_document_problem(doc_id, seen[doc_id], file, line)
    seen[doc_id] = line
    return None


def duplicate_document_problem(doc_id: str, first: int, file: str | None, line: int) -> Problem:
    """The ``duplicate-document-id`` problem of a line that repeats line ``first``'s id."""
    return Problem(
        "duplicate-document-id",
        f"the document id {doc_id!r} was already used on line {first}",
        "one line per document id",
        "remove the duplicate line or rename the document",
        file=file,
        line=line,
        document=doc_id,
        path="/id",
    )


@dataclass(frozen=True, slots=True)
class ValidatedLine:
    """One line after validation: the document (if valid) and its problems."""

    file: str
    line: int
    document: Document | None
    problems: tuple[Problem, ...]


def validate_record(
    record: Any,
    kind: SchemaKind = "document",
    *,
    file: str | None = None,
    line: int | None = None,
    inventory: Inventory | None = None,
) -> tuple[Document | None, list[Problem]]:
    """Validate one JSON object in both stages, under ``inventory`` (default newsbench).

    Returns:
        The document (``None`` if stage 1 failed) and every problem found.
    """
    doc_id = record.get("id") if isinstance(record, dict) else None
    doc_id = doc_id if type(doc_id) is str and not has_lone_surrogate(doc_id) else None
    problems = schema_problems(record, kind, inventory)
    document = None
    if not problems:
        document = document_from_dict(record)
        problems = semantic_problems(document, gold=kind == "document")
    return document, [p.located(file=file, line=line, document=doc_id) for p in problems]


def iter_validated(
    path: JsonlSource,
    kind: SchemaKind = "document",
    *,
    inventory: Inventory | None = None,
    first_line: int = 1,
) -> Iterator[ValidatedLine]:
    """Stream a JSON Lines file through both validation stages, line by line.

    Also reports a document id that repeats an earlier line's. ``first_line`` numbers
    the lines as :func:`~newsbench.schema.io.iter_jsonl` does.
    """
    seen: dict[str, int] = {}
    for item in iter_jsonl(path, first_line=first_line):
        if item.problem is not None:
            yield ValidatedLine(item.file, item.line, None, (item.problem,))
            continue
        document, problems = validate_record(
            item.value, kind, file=item.file, line=item.line, inventory=inventory
        )
        repeated = repeated_id_problem(seen, item.value.get("id"), item.file, item.line)
        if repeated is not None:
            problems.append(repeated)
        yield ValidatedLine(item.file, item.line, document, tuple(problems))


def validate_file(
    path: str | os.PathLike[str],
    kind: SchemaKind = "document",
    *,
    inventory: Inventory | None = None,
) -> list[Problem]:
    """Return every problem of a JSON Lines file (empty when it is valid)."""
    with gc_paused():
        return [
            p for line in iter_validated(path, kind, inventory=inventory) for p in line.problems
        ]


def load_documents(
    path: str | os.PathLike[str],
    kind: SchemaKind = "document",
    *,
    inventory: Inventory | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Document]:
    """Load and validate a JSON Lines file.

    This is the one loader used by the corpus, the harness and the baselines.

    Raises:
        DataError: with every problem of the file, when there is any.
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    with gc_paused():
        for line in iter_validated(path, kind, inventory=inventory):
            if progress is not None:
                progress(1)
            problems.extend(line.problems)
            if line.document is not None and not line.problems:
                documents.append(line.document)
    if problems:
        raise DataError(problems)
    return documents
