"""The Python API: ``newsbench.score(gold, predictions)`` returns a :class:`Report`.

::

    import newsbench
    report = newsbench.score("gold.jsonl", "predictions.jsonl")
    print(report["entities.strict"].f1, report.signature)

``gold`` and ``predictions`` are each a JSON Lines path, a list of schema dicts, or a
list of :class:`~newsbench.schema.model.Document`. Every input goes through the one
validator (dicts and documents too), so a bad input raises
:class:`~newsbench.schema.problems.DataError` with every problem, located by input
(``file``: the path, or ``<gold>`` / ``<predictions>`` with the list index + 1 as
``line``), document and JSON path, never a bare ``KeyError``. Settings are the fields of
:class:`~newsbench.eval.harness.ScoringConfig` (``n_resamples``, ``seed``, ``unit``,
``zones``, ...); ``inventory`` and ``label_map`` take a packaged name or a file.

Two files are read, validated and scored in blocks, as ``newsbench score`` does (with
``allow_missing``, a missing document is scored in its block as predicting nothing):
memory stays flat in their size, and the report's per-unit statistics and error records
stay on disk until :attr:`Report.data` is read.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any

from newsbench.eval.harness import ScoringConfig, file_sha256, score_documents
from newsbench.eval.packaged import gold_identity
from newsbench.eval.pairing import (
    LabelMap,
    apply_label_map,
    pair_documents,
    resolve_label_map,
)
from newsbench.eval.report import plain_report, write_report
from newsbench.eval.report_files import REPORT_SIDE_SUFFIXES
from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import Inventory, load_inventory
from newsbench.schema.model import ANNOTATION_LAYERS, Document, document_to_dict
from newsbench.schema.paths import PathArgument, check_paths, side_file
from newsbench.schema.problems import DataError, Problem, did_you_mean
from newsbench.schema.validate import (
    has_lone_surrogate,
    load_documents,
    non_json_problem,
    repeated_id_problem,
    validate_record,
)

__all__ = ["Report", "Score", "score"]

Input = str | os.PathLike[str] | Sequence[Mapping[str, Any] | Document]

_SETTINGS = frozenset(f.name for f in fields(ScoringConfig)) - {"inventory", "label_map"}


@dataclass(frozen=True, slots=True)
class Score:
    """One metric of a report: precision, recall, F1 and, for headline metrics, the CI."""

    name: str
    precision: float
    recall: float
    f1: float
    ci_low: float | None = None
    ci_high: float | None = None

    def as_row(self) -> dict[str, Any]:
        """The score as a table row."""
        return {
            "metric": self.name,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


_COLUMNS = ("metric", "precision", "recall", "f1", "ci_low", "ci_high")
#: The parts of a report that grow with the corpus (read only when asked for).
_LARGE_PARTS = frozenset({"errors", "unit_statistics", "document_statistics"})
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


class Report(Mapping[str, Score]):
    """A scoring report: metrics by name, tables, and the report data as written to JSON.

    ``report["entities.strict"]`` is a :class:`Score`; iterating gives the metric names
    (headline metrics first). ``report.data`` is the JSON report of ``newsbench score``.
    """

    def __init__(self, data: Mapping[str, Any], *, inputs: Sequence[Path] = ()) -> None:
        self._inputs = tuple(inputs)  # the files it was scored from: never written over
        self._keys = list(data)
        # A copy of the small parts now, as plain data; the large ones as scoring left them.
        self._summary = plain_report({k: v for k, v in data.items() if k not in _LARGE_PARTS})
        self._large: dict[str, Any] = {k: v for k, v in data.items() if k in _LARGE_PARTS}
        self._data: dict[str, Any] | None = None
        headline: dict[str, Any] = self._summary["headline"]
        metrics: dict[str, Any] = self._summary["metrics"]
        self._names = [*headline, *(m for m in metrics if m not in headline)]

    @property
    def data(self) -> dict[str, Any]:
        """The JSON report of ``newsbench score`` as plain data.

        Its per-unit statistics and error records (lists, hundreds of megabytes for a
        large corpus) are read when ``data`` is first asked for; until then they stay
        where scoring left them (on disk, for files scored in blocks), and
        :meth:`write_json` copies them from there.
        """
        if self._data is None:
            large = plain_report(self._large)
            self._data = {k: large[k] if k in large else self._summary[k] for k in self._keys}
            self._large = {}
        return self._data

    def __reduce__(self) -> tuple[Any, ...]:
        return (partial(Report, inputs=self._inputs), (self.data,))

    @property
    def signature(self) -> str:
        """The report signature (gold, split, inventory and every setting)."""
        return str(self._summary["signature"])

    @property
    def headline(self) -> list[str]:
        """The headline metric names, in report order."""
        return list(self._summary["headline"])

    def __getitem__(self, name: str) -> Score:
        entry = self._summary["headline"].get(name) or self._summary["metrics"].get(name)
        if entry is None or "f1" not in entry:
            raise KeyError(f"no metric {name!r} in this report{did_you_mean(name, self._names)}")
        ci = entry.get("ci") or {}
        return Score(
            name,
            entry["precision"],
            entry["recall"],
            entry["f1"],
            ci.get("low"),
            ci.get("high"),
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={self[n].f1:.3f}" for n in self.headline[:3])
        return f"<newsbench Report {shown}{', ...' if len(self.headline) > 3 else ''}>"

    def rows(self, metrics: Sequence[str] | str = "headline") -> list[dict[str, Any]]:
        """One row per metric: ``headline`` (default), ``all`` or a list of names."""
        if metrics == "headline":
            names = self.headline
        elif metrics == "all":
            names = [n for n in self._names if "f1" in self._entry(n)]
        else:
            names = list(metrics)
        return [self[name].as_row() for name in names]

    def _entry(self, name: str) -> Mapping[str, Any]:
        return self._summary["headline"].get(name) or self._summary["metrics"].get(name) or {}

    def table(self, metrics: Sequence[str] | str = "headline") -> Any:
        """The rows as a pandas ``DataFrame`` indexed by metric when pandas is installed,
        else as the list of row dicts of :meth:`rows`."""
        rows = self.rows(metrics)
        try:
            import pandas
        except ImportError:
            return rows
        return pandas.DataFrame(rows, columns=list(_COLUMNS)).set_index("metric")

    def to_csv(self, path: str | os.PathLike[str] | None = None, metrics: Any = "headline") -> str:
        """The table as CSV (fractions, full precision); also written to ``path`` if given."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in self.rows(metrics):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return _maybe_write(buffer.getvalue(), path, self._inputs)

    def _percent_rows(self, metrics: Any) -> list[list[str]]:
        def pct(value: float | None) -> str:
            return "" if value is None else f"{100 * value:.1f}"

        out = []
        for row in self.rows(metrics):
            ci = ""
            if row["ci_low"] is not None:
                ci = f"[{pct(row['ci_low'])}, {pct(row['ci_high'])}]"
            out.append(
                [row["metric"], pct(row["precision"]), pct(row["recall"]), pct(row["f1"]), ci]
            )
        return out

    def _confidence(self) -> str:
        return f"{round(100 * self._summary['resampling']['confidence'])}% CI"

    def to_markdown(
        self, path: str | os.PathLike[str] | None = None, metrics: Any = "headline"
    ) -> str:
        """A Markdown table (percentages) followed by the signature."""
        header = ["metric", "P", "R", "F1", self._confidence()]
        lines = ["| " + " | ".join(header) + " |", "| --- | ---: | ---: | ---: | ---: |"]
        lines += ["| " + " | ".join(r) + " |" for r in self._percent_rows(metrics)]
        lines += ["", f"`{self.signature}`", ""]
        return _maybe_write("\n".join(lines), path, self._inputs)

    def to_latex(
        self, path: str | os.PathLike[str] | None = None, metrics: Any = "headline"
    ) -> str:
        """A booktabs LaTeX table (percentages); the signature goes in a comment."""

        def tex(text: str) -> str:
            return "".join(_TEX_ESCAPES.get(char, char) for char in text)

        lines = [
            f"% {tex(self.signature)}",
            r"\begin{tabular}{lrrrl}",
            r"\toprule",
            f"Metric & P & R & F1 & {tex(self._confidence())} \\\\",
            r"\midrule",
        ]
        lines += [" & ".join(tex(c) for c in r) + r" \\" for r in self._percent_rows(metrics)]
        lines += [r"\bottomrule", r"\end{tabular}", ""]
        return _maybe_write("\n".join(lines), path, self._inputs)

    def _repr_html_(self) -> str:
        header = "".join(
            f"<th>{html.escape(c)}</th>" for c in ("metric", "P", "R", "F1", self._confidence())
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in self._percent_rows("headline")
        )
        return (
            f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
            f"<p><code>{html.escape(self.signature)}</code></p>"
        )

    def write_json(self, path: str | os.PathLike[str]) -> None:
        """Write the report as ``newsbench score --out`` does: the JSON and its side files.

        Raises:
            PathError: ``path`` or a side file is one of the files the report was scored
                from, lies inside the gold, or is not a regular file (as the command
                refuses them).
        """
        _check_output(path, self._inputs, REPORT_SIDE_SUFFIXES)
        if self._data is not None:
            write_report(path, self._data)
        else:
            write_report(path, {k: self._large.get(k, self._summary.get(k)) for k in self._keys})


