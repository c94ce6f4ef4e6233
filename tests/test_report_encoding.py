"""The fast report writer writes exactly what ``json.dump(indent=2)`` writes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.report import encode_json, json_default, write_json
from newsbench.eval.unit_rows import UnitRows


def _standard(data) -> bytes:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=json_default, allow_nan=False)
    return text.encode("utf-8") + b"\n"


def test_a_report_is_written_byte_for_byte_as_before(tmp_path, mini_document):
    report = score_documents(pair_documents([mini_document], [mini_document]), ScoringConfig())
    assert encode_json(report) == _standard(report)
    write_json(tmp_path / "r.json", report)
    assert (tmp_path / "r.json").read_bytes() == _standard(report)


def test_the_stored_reports_are_unchanged(repo_root):
    stored = sorted((repo_root / "corpus" / "reports").rglob("*.json"))
    assert len(stored) >= 10
    for path in stored:
        assert encode_json(json.loads(path.read_bytes())) == path.read_bytes(), path


floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1e-05, 2.5e-07, -1e-300, 5e-324, 1e16, -0.0, 0.0001, 1e-4 * (1 - 1e-16)]
)
texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)
leaves = floats | st.integers() | st.booleans() | st.none() | texts
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_json_value_is_written_as_the_standard_encoder_writes_it(value):
    assert encode_json(value) == _standard(value)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(floats, min_size=4, max_size=4), min_size=1, max_size=6))
def test_unit_rows_are_written_as_nested_lists(rows):
    data = {"metrics": {"m": UnitRows(np.array(rows, dtype=np.float64))}}
    assert encode_json(data) == _standard(data)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused(bad):
    with pytest.raises(ValueError, match="not JSON compliant"):
        encode_json({"f1": bad})
    with pytest.raises(ValueError, match="not JSON compliant"):
        encode_json({"rows": UnitRows(np.array([[1.0, bad, 0.0, 0.0]]))})


def test_what_orjson_refuses_takes_the_standard_path():
    assert encode_json({1: "int key"}) == _standard({1: "int key"})
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate: as the old writer did
        encode_json({"s": "\ud800"})
    with pytest.raises(TypeError):
        encode_json({"x": object()})


def test_write_json_streams_the_same_bytes_and_never_half_writes(tmp_path):
    path = tmp_path / "r.json"
    big = {"n": 2**70, "rows": [1.5, "x"]}  # orjson refuses the integer: the standard path
    write_json(path, big)
    assert path.read_bytes() == _standard(big)
    with pytest.raises(ValueError, match="not JSON compliant"):
        write_json(tmp_path / "nan.json", {"f1": math.nan})
    assert not (tmp_path / "nan.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no temporary file left
