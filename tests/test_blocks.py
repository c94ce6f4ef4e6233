"""Scoring in blocks of lines (in this process or in N): the report of the in-memory path."""

from __future__ import annotations

import gc
import warnings
from collections import Counter
from pathlib import Path

import orjson
import pytest

from newsbench.eval.blocks import gold_ordered_copy, score_files_in_blocks
from newsbench.eval.cli import main
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents, resolve_label_map
from newsbench.schema.validate import load_documents
from tests.synthetic_files import without_provenance, write_synthetic, written_report

CONFIG = ScoringConfig(n_resamples=200)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blocks")
    return write_synthetic(folder, 23, seed=11, n_chars=500)


@pytest.mark.parametrize("jobs", [1, 2])
def test_blocks_give_the_in_memory_report(files, jobs):
    gold, pred = files
    expected = score_documents(
        pair_documents(load_documents(gold), load_documents(pred, "prediction")), CONFIG
    )
    seen: list[int] = []
    for block_size in (4, 23):
        report = score_files_in_blocks(
            gold, pred, CONFIG, jobs, block_size=block_size, progress=seen.append
        )
        assert report is not None
        assert without_provenance(report) == without_provenance(expected), block_size
    assert sum(seen) == 2 * 23


def test_files_off_the_contract_or_with_problems_give_none(files, tmp_path):
    gold, pred = files
    lines = pred.read_text("utf-8").splitlines()
    swapped = tmp_path / "swapped.jsonl"
    swapped.write_text("\n".join([lines[1], lines[0], *lines[2:]]) + "\n", "utf-8")
    assert score_files_in_blocks(gold, swapped, CONFIG, 2, block_size=4) is None
    short = tmp_path / "short.jsonl"
    short.write_text("\n".join(lines[:-1]) + "\n", "utf-8")
    assert score_files_in_blocks(gold, short, CONFIG, 2, block_size=4) is None
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:5], "{oops", *lines[6:]]) + "\n", "utf-8")
    assert score_files_in_blocks(gold, broken, CONFIG, 2, block_size=4) is None


