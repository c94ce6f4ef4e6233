"""Static figures: files written in every format, valid headers, reproducible SVG, the CLI."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from newsbench.corpus import gold_path
from newsbench.eval.cli import main
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.plots import PlotUnavailable, plot_reports, register_plot
from newsbench.eval.report import write_json
from newsbench.schema.validate import load_documents
from tests.test_html_report import perturb

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    gold = load_documents(gold_path("validation"), "document")
    config = ScoringConfig(n_resamples=30)
    return {
        "perturbed": score_documents(pair_documents(gold, [perturb(d) for d in gold]), config),
        "gold": score_documents(pair_documents(gold, gold), config),
    }


def _cli(argv: list[str]) -> int:
    return main(["plot", *argv[1:]]) if argv[:1] == ["plot"] else _handler(argv)


def _handler(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register_plot(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_every_figure_in_every_format(tmp_path, reports):
    pytest.importorskip("matplotlib")
    written = plot_reports(reports, tmp_path / "figs")
    names = {p.name for p in written}
    layers = {m.split(".", 1)[0] for r in reports.values() for m in r["headline"]}
    expected = {f"leaderboard-{layer}" for layer in layers} | {
        "per-type-f1",
        "confusion-perturbed",
        "confusion-gold",
    }
    assert names == {f"{stem}.{fmt}" for stem in expected for fmt in ("png", "svg")}
    for path in written:
        data = path.read_bytes()
        assert len(data) > 1000, path
        if path.suffix == ".png":
            assert data.startswith(PNG)
        else:
            assert data.lstrip().startswith(b"<?xml") and b"<svg" in data[:2000]
            assert data.rstrip().endswith(b"</svg>")
    # SVG output is reproducible (fixed hash salt, no date)
    again = plot_reports(reports, tmp_path / "again", formats=("svg",))
    for path in again:
        assert path.read_bytes() == (tmp_path / "figs" / path.name).read_bytes(), path.name


def test_cli_plot(tmp_path, reports, capsys):
    pytest.importorskip("matplotlib")
    paths = []
    for name, report in reports.items():
        path = tmp_path / f"{name}.json"
        write_json(path, report)
        paths.append(str(path))
    out = tmp_path / "out"
    assert _cli(["plot", *paths, "--out", str(out), "--format", "png"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert sorted(p.suffix for p in out.iterdir()) == [".png"] * len(list(out.iterdir()))
    assert (out / "confusion-perturbed.png").read_bytes().startswith(PNG)


def test_cli_plot_usage_errors(tmp_path, capsys):
    assert _cli(["plot", str(tmp_path / "missing.json"), "--out", str(tmp_path)]) == 2
    not_a_report = tmp_path / "x.json"
    not_a_report.write_text(json.dumps({"format": "other"}), "utf-8")
    assert _cli(["plot", str(not_a_report), "--out", str(tmp_path / "out")]) == 1
    assert "error[report-invalid], at /format: not a newsbench report" in capsys.readouterr().err


def test_without_matplotlib_the_error_says_how_to_install(tmp_path, reports, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotUnavailable, match=r"newsbench\[plot\]"):
        plot_reports(reports, tmp_path)
    path = tmp_path / "r.json"
    write_json(path, reports["gold"])
    assert _cli(["plot", str(path), "--out", str(tmp_path / "o")]) == 1
    assert "matplotlib" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_empty_input_writes_nothing(tmp_path):
    assert plot_reports({}, tmp_path / "none") == []
    assert not Path(tmp_path / "none").exists()
