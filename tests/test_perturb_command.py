"""newsbench perturb: writes every named set of a gold file or split; refusals and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbench.corpus import PERTURBATIONS, gold_path
from newsbench.eval.cli import main
from newsbench.schema.inventory import load_inventory
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


def _record(**changes) -> dict:
    """The validation gold's first document, changed."""
    record = json.loads(gold_path("validation").read_text("utf-8").splitlines()[0])
    record.update(changes)
    return record


def _write(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_a_document_that_cannot_be_perturbed_is_a_located_problem(tmp_path: Path, capsys):
    seed = _record()
    bare = dict(seed, id="bare")
    del bare["metadata"]
    no_types = _record(id="no-types")
    no_types["mentions"] = [
        {k: v for k, v in m.items() if k != "mention_type"} for m in no_types["mentions"]
    ]
    gold = _write(tmp_path / "g.jsonl", seed, bare, no_types)
    out = tmp_path / "sets"
    argv = ["perturb", "--gold", str(gold), "--out-dir", str(out), "--only", "names-invented"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{gold}:2" in err and "document 'bare' has no metadata" in err
    assert f"{gold}:3" in err and "finds names by their mention_type NAM" in err
    assert "[perturbation-impossible]" in err and "fix:" in err
    assert not out.exists()  # nothing written, not even the copy of the good document
    # a layer that is not there at all is refused too
    no_layer = dict(seed, id="no-layer")
    del no_layer["mentions"]
    for key in ("attributions", "events"):  # they name mentions
        no_layer.pop(key, None)
    _write(gold, no_layer)
    assert main(argv) == 1
    assert "has no mentions layer" in capsys.readouterr().err


def test_perturb_documents_locates_every_refusal_by_line_and_document():
    from newsbench.corpus.perturbed import perturb_documents
    from newsbench.schema.problems import DataError

    original = load_documents(gold_path("validation"))[0]
    copy = perturb_documents([original], "typos")[0]
    with pytest.raises(DataError) as refused:
        perturb_documents([original, copy, copy], "typos", file="g.jsonl")
    found = [(p.code, p.file, p.line, p.document, p.path) for p in refused.value.problems]
    assert found == [
        ("perturbation-impossible", "g.jsonl", line, original.id, "/metadata/perturbation")
        for line in (2, 3)
    ]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"dct": "2024-02-30"}, "/metadata/dct", "is '2024-02-30', which names no day or week"),
        ({"dct": "9999-06-01"}, "/metadata/dct", "cannot shift the DCT '9999-06-01'"),
    ],
)
def test_a_dct_that_cannot_be_shifted_is_located(tmp_path, capsys, change, path, message):
    record = _record()
    record["metadata"] = dict(record["metadata"], **change)
    gold = _write(tmp_path / "g.jsonl", record)
    argv = ["perturb", "--gold", str(gold), "--out-dir", str(tmp_path / "o"), "--only"]
    assert main([*argv, "dates-shifted"]) == 1
    err = capsys.readouterr().err
    assert message in err and f"at {path}" in err and f"{gold}:1" in err
    assert not (tmp_path / "o").exists()


def test_a_timex_value_that_cannot_be_shifted_is_located(tmp_path, capsys):
    record = _record()
    index = next(i for i, t in enumerate(record["time_expressions"]) if t["type"] == "DATE")
    for value, why in (("9999", "year 1000"), ("9998-12", "year 1000")):
        record["time_expressions"][index]["value"] = value
        gold = _write(tmp_path / "g.jsonl", record)
        argv = ["perturb", "--gold", str(gold), "--out-dir", str(tmp_path / "o")]
        assert main([*argv, "--only", "dates-shifted", "counterfactual"]) == 1
        err = capsys.readouterr().err
        assert f"cannot shift the value {value!r} of time expression" in err, err
        assert why in err and f"at /time_expressions/{index}/value" in err
        assert err.count("[perturbation-impossible]") == 2  # both sets, every problem
    # a value that is no week of its year is the validator's to refuse, located as well
    record["time_expressions"][index]["value"] = "2023-W53"
    gold = _write(tmp_path / "g.jsonl", record)
    assert main([*argv, "--only", "dates-shifted"]) == 1
    err = capsys.readouterr().err
    assert "[date-invalid]" in err and "Invalid week: 53" in err