def test_the_command_line_falls_back_to_pairing_by_id(files, tmp_path, capsys):
    gold, pred = files
    args = ["score", "--gold", str(gold), "--resamples", "200"]
    reports = {}
    lines = pred.read_text("utf-8").splitlines()
    swapped = tmp_path / "swapped.jsonl"
    swapped.write_text("\n".join([lines[1], lines[0], *lines[2:]]) + "\n", "utf-8")
    for name, predictions, jobs in (("one", pred, "1"), ("two", pred, "2"), ("swap", swapped, "2")):
        out = tmp_path / f"{name}.json"
        assert main([*args, "--pred", str(predictions), "--jobs", jobs, "--out", str(out)]) == 0
        reports[name] = written_report(out)
    assert reports["one"] == reports["two"] == reports["swap"]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:5], "{oops", *lines[6:]]) + "\n", "utf-8")
    capsys.readouterr()
    assert main([*args, "--pred", str(broken), "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:6: error[invalid-json]" in err


def test_predictions_in_another_order_are_put_in_gold_order(files, tmp_path):
    gold, pred = files
    lines = pred.read_bytes().splitlines(keepends=True)
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_bytes(b"".join(reversed(lines[:-1])) + lines[-1].rstrip(b"\n"))
    ordered = gold_ordered_copy(str(gold), str(shuffled), tmp_path)
    assert ordered is not None and ordered.path.read_bytes() == pred.read_bytes()
    assert ordered.missing == ()
    assert gold_ordered_copy(str(gold), str(pred), tmp_path) is None  # already in order
    for name, content in (
        ("missing", b"".join(lines[:-1])),
        ("extra", b"".join([*lines, lines[0].replace(b'"id":"', b'"id":"zz')])),
        ("repeated", b"".join([*lines[:-1], lines[0]])),
        ("unreadable", b"".join([b"{oops\n", *lines[1:]])),
    ):
        other = tmp_path / f"{name}.jsonl"
        other.write_bytes(content)
        assert gold_ordered_copy(str(gold), str(other), tmp_path) is None, name
        if name != "missing":  # allowing missing documents allows nothing else
            assert gold_ordered_copy(str(gold), str(other), tmp_path, allow_missing=True) is None


def test_missing_predictions_get_stand_in_lines_when_allowed(files, tmp_path):
    gold, pred = files
    lines = pred.read_bytes().splitlines(keepends=True)
    kept = [lines[k] for k in range(len(lines)) if k not in (0, 7, 22)]
    partial = tmp_path / "partial.jsonl"
    partial.write_bytes(b"".join(reversed(kept)))
    assert gold_ordered_copy(str(gold), str(partial), tmp_path) is None
    ordered = gold_ordered_copy(str(gold), str(partial), tmp_path, allow_missing=True)
    assert ordered is not None and ordered.missing == (0, 7, 22)
    written = ordered.path.read_bytes().splitlines(keepends=True)
    golds = [orjson.loads(line) for line in gold.read_bytes().splitlines()]
    for k, line in enumerate(written):
        if k in ordered.missing:
            assert orjson.loads(line) == {"id": golds[k]["id"], "text": golds[k]["text"]}
        else:
            assert line == lines[k]
    # A gold id twice is no one-to-one pairing, missing documents allowed or not.
    gold_lines = gold.read_bytes().splitlines(keepends=True)
    twice = tmp_path / "twice.jsonl"
    twice.write_bytes(b"".join([*gold_lines, gold_lines[3]]))
    assert gold_ordered_copy(str(twice), str(partial), tmp_path, allow_missing=True) is None
    # No prediction at all is an empty file, not a corpus of missing documents.
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert gold_ordered_copy(str(gold), str(empty), tmp_path, allow_missing=True) is None


def test_an_empty_prediction_file_is_an_error_with_missing_documents_allowed(
    files, tmp_path, capsys
):
    gold, _ = files
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    args = ["score", "--gold", str(gold), "--pred", str(empty), "--allow-missing"]
    for flags in ([], ["--jobs", "2"], ["--html", str(tmp_path / "r.html")]):
        capsys.readouterr()
        assert main([*args, *flags]) == 1, flags
        assert f"{empty}: error[file-empty]" in capsys.readouterr().err, flags


def _partial_predictions(pred: Path, folder: Path) -> Path:
    """The predictions without documents 0, 5, 6 and 22, the rest in reverse order."""
    lines = pred.read_bytes().splitlines(keepends=True)
    path = folder / "partial.jsonl"
    path.write_bytes(
        b"".join(lines[k] for k in reversed(range(len(lines))) if k not in {0, 5, 6, 22})
    )
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_missing_documents_are_scored_in_blocks(files, tmp_path, jobs):
    gold, pred = files
    partial = _partial_predictions(pred, tmp_path)
    config = ScoringConfig(n_resamples=200, allow_missing=True)
    expected = score_documents(
        pair_documents(
            load_documents(gold), load_documents(partial, "prediction"), allow_missing=True
        ),
        config,
    )
    golds = load_documents(gold)
    assert expected["documents"]["missing_predictions"] == [golds[k].id for k in (0, 5, 6, 22)]
    ordered = gold_ordered_copy(str(gold), str(partial), tmp_path, allow_missing=True)
    assert ordered is not None
    for block_size in (4, 23):
        report = score_files_in_blocks(
            gold, ordered.path, config, jobs, block_size=block_size, missing=ordered.missing
        )
        assert report is not None
        assert without_provenance(report) == without_provenance(expected), block_size
    with pytest.raises(ValueError, match="allow_missing"):
        score_files_in_blocks(gold, ordered.path, CONFIG, jobs, missing=ordered.missing)


def test_the_command_scores_missing_documents_in_blocks(files, tmp_path, monkeypatch):
    import newsbench.schema.validate as validate

    gold, pred = files
    partial = _partial_predictions(pred, tmp_path)
    args = ["score", "--gold", str(gold), "--pred", str(partial), "--resamples", "200"]
    in_memory = tmp_path / "memory.json"
    assert (
        main(
            [*args, "--allow-missing", "--html", str(tmp_path / "r.html"), "--out", str(in_memory)]
        )
        == 0
    )

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the in-memory path read the files")

    monkeypatch.setattr(validate, "load_documents", never)
    for jobs in ("1", "2"):
        out = tmp_path / f"blocks{jobs}.json"
        assert main([*args, "--allow-missing", "--jobs", jobs, "--out", str(out)]) == 0
        assert written_report(out) == written_report(in_memory)
    monkeypatch.undo()
    assert main([*args, "--out", str(tmp_path / "refused.json")]) == 1  # not without the flag


def test_the_api_scores_missing_documents_in_blocks(files, tmp_path, monkeypatch):
    import newsbench
    import newsbench.schema.validate as validate

    gold, pred = files
    partial = _partial_predictions(pred, tmp_path)
    from_lists = newsbench.score(
        load_documents(gold),
        load_documents(partial, "prediction"),
        allow_missing=True,
        n_resamples=200,
    )

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the in-memory path read the files")

    monkeypatch.setattr(validate, "load_documents", never)
    from_files = newsbench.score(gold, partial, allow_missing=True, n_resamples=200)
    assert from_files.data["documents"]["missing_predictions"]
    assert from_files.data["documents"] == from_lists.data["documents"]
    assert without_provenance(from_files.data) == without_provenance(from_lists.data)


def test_the_command_scores_another_order_in_blocks(files, tmp_path, monkeypatch):
    import newsbench.schema.validate as validate

    gold, pred = files
    lines = pred.read_bytes().splitlines(keepends=True)
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_bytes(b"".join(lines[5:] + lines[:5]))
    args = ["score", "--gold", str(gold), "--resamples", "200"]
    assert main([*args, "--pred", str(pred), "--out", str(tmp_path / "a.json")]) == 0

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the in-memory path read the files")

    monkeypatch.setattr(validate, "load_documents", never)
    assert main([*args, "--pred", str(shuffled), "--out", str(tmp_path / "b.json")]) == 0
    assert written_report(tmp_path / "a.json") == written_report(tmp_path / "b.json")


_TO_ONTONOTES = {"PER": "PERSON", "GPE": "GPE", "ORG": "ORG", "LOC": "LOC", "FAC": "FAC"}
_REMOVED_BY_ONTONOTES = {"VEH": "PRODUCT", "WEA": "EVENT"}  # mapped to no newsbench type


def ner_output(pred: Path, folder: Path) -> tuple[Path, dict[str, int]]:
    """The predictions' mentions alone, labelled as an OntoNotes NER system would label
    them; and how many of each label the ``ontonotes`` map will remove."""
    records, removed = [], Counter()
    for line in pred.read_bytes().splitlines():
        record = orjson.loads(line)
        mentions = []
        for mention in record["mentions"]:
            label = _TO_ONTONOTES.get(mention["type"]) or _REMOVED_BY_ONTONOTES[mention["type"]]
            removed[label] += label in _REMOVED_BY_ONTONOTES.values()
            fields = ("id", "start", "end", "text")
            mentions.append({**{k: mention[k] for k in fields}, "type": label})
        records.append({"id": record["id"], "text": record["text"], "mentions": mentions})
    path = folder / "ner.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path, {k: v for k, v in sorted(removed.items()) if v}


def test_a_label_map_is_applied_in_blocks_and_its_removals_counted(files, tmp_path, monkeypatch):
    import newsbench.eval.cli as cli
    import newsbench.schema.validate as validate

    gold, pred = files
    ner, removed = ner_output(pred, tmp_path)
    assert removed  # the synthetic corpus has vehicles and weapons
    args = ["score", "--gold", str(gold), "--pred", str(ner), "--label-map", "ontonotes"]
    args += ["--resamples", "200"]
    with monkeypatch.context() as patched:
        patched.setattr(cli, "_in_blocks", lambda *_: False)  # the in-memory path
        assert main([*args, "--out", str(tmp_path / "memory.json")]) == 0

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the in-memory path read the files")

    monkeypatch.setattr(validate, "load_documents", never)
    for jobs in ("1", "2"):
        out = tmp_path / f"blocks{jobs}.json"
        assert main([*args, "--jobs", jobs, "--out", str(out)]) == 0
        assert written_report(out) == written_report(tmp_path / "memory.json")
        for name in (out.name, "memory.json"):
            provenance = orjson.loads((tmp_path / name).read_bytes())["provenance"]
            assert provenance["label_map_removed"] == removed, name


def test_the_api_applies_a_label_map_to_files_in_blocks(files, tmp_path):
    import newsbench

    gold, pred = files
    ner, removed = ner_output(pred, tmp_path)
    from_files = newsbench.score(gold, ner, label_map="ontonotes", n_resamples=50)
    as_lists = [[orjson.loads(line) for line in p.read_bytes().splitlines()] for p in (gold, ner)]
    in_memory = newsbench.score(*as_lists, label_map="ontonotes", n_resamples=50)
    assert without_provenance(from_files.data) == without_provenance(in_memory.data)
    assert from_files.data["provenance"]["label_map_removed"] == removed
    assert in_memory.data["provenance"]["label_map_removed"] == removed
    kept_only = tmp_path / "kept.jsonl"
    records = [orjson.loads(line) for line in ner.read_bytes().splitlines()]
    for record in records:
        record["mentions"] = [m for m in record["mentions"] if m["type"] in _TO_ONTONOTES.values()]
    kept_only.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    nothing_removed = newsbench.score(gold, kept_only, label_map="ontonotes", n_resamples=20)
    assert nothing_removed.data["provenance"]["label_map_removed"] == {}


def test_a_layer_no_prediction_gives_fails_before_any_block_is_scored(files, tmp_path, monkeypatch):
    import newsbench.eval.blocks as blocks

    gold, pred = files
    ner, _ = ner_output(pred, tmp_path)  # mentions only

    def never(*_: object, **__: object) -> None:
        raise AssertionError("a block was scored")

    monkeypatch.setattr(blocks, "score_block", never)
    with pytest.raises(ValueError, match=r"do not give the layer\(s\) events; they give: mentions"):
        score_files_in_blocks(gold, ner, CONFIG, 1, layers=["mentions", "events"])
    monkeypatch.undo()
    ontonotes = resolve_label_map("ontonotes")
    report = score_files_in_blocks(gold, ner, CONFIG, 1, layers=["mentions"], label_map=ontonotes)
    assert report is not None and report["layers"]["scored"] == ["mentions"]


def test_a_run_given_up_closes_its_spill_files(files, tmp_path):
    gold, pred = files
    lines = pred.read_text("utf-8").splitlines()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:9], "{oops", *lines[10:]]) + "\n", "utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for jobs in (1, 2):
            assert score_files_in_blocks(gold, broken, CONFIG, jobs, block_size=4) is None
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


