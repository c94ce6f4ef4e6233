"""Interchange formats: export -> import round trips through the validator, broken inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbench.corpus import gold_path
from newsbench.corpus.interchange import export_documents, import_documents
from newsbench.corpus.interchange.brat import annotation_conf, document_to_brat
from newsbench.corpus.interchange.conll import iob2_mentions
from newsbench.schema.model import (
    Attribution,
    Document,
    Event,
    Mention,
    Span,
    document_to_dict,
)
from newsbench.schema.problems import DataError
from newsbench.schema.validate import load_documents
from tests.path_like import PathLike


@pytest.fixture(scope="module")
def gold() -> list[Document]:
    return load_documents(gold_path("validation"))


def _dicts(documents: list[Document]) -> list[dict]:
    return [document_to_dict(d) for d in documents]


def _codes(error: pytest.ExceptionInfo[DataError]) -> list[str]:
    return [p.code for p in error.value.problems]


def _clusters(doc: Document) -> list[list[tuple[int, int]]]:
    found: dict[str | None, set[tuple[int, int]]] = {}
    for m in doc.layer("mentions"):
        found.setdefault(m.entity, set()).add((m.start, m.end))
    return sorted(sorted(c) for c in found.values())


# --- BRAT ------------------------------------------------------------------------------


def test_brat_round_trip_is_exact(gold, tmp_path):
    files = export_documents("brat", gold, tmp_path)
    names = sorted(p.name for p in files)
    assert names == sorted(
        [f"{gold[0].id}.txt", f"{gold[0].id}.ann", "annotation.conf", "visual.conf"]
    )
    assert (tmp_path / f"{gold[0].id}.txt").read_text("utf-8") == gold[0].text
    assert _dicts(import_documents("brat", tmp_path)) == _dicts(gold)
    # a single .ann file works too
    assert _dicts(import_documents("brat", tmp_path / f"{gold[0].id}.ann")) == _dicts(gold)


def test_brat_ann_uses_brat_syntax(gold):
    _, ann = document_to_brat(gold[0])
    lines = ann.splitlines()
    assert "T" in lines[0] and lines[0].split("\t")[1].startswith("Document ")
    mention = gold[0].mentions[0]
    t_line = next(
        line
        for line in lines
        if line.endswith(f"\t{mention.text}")
        and f" {mention.type} " in f" {line.split(chr(9))[1]} "
    )
    tid = t_line.split("\t")[0]
    assert f"MentionType {tid} {mention.mention_type}" in ann
    assert f"AnnotatorNotes {tid}\tid={mention.id} entity={mention.entity}" in ann
    assert any(line.startswith("E1\t") and ":T" in line for line in lines)
    assert any(line.startswith("R") and "\tHead Arg1:T" in line for line in lines)
    assert "[events]" in annotation_conf() and "Conflict.Attack Attacker*:" in annotation_conf()


def _prediction_doc() -> Document:
    text = 'Ann said: "We won\nthe game.\nWe are happy."\nBob agreed.'
    q1 = text.index('"We')
    q_end = text.index("game.") + len("game.")
    q2 = text.index("We are")
    q2_end = text.index('happy."') + len('happy."')
    return Document(
        id="pred:1",
        text=text,
        mentions=(Mention("m1", 0, 3, "Ann", "PER"),),
        events=None,
        attributions=(
            Attribution(
                id="a1",
                cue=(Span(4, 8, "said"),),
                content=(
                    Span(q1, q_end, text[q1:q_end]),
                    Span(q2, q2_end, text[q2:q2_end]),
                ),
            ),
        ),
        time_expressions=(),
    )


def test_brat_spans_across_line_breaks_and_missing_layers_round_trip(tmp_path):
    doc = _prediction_doc()
    export_documents("brat", [doc], tmp_path)
    ann = (tmp_path / "pred_1.ann").read_text("utf-8")
    assert "spans=2,1" in ann  # the first content span crosses a line break
    back = import_documents("brat", tmp_path, kind="prediction")
    assert _dicts(back) == _dicts([doc])
    assert back[0].events is None and back[0].time_expressions == ()


def test_brat_text_mismatch_and_every_problem_at_once(gold, tmp_path):
    export_documents("brat", gold, tmp_path)
    ann_path = tmp_path / f"{gold[0].id}.ann"
    lines = ann_path.read_text("utf-8").split("\n")
    mention = gold[0].mentions[0]
    bad_text = next(
        i for i, x in enumerate(lines) if x.endswith(f"\t{mention.text}") and "\tGPE " in x
    )
    lines[bad_text] = lines[bad_text][: -len(mention.text)] + "Syrien"
    bad_type = next(i for i, x in enumerate(lines) if "\tPER " in x)
    lines[bad_type] = lines[bad_type].replace("\tPER ", "\tPERSON ", 1)
    ann_path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("brat", tmp_path)
    problems = {p.code: p for p in error.value.problems}
    assert set(problems) >= {"span-text-mismatch", "schema-enum"}
    assert problems["span-text-mismatch"].line == bad_text + 1
    assert problems["span-text-mismatch"].file == str(ann_path)
    assert "Syrien" in problems["span-text-mismatch"].message
    assert problems["schema-enum"].line == bad_type + 1


def test_brat_ann_byte_order_mark_is_no_annotation(gold, tmp_path):
    export_documents("brat", gold[:1], tmp_path)
    ann_path = tmp_path / f"{gold[0].id}.ann"
    ann_path.write_bytes(b"\xef\xbb\xbf" + ann_path.read_bytes())
    assert _dicts(import_documents("brat", tmp_path)) == _dicts(gold[:1])


def test_brat_txt_byte_order_mark_is_named_when_offsets_miss(tmp_path):
    (tmp_path / "d.txt").write_bytes("\ufeffObama met Merkel.".encode())
    (tmp_path / "d.ann").write_text("T1\tPER 0 5\tObama\n", "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("brat", tmp_path)
    (problem,) = error.value.problems
    assert problem.code == "span-text-mismatch" and problem.line == 1
    assert "starts with a byte-order mark (U+FEFF), which brat counts" in problem.fix
    # Offsets that count the mark (as brat's own do) import.
    (tmp_path / "d.ann").write_text("T1\tPER 1 6\tObama\n", "utf-8")
    (doc,) = import_documents("brat", tmp_path)
    assert (doc.mentions[0].start, doc.mentions[0].text) == (1, "Obama")


def _brat_problems(tmp_path: Path, text: str, ann: str, kind: str = "document") -> list:
    (tmp_path / "d.txt").write_text(text, "utf-8")
    (tmp_path / "d.ann").write_text(ann, "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("brat", tmp_path, kind=kind)
    return sorted((p.line, p.code, p.message) for p in error.value.problems)


def test_brat_lines_read_twice_or_not_at_all_are_never_dropped_in_silence(tmp_path):
    ann = (
        "T1\tPER 0 12\tBarack Obama\nA1\tMentionType T1 NAM\nA2\tMentionType T1 NOM\n"
        "A3\tNegated T1\nT2\tGPE 21 26\tParis\nT3\tSource 0 12\tBarack Obama\n"
        "#1\tAnnotatorNotes T2\tid=mx\n#2\tAnnotatorNotes T2\tid=my foo=bar\n"
        "#3\tAnnotatorNotes T99\tid=zz\nR1\tHead Arg1:T2 Arg2:T1\n"
    )
    assert _brat_problems(tmp_path, "Barack Obama visited Paris.", ann) == [
        (3, "brat-conflict", "the attribute MentionType of T1 is already given on line 2"),
        (4, "brat-unread", "the attribute Negated of T1 (a PER) is not read: newsbench has "
         "no such attribute there"),
        (6, "brat-unread", "the Source annotation T3 belongs to no attribution"),
        (8, "brat-conflict", "the note key id of T2 is already given on line 7"),
        (8, "brat-unread", "the note key foo of T2 (a GPE) is not read: newsbench has no "
         "such key there"),
        (9, "dangling-reference", "a note names 'T99', which is no annotation"),
        (10, "brat-unread", "the Head relation of T2 is not read: T2 is no attribution's "
         "Source"),
    ]  # fmt: skip


def test_brat_notes_repeated_in_one_line_empty_or_on_a_refused_line(tmp_path):
    text = "Barack Obama visited Paris."
    repeated = "T1\tPER 0 12\tBarack Obama\n#1\tAnnotatorNotes T1\tid=a id=b\n"
    assert _brat_problems(tmp_path, text, repeated) == [
        (2, "brat-conflict", "the note key id of T1 is already given on line 2"),
    ]
    empty = "T1\tPER 0 12\tBarack Obama\n#1\tAnnotatorNotes T9\t\n"  # raised ValueError
    assert _brat_problems(tmp_path, text, empty) == [
        (2, "dangling-reference", "a note names 'T9', which is no annotation"),
    ]
    on_attribute = (
        "T1\tPER 0 12\tBarack Obama\nA1\tMentionType T1 NAM\n#1\tAnnotatorNotes A1\tx=1\n"
    )
    assert _brat_problems(tmp_path, text, on_attribute) == [
        (3, "dangling-reference", "a note names 'A1', which is no annotation"),
    ]
    refused = "T1\tPER 0 11\tBarack Obama\n#1\tAnnotatorNotes T1\tid=a\n"
    assert [code for _, code, _ in _brat_problems(tmp_path, text, refused)] == [
        "span-text-mismatch"  # and no second problem naming the note
    ]


def test_brat_an_attribution_with_two_sources_is_refused(tmp_path):
    text = "Rebels attacked Homs, officials said."
    ann = (
        "T4\tAttribution 32 36\tsaid\nT5\tSource 22 31\tofficials\n"
        "T6\tSource 0 6\tRebels\nT7\tContent 0 20\tRebels attacked Homs\n"
        "E2\tAttribution:T4 Source:T5 Source:T6 Content:T7\n"
    )
    problems = _brat_problems(tmp_path, text, ann, kind="prediction")
    assert problems == [
        (5, "brat-conflict", "attribution E2 has a second Source argument (T6)"),
    ]


def test_brat_validator_problems_point_at_the_ann_line(gold, tmp_path):
    export_documents("brat", gold, tmp_path)
    ann_path = tmp_path / f"{gold[0].id}.ann"
    lines = ann_path.read_text("utf-8").split("\n")
    event = next(i for i, x in enumerate(lines) if x.startswith("E1\t"))
    target = lines[event].split()[-1].split(":")[1]
    lines[event] = lines[event].replace(f":{target}", ":T99999")
    ann_path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("brat", tmp_path)
    (problem,) = error.value.problems
    assert problem.code == "dangling-reference" and problem.line == event + 1
    assert problem.path.startswith("/events/0/arguments/")


def test_brat_discontinuous_mention_is_a_problem(gold, tmp_path):
    export_documents("brat", gold, tmp_path)
    ann_path = tmp_path / f"{gold[0].id}.ann"
    ann = ann_path.read_text("utf-8")
    ann = ann.replace("\tGPE 0 6\tSyrian", "\tGPE 0 6;14 18\tSyrian said", 1)
    ann_path.write_text(ann, "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("brat", tmp_path)
    assert _codes(error) == ["file-unreadable"]
    assert "discontinuous" in error.value.problems[0].message


# --- CoNLL -----------------------------------------------------------------------------


def test_conll_reference_may_be_any_path_like(gold, tmp_path):
    (path,) = export_documents("conll", gold[:1], tmp_path)
    reference = tmp_path / "reference.jsonl"
    reference.write_text(json.dumps(_dicts(gold[:1])[0]) + "\n", "utf-8")
    by_name = import_documents("conll", path, reference=str(reference))
    assert import_documents("conll", path, reference=PathLike(reference)) == by_name


@pytest.mark.parametrize("fmt", ["oneie", "conll2003", "ontonotes", "conll", "spacy"])
def test_a_folder_given_as_an_input_file_says_so(fmt, tmp_path):
    with pytest.raises(DataError) as caught:
        import_documents(fmt, tmp_path)
    (problem,) = caught.value.problems
    assert problem.code == "file-not-found" and "Is a directory" in problem.message
    assert problem.fix.startswith("name a ") and problem.fix.endswith(
        " inside the folder: a folder is not read"
    )


def test_conll_iob2_round_trip_holds_the_outermost_named_mentions(gold, tmp_path):
    (path,) = export_documents("conll", gold, tmp_path)
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == f"-DOCSTART-\t{gold[0].id}" and lines[2] == "Syrian\tB-GPE"
    back = import_documents("conll", path)
    expected = iob2_mentions(gold[0], ("NAM",))
    assert [(m.start, m.end, m.text, m.type) for m in back[0].mentions] == [
        (m.start, m.end, m.text, m.type) for m in expected
    ]
    # what the format cannot hold: ids (renumbered), clusters, other layers
    assert [m.id for m in back[0].mentions] == [f"m{i}" for i in range(1, len(expected) + 1)]
    assert {m.mention_type for m in back[0].mentions} == {"NAM"}
    assert {m.entity for m in back[0].mentions} == {None}
    assert back[0].events is None and back[0].sentences is None and back[0].text == gold[0].text


def test_conll_mention_types_option(gold, tmp_path):
    (path,) = export_documents("conll", gold, tmp_path, mention_types=("NAM", "NOM", "PRO"))
    back = import_documents("conll", path, mention_type=None)
    expected = iob2_mentions(gold[0], None)
    assert len(back[0].mentions) == len(expected) > len(iob2_mentions(gold[0], ("NAM",)))
    assert {m.mention_type for m in back[0].mentions} == {None}


def test_conll2012_round_trip_holds_every_mention_and_the_clusters(gold, tmp_path):
    (path,) = export_documents("conll2012", gold, tmp_path)
    text = path.read_text("utf-8")
    assert text.startswith(f"#begin document ({gold[0].id}); part 000\n")
    assert text.rstrip().endswith("#end document")
    back = import_documents("conll2012", path)
    key = [(m.start, m.end, m.text, m.type, m.mention_type) for m in gold[0].mentions]
    assert sorted(key) == sorted(
        (m.start, m.end, m.text, m.type, m.mention_type) for m in back[0].mentions
    )
    assert _clusters(back[0]) == _clusters(gold[0])
    assert all(m.entity.startswith("e") for m in back[0].mentions)


def test_conll2012_nested_mentions(tmp_path):
    text = "The mayor of Paris spoke."
    doc = Document(
        id="d1",
        text=text,
        mentions=(
            Mention("m1", 0, 18, "The mayor of Paris", "PER", "NOM", "per-mayor"),
            Mention("m2", 13, 18, "Paris", "GPE", "NAM", "gpe-paris"),
            Mention("m3", 13, 18, "Paris", "LOC", "NAM", "loc-paris"),
        ),
    )
    (path,) = export_documents("conll2012", [doc], tmp_path)
    assert "(PER.NOM\t(0\n" in path.read_text("utf-8")
    back = import_documents("conll2012", path, reference=[doc])
    assert sorted((m.start, m.end, m.type) for m in back[0].mentions) == [
        (0, 18, "PER"),
        (13, 18, "GPE"),
        (13, 18, "LOC"),
    ]
    assert _clusters(back[0]) == _clusters(doc)


def test_conll_tokens_that_do_not_match_the_text(gold, tmp_path):
    (path,) = export_documents("conll", gold, tmp_path)
    lines = path.read_text("utf-8").split("\n")
    lines[4] = "sayd\tO"
    path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("conll", path)
    problem = error.value.problems[0]
    assert problem.code == "token-text-mismatch" and problem.line == 5
    assert problem.file == str(path)


def test_conll2012_tokens_that_do_not_match_the_text(gold, tmp_path):
    (path,) = export_documents("conll2012", gold, tmp_path)
    lines = path.read_text("utf-8").split("\n")
    lines[3] = lines[3].replace("\tsaid\t", "\tsayd\t")
    lines[-3] = lines[-3].replace("-\t-", "(GPE.NAM)\t(XX")  # also a broken bracket at the end
    path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("conll2012", path)
    assert _codes(error) == ["token-text-mismatch"]
    assert error.value.problems[0].line == 4


def test_conll2012_unclosed_bracket(gold, tmp_path):
    (path,) = export_documents("conll2012", gold, tmp_path)
    text = path.read_text("utf-8").replace("\t(GPE.NAM)\t(0)\n", "\t(GPE.NAM\t(0\n", 1)
    path.write_text(text, "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("conll2012", path)
    assert set(_codes(error)) == {"conll-malformed-line"}
    assert {p.line for p in error.value.problems} == {2}


def test_export_refuses_spans_off_token_boundaries(tmp_path):
    doc = Document(id="d1", text="abc def", mentions=(Mention("m1", 1, 3, "bc", "PER", "NAM"),))
    with pytest.raises(ValueError, match="token boundaries"):
        export_documents("conll2012", [doc], tmp_path)


def test_export_event_only_document(tmp_path):
    doc = Document(
        id="d1",
        text="They attacked.",
        events=(Event("ev1", "Conflict.Attack", Span(5, 13, "attacked")),),
    )
    export_documents("brat", [doc], tmp_path)
    assert _dicts(import_documents("brat", tmp_path, kind="prediction")) == _dicts([doc])
    assert json.dumps(document_to_dict(doc))  # JSON-safe


def test_gold_is_untouched_by_exports(gold, tmp_path):
    before = Path(gold_path("validation")).read_bytes()
    export_documents("brat", gold, tmp_path)
    assert Path(gold_path("validation")).read_bytes() == before


# --- spaCy DocBin ----------------------------------------------------------------------


def test_docbin_round_trip_is_exact(gold, tmp_path):
    pytest.importorskip("spacy")
    (path,) = export_documents("spacy", gold, tmp_path, stem="test")
    assert path.name == "test.spacy"
    assert _dicts(import_documents("spacy", path)) == _dicts(gold)


def test_docbin_layout(gold, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    (path,) = export_documents("spacy", gold, tmp_path)
    (doc,) = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
    assert doc.text == gold[0].text and doc.user_data["id"] == gold[0].id
    named = iob2_mentions(gold[0], ("NAM",))
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
        (m.start, m.end, m.type) for m in named
    ]
    assert len(doc.spans["mentions"]) == len(gold[0].mentions)
    assert len(doc.spans["timex"]) == len(gold[0].time_expressions)
    assert doc.user_data["events"][0]["id"] == gold[0].events[0].id
    json.dumps({k: v for k, v in doc.user_data.items() if isinstance(k, str)})


def test_docbin_missing_layer_and_mismatched_user_data(tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    doc = _prediction_doc()
    (path,) = export_documents("spacy", [doc], tmp_path)
    assert _dicts(import_documents("spacy", path, kind="prediction")) == _dicts([doc])
    (sdoc,) = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
    sdoc.user_data["mentions"] = []
    broken = DocBin(store_user_data=True)
    broken.add(sdoc)
    broken.to_disk(tmp_path / "broken.spacy")
    with pytest.raises(DataError) as error:
        import_documents("spacy", tmp_path / "broken.spacy", kind="prediction")
    assert _codes(error) == ["span-group-missing"]
    assert error.value.problems[0].document == "pred:1"


# --- Label Studio ----------------------------------------------------------------------


def test_labelstudio_round_trip_is_exact(gold, tmp_path):
    tasks_path, config = export_documents("labelstudio", gold, tmp_path)
    tasks = json.loads(tasks_path.read_text("utf-8"))
    assert tasks[0]["data"]["id"] == gold[0].id and "annotations" in tasks[0]
    result = tasks[0]["annotations"][0]["result"]
    assert {r["type"] for r in result} == {"labels", "choices", "textarea", "relation"}
    assert _dicts(import_documents("labelstudio", tasks_path)) == _dicts(gold)
    import xml.etree.ElementTree as ET

    root = ET.fromstring(config.read_text("utf-8"))
    names = {e.get("name") for e in root.iter() if e.get("name")}
    assert {"label", "structure", "text", "mention_type", "entity", "realis", "mode"} <= names
    labels = {e.get("value") for e in root.iter("Label")}
    used = {lab for r in result if r["type"] == "labels" for lab in r["value"]["labels"]}
    assert used <= labels
    relation_labels = {e.get("value") for e in root.iter("Relation")}
    assert {r["labels"][0] for r in result if r["type"] == "relation"} <= relation_labels


def test_labelstudio_utf16_offsets_and_predictions(tmp_path):
    text = "🙂 Ann said hello."
    doc = Document(id="d1", text=text, mentions=(Mention("m1", 2, 5, "Ann", "PER", "NAM", "e1"),))
    (path, _) = export_documents("labelstudio", [doc], tmp_path, key="predictions")
    task = json.loads(path.read_text("utf-8"))[0]
    value = task["predictions"][0]["result"][0]["value"]
    assert (value["start"], value["end"]) == (3, 6)  # JavaScript (UTF-16) offsets
    assert _dicts(import_documents("labelstudio", path, kind="prediction")) == _dicts([doc])


def test_labelstudio_unknown_label_and_text_mismatch(gold, tmp_path):
    (path, _) = export_documents("labelstudio", gold, tmp_path)
    tasks = json.loads(path.read_text("utf-8"))
    result = tasks[0]["annotations"][0]["result"]
    mentions = [
        i for i, r in enumerate(result) if r["type"] == "labels" and r["from_name"] == "label"
    ]
    result[mentions[0]]["value"]["labels"] = ["PERSON"]
    result[mentions[1]]["value"]["text"] = "nonsense"
    path.write_text(json.dumps(tasks), "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("labelstudio", path)
    problems = {p.code: p for p in error.value.problems}
    assert set(problems) == {"schema-enum", "span-text-mismatch"}
    assert problems["schema-enum"].path == f"/0/annotations/0/result/{mentions[0]}/value/labels"
    assert "PERSON" in problems["schema-enum"].message
    assert problems["schema-enum"].document == gold[0].id
    assert problems["span-text-mismatch"].path.startswith(f"/0/annotations/0/result/{mentions[1]}")


def test_labelstudio_validator_problem_names_the_result(gold, tmp_path):
    (path, _) = export_documents("labelstudio", gold, tmp_path)
    tasks = json.loads(path.read_text("utf-8"))
    result = tasks[0]["annotations"][0]["result"]
    k = next(i for i, r in enumerate(result) if r["from_name"] == "realis")
    result[k]["value"]["choices"] = ["ACTUALLY"]
    path.write_text(json.dumps(tasks), "utf-8")
    with pytest.raises(DataError) as error:
        import_documents("labelstudio", path)
    (problem,) = error.value.problems
    assert problem.code == "schema-enum" and problem.path == "/events/0/realis"
    assert "in the export at /0/annotations/0/result/" in problem.message


# --- command line ----------------------------------------------------------------------


def _run(argv: list[str]) -> int:
    """Run ``newsbench`` when the lead registered the entry points, else the handlers."""
    from importlib.metadata import entry_points

    if {"export", "import"} <= {e.name for e in entry_points(group="newsbench.commands")}:
        from newsbench.eval.cli import main

        return main(argv)
    import argparse

    from newsbench.corpus.interchange.commands import register_export, register_import

    parser = argparse.ArgumentParser(prog="newsbench")
    sub = parser.add_subparsers(dest="command", required=True)
    register_export(sub)
    register_import(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.mark.parametrize("fmt", ["brat", "conll", "conll2012", "spacy", "labelstudio"])
def test_cli_export_then_import(fmt, gold, tmp_path, capsys):
    if fmt == "spacy":
        pytest.importorskip("spacy")
    out = tmp_path / "out"
    seed = str(gold_path("validation"))
    assert _run(["export", "--format", fmt, seed, "--out", str(out)]) == 0
    inputs = {
        "brat": out,
        "conll": out / "validation.conll",
        "conll2012": out / "validation.conll2012",
        "spacy": out / "validation.spacy",
        "labelstudio": out / "validation.labelstudio.json",
    }
    target = tmp_path / "back.jsonl"
    reference = ["--reference", seed] if fmt.startswith("conll") else []
    argv = ["import", "--format", fmt, "--out", str(target), *reference, str(inputs[fmt])]
    assert _run(argv) == 0
    back = load_documents(target, "prediction")
    if fmt in ("conll", "conll2012"):
        assert [d.text for d in back] == [d.text for d in gold]
    else:
        assert _dicts(back) == _dicts(gold)
        assert target.read_bytes() == Path(gold_path("validation")).read_bytes()


def test_cli_import_errors_exit_1_and_write_nothing(gold, tmp_path, capsys):
    out = tmp_path / "out"
    seed = str(gold_path("validation"))
    assert _run(["export", "--format", "conll", seed, "--out", str(out)]) == 0
    conll = out / "validation.conll"
    conll.write_text(conll.read_text("utf-8").replace("Syrian\tB-GPE", "Syrien\tB-GPE", 1))
    target = tmp_path / "back.jsonl"
    capsys.readouterr()
    argv = ["import", "--format", "conll", "--reference", seed, "--out", str(target), str(conll)]
    assert _run(argv) == 1
    err = capsys.readouterr().err
    assert "error[token-text-mismatch]" in err and f"{conll}:3" in err
    assert not target.exists()


def test_cli_refuses_the_gold_data_folder(tmp_path, capsys):
    data = Path(gold_path("validation")).parent
    before = sorted(p.name for p in data.iterdir())
    assert _run(["export", "--format", "brat", "--out", str(data / "brat")]) == 2
    out = tmp_path / "out"
    assert _run(["export", "--format", "brat", "--out", str(out)]) == 0
    assert _run(["import", "--format", "brat", "--out", str(data / "x.jsonl"), str(out)]) == 2
    assert f"--out {data / 'x.jsonl'} is inside the gold" in capsys.readouterr().err
    assert sorted(p.name for p in data.iterdir()) == before


def test_cli_missing_input_is_a_usage_error(tmp_path):
    args = [
        "import",
        "--format",
        "brat",
        "--out",
        str(tmp_path / "x.jsonl"),
        str(tmp_path / "nope"),
    ]
    assert _run(args) == 2
