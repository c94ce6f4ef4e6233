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
from newsbench.eval.arguments import add_inventory_option, random_seed
from newsbench.schema.inventory import PACKAGED_INVENTORIES, Inventory, load_inventory
from newsbench.schema.io import dumps_line, staged_outputs, write_jsonl
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.paths import PathArgument, PathError, PathSpec, check_paths, declare_paths
from newsbench.schema.problems import DataError, Problem
from newsbench.schema.validate import load_documents, validate_record


def original_sha256(document: Document) -> str:
    """The sha256 of a document's canonical JSON line (as newsbench writes it)."""
    return hashlib.sha256(dumps_line(document_to_dict(document))).hexdigest()


_NAME_PERTURBATIONS = ("names-invented", "names-real", "counterfactual")


def _refusal(document: Document, name: str) -> tuple[str, str, str, str] | None:
    """Why ``document`` cannot be given the perturbation ``name`` before trying:
    ``(message, path, expected, fix)``, or None."""
    if document.metadata is None:
        return (
            f"document {document.id!r} has no metadata: its {name} copy could not say what it "
            "is (the perturbation, its seed, the original's sha256)",
            "",
            "a metadata object (dct, source_file, language)",
            "give the document its metadata, or leave it out of the set to perturb",
        )
    if document.metadata.perturbation is not None:
        return (
            f"document {document.id!r} is already a perturbed copy "
            f"({document.metadata.perturbation}); perturb the original gold",
            "/metadata/perturbation",
            "an original document (no metadata.perturbation)",
            "perturb the original gold, not a copy",
        )
    if name in _NAME_PERTURBATIONS:
        mentions = document.mentions
        if mentions is None or any(m.mention_type is None for m in mentions):
            return (
                f"document {document.id!r}: {name} finds names by their mention_type NAM, "
                + (
                    "and the document has no mentions layer"
                    if mentions is None
                    else "and some of its mentions have none"
                ),
                "/mentions",
                "mentions with their mention_type (NAM, NOM, PRO)",
                "annotate every mention's mention_type, or choose a perturbation that does "
                "not change names (dates-shifted, lowercase, uppercase, typos)",
            )
    return None


def perturb_documents(
    documents: Iterable[Document],
    name: str,
    *,
    seed: int = PERTURBATION_SEED,
    file: str | None = None,
    inventory: Inventory | None = None,
) -> list[Document]:
    """The perturbed copy ``name`` of every document, validated (under ``inventory``,
    default newsbench) and named in its metadata.

    ``file`` (the JSONL the documents were read from, one a line) locates the problems.

    Raises:
        ValueError: an unknown perturbation.
        DataError: every document that cannot be perturbed (no metadata, a copy already,
            names without their mention type, a date that cannot be shifted, names that
            cannot be substituted) and every copy that breaks the schema or a semantic
            check, each located.
    """
    from newsbench.corpus.perturb import perturb_document
    from newsbench.corpus.perturb.dates import DateShiftError

    if name not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {name!r}: choose one of {', '.join(PERTURBATIONS)}")
    copies: list[Document] = []
    problems: list[Problem] = []
    for line, document in enumerate(documents, start=1):
        where = {"file": file, "line": line if file is not None else None, "document": document.id}
        refused = _refusal(document, name)
        if refused is None:
            try:
                copy = perturb_document(document, name, seed=seed)
            except DateShiftError as exc:
                refused = (
                    f"{name}: {exc}",
                    exc.path,
                    "a calendar date that stays within the years 0-9999 when shifted",
                    "correct the date to a real calendar day (2024-02-29, not 2024-02-30), "
                    "or leave the document out of the perturbed set",
                )
            except ValueError as exc:  # names that cannot be substituted, a span crossing an edit
                refused = (
                    f"document {document.id!r}: {name} cannot be made exactly: {exc}",
                    "",
                    "a document whose perturbed copy carries every annotation exactly",
                    "leave the document out of the perturbed set, or report the case to "
                    "newsbench with the document",
                )
        if refused is not None:
            message, path, expected, fix = refused
            problems.append(
                Problem("perturbation-impossible", message, expected, fix, path=path, **where)
            )
            continue
        assert document.metadata is not None and copy.metadata is not None  # _refusal
        copy = replace(
            copy,
            metadata=replace(
                copy.metadata,
                perturbation=name,
                perturbation_seed=seed,
                original_sha256=original_sha256(document),
            ),
        )
        _, found = validate_record(
            document_to_dict(copy), "document", file=f"<{name}>", inventory=inventory
        )
        problems.extend(problem.located(document=document.id) for problem in found)
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
    """Write the perturbed copies of a gold file (or a packaged split) into a directory.

    Every file it will write is checked before anything is read, and all are written
    together (:func:`~newsbench.schema.io.staged_outputs`): a failure leaves none of them.
    """
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
    out_dir = Path(args.out_dir)
    targets = {(name, stem): out_dir / f"{name}-{stem}.jsonl" for stem in sources for name in names}
    try:
        check_paths(
            [PathArgument("--gold", path, "input") for path in sources.values()]
            + [PathArgument("--out-dir (a file it writes)", t, "output") for t in targets.values()]
        )
    except PathError as exc:
        for message in exc.problems:
            print(f"newsbench perturb: error: {message}", file=sys.stderr)
        return 2
    problems: list[Problem] = []
    outputs: dict[Path, list[Document]] = {}
    try:
        inventory = None if args.inventory is None else load_inventory(args.inventory)
        gold = {
            stem: load_documents(path, "document", inventory=inventory)
            for stem, path in sources.items()
        }
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    for (name, stem), target in targets.items():
        try:
            outputs[target] = perturb_documents(
                gold[stem], name, seed=args.seed, file=str(sources[stem]), inventory=inventory
            )
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        print(DataError(problems), file=sys.stderr)
        return 1
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with staged_outputs() as stage:
            for target, documents in outputs.items():
                write_jsonl(target, (document_to_dict(d) for d in documents), stage=stage)
    except OSError as exc:
        print(f"newsbench perturb: error: cannot write into {out_dir}: {exc}", file=sys.stderr)
        return 2
    for target, documents in outputs.items():
        print(f"wrote {target}: {len(documents)} document(s)")
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
    add_inventory_option(parser)
    parser.set_defaults(handler=command_perturb)
    declare_paths(
        parser,
        PathSpec("gold", "--gold", "input"),
        PathSpec("out_dir", "--out-dir", "output", "dir"),
        PathSpec("inventory", "--inventory", "input", not_paths=PACKAGED_INVENTORIES),
    )
