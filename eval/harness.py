"""Score predictions against gold: every layer, micro scores, bootstrap intervals.

Data flows one way: :func:`score_documents` takes validated, paired documents,
runs each layer scorer per document (align -> per-unit counts), sums the counts
(corpus-level micro scores), computes seeded bootstrap confidence intervals for
the headline metrics from the stored per-unit statistics, and returns a plain
JSON-serialisable report. Nothing here prints or writes files.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import multiprocessing
import platform
import signal
import subprocess
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from newsbench.eval import stats
from newsbench.eval.attribution_scoring import attribution_metrics, score_attributions
from newsbench.eval.coref import CorefCounts, coref_scores
from newsbench.eval.coref_scoring import (
    entity_coref_counts,
    event_coref_counts,
    predicts_entity_clusters,
    predicts_hoppers,
)
from newsbench.eval.entity_blocks import score_entities_block
from newsbench.eval.error_lines import ErrorLines
from newsbench.eval.event_blocks import score_arguments_block
from newsbench.eval.event_scoring import error_order as event_error_order
from newsbench.eval.event_scoring import score_events, trigger_metrics
from newsbench.eval.pairing import DocumentPair
from newsbench.eval.report_schema import REPORT_FORMAT
from newsbench.eval.timex_scoring import score_time_expressions
from newsbench.eval.unit_rows import UnitRows
from newsbench.eval.units import (
    ErrorRecord,
    LayerResult,
    MetricTable,
    UnitIndex,
    UnitKind,
    merge_details,
    prf_from_totals,
)
from newsbench.schema.contract import ZONE_TYPES, newsbench_inventory, schema_version
from newsbench.schema.inventory import Inventory
from newsbench.schema.io import dumps_line, gc_paused, sha256_of_files
from newsbench.schema.model import ANNOTATION_LAYERS, Document, document_to_dict

HEADLINE: dict[str, tuple[str, ...]] = {
    "mentions": (
        "entities.strict",
        "entities.exact",
        "entities.partial",
        "entities.type",
        "entities.NAM.strict",
    ),
    "time_expressions": ("timex.strict", "timex.relaxed", "timex.value_accuracy"),
    "events": (
        "events.trigger_id",
        "events.trigger_cls",
        "events.arg_id",
        "events.arg_cls",
        "events.arg_cls+",
        "events.realis",
    ),
    "attributions": (
        "attr.relation",
        "attr.cue",
        "attr.source",
        "attr.content",
        "attr.content.partial",
    ),
}
"""Per predicted layer, the metrics that get bootstrap intervals."""


@dataclass(frozen=True)
class ScoringConfig:
    """Every setting that changes a number; recorded in the report and its signature."""

    unit: Literal["auto", "sentence", "document"] = "auto"
    zones: tuple[str, ...] | None = None
    n_resamples: int = 1000
    confidence: float = 0.95
    seed: int = stats.DEFAULT_SEED
    zero_division: float = 0.0
    content_threshold: float = 0.5
    allow_missing: bool = False
    label_map: str | None = None
    ci_method: Literal["percentile", "bca"] = "percentile"
    inventory: Inventory | None = None

    def __post_init__(self) -> None:
        # A setting refused fails here, not after every document is scored.
        stats.check_resampling(self.n_resamples, self.confidence, self.seed, self.ci_method)
        if self.unit not in ("auto", "sentence", "document"):
            raise ValueError(f"unit={self.unit!r}: choose 'auto', 'sentence' or 'document'")
        if self.zones is not None and (
            isinstance(self.zones, str)
            or not isinstance(self.zones, tuple)
            or not all(zone in ZONE_TYPES for zone in self.zones)
            or not self.zones
        ):
            raise ValueError(
                f"zones={self.zones!r}: give a non-empty tuple of zone types from "
                f"{', '.join(ZONE_TYPES)} (or None for every zone)"
            )
        if self.zones is not None:  # a set of zones: one order, each once, for the signature
            object.__setattr__(self, "zones", tuple(z for z in ZONE_TYPES if z in self.zones))
        for name in ("zero_division", "content_threshold"):
            value = getattr(self, name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not 0 <= value <= 1:  # NaN fails the range too
                raise ValueError(f"{name}={value!r}: give a number from 0 to 1")
        if not isinstance(self.allow_missing, bool):
            raise ValueError(f"allow_missing={self.allow_missing!r}: give True or False")
        if self.label_map is not None and not isinstance(self.label_map, str):
            raise ValueError(f"label_map={self.label_map!r}: the label map's name, a string")

    @property
    def labels(self) -> Inventory:
        """The label inventory scored under (``None``: the newsbench inventory)."""
        return self.inventory if self.inventory is not None else newsbench_inventory()

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready data (the inventory by its signature)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["zones"] = None if self.zones is None else list(self.zones)
        out["inventory"] = self.labels.signature
        return out

    def resolved_unit(self, n_documents: int, *, has_sentences: bool = True) -> UnitKind:
        """Sentences for a single-document corpus with a gold ``sentences`` layer,
        documents otherwise (unless set)."""
        if self.unit != "auto":
            return self.unit
        return "sentence" if n_documents == 1 and has_sentences else "document"

    def signature(
        self,
        *,
        unit: str,
        layers: Sequence[str],
        corpus: str,
        gold: str,
        split: str = "custom",
        perturbation: str = "none",
    ) -> str:
        """A one-line signature of the gold and the metric configuration, sacreBLEU style.

        ``corpus`` is the packaged corpus version (``custom`` for any other gold), ``split``
        the packaged split scored (``validation``, ``test``, ``all``; ``custom`` for any
        other gold) and ``gold`` the gold's sha256 (:func:`gold_digest`); the first 16 hex
        digits are kept. ``perturbation`` names the perturbed copy the gold is
        (:func:`gold_perturbation`; ``none`` for original documents).
        """
        short = {
            "mentions": "ent",
            "time_expressions": "timex",
            "events": "ev",
            "attributions": "attr",
            "coreference": "coref",
        }
        parts = [
            f"newsbench:{harness_version()}",
            f"corpus:{corpus}",
            f"split:{split}",
            f"gold:{gold[:16]}",
            f"perturbation:{perturbation}",
            f"schema:{schema_version()}",
            f"inventory:{self.labels.signature}",
            "layers:" + ",".join(short.get(layer, layer) for layer in layers),
            "match:optimal-1to1",
            "ends:exclusive",
            f"unit:{unit}",
            f"boot:{self.n_resamples}",
            f"ci:{self.confidence}-{self.ci_method}",
            f"seed:{self.seed}",
            f"zd:{_exact(self.zero_division)}",
            f"content-dice:{_exact(self.content_threshold)}",
            "zones:" + (",".join(self.zones) if self.zones else "all"),
            f"labelmap:{self.label_map or 'none'}",
            f"missing:{'allowed' if self.allow_missing else 'error'}",
        ]
        return "|".join(parts)


def _exact(value: float) -> str:
    """A number as short as ``%g`` writes it where that is exact, else every digit (two
    settings that differ never share a signature)."""
    short = f"{value:g}"
    return short if float(short) == value or value != value else repr(float(value))


def harness_version() -> str:
    """Return the installed newsbench version."""
    try:
        return metadata.version("newsbench")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def file_sha256(path: str | Path) -> str:
    """Return the sha256 of a file's bytes."""
    return sha256_of_files([path])


