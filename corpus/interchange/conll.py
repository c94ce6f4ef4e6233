"""CoNLL columns: IOB2 mentions (``conll``) and CoNLL-2012 coreference (``conll2012``).

Tokens are the project token view (:mod:`newsbench.schema.tokens`); sentences follow the
document's sentences (and paragraphs): a new sentence starts at every sentence or
paragraph start and after every line break, and every token of the text is written (so
text outside any sentence is kept too). A document without a sentence layer (a
prediction) takes the sentences and paragraphs of the reference document with its id
(default: the packaged gold), so that the exported gold and prediction pair sentence by
sentence, as the reference scorer pairs them. Neither format holds the document text: the
import aligns the tokens to a reference text (default: the packaged gold), and a token
that differs from it is a ``token-text-mismatch`` problem at its line.

``conll`` (``<stem>.conll``): ``-DOCSTART-<TAB><document id>``, then ``token<TAB>tag``
lines, a blank line between sentences, IOB2 tags ``B-GPE``/``I-GPE``/``O``. It encodes
one non-nested layer: the mentions whose mention type is selected (``NAM`` by default);
where selected mentions overlap, the outermost wins (order by start, longest first; a
mention overlapping one already kept is dropped), as in the ``ner`` config. It cannot
hold nested or overlapping mentions, mention ids (imported as ``m1, m2, ...`` in text
order), coreference, or the mention type (the import gives every mention the one type
passed as ``mention_type``, ``NAM`` by default). Read back with
:func:`newsbench.eval.converters.conll_to_documents`.

``conll2012`` (``<stem>.conll2012``), per document::

    #begin document (<document id>); part 000
    <id>  0  <word number>  <word>  <mentions>  <coref>
    #end document

with sentences separated by blank lines and word numbers restarting in each sentence.
The last column is the coreference column of the CoNLL-2011/2012 shared tasks (readable
by the reference scorer): every mention, nested ones included, in bracket notation
``(12`` / ``12)`` / ``(12)`` joined with ``|``; clusters are numbered from 0 in the order
of their first mention. The ``mentions`` column before it uses the same notation with the
label ``TYPE.MTYPE`` (``(GPE.NAM)``) instead of the cluster number, so the import gets
each mention's entity type and mention type; it pairs the two columns by span (mentions
with the same span pair in the order they are written). The format cannot hold mention
ids (imported as ``m1, m2, ...`` in ``(start, end)`` order) or cluster names (imported as
``e<number>``); a mention without a cluster is written as a singleton cluster and comes
back with one. Nothing else of the document is written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbench.corpus.interchange import ImportErrors, finish_record
from newsbench.eval.columns import split_columns
from newsbench.eval.converters import parse_int
from newsbench.schema.contract import ENTITY_TYPES, MENTION_TYPES, SchemaKind
from newsbench.schema.io import atomic_output
from newsbench.schema.model import Document, Mention, document_to_dict
from newsbench.schema.problems import DataError
from newsbench.schema.tokens import token_offsets

__all__ = [
    "conll2012_lines",
    "conll_lines",
    "export",
    "import_",
    "iob2_mentions",
    "read_conll2012",
    "read_conll2012_sentences",
    "sentence_tokens",
]

DEFAULT_MENTION_TYPES: tuple[str, ...] = ("NAM",)
_BREAKS = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_BEGIN = re.compile(r"#begin document \((?P<id>[^)]*)\);?\s*(?:part\s+(?P<part>\d+))?\s*\Z")


def sentence_tokens(
    doc: Document, structure: Document | None = None
) -> list[list[tuple[int, int]]]:
    """Return every token of ``doc`` grouped into sentences (see the module docstring).

    Args:
        doc: The document.
        structure: The document (same text) whose sentences and paragraphs split ``doc``
            (default: ``doc`` itself); a prediction takes them from its gold document.
    """
    source = doc if structure is None else structure
    starts = {s.start for s in source.layer("sentences")}
    starts |= {p.start for p in source.layer("paragraphs")}
    groups: list[list[tuple[int, int]]] = []
    previous_end = 0
    for start, end in token_offsets(doc.text):
        if not groups or start in starts or _BREAKS.search(doc.text, previous_end, start):
            groups.append([])
        groups[-1].append((start, end))
        previous_end = end
    return groups


def iob2_mentions(doc: Document, mention_types: Sequence[str] | None) -> list[Mention]:
    """Return the mentions the IOB2 layer encodes: selected types, outermost on overlap.

    Args:
        doc: The document.
        mention_types: Mention types to encode (``None``: every mention).
    """
    candidates = sorted(
        (
            m
            for m in doc.layer("mentions")
            if mention_types is None or m.mention_type in mention_types
        ),
        key=lambda m: (m.start, -m.end, m.id),
    )
    kept: list[Mention] = []
    for mention in candidates:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def _check_boundaries(doc: Document, mentions: Iterable[Mention]) -> tuple[dict, dict]:
    tokens = token_offsets(doc.text)
    first = {s: i for i, (s, _) in enumerate(tokens)}
    last = {e: i for i, (_, e) in enumerate(tokens)}
    for m in mentions:
        if m.start not in first or m.end not in last:
            raise ValueError(
                f"{doc.id}: mention {m.id} {m.text!r} [{m.start}, {m.end}) does not start and "
                "end on token boundaries; CoNLL columns cannot hold it"
            )
    return first, last


def conll_lines(
    doc: Document, mention_types: Sequence[str] | None, structure: Document | None = None
) -> list[str]:
    """Return the IOB2 lines of ``doc`` (``-DOCSTART-`` line first, no final newline).

    ``structure``: as for :func:`sentence_tokens`.
    """
    mentions = iob2_mentions(doc, mention_types)
    _check_boundaries(doc, mentions)
    tag: dict[int, str] = {}
    for m in mentions:
        for start, _ in token_offsets(doc.text, m.start, m.end):
            tag[start] = f"{'B' if start == m.start else 'I'}-{m.type}"
    lines = [f"-DOCSTART-\t{doc.id}", ""]
    for sentence in sentence_tokens(doc, structure):
        lines += [f"{doc.text[s:e]}\t{tag.get(s, 'O')}" for s, e in sentence]
        lines.append("")
    return lines


def _cell(opens: list[str], singles: list[str], closes: list[str]) -> str:
    parts = [f"({x}" for x in opens] + [f"({x})" for x in singles] + [f"{x})" for x in closes]
    return "|".join(parts) or "-"


def conll2012_lines(doc: Document, structure: Document | None = None) -> list[str]:
    """Return the CoNLL-2012 lines of ``doc`` (``#begin document`` to ``#end document``).

    ``structure``: as for :func:`sentence_tokens`.
    """
    mentions = list(doc.layer("mentions"))
    first, last = _check_boundaries(doc, mentions)
    numbers: dict[str, int] = {}
    cluster: list[int] = []
    for m in mentions:
        key = m.entity if m.entity is not None else f"\0{m.id}"
        cluster.append(numbers.setdefault(key, len(numbers)))
    # per token index: (opens, singles, closes) for the label and the coref column
    cells: dict[int, tuple[list, list, list]] = {}
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].start, -mentions[i].end, i))
    for i in order:
        m = mentions[i]
        label = f"{m.type}.{m.mention_type}" if m.mention_type else m.type
        a, b = first[m.start], last[m.end]
        if a == b:
            cells.setdefault(a, ([], [], []))[1].append((label, cluster[i]))
        else:
            cells.setdefault(a, ([], [], []))[0].append((label, cluster[i]))
            cells.setdefault(b, ([], [], []))[2].insert(0, (label, cluster[i]))
    lines = [f"#begin document ({doc.id}); part 000"]
    index = 0
    for sentence in sentence_tokens(doc, structure):
        for word_number, (s, e) in enumerate(sentence):
            opens, singles, closes = cells.get(index, ([], [], []))
            labels = _cell(*([x[0] for x in group] for group in (opens, singles, closes)))
            corefs = _cell(*([str(x[1]) for x in group] for group in (opens, singles, closes)))
            lines.append(f"{doc.id}\t0\t{word_number}\t{doc.text[s:e]}\t{labels}\t{corefs}")
            index += 1
        lines.append("")
    lines.append("#end document")
    return lines


def export(
    fmt: str,
    documents: Sequence[Document],
    out_dir: Path,
    *,
    mention_types: Sequence[str] | None = DEFAULT_MENTION_TYPES,
    stem: str = "documents",
    reference: Sequence[Document] | str | Path | None = None,
    notes: list[str] | None = None,
    **_: Any,
) -> list[Path]:
    """Write ``<stem>.conll`` (IOB2) or ``<stem>.conll2012`` (coreference) into ``out_dir``.

    ``notes`` receives what the IOB2 layer cannot hold: how many selected mentions were
    left out because they nest in or overlap a kept one.

    Sentences are a document's own; a document without a sentence layer (a prediction)
    is split by the sentences and paragraphs of the reference document with its id
    (``reference``, default: every packaged gold split), so that its sentence blocks pair
    with the gold's. Without a reference document of that id it is split at line breaks
    only.

    Raises:
        ValueError: If a document's text differs from its reference document's text.
        DataError: If the reference file cannot be read.
    """
    structures = _structures(documents, reference)
    lines: list[str] = []
    left_out = 0
    for doc in documents:
        structure = structures.get(doc.id)
        if fmt == "conll":
            lines += conll_lines(doc, mention_types, structure)
            selected = [
                m
                for m in doc.layer("mentions")
                if mention_types is None or m.mention_type in mention_types
            ]
            left_out += len(selected) - len(iob2_mentions(doc, mention_types))
        else:
            lines += conll2012_lines(doc, structure)
    path = out_dir / f"{stem}.{fmt}"
    if left_out and notes is not None:
        notes.append(
            f"{left_out} mention(s) nested in or overlapping another are not in {path.name}: "
            "IOB2 holds one non-nested layer (the outermost mention is kept); "
            "conll2012 holds them all"
        )
    with atomic_output(path, "wb") as handle:
        handle.write(("\n".join(lines) + "\n").encode("utf-8"))
    return [path]


def _structures(
    documents: Sequence[Document], reference: Sequence[Document] | str | Path | None
) -> dict[str, Document]:
    """Return the reference document of each document that has no sentence layer."""
    bare = [doc for doc in documents if doc.sentences is None]
    if not bare:
        return {}
    by_id = {d.id: d for d in _reference(reference)}
    structures = {}
    for doc in bare:
        found = by_id.get(doc.id)
        if found is None:
            continue
        if found.text != doc.text:
            raise ValueError(
                f"{doc.id}: the text differs from the reference document's text, so its "
                "sentences cannot be taken from the reference; export the prediction of "
                "this corpus version (or give it a sentences layer)"
            )
        structures[doc.id] = found
    return structures


def read_conll2012_sentences(path: str | Path) -> dict[str, list[tuple[str, ...]]]:
    """Return the sentence blocks of a ``conll2012`` file: document id -> word tuples.

    For checking that two files (gold and prediction) pair sentence by sentence, as the
    reference scorer pairs them.

    Raises:
        DataError: If the file cannot be read or a line is no token line of a document.
    """
    out = ImportErrors(path)
    try:
        raw = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.add("file-unreadable", f"cannot read the file: {exc}", "a UTF-8 CoNLL-2012 file",
                "check the path")  # fmt: skip
        raise DataError(out.problems) from None
    blocks: dict[str, list[tuple[str, ...]]] = {}
    current: list[tuple[str, ...]] | None = None
    words: list[str] = []
    for number, line in enumerate(raw.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#end document"):
            if current is not None and words:
                current.append(tuple(words))
            words = []
            if line.startswith("#end document"):
                current = None
            continue
        if line.startswith("#begin document"):
            match = _BEGIN.match(line)
            current = blocks.setdefault(match["id"] if match else line, [])
            continue
        columns = split_columns(line)
        if current is None or len(columns) < 4:
            out.add("conll-malformed-line", f"not a token line of a document: {line!r}",
                    "document, part, word number, word, ... columns inside '#begin "
                    "document' ... '#end document'", "fix the line", line=number)  # fmt: skip
            continue
        words.append(columns[3])
    if current is not None and words:
        current.append(tuple(words))
    out.raise_if_any()
    return blocks


# --- import ----------------------------------------------------------------------------


def _reference(
    reference: Sequence[Document] | str | os.PathLike[str] | None,
) -> list[Document]:
    """Return the reference documents (default: those of every packaged gold split)."""
    from newsbench.schema.validate import load_documents

    if reference is None:
        from newsbench.corpus import gold_paths

        return [d for path in gold_paths().values() for d in load_documents(path, "prediction")]
    if isinstance(reference, str | os.PathLike):
        return load_documents(reference, "prediction")
    return list(reference)


def _prediction(
    doc: Document, mentions: list[dict[str, Any]], kind: SchemaKind, out: ImportErrors
) -> Document | None:
    record = {"id": doc.id, "text": doc.text, "mentions": mentions}
    return finish_record(record, kind, out)


def _import_iob2(
    path: Path, reference: list[Document], mention_type: str | None, kind: SchemaKind
) -> list[Document]:
    from newsbench.eval.converters import conll_to_documents

    loaded = conll_to_documents(path, reference)
    out = ImportErrors(path)
    documents = []
    for doc in loaded.documents:
        mentions = []
        for m in document_to_dict(doc).get("mentions", []):
            if mention_type is not None:
                m["mention_type"] = mention_type
            mentions.append(m)
        result = _prediction(doc, mentions, kind, out)
        if result is not None:
            documents.append(result)
    out.raise_if_any()
    return documents


@dataclass
class _Doc:
    reference: Document
    line: int
    position: int = 0
    broken: bool = False
    index: int = 0
    offsets: list[tuple[int, int]] = field(default_factory=list)
    labels: list[tuple[int, int, str, int]] = field(default_factory=list)  # start,end,lab,line
    corefs: list[tuple[int, int, str, int]] = field(default_factory=list)
    open_labels: list[tuple[str, int, int]] = field(default_factory=list)
    open_corefs: list[tuple[str, int, int]] = field(default_factory=list)


_PART = re.compile(r"\((?P<a>[^()|]+)\)|\((?P<o>[^()|]+)|(?P<c>[^()|]+)\)")


def _brackets(
    cell: str,
    token: tuple[int, int],
    opened: list[tuple[str, int, int]],
    found: list[tuple[int, int, str, int]],
    line: int,
) -> str | None:
    """Apply one bracket cell; return an error message or ``None``."""
    if cell in ("-", "_", ""):
        return None
    for part in cell.split("|"):
        match = _PART.fullmatch(part)
        if match is None:
            return f"malformed bracket item {part!r} in {cell!r}"
        if match["a"] is not None:
            found.append((token[0], token[1], match["a"], line))
        elif match["o"] is not None:
            opened.append((match["o"], token[0], line))
        else:
            name = match["c"]
            for k in range(len(opened) - 1, -1, -1):
                if opened[k][0] == name:
                    _, start, open_line = opened.pop(k)
                    found.append((start, token[1], name, open_line))
                    break
            else:
                return f"{part!r} closes a mention that was never opened"
    return None


def read_conll2012(
    path: str | Path,
    reference: Sequence[Document] | str | Path | None = None,
    *,
    kind: SchemaKind = "prediction",
) -> list[Document]:
    """Read a ``conll2012`` file back into documents with mentions and clusters.

    Args:
        path: The file.
        reference: Documents (or a JSONL file) giving the texts; default: every packaged gold split.
        kind: Validate as ``prediction`` (default: only ids, text and mentions are held).

    Raises:
        DataError: With every problem of the file.
    """
    out = ImportErrors(path)
    by_id = {d.id: d for d in _reference(reference)}
    try:
        raw = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.add(
            "file-unreadable",
            f"cannot read the file: {exc}",
            "a UTF-8 CoNLL-2012 file",
            "check the path",
        )
        raise DataError(out.problems) from None
    docs: dict[str, _Doc] = {}
    current: _Doc | None = None
    for number, line in enumerate(raw.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.startswith("#begin document"):
            match = _BEGIN.match(line)
            doc_id = match["id"] if match else None
            if doc_id is None or doc_id not in by_id or doc_id in docs:
                what = "an unknown" if doc_id not in docs else "a repeated"
                out.add(
                    "document-unassigned",
                    f"{what} document in {line!r}",
                    "'#begin document (<reference document id>); part 000', once per document",
                    "use the document ids of the reference texts",
                    line=number,
                )
                current = None
                continue
            current = docs[doc_id] = _Doc(by_id[doc_id], number)
            continue
        if line.startswith("#end document") or not line.strip():
            continue
        if line.startswith("#"):
            continue
        if current is None:
            out.add(
                "document-unassigned",
                "a token line outside a known #begin document block",
                "token lines inside '#begin document' ... '#end document'",
                "add the #begin document line",
                line=number,
            )
            continue
        columns = split_columns(line)
        if len(columns) < 6:
            out.add(
                "conll-malformed-line",
                f"{len(columns)} columns: {line!r}",
                "document, part, word number, word, mentions, coref columns",
                "write every column",
                line=number,
                document=current.reference.id,
            )
            current.broken = True
            continue
        if current.broken:
            continue
        text = current.reference.text
        word = columns[3]
        position = current.position
        while position < len(text) and text[position].isspace():
            position += 1
        if not text.startswith(word, position):
            out.add(
                "token-text-mismatch",
                f"the word {word!r} does not match the text at offset {position}: found "
                f"{text[position : position + len(word)]!r}; the rest of this document "
                "is not aligned",
                "each word equal to the next characters of the text",
                "export from the same text (same corpus version) and do not retokenise",
                line=number,
                document=current.reference.id,
            )
            current.broken = True
            continue
        token = (position, position + len(word))
        current.position = token[1]
        for cell, opened, found in (
            (columns[-2], current.open_labels, current.labels),
            (columns[-1], current.open_corefs, current.corefs),
        ):
            error = _brackets(cell.strip(), token, opened, found, number)
            if error is not None:
                out.add(
                    "conll-malformed-line",
                    error,
                    "bracket items '(X', 'X)', '(X)' joined by '|', or '-'",
                    "fix the bracket column",
                    line=number,
                    document=current.reference.id,
                )
                current.broken = True
                break
    documents = []
    for doc_id, state in docs.items():
        if state.broken:
            continue
        text = state.reference.text
        for opened in (state.open_labels, state.open_corefs):
            for name, _, line in opened:
                out.add(
                    "conll-malformed-line",
                    f"the mention {name!r} opened here is never closed",
                    "every '(X' closed by an 'X)'",
                    "close the mention",
                    line=line,
                    document=doc_id,
                )
        if text[state.position :].strip():
            out.add(
                "tokens-incomplete",
                f"the words end at offset {state.position} but the text goes on to {len(text)}",
                "words covering the whole text",
                "write every word of the document",
                line=state.line,
                document=doc_id,
            )
            continue
        mentions = _pair(state, out, doc_id)
        if mentions is not None:
            document = _prediction(state.reference, mentions, kind, out)
            if document is not None:
                documents.append(document)
    out.raise_if_any()
    order = {d.id: i for i, d in enumerate(by_id.values())}
    return sorted(documents, key=lambda d: order[d.id])


def _pair(state: _Doc, out: ImportErrors, doc_id: str) -> list[dict[str, Any]] | None:
    labels = sorted(state.labels, key=lambda x: (x[0], x[1], x[3]))
    corefs = sorted(state.corefs, key=lambda x: (x[0], x[1], x[3]))
    if [x[:2] for x in labels] != [x[:2] for x in corefs]:
        out.add(
            "conll-malformed-line",
            "the mentions column and the coref column bracket different spans",
            "the same spans in both columns",
            "write every mention in both columns",
            line=state.line,
            document=doc_id,
        )
        return None
    text = state.reference.text
    mentions = []
    ok = True
    for i, (label, coref) in enumerate(zip(labels, corefs, strict=True), start=1):
        start, end, name, line = label
        entity_type, _, mention_type = name.partition(".")
        if entity_type not in ENTITY_TYPES or (mention_type and mention_type not in MENTION_TYPES):
            out.add(
                "schema-enum",
                f"the mention label {name!r} is not TYPE or TYPE.MTYPE",
                f"TYPE in {', '.join(ENTITY_TYPES)}; MTYPE in {', '.join(MENTION_TYPES)}",
                "use the corpus labels",
                line=line,
                document=doc_id,
            )
            ok = False
            continue
        mention = {
            "id": f"m{i}",
            "start": start,
            "end": end,
            "text": text[start:end],
            "type": entity_type,
        }
        if mention_type:
            mention["mention_type"] = mention_type
        number = parse_int(coref[2])
        if number is None or number < 0:
            out.add(
                "conll-malformed-line",
                f"the cluster {coref[2]!r} is not a number",
                "cluster numbers such as (12",
                "number the clusters",
                line=coref[3],
                document=doc_id,
            )
            ok = False
            continue
        mention["entity"] = f"e{coref[2]}"
        mentions.append(mention)
    return mentions if ok else None


def import_(
    fmt: str,
    path: Path,
    *,
    reference: Sequence[Document] | str | Path | None = None,
    mention_type: str | None = "NAM",
    kind: SchemaKind = "prediction",
    **_: Any,
) -> list[Document]:
    """Import a ``conll`` or ``conll2012`` file, aligned to the reference texts.

    Args:
        fmt: ``conll`` or ``conll2012``.
        path: The file.
        reference: Documents (or a JSONL file) giving ids and texts; default: every
            packaged gold split.
        mention_type: ``conll`` only: the mention type given to every mention.
        kind: The validation kind (``prediction``: only ids, texts and mentions are held).
    """
    docs = _reference(reference)
    if fmt == "conll":
        return _import_iob2(path, docs, mention_type, kind)
    return read_conll2012(path, docs, kind=kind)
