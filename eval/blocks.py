"""Scoring in blocks of lines: the unit of work of ``--jobs`` and ``--dask``.

Both files (gold and predictions, under the ``--stream`` contract: one prediction line
per gold line, in gold order; local paths or any fsspec URL) are cut at line boundaries
into blocks of ``block_size`` documents (:func:`plan_blocks`). A worker scores a block
(:func:`score_block`): it reads the block's bytes of both files, validates and pairs the
lines exactly as ``--stream`` does (:class:`newsbench.eval.streaming.StreamedPairs`) and
scores them into :class:`~newsbench.eval.harness.ShardScores`, every problem located at
its line of the original files. Results merge in corpus order (:func:`merge_results`) and
:func:`finish` builds the report, equal to that of
:func:`~newsbench.eval.harness.score_documents` but for its provenance. Validation runs
in the workers too, which is what lets ``--jobs`` scale the whole command.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newsbench.eval.error_lines import ErrorLines
from newsbench.eval.harness import (
    ScoringConfig,
    ShardScores,
    check_layer_names,
    perturbation_from,
    perturbation_of,
    quiet_worker,
    report_from_shard,
    require_predicted,
    score_shard,
)
from newsbench.eval.pairing import DocumentPair, LabelMap
from newsbench.eval.sources import json_objects, open_binary
from newsbench.eval.streaming import PAIRING_CODES, StreamedPairs, gold_first, predicted_layers
from newsbench.schema.io import LinesInMemory, file_empty_problem, line_json
from newsbench.schema.problems import DataError, Problem
from newsbench.schema.validate import repeated_id_problem

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "Block",
    "BlockResult",
    "GoldOrderedCopy",
    "finish",
    "gold_ordered_copy",
    "line_starts",
    "merge_results",
    "plan_blocks",
    "score_block",
    "score_files_in_blocks",
]

DEFAULT_BLOCK_SIZE = 256
"""Documents per block: large enough to amortise a task, small enough to spread."""


def line_starts(path: str) -> list[int]:
    """Byte offsets of the start of every line, and the file size at the end."""
    starts = [0]
    position = 0
    with open_binary(path) as handle:
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
class Block:
    """Lines ``[first, first + size)`` (0-based) of both files and their byte ranges.

    ``missing`` numbers (1-based, as in the whole file) the prediction lines that stand
    in for missing documents (:class:`GoldOrderedCopy`).
    """

    index: int
    first: int
    size: int
    gold: tuple[str, int, int]
    pred: tuple[str, int, int]
    missing: tuple[int, ...] = ()


def _read_range(source: tuple[str, int, int]) -> bytes:
    path, start, end = source
    with open_binary(path) as handle:
        handle.seek(start)
        return handle.read(end - start)


@dataclass(frozen=True, slots=True)
class BlockResult:
    """What a block (or a run of merged blocks) gives back: statistics or problems."""

    shard: ShardScores | None
    problems: tuple[Problem, ...]
    perturbations: frozenset[str]
    #: Predicted mentions the label map removed, by their source label.
    removed_by_label: Mapping[str, int] = field(default_factory=dict)


def score_block(
    block: Block,
    config: ScoringConfig,
    layers: Sequence[str],
    unit: str,
    label_map: LabelMap | None,
) -> BlockResult:
    """Score one block on a worker: validate, pair and score its lines (read into memory,
    never copied to a file that a killed worker would leave behind)."""
    pairs = StreamedPairs(
        LinesInMemory(block.gold[0], _read_range(block.gold)),
        LinesInMemory(block.pred[0], _read_range(block.pred)),
        label_map,
        config.inventory,
        missing_lines=frozenset(block.missing),
        first_line=block.first + 1,  # the lines, in problems and their messages, as in the
    )  # whole files
    perturbations: set[str] = set()

    def tracked() -> Iterator[DocumentPair]:
        for pair in pairs:
            perturbations.add(perturbation_of(pair.gold))
            yield pair

    shard = score_shard(tracked(), config, layers=layers, unit=unit)  # type: ignore[arg-type]
    # The records as the JSON lines the report will hold: written here, in the worker,
    # they travel as bytes and the process that merges the blocks copies them. The
    # block's exact coreference sums are taken here too (the merge adds the blocks').
    shard.errors = ErrorLines(shard.errors)  # type: ignore[assignment]
    shard.flush()
    problems = tuple(pairs.problems)
    return BlockResult(
        None if problems else shard,
        problems,
        frozenset(perturbations),
        dict(pairs.removed_by_label),
    )


def merge_results(a: BlockResult, b: BlockResult) -> BlockResult:
    """Merge two consecutive results, in order (problems of both, statistics if none).

    The statistics go into a new shard and the inputs stay as they were, so a task that
    runs again (a Dask retry) merges the same two results again, not one twice.
    """
    problems = a.problems + b.problems
    shard = None
    if not problems and a.shard is not None and b.shard is not None:
        first = a.shard
        shard = ShardScores(first.unit, first.keep, first.kept, first.max_errors)
        if isinstance(first.errors, ErrorLines):
            shard.errors = ErrorLines()  # type: ignore[assignment]
        shard.merge(first).merge(b.shard)
    removed = Counter(a.removed_by_label)
    removed.update(b.removed_by_label)
    return BlockResult(shard, problems, a.perturbations | b.perturbations, dict(removed))


def plan_blocks(
    gold: str, pred: str, block_size: int, missing: Collection[int] = ()
) -> tuple[list[Block], int, list[Problem]]:
    """Cut both files into blocks of ``block_size`` lines; ``missing`` (0-based lines) as
    for :func:`score_files_in_blocks`."""
    gold_starts, pred_starts = line_starts(gold), line_starts(pred)
    n_gold, n_pred = len(gold_starts) - 1, len(pred_starts) - 1
    # An empty file is that (it was read: it exists), not a count of lines that differs.
    problems = [file_empty_problem(path) for path, n in ((gold, n_gold), (pred, n_pred)) if not n]
    if problems:
        return [], n_gold, problems
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
    missing_in: dict[int, list[int]] = {}
    for line in sorted(missing):
        missing_in.setdefault(line // block_size, []).append(line + 1)
    blocks = [
        Block(
            k,
            first,
            min(block_size, n_gold - first),
            (gold, gold_starts[first], gold_starts[min(first + block_size, n_gold)]),
            (pred, pred_starts[first], pred_starts[min(first + block_size, n_gold)]),
            tuple(missing_in.get(k, ())),
        )
        for k, first in enumerate(range(0, n_gold, block_size))
    ]
    return blocks, n_gold, problems


def _line_record(line: bytes) -> tuple[str, Any] | None:
    """The ``id`` of a line's object and the object, or ``None`` without a readable id."""
    try:
        record = orjson.loads(line_json(line))
    except orjson.JSONDecodeError:
        return None
    found = record.get("id") if isinstance(record, dict) else None
    return (found, record) if isinstance(found, str) else None


