"""Score predictions against gold: every layer, micro scores, bootstrap intervals.

Data flows one way: :func:`score_documents` takes validated, paired documents,
runs each layer scorer per document (align -> per-unit counts), sums the counts
(corpus-level micro scores), computes seeded bootstrap confidence intervals for
the headline metrics from the stored per-unit statistics, and returns a plain
JSON-serialisable report. Nothing here prints or writes files.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from newsbench.eval import stats
from newsbench.eval.attribution_scoring import score_attributions
from newsbench.eval.coref import CorefCounts, coref_scores
from newsbench.eval.coref_scoring import (
    entity_coref_counts,
    event_coref_counts,
    predicts_entity_clusters,
    predicts_hoppers,
)
from newsbench.eval.entity_scoring import score_entities
from newsbench.eval.event_scoring import score_events
from newsbench.eval.pairing import DocumentPair
from newsbench.eval.timex_scoring import score_time_expressions
from newsbench.eval.units import (
    ErrorRecord,
    LayerResult,
    UnitIndex,
    UnitKind,
    merge_details,
    prf_from_totals,
)
from newsbench.schema.contract import ENTITY_TYPES, schema_version
from newsbench.schema.model import ANNOTATION_LAYERS, Document

REPORT_FORMAT = "newsbench-report/1"

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

    def resolved_unit(self, n_documents: int) -> UnitKind:
        """Sentences for a single-document corpus, documents otherwise (unless set)."""
        if self.unit != "auto":
            return self.unit
        return "sentence" if n_documents == 1 else "document"

    def signature(self, *, unit: str, layers: Sequence[str], corpus: str) -> str:
        """A one-line signature of the metric configuration, sacreBLEU style."""
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
            f"schema:{schema_version()}",
            "layers:" + ",".join(short.get(layer, layer) for layer in layers),
            "match:optimal-1to1",
            "ends:exclusive",
            f"unit:{unit}",
            f"boot:{self.n_resamples}",
            f"ci:{self.confidence}-{self.ci_method}",
            f"seed:{self.seed}",
            f"zd:{self.zero_division:g}",
            f"content-dice:{self.content_threshold:g}",
            "zones:" + (",".join(self.zones) if self.zones else "all"),
            f"labelmap:{self.label_map or 'none'}",
            f"missing:{'allowed' if self.allow_missing else 'error'}",
        ]
        return "|".join(parts)


def harness_version() -> str:
    """Return the installed newsbench version."""
    try:
        return metadata.version("newsbench")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def file_sha256(path: str | Path) -> str:
    """Return the sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _entities(gold: Document, pred: Document, units: UnitIndex, cfg: ScoringConfig) -> LayerResult:
    return score_entities(gold, pred, units, zones=cfg.zones)


def _timex(gold: Document, pred: Document, units: UnitIndex, cfg: ScoringConfig) -> LayerResult:
    return score_time_expressions(gold, pred, units)


def _events(gold: Document, pred: Document, units: UnitIndex, cfg: ScoringConfig) -> LayerResult:
    return score_events(gold, pred, units)


def _attributions(
    gold: Document, pred: Document, units: UnitIndex, cfg: ScoringConfig
) -> LayerResult:
    return score_attributions(gold, pred, units, content_threshold=cfg.content_threshold)


LAYER_SCORERS: dict[str, LayerScorer] = {
    "mentions": _entities,
    "time_expressions": _timex,
    "events": _events,
    "attributions": _attributions,
}
"""The scorer of every annotation layer."""


