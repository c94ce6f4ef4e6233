"""Where the entity layer's time goes: the block scorer with its phases removed in turn.

Not a test. Run from the repository root::

    python benchmarks/bench_entity_phases.py              # N = 1,000, blocks of 64
    python benchmarks/bench_entity_phases.py --block 16

Times ``score_entities_block`` over the synthetic corpus of ``bench_harness.py`` (seed
12345) in blocks as the harness cuts them, then again with the error records, then the
per-unit rows, then the SemEval details replaced by no-ops, and nervaluate 1.2.1 on the
same mentions (one view, no records), all best of 3 in one process with the collector
paused (as the harness scores). The removed phases produce nothing, so only the full run
is what the command does; the others show what each phase costs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_harness import data_dir  # noqa: E402

from newsbench.eval import entity_blocks  # noqa: E402
from newsbench.eval.pairing import load_predictions, pair_documents  # noqa: E402
from newsbench.eval.units import UnitIndex  # noqa: E402
from newsbench.schema.contract import ENTITY_TYPES  # noqa: E402
from newsbench.schema.validate import load_documents  # noqa: E402


@contextlib.contextmanager
def without(*names: str) -> Iterator[None]:
    """Replace phases of the block scorer by no-ops for the duration."""
    saved = {name: getattr(entity_blocks, name) for name in names}
    try:
        for name in names:
            setattr(entity_blocks, name, lambda *args, **kwargs: None)
        yield
    finally:
        for name, function in saved.items():
            setattr(entity_blocks, name, function)


def best_of_3(function: Callable[[], Any]) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--block", type=int, default=64)
    args = parser.parse_args()
    folder = data_dir(args.documents)
    pairs = pair_documents(
        load_documents(folder / "gold.jsonl"), load_predictions(folder / "pred.jsonl").documents
    )
    documents = [(p.gold, p.pred, UnitIndex.for_document(p.gold, "document")) for p in pairs]
    size = args.block

    def blocks() -> None:
        for k in range(0, len(documents), size):
            entity_blocks.score_entities_block(documents[k : k + size])

    gc.disable()
    rows = [("everything (what the command runs)", best_of_3(blocks))]
    with without("_errors"):
        rows.append(("without the error records", best_of_3(blocks)))
        with without("_rows"):
            rows.append(("without the error records and the per-unit rows", best_of_3(blocks)))
            with without("_details"):
                rows.append(
                    ("reading the mentions and matching both views only", best_of_3(blocks))
                )
    from nervaluate import Evaluator

    def spans(side: str) -> list[list[dict[str, Any]]]:
        return [
            [
                {"label": m.type, "start": m.start, "end": m.end - 1}  # inclusive ends
                for m in getattr(p, side).layer("mentions")
            ]
            for p in pairs
        ]

    # Built after our timings (holding them during ours slows ours down by about 15 %).
    gold_spans, pred_spans = spans("gold"), spans("pred")
    nervaluate = best_of_3(
        lambda: Evaluator(
            gold_spans, pred_spans, tags=list(ENTITY_TYPES), loader="default"
        ).evaluate()
    )
    gc.enable()
    n = len(documents)
    print(f"{n:,} documents, blocks of {size}")
    print("| phases | µs per document | nervaluate / this |")
    print("| --- | ---: | ---: |")
    for label, seconds in rows:
        print(f"| {label} | {seconds * 1e6 / n:,.0f} | {nervaluate / seconds:.1f}x |")
    print(f"| nervaluate 1.2.1 (one view, no records) | {nervaluate * 1e6 / n:,.0f} | |")


if __name__ == "__main__":
    main()
