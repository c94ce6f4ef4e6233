"""Turn other prediction formats into prediction Documents aligned to the gold texts.

Formats (:data:`PREDICTION_FORMATS`, ``newsbench score --pred-format``):

* ``jsonl``: the project's prediction documents, read by
  :func:`newsbench.eval.pairing.load_predictions`.
* ``conll``: a CoNLL column file (:func:`conll_to_documents`): ``token ... tag`` per line
  (tab-separated if the line has a tab, else whitespace-separated), a blank line between
  sentences, IOB2 tags, optional ``-DOCSTART- <document id>`` lines.
* ``spans``: a plain spans list (:func:`spans_to_documents`): JSON Lines
  ``{"document", "start", "end", "label", "layer"?, "value"?}``.
* ``docbin``: a spaCy ``DocBin`` file (:func:`docbin_to_documents`); in memory,
  :func:`spacy_docs_to_documents` takes ``spacy.tokens.Doc`` objects. The file is read by
  :func:`read_docbin` and a Doc in the newsbench layout (``newsbench export --format
  spacy``) by :func:`doc_to_record`: the one DocBin reader, which ``newsbench import
  --format spacy`` uses too. On such a Doc ``--span-key mentions`` reads the mention layer
  (mention types and clusters kept; the ents, its named mentions, are not read again) and
  ``--timex-from-ents`` its ``timex`` group (values kept).

Offsets read from input are integers, never booleans or floats (:func:`is_offset`, and
:func:`parse_int` for text formats); the importers of :mod:`newsbench.corpus.interchange`
use the same checks.

Rules shared by every converter:

* The text is always the gold text; a span's text is ``gold.text[start:end]``. Tokens and
  Doc texts are checked against the gold text, never repaired.
* Every problem of the input is collected and raised at once in a
  :class:`~newsbench.schema.problems.DataError`; nothing is dropped silently. Entity
  labels mapped to ``null`` by a label map are removed and counted
  (``LoadedPredictions.removed_by_label``).
* Entity labels: with a label map every label must be listed in the map (as for
  ``jsonl`` predictions); without one every label must be a corpus entity type. Both
  problems name the closest valid label.
* Output documents hold the documents found in the input, in gold order, and are
  validated with ``validate_record(document_to_dict(doc), "prediction")``. A gold
  document absent from the input is left to
  :func:`~newsbench.eval.pairing.pair_documents` (an error unless ``--allow-missing``).
* Ids are generated deterministically: mentions ``m1, m2, ...`` and time expressions
  ``t1, t2, ...`` in ``(start, end, type)`` order. Mentions get no ``mention_type`` and
  no ``entity`` (plain NER: scored in every entity view).

Document assignment in a CoNLL file:

* A ``-DOCSTART-`` line names its document when one of its further columns is a gold
  document id (``-DOCSTART- 000_b245f45723a17301``). Another value there (other than the
  CoNLL-2003 placeholders ``-X-``, ``O``, ``-``) is an unknown document id.
* With exactly one gold document, every sentence without a named ``-DOCSTART-``
  (no ``-DOCSTART-`` at all, before the first one, or after an anonymous one such as
  CoNLL-2003's ``-DOCSTART- -X- -X- O``) belongs to it.
* With several gold documents, every sentence must follow a ``-DOCSTART-`` line that
  names its document; a document id may start only one block.
* Tokens are aligned to the document text in file order: after skipping whitespace each
  token must equal the next characters of the text, and the tokens must cover the whole
  text (only whitespace may remain after the last one).

Problem codes: the converters need a few kinds of problem that
:data:`~newsbench.schema.problems.PROBLEM_CODES` does not register yet. They are listed in
:data:`PROPOSED_PROBLEM_CODES` with the registered code used until they are registered.
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from newsbench.eval.bio import (
    BioError,
    ConllSentence,
    bio_to_offsets,
    chunk_labels,
    read_conll_columns,
    tag_problems,
)
from newsbench.eval.columns import split_columns
from newsbench.eval.pairing import LabelMap, LoadedPredictions, apply_label_map, load_predictions
from newsbench.schema.contract import ENTITY_TYPES, TIMEX_TYPES
from newsbench.schema.inventory import Inventory
from newsbench.schema.io import iter_jsonl, unreadable_fix
from newsbench.schema.model import LAYERS, Document, Mention, TimeExpression, document_to_dict
from newsbench.schema.problems import DataError, Problem, did_you_mean
from newsbench.schema.validate import has_lone_surrogate, non_json_parts, validate_record

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = [
    "PREDICTION_FORMATS",
    "SPACY_INSTALL_HINT",
    "conll_to_documents",
    "doc_to_record",
    "docbin_to_documents",
    "is_offset",
    "load_predictions_any",
    "newsbench_layout",
    "non_json_values",
    "offset_message",
    "parse_int",
    "read_docbin",
    "read_text_lines",
    "spacy_docs_to_documents",
    "spans_to_documents",
]

PredictionFormat = Literal["jsonl", "conll", "spans", "docbin"]
PREDICTION_FORMATS: tuple[str, ...] = ("jsonl", "conll", "spans", "docbin")
"""The formats :func:`load_predictions_any` reads."""

SPACY_INSTALL_HINT = "pip install 'newsbench[spacy]'"


_PLACEHOLDERS = frozenset({"-X-", "O", "-"})
_QUOTES = frozenset({"``", "''", "`", "'", '"', "“", "”", "‘", "’", "„", "«", "»"})
_PTB_ESCAPES = frozenset({"-LRB-", "-RRB-", "-LSB-", "-RSB-", "-LCB-", "-RCB-"})
_SPAN_KEYS = ("document", "start", "end", "label", "layer", "value")
_SPAN_LAYERS = ("mentions", "time_expressions")
_TIMEX_FROM_ENTS = frozenset({"DATE", "TIME"})
_LAYER_INDEX = re.compile(r"/(mentions|time_expressions)/(\d+)")


# --- shared with the importers (newsbench.corpus.interchange) ---------------------------

_INT = re.compile(r"-?[0-9]+\Z")


def is_offset(value: Any) -> bool:
    """True for an offset read from JSON-like input: an ``int``, never a bool or a float."""
    return isinstance(value, int) and not isinstance(value, bool)


def parse_int(text: str) -> int | None:
    """Return the integer an offset (or number) written in a text format holds, else None.

    Only ASCII digits with an optional leading ``-`` (``int()`` would also take ``+3``,
    ``3_0``, padded or non-ASCII digits such as ``\u0663``).
    """
    return int(text) if _INT.match(text) else None


def offset_message(name: str, value: Any) -> str:
    """Return the message for an offset ``name`` whose value ``value`` is no integer."""
    if isinstance(value, bool):
        hint = " (a boolean: offsets are integer character indices)"
    elif isinstance(value, float):
        hint = " (a float: offsets are integer character indices)"
    elif value is None:
        hint = " (missing or null)"
    else:
        hint = ""
    return f"{name!r} is {value!r}, not an integer{hint}"


def non_json_values(value: Any) -> Iterator[tuple[str, str]]:
    """Yield ``(JSON pointer, what)`` for every part of ``value`` that is no JSON value
    (:func:`~newsbench.schema.validate.non_json_parts`, said for an importer's report).

    JSON values are ``None``, bools, ints, finite floats, strings of Unicode characters
    (no lone surrogates: they cannot be written as UTF-8), lists (and tuples) and dicts
    with string keys. Anything else (bytes, other keys, NaN, objects) cannot be validated
    or written, so an importer reports it instead of passing it on.
    """
    for pointer, part, is_key in non_json_parts(value):
        if isinstance(part, str) and has_lone_surrogate(part):
            bad = next(c for c in part if "\ud800" <= c <= "\udfff")
            held = f"a {'key' if is_key else 'string'} with the lone surrogate {bad!r}"
            yield pointer, f"{held} (half of a UTF-16 pair, not a Unicode character)"
        elif is_key:
            yield pointer, f"the key {part!r} (JSON keys are strings)"
        elif isinstance(part, float):
            yield pointer, f"the number {part!r} (not a JSON number)"
        else:
            yield pointer, f"a {type(part).__name__} value (no JSON type)"


# --- shared: labels, document building, validation -------------------------------------


@dataclass
class _Item:
    """A predicted span before ids are assigned, with its source location."""

    start: int
    end: int
    type: str
    line: int | None = None
    value: str | None = None
    mention_type: str | None = None
    entity: str | None = None


@dataclass
class _Pending:
    """A document being built: its gold document and the predicted spans."""

    gold: Document
    mentions: list[_Item] = field(default_factory=list)
    time_expressions: list[_Item] | None = None


@dataclass
class _Collector:
    """Problems and label-map removals gathered while converting."""

    file: str | None
    label_map: LabelMap | None
    problems: list[Problem] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    inventory: Inventory | None = None

    @property
    def entity_types(self) -> tuple[str, ...]:
        """The entity types of the inventory scored under (default newsbench)."""
        return ENTITY_TYPES if self.inventory is None else self.inventory.entity_types

    def add(self, code: str, message: str, expected: str, fix: str, **where: Any) -> None:
        self.problems.append(Problem(code, message, expected, fix, file=self.file, **where))

    def entity_type(
        self, label: str, *, line: int | None, document: str | None, path: str
    ) -> str | None:
        """Map a predicted entity label; ``None`` when removed by the map or a problem."""
        if self.label_map is not None:
            record = {"id": document, "mentions": [{"type": label}]}
            mapped, removed, problems = apply_label_map(
                record, self.label_map, file=self.file, line=line
            )
            self.problems.extend(dataclasses.replace(p, path=path) for p in problems)
            for name, count in removed.items():
                self.removed[name] = self.removed.get(name, 0) + count
            kept = mapped["mentions"]
            return kept[0]["type"] if kept else None
        if label in self.entity_types:
            return label
        self.add(
            "schema-enum",
            f"the entity label {label!r} is not a corpus entity type"
            f"{_label_hint(label, self.entity_types)}",
            f"one of {', '.join(self.entity_types)}",
            "pass a label map for the system's labels (--label-map conll2003, ontonotes or a "
            "JSON file), or correct the label",
            line=line,
            document=document,
            path=path,
        )
        return None

    def result(self, pending: Iterable[_Pending]) -> LoadedPredictions:
        """Build, validate and return the documents, or raise every problem at once."""
        documents = []
        for item in pending:
            document, lines = _build(item)
            _, problems = validate_record(
                document_to_dict(document), "prediction", file=self.file, inventory=self.inventory
            )
            self.problems.extend(_relocate(p, lines) for p in problems)
            documents.append(document)
        if self.problems:
            raise DataError(self.problems)
        return LoadedPredictions(documents, dict(sorted(self.removed.items())))


def _label_hint(label: str, types: Sequence[str] = ENTITY_TYPES) -> str:
    """Return a did-you-mean for an entity label, also for long forms (PERSON -> PER)."""
    hint = did_you_mean(label, types)
    if not hint:
        prefixed = [t for t in types if label.upper().startswith(t)]
        hint = f" (did you mean {prefixed[0]!r}?)" if prefixed else ""
    return hint


def _sorted(items: list[_Item]) -> list[_Item]:
    return sorted(items, key=lambda i: (i.start, i.end, i.type, i.line or 0))


def _build(pending: _Pending) -> tuple[Document, dict[str, list[int | None]]]:
    text = pending.gold.text
    mentions = _sorted(pending.mentions)
    timexes = None if pending.time_expressions is None else _sorted(pending.time_expressions)
    document = Document(
        id=pending.gold.id,
        text=text,
        mentions=tuple(
            Mention(
                f"m{n}", m.start, m.end, text[m.start : m.end], m.type, m.mention_type, m.entity
            )
            for n, m in enumerate(mentions, start=1)
        ),
        time_expressions=None
        if timexes is None
        else tuple(
            TimeExpression(f"t{n}", t.start, t.end, text[t.start : t.end], t.type, t.value)
            for n, t in enumerate(timexes, start=1)
        ),
    )
    lines = {
        "mentions": [m.line for m in mentions],
        "time_expressions": [t.line for t in timexes or ()],
    }
    return document, lines


def _relocate(problem: Problem, lines: Mapping[str, list[int | None]]) -> Problem:
    """Give a validation problem the input line of the span it is about."""
    match = _LAYER_INDEX.match(problem.path)
    if match is None or problem.line is not None:
        return problem
    index = int(match[2])
    layer_lines = lines[match[1]]
    line = layer_lines[index] if index < len(layer_lines) else None
    if line is None:
        return problem
    # The path points into the converted document, not into the input line.
    return dataclasses.replace(problem, line=line, path="")


def _context(text: str, offset: int, width: int = 15) -> str:
    return text[max(0, offset - width) : offset] + "|" + text[offset : offset + width]


def _first_difference(found: str, expected: str) -> int:
    for index, (a, b) in enumerate(zip(found, expected, strict=False)):
        if a != b:
            return index
    return min(len(found), len(expected))


# --- CoNLL ------------------------------------------------------------------------------


def read_text_lines(
    path: str | os.PathLike[str], out: _Problems, what: str = "CoNLL column file"
) -> list[str] | None:
    """The lines of a UTF-8 text file (BOM dropped, any line ending), or ``None``.

    An unreadable file or bytes that are not UTF-8 are one located problem in ``out``.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        out.add(
            "file-not-found",
            f"cannot read the file: {exc.strerror}",
            f"a readable {what}",
            unreadable_fix(exc, what),
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.add(
            "invalid-utf8",
            f"the file is not valid UTF-8 ({exc.reason} at byte {exc.start})",
            "UTF-8 encoded text",
            "re-encode the file as UTF-8 (it may be Latin-1 or Windows-1252)",
            line=data[: exc.start].count(b"\n") + 1,
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _check_columns(lines: list[str], tag_column: int, out: _Collector) -> set[int]:
    """Report every line without a token and a tag column; return their line numbers."""
    bad: set[int] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        columns = split_columns(line)
        if columns[0] == "-DOCSTART-":
            continue
        index = tag_column if tag_column >= 0 else len(columns) + tag_column
        if len(columns) >= 2 and 1 <= index < len(columns) and columns[0]:
            continue
        bad.add(number)
        if not columns[0]:
            message = f"the line has an empty token column: {line!r}"
        elif len(columns) < 2:
            message = f"the line has {len(columns)} column, not a token and a tag: {line!r}"
        else:
            message = (
                f"tag_column={tag_column} does not select a tag column in a line with "
                f"{len(columns)} columns (column 0 is the token): {line!r}"
            )
        out.add(
            "conll-malformed-line",
            message,
            "token<TAB or spaces>...tag on every non-blank line",
            "fix the line; choose the tag column with --tag-column (default: the last)",
            line=number,
        )
    return bad


def _docstart_ids(
    lines: list[str], gold_ids: Sequence[str], out: _Collector
) -> list[tuple[int, str | None, bool]]:
    """Resolve every ``-DOCSTART-`` line to ``(line, document id or None, named)``."""
    known = set(gold_ids)
    starts: list[tuple[int, str | None, bool]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        columns = split_columns(line)
        if columns[0] != "-DOCSTART-":
            continue
        rest = [c.strip() for c in columns[1:] if c.strip()]
        named = [c for c in rest if c in known]
        others = [c for c in rest if c not in _PLACEHOLDERS]
        if named:
            doc_id = named[0]
            if doc_id in seen:
                out.add(
                    "duplicate-document-id",
                    f"the document {doc_id!r} already began on line {seen[doc_id]}",
                    "one -DOCSTART- block per document",
                    "merge the two blocks, in text order",
                    line=number,
                    document=doc_id,
                )
                starts.append((number, None, True))
                continue
            seen[doc_id] = number
            starts.append((number, doc_id, True))
        elif others:
            out.add(
                "prediction-extra-document",
                f"-DOCSTART- names the document {others[-1]!r}, which the gold does not "
                f"have{did_you_mean(others[-1], gold_ids)}",
                "-DOCSTART- followed by a gold document id",
                "correct the document id, or score against the right gold corpus",
                line=number,
                document=others[-1],
            )
            starts.append((number, None, True))
        else:
            starts.append((number, gold_ids[0] if len(gold_ids) == 1 else None, False))
    return starts


def _token_cause(token: str, found: str, at_end: bool) -> str:
    if at_end:
        return (
            "the file has more tokens than the document text: they belong to another "
            "document (check the -DOCSTART- id) or to a different corpus version"
        )
    if token in _QUOTES or found[:1] in _QUOTES:
        return "normalised quotes (PTB-style tokenisers write `` and '' for \")"
    if token in _PTB_ESCAPES:
        return "PTB bracket escapes (-LRB- for '(' etc.)"
    if token.lower() == found.lower():
        return "changed case (lower-cased or true-cased tokens)"
    if unicodedata.normalize("NFKC", token) == unicodedata.normalize("NFKC", found):
        return "Unicode normalisation of the tokens (NFKC)"
    if any(c.isspace() for c in found):
        return "different tokenisation (the token is not one contiguous piece of the text)"
    return (
        "different tokenisation, normalised characters, or a different corpus version "
        "(each token must be copied from the gold text unchanged)"
    )


@dataclass
class _Cursor:
    """The alignment state of one document: next offset, broken after a problem."""

    pending: _Pending
    position: int = 0
    last_line: int | None = None
    broken: bool = False


def _align(
    sentence: ConllSentence, cursor: _Cursor, out: _Collector
) -> list[tuple[int, int]] | None:
    """Return the gold offsets of the sentence's tokens, or report the first mismatch."""
    text = cursor.pending.gold.text
    position = cursor.position
    offsets = []
    for token, line in zip(sentence.tokens, sentence.lines, strict=True):
        while position < len(text) and text[position].isspace():
            position += 1
        if not text.startswith(token, position):
            found = text[position : position + len(token)]
            at_end = position >= len(text)
            shown = (
                "the end of the text"
                if at_end
                else f"{found!r} (context {_context(text, position)!r})"
            )
            out.add(
                "token-text-mismatch",
                f"the token {token!r} does not match the text at offset {position}: found "
                f"{shown}; likely cause: {_token_cause(token, found, at_end)}. The rest of "
                "this document is not aligned",
                "each token equal to the next characters of the gold text (whitespace "
                "between tokens is skipped)",
                "tokenise the gold text without changing it (e.g. the project token view or "
                "the `ner` config of the corpus), and predict on the gold corpus version",
                line=line,
                document=cursor.pending.gold.id,
            )
            cursor.broken = True
            return None
        offsets.append((position, position + len(token)))
        position += len(token)
    cursor.position = position
    cursor.last_line = sentence.lines[-1]
    return offsets


def _decode(
    sentence: ConllSentence, offsets: list[tuple[int, int]] | None, cursor: _Cursor, out: _Collector
) -> None:
    """Decode a sentence's tags into the cursor's document, reporting invalid IOB2."""
    doc_id = cursor.pending.gold.id
    try:
        if offsets is None:
            sentence.to_spans()  # still check the tags of a sentence that is not aligned
            return
        spans = bio_to_offsets(offsets, sentence.tags)
    except BioError as error:
        found = tag_problems(sentence.tags)  # every refused tag of the sentence at once
        if not found:  # what the tags alone do not show (tokens out of order): as raised
            index = error.token_index
            message = "invalid IOB2: " + re.sub(r"^line \d+: ", "", str(error))
            found = [(index if index is not None else 0, message, False)]
        for index, message, _ in found:
            out.add(
                "iob2-invalid",
                message,
                "'O', 'B-<label>', or 'I-<label>' continuing a B-/I- of the same label",
                "fix the tags (strict IOB2: every entity starts with B-)",
                line=sentence.lines[index],
                document=doc_id,
            )
        for index, label in chunk_labels(sentence.tags):  # not decoded, still checked
            out.entity_type(label, line=sentence.lines[index], document=doc_id, path="")
        return
    line_of = {start: line for (start, _), line in zip(offsets, sentence.lines, strict=True)}
    for span in spans:
        line = line_of[span.start]
        label = out.entity_type(span.label, line=line, document=doc_id, path="")
        if label is not None:
            cursor.pending.mentions.append(_Item(span.start, span.end, label, line))


def _document_of(
    document: int, starts: Sequence[tuple[int, str | None, bool]], gold_ids: Sequence[str]
) -> tuple[str | None, bool]:
    """Return the document id of a sentence block and whether a -DOCSTART- named it."""
    if document:
        _, doc_id, named = starts[document - 1]
        return doc_id, named
    return (gold_ids[0] if len(gold_ids) == 1 else None), False


def conll_to_documents(
    path: str | os.PathLike[str],
    gold: Sequence[Document],
    *,
    tag_column: int = -1,
    label_map: LabelMap | None = None,
    inventory: Inventory | None = None,
) -> LoadedPredictions:
    """Convert a CoNLL column file with IOB2 tags into prediction documents.

    See the module docstring for the document assignment and alignment rules. Tags are
    decoded strictly (an ``I-X`` that continues nothing is a problem, not a new entity).

    Args:
        path: The CoNLL file (UTF-8).
        gold: The gold documents (ids and texts).
        tag_column: Index of the tag column (negative counts from the end).
        label_map: Maps the file's labels onto the corpus entity types.
        inventory: The label inventory of the gold (default: newsbench).

    Returns:
        One document per gold document found in the file, in gold order, with only the
        ``mentions`` layer.

    Raises:
        DataError: With every problem of the file.
    """
    out = _Collector(str(path), label_map)
    out.inventory = inventory
    lines = read_text_lines(path, out)
    if lines is None:
        raise DataError(out.problems)
    bad = _check_columns(lines, tag_column, out)
    gold_ids = [d.id for d in gold]
    by_id = {d.id: d for d in gold}
    starts = _docstart_ids(lines, gold_ids, out)
    # A malformed line is left out; the tokens after it in its document are not aligned
    # (they would only repeat the problem as mismatches).
    first_bad: dict[str, int] = {}
    for number in sorted(bad):
        block = sum(1 for line, _, _ in starts if line < number)
        doc_id, _ = _document_of(block, starts, gold_ids)
        if doc_id is not None:
            first_bad.setdefault(doc_id, number)
    view = ["" if number in bad else line for number, line in enumerate(lines, start=1)]
    cursors: dict[str, _Cursor] = {}
    unassigned_blocks: set[int] = set()
    tokens = 0
    try:
        for sentence in read_conll_columns(view, tag_column):
            tokens += len(sentence.tokens)
            doc_id, named = _document_of(sentence.document, starts, gold_ids)
            if doc_id is None:
                if not named and sentence.document not in unassigned_blocks:
                    unassigned_blocks.add(sentence.document)
                    out.add(
                        "document-unassigned",
                        f"this sentence follows no -DOCSTART- line naming its document, and "
                        f"the gold has {len(gold_ids)} documents",
                        "a '-DOCSTART- <document id>' line before each document's sentences",
                        "add -DOCSTART- lines with the gold document ids (required when the "
                        "gold has several documents)",
                        line=sentence.lines[0],
                    )
                continue  # a named but unknown or repeated id is reported at its line
            cursor = cursors.get(doc_id)
            if cursor is None:
                cursor = cursors[doc_id] = _Cursor(_Pending(by_id[doc_id]))
            if doc_id in first_bad and sentence.lines[0] > first_bad[doc_id]:
                cursor.broken = True
            offsets = None if cursor.broken else _align(sentence, cursor, out)
            _decode(sentence, offsets, cursor, out)
    except BioError as error:  # pragma: no cover - _check_columns reports these first
        out.add(
            "conll-malformed-line",
            str(error),
            "token<TAB or spaces>...tag on every non-blank line",
            "fix the line",
            line=error.line,
        )
    if not tokens and not out.problems:
        out.add(
            "file-empty",
            "the file holds no tokens",
            "one 'token ... tag' line per token",
            "check that the right file was given and that it was written completely",
        )
    for doc_id, cursor in cursors.items():
        text = cursor.pending.gold.text
        if not cursor.broken and text[cursor.position :].strip():
            out.add(
                "tokens-incomplete",
                f"the tokens end at offset {cursor.position} but the text goes on to "
                f"{len(text)}: {_context(text, cursor.position)!r}",
                "tokens covering the whole document text",
                "write every sentence of the document (is the file truncated?), or check "
                "the -DOCSTART- blocks",
                line=cursor.last_line,
                document=doc_id,
            )
    return out.result(cursors[i].pending for i in gold_ids if i in cursors)


# --- plain spans list -------------------------------------------------------------------


def _span_line(
    record: dict[str, Any], line: int, by_id: Mapping[str, Document], out: _Collector
) -> tuple[str, str, _Item] | None:
    """Check one spans-list record; return ``(document, layer, item)`` when usable."""
    start_count = len(out.problems)

    def problem(code: str, message: str, expected: str, fix: str, key: str) -> None:
        document = record.get("document")
        out.add(
            code,
            message,
            expected,
            fix,
            line=line,
            document=document if isinstance(document, str) else None,
            path=f"/{key}",
        )

    for key in record:
        if key not in _SPAN_KEYS:
            problem(
                "schema-unknown-key",
                f"unknown key {key!r}{did_you_mean(key, _SPAN_KEYS)}",
                f"only the keys {', '.join(_SPAN_KEYS)}",
                "remove or rename the key",
                key,
            )
    for key in ("document", "start", "end", "label"):
        if key not in record:
            problem(
                "schema-required",
                f"the required key {key!r} is missing",
                '{"document": id, "start": int, "end": int, "label": str}',
                f"add {key!r}",
                key,
            )
    for key in ("document", "label"):
        if key in record and not isinstance(record[key], str):
            problem(
                "schema-type",
                f"{key!r} is {record[key]!r}, not a string",
                "a string",
                f"write {key!r} as a JSON string",
                key,
            )
    for key in ("start", "end"):
        value = record.get(key)
        if key in record and not is_offset(value):
            problem(
                "schema-type",
                offset_message(key, value),
                "an integer character offset (half-open [start, end), Python str indices)",
                "write offsets as JSON integers (no decimal point)",
                key,
            )
    layer = record.get("layer", "mentions")
    if layer not in _SPAN_LAYERS:
        problem(
            "schema-enum",
            f"'layer' is {layer!r}{did_you_mean(layer, _SPAN_LAYERS)}",
            f"one of {', '.join(_SPAN_LAYERS)} (default mentions)",
            "correct the layer name",
            "layer",
        )
    value = record.get("value")
    if "value" in record and layer == "mentions":
        problem(
            "schema-unknown-key",
            "'value' is given for a mention; only time expressions have a value",
            "no 'value' key on mentions",
            'remove the value, or set "layer": "time_expressions"',
            "value",
        )
    elif value is not None and not isinstance(value, str):
        problem(
            "schema-type",
            f"'value' is {value!r}, not a string",
            "a TIMEX3 value string, or null",
            "write the value as a JSON string",
            "value",
        )
    doc_id = record.get("document")
    if isinstance(doc_id, str) and doc_id not in by_id:
        problem(
            "prediction-extra-document",
            f"the span names the document {doc_id!r}, which the gold does not have"
            f"{did_you_mean(doc_id, sorted(by_id))}",
            "a gold document id",
            "correct the document id, or score against the right gold corpus",
            "document",
        )
    if len(out.problems) > start_count:
        return None
    label = record["label"]
    if layer == "time_expressions":
        if label not in TIMEX_TYPES:
            problem(
                "schema-enum",
                f"the time expression type {label!r} is not a TIMEX3 type"
                f"{did_you_mean(label, TIMEX_TYPES)}",
                f"one of {', '.join(TIMEX_TYPES)}",
                "correct the type (label maps apply to entity labels only)",
                "label",
            )
            return None
        return doc_id, layer, _Item(record["start"], record["end"], label, line, value)
    mapped = out.entity_type(label, line=line, document=doc_id, path="/label")
    if mapped is None:
        return None
    return doc_id, layer, _Item(record["start"], record["end"], mapped, line)


def spans_to_documents(
    path: str | os.PathLike[str],
    gold: Sequence[Document],
    *,
    label_map: LabelMap | None = None,
    inventory: Inventory | None = None,
) -> LoadedPredictions:
    """Convert a plain spans list (JSON Lines) into prediction documents.

    Each line is ``{"document": id, "start": int, "end": int, "label": str}`` with
    optional ``"layer"`` (``"mentions"``, the default, or ``"time_expressions"``) and,
    for time expressions, optional ``"value"`` (TIMEX3). Offsets are half-open Python
    ``str`` indices into the gold text; the span text is taken from the gold, so the
    validator checks the ranges. The label map applies to mentions only; labels are
    checked against ``inventory`` (default: newsbench).

    A layer is given in every output document when the file has a span of that layer
    (a document without spans of the layer predicts none); a file of mentions only does
    not predict time expressions. Documents without any span are not output (see
    :func:`~newsbench.eval.pairing.pair_documents` and ``--allow-missing``).

    Raises:
        DataError: With every problem of the file (bad JSON lines, missing keys, wrong
            types, float offsets, unknown documents, labels, out-of-range spans).
    """
    out = _Collector(str(path), label_map)
    out.inventory = inventory
    by_id = {d.id: d for d in gold}
    pending: dict[str, _Pending] = {}
    layers: set[str] = set()
    for item in iter_jsonl(path):
        if item.problem is not None:
            out.problems.append(item.problem)
            continue
        assert item.value is not None
        layer = item.value.get("layer", "mentions")
        if layer in _SPAN_LAYERS:
            layers.add(layer)  # a layer is predicted even when its lines have problems
        checked = _span_line(item.value, item.line, by_id, out)
        if checked is None:
            continue
        doc_id, layer, span = checked
        document = pending.setdefault(doc_id, _Pending(by_id[doc_id]))
        if layer == "mentions":
            document.mentions.append(span)
        else:
            if document.time_expressions is None:
                document.time_expressions = []
            document.time_expressions.append(span)
    for document in pending.values():
        if "time_expressions" in layers and document.time_expressions is None:
            document.time_expressions = []
    result = out.result(pending[d.id] for d in gold if d.id in pending)
    if "mentions" not in layers:
        documents = [dataclasses.replace(d, mentions=None) for d in result.documents]
        result = LoadedPredictions(documents, result.removed_by_label)
    return result


# --- spaCy ------------------------------------------------------------------------------


def _require_spacy() -> Any:
    try:
        import spacy
    except ImportError as error:
        raise ImportError(
            f"reading spaCy Docs needs spaCy, an optional dependency: {SPACY_INSTALL_HINT}"
        ) from error
    return spacy


def _text_cause(found: str, expected: str) -> str:
    if found.rstrip() == expected.rstrip():
        return (
            "trailing whitespace (a Doc built from words with the default spaces=True ends "
            "with a space)"
        )
    if "".join(found.split()) == "".join(expected.split()):
        return (
            "changed whitespace (spaces added or removed between tokens, or newlines "
            "normalised: a Doc built from words needs the gold spaces=[...])"
        )
    if unicodedata.normalize("NFKC", found) == unicodedata.normalize("NFKC", expected):
        return "Unicode normalisation of the text (NFKC)"
    return "a changed or different text (another document, or another corpus version)"


def _doc_ids(
    docs: Sequence[Doc], gold_ids: Sequence[str], doc_ids: Sequence[str] | None, out: _Collector
) -> list[str | None]:
    """Assign a gold document id to every Doc (see :func:`spacy_docs_to_documents`)."""
    if doc_ids is not None and len(doc_ids) != len(docs):
        out.add(
            "document-unassigned",
            f"doc_ids has {len(doc_ids)} ids for {len(docs)} Docs",
            "one id per Doc",
            "pass one document id per Doc, in the same order",
        )
        doc_ids = None
    ids: list[str | None] = []
    for index, doc in enumerate(docs):
        own = doc.user_data.get("id") if isinstance(doc.user_data, dict) else None
        if isinstance(own, str):
            ids.append(own)
        elif doc_ids is not None:
            ids.append(doc_ids[index])
        elif len(docs) == len(gold_ids):
            ids.append(gold_ids[index])
        else:
            out.add(
                "document-unassigned",
                f"Doc {index} has no document id (doc.user_data['id']), no doc_ids were "
                f"given, and there are {len(docs)} Docs for {len(gold_ids)} gold documents",
                "doc.user_data['id'], doc_ids, or one Doc per gold document in gold order",
                "set doc.user_data['id'] = <gold document id> before saving the DocBin "
                "(store_user_data=True), or pass doc_ids",
            )
            ids.append(None)
    return ids


def _check_doc(
    index: int,
    doc: Doc,
    doc_id: str | None,
    by_id: Mapping[str, Document],
    seen: dict[str, int],
    out: _Collector,
) -> Document | None:
    """Return the gold document of a Doc whose id and text are right, else report."""
    if doc_id is None:
        return None
    if doc_id not in by_id:
        out.add(
            "prediction-extra-document",
            f"Doc {index} is for the document {doc_id!r}, which the gold does not have"
            f"{did_you_mean(doc_id, sorted(by_id))}",
            "a gold document id",
            "correct the document id, or score against the right gold corpus",
            document=doc_id,
            path="/id",
        )
        return None
    if doc_id in seen:
        out.add(
            "duplicate-document-id",
            f"Doc {index} is for the document {doc_id!r}, like Doc {seen[doc_id]}",
            "one Doc per document",
            "remove the duplicate Doc, or correct its id",
            document=doc_id,
            path="/id",
        )
        return None
    seen[doc_id] = index
    expected = by_id[doc_id].text
    if doc.text != expected:
        at = _first_difference(doc.text, expected)
        out.add(
            "prediction-text-mismatch",
            f"Doc {index}: doc.text ({len(doc.text)} chars) differs from the gold text "
            f"({len(expected)} chars) first at offset {at}: {_context(doc.text, at)!r} instead "
            f"of {_context(expected, at)!r}; likely cause: {_text_cause(doc.text, expected)}",
            "doc.text equal to the gold text",
            "run the pipeline on the gold text unchanged: nlp(document.text)",
            document=doc_id,
            path="/text",
        )
        return None
    return by_id[doc_id]


# The newsbench DocBin layout (written by ``newsbench export --format spacy``, see
# newsbench.corpus.interchange.spacy_docbin): span groups of the span layers, described
# entry by entry in user_data, and the other layers as schema JSON in user_data.
SPAN_GROUPS: dict[str, str] = {
    "paragraphs": "paragraphs",
    "zones": "zones",
    "sentences": "sentences",
    "mentions": "mentions",
    "time_expressions": "timex",
}
"""The span group of each span layer in the newsbench DocBin layout."""
JSON_LAYERS: tuple[str, ...] = ("events", "attributions")
"""The layers the newsbench DocBin layout holds as schema JSON in ``doc.user_data``."""
_SPAN_INFO = {"mentions": ("id", "mention_type", "entity"), "time_expressions": ("id", "value")}


class _Problems(Protocol):
    """Where problems go: :class:`_Collector` or ``newsbench.corpus.interchange.ImportErrors``."""

    problems: list[Problem]

    def add(self, code: str, message: str, expected: str, fix: str, **where: Any) -> None: ...


def newsbench_layout(doc: Doc) -> bool:
    """True if ``doc`` is in the newsbench DocBin layout (``user_data["layers"]`` is set)."""
    return isinstance(doc.user_data, dict) and "layers" in doc.user_data


def _user_type(out: _Problems, value: Any, expected: str, path: str, document: str | None) -> None:
    out.add(
        "schema-type",
        f"{value!r} is a {type(value).__name__}, not {expected}",
        expected,
        "write the DocBin with newsbench export --format spacy, or set this user_data "
        "entry as the layout describes (newsbench.corpus.interchange.spacy_docbin)",
        document=document,
        path=path,
    )


def doc_to_record(doc: Doc, out: _Problems, where: str) -> dict[str, Any] | None:
    """Rebuild the schema JSON object of a Doc in the newsbench layout; report its problems.

    The one reading of the layout, used by ``newsbench import --format spacy`` and by
    ``newsbench score --pred-format docbin``. Every layer named in ``user_data["layers"]``
    (default: every layer) is rebuilt: span layers from their span group (label = type)
    and the ``user_data[<layer>]`` entry of each span (``id``; ``mention_type`` and
    ``entity`` of mentions, ``value`` of time expressions; when the entry list is absent
    the ids are generated), the JSON layers from ``user_data`` (a JSON layer that
    ``user_data["layers"]`` names must be there; without ``layers`` an absent one is
    empty). ``doc.ents`` is not read: it is the view of the named mentions.

    Args:
        doc: The ``Doc``.
        out: Where problems go.
        where: A JSON-Pointer-like prefix that locates the ``Doc`` (``/docs/0``).

    Returns:
        The record (not validated yet), or ``None`` after a problem.
    """
    user = doc.user_data if isinstance(doc.user_data, dict) else {}
    doc_id = user.get("id")
    count = len(out.problems)
    if not isinstance(doc_id, str):
        out.add(
            "schema-required" if doc_id is None else "schema-type",
            "the Doc has no user_data['id']"
            if doc_id is None
            else f"user_data['id'] is {doc_id!r}, not a string",
            "the document id (a string) in doc.user_data['id']",
            "set doc.user_data['id']",
            path=f"{where}/user_data/id",
        )
        return None
    record: dict[str, Any] = {"id": doc_id, "text": doc.text}
    if "metadata" in user:
        record["metadata"] = user["metadata"]
    given = user.get("layers", list(LAYERS))
    if not isinstance(given, (list, tuple)) or not all(isinstance(n, str) for n in given):
        _user_type(out, given, "a list of layer names", f"{where}/user_data/layers", doc_id)
        return None
    for k, name in enumerate(given):
        if name not in LAYERS:
            out.add(
                "schema-enum",
                f"user_data['layers'] names the unknown layer {name!r}{did_you_mean(name, LAYERS)}",
                f"layer names among {', '.join(LAYERS)}",
                "correct or remove the layer name",
                document=doc_id,
                path=f"{where}/user_data/layers/{k}",
            )
    for layer in LAYERS:
        if layer not in given:
            continue
        if layer in JSON_LAYERS:
            if layer not in user and "layers" not in user:
                record[layer] = []  # a Doc without the layout gives every layer, empty
            elif layer not in user:
                out.add(
                    "schema-required",
                    f"user_data['layers'] gives {layer} but user_data[{layer!r}] is missing",
                    f"the {layer} as a list of schema JSON objects in user_data[{layer!r}]",
                    f"set user_data[{layer!r}], or leave {layer!r} out of user_data['layers']",
                    document=doc_id,
                    path=f"{where}/user_data/{layer}",
                )
            else:
                record[layer] = user[layer]
            continue
        items = _span_layer(doc, user, layer, out, where, doc_id)
        if items is not None:
            record[layer] = items
    for pointer, what in non_json_values({k: v for k, v in record.items() if k != "text"}):
        out.add(
            "schema-type",
            f"user_data holds {what}",
            "JSON values only (strings, numbers, booleans, null, lists, string-keyed dicts)",
            "store schema JSON in doc.user_data",
            document=doc_id,
            path=f"{where}/user_data{pointer}",
        )
    return record if len(out.problems) == count else None


def _span_layer(
    doc: Doc, user: dict[Any, Any], layer: str, out: _Problems, where: str, doc_id: str
) -> list[dict[str, Any]] | None:
    """Rebuild one span layer of the newsbench layout (see :func:`doc_to_record`)."""
    key = SPAN_GROUPS[layer]
    spans = list(doc.spans[key]) if key in doc.spans else []
    extra = user.get(layer)
    if extra is None:
        extra = [{"id": f"{layer[0]}{i}"} for i in range(1, len(spans) + 1)]
    if not isinstance(extra, (list, tuple)):  # msgpack reads JSON arrays as tuples
        _user_type(out, extra, "a list of objects", f"{where}/user_data/{layer}", doc_id)
        return None
    if len(extra) != len(spans):
        out.add(
            "span-group-missing",
            f"doc.spans[{key!r}] holds {len(spans)} spans but user_data[{layer!r}] "
            f"describes {len(extra)}",
            "one user_data entry per span, in span order",
            "keep the span group and user_data in step",
            document=doc_id,
            path=f"{where}/spans/{key}",
        )
        return None
    allowed = _SPAN_INFO.get(layer, ("id",))
    items = []
    ok = True
    for k, (span, info) in enumerate(zip(spans, extra, strict=True)):
        path = f"{where}/user_data/{layer}/{k}"
        if not isinstance(info, dict):
            _user_type(out, info, "an object", path, doc_id)
            ok = False
            continue
        for name in info:
            if name not in allowed:
                out.add(
                    "schema-unknown-key",
                    f"user_data[{layer!r}][{k}] holds the unknown key {name!r}"
                    f"{did_you_mean(name, allowed)}",
                    f"only the keys {', '.join(allowed)}",
                    "remove or rename the key",
                    document=doc_id,
                    path=f"{path}/{name}" if isinstance(name, str) else path,
                )
                ok = False
        item: dict[str, Any] = {
            "id": info.get("id"),
            "start": span.start_char,
            "end": span.end_char,
            "text": span.text,
        }
        if layer == "zones":
            item = {"id": item.pop("id"), "type": span.label_, **item}
        elif layer in _SPAN_INFO:
            item["type"] = span.label_
            for name in allowed[1:]:
                if info.get(name) is not None:
                    item[name] = info[name]
        items.append(item)
    return items if ok else None


def read_docbin(path: str | os.PathLike[str], vocab: Vocab | None = None) -> list[Doc]:
    """Read the Docs of a spaCy ``DocBin`` file (user data included).

    The one DocBin reader of newsbench (``newsbench score --pred-format docbin`` and
    ``newsbench import --format spacy``). A file that cannot be read or decoded, a Doc
    that cannot be rebuilt (e.g. a token head out of range; the Docs after it are not
    read) and a file without Docs are located problems.

    Raises:
        ImportError: If spaCy is not installed (``pip install 'newsbench[spacy]'``).
        DataError: With the problem.
    """
    spacy = _require_spacy()
    from spacy.tokens import DocBin

    out = _Collector(str(path), None)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        out.add(
            "file-not-found",
            f"cannot read the file: {exc.strerror or exc}",
            "a readable spaCy DocBin file",
            unreadable_fix(exc, "spaCy DocBin file"),
        )
        raise DataError(out.problems) from None
    try:
        doc_bin = DocBin(store_user_data=True).from_bytes(data)
    except Exception as exc:  # zlib, msgpack and spaCy raise various errors on bad bytes
        out.add(
            "file-unreadable",
            f"the file is not a spaCy DocBin: {type(exc).__name__}: {exc}",
            "a file written by DocBin(store_user_data=True).to_disk",
            "check the path and the format",
        )
        raise DataError(out.problems) from None
    docs: list[Doc] = []
    stream = doc_bin.get_docs(vocab if vocab is not None else spacy.vocab.Vocab())
    while True:
        try:
            doc = next(stream)
        except StopIteration:
            break
        except Exception as exc:  # spaCy checks the arrays while it rebuilds each Doc
            out.add(
                "file-unreadable",
                f"Doc {len(docs)} of the DocBin cannot be rebuilt: {type(exc).__name__}: {exc}"
                + ("; the Docs after it are not read" if len(docs) + 1 < len(doc_bin) else ""),
                "a DocBin whose token arrays spaCy accepts (heads inside the Doc, known "
                "attribute values)",
                "write the DocBin again from valid Docs",
                path=f"/docs/{len(docs)}",
            )
            raise DataError(out.problems) from None
        docs.append(doc)
    if not docs:
        out.add(
            "file-empty",
            "the DocBin holds no Docs",
            "one Doc per document",
            "check that the right file was given and that it was written completely",
        )
        raise DataError(out.problems)
    return docs


def _spacy_spans(doc: Doc, ents: bool, span_key: str | None) -> Iterator[tuple[str, Any]]:
    if ents:
        for k, span in enumerate(doc.ents):
            yield f"/ents/{k}", span
    if span_key is not None:
        for k, span in enumerate(doc.spans[span_key]):
            yield f"/spans/{span_key}/{k}", span


def spacy_docs_to_documents(
    docs: Iterable[Doc],
    gold: Sequence[Document],
    *,
    doc_ids: Sequence[str] | None = None,
    label_map: LabelMap | None = None,
    span_key: str | None = None,
    ents: bool = True,
    timex_from_ents: bool = False,
    file: str | None = None,
) -> LoadedPredictions:
    """Convert spaCy Docs into prediction documents.

    A Doc's document id is ``doc.user_data["id"]`` when set, else ``doc_ids[i]``, else
    the i-th gold document when there are as many Docs as gold documents; otherwise
    it is a problem. ``doc.text`` must equal the gold text.

    A Doc in the newsbench layout (:func:`newsbench_layout`, as ``newsbench export
    --format spacy`` writes it) is read by :func:`doc_to_record`, as the import reads it:
    with ``span_key="mentions"`` the mentions are its mention layer, with mention type and
    cluster (its ``doc.ents`` are the named ones among them, so they are not read a second
    time); with ``timex_from_ents`` its time expressions are its ``timex`` span group, with
    their values (its ents hold names only).

    Args:
        docs: The Docs (spaCy itself is not imported: any parsed Doc works).
        gold: The gold documents.
        doc_ids: One gold document id per Doc, for Docs without ``user_data["id"]``.
        label_map: Maps the entity labels (e.g. OntoNotes: ``ontonotes``).
        span_key: Also convert the spans of ``doc.spans[span_key]`` into mentions.
        ents: Convert ``doc.ents`` into mentions (default); False for a span group only.
        timex_from_ents: Turn ``DATE``/``TIME`` ents into time expressions (type
            ``DATE``/``TIME``, no value) instead of mapping them as entity labels; the
            output then gives the ``time_expressions`` layer.
        file: The file the Docs come from, for problem locations.

    Returns:
        One document per Doc, in gold order: ``mentions`` (and ``time_expressions``).

    Raises:
        DataError: With every problem (ids, texts, labels, span groups).
    """
    out = _Collector(file, label_map)
    doc_list = list(docs)
    by_id = {d.id: d for d in gold}
    ids = _doc_ids(doc_list, [d.id for d in gold], doc_ids, out)
    seen: dict[str, int] = {}
    pending: dict[str, _Pending] = {}
    for index, (doc, doc_id) in enumerate(zip(doc_list, ids, strict=True)):
        gold_doc = _check_doc(index, doc, doc_id, by_id, seen, out)
        if gold_doc is None:
            continue
        if span_key is not None and span_key not in doc.spans:
            out.add(
                "span-group-missing",
                f"Doc {index} has no span group {span_key!r} (it has: "
                f"{', '.join(map(repr, doc.spans)) or 'none'})"
                f"{did_you_mean(span_key, list(doc.spans))}",
                f"doc.spans[{span_key!r}]",
                "pass the span group key the pipeline writes (spancat: 'sc')",
                document=gold_doc.id,
            )
            continue
        layout_mentions = span_key == SPAN_GROUPS["mentions"] and newsbench_layout(doc)
        record: dict[str, Any] = {}
        if layout_mentions or (timex_from_ents and newsbench_layout(doc)):
            rebuilt = doc_to_record(doc, out, f"/docs/{index}")
            if rebuilt is None:
                continue
            record = rebuilt
        document = pending[gold_doc.id] = _Pending(gold_doc)
        if timex_from_ents:
            document.time_expressions = [
                _Item(t["start"], t["end"], t["type"], value=t.get("value"))
                for t in record.get("time_expressions", [])
            ]
        other_key = None if layout_mentions else span_key
        for where, span in _spacy_spans(doc, ents and not layout_mentions, other_key):
            label = span.label_
            if timex_from_ents and where.startswith("/ents/") and label in _TIMEX_FROM_ENTS:
                document.time_expressions.append(_Item(span.start_char, span.end_char, label))
                continue
            mapped = out.entity_type(label, line=None, document=gold_doc.id, path=where)
            if mapped is not None:
                document.mentions.append(_Item(span.start_char, span.end_char, mapped))
        for k, m in enumerate(record.get("mentions", []) if layout_mentions else ()):
            where = f"/docs/{index}/spans/mentions/{k}"
            mapped = out.entity_type(m["type"], line=None, document=gold_doc.id, path=where)
            if mapped is not None:
                document.mentions.append(
                    _Item(
                        m["start"],
                        m["end"],
                        mapped,
                        mention_type=m.get("mention_type"),
                        entity=m.get("entity"),
                    )
                )
    return out.result(pending[d.id] for d in gold if d.id in pending)


def docbin_to_documents(
    path: str | os.PathLike[str],
    gold: Sequence[Document],
    nlp_vocab: Vocab | None = None,
    *,
    doc_ids: Sequence[str] | None = None,
    label_map: LabelMap | None = None,
    span_key: str | None = None,
    ents: bool = True,
    timex_from_ents: bool = False,
) -> LoadedPredictions:
    """Read a spaCy ``DocBin`` file and convert its Docs (see :func:`spacy_docs_to_documents`).

    Save the Docs with ``DocBin(store_user_data=True)`` and ``doc.user_data["id"]`` set
    to the gold document id, or pass ``doc_ids``. The file is read by
    :func:`read_docbin`, as ``newsbench import --format spacy`` reads it.

    Args:
        path: The ``.spacy`` file.
        gold: The gold documents.
        nlp_vocab: The vocab to load the Docs with (default: a new ``Vocab``).
        doc_ids: As for :func:`spacy_docs_to_documents`.
        label_map: As for :func:`spacy_docs_to_documents`.
        span_key: As for :func:`spacy_docs_to_documents`.
        ents: As for :func:`spacy_docs_to_documents`.
        timex_from_ents: As for :func:`spacy_docs_to_documents`.

    Raises:
        ImportError: If spaCy is not installed (``pip install 'newsbench[spacy]'``).
        DataError: With every problem of the file.
    """
    return spacy_docs_to_documents(
        read_docbin(path, nlp_vocab),
        gold,
        doc_ids=doc_ids,
        label_map=label_map,
        span_key=span_key,
        ents=ents,
        timex_from_ents=timex_from_ents,
        file=str(path),
    )


# --- dispatcher -------------------------------------------------------------------------


def load_predictions_any(
    path: str | os.PathLike[str],
    fmt: PredictionFormat | str,
    gold: Sequence[Document],
    *,
    label_map: LabelMap | None = None,
    tag_column: int = -1,
    span_key: str | None = None,
    timex_from_ents: bool = False,
    inventory: Inventory | None = None,
) -> LoadedPredictions:
    """Read predictions in any of :data:`PREDICTION_FORMATS` (``--pred-format``).

    ``inventory`` declares the labels the predictions are checked against (default:
    newsbench; ``docbin`` output is always mapped onto newsbench labels).

    Args:
        path: The prediction file.
        fmt: ``jsonl``, ``conll``, ``spans`` or ``docbin``.
        gold: The gold documents (unused by ``jsonl``, whose documents carry their text).
        label_map: The label map to apply to entity labels.
        inventory: The label inventory of the gold (default: newsbench).
        tag_column: The CoNLL tag column (``conll`` only).
        span_key: A spaCy span group to convert too (``docbin`` only).
        timex_from_ents: DATE/TIME ents as time expressions (``docbin`` only).

    Raises:
        ValueError: On an unknown format.
        DataError: With every problem of the file.
    """
    if fmt == "jsonl":
        return load_predictions(path, label_map, inventory=inventory)
    if fmt == "conll":
        return conll_to_documents(
            path, gold, tag_column=tag_column, label_map=label_map, inventory=inventory
        )
    if fmt == "spans":
        return spans_to_documents(path, gold, label_map=label_map, inventory=inventory)
    if fmt == "docbin":
        return docbin_to_documents(
            path, gold, label_map=label_map, span_key=span_key, timex_from_ents=timex_from_ents
        )
    raise ValueError(
        f"unknown prediction format {fmt!r}{did_you_mean(fmt, PREDICTION_FORMATS)}; "
        f"expected one of {', '.join(PREDICTION_FORMATS)}"
    )
