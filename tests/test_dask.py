"""Scoring on a Dask cluster (a two-worker LocalCluster): the same report, located problems."""

from __future__ import annotations

import functools
import json

import pytest
from distributed import Client, LocalCluster  # the test extra installs newsbench[dask]

import newsbench
from newsbench.eval.blocks import line_starts
from newsbench.eval.cli import main
from newsbench.eval.dask_scoring import score_files_dask
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.streaming import score_files_streamed
from newsbench.schema.problems import DataError
from newsbench.schema.validate import load_documents
from tests.synthetic_files import without_provenance, write_synthetic, written_report

CONFIG = ScoringConfig(n_resamples=200)


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    return write_synthetic(folder, 41, seed=7, n_chars=600)


def test_the_report_equals_the_single_process_report(client, files):
    gold, pred = files
    expected = score_documents(
        pair_documents(load_documents(gold), load_documents(pred, "prediction")),
        CONFIG,
        gold_sha256=None,
    )
    for block_size in (7, 41, 100):  # an odd tree of merges, one block, fewer lines
        report = score_files_dask(gold, pred, CONFIG, client, block_size=block_size)
        assert without_provenance(report) == without_provenance(expected), block_size


def test_problems_come_back_located_at_their_lines(client, files, tmp_path):
    gold, pred = files
    lines = pred.read_text("utf-8").splitlines()
    broken = json.loads(lines[23])
    broken["mentions"][0]["start"] = -1
    lines[23] = json.dumps(broken)
    lines[30] = "{not json"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(DataError) as info:
        score_files_dask(gold, bad, CONFIG, client, block_size=7)
    found = [(p.code, p.file, p.line) for p in info.value.problems]
    assert ("schema-range", str(bad), 24) in found
    assert ("invalid-json", str(bad), 31) in found
    # one line fewer: no aligned blocks, but every problem still located, as --stream
    # lists them (there, the missing document is no problem beside the lines' own)
    short = tmp_path / "short.jsonl"
    short.write_text("\n".join(lines[:40]) + "\n", "utf-8")
    with pytest.raises(DataError) as info:
        score_files_dask(gold, short, CONFIG, client)
    with pytest.raises(DataError) as streamed:
        score_files_streamed(gold, short, CONFIG)
    assert info.value.problems == streamed.value.problems
    assert [(p.code, p.line) for p in info.value.problems] == [
        ("schema-range", 24),
        ("invalid-json", 31),
    ]
    fine_but_short = tmp_path / "fine-but-short.jsonl"
    fine_but_short.write_text("\n".join(pred.read_text("utf-8").splitlines()[:40]) + "\n")
    with pytest.raises(DataError) as info:
        score_files_dask(gold, fine_but_short, CONFIG, client)
    assert [p.code for p in info.value.problems] == ["prediction-missing-document"]


def test_documents_out_of_order_are_refused(client, files, tmp_path):
    gold, pred = files
    lines = pred.read_text("utf-8").splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    swapped = tmp_path / "swapped.jsonl"
    swapped.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(DataError) as info:
        score_files_dask(gold, swapped, CONFIG, client, block_size=7)
    assert info.value.problems[0].code == "prediction-order-mismatch"
    assert info.value.problems[0].line == 4


def test_line_starts(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"a\nbb\n\nccc")
    assert line_starts(str(path)) == [0, 2, 5, 6, 9]
    path.write_bytes(b"")
    assert line_starts(str(path)) == [0]


def test_the_api_takes_a_dask_client(client, files):
    gold, pred = files
    report = newsbench.score(gold, pred, dask_client=client, n_resamples=200)
    single = newsbench.score(gold, pred, n_resamples=200)
    assert report.data["headline"] == single.data["headline"]
    assert report.signature == single.signature
    with pytest.raises(TypeError, match="give gold and predictions as paths"):
        newsbench.score([], [], dask_client=client)


