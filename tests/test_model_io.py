"""Loader and writer: exact round trips, streaming with line numbers, atomic writes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from newsbench.schema.io import iter_jsonl, write_jsonl
from newsbench.schema.model import document_from_dict, document_to_dict
from newsbench.schema.validate import load_documents, validate_record

from .strategies import documents


def test_mini_document_round_trips_exactly(tmp_path, mini_document):
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [document_to_dict(mini_document)])
    loaded = load_documents(path)
    assert loaded == [mini_document]
    again = tmp_path / "b.jsonl"
    write_jsonl(again, [document_to_dict(d) for d in loaded])
    assert again.read_bytes() == path.read_bytes()


@settings(max_examples=60, deadline=None)
@given(documents())
def test_generated_documents_validate_and_round_trip(record):
    document, problems = validate_record(record)
    assert problems == []
    assert document_to_dict(document) == record
    assert document_from_dict(document_to_dict(document)) == document


def test_reader_streams_with_line_numbers(tmp_path, mini_record):
    path = tmp_path / "many.jsonl"
    records = []
    for i in range(3):
        record = dict(mini_record, id=f"doc{i}")
        records.append(record)
    write_jsonl(path, records)
    lines = list(iter_jsonl(path))
    assert [(line.line, line.value["id"]) for line in lines] == [
        (1, "doc0"),
        (2, "doc1"),
        (3, "doc2"),
    ]


def test_failed_write_leaves_no_file(tmp_path, mini_record):
    path = tmp_path / "out.jsonl"

    def records():
        yield mini_record
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_jsonl(path, records())
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(tmp_path, mini_record):
    path = tmp_path / "out.jsonl"
    write_jsonl(path, [mini_record])
    before = path.read_bytes()

    def records():
        yield mini_record
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_jsonl(path, records())
    assert path.read_bytes() == before


def test_written_files_get_ordinary_permissions(tmp_path, mini_record):
    import os
    import stat

    path = tmp_path / "out.jsonl"
    write_jsonl(path, [mini_record])
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
