"""``newsbench.score`` on two files: scored in blocks (memory flat), the same report."""

from __future__ import annotations

import pickle
from pathlib import Path

import orjson
import pytest

import newsbench
from newsbench.eval import spill
from newsbench.eval.api import Report
from newsbench.eval.report import encode_json
from newsbench.schema.problems import DataError
from tests.synthetic_files import write_synthetic, written_report

N_DOCUMENTS = 40


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_synthetic(tmp_path_factory.mktemp("api"), N_DOCUMENTS, seed=11, n_chars=700)


def _lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _without_provenance(data: dict) -> bytes:
    return encode_json({k: v for k, v in data.items() if k != "provenance"})


def test_files_give_the_report_of_the_documents_in_memory(files) -> None:
    gold, pred = files
    from_files = newsbench.score(gold, pred, n_resamples=50)
    in_memory = newsbench.score(_lines(gold), _lines(pred), n_resamples=50)
    assert from_files.signature == in_memory.signature
    assert _without_provenance(from_files.data) == _without_provenance(in_memory.data)
    assert from_files.data["provenance"]["gold"] == str(gold)


def test_files_are_scored_in_blocks_and_read_only_when_asked(files, monkeypatch, tmp_path) -> None:
    gold, pred = files
    report = newsbench.score(gold, pred, n_resamples=50)

    def refuse(self: object) -> None:
        raise AssertionError("the error records were read")

    monkeypatch.setattr(spill.ErrorSpill, "__iter__", refuse)
    assert 0 < report["entities.strict"].f1 < 1
    report.to_markdown(), report.to_csv(), report.rows("all"), report._repr_html_()
    report.write_json(tmp_path / "r.json")  # copies the spilled records as bytes
    with pytest.raises(AssertionError, match="records were read"):
        _ = report.data
    monkeypatch.undo()
    records = report.data["errors"]
    assert isinstance(records, list) and len(records) > N_DOCUMENTS
    report.write_json(tmp_path / "again.json")
    assert written_report(tmp_path / "r.json") == written_report(tmp_path / "again.json")


def test_predictions_in_another_order_and_two_jobs(files, tmp_path) -> None:
    gold, pred = files
    shuffled = tmp_path / "shuffled.jsonl"
    lines = pred.read_bytes().splitlines(keepends=True)
    shuffled.write_bytes(b"".join(lines[1::2] + lines[0::2]))
    base = newsbench.score(gold, pred, n_resamples=50)
    for other in (
        newsbench.score(gold, shuffled, n_resamples=50),
        newsbench.score(gold, pred, n_resamples=50, jobs=2),
    ):
        assert _without_provenance(other.data) == _without_provenance(base.data)


def test_a_report_pickles_as_plain_data(files) -> None:
    gold, pred = files
    report = newsbench.score(gold, pred, n_resamples=20)
    again = pickle.loads(pickle.dumps(report))
    assert again.data == report.data and again.signature == report.signature


def test_files_with_problems_still_get_every_problem_located(files, tmp_path) -> None:
    gold, pred = files
    broken = tmp_path / "broken.jsonl"
    records = _lines(pred)
    records[3]["mentions"][0]["end"] = 10**6
    del records[7]["text"]
    broken.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    with pytest.raises(DataError) as caught:
        newsbench.score(gold, broken, n_resamples=20)
    located = {(p.file, p.line, p.code, p.path) for p in caught.value.problems}
    assert (str(broken), 4, "span-out-of-range", "/mentions/0") in located
    assert (str(broken), 8, "schema-required", "") in located
    with pytest.raises(DataError, match="cannot read the file"):
        newsbench.score(tmp_path / "missing.jsonl", pred, n_resamples=20)
    with pytest.raises(DataError, match="Is a directory"):
        newsbench.score(tmp_path, pred, n_resamples=20)  # a folder, not a file


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"layers": ["entities"]}, "do not give the layer"),
        ({"jobs": 0}, "jobs must be >= 1, got 0"),
        ({"jobs": -2}, "jobs must be >= 1, got -2"),
    ],
)
def test_bad_settings_fail_as_for_lists(files, settings, message) -> None:
    gold, pred = files
    for inputs in ((gold, pred), (_lines(gold), _lines(pred))):
        with pytest.raises(ValueError, match=message):
            newsbench.score(*inputs, n_resamples=20, **settings)