@dataclass(frozen=True, slots=True)
class GoldOrderedCopy:
    """Predictions rewritten in gold order, one line per gold line.

    Attributes:
        path: The rewritten file.
        missing: The lines (0-based) that stand in for documents the predictions miss:
            the gold's id and text alone, as
            :func:`~newsbench.eval.pairing.pair_documents` pairs a missing document with
            ``allow_missing``. Empty unless that was asked for.
    """

    path: Path
    missing: tuple[int, ...] = ()


def gold_ordered_copy(
    gold: str, pred: str, folder: Path, *, allow_missing: bool = False
) -> GoldOrderedCopy | None:
    """The prediction lines rewritten in gold order, in ``folder`` (pairing by id).

    An index of each prediction's byte range by document id (a few dozen bytes a
    document) puts the lines in the order of the gold's ids, so that predictions written
    in another order are still scored in blocks. With ``allow_missing``, a gold document
    without a prediction gets a stand-in line (its id and text). ``None`` when the ids
    do not pair one to one (a line without a readable id, an id extra or repeated on
    either side, an id missing without ``allow_missing``, no prediction at all), or when
    the predictions are already in gold order (the order was not what failed): the
    caller then pairs in memory, which locates every problem.
    """
    index: dict[str, tuple[int, int]] = {}
    position = 0
    with open(pred, "rb") as handle:
        for line in handle:
            found = _line_record(line)
            if found is None or found[0] in index:
                return None
            index[found[0]] = (position, len(line))
            position += len(line)
    if not index:
        return None  # no prediction at all: the loaders say the file is empty
    ordered = folder / "predictions-in-gold-order.jsonl"
    gold_ids: list[str] = []
    missing: list[int] = []
    with open(gold, "rb") as golds, open(pred, "rb") as source, open(ordered, "wb") as target:
        for number, line in enumerate(golds):
            found = _line_record(line)
            if found is None:
                return None
            doc_id, record = found
            gold_ids.append(doc_id)
            if doc_id not in index:
                text = record.get("text")
                if not (allow_missing and isinstance(text, str)):
                    return None
                missing.append(number)
                target.write(orjson.dumps({"id": doc_id, "text": text}) + b"\n")
                continue
            start, size = index[doc_id]
            source.seek(start)
            copied = source.read(size)
            target.write(copied if copied.endswith(b"\n") else copied + b"\n")
    paired = set(gold_ids) - {gold_ids[k] for k in missing}
    if len(set(gold_ids)) != len(gold_ids) or paired != set(index):
        return None  # a gold id repeated, or a prediction for no gold document
    if not missing and list(index) == gold_ids:
        return None  # already in gold order: rewriting it would change nothing
    return GoldOrderedCopy(ordered, tuple(missing))


