"""BRAT standoff (brat 1.3): one ``<id>.txt`` + ``<id>.ann`` pair per document.

Export writes the document text unchanged to ``<id>.txt`` (UTF-8; offsets are Unicode
code points, which are Python ``str`` indices) and every layer to ``<id>.ann``, plus
``annotation.conf`` and ``visual.conf`` so that the folder opens in brat and INCEpTION.
The import reads the pair back into exactly the same document (``document_to_dict`` is
identical): every newsbench id, cluster id and attribute is kept.

Mapping (each ``T``/``E`` line carries an ``AnnotatorNotes`` note of ``key=value`` pairs,
values percent-encoded; ``id=`` is the newsbench id):

* ``Document`` ``T`` over the whole text (split at line breaks). Note: ``id``, ``layers``
  (the layers the document gives, so an empty layer and a missing layer differ) and the
  metadata keys ``dct``, ``source_file``, ``source_sha256``, ``language``, ``title``.
* Paragraphs, sentences, zones: ``T`` of type ``Paragraph``, ``Sentence``,
  ``Zone_body``/``Zone_caption``/``Zone_credit``; note ``id``.
* Mentions: ``T`` of the entity type (``T1\\tGPE 0 6\\tSyrian``); the mention type as
  attribute ``A1\\tMentionType T1 NAM``; note ``id=m1_1 entity=gpe-syria`` (the
  coreference cluster is the ``entity`` key of the note; brat has no cluster object).
* Time expressions: ``T`` of type ``TIMEX_DATE``/``TIMEX_TIME``/``TIMEX_DURATION``/
  ``TIMEX_SET``; note ``id``, ``value``.
* Events: trigger ``T`` of the event type, ``E`` line with the arguments in order
  (a repeated role is numbered, brat style: ``Territory:T3 Territory2:T4``), realis as
  attribute ``Realis`` on the ``E``; note on the ``E``: ``id``, ``hopper`` and
  ``arguments=none`` when the event gives no argument list.
* Attributions: an ``Attribution`` event whose trigger ``T`` is the cue (one fragment per
  cue span), with arguments ``Source`` (a ``Source`` ``T``), ``Content`` (a ``Content``
  ``T``, one fragment per content span), ``Intermediary`` (a mention ``T``) and
  ``Parent`` (the parent ``Attribution`` ``E``); attributes ``Mode`` and
  ``SourceClass``; the source's head mention as relation ``R1\\tHead Arg1:Tsrc
  Arg2:Tmention``; note ``id``.

Line breaks: a ``.ann`` line cannot hold one, so a span that crosses a line break is
written as fragments split at the break (brat's own convention). On import, the fragments
of a single-span annotation are joined again; they must be separated by line breaks only
(anything else is a discontinuous span where the schema has one span: a problem). For the
cue and content lists each fragment is one span; when a span of the list was split at a
line break, the note's ``spans=`` key gives the number of fragments of each span.

Annotations made in brat without notes get the brat id as their newsbench id (``T12``),
no cluster (``entity``), no hopper; a document without a ``Document`` annotation takes
its id from the file name and gives every layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from newsbench.corpus.interchange import ImportErrors, finish_record
from newsbench.eval.converters import parse_int
from newsbench.schema.contract import (
    ATTRIBUTION_MODES,
    ENTITY_TYPES,
    EVENT_TYPES,
    MENTION_TYPES,
    REALIS_VALUES,
    SOURCE_CLASSES,
    TIMEX_TYPES,
    ZONE_TYPES,
    SchemaKind,
    roles_by_event_type,
)
from newsbench.schema.io import atomic_output
from newsbench.schema.model import LAYERS, Document
from newsbench.schema.paths import read_regular_file
from newsbench.schema.problems import DataError

__all__ = [
    "annotation_conf",
    "brat_to_document",
    "document_to_brat",
    "export",
    "import_",
    "visual_conf",
]

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Characters that end a line (``str.splitlines``); never inside a ``.ann`` line."""
_BREAK_RUN = re.compile(f"[{LINE_BREAKS}]+")
_NOT_BREAK_RUN = re.compile(f"[^{LINE_BREAKS}]+")
_ROLE_NUMBER = re.compile(r"\d+\Z")
_META_KEYS = ("dct", "source_file", "source_sha256", "language", "title")
_STRUCTURE = {"Paragraph": "paragraphs", "Sentence": "sentences"}
_ZONE_PREFIX = "Zone_"
_TIMEX_PREFIX = "TIMEX_"