def test_a_layers_string_fails_as_for_lists(files) -> None:
    gold, pred = files
    failures = []
    for inputs in ((gold, pred), (_lines(gold), _lines(pred))):
        with pytest.raises((ValueError, TypeError)) as caught:
            newsbench.score(*inputs, layers="mentions", n_resamples=20)
        failures.append((type(caught.value), str(caught.value)))
    assert failures[0] == failures[1]


def test_a_local_name_that_looks_like_a_url_is_the_file_named(files, tmp_path) -> None:
    gold, pred = files
    odd = tmp_path / "g::gold.jsonl"  # fsspec would read this as a chained URL
    odd.write_bytes(gold.read_bytes())
    (tmp_path / "g").write_bytes(pred.read_bytes())  # what fsspec would open instead
    expected = newsbench.score(gold, pred, n_resamples=20)
    assert _without_provenance(newsbench.score(odd, pred, n_resamples=20).data) == (
        _without_provenance(expected.data)
    )


def test_a_report_copies_what_it_is_given(files) -> None:
    gold, pred = files
    data = newsbench.score(_lines(gold), _lines(pred), n_resamples=20).data
    report = Report(data)
    f1 = report["entities.strict"].f1
    data["headline"].clear()
    data["signature"] = "changed"
    assert report["entities.strict"].f1 == f1
    assert report.data["headline"]["entities.strict"]["f1"] == f1
    assert report.signature == report.data["signature"] != "changed"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"n_resamples": 0}, "n_resamples must be an integer >= 1; got 0"),
        ({"confidence": 95}, "confidence must be a number strictly between 0 and 1"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"ci_method": "basic"}, "method must be one of"),
    ],
)
def test_bad_resampling_settings_fail_before_any_scoring(files, monkeypatch, settings, message):
    import newsbench.eval.blocks as blocks
    import newsbench.schema.validate as validate

    def never(*_: object, **__: object) -> None:
        raise AssertionError("scoring started")

    monkeypatch.setattr(blocks, "score_block", never)
    monkeypatch.setattr(validate, "load_documents", never)
    gold, pred = files
    with pytest.raises(ValueError, match=message):
        newsbench.score(gold, pred, **settings)


def test_the_command_refuses_bad_resampling_before_reading(files, monkeypatch, capsys):
    import newsbench.eval.blocks as blocks
    import newsbench.schema.validate as validate
    from newsbench.eval.cli import main

    def never(*_: object, **__: object) -> None:
        raise AssertionError("scoring started")

    monkeypatch.setattr(blocks, "score_block", never)
    monkeypatch.setattr(validate, "load_documents", never)
    gold, pred = files
    with pytest.raises(SystemExit) as refused:  # refused as the argument is parsed
        main(["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "0"])
    assert refused.value.code == 2
    assert "argument --resamples: 0: give a number of resamples of at least 1" in (
        capsys.readouterr().err
    )


def test_a_report_never_writes_over_what_it_was_scored_from(files, tmp_path):
    import hashlib

    from newsbench.schema.paths import PathError, gold_folders

    gold, pred = files
    named = tmp_path / "r.errors.jsonl"  # predictions named as the side file of r.json
    named.write_bytes(pred.read_bytes())
    link = tmp_path / "link.jsonl"
    link.symlink_to(gold)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (gold, named)}
    report = newsbench.score(gold, named, n_resamples=20)
    writes = {
        "write_json onto the gold": lambda: report.write_json(gold),
        "write_json whose side file is the predictions": lambda: report.write_json(
            tmp_path / "r.json"
        ),
        "to_csv through a link to the gold": lambda: report.to_csv(link),
        "to_markdown onto the predictions": lambda: report.to_markdown(named),
    }
    for what, write in writes.items():
        with pytest.raises(PathError, match="would overwrite the input scored from"):
            write()
        assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (gold, named)} == before, (
            what
        )
    with pytest.raises(PathError, match="is inside the gold"):
        report.write_json(gold_folders()[0] / "r.json")
    report.write_json(tmp_path / "elsewhere.json")  # anywhere else, as before
    assert (tmp_path / "elsewhere.json").exists()