def test_names_with_a_letter_whose_capital_is_longer(tmp_path):
    from newsbench.corpus.perturb import perturb_document
    from newsbench.schema.model import Document, Mention

    document = Document(
        "x",
        "Hauptstraße 12 is closed.",
        mentions=(Mention("m1", 0, 14, "Hauptstraße 12", "FAC", "NAM"),),
    )
    for name in ("names-invented", "names-real"):
        copy = perturb_document(document, name, seed=0)
        (mention,) = copy.mentions
        assert mention.text.endswith(" 12") and "Hauptstraße" not in copy.text
        assert copy.text[mention.start : mention.end] == mention.text


def test_names_running_out_of_real_words_names_the_document(tmp_path, capsys):
    text = " ".join(f"Org{chr(65 + i // 26)}{chr(97 + i % 26)}x met." for i in range(120))
    mentions = []
    for match in __import__("re").finditer(r"Org\w+", text):
        mentions.append(
            {
                "id": f"m{len(mentions)}",
                "start": match.start(),
                "end": match.end(),
                "text": match.group(),
                "type": "ORG",
                "mention_type": "NAM",
            }
        )
    record = {
        "id": "many",
        "text": text,
        "metadata": _record()["metadata"],
        "mentions": mentions,
    }
    gold = _write(tmp_path / "g.jsonl", record)
    argv = ["perturb", "--gold", str(gold), "--out-dir", str(tmp_path / "o")]
    assert main([*argv, "--only", "names-real"]) == 1  # 120 names, fewer place names
    err = capsys.readouterr().err
    assert f"{gold}:1" in err and "document 'many'" in err
    assert "ran out of names-real substitute words" in err
    assert main([*argv, "--only", "names-invented"]) == 0  # invented words do not run out


def test_every_target_is_checked_before_anything_is_read_or_written(tmp_path, capsys):
    import os

    gold = tmp_path / "mine.jsonl"
    gold.write_bytes(gold_path("validation").read_bytes())
    out = tmp_path / "sets"
    (out / "typos-mine.jsonl").mkdir(parents=True)
    os.mkfifo(out / "lowercase-mine.jsonl")
    assert main(["perturb", "--gold", str(gold), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "typos-mine.jsonl" in err and "lowercase-mine.jsonl" in err
    assert sorted(p.name for p in out.iterdir()) == ["lowercase-mine.jsonl", "typos-mine.jsonl"]


def test_another_corpus_is_perturbed_and_counted_under_its_inventory(tmp_path, capsys):
    gold = tmp_path / "conll.jsonl"
    samples = Path(__file__).resolve().parents[1] / "corpus" / "interchange" / "samples"
    argv = ["import", "--format", "conll2003", str(samples / "conll2003-gold.txt")]
    assert main([*argv, "--out", str(gold)]) == 0
    assert main(["stats", str(gold)]) == 1
    assert "'MISC' is not a label" in capsys.readouterr().err
    assert main(["stats", str(gold), "--inventory", "conll2003", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)
    out = tmp_path / "o"
    argv = ["perturb", "--gold", str(gold), "--out-dir", str(out), "--inventory", "conll2003"]
    # an imported corpus has no metadata, where a copy records what it is: refused, located
    assert main([*argv, "--only", "typos"]) == 1
    assert f"{gold}:1" in capsys.readouterr().err and not out.exists()
    metadata = {"dct": "2003-01-01", "source_file": "conll2003-gold.txt", "language": "en"}
    records = [json.loads(line) for line in gold.read_text("utf-8").splitlines()]
    _write(gold, *[dict(r, metadata=metadata) for r in records])
    assert main([*argv, "--only", "typos", "uppercase"]) == 0
    capsys.readouterr()
    copies = load_documents(out / "uppercase-conll.jsonl", inventory=load_inventory("conll2003"))
    assert {m.type for d in copies for m in d.mentions} >= {"MISC"}
    assert all(d.metadata.perturbation == "uppercase" for d in copies)
    assert main([*argv[:-2], "--only", "typos"]) == 1  # without it, MISC is no label
    assert "'MISC' is not a label" in capsys.readouterr().err
    for command in (["stats", str(gold)], ["perturb", "--gold", str(gold), "--out-dir", str(out)]):
        with pytest.raises(SystemExit) as refused:
            main([*command, "--inventory", "conl2003"])
        assert refused.value.code == 2
        err = capsys.readouterr().err
        assert "neither a packaged inventory (did you mean 'conll2003'?) nor a file" in err
