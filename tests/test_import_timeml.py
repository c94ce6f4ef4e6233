"""``newsbench import --format timeml``: TIMEX3 and events of ``.tml`` files, scored end to end."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from newsbench.corpus.interchange import import_documents
from newsbench.schema.problems import DataError
from tests.importing import import_and_score

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "interchange" / "samples"

TML = (Path(__file__).resolve().parent / "fixtures" / "timeml" / "doc_a.tml").read_text("utf-8")


def _write(tmp_path: Path, text: str, name: str = "a.tml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_text_timexes_events_and_dct_come_from_the_markup(tmp_path):
    (doc,) = import_documents("timeml", _write(tmp_path, TML))
    assert doc.id == "doc_a"
    assert doc.text == "\nTalks resumed on Monday & will\ncontinue for two days.\n"
    assert doc.metadata is not None and doc.metadata.dct == "2024-06-03"
    assert doc.metadata.source_file == "a.tml"
    assert [(t.id, t.text, t.type, t.value) for t in doc.time_expressions] == [
        ("t1", "Monday", "DATE", "2024-06-03"),
        ("t2", "two days", "DURATION", "P2D"),
    ]
    assert [(e.id, e.trigger.text, e.type, e.arguments) for e in doc.events] == [
        ("e1", "resumed", "OCCURRENCE", ()),
        ("e2", "continue", "ASPECTUAL", ()),
    ]
    assert doc.mentions is None and doc.attributions is None
    assert all(e.realis is None and e.hopper is None for e in doc.events)


def test_a_folder_imports_every_tml_file_in_name_order(tmp_path):
    _write(tmp_path, TML.replace("doc_a", "doc_b"), "b.tml")
    _write(tmp_path, TML, "a.tml")
    _write(tmp_path, "not TimeML", "notes.txt")
    assert [d.id for d in import_documents("timeml", tmp_path)] == ["doc_a", "doc_b"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError) as info:
        import_documents("timeml", empty)
    assert info.value.problems[0].code == "file-empty"


def test_without_docid_or_full_dct(tmp_path):
    text = TML.replace("<DOCID>doc_a</DOCID>\n", "").replace(
        'value="2024-06-03" functionInDocument', 'value="2024-06" functionInDocument'
    )
    (doc,) = import_documents("timeml", _write(tmp_path, text, "wsj_0001.tml"))
    assert doc.id == "wsj_0001" and doc.metadata is None


def test_malformed_xml_is_located(tmp_path):
    with pytest.raises(DataError) as info:
        import_documents("timeml", _write(tmp_path, TML.replace("</EVENT> on", "</EVNT> on")))
    (problem,) = info.value.problems
    assert problem.code == "xml-malformed" and problem.line == 6
    assert "mismatched tag" in problem.message


def test_a_file_without_text_is_refused(tmp_path):
    with pytest.raises(DataError) as info:
        import_documents("timeml", _write(tmp_path, "<TimeML><DOCID>x</DOCID></TimeML>"))
    assert info.value.problems[0].code == "timeml-no-text"


def test_labels_and_values_are_validated_at_their_lines(tmp_path):
    text = TML.replace('type="DURATION" value="P2D"', 'type="DURATON" value="2 days"')
    text = text.replace('class="ASPECTUAL"', 'class="ASPECT"')
    with pytest.raises(DataError) as info:
        import_documents("timeml", _write(tmp_path, text))
    found = {(p.code, p.line, p.path) for p in info.value.problems}
    assert found == {
        ("schema-enum", 7, "/time_expressions/1/type"),
        ("schema-pattern", 7, "/time_expressions/1/value"),
        ("schema-enum", 7, "/events/1/type"),
    }
    assert any("did you mean 'DURATION'" in p.message for p in info.value.problems)


def test_samples_score_end_to_end_from_the_command_line_and_the_api(tmp_path):
    gold, system = SAMPLES / "timeml-gold.tml", SAMPLES / "timeml-system.tml"
    report = import_and_score(tmp_path, "timeml", gold, system, "timeml")
    assert report["layers"]["scored"] == ["time_expressions", "events"]
    assert set(report["layers"]["skipped"]) == {
        "events.realis",
        "coreference.events",
        "events.arguments",
    }
    assert not [m for m in report["metrics"] if m.startswith("events.arg_")]
    head = report["headline"]
    # 5 TIMEX3: "next week" predicted as "week" (relaxed only) with the wrong value.
    assert Fraction(head["timex.strict"]["f1"]).limit_denominator(100) == Fraction(4, 5)
    assert head["timex.relaxed"]["f1"] == 1.0
    # 4 events, 3 predicted (no "last"); "begin" predicted OCCURRENCE instead of ASPECTUAL.
    assert Fraction(head["events.trigger_id"]["recall"]).limit_denominator(100) == Fraction(3, 4)
    assert Fraction(head["events.trigger_cls"]["precision"]).limit_denominator(100) == Fraction(
        2, 3
    )


def test_what_the_importer_would_have_to_guess_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "guess.tml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE TimeML [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
        "<TimeML><DOCID>d1</DOCID>\n"
        '<TEXT>The &x; authority <EVENT class="OCCURRENCE">met</EVENT> '
        '<TIMEX3 type="DATE" value="2024-01-02">Tuesday</TIMEX3>.</TEXT>\n'
        "<TEXT>again</TEXT>\n</TimeML>\n"
    )
    with pytest.raises(DataError) as caught:
        import_documents("timeml", path)
    assert [(p.code, p.line, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("timeml-malformed", 4, "the external entity &x; (never read)"),
        ("timeml-malformed", 4, "a <EVENT> without its eid"),
        ("timeml-malformed", 4, "a <TIMEX3> without its tid"),
        ("timeml-malformed", 5, "a second <TEXT> (the first is on line 4)"),
    ]
