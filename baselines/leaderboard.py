"""The leaderboard: every built-in baseline run on every split, scored, stored, rendered.

``newsbench leaderboard`` runs every built-in baseline on the test split (the headline,
held out) and on the validation split (the seed article, in-sample for the baselines
developed on it), stores each report in ``corpus/reports/<split>/<name>.json`` (a
baseline that cannot run here stores why) and regenerates ``corpus/LEADERBOARD.md`` from
the stored reports. A test re-renders the Markdown from the reports and re-runs the
baselines to check that both are current with the code and the data (run times excepted).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsbench.baselines.runner import (
    BENCH_ORDER,
    LEADERBOARD_METRICS,
    BenchResult,
    bench_baselines,
    bench_splits,
)
from newsbench.eval.report import plain_report
from newsbench.schema.model import Document

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORTS_DIR = REPO_ROOT / "corpus" / "reports"
LEADERBOARD = REPO_ROOT / "corpus" / "LEADERBOARD.md"
COMMAND = "newsbench leaderboard"
SPLIT_ORDER: tuple[str, ...] = ("test", "validation")
"""The leaderboard's sections: the held-out test split first."""
FREEZE_COMMIT = "a3238f2"
"""The commit at which the baselines were frozen, before any test text existed
(``tests/test_baseline_pins.py`` pins their rule, lexicon and feature files to it)."""
IN_SAMPLE: dict[str, frozenset[str]] = {
    "validation": frozenset({"rules", "spacy"}),
    "test": frozenset(),
}
"""Per split, the baselines developed while looking at it (their scores there are
in-sample). sklearn trains on the validation split and is cross-validated there."""

COLUMNS = LEADERBOARD_METRICS
"""Leaderboard columns: the same as ``newsbench bench`` prints."""


def stored_record(result: BenchResult) -> dict[str, Any]:
    """Return what is stored for one baseline: its report, or why it did not run."""
    if result.report is None:
        return {"format": "newsbench-skipped/1", "baseline": result.name, "skipped": result.skipped}
    return result.report


def read_reports(directory: Path = REPORTS_DIR) -> dict[str, dict[str, dict[str, Any]]]:
    """Read the stored reports: ``{split: {baseline: report}}``, in leaderboard order."""
    from newsbench.eval.report import read_report

    stored = {}
    for split in SPLIT_ORDER:
        found = {}
        for path in (directory / split).glob("*.json"):
            record = json.loads(path.read_text("utf-8"))
            is_report = str(record.get("format", "")).startswith("newsbench-report/")
            found[path.stem] = read_report(path) if is_report else record
        stored[split] = {name: found[name] for name in BENCH_ORDER if name in found}
    return stored


def _cell(report: Mapping[str, Any], metric: str) -> str:
    entry = report["headline"].get(metric) or report["metrics"].get(metric)
    if entry is None:
        return "-"
    ci = entry.get("ci")
    interval = f" [{100 * ci['low']:.1f}, {100 * ci['high']:.1f}]" if ci else ""
    return f"{100 * entry['f1']:.1f}{interval}"


def _rate(words_per_second: float | None) -> str:
    if not words_per_second:
        return "-"
    return f"{words_per_second:,.1f}" if words_per_second < 10 else f"{words_per_second:,.0f}"


