"""Converters from CoNLL, spans lists and spaCy Docs to prediction documents."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from newsbench.corpus import gold_path
from newsbench.eval.bio import offsets_to_bio
from newsbench.eval.converters import (
    PREDICTION_FORMATS,
    conll_to_documents,
    docbin_to_documents,
    load_predictions_any,
    spacy_docs_to_documents,
    spans_to_documents,
)
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import LabelMap, load_label_map, pair_documents
from newsbench.eval.spans import Span
from newsbench.schema.io import write_jsonl
from newsbench.schema.model import Document, Mention
from newsbench.schema.problems import DataError, Problem
from newsbench.schema.tokens import token_offsets
from newsbench.schema.validate import load_documents

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "converters"
CONLL2003_TAGS = {"PER": "PER", "ORG": "ORG", "GPE": "LOC"}  # other types -> MISC


@pytest.fixture(scope="module")
def gold() -> list[Document]:
    return load_documents(gold_path("validation"))


@pytest.fixture(scope="module")
def doc(gold: list[Document]) -> Document:
    return gold[0]


def builtin_map(name: str) -> LabelMap:
    return load_label_map(str(resources.files("newsbench.schema.label_maps") / f"{name}.json"))


def named(doc: Document) -> list[Mention]:
    """The gold NAM mentions, outermost on overlap (what IOB2 can encode)."""
    kept: list[Mention] = []
    for m in sorted(
        (m for m in doc.layer("mentions") if m.mention_type == "NAM"),
        key=lambda m: (m.start, -m.end),
    ):
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    return kept


def conll_lines(doc: Document, labels: dict[str, str] | None = None) -> list[str]:
    """The gold NAM mentions as IOB2 over each sentence's token view, with a DOCSTART."""
    lines = [f"-DOCSTART- {doc.id}", ""]
    mentions = named(doc)
    for sentence in doc.layer("sentences"):
        spans = [
            Span(
                m.start - sentence.start,
                m.end - sentence.start,
                m.type if labels is None else labels.get(m.type, "MISC"),
            )
            for m in mentions
            if sentence.start <= m.start < sentence.end
        ]
        tokens, tags = offsets_to_bio(sentence.text, spans)
        lines += [f"{t.text} {tag}" for t, tag in zip(tokens, tags, strict=True)]
        lines.append("")
    return lines


def write(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def spans_of(document: Document) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.type) for m in document.layer("mentions")]


def gold_spans(doc: Document) -> list[tuple[int, int, str]]:
    return sorted((m.start, m.end, m.type) for m in named(doc))


def problems_of(excinfo: pytest.ExceptionInfo[DataError], code: str) -> list[Problem]:
    return [p for p in excinfo.value.problems if p.code == code]


def line_of(lines: Sequence[str], prefix: str) -> int:
    """1-based number of the first line starting with ``prefix``."""
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(prefix))


def spacy_doc(doc: Document, nlp: Any, *, gold_spaces: bool = True) -> Any:
    """A spaCy Doc over the gold tokens, with the gold whitespace unless not ``gold_spaces``."""
    from spacy.tokens import Doc

    words, trailing = [], []
    offsets = token_offsets(doc.text)
    for i, (start, end) in enumerate(offsets):
        words.append(doc.text[start:end])
        gap = doc.text[end : offsets[i + 1][0] if i + 1 < len(offsets) else len(doc.text)]
        trailing.append(gap.startswith(" "))
        if gap[trailing[-1] :]:
            words.append(gap[trailing[-1] :])  # a whitespace token ("\n")
            trailing.append(False)
    return Doc(nlp.vocab, words=words, spaces=trailing if gold_spaces else None)


def with_ents(sdoc: Any, doc: Document) -> Any:
    sdoc.ents = [sdoc.char_span(m.start, m.end, label=m.type) for m in named(doc)]
    return sdoc


# --- round trips ------------------------------------------------------------------------