def git_revision(cwd: str | Path | None = None) -> str | None:
    """Return the git commit of ``cwd`` (None outside a repository)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


LayerScorer = Callable[[Document, Document, UnitIndex, "ScoringConfig"], LayerResult]


def _timex(gold: Document, pred: Document, units: UnitIndex, cfg: ScoringConfig) -> LayerResult:
    return score_time_expressions(gold, pred, units)


def _attributions(
    gold: Document, pred: Document, units: UnitIndex, cfg: ScoringConfig
) -> LayerResult:
    return score_attributions(
        gold,
        pred,
        units,
        content_threshold=cfg.content_threshold,
        declared=attribution_metrics(cfg.labels),
    )


LAYER_SCORERS: dict[str, LayerScorer] = {
    "time_expressions": _timex,
    "attributions": _attributions,
}
"""The scorers of the layers scored document by document (:func:`_score_chunk` scores
entity mentions and event arguments a block of documents at a time)."""


Keep = Literal["all", "headline"]


def _padded(values: array, n_values: int) -> array:
    """Extend ``values`` with zeros to ``n_values`` entries (in place) and return it."""
    missing = n_values - len(values)
    if missing > 0:
        values.frombytes(bytes(8 * missing))
    return values


@dataclass
class ShardScores:
    """Mergeable sufficient statistics of a run of documents (a shard of the corpus).

    Per-unit statistics are stored compactly: one flat ``array('d')`` of
    ``(p_num, p_den, r_num, r_den)`` rows per metric (8 bytes per count, no Python
    objects per unit), padded with zero rows where a metric is absent. With
    ``keep="all"`` every metric keeps its per-unit rows (the report lists them all);
    with ``keep="headline"`` only the headline metrics (what bootstrap intervals and
    ``newsbench compare`` need) keep rows, every other metric is a running total, the
    error listing is bounded by ``max_errors`` (with counts of every error by layer and
    kind), and coreference keeps per-document rows of the CoNLL components only: memory
    then grows by a few hundred bytes per unit, whatever the number of metrics.

    Shards over consecutive documents merge with :meth:`merge` (concatenation in order),
    so scoring shards in parallel and merging them gives the same statistics as one run.
    """

    unit: UnitKind
    keep: Keep = "all"
    kept: frozenset[str] = frozenset()
    max_errors: int | None = None
    unit_ids: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rows: dict[str, array] = field(default_factory=dict)
    totals: dict[str, list[float]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_counts: Counter[str] = field(default_factory=Counter)
    coref_sums: dict[str, CorefCounts] = field(default_factory=dict)
    coref_rows: dict[str, array] = field(default_factory=dict)
    predicted: set[str] = field(default_factory=set)
    entity_clusters: bool = False
    hoppers: bool = False
    gold_lacking: Counter[str] = field(default_factory=Counter)
    #: Units (documents) whose rows (coreference rows) were moved out by a RowSink:
    #: ``rows`` and ``coref_rows`` hold the units that follow.
    rows_from_unit: int = 0
    rows_from_doc: int = 0
    _coref_pending: dict[str, list[CorefCounts]] = field(default_factory=dict, repr=False)
    _listed_by_part: Counter[tuple[str, bool]] = field(default_factory=Counter, repr=False)

    @property
    def n_units(self) -> int:
        """Number of resampling units so far."""
        return len(self.unit_ids)

    def add(
        self,
        doc_id: str,
        n_units: int,
        tables: Sequence[MetricTable],
        details: Sequence[dict[str, Any]],
        errors: Sequence[ErrorRecord | dict[str, Any]],
    ) -> None:
        """Add one document's layer results (constant work per metric, whatever came before);
        error records may come as :meth:`ErrorRecord.to_dict` gives them."""
        offset = 4 * (len(self.unit_ids) - self.rows_from_unit)
        self.doc_ids.append(doc_id)
        if self.unit == "document":
            self.unit_ids.append(doc_id)
        else:
            self.unit_ids.extend(f"{doc_id}#{i}" for i in range(n_units))
        keep_all = self.keep == "all"
        for table in tables:
            for metric, values in table.rows.items():
                if keep_all or metric in self.kept:
                    row = self.rows.get(metric)
                    if row is None:
                        row = self.rows[metric] = array("d")
                    _padded(row, offset).extend(values)
                else:
                    total = self.totals.get(metric)
                    if total is None:
                        total = self.totals[metric] = [0.0, 0.0, 0.0, 0.0]
                    for i in range(0, len(values), 4):
                        total[0] += values[i]
                        total[1] += values[i + 1]
                        total[2] += values[i + 2]
                        total[3] += values[i + 3]
        for detail in details:
            merge_details(self.details, detail)
        self._add_errors(errors)

    def add_rows(self, rows: Mapping[str, np.ndarray]) -> None:
        """Add per-unit rows of the documents about to be added (a block's, from its first
        unit on; their metrics are not in the tables :meth:`add` gets). Kept metrics
        keep the rows, the others add them to their totals (exact for counts and halves:
        the block scorers' credits)."""
        offset = 4 * (len(self.unit_ids) - self.rows_from_unit)
        keep_all = self.keep == "all"
        for metric, values in rows.items():
            if keep_all or metric in self.kept:
                row = self.rows.get(metric)
                if row is None:
                    row = self.rows[metric] = array("d")
                _padded(row, offset).frombytes(np.ascontiguousarray(values, np.float64).tobytes())
            else:
                total = self.totals.setdefault(metric, [0.0, 0.0, 0.0, 0.0])
                for k, value in enumerate(values.reshape(-1, 4).sum(axis=0).tolist()):
                    total[k] += value

    def _add_errors(self, errors: Sequence[ErrorRecord | dict[str, Any]]) -> None:
        if self.max_errors is None:
            self.errors.extend(e if isinstance(e, dict) else e.to_dict() for e in errors)
            return
        kinds = [
            (e["layer"], e["kind"]) if isinstance(e, dict) else (e.layer, e.kind) for e in errors
        ]
        self._list_first(errors, kinds)
        self.error_counts.update(f"{layer}/{kind}" for layer, kind in kinds)

    def _list_first(
        self, errors: Iterable[ErrorRecord | dict[str, Any]], kinds: Iterable[tuple[str, str]]
    ) -> None:
        """List each error while fewer than ``max_errors`` of its part are listed (a part:
        what the gold may turn out unable to score, :func:`_listing_part`), so that the
        first ``max_errors`` of the parts kept in the end are all listed."""
        assert self.max_errors is not None
        listed = self._listed_by_part
        for error, (layer, kind) in zip(errors, kinds, strict=True):
            part = _listing_part(layer, kind)
            if listed[part] < self.max_errors:
                listed[part] += 1
                self.errors.append(error if isinstance(error, dict) else error.to_dict())

    def add_coref(self, name: str, counts: CorefCounts) -> None:
        """Add one document's coreference counts of one setting (``layer:setting``)."""
        pending = self._coref_pending.setdefault(name, [])
        pending.append(counts)
        if len(pending) >= _COREF_BATCH:
            self._flush_coref(name)
        if self.keep == "all":
            metrics: tuple[str, ...] = _COREF_RATIO
        elif name.endswith(":e2e.singletons"):
            metrics = _CONLL_PARTS
        else:
            return
        row = self.coref_rows.get(name)
        if row is None:
            row = self.coref_rows[name] = array("d")
        _padded(row, len(metrics) * 4 * (len(self.doc_ids) - 1 - self.rows_from_doc))
        for metric in metrics:
            row.extend(counts.pr_counts(metric))

    def _flush_coref(self, name: str) -> None:
        pending = self._coref_pending.pop(name, [])
        previous = self.coref_sums.get(name)
        if previous is not None:
            pending.insert(0, previous)
        if pending:
            self.coref_sums[name] = CorefCounts.total(pending)

    def flush(self) -> ShardScores:
        """Fold pending coreference counts into ``coref_sums`` (exact; done before use)."""
        for name in list(self._coref_pending):
            self._flush_coref(name)
        return self

    def matrix(self, metric: str) -> np.ndarray:
        """Return the ``(n_units, 4)`` statistics of a kept metric (zero rows where absent)."""
        row = self.rows.get(metric)
        if row is None:
            return np.zeros((len(self.unit_ids), 4))
        return np.frombuffer(_padded(row, 4 * len(self.unit_ids)), dtype=np.float64).reshape(-1, 4)

    def unit_rows(self, metric: str) -> UnitRows:
        """The report's per-unit rows of a kept metric (read lazily when the rows are on disk)."""
        lazy = getattr(self.rows, "unit_rows", None)
        return lazy(metric) if lazy is not None else UnitRows(self.matrix(metric))

    def coref_width(self) -> int:
        """Values per document in a coreference row: 4 per stored metric."""
        return 4 * len(_COREF_RATIO if self.keep == "all" else _CONLL_PARTS)

    def coref_unit_rows(self, name: str, k: int) -> UnitRows:
        """The per-document rows of the ``k``-th stored coreference metric of a setting
        (read lazily when the rows are on disk)."""
        lazy = getattr(self.coref_rows, "unit_rows", None)
        if lazy is not None:
            return lazy(name, self.coref_width(), 4 * k)  # type: ignore[no-any-return]
        return UnitRows(self.coref_matrix(name)[:, 4 * k : 4 * k + 4])

    def coref_matrix(self, name: str) -> np.ndarray:
        """Per-document coreference rows of one setting: 4 columns per stored metric."""
        width = self.coref_width()
        row = _padded(self.coref_rows.setdefault(name, array("d")), width * len(self.doc_ids))
        return np.frombuffer(row, dtype=np.float64).reshape(-1, width)

    def total(self, metric: str) -> np.ndarray:
        """Summed ``(p_num, p_den, r_num, r_den)`` of a metric (in unit order)."""
        if metric in self.rows:
            matrix = self.matrix(metric)
            return matrix.sum(axis=0) if len(matrix) else np.zeros(4)
        return np.asarray(self.totals.get(metric, [0.0] * 4), dtype=np.float64)

    @property
    def metrics(self) -> list[str]:
        """Every metric seen, sorted."""
        return sorted({*self.rows, *self.totals})

    def merge(self, other: ShardScores) -> ShardScores:
        """Append the statistics of ``other`` (the documents that follow) to this shard.

        Per-unit rows are concatenated, so merged statistics equal those of one run over
        all the documents bit for bit. Running totals (``keep="headline"``) are added:
        exact for counts; fractional credits (attribution partial matches) may then differ
        from one run in the last bit.
        """
        if (other.unit, other.keep, other.kept) != (self.unit, self.keep, self.kept):
            raise ValueError("cannot merge shards scored with different units or settings")
        if self.rows_from_unit or other.rows_from_unit:
            raise ValueError("cannot merge a shard whose rows a RowSink is moving out")
        self.flush()
        other.flush()
        offset = 4 * len(self.unit_ids)
        doc_offset = len(self.doc_ids)
        for metric, values in other.rows.items():
            row = self.rows.get(metric)
            if row is None:
                row = self.rows[metric] = array("d")
            _padded(row, offset).extend(values)
        for metric, total in other.totals.items():
            mine = self.totals.setdefault(metric, [0.0, 0.0, 0.0, 0.0])
            for k in range(4):
                mine[k] += total[k]
        for name, counts in other.coref_sums.items():
            previous = self.coref_sums.get(name)
            self.coref_sums[name] = counts if previous is None else previous + counts
        for name, values in other.coref_rows.items():
            width = 4 * len(_COREF_RATIO if self.keep == "all" else _CONLL_PARTS)
            row = _padded(self.coref_rows.setdefault(name, array("d")), width * doc_offset)
            row.extend(values)
        self.unit_ids.extend(other.unit_ids)
        self.doc_ids.extend(other.doc_ids)
        self.missing.extend(other.missing)
        merge_details(self.details, other.details)
        if self.max_errors is None:
            self.errors.extend(other.errors)
        else:
            listed = list(other.errors)
            self._list_first(listed, [(e["layer"], e["kind"]) for e in listed])
        self.error_counts.update(other.error_counts)
        self.predicted |= other.predicted
        self.entity_clusters |= other.entity_clusters
        self.hoppers |= other.hoppers
        self.gold_lacking.update(other.gold_lacking)
        return self


def merge_shards(shards: Iterable[ShardScores]) -> ShardScores:
    """Merge consecutive shards, in order, into the first one and return it.

    Raises:
        ValueError: If there is no shard.
    """
    iterator = iter(shards)
    merged = next(iterator, None)
    if merged is None:
        raise ValueError("no shard to merge")
    for shard in iterator:
        merged.merge(shard)
    return merged


def _kept_metrics(chosen: Sequence[str]) -> frozenset[str]:
    return frozenset(m for layer in chosen for m in HEADLINE.get(layer, ()))


class RowSink(Protocol):
    """Where :func:`score_shard` moves per-unit rows as it goes (memory flat in corpus size).

    :meth:`take` moves the shard's ``rows`` and ``coref_rows`` out and advances its
    ``rows_from_unit`` and ``rows_from_doc``; :meth:`give_back` puts every row back (as
    mappings that may read from disk) and resets both to 0.
    """

    every: int

    def take(self, shard: ShardScores) -> None: ...

    def give_back(self, shard: ShardScores) -> None: ...


def score_shard(
    pairs: Iterable[DocumentPair],
    config: ScoringConfig,
    *,
    layers: Sequence[str],
    unit: UnitKind,
    entity_coref: bool | None = None,
    event_coref: bool | None = None,
    keep: Keep = "all",
    max_errors: int | None = None,
    progress: Callable[[int], None] | None = None,
    row_sink: RowSink | None = None,
) -> ShardScores:
    """Score a run of documents into mergeable :class:`ShardScores` (no report).

    Args:
        pairs: Gold/prediction pairs (any iterable: it is consumed once, in order).
        config: The metric configuration.
        layers: The layers to score (every one must have a scorer).
        unit: The resampling unit (resolved: ``sentence`` or ``document``).
        entity_coref, event_coref: Score entity (event) coreference; ``None``: score it
            whenever the layer is scored and let :func:`report_from_shard` keep it only
            if some prediction gives cluster ids (as :func:`score_documents` does).
        keep: ``"all"`` per-unit statistics of every metric and every error record, or
            ``"headline"`` (compact; see :class:`ShardScores`).
        max_errors: Bound of the error listing (``None``: all; only with ``keep="headline"``
            the default becomes 1,000).
        progress: Called with 1 after each document (a progress bar).
        row_sink: Takes the per-unit rows out of the shard every ``row_sink.every``
            documents and puts them back (read from wherever it keeps them) at the end.
    """
    if keep == "headline" and max_errors is None:
        max_errors = DEFAULT_MAX_ERRORS
    shard = ShardScores(unit, keep, _kept_metrics(layers), max_errors)
    do_entities = "mentions" in layers and entity_coref is not False
    do_events = "events" in layers and event_coref is not False
    iterator = iter(pairs)
    # Scoring creates no reference cycles worth collecting (a few dozen per hundred
    # documents), but full collections would walk every loaded document again and again.
    with gc_paused():
        while chunk := list(itertools.islice(iterator, SCORING_BLOCK)):
            _score_chunk(shard, chunk, config, layers, unit, do_entities, do_events, progress)
            if row_sink is not None and len(shard.doc_ids) - shard.rows_from_doc >= row_sink.every:
                row_sink.take(shard)
    if row_sink is not None:
        row_sink.give_back(shard)
    return shard


#: Documents scored together: entity mentions and event arguments are scored a block at a
#: time, columnar (64 gets nearly all of the speed of larger blocks; each document held
#: costs memory).
SCORING_BLOCK = 64


def _score_chunk(
    shard: ShardScores,
    chunk: list[DocumentPair],
    config: ScoringConfig,
    layers: Sequence[str],
    unit: UnitKind,
    do_entities: bool,
    do_events: bool,
    progress: Callable[[int], None] | None,
) -> None:
    """Add a run of documents to the shard: entity mentions and event arguments for the
    run at once (:func:`score_entities_block`, :func:`score_arguments_block`: equal to the
    per-document scorers), every other metric document by document, errors and details
    in layer order."""
    indexes = [UnitIndex.for_document(pair.gold, unit) for pair in chunk]
    lackings = [gold_lacks(pair.gold) for pair in chunk]
    entities = None
    if "mentions" in layers:
        entities = score_entities_block(
            [
                (pair.gold, None if "mentions" in lacking else pair.pred, index)
                for pair, index, lacking in zip(chunk, indexes, lackings, strict=True)
            ],
            zones=config.zones,
            labels=config.labels.entity_types,
        )
        shard.add_rows(entities.rows)  # at the run's first unit, before its documents
        details_at = next((k for k, lack in enumerate(lackings) if "mentions" not in lack), None)
    arguments = None
    if "events" in layers:
        declared_triggers = trigger_metrics(config.labels)
        arguments = score_arguments_block(
            [
                (pair.gold, None if "events" in lacking else pair.pred, index)
                for pair, index, lacking in zip(chunk, indexes, lackings, strict=True)
            ],
            roles=config.labels.roles,
        )
        shard.add_rows(arguments.rows)
    for k, (pair, index, lacking) in enumerate(zip(chunk, indexes, lackings, strict=True)):
        gold, pred = pair.gold, pair.pred
        if lacking:
            shard.gold_lacking.update(lacking)
        tables: list[MetricTable] = []
        details: list[dict[str, Any]] = []
        errors: list[ErrorRecord | dict[str, Any]] = []
        for layer in layers:
            if layer in lacking:
                continue
            if layer == "mentions":
                assert entities is not None
                errors.extend(entities.errors[k])
                if k == details_at:
                    details.append(entities.details)
                continue
            if layer == "events":
                assert arguments is not None
                result = score_events(
                    gold, pred, index, declared=declared_triggers, arguments=False
                )
                if arguments.errors[k]:
                    result.errors.extend(arguments.errors[k])
                    result.errors.sort(key=event_error_order)
            else:
                result = LAYER_SCORERS[layer](gold, pred, index, config)
            tables.append(result.table)
            details.append(result.details)
            errors.extend(result.errors)
        if pair.missing:
            shard.missing.append(gold.id)
        shard.predicted.update(
            layer for layer in ANNOTATION_LAYERS if getattr(pred, layer) is not None
        )
        shard.add(gold.id, len(index), tables, details, errors)
        if do_entities:
            shard.entity_clusters = shard.entity_clusters or predicts_entity_clusters(pred)
            for setting, c in entity_coref_counts(gold, pred).items():
                shard.add_coref(f"entities:{setting}", c)
        if do_events:
            shard.hoppers = shard.hoppers or predicts_hoppers(pred)
            for setting, c in event_coref_counts(gold, pred).items():
                shard.add_coref(f"events:{setting}", c)
        if progress is not None:
            progress(1)


def gold_lacks(gold: Document) -> frozenset[str]:
    """What a (partial) gold document does not annotate: layers, and attributes of items.

    ``mention_type`` / ``entity`` when some mention has none, ``realis`` / ``hopper``
    when some event has none, and the names of absent annotation layers (and ``zones``).
    """
    lacking = {layer for layer in ANNOTATION_LAYERS if getattr(gold, layer) is None}
    if gold.zones is None:
        lacking.add("zones")
    for mention in gold.mentions or ():
        if mention.mention_type is None:
            lacking.add("mention_type")
        if mention.entity is None:
            lacking.add("entity")
    for event in gold.events or ():
        if event.realis is None:
            lacking.add("realis")
        if event.hopper is None:
            lacking.add("hopper")
    return frozenset(lacking)


_METRIC_PREFIX = {
    "mentions": "entities",
    "time_expressions": "timex",
    "events": "events",
    "attributions": "attr",
}
_ERROR_LAYERS = {
    "mentions": ("entities", "entities.NAM"),
    "time_expressions": ("timex",),
    "events": ("events",),
    "attributions": ("attributions",),
}


def _in_layer(metric: str, prefix: str) -> bool:
    return metric == prefix or metric.startswith((prefix + ".", prefix + "["))


def gold_coverage(
    lacking: Counter[str],
    n_documents: int,
    layers: Sequence[str],
    inventory: Inventory | None = None,
    zones: Sequence[str] | None = None,
) -> dict[str, str]:
    """What the gold does not let the harness score, with the reason, by name.

    Names are layers (``time_expressions``), the names view (``entities.NAM``), the
    realis metric (``events.realis``), the argument metrics (``events.arguments``, when
    the inventory declares no role) and coreference (``coreference.entities``,
    ``coreference.events``). A layer is scored only if every gold document annotates it.
    """

    def share(key: str) -> str:
        return f"{lacking[key]} of {n_documents} gold documents"

    skipped: dict[str, str] = {}
    for layer in layers:
        if lacking[layer]:
            skipped[layer] = f"not annotated in {share(layer)} (absent layer key)"
    if "mentions" in layers and "mentions" not in skipped and zones and lacking["zones"]:
        skipped["mentions"] = (
            f"--zone {' '.join(zones)} needs the gold's zones layer, absent in {share('zones')}"
        )
    if "mentions" in layers and "mentions" not in skipped:
        if lacking["mention_type"]:
            skipped["entities.NAM"] = (
                f"gold mentions without a mention_type in {share('mention_type')}: "
                "names cannot be told from other mentions"
            )
        if lacking["entity"]:
            skipped["coreference.entities"] = (
                f"gold mentions without an entity id in {share('entity')}"
            )
    if "events" in layers and "events" not in skipped:
        if lacking["realis"]:
            skipped["events.realis"] = f"gold events without realis in {share('realis')}"
        if lacking["hopper"]:
            skipped["coreference.events"] = f"gold events without a hopper in {share('hopper')}"
        if inventory is not None and not inventory.roles:
            skipped["events.arguments"] = (
                f"the {inventory.name} inventory declares no argument roles"
            )
    return skipped


def _skipped_metric(metric: str, skipped: Mapping[str, str]) -> bool:
    if "events.arguments" in skipped and metric.startswith("events.arg_"):
        return True
    for name in skipped:
        prefix = _METRIC_PREFIX.get(name, name)
        if not name.startswith("coreference.") and _in_layer(metric, prefix):
            return True
    return False


def _drop_skipped(shard: ShardScores, skipped: Mapping[str, str]) -> None:
    """Remove from ``shard`` every statistic and error of what the gold cannot score."""
    for table in (shard.rows, shard.totals):
        for metric in [m for m in table if _skipped_metric(m, skipped)]:
            del table[metric]
    error_layers = {e for name in skipped for e in _ERROR_LAYERS.get(name, (name,))}
    for key in list(shard.details):
        name = key.split(":", 1)[-1]
        if name in error_layers or name.startswith(tuple(f"{e}." for e in error_layers)):
            del shard.details[key]

    def dropped(layer: str, kind: str) -> bool:
        name, realis = _listing_part(layer, kind)
        return name in error_layers or (realis and "events.realis" in skipped)

    shard.errors = [e for e in shard.errors if not dropped(e["layer"], e["kind"])]
    for key in [k for k in shard.error_counts if dropped(*k.split("/", 1))]:
        del shard.error_counts[key]


def _listing_part(layer: str, kind: str) -> tuple[str, bool]:
    """The part of the error listing an error belongs to: its layer, and whether it is an
    event's realis (dropped alone when the gold has no realis)."""
    return layer, layer == "events" and kind == "realis"


_COREF_BATCH = 512  # documents whose coreference counts are summed at once

DEFAULT_MAX_ERRORS = 1000
"""Error records listed in a compact (``keep="headline"``) report; every error is counted."""


def _metric_entry(totals: np.ndarray, cfg: ScoringConfig) -> dict[str, Any]:
    precision, recall, f1 = prf_from_totals(totals, cfg.zero_division)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "counts": dict(
            zip(("p_num", "p_den", "r_num", "r_den"), (float(x) for x in totals), strict=True)
        ),
    }


