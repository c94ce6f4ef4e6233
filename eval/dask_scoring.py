"""Scoring on a Dask cluster: one task per block of lines, a tree of merges, one report.

``newsbench score --dask SCHEDULER`` (``local:N`` for a ``LocalCluster`` of N worker
processes) and ``newsbench.score(..., dask_client=client)``. The inputs are the gold and
prediction JSON Lines files under the ``--stream`` contract (one prediction line per gold
line, in gold order), as local paths or any fsspec URL the workers can read. The driver
finds the line boundaries of both files, cuts them into blocks of ``block_size``
documents, and submits one task per block: read the block's bytes, validate and pair the
lines exactly as ``--stream`` does (:class:`newsbench.eval.streaming.StreamedPairs`),
score them into :class:`~newsbench.eval.harness.ShardScores`. Shards merge pairwise in a
tree, in corpus order, on the workers; the driver builds the report. The report equals
the single-process report of :func:`~newsbench.eval.harness.score_documents` byte for
byte except its provenance (tested on a two-worker ``LocalCluster``). Every problem of
every block comes back located at its line of the original files.

Dask is an optional extra: ``pip install 'newsbench[dask]'``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsbench.eval.harness import (
    ScoringConfig,
    ShardScores,
    perturbation_from,
    perturbation_of,
    report_from_shard,
    require_predicted,
    score_shard,
)
from newsbench.eval.pairing import DocumentPair, LabelMap
from newsbench.eval.streaming import StreamedPairs, predicted_layers
from newsbench.schema.io import iter_jsonl
from newsbench.schema.problems import DataError, Problem
from newsbench.schema.validate import duplicate_document_problem

__all__ = ["DASK_INSTALL_HINT", "connect", "score_files_dask"]

DASK_INSTALL_HINT = "pip install 'newsbench[dask]'"
DEFAULT_BLOCK_SIZE = 256
"""Documents per task: large enough to amortise a task, small enough to spread."""


def connect(scheduler: str) -> Any:
    """A ``distributed.Client`` for ``local:N`` (a new LocalCluster) or a scheduler address.

    Raises:
        ImportError: Dask is not installed (with the install hint).
        ValueError: ``local:N`` with N not a positive integer.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ImportError(f"--dask needs Dask: {DASK_INSTALL_HINT}") from error
    if scheduler.startswith("local:"):
        count = scheduler.split(":", 1)[1]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--dask {scheduler}: local:N needs a number of workers N >= 1")
        cluster = LocalCluster(
            n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster)
    return Client(scheduler)


def _open(path: str) -> Any:
    try:
        import fsspec
    except ImportError:  # plain local files need no fsspec
        return open(path, "rb")
    return fsspec.open(path, "rb").open()