def in_gold_order(
    gold: str | os.PathLike[str],
    pred: str | os.PathLike[str],
    score: Callable[[str | os.PathLike[str], tuple[int, ...]], dict[str, Any] | None],
    *,
    allow_missing: bool = False,
) -> dict[str, Any] | None:
    """``score(pred, ())``; if that gives ``None``, ``score`` of a copy of the predictions
    in the gold's order and of its stand-in lines (:func:`gold_ordered_copy`), when one
    can be made.

    ``None`` when neither gives a report: the caller then pairs in memory, which locates
    every problem.
    """
    report = score(pred, ())
    if report is None:
        with tempfile.TemporaryDirectory(prefix="newsbench-order-") as folder:
            ordered = gold_ordered_copy(
                str(gold), str(pred), Path(folder), allow_missing=allow_missing
            )
            report = None if ordered is None else score(ordered.path, ordered.missing)
    return report


def first_gold_has_sentences(gold: str) -> bool:
    for record in json_objects(gold):
        return record.get("sentences") is not None
    return False


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open_binary(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def duplicate_documents(doc_ids: Iterable[object], file: str) -> list[Problem]:
    """``duplicate-document-id`` for every id (one a line, from line 1, ``None`` for a
    line without one) that an earlier line has."""
    seen: dict[str, int] = {}
    found = (
        repeated_id_problem(seen, doc_id, file, line) for line, doc_id in enumerate(doc_ids, 1)
    )
    return [problem for problem in found if problem is not None]


def _repeats(path: str) -> list[Problem]:
    """``duplicate-document-id`` for every line of the file whose id an earlier line has."""
    with open_binary(path) as handle:
        return duplicate_documents(
            (found[0] if found else None for found in map(_line_record, handle)), path
        )


def _with_repeats_across_blocks(problems: list[Problem], gold: str, pred: str) -> list[Problem]:
    """The blocks' problems with the ids repeated in either file named as such (a block
    sees only its own lines), and without the order mismatches those repeats explain."""
    repeats = [*_repeats(gold), *_repeats(pred)]
    repeated_lines = {p.line for p in repeats}  # a line of either file: the lines pair up
    known = {(p.code, p.file, p.line) for p in problems}
    kept = [
        p
        for p in problems
        if not (
            p.code == "prediction-order-mismatch" and p.file == pred and p.line in repeated_lines
        )
    ]
    return kept + [p for p in repeats if (p.code, p.file, p.line) not in known]


def as_one_pass_lists(problems: Sequence[Problem], gold: str) -> list[Problem]:
    """The blocks' problems as one pass over both files (``--stream``) lists them: each
    block pairs its lines alone, where one pass pairs nothing once a line has a problem
    and stops pairing at the first order mismatch. Gold problems come first."""
    ordered = gold_first(problems, gold)
    if any(p.code not in PAIRING_CODES for p in ordered):
        return [p for p in ordered if p.code not in PAIRING_CODES]
    first = next((k for k, p in enumerate(ordered) if p.code == "prediction-order-mismatch"), None)
    return ordered if first is None else ordered[: first + 1]


def finish(
    result: BlockResult,
    gold: str,
    config: ScoringConfig,
    chosen: Sequence[str],
    *,
    provenance: dict[str, Any] | None,
    corpus_version: str,
    split: str,
    gold_sha256: str | None,
    label_map: LabelMap | None = None,
    pred: str | None = None,
) -> dict[str, Any]:
    """The report of the merged result of every block.

    With the ``pred`` file named, problems also list the document ids that repeat across
    blocks (which a block alone takes for predictions out of order).

    With a ``label_map``, the provenance counts the mentions it removed, per label
    (``label_map_removed``, as the in-memory path records it).

    Raises:
        DataError: The problems of the blocks, or document ids that repeat across blocks.
        ValueError: A requested layer that no prediction gives.
    """
    if result.problems:
        problems = list(result.problems)
        if pred is not None:
            problems = _with_repeats_across_blocks(problems, gold, pred)
        raise DataError(as_one_pass_lists(problems, gold))
    shard = result.shard
    assert shard is not None
    duplicates = duplicate_documents(shard.doc_ids, gold)
    if duplicates:  # with the predictions' repeats, as the loaders list both
        raise DataError(duplicates if pred is None else [*duplicates, *_repeats(pred)])
    if label_map is not None:
        removed = dict(sorted(result.removed_by_label.items()))
        provenance = {**(provenance or {}), "label_map_removed": removed}
    require_predicted(chosen, shard.predicted)
    return report_from_shard(
        shard,
        config,
        layers=chosen,
        provenance=provenance,
        corpus_version=corpus_version,
        split=split,
        gold_sha256=gold_sha256 or file_digest(gold),
        perturbation=perturbation_from(result.perturbations),
    )


def resolved_unit(config: ScoringConfig, n_documents: int, gold: str) -> str:
    """The resampling unit, as :func:`~newsbench.eval.harness.score_documents` resolves it."""
    return config.resolved_unit(n_documents, has_sentences=first_gold_has_sentences(gold))


def score_files_in_blocks(
    gold_path: str | os.PathLike[str],
    pred_path: str | os.PathLike[str],
    config: ScoringConfig,
    jobs: int = 1,
    *,
    layers: Sequence[str] | None = None,
    label_map: LabelMap | None = None,
    provenance: dict[str, Any] | None = None,
    corpus_version: str = "custom",
    split: str = "custom",
    gold_sha256: str | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    progress: Callable[[int], None] | None = None,
    missing: Collection[int] = (),
) -> dict[str, Any] | None:
    """Score line-aligned files block by block, in memory flat in their size.

    With ``jobs`` 1 the blocks are scored one after the other in this process; with more,
    in ``jobs`` processes, which read and validate their blocks too. Either way each
    block's per-unit rows and error records go to temporary files as it arrives
    (:class:`~newsbench.eval.spill.SpilledRun`), so memory holds one block of documents
    and a few hundred bytes per document whatever the corpus size; the report equals
    that of :func:`~newsbench.eval.harness.score_documents` but for its provenance.

    ``missing`` lists the prediction lines (0-based) that stand in for missing documents
    (:class:`GoldOrderedCopy`); their pairs count as missing, which ``config`` must allow.

    Returns:
        The report, or ``None`` when the files do not follow the ``--stream`` contract or
        have any problem: the caller then scores them the usual way (pairing by id), which
        also reports every problem as it always does.

    Raises:
        ValueError: ``jobs`` below 1, ``missing`` lines without ``config.allow_missing``,
            or a requested layer that no prediction gives or that is named twice.
    """
    from newsbench.eval.spill import SpilledRun

    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if missing and not config.allow_missing:
        raise ValueError("missing documents are scored only with allow_missing=True")
    check_layer_names(layers)
    gold, pred = str(gold_path), str(pred_path)
    blocks, n_documents, problems = plan_blocks(gold, pred, block_size, missing)
    if problems or not blocks:
        return None
    if layers:  # a requested layer that no prediction gives fails before any scoring
        chosen = list(layers)
        require_predicted(chosen, set(predicted_layers(pred, chosen)))
    else:
        chosen = predicted_layers(pred)
    unit = resolved_unit(config, n_documents, gold)
    run = SpilledRun()
    perturbations: set[str] = set()
    removed: Counter[str] = Counter()
    try:
        for block, result in zip(
            blocks, _block_results(blocks, config, chosen, unit, label_map, jobs), strict=True
        ):
            if result.problems or result.shard is None:
                return None
            run.absorb(result.shard)
            perturbations |= result.perturbations
            removed.update(result.removed_by_label)
            if progress is not None:
                progress(block.size)
    finally:
        run.close()  # also when a block fails or the caller is interrupted
    try:
        return finish(
            BlockResult(run.shard(), (), frozenset(perturbations), dict(removed)),
            gold,
            config,
            chosen,
            provenance=provenance,
            corpus_version=corpus_version,
            split=split,
            gold_sha256=gold_sha256,
            label_map=label_map,
        )
    except DataError:
        return None


def _block_results(
    blocks: Sequence[Block],
    config: ScoringConfig,
    chosen: Sequence[str],
    unit: str,
    label_map: LabelMap | None,
    jobs: int,
) -> Iterator[BlockResult]:
    """Every block's result, in order (stops early when the caller stops asking)."""
    if jobs <= 1:
        for block in blocks:
            yield score_block(block, config, chosen, unit, label_map)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # A forked pool starts every worker at once: never more than there are blocks.
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(blocks)), mp_context=context, initializer=quiet_worker
    ) as pool:
        futures = [
            pool.submit(score_block, block, config, chosen, unit, label_map) for block in blocks
        ]
        try:
            for index, future in enumerate(futures):
                result = future.result()
                futures[index] = None  # type: ignore[call-overload]  # the pool keeps no result
                yield result
        finally:
            for other in futures:
                if other is not None:
                    other.cancel()