def _maybe_write(
    text: str, path: str | os.PathLike[str] | None, inputs: Sequence[Path] = ()
) -> str:
    if path is not None:
        from newsbench.eval.report import write_text

        _check_output(path, inputs)
        write_text(path, text)
    return text


def _check_output(
    path: str | os.PathLike[str], inputs: Sequence[Path], side_suffixes: Sequence[str] = ()
) -> None:
    """The command's path checks for an output of the API (raises ``PathError``)."""
    out = Path(path)
    arguments = [PathArgument("path", out, "output")]
    arguments += [
        PathArgument("path (its side file)", side_file(out, suffix), "output", side=True)
        for suffix in side_suffixes
    ]
    # An input deleted since scoring is no longer there to overwrite: optional (side=True).
    arguments += [PathArgument("scored from", source, "input", side=True) for source in inputs]
    check_paths(arguments)


def _identity(gold: str | os.PathLike[str]) -> dict[str, str]:
    """The signature's ``corpus`` and ``split`` of a gold file, as the command gives them."""
    if not os.path.isfile(gold):  # an fsspec URL, or what the loaders will refuse
        return {}
    corpus_version, split = gold_identity(gold)
    return {"corpus_version": corpus_version, "split": split}


def _input_paths(*sources: Any) -> tuple[Path, ...]:
    """The local files among the inputs of :func:`score` (lists and URLs are not), as
    absolute paths: a later ``chdir`` must not move them."""
    return tuple(
        Path(os.path.abspath(source))
        for source in sources
        if isinstance(source, str | os.PathLike) and os.path.isfile(source)
    )


