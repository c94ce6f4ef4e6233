"""The ``newsbench`` command line: parses arguments and calls plain functions.

Exit codes: 0 ok, 1 data errors or a failed gate, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsbench.schema.contract import SchemaKind
from newsbench.schema.problems import Problem
from newsbench.schema.validate import iter_validated
from rich.console import Console
from rich.table import Table

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


def _require_files(paths: Sequence[Path]) -> None:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"file not found: {', '.join(missing)}")


def command_validate(args: argparse.Namespace) -> int:
    """Validate gold or prediction files; report every problem."""
    _require_files(args.files)
    kind = KINDS[args.kind]
    all_problems: list[Problem] = []
    summary = []
    for path in args.files:
        problems = [p for line in iter_validated(path, kind) for p in line.problems]
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


def command_stats(args: argparse.Namespace) -> int:
    """Print counts per layer and type of one file."""
    from newsbench.corpus.stats import corpus_statistics
    from newsbench.schema.problems import DataError
    from newsbench.schema.validate import load_documents

    _require_files([args.file])
    try:
        documents = load_documents(args.file, KINDS[args.kind])
    except DataError as exc:
        _emit_problems(exc.problems, args.format, sys.stderr)
        return EXIT_DATA
    stats = corpus_statistics(documents)
    if args.format == "json":
        print(json.dumps(stats, indent=2))
        return EXIT_OK
    print_statistics(stats, Console())
    return EXIT_OK


def print_statistics(stats: dict[str, Any], console: Console) -> None:
    """Render corpus statistics as tables."""
    console.print(f"{stats['documents']} document(s), {stats['characters']} characters")
    table = Table(title="Counts per layer")
    table.add_column("layer")
    table.add_column("total", justify="right")
    table.add_column("breakdown")
    for layer, entry in stats["layers"].items():
        breakdown = "; ".join(
            f"{name.removeprefix('by_')}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
            for name, counts in entry.items()
            if name != "total"
        )
        table.add_row(layer, str(entry["total"]), breakdown)
    console.print(table)


def command_bench(args: argparse.Namespace) -> int:
    """The main job: validate the gold corpus and print its statistics."""
    from newsbench.corpus import gold_path
    from newsbench.corpus.stats import corpus_statistics
    from newsbench.schema.problems import DataError
    from newsbench.schema.validate import load_documents

    console = Console()
    path = gold_path()
    try:
        documents = load_documents(path, "document")
    except DataError as exc:
        _emit_problems(exc.problems, "text", sys.stderr)
        return EXIT_DATA
    console.print(f"gold corpus {path}: valid")
    print_statistics(corpus_statistics(documents), console)
    return EXIT_OK


def command_build_corpus(args: argparse.Namespace) -> int:
    """Rebuild (or check) the published gold JSONL from the gold sources."""
    from newsbench.corpus.build import main as build_main

    return build_main(["--check"] if args.check else [])


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="newsbench",
        description="newsbench: a news IE corpus and evaluation harness.",
        epilog="Exit codes: 0 ok, 1 data errors or failed gate, 2 usage errors.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = sub.add_parser("validate", help="validate gold or prediction JSONL files")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.add_argument(
        "--kind",
        choices=sorted(KINDS),
        default="gold",
        help="gold documents (every layer required) or predictions",
    )
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.set_defaults(handler=command_validate)

    stats = sub.add_parser("stats", help="counts per layer and type")
    stats.add_argument("file", type=Path, metavar="FILE")
    stats.add_argument("--kind", choices=sorted(KINDS), default="gold")
    stats.add_argument("--format", choices=["text", "json"], default="text")
    stats.set_defaults(handler=command_stats)

    bench = sub.add_parser("bench", help="the main job: check the gold corpus and report")
    bench.set_defaults(handler=command_bench)

    build = sub.add_parser("build-corpus", help="build corpus/data/*.jsonl from corpus/gold/*.ann")
    build.add_argument("--check", action="store_true", help="exit 1 if the published file is stale")
    build.set_defaults(handler=command_build_corpus)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"newsbench: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