# --- export ----------------------------------------------------------------------------


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``[start, end)`` at line breaks into brat fragments."""
    piece = text[start:end]
    if piece[:1] in LINE_BREAKS or piece[-1:] in LINE_BREAKS:
        raise ValueError(
            f"the span [{start}, {end}) {piece!r} begins or ends with a line break, which "
            "brat cannot hold"
        )
    return [(start + m.start(), start + m.end()) for m in _NOT_BREAK_RUN.finditer(piece)]


def _note(pairs: Iterable[tuple[str, Any]]) -> str:
    return " ".join(
        f"{key}={quote(str(value), safe='/:+,')}" for key, value in pairs if value is not None
    )


@dataclass
class _Writer:
    text: str
    lines: list[str] = field(default_factory=list)
    t: int = 0
    a: int = 0
    r: int = 0
    n: int = 0

    def textbound(self, label: str, spans: Sequence[tuple[int, int]]) -> tuple[str, str | None]:
        """Write a ``T`` line for ``spans``; return its id and the fragment counts."""
        fragments: list[tuple[int, int]] = []
        counts = []
        for start, end in spans:
            pieces = _fragments(self.text, start, end)
            counts.append(len(pieces))
            fragments += pieces
        self.t += 1
        tid = f"T{self.t}"
        offsets = ";".join(f"{s} {e}" for s, e in fragments)
        shown = " ".join(self.text[s:e] for s, e in fragments)
        self.lines.append(f"{tid}\t{label} {offsets}\t{shown}")
        split = any(c != 1 for c in counts)
        return tid, (",".join(map(str, counts)) if split else None)

    def attribute(self, name: str, target: str, value: str | None) -> None:
        if value is not None:
            self.a += 1
            self.lines.append(f"A{self.a}\t{name} {target} {value}")

    def relation(self, label: str, arg1: str, arg2: str) -> None:
        self.r += 1
        self.lines.append(f"R{self.r}\t{label} Arg1:{arg1} Arg2:{arg2}")

    def note(self, target: str, pairs: Iterable[tuple[str, Any]]) -> None:
        body = _note(pairs)
        if body:
            self.n += 1
            self.lines.append(f"#{self.n}\tAnnotatorNotes {target}\t{body}")


def _event_arguments(pairs: Iterable[tuple[str, str]]) -> str:
    seen: dict[str, int] = {}
    parts = []
    for role, ref in pairs:
        seen[role] = seen.get(role, 0) + 1
        parts.append(f"{role}{seen[role] if seen[role] > 1 else ''}:{ref}")
    return " ".join(parts)


def document_to_brat(doc: Document) -> tuple[str, str]:
    """Return the ``.txt`` and ``.ann`` contents of ``doc``.

    Raises:
        ValueError: If a span begins or ends with a line break (brat cannot hold it).
    """
    w = _Writer(doc.text)
    tid, _ = w.textbound("Document", [(0, len(doc.text))])
    meta = doc.metadata
    given = [name for name in LAYERS if getattr(doc, name) is not None]
    w.note(
        tid,
        [
            ("id", doc.id),
            ("layers", ",".join(given) if given else "none"),
            *((key, getattr(meta, key)) for key in _META_KEYS if meta is not None),
        ],
    )
    for p in doc.layer("paragraphs"):
        tid, _ = w.textbound("Paragraph", [(p.start, p.end)])
        w.note(tid, [("id", p.id)])
    for z in doc.layer("zones"):
        tid, _ = w.textbound(f"{_ZONE_PREFIX}{z.type}", [(z.start, z.end)])
        w.note(tid, [("id", z.id)])
    for s in doc.layer("sentences"):
        tid, _ = w.textbound("Sentence", [(s.start, s.end)])
        w.note(tid, [("id", s.id)])
    ref: dict[str, str] = {}
    for m in doc.layer("mentions"):
        tid, _ = w.textbound(m.type, [(m.start, m.end)])
        ref[m.id] = tid
        w.attribute("MentionType", tid, m.mention_type)
        w.note(tid, [("id", m.id), ("entity", m.entity)])
    for t in doc.layer("time_expressions"):
        tid, _ = w.textbound(f"{_TIMEX_PREFIX}{t.type}", [(t.start, t.end)])
        ref[t.id] = tid
        w.note(tid, [("id", t.id), ("value", t.value)])
    events = doc.layer("events")
    attributions = doc.layer("attributions")
    eid = {e.id: f"E{i}" for i, e in enumerate(events, start=1)}
    aid = {a.id: f"E{i}" for i, a in enumerate(attributions, start=len(events) + 1)}
    for e in events:
        trigger, _ = w.textbound(e.type, [(e.trigger.start, e.trigger.end)])
        arguments = _event_arguments((a.role, ref.get(a.ref, a.ref)) for a in e.arguments or ())
        w.lines.append(f"{eid[e.id]}\t{e.type}:{trigger}" + (f" {arguments}" if arguments else ""))
        w.attribute("Realis", eid[e.id], e.realis)
        w.note(
            eid[e.id],
            [
                ("id", e.id),
                ("hopper", e.hopper),
                ("arguments", "none" if e.arguments is None else None),
            ],
        )
    for a in attributions:
        cue, cue_split = w.textbound("Attribution", [(s.start, s.end) for s in a.cue])
        w.note(cue, [("spans", cue_split)])
        pairs: list[tuple[str, str]] = []
        if a.source is not None:
            source, _ = w.textbound("Source", [(a.source.start, a.source.end)])
            pairs.append(("Source", source))
            if a.source.mention is not None:
                w.relation("Head", source, ref.get(a.source.mention, a.source.mention))
        content, content_split = w.textbound("Content", [(s.start, s.end) for s in a.content])
        w.note(content, [("spans", content_split)])
        pairs.append(("Content", content))
        if a.intermediary is not None:
            pairs.append(("Intermediary", ref.get(a.intermediary, a.intermediary)))
        if a.parent is not None:
            pairs.append(("Parent", aid.get(a.parent, a.parent)))
        w.lines.append(f"{aid[a.id]}\tAttribution:{cue} {_event_arguments(pairs)}")
        w.attribute("Mode", aid[a.id], a.mode)
        w.attribute("SourceClass", aid[a.id], a.source_class)
        w.note(aid[a.id], [("id", a.id)])
    return doc.text, "\n".join(w.lines) + "\n"


def annotation_conf() -> str:
    """Return brat's ``annotation.conf`` for the newsbench types."""
    entities = "|".join(ENTITY_TYPES)
    timexes = "|".join(f"{_TIMEX_PREFIX}{t}" for t in TIMEX_TYPES)
    lines = [
        "# newsbench annotation configuration for brat / INCEpTION",
        "# (written by `newsbench export --format brat`; see corpus/interchange/brat.py)",
        "[entities]",
        "Document",
        "Paragraph",
        "Sentence",
        *(f"{_ZONE_PREFIX}{z}" for z in ZONE_TYPES),
        *ENTITY_TYPES,
        *(f"{_TIMEX_PREFIX}{t}" for t in TIMEX_TYPES),
        "Source",
        "Content",
        "",
        "[relations]",
        f"Head Arg1:Source, Arg2:{entities}",
        "<OVERLAP> Arg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
    ]
    for event_type in EVENT_TYPES:
        roles = roles_by_event_type()[event_type]
        args = ", ".join(f"{r}*:{timexes if r == 'Time' else entities}" for r in roles)
        lines.append(f"{event_type} {args}")
    lines += [
        f"Attribution Source?:Source, Content+:Content, Intermediary?:{entities}, "
        "Parent?:Attribution",
        "",
        "[attributes]",
        f"MentionType Arg:{entities}, Value:{'|'.join(MENTION_TYPES)}",
        f"Realis Arg:{'|'.join(EVENT_TYPES)}, Value:{'|'.join(REALIS_VALUES)}",
        f"Mode Arg:Attribution, Value:{'|'.join(ATTRIBUTION_MODES)}",
        f"SourceClass Arg:Attribution, Value:{'|'.join(SOURCE_CLASSES)}",
    ]
    return "\n".join(lines) + "\n"