def test_a_block_reports_the_lines_of_the_whole_files(files, tmp_path):
    from newsbench.eval.blocks import plan_blocks, score_block

    gold, pred = files
    lines = pred.read_text("utf-8").splitlines()
    lines[11], lines[12] = lines[12], lines[11]  # lines 12 and 13 swapped, in the third block
    lines[17] = "{oops"
    swapped = tmp_path / "swapped.jsonl"
    swapped.write_text("\n".join(lines) + "\n", "utf-8")
    gold_lines = gold.read_text("utf-8").splitlines()
    gold_lines[14] = gold_lines[13]  # line 15 repeats line 14's document
    repeated = tmp_path / "repeated.jsonl"
    repeated.write_text("\n".join(gold_lines) + "\n", "utf-8")
    found = []
    for gold_file, pred_file in ((gold, swapped), (repeated, pred)):
        blocks, _, _ = plan_blocks(str(gold_file), str(pred_file), 5)
        for block in blocks:
            result = score_block(block, CONFIG, ["mentions"], "document", None)
            found += [(p.code, Path(p.file).name, p.line, p.message) for p in result.problems]
    order = [f for f in found if f[0] == "prediction-order-mismatch"]
    assert [(name, line) for _, name, line, _ in order] == [("swapped.jsonl", 12)]
    assert order[0][3].startswith("line 12 of the predictions is the document")
    assert "but line 12 of the gold" in order[0][3]
    assert ("invalid-json", "swapped.jsonl", 18) in [f[:3] for f in found]
    duplicate = [f for f in found if f[0] == "duplicate-document-id"]
    assert [(name, line) for _, name, line, _ in duplicate] == [("repeated.jsonl", 15)]
    assert "already used on line 14" in duplicate[0][3]


