"""Bad input never crashes newsbench, never loses data, never lets code in.

The main table (:data:`CASES`) runs each bad input through the command line
(``newsbench validate`` or ``newsbench score`` with ``--format json``) and asserts the
exit code, the problem ``code``, key words of the message (or of its cause/fix), and
the location (file, line, document id, JSON pointer). Decisions recorded here:

* A UTF-8 BOM is accepted (``jsonlines`` skips it, on any line); CRLF line ends of the
  file are accepted (JSON whitespace); a bare CR is no line end (one long invalid line).
* CRLF *inside a document's text* is data: offsets count the ``\\r``; offsets counted
  without it give ``span-text-mismatch`` naming the line-end cause.
* A key repeated in one object is an error (``duplicate-key``): parsers keep only the
  last value, which would lose data silently.
* JSON nested more than 255 levels is ``json-too-deep`` (the validator's limit).

Further tests: the unreadable/missing/directory inputs, memory on a 100 MB line and
line numbers 200,000 lines deep (both in a subprocess), atomic writes, and security.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from newsbench.eval import report as report_module
from newsbench.eval.cli import main
from newsbench.eval.pairing import load_label_map
from newsbench.schema import io as io_module
from newsbench.schema.io import iter_jsonl, write_jsonl
from newsbench.schema.problems import PROBLEM_CODES, DataError
from newsbench.schema.validate import validate_file

from .adversarial.generators import (
    CRLF_TEXT,
    EMOJI_TEXT,
    measure_in_subprocess,
    write_long_line,
    write_many_lines,
)

Record = dict[str, Any]
REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = ("schema", "eval", "corpus", "baselines")


# --- inputs -------------------------------------------------------------------------------


@dataclass
class Inputs:
    """The valid records the cases break."""

    gold: Record  # the mini gold document
    pred: Record  # a valid prediction for it (mentions only)
    emoji: Record  # a prediction document with emoji and accents

    def line(self, record: Any) -> bytes:
        return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


def _emoji_record() -> Record:
    def mention(i: int, word: str, unit: str = "str") -> Record:
        at = EMOJI_TEXT.index(word)
        if unit == "utf16":
            start = len(EMOJI_TEXT[:at].encode("utf-16-le")) // 2
            end = start + len(word.encode("utf-16-le")) // 2
        elif unit == "bytes":
            start = len(EMOJI_TEXT[:at].encode())
            end = start + len(word.encode())
        else:
            start, end = at, at + len(word)
        return {"id": f"m{i}", "start": start, "end": end, "text": word, "type": "PER"}

    return {
        "id": "emoji_doc",
        "text": EMOJI_TEXT,
        "mentions": [mention(1, "Zoë Martín")],
        "_mention": mention,
    }


def _doc(inputs: Inputs, **changes: Any) -> Record:
    record = copy.deepcopy(inputs.emoji)
    record.pop("_mention")
    record.update(changes)
    return record


def _mutated(base: str, mutate: Callable[[Record], Any]) -> Callable[[Inputs], bytes]:
    def build(inputs: Inputs) -> bytes:
        record = copy.deepcopy(getattr(inputs, base))
        mutate(record)
        return inputs.line(record)

    return build


def _raw(data: bytes) -> Callable[[Inputs], bytes]:
    return lambda inputs: data


def _gold_then(data: bytes) -> Callable[[Inputs], bytes]:
    return lambda inputs: inputs.line(inputs.gold) + data


def _nest(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def _set(path: list[Any], value: Any) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _emoji_span(word: str, unit: str) -> Callable[[Inputs], bytes]:
    def build(inputs: Inputs) -> bytes:
        return inputs.line(_doc(inputs, mentions=[inputs.emoji["_mention"](1, word, unit)]))

    return build


def _crlf(counted_as: str) -> Callable[[Inputs], bytes]:
    """A mention of 'Homs' with offsets counted on a text with other line ends."""

    def build(inputs: Inputs) -> bytes:
        stored = CRLF_TEXT if counted_as == "LF" else CRLF_TEXT.replace("\r\n", "\n")
        counted = CRLF_TEXT.replace("\r\n", "\n") if counted_as == "LF" else CRLF_TEXT
        at = counted.index("Homs")
        mention = {"id": "m1", "start": at, "end": at + 4, "text": "Homs", "type": "GPE"}
        return inputs.line({"id": "crlf_doc", "text": stored, "mentions": [mention]})

    return build


def _two(first: Callable[[Record], Any], second: Callable[[Record], Any] | None = None):
    def build(inputs: Inputs) -> bytes:
        a, b = copy.deepcopy(inputs.pred), copy.deepcopy(inputs.pred)
        first(a)
        if second:
            second(b)
        return inputs.line(a) + inputs.line(b)

    return build


def _pred_text(change: Callable[[str], str]) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        record["text"] = change(record["text"])

    return mutate


def _overlapping_sentences(record: Record) -> None:
    text = record["text"]
    record["sentences"] = [
        {"id": "s1", "start": 0, "end": 13, "text": text[0:13]},
        {"id": "s2", "start": 7, "end": 18, "text": text[7:18]},
    ]


def _overlapping_content(record: Record) -> None:
    text = record["text"]
    record["attributions"] = [
        {
            "id": "a1",
            "cue": [{"start": 14, "end": 18, "text": "said"}],
            "content": [
                {"start": 46, "end": 60, "text": text[46:60]},
                {"start": 50, "end": 69, "text": text[50:69]},
            ],
        }
    ]


def _dup_key_top(inputs: Inputs) -> bytes:
    line = inputs.line(inputs.pred).rstrip(b"}\n")
    return line + b', "mentions": []}\n'


def _dup_key_nested(inputs: Inputs) -> bytes:
    line = inputs.line(inputs.pred)
    return line.replace(b'"type": "GPE"', b'"type": "GPE", "type": "ORG"', 1)


def _dup_key_escaped(inputs: Inputs) -> bytes:
    line = inputs.line(inputs.pred)
    return line.replace(b'{"id": "mini_seed", ', b'{"id": "mini_seed", "t\\u0065xt": "x", ', 1)


# --- the table ----------------------------------------------------------------------------

ANY = object()
"""A location the case does not pin down."""


@dataclass(frozen=True)
class Case:
    """One bad input and everything the command line must say about it."""

    name: str
    command: str  # validate-gold | validate-pred | score | score-spans | score-conll | gate
    content: Callable[[Inputs], bytes] | None  # None: the file does not exist
    exit: int
    code: str | None  # None: no problem expected (exit 0) or a usage error (exit 2)
    words: tuple[str, ...] = ()
    line: Any = ANY
    document: Any = ANY
    path: Any = ANY
    extra: tuple[str, ...] = field(default_factory=tuple)  # extra CLI arguments


MINI = "mini_seed"
EMOJI = "emoji_doc"

CASES: list[Case] = [
    # -- reading: the bytes and the JSON of a line ---------------------------------------
    Case(
        "truncated line",
        "validate-gold",
        lambda i: i.line(i.gold) + i.line(i.gold)[:40],
        1,
        "invalid-json",
        ("not valid JSON", "unexpected end", "truncated"),
        2,
        None,
        "",
    ),
    Case(
        "missing comma",
        "validate-gold",
        _raw(b'{"id": "x" "text": "t"}\n'),
        1,
        "invalid-json",
        ("not valid JSON",),
        1,
        None,
        "",
    ),
    Case(
        "trailing comma",
        "validate-gold",
        _raw(b'{"id": "x", "text": "t",}\n'),
        1,
        "invalid-json",
        ("not valid JSON",),
        1,
        None,
        "",
    ),
    Case(
        "single quotes",
        "validate-pred",
        _raw(b"{'id': 'x', 'text': 't'}\n"),
        1,
        "invalid-json",
        ("not valid JSON",),
        1,
        None,
        "",
    ),
    Case(
        "comment line",
        "validate-pred",
        _raw(b"// predictions\n"),
        1,
        "invalid-json",
        ("not valid JSON", "comments are not JSON"),
        1,
        None,
        "",
    ),
    Case(
        "empty file",
        "validate-gold",
        _raw(b""),
        1,
        "file-empty",
        ("holds no JSON lines",),
        None,
        None,
        "",
    ),
    Case("only a newline", "validate-gold", _raw(b"\n"), 1, "blank-line", ("blank",), 1),
    Case(
        "blank line between documents",
        "validate-gold",
        _gold_then(b"\n"),
        1,
        "blank-line",
        ("the line is blank", "delete the blank line"),
        2,
        None,
        "",
    ),
    Case(
        "whitespace-only line",
        "validate-gold",
        _gold_then(b"  \t \n"),
        1,
        "blank-line",
        ("blank",),
        2,
    ),
    Case(
        "utf-8 BOM is accepted",
        "validate-gold",
        lambda i: b"\xef\xbb\xbf" + i.line(i.gold),
        0,
        None,
    ),
    Case(
        "BOM on a later line is accepted",
        "validate-pred",
        lambda i: i.line(i.pred) + b"\xef\xbb\xbf" + i.line(_doc(i)),
        0,
        None,
    ),
    Case(
        "latin-1 bytes",
        "validate-pred",
        _raw(b'{"id": "x", "text": "caf\xe9"}\n'),
        1,
        "invalid-utf8",
        ("not valid UTF-8", "0xe9", "Latin-1"),
        1,
        None,
        "",
    ),
    Case(
        "windows-1252 quotes",
        "validate-pred",
        _raw(b'{"id": "x", "text": "\x93q\x94"}\n'),
        1,
        "invalid-utf8",
        ("not valid UTF-8", "Windows-1252"),
        1,
    ),
    Case(
        "utf-16 file",
        "validate-pred",
        _raw('{"id": "x", "text": "t"}\n'.encode("utf-16")),
        1,
        "invalid-utf8",
        ("not valid UTF-8",),
        1,
    ),
    Case(
        "crlf line ends are accepted",
        "validate-pred",
        lambda i: i.line(i.pred).replace(b"\n", b"\r\n") + i.line(_doc(i)).replace(b"\n", b"\r\n"),
        0,
        None,
    ),
    Case(
        "bare CR is not a line end",
        "validate-pred",
        lambda i: i.line(i.pred).replace(b"\n", b"\r") + i.line(_doc(i)),
        1,
        "invalid-json",
        ("unexpected content after document",),
        1,
    ),
    Case(
        "NaN",
        "validate-pred",
        _raw(b'{"id": "x", "text": "t", "mentions": NaN}\n'),
        1,
        "invalid-json",
        ("not valid JSON", "NaN"),
        1,
        None,
        "",
    ),
    Case(
        "Infinity",
        "validate-pred",
        _raw(b'{"id": "x", "text": "t", "x": Infinity}\n'),
        1,
        "invalid-json",
        ("Infinity",),
        1,
    ),
    Case(
        "-Infinity as an offset",
        "validate-pred",
        _raw(b'{"id": "x", "text": "t", "mentions": [{"start": -Infinity}]}\n'),
        1,
        "invalid-json",
        ("not valid JSON",),
        1,
    ),
    Case(
        "array at top level",
        "validate-pred",
        _raw(b'[{"id": "x", "text": "t"}]\n'),
        1,
        "not-an-object",
        ("JSON list, not an object",),
        1,
        None,
        "",
    ),
    Case(
        "null line", "validate-gold", _gold_then(b"null\n"), 1, "not-an-object", ("JSON null",), 2
    ),
    Case(
        "string line", "validate-pred", _raw(b'"mini_seed"\n'), 1, "not-an-object", ("JSON str",), 1
    ),
    Case("number line", "validate-pred", _raw(b"0\n"), 1, "not-an-object", ("JSON int",), 1),
    Case(
        "lone surrogate",
        "validate-pred",
        _raw(b'{"id": "x", "text": "a\\ud800b"}\n'),
        1,
        "invalid-json",
        ("surrogate",),
        1,
    ),
    Case(
        "raw control character",
        "validate-pred",
        _raw(b'{"id": "x", "text": "a\x01b"}\n'),
        1,
        "invalid-json",
        ("control character",),
        1,
    ),
    Case("NUL bytes", "validate-pred", _raw(b"\x00\x00\n"), 1, "invalid-json", ("JSON",), 1),
    Case(
        "nested 2000 deep",
        "validate-pred",
        _raw(b"[" * 2000 + b"]" * 2000 + b"\n"),
        1,
        "json-too-deep",
        ("nested more than 255 levels",),
        1,
        None,
        "",
    ),
    Case(
        "nested 300 deep inside a document",
        "validate-pred",
        lambda i: i.line(_doc(i, mentions=_nest(300))),
        1,
        "json-too-deep",
        ("nested more than 255",),
        1,
        EMOJI,
        "",
    ),
    Case(
        "duplicate top-level key",
        "validate-pred",
        _dup_key_top,
        1,
        "duplicate-key",
        ("'mentions' occurs more than once", "lost silently"),
        1,
        None,
        "/mentions",
    ),
    Case(
        "duplicate nested key",
        "validate-pred",
        _dup_key_nested,
        1,
        "duplicate-key",
        ("'type'",),
        1,
        None,
        "/mentions/0/type",
    ),
    Case(
        "duplicate key spelled with an escape",
        "validate-pred",
        _dup_key_escaped,
        1,
        "duplicate-key",
        ("'text'",),
        1,
        None,
        "/text",
    ),
    Case(
        "integer beyond 64 bits",
        "validate-pred",
        lambda i: i.line(i.pred).replace(b'"start": 0,', b'"start": 18446744073709551616,'),
        1,
        "schema-type",
        ("not whole numbers", "beyond the 64-bit range"),
        1,
        MINI,
        "/mentions/0",
    ),
    Case(
        "integer with 400 digits",
        "validate-pred",
        lambda i: i.line(i.pred).replace(b'"start": 0,', b'"start": ' + b"9" * 400 + b","),
        1,
        "invalid-json",
        ("infinity",),
        1,
        None,
        "",
    ),
    Case("missing file", "validate-gold", None, 2, None, ("input.jsonl: not found",)),
    # -- stage 1: the schema -------------------------------------------------------------
    Case(
        "missing text",
        "validate-pred",
        _mutated("pred", lambda r: r.pop("text")),
        1,
        "schema-required",
        ("'text'",),
        1,
        MINI,
        "",
    ),
    Case(
        "misspelt layer key",
        "validate-pred",
        _mutated("pred", lambda r: r.__setitem__("mentoins", r.pop("mentions"))),
        1,
        "schema-unknown-key",
        ("'mentoins'", "did you mean 'mentions'"),
        1,
        MINI,
        "",
    ),
    Case(
        "offset as a string",
        "validate-pred",
        _mutated("pred", _set(["mentions", 1, "end"], "13")),
        1,
        "schema-type",
        ("number written as a string",),
        1,
        MINI,
        "/mentions/1/end",
    ),
    Case(
        "fractional offset",
        "validate-pred",
        _mutated("pred", _set(["mentions", 0, "start"], 0.5)),
        1,
        "schema-type",
        ("float where a whole number is needed",),
        1,
        MINI,
        "/mentions/0/start",
    ),
    Case(
        "whole float offset",
        "validate-gold",
        _mutated("gold", _set(["time_expressions", 0, "start"], 19.0)),
        1,
        "schema-type",
        ("not whole numbers",),
        1,
        MINI,
        "/time_expressions/0",
    ),
    Case(
        "bool offset",
        "validate-pred",
        _mutated("pred", _set(["mentions", 0, "start"], True)),
        1,
        "schema-type",
        ("True has JSON type bool",),
        1,
        MINI,
        "/mentions/0/start",
    ),
    Case(
        "null offset",
        "validate-pred",
        _mutated("pred", _set(["mentions", 0, "end"], None)),
        1,
        "schema-type",
        ("None has JSON type NoneType",),
        1,
        MINI,
        "/mentions/0/end",
    ),
    Case(
        "null metadata",
        "validate-gold",
        _mutated("gold", _set(["metadata"], None)),
        1,
        "schema-type",
        ("NoneType", "object"),
        1,
        MINI,
        "/metadata",
    ),
    Case(
        "null mention",
        "validate-pred",
        _mutated("pred", _set(["mentions", 0], None)),
        1,
        "schema-type",
        ("NoneType",),
        1,
        MINI,
        "/mentions/0",
    ),
    Case(
        "layer as an object",
        "validate-pred",
        _mutated("pred", _set(["mentions"], {})),
        1,
        "schema-type",
        ("array",),
        1,
        MINI,
        "/mentions",
    ),
    Case(
        "negative trigger end",
        "validate-gold",
        _mutated("gold", _set(["events", 0, "trigger", "end"], -5)),
        1,
        "schema-range",
        ("minimum",),
        1,
        MINI,
        "/events/0/trigger/end",
    ),
    Case(
        "document id with a path",
        "validate-pred",
        _mutated("pred", _set(["id"], "../x")),
        1,
        "schema-pattern",
        ("'../x'", "expected format"),
        1,
        "../x",
        "/id",
    ),
    Case(
        "unknown entity label",
        "validate-pred",
        _mutated("pred", _set(["mentions", 0, "type"], "PERSON")),
        1,
        "schema-enum",
        ("'PERSON' is not a label of the newsbench inventory", "did you mean 'PER'"),
        1,
        MINI,
        "/mentions/0/type",
    ),
    Case(
        "unknown role",
        "validate-gold",
        _mutated("gold", _set(["events", 0, "arguments", 1, "role"], "Destinaton")),
        1,
        "schema-enum",
        ("Destinaton", "did you mean 'Destination'"),
        1,
        MINI,
        "/events/0/arguments/1/role",
    ),
    Case(
        "unknown event type",
        "validate-gold",
        _mutated("gold", _set(["events", 0, "type"], "Conflict.Atack")),
        1,
        "schema-enum",
        ("did you mean 'Conflict.Attack'",),
        1,
        MINI,
        "/events/0/type",
    ),
    Case(
        "unknown attribution mode",
        "validate-gold",
        _mutated("gold", _set(["attributions", 0, "mode"], "DIRECTT")),
        1,
        "schema-enum",
        ("did you mean 'DIRECT'",),
        1,
        MINI,
        "/attributions/0/mode",
    ),
    # -- stage 2: offsets, ids, references, overlaps -------------------------------------
    Case(
        "reversed trigger",
        "validate-gold",
        _mutated("gold", _set(["events", 0, "trigger", "end"], 60)),
        1,
        "span-empty",
        ("[61, 60) is empty or reversed",),
        1,
        MINI,
        "/events/0/trigger",
    ),
    Case(
        "zero-length timex",
        "validate-gold",
        _mutated("gold", _set(["time_expressions", 0, "end"], 19)),
        1,
        "span-empty",
        ("[19, 19)",),
        1,
        MINI,
        "/time_expressions/0",
    ),
    Case(
        "start beyond the text",
        "validate-pred",
        _mutated("pred", lambda r: r["mentions"][0].update(start=9000, end=9006)),
        1,
        "span-out-of-range",
        ("ends beyond the text (length 4856)",),
        1,
        MINI,
        "/mentions/0",
    ),
    Case(
        "span text disagrees",
        "validate-pred",
        _mutated("pred", _set(["mentions", 0, "text"], "Iraqi!")),
        1,
        "span-text-mismatch",
        ("text[0:6] is 'Syrian'", "does not occur in the document"),
        1,
        MINI,
        "/mentions/0",
    ),
    Case(
        "1-based offsets",
        "validate-pred",
        _mutated("pred", lambda r: r["mentions"][1].update(start=8, end=13)),
        1,
        "span-text-mismatch",
        ("1-based",),
        1,
        MINI,
        "/mentions/1",
    ),
    Case(
        "utf-16 offsets on emoji text",
        "validate-pred",
        _emoji_span("Zürich", "utf16"),
        1,
        "span-text-mismatch",
        ("UTF-16 code units", "[37, 43)"),
        1,
        EMOJI,
        "/mentions/0",
    ),
    Case(
        "utf-8 byte offsets on accented text",
        "validate-pred",
        _emoji_span("Zoë Martín", "bytes"),
        1,
        "span-text-mismatch",
        ("UTF-8 byte offsets", "[13, 23)"),
        1,
        EMOJI,
        "/mentions/0",
    ),
    Case(
        "utf-16 offsets beyond the end",
        "validate-pred",
        _emoji_span("thanks", "utf16"),
        1,
        "span-out-of-range",
        ("ends beyond the text", "UTF-16 code units"),
        1,
        EMOJI,
        "/mentions/0",
    ),
    Case(
        "byte offsets beyond the end",
        "validate-pred",
        _emoji_span("thanks", "bytes"),
        1,
        "span-out-of-range",
        ("UTF-8 byte offsets",),
        1,
        EMOJI,
        "/mentions/0",
    ),
    Case(
        "crlf in the text, offsets counted with LF",
        "validate-pred",
        _crlf("LF"),
        1,
        "span-text-mismatch",
        ("CRLF", "counted with LF"),
        1,
        "crlf_doc",
        "/mentions/0",
    ),
    Case(
        "LF text, offsets counted with CRLF",
        "validate-pred",
        _crlf("CRLF"),
        1,
        "span-out-of-range",
        ("counted with CRLF",),
        1,
        "crlf_doc",
        "/mentions/0",
    ),
    Case(
        "id shared across layers",
        "validate-gold",
        _mutated("gold", _set(["mentions", 0, "id"], "p1")),
        1,
        "duplicate-id",
        ("'p1' is already used at /paragraphs/0/id",),
        1,
        MINI,
        "/mentions/0/id",
    ),
    Case(
        "duplicate mention id in a prediction",
        "validate-pred",
        _mutated("pred", _set(["mentions", 2, "id"], "m1_1")),
        1,
        "duplicate-id",
        ("'m1_1'",),
        1,
        MINI,
        "/mentions/2/id",
    ),
    Case(
        "dangling parent",
        "validate-gold",
        _mutated("gold", _set(["attributions", 1, "parent"], "a9_9")),
        1,
        "dangling-reference",
        ("parent attribution 'a9_9' does not exist",),
        1,
        MINI,
        "/attributions/1/parent",
    ),
    Case(
        "dangling source mention",
        "validate-gold",
        _mutated("gold", _set(["attributions", 0, "source", "mention"], "m1_22")),
        1,
        "dangling-reference",
        ("'m1_22'", "did you mean 'm1_2'"),
        1,
        MINI,
        "/attributions/0/source/mention",
    ),
    Case(
        "intermediary names a timex",
        "validate-gold",
        _mutated("gold", _set(["attributions", 0, "intermediary"], "t1_1")),
        1,
        "wrong-reference-kind",
        ("names an object in time_expressions",),
        1,
        MINI,
        "/attributions/0/intermediary",
    ),
    Case(
        "overlapping predicted sentences",
        "validate-pred",
        _mutated("pred", _overlapping_sentences),
        1,
        "overlapping-spans",
        ("sentences [0, 13) at /sentences/0 and [7, 18) overlap",),
        1,
        MINI,
        "/sentences/1",
    ),
    Case(
        "overlapping predicted content spans",
        "validate-pred",
        _mutated("pred", _overlapping_content),
        1,
        "overlapping-spans",
        ("content spans of one attribution",),
        1,
        MINI,
        "/attributions/0/content/1",
    ),
    Case(
        "duplicate document id",
        "validate-pred",
        _two(lambda r: None),
        1,
        "duplicate-document-id",
        ("already used on line 1",),
        2,
        MINI,
        "/id",
    ),
    Case(
        "source_file outside the repository is only data",
        "validate-gold",
        _mutated("gold", _set(["metadata", "source_file"], "../../etc/passwd")),
        0,
        None,
    ),
    # -- score: predictions against the gold ---------------------------------------------
    Case("valid predictions score", "score", lambda i: i.line(i.pred), 0, None),
    Case(
        "document missing from the predictions",
        "score",
        _mutated("pred", _set(["id"], "other_doc")),
        1,
        "prediction-missing-document",
        ("no prediction for the gold document 'mini_seed'", "--allow-missing"),
        None,
        MINI,
        "",
    ),
    Case(
        "document added to the gold",
        "score",
        lambda i: i.line(i.pred) + i.line({**i.pred, "id": "mini_seed2"}),
        1,
        "prediction-extra-document",
        ("'mini_seed2'", "did you mean 'mini_seed'"),
        None,
        "mini_seed2",
        "/id",
    ),
    Case(
        "prediction for another corpus version",
        "score",
        _mutated("pred", _pred_text(lambda t: t.replace("overnight", "Overnight", 1))),
        1,
        "prediction-text-mismatch",
        ("sha256", "differs from the gold text", "check the corpus version"),
        None,
        MINI,
        "/text",
    ),
    Case(
        "prediction with normalised whitespace",
        "score",
        _mutated("pred", _pred_text(lambda t: t.rstrip() + " ")),
        1,
        "prediction-text-mismatch",
        ("4856 chars",),
        None,
        MINI,
        "/text",
    ),
    Case(
        "duplicate predicted document",
        "score",
        _two(lambda r: None),
        1,
        "duplicate-document-id",
        ("already used on line 1",),
        2,
        MINI,
        "/id",
    ),
    Case(
        "unknown predicted label",
        "score",
        _mutated("pred", _set(["mentions", 0, "type"], "GEO")),
        1,
        "schema-enum",
        ("'GEO'",),
        1,
        MINI,
        "/mentions/0/type",
    ),
    Case(
        "label the label map lacks",
        "score",
        _mutated("pred", _set(["mentions", 0, "type"], "MISCC")),
        1,
        "label-map-missing-label",
        ("'MISCC' is not in the label map", "did you mean 'MISC'"),
        1,
        MINI,
        "/mentions/0/type",
        ("--label-map", "conll2003"),
    ),
    Case(
        "empty prediction file",
        "score",
        _raw(b""),
        1,
        "file-empty",
        ("no JSON lines",),
        None,
        None,
        "",
    ),
    Case(
        "latin-1 prediction file",
        "score",
        _raw(b'{"id": "mini_seed", "text": "\xe9"}\n'),
        1,
        "invalid-utf8",
        ("UTF-8",),
        1,
        None,
        "",
    ),
    Case(
        "spans list with a float offset",
        "score-spans",
        _raw(b'{"document": "mini_seed", "start": 0.0, "end": 6, "label": "GPE"}\n'),
        1,
        "schema-type",
        ("a float",),
        1,
        MINI,
        "/start",
    ),
    Case(
        "spans list for another document",
        "score-spans",
        _raw(b'{"document": "mini_sed", "start": 0, "end": 6, "label": "GPE"}\n'),
        1,
        "prediction-extra-document",
        ("did you mean 'mini_seed'",),
        1,
        "mini_sed",
        "/document",
    ),
    Case(
        "spans list beyond the text",
        "score-spans",
        _raw(b'{"document": "mini_seed", "start": 4850, "end": 5000, "label": "GPE"}\n'),
        1,
        "span-out-of-range",
        ("ends beyond the text",),
        1,
        MINI,
        "",
    ),
    Case(
        "conll line without a tag",
        "score-conll",
        _raw(b"Syrian\tB-GPE\nrebels\n"),
        1,
        "conll-malformed-line",
        ("1 column",),
        2,
        None,
        "",
    ),
    Case(
        "conll I- tag that continues nothing",
        "score-conll",
        _raw(b"Syrian\tI-GPE\nrebels\tO\n"),
        1,
        "iob2-invalid",
        ("continues no entity",),
        1,
        MINI,
        "",
    ),
    Case(
        "gate threshold above 1",
        "score",
        lambda i: i.line(i.pred),
        2,
        None,
        ("not a fraction in [0, 1]",),
        extra=("--fail-under", "entities.strict.f1=80"),
    ),
    Case(
        "gate threshold NaN",
        "score",
        lambda i: i.line(i.pred),
        2,
        None,
        ("not a fraction",),
        extra=("--fail-under", "entities.strict.f1=nan"),
    ),
    Case(
        "gate threshold without a field",
        "score",
        lambda i: i.line(i.pred),
        2,
        None,
        ("METRIC.FIELD=VALUE",),
        extra=("--fail-under", "entities=0.5"),
    ),
    Case(
        "gate on a JSON list",
        "gate",
        _raw(b"[1, 2]\n"),
        1,
        "report-invalid",
        ('is not of type "object"',),
        None,
        None,
        "",
        extra=("--fail-under", "entities.strict.f1=0.5"),
    ),
    Case(
        "gate on invalid JSON",
        "gate",
        _raw(b"{oops"),
        1,
        "report-invalid",
        ("not valid JSON", "Expecting"),
        None,
        None,
        "",
        extra=("--fail-under", "entities.strict.f1=0.5"),
    ),
    Case(
        "gate on binary bytes",
        "gate",
        _raw(b"\xff\xfe\x00"),
        1,
        "report-invalid",
        ("not UTF-8 text", "utf-8"),
        None,
        None,
        "",
        extra=("--fail-under", "entities.strict.f1=0.5"),
    ),
    Case(
        "gate on a prediction file",
        "gate",
        lambda i: i.line(i.pred),
        1,
        "report-invalid",
        ("not a newsbench report",),
        None,
        None,
        "/format",
        extra=("--fail-under", "entities.strict.f1=0.5"),
    ),
]


def _argv(case: Case, path: Path, gold: Path) -> list[str]:
    score = [
        "score",
        "--gold",
        str(gold),
        "--pred",
        str(path),
        "--format",
        "json",
        "--resamples",
        "10",
    ]
    commands = {
        "validate-gold": ["validate", "--format", "json", str(path)],
        "validate-pred": ["validate", "--kind", "prediction", "--format", "json", str(path)],
        "score": score,
        "score-spans": [*score, "--pred-format", "spans"],
        "score-conll": [*score, "--pred-format", "conll"],
        "gate": ["gate", "--format", "json", str(path)],
    }
    return [*commands[case.command], *case.extra]


@pytest.fixture
def inputs(mini_record: Record) -> Inputs:
    keep = ("id", "start", "end", "text", "type")
    pred = {
        "id": mini_record["id"],
        "text": mini_record["text"],
        "mentions": [{k: m[k] for k in keep} for m in mini_record["mentions"]],
    }
    return Inputs(mini_record, pred, _emoji_record())


def test_the_table_is_broad() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.code for c in CASES if c.code} <= set(PROBLEM_CODES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, inputs: Inputs, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "input.jsonl"
    if case.content is not None:
        path.write_bytes(case.content(inputs))
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [inputs.gold])
    before = sorted(p.name for p in tmp_path.iterdir())

    code = main(_argv(case, path, gold))

    captured = capsys.readouterr()
    problems = [json.loads(x) for x in captured.err.splitlines() if x.startswith("{")]
    assert code == case.exit, captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no temp
    if case.code is None:
        assert problems == []
        text = captured.err
        for word in case.words:
            assert word in text, f"{word!r} not in {text!r}"
        return
    matching = [p for p in problems if p["code"] == case.code]
    assert matching, f"no {case.code}; got {[(p['code'], p['path']) for p in problems]}"
    problem = matching[0]
    text = f"{problem['message']} {problem['expected']} {problem['fix']}"
    for word in case.words:
        assert word in text, f"{word!r} not in {text!r}"
    assert problem["file"] == str(path)
    for key in ("line", "document", "path"):
        expected = getattr(case, key)
        if expected is not ANY:
            assert problem[key] == expected, (key, problem)


# --- findings fixed in eval/cli.py, eval/report.py and baselines/base.py ---------------


def test_score_with_a_label_map_onto_an_unknown_type_exits_1(
    inputs: Inputs, tmp_path: Path
) -> None:
    pred, gold, label_map = tmp_path / "p.jsonl", tmp_path / "g.jsonl", tmp_path / "map.json"
    write_jsonl(pred, [inputs.pred])
    write_jsonl(gold, [inputs.gold])
    label_map.write_text(json.dumps({"name": "x", "map": {"PERSON": "PERS"}}))
    argv = ["score", "--gold", str(gold), "--pred", str(pred), "--label-map", str(label_map)]
    assert main(argv) == 1


def test_gate_on_a_report_without_metrics_is_a_data_error(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"format": "newsbench-report/1"}))
    assert main(["gate", str(path), "--fail-under", "entities.strict.f1=0.5"]) == 1
    err = capsys.readouterr().err
    assert "error[report-invalid]" in err and '"metrics" is a required property' in err


def test_score_out_into_a_directory_is_a_usage_error(inputs: Inputs, tmp_path: Path) -> None:
    pred, gold = tmp_path / "p.jsonl", tmp_path / "g.jsonl"
    write_jsonl(pred, [inputs.pred])
    write_jsonl(gold, [inputs.gold])
    argv = [
        "score",
        "--gold",
        str(gold),
        "--pred",
        str(pred),
        "--resamples",
        "10",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 2


# --- label maps (the loader; the CLI finding is above) -------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "words", "path"),
    [
        (
            {"name": "x", "map": {"PERSON": "PERS"}},
            "label-map-unknown-target",
            ("onto 'PERS'", "did you mean 'PER'"),
            "/map/PERSON",
        ),
        (
            {"name": "x", "map": {"PERSON": ["PER"]}},
            "label-map-invalid",
            ("onto ['PER'], which is not a string or null",),
            "/map/PERSON",
        ),
        ({"name": "x"}, "label-map-invalid", ("no 'map' object",), ""),
        ([1, 2], "label-map-invalid", ("no 'map' object",), ""),
        ("{oops", "label-map-invalid", ("cannot read the label map",), ""),
    ],
    ids=["unknown target", "list target", "no map", "array", "invalid json"],
)
def test_label_map_problems(tmp_path: Path, content: Any, code: str, words: Any, path: str):
    file = tmp_path / "map.json"
    file.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(DataError) as error:
        load_label_map(file)
    problem = error.value.problems[0]
    assert problem.code == code and problem.file == str(file) and problem.path == path
    for word in words:
        assert word in problem.message


# --- files that cannot be read ------------------------------------------------------------


def test_directory_and_missing_file_are_reported_not_raised(tmp_path: Path, capsys: Any):
    for target, reason in ((tmp_path, "Is a directory"), (tmp_path / "nope", "No such file")):
        problems = validate_file(target)
        assert [(p.code, p.file, p.line) for p in problems] == [
            ("file-not-found", str(target), None)
        ]
        assert reason in problems[0].message
        folder = "name a JSON Lines file inside the folder: a folder is not read"
        assert (problems[0].fix == folder) is (target == tmp_path)
    assert main(["validate", str(tmp_path)]) == 2
    assert main(["score", "--pred", str(tmp_path)]) == 2
    assert "is a directory; an input must be a regular file" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "nope: not found" in capsys.readouterr().err


def test_unreadable_file_is_a_data_problem(
    inputs: Inputs, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    path = tmp_path / "secret.jsonl"
    write_jsonl(path, [inputs.gold])
    path.chmod(0)
    try:
        readable = os.access(path, os.R_OK)  # root reads anything: simulate the refusal
        if readable:
            real_open = open

            def refuse(file: Any, *args: Any, **kwargs: Any) -> Any:
                if str(file) == str(path):
                    raise PermissionError(13, "Permission denied", str(file))
                return real_open(file, *args, **kwargs)

            monkeypatch.setattr(io_module, "open", refuse, raising=False)
        assert main(["validate", "--format", "json", str(path)]) == 1
    finally:
        path.chmod(0o644)
    problem = json.loads(capsys.readouterr().err.splitlines()[0])
    assert problem["code"] == "file-not-found" and problem["file"] == str(path)
    assert "Permission denied" in problem["message"]


# --- size: a 100 MB line and a bad line 200,000 lines deep ---------------------------------

LONG = 100 * 2**20


@pytest.mark.parametrize("complete", [False, True], ids=["cut short", "valid"])
def test_a_100_mb_line_is_handled_with_bounded_memory(tmp_path: Path, complete: bool) -> None:
    path = tmp_path / "long.jsonl"
    write_long_line(path, LONG, complete=complete)
    result = measure_in_subprocess(path, "prediction")
    path.unlink()
    codes = [(p["code"], p["line"]) for p in result["problems"]]
    assert codes == ([] if complete else [("invalid-json", 1)])
    # The line is read once; the reader, its UTF-8 decoding and the parsed string each
    # hold a copy while the line is processed (measured: about 4x). Not more.
    assert result["growth_bytes"] < 5 * LONG, result["growth_bytes"] / LONG


def test_a_bad_line_200000_lines_deep_is_reported_while_streaming(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    write_many_lines(path, 200_010, bad_line=200_000)
    size = path.stat().st_size
    result = measure_in_subprocess(path, "read")
    assert [(p["code"], p["line"], p["file"]) for p in result["problems"]] == [
        ("invalid-json", 200_000, str(path))
    ]
    assert result["growth_bytes"] < size / 2  # streamed: the file is never held whole
    # in process too: the problem arrives before the reader has reached the end
    lines = iter_jsonl(path)
    for item in lines:
        if item.problem is not None:
            break
    assert item.line == 200_000 and item.problem.code == "invalid-json"
    assert sum(1 for _ in lines) == 10


# --- nothing lost: atomic writes ------------------------------------------------------------


class Boom(Exception):
    """The simulated failure."""


def _no_temp_files(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_write_jsonl_failing_mid_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_jsonl(path, [{"id": "old"}])
    before = path.read_bytes()

    def records() -> Any:
        yield {"id": "new1"}
        yield {"id": "new2"}
        raise Boom

    with pytest.raises(Boom):
        write_jsonl(path, records())
    assert path.read_bytes() == before
    _no_temp_files(tmp_path)
    with pytest.raises(TypeError):  # a record orjson cannot serialise
        write_jsonl(path, [{"id": "x"}, {"bad": object()}])
    assert path.read_bytes() == before
    _no_temp_files(tmp_path)


@pytest.mark.parametrize("writer", ["json", "text"])
def test_report_writers_failing_mid_write_keep_the_previous_file(
    tmp_path: Path, monkeypatch: Any, writer: str
) -> None:
    path = tmp_path / "report.out"
    path.write_text("previous report\n")
    if writer == "json":
        with pytest.raises(TypeError):  # fails after part of the JSON was written
            report_module.write_json(path, {"a": list(range(1000)), "b": object()})
    else:

        def failing_replace(src: Any, dst: Any) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(io_module.os, "replace", failing_replace)
        with pytest.raises(OSError, match="No space left"):
            report_module.write_text(path, "new report " * 10_000)
    assert path.read_text() == "previous report\n"
    _no_temp_files(tmp_path)


def test_interrupt_during_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_jsonl(path, [{"id": "old"}])

    def records() -> Any:
        yield {"id": "new"}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_jsonl(path, records())
    assert path.read_bytes() == b'{"id":"old"}\n'
    _no_temp_files(tmp_path)


# --- security -------------------------------------------------------------------------------

_DANGEROUS = re.compile(
    r"(?<![\w.])(eval|exec|compile|__import__)\s*\(|\bpickle\b|\bmarshal\b|\bshelve\b|"
    r"yaml\.(unsafe_)?load\s*\(|\bdill\b|os\.system\s*\(|shell\s*=\s*True"
)


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Source lines without comments and docstrings (a crude but strict filter)."""
    import tokenize

    keep: dict[int, list[str]] = {}
    previous = tokenize.INDENT
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type == tokenize.COMMENT:
                continue
            if token.type == tokenize.STRING and previous in (
                tokenize.INDENT,
                tokenize.NEWLINE,
                tokenize.NL,
                tokenize.DEDENT,
                tokenize.ENCODING,
            ):
                previous = token.type
                continue  # a docstring or a bare string statement
            if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING):
                keep.setdefault(token.start[0], []).append(token.string)
            previous = token.type
    return [(n, " ".join(parts)) for n, parts in sorted(keep.items())]


