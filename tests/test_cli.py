"""The command line: exit codes 0 (ok), 1 (data errors), 2 (usage errors)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsbench.eval.cli import main
from newsbench.schema.io import write_jsonl


def _write(tmp_path, record, name="gold.jsonl"):
    path = tmp_path / name
    write_jsonl(path, [record])
    return path


def test_validate_ok(tmp_path, mini_record, capsys):
    assert main(["validate", str(_write(tmp_path, mini_record))]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_reports_every_problem_and_exits_1(tmp_path, mini_record, capsys):
    mini_record["mentions"][0]["type"] = "GPEE"
    mini_record["mentions"][1]["end"] = 3
    path = _write(tmp_path, mini_record)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "error[schema-enum]" in err and "did you mean 'GPE'" in err
    assert f"{path}:1" in err and "document 'mini_seed'" in err and "fix:" in err


def test_validate_json_format(tmp_path, mini_record, capsys):
    mini_record["mentions"][0]["type"] = "GPEE"
    path = _write(tmp_path, mini_record)
    assert main(["validate", "--format", "json", str(path)]) == 1
    captured = capsys.readouterr()
    problem = json.loads(captured.err.splitlines()[0])
    assert problem["code"] == "schema-enum" and problem["line"] == 1
    assert problem["path"] == "/mentions/0/type" and problem["document"] == "mini_seed"
    assert json.loads(captured.out)["files"][0]["problems"] == 1


def test_validate_prediction_kind(tmp_path, mini_record):
    m = mini_record["mentions"][0]
    trigger = {"start": m["start"], "end": m["end"], "text": m["text"]}
    # An event without its arguments list: a prediction may leave it out, the gold may not.
    event = {"id": "ev1", "type": "Conflict.Attack", "trigger": trigger}
    prediction = {"id": mini_record["id"], "text": mini_record["text"], "events": [event]}
    path = _write(tmp_path, prediction, "pred.jsonl")
    assert main(["validate", str(path)]) == 1
    assert main(["validate", "--kind", "prediction", str(path)]) == 0


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: not found" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "newsbench.eval", "frobnicate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_stats_counts_layers_and_types(tmp_path, mini_record, capsys):
    path = _write(tmp_path, mini_record)
    assert main(["stats", "--format", "json", str(path)]) == 0
    stats = json.loads(capsys.readouterr().out)
    mentions = stats["layers"]["mentions"]
    assert mentions["total"] == len(mini_record["mentions"])
    assert sum(mentions["by_type"].values()) == mentions["total"]
    assert stats["layers"]["attributions"]["by_mode"] == {"DIRECT": 1, "INDIRECT": 4}


def test_stats_on_invalid_file_exits_1(tmp_path, mini_record):
    mini_record["mentions"][0]["type"] = "GPEE"
    assert main(["stats", str(_write(tmp_path, mini_record))]) == 1


@pytest.mark.parametrize("flags", [[], ["--jobs", "2"], ["--html", "page.html"]])
def test_score_reports_the_problems_of_gold_and_predictions_together(
    tmp_path, capsys, mini_record, flags, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text('{"id": "x"}\n', "utf-8")
    write_jsonl(pred, [mini_record])
    with pred.open("a", encoding="utf-8") as handle:
        handle.write("{oops\n")
    assert main(["score", "--gold", str(gold), "--pred", str(pred), *flags]) == 1
    err = capsys.readouterr().err
    assert f"{gold}:1: error[schema-required]" in err
    assert f"{pred}:2: error[invalid-json]" in err
