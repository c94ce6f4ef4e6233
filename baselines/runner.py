"""Run extractors and the benchmark: ``newsbench run``, ``newsbench bench``.

These subcommands are registered into the ``newsbench`` command line through the
``newsbench.commands`` entry-point group, so that the harness (``newsbench.eval``)
never imports the baselines.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from newsbench.baselines.base import (
    BUILTIN,
    Extractor,
    ExtractorConfigError,
    ExtractorNameError,
    ExtractorOutputError,
    ExtractorUnavailable,
    SourceDocument,
    check_predictions,
    import_extractor_class,
)
from newsbench.baselines.oracle import OracleExtractor
from newsbench.eval.arguments import resample_count
from newsbench.eval.progress import MIN_DOCUMENTS
from newsbench.eval.report import make_console
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.paths import PathArgument, PathSpec, check_paths, declare_paths
from newsbench.schema.problems import DataError
from newsbench.schema.validate import validate_record

BENCH_ORDER: tuple[str, ...] = ("floor", "rules", "spacy", "sklearn", "llm", "oracle")
"""The built-in baselines in leaderboard order."""


def build_extractor(
    name: str, gold: Sequence[Document], training: Sequence[Document] | None = None
) -> Extractor:
    """Instantiate a built-in baseline or a user class ``package.module:Class``.

    The oracle receives the gold; a class whose constructor takes ``training``
    receives ``training`` (default: the gold itself, which the trained baseline
    cross-validates over), never a document of the held-out test split; every other
    extractor is built without arguments.

    Raises:
        ExtractorNameError: the name cannot be imported, or the class cannot be built.
        ExtractorConfigError: training documents of the held-out test split.
        ExtractorUnavailable: the extractor cannot run here (says why).
    """
    if name == "oracle":
        return OracleExtractor(gold)
    cls = import_extractor_class(name)
    try:
        parameters = inspect.signature(cls).parameters
    except (TypeError, ValueError) as exc:
        raise ExtractorNameError(f"cannot build {name!r}: {exc}") from None
    try:
        if "training" in parameters:
            train = list(gold if training is None else training)
            refuse_held_out_training(train)
            extractor = cls(training=train)
        else:
            extractor = cls()
    except TypeError as exc:  # a constructor that needs arguments newsbench cannot give
        raise ExtractorNameError(
            f"cannot build {name!r}: {exc}; an extractor is built with no argument, or "
            "with training= alone"
        ) from None
    if not isinstance(extractor, Extractor):
        raise ExtractorNameError(
            f"{name!r} does not implement the Extractor protocol (name, layers, extract)"
        )
    return extractor


@cache
def _held_out() -> tuple[frozenset[str], frozenset[str]]:
    """The ids and texts of the packaged test split (and so of its perturbed copies)."""
    from newsbench.corpus import gold_path

    test = _load_gold(gold_path("test"))
    return frozenset(d.id for d in test), frozenset(d.text for d in test)


def refuse_held_out_training(training: Sequence[Document]) -> None:
    """Raise :class:`ExtractorConfigError` if a training document is one of the held-out
    test split (by id or by text: a perturbed copy keeps the id)."""
    ids, texts = _held_out()
    found = [d.id for d in training if d.id in ids or d.text in texts]
    if found:
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        raise ExtractorConfigError(
            f"training documents of the held-out test split ({shown}): the test split is "
            "never trained on; train on the validation split (the default) or your own "
            "training set (--train FILE)"
        )


def count_words(documents: Iterable[SourceDocument]) -> int:
    """Return the number of whitespace-separated words (for throughput)."""
    return sum(len(d.text.split()) for d in documents)


class InvalidPredictions(DataError):
    """Predictions that break the schema: every problem, and the documents that passed."""

    def __init__(self, problems: Sequence[Any], valid: Sequence[Document], total: int) -> None:
        super().__init__(problems)
        self.valid = list(valid)
        self.total = total


def run_extractor(
    extractor: Extractor, documents: Sequence[SourceDocument], *, progress: bool = False
) -> list[Document]:
    """Run an extractor over documents, checking and validating every prediction.

    Raises:
        ExtractorOutputError: the extractor broke its protocol (documents, ids, layers).
        InvalidPredictions: some predictions violate the schema (an extractor bug); it
            holds every problem, located by document and JSON pointer, and the valid rest.
    """
    predictions: list[Document] = []
    shown = progress and len(documents) >= MIN_DOCUMENTS  # as every other bar of newsbench
    with Progress(disable=not shown, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(f"{extractor.name}", total=len(documents))
        for prediction in extractor.extract(documents):
            predictions.append(prediction)
            bar.advance(task)
    check_predictions(extractor, list(documents), predictions)
    problems = []
    valid = []
    origin = f"<{extractor.name} output>"
    for prediction in predictions:
        _, found = validate_record(document_to_dict(prediction), "prediction", file=origin)
        problems.extend(found)
        if not found:
            valid.append(prediction)
    if problems:
        raise InvalidPredictions(problems, valid, len(predictions))
    return predictions


@dataclass(frozen=True)
class BenchResult:
    """One baseline's outcome in the benchmark."""

    name: str
    report: dict[str, Any] | None
    seconds: float | None
    words: int
    skipped: str | None = None
    failed: bool = False
    """The baseline ran but broke its contract (never scored; the command exits 1)."""
    pairs: Sequence[Any] = ()
    """The scored gold/prediction pairs (for the HTML error report)."""

    @property
    def words_per_second(self) -> float | None:
        """Throughput of the extraction step."""
        return self.words / self.seconds if self.seconds else None