def _score_files(
    gold: str | os.PathLike[str],
    predictions: str | os.PathLike[str],
    config: ScoringConfig,
    layers: Sequence[str] | None,
    provenance: dict[str, Any],
    jobs: int,
    label_map: LabelMap | None,
) -> dict[str, Any] | None:
    """Two files read, validated and scored in blocks, in memory flat in their size, as
    ``newsbench score`` does (:func:`~newsbench.eval.blocks.score_files_in_blocks`).

    ``None`` when either is not a regular file, when ``layers`` names anything but
    annotation layers, when the files have any problem, or when they do not pair line by
    line (not even in another order): the caller then loads them, which locates every
    problem.
    """
    if not (os.path.isfile(gold) and os.path.isfile(predictions)):
        return None
    if layers is not None and (isinstance(layers, str) or set(layers) - set(ANNOTATION_LAYERS)):
        return None  # the loaders' path says what is wrong with them
    from newsbench.eval.blocks import in_gold_order, score_files_in_blocks

    try:
        return in_gold_order(
            gold,
            predictions,
            lambda pred, missing: score_files_in_blocks(
                gold,
                pred,
                config,
                jobs,
                layers=layers,
                label_map=label_map,
                provenance=provenance,
                missing=missing,
                **_identity(gold),
            ),
            allow_missing=config.allow_missing,
        )
    except (ValueError, OSError):
        # A layer no prediction gives, or a file that cannot be read (any more): the
        # caller's loaders say so, located.
        return None


