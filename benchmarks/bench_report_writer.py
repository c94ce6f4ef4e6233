"""The report writer: the standard json encoder against newsbench's, side by side.

Not a test. Run from the repository root::

    python benchmarks/bench_report_writer.py            # N = 1,000
    python benchmarks/bench_report_writer.py --sizes 1000 10000

Scores a seeded synthetic corpus (``benchmarks/synthetic.py``, seed 12345), then encodes
the report with ``json.dumps(indent=2, ensure_ascii=False)`` and with
:func:`newsbench.eval.report.encode_json`, alternately, three times each, and prints the
best of each, their ratio and whether the bytes are equal.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import corpus

from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.report import encode_json, json_default
from newsbench.schema.validate import validate_record


def _documents(n: int) -> tuple[list, list]:
    gold, pred = [], []
    for g, p in corpus(n, seed=12345):
        gold.append(validate_record(g)[0])
        pred.append(validate_record(p, "prediction")[0])
    return gold, pred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000])
    args = parser.parse_args()
    for n in args.sizes:
        gold, pred = _documents(n)
        report = score_documents(pair_documents(gold, pred), ScoringConfig())
        standard, ours = [], []
        for _ in range(3):
            t = time.perf_counter()
            text = json.dumps(report, indent=2, ensure_ascii=False, default=json_default)
            old = text.encode("utf-8") + b"\n"
            standard.append(time.perf_counter() - t)
            t = time.perf_counter()
            new = encode_json(report)
            ours.append(time.perf_counter() - t)
        print(
            f"N = {n:,}: report {len(new) / 1e6:.1f} MB; json.dumps {min(standard):.2f} s, "
            f"encode_json {min(ours):.2f} s ({min(standard) / min(ours):.1f}x); "
            f"identical bytes: {old == new}"
        )


if __name__ == "__main__":
    main()
