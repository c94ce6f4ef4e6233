"""Pair two line-aligned JSON Lines files one document at a time (``newsbench score --stream``).

:func:`newsbench.eval.pairing.pair_documents` pairs by id and needs every document in
memory. When the predictions are written in gold order, one line per gold document,
:class:`StreamedPairs` reads, label-maps and validates both files in lockstep and yields
each pair as soon as its two lines are read, so that
:func:`newsbench.eval.harness.score_stream` scores a corpus of any size in memory that
does not grow with it. Nothing is dropped silently: every problem of both files is
collected (a document with a problem is not scored), and the caller raises them all at
once after the pass, as the loaders do.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, zip_longest
from typing import Any

from newsbench.eval.harness import ScoringConfig, check_layer_names, score_stream
from newsbench.eval.pairing import (
    DocumentPair,
    LabelMap,
    iter_validated_predictions,
    pair_documents,
)
from newsbench.eval.sources import json_objects
from newsbench.eval.spill import RowSpill
from newsbench.schema.inventory import Inventory
from newsbench.schema.io import JsonlSource
from newsbench.schema.model import ANNOTATION_LAYERS, Document
from newsbench.schema.problems import DataError, Problem
from newsbench.schema.validate import ValidatedLine, iter_validated

__all__ = ["StreamedPairs", "predicted_layers", "score_files_streamed"]


@dataclass
class StreamedPairs:
    """Valid (gold, prediction) pairs of two line-aligned files, read once, in order.

    Iterate it once; afterwards :attr:`problems` holds every problem of both files and
    :attr:`removed_by_label` what the label map removed. :meth:`raise_problems` raises
    them as one :class:`~newsbench.schema.problems.DataError`.

    Attributes:
        gold_path: The gold JSON Lines file.
        pred_path: The prediction JSON Lines file, line ``k`` predicting gold line ``k``.
        label_map: Applied to predicted entity labels before validation.
        missing_lines: Prediction lines (1-based) that stand in, with the gold's id and
            text alone, for documents the predictions miss (``--allow-missing``, from
            :func:`~newsbench.eval.blocks.gold_ordered_copy`): their pairs are marked
            missing, as :func:`~newsbench.eval.pairing.pair_documents` marks them.
        first_line: The number of both files' first line (a block of lines cut from
            larger files reports their line numbers).
    """

    gold_path: JsonlSource
    pred_path: JsonlSource
    label_map: LabelMap | None = None
    inventory: Inventory | None = None
    problems: list[Problem] = field(default_factory=list)
    removed_by_label: dict[str, int] = field(default_factory=dict)
    missing_lines: frozenset[int] = frozenset()
    first_line: int = 1
    _started: bool = field(default=False, repr=False)

    def _predictions(self) -> Iterator[ValidatedLine]:
        return iter_validated_predictions(
            self.pred_path,
            self.label_map,
            self.removed_by_label,
            inventory=self.inventory,
            first_line=self.first_line,
        )

    def __iter__(self) -> Iterator[DocumentPair]:
        """Yield the valid pairs, once.

        Raises:
            RuntimeError: On a second iteration (the problems would be counted twice).
        """
        if self._started:
            raise RuntimeError("StreamedPairs is read once; make a new one to read again")
        self._started = True
        return self._pairs()

    def _pairs(self) -> Iterator[DocumentPair]:
        pred_file = str(self.pred_path)
        gold_lines = iter_validated(
            self.gold_path, "document", inventory=self.inventory, first_line=self.first_line
        )
        pred_lines = self._predictions()
        heads = next(gold_lines, None), next(pred_lines, None)
        if any(head is not None and head.line == 0 for head in heads):
            # A file that is empty or cannot be read: nothing to pair; every problem of
            # the other file is still reported (as the loaders report them).
            for line in chain(heads[:1], gold_lines, heads[1:], pred_lines):  # gold first
                if line is not None:
                    self.problems.extend(line.problems)
            return
        gold_head, pred_head = ([] if head is None else [head] for head in heads)
        lines = zip_longest(chain(gold_head, gold_lines), chain(pred_head, pred_lines))
        # Pairing problems count only where both files are free of line problems: the
        # loaders pair nothing until then (lines that are not documents would otherwise
        # leave every later document "missing").
        pairing: list[Problem] = []
        try:
            yield from self._aligned(lines, pairing, pred_file)
        finally:
            if not self.problems:
                self.problems.extend(pairing)

    def _aligned(
        self,
        lines: Iterator[tuple[ValidatedLine | None, ValidatedLine | None]],
        pairing: list[Problem],
        pred_file: str,
    ) -> Iterator[DocumentPair]:
        aligned = True
        for gold, pred in lines:
            for line in (gold, pred):
                if line is not None:
                    self.problems.extend(line.problems)
            if not aligned or (pred is not None and pred.problems):
                continue  # a line with problems is reported above, and paired with nothing
            if gold is None or pred is None:  # one file ended: missing or extra documents
                pairing.extend(
                    _pair_problems(
                        gold.document if gold else None,
                        pred.document if pred else None,
                        pred_file,
                        pred.line if pred else None,
                    )
                )
                continue
            if gold.document is None or pred.document is None or gold.problems or pred.problems:
                continue  # reported above; the files stay aligned line by line
            if pred.document.id != gold.document.id:
                pairing.append(_order_problem(gold, pred))
                aligned = False
                continue
            pair_problems = _pair_problems(gold.document, pred.document, pred_file, pred.line)
            if pair_problems:
                pairing.extend(pair_problems)
                continue
            yield DocumentPair(
                gold.document, pred.document, missing=pred.line in self.missing_lines
            )

    def raise_problems(self) -> None:
        """Raise every problem found, if any (call after iterating).

        Raises:
            DataError: With every problem of both files.
        """
        if self.problems:
            raise DataError(self.ordered_problems())

    def ordered_problems(self) -> list[Problem]:
        """:attr:`problems` as the loaders list them: the gold's, then the predictions'."""
        return gold_first(self.problems, str(self.gold_path))


def gold_first(problems: Sequence[Problem], gold: str) -> list[Problem]:
    """Problems of two files as the loaders list them: every problem of the gold file in
    line order, then the others (the predictions', then their pairing) in line order."""
    return sorted(problems, key=lambda p: (p.file != gold, p.code in PAIRING_CODES, p.line or 0))


PAIRING_CODES: frozenset[str] = frozenset(
    {
        "prediction-order-mismatch",
        "prediction-text-mismatch",
        "prediction-extra-document",
        "prediction-missing-document",
    }
)


def _pair_problems(
    gold: Document | None, pred: Document | None, pred_file: str, line: int | None
) -> list[Problem]:
    """The problems pair_documents reports for one gold line and one prediction line."""
    try:
        pair_documents(
            [gold] if gold is not None else [],
            [pred] if pred is not None else [],
            pred_file=pred_file,
        )
    except DataError as exc:
        return [_for_stream(p).located(line=line) for p in exc.problems]
    return []


def _for_stream(problem: Problem) -> Problem:
    """A pairing problem with a fix that holds under ``--stream`` (no ``--allow-missing``)."""
    if problem.code != "prediction-missing-document":
        return problem
    return replace(
        problem,
        fix="predict every document (one line each, in gold order), or score without --stream "
        "and pass --allow-missing to score it as predicting nothing",
    )


def _order_problem(gold: ValidatedLine, pred: ValidatedLine) -> Problem:
    assert gold.document is not None and pred.document is not None
    return Problem(
        "prediction-order-mismatch",
        f"line {pred.line} of the predictions is the document {pred.document.id!r} but line "
        f"{gold.line} of the gold is {gold.document.id!r}; --stream reads both files in the "
        "same order (documents from here on are not paired)",
        "the prediction of each gold document on the gold document's line number",
        "write the predictions in gold order, one line per gold document, or score without "
        "--stream (which pairs documents by id)",
        file=pred.file,
        line=pred.line,
        document=pred.document.id,
        path="/id",
    )


def predicted_layers(
    pred_path: str | os.PathLike[str], wanted: Collection[str] = ANNOTATION_LAYERS
) -> list[str]:
    """Layers that some prediction line gives (a parse-only pass; problems come later).

    The default of ``--layers``, as :func:`newsbench.eval.harness.score_documents`
    chooses it, found before the scoring pass so that the stream is read once. The pass
    stops as soon as every ``wanted`` layer is found (so usually after one line).
    """
    found: set[str] = set()
    needed = set(wanted)
    for record in json_objects(str(pred_path)):
        found.update(layer for layer in ANNOTATION_LAYERS if record.get(layer) is not None)
        if needed <= found:
            break
    return [layer for layer in ANNOTATION_LAYERS if layer in found]


def score_files_streamed(
    gold_path: str | os.PathLike[str],
    pred_path: str | os.PathLike[str],
    config: ScoringConfig,
    *,
    layers: list[str] | None = None,
    label_map: LabelMap | None = None,
    provenance: dict[str, Any] | None = None,
    corpus_version: str = "custom",
    split: str = "custom",
    gold_sha256: str | None = None,
    max_errors: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Score line-aligned gold and prediction files in one streaming pass.

    Returns:
        The report of :func:`newsbench.eval.harness.score_stream` (headline metrics
        with per-unit statistics, every other metric as corpus totals, a bounded error
        listing; the per-unit rows wait on disk, so memory stays flat in corpus size);
        its provenance counts the mentions the label map removed, per label
        (``label_map_removed``).

    Raises:
        DataError: With every problem of both files (then there is no report).
        ValueError: If a requested layer is given by no prediction, or twice.
    """
    check_layer_names(layers)
    streamed = StreamedPairs(gold_path, pred_path, label_map, config.inventory)
    chosen = layers or predicted_layers(pred_path)
    try:
        report = score_stream(
            streamed,
            config,
            layers=chosen,
            provenance=provenance,
            corpus_version=corpus_version,
            split=split,
            gold_sha256=gold_sha256,
            max_errors=max_errors,
            progress=progress,
            row_sink=RowSpill(),
        )
    except ValueError:
        streamed.raise_problems()  # data problems first: they explain a missing layer
        raise
    streamed.raise_problems()
    report["provenance"]["label_map_removed"] = dict(sorted(streamed.removed_by_label.items()))
    return report
