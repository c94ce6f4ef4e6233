"""Property-based fuzzing: bad input yields a documented error, never another exception.

Each target is run on random input with a bounded number of examples so that the
suite stays fast; ``benchmarks/fuzz_long.py`` runs the same targets much longer.
The documented outcomes are:

* ``iter_jsonl``: one :class:`JsonlLine` per line, each with a dict value or a
  :class:`Problem` whose code is registered (never raises).
* ``validate_record``: ``(document or None, [Problem, ...])`` (never raises); a
  document is returned only when stage 1 passed.
* converters (CoNLL, spans list) and ``load_label_map``: a result or ``DataError``.
* ``eval/bio.py``: a result or ``BioError``; ``Span`` construction: ``SpanScoringError``.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbench.eval.bio import BioError, bio_to_offsets, offsets_to_bio, read_conll_columns
from newsbench.eval.converters import conll_to_documents, spans_to_documents
from newsbench.eval.pairing import load_label_map, load_predictions
from newsbench.eval.spans import Span, SpanScoringError
from newsbench.schema.io import iter_jsonl
from newsbench.schema.model import Document, document_from_dict
from newsbench.schema.problems import PROBLEM_CODES, DataError, Problem
from newsbench.schema.validate import validate_record

from .strategies import documents

# Example counts per target; benchmarks/fuzz_long.py multiplies them.
EXAMPLES = int(os.environ.get("NEWSBENCH_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GOLD = document_from_dict(
    {"id": "g1", "text": "Syrian rebels entered Damascus on Sunday, Reuters said. Café 😀 ok."}
)
GOLD2 = document_from_dict({"id": "g2", "text": "Hezbollah fighters fled Homs."})


@contextmanager
def _file(data: bytes, suffix: str = ".jsonl") -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        yield path


def _dumps(value: Any) -> bytes:
    """Serialise with the stdlib (orjson refuses integers beyond 64 bits)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _check_problems(problems: Any) -> None:
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.code in PROBLEM_CODES
        assert problem.message and problem.expected and problem.fix


# --- strategies -------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
FRAGMENTS = st.sampled_from(
    [
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b":",
        b",",
        b"\n",
        b"\r\n",
        b"\r",
        b"\xef\xbb\xbf",
        b"\xe9",
        b"\xff",
        b"\x00",
        b"NaN",
        b"Infinity",
        b"-",
        b"1e999",
        b"null",
        b"true",
        b'"\\ud800"',
        b'{"id": "d", "text": "t"}',
        b"\x1e",
        b"\t",
        b" ",
        b"\\",
        b"\xf0\x9f\x98",
    ]
)


@st.composite
def jsonl_bytes(draw: Any) -> bytes:
    """Random bytes, JSON fragments and valid-looking lines mixed together."""
    parts = draw(
        st.lists(
            st.binary(max_size=20) | FRAGMENTS | JSON_VALUES.map(lambda v: _dumps(v) + b"\n"),
            max_size=12,
        )
    )
    return b"".join(parts)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


REPLACEMENTS = st.one_of(
    JSON_VALUES,
    st.sampled_from(
        [
            -1,
            0,
            10**6,
            2**63,
            2**64,
            1.5,
            6.0,
            True,
            False,
            None,
            "0",
            "",
            "m1_1",
            "t0",
            "a0",
            "GPEE",
            "\U0001f600",
            "é",
            [],
            {},
            [{}],
            "Time",
        ]
    ),
)


@st.composite
def mutated_records(draw: Any) -> dict[str, Any]:
    """A valid generated document with 1-4 random mutations."""
    record = copy.deepcopy(draw(documents(max_tokens=20)))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(record))
        path = draw(st.sampled_from(paths))
        parent_path, key = path[:-1], path[-1] if path else None
        action = draw(st.sampled_from(["delete", "insert", "replace", "shift", "swap", "text"]))
        if not path:
            continue
        parent = _get(record, parent_path)
        if action == "delete":
            del parent[key]
        elif action == "insert" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(REPLACEMENTS)
        elif action == "insert" and isinstance(parent, list):
            parent.insert(key, draw(REPLACEMENTS))
        elif action == "replace":
            parent[key] = draw(REPLACEMENTS)
        elif action == "shift" and isinstance(parent[key], int):
            parent[key] = parent[key] + draw(st.integers(-5, 5))
        elif action == "swap" and isinstance(parent, dict) and "id" in parent:
            other = draw(st.sampled_from(paths))
            target = _get(record, other)
            if isinstance(target, dict) and "id" in target:
                parent["id"], target["id"] = target["id"], parent["id"]
        elif action == "text":
            record["text"] = draw(st.text(min_size=0, max_size=40))
    return record


# --- targets ----------------------------------------------------------------------------


@FUZZ
@given(jsonl_bytes())
def test_iter_jsonl_never_raises(data: bytes) -> None:
    with _file(data) as path:
        items = list(iter_jsonl(path))
    assert items
    for item in items:
        assert (item.value is None) != (item.problem is None)
        if item.value is not None:
            assert isinstance(item.value, dict)
        else:
            _check_problems([item.problem])
            assert item.problem.file == str(path)


@FUZZ
@given(jsonl_bytes())
def test_load_predictions_raises_only_data_error(data: bytes) -> None:
    with _file(data) as path:
        try:
            loaded = load_predictions(path)
        except DataError as error:
            assert error.problems
            _check_problems(error.problems)
        else:
            assert all(isinstance(d, Document) for d in loaded.documents)


