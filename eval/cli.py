"""The ``newsbench`` command line: parses arguments and calls plain functions.

Exit codes: 0 ok, 1 data errors or a failed gate, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from rich.table import Table

from newsbench.eval.arguments import add_inventory_option, random_seed, resample_count
from newsbench.eval.packaged import gold_identity, packaged_corpus
from newsbench.eval.pairing import BUILTIN_LABEL_MAPS
from newsbench.eval.progress import progress_bar, tty_total
from newsbench.eval.report import make_console
from newsbench.eval.report_files import REPORT_SIDE_SUFFIXES, report_input
from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import PACKAGED_INVENTORIES
from newsbench.schema.io import OutputsLeftChanged
from newsbench.schema.paths import PathError, PathSpec, check_declared_paths, declare_paths
from newsbench.schema.problems import DataError, Problem
from newsbench.schema.validate import iter_validated

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

KINDS: dict[str, SchemaKind] = {"gold": "document", "prediction": "prediction"}


def _emit_problems(problems: Sequence[Problem], fmt: str, stream: Any) -> None:
    if fmt == "json":
        for problem in problems:
            stream.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
    else:
        for problem in problems:
            stream.write(problem.format() + "\n")


class UsageError(Exception):
    """A command-line usage problem (exit code 2)."""


class Interrupted(BaseException):
    """A termination signal arrived (raised from the signal handler, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_ARRIVED: list[int] = []
"""The signals handled during the running command. Python drops an exception that a
handler raises inside a finaliser (``Exception ignored in ...``); the command still
ends as interrupted."""


def _raise_interrupted(signum: int, _frame: Any) -> None:
    _ARRIVED.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Interrupted(signum)


def command_validate(args: argparse.Namespace) -> int:
    """Validate gold or prediction files; report every problem."""
    kind = KINDS[args.kind]
    all_problems: list[Problem] = []
    summary = []
    try:
        inventory = _inventory(args.inventory)
    except DataError as exc:
        _emit_problems(exc.problems, args.format, sys.stderr)
        return EXIT_DATA
    for path in args.files:
        problems = []
        with progress_bar(f"validating {Path(path).name}", tty_total(path)) as advance:
            for line in iter_validated(path, kind, inventory=inventory):
                problems.extend(line.problems)
                if advance is not None:
                    advance(1)
        lines = {p.line for p in problems}
        summary.append((path, len(problems), len(lines)))
        all_problems.extend(problems)
    _emit_problems(all_problems, args.format, sys.stderr)
    if args.format == "text":
        for path, count, _ in summary:
            status = "ok" if count == 0 else f"{count} problem(s)"
            print(f"{path}: {status}")
    else:
        print(json.dumps({"files": [{"file": str(p), "problems": c} for p, c, _ in summary]}))
    return EXIT_DATA if all_problems else EXIT_OK


def _label_map(value: str | None, inventory: Any) -> Any:
    from newsbench.eval.pairing import resolve_label_map

    return resolve_label_map(value, inventory)


def _thresholds(values: Sequence[str]) -> list[Any]:
    from newsbench.eval.gate import GateUsageError, parse_threshold

    try:
        return [parse_threshold(v) for v in values]
    except GateUsageError as exc:
        raise UsageError(str(exc)) from None


@dataclass(frozen=True)
class GateRequest:
    """The gate options of a command line, checked before any work is done."""

    thresholds: list[Any]
    baseline: dict[str, Any] | None
    max_drop: float | None

    @property
    def empty(self) -> bool:
        """True when nothing is to be checked."""
        return not self.thresholds and self.baseline is None


def _gate_request(args: argparse.Namespace) -> GateRequest:
    """Parse and check the gate options; read the baseline report.

    Raises:
        UsageError: a malformed threshold, a bad --max-drop, --baseline without --max-drop.
        DataError: the baseline report breaks the report contract.
    """
    from newsbench.eval.gate import GateUsageError, check_max_drop
    from newsbench.eval.report import read_report

    thresholds = _thresholds(args.fail_under or [])
    try:
        if args.max_drop is not None:
            check_max_drop(args.max_drop)
        if args.baseline is not None and args.max_drop is None:
            raise GateUsageError("--baseline needs --max-drop (the allowed absolute drop)")
        if args.max_drop is not None and args.baseline is None:
            raise GateUsageError("--max-drop needs --baseline (the report it is measured from)")
    except GateUsageError as exc:
        raise UsageError(str(exc)) from None
    baseline = read_report(args.baseline) if args.baseline is not None else None
    return GateRequest(thresholds, baseline, args.max_drop)


def _run_gate(report: dict[str, Any], request: GateRequest, as_json: bool = False) -> int:
    """Apply the gate; its outcome as text, or with ``as_json`` one JSON object on stdout
    (``outcome`` passed, failed or refused; the checks, failures and the signature)."""
    from newsbench.eval.gate import GateUsageError, SignatureMismatch, check_gate

    if request.empty:
        return EXIT_OK
    try:
        result = check_gate(
            report, request.thresholds, baseline=request.baseline, max_drop=request.max_drop
        )
    except GateUsageError as exc:
        if as_json:
            _print_gate_json(report, "refused", [], [], str(exc))
        raise UsageError(str(exc)) from None
    except SignatureMismatch as exc:
        if as_json:
            _print_gate_json(report, "refused", [], [], str(exc))
        else:
            print(f"newsbench: gate refused: {exc}", file=sys.stderr)
        return EXIT_DATA
    if as_json:
        outcome = "passed" if result.passed else "failed"
        _print_gate_json(report, outcome, list(result.checks), list(result.failures), None)
    else:
        print(result.message(), file=sys.stdout if result.passed else sys.stderr)
    return EXIT_OK if result.passed else EXIT_DATA


def _print_gate_json(
    report: dict[str, Any] | None,
    outcome: str,
    checks: list[str],
    failures: list[str],
    refused: str | None,
) -> None:
    """The gate's outcome as one JSON object on stdout (``signature`` null when the report
    could not be read)."""
    print(
        json.dumps(
            {
                "outcome": outcome,
                "checks": checks,
                "failures": failures,
                "refused": refused,
                "signature": None if report is None else report["signature"],
            },
            indent=2,
        )
    )


def command_score(args: argparse.Namespace) -> int:
    """Score a prediction file against the gold; print, write reports, apply the gate."""
    from newsbench.eval.converters import load_predictions_any
    from newsbench.eval.harness import check_layer_names, score_documents
    from newsbench.eval.pairing import pair_documents
    from newsbench.schema.problems import DataError
    from newsbench.schema.validate import load_documents

    gold = _gold_selection(args)
    try:
        _score_config(args, None)  # bad resampling settings before any work
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        check_layer_names(args.layers)
    except ValueError as exc:
        raise UsageError(f"--layers: {exc}") from None
    try:
        gate = _gate_request(args)  # usage and baseline errors before any work
    except DataError as exc:
        _emit_problems(exc.problems, args.format, sys.stderr)
        return EXIT_DATA
    if args.dask is not None:
        return _score_dask(args, gold, gate)
    if args.stream:
        return _score_streamed(args, gold, gate)
    if _in_blocks(args, gold):
        report = _score_in_blocks(args, gold)
        if report is not None:
            return _finish_score(report, args, None, gate)
    try:
        inventory = _inventory(args.inventory)
        label_map = _label_map(args.label_map, inventory)
        documents = []
        gold_problems = []
        for path in gold.files:
            with progress_bar(f"reading {Path(path).name}", tty_total(path)) as advance:
                try:
                    documents += load_documents(
                        path, "document", inventory=inventory, progress=advance
                    )
                except DataError as exc:
                    gold_problems.extend(exc.problems)
        if gold_problems and args.pred_format != "jsonl":
            raise DataError(gold_problems)  # the converters need every gold document
        try:
            loaded = load_predictions_any(
                args.pred,
                args.pred_format,
                documents,
                label_map=label_map,
                tag_column=args.tag_column,
                span_key=args.span_key,
                timex_from_ents=args.timex_from_ents,
                inventory=inventory,
            )
        except DataError as exc:  # every problem of both inputs at once
            raise DataError([*gold_problems, *exc.problems]) from None
        if gold_problems:
            raise DataError(gold_problems)
        pairs = pair_documents(
            documents, loaded.documents, allow_missing=args.allow_missing, pred_file=str(args.pred)
        )
    except DataError as exc:
        _emit_problems(exc.problems, args.format, sys.stderr)
        return EXIT_DATA
    provenance = _score_provenance(args, gold, loaded.removed_by_label)
    total = len(pairs) if sys.stderr.isatty() else None
    try:
        with progress_bar("scoring", total) as advance:
            report = score_documents(
                pairs,
                _score_config(args, label_map, inventory),
                layers=args.layers,
                provenance=provenance,
                corpus_version=gold.corpus_version,
                split=gold.split,
                gold_sha256=provenance["gold_sha256"],
                jobs=args.jobs,
                progress=advance,
            )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return _finish_score(report, args, pairs, gate)


def _inventory(value: str | None) -> Any:
    """The ``--inventory`` (a packaged name or a JSON file, checked as parsed; ``None``:
    newsbench)."""
    from newsbench.schema.inventory import load_inventory

    return None if value is None else load_inventory(value)


def _score_config(args: argparse.Namespace, label_map: Any, inventory: Any = None) -> Any:
    from newsbench.eval.harness import ScoringConfig

    return ScoringConfig(
        unit=args.unit,
        zones=tuple(args.zone) if args.zone else None,
        n_resamples=args.resamples,
        confidence=args.confidence,
        seed=args.seed,
        content_threshold=args.content_threshold,
        allow_missing=args.allow_missing,
        label_map=label_map.signature_name if label_map else None,
        inventory=inventory,
    )


@dataclass(frozen=True)
class GoldSelection:
    """The gold a score command reads: its files, the corpus version and the split."""

    files: tuple[Path, ...]
    corpus_version: str
    split: str


def _gold_selection(args: argparse.Namespace) -> GoldSelection:
    """``--gold FILE`` (``custom`` unless it is a packaged split) or ``--split`` (default test).

    Raises:
        UsageError: both given.
    """
    if args.gold is not None and args.split is not None:
        raise UsageError("--split chooses a split of the packaged gold: give --gold or --split")
    perturbation = getattr(args, "perturbation", None)
    if perturbation is not None:
        if args.gold is not None:
            raise UsageError(
                "--perturbation chooses a perturbed copy of the packaged gold; for other gold, "
                "make the copies with newsbench perturb and give one as --gold"
            )
        corpus = packaged_gold()
        if perturbation not in corpus.PERTURBATIONS:
            raise UsageError(
                f"--perturbation {perturbation}: choose one of {', '.join(corpus.PERTURBATIONS)}"
            )
        split = args.split or corpus.DEFAULT_SPLIT
        names = corpus.SPLITS if split == "all" else (split,)
        files = tuple(corpus.perturbed_gold_path(perturbation, s) for s in names)
        return GoldSelection(files, corpus.CORPUS_VERSION, split)
    if args.gold is not None:
        return GoldSelection((args.gold,), *gold_identity(args.gold))
    corpus = packaged_gold()
    split = args.split or corpus.DEFAULT_SPLIT
    names = corpus.SPLITS if split == "all" else (split,)
    return GoldSelection(tuple(corpus.gold_path(s) for s in names), corpus.CORPUS_VERSION, split)


def packaged_gold() -> Any:
    """The packaged corpus, found through the ``newsbench.gold`` entry point.

    It gives ``CORPUS_VERSION``, ``SPLITS``, ``DEFAULT_SPLIT``, ``PERTURBATIONS``,
    ``gold_path(split)`` and ``perturbed_gold_path(name, split)`` (the module
    :mod:`newsbench.corpus` does); the harness never imports it by name.

    Raises:
        UsageError: No packaged corpus is installed (then ``--gold`` is needed).
    """
    corpus = packaged_corpus()
    if corpus is None:
        raise UsageError("no packaged corpus is installed: give the gold with --gold FILE")
    return corpus


def _score_provenance(
    args: argparse.Namespace, gold: GoldSelection, label_map_removed: dict[str, int]
) -> dict[str, Any]:
    from newsbench.eval.harness import file_sha256, git_revision
    from newsbench.schema.io import sha256_of_files

    return {
        "gold_file": "+".join(str(f) for f in gold.files),
        # the files in order: equal to gold_digest of their documents
        "gold_sha256": sha256_of_files(gold.files),
        "pred_file": str(args.pred),
        "pred_sha256": file_sha256(args.pred),
        "git_revision": git_revision(Path(__file__).parent),
        "label_map_removed": label_map_removed,
        "command": "newsbench " + " ".join(sys.argv[1:]) if sys.argv else None,
    }


_NOT_WITH_STREAM = {
    "pred_format": ("--pred-format", lambda v: v != "jsonl"),
    "html": ("--html", lambda v: v is not None),
    "allow_missing": ("--allow-missing", bool),
    "jobs": ("--jobs", lambda v: v != 1),
}


def _in_blocks(args: argparse.Namespace, gold: GoldSelection) -> bool:
    """Whether the files may be read and scored in blocks (one plain JSONL pair)."""
    plain = args.pred_format == "jsonl" and len(gold.files) == 1
    return plain and not args.html


def _score_in_blocks(args: argparse.Namespace, gold: GoldSelection) -> dict[str, Any] | None:
    """Line-aligned files: read, validate and score in blocks, in ``--jobs`` processes.

    Memory stays flat in the corpus size (:func:`~newsbench.eval.blocks.score_files_in_blocks`).
    ``None`` when the files do not follow the ``--stream`` contract or have problems (then
    the usual path pairs by id and reports every problem as always); the report is the one
    the usual path gives (``tests/test_blocks.py``), a label map's removed labels and,
    with ``--allow-missing``, the missing documents counted alike. Not with ``--html``.
    """
    from newsbench.eval.blocks import in_gold_order, score_files_in_blocks

    try:
        inventory = _inventory(args.inventory)
        label_map = _label_map(args.label_map, inventory)
    except DataError:
        return None  # reported by the usual path
    (gold_file,) = gold.files
    provenance = _score_provenance(args, gold, {})

    def in_blocks(
        predictions: str | os.PathLike[str], missing: tuple[int, ...]
    ) -> dict[str, Any] | None:
        with progress_bar("scoring", tty_total(gold_file)) as advance:
            return score_files_in_blocks(
                gold_file,
                predictions,
                _score_config(args, label_map, inventory),
                args.jobs,
                label_map=label_map,
                layers=args.layers,
                provenance=provenance,
                corpus_version=gold.corpus_version,
                split=gold.split,
                gold_sha256=provenance["gold_sha256"],
                progress=advance,
                missing=missing,
            )

    try:
        return in_gold_order(gold_file, args.pred, in_blocks, allow_missing=args.allow_missing)
    except ValueError:
        return None  # a requested layer no prediction gives: the usual path says so


def _score_dask(args: argparse.Namespace, gold: GoldSelection, gate: GateRequest) -> int:
    """``score --dask SCHEDULER``: blocks of lines scored on a Dask cluster, one report."""
    from newsbench.eval.dask_scoring import connect, score_files_dask

    clashes = [
        flag for name, (flag, given) in _NOT_WITH_STREAM.items() if given(getattr(args, name))
    ]
    if args.stream:
        clashes.append("--stream")
    if clashes:
        raise UsageError(
            f"--dask cannot be combined with {', '.join(clashes)}: it reads schema JSONL "
            "predictions in gold order (as --stream does) on the cluster's workers"
        )
    if len(gold.files) > 1:
        raise UsageError("--dask reads one gold file: give --split validation or --split test")
    (gold_file,) = gold.files
    try:
        client = connect(args.dask)
    except (ImportError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    try:
        inventory = _inventory(args.inventory)
        label_map = _label_map(args.label_map, inventory)
        provenance = _score_provenance(args, gold, {})
        report = score_files_dask(
            gold_file,
            args.pred,
            _score_config(args, label_map, inventory),
            client,
            layers=args.layers,
            label_map=label_map,
            provenance=provenance,
            corpus_version=gold.corpus_version,
            split=gold.split,
            gold_sha256=provenance["gold_sha256"],
        )
    except DataError as exc:
        _emit_problems(exc.problems, args.format, sys.stderr)
        return EXIT_DATA
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None and args.dask.startswith("local:"):
            cluster.close()
    return _finish_score(report, args, None, gate)


def _score_streamed(args: argparse.Namespace, gold: GoldSelection, gate: GateRequest) -> int:
    """``score --stream``: both files read once, in lockstep, in memory flat in their size."""
    from newsbench.eval.streaming import score_files_streamed
    from newsbench.schema.problems import DataError

    clashes = [
        flag for name, (flag, given) in _NOT_WITH_STREAM.items() if given(getattr(args, name))
    ]
    if len(gold.files) > 1:
        raise UsageError("--stream reads one gold file: give --split validation or --split test")
    (gold_file,) = gold.files
    if clashes:
        raise UsageError(
            f"--stream cannot be combined with {', '.join(clashes)}: it reads schema JSONL "
            "predictions in gold order in one process and keeps no documents; drop --stream "
            "or those options"
        )
    try:
        inventory = _inventory(args.inventory)
        label_map = _label_map(args.label_map, inventory)
        provenance = _score_provenance(args, gold, {})  # the removals: filled in
        with progress_bar("scoring", tty_total(gold_file)) as advance:
            report = score_files_streamed(
                gold_file,
                args.pred,
                _score_config(args, label_map, inventory),
                layers=args.layers,
                label_map=label_map,
                provenance=provenance,
                corpus_version=gold.corpus_version,
                split=gold.split,
                gold_sha256=provenance["gold_sha256"],
                progress=advance,
            )
    except DataError as exc:
        _emit_problems(exc.problems, args.format, sys.stderr)
        return EXIT_DATA
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return _finish_score(report, args, None, gate)


def _finish_score(
    report: dict[str, Any], args: argparse.Namespace, pairs: Any, gate: GateRequest
) -> int:
    """Write, print and gate a score report."""
    from newsbench.eval.report import (
        print_report,
        render_errors,
        render_markdown,
        write_report,
        write_text,
    )

    try:
        if args.out:
            write_report(args.out, report)
        if args.markdown:
            write_text(args.markdown, render_markdown(report))
        if args.html:
            from newsbench.eval.html_report import render_html

            write_text(args.html, render_html(report, pairs))
    except OSError as exc:  # OutputsLeftChanged names the outputs it could not put back
        raise UsageError(f"cannot write the report: {exc}") from None
    if args.format == "json":
        print(json.dumps({k: report[k] for k in ("signature", "headline")}, indent=2))
    else:
        print_report(report, make_console())
    if args.errors:
        sys.stdout.write(render_errors(report))
    return _run_gate(report, gate)


def command_gate(args: argparse.Namespace) -> int:
    """Check a stored report against thresholds and/or a baseline report."""
    from newsbench.eval.report import read_report
    from newsbench.schema.problems import DataError

    as_json = args.format == "json"
    try:
        if not args.fail_under and args.baseline is None:
            raise UsageError("give at least one --fail-under or a --baseline")
        gate = _gate_request(args)
        report = read_report(args.report)
    except UsageError as exc:  # --format json: the refusal on stdout too, then exit 2
        if as_json:
            _print_gate_json(None, "refused", [], [], str(exc))
        raise
    except DataError as exc:
        if as_json:
            _print_gate_json(None, "refused", [], [], "; ".join(p.message for p in exc.problems))
        _emit_problems(exc.problems, args.format, sys.stderr)
        return EXIT_DATA
    return _run_gate(report, gate, as_json=as_json)


def command_compare(args: argparse.Namespace) -> int:
    """Compare two reports: differences with paired significance tests."""
    from newsbench.eval.compare import CompareError, compare_reports
    from newsbench.eval.gate import SignatureMismatch
    from newsbench.eval.report import read_report
    from newsbench.schema.problems import DataError

    problems: list[Problem] = []
    reports = []
    for path in (args.a, args.b):
        try:
            reports.append(read_report(path))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        _emit_problems(problems, args.format, sys.stderr)
        return EXIT_DATA
    try:
        result = compare_reports(*reports, n_resamples=args.resamples, seed=args.seed)
    except (CompareError, SignatureMismatch) as exc:
        print(f"newsbench: compare refused: {exc}", file=sys.stderr)
        return EXIT_DATA
    if args.format == "json":
        print(json.dumps(result, indent=2, allow_nan=False))
        return EXIT_OK
    table = Table(title=f"A - B over {result['n_units']} {result['unit']}s (F1, %)")
    for column in ("metric", "A", "B", "A-B", "95% CI of A-B", "p (bootstrap)", "p (AR)"):
        table.add_column(
            column, justify="left" if column == "metric" else "right", no_wrap=column == "metric"
        )
    for metric, row in result["metrics"].items():
        ci = (
            "n/a"
            if row["ci_low"] is None
            else f"[{100 * row['ci_low']:.1f}, {100 * row['ci_high']:.1f}]"
        )
        p_boot = "n/a" if row["p_bootstrap"] is None else f"{row['p_bootstrap']:.4f}"
        p_ar = "n/a" if row["p_randomization"] is None else f"{row['p_randomization']:.4f}"
        table.add_row(
            metric,
            f"{100 * row['a']:.1f}",
            f"{100 * row['b']:.1f}",
            f"{100 * row['delta']:+.1f}",
            ci,
            p_boot,
            p_ar,
        )
    make_console().print(table)
    return EXIT_OK


def command_robustness(args: argparse.Namespace) -> int:
    """Paired differences of one system between the original gold and perturbed copies."""
    from newsbench.eval.gate import SignatureMismatch
    from newsbench.eval.report import read_report, write_json
    from newsbench.eval.robustness import RobustnessError, robustness
    from newsbench.schema.problems import DataError

    problems: list[Problem] = []
    reports = []
    for path in (args.original, *args.perturbed):
        try:
            reports.append(read_report(path))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        _emit_problems(problems, args.format, sys.stderr)
        return EXIT_DATA
    try:
        result = robustness(reports[0], reports[1:], n_resamples=args.resamples, seed=args.seed)
    except (RobustnessError, SignatureMismatch) as exc:
        print(f"newsbench: robustness refused: {exc}", file=sys.stderr)
        return EXIT_DATA
    if args.out:
        try:
            write_json(args.out, result)
        except OSError as exc:
            raise UsageError(f"cannot write {args.out}: {exc}") from None
    if args.format == "json":
        print(json.dumps(result, indent=2, allow_nan=False))
        return EXIT_OK
    print_robustness(result, make_console())
    return EXIT_OK


def print_robustness(result: dict[str, Any], console: Any) -> None:
    """Print a robustness result as one table: a row per perturbation and metric."""
    table = Table(title=f"perturbed - original over {result['n_units']} {result['unit']}s (F1, %)")
    for column in ("perturbation", "metric", "original", "perturbed", "delta", "95% CI", "p"):
        left = column in ("perturbation", "metric")
        table.add_column(column, justify="left" if left else "right")
    for name, entry in result["perturbations"].items():
        for metric, row in entry["metrics"].items():
            ci = (
                "n/a"
                if row["ci_low"] is None
                else f"[{100 * row['ci_low']:+.1f}, {100 * row['ci_high']:+.1f}]"
            )
            p_value = "n/a" if row["p_bootstrap"] is None else f"{row['p_bootstrap']:.4f}"
            table.add_row(
                name,
                metric,
                f"{100 * row['original']:.1f}",
                f"{100 * row['perturbed']:.1f}",
                f"{100 * row['delta']:+.1f}",
                ci,
                p_value,
            )
    console.print(table)
    evidence = result.get("contamination")
    if evidence:
        flagged = [m for m, e in evidence.items() if e["beyond"]]
        console.print(
            "contamination protocol: the counterfactual drop is beyond the names-invented "
            f"interval for {', '.join(flagged)}"
            if flagged
            else "contamination protocol: no counterfactual drop beyond the names-invented interval"
        )


def _add_gate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-under",
        action="append",
        metavar="METRIC.FIELD=VALUE",
        help="fail (exit 1) when a metric is below VALUE, e.g. entities.strict.f1=0.8; repeatable",
    )
    parser.add_argument("--baseline", type=Path, help="an earlier report to compare against")
    parser.add_argument("--max-drop", type=float, help="allowed absolute F1 drop vs --baseline")


class HelpFormatter(argparse.HelpFormatter):
    """Help that names every option's default (unless the text already says it)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            action.option_strings
            and default not in (None, False, argparse.SUPPRESS)
            and "default" not in text
        ):
            text += " (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """The newsbench parser: its subcommands (plugins too) share :class:`HelpFormatter`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def version_text() -> str:
    """``newsbench --version``: the package and schema versions."""
    from importlib.metadata import version

    from newsbench.schema.contract import schema_version

    return f"newsbench {version('newsbench')} (schema {schema_version()})"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand."""
    parser = Parser(
        prog="newsbench",
        description="newsbench: a news IE corpus and evaluation harness.",
        epilog="Exit codes: 0 ok, 1 data errors or failed gate, 2 usage errors.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = sub.add_parser("validate", help="validate gold or prediction JSONL files")
    validate.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="JSON Lines files to validate"
    )
    validate.add_argument(
        "--kind",
        choices=sorted(KINDS),
        default="gold",
        help="gold documents (the layers they declare; every object exact) or predictions "
        "(default: %(default)s)",
    )
    validate.add_argument(
        "--format", choices=["text", "json"], default="text", help="problems as text or JSON lines"
    )
    add_inventory_option(validate)
    validate.set_defaults(handler=command_validate)
    declare_paths(
        validate,
        PathSpec("files", "FILE", "input"),
        PathSpec("inventory", "--inventory", "input", not_paths=PACKAGED_INVENTORIES),
    )

    score = sub.add_parser("score", help="score predictions against the gold")
    score.add_argument(
        "--gold", type=Path, help="gold JSONL (default: the packaged corpus, see --split)"
    )
    score.add_argument(
        "--split",
        choices=["validation", "test", "all"],
        help="the packaged corpus's split to score against (default: test, the held-out "
        "split; validation is the seed article the baselines were developed on)",
    )
    score.add_argument(
        "--perturbation",
        metavar="NAME",
        help="score against the split's published perturbed copy NAME (names-invented, "
        "names-real, dates-shifted, counterfactual, lowercase, uppercase, typos; made by "
        "newsbench perturb); the signature names it",
    )
    score.add_argument("--pred", type=Path, required=True, help="predictions JSONL")
    score.add_argument(
        "--pred-format",
        choices=["jsonl", "conll", "spans", "docbin"],
        default="jsonl",
        help="predictions as schema JSONL (default), CoNLL IOB2 columns, a plain "
        "spans list, or a spaCy DocBin (see eval/converters.py)",
    )
    score.add_argument(
        "--tag-column",
        type=int,
        default=-1,
        help="CoNLL: the column holding the IOB2 tag (default: last)",
    )
    score.add_argument("--span-key", help="DocBin: also score this doc.spans group")
    score.add_argument(
        "--timex-from-ents",
        action="store_true",
        help="DocBin: DATE/TIME entities as time expressions",
    )
    score.add_argument("--out", type=Path, help="write the JSON report here")
    score.add_argument("--markdown", type=Path, help="write a Markdown report here")
    score.add_argument("--html", type=Path, help="write a self-contained HTML error report here")
    score.add_argument("--errors", action="store_true", help="print the error listing")
    score.add_argument(
        "--allow-missing",
        action="store_true",
        help="score gold documents without predictions as predicting nothing",
    )
    score.add_argument("--label-map", help="ontonotes, conll2003 or a label map JSON file")
    add_inventory_option(score)
    score.add_argument(
        "--layers",
        nargs="+",
        choices=["mentions", "time_expressions", "events", "attributions"],
        help="layers to score (default: every layer the predictions give)",
    )
    score.add_argument(
        "--zone",
        action="append",
        choices=["body", "caption", "credit"],
        help="score only mentions in zones of this type; repeatable",
    )
    score.add_argument(
        "--unit",
        choices=["auto", "sentence", "document"],
        default="auto",
        help="bootstrap unit (auto: sentences for one document, else documents)",
    )
    score.add_argument("--resamples", type=resample_count, default=1000, help="bootstrap resamples")
    score.add_argument(
        "--dask",
        metavar="SCHEDULER",
        help="score on a Dask cluster: a scheduler address (tcp://host:8786) or local:N for "
        "a local cluster of N worker processes; the files as for --stream (pip install "
        "'newsbench[dask]')",
    )
    score.add_argument(
        "--stream",
        action="store_true",
        help="read gold and predictions (schema JSONL, same document order) in one pass and "
        "write a compact report: per-unit statistics of the headline metrics only, the first "
        "1,000 errors listed (without it, JSONL files are also scored in flat memory, in blocks, "
        "with the full report)",
    )
    score.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="score in N worker processes (the report is the same for every N)",
    )
    score.add_argument(
        "--confidence", type=float, default=0.95, help="confidence level of the intervals"
    )
    score.add_argument("--seed", type=random_seed, default=12345, help="bootstrap random seed")
    score.add_argument(
        "--content-threshold",
        type=float,
        default=0.5,
        help="minimum content token Dice for a whole-attribution match",
    )
    score.add_argument(
        "--format", choices=["text", "json"], default="text", help="output on stdout"
    )
    _add_gate_options(score)
    score.set_defaults(handler=command_score)
    declare_paths(
        score,
        PathSpec("gold", "--gold", "input"),
        PathSpec("pred", "--pred", "input"),
        PathSpec("label_map", "--label-map", "input", not_paths=BUILTIN_LABEL_MAPS),
        PathSpec("inventory", "--inventory", "input", not_paths=PACKAGED_INVENTORIES),
        report_input("baseline", "--baseline"),
        PathSpec("out", "--out", "output", side_suffixes=REPORT_SIDE_SUFFIXES),
        PathSpec("markdown", "--markdown", "output"),
        PathSpec("html", "--html", "output"),
    )

    gate = sub.add_parser("gate", help="CI gate: check a stored report")
    gate.add_argument("report", type=Path, help="a JSON report of newsbench score")
    gate.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="problems, and the gate's outcome (one JSON object on stdout), as text or JSON",
    )
    _add_gate_options(gate)
    gate.set_defaults(handler=command_gate)
    declare_paths(
        gate,
        report_input("report", "REPORT"),
        report_input("baseline", "--baseline"),
    )

    compare = sub.add_parser("compare", help="compare two reports with significance tests")
    compare.add_argument("a", type=Path, help="report of system A")
    compare.add_argument("b", type=Path, help="report of system B (same signature but the system)")
    compare.add_argument(
        "--resamples", type=resample_count, default=1000, help="bootstrap resamples"
    )
    compare.add_argument("--seed", type=random_seed, default=12345, help="random seed")
    compare.add_argument(
        "--format", choices=["text", "json"], default="text", help="output on stdout"
    )
    compare.set_defaults(handler=command_compare)
    declare_paths(
        compare,
        report_input("a", "A"),
        report_input("b", "B"),
    )

    robust = sub.add_parser(
        "robustness",
        help="how much a system loses on perturbed copies of the gold (paired, with CIs)",
        description="Compare a system's report on the original gold with its reports on "
        "perturbed copies (newsbench perturb): per perturbation and headline metric, the "
        "paired difference, its bootstrap interval and p-values.",
    )
    robust.add_argument("original", type=Path, help="the report on the original gold")
    robust.add_argument("perturbed", type=Path, nargs="+", help="reports on perturbed copies")
    robust.add_argument(
        "--resamples", type=resample_count, default=1000, help="bootstrap resamples"
    )
    robust.add_argument("--seed", type=random_seed, default=12345, help="random seed")
    robust.add_argument(
        "--format", choices=["text", "json"], default="text", help="output on stdout"
    )
    robust.add_argument("--out", type=Path, help="also write the result as JSON")
    robust.set_defaults(handler=command_robustness)
    declare_paths(
        robust,
        report_input("original", "ORIGINAL"),
        report_input("perturbed", "PERTURBED"),
        PathSpec("out", "--out", "output"),
    )

    for entry_point in sorted(entry_points(group="newsbench.commands"), key=lambda e: e.name):
        entry_point.load()(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    _ARRIVED.clear()
    previous = _install_signal_handlers()
    unraisable_hook = sys.unraisablehook
    sys.unraisablehook = _dropped_interrupts_hidden(unraisable_hook)
    try:
        check_declared_paths(args, may_write_gold=getattr(args, "may_write_gold", False))
        code = handler(args)
        if _ARRIVED:  # its exception was raised where Python ignores exceptions
            return _report_interrupt(_ARRIVED[0], None)
        return code
    except (UsageError, PathError) as exc:
        parser.print_usage(sys.stderr)
        for message in exc.problems if isinstance(exc, PathError) else [str(exc)]:
            print(f"newsbench: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # the system refused a read or write the checks could not foresee
        parser.print_usage(sys.stderr)
        where = f" {exc.filename}" if exc.filename else ""
        print(f"newsbench: error: cannot access{where}: {exc.strerror or exc}", file=sys.stderr)
        for sentence in exc.unrestored if isinstance(exc, OutputsLeftChanged) else ():
            print(f"newsbench: error: {sentence}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        return _report_interrupt(signal.SIGINT, exc)
    except Interrupted as exc:
        return _report_interrupt(exc.signum, exc)
    finally:
        sys.unraisablehook = unraisable_hook
        for signum, handler_before in previous.items():
            signal.signal(signum, handler_before)


def _dropped_interrupts_hidden(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An unraisable-exception hook that stays silent on the interrupts the command's
    handlers raised (noted in :data:`_ARRIVED`, reported as one line at the end) and hands
    anything else to ``hook``."""

    def hidden(unraisable: Any) -> None:
        if not (_ARRIVED and isinstance(unraisable.exc_value, KeyboardInterrupt | Interrupted)):
            hook(unraisable)

    return hidden


def _install_signal_handlers() -> dict[int, Any]:
    """Turn SIGTERM and SIGHUP into an exception, so outputs are cleaned up as on Ctrl-C,
    and note every one of them and Ctrl-C (see :data:`_ARRIVED`). A signal ignored when
    the command starts (SIGHUP under ``nohup``, SIGINT in a background job) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) != signal.SIG_IGN:
            previous[signum] = signal.signal(signum, _raise_interrupted)
    return previous


def _report_interrupt(signum: int, interrupt: BaseException | None) -> int:
    """One line on stderr (and one for each output a failed write could not put back,
    when the interrupt came while the outputs were renamed); the exit code is 128 + the
    signal number (130 for Ctrl-C)."""
    name = signal.Signals(signum).name
    failed = interrupt and interrupt.__context__  # a failure the interrupt was held behind
    while failed is not None and not isinstance(failed, OutputsLeftChanged):
        failed = failed.__context__
    if failed is None:
        print(f"newsbench: interrupted by {name}; no output was left half-written", file=sys.stderr)
        return 128 + signum
    print(
        f"newsbench: interrupted by {name} after a write failed: {OSError.__str__(failed)}",
        file=sys.stderr,
    )
    for sentence in failed.unrestored:
        print(f"newsbench: error: {sentence}", file=sys.stderr)
    return 128 + signum
