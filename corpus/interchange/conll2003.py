"""CoNLL-2003 named-entity files (``conll2003``): standalone documents, text built from tokens.

The shared-task layout (Tjong Kim Sang and De Meulder, 2003): one token per line with
its columns (``EU NNP B-NP B-ORG``: token, POS, chunk, NER; two-column ``token tag`` files
work too), blank lines between sentences, ``-DOCSTART- -X- -X- O`` before each document.
The NER tag is the last column unless ``tag_column`` says otherwise. Tags are read the way
conlleval reads them: an ``I-X`` that does not continue an entity of type X starts one,
which decodes the original IOB1 files and IOB2 files alike; ``scheme="iob2"`` refuses such
an ``I-X`` instead (strict IOB2).

Unlike ``conll`` (the project's export, aligned to a reference text), this format holds
its own text: each document's text is its tokens joined by one space, sentences joined by
a line break, so every offset is derived from the tokens. Each imported document has the
``sentences`` layer (one per CoNLL sentence) and the ``mentions`` layer (type = the
CoNLL label, ``mention_type`` NAM: CoNLL-2003 annotates names only, ids ``m1, m2, ...``
in text order), and no other layer: no metadata, no coreference ids, no paragraphs.
Documents are named ``<prefix>-<n>`` (``n`` from 1, in file order; prefix ``doc``
unless ``id_prefix`` is given), so that a system's output in the same layout, imported
with ``kind="prediction"``, pairs with the gold document by document. Labels are
validated against the ``conll2003`` inventory (``PER ORG LOC MISC``) unless another is
given. What the format cannot hold: the original spacing of the text, POS and chunk
columns (read past, not kept), and document names (the files have none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from newsbench.corpus.interchange import ImportErrors, finish_record
from newsbench.eval.bio import BioError, bio_to_offsets, chunk_labels, join_tokens, tag_problems
from newsbench.eval.columns import split_columns
from newsbench.eval.converters import read_text_lines
from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import Inventory, load_inventory
from newsbench.schema.model import Document
from newsbench.schema.problems import DataError
from newsbench.schema.validate import label_problem

__all__ = ["import_", "read_conll2003"]

Scheme = Literal["iob1", "iob2"]


@dataclass
class _Sentence:
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@dataclass
class _Block:
    """The sentences of one document and the line that started it."""

    line: int
    sentences: list[_Sentence] = field(default_factory=list)


def read_conll2003(lines: list[str], tag_column: int, errors: ImportErrors) -> list[_Block]:
    """Split CoNLL-2003 lines into documents of sentences; record every malformed line."""
    blocks: list[_Block] = []
    sentence = _Sentence()
    widths: dict[int, list[tuple[int, str]]] = {}  # token lines by their number of columns

    def flush() -> None:
        nonlocal sentence
        if sentence.tokens:
            if not blocks:
                blocks.append(_Block(sentence.lines[0]))
            blocks[-1].sentences.append(sentence)
        sentence = _Sentence()

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            flush()
            continue
        columns = split_columns(raw)
        if columns[0] == "-DOCSTART-":
            flush()
            if blocks and not blocks[-1].sentences:
                errors.add(
                    "conll-empty-document",
                    f"the document started on line {blocks[-1].line} has no token",
                    "tokens between two -DOCSTART- lines",
                    "remove the empty document's -DOCSTART- line",
                    line=blocks[-1].line,
                )
                blocks.pop()
            blocks.append(_Block(number))
            continue
        index = tag_column if tag_column >= 0 else len(columns) + tag_column
        if len(columns) < 2 or not 1 <= index < len(columns) or not columns[0]:
            errors.add(
                "conll-malformed-line",
                f"the line has {len(columns)} column(s); no token and tag column "
                f"{tag_column}: {raw!r}",
                "token, then POS and chunk columns, then the NER tag (or token and tag)",
                "fix the line, or choose the tag column with --tag-column",
                line=number,
            )
            continue
        sentence.tokens.append(columns[0])
        sentence.tags.append(columns[index])
        sentence.lines.append(number)
        widths.setdefault(len(columns), []).append((number, raw))
    flush()
    _uneven_lines(widths, errors)
    if blocks and not blocks[-1].sentences:
        errors.add(
            "conll-empty-document",
            f"the document started on line {blocks[-1].line} has no token",
            "tokens after every -DOCSTART- line",
            "remove the trailing -DOCSTART- line",
            line=blocks[-1].line,
        )
        blocks.pop()
    return blocks


def _uneven_lines(widths: dict[int, list[tuple[int, str]]], errors: ImportErrors) -> None:
    """Every token line whose number of columns is not the file's (the most common): a
    space inside a token shifts its columns, so its tag would be read from another one."""
    if len(widths) < 2:
        return
    usual = max(widths, key=lambda n: (len(widths[n]), -n))
    for n, lines in sorted(widths.items()):
        if n == usual:
            continue
        for number, raw in lines:
            errors.add(
                "conll-malformed-line",
                f"the line has {n} columns where the file's token lines have {usual}: {raw!r}",
                f"{usual} columns on every token line",
                "a token holds no space: fix the token (or its separators)",
                line=number,
            )


_MALFORMED = (
    "'O', 'B-<label>' or 'I-<label>'",
    "fix the tag (IOBES tags are not CoNLL-2003: convert them to IOB2)",
)
_UNOPENED = (
    "'O', 'B-<label>', or 'I-<label>' continuing a B-/I- of the same label",
    "fix the tags, or read them as IOB1 (--scheme iob1, the default)",
)
"""Expected and fix of a malformed tag, and of an I- tag strict IOB2 finds unopened."""


def _record(
    doc_id: str, block: _Block, scheme: Scheme, errors: ImportErrors
) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Build the schema object of one document and the input line of each mention."""
    texts: list[str] = []
    sentences: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    lines: dict[str, int] = {}
    offset = 0
    ok = True
    for number, sentence in enumerate(block.sentences, start=1):
        text, tokens = join_tokens(sentence.tokens)
        bad = []
        for i, message, malformed in tag_problems(sentence.tags, strict=scheme == "iob2"):
            bad.append(i)
            expected, fix = _MALFORMED if malformed else _UNOPENED
            errors.add(
                "iob2-invalid", message, expected, fix, line=sentence.lines[i], document=doc_id
            )
        try:
            spans = [] if bad else bio_to_offsets(tokens, sentence.tags, repair=scheme == "iob1")
        except BioError as error:  # a case tag_problems does not foresee: still located
            index = error.token_index if error.token_index is not None else 0
            errors.add(
                "iob2-invalid",
                f"invalid IOB2: {error}",
                *_UNOPENED,
                line=sentence.lines[index],
                document=doc_id,
            )
            spans = []
            bad = [index]
        ok = ok and not bad
        line_of = {t.start: line for t, line in zip(tokens, sentence.lines, strict=True)}
        for span in spans:
            path = f"/mentions/{len(mentions)}"
            lines[path] = line_of[span.start]
            start, end = offset + span.start, offset + span.end
            mentions.append(
                {
                    "id": f"m{len(mentions) + 1}",
                    "start": start,
                    "end": end,
                    "text": text[span.start : span.end],
                    "type": span.label,
                    "mention_type": "NAM",
                }
            )
        sentences.append(
            {"id": f"s{number}", "start": offset, "end": offset + len(text), "text": text}
        )
        texts.append(text)
        offset += len(text) + 1
    if not ok:
        return None
    record = {"id": doc_id, "text": "\n".join(texts), "sentences": sentences, "mentions": mentions}
    return record, lines