@dataclass
class CorpusCounts:
    """Per-unit statistics of every metric for a whole corpus (the sufficient statistics)."""

    unit: UnitKind
    unit_ids: list[str] = field(default_factory=list)
    arrays: dict[str, list[np.ndarray]] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorRecord] = field(default_factory=list)

    def _pad(self, metric: str, to: int) -> list[np.ndarray]:
        chunks = self.arrays.setdefault(metric, [])
        filled = self.filled.get(metric, 0)
        if filled < to:  # the metric is absent from some documents: zero rows there
            chunks.append(np.zeros((to - filled, 4)))
            self.filled[metric] = to
        return chunks

    def add(self, doc_id: str, n_units: int, results: Sequence[LayerResult]) -> None:
        """Add one document's layer results (constant work per metric, whatever came before)."""
        offset = len(self.unit_ids)
        if self.unit == "document":
            self.unit_ids.append(doc_id)
        else:
            self.unit_ids.extend(f"{doc_id}#{i}" for i in range(n_units))
        for result in results:
            for metric, array in result.table.arrays.items():
                rows = array.sum(axis=0, keepdims=True) if self.unit == "document" else array
                self._pad(metric, offset).append(rows)
                self.filled[metric] = offset + len(rows)
            merge_details(self.details, result.details)
            self.errors.extend(result.errors)

    def matrix(self, metric: str) -> np.ndarray:
        """Return the ``(n_units, 4)`` statistics of ``metric`` (zero rows where absent)."""
        if metric not in self.arrays:
            return np.zeros((len(self.unit_ids), 4))
        return np.concatenate(self._pad(metric, len(self.unit_ids)))


def _metric_entry(matrix: np.ndarray, cfg: ScoringConfig) -> dict[str, Any]:
    totals = matrix.sum(axis=0) if len(matrix) else np.zeros(4)
    precision, recall, f1 = prf_from_totals(totals, cfg.zero_division)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "counts": dict(
            zip(("p_num", "p_den", "r_num", "r_den"), (float(x) for x in totals), strict=True)
        ),
    }


def _interval(matrix: np.ndarray, cfg: ScoringConfig, unit: str) -> dict[str, Any] | None:
    if len(matrix) < 2:
        return None
    statistic = stats.f1_from_pr_counts(zero_division=cfg.zero_division)
    ci = stats.bootstrap_ci(
        matrix,
        statistic,
        n_resamples=cfg.n_resamples,
        confidence=cfg.confidence,
        seed=cfg.seed,
        method=cfg.ci_method,
        unit=unit,
    )
    return {"low": ci.low, "high": ci.high}


def _semeval_summary(details: dict[str, Any], cfg: ScoringConfig) -> dict[str, Any]:
    from newsbench.eval.spans import semeval_scores

    out: dict[str, Any] = {}
    for key, counts in details.items():
        if not key.startswith("semeval:"):
            continue
        view = key.split(":", 1)[1]
        scores = semeval_scores(counts, ENTITY_TYPES, zero_division=cfg.zero_division)
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


