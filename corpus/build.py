"""Build the published gold JSONL from the gold sources, deterministically.

``corpus/gold/<split>/*.ann`` (human-reviewable, anchored by text) ->
``corpus/data/<split>.jsonl`` for each split (``validation``, ``test``), and their
perturbed copies ``corpus/data/perturbed/<name>-<split>.jsonl``. This is the only
code that writes to the gold data. ``--check`` rebuilds in memory and fails when a
published file differs (a test runs it).

Usage::

    python -m newsbench.corpus.build            # rebuild corpus/data/{validation,test}.jsonl
    python -m newsbench.corpus.build --check    # exit 1 if out of sync
    python -m newsbench.corpus.build --source other.ann --out /tmp/other.jsonl
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from newsbench.corpus import SPLITS, gold_file_name
from newsbench.corpus.gold_source import GoldSourceError, parse_gold_source
from newsbench.schema.io import dumps_line, write_jsonl
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.paths import PathArgument, PathError, check_paths
from newsbench.schema.problems import DataError
from newsbench.schema.validate import completeness_problems, validate_record

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = REPO_ROOT / "corpus" / "gold"
DATA_DIR = REPO_ROOT / "corpus" / "data"
PERTURBED_DIR = DATA_DIR / "perturbed"


def build_documents(sources: Sequence[Path], repo_root: Path = REPO_ROOT) -> list[Document]:
    """Parse, resolve and validate gold sources; return documents sorted by id.

    Raises:
        GoldSourceError: with every anchor, parse or validation error of all sources.
    """
    documents: list[Document] = []
    errors: list[str] = []
    for source in sources:
        try:
            document = parse_gold_source(source, repo_root)
        except GoldSourceError as exc:
            errors.extend(exc.errors)
            continue
        _, problems = validate_record(document_to_dict(document), "document", file=str(source))
        if not problems:
            problems = [p.located(file=str(source)) for p in completeness_problems(document)]
        errors.extend(p.format() for p in problems)
        documents.append(document)
    if errors:
        raise GoldSourceError(errors)
    return sorted(documents, key=lambda d: d.id)


def gold_sources(split: str, gold_dir: Path = GOLD_DIR) -> list[Path]:
    """Return a split's gold source files in a stable order."""
    return sorted((gold_dir / split).glob("*.ann"))


def published_path(split: str) -> Path:
    """Where the build writes a split (``corpus/data/<split>.jsonl`` in the clone)."""
    return DATA_DIR / gold_file_name(split)


def render_jsonl(documents: Sequence[Document]) -> bytes:
    """Return the exact bytes of the published JSONL for ``documents``."""
    return b"".join(dumps_line(document_to_dict(d)) + b"\n" for d in documents)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="newsbench build-corpus", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="fail if a published file is stale")
    parser.add_argument("--source", type=Path, nargs="*", help="build these .ann files instead")
    parser.add_argument("--out", type=Path, help="with --source: the JSONL file to write")
    args = parser.parse_args(argv)
    if bool(args.source) != (args.out is not None):
        parser.error("--source and --out go together (the splits are built without either)")
    jobs = (
        [(args.source, args.out)]
        if args.source
        else [(gold_sources(split), published_path(split)) for split in SPLITS]
    )
    try:  # the one writer of the gold; still never over one of its own inputs
        check_paths(
            [PathArgument("--source", s, "input") for sources, _ in jobs for s in sources]
            + [PathArgument("--out", out, "output") for _, out in jobs],
            may_write_gold=True,
        )
    except PathError as exc:
        for message in exc.problems:
            print(f"newsbench build-corpus: error: {message}", file=sys.stderr)
        return 2
    built = []
    errors: list[str] = []
    by_split: dict[str, list[Document]] = {}
    for name, (sources, out) in zip(["--source"] if args.source else SPLITS, jobs, strict=True):
        try:
            built.append((build_documents(sources), out))
            by_split[name] = built[-1][0]
        except GoldSourceError as exc:
            errors.extend(exc.errors)
    errors.extend(_shared_documents(by_split))
    if errors:
        print(GoldSourceError(errors), file=sys.stderr)
        return 1
    if not args.source:  # the published perturbed copies of every split (issue #15)
        try:
            built.extend(_perturbed_jobs(by_split))
        except (DataError, ValueError) as exc:
            print(f"cannot build the perturbed copies: {exc}", file=sys.stderr)
            return 1
    if args.check:
        stale = [out for documents, out in built if _current(out) != render_jsonl(documents)]
        for out in stale:
            print(f"{out} is out of sync with its sources; run: newsbench build-corpus",
                  file=sys.stderr)  # fmt: skip
        if stale:
            return 1
        for documents, out in built:
            print(f"{out} is in sync ({len(documents)} document(s))")
        return 0
    for documents, out in built:
        out.parent.mkdir(exist_ok=True)
        write_jsonl(out, (document_to_dict(d) for d in documents))
        counts = {
            layer: sum(len(d.layer(layer)) for d in documents)
            for layer in ("sentences", "mentions", "time_expressions", "events", "attributions")
        }
        print(
            f"wrote {out}: {len(documents)} document(s), "
            + ", ".join(f"{v} {k}" for k, v in counts.items())
        )
    return 0


def _perturbed_jobs(splits: dict[str, list[Document]]) -> list[tuple[list[Document], Path]]:
    from newsbench.corpus.perturbed import published_sets

    return [
        (documents, PERTURBED_DIR / file_name)
        for file_name, documents in published_sets(splits).items()
    ]


def _shared_documents(splits: Mapping[str, Sequence[Document]]) -> list[str]:
    """A document id or text in two splits would leak one split into the other; twice in
    one split, it would count one document twice."""
    errors = []
    seen: dict[tuple[str, str], tuple[str, str]] = {}  # (id or text, value) -> (split, id)
    for split, documents in splits.items():
        for document in documents:
            for kind, value in (("id", document.id), ("text", document.text)):
                if (kind, value) not in seen:
                    seen[(kind, value)] = (split, document.id)
                    continue
                what = f"id {document.id!r}" if kind == "id" else f"the text of {document.id!r}"
                first_split, first_id = seen[(kind, value)]
                if first_split != split:
                    errors.append(f"{what} is in both the {first_split} and the {split} split")
                else:
                    where = "the --source files" if split == "--source" else f"the {split} split"
                    errors.append(f"{what} is twice in {where} (first as {first_id!r})")
    return errors


def _current(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


if __name__ == "__main__":
    sys.exit(main())
