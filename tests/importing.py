"""Shared by the importer tests: import a gold and a system output, score them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import newsbench
from newsbench.eval.cli import main


def import_and_score(
    tmp_path: Path, fmt: str, gold: Path, system: Path, inventory: str
) -> dict[str, Any]:
    """``newsbench import`` both, ``newsbench score --inventory``: return the JSON report.

    Also checks that the three-line Python API gives the same headline and signature.
    """
    gold_jsonl, system_jsonl = tmp_path / "gold.jsonl", tmp_path / "system.jsonl"
    assert main(["import", "--format", fmt, str(gold), "--out", str(gold_jsonl)]) == 0
    args = ["import", "--format", fmt, "--kind", "prediction", str(system)]
    assert main([*args, "--out", str(system_jsonl)]) == 0
    out = tmp_path / "report.json"
    score = ["score", "--gold", str(gold_jsonl), "--pred", str(system_jsonl)]
    assert main([*score, "--inventory", inventory, "--out", str(out)]) == 0
    report: dict[str, Any] = json.loads(out.read_text("utf-8"))
    assert f"|inventory:{inventory}@" in report["signature"]
    api = newsbench.score(gold_jsonl, system_jsonl, inventory=inventory)
    assert api.data["headline"] == report["headline"]
    assert api.signature == report["signature"]
    return report
