"""``newsbench import --format conll2003``: standalone CoNLL-2003 documents, scored end to end."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from seqeval.metrics import f1_score

from newsbench.corpus.interchange import import_documents
from newsbench.eval.cli import main
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.schema.inventory import inventory_from_dict, load_inventory
from newsbench.schema.model import document_to_dict
from newsbench.schema.problems import DataError

# Written for this test in the shared-task layout: token, POS, chunk, NER (IOB1).
IOB1 = """\
-DOCSTART- -X- -X- O

Oslo NNP B-NP I-ORG
backs VBZ B-VP O
Danish JJ B-NP I-MISC
plan NN I-NP O
to TO B-VP O
inspect VB I-VP O
Finnish JJ B-NP I-MISC
ferries NNS I-NP O
. . O O

Anna NNP B-NP I-PER
Lindqvist NNP I-NP I-PER

-DOCSTART- -X- -X- O

TROMSO NNP B-NP I-LOC
2025-03-14 CD I-NP O

Hamar NNP B-NP I-ORG
Kongsberg NNP I-NP B-ORG
"""

IOB2 = IOB1.replace("I-ORG\nbacks", "B-ORG\nbacks")
for old, new in (("JJ B-NP I-MISC", "JJ B-NP B-MISC"), ("NNP B-NP I-PER", "NNP B-NP B-PER")):
    IOB2 = IOB2.replace(old, new)
IOB2 = IOB2.replace("NNP B-NP I-LOC", "NNP B-NP B-LOC").replace(
    "Hamar NNP B-NP I-ORG", "Hamar NNP B-NP B-ORG"
)


def _write(tmp_path: Path, text: str, name: str = "eng.testa") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_documents_sentences_and_mentions_are_derived_from_the_tokens(tmp_path):
    first, second = import_documents("conll2003", _write(tmp_path, IOB1))
    assert first.id == "doc-1" and second.id == "doc-2"
    assert first.text == "Oslo backs Danish plan to inspect Finnish ferries .\nAnna Lindqvist"
    assert [(s.start, s.end) for s in first.sentences] == [(0, 51), (52, 66)]
    assert [(m.text, m.type, m.mention_type) for m in first.mentions] == [
        ("Oslo", "ORG", "NAM"),
        ("Danish", "MISC", "NAM"),
        ("Finnish", "MISC", "NAM"),
        ("Anna Lindqvist", "PER", "NAM"),
    ]
    # IOB1: B-ORG after I-ORG separates two adjacent entities of one type.
    assert [m.text for m in second.mentions] == ["TROMSO", "Hamar", "Kongsberg"]
    assert all(m.entity is None for m in first.mentions)
    record = document_to_dict(first)
    assert set(record) == {"id", "text", "sentences", "mentions"}


def test_iob1_and_iob2_files_give_the_same_documents(tmp_path):
    a = import_documents("conll2003", _write(tmp_path, IOB1, "a"))
    b = import_documents("conll2003", _write(tmp_path, IOB2, "b"))
    assert a == b
    assert import_documents("conll2003", _write(tmp_path, IOB2, "c"), scheme="iob2") == a


def test_strict_iob2_refuses_an_i_tag_that_continues_nothing(tmp_path):
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, IOB1), scheme="iob2")
    problem = info.value.problems[0]
    assert problem.code == "iob2-invalid" and problem.line == 3 and problem.document == "doc-1"


def test_strict_iob2_reports_unopened_tags_beside_a_malformed_one(tmp_path):
    text = "Rebels I-PER\nhit O\nGao E-LOC\nand I-LOC\nMopti I-ORG\n"
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, text), scheme="iob2")
    assert [(p.line, p.message) for p in info.value.problems] == [
        (1, "invalid IOB2: 'I-PER' continues no entity (at a sentence's start)"),
        (3, "malformed NER tag 'E-LOC'"),
        (4, "invalid IOB2: 'I-LOC' continues no entity (after 'E-LOC')"),
        (5, "invalid IOB2: 'I-ORG' continues no entity (after 'I-LOC')"),
    ]


def test_two_column_files_and_a_chosen_tag_column(tmp_path):
    two = "\n".join(
        f"{cols[0]} {cols[-1]}" if len(cols := line.split()) > 1 else line
        for line in IOB1.splitlines()
    )
    assert import_documents("conll2003", _write(tmp_path, two, "two")) == import_documents(
        "conll2003", _write(tmp_path, IOB1, "four")
    )
    swapped = "\n".join(
        " ".join([c[0], c[3], c[1], c[2]]) if len(c := line.split()) == 4 else line
        for line in IOB1.splitlines()
    )
    docs = import_documents("conll2003", _write(tmp_path, swapped, "swapped"), tag_column=1)
    assert [m.text for m in docs[1].mentions] == ["TROMSO", "Hamar", "Kongsberg"]


def test_every_malformed_line_is_reported_at_once(tmp_path):
    text = IOB1.replace("backs VBZ B-VP O", "backs").replace("ferries NNS I-NP O", "ferries")
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, text))
    assert [(p.code, p.line) for p in info.value.problems] == [
        ("conll-malformed-line", 4),
        ("conll-malformed-line", 10),
    ]


def test_a_malformed_tag_is_located(tmp_path):
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, IOB1.replace("I-PER\n\n", "E-PER\n\n")))
    (problem,) = info.value.problems
    assert problem.code == "iob2-invalid" and problem.line == 14
    assert "malformed NER tag 'E-PER'" in problem.message


def test_labels_outside_the_inventory_are_reported_with_the_tag_errors_of_their_document(
    tmp_path,
):
    # Line 3 continues nothing (strict IOB2); the document is not built, so the schema
    # never sees its labels: they are checked on the tags, one problem per chunk.
    text = IOB2.replace("Oslo NNP B-NP B-ORG", "Oslo NNP B-NP I-ORG")
    text = text.replace("Danish JJ B-NP B-MISC", "Danish JJ B-NP B-MISCC")
    text = text.replace(
        "Anna NNP B-NP B-PER\nLindqvist NNP I-NP I-PER",
        "Anna NNP B-NP B-PERS\nLindqvist NNP I-NP I-PERS",
    )
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, text), scheme="iob2")
    assert [(p.code, p.line, p.document) for p in info.value.problems] == [
        ("iob2-invalid", 3, "doc-1"),
        ("schema-enum", 5, "doc-1"),
        ("schema-enum", 13, "doc-1"),
    ]
    assert info.value.problems[2].message == (
        "'PERS' is not a label of the conll2003 inventory (did you mean 'PER'?)"
    )


def test_a_label_outside_the_inventory_is_located_at_its_line(tmp_path):
    path = _write(tmp_path, IOB1.replace("I-LOC", "I-GPE"))
    with pytest.raises(DataError) as info:
        import_documents("conll2003", path)
    (problem,) = info.value.problems
    assert problem.code == "schema-enum" and problem.line == 18
    assert "not a label of the conll2003 inventory" in problem.message
    # Under an inventory that declares GPE the same file imports.
    mine = inventory_from_dict(
        {
            "name": "mine",
            "entity_types": ["PER", "ORG", "LOC", "MISC", "GPE"],
            "mention_types": ["NAM"],
        }
    )
    docs = import_documents("conll2003", path, inventory=mine)
    assert docs[1].mentions[0].type == "GPE"


def test_an_empty_document_is_reported(tmp_path):
    text = "-DOCSTART- -X- -X- O\n\n" + IOB1
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, text))
    (problem,) = info.value.problems
    assert problem.code == "conll-empty-document" and problem.line == 1
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, IOB1 + "\n-DOCSTART- -X- -X- O\n"))
    assert info.value.problems[0].code == "conll-empty-document"


def test_unreadable_input_is_a_located_problem(tmp_path):
    path = tmp_path / "latin1"
    path.write_bytes(IOB1.replace("Lindqvist", "Lindqv\u00efst").encode("latin-1"))
    with pytest.raises(DataError) as info:
        import_documents("conll2003", path)
    assert (info.value.problems[0].code, info.value.problems[0].line) == ("invalid-utf8", 14)
    with pytest.raises(DataError) as info:
        import_documents("conll2003", _write(tmp_path, "\n\n", "blank"))
    assert info.value.problems[0].code == "file-empty"
    with pytest.raises(DataError) as info:
        import_documents("conll2003", tmp_path / "absent")
    assert info.value.problems[0].code == "file-not-found"


def _random_tags(rng: random.Random, n: int) -> list[str]:
    tags = []
    for _ in range(n):
        kind = rng.choice(["O", "O", "B", "I"])
        tags.append("O" if kind == "O" else f"{kind}-{rng.choice(['PER', 'ORG', 'LOC', 'MISC'])}")
    return tags


def _conll(sentences: list[list[str]]) -> str:
    lines = ["-DOCSTART- -X- -X- O", ""]
    for number, tags in enumerate(sentences):
        lines += [f"w{number}x{i} {tag}" for i, tag in enumerate(tags)] + [""]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(20))
def test_entity_strict_f1_equals_seqeval_on_random_files(tmp_path, seed):
    rng = random.Random(seed)
    gold_tags = [_random_tags(rng, rng.randint(1, 12)) for _ in range(rng.randint(1, 6))]
    pred_tags = [
        [t if rng.random() < 0.6 else _random_tags(rng, 1)[0] for t in tags] for tags in gold_tags
    ]
    gold = import_documents("conll2003", _write(tmp_path, _conll(gold_tags), "g"))
    pred = import_documents(
        "conll2003", _write(tmp_path, _conll(pred_tags), "p"), kind="prediction"
    )
    report = score_documents(
        pair_documents(gold, pred),
        ScoringConfig(n_resamples=10, inventory=load_inventory("conll2003")),
        layers=["mentions"],
    )
    expected = f1_score(gold_tags, pred_tags)  # seqeval's default (conlleval) reading
    assert report["headline"]["entities.strict"]["f1"] == pytest.approx(expected, abs=1e-12)


def test_the_command_line_imports_and_scores_under_the_conll2003_inventory(tmp_path, capsys):
    gold = _write(tmp_path, IOB1, "gold.conll")
    pred = _write(
        tmp_path,
        IOB1.replace("I-MISC", "I-PER").replace(
            "Kongsberg NNP I-NP B-ORG", "Kongsberg NNP I-NP I-ORG"
        ),
        "pred.conll",
    )
    gold_jsonl, pred_jsonl = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    assert main(["import", "--format", "conll2003", str(gold), "--out", str(gold_jsonl)]) == 0
    assert (
        main(
            [
                "import",
                "--format",
                "conll2003",
                "--kind",
                "prediction",
                str(pred),
                "--out",
                str(pred_jsonl),
            ]
        )
        == 0
    )
    out = tmp_path / "report.json"
    args = ["score", "--gold", str(gold_jsonl), "--pred", str(pred_jsonl), "--out", str(out)]
    assert main([*args, "--inventory", "conll2003"]) == 0
    report = json.loads(out.read_text("utf-8"))
    assert "|inventory:conll2003@" in report["signature"]
    strict = report["headline"]["entities.strict"]
    # gold: Oslo Danish Finnish Anna-Lindqvist TROMSO Hamar Kongsberg (7); predicted: Danish and
    # Finnish as PER, Hamar Kongsberg as one ORG (6 spans): 3 correct (Oslo, Anna Lindqvist,
    # TROMSO).
    assert Fraction(strict["precision"]).limit_denominator(100) == Fraction(3, 6)
    assert Fraction(strict["recall"]).limit_denominator(100) == Fraction(3, 7)
    assert report["headline"]["entities.NAM.strict"]["f1"] == strict["f1"]
    assert list(report["layers"]["skipped"]) == ["coreference.entities"]
    capsys.readouterr()
    assert main(args) == 1  # without the inventory, MISC is no newsbench label
    assert "not a label of the newsbench inventory" in capsys.readouterr().err
    assert (
        main(
            [
                "import",
                "--format",
                "brat",
                str(gold),
                "--out",
                str(tmp_path / "x.jsonl"),
                "--inventory",
                "conll2003",
            ]
        )
        == 2
    )


def test_a_token_holding_a_no_break_space_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "nbsp.txt"
    path.write_text("-DOCSTART- -X- -X- O\n\nNew\u00a0York NNP B-NP B-LOC\nsaid VBD B-VP O\n")
    (doc,) = import_documents("conll2003", path)
    assert doc.text == "New\u00a0York said"
    assert [(m.text, m.type) for m in doc.mentions] == [("New\u00a0York", "LOC")]


def test_a_line_with_a_column_too_many_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "space.txt"
    path.write_text("-DOCSTART- -X- -X- O\n\nNew York NNP B-NP B-LOC\nsaid VBD B-VP O\n"
                    "it PRP B-NP O\n")  # fmt: skip
    with pytest.raises(DataError) as caught:
        import_documents("conll2003", path)
    assert [(p.code, p.line, p.message) for p in caught.value.problems] == [
        (
            "conll-malformed-line",
            3,
            "the line has 5 columns where the file's token lines have 4: 'New York NNP B-NP B-LOC'",
        )
    ]


def test_strict_iob2_reports_every_unopened_entity_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(
        "a NN B-NP I-PER\nb NN B-NP O\nc NN B-NP I-LOC\nd NN B-NP B-ORG\ne NN B-NP I-ORG\n"
    )
    with pytest.raises(DataError) as caught:
        import_documents("conll2003", path, scheme="iob2")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (1, "invalid IOB2: 'I-PER' continues no entity (at a sentence's start)"),
        (3, "invalid IOB2: 'I-LOC' continues no entity (after 'O')"),
    ]