def _reference(reports: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The report whose signature a section's numbers share: one run here (not an
    external run), the one scoring the most layers."""
    scored = [r for r in reports.values() if "signature" in r]
    here = [r for r in scored if not is_external_run(r)] or scored
    return max(here, key=lambda r: len(r["layers"]["scored"]), default=None)


def not_comparable(report: Mapping[str, Any], reference: Mapping[str, Any] | None) -> list[str]:
    """How a stored report's signature differs from its section's in more than the system
    (empty: its numbers stand beside the others)."""
    from newsbench.eval.gate import signature_differences

    if reference is None or "signature" not in report:
        return []
    return signature_differences(str(reference["signature"]), str(report["signature"]))


def _table(split: str, reports: Mapping[str, Mapping[str, Any]]) -> list[str]:
    header = "| baseline | " + " | ".join(label for _, label in COLUMNS) + " | words/s |"
    lines = [header, "| --- |" + " ---: |" * (len(COLUMNS) + 1)]
    reference = _reference(reports)
    for name, report in reports.items():
        mark = " (in-sample)" if name in IN_SAMPLE[split] else ""
        if report.get("format") == "newsbench-skipped/1":
            lines.append(f"| {name} | " + " | ".join("not run" for _ in COLUMNS) + " | - |")
            continue
        if not_comparable(report, reference):
            cells = " | ".join("not comparable" for _ in COLUMNS)
            lines.append(f"| {name}{mark} | {cells} | - |")
            continue
        throughput = report["provenance"].get("throughput", {})
        cells = " | ".join(_cell(report, metric) for metric, _ in COLUMNS)
        lines.append(f"| {name}{mark} | {cells} | {_rate(throughput.get('words_per_second'))} |")
    return lines


SECTION_TEXT: dict[str, str] = {
    "test": (
        "## Test split (held out): the headline\n\n"
        "Constructed news texts written for the corpus, never looked at while the baselines "
        "were developed: the baselines were frozen at commit `{freeze}`, before any test "
        "text existed, and `tests/test_baseline_pins.py` pins their rule, lexicon and "
        "feature files. sklearn is trained on the validation split only. 95% bootstrap "
        "intervals over documents, coreference included."
    ),
    "validation": (
        "## Validation split (the seed article)\n\n"
        "The one natural article, public since December 2024. rules and spacy were developed "
        "while reading it, so their scores here are **in-sample** (tuning, not extraction); "
        "sklearn is cross-validated over its paragraphs. Intervals over its sentences; "
        "coreference has none (one document)."
    ),
}


def render_leaderboard(
    reports: Mapping[str, Mapping[str, Mapping[str, Any]]],
    robustness: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """Return the leaderboard Markdown for stored reports (``{split: {baseline: report}}``)
    and stored robustness results (``{baseline: result}``)."""
    robustness = robustness or {}
    lines = [
        "# newsbench leaderboard",
        "",
        f"Generated by `{COMMAND}` from `corpus/reports/<split>/*.json`; do not edit by hand "
        "(a test fails when it is out of date with the code or the data).",
        "",
        "F1 in %, micro over the split, with 95% bootstrap confidence intervals. `-`: the "
        "baseline does not predict that layer. Every number names its split: compare "
        "systems on the test split.",
        "",
    ]
    notes: dict[str, str] = {}
    signatures = []
    for split in SPLIT_ORDER:
        split_reports = reports.get(split, {})
        lines += [SECTION_TEXT[split].format(freeze=FREEZE_COMMIT), ""]
        lines += [*_table(split, split_reports), ""]
        some = _reference(split_reports)
        for name, report in split_reports.items():
            if report.get("format") == "newsbench-skipped/1":
                notes.setdefault(f"{name}:{split}", f"- **{name}**, {split}: not run here: "
                                 f"{report['skipped']}")  # fmt: skip
                continue
            differences = not_comparable(report, some)
            if differences:
                notes.setdefault(
                    f"{name}:{split}:stale",
                    f"- **{name}**, {split}: its stored report was scored under another "
                    f"signature ({'; '.join(differences)}), so its numbers are not shown "
                    "beside the others; run it again where it can run.",
                )
            layers = ", ".join(report["provenance"].get("extractor_layers", []))
            protocol = report["provenance"].get("protocol") or ""
            notes.setdefault(name, f"- **{name}** (predicts {layers}): {protocol}")
        if some is not None:
            signatures.append((split, some))
    lines += render_robustness(robustness)
    lines += ["## Baselines", "", *notes.values(), ""]
    if signatures:
        lines += ["## Settings", ""]
        for split, some in signatures:
            lines += [f"Metric signature, {split}: `{some['signature']}`", ""]
        machine = signatures[0][1]["provenance"].get("machine", "this machine")
        lines += [
            "Throughput is the extraction step alone (words per second, whitespace-separated "
            f"words of the gold texts), measured by `{COMMAND}` on {machine}; it varies "
            "between runs and machines.",
            "",
        ]
    return "\n".join(lines)


def machine_description() -> str:
    """A short description of this machine for the throughput note."""
    import os

    return f"{platform.machine()} Linux, {os.cpu_count()} cores, Python {platform.python_version()}"


def is_external_run(record: Mapping[str, Any]) -> bool:
    """True for a stored report of a run that needs a service this machine may lack."""
    return bool(record.get("provenance", {}).get("external_run"))


def leaderboard_outputs(
    directory: Path = REPORTS_DIR, leaderboard: Path = LEADERBOARD
) -> list[Path]:
    """Every file ``newsbench leaderboard`` may write (reports with their side files, the
    robustness results, the Markdown), to be checked before anything runs."""
    from newsbench.eval.report_files import REPORT_SIDE_SUFFIXES
    from newsbench.schema.paths import side_file

    paths = []
    for split in SPLIT_ORDER:
        for name in BENCH_ORDER:
            report = directory / split / f"{name}.json"
            paths += [report, *(side_file(report, suffix) for suffix in REPORT_SIDE_SUFFIXES)]
    robustness = directory / "robustness" / ROBUSTNESS_SPLIT
    paths += [robustness / f"{name}.json" for name in ROBUSTNESS_BASELINES]
    return [*paths, leaderboard]


def update_leaderboard(
    gold: Mapping[str, Sequence[Document]],
    *,
    n_resamples: int = 1000,
    progress: bool = False,
    directory: Path = REPORTS_DIR,
    leaderboard: Path = LEADERBOARD,
    notes: list[str] | None = None,
) -> dict[str, list[BenchResult]]:
    """Run every baseline on every split, store the reports and regenerate LEADERBOARD.md.

    Every file it writes is checked before any baseline runs, and all are written together
    at the end (:func:`~newsbench.schema.io.staged_outputs`): a failure leaves the stored
    leaderboard as it was. A baseline that cannot run here (spaCy or scikit-learn not
    installed, the LLM without an endpoint) keeps its stored report and robustness result,
    so a run made where it can run is not replaced by "not run"; ``notes`` (when given)
    says which were kept.

    Raises:
        PathError: an output path that may not be written (before anything runs).
    """
    from newsbench.eval.report import write_json, write_report
    from newsbench.schema.io import atomic_output, staged_outputs
    from newsbench.schema.paths import PathArgument, check_paths

    check_paths(
        [
            PathArgument(COMMAND, path, "output")
            for path in leaderboard_outputs(directory, leaderboard)
        ]
    )
    by_split = bench_splits(gold, BENCH_ORDER, n_resamples=n_resamples, progress=progress)
    stored = read_reports(directory)
    current: dict[str, dict[str, Any]] = {}
    written: list[tuple[Path, BenchResult]] = []
    kept: set[str] = set()
    for split, results in by_split.items():
        current[split] = {}
        for result in results:
            previous = stored.get(split, {}).get(result.name, {})
            if result.report is None and not result.failed and "signature" in previous:
                current[split][result.name] = previous  # cannot run here: keep what is stored
                kept.add(result.name)
                if notes is not None:
                    notes.append(f"{result.name}, {split}: stored report kept ({result.skipped})")
                continue
            if result.report is not None:
                result.report["provenance"]["machine"] = machine_description()
            current[split][result.name] = plain_report(stored_record(result))
            written.append((directory / split / f"{result.name}.json", result))
    robustness = robustness_results(
        current[ROBUSTNESS_SPLIT], gold["validation"], n_resamples=n_resamples, progress=progress
    )
    for name, result in read_robustness(directory).items():
        if name in kept and name not in robustness:
            robustness[name] = result
    robustness = {name: robustness[name] for name in BENCH_ORDER if name in robustness}
    with staged_outputs() as stage:
        for path, result in written:
            if result.report is None:
                write_json(path, stored_record(result), stage=stage)
            else:
                write_report(path, result.report, stage=stage)
        folder = directory / "robustness" / ROBUSTNESS_SPLIT
        for name, outcome in robustness.items():
            write_json(folder / f"{name}.json", outcome, stage=stage)
        with atomic_output(leaderboard, "w", stage=stage) as handle:
            handle.write(render_leaderboard(current, robustness))
    return by_split


ROBUSTNESS_SPLIT = "test"
"""The split whose perturbed copies the leaderboard's robustness table is measured on."""
ROBUSTNESS_BASELINES: tuple[str, ...] = ("floor", "rules", "spacy", "sklearn")
"""The baselines in the robustness table (the oracle loses nothing by construction; the
LLM needs a service)."""
ROBUSTNESS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("entities.strict", "Mentions"),
    ("entities.NAM.strict", "Names"),
    ("timex.value_accuracy", "TIMEX value"),
    ("events.trigger_cls", "Triggers"),
    ("events.arg_cls", "Arguments"),
    ("attr.relation", "Attribution"),
)