def _semeval_summary(details: dict[str, Any], cfg: ScoringConfig) -> dict[str, Any]:
    from newsbench.eval.spans import semeval_scores

    out: dict[str, Any] = {}
    for key, counts in details.items():
        if not key.startswith("semeval:"):
            continue
        view = key.split(":", 1)[1]
        scores = semeval_scores(counts, cfg.labels.entity_types, zero_division=cfg.zero_division)
        out[view] = {
            scheme: {
                "counts": s.counts.as_dict(),
                "micro": asdict(s.micro),
                "macro": asdict(s.macro),
                "weighted": asdict(s.weighted),
                "per_type": {
                    label: {**asdict(v), "support": s.support[label]}
                    for label, v in s.per_type.items()
                },
            }
            for scheme, s in scores.items()
        }
    return out


_COREF_RATIO = ("muc", "bcubed", "ceafm", "ceafe", "lea")
_COREF_PREFIX = {
    "e2e.singletons": "",
    "e2e.no_singletons": ".no_singletons",
    "gold_mentions.singletons": ".gold_mentions",
    "gold_mentions.no_singletons": ".gold_mentions.no_singletons",
}


def _conll_statistic(zero_division: float) -> stats.Statistic:
    f1 = stats.f1_from_pr_counts(zero_division=zero_division)

    def mean_f1(summed: np.ndarray) -> np.ndarray:
        parts = [f1(summed[..., 4 * i : 4 * i + 4]) for i in range(3)]
        return (parts[0] + parts[1] + parts[2]) / 3.0

    columns = tuple(
        f"{m}.{c}" for m in ("muc", "bcubed", "ceafe") for c in ("p_num", "p_den", "r_num", "r_den")
    )
    return stats.Statistic("conll_f1", columns, mean_f1, zero_division)