def test_conll_round_trip_scores_one(tmp_path: Path, gold: list[Document], doc: Document):
    path = write(tmp_path / "pred.conll", conll_lines(doc))
    loaded = conll_to_documents(path, gold)
    (pred,) = loaded.documents
    assert pred.id == doc.id and pred.text == doc.text
    assert spans_of(pred) == gold_spans(doc)
    assert [m.id for m in pred.mentions] == [f"m{i}" for i in range(1, len(pred.mentions) + 1)]
    assert all(m.mention_type is None and m.entity is None for m in pred.mentions)
    assert pred.time_expressions is None and pred.events is None
    assert loaded.removed_by_label == {}
    report = score_documents(pair_documents(gold, loaded.documents), ScoringConfig(n_resamples=20))
    assert report["layers"]["scored"] == ["mentions"]
    assert report["metrics"]["entities.NAM.strict"]["f1"] == 1.0


def test_conll_without_docstart_belongs_to_the_single_gold_document(
    tmp_path: Path, gold: list[Document], doc: Document
):
    lines = conll_lines(doc)[2:]
    tab = write(tmp_path / "pred.conll", [line.replace(" ", "\tX\t") for line in lines])
    (pred,) = conll_to_documents(tab, gold).documents  # tab-separated, tag in the last column
    assert spans_of(pred) == gold_spans(doc)
    (pred,) = conll_to_documents(tab, gold, tag_column=2).documents
    assert spans_of(pred) == gold_spans(doc)


def test_conll2003_labels_through_the_label_map(
    tmp_path: Path, gold: list[Document], doc: Document
):
    path = write(tmp_path / "pred.conll", conll_lines(doc, CONLL2003_TAGS))
    assert any(line.endswith("B-LOC") for line in conll_lines(doc, CONLL2003_TAGS))
    loaded = conll_to_documents(path, gold, label_map=builtin_map("conll2003"))
    mapped = {"PER": "PER", "ORG": "ORG"}  # LOC -> GPE and MISC -> GPE per the map file
    expected = sorted((m.start, m.end, mapped.get(m.type, "GPE")) for m in named(doc))
    assert spans_of(loaded.documents[0]) == expected
    with pytest.raises(DataError) as excinfo:  # CoNLL-2003 labels without the map
        conll_to_documents(path, gold)
    problems = problems_of(excinfo, "schema-enum")  # PER, ORG and LOC are corpus types
    assert problems and all("label 'MISC' is not" in p.message for p in problems)
    assert all(p.line is not None for p in problems)


def test_spans_list_round_trip(tmp_path: Path, gold: list[Document], doc: Document):
    records = [
        {"document": doc.id, "start": m.start, "end": m.end, "label": m.type}
        for m in reversed(named(doc))
    ]
    records += [
        {"document": doc.id, "start": t.start, "end": t.end, "label": t.type, "value": t.value}
        | {"layer": "time_expressions"}
        for t in doc.layer("time_expressions")
    ]
    write_jsonl(tmp_path / "spans.jsonl", records)
    loaded = load_predictions_any(tmp_path / "spans.jsonl", "spans", gold)
    (pred,) = loaded.documents
    assert spans_of(pred) == gold_spans(doc)
    assert pred.mentions[0].text == doc.text[pred.mentions[0].start : pred.mentions[0].end]
    timexes = [(t.start, t.end, t.type, t.value) for t in pred.time_expressions]
    assert timexes == sorted((t.start, t.end, t.type, t.value) for t in doc.time_expressions)
    report = score_documents(pair_documents(gold, loaded.documents), ScoringConfig(n_resamples=20))
    assert report["metrics"]["entities.NAM.strict"]["f1"] == 1.0
    assert report["metrics"]["timex.strict"]["f1"] == 1.0


def test_spans_list_of_time_expressions_only_predicts_no_mentions(
    tmp_path: Path, gold: list[Document], doc: Document
):
    t = doc.time_expressions[0]
    record = {"document": doc.id, "start": t.start, "end": t.end, "label": t.type}
    write_jsonl(tmp_path / "spans.jsonl", [record | {"layer": "time_expressions"}])
    (pred,) = spans_to_documents(tmp_path / "spans.jsonl", gold).documents
    assert pred.mentions is None
    assert [(x.start, x.end, x.type, x.value) for x in pred.time_expressions] == [
        (t.start, t.end, t.type, None)
    ]