def test_a_report_protects_its_inputs_after_a_chdir_a_copy_and_their_removal(
    files, tmp_path, monkeypatch
):
    import copy

    from newsbench.schema.paths import PathError

    gold, pred = files
    scored = tmp_path / "scored"
    scored.mkdir()
    (scored / "sub").mkdir()
    for folder in (scored, scored / "sub"):
        (folder / "gold.jsonl").write_bytes(gold.read_bytes())
        (folder / "pred.jsonl").write_bytes(pred.read_bytes())
    monkeypatch.chdir(scored)
    report = newsbench.score("gold.jsonl", "pred.jsonl", n_resamples=20)
    monkeypatch.chdir(scored / "sub")  # relative names now lead elsewhere
    for each in (report, copy.deepcopy(report), pickle.loads(pickle.dumps(report))):
        with pytest.raises(PathError, match="would overwrite the input scored from"):
            each.to_csv("../pred.jsonl")
    assert (scored / "pred.jsonl").read_bytes() == pred.read_bytes()
    report.to_csv("pred.jsonl")  # sub/pred.jsonl was never an input
    (scored / "gold.jsonl").unlink()
    (scored / "pred.jsonl").unlink()
    report.write_json(tmp_path / "after.json")  # inputs gone: nothing left to protect
    assert (tmp_path / "after.json").exists()


def test_a_pool_never_starts_more_workers_than_there_is_work(files, monkeypatch) -> None:
    """A forked pool starts every worker at once: ``jobs=1000`` on one block of documents
    must not fork a thousand processes (it forked them all, one block or not)."""
    from concurrent.futures import ProcessPoolExecutor

    from newsbench.eval import blocks, harness
    from newsbench.schema.validate import load_documents

    started: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: object) -> None:
            started.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(blocks, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(harness, "ProcessPoolExecutor", Counted)
    gold, pred = files
    n_blocks = -(-len(gold.read_bytes().splitlines()) // 256)
    on_files = newsbench.score(gold, pred, n_resamples=10, jobs=1000)
    in_memory = newsbench.score(
        load_documents(gold), load_documents(pred, "prediction"), n_resamples=10, jobs=1000
    )
    assert started == [n_blocks, len(load_documents(gold))] and max(started) < 1000
    assert on_files["entities.strict"] == in_memory["entities.strict"]


def test_the_api_signs_a_packaged_split_as_the_command_does(tmp_path) -> None:
    from newsbench.corpus import gold_path
    from newsbench.eval.cli import main
    from newsbench.eval.report import read_report

    gold = gold_path("test")
    out = tmp_path / "cli.json"
    assert main(["score", "--gold", str(gold), "--pred", str(gold), "--out", str(out),
                 "--resamples", "10"]) == 0  # fmt: skip
    expected = read_report(out)["signature"]
    assert "|corpus:3.0.0|split:test|" in expected
    assert newsbench.score(gold, gold, n_resamples=10).signature == expected  # in blocks
    documents = [orjson.loads(line) for line in gold.read_bytes().splitlines()]
    listed = newsbench.score(gold, documents, n_resamples=10)
    assert listed.signature == expected  # the gold a file, the predictions in memory
