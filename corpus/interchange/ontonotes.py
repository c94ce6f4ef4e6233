"""OntoNotes 5.0 in the CoNLL-2012 column layout (``ontonotes``): named entities.

The ``*_conll`` files of the CoNLL-2012 shared task: ``#begin document (<name>); part
<nnn>`` ... ``#end document``, one word per line with whitespace-separated columns
(document, part, word number, **word**, POS, parse bit, lemma, frameset, sense, speaker,
**named entities**, predicate arguments..., coreference), a blank line between
sentences. Each part is one newsbench document named ``<name with / as :>-<part>``
(``bc:cctv:00:cctv_0001-000``); its text is the words joined by one space, sentences
joined by a line break, so every offset comes from the words. The named-entity column
(``(PERSON*``, ``*``, ``*)``, ``(GPE)``) becomes the ``mentions`` layer: type = the
OntoNotes label, mention type NAM, ids ``m1, m2, ...`` in text order. Labels are checked
against the ``ontonotes5`` inventory.

What is lost: the original spacing (and Penn Treebank escapes such as ``-LRB-`` stay as
written), POS, parse, lemma, frameset, sense, speaker and predicate arguments, and the
coreference column: OntoNotes coreference mentions carry no entity type, and every
newsbench mention has one (score OntoNotes coreference with the reference scorer on the
original files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbench.corpus.interchange import ImportErrors, finish_record
from newsbench.eval.columns import ascii_fields
from newsbench.eval.converters import read_text_lines
from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import Inventory, load_inventory
from newsbench.schema.model import Document
from newsbench.schema.problems import DataError

__all__ = ["import_"]

_BEGIN = re.compile(r"#begin document \((?P<name>[^)]*)\);?\s*part\s+(?P<part>\d+)\s*\Z")
_NE = re.compile(r"\((?P<label>[^()*]+)\*\)?\Z|\*\)?\Z|\((?P<single>[^()*]+)\)\Z")
MIN_COLUMNS = 11


@dataclass
class _Part:
    doc_id: str
    line: int
    sentences: list[list[tuple[str, str, int]]] = field(default_factory=list)
    ended: bool = False


def _parts(lines: list[str], errors: ImportErrors) -> list[_Part]:
    parts: list[_Part] = []
    current: _Part | None = None
    sentence: list[tuple[str, str, int]] = []

    def flush() -> None:
        nonlocal sentence
        if sentence and current is not None:
            current.sentences.append(sentence)
        sentence = []

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("#begin document"):
            match = _BEGIN.match(line)
            if match is None:
                errors.add(
                    "ontonotes-malformed",
                    f"a malformed document header: {raw!r}",
                    "#begin document (<name>); part <nnn>",
                    "fix the header",
                    line=number,
                )
                current = None
                continue
            if current is not None and not current.ended:
                errors.add(
                    "ontonotes-malformed",
                    f"the document begun on line {current.line} has no #end document",
                    "#end document before the next #begin document",
                    "add the missing #end document line",
                    line=number,
                )
            flush()
            name = match["name"].replace("/", ":")
            current = _Part(f"{name}-{match['part']}", number)
            parts.append(current)
            continue
        if line.startswith("#end document"):
            flush()
            if current is not None:
                current.ended = True
            current = None
            continue
        if not line:
            flush()
            continue
        if line.startswith("#"):
            continue
        columns = ascii_fields(line)
        if current is None:
            errors.add(
                "ontonotes-malformed",
                "a word line outside any #begin document ... #end document block",
                "every word line inside a document",
                "add the #begin document header",
                line=number,
            )
            continue
        if len(columns) < MIN_COLUMNS:
            errors.add(
                "ontonotes-malformed",
                f"the line has {len(columns)} columns: {raw!r}",
                f"at least {MIN_COLUMNS} columns (the named entities are column 11)",
                "check that this is a CoNLL-2012 *_conll file with its named-entity column",
                line=number,
            )
            continue
        sentence.append((columns[3], columns[10], number))
    flush()
    if current is not None and not current.ended:
        errors.add(
            "ontonotes-malformed",
            f"the document begun on line {current.line} has no #end document",
            "#end document at the end of every document",
            "add the missing #end document line",
            line=current.line,
        )
    return parts


def _record(part: _Part, errors: ImportErrors) -> tuple[dict[str, Any], dict[str, int]]:
    texts: list[str] = []
    sentences: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    lines: dict[str, int] = {"": part.line}
    offset = 0
    for k, sentence in enumerate(part.sentences, start=1):
        words = [w for w, _, _ in sentence]
        text = " ".join(words)
        position = offset
        opened: tuple[str, int, int] | None = None
        for word, tag, number in sentence:
            match = _NE.match(tag)
            if match is None:
                errors.add(
                    "ontonotes-malformed",
                    f"a malformed named-entity tag {tag!r}",
                    "'(LABEL*', '*', '*)' or '(LABEL)'",
                    "fix the named-entity column",
                    line=number,
                    document=part.doc_id,
                )
            else:
                label = match["label"] or match["single"]
                if label is not None and opened is not None:
                    errors.add(
                        "ontonotes-malformed",
                        f"{tag!r} opens an entity inside the {opened[0]} begun on line {opened[2]}",
                        "flat named entities: close one before opening the next",
                        "fix the named-entity column",
                        line=number,
                        document=part.doc_id,
                    )
                elif match["single"]:
                    lines[f"/mentions/{len(mentions)}"] = number
                    mentions.append(_mention(len(mentions), position, word, label))
                elif label is not None and not tag.endswith(")"):
                    opened = (label, position, number)
                elif label is not None:  # "(LABEL*)": a one-word entity
                    lines[f"/mentions/{len(mentions)}"] = number
                    mentions.append(_mention(len(mentions), position, word, label))
                elif tag == "*)":
                    if opened is None:
                        errors.add(
                            "ontonotes-malformed",
                            "'*)' closes no entity",
                            "'*)' after an open '(LABEL*'",
                            "fix the named-entity column",
                            line=number,
                            document=part.doc_id,
                        )
                    else:
                        label, start, first = opened
                        end = position + len(word)
                        lines[f"/mentions/{len(mentions)}"] = first
                        mention = _mention(len(mentions), start, "", label)
                        mention["end"] = end
                        mention["text"] = text[start - offset : end - offset]
                        mentions.append(mention)
                        opened = None
            position += len(word) + 1
        if opened is not None:
            errors.add(
                "ontonotes-malformed",
                f"the {opened[0]} begun here is not closed by the end of the sentence",
                "every '(LABEL*' closed by '*)' in its sentence",
                "close the entity",
                line=opened[2],
                document=part.doc_id,
            )
        sentences.append({"id": f"s{k}", "start": offset, "end": offset + len(text), "text": text})
        texts.append(text)
        offset += len(text) + 1
    mentions.sort(key=lambda m: (m["start"], -m["end"]))
    ordered: dict[str, int] = {"": part.line}
    for new, mention in enumerate(mentions):
        old = mention["id"]
        ordered[f"/mentions/{new}"] = lines.get(f"/mentions/{int(old[1:]) - 1}", part.line)
        mention["id"] = f"m{new + 1}"
    record = {"id": part.doc_id, "text": "\n".join(texts), "sentences": sentences}
    record["mentions"] = mentions
    return record, ordered


def _mention(index: int, start: int, word: str, label: str) -> dict[str, Any]:
    return {
        "id": f"m{index + 1}",
        "start": start,
        "end": start + len(word),
        "text": word,
        "type": label,
        "mention_type": "NAM",
    }


def import_(
    fmt: str,
    path: Path,
    *,
    kind: SchemaKind = "document",
    inventory: Inventory | str | None = "ontonotes5",
    **_: Any,
) -> list[Document]:
    """Import a CoNLL-2012 ``*_conll`` file (every part a document; see the docstring).

    Raises:
        DataError: Every problem of the file (headers, column counts, entity brackets,
            labels outside the inventory), located at its line.
    """
    errors = ImportErrors(path)
    labels = load_inventory(inventory)
    lines = read_text_lines(path, errors, "CoNLL-2012 file")
    if lines is None:
        raise DataError(errors.problems)
    parts = _parts(lines, errors)
    if not parts and not errors.problems:
        errors.add(
            "file-empty",
            "the file holds no #begin document block",
            "CoNLL-2012 documents: #begin document (<name>); part <nnn> ... #end document",
            "check that this is a CoNLL-2012 file",
        )
    documents = []
    for part in parts:
        if not part.sentences:
            errors.add(
                "ontonotes-malformed",
                "the document has no word",
                "word lines between #begin document and #end document",
                "remove the empty document",
                line=part.line,
            )
            continue
        record, where = _record(part, errors)
        document = finish_record(record, kind, errors, lines=where, inventory=labels)
        if document is not None:
            documents.append(document)
    errors.raise_if_any()
    return documents
