"""Running extractors: `newsbench run`, the main job's outputs, the extractor registry."""

from __future__ import annotations

import pytest
from rich.console import Console

from newsbench.baselines.base import ExtractorNameError, SourceDocument
from newsbench.baselines.runner import (
    bench_baselines,
    build_extractor,
    run_extractor,
    write_bench_outputs,
)
from newsbench.corpus import gold_path
from newsbench.eval.cli import main
from newsbench.schema.validate import load_documents


@pytest.fixture(scope="module")
def gold():
    return load_documents(gold_path())


def test_bench_writes_json_html_and_plots(gold, tmp_path):
    results = bench_baselines(gold, ["floor", "oracle"], n_resamples=20)
    assert [r.name for r in results] == ["floor", "oracle"]
    with open(tmp_path / "log", "w") as log:
        write_bench_outputs(results, tmp_path, Console(file=log))
    assert "written to" in (tmp_path / "log").read_text()
    for name in ("floor", "oracle"):
        assert (tmp_path / f"{name}.json").stat().st_size > 0
        assert (tmp_path / f"{name}.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert len(list((tmp_path / "plots").glob("*.png"))) >= 3


def test_unavailable_baseline_is_skipped_with_its_reason(gold, monkeypatch):
    monkeypatch.delenv("NEWSBENCH_LLM_BASE_URL", raising=False)
    (result,) = bench_baselines(gold, ["llm"], n_resamples=10)
    assert result.report is None and "NEWSBENCH_LLM_BASE_URL" in result.skipped


def test_run_command_writes_valid_predictions(tmp_path, capsys):
    out = tmp_path / "floor.jsonl"
    assert main(["run", "floor", "--out", str(out)]) == 0
    assert main(["validate", "--kind", "prediction", str(out)]) == 0
    assert main(["run", "no.such.module:Thing", "--out", str(out)]) == 2
    assert "cannot import" in capsys.readouterr().err


def test_user_extractor_by_class_name(gold):
    extractor = build_extractor("newsbench.baselines.floor:FloorExtractor", gold)
    sources = [SourceDocument.from_document(d) for d in gold]
    (prediction,) = run_extractor(extractor, sources)
    assert prediction.mentions and prediction.events is None
    with pytest.raises(ExtractorNameError, match="unknown extractor"):
        build_extractor("not a name", gold)
