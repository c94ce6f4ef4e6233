"""The leaderboard is current: rendered from the stored reports, and the reports from the code."""

from __future__ import annotations

import pytest

from newsbench.baselines.leaderboard import (
    LEADERBOARD,
    comparable,
    is_external_run,
    read_reports,
    render_leaderboard,
)
from newsbench.baselines.runner import BENCH_ORDER, bench_baselines
from newsbench.corpus import gold_path
from newsbench.schema.validate import load_documents


def test_leaderboard_markdown_is_rendered_from_the_stored_reports():
    reports = read_reports()
    assert list(reports) == list(BENCH_ORDER)
    assert LEADERBOARD.read_text("utf-8") == render_leaderboard(reports), (
        "run: newsbench leaderboard"
    )


@pytest.mark.slow
def test_stored_reports_match_a_fresh_run():
    gold = load_documents(gold_path())
    fresh = {r.name: r for r in bench_baselines(gold, BENCH_ORDER, n_resamples=1000)}
    stored = read_reports()
    for name, result in fresh.items():
        if result.report is None:
            # Not runnable here: either the skip is stored, or a run made elsewhere that
            # says so (its model, endpoint and time are in its provenance).
            assert stored[name].get("skipped") or is_external_run(stored[name]), name
            continue
        assert comparable(result.report) == comparable(stored[name]), (
            f"the stored report of {name} is out of date: run `newsbench leaderboard`"
        )


def test_oracle_scores_one_everywhere():
    oracle = read_reports()["oracle"]
    for name, entry in oracle["headline"].items():
        assert entry["f1"] == 1.0, name
