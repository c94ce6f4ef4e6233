"""Parse the gold source form (``corpus/gold/*.ann``) and resolve its anchors.

See ``corpus/gold/FORMAT.md`` for the format. Every span is given by its exact
text inside the current paragraph and resolved here to half-open offsets; an
anchor that matches zero or several places is an error naming every match.
Nothing is guessed: all errors of a file are collected and raised together.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsbench.schema.contract import (
    ATTRIBUTION_MODES,
    ENTITY_TYPES,
    EVENT_TYPES,
    MENTION_TYPES,
    REALIS_VALUES,
    ROLES,
    SOURCE_CLASSES,
    TIMEX_TYPES,
    ZONE_TYPES,
)
from newsbench.schema.model import (
    Argument,
    Attribution,
    Document,
    Event,
    Mention,
    Metadata,
    Paragraph,
    Sentence,
    Source,
    Span,
    TimeExpression,
    Zone,
)
from newsbench.schema.tokens import ends_inside_word, starts_inside_word


class GoldSourceError(ValueError):
    """Raised with every error found in a gold source file."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in the gold source:\n" + "\n".join(errors))


@dataclass
class _Line:
    number: int
    tokens: list[str]


@dataclass
class _Fields:
    """The positional tokens and the ordered ``key=value`` pairs of one line."""

    positional: list[str]
    pairs: list[tuple[str, str]] = field(default_factory=list)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(first line number, logical line)``; lines end at "\\n" only (as in JSONL).

    ``str.splitlines`` would also split at U+2028, U+0085, form feeds and other separators
    that can stand inside an anchor, and so report the wrong line numbers. A comment ends
    at the end of its line, as in the shell: a backslash there continues nothing (it hid
    the next line's annotation inside the comment).
    """
    buffer: list[str] = []
    first = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if not buffer:
            first = number
        if raw.endswith("\\") and not raw.endswith("\\\\") and not _has_comment(raw[:-1]):
            buffer.append(raw[:-1])
            continue
        buffer.append(raw)
        yield first, " ".join(buffer)
        buffer = []
    if buffer:
        yield first, " ".join(buffer)


def _has_comment(raw: str) -> bool:
    """Whether a physical line holds a comment (a ``#`` that starts a word, unquoted)."""
    try:
        return shlex.split(raw, comments=True) != shlex.split(raw, comments=False)
    except ValueError:  # an open quote: the line goes on inside it, no comment here
        return False


def _split_fields(tokens: list[str]) -> _Fields:
    fields = _Fields(positional=[])
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep and key and (key[0].isalpha()) and " " not in key:
            fields.pairs.append((key, value))
        elif fields.pairs:
            raise ValueError(f"positional field {token!r} after key=value pairs")
        else:
            fields.positional.append(token)
    return fields


def word_occurrences(haystack: str, needle: str, base: int, full_text: str) -> list[int]:
    """Return the absolute starts of whole-word occurrences of ``needle``.

    Args:
        haystack: The text searched (a paragraph or a context string's slice).
        needle: The exact span text.
        base: Absolute offset of ``haystack[0]`` in ``full_text``.
        full_text: The document text, used to check word boundaries.
    """
    found = []
    position = haystack.find(needle)
    while position >= 0:
        start = base + position
        end = start + len(needle)
        if not starts_inside_word(full_text, start) and not ends_inside_word(full_text, end):
            found.append(start)
        position = haystack.find(needle, position + 1)
    return found


@dataclass(frozen=True)
class ParagraphScope:
    """A paragraph: its number and absolute offsets."""

    number: int
    start: int
    end: int


def resolve_anchor(
    text: str,
    scope: ParagraphScope,
    needle: str,
    ctx: str | None = None,
    nth: int | None = None,
) -> Span:
    """Resolve an anchored span inside a paragraph.

    Raises:
        ValueError: if the anchor does not resolve to exactly one place.
    """
    if not needle:
        raise ValueError("empty span text")
    paragraph = text[scope.start : scope.end]
    if ctx is not None and nth is not None:
        raise ValueError("give either .ctx or .nth, not both")
    if ctx is not None:
        ctx_starts = [scope.start + i for i in _all_find(paragraph, ctx)]
        if len(ctx_starts) != 1:
            raise ValueError(
                f"context {ctx!r} occurs {len(ctx_starts)} times in paragraph {scope.number}; "
                "it must occur exactly once"
            )
        hits = word_occurrences(ctx, needle, ctx_starts[0], text)
        if len(hits) != 1:
            raise ValueError(
                f"{needle!r} occurs {len(hits)} times as a whole word inside context {ctx!r}"
            )
        start = hits[0]
    else:
        hits = word_occurrences(paragraph, needle, scope.start, text)
        if nth is not None:
            if not 1 <= nth <= len(hits):
                raise ValueError(
                    f"{needle!r} has {len(hits)} whole-word occurrences in paragraph "
                    f"{scope.number}; nth={nth} is out of range"
                )
            start = hits[nth - 1]
        elif len(hits) != 1:
            where = ", ".join(f"[{h}, {h + len(needle)})" for h in hits) or "nowhere"
            raise ValueError(
                f"{needle!r} occurs {len(hits)} times as a whole word in paragraph "
                f"{scope.number} ({where}); add .ctx or .nth"
            )
        else:
            start = hits[0]
    return Span(start, start + len(needle), needle)


def _all_find(haystack: str, needle: str) -> list[int]:
    out = []
    position = haystack.find(needle)
    while position >= 0:
        out.append(position)
        position = haystack.find(needle, position + 1)
    return out


def paragraph_scopes(text: str) -> list[ParagraphScope]:
    """Return one scope per line of ``text`` (paragraphs are lines)."""
    scopes = []
    position = 0
    for number, line in enumerate(text.split("\n"), start=1):
        scopes.append(ParagraphScope(number, position, position + len(line)))
        position += len(line) + 1
    return scopes


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")


@dataclass
class _Builder:
    text: str
    scopes: list[ParagraphScope]
    path: str
    errors: list[str] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    timexes: list[TimeExpression] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    zoned_paragraphs: set[int] = field(default_factory=set)

    def spans(self, fields: _Fields, key: str, scope: ParagraphScope) -> list[Span]:
        """Resolve every ``key=`` pair (with its following ``.ctx``/``.nth``)."""
        out: list[Span] = []
        pairs = fields.pairs
        for index, (name, value) in enumerate(pairs):
            if name != key:
                continue
            ctx = nth = None
            for follow_name, follow_value in pairs[index + 1 :]:
                if follow_name == key:
                    break
                if (
                    follow_name in (f"{key}.ctx", f"{key}.nth")
                    and (ctx if follow_name.endswith(".ctx") else nth) is not None
                ):
                    raise ValueError(f"two {follow_name}= for one {key}=: give one")
                if follow_name == f"{key}.ctx":
                    ctx = follow_value
                elif follow_name == f"{key}.nth":
                    nth = int(follow_value)
            out.append(resolve_anchor(self.text, scope, value, ctx, nth))
        return out

    def one_span(self, fields: _Fields, key: str, scope: ParagraphScope) -> Span:
        spans = self.spans(fields, key, scope)
        if len(spans) != 1:
            raise ValueError(f"expected exactly one {key}= but found {len(spans)}")
        return spans[0]


_KNOWN_KEYS = {
    "zone": {"text", "text.ctx", "text.nth"},
    "sentence": {"text", "text.ctx", "text.nth"},
    "mention": {"text", "text.ctx", "text.nth"},
    "timex": {"text", "text.ctx", "text.nth"},
    "event": {"trigger", "trigger.ctx", "trigger.nth", *ROLES},
    "attribution": {
        "cue",
        "cue.ctx",
        "cue.nth",
        "source",
        "source.ctx",
        "source.nth",
        "source.mention",
        "content",
        "content.ctx",
        "content.nth",
        "intermediary",
        "parent",
    },
}
_SINGLE_VALUED = frozenset({"source.mention", "intermediary", "parent"})
"""Keys that take one value (span keys are counted where they are read)."""
_ARITY = {"zone": 2, "sentence": 1, "mention": 4, "timex": 3, "event": 4, "attribution": 3}


def _annotation(b: _Builder, kind: str, fields: _Fields, scope: ParagraphScope) -> None:
    unknown = [k for k, _ in fields.pairs if k not in _KNOWN_KEYS[kind]]
    if unknown:
        raise ValueError(f"unknown key(s) for {kind}: {', '.join(unknown)}")
    seen: set[str] = set()
    for key, _ in fields.pairs:
        base, _, modifier = key.rpartition(".")
        if modifier in ("ctx", "nth") and base not in seen:
            raise ValueError(f"{key}= comes before any {base}=: it belongs after the {base}=")
        if key in _SINGLE_VALUED and key in seen:
            raise ValueError(f"{key}= given twice: it takes one value")
        seen.add(key)
    pos = fields.positional
    if len(pos) != _ARITY[kind]:
        raise ValueError(f"{kind} takes {_ARITY[kind]} positional fields, got {len(pos)}: {pos}")
    pairs = dict(fields.pairs)
    if kind == "zone":
        _check(pos[1], ZONE_TYPES, "zone type")
        s = b.one_span(fields, "text", scope)
        b.zones.append(Zone(pos[0], pos[1], s.start, s.end, s.text))
        b.zoned_paragraphs.add(scope.number)
    elif kind == "sentence":
        s = b.one_span(fields, "text", scope)
        b.sentences.append(Sentence(pos[0], s.start, s.end, s.text))
    elif kind == "mention":
        _check(pos[1], ENTITY_TYPES, "entity type")
        _check(pos[2], MENTION_TYPES, "mention type")
        s = b.one_span(fields, "text", scope)
        b.mentions.append(Mention(pos[0], s.start, s.end, s.text, pos[1], pos[2], pos[3]))
    elif kind == "timex":
        _check(pos[1], TIMEX_TYPES, "timex type")
        s = b.one_span(fields, "text", scope)
        b.timexes.append(TimeExpression(pos[0], s.start, s.end, s.text, pos[1], pos[2]))
    elif kind == "event":
        _check(pos[1], EVENT_TYPES, "event type")
        _check(pos[2], REALIS_VALUES, "realis")
        trigger = b.one_span(fields, "trigger", scope)
        arguments = tuple(Argument(k, v) for k, v in fields.pairs if k in ROLES)
        b.events.append(Event(pos[0], pos[1], trigger, pos[2], arguments, pos[3]))
    elif kind == "attribution":
        _check(pos[1], ATTRIBUTION_MODES, "mode")
        _check(pos[2], SOURCE_CLASSES, "source class")
        source_span = b.one_span(fields, "source", scope)
        source = Source(
            source_span.start, source_span.end, source_span.text, pairs.get("source.mention")
        )
        b.attributions.append(
            Attribution(
                id=pos[0],
                cue=tuple(b.spans(fields, "cue", scope)),
                content=tuple(b.spans(fields, "content", scope)),
                source=source,
                intermediary=pairs.get("intermediary"),
                source_class=pos[2],
                mode=pos[1],
                parent=pairs.get("parent"),
            )
        )


def parse_gold_source(source_path: Path, repo_root: Path) -> Document:
    """Parse a ``.ann`` gold source file and return the resolved :class:`Document`.

    Raises:
        GoldSourceError: with every error of the file.
    """
    header: dict[str, str] = {}
    errors: list[str] = []
    builder: _Builder | None = None
    scope: ParagraphScope | None = None
    name = str(source_path)
    for number, line in _logical_lines(source_path.read_text("utf-8")):
        try:
            tokens = shlex.split(line, comments=True, posix=True)
        except ValueError as exc:
            errors.append(f"{name}:{number}: cannot split the line: {exc}")
            continue
        if not tokens:
            continue
        kind, rest = tokens[0], tokens[1:]
        try:
            if kind in {"document", "text", "dct", "language", "title"}:
                if len(rest) != 1:
                    raise ValueError(f"{kind} takes one value")
                if kind in header:  # a second text line started the document again
                    raise ValueError(f"a second '{kind}' line: a .ann file has one")
                header[kind] = rest[0]
                if kind == "text":
                    text = (repo_root / rest[0]).read_text("utf-8")
                    builder = _Builder(text, paragraph_scopes(text), rest[0])
            elif kind == "paragraph":
                if builder is None:
                    raise ValueError("'text' must come before the first paragraph")
                number_value = int(rest[0])
                if not 1 <= number_value <= len(builder.scopes):
                    raise ValueError(f"paragraph {number_value} does not exist")
                scope = builder.scopes[number_value - 1]
            elif kind in _KNOWN_KEYS:
                if builder is None or scope is None:
                    raise ValueError("annotations must come after a 'paragraph N' line")
                _annotation(builder, kind, _split_fields(rest), scope)
            else:
                raise ValueError(f"unknown line kind {kind!r}")
        except (ValueError, OSError) as exc:
            errors.append(f"{name}:{number}: {exc}")
    missing = [k for k in ("document", "text", "dct", "language") if k not in header]
    if missing:
        errors.append(f"{name}: missing header line(s): {', '.join(missing)}")
    if errors or builder is None:
        raise GoldSourceError(errors)
    text = builder.text
    paragraphs = tuple(
        Paragraph(f"p{s.number}", s.start, s.end, text[s.start : s.end]) for s in builder.scopes
    )
    body = [
        Zone(f"z{s.number}", "body", s.start, s.end, text[s.start : s.end])
        for s in builder.scopes
        if s.number not in builder.zoned_paragraphs
    ]
    zones = tuple(sorted([*body, *builder.zones], key=lambda z: (z.start, z.end)))
    digest = hashlib.sha256((repo_root / builder.path).read_bytes()).hexdigest()
    return Document(
        id=header["document"],
        text=text,
        metadata=Metadata(
            dct=header["dct"],
            source_file=builder.path,
            language=header["language"],
            source_sha256=digest,
            title=header.get("title"),
        ),
        paragraphs=paragraphs,
        zones=zones,
        sentences=tuple(sorted(builder.sentences, key=lambda s: (s.start, s.end))),
        mentions=tuple(builder.mentions),
        time_expressions=tuple(builder.timexes),
        events=tuple(builder.events),
        attributions=tuple(builder.attributions),
    )