_CONLL_PARTS = ("muc", "bcubed", "ceafe")


def _coref_section(
    shard: ShardScores, names: Sequence[str], config: ScoringConfig
) -> tuple[dict[str, Any], list[tuple[str, Callable[[], np.ndarray]]], dict[str, Any]]:
    """Return (metrics, CoNLL tables to bootstrap as loaders, per-document statistics)."""
    metrics: dict[str, Any] = {}
    conll: list[tuple[str, Callable[[], np.ndarray]]] = []
    per_unit: dict[str, UnitRows] = {}
    stored = _COREF_RATIO if shard.keep == "all" else _CONLL_PARTS
    for name in sorted(names):
        layer, setting = name.split(":", 1)
        base = f"coref.{layer}{_COREF_PREFIX[setting]}"
        summed = shard.coref_sums[name]
        for metric, prf in coref_scores(summed, zero_division=config.zero_division).items():
            metrics[f"{base}.{metric}"] = {
                "precision": float(prf.precision),
                "recall": float(prf.recall),
                "f1": float(prf.f1),
            }
        if shard.keep == "all" or setting == "e2e.singletons":
            for k, metric in enumerate(stored):
                per_unit[f"{base}.{metric}"] = shard.coref_unit_rows(name, k)
        if setting == "e2e.singletons":
            columns = [4 * stored.index(m) + c for m in _CONLL_PARTS for c in range(4)]

            def conll_table(name: str = name, columns: list[int] = columns) -> np.ndarray:
                return np.ascontiguousarray(shard.coref_matrix(name)[:, columns])

            conll.append((f"{base}.conll", conll_table))
    statistics = {
        "unit_ids": shard.doc_ids,
        "columns": ["p_num", "p_den", "r_num", "r_den"],
        "metrics": per_unit,
    }
    return metrics, conll, statistics


