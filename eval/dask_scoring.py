"""Scoring on a Dask cluster: one task per block of lines, a tree of merges, one report.

``newsbench score --dask SCHEDULER`` (``local:N`` for a ``LocalCluster`` of N worker
processes) and ``newsbench.score(..., dask_client=client)``. The inputs are the gold and
prediction JSON Lines files under the ``--stream`` contract (one prediction line per gold
line, in gold order), as local paths or any fsspec URL the workers can read. The driver
cuts them into blocks of lines (:mod:`newsbench.eval.blocks`) and submits one task per
block; the results merge pairwise in a tree, in corpus order, on the workers, and the
driver builds the report. The report equals
the single-process report of :func:`~newsbench.eval.harness.score_documents` byte for
byte except its provenance (tested on a two-worker ``LocalCluster``). Every problem of
every block comes back located at its line of the original files.

Dask is an optional extra: ``pip install 'newsbench[dask]'``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from newsbench.eval.blocks import (
    DEFAULT_BLOCK_SIZE,
    BlockResult,
    finish,
    merge_results,
    plan_blocks,
    resolved_unit,
    score_block,
)
from newsbench.eval.harness import ScoringConfig, check_layer_names
from newsbench.eval.pairing import LabelMap
from newsbench.eval.sources import open_binary
from newsbench.eval.streaming import StreamedPairs, predicted_layers
from newsbench.schema.problems import DataError, Problem

__all__ = ["DASK_INSTALL_HINT", "connect", "score_files_dask"]

DASK_INSTALL_HINT = "pip install 'newsbench[dask]'"


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


def _with_the_other_files_problems(
    problems: list[Problem], gold: str, pred: str, config: ScoringConfig, label_map: LabelMap | None
) -> list[Problem]:
    """What the files hold where they cannot be cut into aligned blocks (a file empty, or
    their numbers of lines unequal): both files read here line by line, every problem
    located as ``--stream`` and the loaders list them (a file at a URL copied to a local
    one first); the planning's own problem if that finds none."""
    if not any(p.code == "file-empty" or p.line is None for p in problems):
        return problems
    with tempfile.TemporaryDirectory(prefix="newsbench-dask-") as folder:
        local = {gold: gold, pred: pred}
        try:
            for name, path in (("gold.jsonl", gold), ("pred.jsonl", pred)):
                if not os.path.isfile(path):  # an fsspec URL
                    local[path] = os.path.join(folder, name)
                    with open_binary(path) as source, open(local[path], "wb") as copy:
                        shutil.copyfileobj(source, copy, 1 << 20)
        except OSError:  # no room for a copy: the empty file's problem alone, as it was
            return problems
        streamed = StreamedPairs(local[gold], local[pred], label_map, config.inventory)
        for _ in streamed:  # pairs nothing to score: this only collects the problems
            pass
    names = {copy: path for path, copy in local.items()}
    found = [replace(p, file=names.get(p.file or "", p.file)) for p in streamed.ordered_problems()]
    return found or problems


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
        ValueError: A requested layer that no prediction gives, or one named twice.
    """
    check_layer_names(layers)
    # A local path goes to the workers absolute: a relative one would name a file in each
    # worker's own folder. Problems still name the files as they were given.
    given = {os.path.abspath(p): p for p in map(str, (gold_path, pred_path)) if os.path.exists(p)}
    absolute = {name: path for path, name in given.items()}
    gold, pred = (absolute.get(p, p) for p in map(str, (gold_path, pred_path)))
    try:
        return _score_files_dask(
            gold,
            pred,
            config,
            client,
            layers=layers,
            label_map=label_map,
            provenance=provenance,
            corpus_version=corpus_version,
            split=split,
            gold_sha256=gold_sha256,
            block_size=block_size,
        )
    except DataError as exc:
        raise DataError(
            [replace(p, file=given.get(p.file or "", p.file)) for p in exc.problems]
        ) from None


def _score_files_dask(
    gold: str,
    pred: str,
    config: ScoringConfig,
    client: Any,
    *,
    layers: Sequence[str] | None,
    label_map: LabelMap | None,
    provenance: dict[str, Any] | None,
    corpus_version: str,
    split: str,
    gold_sha256: str | None,
    block_size: int,
) -> dict[str, Any]:
    blocks, n_documents, problems = plan_blocks(gold, pred, block_size)
    if problems:
        raise DataError(_with_the_other_files_problems(problems, gold, pred, config, label_map))
    chosen = list(layers) if layers else predicted_layers(pred)
    level = client.map(
        score_block,
        blocks,
        config=config,
        layers=chosen,
        unit=resolved_unit(config, n_documents, gold),
        label_map=label_map,
        pure=False,
    )
    while len(level) > 1:  # a tree of order-keeping merges, on the workers
        merged = [
            client.submit(merge_results, level[k], level[k + 1], pure=False)
            for k in range(0, len(level) - 1, 2)
        ]
        level = merged + ([level[-1]] if len(level) % 2 else [])
    result: BlockResult = level[0].result()
    return finish(
        result,
        gold,
        config,
        chosen,
        provenance=provenance,
        corpus_version=corpus_version,
        split=split,
        gold_sha256=gold_sha256,
        label_map=label_map,
        pred=pred,
    )