def bench_baselines(
    gold: Sequence[Document],
    names: Sequence[str] = BENCH_ORDER,
    *,
    split: str = "custom",
    training: Sequence[Document] | None = None,
    n_resamples: int = 1000,
    progress: bool = False,
    on_result: Callable[[BenchResult], None] | None = None,
) -> list[BenchResult]:
    """Run and score every named baseline on the gold; skip (with the reason) what cannot run.

    Args:
        gold: The documents scored.
        split: The packaged split ``gold`` is (``custom`` otherwise), for the signature.
        training: What a trained baseline learns from (default: ``gold``, cross-validated);
            for the test split, the validation split.
    """
    from newsbench.corpus import CORPUS_VERSION
    from newsbench.eval.harness import ScoringConfig, score_documents
    from newsbench.eval.pairing import pair_documents

    sources = [SourceDocument.from_document(d) for d in gold]
    words = count_words(sources)
    results = []
    for name in names:
        try:
            extractor = build_extractor(name, gold, training)
            start = time.perf_counter()
            predictions = run_extractor(extractor, sources, progress=progress)
            seconds = time.perf_counter() - start
        except ExtractorUnavailable as exc:
            result = BenchResult(name, None, None, words, skipped=str(exc))
        except (InvalidPredictions, ExtractorOutputError) as exc:
            reason = (
                f"{len(exc.problems)} invalid value(s) in its output"
                if isinstance(exc, InvalidPredictions)
                else str(exc)
            )
            result = BenchResult(name, None, None, words, skipped=f"failed: {reason}", failed=True)
        else:
            trained = "training" in inspect.signature(type(extractor)).parameters
            provenance = {
                "extractor": name,
                "extractor_layers": sorted(extractor.layers),
                "protocol": getattr(extractor, "protocol", None),
                "training_documents": (
                    [d.id for d in (gold if training is None else training)] if trained else None
                ),
                "throughput": {
                    "seconds": round(seconds, 4),
                    "words": words,
                    "words_per_second": round(words / seconds, 1) if seconds else None,
                },
            }
            pairs = pair_documents(gold, predictions)
            report = score_documents(
                pairs,
                ScoringConfig(n_resamples=n_resamples),
                provenance=provenance,
                corpus_version=CORPUS_VERSION if split != "custom" else "custom",
                split=split,
            )
            result = BenchResult(name, report, seconds, words, pairs=pairs)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


LEADERBOARD_METRICS: tuple[tuple[str, str], ...] = (
    ("entities.strict", "Mentions (strict)"),
    ("entities.NAM.strict", "Names (strict)"),
    ("coref.entities.conll", "Coref (CoNLL)"),
    ("timex.relaxed", "TIMEX (relaxed)"),
    ("timex.value_accuracy", "TIMEX value"),
    ("events.trigger_cls", "Triggers"),
    ("events.arg_cls", "Arguments"),
    ("attr.relation", "Attribution"),
)
"""The leaderboard's columns, one headline F1 per layer: ``newsbench bench`` prints them
and ``corpus/LEADERBOARD.md`` publishes them."""