def robustness_results(
    original: Mapping[str, Mapping[str, Any]],
    training: Sequence[Document],
    *,
    names: Sequence[str] = ROBUSTNESS_BASELINES,
    n_resamples: int = 1000,
    progress: bool = False,
) -> dict[str, dict[str, Any]]:
    """Run each baseline on every published perturbed copy of the robustness split and
    return ``newsbench robustness``'s result per baseline (against ``original[name]``,
    its report on the unperturbed split)."""
    from newsbench.corpus import PERTURBATIONS, perturbed_gold_path
    from newsbench.eval.robustness import robustness
    from newsbench.schema.validate import load_documents

    perturbed: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for perturbation in PERTURBATIONS:
        gold = load_documents(perturbed_gold_path(perturbation, ROBUSTNESS_SPLIT), "document")
        results = bench_baselines(
            gold,
            [n for n in names if "signature" in original.get(n, {})],
            split=ROBUSTNESS_SPLIT,
            training=training,
            n_resamples=n_resamples,
            progress=progress,
        )
        for result in results:
            if result.report is not None:
                perturbed[result.name].append(plain_report(result.report))
    return {
        name: robustness(original[name], reports, n_resamples=n_resamples)
        for name, reports in perturbed.items()
        if reports
    }


def read_robustness(directory: Path = REPORTS_DIR) -> dict[str, dict[str, Any]]:
    """The stored robustness results, in leaderboard order."""
    folder = directory / "robustness" / ROBUSTNESS_SPLIT
    found = {p.stem: json.loads(p.read_text("utf-8")) for p in folder.glob("*.json")}
    return {name: found[name] for name in BENCH_ORDER if name in found}