def _intervals(
    tasks: Sequence[tuple[Callable[[], np.ndarray], int, stats.Statistic, str]],
    config: ScoringConfig,
) -> list[dict[str, Any] | None]:
    """Bootstrap intervals of several per-unit tables, each given as a loader and its
    number of units; tables over the same units share one stream of resamples (each
    interval is the one :func:`stats.bootstrap_ci` gives), and only a few are held at
    once (the rows may be on disk)."""
    out: list[dict[str, Any] | None] = [None] * len(tasks)
    groups: dict[tuple[int, str], list[int]] = {}
    for k, (_, n_units, _, unit) in enumerate(tasks):
        if n_units >= 2:
            groups.setdefault((n_units, unit), []).append(k)
    for (_, unit), members in groups.items():
        cis = stats.bootstrap_cis(
            [tasks[k][0] for k in members],
            [tasks[k][2] for k in members],
            n_resamples=config.n_resamples,
            confidence=config.confidence,
            seed=config.seed,
            method=config.ci_method,
            unit=unit,
        )
        for k, ci in zip(members, cis, strict=True):
            out[k] = {"low": ci.low, "high": ci.high}
    return out


def report_from_shard(
    shard: ShardScores,
    config: ScoringConfig,
    *,
    layers: Sequence[str],
    gold_sha256: str,
    provenance: dict[str, Any] | None = None,
    corpus_version: str = "custom",
    split: str = "custom",
    perturbation: str = "none",
    entity_coref: bool | None = None,
    event_coref: bool | None = None,
) -> dict[str, Any]:
    """Turn the (merged) statistics of a whole corpus into the report.

    Args:
        shard: Statistics of every document, in corpus order.
        config: The metric configuration the shard was scored with.
        layers: The scored layers, in reporting order.
        entity_coref, event_coref: Whether coreference is reported; ``None``: when the
            layer was scored and some prediction gives cluster ids.
    """
    shard.flush()
    skipped = gold_coverage(
        shard.gold_lacking, len(shard.doc_ids), layers, config.labels, config.zones
    )
    if skipped:
        _drop_skipped(shard, skipped)
    if shard.max_errors is not None:  # each part listed its first: the first of them all
        shard.errors = shard.errors[: shard.max_errors]
    chosen = [layer for layer in layers if layer not in skipped]
    not_scored = sorted(set(ANNOTATION_LAYERS) - set(layers))
    unit = shard.unit
    if entity_coref is None:
        entity_coref = "mentions" in chosen and shard.entity_clusters
    if event_coref is None:
        event_coref = "events" in chosen and shard.hoppers
    entity_coref = bool(entity_coref) and "coreference.entities" not in skipped
    entity_coref = entity_coref and "mentions" in chosen
    event_coref = bool(event_coref) and "coreference.events" not in skipped
    event_coref = event_coref and "events" in chosen
    coref_names = [
        name
        for name in shard.coref_sums
        if (entity_coref and name.startswith("entities:"))
        or (event_coref and name.startswith("events:"))
    ]
    coref_metrics, conll, coref_statistics = _coref_section(shard, coref_names, config)

    metrics: dict[str, Any] = {}
    for metric in shard.metrics:
        metrics[metric] = _metric_entry(shard.total(metric), config)
    f1 = stats.f1_from_pr_counts(zero_division=config.zero_division)
    conll_statistic = _conll_statistic(config.zero_division)
    names = [metric for layer in chosen for metric in HEADLINE.get(layer, ()) if metric in metrics]
    tasks = [(partial(shard.matrix, m), len(shard.unit_ids), f1, unit) for m in names]
    tasks += [(table, len(shard.doc_ids), conll_statistic, "document") for _, table in conll]
    cis = _intervals(tasks, config)
    headline: dict[str, Any] = {}
    for metric, ci in zip(names, cis[: len(names)], strict=True):
        entry = dict(metrics[metric])
        entry.pop("counts")
        entry["ci"] = ci
        headline[metric] = entry
    metrics.update(coref_metrics)
    for (name, _), ci in zip(conll, cis[len(names) :], strict=True):
        entry = dict(metrics[name])
        entry["ci"] = ci
        headline[name] = entry
    coreference = [name for name, on in (("entities", entity_coref), ("events", event_coref)) if on]
    report = {
        "format": REPORT_FORMAT,
        "signature": config.signature(
            unit=unit,
            layers=chosen,
            corpus=corpus_version,
            gold=gold_sha256,
            split=split,
            perturbation=perturbation,
        ),
        "config": config.as_dict(),
        "provenance": {
            "newsbench": harness_version(),
            "schema": schema_version(),
            "corpus_version": corpus_version,
            "split": split,
            "gold_sha256": gold_sha256,
            "perturbation": perturbation,
            "python": platform.python_version(),
            "numpy": np.__version__,
            **(provenance or {}),
        },
        "documents": {
            "gold": len(shard.doc_ids),
            "missing_predictions": list(shard.missing),
        },
        "layers": {
            "scored": chosen,
            "not_predicted": not_scored,
            "coreference": coreference,
            "skipped": skipped,
        },
        "resampling": {
            "unit": unit,
            "n_units": len(shard.unit_ids),
            "n_resamples": config.n_resamples,
            "seed": config.seed,
            "confidence": config.confidence,
            "method": config.ci_method,
        },
        "headline": headline,
        "metrics": metrics,
        "entities": _semeval_summary(shard.details, config),
        "errors": shard.errors,
        "unit_statistics": {
            "unit_ids": shard.unit_ids,
            "columns": ["p_num", "p_den", "r_num", "r_den"],
            "metrics": {m: shard.unit_rows(m) for m in sorted(shard.rows)},
        },
        "document_statistics": coref_statistics,
    }
    if shard.keep != "all":
        report["statistics_kept"] = {
            "per_unit": "headline metrics only (the others: corpus totals)",
            "coreference_per_document": "CoNLL components (muc, bcubed, ceafe) of e2e",
        }
    if shard.max_errors is not None:
        report["errors_summary"] = {
            "listed": len(shard.errors),
            "total": sum(shard.error_counts.values()),
            "by_kind": dict(sorted(shard.error_counts.items())),
        }
    return report