def test_spacy_docs_round_trip(gold: list[Document], doc: Document):
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    sdoc = with_ents(spacy_doc(doc, nlp), doc)
    assert sdoc.text == doc.text
    loaded = spacy_docs_to_documents([sdoc], gold)  # gold order: one Doc, one gold document
    (pred,) = loaded.documents
    assert spans_of(pred) == gold_spans(doc)
    assert pred.time_expressions is None


def test_spacy_ontonotes_labels_span_group_and_timex_from_ents(gold: list[Document], doc: Document):
    spacy = pytest.importorskip("spacy")
    sdoc = spacy_doc(doc, spacy.blank("en"))
    syria, year = doc.text.index("Syria's"), doc.text.index("2018")
    sdoc.ents = [
        sdoc.char_span(syria, syria + 5, label="GPE"),
        sdoc.char_span(year, year + 4, label="DATE"),
        sdoc.char_span(doc.text.index("Two"), doc.text.index("Two") + 3, label="CARDINAL"),
    ]
    sdoc.spans["sc"] = [sdoc.char_span(0, 6, label="NORP")]
    ontonotes = builtin_map("ontonotes")
    loaded = spacy_docs_to_documents([sdoc], gold, label_map=ontonotes, span_key="sc")
    assert spans_of(loaded.documents[0]) == [(0, 6, "GPE"), (syria, syria + 5, "GPE")]
    assert loaded.removed_by_label == {"CARDINAL": 1, "DATE": 1}
    loaded = spacy_docs_to_documents(
        [sdoc], gold, label_map=ontonotes, timex_from_ents=True, doc_ids=[doc.id]
    )
    (pred,) = loaded.documents
    assert spans_of(pred) == [(syria, syria + 5, "GPE")]
    assert [(t.id, t.start, t.end, t.type, t.value) for t in pred.time_expressions] == [
        ("t1", year, year + 4, "DATE", None)
    ]
    assert loaded.removed_by_label == {"CARDINAL": 1}


def test_docbin_round_trip(tmp_path: Path, gold: list[Document], doc: Document):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    sdoc = with_ents(spacy_doc(doc, spacy.blank("en")), doc)
    sdoc.user_data["id"] = doc.id
    DocBin(store_user_data=True, docs=[sdoc]).to_disk(tmp_path / "pred.spacy")
    loaded = load_predictions_any(tmp_path / "pred.spacy", "docbin", gold)
    assert [spans_of(d) for d in loaded.documents] == [gold_spans(doc)]
    two = [Document(id="doc2", text="Paris is in France."), doc]
    loaded = docbin_to_documents(tmp_path / "pred.spacy", two)  # the id comes from user_data
    assert [d.id for d in loaded.documents] == [doc.id]


def test_jsonl_dispatch_and_unknown_format(tmp_path: Path, gold: list[Document]):
    write_jsonl(tmp_path / "pred.jsonl", [{"id": gold[0].id, "text": gold[0].text}])
    loaded = load_predictions_any(tmp_path / "pred.jsonl", "jsonl", gold)
    assert loaded.documents[0].mentions is None
    assert set(PREDICTION_FORMATS) == {"jsonl", "conll", "spans", "docbin"}
    with pytest.raises(ValueError, match="did you mean 'conll'"):
        load_predictions_any(tmp_path / "pred.jsonl", "conl", gold)


# --- problems ---------------------------------------------------------------------------


def test_token_text_mismatch_names_line_token_text_and_cause(
    tmp_path: Path, gold: list[Document], doc: Document
):
    lines = conll_lines(doc)
    quote = line_of(lines, '" ')
    lines[quote - 1] = "`` O"
    path = write(tmp_path / "pred.conll", lines)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold)
    (problem,) = excinfo.value.problems  # the rest of the document is not aligned
    assert problem.code == "token-text-mismatch"
    assert (problem.file, problem.line, problem.document) == (str(path), quote, doc.id)
    assert "the token '``'" in problem.message and "found '\"S'" in problem.message
    assert "normalised quotes" in problem.message