def _delta_cell(row: Mapping[str, Any] | None) -> str:
    if row is None:
        return "-"
    ci = (
        ""
        if row["ci_low"] is None
        else f" [{100 * row['ci_low']:+.1f}, {100 * row['ci_high']:+.1f}]"
    )
    return f"{100 * row['delta']:+.1f}{ci}"


def render_robustness(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The leaderboard's robustness section: per baseline and perturbation, the paired
    difference (perturbed - original, F1 points) with its 95% bootstrap interval."""
    if not results:
        return []
    lines = [
        f"## Robustness ({ROBUSTNESS_SPLIT} split, perturbed copies)",
        "",
        "Each baseline is run on every perturbed copy of the test split "
        "(`corpus/data/perturbed/`, made by `newsbench perturb`: the same annotations "
        "transferred exactly onto changed text) and compared document by document with its "
        "score on the original: the paired difference perturbed - original in F1 points, "
        "with its 95% paired-bootstrap interval (`newsbench robustness`). A loss on "
        "`counterfactual` beyond the interval of `names-invented` would be evidence of "
        "memorisation (the contamination protocol of `eval/METRICS.md`).",
        "",
        "| baseline | perturbation | "
        + " | ".join(label for _, label in ROBUSTNESS_COLUMNS)
        + " |",
        "| --- | --- |" + " ---: |" * len(ROBUSTNESS_COLUMNS),
    ]
    for name, result in results.items():
        for perturbation, entry in result["perturbations"].items():
            cells = " | ".join(
                _delta_cell(entry["metrics"].get(metric)) for metric, _ in ROBUSTNESS_COLUMNS
            )
            lines.append(f"| {name} | {perturbation} | {cells} |")
    lines.append("")
    return lines


_LISTING = ("errors", "error_listing")
"""The error records (in memory) or the name of their side file (stored): compared apart."""


def stored_error_listing(split: str, name: str, directory: Path = REPORTS_DIR) -> list[Any]:
    """The error records of a stored report (its ``.errors.jsonl`` side file)."""
    from newsbench.eval.report_files import read_error_listing

    return read_error_listing(directory / split / f"{name}.json")


def comparable(report: Mapping[str, Any]) -> dict[str, Any]:
    """Return a report as plain JSON data without what legitimately changes between runs
    (times, machine) and without its error listing, so that a fresh report compares equal
    to a stored one (whose listing is a side file: see :func:`stored_error_listing`)."""
    if report.get("format") == "newsbench-skipped/1":
        return dict(report)
    report = {k: v for k, v in plain_report(report).items() if k not in _LISTING}
    provenance = {
        k: v
        for k, v in report["provenance"].items()
        if k not in {"throughput", "machine", "git_revision", "python", "numpy"}
    }
    return {**report, "provenance": provenance}