def _coref_section(
    per_doc: dict[str, list[CorefCounts]], doc_ids: list[str], config: ScoringConfig
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return (metrics, headline, per-document statistics) of every coreference setting."""
    metrics: dict[str, Any] = {}
    headline: dict[str, Any] = {}
    per_unit: dict[str, list[list[float]]] = {}
    for name, counts in sorted(per_doc.items()):
        layer, setting = name.split(":", 1)
        base = f"coref.{layer}{_COREF_PREFIX[setting]}"
        summed = sum(counts, CorefCounts())
        for metric, prf in coref_scores(summed, zero_division=config.zero_division).items():
            metrics[f"{base}.{metric}"] = {
                "precision": float(prf.precision),
                "recall": float(prf.recall),
                "f1": float(prf.f1),
            }
        for metric in _COREF_RATIO:
            per_unit[f"{base}.{metric}"] = [list(c.pr_counts(metric)) for c in counts]
        if setting == "e2e.singletons":
            entry = dict(metrics[f"{base}.conll"])
            ci = None
            if len(counts) >= 2:
                matrix = np.array(
                    [
                        [x for m in ("muc", "bcubed", "ceafe") for x in c.pr_counts(m)]
                        for c in counts
                    ]
                )
                result = stats.bootstrap_ci(
                    matrix,
                    _conll_statistic(config.zero_division),
                    n_resamples=config.n_resamples,
                    confidence=config.confidence,
                    seed=config.seed,
                    method=config.ci_method,
                    unit="document",
                )
                ci = {"low": result.low, "high": result.high}
            entry["ci"] = ci
            headline[f"{base}.conll"] = entry
    statistics = {
        "unit_ids": doc_ids,
        "columns": ["p_num", "p_den", "r_num", "r_den"],
        "metrics": per_unit,
    }
    return metrics, headline, statistics


def score_documents(
    pairs: Sequence[DocumentPair],
    config: ScoringConfig,
    *,
    layers: Sequence[str] | None = None,
    provenance: dict[str, Any] | None = None,
    corpus_version: str = "unknown",
) -> dict[str, Any]:
    """Score paired documents on every predicted layer and return the report data.

    Args:
        pairs: Gold/prediction pairs (see :func:`newsbench.eval.pairing.pair_documents`).
        config: The metric configuration.
        layers: Layers to score; default: every layer some prediction document gives.
        provenance: Extra provenance (files, hashes, command) recorded as given.
        corpus_version: The gold corpus version, recorded in the signature.
    """
    scorers = LAYER_SCORERS
    predicted = [
        layer
        for layer in ANNOTATION_LAYERS
        if any(getattr(p.pred, layer) is not None for p in pairs)
    ]
    absent = [layer for layer in layers or () if layer not in predicted]
    if absent:
        raise ValueError(
            f"the predictions do not give the layer(s) {', '.join(absent)}; "
            f"they give: {', '.join(predicted) or 'none'}"
        )
    chosen = [layer for layer in (layers or predicted) if layer in scorers]
    not_scored = sorted(set(ANNOTATION_LAYERS) - set(chosen))
    unit = config.resolved_unit(len(pairs))
    counts = CorpusCounts(unit)
    entity_coref = "mentions" in chosen and any(predicts_entity_clusters(p.pred) for p in pairs)
    event_coref = "events" in chosen and any(predicts_hoppers(p.pred) for p in pairs)
    coref_docs: dict[str, list[CorefCounts]] = {}
    for pair in pairs:
        index = UnitIndex.for_document(pair.gold, unit)
        results = [scorers[layer](pair.gold, pair.pred, index, config) for layer in chosen]
        counts.add(pair.gold.id, len(index), results)
        if entity_coref:
            for setting, c in entity_coref_counts(pair.gold, pair.pred).items():
                coref_docs.setdefault(f"entities:{setting}", []).append(c)
        if event_coref:
            for setting, c in event_coref_counts(pair.gold, pair.pred).items():
                coref_docs.setdefault(f"events:{setting}", []).append(c)
    coref_metrics, coref_headline, coref_statistics = _coref_section(
        coref_docs, [p.gold.id for p in pairs], config
    )

    metrics: dict[str, Any] = {}
    for metric in sorted(counts.arrays):
        metrics[metric] = _metric_entry(counts.matrix(metric), config)
    headline: dict[str, Any] = {}
    for layer in chosen:
        for metric in HEADLINE.get(layer, ()):
            if metric in metrics:
                entry = dict(metrics[metric])
                entry.pop("counts")
                entry["ci"] = _interval(counts.matrix(metric), config, unit)
                headline[metric] = entry
    metrics.update(coref_metrics)
    headline.update(coref_headline)
    coreference = [name for name, on in (("entities", entity_coref), ("events", event_coref)) if on]
    report = {
        "format": REPORT_FORMAT,
        "signature": config.signature(unit=unit, layers=chosen, corpus=corpus_version),
        "config": asdict(config),
        "provenance": {
            "newsbench": harness_version(),
            "schema": schema_version(),
            "corpus_version": corpus_version,
            "python": platform.python_version(),
            "numpy": np.__version__,
            **(provenance or {}),
        },
        "documents": {
            "gold": len(pairs),
            "missing_predictions": [p.gold.id for p in pairs if p.missing],
        },
        "layers": {"scored": chosen, "not_predicted": not_scored, "coreference": coreference},
        "resampling": {
            "unit": unit,
            "n_units": len(counts.unit_ids),
            "n_resamples": config.n_resamples,
            "seed": config.seed,
            "confidence": config.confidence,
            "method": config.ci_method,
        },
        "headline": headline,
        "metrics": metrics,
        "entities": _semeval_summary(counts.details, config),
        "errors": [e.to_dict() for e in counts.errors],
        "unit_statistics": {
            "unit_ids": counts.unit_ids,
            "columns": ["p_num", "p_den", "r_num", "r_den"],
            "metrics": {m: counts.matrix(m).tolist() for m in sorted(counts.arrays)},
        },
        "document_statistics": coref_statistics,
    }
    return report