def test_extra_and_missing_tokens_are_problems(tmp_path: Path, gold: list[Document], doc: Document):
    lines = conll_lines(doc)
    path = write(tmp_path / "long.conll", [*lines, "Extra O"])
    with pytest.raises(DataError, match="more tokens than the document text"):
        conll_to_documents(path, gold)
    last_sentence = max(i for i, line in enumerate(lines[:-1]) if not line)
    path = write(tmp_path / "short.conll", lines[:last_sentence])
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold)
    (problem,) = problems_of(excinfo, "tokens-incomplete")
    assert "Hochstein also" in problem.message


def test_invalid_iob2_is_reported_with_its_line(
    tmp_path: Path, gold: list[Document], doc: Document
):
    lines = conll_lines(doc)
    first = line_of(lines, "Damascus B-GPE")
    lines[first - 1] = "Damascus I-GPE"  # I- after O: strict IOB2 rejects it
    second = line_of(lines, "Reuters B-ORG")
    lines[second - 1] = "Reuters X-ORG"
    path = write(tmp_path / "pred.conll", lines)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold)
    problems = problems_of(excinfo, "iob2-invalid")
    assert [p.line for p in problems] == [first, second]
    assert "continues no entity (after 'O')" in problems[0].message
    assert "malformed NER tag 'X-ORG'" in problems[1].message


def test_every_refused_tag_and_unknown_label_of_a_sentence_is_reported(
    tmp_path: Path, gold: list[Document], doc: Document
):
    lines = conll_lines(doc)
    first = line_of(lines, "Damascus B-GPE")
    lines[first - 1] = "Damascus X-GPE"  # malformed: hid what followed in its sentence
    second = line_of(lines, "Reuters B-ORG")
    lines[second - 1] = "Reuters I-ORGG"  # continues nothing, and an unknown label
    path = write(tmp_path / "pred.conll", lines)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold)
    found = [(p.code, p.line) for p in excinfo.value.problems]
    assert ("iob2-invalid", first) in found and ("iob2-invalid", second) in found
    assert ("schema-enum", second) in found
    assert not any("repair=True" in p.message for p in excinfo.value.problems)


def test_malformed_lines_are_all_reported(tmp_path: Path, gold: list[Document], doc: Document):
    lines = conll_lines(doc)
    lines[5] = lines[5].split()[0]
    lines[9] = lines[9].split()[0]
    path = write(tmp_path / "pred.conll", lines)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold)
    assert [p.line for p in excinfo.value.problems] == [6, 10]  # no cascade of mismatches
    assert {p.code for p in excinfo.value.problems} == {"conll-malformed-line"}


def test_conll_documents_need_ids_with_several_gold_documents(tmp_path: Path, doc: Document):
    other = Document(id="doc2", text="Paris is in France.")
    two = [doc, other]
    body = conll_lines(doc)[2:]
    path = write(tmp_path / "plain.conll", body)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, two)
    (problem,) = excinfo.value.problems
    assert problem.code == "document-unassigned" and problem.line == 1
    paris = ["-DOCSTART- -X- -X- O", "", "Paris B-GPE", "is O", "in O", "France B-GPE", ". O"]
    path = write(tmp_path / "anonymous.conll", paris)
    with pytest.raises(DataError, match="follows no -DOCSTART- line naming its document"):
        conll_to_documents(path, two)
    paris[0] = "-DOCSTART- doc2"
    path = write(tmp_path / "named.conll", [*paris, "", f"-DOCSTART- {doc.id}", *body])
    loaded = conll_to_documents(path, two)
    assert [d.id for d in loaded.documents] == [doc.id, "doc2"]  # gold order
    assert spans_of(loaded.documents[1]) == [(0, 5, "GPE"), (12, 18, "GPE")]


def test_unknown_document_ids(tmp_path: Path, gold: list[Document], doc: Document):
    lines = conll_lines(doc)
    lines[0] = "-DOCSTART- 000_b245f45723a17302"
    path = write(tmp_path / "pred.conll", lines)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold)
    (problem,) = excinfo.value.problems
    assert (problem.code, problem.line) == ("prediction-extra-document", 1)
    assert f"did you mean {doc.id!r}" in problem.message