def test_the_command_line_starts_a_local_cluster(files, tmp_path, capsys):
    gold, pred = files
    out = tmp_path / "r.json"
    args = ["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "200"]
    assert main([*args, "--dask", "local:2", "--out", str(out)]) == 0
    single = tmp_path / "s.json"
    assert main([*args, "--out", str(single)]) == 0
    assert written_report(out) == written_report(single)
    capsys.readouterr()
    assert main([*args, "--dask", "local:2", "--jobs", "2"]) == 2
    assert "--dask cannot be combined with --jobs" in capsys.readouterr().err
    assert main([*args, "--dask", "local:0"]) == 2
    assert "N >= 1" in capsys.readouterr().err


def test_fsspec_urls_give_the_report_of_the_paths(client, files):
    gold, pred = files
    by_path = score_files_dask(gold, pred, CONFIG, client, block_size=20)
    by_url = score_files_dask(gold.as_uri(), pred.as_uri(), CONFIG, client, block_size=20)
    assert by_url["layers"]["scored"] == ["mentions", "time_expressions", "events", "attributions"]
    assert without_provenance(by_url) == without_provenance(by_path)
    one_document = gold.with_name("one.jsonl")  # sentences as the unit: read through the URL
    one_document.write_bytes(gold.read_bytes().splitlines(keepends=True)[0])
    one_prediction = pred.with_name("one-pred.jsonl")
    one_prediction.write_bytes(pred.read_bytes().splitlines(keepends=True)[0])
    by_path = score_files_dask(one_document, one_prediction, CONFIG, client)
    by_url = score_files_dask(one_document.as_uri(), one_prediction.as_uri(), CONFIG, client)
    assert by_path["resampling"]["unit"] == by_url["resampling"]["unit"]
    assert without_provenance(by_url) == without_provenance(by_path)


def test_empty_files_are_reported_empty(client, files, tmp_path):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_bytes(b"")
    pred.write_bytes(b"")
    with pytest.raises(DataError) as empty:
        score_files_dask(gold.as_uri(), pred.as_uri(), CONFIG, client)
    assert [(p.code, p.file) for p in empty.value.problems] == [
        ("file-empty", gold.as_uri()),
        ("file-empty", pred.as_uri()),
    ]
    with pytest.raises(DataError) as no_predictions:  # not "the gold has 41 lines and ... 0"
        score_files_dask(files[0], pred, CONFIG, client)
    assert [(p.code, p.file) for p in no_predictions.value.problems] == [("file-empty", str(pred))]


def test_predictions_out_of_order_are_one_problem(client, files, tmp_path):
    gold, pred = files
    lines = pred.read_bytes().splitlines(keepends=True)
    rotated = tmp_path / "rotated.jsonl"
    rotated.write_bytes(b"".join(lines[1:] + lines[:1]))  # every line one too early
    with pytest.raises(DataError) as caught:
        score_files_dask(gold, rotated, CONFIG, client, block_size=7)
    order = [p for p in caught.value.problems if p.code == "prediction-order-mismatch"]
    assert [(p.file, p.line) for p in order] == [(str(rotated), 1)]


def test_a_prediction_repeated_in_another_block_is_named_as_such(client, files, tmp_path):
    gold, pred = files
    lines = pred.read_bytes().splitlines(keepends=True)
    lines[35] = lines[3]  # line 36 repeats line 4's document, five blocks later
    repeated = tmp_path / "repeated.jsonl"
    repeated.write_bytes(b"".join(lines))
    with pytest.raises(DataError) as caught:
        score_files_dask(gold, repeated, CONFIG, client, block_size=7)
    assert [(p.code, p.line, p.message) for p in caught.value.problems] == [
        ("duplicate-document-id", 36, "the document id 'doc000003' was already used on line 4")
    ]


@pytest.mark.parametrize("in_predictions", [True, False])
def test_a_gold_document_repeated_in_another_block(client, files, tmp_path, in_predictions):
    gold, pred = files
    gold_lines = gold.read_bytes().splitlines(keepends=True)
    gold_lines[35] = gold_lines[3]
    repeated_gold = tmp_path / "gold.jsonl"
    repeated_gold.write_bytes(b"".join(gold_lines))
    pred_lines = pred.read_bytes().splitlines(keepends=True)
    if in_predictions:
        pred_lines[35] = pred_lines[3]
    predictions = tmp_path / "pred.jsonl"
    predictions.write_bytes(b"".join(pred_lines))
    with pytest.raises(DataError) as caught:
        score_files_dask(repeated_gold, predictions, CONFIG, client, block_size=7)
    expected = [("duplicate-document-id", str(repeated_gold), 36)]
    if in_predictions:
        expected.append(("duplicate-document-id", str(predictions), 36))
    assert [(p.code, p.file, p.line) for p in caught.value.problems] == expected


@pytest.mark.parametrize("as_url", [False, True], ids=["paths", "fsspec-urls"])
def test_an_empty_file_is_reported_with_the_other_files_problems(client, files, tmp_path, as_url):
    gold, _ = files
    lines = gold.read_text("utf-8").splitlines()
    lines[9] = "{oops"
    broken = tmp_path / "gold.jsonl"
    broken.write_text("\n".join(lines) + "\n", "utf-8")
    empty = tmp_path / "pred.jsonl"
    empty.write_bytes(b"")
    named = {path: path.as_uri() if as_url else str(path) for path in (broken, empty)}
    with pytest.raises(DataError) as caught:
        score_files_dask(named[broken], named[empty], CONFIG, client)
    assert [(p.code, p.file, p.line) for p in caught.value.problems] == [
        ("invalid-json", named[broken], 10),
        ("file-empty", named[empty], None),
    ]
    assert all(str(tmp_path) not in p.message for p in caught.value.problems)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl", "pred.jsonl"]


def test_an_empty_file_at_a_url_is_still_reported_when_no_copy_can_be_made(
    client, files, tmp_path, monkeypatch
):
    from newsbench.eval import dask_scoring

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dask_scoring.shutil, "copyfileobj", full)
    empty = tmp_path / "pred.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(DataError) as caught:
        score_files_dask(files[0].as_uri(), empty.as_uri(), CONFIG, client)
    assert [(p.code, p.file) for p in caught.value.problems] == [("file-empty", empty.as_uri())]


