"""newsbench perturb: writes every named set of a gold file or split; refusals and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbench.corpus import PERTURBATIONS, gold_path
from newsbench.eval.cli import main
from newsbench.schema.validate import load_documents


def test_perturb_writes_every_set_of_a_gold_file(tmp_path: Path, capsys) -> None:
    gold = tmp_path / "mine.jsonl"
    gold.write_bytes(gold_path("validation").read_bytes())
    out = tmp_path / "sets"
    assert main(["perturb", "--gold", str(gold), "--out-dir", str(out), "--seed", "7"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{name}-mine.jsonl" for name in PERTURBATIONS)
    printed = capsys.readouterr().out
    assert f"wrote {out / 'typos-mine.jsonl'}: 1 document(s)" in printed
    copy = load_documents(out / "typos-mine.jsonl")[0]  # validates
    assert (copy.metadata.perturbation, copy.metadata.perturbation_seed) == ("typos", 7)


def test_perturb_only_some_sets_of_the_packaged_split(tmp_path: Path) -> None:
    out = tmp_path / "sets"
    argv = ["perturb", "--split", "validation", "--only", "lowercase", "--out-dir", str(out)]
    assert main(argv) == 0
    assert [p.name for p in out.iterdir()] == ["lowercase-validation.jsonl"]
    record = json.loads((out / "lowercase-validation.jsonl").read_text().splitlines()[0])
    assert record["text"] == record["text"].lower()


def test_the_default_split_is_test_and_matches_the_published_copies(tmp_path: Path) -> None:
    out = tmp_path / "sets"
    assert main(["perturb", "--only", "names-invented", "--out-dir", str(out)]) == 0
    published = gold_path("test").parent / "perturbed" / "names-invented-test.jsonl"
    assert (out / "names-invented-test.jsonl").read_bytes() == published.read_bytes()


def test_refusals_and_exit_codes(tmp_path: Path, capsys) -> None:
    out = str(tmp_path / "sets")
    gold = str(gold_path("validation"))
    assert main(["perturb", "--gold", gold, "--split", "test", "--out-dir", out]) == 2
    assert "give --gold or --split, not both" in capsys.readouterr().err
    assert main(["perturb", "--gold", gold, "--only", "shuffle", "--out-dir", out]) == 2
    assert "unknown perturbation(s) shuffle; choose from names-invented" in capsys.readouterr().err
    for seed in ("-1", str(2**63), "1180591620717411303424", "x"):  # refused as it is parsed
        with pytest.raises(SystemExit) as refused:
            main(["perturb", "--gold", gold, "--seed", seed, "--out-dir", out])
        assert refused.value.code == 2
        assert f"argument --seed: {seed}" in capsys.readouterr().err.replace("'x'", "x")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    assert main(["perturb", "--gold", str(bad), "--out-dir", out]) == 1
    assert "bad.jsonl:1" in capsys.readouterr().err
    copy = tmp_path / "copy.jsonl"
    assert (
        main(["perturb", "--gold", gold, "--only", "typos", "--out-dir", str(tmp_path / "c")]) == 0
    )
    copy.write_bytes((tmp_path / "c" / "typos-validation.jsonl").read_bytes())
    capsys.readouterr()
    assert main(["perturb", "--gold", str(copy), "--out-dir", out]) == 1
    assert (
        "is already a perturbed copy (typos); perturb the original gold" in capsys.readouterr().err
    )
    assert not (tmp_path / "sets").exists()
