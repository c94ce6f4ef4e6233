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
    return load_documents(gold_path("validation"))


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


def test_bench_checks_every_file_it_writes_before_it_runs(tmp_path, capsys, monkeypatch):
    import os

    from newsbench.baselines import runner

    ran: list[bool] = []
    monkeypatch.setattr(runner, "bench_splits", lambda *a, **k: ran.append(True))
    out = tmp_path / "o"
    (out / "validation").mkdir(parents=True)
    os.mkfifo(out / "validation" / "floor.html")
    (out / "test" / "floor.json").mkdir(parents=True)
    assert main(["bench", "--only", "floor", "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "floor.html" in err and "floor.json" in err
    assert ran == []  # refused before the gold was read or a baseline ran
    assert sorted(p.name for p in (out / "test").iterdir()) == ["floor.json"]


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


# --- extractors that break the contract -------------------------------------------------


class BrokenTimexExtractor:
    """Predicts one time expression per document; in the second document its value is bad."""

    name = "broken"
    layers = frozenset({"time_expressions"})

    def extract(self, documents):
        from newsbench.schema.model import Document, TimeExpression

        for index, source in enumerate(documents):
            word = source.text.split()[0]
            value = "P4XE" if index == 1 else "2024"
            yield Document(
                id=source.id,
                text=source.text,
                time_expressions=(TimeExpression("t1", 0, len(word), word, "DATE", value),),
            )


class TooFewExtractor:
    """Returns nothing at all: a protocol error."""

    name = "too-few"
    layers = frozenset({"mentions"})

    def extract(self, documents):
        return iter(())


@pytest.fixture
def three_documents(tmp_path, mini_record):
    gold = tmp_path / "gold.jsonl"
    records = []
    for n in range(3):
        record = dict(mini_record, id=f"doc{n}")
        records.append(record)
    from newsbench.schema.io import write_jsonl

    write_jsonl(gold, records)
    return gold


def test_run_reports_invalid_output_located_and_writes_nothing(three_documents, tmp_path, capsys):
    out = tmp_path / "p.jsonl"
    argv = ["run", "tests.test_runner:BrokenTimexExtractor", "--gold", str(three_documents)]
    assert main([*argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert (
        "<broken output>: error[schema-pattern], document 'doc1', at /time_expressions/0/value"
        in err
    )
    assert "nothing written (--keep-valid writes the valid documents)" in err
    assert not out.exists()


def test_run_keep_valid_writes_the_valid_documents_and_still_fails(
    three_documents, tmp_path, capsys
):
    out = tmp_path / "p.jsonl"
    argv = ["run", "tests.test_runner:BrokenTimexExtractor", "--gold", str(three_documents)]
    assert main([*argv, "--out", str(out), "--keep-valid"]) == 1
    assert "1 of 3 document(s) left out" in capsys.readouterr().err
    kept = load_documents(out, "prediction")
    assert [d.id for d in kept] == ["doc0", "doc2"]


def test_a_protocol_error_is_a_message_not_a_traceback(three_documents, tmp_path, capsys):
    out = tmp_path / "p.jsonl"
    argv = ["run", "tests.test_runner:TooFewExtractor", "--gold", str(three_documents)]
    assert main([*argv, "--out", str(out)]) == 1
    assert "returned 0 documents for 3 inputs" in capsys.readouterr().err
    assert not out.exists()


# --- baselines emit only what the schema accepts -----------------------------------------

TIME_PHRASES = (
    "four decades", "two centuries", "the 1990s", "3:15 a.m. Thursday", "9 p.m. every night",
    "twice a week", "last month", "this week", "now", "yesterday", "48 hours", "every Tuesday",
    "Friday morning", "March 2024", "the fall of 2021", "tonight", "next weekend", "midnight",
    "noon Saturday", "30 February 2023", "week 53", "Q3 2024", "a fortnight", "1.5 hours",
    "10,000 years", "25:99", "2024-13-45", "the 1800s", "early 2019", "late last year",
)  # fmt: skip
WORDS = ("Rebels", "the army", "said", "entered", "Homs", "attacked", "officials", "convoy",
         "Reuters", "told", "according to", "seized", "fled", "from", "into", "a", "\u2028",
         "Ünal", "São Paulo", "\"", "'s", "-", "U.S.", "Credit:", "\n")  # fmt: skip


@pytest.mark.parametrize("name", ["floor", "rules"])
def test_a_baseline_emits_only_schema_valid_values(name, gold):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from newsbench.schema.model import document_to_dict
    from newsbench.schema.validate import validate_record

    extractor = build_extractor(name, gold)
    piece = st.one_of(st.sampled_from(TIME_PHRASES), st.sampled_from(WORDS))

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        pieces=st.lists(piece, min_size=1, max_size=30),
        dct=st.dates().map(lambda d: d.isoformat()),
    )
    def check(pieces, dct):
        text = " ".join(pieces).strip() or "x"
        (prediction,) = extractor.extract([SourceDocument("d", text, dct)])
        _, problems = validate_record(document_to_dict(prediction), "prediction")
        assert problems == [], [p.format() for p in problems]

    check()
    for document in gold:  # and the gold texts
        (prediction,) = extractor.extract([SourceDocument.from_document(document)])
        assert validate_record(document_to_dict(prediction), "prediction")[1] == []