def leaderboard_table(results: Sequence[BenchResult], title: str = "") -> Table:
    """Return the leaderboard as a rich table (F1 %, with CIs where defined)."""
    table = Table(title=f"newsbench leaderboard, {title or 'custom gold'} (F1 %, 95% CI)")
    table.add_column("baseline", no_wrap=True)
    for _, label in LEADERBOARD_METRICS:
        table.add_column(label, justify="right")
    table.add_column("words/s", justify="right")
    for result in results:
        if result.report is None:
            table.add_row(result.name, *(["not run"] * len(LEADERBOARD_METRICS)), "-")
            continue
        cells = []
        for metric, _ in LEADERBOARD_METRICS:
            entry = result.report["headline"].get(metric) or result.report["metrics"].get(metric)
            if entry is None:
                cells.append("-")
                continue
            ci = entry.get("ci")
            span = f" [{100 * ci['low']:.0f}-{100 * ci['high']:.0f}]" if ci else ""
            cells.append(f"{100 * entry['f1']:.1f}{span}")
        wps = result.words_per_second
        table.add_row(result.name, *cells, f"{wps:,.0f}" if wps else "-")
    return table


# --- command line --------------------------------------------------------------------


def _load_gold(path: Path | None) -> list[Document]:
    from newsbench.corpus import gold_path
    from newsbench.schema.validate import load_documents

    return load_documents(path or gold_path(), "document")


def _run_gold_files(args: argparse.Namespace) -> list[Path | None]:
    """The gold files ``run`` reads: ``--gold``, or the packaged ``--split`` (default test),
    or its ``--perturbation`` copy.

    Raises:
        ValueError: conflicting or unknown choices (a usage error).
    """
    from newsbench.corpus import (
        DEFAULT_SPLIT,
        PERTURBATIONS,
        SPLITS,
        gold_path,
        perturbed_gold_path,
    )

    if args.gold is not None and (args.split or args.perturbation):
        raise ValueError("--split and --perturbation choose the packaged gold: not with --gold")
    if args.gold is not None:
        return [args.gold]
    split = args.split or DEFAULT_SPLIT
    names = SPLITS if split == "all" else (split,)
    if args.perturbation is None:
        return [gold_path(s) for s in names]
    if args.perturbation not in PERTURBATIONS:
        raise ValueError(
            f"--perturbation {args.perturbation}: choose one of {', '.join(PERTURBATIONS)}"
        )
    return [perturbed_gold_path(args.perturbation, s) for s in names]


def command_run(args: argparse.Namespace) -> int:
    """``newsbench run EXTRACTOR --out preds.jsonl``: a trained extractor learns from the
    validation split, or ``--train FILE`` (never from the held-out test split)."""
    from newsbench.corpus import gold_path
    from newsbench.schema.io import write_jsonl

    try:
        files = _run_gold_files(args)
    except ValueError as exc:
        print(f"newsbench run: error: {exc}", file=sys.stderr)
        return 2
    try:
        gold = [d for path in files for d in _load_gold(path)]
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        training = _load_gold(args.train or gold_path("validation"))
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        extractor = build_extractor(args.extractor, gold, training)
    except (ExtractorNameError, ExtractorConfigError) as exc:
        print(f"newsbench: error: {exc}", file=sys.stderr)
        return 2
    except ExtractorUnavailable as exc:
        print(f"newsbench: {args.extractor} cannot run here: {exc}", file=sys.stderr)
        return 1
    sources = [SourceDocument.from_document(d) for d in gold]
    failed = False
    try:
        predictions = run_extractor(extractor, sources, progress=sys.stderr.isatty())
    except InvalidPredictions as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        dropped = exc.total - len(exc.valid)
        if not args.keep_valid:
            print(
                f"newsbench: {args.extractor} wrote {len(exc.problems)} invalid value(s) in "
                f"{dropped} of {exc.total} document(s); nothing written (--keep-valid writes "
                "the valid documents)",
                file=sys.stderr,
            )
            return 1
        print(
            f"newsbench: {args.extractor}: {dropped} of {exc.total} document(s) left out for "
            f"the {len(exc.problems)} problem(s) above (--keep-valid)",
            file=sys.stderr,
        )
        predictions, failed = exc.valid, True
    except (ExtractorUnavailable, ExtractorOutputError) as exc:
        print(f"newsbench: {args.extractor} failed: {exc}", file=sys.stderr)
        return 1
    count = write_jsonl(args.out, (document_to_dict(p) for p in predictions))
    total_report = getattr(extractor, "total_report", None)
    if callable(total_report):  # extractors that align strings to offsets say what failed
        print(total_report().summary(), file=sys.stderr)
    print(
        f"wrote {count} prediction document(s) to {args.out} "
        f"(layers: {', '.join(sorted(extractor.layers))})"
    )
    return 1 if failed else 0


