"""newsbench robustness: a system's report on the original gold against its reports on
perturbed copies, paired unit by unit; the signature names the perturbation."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction

import pytest

from newsbench.corpus import PERTURBATIONS, gold_path
from newsbench.eval.cli import main
from newsbench.eval.gate import SignatureMismatch
from newsbench.eval.harness import ScoringConfig, gold_perturbation, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.report import plain_report, write_json
from newsbench.eval.robustness import RobustnessError, perturbation_name, robustness
from newsbench.schema.model import Document
from newsbench.schema.validate import load_documents

SEED = load_documents(gold_path("validation"), "document")


def _copy(documents: list[Document], name: str, seed: int = 0) -> list[Document]:
    """A stand-in perturbed copy: the same documents, named as a copy in their metadata."""
    return [
        replace(
            d,
            metadata=replace(
                d.metadata, perturbation=name, perturbation_seed=seed, original_sha256="0" * 64
            ),
        )
        for d in documents
    ]


def _without_names(documents: list[Document]) -> list[Document]:
    """Predictions of mentions only, missing every named mention."""
    return [
        Document(d.id, d.text, mentions=tuple(m for m in d.mentions if m.mention_type != "NAM"))
        for d in documents
    ]


def _report(gold: list[Document], pred: list[Document], **config) -> dict:
    pairs = pair_documents(gold, pred)
    return plain_report(score_documents(pairs, ScoringConfig(n_resamples=200, **config)))


def test_the_signature_names_the_perturbation():
    assert gold_perturbation(SEED) == "none"
    assert gold_perturbation(_copy(SEED, "typos", seed=3)) == "typos@seed3"
    assert gold_perturbation([*SEED, *_copy(SEED, "typos")]) == "mixed"
    report = _report(_copy(SEED, "lowercase"), SEED)
    assert "|perturbation:lowercase@seed0|" in report["signature"]
    assert report["provenance"]["perturbation"] == "lowercase@seed0"
    assert perturbation_name(report) == "lowercase"
    assert "|perturbation:none|" in _report(SEED, SEED)["signature"]


def test_no_loss_gives_zero_differences_with_a_zero_interval():
    original = _report(SEED, SEED)
    result = robustness(original, [_report(_copy(SEED, "uppercase"), SEED)], n_resamples=200)
    rows = result["perturbations"]["uppercase"]["metrics"]
    assert rows and result["unit"] == "sentence"
    for row in rows.values():
        assert row["original"] == row["perturbed"] == 1.0 and row["delta"] == 0.0
    assert rows["entities.strict"]["ci_low"] == rows["entities.strict"]["ci_high"] == 0.0
    assert result["contamination"] is None


def test_a_loss_on_the_copy_is_the_paired_difference_of_the_two_scores():
    original = _report(SEED, SEED)
    perturbed = _report(_copy(SEED, "names-invented"), _without_names(SEED))
    row = robustness(original, [perturbed], n_resamples=200)["perturbations"]["names-invented"][
        "metrics"
    ]["entities.strict"]
    gold = sum(len(d.mentions) for d in SEED)
    kept = sum(1 for d in SEED for m in d.mentions if m.mention_type != "NAM")
    expected = Fraction(2 * kept, gold + kept)  # precision 1, recall kept/gold
    assert row["perturbed"] == pytest.approx(float(expected), abs=1e-12)
    assert row["delta"] == pytest.approx(float(expected) - 1.0, abs=1e-12)
    assert row["ci_low"] <= row["delta"] <= row["ci_high"] < 0
    assert 0 <= row["p_bootstrap"] <= 1 and 0 <= row["p_randomization"] <= 1


def test_the_contamination_check_compares_counterfactual_with_names_invented():
    original = _report(SEED, SEED)
    names = _report(_copy(SEED, "names-invented"), SEED)  # no loss from the names alone
    counterfactual = _report(_copy(SEED, "counterfactual"), _without_names(SEED))
    result = robustness(original, [names, counterfactual], n_resamples=200)
    evidence = result["contamination"]["entities.strict"]
    assert evidence["beyond"] is True and evidence["names_invented_ci_low"] == 0.0
    assert evidence["counterfactual_delta"] < 0
    same = robustness(original, [names, _report(_copy(SEED, "counterfactual"), SEED)])
    assert same["contamination"]["entities.strict"]["beyond"] is False


def test_the_original_must_be_unperturbed_and_every_copy_perturbed():
    original = _report(SEED, SEED)
    copy = _report(_copy(SEED, "typos"), SEED)
    with pytest.raises(RobustnessError, match="original report is scored on a perturbed copy"):
        robustness(copy, [original])
    with pytest.raises(RobustnessError, match="scored on none gold"):
        robustness(original, [original])
    with pytest.raises(RobustnessError, match="same perturbation 'typos'"):
        robustness(original, [copy, copy])
    with pytest.raises(RobustnessError, match="at least one report"):
        robustness(original, [])


def test_reports_with_other_settings_are_refused():
    original = _report(SEED, SEED)
    other_seed = _report(_copy(SEED, "typos"), SEED, seed=7)
    with pytest.raises(SignatureMismatch, match="seed"):
        robustness(original, [other_seed])


def test_reports_over_other_units_are_refused():
    original = _report(SEED, SEED)
    by_document = _report(_copy(SEED, "typos"), SEED, unit="document")
    with pytest.raises((RobustnessError, SignatureMismatch), match="unit"):
        robustness(original, [by_document])


def test_a_copy_of_another_gold_is_refused():
    original = _report(SEED, SEED)
    other = [replace(d, mentions=d.mentions[1:]) for d in SEED]  # same ids, other annotations
    other_report = _report(_copy(other, "typos"), other)
    with pytest.raises(RobustnessError) as caught:
        robustness(original, [other_report])
    assert str(caught.value).startswith(f"typos: unit '{SEED[0].id}")  # a sentence of it
    assert "gold annotation(s) for entities.strict in the original report" in str(caught.value)


@pytest.mark.parametrize("name", PERTURBATIONS)
def test_every_real_perturbation_keeps_the_annotation_counts(name):
    from newsbench.corpus.perturbed import perturb_documents

    copy = perturb_documents(SEED, name)
    original = _report(SEED, SEED)
    result = robustness(original, [_report(copy, copy)], n_resamples=50)
    assert set(result["perturbations"]) == {name}


def test_command_line_text_json_and_exit_codes(tmp_path, capsys):
    original, copy = tmp_path / "original.json", tmp_path / "typos.json"
    write_json(original, _report(SEED, SEED))
    write_json(copy, _report(_copy(SEED, "typos"), _without_names(SEED)))
    assert main(["robustness", str(original), str(copy), "--resamples", "100"]) == 0
    out = capsys.readouterr().out
    assert "typos" in out and "entities.strict" in out
    out_file = tmp_path / "robustness.json"
    args = ["robustness", str(original), str(copy), "--format", "json", "--out", str(out_file)]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out_file.read_text("utf-8"))
    assert printed["perturbations"]["typos"]["metrics"]["entities.strict"]["delta"] < 0
    # Refusals are data errors (exit 1), bad options usage errors (exit 2).
    assert main(["robustness", str(copy), str(original)]) == 1
    assert "robustness refused" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:  # as the argument is parsed
        main(["robustness", str(original), str(copy), "--resamples", "0"])
    assert refused.value.code == 2
    assert main(["robustness", str(original), str(copy), "--out", str(copy)]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1}', "utf-8")
    assert main(["robustness", str(original), str(bad)]) == 1
    assert "bad.json" in capsys.readouterr().err