def line_starts(path: str) -> list[int]:
    """Byte offsets of the start of every line, and the file size at the end."""
    starts = [0]
    position = 0
    with _open(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            index = block.find(b"\n")
            while index != -1:
                starts.append(position + index + 1)
                index = block.find(b"\n", index + 1)
            position += len(block)
    if starts[-1] != position:
        starts.append(position)  # a last line without a newline
    return starts


@dataclass(frozen=True, slots=True)
class _Block:
    """Lines ``[first, stop)`` (0-based) of both files and their byte ranges."""

    index: int
    first: int
    gold: tuple[str, int, int]
    pred: tuple[str, int, int]


def _read_range(source: tuple[str, int, int]) -> bytes:
    path, start, end = source
    with _open(path) as handle:
        handle.seek(start)
        return handle.read(end - start)


@dataclass(frozen=True, slots=True)
class _Result:
    """What a block (or a run of merged blocks) gives back: statistics or problems."""

    shard: ShardScores | None
    problems: tuple[Problem, ...]
    perturbations: frozenset[str]


def _score_block(
    block: _Block,
    config: ScoringConfig,
    layers: Sequence[str],
    unit: str,
    label_map: LabelMap | None,
) -> _Result:
    """Score one block on a worker: validate, pair and score its lines."""
    with tempfile.TemporaryDirectory(prefix="newsbench-dask-") as folder:
        gold, pred = Path(folder, "gold.jsonl"), Path(folder, "pred.jsonl")
        gold.write_bytes(_read_range(block.gold))
        pred.write_bytes(_read_range(block.pred))
        pairs = StreamedPairs(gold, pred, label_map, config.inventory)
        perturbations: set[str] = set()

        def tracked() -> Iterator[DocumentPair]:
            for pair in pairs:
                perturbations.add(perturbation_of(pair.gold))
                yield pair

        shard = score_shard(tracked(), config, layers=layers, unit=unit)  # type: ignore[arg-type]
        names = {str(gold): block.gold[0], str(pred): block.pred[0]}
        problems = tuple(
            replace(
                p,
                file=names.get(p.file or "", p.file),
                line=None if not p.line else p.line + block.first,
            )
            for p in pairs.problems
        )
    return _Result(None if problems else shard, problems, frozenset(perturbations))


def _merge(a: _Result, b: _Result) -> _Result:
    """Merge two consecutive results, in order (problems of both, statistics if none)."""
    problems = a.problems + b.problems
    shard = None if problems or a.shard is None or b.shard is None else a.shard.merge(b.shard)
    return _Result(shard, problems, a.perturbations | b.perturbations)


def _blocks(gold: str, pred: str, block_size: int) -> tuple[list[_Block], int, list[Problem]]:
    gold_starts, pred_starts = line_starts(gold), line_starts(pred)
    n_gold, n_pred = len(gold_starts) - 1, len(pred_starts) - 1
    problems = []
    if n_gold != n_pred:
        problems.append(
            Problem(
                "prediction-order-mismatch",
                f"the gold has {n_gold} lines and the predictions {n_pred}",
                "one prediction line per gold line, in gold order (as --stream reads them)",
                "predict every document, one line each, in gold order; or score without "
                "--dask, which pairs documents by id",
                file=pred,
            )
        )
        return [], n_gold, problems
    if n_gold == 0:
        problems.extend(item.problem for item in iter_jsonl(gold) if item.problem is not None)
        return [], 0, problems
    blocks = [
        _Block(
            k,
            first,
            (gold, gold_starts[first], gold_starts[min(first + block_size, n_gold)]),
            (pred, pred_starts[first], pred_starts[min(first + block_size, n_gold)]),
        )
        for k, first in enumerate(range(0, n_gold, block_size))
    ]
    return blocks, n_gold, problems


def _first_gold_has_sentences(gold: str) -> bool:
    for item in iter_jsonl(gold):
        return isinstance(item.value, dict) and item.value.get("sentences") is not None
    return False


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with _open(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _duplicates(doc_ids: Sequence[str], gold: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for line, doc_id in enumerate(doc_ids, start=1):
        if doc_id in seen:
            problems.append(duplicate_document_problem(doc_id, seen[doc_id], gold, line))
        else:
            seen[doc_id] = line
    return problems


def score_files_dask(
    gold_path: str | os.PathLike[str],
    pred_path: str | os.PathLike[str],
    config: ScoringConfig,
    client: Any,
    *,
    layers: Sequence[str] | None = None,
    label_map: LabelMap | None = None,
    provenance: dict[str, Any] | None = None,
    corpus_version: str = "custom",
    split: str = "custom",
    gold_sha256: str | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> dict[str, Any]:
    """Score line-aligned gold and prediction files on a Dask cluster; return the report.

    Args:
        gold_path, pred_path: JSON Lines files (local paths or fsspec URLs the workers can
            read), one prediction line per gold line, in gold order.
        config: The metric configuration.
        client: A ``distributed.Client`` (:func:`connect`).
        layers: The layers to score (default: those some prediction gives).
        block_size: Documents per task.

    Raises:
        DataError: Every problem of both files, located at its line.
        ValueError: A requested layer that no prediction gives.
    """
    gold, pred = str(gold_path), str(pred_path)
    blocks, n_documents, problems = _blocks(gold, pred, block_size)
    if problems:
        raise DataError(problems)
    chosen = list(layers) if layers else predicted_layers(pred)
    unit = config.resolved_unit(n_documents, has_sentences=_first_gold_has_sentences(gold))
    level = client.map(
        _score_block,
        blocks,
        config=config,
        layers=chosen,
        unit=unit,
        label_map=label_map,
        pure=False,
    )
    while len(level) > 1:  # a tree of order-keeping merges, on the workers
        merged = [
            client.submit(_merge, level[k], level[k + 1], pure=False)
            for k in range(0, len(level) - 1, 2)
        ]
        level = merged + ([level[-1]] if len(level) % 2 else [])
    result: _Result = level[0].result()
    if result.problems:
        raise DataError(result.problems)
    shard = result.shard
    assert shard is not None
    duplicates = _duplicates(shard.doc_ids, gold)
    if duplicates:
        raise DataError(duplicates)
    require_predicted(chosen, shard.predicted)
    return report_from_shard(
        shard,
        config,
        layers=chosen,
        provenance=provenance,
        corpus_version=corpus_version,
        split=split,
        gold_sha256=gold_sha256 or _sha256(gold),
        perturbation=perturbation_from(result.perturbations),
    )