SPLIT_TITLES: dict[str, str] = {
    "test": "test split (held out; intervals over documents)",
    "validation": "validation split (the seed article; in-sample for rules and spacy, which "
    "were developed on it)",
}


def load_splits() -> dict[str, list[Document]]:
    """The packaged gold of every split, test first (the headline)."""
    from newsbench.corpus import gold_path

    return {split: _load_gold(gold_path(split)) for split in ("test", "validation")}


def bench_splits(
    gold: Mapping[str, Sequence[Document]],
    names: Sequence[str] = BENCH_ORDER,
    **options: Any,
) -> dict[str, list[BenchResult]]:
    """Run and score the baselines on every split: the trained baseline learns from the
    validation split only (and cross-validates on it when it is the split scored)."""
    return {
        split: bench_baselines(
            documents,
            names,
            split=split,
            training=gold["validation"] if split == "test" else None,
            **options,
        )
        for split, documents in gold.items()
    }


def command_bench(args: argparse.Namespace) -> int:
    """The README's main job: check the gold, run and score every baseline, print the board."""
    from newsbench.corpus import gold_path
    from newsbench.corpus.stats import corpus_statistics, print_statistics

    console = make_console()
    names = args.only or list(BENCH_ORDER)
    unknown = [n for n in names if n not in BENCH_ORDER]
    if unknown:
        print(
            f"newsbench: error: unknown baseline(s) {unknown}; choose from {BENCH_ORDER}",
            file=sys.stderr,
        )
        return 2
    if args.out_dir:  # every file it will write, checked before anything runs
        check_paths(
            [
                PathArgument("--out-dir (a file it writes)", path, "output")
                for path in bench_output_files(Path(args.out_dir), names)
            ]
        )
    try:
        gold = load_splits()
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    for split, documents in gold.items():
        console.print(f"gold corpus, {split} split, {gold_path(split)}: valid")
        print_statistics(corpus_statistics(documents), console)

    def announce(result: BenchResult) -> None:
        status = f"skipped ({result.skipped})" if result.skipped else f"{result.seconds:.2f} s"
        console.print(f"  {result.name}: {status}")

    try:
        by_split = bench_splits(
            gold,
            names,
            n_resamples=args.resamples,
            progress=sys.stderr.isatty(),
            on_result=announce,
        )
    except ExtractorConfigError as exc:
        print(f"newsbench: error: {exc}", file=sys.stderr)
        return 2
    for split, results in by_split.items():
        console.print(leaderboard_table(results, title=SPLIT_TITLES[split]))
        if args.out_dir:
            write_bench_outputs(results, Path(args.out_dir) / split, console)
    return 1 if any(r.failed for results in by_split.values() for r in results) else 0


def bench_output_files(out_dir: Path, names: Sequence[str]) -> list[Path]:
    """The report files ``bench --out-dir`` may write: per split, each baseline's JSON
    report with its side files and its HTML page."""
    from newsbench.eval.report_files import REPORT_SIDE_SUFFIXES
    from newsbench.schema.paths import side_file

    paths = []
    for split in ("test", "validation"):
        for name in names:
            report = out_dir / split / f"{name}.json"
            paths += [report, *(side_file(report, s) for s in REPORT_SIDE_SUFFIXES)]
            paths.append(out_dir / split / f"{name}.html")
    return paths


def write_bench_outputs(results: Sequence[BenchResult], out_dir: Path, console: Any) -> None:
    """Write each baseline's JSON and HTML report (all together: a failure leaves none of
    them), then the plots of all of them."""
    from newsbench.eval.html_report import render_html
    from newsbench.eval.plots import PlotUnavailable, plot_reports
    from newsbench.eval.report import write_report
    from newsbench.schema.io import atomic_output, staged_outputs

    reports = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    with staged_outputs() as stage:
        for result in results:
            if result.report is None:
                continue
            reports[result.name] = result.report
            write_report(out_dir / f"{result.name}.json", result.report, stage=stage)
            page = render_html(result.report, result.pairs, title=f"newsbench: {result.name}")
            with atomic_output(out_dir / f"{result.name}.html", "w", stage=stage) as handle:
                handle.write(page)
    try:
        figures = plot_reports(reports, out_dir / "plots")
    except PlotUnavailable as exc:
        console.print(f"plots skipped: {exc}")
        figures = []
    console.print(f"reports (JSON, HTML) and {len(figures)} figure(s) written to {out_dir}/")


