"""UnitRows: compact per-unit statistics that read, compare and serialise like lists."""

from __future__ import annotations

import io
import json
import pickle

import numpy as np
import pytest

from newsbench.eval.report import json_default, plain_report, write_json
from newsbench.eval.unit_rows import UnitRows

ROWS = [[1.0, 2.0, 1.0, 3.0], [0.5, 1.0, 0.5, 1.0]]


def test_rows_read_like_lists() -> None:
    rows = UnitRows(ROWS)
    assert len(rows) == 2 and rows.shape == (2, 4)
    assert rows[1] == [0.5, 1.0, 0.5, 1.0] and isinstance(rows[1], list)
    assert list(rows) == ROWS
    assert rows.tolist() == ROWS
    assert rows[1:] == [ROWS[1]] and isinstance(rows[1:], UnitRows)
    assert repr(rows) == "UnitRows(2 units x 4 columns)"


def test_rows_compare_by_value_with_lists_arrays_and_rows() -> None:
    rows = UnitRows(ROWS)
    assert rows == ROWS
    assert ROWS == rows  # noqa: SIM300 - the reflected comparison (list on the left)
    assert rows == np.array(ROWS) and rows == UnitRows(np.array(ROWS))
    assert rows != [ROWS[0]] and rows != [[1.0, 2.0, 1.0, 4.0], ROWS[1]]
    assert rows != "rows" and rows != [["a"]]
    assert {"m": rows} == {"m": ROWS}
    with pytest.raises(TypeError, match="unhashable"):
        hash(rows)


def test_rows_are_read_only_and_arrays_share_them() -> None:
    rows = UnitRows(ROWS)
    array = np.asarray(rows)
    assert array.dtype == np.float64 and not array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        array[0, 0] = 5.0
    assert np.asarray(rows, dtype=np.float32).dtype == np.float32
    assert np.array(rows, copy=True).flags.writeable


def test_empty_rows_and_pickling() -> None:
    empty = UnitRows(np.zeros((0, 4)))
    assert len(empty) == 0 and empty == np.zeros((0, 4)) and empty.tolist() == []
    rows = UnitRows(ROWS)
    assert pickle.loads(pickle.dumps(rows)) == rows


def test_error_rows_must_be_a_table() -> None:
    with pytest.raises(ValueError, match=r"unit rows must be a 2-D table, got shape \(4,\)"):
        UnitRows([1.0, 2.0, 3.0, 4.0])


def test_reports_with_rows_write_the_same_json_as_lists(tmp_path) -> None:
    with_rows = {"unit_statistics": {"metrics": {"m": UnitRows(ROWS)}}, "x": np.float64(0.5)}
    with_lists = {"unit_statistics": {"metrics": {"m": ROWS}}, "x": 0.5}
    write_json(tmp_path / "rows.json", with_rows)
    write_json(tmp_path / "lists.json", with_lists)
    assert (tmp_path / "rows.json").read_bytes() == (tmp_path / "lists.json").read_bytes()
    assert plain_report(with_rows) == with_lists
    assert json.loads((tmp_path / "rows.json").read_text()) == with_rows


def test_error_json_default_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        json.dump({"x": {1}}, io.StringIO(), default=json_default)