_COLOURS = {
    "PER": "#ffccaa",
    "ORG": "#8fb2ff",
    "GPE": "#7fe2ff",
    "LOC": "#6fffdf",
    "FAC": "#aaaaee",
    "VEH": "#ccccee",
    "WEA": "#ff8080",
}


def visual_conf() -> str:
    """Return brat's ``visual.conf`` (short labels and colours)."""
    lines = ["[labels]"]
    lines += [f"{t} | {t.split('.')[-1]}" for t in EVENT_TYPES]
    lines += [f"{_TIMEX_PREFIX}{t} | {t}" for t in TIMEX_TYPES]
    lines += [
        "Attribution | Cue",
        "",
        "[drawing]",
        "SPAN_DEFAULT fgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT color:black, arrowHead:triangle-5",
        "ATTRIBUTE_DEFAULT glyph:*",
        "Document bgColor:#f4f4f4",
        "Paragraph bgColor:#eeeeee",
        "Sentence bgColor:#e4e4e4",
        *(f"{_ZONE_PREFIX}{z} bgColor:#dddddd" for z in ZONE_TYPES),
        *(f"{t} bgColor:{c}" for t, c in _COLOURS.items()),
        *(f"{_TIMEX_PREFIX}{t} bgColor:#ffe000" for t in TIMEX_TYPES),
        *(f"{t} bgColor:#ffa0a0" for t in EVENT_TYPES),
        "Attribution bgColor:#e0a0ff",
        "Source bgColor:#f0d0ff",
        "Content bgColor:#f8f0ff",
        "MentionType glyph:[NAM]|[NOM]|[PRO]",
        "Realis glyph:[A]|[G]|[O]",
    ]
    return "\n".join(lines) + "\n"


