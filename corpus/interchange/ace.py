"""ACE 2005 APF annotation files with their ``.sgm`` sources (``ace2005``).

An ``X.apf.xml`` file annotates the source ``X.sgm`` next to it. Every ``<charseq
START=".." END="..">`` gives **inclusive** character offsets into the source text as ACE
defines it: the ``.sgm`` file with its SGML tags removed (tags count zero characters).
The imported document's text is exactly that, so ``[START, END + 1)`` is each span and
every offset comes from the annotation, never from a search. Whether a source's
character entities (``&amp;``) count as written or as the character they stand for is
read from the file: the reading under which every ``charseq`` text equals its slice of
the source is used; when neither fits, each span that differs is a located problem.

What is kept:

* every ``entity_mention``: its entity's ``TYPE`` (PER, ORG, GPE, LOC, FAC, VEH, WEA),
  its own ``TYPE`` as the mention type (NAM, NOM, PRO, PRE), the entity's ``ID`` as the
  coreference cluster, and the ``extent`` as the span (``mention_span="head"``: the
  ``head`` instead, as head-based ACE scoring uses);
* every ``value_mention``: a mention typed by its value's ``TYPE`` (Crime, Job-Title,
  Numeric, Sentence, Contact-Info), without a mention type, clustered by the value's id;
* every ``timex2_mention`` whose ``VAL`` maps onto TIMEX3 (``P...`` DURATION, ``SET="YES"``
  SET, a time of day TIME, a date or ``*_REF`` DATE), with that value;
* every ``event_mention``: ``TYPE.SUBTYPE`` as the event type (``Conflict.Attack``), the
  ``anchor`` as the trigger, each ``event_mention_argument`` with its ``ROLE``, and the
  event's ``ID`` as the hopper (ACE event coreference);
* the ``DOCID`` as the document id, the ``DATETIME`` (when it starts with a date) as the
  document creation time.

What is lost (a note says how many of each were left out): TIMEX2 whose ``VAL`` is absent
or not a TIMEX3 value (and event arguments that refer to them), entity subtypes and
classes (``SUBTYPE``, ``CLASS``), ``LDCTYPE``, the head or the extent (whichever is not
the span), ``ldc_scope``, event ``MODALITY``, ``POLARITY``, ``GENERICITY`` and ``TENSE``
(newsbench realis is left out), and relations. Labels are checked against the
``ace2005`` inventory.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from newsbench.corpus.interchange import ImportErrors, finish_record
from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import Inventory, load_inventory
from newsbench.schema.model import Document
from newsbench.schema.problems import DataError

__all__ = ["import_", "source_text", "timex3_of"]

MentionSpan = Literal["extent", "head"]

_TAG = re.compile(r"<[^>]*>")
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_TIME_OF_DAY = re.compile(r"T(\d{2}|MO|AF|EV|NI|DT)")
_DATEISH = re.compile(r"^(PRESENT_REF|PAST_REF|FUTURE_REF|[0-9X]{2,4}([-_W].*)?)$")


def source_text(sgm: str, *, decode_entities: bool) -> str:
    """The ACE source text of an ``.sgm`` file: the file without its SGML tags."""
    text = _TAG.sub("", sgm)
    return html.unescape(text) if decode_entities else text


def timex3_of(val: str | None, set_attribute: str | None) -> tuple[str, str] | None:
    """The TIMEX3 ``(type, value)`` of a TIMEX2 ``VAL`` (``None`` when it does not map)."""
    if not val:
        return None
    if (set_attribute or "").upper() == "YES":
        return "SET", val
    if val in ("PRESENT_REF", "PAST_REF", "FUTURE_REF"):
        return "DATE", val
    if val.startswith("P"):
        return "DURATION", val
    if not _DATEISH.match(val):
        return None
    if _TIME_OF_DAY.search(val):
        return "TIME", val
    return "DATE", val


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    text: str
    line: int


def _charseq(element: ET.Element | None) -> ET.Element | None:
    return None if element is None else element.find("charseq")


def _lines(data: bytes) -> dict[str, int]:
    """The input line of every element ``ID`` (APF ids are unique within a file)."""
    out: dict[str, int] = {}
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        for match in re.finditer(r'\bID="([^"]+)"', line):
            out.setdefault(match.group(1), number)
    return out


class _Reader:
    """Reads one APF file against one source text, collecting problems and notes."""

    def __init__(self, apf: Path, errors: ImportErrors, lines: dict[str, int]) -> None:
        self.apf = apf
        self.errors = errors
        self.lines = lines
        self.left_out: Counter[str] = Counter()

    def span(self, element: ET.Element | None, owner: str, what: str) -> _Span | None:
        charseq = _charseq(element)
        line = self.lines.get(owner)
        if charseq is None:
            self.errors.add(
                "ace-malformed",
                f"{owner}: no <{what}><charseq START END> element",
                f"a <{what}> with a <charseq START=.. END=..>",
                "complete the APF element",
                line=line,
            )
            return None
        try:
            start, last = int(charseq.get("START", "")), int(charseq.get("END", ""))
        except ValueError:
            self.errors.add(
                "ace-malformed",
                f"{owner}: the {what} charseq has START={charseq.get('START')!r} "
                f"END={charseq.get('END')!r}",
                "integer character offsets (END inclusive)",
                "correct the offsets",
                line=line,
            )
            return None
        return _Span(start, last + 1, charseq.text or "", line or 0)


def _same_text(source: str, charseq: str) -> bool:
    """Whether a charseq's text is the source's slice: an XML parser reads every line end
    of the APF file as ``\n`` (XML 1.0, 2.11), so a CRLF source's ``\r\n`` inside a span
    is ``\n`` in its charseq."""
    return source == charseq or source.replace("\r\n", "\n").replace("\r", "\n") == charseq


def _matches(text: str, spans: list[_Span]) -> bool:
    return all(_same_text(text[s.start : s.end], s.text) for s in spans)


def _all_spans(root: ET.Element) -> list[_Span]:
    out = []
    for charseq in root.iter("charseq"):
        try:
            start, end = int(charseq.get("START", "")), int(charseq.get("END", "")) + 1
        except ValueError:
            continue
        out.append(_Span(start, end, charseq.text or "", 0))
    return out


def _document(
    apf: Path,
    sgm: Path,
    mention_span: MentionSpan,
    kind: SchemaKind,
    labels: Inventory,
    errors: ImportErrors,
) -> Document | None:
    data = apf.read_bytes()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        errors.add(
            "xml-malformed",
            f"the APF file is not well-formed XML: {exc}",
            "a well-formed APF file (<source_file><document> ...)",
            "fix the markup at the given line",
            line=exc.position[0],
        )
        return None
    try:
        raw = sgm.read_bytes().decode("utf-8")  # no newline translation: offsets count "\r"
    except (OSError, UnicodeDecodeError) as exc:
        errors.add(
            "file-not-found",
            f"cannot read the source {sgm.name}: {exc.__class__.__name__}",
            f"the ACE source {sgm.name} next to {apf.name}",
            "put the .sgm file next to its .apf.xml file",
            file=str(sgm),
        )
        return None
    spans = _all_spans(root)
    text = source_text(raw, decode_entities=False)
    if not _matches(text, spans):
        decoded = source_text(raw, decode_entities=True)
        if _matches(decoded, spans):
            text = decoded
    document = root.find("document")
    if document is None:
        errors.add(
            "ace-malformed",
            "the APF file has no <document> element",
            "<source_file><document DOCID=..> ... </document></source_file>",
            "check that this is an ACE APF file",
        )
        return None
    reader = _Reader(apf, errors, _lines(data))
    record, where = _record(document, text, raw, sgm, mention_span, reader)
    for what, count in sorted(reader.left_out.items()):
        errors.note(f"{apf.name}: left out {count} {what}")
    return finish_record(record, kind, errors, lines=where, inventory=labels)


def _dct(raw: str) -> str | None:
    found = re.search(r"<DATETIME>\s*([^<]*)</DATETIME>", raw)
    match = _DATE.match(found.group(1).strip()) if found else None
    return "-".join(match.groups()) if match else None


def _record(
    document: ET.Element,
    text: str,
    raw: str,
    sgm: Path,
    mention_span: MentionSpan,
    reader: _Reader,
) -> tuple[dict[str, Any], dict[str, int]]:
    mentions: list[dict[str, Any]] = []
    timexes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    where: dict[str, int] = {}
    known: set[str] = set()

    def checked(span: _Span, owner: str) -> dict[str, Any]:
        if not _same_text(text[span.start : span.end], span.text):
            reader.errors.add(
                "span-text-mismatch",
                f"{owner}: the source text at [{span.start}, {span.end - 1}] is "
                f"{text[span.start : span.end]!r}, the APF charseq says {span.text!r}",
                "the charseq text equal to the source text (tags removed) at START..END",
                "check that the .sgm file is the source this APF file annotates",
                line=span.line or None,
            )
        return {"start": span.start, "end": span.end, "text": text[span.start : span.end]}

    for entity in document.iter("entity"):
        for mention in entity.iter("entity_mention"):
            mid = mention.get("ID", "")
            span = reader.span(mention.find(mention_span), mid, mention_span)
            if span is None:
                continue
            where[f"/mentions/{len(mentions)}"] = span.line
            item = {"id": mid, **checked(span, mid), "type": entity.get("TYPE", "")}
            item["mention_type"] = mention.get("TYPE", "")
            item["entity"] = entity.get("ID", "")
            mentions.append(item)
            known.add(mid)
    for value in document.iter("value"):
        for mention in value.iter("value_mention"):
            mid = mention.get("ID", "")
            span = reader.span(mention.find("extent"), mid, "extent")
            if span is None:
                continue
            where[f"/mentions/{len(mentions)}"] = span.line
            mentions.append(
                {"id": mid, **checked(span, mid), "type": value.get("TYPE", ""),
                 "entity": value.get("ID", "")}
            )  # fmt: skip
            known.add(mid)
    for timex in document.iter("timex2"):
        mapped = timex3_of(timex.get("VAL"), timex.get("SET"))
        for mention in timex.iter("timex2_mention"):
            mid = mention.get("ID", "")
            if mapped is None:
                reader.left_out["TIMEX2 without a TIMEX3 value"] += 1
                continue
            span = reader.span(mention.find("extent"), mid, "extent")
            if span is None:
                continue
            where[f"/time_expressions/{len(timexes)}"] = span.line
            timexes.append({"id": mid, **checked(span, mid), "type": mapped[0], "value": mapped[1]})
            known.add(mid)
    for event in document.iter("event"):
        event_type = f"{event.get('TYPE', '')}.{event.get('SUBTYPE', '')}"
        for mention in event.iter("event_mention"):
            mid = mention.get("ID", "")
            span = reader.span(mention.find("anchor"), mid, "anchor")
            if span is None:
                continue
            arguments = []
            for argument in mention.iter("event_mention_argument"):
                ref = argument.get("REFID", "")
                if ref in known:
                    arguments.append({"role": argument.get("ROLE", ""), "ref": ref})
                else:
                    reader.left_out["event arguments that refer to a left-out TIMEX2"] += 1
            where[f"/events/{len(events)}"] = span.line
            events.append(
                {
                    "id": mid,
                    "type": event_type,
                    "trigger": checked(span, mid),
                    "arguments": arguments,
                    "hopper": event.get("ID", ""),
                }
            )
    record: dict[str, Any] = {"id": document.get("DOCID", "") or sgm.stem, "text": text}
    dct = _dct(raw)
    if dct is not None:
        record["metadata"] = {"dct": dct, "source_file": sgm.name, "language": "en"}
    record.update(mentions=mentions, time_expressions=timexes, events=events)
    return record, where


def _pairs(path: Path, errors: ImportErrors) -> list[tuple[Path, Path]]:
    files = sorted(path.glob("*.apf.xml")) if path.is_dir() else [path]
    if not files:
        errors.add(
            "file-empty",
            f"the folder {path} holds no .apf.xml file",
            "ACE annotation files X.apf.xml next to their sources X.sgm",
            "give an .apf.xml file or a folder of them",
        )
    pairs = []
    for apf in files:
        name = apf.name
        stem = name[: -len(".apf.xml")] if name.endswith(".apf.xml") else apf.stem
        pairs.append((apf, apf.with_name(f"{stem}.sgm")))
    return pairs


def import_(
    fmt: str,
    path: Path,
    *,
    kind: SchemaKind = "document",
    inventory: Inventory | str | None = "ace2005",
    mention_span: MentionSpan = "extent",
    **_: Any,
) -> list[Document]:
    """Import an ACE APF file (or a folder of them) with its ``.sgm`` source.

    Args:
        fmt: ``ace2005``.
        path: ``X.apf.xml`` (with ``X.sgm`` next to it) or a folder of them.
        kind: Validate as gold (``document``) or ``prediction``.
        inventory: The label inventory (default ``ace2005``).
        mention_span: ``extent`` (default) or ``head``: which charseq is the mention.

    Raises:
        DataError: Every problem of every file, located.
    """
    errors = ImportErrors(path)
    labels = load_inventory(inventory)
    documents = []
    for apf, sgm in _pairs(path, errors):
        file_errors = ImportErrors(apf)
        try:
            document = _document(apf, sgm, mention_span, kind, labels, file_errors)
        except OSError as exc:
            file_errors.add(
                "file-not-found",
                f"cannot read the file: {exc.strerror}",
                "a readable APF file",
                "check the path",
            )
            document = None
        errors.problems.extend(file_errors.problems)
        if document is not None:
            documents.append(document)
    if errors.problems:
        raise DataError(errors.problems)
    return documents