def test_merging_results_leaves_them_as_they_were(files):
    from newsbench.eval.blocks import merge_results, plan_blocks, score_block

    gold, pred = files
    blocks, _, _ = plan_blocks(str(gold), str(pred), 12)
    first, second = (score_block(b, CONFIG, ["mentions"], "document", None) for b in blocks)
    once = merge_results(first, second)
    again = merge_results(first, second)  # a retried task
    assert once.shard is not None and again.shard is not None
    assert once.shard.doc_ids == again.shard.doc_ids and len(once.shard.doc_ids) == 23
    assert once.shard.rows == again.shard.rows and once.shard.errors == again.shard.errors
    assert first.shard is not None and len(first.shard.doc_ids) == 12


def test_lines_that_start_with_a_bom_or_record_separator_are_read_as_the_validator_reads_them(
    files, tmp_path
):
    """jsonlines (the validator's reader) skips one BOM or RFC 7464 separator at the start
    of a line; the readers of raw lines (predicted layers, pairing by id, the first gold
    line's sentences) read such lines too, so every path scores what was validated."""
    import json

    gold, pred = files
    lines = pred.read_bytes().splitlines(keepends=True)
    marked = tmp_path / "marked.jsonl"
    marks = (b"\xef\xbb\xbf", b"\x1e")
    marked.write_bytes(b"".join(marks[i % 2] + line for i, line in enumerate(lines)))
    shuffled = tmp_path / "shuffled.jsonl"  # paired by id through an index of its lines
    shuffled.write_bytes(b"".join(marks[i % 2] + line for i, line in enumerate(reversed(lines))))
    args = ["score", "--gold", str(gold), "--resamples", "200"]
    reports = {}
    for name, predictions, extra in (
        ("plain", pred, []),
        ("marked", marked, []),
        ("jobs", marked, ["--jobs", "2"]),
        ("shuffled", shuffled, []),
        ("in-memory", marked, ["--html", str(tmp_path / "m.html")]),
    ):
        out = tmp_path / f"{name}.json"
        assert main([*args, "--pred", str(predictions), *extra, "--out", str(out)]) == 0
        reports[name] = written_report(out)
    assert len(set(reports.values())) == 1
    headline = json.loads((tmp_path / "plain.json").read_text("utf-8"))["headline"]
    assert "entities.strict" in headline and "events.arg_cls" in headline
    out = tmp_path / "stream.json"
    assert main([*args, "--pred", str(marked), "--stream", "--out", str(out)]) == 0
    assert json.loads(out.read_text("utf-8"))["headline"] == headline
    # a one-document gold whose line starts with a BOM still has its sentences: the unit
    one_gold, one_pred = tmp_path / "g1.jsonl", tmp_path / "p1.jsonl"
    one_gold.write_bytes(b"\xef\xbb\xbf" + gold.read_bytes().splitlines(keepends=True)[0])
    one_pred.write_bytes(lines[0])
    units = set()
    for extra in ([], ["--stream"], ["--html", str(tmp_path / "one.html")]):
        out = tmp_path / "one.json"
        args = ["score", "--gold", str(one_gold), "--pred", str(one_pred), "--resamples", "20"]
        assert main([*args, *extra, "--out", str(out)]) == 0
        units.add(json.loads(out.read_text("utf-8"))["resampling"]["unit"])
    assert units == {"sentence"}