def quiet_worker() -> None:
    """Initialise a worker process of a pool: Ctrl-C is the parent's to act on (it stops
    the pool and reports once). SIGTERM and SIGHUP keep the handlers the worker inherited:
    a forked worker raises as the command does, so its temporary files are removed, and a
    signal ignored at start (SIGHUP under ``nohup``) stays ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# Fork-inherited input of the parallel workers (set only around a pool's lifetime).
_WORKER_PAIRS: Sequence[DocumentPair] | None = None


def _score_range(
    start: int,
    stop: int,
    pairs: Sequence[DocumentPair] | None,
    config: ScoringConfig,
    kwargs: dict[str, Any],
) -> ShardScores:
    source = _WORKER_PAIRS if pairs is None else pairs
    assert source is not None
    chunk = source[start:stop] if pairs is None else source
    shard = score_shard(chunk, config, **kwargs).flush()
    # Sent back as JSON lines: as dicts, the records cost the parent more to unpickle
    # than this worker took to score them (ErrorLines).
    shard.errors = ErrorLines(shard.errors)  # type: ignore[assignment]
    return shard


def score_shards_parallel(
    pairs: Sequence[DocumentPair],
    config: ScoringConfig,
    *,
    jobs: int,
    shards: int | None = None,
    **kwargs: Any,
) -> ShardScores:
    """Score contiguous shards of ``pairs`` in ``jobs`` processes and merge them in order.

    Uses :class:`concurrent.futures.ProcessPoolExecutor`; with the ``fork`` start method
    (Linux) the workers inherit ``pairs`` and only the statistics travel back, otherwise
    each shard's documents are pickled to its worker. The merged statistics equal
    ``score_shard(pairs, ...)`` exactly (shards are concatenated in corpus order).

    Args:
        pairs: All gold/prediction pairs.
        config: The metric configuration.
        jobs: Number of worker processes (>= 1; 1 scores in this process).
        shards: Number of shards (default ``2 * jobs``, at most one per document).
        **kwargs: Passed to :func:`score_shard` (``layers``, ``unit``, ...).
    """
    global _WORKER_PAIRS
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    n = len(pairs)
    n_shards = max(1, min(n, shards or 2 * jobs))
    if jobs == 1 or n_shards == 1:
        return score_shard(pairs, config, **kwargs)
    progress = kwargs.pop("progress", None)  # advanced here, as each shard comes back
    bounds = [n * k // n_shards for k in range(n_shards + 1)]
    methods = multiprocessing.get_all_start_methods()
    fork = "fork" in methods
    context = multiprocessing.get_context("fork" if fork else None)
    if fork:
        _WORKER_PAIRS = pairs
        # Move every existing object out of the collector's reach: a forked worker's
        # garbage collection would otherwise touch (and so copy) the whole parent heap.
        gc.freeze()
    try:
        with ProcessPoolExecutor(  # a forked pool starts every worker at once
            max_workers=min(jobs, n_shards), mp_context=context, initializer=quiet_worker
        ) as pool:
            futures = [
                pool.submit(
                    _score_range,
                    bounds[k],
                    bounds[k + 1],
                    None if fork else list(pairs[bounds[k] : bounds[k + 1]]),
                    config,
                    kwargs,
                )
                for k in range(n_shards)
            ]
            results = []
            for k, future in enumerate(futures):
                results.append(future.result())
                if progress is not None:
                    progress(bounds[k + 1] - bounds[k])
    finally:
        _WORKER_PAIRS = None
        if fork:
            gc.unfreeze()
    return merge_shards(results)


def _chosen_layers(pairs: Sequence[DocumentPair], layers: Sequence[str] | None) -> list[str]:
    check_layer_names(layers)
    predicted = [
        layer
        for layer in ANNOTATION_LAYERS
        if any(getattr(p.pred, layer) is not None for p in pairs)
    ]
    require_predicted(layers or (), set(predicted))
    return [layer for layer in (layers or predicted) if layer in ANNOTATION_LAYERS]


def score_documents(
    pairs: Sequence[DocumentPair],
    config: ScoringConfig,
    *,
    layers: Sequence[str] | None = None,
    provenance: dict[str, Any] | None = None,
    corpus_version: str = "custom",
    split: str = "custom",
    gold_sha256: str | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Score paired documents on every predicted layer and return the report data.

    Args:
        pairs: Gold/prediction pairs (see :func:`newsbench.eval.pairing.pair_documents`).
        config: The metric configuration.
        layers: Layers to score; default: every layer some prediction document gives.
        provenance: Extra provenance (files, hashes, command) recorded as given.
        corpus_version: The packaged corpus version when the gold is the packaged corpus
            (``custom`` otherwise), recorded in the signature.
        split: The packaged split scored (``custom`` for other gold), in the signature.
        gold_sha256: The gold's sha256, recorded in the signature: the gold file's bytes
            where there is a file; default: :func:`gold_digest` of the gold documents.
        jobs: Worker processes (:func:`score_shards_parallel`); the report is identical
            for every value.
        progress: Called with the number of documents scored since the last call.

    Returns:
        The report as JSON-ready data, except that per-unit statistics
        (``unit_statistics`` and ``document_statistics``) are :class:`UnitRows`, compact
        tables that read and compare like lists of rows, and that with ``jobs > 1`` the
        ``errors`` are :class:`~newsbench.eval.error_lines.ErrorLines`, which read and
        compare like the list of dicts ``jobs=1`` gives;
        :func:`newsbench.eval.report.write_json` writes them as lists.
    """
    chosen = _chosen_layers(pairs, layers)
    unit = config.resolved_unit(
        len(pairs), has_sentences=bool(pairs) and pairs[0].gold.sentences is not None
    )
    entity_coref = "mentions" in chosen and any(predicts_entity_clusters(p.pred) for p in pairs)
    event_coref = "events" in chosen and any(predicts_hoppers(p.pred) for p in pairs)
    shard = score_shards_parallel(
        pairs,
        config,
        jobs=jobs,
        layers=chosen,
        unit=unit,
        entity_coref=entity_coref,
        event_coref=event_coref,
        progress=progress,
    )
    return report_from_shard(
        shard,
        config,
        layers=chosen,
        provenance=provenance,
        corpus_version=corpus_version,
        split=split,
        gold_sha256=gold_sha256 or gold_digest(p.gold for p in pairs),
        perturbation=gold_perturbation(p.gold for p in pairs),
        entity_coref=entity_coref,
        event_coref=event_coref,
    )


