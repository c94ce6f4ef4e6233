"""Progress bars: on stderr, only on a terminal, only beyond MIN_DOCUMENTS documents."""

from __future__ import annotations

import io
import json
import sys

import pytest

from newsbench.eval.cli import main
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.progress import MIN_DOCUMENTS, count_lines, progress_bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_off_a_terminal_or_for_small_inputs():
    with progress_bar("x", 10_000, stream=io.StringIO()) as advance:
        assert advance is None
    with progress_bar("x", MIN_DOCUMENTS - 1, stream=FakeTerminal()) as advance:
        assert advance is None


def test_a_bar_on_a_terminal_for_large_inputs():
    terminal = FakeTerminal()
    with progress_bar("validating", MIN_DOCUMENTS, stream=terminal) as advance:
        assert advance is not None
        advance(MIN_DOCUMENTS)
    assert "validating" in terminal.getvalue()


def test_an_unknown_total_shows_a_bar_only_past_the_threshold():
    small = FakeTerminal()
    with progress_bar("importing", None, stream=small) as advance:
        assert advance is not None
        for _ in range(MIN_DOCUMENTS - 1):
            advance(1)
    assert small.getvalue() == ""
    large = FakeTerminal()
    with progress_bar("importing", None, stream=large) as advance:
        for _ in range(MIN_DOCUMENTS + 5):
            advance(1)
    assert "importing" in large.getvalue()


def test_count_lines(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"{}\n" * 5)
    assert count_lines(path) == 5


@pytest.mark.parametrize("jobs", [1, 2])
def test_scoring_reports_every_document_once(mini_document, jobs):
    documents = [mini_document] * 6
    seen: list[int] = []
    pairs = pair_documents(
        [d.__class__(**{**_fields(d), "id": f"d{i}"}) for i, d in enumerate(documents)],
        [d.__class__(**{**_fields(d), "id": f"d{i}"}) for i, d in enumerate(documents)],
    )
    score_documents(pairs, ScoringConfig(n_resamples=5), jobs=jobs, progress=seen.append)
    assert sum(seen) == 6


def _fields(document):
    return {name: getattr(document, name) for name in document.__dataclass_fields__}


def _big_file(tmp_path, mini_record, n):
    path = tmp_path / "big.jsonl"
    lines = [json.dumps({**mini_record, "id": f"d{i}"}) for i in range(n)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_validate_and_score_show_a_bar_on_a_terminal(tmp_path, mini_record, monkeypatch, capsys):
    path = _big_file(tmp_path, mini_record, MIN_DOCUMENTS)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["validate", str(path)]) == 0
    assert "validating big.jsonl" in terminal.getvalue()
    out = capsys.readouterr().out
    assert out.strip() == f"{path}: ok"  # stdout has no bar
    terminal.seek(0)
    terminal.truncate()
    assert (
        main(
            [
                "score",
                "--gold",
                str(path),
                "--pred",
                str(path),
                "--resamples",
                "5",
                "--layers",
                "mentions",
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert "scoring" in terminal.getvalue()  # line-aligned files: read in blocks while scoring
    json.loads(capsys.readouterr().out)  # stdout is the JSON report only
    terminal.seek(0)
    terminal.truncate()
    html = tmp_path / "r.html"  # the path that reads every document first shows that too
    argv = ["score", "--gold", str(path), "--pred", str(path), "--resamples", "5",
            "--layers", "mentions", "--format", "json", "--html", str(html)]  # fmt: skip
    assert main(argv) == 0
    assert "reading big.jsonl" in terminal.getvalue() and "scoring" in terminal.getvalue()


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path, mini_record, capsys):
    path = _big_file(tmp_path, mini_record, MIN_DOCUMENTS)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("n", "shown"), [(MIN_DOCUMENTS - 1, False), (MIN_DOCUMENTS, True)])
def test_run_shows_a_bar_on_stderr_beyond_the_threshold(monkeypatch, capsys, n, shown):
    from newsbench.baselines.base import SourceDocument
    from newsbench.baselines.floor import FloorExtractor
    from newsbench.baselines.runner import run_extractor

    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    sources = [SourceDocument(f"d{i}", "Talks in Oslo ended.") for i in range(n)]
    assert len(run_extractor(FloorExtractor(), sources, progress=True)) == n
    assert ("floor" in terminal.getvalue()) is shown
    assert capsys.readouterr().out == ""