def _documents(
    value: Input,
    kind: SchemaKind,
    where: str,
    inventory: Inventory,
    label_map: LabelMap | None = None,
) -> tuple[list[Document], str | None, dict[str, int]]:
    """Validate an input; return its documents, the file's sha256 (for a path) and the
    mentions the label map removed, by label."""
    if isinstance(value, str | os.PathLike):
        if kind == "prediction":
            from newsbench.eval.pairing import load_predictions

            loaded = load_predictions(value, label_map, inventory=inventory)
            return loaded.documents, None, loaded.removed_by_label
        return load_documents(value, kind, inventory=inventory), file_sha256(value), {}
    if isinstance(value, Mapping) or not isinstance(value, Sequence):
        raise DataError(
            [
                Problem(
                    "not-an-object",
                    f"{where} is a {type(value).__name__}, not a path or a list of documents",
                    "a JSON Lines path, a list of dicts, or a list of Document objects",
                    "wrap a single document in a list",
                    file=where,
                )
            ]
        )
    documents: list[Document] = []
    problems: list[Problem] = []
    removed: Counter[str] = Counter()
    first_line: dict[str, int] = {}
    if not value:
        problems.append(
            Problem(
                "file-empty",
                f"{where} is an empty list",
                "at least one document",
                "check that the right list was given and that it was filled",
                file=where,
            )
        )
    for index, item in enumerate(value):
        record: Any = document_to_dict(item) if isinstance(item, Document) else item
        if not isinstance(record, Mapping):
            problems.append(
                Problem(
                    "not-an-object",
                    f"item {index} is a {type(record).__name__}, not a document",
                    "a dict with at least 'id' and 'text', or a Document",
                    "pass documents only",
                    file=where,
                    line=index + 1,
                )
            )
            continue
        record = dict(record)
        not_json = non_json_problem(record)
        if not_json is not None:  # a JSON Lines file cannot hold it: nothing more to check
            doc_id = record.get("id")
            doc_id = doc_id if type(doc_id) is str and not has_lone_surrogate(doc_id) else None
            problems.append(not_json.located(file=where, line=index + 1, document=doc_id))
            repeated = repeated_id_problem(first_line, doc_id, where, index + 1)
            if repeated is not None:  # its id still counts, as the loaders count it
                problems.append(repeated)
            continue
        if label_map is not None:
            record, dropped, map_problems = apply_label_map(
                record, label_map, file=where, line=index + 1
            )
            removed.update(dropped)
            problems.extend(map_problems)
        document, found = validate_record(
            record, kind, file=where, line=index + 1, inventory=inventory
        )
        problems.extend(found)
        repeated = repeated_id_problem(first_line, record.get("id"), where, index + 1)
        if repeated is not None:  # as the loaders refuse a repeated line's id
            problems.append(repeated)
            continue
        if document is not None and not found:
            documents.append(document)
    if problems:
        raise DataError(problems)
    return documents, None, dict(sorted(removed.items()))


