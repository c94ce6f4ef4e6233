"""``newsbench import --format ace2005``: APF XML with its .sgm source, scored end to end."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from newsbench.corpus.interchange import import_documents
from newsbench.corpus.interchange.ace import source_text, timex3_of
from newsbench.schema.problems import DataError
from tests.importing import import_and_score

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "interchange" / "samples"
NAME = "NB_SAMPLE_20250314.0001"


@pytest.fixture
def gold_dir(tmp_path) -> Path:
    target = tmp_path / "gold"
    shutil.copytree(SAMPLES / "ace2005-gold", target)
    return target


def _apf(folder: Path) -> Path:
    return folder / f"{NAME}.apf.xml"


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), "utf-8")


def test_the_sample_imports_every_layer_with_offsets_from_the_charseqs(gold_dir):
    (doc,) = import_documents("ace2005", _apf(gold_dir))
    sgm = (gold_dir / f"{NAME}.sgm").read_text("utf-8")
    assert doc.id == NAME and doc.text == source_text(sgm, decode_entities=False)
    assert doc.metadata is not None and doc.metadata.dct == "2025-03-14"
    by_id = {m.id.rsplit("-", 2)[-2] + "-" + m.id.rsplit("-", 1)[-1]: m for m in doc.mentions}
    officers = by_id["E1-1"]
    assert (officers.text, officers.type, officers.mention_type) == (
        "Norwegian coast guard officers",
        "PER",
        "NOM",
    )
    assert officers.entity == f"{NAME}-E1" and by_id["E1-2"].entity == f"{NAME}-E1"
    crime = by_id["V1-1"]
    assert (crime.text, crime.type, crime.mention_type) == ("illegal fishing", "Crime", None)
    assert [(t.text, t.type, t.value) for t in doc.time_expressions] == [
        ("Friday", "DATE", "2025-03-14"),
        ("two days later", "DATE", "2025-03-16"),
    ]
    arrest, release = doc.events
    assert (arrest.type, arrest.trigger.text, arrest.hopper) == (
        "Justice.Arrest-Jail",
        "arrested",
        f"{NAME}-EV1",
    )
    assert [a.role for a in arrest.arguments] == ["Agent", "Person", "Crime"]
    assert [a.role for a in release.arguments] == ["Person", "Time-Within"]
    assert all(doc.text[m.start : m.end] == m.text for m in doc.mentions)


def test_heads_instead_of_extents(gold_dir):
    (doc,) = import_documents("ace2005", _apf(gold_dir), mention_span="head")
    texts = {m.id.split("-", 1)[1]: m.text for m in doc.mentions}
    assert texts["E1-1"] == "officers" and texts["E8-1"] == "court"
    assert texts["V1-1"] == "illegal fishing"  # values have no head: their extent


def test_timex2_values_map_onto_timex3_where_they_can():
    assert timex3_of("2003-03-04", None) == ("DATE", "2003-03-04")
    assert timex3_of("2003-03-04T10:00", None) == ("TIME", "2003-03-04T10:00")
    assert timex3_of("2003-03-04TMO", None) == ("TIME", "2003-03-04TMO")
    assert timex3_of("P3D", None) == ("DURATION", "P3D")
    assert timex3_of("P1W", "YES") == ("SET", "P1W")
    assert timex3_of("PRESENT_REF", None) == ("DATE", "PRESENT_REF")
    assert timex3_of("2003-W10", None) == ("DATE", "2003-W10")
    assert timex3_of(None, None) is None
    assert timex3_of("recently", None) is None


def test_a_timex2_without_a_value_is_left_out_with_a_note(gold_dir):
    _edit(_apf(gold_dir), 'VAL="2025-03-16"', "")
    notes: list[str] = []
    (doc,) = import_documents("ace2005", _apf(gold_dir), notes=notes)
    assert [t.text for t in doc.time_expressions] == ["Friday"]
    assert [a.role for a in doc.events[1].arguments] == ["Person"]
    assert notes == [
        f"{NAME}.apf.xml: left out 1 TIMEX2 without a TIMEX3 value",
        f"{NAME}.apf.xml: left out 1 event arguments that refer to a left-out TIMEX2",
    ]


def test_entities_in_the_source_are_read_as_the_offsets_count_them(gold_dir):
    sgm = gold_dir / f"{NAME}.sgm"
    # "&amp;" in the source, and offsets that count it as one character ("&"):
    _edit(sgm, "a spokesman said", "a spokesman &amp; aide said")
    apf = _apf(gold_dir)
    text = apf.read_text("utf-8")
    decoded = source_text(sgm.read_text("utf-8"), decode_entities=True)
    start = decoded.index("The officers")
    edit_at = decoded.index("& aide")

    def shift(match: re.Match[str]) -> str:  # charseqs after the edit move by len(" & aide")
        s, e = int(match.group(1)), int(match.group(2))
        if s > edit_at:
            s, e = s + 7, e + 7
        return f'START="{s}" END="{e}"'

    apf.write_text(re.sub(r'START="(\d+)" END="(\d+)"', shift, text), "utf-8")
    (doc,) = import_documents("ace2005", apf)
    assert "a spokesman & aide said" in doc.text
    assert doc.text.index("The officers") == start


def test_a_charseq_that_differs_from_the_source_is_located(gold_dir):
    _edit(_apf(gold_dir), ">a spokesman<", ">a spokeswoman<")
    with pytest.raises(DataError) as info:
        import_documents("ace2005", _apf(gold_dir))
    (problem,) = info.value.problems
    assert problem.code == "span-text-mismatch" and problem.line is not None
    assert "'a spokesman'" in problem.message and "'a spokeswoman'" in problem.message


def test_malformed_and_incomplete_inputs(gold_dir, tmp_path):
    apf = _apf(gold_dir)
    original = apf.read_text("utf-8")
    _edit(apf, "</entity_mention>", "</entity_mentio>")
    with pytest.raises(DataError) as info:
        import_documents("ace2005", apf)
    assert info.value.problems[0].code == "xml-malformed" and info.value.problems[0].line
    apf.write_text(original, "utf-8")
    _edit(apf, '<head><charseq START="206" END="213">officers</charseq></head>', "<head/>")
    with pytest.raises(DataError) as info:
        import_documents("ace2005", apf, mention_span="head")
    (problem,) = info.value.problems
    assert problem.code == "ace-malformed" and "E1-2" in problem.message
    apf.write_text(original.replace('START="202" END="213"', 'START="x" END="213"'), "utf-8")
    with pytest.raises(DataError) as info:
        import_documents("ace2005", apf)
    assert info.value.problems[0].code == "ace-malformed"
    apf.write_text(original, "utf-8")
    (gold_dir / f"{NAME}.sgm").unlink()
    with pytest.raises(DataError) as info:
        import_documents("ace2005", apf)
    assert info.value.problems[0].code == "file-not-found"
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError) as info:
        import_documents("ace2005", tmp_path / "empty")
    assert info.value.problems[0].code == "file-empty"
    no_document = tmp_path / "x.apf.xml"
    no_document.write_text("<source_file/>", "utf-8")
    (tmp_path / "x.sgm").write_text("<DOC>x</DOC>", "utf-8")
    with pytest.raises(DataError) as info:
        import_documents("ace2005", no_document)
    assert info.value.problems[0].code == "ace-malformed"


def test_labels_outside_the_inventory_are_located(gold_dir):
    _edit(_apf(gold_dir), 'SUBTYPE="Arrest-Jail"', 'SUBTYPE="Arrest"')
    with pytest.raises(DataError) as info:
        import_documents("ace2005", _apf(gold_dir))
    (problem,) = info.value.problems
    assert problem.code == "schema-enum" and problem.path == "/events/0/type"
    assert "did you mean 'Justice.Arrest-Jail'" in problem.message and problem.line


def test_the_samples_score_end_to_end(tmp_path):
    gold = SAMPLES / "ace2005-gold" / f"{NAME}.apf.xml"
    report = import_and_score(tmp_path, "ace2005", gold, SAMPLES / "ace2005-system", "ace2005")
    assert report["layers"]["coreference"] == ["entities", "events"]
    head = report["headline"]
    # 14 gold mentions; the system misses "its" and types "the court in Tromso" GPE.
    assert head["entities.strict"]["recall"] == pytest.approx(12 / 14)
    assert head["entities.exact"]["recall"] == pytest.approx(13 / 14)
    # 5 gold arguments; the system misses the Crime argument.
    assert head["events.arg_cls"]["recall"] == pytest.approx(4 / 5)
    assert head["events.trigger_cls"]["f1"] == 1.0


def test_a_source_with_crlf_line_ends_keeps_its_offsets(tmp_path: Path) -> None:
    folder = tmp_path / "crlf"
    shutil.copytree(SAMPLES / "ace2005-gold", folder)
    (sgm,) = folder.glob("*.sgm")
    (apf,) = folder.glob("*.apf.xml")
    raw = sgm.read_bytes().decode("utf-8")
    plain = re.sub(r"<[^>]*>", "", raw)

    def shifted(match: re.Match[str]) -> str:  # each LF before an offset gains a CR
        start, end = (
            int(match.group(k)) + plain[: int(match.group(k))].count("\n") for k in (1, 2)
        )
        return f'START="{start}" END="{end}"'

    sgm.write_bytes(raw.replace("\n", "\r\n").encode("utf-8"))
    apf.write_text(re.sub(r'START="(\d+)" END="(\d+)"', shifted, apf.read_text("utf-8")), "utf-8")
    (with_lf,) = import_documents("ace2005", SAMPLES / "ace2005-gold")
    (with_crlf,) = import_documents("ace2005", folder)
    assert "\r\n" in with_crlf.text
    assert [(m.text, m.type) for m in with_crlf.layer("mentions")] == [
        (m.text, m.type) for m in with_lf.layer("mentions")
    ]


def test_a_span_across_a_crlf_line_end_matches_its_charseq(tmp_path: Path) -> None:
    # XML parsers read the APF's line ends as LF (XML 1.0, 2.11): a charseq across a line
    # break says "guard\nofficers" where the CRLF source holds "guard\r\nofficers".
    spans = {}
    for ends in ("lf", "crlf"):
        folder = tmp_path / ends
        shutil.copytree(SAMPLES / "ace2005-gold", folder)
        (sgm,) = folder.glob("*.sgm")
        (apf,) = folder.glob("*.apf.xml")
        raw = sgm.read_text("utf-8").replace("coast guard officers", "coast guard\nofficers")
        text = apf.read_text("utf-8").replace(
            ">Norwegian coast guard officers<", ">Norwegian coast guard\nofficers<"
        )
        if ends == "crlf":  # each LF before an offset gains a CR
            plain = re.sub(r"<[^>]*>", "", raw)

            def moved(match: re.Match[str], plain: str = plain) -> str:
                start, end = (
                    int(match.group(k)) + plain[: int(match.group(k))].count("\n") for k in (1, 2)
                )
                return f'START="{start}" END="{end}"'

            text = re.sub(r'START="(\d+)" END="(\d+)"', moved, text)
            raw = raw.replace("\n", "\r\n")
        sgm.write_bytes(raw.encode("utf-8"))
        apf.write_text(text, "utf-8")
        (document,) = import_documents("ace2005", folder)
        spans[ends] = [m.text for m in document.layer("mentions")]
    assert "Norwegian coast guard\r\nofficers" in spans["crlf"]
    assert [t.replace("\r\n", "\n") for t in spans["crlf"]] == spans["lf"]
