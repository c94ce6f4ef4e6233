"""``newsbench stats`` and ``newsbench build-corpus``: the corpus on the command line.

Registered through the ``newsbench.commands`` entry-point group (:func:`register_stats`,
:func:`register_build_corpus`), so the harness never imports the corpus package. The
harness finds the packaged gold (``score --split``) through the ``newsbench.gold``
entry point, which names :mod:`newsbench.corpus`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newsbench.corpus import SPLITS, gold_path
from newsbench.eval.arguments import add_inventory_option
from newsbench.schema.inventory import PACKAGED_INVENTORIES, load_inventory
from newsbench.schema.paths import PathSpec, declare_paths
from newsbench.schema.problems import DataError, Problem

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
KINDS = {"gold": "document", "prediction": "prediction"}

REPO_ROOT = Path(__file__).resolve().parent.parent


class NotAClone(Exception):
    """A command that writes the repository's files, run outside a clone of it."""


def require_clone(command: str, root: Path | None = None) -> None:
    """Refuse to go on unless ``root`` is a clone of the repository (not an installed package).

    Raises:
        NotAClone: with one line saying why and what to do.
    """
    root = REPO_ROOT if root is None else root
    if not ((root / "pyproject.toml").is_file() and (root / "corpus" / "texts").is_dir()):
        raise NotAClone(
            f"newsbench {command} rebuilds files of the repository and runs only in a clone of "
            f"it (this is an installed package at {root}); clone the repository and run it there"
        )


def command_stats(args: argparse.Namespace) -> int:
    """Print counts per layer and type of one file, or of each packaged split."""
    from newsbench.corpus.stats import corpus_statistics, print_statistics
    from newsbench.eval.report import make_console
    from newsbench.schema.validate import load_documents

    if args.file is not None and args.split is not None:
        print(
            "newsbench: error: --split chooses a split of the packaged gold: give FILE or --split",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.file is not None:
        files = {str(args.file): args.file}
    else:
        chosen = SPLITS if args.split in (None, "all") else (args.split,)
        files = {split: gold_path(split) for split in chosen}
    stats = {}
    problems: list[Problem] = []
    try:
        inventory = None if args.inventory is None else load_inventory(args.inventory)
    except DataError as exc:
        problems.extend(exc.problems)
    else:
        for name, path in files.items():
            try:
                documents = load_documents(path, KINDS[args.kind], inventory=inventory)
                stats[name] = corpus_statistics(documents)
            except DataError as exc:
                problems.extend(exc.problems)
    if problems:
        for problem in problems:
            line = (
                json.dumps(problem.to_dict(), ensure_ascii=False)
                if args.format == "json"
                else problem.format()
            )
            print(line, file=sys.stderr)
        return EXIT_DATA
    if args.format == "json":
        print(json.dumps(stats[str(args.file)] if args.file is not None else stats, indent=2))
        return EXIT_OK
    console = make_console()
    for name, entry in stats.items():
        if args.file is None:
            console.print(f"[bold]{name} split[/bold] ({files[name]})")
        print_statistics(entry, console)
    return EXIT_OK


def command_build_corpus(args: argparse.Namespace) -> int:
    """Rebuild (or check) the published gold JSONL from the gold sources."""
    from newsbench.corpus.build import main as build_main

    try:
        require_clone("build-corpus")
    except NotAClone as exc:
        print(f"newsbench: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return build_main(["--check"] if args.check else [])


def register_stats(sub: Any) -> None:
    """Entry point: add ``newsbench stats``."""
    stats = sub.add_parser("stats", help="counts per layer and type")
    stats.add_argument(
        "file", nargs="?", type=Path, metavar="FILE", help="JSONL (default: each packaged split)"
    )
    stats.add_argument(
        "--split",
        choices=["validation", "test", "all"],
        help="the packaged split(s) to count (default: all, one table each)",
    )
    stats.add_argument("--kind", choices=sorted(KINDS), default="gold", help="FILE's kind")
    stats.add_argument("--format", choices=["text", "json"], default="text", help="output")
    add_inventory_option(stats)
    stats.set_defaults(handler=command_stats)
    declare_paths(
        stats,
        PathSpec("file", "FILE", "input"),
        PathSpec("inventory", "--inventory", "input", not_paths=PACKAGED_INVENTORIES),
    )


def register_build_corpus(sub: Any) -> None:
    """Entry point: add ``newsbench build-corpus`` (it alone may write the gold)."""
    build = sub.add_parser("build-corpus", help="build corpus/data/*.jsonl from corpus/gold/*.ann")
    build.add_argument("--check", action="store_true", help="exit 1 if the published file is stale")
    build.set_defaults(handler=command_build_corpus, may_write_gold=True)
