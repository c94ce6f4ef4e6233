"""The leaderboard is current: rendered from the stored reports, and the reports from the code."""

from __future__ import annotations

import pytest

from newsbench.baselines.leaderboard import (
    COLUMNS,
    FREEZE_COMMIT,
    LEADERBOARD,
    ROBUSTNESS_BASELINES,
    ROBUSTNESS_COLUMNS,
    comparable,
    is_external_run,
    read_reports,
    read_robustness,
    render_leaderboard,
    stored_error_listing,
)
from newsbench.baselines.runner import BENCH_ORDER, bench_splits, load_splits
from newsbench.corpus import PERTURBATIONS
from newsbench.eval.report import plain_report


def test_leaderboard_markdown_is_rendered_from_the_stored_reports():
    reports = read_reports()
    assert list(reports) == ["test", "validation"]
    for split_reports in reports.values():
        assert list(split_reports) == list(BENCH_ORDER)
    assert LEADERBOARD.read_text("utf-8") == render_leaderboard(reports, read_robustness()), (
        "run: newsbench leaderboard"
    )


def test_the_robustness_table_is_measured_on_the_perturbed_test_split():
    results = read_robustness()
    assert list(results) == list(ROBUSTNESS_BASELINES)
    text = LEADERBOARD.read_text("utf-8")
    assert "## Robustness (test split, perturbed copies)" in text
    for name, result in results.items():
        assert list(result["perturbations"]) == list(PERTURBATIONS), name
        assert "|split:test|" in result["original"], name
        for perturbation, entry in result["perturbations"].items():
            assert f"|perturbation:{perturbation}@seed0|" in entry["signature"]
            assert f"| {name} | {perturbation} | " in text
    for entry in results["rules"]["perturbations"].values():  # rules predicts every layer
        assert all(metric in entry["metrics"] for metric, _ in ROBUSTNESS_COLUMNS)


def test_every_number_names_its_split():
    text = LEADERBOARD.read_text("utf-8")
    assert text.index("## Test split (held out)") < text.index("## Validation split")
    assert f"frozen at commit `{FREEZE_COMMIT}`" in text
    assert "rules (in-sample)" in text and "spacy (in-sample)" in text
    for split, reports in read_reports().items():
        for name, report in reports.items():
            if "signature" in report and not is_external_run(report):
                assert f"|split:{split}|" in report["signature"], (split, name)


@pytest.mark.slow
def test_stored_reports_match_a_fresh_run():
    fresh = bench_splits(load_splits(), BENCH_ORDER, n_resamples=1000)
    stored = read_reports()
    for split, results in fresh.items():
        for result in results:
            name = result.name
            if result.report is None:
                # Not runnable here: either the skip is stored, or a run made elsewhere
                # that says so (its model, endpoint and time are in its provenance).
                record = stored[split][name]
                assert record.get("skipped") or is_external_run(record), (split, name)
                continue
            assert comparable(result.report) == comparable(stored[split][name]), (
                f"the stored {split} report of {name} is out of date: run `newsbench leaderboard`"
            )
            assert stored_error_listing(split, name) == plain_report(result.report)["errors"], (
                f"the stored {split} error listing of {name} is out of date"
            )


def test_sklearn_trains_on_the_validation_split_only():
    from newsbench.corpus import gold_path
    from newsbench.schema.validate import load_documents

    validation = [d.id for d in load_documents(gold_path("validation"))]
    for split in ("test", "validation"):
        report = read_reports()[split]["sklearn"]
        assert report["provenance"]["training_documents"] == validation, split
    assert read_reports()["test"]["rules"]["provenance"]["training_documents"] is None


@pytest.mark.parametrize("split", ["test", "validation"])
def test_oracle_scores_one_everywhere(split):
    oracle = read_reports()[split]["oracle"]
    for name, entry in oracle["headline"].items():
        assert entry["f1"] == 1.0, name


def test_bench_prints_the_leaderboard_s_columns_and_numbers():
    from newsbench.baselines.leaderboard import COLUMNS, _cell
    from newsbench.baselines.runner import BenchResult, leaderboard_table

    report = read_reports()["test"]["rules"]
    table = leaderboard_table([BenchResult("rules", report, 1.0, 10)])
    headers = [column.header for column in table.columns]
    assert headers == ["baseline", *(label for _, label in COLUMNS), "words/s"]
    for (metric, _), column in zip(COLUMNS, table.columns[1:], strict=False):
        (printed,) = column._cells
        assert printed.split(" ")[0] == _cell(report, metric).split(" ")[0], metric