def score(
    gold: Input,
    predictions: Input,
    layers: Sequence[str] | None = None,
    *,
    inventory: str | os.PathLike[str] | Inventory | None = None,
    label_map: str | os.PathLike[str] | LabelMap | None = None,
    jobs: int = 1,
    dask_client: Any = None,
    **settings: Any,
) -> Report:
    """Score ``predictions`` against ``gold``; return the :class:`Report`.

    Args:
        gold: A gold JSON Lines path, or a list of dicts or documents.
        predictions: The same for the predictions (validated as predictions: a layer a
            system does not give is left out).
        layers: The annotation layers to score; default: every layer some prediction
            gives and the gold annotates.
        inventory: The gold's label inventory (a packaged name, a file or an
            :class:`~newsbench.schema.inventory.Inventory`; default newsbench).
        label_map: Maps the predictions' entity labels (``conll2003``, ``ontonotes`` or
            a file).
        jobs: Worker processes; the report is the same for every value.
        dask_client: A ``distributed.Client``: score on its cluster (both inputs paths
            or fsspec URLs, one prediction line per gold line in gold order; the report
            is the same but for its provenance; :mod:`newsbench.eval.dask_scoring`).
        **settings: :class:`~newsbench.eval.harness.ScoringConfig` fields.

    Raises:
        DataError: Every problem of the inputs, located.
        TypeError: An unknown setting, or a setting of the wrong type (``layers`` as a
            string, ``label_map`` neither a name, a file nor a LabelMap).
        ValueError: A requested layer that no prediction gives.
    """
    unknown = sorted(set(settings) - _SETTINGS)
    if unknown:
        hints = "".join(did_you_mean(name, _SETTINGS) for name in unknown)
        raise TypeError(
            f"unknown setting(s) {', '.join(map(repr, unknown))}{hints}; "
            f"the settings are {', '.join(sorted(_SETTINGS))}"
        )
    if isinstance(layers, str | bytes):  # a string is a sequence of its characters
        raise TypeError(f"layers must be a list of layer names, such as [{layers!r}], not a string")
    labels = load_inventory(inventory)
    mapping = resolve_label_map(label_map, labels)
    zones = settings.get("zones")
    if zones is not None and not isinstance(zones, str | bytes):  # a string stays refused
        with contextlib.suppress(TypeError):  # else refused by ScoringConfig, saying why
            settings["zones"] = tuple(zones)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs!r} (a whole number of worker processes)")
    config = ScoringConfig(
        **settings,
        inventory=labels,
        label_map=mapping.signature_name if mapping else None,
    )
    if dask_client is not None:
        if not (isinstance(gold, str | os.PathLike) and isinstance(predictions, str | os.PathLike)):
            raise TypeError("dask_client= scores files: give gold and predictions as paths")
        from newsbench.eval.dask_scoring import score_files_dask

        data = score_files_dask(
            gold,
            predictions,
            config,
            dask_client,
            layers=layers,
            label_map=mapping,
            provenance={"gold": str(gold)},
            **_identity(gold),
        )
        return Report(data, inputs=_input_paths(gold, predictions, inventory, label_map))
    provenance = {"gold": str(gold) if isinstance(gold, str | os.PathLike) else "<gold>"}
    if isinstance(gold, str | os.PathLike) and isinstance(predictions, str | os.PathLike):
        data = _score_files(gold, predictions, config, layers, provenance, jobs, mapping)
        if data is not None:
            return Report(data, inputs=_input_paths(gold, predictions, inventory, label_map))
    problems: list[Problem] = []
    try:
        gold_documents, gold_sha256, _ = _documents(gold, "document", "<gold>", labels)
    except DataError as exc:  # the predictions' problems are reported with the gold's
        problems.extend(exc.problems)
    try:
        pred_documents, _, removed = _documents(
            predictions, "prediction", "<predictions>", labels, mapping
        )
    except DataError as exc:
        problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    if mapping is not None:  # as newsbench score records it
        provenance["label_map_removed"] = removed
    pairs = pair_documents(
        gold_documents,
        pred_documents,
        allow_missing=config.allow_missing,
        pred_file=str(predictions)
        if isinstance(predictions, str | os.PathLike)
        else "<predictions>",
    )
    data = score_documents(
        pairs,
        config,
        layers=layers,
        provenance=provenance,
        gold_sha256=gold_sha256,
        jobs=jobs,
        **(_identity(gold) if isinstance(gold, str | os.PathLike) else {}),
    )
    return Report(data, inputs=_input_paths(gold, predictions, inventory, label_map))