def test_relative_paths_name_the_drivers_files_not_the_workers(
    client, files, tmp_path, monkeypatch
):
    import os

    gold, pred = files
    elsewhere = tmp_path / "worker"  # the workers' own folder holds other files of those names
    elsewhere.mkdir()
    for name in ("gold.jsonl", "pred.jsonl", "bad.jsonl"):
        (elsewhere / name).write_text("{not json\n", "utf-8")
    before = client.run(os.getcwd)
    client.run(os.chdir, str(elsewhere))
    try:
        expected = without_provenance(score_files_dask(gold, pred, CONFIG, client, block_size=7))
        monkeypatch.chdir(gold.parent)
        report = score_files_dask("gold.jsonl", "pred.jsonl", CONFIG, client, block_size=7)
        assert without_provenance(report) == expected
        lines = pred.read_text("utf-8").splitlines()
        lines[30] = "{not json"
        (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
        monkeypatch.chdir(tmp_path)
        with pytest.raises(DataError) as info:
            score_files_dask(str(gold), "bad.jsonl", CONFIG, client, block_size=7)
        found = [(p.code, p.file, p.line) for p in info.value.problems]
        assert found == [("invalid-json", "bad.jsonl", 31)]  # named as given, its own line
    finally:
        for worker, folder in before.items():
            client.run(os.chdir, folder, workers=[worker])


def test_a_worker_scores_its_block_without_writing_a_file(files, tmp_path, monkeypatch):
    """A killed worker leaves nothing behind: its block is read into memory, never copied
    (a copy of the gold left in a temporary folder after SIGTERM, before)."""
    import tempfile

    from newsbench.eval.blocks import plan_blocks, score_block

    gold, pred = files
    blocks, _, problems = plan_blocks(str(gold), str(pred), 7)
    assert not problems
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "nowhere"))  # no such folder
    result = score_block(blocks[1], CONFIG, ["mentions", "events"], "document", None)
    assert result.problems == () and result.shard is not None
    assert result.shard.doc_ids == [
        json.loads(line)["id"] for line in gold.read_text("utf-8").splitlines()[7:14]
    ]


def _problems(call) -> list[tuple[str, str, int | None]]:
    with pytest.raises(DataError) as info:
        call()
    return [(p.code, p.file, p.line) for p in info.value.problems]


@pytest.mark.parametrize(
    "case", ["both-files", "line-and-text", "order-and-text", "blank-and-extra"]
)
def test_every_path_lists_the_same_problems_in_the_same_order(client, files, tmp_path, case):
    gold, pred = files
    golds = gold.read_text("utf-8").splitlines()
    preds = pred.read_text("utf-8").splitlines()

    def changed(line: str, **fields) -> str:
        return json.dumps({**json.loads(line), **fields})

    if case == "both-files":  # gold problems first, then the predictions', in line order
        golds[30] = "{not json"
        golds[4] = changed(golds[4], text=7)
        preds[1] = changed(preds[1], mentions=7)
        preds[35] = "[]"
    elif case == "line-and-text":  # a line problem: no pairing problem is listed
        preds[2] = changed(preds[2], mentions=7)
        preds[38] = changed(preds[38], text="another text")
    elif case == "order-and-text":  # pairing stops at the first order mismatch
        preds[3], preds[4] = preds[4], preds[3]
        preds[38] = changed(preds[38], text="another text")
    else:  # one line more than the gold: still every line's own problem
        preds.insert(20, "")
        preds.append(preds[0].replace('"id":"', '"id":"zz'))
    bad_gold, bad_pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    bad_gold.write_text("\n".join(golds) + "\n", "utf-8")
    bad_pred.write_text("\n".join(preds) + "\n", "utf-8")
    expected = _problems(lambda: newsbench.score(bad_gold, bad_pred, n_resamples=20))
    assert expected
    assert _problems(lambda: score_files_streamed(bad_gold, bad_pred, CONFIG)) == expected
    for block_size in (5, 100):
        dask = functools.partial(score_files_dask, block_size=block_size)
        found = _problems(lambda dask=dask: dask(bad_gold, bad_pred, CONFIG, client))
        assert found == expected, block_size
    if case == "both-files":
        assert [file for _, file, _ in expected] == [str(bad_gold)] * 2 + [str(bad_pred)] * 2
