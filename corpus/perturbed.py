"""Perturbed copies of gold documents: made, validated, named, and the ``perturb`` command.

Each copy is made by :func:`newsbench.corpus.perturb.perturb_document` (an edit script
over the text, every span mapped through it) and records what it is in its metadata:
the perturbation's name, its seed and the sha256 of the original document's canonical
JSON line. The harness puts the perturbation in the score signature, and
``newsbench robustness`` pairs a report on a copy with the report on the original.

The published copies of the packaged splits (``corpus/data/perturbed/<name>-<split>.jsonl``,
seed :data:`~newsbench.corpus.PERTURBATION_SEED`) are written by ``build-corpus``; any
other gold is perturbed with ``newsbench perturb --gold FILE --out-dir DIR``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from newsbench.corpus import (
    PERTURBATION_SEED,
    PERTURBATIONS,
    SPLITS,
    gold_path,
    perturbed_file_name,
)
from newsbench.eval.arguments import random_seed
from newsbench.schema.io import dumps_line, write_jsonl
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.paths import PathSpec, declare_paths
from newsbench.schema.problems import DataError, Problem
from newsbench.schema.validate import load_documents, validate_record


def original_sha256(document: Document) -> str:
    """The sha256 of a document's canonical JSON line (as newsbench writes it)."""
    return hashlib.sha256(dumps_line(document_to_dict(document))).hexdigest()


def perturb_documents(
    documents: Iterable[Document], name: str, *, seed: int = PERTURBATION_SEED
) -> list[Document]:
    """The perturbed copy ``name`` of every document, validated and named in its metadata.

    Raises:
        ValueError: an unknown perturbation, or a document that is itself a copy.
        DataError: a copy that breaks the schema or a semantic check (every problem).
    """
    from newsbench.corpus.perturb import perturb_document

    if name not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {name!r}: choose one of {', '.join(PERTURBATIONS)}")
    copies: list[Document] = []
    problems: list[Problem] = []
    for document in documents:
        if document.metadata is not None and document.metadata.perturbation is not None:
            raise ValueError(
                f"document {document.id!r} is already a perturbed copy "
                f"({document.metadata.perturbation}); perturb the original gold"
            )
        copy = perturb_document(document, name, seed=seed)
        if copy.metadata is not None:
            copy = replace(
                copy,
                metadata=replace(
                    copy.metadata,
                    perturbation=name,
                    perturbation_seed=seed,
                    original_sha256=original_sha256(document),
                ),
            )
        _, found = validate_record(document_to_dict(copy), "document", file=f"<{name}>")
        problems.extend(found)
        copies.append(copy)
    if problems:
        raise DataError(problems)
    return copies


def published_sets(
    splits: dict[str, Sequence[Document]], *, names: Sequence[str] = PERTURBATIONS
) -> dict[str, list[Document]]:
    """Every published copy of the packaged splits, by file name (``typos-test.jsonl``)."""
    return {
        perturbed_file_name(name, split): perturb_documents(documents, name)
        for split, documents in splits.items()
        for name in names
    }


# --- newsbench perturb -----------------------------------------------------------------


def command_perturb(args: argparse.Namespace) -> int:
    """Write the perturbed copies of a gold file (or a packaged split) into a directory."""
    if args.gold is not None and args.split is not None:
        print("newsbench perturb: error: give --gold or --split, not both", file=sys.stderr)
        return 2
    names = args.only or list(PERTURBATIONS)
    unknown = [n for n in names if n not in PERTURBATIONS]
    if unknown:
        print(
            f"newsbench perturb: error: unknown perturbation(s) {', '.join(unknown)}; "
            f"choose from {', '.join(PERTURBATIONS)}",
            file=sys.stderr,
        )
        return 2
    if args.gold is not None:
        sources = {Path(args.gold).name.removesuffix(".jsonl"): Path(args.gold)}
    else:
        split = args.split or "test"
        chosen = SPLITS if split == "all" else (split,)
        sources = {s: gold_path(s) for s in chosen}
    try:
        gold = {stem: load_documents(path, "document") for stem, path in sources.items()}
        outputs = {
            f"{name}-{stem}.jsonl": perturb_documents(documents, name, seed=args.seed)
            for stem, documents in gold.items()
            for name in names
        }
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"newsbench perturb: {exc}", file=sys.stderr)
        return 1
    out_dir = Path(args.out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for file_name, documents in outputs.items():
            count = write_jsonl(out_dir / file_name, (document_to_dict(d) for d in documents))
            print(f"wrote {out_dir / file_name}: {count} document(s)")
    except OSError as exc:
        print(f"newsbench perturb: error: cannot write into {out_dir}: {exc}", file=sys.stderr)
        return 2
    return 0


def register_perturb(sub: Any) -> None:
    """Entry point: add ``newsbench perturb`` to the command line."""
    parser = sub.add_parser(
        "perturb",
        help="write perturbed copies of the gold with every annotation transferred exactly",
        description="Write perturbed copies of a gold file (or the packaged split): "
        + ", ".join(PERTURBATIONS)
        + ". Each is an edit script over the text with every span mapped through it; "
        "score a system on a copy and on the original, then run newsbench robustness.",
    )
    parser.add_argument("--gold", type=Path, help="gold JSONL to perturb")
    parser.add_argument(
        "--split",
        choices=["validation", "test", "all"],
        help="a packaged split to perturb (default: test)",
    )
    parser.add_argument("--out-dir", type=Path, required=True, help="directory to write into")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these perturbations")
    parser.add_argument(
        "--seed",
        type=random_seed,
        default=PERTURBATION_SEED,
        help="random seed (default: %(default)s)",
    )
    parser.set_defaults(handler=command_perturb)
    declare_paths(
        parser,
        PathSpec("gold", "--gold", "input"),
        PathSpec("out_dir", "--out-dir", "output", "dir"),
    )
