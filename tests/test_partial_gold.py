"""Partial gold: a gold document declares the layers it annotates; scoring says what it skips."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest

from newsbench.eval.harness import ScoringConfig, gold_coverage, gold_lacks, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.streaming import score_files_streamed
from newsbench.schema.model import Document, document_from_dict, document_to_dict
from newsbench.schema.validate import completeness_problems, load_documents, validate_record

CONFIG = ScoringConfig(n_resamples=50)


def _strip(record: dict, *, layers: tuple[str, ...] = (), mention_keys=(), event_keys=()) -> dict:
    out = copy.deepcopy(record)
    for layer in layers:
        out.pop(layer, None)
    for m in out.get("mentions", []):
        for key in mention_keys:
            m.pop(key, None)
    for e in out.get("events", []):
        for key in event_keys:
            e.pop(key, None)
    return out


def _doc(record: dict) -> Document:
    document, problems = validate_record(record)
    assert problems == []
    assert document is not None
    return document


@pytest.fixture
def ner_only(mini_record) -> dict:
    keep = {"id", "text", "mentions"}
    record = {k: v for k, v in mini_record.items() if k in keep}
    return _strip(record, mention_keys=("mention_type", "entity"))


def test_a_ner_only_gold_validates_as_it_is(ner_only):
    assert validate_record(ner_only)[1] == []
    assert set(ner_only) == {"id", "text", "mentions"}


def test_validation_stays_exact_for_what_is_present(ner_only):
    ner_only["mentions"][0]["start"] += 1
    problems = validate_record(ner_only)[1]
    assert [p.code for p in problems] == ["span-text-mismatch"]
    del ner_only["mentions"][1]["type"]
    assert "schema-required" in [p.code for p in validate_record(ner_only)[1]]


def test_ner_only_gold_scores_entities_and_says_what_it_skips(ner_only, mini_record):
    gold = _doc(ner_only)
    pred = document_from_dict(mini_record)  # a full prediction: every layer, with clusters
    report = score_documents(pair_documents([gold], [pred]), CONFIG)
    layers = report["layers"]
    assert layers["scored"] == ["mentions"]
    assert set(layers["skipped"]) == {
        "time_expressions",
        "events",
        "attributions",
        "entities.NAM",
        "coreference.entities",
    }
    assert "not annotated in 1 of 1 gold documents" in layers["skipped"]["events"]
    assert layers["coreference"] == []
    assert report["headline"]["entities.strict"]["f1"] == 1.0
    assert not [m for m in report["metrics"] if m.startswith(("events", "timex", "attr"))]
    assert not [m for m in report["metrics"] if m.startswith("entities.NAM")]
    assert "entities.NAM" not in report["entities"]
    assert "|layers:ent|" in report["signature"]
    assert {e["layer"] for e in report["errors"]} <= {"entities"}


def test_mention_types_without_clusters_keep_the_names_view(mini_record):
    gold = _doc(_strip(mini_record, mention_keys=("entity",)))
    pred = document_from_dict(mini_record)
    report = score_documents(pair_documents([gold], [pred]), CONFIG, layers=["mentions"])
    assert report["headline"]["entities.NAM.strict"]["f1"] == 1.0
    assert list(report["layers"]["skipped"]) == ["coreference.entities"]
    assert report["layers"]["coreference"] == []


def test_events_without_realis_or_hoppers_skip_those_metrics(mini_record):
    gold = _doc(_strip(mini_record, event_keys=("realis", "hopper")))
    pred = document_from_dict(mini_record)
    report = score_documents(pair_documents([gold], [pred]), CONFIG)
    assert {"events.realis", "coreference.events"} <= set(report["layers"]["skipped"])
    assert "events.realis" not in report["metrics"]
    assert "events.realis" not in report["headline"]
    assert report["headline"]["events.trigger_cls"]["f1"] == 1.0
    assert report["layers"]["coreference"] == ["entities"]
    assert not [e for e in report["errors"] if e["kind"] == "realis"]


def test_a_layer_annotated_in_some_documents_only_is_skipped(mini_record):
    full = _doc(mini_record)
    other = dict(mini_record, id="other")
    partial = _doc(_strip(other, layers=("attributions",)))
    preds = [document_from_dict(mini_record), document_from_dict(dict(mini_record, id="other"))]
    report = score_documents(pair_documents([full, partial], preds), CONFIG)
    assert report["layers"]["skipped"] == {
        "attributions": "not annotated in 1 of 2 gold documents (absent layer key)"
    }
    assert "attr.relation" not in report["metrics"]
    assert report["headline"]["timex.strict"]["f1"] == 1.0
    assert report["headline"]["entities.strict"]["f1"] == 1.0


def test_a_complete_gold_skips_nothing(mini_document):
    report = score_documents(pair_documents([mini_document], [mini_document]), CONFIG)
    assert report["layers"]["skipped"] == {}
    assert gold_lacks(mini_document) == frozenset()


def test_streamed_scoring_skips_the_same(tmp_path, ner_only, mini_record):
    gold_path = tmp_path / "gold.jsonl"
    pred_path = tmp_path / "pred.jsonl"
    gold_path.write_text(json.dumps(ner_only) + "\n", "utf-8")
    pred_path.write_text(json.dumps(mini_record) + "\n", "utf-8")
    streamed = score_files_streamed(gold_path, pred_path, CONFIG)
    gold = load_documents(gold_path)
    pred = document_from_dict(mini_record)
    full = score_documents(pair_documents(gold, [pred]), CONFIG)
    assert streamed["layers"]["skipped"] == full["layers"]["skipped"]
    assert streamed["headline"] == full["headline"]
    assert streamed["signature"] == full["signature"]


def test_gold_coverage_counts_documents():
    lacking = Counter({"events": 2, "mention_type": 1})
    skipped = gold_coverage(lacking, 3, ["mentions", "events"])
    assert skipped == {
        "events": "not annotated in 2 of 3 gold documents (absent layer key)",
        "entities.NAM": "gold mentions without a mention_type in 1 of 3 gold documents: "
        "names cannot be told from other mentions",
    }


def test_the_newsbench_corpus_is_complete(repo_root, mini_document):
    assert completeness_problems(mini_document) == []
    for split in ("validation", "test"):
        for document in load_documents(repo_root / "corpus" / "data" / f"{split}.jsonl"):
            assert completeness_problems(document) == [], (split, document.id)


def test_completeness_names_every_missing_layer_and_attribute(mini_record):
    record = _strip(mini_record, layers=("zones", "metadata"), mention_keys=("entity",))
    problems = completeness_problems(_doc(record))
    assert {p.code for p in problems} == {"incomplete-document"}
    paths = [(p.path, p.message.split("'")[1]) for p in problems]
    assert ("", "metadata") in paths and ("", "zones") in paths
    assert ("/mentions/0", "entity") in paths
    assert len(paths) == 2 + len(mini_record["mentions"])
    assert document_to_dict(_doc(record)) == record


def test_document_from_dict_on_an_incomplete_dict_gives_located_problems():
    import pytest

    from newsbench.schema.problems import DataError

    with pytest.raises(DataError) as info:
        document_from_dict({"id": "x", "text": "abc", "mentions": [{"id": "m1", "start": 0}]})
    problems = info.value.problems
    assert {p.code for p in problems} == {"schema-required"}
    assert {p.path for p in problems} == {"/mentions/0"} and problems[0].document == "x"


def test_a_ner_only_jsonl_gold_scores_from_the_command_line_and_the_api(
    tmp_path, ner_only, mini_record
):
    import newsbench
    from newsbench.eval.cli import main

    gold, pred, out = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl", tmp_path / "r.json"
    gold.write_text(json.dumps(ner_only) + "\n", "utf-8")
    prediction = {
        "id": ner_only["id"],
        "text": ner_only["text"],
        "mentions": ner_only["mentions"][1:],
    }
    pred.write_text(json.dumps(prediction) + "\n", "utf-8")
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out)]) == 0
    report = json.loads(out.read_text("utf-8"))
    assert "|inventory:newsbench@" in report["signature"] and "|layers:ent|" in report["signature"]
    n = len(ner_only["mentions"])
    assert report["headline"]["entities.strict"]["recall"] == pytest.approx((n - 1) / n)
    api = newsbench.score(gold, pred)
    assert api.data["headline"] == report["headline"]
    assert api.signature == report["signature"]


def test_without_gold_sentences_the_unit_is_the_document(ner_only, mini_record):
    gold = _doc(ner_only)
    report = score_documents(pair_documents([gold], [gold]), CONFIG)
    assert report["resampling"]["unit"] == "document" and "|unit:document|" in report["signature"]
    with_sentences = _doc({**ner_only, "sentences": mini_record["sentences"]})
    report = score_documents(pair_documents([with_sentences], [with_sentences]), CONFIG)
    assert report["resampling"]["unit"] == "sentence"
    assert report["resampling"]["n_units"] == len(mini_record["sentences"])