def command_leaderboard(args: argparse.Namespace) -> int:
    """Run every baseline on every split, store the reports, regenerate corpus/LEADERBOARD.md."""
    from newsbench.baselines.leaderboard import LEADERBOARD, REPORTS_DIR, update_leaderboard
    from newsbench.corpus.commands import NotAClone, require_clone

    try:
        require_clone("leaderboard")
    except NotAClone as exc:
        print(f"newsbench: error: {exc}", file=sys.stderr)
        return 2
    try:
        gold = load_splits()
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    kept: list[str] = []
    try:  # every output path is checked first (a PathError: exit 2, nothing run)
        by_split = update_leaderboard(
            gold, n_resamples=args.resamples, progress=sys.stderr.isatty(), notes=kept
        )
    except ExtractorConfigError as exc:
        print(f"newsbench: error: {exc}", file=sys.stderr)
        return 2
    console = make_console()
    for split, results in by_split.items():
        console.print(leaderboard_table(results, title=SPLIT_TITLES[split]))
        for result in results:
            if result.skipped:
                console.print(f"{result.name} not run on {split}: {result.skipped}")
    for note in kept:
        console.print(note)
    print(f"wrote {REPORTS_DIR}/<split>/*.json and {LEADERBOARD}")
    return 1 if any(r.failed for results in by_split.values() for r in results) else 0


def register_leaderboard(sub: Any) -> None:
    """Entry point: add ``newsbench leaderboard`` to the command line."""
    parser = sub.add_parser(
        "leaderboard",
        help="run every baseline, store the reports, regenerate corpus/LEADERBOARD.md",
    )
    parser.add_argument(
        "--resamples", type=resample_count, default=1000, help="bootstrap resamples"
    )
    parser.set_defaults(handler=command_leaderboard)


def register_run(sub: Any) -> None:
    """Entry point: add ``newsbench run`` to the command line."""
    parser = sub.add_parser("run", help="run an extractor on the gold texts, write predictions")
    parser.add_argument(
        "extractor", help=f"built-in ({', '.join([*BUILTIN, 'oracle'])}) or package.module:Class"
    )
    parser.add_argument("--out", type=Path, required=True, help="predictions JSONL to write")
    parser.add_argument("--gold", type=Path, help="gold JSONL (default: the packaged corpus)")
    parser.add_argument(
        "--train",
        type=Path,
        help="gold JSONL a trained extractor learns from (default: the validation split; "
        "never the held-out test split)",
    )
    parser.add_argument(
        "--split",
        choices=["validation", "test", "all"],
        help="the packaged split whose texts to run on (default: test)",
    )
    parser.add_argument(
        "--perturbation",
        metavar="NAME",
        help="run on the split's published perturbed copy NAME (see newsbench perturb)",
    )
    parser.add_argument(
        "--keep-valid",
        action="store_true",
        help="when some predictions break the schema, still write the valid documents "
        "(the problems are listed and the exit code is 1)",
    )
    parser.set_defaults(handler=command_run)
    declare_paths(
        parser,
        PathSpec("gold", "--gold", "input"),
        PathSpec("train", "--train", "input"),
        PathSpec("out", "--out", "output"),
    )


def register_bench(sub: Any) -> None:
    """Entry point: add ``newsbench bench`` to the command line."""
    parser = sub.add_parser("bench", help="the main job: run and score every baseline")
    parser.add_argument(
        "--only", nargs="+", metavar="BASELINE", help=f"run only these ({', '.join(BENCH_ORDER)})"
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path("out/bench"),
        help="write each baseline's JSON report here (default out/bench)",
    )
    parser.add_argument(
        "--resamples", type=resample_count, default=1000, help="bootstrap resamples"
    )
    parser.set_defaults(handler=command_bench)
    declare_paths(parser, PathSpec("out_dir", "--out-dir", "output", "dir"))
