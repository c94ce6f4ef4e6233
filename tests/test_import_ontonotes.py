"""``newsbench import --format ontonotes``: CoNLL-2012 named entities, scored end to end."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from newsbench.corpus.interchange import import_documents
from newsbench.schema.problems import DataError
from tests.importing import import_and_score

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "interchange" / "samples"
GOLD = SAMPLES / "ontonotes-gold.conll"
SYSTEM = SAMPLES / "ontonotes-system.conll"


def _write(tmp_path: Path, text: str, name: str = "x.conll") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_parts_become_documents_with_named_entities():
    (doc,) = import_documents("ontonotes", GOLD)
    assert doc.id == "nb:sample:00:nb_0001-000"
    assert doc.text.splitlines() == [
        "The Bergen port authority reopened the ferry terminal on Tuesday .",
        "About 300 Norwegian passengers waited .",
    ]
    assert [(m.id, m.text, m.type, m.mention_type) for m in doc.mentions] == [
        ("m1", "Bergen port authority", "ORG", "NAM"),
        ("m2", "Tuesday", "DATE", "NAM"),
        ("m3", "About 300", "CARDINAL", "NAM"),
        ("m4", "Norwegian", "NORP", "NAM"),
    ]
    assert [s.text for s in doc.sentences] == doc.text.splitlines()
    assert doc.events is None and all(m.entity is None for m in doc.mentions)


def test_several_parts_and_one_word_brackets(tmp_path):
    text = GOLD.read_text("utf-8")
    second = text.replace("part 000", "part 001").replace("(DATE)", "(DATE*)")
    (a, b) = import_documents("ontonotes", _write(tmp_path, text + second))
    assert (a.id, b.id) == ("nb:sample:00:nb_0001-000", "nb:sample:00:nb_0001-001")
    assert [m.text for m in a.mentions] == [m.text for m in b.mentions]


def test_every_malformed_line_is_located(tmp_path):
    lines = GOLD.read_text("utf-8").splitlines()
    lines[1] = lines[1].replace("Speaker#1\t*", "Speaker#1\t(ORG")  # a malformed bracket
    lines[16] = "nb/sample/00/nb_0001\t0\t3\tpassengers"  # too few columns
    lines[17] = lines[17].replace("Speaker#1\t*", "Speaker#1\t*)")  # closes nothing
    with pytest.raises(DataError) as info:
        import_documents("ontonotes", _write(tmp_path, "\n".join(lines) + "\n"))
    found = sorted((p.code, p.line) for p in info.value.problems)
    assert found == [
        ("ontonotes-malformed", 2),
        ("ontonotes-malformed", 17),
        ("ontonotes-malformed", 18),
    ]


def test_unclosed_entities_headers_and_labels(tmp_path):
    text = GOLD.read_text("utf-8")
    with pytest.raises(DataError) as info:
        import_documents("ontonotes", _write(tmp_path, text.replace("*)\t*\t-\n", "*\t*\t-\n", 1)))
    messages = [p.message for p in info.value.problems]
    assert any("not closed" in m for m in messages)
    assert any("opens an entity inside the ORG" in m for m in messages)
    with pytest.raises(DataError) as info:
        import_documents("ontonotes", _write(tmp_path, text.replace("#end document\n", "")))
    assert "no #end document" in info.value.problems[0].message
    with pytest.raises(DataError) as info:
        import_documents("ontonotes", _write(tmp_path, text.replace("; part 000", " part")))
    assert info.value.problems[0].code == "ontonotes-malformed"
    with pytest.raises(DataError) as info:
        import_documents("ontonotes", _write(tmp_path, text.replace("(NORP)", "(NROP)")))
    (problem,) = info.value.problems
    assert problem.code == "schema-enum" and problem.line == 16
    assert "did you mean 'NORP'" in problem.message
    with pytest.raises(DataError) as info:
        import_documents("ontonotes", _write(tmp_path, "\n"))
    assert info.value.problems[0].code == "file-empty"


def test_the_samples_score_end_to_end(tmp_path):
    report = import_and_score(tmp_path, "ontonotes", GOLD, SYSTEM, "ontonotes5")
    strict = report["headline"]["entities.strict"]
    # Gold ORG "Bergen port authority", DATE, CARDINAL, NORP; the system splits the ORG into
    # GPE "Bergen" + ORG "port authority" and misses the DATE: 2 of 4 right, 2 of 4 predicted.
    assert Fraction(strict["precision"]).limit_denominator(10) == Fraction(1, 2)
    assert Fraction(strict["recall"]).limit_denominator(10) == Fraction(1, 2)
