"""IOB2 conversion between character-offset spans and token tags, and a CoNLL reader.

Tokens come from the project token view (:mod:`newsbench.schema.tokens`: ``\\w+`` runs
and single other non-space characters, half-open offsets). IOB2 (a.k.a. BIO) tags each
token ``B-X`` (first token of an entity of type X), ``I-X`` (continuation of the entity
of type X begun by the previous token) or ``O``. IOB2 cannot represent overlapping or
nested spans, so :func:`offsets_to_bio` refuses them.

Decoding is strict by default: an ``I-X`` that does not continue a ``B-X``/``I-X`` is an
error. ``repair=True`` is an explicit opt-in to the conlleval/seqeval-default reading, in
which such an ``I-X`` starts a new entity of type X.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from newsbench.eval.columns import split_columns
from newsbench.eval.spans import Span
from newsbench.schema.tokens import token_offsets

__all__ = [
    "BioError",
    "ConllSentence",
    "Token",
    "bio_to_offsets",
    "chunk_labels",
    "join_tokens",
    "offsets_to_bio",
    "read_conll_columns",
    "tag_problems",
    "tokenize",
]

_TAG = re.compile(r"(?P<prefix>[BI])-(?P<label>.+)\Z", re.DOTALL)
_SCHEMES = ("IOB2",)


class BioError(ValueError):
    """Invalid spans, tokens or tag sequence for IOB2 conversion, or a malformed CoNLL file.

    Attributes:
        token_index: Index of the offending token, when known.
        line: 1-based line number in a CoNLL file, when known.
    """

    def __init__(self, message: str, *, token_index: int | None = None, line: int | None = None):
        super().__init__(message)
        self.token_index = token_index
        self.line = line


class Token(NamedTuple):
    """A token and its half-open character offsets."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Return the project's token view of ``text`` as :class:`Token` objects."""
    return [Token(text[start:end], start, end) for start, end in token_offsets(text)]


def offsets_to_bio(text: str, spans: Iterable[Span]) -> tuple[list[Token], list[str]]:
    """Tag the tokens of ``text`` with IOB2 tags for non-overlapping ``spans``.

    Args:
        text: The document (or sentence) text.
        spans: Spans whose boundaries are token boundaries; they must not overlap.

    Returns:
        ``(tokens, tags)`` with one tag per token.

    Raises:
        BioError: If a span boundary is not a token boundary or lies outside ``text``, or
            two spans overlap (nested, crossing or duplicate spans).
    """
    tokens = tokenize(text)
    by_start = {tok.start: i for i, tok in enumerate(tokens)}
    by_end = {tok.end: i for i, tok in enumerate(tokens)}
    tags = ["O"] * len(tokens)
    span_list = list(spans)
    for span in span_list:
        if not isinstance(span, Span):
            raise TypeError(f"spans must be Span objects, got {type(span).__name__}")
    previous: Span | None = None
    for span in sorted(span_list):
        if span.end > len(text):
            raise BioError(f"span {span!r} ends after the end of the text (length {len(text)})")
        if previous is not None and span.start < previous.end:
            raise BioError(
                f"spans overlap: {previous!r} {text[previous.start : previous.end]!r} and "
                f"{span!r} {text[span.start : span.end]!r}; IOB2 cannot represent nested or "
                "overlapping spans. Filter to a non-overlapping layer first (e.g. named "
                "mentions only)."
            )
        for offset, index, kind in (
            (span.start, by_start.get(span.start), "start"),
            (span.end, by_end.get(span.end), "end"),
        ):
            if index is None:
                raise BioError(
                    f"span {span!r} {text[span.start : span.end]!r}: {kind} offset {offset} "
                    f"is not a token {kind} (tokens are \\w+ runs and single other "
                    f"non-space characters); nearby text {_context(text, offset)!r}"
                )
        first, last = by_start[span.start], by_end[span.end]
        tags[first] = f"B-{span.label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{span.label}"
        previous = span
    return tokens, tags


def _context(text: str, offset: int, width: int = 12) -> str:
    return text[max(0, offset - width) : offset] + "|" + text[offset : offset + width]


