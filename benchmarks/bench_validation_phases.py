"""Where validation's time goes: each stage of ``load_documents`` timed on its own.

Not a test. Run from the repository root::

    python benchmarks/bench_validation_phases.py             # N = 1,000
    python benchmarks/bench_validation_phases.py --documents 10000

Loads the synthetic gold and predictions of ``bench_harness.py`` (seed 12345, 2,000
characters a document) stage by stage, as ``load_documents`` and ``load_predictions``
run them, each stage over every line of both files, best of 3, in one process with the
collector paused (as the loaders run): reading the lines (``iter_jsonl``: orjson and the
repeated-key check), the schema (jsonschema-rs ``is_valid``), building the typed
documents, and the semantic checks (span texts, word boundaries, ids, references,
overlaps). Each is given as a multiple of the parse floor of ``bench_harness.py``
(orjson over every line, results dropped), next to the parse with its results kept
(what the later stages need), the two loaders (every document kept, as the API returns
them) and both files validated line by line with nothing kept (as the command's blocks
of 256 documents do).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_harness import data_dir  # noqa: E402

from newsbench.eval.pairing import load_predictions  # noqa: E402
from newsbench.schema.io import gc_paused, iter_jsonl  # noqa: E402
from newsbench.schema.model import document_from_dict  # noqa: E402
from newsbench.schema.validate import (  # noqa: E402
    _validator,
    iter_validated,
    load_documents,
    semantic_problems,
)

KINDS = (("gold.jsonl", "document"), ("pred.jsonl", "prediction"))


def best_of_3(function: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of three runs, and the last run's result."""
    times, result = [], None
    for _ in range(3):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def stage_times(folder: Path) -> tuple[float, list[tuple[str, float]]]:
    """The parse floor, and each stage's best time over both files."""
    import orjson

    lines = {name: (folder / name).read_bytes().splitlines() for name, _ in KINDS}

    def floor() -> None:
        for name, _ in KINDS:
            for line in lines[name]:
                orjson.loads(line)

    def kept() -> dict[str, list[Any]]:
        return {name: [orjson.loads(line) for line in lines[name]] for name, _ in KINDS}

    def read() -> dict[str, list[Any]]:
        return {name: [item.value for item in iter_jsonl(folder / name)] for name, _ in KINDS}

    rows: list[tuple[str, float]] = []
    with gc_paused():
        parse_floor, _ = best_of_3(floor)
        rows.append(("parse, results kept", best_of_3(kept)[0]))
        seconds, records = best_of_3(read)
        rows.append(("read the lines (`iter_jsonl`: orjson, repeated-key check)", seconds))
        validators = {name: _validator(kind, None) for name, kind in KINDS}

        def schema() -> bool:
            return all(
                validators[name].is_valid(record) for name, _ in KINDS for record in records[name]
            )

        seconds, valid = best_of_3(schema)
        assert valid, "the synthetic corpus is schema-valid"
        rows.append(("schema (jsonschema-rs `is_valid`)", seconds))

        def build() -> dict[str, list[Any]]:
            return {
                name: [document_from_dict(record) for record in records[name]] for name, _ in KINDS
            }

        seconds, documents = best_of_3(build)
        rows.append(("typed documents (`document_from_dict`)", seconds))

        def semantic() -> int:
            return sum(
                len(semantic_problems(document, gold=kind == "document"))
                for name, kind in KINDS
                for document in documents[name]
            )

        seconds, problems = best_of_3(semantic)
        assert problems == 0, "the synthetic corpus has no semantic problem"
        rows.append(("semantic checks (`semantic_problems`)", seconds))
    return parse_floor, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args()
    folder = data_dir(args.documents)
    parse_floor, rows = stage_times(folder)  # its documents are freed on return
    gc.collect()

    def loaders() -> None:
        load_documents(folder / "gold.jsonl")
        load_predictions(folder / "pred.jsonl")

    def streamed() -> int:
        with gc_paused():
            return sum(
                line.document is not None and not line.problems
                for name, kind in KINDS
                for line in iter_validated(folder / name, kind)  # type: ignore[arg-type]
            )

    rows.append(("both loaders, every document kept (the API)", best_of_3(loaders)[0]))
    seconds, valid_lines = best_of_3(streamed)
    assert valid_lines == 2 * args.documents
    rows.append(("both files line by line, nothing kept (as the command's blocks)", seconds))
    print(f"{args.documents:,} documents; parse floor {parse_floor:.3f} s")
    print("| stage | s | × parse floor |")
    print("| --- | ---: | ---: |")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.3f} | {seconds / parse_floor:.2f}x |")


if __name__ == "__main__":
    main()