def test_unmapped_label_did_you_mean(tmp_path: Path, gold: list[Document], doc: Document):
    lines = conll_lines(doc)
    at = line_of(lines, "Reuters B-ORG")
    lines[at - 1] = "Reuters B-ORGANIZATION"
    path = write(tmp_path / "pred.conll", lines)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold)
    (problem,) = excinfo.value.problems
    assert (problem.code, problem.line) == ("schema-enum", at)
    assert "'ORGANIZATION' is not a corpus entity type (did you mean 'ORG'?)" in problem.message
    lines = conll_lines(doc, CONLL2003_TAGS)
    lines[at - 1] = "Reuters B-PERS"
    path = write(tmp_path / "pred2003.conll", lines)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(path, gold, label_map=builtin_map("conll2003"))
    (problem,) = excinfo.value.problems
    assert (problem.code, problem.line) == ("label-map-missing-label", at)
    assert "did you mean 'PER'?" in problem.message


def test_spans_list_problems_all_at_once(gold: list[Document]):
    path = FIXTURES / "spans_errors.jsonl"
    with pytest.raises(DataError) as excinfo:
        spans_to_documents(path, gold)
    found = {(p.line, p.code, p.path) for p in excinfo.value.problems}
    assert found == {
        (2, "schema-type", "/start"),
        (3, "schema-required", "/start"),
        (4, "prediction-extra-document", "/document"),
        (5, "schema-enum", "/label"),
        (6, "schema-enum", "/layer"),
        (7, "span-out-of-range", ""),
        (8, "invalid-json", ""),
        (9, "schema-unknown-key", "/confidence"),
    }
    messages = {p.line: p.message for p in excinfo.value.problems}
    assert "70.0" in messages[2] and "a float" in messages[2]
    assert "did you mean '000_b245f45723a17301'?" in messages[4]
    assert "did you mean 'time_expressions'?" in messages[6]


def test_spacy_text_mismatch(gold: list[Document], doc: Document):
    spacy = pytest.importorskip("spacy")
    sdoc = spacy_doc(doc, spacy.blank("en"), gold_spaces=False)  # a space after every token
    with pytest.raises(DataError) as excinfo:
        spacy_docs_to_documents([sdoc], gold)
    (problem,) = excinfo.value.problems
    assert (problem.code, problem.document) == ("prediction-text-mismatch", doc.id)
    assert "first at offset 159" in problem.message and "changed whitespace" in problem.message
    sdoc = spacy.blank("en")(doc.text)
    sdoc.user_data["id"] = "nope"
    with pytest.raises(DataError, match="which the gold does not have"):
        spacy_docs_to_documents([sdoc], gold)
    with pytest.raises(DataError, match="no document id"):
        spacy_docs_to_documents([spacy.blank("en")(doc.text)] * 2, gold)
    with pytest.raises(DataError, match="no span group 'sc'"):
        spacy_docs_to_documents([spacy.blank("en")(doc.text)], gold, span_key="sc")


def test_missing_spacy_says_how_to_install(
    tmp_path: Path, gold: list[Document], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(ImportError, match=r"pip install 'newsbench\[spacy\]'"):
        docbin_to_documents(tmp_path / "x.spacy", gold)


def test_unreadable_inputs(tmp_path: Path, gold: list[Document]):
    pytest.importorskip("spacy")
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not a docbin")
    with pytest.raises(DataError, match="not a spaCy DocBin"):
        docbin_to_documents(bad, gold)
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(tmp_path / "absent.conll", gold)
    assert excinfo.value.problems[0].code == "file-not-found"
    (tmp_path / "latin1.conll").write_bytes("Syrian O\ncaf\xe9 O\n".encode("latin-1"))
    with pytest.raises(DataError) as excinfo:
        conll_to_documents(tmp_path / "latin1.conll", gold)
    assert (excinfo.value.problems[0].code, excinfo.value.problems[0].line) == ("invalid-utf8", 2)
    (tmp_path / "empty.conll").write_text("\n\n", "utf-8")
    with pytest.raises(DataError, match="no tokens"):
        conll_to_documents(tmp_path / "empty.conll", gold)
