"""score --stream: two line-aligned files scored in one pass, every problem reported."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from newsbench.eval.cli import main
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import load_predictions, pair_documents
from newsbench.eval.streaming import StreamedPairs, predicted_layers, score_files_streamed
from newsbench.schema.io import write_jsonl
from newsbench.schema.problems import DataError
from newsbench.schema.validate import load_documents

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthetic import corpus

Records = list[dict[str, Any]]


@pytest.fixture(scope="module")
def records() -> tuple[Records, Records]:
    pairs = list(corpus(6, seed=11, n_chars=700))
    return [g for g, _ in pairs], [p for _, p in pairs]


def _files(tmp_path: Path, gold: Records, pred: Records) -> tuple[Path, Path]:
    write_jsonl(tmp_path / "gold.jsonl", gold)
    write_jsonl(tmp_path / "pred.jsonl", pred)
    return tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"


def _problems(gold: Path, pred: Path) -> list[Any]:
    with pytest.raises(DataError) as caught:
        score_files_streamed(gold, pred, ScoringConfig(n_resamples=20))
    return caught.value.problems


def test_streamed_scores_equal_the_full_report(tmp_path, records) -> None:
    gold_file, pred_file = _files(tmp_path, *records)
    config = ScoringConfig(n_resamples=50)
    streamed = score_files_streamed(gold_file, pred_file, config, max_errors=5)
    pairs = pair_documents(load_documents(gold_file), load_predictions(pred_file).documents)
    full = score_documents(pairs, config)
    for key in ("signature", "headline", "metrics", "entities", "resampling", "layers"):
        assert streamed[key] == full[key], key
    assert len(streamed["errors"]) == 5
    assert streamed["errors_summary"]["total"] == len(full["errors"])
    assert streamed["provenance"]["label_map_removed"] == {}


@pytest.mark.parametrize("max_errors", [1, 5, 40, 10_000])
def test_the_listing_is_the_first_errors_of_what_the_gold_scores(tmp_path, records, max_errors):
    """A layer the gold lacks in one document is not scored; its records take no room in
    the listing, which is the first ``max_errors`` of the records the report keeps."""
    gold, pred = records
    gold = [dict(g) for g in gold]
    del gold[-1]["time_expressions"]  # so time expressions are not scored at all
    gold_file, pred_file = _files(tmp_path, gold, pred)
    config = ScoringConfig(n_resamples=20)
    streamed = score_files_streamed(gold_file, pred_file, config, max_errors=max_errors)
    pairs = pair_documents(load_documents(gold_file), load_predictions(pred_file).documents)
    full = [dict(e) for e in score_documents(pairs, config)["errors"]]
    assert not any(e["layer"] == "timex" for e in full)
    assert len(full) > 40
    assert streamed["errors"] == full[:max_errors]
    assert streamed["errors_summary"]["listed"] == min(max_errors, len(full))
    assert streamed["errors_summary"]["total"] == len(full)


def test_stream_reads_one_pair_at_a_time(tmp_path, records) -> None:
    gold, pred = records
    # A broken last prediction line: the first pairs come out before it is read.
    gold_file, pred_file = _files(tmp_path, gold, pred)
    with open(pred_file, "a") as handle:
        handle.write("{not json\n")
    pairs = iter(StreamedPairs(gold_file, pred_file))
    first = next(pairs)
    assert first.gold.id == gold[0]["id"] == first.pred.id


def test_error_streamed_pairs_are_read_once(tmp_path, records) -> None:
    streamed = StreamedPairs(*_files(tmp_path, *records))
    assert len(list(streamed)) == len(records[0])
    with pytest.raises(RuntimeError, match="StreamedPairs is read once; make a new one"):
        iter(streamed)


def test_error_predictions_in_another_order(tmp_path, records) -> None:
    gold, pred = records
    gold_file, pred_file = _files(tmp_path, gold, [pred[0], pred[2], pred[1], *pred[3:]])
    problems = _problems(gold_file, pred_file)
    assert [p.code for p in problems] == ["prediction-order-mismatch"]
    problem = problems[0]
    assert (problem.file, problem.line, problem.document, problem.path) == (
        str(pred_file),
        2,
        pred[2]["id"],
        "/id",
    )
    assert f"line 2 of the gold is {gold[1]['id']!r}" in problem.message
    assert "score without --stream" in problem.fix


def test_error_prediction_file_ends_early(tmp_path, records) -> None:
    gold, pred = records
    gold_file, pred_file = _files(tmp_path, gold, pred[:4])
    problems = _problems(gold_file, pred_file)
    assert [(p.code, p.document) for p in problems] == [
        ("prediction-missing-document", gold[4]["id"]),
        ("prediction-missing-document", gold[5]["id"]),
    ]
    assert "--allow-missing" in problems[0].fix and "without --stream" in problems[0].fix


def test_error_prediction_file_has_extra_lines(tmp_path, records) -> None:
    gold, pred = records
    extra = {**pred[0], "id": "doc_extra"}
    gold_file, pred_file = _files(tmp_path, gold, [*pred, extra])
    problems = _problems(gold_file, pred_file)
    assert [(p.code, p.line, p.document) for p in problems] == [
        ("prediction-extra-document", len(pred) + 1, "doc_extra")
    ]


def test_error_prediction_text_differs(tmp_path, records) -> None:
    gold, pred = records
    changed = {**pred[1], "text": pred[1]["text"] + " "}  # the spans stay valid
    gold_file, pred_file = _files(tmp_path, gold, [pred[0], changed, *pred[2:]])
    problems = _problems(gold_file, pred_file)
    assert [(p.code, p.line, p.path) for p in problems] == [
        ("prediction-text-mismatch", 2, "/text")
    ]


def test_every_problem_of_both_files_at_once(tmp_path, records) -> None:
    gold, pred = records
    bad_gold = {**gold[1], "mentions": [{**gold[1]["mentions"][0], "type": "PERSN"}]}
    gold_file, pred_file = _files(tmp_path, [gold[0], bad_gold, *gold[2:]], pred)
    with open(pred_file) as handle:
        lines = handle.readlines()
    lines[3] = "[1, 2]\n"
    pred_file.write_text("".join(lines))
    problems = _problems(gold_file, pred_file)
    assert sorted((p.file, p.line, p.code) for p in problems) == [
        (str(gold_file), 2, "schema-enum"),
        (str(pred_file), 4, "not-an-object"),
    ]


def test_label_map_removals_are_counted(tmp_path, records) -> None:
    gold, full = records
    # Mentions only: a removed mention must not be referenced by an event or a source.
    pred = [{"id": p["id"], "text": p["text"], "mentions": p["mentions"]} for p in full]
    label_file = tmp_path / "map.json"
    types = sorted({m["type"] for p in pred for m in p["mentions"]})
    mapping = {label: (None if label == types[0] else label) for label in types}
    label_file.write_text(json.dumps({"name": "drop-one", "map": mapping}))
    gold_file, pred_file = _files(tmp_path, gold, pred)
    out = tmp_path / "report.json"
    args = ["score", "--gold", str(gold_file), "--pred", str(pred_file), "--stream"]
    code = main([*args, "--label-map", str(label_file), "--out", str(out), "--resamples", "20"])
    assert code == 0
    removed = json.loads(out.read_text())["provenance"]["label_map_removed"]
    assert removed == {types[0]: sum(m["type"] == types[0] for p in pred for m in p["mentions"])}


def test_cli_stream_report_and_gate(tmp_path, records, capsys) -> None:
    gold_file, pred_file = _files(tmp_path, *records)
    out = tmp_path / "report.json"
    args = ["score", "--gold", str(gold_file), "--pred", str(pred_file), "--resamples", "20"]
    assert main([*args, "--stream", "--out", str(out), "--format", "json"]) == 0
    report = json.loads(out.read_text())
    assert "statistics_kept" in report and "errors_summary" in report
    assert main([*args, "--stream", "--fail-under", "entities.strict.f1=0.99"]) == 1
    assert "entities.strict.f1" in capsys.readouterr().err


def test_cli_stream_data_errors_exit_1(tmp_path, records, capsys) -> None:
    gold, pred = records
    gold_file, pred_file = _files(tmp_path, gold, pred[::-1])
    assert main(["score", "--gold", str(gold_file), "--pred", str(pred_file), "--stream"]) == 1
    assert "error[prediction-order-mismatch]" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["--pred-format", "conll"], "--pred-format"),
        (["--html", "x.html"], "--html"),
        (["--allow-missing"], "--allow-missing"),
        (["--jobs", "2"], "--jobs"),
    ],
)
def test_error_stream_with_options_it_cannot_honour(tmp_path, records, capsys, extra, flag):
    gold_file, pred_file = _files(tmp_path, *records)
    args = ["score", "--gold", str(gold_file), "--pred", str(pred_file), "--stream", *extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"--stream cannot be combined with {flag}" in err and "drop --stream" in err


def test_predicted_layers_is_the_default_of_layers(tmp_path, records) -> None:
    gold, pred = records
    only_mentions = [{"id": p["id"], "text": p["text"], "mentions": p["mentions"]} for p in pred]
    gold_file, pred_file = _files(tmp_path, gold, only_mentions)
    assert predicted_layers(pred_file) == ["mentions"]
    report = score_files_streamed(gold_file, pred_file, ScoringConfig(n_resamples=20))
    assert report["layers"]["scored"] == ["mentions"]
    with pytest.raises(ValueError, match="the predictions do not give the layer"):
        score_files_streamed(
            gold_file, pred_file, ScoringConfig(n_resamples=20), layers=["mentions", "events"]
        )


def test_a_repeated_prediction_is_reported_as_the_loaders_report_it(tmp_path, records) -> None:
    gold, pred = records
    gold_file, pred_file = _files(tmp_path, gold, [*pred, pred[2]])  # line 7 repeats line 3
    found = [(p.code, p.line, p.message) for p in _problems(gold_file, pred_file)]
    with pytest.raises(DataError) as loaded:
        load_predictions(pred_file)
    assert [(p.code, p.line, p.message) for p in loaded.value.problems] == found
    assert found == [
        (
            "duplicate-document-id",
            7,
            f"the document id {pred[2]['id']!r} was already used on line 3",
        )
    ]


def test_an_empty_prediction_file_is_one_problem(tmp_path, records) -> None:
    gold, _ = records
    gold_file, pred_file = _files(tmp_path, gold, [])
    pred_file.write_bytes(b"")
    found = [(p.code, p.file, p.line) for p in _problems(gold_file, pred_file)]
    assert found == [("file-empty", str(pred_file), None)]
    broken = [dict(gold[0], id=3), *gold[1:]]  # and the gold's problems alongside
    gold_file, pred_file = _files(tmp_path, broken, [])
    pred_file.write_bytes(b"")
    found = [(p.code, p.line) for p in _problems(gold_file, pred_file)]
    assert ("file-empty", None) in found and ("schema-type", 1) in found
    assert not [code for code, _ in found if code.startswith("prediction-")]


def test_a_repeat_of_a_line_with_problems_is_reported_on_every_path(tmp_path, records) -> None:
    gold, pred = records
    broken = dict(pred[1], mentions=[dict(pred[1]["mentions"][0], type="NOPE")])
    gold_file, pred_file = _files(tmp_path, gold, [pred[0], broken, pred[2], pred[1], *pred[4:]])
    streamed = [(p.code, p.line) for p in _problems(gold_file, pred_file)]
    with pytest.raises(DataError) as loaded:
        load_predictions(pred_file)
    assert [(p.code, p.line) for p in loaded.value.problems] == [
        ("schema-enum", 2),
        ("duplicate-document-id", 4),
    ]
    assert ("schema-enum", 2) in streamed and ("duplicate-document-id", 4) in streamed


def test_a_prediction_file_without_a_document_lists_its_lines_only(tmp_path, records) -> None:
    gold, _ = records
    gold_file, pred_file = _files(tmp_path, gold, [])
    pred_file.write_bytes(b"\n\n")
    streamed = [(p.code, p.line) for p in _problems(gold_file, pred_file)]
    with pytest.raises(DataError) as loaded:
        load_predictions(pred_file)
    assert streamed == [(p.code, p.line) for p in loaded.value.problems]
    assert streamed == [("blank-line", 1), ("blank-line", 2)]  # no document "missing"