def score_stream(
    pairs: Iterable[DocumentPair],
    config: ScoringConfig,
    *,
    layers: Sequence[str],
    provenance: dict[str, Any] | None = None,
    corpus_version: str = "custom",
    split: str = "custom",
    gold_sha256: str | None = None,
    keep: Keep = "headline",
    max_errors: int | None = None,
    progress: Callable[[int], None] | None = None,
    row_sink: RowSink | None = None,
) -> dict[str, Any]:
    """Score a stream of pairs in one pass, in memory that does not grow with the metrics.

    Nothing but the compact statistics of :class:`ShardScores` is kept (with the default
    ``keep="headline"``): documents can be read, validated and dropped one at a time.
    The metrics, headline scores and intervals equal :func:`score_documents`'s (bit for
    bit); the report lists per-unit statistics of the headline metrics only and at most
    ``max_errors`` error records (default 1,000) with ``errors_summary`` counting them all.

    Args:
        pairs: Gold/prediction pairs, consumed once.
        config: The metric configuration (``unit="auto"`` looks ahead one document).
        layers: The layers to score; each must be given by some prediction (checked at
            the end, as :func:`score_documents` does).
        gold_sha256: As for :func:`score_documents`; default: the digest of the gold
            documents, computed as they stream by.
        keep: ``"headline"`` (compact) or ``"all"`` (the full report of score_documents).
        max_errors: Bound of the error listing.
        row_sink: Keeps the per-unit rows out of memory as they grow (see
            :class:`RowSink`; :class:`newsbench.eval.spill.RowSpill` writes them to disk).

    Raises:
        ValueError: If a requested layer is given by no prediction, or twice.
    """
    check_layer_names(layers)
    digest = _StreamDigest(hashing=not gold_sha256)
    iterator = digest.passing(pairs)
    head = list(itertools.islice(iterator, 2))
    unit = config.resolved_unit(
        len(head), has_sentences=bool(head) and head[0].gold.sentences is not None
    )
    chosen = [layer for layer in layers if layer in ANNOTATION_LAYERS]
    shard = score_shard(
        itertools.chain(head, iterator),
        config,
        layers=chosen,
        unit=unit,
        keep=keep,
        max_errors=max_errors,
        progress=progress,
        row_sink=row_sink,
    )
    require_predicted(layers, shard.predicted)
    return report_from_shard(
        shard,
        config,
        layers=chosen,
        provenance=provenance,
        corpus_version=corpus_version,
        split=split,
        gold_sha256=gold_sha256 or digest.hexdigest(),
        perturbation=digest.perturbation(),
    )


