"""Statistics kept on disk while scoring in blocks (eval/spill.py)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pytest

from newsbench.eval.blocks import score_files_in_blocks
from newsbench.eval.harness import ScoringConfig, score_documents, score_shard
from newsbench.eval.pairing import pair_documents
from newsbench.eval.report import encode_json
from newsbench.eval.spill import ErrorSpill, SpilledRun, SpilledUnitRows
from newsbench.eval.unit_rows import UnitRows
from newsbench.schema.validate import load_documents
from tests.synthetic_files import without_provenance, write_synthetic

CONFIG = ScoringConfig(n_resamples=20)
LAYERS = ["mentions", "time_expressions", "events", "attributions"]


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    gold, pred = write_synthetic(tmp_path_factory.mktemp("spill"), 12, seed=5, n_chars=500)
    return pair_documents(load_documents(gold), load_documents(pred, "prediction"))


def _shard(pairs, keep="all"):
    return score_shard(pairs, CONFIG, layers=LAYERS, unit="document", keep=keep)


def test_a_spilled_run_equals_the_merged_shards(pairs):
    expected = _shard(pairs)
    run = SpilledRun()
    for start in (0, 3, 4, 9):  # blocks of 3, 1, 5 and 3 documents
        stop = {0: 3, 3: 4, 4: 9, 9: 12}[start]
        run.absorb(_shard(pairs[start:stop]))
    spilled = run.shard()
    assert spilled.unit_ids == expected.unit_ids
    assert sorted(spilled.rows) == sorted(expected.rows)
    for metric in expected.rows:  # a metric absent from a block reads as zero rows there
        assert np.array_equal(spilled.matrix(metric), expected.matrix(metric)), metric
        assert np.array_equal(spilled.total(metric), expected.total(metric)), metric
        rows = spilled.unit_rows(metric)
        assert isinstance(rows, SpilledUnitRows) and rows == expected.unit_rows(metric)
    assert list(spilled.errors) == expected.errors and len(spilled.errors) == len(expected.errors)
    assert sorted(spilled.coref_rows) == sorted(expected.coref_rows)
    for name in expected.coref_rows:
        assert np.array_equal(spilled.coref_matrix(name), expected.coref_matrix(name)), name
        for k in range(expected.coref_width() // 4):
            rows = spilled.coref_unit_rows(name, k)
            assert isinstance(rows, SpilledUnitRows) and rows == expected.coref_unit_rows(name, k)


def test_spilled_rows_pickle_and_encode_as_rows(pairs):
    import pickle

    run = SpilledRun()
    run.absorb(_shard(pairs[:4]))
    shard = run.shard()
    rows = shard.unit_rows("entities.strict")
    again = pickle.loads(pickle.dumps(rows))
    assert type(again) is UnitRows and again == rows
    assert encode_json({"r": rows}) == encode_json({"r": UnitRows(np.asarray(rows))})


def test_a_run_keeps_every_statistic(pairs):
    with pytest.raises(ValueError, match="keeps every statistic"):
        SpilledRun().absorb(_shard(pairs[:2], keep="headline"))
    with pytest.raises(ValueError, match="no shard"):
        SpilledRun().shard()


def test_the_temporary_files_live_as_long_as_what_reads_them(pairs):
    run = SpilledRun()
    run.absorb(_shard(pairs[:2]))
    folder = run._folder
    shard = run.shard()
    rows, errors = shard.unit_rows("entities.strict"), shard.errors
    expected_rows, expected_errors = UnitRows(np.asarray(rows)), list(errors)
    del run, shard
    gc.collect()
    assert folder.is_dir()  # a report built from the shard still reads its rows and errors
    assert rows == expected_rows and list(errors) == expected_errors
    del rows, errors
    gc.collect()
    assert not folder.exists()


def test_an_error_spill_reads_like_a_list(tmp_path: Path):
    records = [{"k": i, "text": f"é{i}"} for i in range(7)]
    spill = ErrorSpill(tmp_path / "e.jsonl")
    spill.extend(records[:3])
    spill.extend(records[3:])
    assert len(spill) == 7 and spill == records and spill != records[:6]
    assert spill[0] == records[0] and spill[-1] == records[-1] and spill[2:5] == records[2:5]
    assert spill[:100] == records and spill[::3] == records[::3]
    with pytest.raises(IndexError):
        spill[7]
    assert b"".join(spill.raw_lines()).decode("utf-8").count("\n") == 7
    assert encode_json({"errors": spill}) == encode_json({"errors": records})


def test_a_finished_run_holds_no_file_open(tmp_path: Path):
    gold, pred = write_synthetic(tmp_path, 9, seed=3, n_chars=400)
    config = ScoringConfig(n_resamples=20)
    folder = Path(f"/proc/{os.getpid()}/fd")
    if not folder.is_dir():
        pytest.skip("no /proc to count open files")
    before = len(list(folder.iterdir()))
    report = score_files_in_blocks(gold, pred, config, block_size=4)
    assert report is not None
    assert len(list(folder.iterdir())) == before  # nothing held open by the unread report
    expected = score_documents(
        pair_documents(load_documents(gold), load_documents(pred, "prediction")), config
    )
    assert without_provenance(report) == without_provenance(expected)
