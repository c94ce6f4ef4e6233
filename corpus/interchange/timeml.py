"""TimeML / TimeBank / TempEval-3 ``.tml`` files (``timeml``): time expressions and events.

A ``.tml`` file is XML: ``<TimeML>`` holding ``<DOCID>``, ``<DCT><TIMEX3 ...
functionInDocument="CREATION_TIME">``, and ``<TEXT>`` with inline ``<TIMEX3>``,
``<EVENT>`` and ``<SIGNAL>`` tags, followed by ``MAKEINSTANCE`` and link tags. The
document text is the character content of ``<TEXT>`` exactly as written (tags removed,
entities such as ``&amp;`` decoded), so every offset is derived from the markup.

What is kept:

* every ``TIMEX3`` inside ``<TEXT>``: its ``tid`` (id), ``type`` and ``value``;
* every ``EVENT``: its ``eid`` (id), its span as the trigger and its TimeML ``class``
  (OCCURRENCE, REPORTING, ...) as the event type, with no arguments (TimeML has none);
* the document creation time (``<DCT>``'s TIMEX3 value, when it is a full date) as
  ``metadata.dct``, the file name and language ``en`` in the metadata;
* the ``<DOCID>`` as the document id (the file's stem when there is none).

What is lost: ``MAKEINSTANCE`` attributes (tense, aspect, polarity, modality), ``SIGNAL``
spans, ``TLINK``/``SLINK``/``ALINK`` relations, TIMEX3 ``temporalFunction``,
``anchorTimeID``, ``beginPoint``/``endPoint`` and ``mod``, the ``<TITLE>`` and any text
outside ``<TEXT>``. TimeML has no realis (newsbench's ``realis`` is left out, and the
harness skips the realis metric) and no entities. Labels are checked against the
``timeml`` inventory. A document is one file; a folder imports every ``*.tml`` in it,
in name order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from newsbench.corpus.interchange import ImportErrors, finish_record
from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import Inventory, load_inventory
from newsbench.schema.model import Document
from newsbench.schema.problems import DataError

__all__ = ["import_", "read_timeml"]

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass
class _Open:
    tag: str
    attributes: dict[str, str]
    start: int
    line: int


@dataclass
class _Parsed:
    """What one ``.tml`` file holds, with the input line of each annotation."""

    doc_id: str | None = None
    dct: str | None = None
    text: str = ""
    timexes: list[tuple[_Open, int]] = field(default_factory=list)
    events: list[tuple[_Open, int]] = field(default_factory=list)
    text_line: int | None = None


def read_timeml(path: Path, data: bytes, errors: ImportErrors) -> _Parsed | None:
    """Parse one ``.tml`` file; record malformed XML and misplaced tags as problems."""
    parsed = _Parsed()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parts: list[str] = []
    length = 0
    stack: list[_Open] = []
    where = {"in_text": False, "in_docid": False, "in_dct": False}
    docid_parts: list[str] = []

    guessed: list[tuple[int, str]] = []  # (line, what) the importer would have to guess

    def start(tag: str, attributes: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
        if tag == "TEXT":
            if parsed.text_line is not None:
                guessed.append((line, f"a second <TEXT> (the first is on line {parsed.text_line})"))
            where["in_text"] = True
            parsed.text_line = line
        elif where["in_text"] and tag in ("TIMEX3", "EVENT"):
            key = "tid" if tag == "TIMEX3" else "eid"
            if not attributes.get(key):
                guessed.append((line, f"a <{tag}> without its {key}"))
            stack.append(_Open(tag, dict(attributes), length, line))
        elif tag == "DOCID":
            where["in_docid"] = True
        elif tag == "DCT":
            where["in_dct"] = True
        elif tag == "TIMEX3" and where["in_dct"]:
            match = _DATE.match(attributes.get("value", ""))
            parsed.dct = match.group(1) if match else None
        elif where["in_text"]:
            stack.append(_Open(tag, dict(attributes), length, line))

    def end(tag: str) -> None:
        if tag == "TEXT":
            where["in_text"] = False
        elif tag == "DOCID":
            where["in_docid"] = False
        elif tag == "DCT":
            where["in_dct"] = False
        elif where["in_text"] and stack:
            opened = stack.pop()
            if opened.tag == "TIMEX3":
                parsed.timexes.append((opened, length))
            elif opened.tag == "EVENT":
                parsed.events.append((opened, length))

    def characters(text: str) -> None:
        nonlocal length
        if where["in_text"]:
            parts.append(text)
            length += len(text)
        elif where["in_docid"]:
            docid_parts.append(text)

    def entity(name: str, *_: object) -> None:
        guessed.append((parser.CurrentLineNumber, f"the entity &{name}; (never read)"))

    def external(context: str | None, *_: object) -> int:
        guessed.append((parser.CurrentLineNumber, f"the external entity &{context}; (never read)"))
        return 1  # handled: nothing is fetched

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.SkippedEntityHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        errors.add(
            "xml-malformed",
            f"the file is not well-formed XML: {expat.errors.messages[exc.code]}",
            "a well-formed TimeML document (<TimeML> ... <TEXT> ... </TEXT> ... </TimeML>)",
            "fix the markup at the given line and column " + f"({exc.lineno}:{exc.offset + 1})",
            line=exc.lineno,
        )
        return None
    for line, what in guessed:
        errors.add(
            "timeml-malformed",
            f"{what}: the importer would have to guess what it holds",
            "one <TEXT>, a tid on every TIMEX3 and an eid on every EVENT, no entity but XML's own",
            "fix the file (write the entity's text out)",
            line=line,
        )
    if guessed:
        return None
    if parsed.text_line is None:
        errors.add(
            "timeml-no-text",
            "the file has no <TEXT> element",
            "the document text inside <TEXT> ... </TEXT>",
            "check that this is a TimeML (.tml) file",
        )
        return None
    parsed.text = "".join(parts)
    doc_id = "".join(docid_parts).strip()
    parsed.doc_id = doc_id or None
    return parsed


def _record(
    parsed: _Parsed, path: Path, errors: ImportErrors
) -> tuple[dict[str, Any], dict[str, int]]:
    text = parsed.text
    lines: dict[str, int] = {"": parsed.text_line or 1}
    timexes = []
    for opened, end in parsed.timexes:
        lines[f"/time_expressions/{len(timexes)}"] = opened.line
        item: dict[str, Any] = {
            "id": opened.attributes.get("tid", f"t{len(timexes) + 1}"),
            "start": opened.start,
            "end": end,
            "text": text[opened.start : end],
            "type": opened.attributes.get("type", ""),
        }
        if "value" in opened.attributes:
            item["value"] = opened.attributes["value"]
        timexes.append(item)
    events = []
    for opened, end in parsed.events:
        lines[f"/events/{len(events)}"] = opened.line
        events.append(
            {
                "id": opened.attributes.get("eid", f"e{len(events) + 1}"),
                "type": opened.attributes.get("class", ""),
                "trigger": {"start": opened.start, "end": end, "text": text[opened.start : end]},
                "arguments": [],
            }
        )
    record: dict[str, Any] = {"id": parsed.doc_id or path.stem, "text": text}
    if parsed.dct is not None:
        record["metadata"] = {"dct": parsed.dct, "source_file": path.name, "language": "en"}
    record["time_expressions"] = timexes
    record["events"] = events
    return record, lines


def _files(path: Path, errors: ImportErrors) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".tml" and p.is_file())
        if not files:
            errors.add(
                "file-empty",
                f"the folder {path} holds no .tml file",
                "TimeML files named *.tml",
                "give a .tml file or a folder of them",
            )
        return files
    return [path]


def import_(
    fmt: str,
    path: Path,
    *,
    kind: SchemaKind = "document",
    inventory: Inventory | str | None = "timeml",
    **_: Any,
) -> list[Document]:
    """Import one ``.tml`` file, or every ``*.tml`` of a folder (see the module docstring).

    Raises:
        DataError: Every problem of every file: malformed XML, a missing ``<TEXT>``,
            labels outside the inventory, bad values or spans, each at its line.
    """
    errors = ImportErrors(path)
    labels = load_inventory(inventory)
    documents: list[Document] = []
    for file in _files(path, errors):
        try:
            data = file.read_bytes()
        except OSError as exc:
            errors.add(
                "file-not-found",
                f"cannot read the file: {exc.strerror}",
                "a readable TimeML file",
                "check the path",
                file=str(file),
            )
            continue
        file_errors = ImportErrors(file)
        parsed = read_timeml(file, data, file_errors)
        if parsed is not None:
            record, lines = _record(parsed, file, file_errors)
            document = finish_record(record, kind, file_errors, lines=lines, inventory=labels)
            if document is not None:
                documents.append(document)
        errors.problems.extend(file_errors.problems)
    if errors.problems:
        raise DataError(errors.problems)
    return documents
