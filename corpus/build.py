"""Build the published gold JSONL from the gold sources, deterministically.

``corpus/gold/*.ann`` (human-reviewable, anchored by text) -> ``corpus/data/test.jsonl``.
This is the only code that writes to the gold data. ``--check`` rebuilds in
memory and fails when the published file differs (a test runs it).

Usage::

    python -m newsbench.corpus.build            # rebuild corpus/data/test.jsonl
    python -m newsbench.corpus.build --check    # exit 1 if out of sync
    python -m newsbench.corpus.build --source other.ann --out /tmp/other.jsonl
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from newsbench.corpus.gold_source import GoldSourceError, parse_gold_source
from newsbench.schema.io import dumps_line, write_jsonl
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.paths import PathArgument, PathError, check_paths
from newsbench.schema.validate import validate_record

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = REPO_ROOT / "corpus" / "gold"
GOLD_JSONL = REPO_ROOT / "corpus" / "data" / "test.jsonl"


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
        errors.extend(p.format() for p in problems)
        documents.append(document)
    if errors:
        raise GoldSourceError(errors)
    return sorted(documents, key=lambda d: d.id)


def gold_sources(gold_dir: Path = GOLD_DIR) -> list[Path]:
    """Return the gold source files in a stable order."""
    return sorted(gold_dir.glob("*.ann"))


def render_jsonl(documents: Sequence[Document]) -> bytes:
    """Return the exact bytes of the published JSONL for ``documents``."""
    return b"".join(dumps_line(document_to_dict(d)) + b"\n" for d in documents)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="newsbench build-corpus", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="fail if the published file is stale")
    parser.add_argument("--source", type=Path, nargs="*", help="build these .ann files instead")
    parser.add_argument("--out", type=Path, help="write here instead of corpus/data/test.jsonl")
    args = parser.parse_args(argv)
    sources = args.source or gold_sources()
    out = args.out or GOLD_JSONL
    try:  # the one writer of the gold; still never over one of its own inputs
        check_paths(
            [PathArgument("--source", s, "input") for s in sources]
            + [PathArgument("--out", out, "output")],
            may_write_gold=True,
        )
    except PathError as exc:
        for message in exc.problems:
            print(f"newsbench build-corpus: error: {message}", file=sys.stderr)
        return 2
    try:
        documents = build_documents(sources)
    except GoldSourceError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.check:
        current = out.read_bytes() if out.exists() else b""
        if current != render_jsonl(documents):
            print(
                f"{out} is out of sync with {', '.join(map(str, sources))}; "
                "run: python -m newsbench.corpus.build",
                file=sys.stderr,
            )
            return 1
        print(f"{out} is in sync ({len(documents)} document(s))")
        return 0
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


if __name__ == "__main__":
    sys.exit(main())