def test_a_report_under_another_signature_is_not_shown_beside_the_others():
    reports = read_reports()
    rules = reports["test"]["rules"]
    older = {**rules, "signature": rules["signature"].replace("|schema:1.2.0|", "|schema:1.0.0|")}
    rendered = render_leaderboard({"test": {"rules": rules, "floor": older}}, {})
    row = next(line for line in rendered.splitlines() if line.startswith("| floor |"))
    assert row.count("not comparable") == len(COLUMNS)
    assert "- **floor**, test: its stored report was scored under another signature" in rendered
    assert "schema (1.2.0 vs 1.0.0)" in rendered
    # the validation split's llm report is one such: stored from corpus 1.0.0
    text = LEADERBOARD.read_text("utf-8")
    assert "| llm | not comparable |" in text


def _leaderboard_copy(tmp_path):
    import shutil

    from newsbench.baselines.leaderboard import REPORTS_DIR

    directory, leaderboard = tmp_path / "reports", tmp_path / "LEADERBOARD.md"
    shutil.copytree(REPORTS_DIR, directory)
    leaderboard.write_bytes(LEADERBOARD.read_bytes())
    return directory, leaderboard


def _unavailable_but_floor(stored):
    from newsbench.baselines.runner import BenchResult

    def bench(gold, names, **options):
        return {
            split: [
                BenchResult(name, dict(stored[split][name]), 1.0, 10)
                if name == "floor"
                else BenchResult(name, None, None, 10, skipped=f"{name} cannot run here")
                for name in names
            ]
            for split in ("test", "validation")
        }

    return bench


def test_a_baseline_that_cannot_run_here_keeps_its_stored_report(tmp_path, monkeypatch):
    from newsbench.baselines import leaderboard as board

    directory, leaderboard = _leaderboard_copy(tmp_path)
    before = {  # every stored report and robustness result but floor's (which runs)
        p: p.read_bytes()
        for p in directory.rglob("*.json")
        if "floor" not in p.name and b'"skipped"' not in p.read_bytes()
    }
    stored = read_reports(directory)
    monkeypatch.setattr(board, "bench_splits", _unavailable_but_floor(stored))
    monkeypatch.setattr(board, "robustness_results", lambda *args, **kwargs: {})
    notes: list[str] = []
    board.update_leaderboard(
        {"validation": []}, directory=directory, leaderboard=leaderboard, notes=notes
    )
    assert {p: p.read_bytes() for p in before} == before  # spacy, sklearn, ...: as stored
    assert "spacy, test: stored report kept (spacy cannot run here)" in notes
    text = leaderboard.read_text("utf-8")
    assert "| spacy | not run |" not in text and "| spacy | " in text
    assert "| spacy | names-invented |" in text  # its robustness rows too


def test_leaderboard_checks_every_output_before_it_runs_and_writes_all_or_nothing(
    tmp_path, monkeypatch
):
    import os

    from newsbench.baselines import leaderboard as board
    from newsbench.schema.paths import PathError

    directory, leaderboard = _leaderboard_copy(tmp_path)
    ran: list[bool] = []
    monkeypatch.setattr(board, "bench_splits", lambda *a, **k: ran.append(True))
    fifo = directory / "robustness" / "test" / "floor.json"
    fifo.unlink()
    os.mkfifo(fifo)
    with pytest.raises(PathError, match=r"floor\.json"):
        board.update_leaderboard({}, directory=directory, leaderboard=leaderboard)
    assert ran == []  # refused before any baseline ran
    fifo.unlink()
    fifo.write_text("{}", "utf-8")
    before = {p: p.read_bytes() for p in [*directory.rglob("*"), leaderboard] if p.is_file()}
    stored = read_reports(directory)
    monkeypatch.setattr(board, "bench_splits", _unavailable_but_floor(stored))
    monkeypatch.setattr(board, "robustness_results", lambda *args, **kwargs: {})

    def broken(*args, **kwargs):
        raise RuntimeError("the leaderboard cannot be rendered")

    monkeypatch.setattr(board, "render_leaderboard", broken)
    with pytest.raises(RuntimeError):
        board.update_leaderboard({"validation": []}, directory=directory, leaderboard=leaderboard)
    after = {p: p.read_bytes() for p in [*directory.rglob("*"), leaderboard] if p.is_file()}
    assert after == before  # the floor reports were not written either
