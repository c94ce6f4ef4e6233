"""Scoring at scale: mergeable shards, parallel scoring, streaming, datasets.map recipe."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from newsbench.eval import stats
from newsbench.eval.error_lines import ErrorLines
from newsbench.eval.harness import (
    ScoringConfig,
    ShardScores,
    gold_digest,
    merge_shards,
    report_from_shard,
    score_documents,
    score_shard,
    score_stream,
)
from newsbench.eval.pairing import DocumentPair, pair_documents
from newsbench.eval.report import json_default
from newsbench.eval.spill import RowSpill
from newsbench.schema.model import Document
from newsbench.schema.validate import validate_record

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthetic import corpus

LAYERS = ["mentions", "time_expressions", "events", "attributions"]


def _records(n: int, seed: int = 3) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return list(corpus(n, seed=seed, n_chars=900))


def _document(record: dict[str, Any], kind: str) -> Document:
    document, problems = validate_record(record, kind)
    assert document is not None and not problems, problems
    return document


@pytest.fixture(scope="module")
def pairs() -> list[DocumentPair]:
    records = _records(14)
    gold = [_document(g, "document") for g, _ in records]
    pred = [_document(p, "prediction") for _, p in records]
    return pair_documents(gold, pred)


def _without_provenance(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "provenance"}


def _json(report: dict[str, Any]) -> bytes:
    return orjson.dumps(report, default=json_default)


@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_parallel_scoring_gives_the_same_report(pairs, unit) -> None:
    config = ScoringConfig(unit=unit, n_resamples=100)
    one = score_documents(pairs, config)
    two = score_documents(pairs, config, jobs=2)
    assert _json(_without_provenance(two)) == _json(_without_provenance(one))
    # The workers' records come back as their JSON lines, and read back equal.
    assert isinstance(two["errors"], ErrorLines) and len(two["errors"]) > 0
    assert two["errors"] == one["errors"]


def test_merged_shards_equal_one_shard(pairs) -> None:
    config = ScoringConfig(n_resamples=50)
    kwargs: dict[str, Any] = {"layers": LAYERS, "unit": "document"}
    whole = score_shard(pairs, config, **kwargs)
    parts = [score_shard(pairs[a:b], config, **kwargs) for a, b in ((0, 3), (3, 4), (4, 14))]
    merged = merge_shards(parts)
    assert merged.unit_ids == whole.unit_ids
    assert set(merged.rows) == set(whole.rows)
    for metric in whole.rows:
        assert np.array_equal(merged.matrix(metric), whole.matrix(metric)), metric
    a = report_from_shard(merged, config, layers=LAYERS, gold_sha256="0" * 64)
    b = report_from_shard(whole, config, layers=LAYERS, gold_sha256="0" * 64)
    assert _json(_without_provenance(a)) == _json(_without_provenance(b))


def test_stream_keeps_headline_statistics_and_bounded_errors(pairs) -> None:
    config = ScoringConfig(n_resamples=100)
    full = score_documents(pairs, config)
    compact = score_stream(iter(pairs), config, layers=LAYERS, max_errors=7)
    for key in ("signature", "headline", "metrics", "entities", "resampling", "layers"):
        assert compact[key] == full[key], key
    kept = compact["unit_statistics"]["metrics"]
    assert set(kept) == {m for m in full["headline"] if m in full["unit_statistics"]["metrics"]}
    for metric, rows in kept.items():
        assert rows == full["unit_statistics"]["metrics"][metric]
    assert compact["errors"] == full["errors"][:7]
    summary = compact["errors_summary"]
    assert (summary["listed"], summary["total"]) == (7, len(full["errors"]))
    assert sum(summary["by_kind"].values()) == len(full["errors"])


def test_stream_with_keep_all_is_the_full_report(pairs) -> None:
    config = ScoringConfig(n_resamples=50)
    full = score_documents(pairs, config)
    stream = score_stream(iter(pairs), config, layers=LAYERS, keep="all")
    assert _json(_without_provenance(stream)) == _json(_without_provenance(full))


@pytest.mark.parametrize("keep", ["headline", "all"])
@pytest.mark.parametrize("every", [1, 3, 5, 100])
@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_stream_with_rows_on_disk_is_the_same_report(pairs, unit, every, keep) -> None:
    """RowSpill moves the rows out every few documents: the report does not change."""
    config = ScoringConfig(unit=unit, n_resamples=60)
    held = score_stream(iter(pairs), config, layers=LAYERS, keep=keep)
    spilled = score_stream(
        iter(pairs), config, layers=LAYERS, keep=keep, row_sink=RowSpill(every=every)
    )
    assert _json(_without_provenance(spilled)) == _json(_without_provenance(held))


def test_a_shard_whose_rows_are_moving_out_does_not_merge(pairs) -> None:
    config = ScoringConfig(n_resamples=10)
    kwargs: dict[str, Any] = {"layers": LAYERS, "unit": "document"}
    sink = RowSpill(every=2)
    moving = score_shard(pairs[:4], config, **kwargs)
    sink.take(moving)
    with pytest.raises(ValueError, match="RowSink"):
        moving.merge(score_shard(pairs[4:6], config, **kwargs))


def test_stream_rejects_a_layer_no_prediction_gives(pairs) -> None:
    stripped = [DocumentPair(p.gold, Document(id=p.gold.id, text=p.gold.text)) for p in pairs[:2]]
    with pytest.raises(ValueError, match="do not give the layer"):
        score_stream(stripped, ScoringConfig(n_resamples=10), layers=["events"])


def test_parallel_jobs_must_be_positive(pairs) -> None:
    with pytest.raises(ValueError, match="jobs"):
        score_documents(pairs, ScoringConfig(n_resamples=10), jobs=0)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_shared_bootstrap_equals_one_by_one(method) -> None:
    rng = np.random.default_rng(5)
    tables = [rng.integers(0, 5, (300, 4)).astype(np.float64) / d for d in (1, 2, 3)]
    statistic = stats.f1_from_pr_counts()
    shared = stats.bootstrap_cis(tables, statistic, n_resamples=300, method=method)
    for table, ci in zip(tables, shared, strict=True):
        assert ci == stats.bootstrap_ci(table, statistic, n_resamples=300, method=method)
    with pytest.raises(stats.StatsInputError, match="different numbers of units"):
        stats.bootstrap_cis([tables[0], tables[1][:10]], statistic)


@pytest.mark.parametrize("budget", [1, 9_600, 20_000, 1 << 30])
@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_loaded_tables_give_the_intervals_of_held_tables(method, budget) -> None:
    """Tables given as loaders are held a group at a time (each group draws the same
    resamples again): the intervals equal those of the tables held all together."""
    rng = np.random.default_rng(7)
    tables = [rng.integers(0, 5, (300, 4)).astype(np.float64) / d for d in (1, 2, 3, 7)]
    statistic = stats.f1_from_pr_counts()
    loads: list[int] = []

    def loader(k: int):
        def load() -> np.ndarray:
            loads.append(k)
            return tables[k]

        return load

    held = stats.bootstrap_cis(tables, statistic, n_resamples=300, method=method)
    loaded = stats.bootstrap_cis(
        [loader(k) for k in range(4)],
        statistic,
        n_resamples=300,
        method=method,
        budget_bytes=budget,
    )
    assert loaded == held
    assert sorted(loads) == [0, 0, 1, 1, 2, 2, 3, 3]  # checked once, resampled once
    mixed = stats.bootstrap_cis(
        [tables[0], loader(1), tables[2], loader(3)],
        statistic,
        n_resamples=300,
        method=method,
        budget_bytes=budget,
    )
    assert mixed == held


def test_table_groups_stay_under_the_budget() -> None:
    assert stats._table_groups([4, 4, 4, 4], 8) == [[0, 1], [2, 3]]
    assert stats._table_groups([10, 4, 4], 8) == [[0], [1, 2]]
    assert stats._table_groups([4, 10, 4], 8) == [[0], [1], [2]]
    assert stats._table_groups([], 8) == []


def test_a_loaded_table_is_checked() -> None:
    statistic = stats.f1_from_pr_counts()
    good = np.ones((5, 4))
    with pytest.raises(stats.StatsInputError, match="finite counts"):
        stats.bootstrap_cis([good, lambda: np.full((5, 4), np.nan)], statistic)


# --- the datasets.map recipe (documented in benchmarks/RESULTS.md) --------------------------


def score_batch(
    batch: dict[str, list[Any]], config: ScoringConfig, layers: list[str], unit: str
) -> dict[str, list[bytes]]:
    """datasets.map function: validate and score a batch, return its pickled statistics."""
    pairs = [
        DocumentPair(
            _document(orjson.loads(g), "document"), _document(orjson.loads(p), "prediction")
        )
        for g, p in zip(batch["gold"], batch["pred"], strict=True)
    ]
    shard = score_shard(pairs, config, layers=layers, unit=unit)  # type: ignore[arg-type]
    return {"statistics": [pickle.dumps(shard)]}


def test_datasets_map_recipe_with_two_processes(pairs, tmp_path) -> None:
    datasets = pytest.importorskip("datasets")
    records = _records(14)
    dataset = datasets.Dataset.from_dict(
        {
            "gold": [orjson.dumps(g).decode() for g, _ in records],
            "pred": [orjson.dumps(p).decode() for _, p in records],
        }
    )
    config = ScoringConfig(n_resamples=100)
    unit = config.resolved_unit(len(dataset))
    shards = dataset.map(
        score_batch,
        batched=True,
        batch_size=3,
        num_proc=2,
        remove_columns=dataset.column_names,
        fn_kwargs={"config": config, "layers": LAYERS, "unit": unit},
        load_from_cache_file=False,
        cache_file_name=str(tmp_path / "shards.arrow"),
    )
    # Two contiguous halves of 7 rows, each in batches of 3: one statistics row per batch,
    # in corpus order.
    assert len(shards) == 6
    merged: ShardScores = merge_shards(pickle.loads(b) for b in shards["statistics"])
    digest = gold_digest(p.gold for p in pairs)
    report = report_from_shard(merged, config, layers=LAYERS, gold_sha256=digest)
    expected = score_documents(pairs, config)
    assert _json(_without_provenance(report)) == _json(_without_provenance(expected))
