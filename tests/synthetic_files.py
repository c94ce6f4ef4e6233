"""Shared by the scale tests: seeded synthetic gold and prediction files, reports compared."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from newsbench.eval.report import encode_json
from newsbench.schema.io import write_jsonl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthetic import corpus


def write_synthetic(folder: Path, n: int, *, seed: int, n_chars: int) -> tuple[Path, Path]:
    """Write ``gold.jsonl`` and ``pred.jsonl`` (line-aligned) of a seeded synthetic corpus."""
    pairs = list(corpus(n, seed=seed, n_chars=n_chars))
    gold, pred = folder / "gold.jsonl", folder / "pred.jsonl"
    write_jsonl(gold, [g for g, _ in pairs])
    write_jsonl(pred, [p for _, p in pairs])
    return gold, pred


def without_provenance(report: dict[str, Any]) -> bytes:
    """The report's bytes without its provenance (which names the command and the files)."""
    return encode_json({k: v for k, v in report.items() if k != "provenance"})


def written_report(path: Path) -> bytes:
    """A report written by ``score --out`` and its side files, as bytes to compare: without
    the provenance, and without the side files' names (which follow the report's name)."""
    data = json.loads(path.read_text("utf-8"))
    data.pop("provenance", None)
    side = b""
    listing = data.pop("error_listing")
    side += path.with_name(listing.pop("file")).read_bytes()
    data["error_listing"] = listing
    for table in ("unit_statistics", "document_statistics"):
        if isinstance(data.get(table), dict) and "file" in data[table]:
            side += path.with_name(data[table].pop("file")).read_bytes()
    return encode_json(data) + side