def _file_stem(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", doc_id)


def export(fmt: str, documents: Sequence[Document], out_dir: Path, **_: Any) -> list[Path]:
    """Write ``<id>.txt``/``<id>.ann`` per document and the two brat configuration files."""
    written = []
    stems: set[str] = set()
    for doc in documents:
        stem = _file_stem(doc.id)
        if stem in stems:
            raise ValueError(f"two documents map onto the file name {stem!r}")
        stems.add(stem)
        txt, ann = document_to_brat(doc)
        for suffix, content in ((".txt", txt), (".ann", ann)):
            path = out_dir / f"{stem}{suffix}"
            with atomic_output(path, "wb") as handle:
                handle.write(content.encode("utf-8"))
            written.append(path)
    for name, content in (("annotation.conf", annotation_conf()), ("visual.conf", visual_conf())):
        path = out_dir / name
        with atomic_output(path, "wb") as handle:
            handle.write(content.encode("utf-8"))
        written.append(path)
    return written


# --- import ----------------------------------------------------------------------------


@dataclass
class _T:
    id: str
    type: str
    fragments: list[tuple[int, int]]
    line: int


@dataclass
class _E:
    id: str
    type: str
    trigger: str
    arguments: list[tuple[str, str, str]]  # (role with brat number, role, ref)
    line: int


class _Read(dict):  # type: ignore[type-arg]
    """A dict that remembers which keys were read: what is never read was not imported, and
    is reported, never dropped in silence."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[Any] = set()

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def unread(self) -> list[Any]:
        return [key for key in self if key not in self.read]


@dataclass
class _Parsed:
    t: dict[str, _T] = field(default_factory=dict)
    e: dict[str, _E] = field(default_factory=dict)
    attributes: _Read = field(default_factory=_Read)
    relations: list[tuple[str, str, str, int]] = field(default_factory=list)
    notes: dict[str, _Read] = field(default_factory=dict)
    note_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    note_first_line: dict[str, int] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    """Every T and E id the .ann gives, read or refused."""


def _number(brat_id: str) -> tuple[int, str]:
    digits = brat_id[1:]
    return (int(digits), brat_id) if digits.isdigit() else (1 << 62, brat_id)


def _parse_note(body: str) -> list[tuple[str, str]] | None:
    """The note's ``key=value`` pairs in order (a key may repeat: the caller says so)."""
    pairs = []
    for item in body.split():
        key, sep, value = item.partition("=")
        if not sep or not key:
            return None
        pairs.append((key, unquote(value)))
    return pairs


def _parse(ann: str, text: str, out: ImportErrors, doc_id: str) -> _Parsed:
    parsed = _Parsed()
    seen: dict[str, int] = {}

    def bad(line: int, message: str, expected: str, fix: str, code: str = "file-unreadable"):
        out.add(code, message, expected, fix, line=line, document=doc_id)

    for number, raw in enumerate(ann.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        ident = fields[0]
        if ident in seen and not ident.startswith("#"):
            bad(
                number,
                f"the annotation id {ident!r} is already used on line {seen[ident]}",
                "unique annotation ids",
                "renumber one of the two annotations",
                "duplicate-id",
            )
            continue
        seen[ident] = number
        if ident[:1] in ("T", "E"):  # what notes and attributes may name
            parsed.ids.add(ident)
        kind = ident[:1]
        if kind == "T" and len(fields) >= 3:
            head, shown = fields[1], "\t".join(fields[2:])
            label, _, offsets = head.partition(" ")
            fragments: list[tuple[int, int]] = []
            malformed = False
            for part in offsets.split(";"):
                pair = [parse_int(x) for x in part.split()]
                if len(pair) != 2 or pair[0] is None or pair[1] is None:
                    malformed = True
                    break
                fragments.append((pair[0], pair[1]))
            if malformed:
                bad(
                    number,
                    f"malformed offsets {offsets!r}: each fragment is two integers written "
                    "in ASCII digits (no decimal point, no other digits)",
                    "'START END' fragments separated by ';'",
                    "write integer offsets",
                )
                continue
            if any(s < 0 or e <= s or e > len(text) for s, e in fragments):
                bad(
                    number,
                    f"the offsets {offsets!r} are empty, reversed or beyond the text "
                    f"(length {len(text)})",
                    f"0 <= start < end <= {len(text)}",
                    "recompute the offsets against the .txt file",
                    "span-out-of-range",
                )
                continue
            found = " ".join(text[s:e] for s, e in fragments)
            if found != shown:
                bad(
                    number,
                    f"the .txt holds {found!r} at {offsets} but the annotation says {shown!r}",
                    "the annotation text equal to the .txt at its offsets",
                    "fix the offsets or the text (is this .ann paired with the right .txt?)"
                    + (
                        "; the .txt starts with a byte-order mark (U+FEFF), which brat counts "
                        "as a character: offsets made without it are one short"
                        if text.startswith("\ufeff")
                        else ""
                    ),
                    "span-text-mismatch",
                )
                continue
            parsed.t[ident] = _T(ident, label, fragments, number)
        elif kind == "E" and len(fields) >= 2:
            parts = fields[1].split()
            head_type, _, trigger = parts[0].partition(":") if parts else ("", "", "")
            arguments = []
            ok = bool(trigger)
            for part in parts[1:]:
                role, sep, ref = part.partition(":")
                if not sep or not ref:
                    ok = False
                    break
                arguments.append((role, _ROLE_NUMBER.sub("", role), ref))
            if not ok:
                bad(
                    number,
                    f"malformed event line {line!r}",
                    "'E1<TAB>Type:T1 Role:T2 ...'",
                    "fix the event line",
                )
                continue
            parsed.e[ident] = _E(ident, head_type, trigger, arguments, number)
        elif kind in "AM" and len(fields) >= 2:
            parts = fields[1].split()
            if len(parts) not in (2, 3):
                bad(
                    number,
                    f"malformed attribute line {line!r}",
                    "'A1<TAB>Name ID Value'",
                    "fix the attribute line",
                )
                continue
            value = parts[2] if len(parts) == 3 else "true"
            earlier = dict.get(parsed.attributes, (parts[1], parts[0]))
            if earlier is not None:
                bad(
                    number,
                    f"the attribute {parts[0]} of {parts[1]} is already given on line {earlier[1]}",
                    "one value of an attribute per annotation",
                    "remove one of the two attribute lines",
                    "brat-conflict",
                )
                continue
            parsed.attributes[(parts[1], parts[0])] = (value, number)
        elif kind == "R" and len(fields) >= 2:
            parts = fields[1].split()
            if (
                len(parts) != 3
                or not parts[1].startswith("Arg1:")
                or not parts[2].startswith("Arg2:")
            ):
                bad(
                    number,
                    f"malformed relation line {line!r}",
                    "'R1<TAB>Type Arg1:T1 Arg2:T2'",
                    "fix the relation line",
                )
                continue
            parsed.relations.append((parts[0], parts[1][5:], parts[2][5:], number))
        elif kind == "#" and len(fields) >= 3:
            label, _, target = fields[1].partition(" ")
            note = _parse_note("\t".join(fields[2:]))
            if label != "AnnotatorNotes" or note is None:
                bad(
                    number,
                    f"a note that is not a newsbench key=value note: {line!r}",
                    "'#1<TAB>AnnotatorNotes T1<TAB>key=value ...'",
                    "write the note as space-separated key=value pairs (values percent-encoded)",
                )
                continue
            target = target.strip()
            known = parsed.notes.setdefault(target, _Read())
            parsed.note_first_line.setdefault(target, number)
            for key, value in note:
                if key in known:
                    bad(
                        number,
                        f"the note key {key} of {target} is already given on line "
                        f"{parsed.note_lines[(target, key)]}",
                        "one value of a note key per annotation",
                        "remove one of the two values",
                        "brat-conflict",
                    )
                    continue
                dict.__setitem__(known, key, value)
                parsed.note_lines[(target, key)] = number
        else:
            bad(
                number,
                f"a line brat or newsbench cannot read: {line!r}",
                "T, E, A, R or # annotation lines (newsbench does not use N or * lines)",
                "fix or remove the line",
            )
    return parsed


def _single(t: _T, text: str, out: ImportErrors, doc_id: str) -> tuple[int, int] | None:
    """Join the fragments of a single-span annotation (split at line breaks only)."""
    for (_, end), (start, _) in zip(t.fragments, t.fragments[1:], strict=False):
        gap = text[end:start]
        if not gap or _BREAK_RUN.fullmatch(gap) is None:
            out.add(
                "file-unreadable",
                f"the {t.type} annotation {t.id} is discontinuous ({gap!r} between fragments) "
                "but a newsbench object of this kind has one span",
                "fragments separated only by line breaks",
                "make it one continuous span",
                line=t.line,
                document=doc_id,
            )
            return None
    return t.fragments[0][0], t.fragments[-1][1]


def _list(t: _T, counts: str | None, text: str, out: ImportErrors, doc_id: str):
    if counts is None:
        return list(t.fragments)
    parsed = [parse_int(c) for c in counts.split(",")]
    sizes = [c for c in parsed if c is not None] if None not in parsed else []
    if sum(sizes) != len(t.fragments) or any(s < 1 for s in sizes):
        out.add(
            "file-unreadable",
            f"the note spans={counts} does not fit the {len(t.fragments)} fragments of {t.id}",
            "fragment counts per span that add up to the fragments",
            "fix or remove the spans= note",
            line=t.line,
            document=doc_id,
        )
        return None
    spans, index = [], 0
    for size in sizes:
        spans.append((t.fragments[index][0], t.fragments[index + size - 1][1]))
        index += size
    return spans


def _span_dict(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def brat_to_document(
    txt_path: str | Path,
    ann_path: str | Path,
    kind: SchemaKind = "document",
) -> Document:
    """Read one brat pair back into a validated document.

    Raises:
        DataError: With every problem of the pair (format problems at their ``.ann`` line,
            then the validator's, located at the ``.ann`` line of the object).
    """
    out = ImportErrors(ann_path)
    doc = _read_pair(Path(txt_path), Path(ann_path), kind, out)
    out.raise_if_any()
    assert doc is not None
    return doc


def _read_pair(txt_path: Path, ann_path: Path, kind: SchemaKind, out: ImportErrors):
    try:
        text = read_regular_file(txt_path).decode("utf-8")
        # A byte-order mark before the first annotation line is no annotation: dropped, as
        # CoNLL files' are. One at the start of the .txt is a character brat counts.
        ann = read_regular_file(ann_path).decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        out.add(
            "file-unreadable",
            f"cannot read the brat pair: {exc}",
            "a UTF-8 .txt and .ann pair",
            "check the files",
        )
        return None
    doc_id = txt_path.stem
    parsed = _parse(ann, text, out, doc_id)
    problems_before = len(out.problems)
    record, lines = _build(parsed, text, out, doc_id)
    if len(out.problems) > problems_before or record is None:
        return None
    return finish_record(record, kind, out, lines=lines)


def _build(parsed: _Parsed, text: str, out: ImportErrors, doc_id: str):
    notes = parsed.notes
    lines: dict[str, int] = {}

    def bad(line: int | None, code: str, message: str, expected: str, fix: str) -> None:
        out.add(code, message, expected, fix, line=line, document=doc_id)

    def note(brat_id: str, key: str) -> str | None:
        return notes.get(brat_id, {}).get(key)

    def attr(brat_id: str, name: str) -> str | None:
        found = parsed.attributes.get((brat_id, name))
        return None if found is None else found[0]

    ordered_t = sorted(parsed.t.values(), key=lambda t: _number(t.id))
    triggers = {e.trigger for e in parsed.e.values()}
    record: dict[str, Any] = {"id": doc_id, "text": text}
    layers: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYERS}
    object_id: dict[str, str] = {}
    given = list(LAYERS)
    for t in ordered_t:
        object_id[t.id] = note(t.id, "id") or t.id
    documents = [t for t in ordered_t if t.type == "Document"]
    if len(documents) > 1:
        bad(
            documents[1].line,
            "file-unreadable",
            "a second Document annotation",
            "one Document annotation per .ann",
            "remove one",
        )
    if documents:
        d = notes.get(documents[0].id, {})
        record["id"] = d.get("id", doc_id)
        layer_note = d.get("layers")
        if layer_note is not None:
            given = [] if layer_note == "none" else layer_note.split(",")
            unknown = [name for name in given if name not in LAYERS]
            if unknown:
                bad(
                    documents[0].line,
                    "file-unreadable",
                    f"unknown layers {unknown} in the Document note",
                    f"layers among {', '.join(LAYERS)}",
                    "fix the note",
                )
        meta = {key: d[key] for key in _META_KEYS if key in d}
        if meta:
            record["metadata"] = meta
    head: dict[str, str] = {}
    head_lines: dict[str, int] = {}
    for label, arg1, arg2, number in parsed.relations:
        if label != "Head":
            bad(
                number,
                "schema-enum",
                f"unknown relation type {label!r}",
                "the relation type Head (source -> its head mention)",
                "remove the relation",
            )
        elif arg1 in head:
            bad(
                number,
                "file-unreadable",
                f"a second Head relation for {arg1}",
                "one head mention per source",
                "remove one of the two relations",
            )
        else:
            head[arg1] = arg2
            head_lines[arg1] = number
    for t in ordered_t:
        ident = object_id[t.id]
        if t.type == "Document" or t.id in triggers or t.type in ("Source", "Content"):
            continue
        span = _single(t, text, out, doc_id)
        if span is None:
            continue
        base = _span_dict(text, *span)
        if t.type in _STRUCTURE:
            layer = _STRUCTURE[t.type]
            item = {"id": ident, **base}
        elif t.type.startswith(_ZONE_PREFIX):
            layer = "zones"
            item = {"id": ident, "type": t.type[len(_ZONE_PREFIX) :], **base}
        elif t.type.startswith(_TIMEX_PREFIX):
            layer = "time_expressions"
            item = {"id": ident, **base, "type": t.type[len(_TIMEX_PREFIX) :]}
            if note(t.id, "value") is not None:
                item["value"] = note(t.id, "value")
        elif t.type in ENTITY_TYPES:
            layer = "mentions"
            item = {"id": ident, **base, "type": t.type}
            if attr(t.id, "MentionType") is not None:
                item["mention_type"] = attr(t.id, "MentionType")
            if note(t.id, "entity") is not None:
                item["entity"] = note(t.id, "entity")
        else:
            bad(
                t.line,
                "schema-enum",
                f"unknown entity type {t.type!r}",
                "an entity type (" + ", ".join(ENTITY_TYPES) + "), TIMEX_<type>, Paragraph, "
                "Sentence, Zone_<type>, Source, Content or Document",
                "use one of the types of annotation.conf",
            )
            continue
        lines[f"/{layer}/{len(layers[layer])}"] = t.line
        layers[layer].append(item)
    attribution_ids = {
        e.id: note(e.id, "id") or e.id for e in parsed.e.values() if e.type == "Attribution"
    }
    for e in sorted(parsed.e.values(), key=lambda e: _number(e.id)):
        trigger = parsed.t.get(e.trigger)
        if trigger is None or trigger.type != e.type:
            bad(
                e.line,
                "dangling-reference",
                f"the trigger {e.trigger!r} is not a text-bound annotation of type {e.type}",
                "the id of a T line of the event's type",
                "point the event at its trigger",
            )
            continue
        ident = note(e.id, "id") or e.id
        if e.type == "Attribution":
            item = _attribution(
                e,
                ident,
                trigger,
                parsed,
                text,
                out,
                doc_id,
                object_id,
                head,
                attribution_ids,
                attr(e.id, "Mode"),
                attr(e.id, "SourceClass"),
            )
            layer = "attributions"
        elif e.type in EVENT_TYPES:
            span = _single(trigger, text, out, doc_id)
            if span is None:
                continue
            layer = "events"
            item = {"id": ident, "type": e.type, "trigger": _span_dict(text, *span)}
            if attr(e.id, "Realis") is not None:
                item["realis"] = attr(e.id, "Realis")
            if note(e.id, "arguments") != "none":
                refs = []
                for _, role, ref in e.arguments:
                    refs.append({"role": role, "ref": object_id.get(ref, ref)})
                item["arguments"] = refs
            if note(e.id, "hopper") is not None:
                item["hopper"] = note(e.id, "hopper")
        else:
            bad(
                e.line,
                "schema-enum",
                f"unknown event type {e.type!r}",
                f"one of {', '.join(EVENT_TYPES)} or Attribution",
                "use an event type of annotation.conf",
            )
            continue
        if item is None:
            continue
        lines[f"/{layer}/{len(layers[layer])}"] = e.line
        lines[f"/{layer}/{len(layers[layer])}/trigger"] = trigger.line
        lines[f"/{layer}/{len(layers[layer])}/cue"] = trigger.line
        layers[layer].append(item)
    for name in LAYERS:
        if name in given:
            record[name] = layers[name]
        elif layers[name]:
            bad(
                None,
                "file-unreadable",
                f"annotations of the layer {name} but the Document "
                "note does not list it in layers=",
                "layers= listing every layer present",
                "add the layer to the note",
            )
    for (target, name), (_, number) in parsed.attributes.items():
        if target not in parsed.ids:  # a refused T or E line has its own problem
            bad(
                number,
                "dangling-reference",
                f"the attribute {name} names {target!r}, which is no annotation",
                "the id of a T or E line",
                "fix the target",
            )
    for target in notes:
        if target not in parsed.ids:  # a refused T or E line has its own problem
            bad(
                parsed.note_first_line[target],
                "dangling-reference",
                f"a note names {target!r}, which is no annotation",
                "the id of a T or E line",
                "fix the target",
            )
    imported = _ids(layers)
    built = {t.id for t in ordered_t if object_id[t.id] in imported or t.type == "Document"}
    built |= {e.id for e in parsed.e.values() if (note(e.id, "id") or e.id) in imported}
    _unread(parsed, built, head_lines, bad)
    return record, lines


def _ids(layers: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {item["id"] for items in layers.values() for item in items if "id" in item}


def _unread(parsed: _Parsed, built: set[str], head_lines: dict[str, int], bad: Any) -> None:
    """Report every line the import did not read, which would otherwise be lost in silence:
    attributes and note keys of the annotations it built (an annotation with a problem of
    its own is not built), spans and Head relations that no attribution names."""
    kind = {
        **{t.id: t.type for t in parsed.t.values()},
        **{e.id: e.type for e in parsed.e.values()},
    }
    for target, name in parsed.attributes.unread():
        if target not in built:
            continue
        bad(
            dict.__getitem__(parsed.attributes, (target, name))[1],
            "brat-unread",
            f"the attribute {name} of {target} (a {kind.get(target)}) is not read: newsbench "
            "has no such attribute there",
            "MentionType on mentions, Realis on events, Mode and SourceClass on attributions",
            "remove the attribute, or move what it says into the annotation",
        )
    for target, note in parsed.notes.items():
        for key in note.unread() if target in built else ():
            bad(
                parsed.note_lines[(target, key)],
                "brat-unread",
                f"the note key {key} of {target} (a {kind[target]}) is not read: newsbench "
                "has no such key there",
                "the keys newsbench writes (see the brat export)",
                "remove the key",
            )
    named = {
        (role, ref)
        for e in parsed.e.values()
        if e.type == "Attribution"
        for _, role, ref in e.arguments
    }
    for t in parsed.t.values():
        if t.type in ("Source", "Content") and (t.type, t.id) not in named:
            bad(
                t.line,
                "brat-unread",
                f"the {t.type} annotation {t.id} belongs to no attribution",
                "each Source and Content span an argument of an Attribution event",
                "add it to its attribution, or remove it",
            )
    for arg1, number in head_lines.items():
        if ("Source", arg1) not in named:
            bad(
                number,
                "brat-unread",
                f"the Head relation of {arg1} is not read: {arg1} is no attribution's Source",
                "Head relations from a Source span an attribution uses",
                "fix or remove the relation",
            )


def _attribution(
    e,
    ident,
    trigger,
    parsed,
    text,
    out,
    doc_id,
    object_id,
    head,
    attribution_ids,
    mode,
    source_class,
):
    cue = _list(trigger, parsed.notes.get(trigger.id, {}).get("spans"), text, out, doc_id)
    item: dict[str, Any] = {
        "id": ident,
        "cue": [] if cue is None else [_span_dict(text, s, t) for s, t in cue],
    }
    contents: list[tuple[int, int]] = []
    ok = cue is not None
    for _, role, ref in e.arguments:
        target = parsed.t.get(ref)
        key = {"Source": "source", "Intermediary": "intermediary", "Parent": "parent"}.get(role)
        if key is not None and key in item:  # one of each: a second would be lost
            out.add(
                "brat-conflict",
                f"attribution {e.id} has a second {role} argument ({ref})",
                f"at most one {role} argument per attribution",
                "remove one of the two arguments",
                line=e.line,
                document=doc_id,
            )
            ok = False
            continue
        if role == "Source" and target is not None and target.type == "Source":
            span = _single(target, text, out, doc_id)
            if span is None:
                ok = False
                continue
            item["source"] = _span_dict(text, *span)
            if ref in head:
                item["source"]["mention"] = object_id.get(head[ref], head[ref])
        elif role == "Content" and target is not None and target.type == "Content":
            spans = _list(target, parsed.notes.get(ref, {}).get("spans"), text, out, doc_id)
            if spans is None:
                ok = False
                continue
            contents += spans
        elif role == "Intermediary":
            item["intermediary"] = object_id.get(ref, ref)
        elif role == "Parent":
            item["parent"] = attribution_ids.get(ref, ref)
        else:
            out.add(
                "file-unreadable",
                f"the argument {role}:{ref} of attribution {e.id}",
                "Source:<Source T>, Content:<Content T>, Intermediary:<mention T>, "
                "Parent:<Attribution E>",
                "fix the argument",
                line=e.line,
                document=doc_id,
            )
            ok = False
    item["content"] = [_span_dict(text, s, t) for s, t in contents]
    ordered: dict[str, Any] = {}
    for key in ("id", "cue", "source", "content", "intermediary"):
        if key in item:
            ordered[key] = item[key]
    if source_class is not None:
        ordered["source_class"] = source_class
    if mode is not None:
        ordered["mode"] = mode
    if "parent" in item:
        ordered["parent"] = item["parent"]
    return ordered if ok else None


def import_(fmt: str, path: Path, kind: SchemaKind = "document", **_: Any) -> list[Document]:
    """Import a brat folder (every ``*.ann`` with its ``.txt``) or one ``.ann`` file.

    Documents come in file-name order. Raises :class:`DataError` with every problem of
    every pair.
    """
    anns = sorted(path.glob("*.ann")) if path.is_dir() else [path]
    out = ImportErrors(path)
    if not anns:
        out.add(
            "file-not-found", "no .ann file in the folder", "brat .txt/.ann pairs", "check the path"
        )
    documents = []
    for ann in anns:
        pair = ImportErrors(ann)
        doc = _read_pair(ann.with_suffix(".txt"), ann, kind, pair)
        out.problems += pair.problems
        if doc is not None:
            documents.append(doc)
    if out.problems:
        raise DataError(out.problems)
    return documents
