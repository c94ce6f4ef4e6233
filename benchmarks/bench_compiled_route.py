"""The compiled route of #17, measured: one Rust pass that parses, checks and scores.

Not a test. Build the extension once (see ``benchmarks/compiled_route/README.md``), then
run from the repository root::

    python benchmarks/bench_compiled_route.py                    # N = 10,000, 2 rounds
    python benchmarks/bench_compiled_route.py --documents 1000 --rounds 3

On the synthetic gold and predictions of ``bench_harness.py`` (seed 12345), best of 3
in each round, in one process:

* ``floor``: orjson over every line of both files, results dropped (the targets' floor);
* ``rust parse``: serde_json into its generic ``Value`` tree, dropped;
* ``rust strict``: serde_json into typed borrowed structs (id, text, mentions), every
  mention's offsets and text checked against the document (Python ``str`` indices), the
  documents paired, strict multiset matching of ``(start, end, type)``;
* ``rust records``: the same, and a JSON line for every missed and spurious mention, as
  the report's error listing writes them (context of 40 characters a side);
* ``python records``: the same counts and records in Python over orjson, with no checks.

The compiled route and the Python reference must give the same counts and the same
records byte for byte (checked every round; the script exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_harness import data_dir  # noqa: E402
from bench_validation_phases import best_of_3  # noqa: E402

from newsbench.eval.units import context_of  # noqa: E402


def floor(gold: Path, pred: Path) -> None:
    """orjson over every line of both files, results dropped."""
    for path in (gold, pred):
        with open(path, "rb") as handle:
            for line in handle:
                orjson.loads(line)


def _record(kind: str, doc_id: str, text: str, span: tuple[int, int, str]) -> bytes:
    start, end, label = span
    missed = kind == "missed"
    return orjson.dumps(
        {
            "layer": "entities",
            "kind": kind,
            "document": doc_id,
            "gold": [start, end] if missed else None,
            "pred": None if missed else [start, end],
            "gold_label": label if missed else None,
            "pred_label": None if missed else label,
            "gold_text": text[start:end] if missed else None,
            "pred_text": None if missed else text[start:end],
            "context": context_of(text, start, end),
            "note": "",
        }
    )


def python_records(gold: Path, pred: Path, out: Path) -> tuple[int, int, int, int]:
    """The Python reference: strict counts and missed/spurious records (no checks)."""
    lines: list[bytes] = []
    tp = fp = fn = 0
    with open(gold, "rb") as g, open(pred, "rb") as p:
        for gold_line, pred_line in zip(g, p, strict=True):
            gold_doc, pred_doc = orjson.loads(gold_line), orjson.loads(pred_line)
            text = gold_doc["text"]
            gs = sorted((m["start"], m["end"], m["type"]) for m in gold_doc.get("mentions", []))
            ps = sorted((m["start"], m["end"], m["type"]) for m in pred_doc.get("mentions", []))
            i = j = 0
            while i < len(gs) or j < len(ps):
                if i < len(gs) and j < len(ps) and gs[i] == ps[j]:
                    tp, i, j = tp + 1, i + 1, j + 1
                elif j >= len(ps) or (i < len(gs) and gs[i] < ps[j]):
                    lines.append(_record("missed", gold_doc["id"], text, gs[i]))
                    fn, i = fn + 1, i + 1
                else:
                    lines.append(_record("spurious", gold_doc["id"], text, ps[j]))
                    fp, j = fp + 1, j + 1
    out.write_bytes(b"".join(line + b"\n" for line in lines))
    return 0, tp, fp, fn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    try:
        import newsbench_route
    except ImportError:
        print("build the extension first: see benchmarks/compiled_route/README.md")
        return 2
    folder = data_dir(args.documents)
    gold, pred = folder / "gold.jsonl", folder / "pred.jsonl"
    g, p = str(gold), str(pred)
    print(f"{args.documents:,} documents ({folder})")
    print("| round | floor | rust parse | rust strict | rust records | python records |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as scratch:
        rust_out, python_out = Path(scratch, "rust.jsonl"), Path(scratch, "python.jsonl")
        for number in range(1, args.rounds + 1):
            base, _ = best_of_3(lambda: floor(gold, pred))
            parse, _ = best_of_3(lambda: newsbench_route.parse_only(g, p))
            strict, counts = best_of_3(lambda: newsbench_route.entity_strict_counts(g, p))
            records, rust = best_of_3(
                lambda: newsbench_route.entity_strict_records(g, p, str(rust_out))
            )
            reference, python = best_of_3(lambda: python_records(gold, pred, python_out))
            if (
                rust != python
                or counts[1:] != python
                or rust_out.read_bytes() != (python_out.read_bytes())
            ):
                print(f"the routes disagree: rust {rust} {counts}, python {python}")
                return 1
            cells = [f"{base:.3f} s"] + [
                f"{t:.3f} s = {t / base:.2f}x" for t in (parse, strict, records, reference)
            ]
            print(f"| {number} | " + " | ".join(cells) + " |")
        print(f"counts (problems, tp, fp, fn): {python}; records identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