def gold_digest(documents: Iterable[Document]) -> str:
    """The sha256 of the gold's canonical JSONL (equal to the bytes newsbench writes)."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(dumps_line(document_to_dict(document)) + b"\n")
    return digest.hexdigest()


def perturbation_of(document: Document) -> str:
    """``NAME@seedN`` for a perturbed copy (from its metadata), ``none`` for an original."""
    meta = document.metadata
    if meta is None or meta.perturbation is None:
        return "none"
    return f"{meta.perturbation}@seed{meta.perturbation_seed}"


def gold_perturbation(documents: Iterable[Document]) -> str:
    """The perturbation the gold documents are copies of, for the signature.

    ``none`` for original documents, ``NAME@seedN`` when every document is a copy made by
    the same perturbation and seed (``newsbench perturb``), ``mixed`` otherwise.
    """
    return perturbation_from({perturbation_of(document) for document in documents})


def perturbation_from(found: Set[str]) -> str:
    """The signature's perturbation of a gold whose documents are copies ``found``."""
    if len(found) == 1:
        return next(iter(found))
    return "none" if not found else "mixed"


def check_layer_names(layers: Sequence[str] | None) -> None:
    """Refuse a layer requested twice (it would be scored, and counted, twice).

    Raises:
        ValueError: Naming the repeated layers.
    """
    if layers is None or isinstance(layers, str):
        return
    repeated = [layer for layer, n in Counter(layers).items() if n > 1]
    if repeated:
        raise ValueError(
            f"the layer(s) {', '.join(repeated)} are requested more than once; name each layer once"
        )


def require_predicted(layers: Sequence[str], predicted: Set[str]) -> None:
    """Refuse requested layers that no prediction gives.

    Raises:
        ValueError: Naming the absent layers and those the predictions give.
    """
    absent = [layer for layer in layers if layer not in predicted]
    if absent:
        given = [layer for layer in ANNOTATION_LAYERS if layer in predicted]
        raise ValueError(
            f"the predictions do not give the layer(s) {', '.join(absent)}; "
            f"they give: {', '.join(given) or 'none'}"
        )


class _StreamDigest:
    """:func:`gold_digest` and :func:`gold_perturbation` of gold documents streaming past."""

    def __init__(self, *, hashing: bool = True) -> None:
        self._digest = hashlib.sha256()
        self._hashing = hashing
        self._perturbations: set[str] = set()

    def passing(self, pairs: Iterable[DocumentPair]) -> Iterator[DocumentPair]:
        for pair in pairs:
            if self._hashing:
                self._digest.update(dumps_line(document_to_dict(pair.gold)) + b"\n")
            self._perturbations.add(perturbation_of(pair.gold))
            yield pair

    def hexdigest(self) -> str:
        return self._digest.hexdigest()

    def perturbation(self) -> str:
        return perturbation_from(self._perturbations)