@FUZZ
@given(mutated_records(), st.sampled_from(["document", "prediction"]))
def test_validate_record_never_raises(record: dict[str, Any], kind: Any) -> None:
    document, problems = validate_record(record, kind, file="f.jsonl", line=7)
    _check_problems(problems)
    assert all(p.file == "f.jsonl" and p.line == 7 for p in problems)
    if document is None:
        assert problems
    else:
        assert isinstance(document, Document)


@FUZZ
@given(JSON_VALUES)
def test_validate_record_on_any_json_value(value: Any) -> None:
    document, problems = validate_record(value, "prediction")
    _check_problems(problems)
    assert document is None or isinstance(document, Document)


TOKENS = st.sampled_from(
    [
        "Syrian",
        "rebels",
        "entered",
        "Damascus",
        "on",
        "Sunday",
        ",",
        ".",
        "Reuters",
        "said",
        "Café",
        "😀",
        "ok",
        "Hezbollah",
        "fighters",
        "fled",
        "Homs",
        "-DOCSTART-",
        "g1",
        "g2",
        "-X-",
        "",
        " ",
        "\t",
        "x y",
    ]
)
TAGS = st.sampled_from(
    [
        "O",
        "B-PER",
        "I-PER",
        "B-GPE",
        "I-GPE",
        "B-LOC",
        "I-ORG",
        "B-",
        "I-",
        "X",
        "",
        "B-PERSON",
        "b-per",
    ]
)


@st.composite
def conll_bytes(draw: Any) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append("")
        elif kind == 1:
            lines.append(f"-DOCSTART- {draw(TOKENS)}")
        elif kind == 2:
            lines.append(draw(st.text(max_size=12)))
        else:
            sep = draw(st.sampled_from(["\t", " ", "  "]))
            lines.append(f"{draw(TOKENS)}{sep}{draw(TAGS)}")
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xe9"])) + data
    return data


@FUZZ
@given(conll_bytes(), st.sampled_from([-1, 1, 2, 0, -5]), st.booleans())
def test_conll_converter_raises_only_data_error(data: bytes, tag_column: int, two: bool) -> None:
    gold = [GOLD, GOLD2] if two else [GOLD]
    with _file(data, ".conll") as path:
        try:
            loaded = conll_to_documents(path, gold, tag_column=tag_column)
        except DataError as error:
            _check_problems(error.problems)
        else:
            assert all(d.text in {g.text for g in gold} for d in loaded.documents)


SPAN_RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "document": st.sampled_from(["g1", "g2", "g3", 1, None]),
        "start": st.one_of(st.integers(-3, 80), st.sampled_from([1.0, "0", True, None, 2**64])),
        "end": st.one_of(st.integers(-3, 80), st.sampled_from([2.5, "3", False, None])),
        "label": st.sampled_from(["PER", "GPE", "ORG", "DATE", "PERSON", "", 3, None]),
        "layer": st.sampled_from(["mentions", "time_expressions", "events", 1]),
        "value": st.sampled_from(["2024-12-08", None, 5, "x"]),
        "extra": JSON_SCALARS,
    },
)


@FUZZ
@given(st.lists(SPAN_RECORDS | JSON_VALUES, max_size=8))
def test_spans_converter_raises_only_data_error(records: list[Any]) -> None:
    data = b"".join(_dumps(r) + b"\n" for r in records)
    with _file(data) as path:
        try:
            spans_to_documents(path, [GOLD, GOLD2])
        except DataError as error:
            _check_problems(error.problems)


@FUZZ
@given(JSON_VALUES | st.binary(max_size=30))
def test_load_label_map_raises_only_data_error(value: Any) -> None:
    data = value if isinstance(value, bytes) else _dumps(value)
    with _file(data, ".json") as path:
        try:
            load_label_map(path)
        except DataError as error:
            _check_problems(error.problems)


OFFSETS = st.one_of(st.integers(-2, 30), st.sampled_from([1.5, "1", None, True]))


def _documented(call: Callable[[], Any], *errors: type[BaseException]) -> None:
    with suppress(errors):
        call()


@FUZZ
@given(
    st.lists(
        st.one_of(
            st.tuples(OFFSETS, OFFSETS),
            st.tuples(st.text(max_size=3), OFFSETS, OFFSETS),
            JSON_SCALARS,
        ),
        max_size=8,
    ),
    st.lists(st.one_of(TAGS, JSON_SCALARS), max_size=8),
    st.booleans(),
)
def test_bio_to_offsets_raises_only_bio_error(tokens: list[Any], tags: list[Any], repair: bool):
    _documented(lambda: bio_to_offsets(tokens, tags, repair=repair), BioError)


@FUZZ
@given(
    st.text(max_size=30),
    st.lists(st.tuples(st.integers(-2, 35), st.integers(-2, 35), TAGS), max_size=5),
)
def test_offsets_to_bio_raises_only_documented_errors(text: str, raw: list[Any]) -> None:
    spans = []
    for start, end, label in raw:
        try:
            spans.append(Span(start, end, label))
        except SpanScoringError:
            continue
    _documented(lambda: offsets_to_bio(text, spans), BioError)


@FUZZ
@given(st.lists(st.text(max_size=15), max_size=15), st.integers(-4, 4))
def test_read_conll_columns_raises_only_bio_error(lines: list[str], tag_column: int) -> None:
    def run() -> None:
        for sentence in read_conll_columns(lines, tag_column):
            _documented(sentence.to_spans, BioError)

    _documented(run, BioError)