def _hits(path: Path) -> list[int]:
    """Line numbers of code (not comments or docstrings) that uses a dangerous call."""
    return [
        number
        for number, line in _code_lines(path)
        if _DANGEROUS.search(line.replace(" . ", ".").replace(" (", "("))
    ]


def test_no_eval_exec_pickle_or_marshal_in_the_package() -> None:
    sources = [p for d in PACKAGE_DIRS for p in sorted((REPO / d).rglob("*.py"))]
    assert len(sources) > 20
    found = [f"{s.relative_to(REPO)}:{n}" for s in sources for n in _hits(s)]
    assert found == []


def test_the_scanner_would_catch_them(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        '"""Docs may say eval(x) and pickle."""\n'
        "# a comment: exec(x)\n"
        "import pickle\n"
        "value = eval(text)\n"
        "data = yaml.load(stream)\n"
        "obj.evaluate(x)\n"
    )
    assert _hits(bad) == [3, 4, 5]


@pytest.mark.parametrize(
    "spec",
    [
        "subprocess.Popen",
        "no_such_module_xyz:Thing",
        "newsbench.baselines.floor:Floor Extractor",
        "newsbench.baselines.floor:__import__('os')",
        ":FloorExtractor",
        "newsbench.baselines.floor:",
        "../../etc/passwd",
        "floor; rm -rf /",
        "newsbench.baselines.floor:NoSuchClass",
    ],
)
def test_extractor_names_are_refused_unless_well_formed(spec: str) -> None:
    from newsbench.baselines.base import ExtractorNameError, import_extractor_class

    with pytest.raises(ExtractorNameError):
        import_extractor_class(spec)