def _token_offsets(token: object, index: int) -> tuple[int, int]:
    if isinstance(token, tuple) and len(token) == 3:
        start, end = token[1], token[2]
    elif isinstance(token, tuple) and len(token) == 2:
        start, end = token
    else:
        raise BioError(
            f"token {index} must be a Token/(text, start, end) or (start, end) tuple, "
            f"got {token!r}",
            token_index=index,
        )
    whole = isinstance(start, int) and isinstance(end, int)
    if not (
        whole and not isinstance(start, bool) and not isinstance(end, bool) and 0 <= start < end
    ):
        raise BioError(
            f"token {index} has invalid offsets {token!r}: need integers 0 <= start < end",
            token_index=index,
        )
    return start, end


def bio_to_offsets(
    tokens: Sequence[Token | tuple[str, int, int] | tuple[int, int]],
    tags: Sequence[str],
    *,
    scheme: str = "IOB2",
    repair: bool = False,
) -> list[Span]:
    """Decode IOB2 tags into character-offset spans.

    Args:
        tokens: One ``Token`` / ``(text, start, end)`` / ``(start, end)`` per tag, in text
            order and non-overlapping.
        tags: ``O``, ``B-<label>`` or ``I-<label>`` per token.
        scheme: Only ``"IOB2"`` is supported.
        repair: If False (default), an ``I-X`` that does not continue an entity of type X
            is an error. If True, it starts a new entity of type X (conlleval behaviour).

    Returns:
        The spans in text order (``start`` of the first token, ``end`` of the last).

    Raises:
        BioError: On an unsupported scheme, a length mismatch, invalid token offsets, a
            malformed tag, or (strict mode) an ``I-`` tag that continues nothing.
    """
    if scheme not in _SCHEMES:
        raise BioError(f"unsupported tagging scheme {scheme!r}; only {list(_SCHEMES)}")
    if len(tokens) != len(tags):
        raise BioError(f"got {len(tokens)} tokens but {len(tags)} tags")
    spans: list[Span] = []
    open_label: str | None = None
    open_start = open_end = 0
    previous_end = 0
    previous_tag = None
    for index, (token, tag) in enumerate(zip(tokens, tags, strict=True)):
        start, end = _token_offsets(token, index)
        if start < previous_end:
            raise BioError(
                f"token {index} {token!r} starts before the end of the previous token "
                f"({previous_end}); tokens must be in text order and not overlap",
                token_index=index,
            )
        previous_end = end
        if tag == "O":
            label, prefix = None, "O"
        else:
            match = _TAG.match(tag) if isinstance(tag, str) else None
            if match is None:
                raise BioError(
                    f"token {index}: malformed tag {tag!r}; expected 'O', 'B-<label>' or "
                    "'I-<label>'",
                    token_index=index,
                )
            prefix, label = match["prefix"], match["label"]
        if prefix == "I" and label == open_label:
            open_end = end
        else:
            if prefix == "I" and not repair:
                before = "at the start" if previous_tag is None else f"after {previous_tag!r}"
                raise BioError(
                    f"token {index}: tag {tag!r} {before} does not continue an entity of type "
                    f"{label!r}; strict IOB2 starts every entity with 'B-{label}'. Fix the "
                    "tags, or pass repair=True to start a new entity here (conlleval "
                    "behaviour).",
                    token_index=index,
                )
            if open_label is not None:
                spans.append(Span(open_start, open_end, open_label))
            open_label, open_start, open_end = label, start, end
        previous_tag = tag
    if open_label is not None:
        spans.append(Span(open_start, open_end, open_label))
    return spans


def tag_problems(tags: Sequence[str], *, strict: bool = True) -> list[tuple[int, str, bool]]:
    """Every tag refused, as ``(index, message, malformed)`` in order: a malformed tag, and
    with ``strict`` (IOB2) an ``I-X`` that continues no ``B-X``/``I-X``. A malformed tag
    reads as ``O`` for that check, so one bad tag hides nothing after it."""
    readable = [t if t == "O" or _TAG.match(t) else None for t in tags]
    found = []
    for i, tag in enumerate(tags):
        if readable[i] is None:
            found.append((i, f"malformed NER tag {tag!r}", True))
            continue
        before = readable[i - 1] if i else None
        if strict and tag.startswith("I-") and (before in (None, "O") or before[2:] != tag[2:]):
            where = f"after {tags[i - 1]!r}" if i else "at a sentence's start"
            found.append((i, f"invalid IOB2: {tag!r} continues no entity ({where})", False))
    return found


