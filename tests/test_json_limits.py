"""JSON that Python's reader refuses (nested too deep, an integer of over 4,300 digits) is a
located problem in every reader of whole JSON files, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbench.eval.cli import main
from tests.synthetic_files import write_synthetic

DEEP = "[" * 100_000 + "]" * 100_000
LONG = "1" + "0" * 5000


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("json-limits")
    gold, pred = write_synthetic(folder, 3, seed=2, n_chars=400)
    out = folder / "r.json"
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out),
                 "--resamples", "10"]) == 0  # fmt: skip
    return out


@pytest.mark.parametrize("kind", ["deep", "long"])
@pytest.mark.parametrize("reader", ["--inventory", "gate REPORT", "import oneie"])
def test_json_python_cannot_read_is_a_located_problem(
    reader: str, kind: str, report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    if reader == "gate REPORT":
        text = report.read_text("utf-8")
        bad.write_text(
            text.replace('"f1": ', f'"f1": {DEEP if kind == "deep" else LONG}, "x": ', 1)
        )
        argv = ["gate", str(bad), "--fail-under", "entities.strict.f1=0.1"]
    elif reader == "--inventory":
        bad.write_text(DEEP if kind == "deep" else f'{{"entity_types": {LONG}}}')
        argv = ["validate", str(report.with_name("gold.jsonl")), "--inventory", str(bad)]
    else:
        bad.write_text(DEEP if kind == "deep" else f'{{"doc_id": {LONG}}}')
        argv = ["import", "--format", "oneie", str(bad), "--out", str(tmp_path / "o.jsonl")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(bad) in err
    assert ("nested too deep" if kind == "deep" else "4300 digits") in err, err