@pytest.mark.parametrize("spec", ["os:system", "builtins:eval"])
def test_well_formed_names_of_functions_are_refused(spec: str) -> None:
    from newsbench.baselines.base import ExtractorNameError, import_extractor_class

    with pytest.raises(ExtractorNameError):
        import_extractor_class(spec)


def test_builtin_extractor_names_resolve_without_importing_input() -> None:
    from newsbench.baselines.base import BUILTIN, import_extractor_class

    assert import_extractor_class("floor").__name__ == "FloorExtractor"
    assert all(re.fullmatch(r"newsbench\.baselines\.\w+:\w+", v) for v in BUILTIN.values())


def test_paths_inside_input_files_are_never_used_to_write(
    inputs: Inputs, tmp_path: Path, monkeypatch: Any
) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("untouched")
    gold = copy.deepcopy(inputs.gold)
    gold["metadata"]["source_file"] = "../../victim.txt"
    pred = {**inputs.pred, "metadata": {**gold["metadata"], "source_file": str(target)}}
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    gold_path, pred_path = work / "gold.jsonl", work / "pred.jsonl"
    write_jsonl(gold_path, [gold])
    write_jsonl(pred_path, [pred])
    monkeypatch.chdir(work)
    opened: list[str] = []
    real_open = open

    def spy(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(c in mode for c in "wax+"):
            opened.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    out = work / "report.json"
    argv = [
        "score",
        "--gold",
        str(gold_path),
        "--pred",
        str(pred_path),
        "--resamples",
        "10",
        "--format",
        "json",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert target.read_text() == "untouched"
    assert not (tmp_path / "victim.txt").is_symlink()
    assert all("victim" not in name for name in opened)
    report = json.loads(out.read_text())
    assert report["format"] == "newsbench-report/2"
