"""Error records kept as JSON lines (ErrorLines): read back equal, moved as bytes."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsbench.eval import error_lines
from newsbench.eval.error_lines import ErrorLines, record_lines
from newsbench.eval.report import encode_json
from newsbench.eval.spill import ErrorSpill

# What ErrorRecord.to_dict gives: strings (any text, line breaks included), offsets, None.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
_RECORD = st.fixed_dictionaries(
    {
        "layer": _TEXT,
        "kind": _TEXT,
        "document": _TEXT,
        "gold": st.none() | st.lists(st.integers(0, 10**6), min_size=2, max_size=2),
        "pred": st.none() | st.lists(st.integers(0, 10**6), min_size=2, max_size=2),
        "gold_text": st.none() | _TEXT,
        "context": _TEXT,
    }
)


@given(st.lists(st.lists(_RECORD, max_size=5), max_size=4))
def test_records_read_back_equal_in_order(pieces: list[list[dict[str, Any]]]) -> None:
    records = [r for piece in pieces for r in piece]
    lines = ErrorLines()
    for piece in pieces:
        lines.extend(piece)
    assert len(lines) == len(records)
    assert list(lines) == records and lines == records
    assert list(lines.raw_lines()) == [orjson.dumps(r) + b"\n" for r in records]
    assert pickle.loads(pickle.dumps(lines)) == records


@given(
    st.integers(0, 9),
    st.one_of(st.none(), st.integers(-12, 12)),
    st.one_of(st.none(), st.integers(-12, 12)),
    st.one_of(st.none(), st.integers(-4, 4).filter(bool)),
)
def test_every_slice_is_the_lists(n: int, start: int | None, stop: int | None, step: int | None):
    records = [{"k": i} for i in range(n)]
    lines = ErrorLines(records)
    assert lines[start:stop:step] == records[start:stop:step]


def test_line_breaks_inside_texts_stay_inside_their_record() -> None:
    records = [{"context": "a\nb\r\nc\u2028d\u0085e"}, {"context": "\n"}]
    lines = ErrorLines(records)
    assert len(list(lines.raw_lines())) == 2
    assert list(lines) == records


def test_it_reads_like_a_list() -> None:
    records = [{"k": i, "text": f"é{i}"} for i in range(7)]
    lines = ErrorLines(records[:3])
    lines.extend(records[3:])
    assert len(lines) == 7 and lines == records and lines != records[:6]
    assert lines[0] == records[0] and lines[-1] == records[-1] and lines[-7] == records[0]
    assert lines[2:5] == records[2:5] and lines[::3] == records[::3] and lines[:100] == records
    for index in (7, -8):
        with pytest.raises(IndexError, match="error record index out of range"):
            lines[index]
    assert encode_json({"errors": lines}) == encode_json({"errors": records})
    assert ErrorLines() == [] and len(ErrorLines()) == 0


def test_extending_by_lines_copies_bytes_without_parsing(monkeypatch) -> None:
    first, second = ErrorLines([{"a": 1}]), ErrorLines([{"b": 2}, {"c": None}])

    def no_parsing(*args: Any) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr(error_lines.orjson, "loads", no_parsing)
    monkeypatch.setattr(error_lines.orjson, "dumps", no_parsing)
    first.extend(second)
    assert len(first) == 3
    assert b"".join(first.raw_lines()) == b'{"a":1}\n{"b":2}\n{"c":null}\n'


def test_pickled_lines_carry_the_json_lines_not_dicts() -> None:
    records = [{"layer": "entities", "context": f"x{i}"} for i in range(50)]
    payload = pickle.dumps(ErrorLines(records))
    assert b"".join(orjson.dumps(r) + b"\n" for r in records) in payload
    assert b"\x8c\x07context" not in payload  # no key pickled as a str of its own


def test_a_spill_takes_lines_as_bytes(tmp_path: Path, monkeypatch) -> None:
    records = [{"k": i} for i in range(4)]
    lines = ErrorLines(records)
    spill = ErrorSpill(tmp_path / "e.jsonl")
    monkeypatch.setattr(error_lines.orjson, "dumps", None)  # would fail if records were re-written
    spill.extend(lines)
    monkeypatch.undo()
    assert len(spill) == 4 and spill == records
    assert (tmp_path / "e.jsonl").read_bytes() == b"".join(lines.raw_lines())


def test_record_lines_writes_dicts_and_copies_lines() -> None:
    records = [{"k": 1}, {"k": "two"}]
    assert list(record_lines(records)) == [b'{"k":1}\n', b'{"k":"two"}\n']
    assert list(record_lines(ErrorLines(records))) == list(record_lines(records))


@given(st.lists(st.lists(_RECORD, max_size=5), max_size=4), st.integers(1, 400))
def test_chunks_hold_the_lines_whole_and_in_order(
    pieces: list[list[dict[str, Any]]], size: int
) -> None:
    records = [r for piece in pieces for r in piece]
    expected = b"".join(orjson.dumps(r) + b"\n" for r in records)
    lines = ErrorLines()
    for piece in pieces:
        lines.extend(piece)
    for source in (records, lines):
        chunks = list(error_lines.record_chunks(source))
        assert b"".join(chunks) == expected
        assert all(chunk.endswith(b"\n") for chunk in chunks)
        assert sum(chunk.count(b"\n") for chunk in chunks) == len(records)
    small = list(error_lines._joined(error_lines.record_lines(records), size))
    assert b"".join(small) == expected and all(c.endswith(b"\n") for c in small)
    for chunk in small:  # a piece ends with the line that reaches the size
        before_last_line = chunk[: chunk[:-1].rfind(b"\n") + 1]
        assert len(before_last_line) < size


def test_a_spill_file_is_read_back_in_pieces_of_whole_lines(tmp_path: Path) -> None:
    long = {"context": "x" * (3 << 20)}  # one line longer than a piece
    records = [{"k": 1}, long, *({"k": i} for i in range(100_000)), long, {"k": 2}]
    spill = ErrorSpill(tmp_path / "errors.jsonl")
    spill.extend(records[:3])
    spill.extend(ErrorLines(records[3:]))
    chunks = list(error_lines.record_chunks(spill))
    assert b"".join(chunks) == b"".join(orjson.dumps(r) + b"\n" for r in records)
    assert all(chunk.endswith(b"\n") for chunk in chunks) and len(chunks) > 2
    assert sum(chunk.count(b"\n") for chunk in chunks) == len(spill) == len(records)