def chunk_labels(tags: Sequence[str]) -> list[tuple[int, str]]:
    """``(index, label)`` of the first tag of every chunk, read leniently (an ``I-X`` that
    continues nothing starts one; malformed tags are skipped): the labels to check in a
    sentence whose tags strict IOB2 refuses."""
    found = []
    previous: str | None = None
    for i, tag in enumerate(tags):
        match = _TAG.match(tag)
        label = match["label"] if match else None
        if label is not None and (match["prefix"] == "B" or previous != label):  # type: ignore[index]
            found.append((i, label))
        previous = label
    return found


def join_tokens(words: Sequence[str], sep: str = " ") -> tuple[str, list[Token]]:
    """Join words with ``sep`` into a text and return it with each word's offsets.

    Raises:
        BioError: If a word is empty.
    """
    tokens: list[Token] = []
    offset = 0
    for index, word in enumerate(words):
        if not word:
            raise BioError(f"token {index} is empty", token_index=index)
        if index:
            offset += len(sep)
        tokens.append(Token(word, offset, offset + len(word)))
        offset += len(word)
    return sep.join(words), tokens


@dataclass(frozen=True, slots=True)
class ConllSentence:
    """One sentence of a CoNLL column file.

    Attributes:
        tokens: The token column.
        tags: The tag column.
        lines: 1-based line number of each token.
        document: Number of ``-DOCSTART-`` lines read before this sentence.
    """

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    lines: tuple[int, ...]
    document: int = 0

    def to_spans(self, *, sep: str = " ", repair: bool = False) -> tuple[str, list[Span]]:
        """Join the tokens with ``sep`` and decode the tags into spans over that text.

        Raises:
            BioError: As :func:`bio_to_offsets`, with the file line number of the token.
        """
        text, tokens = join_tokens(self.tokens, sep)
        try:
            return text, bio_to_offsets(tokens, self.tags, repair=repair)
        except BioError as error:
            if error.token_index is None:
                raise
            line = self.lines[error.token_index]
            raise BioError(
                f"line {line}: {error}", token_index=error.token_index, line=line
            ) from error


def _iter_lines(path_or_lines: str | os.PathLike[str] | Iterable[str]) -> Iterator[str]:
    if isinstance(path_or_lines, (str, os.PathLike)):
        with open(path_or_lines, encoding="utf-8") as handle:
            yield from handle
    else:
        yield from path_or_lines


def read_conll_columns(
    path_or_lines: str | os.PathLike[str] | Iterable[str], tag_column: int = -1
) -> Iterator[ConllSentence]:
    """Yield the sentences of a CoNLL column file (e.g. CoNLL-2003 NER).

    Each non-blank line is ``token<TAB or spaces>...tag``: if the line contains a tab
    the columns are tab-separated (so tokens may contain spaces), otherwise they are
    whitespace-separated. Blank lines separate sentences. A line whose first column is
    ``-DOCSTART-`` ends the current sentence and is skipped. Tags are not validated
    here (see :meth:`ConllSentence.to_spans`).

    Args:
        path_or_lines: A file path (``str`` or path-like, read as UTF-8) or an iterable
            of lines (with or without line endings).
        tag_column: Index of the tag column (negative counts from the end); column 0 is
            the token.

    Raises:
        BioError: With the line number, if a line has fewer than two columns or the
            tag column does not exist or is the token column.
    """
    tokens: list[str] = []
    tags: list[str] = []
    lines: list[int] = []
    documents = 0

    def flush() -> ConllSentence | None:
        if not tokens:
            return None
        sentence = ConllSentence(tuple(tokens), tuple(tags), tuple(lines), documents)
        tokens.clear()
        tags.clear()
        lines.clear()
        return sentence

    for line_number, raw in enumerate(_iter_lines(path_or_lines), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            sentence = flush()
            if sentence is not None:
                yield sentence
            continue
        columns = split_columns(line)
        if columns[0] == "-DOCSTART-":
            sentence = flush()
            if sentence is not None:
                yield sentence
            documents += 1
            continue
        if len(columns) < 2:
            raise BioError(
                f"line {line_number}: expected at least 2 columns (token and tag), got "
                f"{len(columns)}: {line!r}",
                line=line_number,
            )
        index = tag_column if tag_column >= 0 else len(columns) + tag_column
        if not 1 <= index < len(columns):
            raise BioError(
                f"line {line_number}: tag_column={tag_column} does not select a tag column "
                f"in a line with {len(columns)} columns (column 0 is the token): {line!r}",
                line=line_number,
            )
        tokens.append(columns[0])
        tags.append(columns[index].strip())
        lines.append(line_number)
    sentence = flush()
    if sentence is not None:
        yield sentence
