"""The harness end to end: pairing, layer selection, reports, gate and compare."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from newsbench.eval.cli import main
from newsbench.eval.compare import CompareError, compare_reports
from newsbench.eval.gate import (
    GateUsageError,
    SignatureMismatch,
    assert_scores,
    check_gate,
    parse_threshold,
)
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import (
    LabelMap,
    apply_label_map,
    load_label_map,
    load_predictions,
    pair_documents,
)
from newsbench.eval.report import read_report, render_errors, render_markdown
from newsbench.eval.report_files import read_error_listing
from newsbench.schema.io import write_jsonl
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.problems import DataError


def _prediction(gold: Document, **layers) -> Document:
    cleared = dict.fromkeys(
        (
            "metadata",
            "paragraphs",
            "zones",
            "sentences",
            "mentions",
            "time_expressions",
            "events",
            "attributions",
        )
    )
    return replace(gold, **{**cleared, **layers})


def _score(gold: Document, pred: Document, **config) -> dict:
    return score_documents(
        pair_documents([gold], [pred]), ScoringConfig(**config), corpus_version="test"
    )


def test_gold_against_itself_scores_one(mini_document):
    # zero_division=1: a 0/0 ratio (MUC on all-singleton hoppers, a type with no
    # support) counts as perfect, so that *every* metric of the self-score is 1.
    report = _score(mini_document, mini_document, n_resamples=50, zero_division=1.0)
    assert report["layers"]["scored"] == ["mentions", "time_expressions", "events", "attributions"]
    assert report["layers"]["coreference"] == ["entities", "events"]
    for name, entry in report["metrics"].items():
        assert entry["f1"] == 1.0, name
    assert report["errors"] == []


def test_coreference_zero_division_default_follows_the_reference_scorer(mini_document):
    report = _score(mini_document, mini_document, n_resamples=20)
    # The fixture's two hoppers are singletons: MUC is 0/0 -> 0, so CoNLL = (0+1+1)/3.
    assert report["metrics"]["coref.events.muc"]["f1"] == 0.0
    assert report["metrics"]["coref.events.conll"]["f1"] == pytest.approx(2 / 3)
    assert report["metrics"]["coref.entities.bcubed"]["f1"] == 1.0


def test_only_predicted_layers_are_scored(mini_document):
    pred = _prediction(mini_document, mentions=mini_document.mentions)
    report = _score(mini_document, pred, n_resamples=50)
    assert report["layers"]["scored"] == ["mentions"]
    assert "time_expressions" in report["layers"]["not_predicted"]
    assert not any(m.startswith("timex") for m in report["metrics"])


def test_requested_layer_must_be_predicted(mini_document):
    pred = _prediction(mini_document, mentions=mini_document.mentions)
    with pytest.raises(ValueError, match="do not give the layer"):
        score_documents(pair_documents([mini_document], [pred]), ScoringConfig(), layers=["events"])


def test_empty_layer_is_scored_as_predicting_nothing(mini_document):
    pred = _prediction(mini_document, mentions=())
    report = _score(mini_document, pred, n_resamples=50)
    strict = report["metrics"]["entities.strict"]
    assert strict["recall"] == 0.0 and strict["counts"]["r_den"] == len(mini_document.mentions)


def test_missing_document_needs_allow_missing(mini_document):
    other = replace(mini_document, id="other")
    with pytest.raises(DataError, match="no prediction for the gold document 'other'"):
        pair_documents([mini_document, other], [mini_document])
    pairs = pair_documents([mini_document, other], [mini_document], allow_missing=True)
    report = score_documents(pairs, ScoringConfig(allow_missing=True, n_resamples=20))
    assert report["documents"]["missing_predictions"] == ["other"]
    assert report["metrics"]["entities.strict"]["recall"] == 0.5
    assert "missing:allowed" in report["signature"]


def test_extra_document_is_an_error(mini_document):
    extra = replace(mini_document, id="mini_seeds")
    with pytest.raises(DataError, match=r"does not have.*did you mean 'mini_seed'"):
        pair_documents([mini_document], [mini_document, extra])


def test_text_mismatch_is_an_error(mini_document):
    changed = replace(mini_document, text=mini_document.text.replace("Thes ", "These"))
    with pytest.raises(DataError, match="differs from the gold text"):
        pair_documents([mini_document], [changed])


def test_units_are_sentences_for_one_document(mini_document):
    report = _score(mini_document, mini_document, n_resamples=20)
    assert report["resampling"]["unit"] == "sentence"
    assert report["resampling"]["n_units"] == len(mini_document.sentences)
    assert "unit:sentence" in report["signature"]


def test_report_is_deterministic(mini_document):
    pred = _prediction(mini_document, mentions=mini_document.mentions[:5])
    assert _score(mini_document, pred) == _score(mini_document, pred)


def test_label_map_applies_and_counts_removals(mini_record):
    label_map = LabelMap("test", {"GPE": "GPE", "PER": "PER", "ORG": "ORG", "VEH": None})
    mapped, removed, problems = apply_label_map(mini_record, label_map)
    assert problems == [] and removed == {"VEH": 1}
    assert len(mapped["mentions"]) == len(mini_record["mentions"]) - 1


def test_label_map_missing_label_is_an_error(mini_record):
    _, _, problems = apply_label_map(mini_record, LabelMap("partial", {"GPE": "GPE"}))
    assert {p.code for p in problems} == {"label-map-missing-label"}


def test_label_map_onto_unknown_type_is_an_error(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"name": "bad", "map": {"PERSON": "PERS"}}))
    with pytest.raises(DataError, match=r"'PERS', which is not a corpus type \(did you mean"):
        load_label_map(path)


def test_ontonotes_labels_score_after_mapping(tmp_path, mini_record, repo_root):
    names = {"GPE": "GPE", "ORG": "ORG", "PER": "PERSON", "VEH": "PRODUCT"}
    prediction = {
        "id": mini_record["id"],
        "text": mini_record["text"],
        "mentions": [{**m, "type": names[m["type"]]} for m in mini_record["mentions"]],
    }
    path = tmp_path / "pred.jsonl"
    write_jsonl(path, [prediction])
    with pytest.raises(DataError, match="'PERSON' is not a label of the newsbench inventory"):
        load_predictions(path)
    label_map = load_label_map(repo_root / "schema" / "label_maps" / "ontonotes.json")
    loaded = load_predictions(path, label_map)
    assert loaded.removed_by_label == {"PRODUCT": 1}


# --- gate and compare ----------------------------------------------------------------


def test_parse_threshold_errors():
    assert parse_threshold("entities.strict.f1=0.8").value == 0.8
    with pytest.raises(GateUsageError, match=r"expected METRIC\.FIELD=VALUE"):
        parse_threshold("entities.strict=0.8")
    with pytest.raises(GateUsageError, match="is not a number"):
        parse_threshold("entities.strict.f1=high")
    with pytest.raises(GateUsageError, match="not a fraction"):
        parse_threshold("entities.strict.f1=80")


def test_gate_names_each_metric_that_fell(mini_document):
    good = _score(mini_document, mini_document, n_resamples=20)
    worse = _score(
        mini_document,
        _prediction(
            mini_document,
            mentions=mini_document.mentions[:6],
            time_expressions=mini_document.time_expressions,
        ),
        n_resamples=20,
    )
    result = check_gate(
        worse, [parse_threshold("entities.strict.f1=0.9")], baseline=good, max_drop=0.01
    )
    assert not result.passed
    assert "entities.strict.f1 = 0.7059 is below the threshold 0.9000" in result.message()
    assert "entities.strict.f1 fell from 1.0000 to 0.7059" in result.message()
    assert "events.trigger_cls.f1 was 1.0000 in the baseline but is missing" in result.message()
    assert "timex" not in result.message()
    with pytest.raises(AssertionError, match="below the threshold"):
        assert_scores(worse, {"entities.strict.f1": 0.9})
    assert_scores(good, {"entities.strict.f1": 1.0}, baseline=good, max_drop=0.0)
    impossible = {**good, "metrics": {**good["metrics"]}}
    impossible["metrics"]["entities.strict"] = {**good["metrics"]["entities.strict"], "f1": 5}
    with pytest.raises(GateUsageError, match=r"'entities.strict' has no usable f1 \(found 5\)"):
        assert_scores(impossible, {"entities.strict.f1": 0.9})  # a file holding it is refused


def test_gate_unknown_metric_suggests(mini_document):
    report = _score(mini_document, mini_document, n_resamples=20)
    with pytest.raises(GateUsageError, match=r"did you mean 'entities\.strict'"):
        check_gate(report, [parse_threshold("entities.strikt.f1=0.5")])


def test_zones_are_a_set_one_order_in_the_signature(mini_document, tmp_path):
    signatures = {
        ScoringConfig(zones=zones).signature(
            unit="document", layers=["mentions"], corpus="custom", gold="0" * 64
        )
        for zones in (("caption", "body"), ("body", "caption"), ("body", "body", "caption"))
    }
    assert len(signatures) == 1 and "|zones:body,caption|" in signatures.pop()
    gold = tmp_path / "g.jsonl"
    write_jsonl(gold, [document_to_dict(mini_document)])
    written = []
    for order in (["caption", "body"], ["body", "caption", "body"]):
        out = tmp_path / f"{len(written)}.json"
        zones = [arg for zone in order for arg in ("--zone", zone)]
        argv = ["score", "--gold", str(gold), "--pred", str(gold), "--resamples", "20"]
        assert main([*argv, *zones, "--out", str(out)]) == 0
        written.append(json.loads(out.read_text("utf-8")))
    assert written[0]["signature"] == written[1]["signature"]
    assert written[0]["config"]["zones"] == ["body", "caption"]
    # and two such reports may be compared: their signatures differ in nothing
    compare_reports(written[0], written[1])


def test_compare_reports(mini_document):
    a = _score(mini_document, mini_document, n_resamples=50)
    b = _score(
        mini_document,
        _prediction(mini_document, mentions=mini_document.mentions[:6], time_expressions=()),
        n_resamples=50,
    )
    result = compare_reports(a, b, n_resamples=200, n_permutations=200)
    row = result["metrics"]["entities.strict"]
    assert row["delta"] > 0 and 0 < row["p_randomization"] <= 1
    assert row["ci_low"] <= row["delta"] <= row["ci_high"]


def test_compare_needs_the_same_units(mini_document):
    a = _score(mini_document, mini_document, n_resamples=20)
    b = _score(mini_document, mini_document, n_resamples=20, unit="document")
    with pytest.raises(SignatureMismatch, match=r"unit \(sentence vs document\)"):
        compare_reports(a, b)
    forged = {**b, "signature": a["signature"]}  # same settings claimed, other units
    with pytest.raises(CompareError, match="different units"):
        compare_reports(a, forged)


# --- CLI -----------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path, mini_document):
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [document_to_dict(mini_document)])
    pred = tmp_path / "pred.jsonl"
    partial = _prediction(mini_document, mentions=mini_document.mentions[:6])
    write_jsonl(pred, [document_to_dict(partial)])
    return gold, pred


def test_cli_score_writes_reports(files, tmp_path, capsys):
    gold, pred = files
    out, md, html = tmp_path / "r.json", tmp_path / "r.md", tmp_path / "r.html"
    code = main(
        [
            "score",
            "--html",
            str(html),
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--out",
            str(out),
            "--markdown",
            str(md),
            "--errors",
            "--resamples",
            "50",
        ]
    )
    assert code == 0
    report = read_report(out)
    assert report["provenance"]["gold_sha256"] and report["provenance"]["pred_sha256"]
    assert report["provenance"]["corpus_version"] == "custom"  # not the packaged gold
    assert f"gold:{report['provenance']['gold_sha256'][:16]}|" in report["signature"]
    assert "entities.strict" in md.read_text()
    printed = capsys.readouterr().out
    assert "missed" in printed and "[[" in printed
    errors = read_error_listing(out)
    assert errors and render_errors({"errors": errors}).count("\n") == len(errors)
    assert render_markdown(report).startswith("# newsbench report")
    page = html.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert report["signature"].replace("|", "|<wbr>") in page


def test_cli_score_gate_exit_codes(files, tmp_path, capsys):
    gold, pred = files
    base = ["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "20"]
    assert main([*base, "--fail-under", "entities.strict.f1=0.5"]) == 0
    assert main([*base, "--fail-under", "entities.strict.f1=0.95"]) == 1
    assert "entities.strict.f1" in capsys.readouterr().err
    assert main([*base, "--fail-under", "entities.strict=0.5"]) == 2


def test_cli_gate_and_compare(files, tmp_path, capsys):
    gold, pred = files
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert (
        main(
            [
                "score",
                "--gold",
                str(gold),
                "--pred",
                str(gold),
                "--out",
                str(a),
                "--resamples",
                "20",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "score",
                "--gold",
                str(gold),
                "--pred",
                str(pred),
                "--out",
                str(b),
                "--resamples",
                "20",
            ]
        )
        == 0
    )
    assert main(["gate", str(b), "--baseline", str(a), "--max-drop", "0.01"]) == 1
    assert "fell from" in capsys.readouterr().err
    assert main(["gate", str(a), "--baseline", str(a), "--max-drop", "0"]) == 0
    assert main(["gate", str(a)]) == 2
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--resamples", "50", "--format", "json"]) == 0
    assert "entities.strict" in json.loads(capsys.readouterr().out)["metrics"]


def test_cli_score_data_errors_exit_1(files, tmp_path, capsys):
    gold, _ = files
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "mini_seed", "text": "x"}\n')
    assert main(["score", "--gold", str(gold), "--pred", str(bad)]) == 1
    assert "prediction-text-mismatch" in capsys.readouterr().err


def test_every_metric_is_documented(mini_document, repo_root):
    import re

    report = _score(mini_document, mini_document, n_resamples=10)
    text = (repo_root / "eval" / "METRICS.md").read_text("utf-8")
    names = {re.sub(r"\[.*\]", "", m) for m in report["metrics"] if not m.startswith("coref.")}
    assert len(names) >= 40
    assert sorted(n for n in names if f"`{n}" not in text) == []
    for prefix in (
        "coref.entities.",
        "coref.entities.no_singletons.",
        "coref.entities.gold_mentions.",
        "coref.events.",
    ):
        assert f"`{prefix}" in text


def test_cli_scores_a_conll_file(files, tmp_path, mini_document, capsys):
    from newsbench.eval.bio import offsets_to_bio
    from newsbench.eval.spans import Span

    gold, _ = files
    names = [
        Span(m.start, m.end, m.type) for m in mini_document.mentions if m.mention_type == "NAM"
    ]
    tokens, tags = offsets_to_bio(mini_document.text, names)
    conll = tmp_path / "names.conll"
    conll.write_text("\n".join(f"{t.text}\t{tag}" for t, tag in zip(tokens, tags, strict=True)))
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "score",
                "--gold",
                str(gold),
                "--pred",
                str(conll),
                "--pred-format",
                "conll",
                "--out",
                str(out),
                "--resamples",
                "20",
            ]
        )
        == 0
    )
    assert read_report(out)["metrics"]["entities.NAM.strict"]["f1"] == 1.0


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["attributions"][1].update(intermediary=["m2_8"]),
        lambda r: r["attributions"][0]["source"].update(mention=["x"]),
        lambda r: r["events"][0]["arguments"][0].update(ref={"id": "x"}),
    ],
    ids=["intermediary", "source mention", "argument ref"],
)
def test_a_label_map_leaves_a_reference_of_the_wrong_type_to_the_validator(change):
    from newsbench.corpus import gold_path
    from newsbench.schema.validate import validate_record

    record = json.loads(gold_path("test").read_text("utf-8").splitlines()[0])
    change(record)
    labels = {m["type"] for m in record["mentions"]}
    mapped, _, problems = apply_label_map(
        record, LabelMap("drop-org", {t: (None if t == "ORG" else t) for t in labels})
    )  # a list or an object is unhashable: this raised TypeError
    assert problems == []
    _, found = validate_record(mapped, "prediction")
    assert [p.code for p in found] == ["schema-type"]


def test_a_removed_mention_takes_the_intermediaries_naming_it_along():
    from newsbench.corpus import gold_path
    from newsbench.schema.validate import validate_record

    record = json.loads(gold_path("test").read_text("utf-8").splitlines()[0])
    types = {m["id"]: m["type"] for m in record["mentions"]}
    named = [a["intermediary"] for a in record["attributions"] if a.get("intermediary")]
    assert named and {types[i] for i in named} == {"ORG"}  # the case this test is about
    labels = set(types.values())
    mapped, removed, problems = apply_label_map(
        record, LabelMap("drop-org", {t: (None if t == "ORG" else t) for t in labels})
    )
    assert problems == []
    assert removed["attribution intermediaries naming a removed mention"] == len(named)
    assert not any("intermediary" in a for a in mapped["attributions"])
    assert [a.get("intermediary") for a in record["attributions"] if "intermediary" in a] == named
    document, found = validate_record(mapped, "prediction")
    assert found == [] and document is not None


def test_a_removed_mention_takes_its_references_with_it(mini_record):
    from newsbench.schema.validate import validate_record

    by_id = {m["id"]: m for m in mini_record["mentions"]}
    referred = [a["ref"] for e in mini_record["events"] for a in e["arguments"]]
    sources = [a["source"].get("mention") for a in mini_record["attributions"]]
    label = by_id[referred[0]]["type"]
    labels = {m["type"] for m in mini_record["mentions"]}
    mapped, removed, problems = apply_label_map(
        mini_record, LabelMap("drop", {t: (None if t == label else t) for t in labels})
    )
    gone = {m["id"] for m in mini_record["mentions"] if m["type"] == label}
    assert problems == []
    assert removed == {
        label: len(gone),
        "event arguments naming a removed mention": sum(r in gone for r in referred),
        **(
            {"attribution sources' links to a removed mention": sum(s in gone for s in sources)}
            if any(s in gone for s in sources)
            else {}
        ),
    }
    document, found = validate_record(mapped, "prediction")
    assert found == [] and document is not None  # no dangling reference left