def _unknown_labels(doc_id: str, block: _Block, labels: Inventory, errors: ImportErrors) -> None:
    """Report each chunk of a label outside the inventory, at the line of its first tag, in a
    document whose tag errors keep it from being built (and so from being validated)."""
    for sentence in block.sentences:
        for index, label in chunk_labels(sentence.tags):
            if label not in labels.entity_types:
                errors.problems.append(
                    label_problem(
                        label, labels.entity_types, labels,
                        file=errors.file, line=sentence.lines[index], document=doc_id, path="",
                    )
                )  # fmt: skip


def import_(
    fmt: str,
    path: Path,
    *,
    kind: SchemaKind = "document",
    tag_column: int = -1,
    scheme: Scheme = "iob1",
    inventory: Inventory | str | None = "conll2003",
    id_prefix: str = "doc",
    **_: Any,
) -> list[Document]:
    """Import a CoNLL-2003 file as standalone documents (see the module docstring).

    Args:
        fmt: ``conll2003``.
        path: The column file.
        kind: Validate as gold (``document``) or ``prediction``.
        tag_column: The NER tag column (default: the last).
        scheme: ``iob1`` (conlleval reading, default) or ``iob2`` (strict).
        inventory: The label inventory the labels are checked against.
        id_prefix: Document ids are ``<id_prefix>-<n>``.

    Raises:
        DataError: Every problem of the file: malformed lines, bad tags, empty
            documents, labels outside the inventory, each at its line.
    """
    errors = ImportErrors(path)
    labels = load_inventory(inventory)
    lines = read_text_lines(path, errors, "CoNLL-2003 file")
    if lines is None:
        raise DataError(errors.problems)
    blocks = read_conll2003(lines, tag_column, errors)
    if not blocks and not errors.problems:
        errors.add(
            "file-empty",
            "the file holds no token",
            "CoNLL-2003 columns: token ... tag, one token per line",
            "check that this is a CoNLL-2003 file",
        )
    documents: list[Document] = []
    for number, block in enumerate(blocks, start=1):
        doc_id = f"{id_prefix}-{number}"
        first = len(errors.problems)
        built = _record(doc_id, block, scheme, errors)
        if built is None:  # not built, so not validated: its labels are checked here
            _unknown_labels(doc_id, block, labels, errors)
            errors.problems[first:] = sorted(errors.problems[first:], key=lambda p: p.line or 0)
            continue
        record, mention_lines = built
        document = finish_record(
            record, kind, errors, lines={"": block.line, **mention_lines}, inventory=labels
        )
        if document is not None:
            documents.append(document)
    errors.raise_if_any()
    return documents
