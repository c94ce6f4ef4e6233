"""Hostile input to the interchange importers and the DocBin reader (issue #13).

Every case runs the ``newsbench`` command line and asserts the exit code, the problem
code, words of the message and the location (file, line, document, JSON pointer):
nothing an input holds disappears, no traceback reaches the user. Also: the one DocBin
reader serves ``import`` and ``score`` (the project's own export scores 1.0), and the
CoNLL exports of a gold file and of a prediction pair sentence by sentence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsbench.corpus import gold_path
from newsbench.corpus.interchange import export_documents
from newsbench.corpus.interchange.conll import read_conll2012_sentences
from newsbench.eval.bio import read_conll_columns
from newsbench.eval.cli import main
from newsbench.schema.io import write_jsonl
from newsbench.schema.model import Document, Mention, document_to_dict
from newsbench.schema.validate import load_documents

Task = Any
TEXT = "Ann met Bob in Rome."
DOC = Document(
    id="d1",
    text=TEXT,
    mentions=(
        Mention("m1", 0, 3, "Ann", "PER", "NAM", "e1"),
        Mention("m2", 8, 11, "Bob", "PER", "NAM", "e2"),
    ),
)
_HEAD = re.compile(
    r"^(?P<where>.+?): error\[(?P<code>[^\]]+)\]"
    r"(?:, document '(?P<document>[^']*)')?(?:, at (?P<path>\S+))?: (?P<message>.*)$"
)


@dataclass(frozen=True)
class Reported:
    """One problem as the command line printed it."""

    where: str
    code: str
    document: str | None
    path: str
    text: str  # the message, expected and fix lines


def _problems(err: str) -> list[Reported]:
    found: list[Reported] = []
    for line in err.splitlines():
        match = _HEAD.match(line)
        if match:
            found.append(
                Reported(
                    match["where"], match["code"], match["document"], match["path"] or "", line
                )
            )
        elif found and line.startswith("    "):
            last = found[-1]
            found[-1] = Reported(last.where, last.code, last.document, last.path, last.text + line)
    return found


def _run(argv: list[str], capsys: Any) -> tuple[int, list[Reported], str]:
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, _problems(err), err


def _one(problems: list[Reported], code: str) -> Reported:
    matching = [p for p in problems if p.code == code]
    assert matching, f"no {code} problem in {problems}"
    return matching[0]


# --- Label Studio ---------------------------------------------------------------------------


def _labelstudio_tasks(tmp_path: Path) -> tuple[Path, list[Task]]:
    path, _ = export_documents("labelstudio", [DOC], tmp_path / "ls")
    return path, json.loads(path.read_text("utf-8"))


def _result(tasks: Task) -> list[Any]:
    return tasks[0]["annotations"][0]["result"]


def _set_value(key: str, value: Any) -> Callable[[Task], Task]:
    def mutate(tasks: Task) -> Task:
        _result(tasks)[0]["value"][key] = value
        return tasks

    return mutate


def _set(path: list[str | int], value: Any) -> Callable[[Task], Task]:
    def mutate(tasks: Task) -> Task:
        node = tasks
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return tasks

    return mutate


def _delete(path: list[str | int]) -> Callable[[Task], Task]:
    def mutate(tasks: Task) -> Task:
        node = tasks
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return tasks

    return mutate


RESULT = "/0/annotations/0/result"
LABELSTUDIO_CASES: dict[str, tuple[Callable[[Task], Task], str, str, str | None, tuple]] = {
    # name: (mutation, code, JSON pointer, document, message words)
    "null result": (
        _set([0, "annotations", 0, "result"], None),
        "schema-type",
        RESULT,
        "d1",
        ("result is a JSON null", "a list of results"),
    ),
    "missing result": (
        _delete([0, "annotations", 0, "result"]),
        "schema-required",
        RESULT,
        "d1",
        ("'result' is missing",),
    ),
    "top level a number": (lambda t: 5, "schema-type", "", None, ("not a list of tasks",)),
    "top level a string": (lambda t: "tasks", "schema-type", "", None, ("JSON string",)),
    "task not an object": (lambda t: [5], "schema-type", "/0", None, ("entry 0", "JSON number")),
    "annotations a number": (
        _set([0, "annotations"], 5),
        "schema-type",
        "/0/annotations",
        "d1",
        ("annotations is a JSON number", "a list of annotations"),
    ),
    "annotation not an object": (
        _set([0, "annotations"], ["x"]),
        "schema-type",
        "/0/annotations/0",
        "d1",
        ("JSON string", "an object"),
    ),
    "was_cancelled a string": (
        _set([0, "annotations", 0, "was_cancelled"], "no"),
        "schema-type",
        "/0/annotations/0/was_cancelled",
        "d1",
        ("true or false",),
    ),
    "value a list": (
        lambda t: _set([0, "annotations", 0, "result", 0, "value"], [0, 3])(t),
        "schema-type",
        f"{RESULT}/0/value",
        "d1",
        ("value is a JSON array",),
    ),
    "labels a string": (
        _set_value("labels", "PER"),
        "schema-type",
        f"{RESULT}/0/value/labels",
        "d1",
        ("labels is a JSON string", "a list of one label"),
    ),
    "result not an object": (
        lambda t: (_result(t).append(7), t)[1],
        "schema-type",
        f"{RESULT}/6",
        "d1",
        ("JSON number", "an object (a result)"),
    ),
    "from_name missing": (
        _delete([0, "annotations", 0, "result", 0, "from_name"]),
        "schema-required",
        f"{RESULT}/0/from_name",
        "d1",
        ("'from_name' is missing",),
    ),
    "region id a list": (
        _set([0, "annotations", 0, "result", 0, "id"], ["m1"]),
        "schema-type",
        f"{RESULT}/0/id",
        "d1",
        ("id is a JSON array",),
    ),
    "choices value a string": (
        _set([0, "annotations", 0, "result", 1, "value"], "NAM"),
        "schema-type",
        f"{RESULT}/1/value",
        "d1",
        ("value is a JSON string",),
    ),
    "start false": (
        _set_value("start", False),
        "schema-type",
        f"{RESULT}/0/value/start",
        "d1",
        ("'start' is False, not an integer", "a boolean"),
    ),
    "end 3.0": (
        _set_value("end", 3.0),
        "schema-type",
        f"{RESULT}/0/value/end",
        "d1",
        ("'end' is 3.0, not an integer", "a float"),
    ),
    "start a string": (
        _set_value("start", "0"),
        "schema-type",
        f"{RESULT}/0/value/start",
        "d1",
        ("'start' is '0', not an integer",),
    ),
    "end missing": (
        _delete([0, "annotations", 0, "result", 0, "value", "end"]),
        "schema-required",
        f"{RESULT}/0/value/end",
        "d1",
        ("'end' is None, not an integer",),
    ),
    "lone surrogate": (
        _set([0, "data", "text"], "\ud800" + TEXT),
        "invalid-json",
        "/0/data/text",
        None,
        ("lone surrogate", "\\ud800"),
    ),
    "NaN offset": (
        _set_value("start", float("nan")),
        "invalid-json",
        f"{RESULT}/0/value/start",
        None,
        ("nan", "not a JSON number"),
    ),
    "newsbench a number": (
        _set([0, "data", "newsbench"], 5),
        "schema-type",
        "/0/data/newsbench",
        "d1",
        ("newsbench is a JSON number",),
    ),
    "unknown layer": (
        _set([0, "data", "newsbench", "layers"], ["mentions", "mentoins"]),
        "schema-enum",
        "/0/data/newsbench/layers/1",
        "d1",
        ("'mentoins' is not a newsbench layer", "did you mean 'mentions'"),
    ),
    "document id a list": (
        _set([0, "data", "id"], ["d1"]),
        "schema-type",
        "/0/data/id",
        None,
        ("id is a JSON array",),
    ),
    "relation without to_id": (
        lambda t: (
            _result(t).append(
                {"type": "relation", "from_id": "m1", "labels": ["head"], "direction": "right"}
            ),
            t,
        )[1],
        "schema-required",
        f"{RESULT}/6/to_id",  # after the 6 results of the two mentions
        "d1",
        ("'to_id' is missing",),
    ),
}


@pytest.mark.parametrize("name", sorted(LABELSTUDIO_CASES))
def test_labelstudio_hostile_task(name: str, tmp_path: Path, capsys: Any) -> None:
    mutate, code, pointer, document, words = LABELSTUDIO_CASES[name]
    path, tasks = _labelstudio_tasks(tmp_path)
    path.write_text(json.dumps(mutate(tasks)), "utf-8")
    out = tmp_path / "back.jsonl"
    argv = ["import", "--format", "labelstudio", "--kind", "prediction", "--out", str(out)]
    status, problems, err = _run([*argv, str(path)], capsys)
    assert status == 1, err
    problem = _one(problems, code)
    assert problem.where == str(path)
    assert problem.path == pointer
    assert problem.document == document
    for word in words:
        assert word in problem.text, (word, problem.text)
    assert not out.exists()


def test_labelstudio_duplicate_key_is_a_problem(tmp_path: Path, capsys: Any) -> None:
    path, tasks = _labelstudio_tasks(tmp_path)
    raw = json.dumps(tasks).replace('"id": "d1"', '"id": "d1", "id": "d2"', 1)
    path.write_text(raw, "utf-8")
    argv = ["import", "--format", "labelstudio", "--out", str(tmp_path / "x.jsonl"), str(path)]
    status, problems, _ = _run(argv, capsys)
    assert status == 1
    problem = _one(problems, "duplicate-key")
    assert problem.path == "/0/data/id" and "'id' occurs more than once" in problem.text


def test_labelstudio_every_problem_at_once_and_good_tasks_kept_apart(
    tmp_path: Path, capsys: Any
) -> None:
    path, tasks = _labelstudio_tasks(tmp_path)
    second = json.loads(json.dumps(tasks[0]))
    second["data"]["id"] = "d2"
    second["annotations"][0]["result"] = None
    first = tasks[0]
    first["annotations"][0]["result"][0]["value"]["start"] = False
    first["annotations"][0]["result"][1]["value"]["end"] = 3.0
    path.write_text(json.dumps([first, second]), "utf-8")
    argv = ["import", "--format", "labelstudio", "--kind", "prediction", "--out"]
    status, problems, _ = _run([*argv, str(tmp_path / "x.jsonl"), str(path)], capsys)
    assert status == 1
    assert {(p.code, p.document, p.path) for p in problems} >= {
        ("schema-type", "d1", f"{RESULT}/0/value/start"),
        ("schema-type", "d2", "/1/annotations/0/result"),
    }


# --- brat, CoNLL-2012: offsets and numbers are integers ----------------------------------


@pytest.mark.parametrize(
    ("offsets", "words"),
    [
        ("0 3.0", ("'0 3.0'", "malformed offsets")),
        ("0 +3", ("'0 +3'",)),
        ("0 \u0663", ("ASCII digits",)),
        ("0 3_0", ("'0 3_0'",)),
        ("0 3;", ("'0 3;'",)),
        ("0", ("'0'",)),
    ],
)
def test_brat_offsets_must_be_integers(
    offsets: str, words: tuple[str, ...], tmp_path: Path, capsys: Any
) -> None:
    folder = tmp_path / "brat"
    export_documents("brat", [DOC], folder)
    ann = folder / "d1.ann"
    lines = ann.read_text("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("T2\tPER 0 3\t"))
    lines[number - 1] = f"T2\tPER {offsets}\tAnn"
    ann.write_text("\n".join(lines), "utf-8")
    argv = ["import", "--format", "brat", "--kind", "prediction", "--out"]
    status, problems, _ = _run([*argv, str(tmp_path / "x.jsonl"), str(folder)], capsys)
    assert status == 1
    problem = _one(problems, "file-unreadable")
    assert problem.where == f"{ann}:{number}" and problem.document == "d1"
    for word in words:
        assert word in problem.text


@pytest.mark.parametrize("cluster", ["\u00b2", "\u0663", "-1", "1.0"])
def test_conll2012_cluster_numbers_must_be_integers(
    cluster: str, tmp_path: Path, capsys: Any
) -> None:
    reference = tmp_path / "reference.jsonl"
    write_jsonl(reference, [document_to_dict(DOC)])
    (path,) = export_documents("conll2012", [DOC], tmp_path / "c")
    lines = path.read_text("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if "\tAnn\t" in line)
    lines[number - 1] = lines[number - 1].rsplit("\t", 1)[0] + f"\t({cluster})"
    path.write_text("\n".join(lines), "utf-8")
    argv = ["import", "--format", "conll2012", "--reference", str(reference), "--out"]
    status, problems, _ = _run([*argv, str(tmp_path / "x.jsonl"), str(path)], capsys)
    assert status == 1
    problem = _one(problems, "conll-malformed-line")
    assert problem.where == f"{path}:{number}" and problem.document == "d1"
    assert f"the cluster {cluster!r} is not a number" in problem.text


# --- spaCy DocBin: one reader for import and score -------------------------------------------


def _docbin(tmp_path: Path, edit: Callable[[Any], None] | None = None) -> Path:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    (path,) = export_documents("spacy", [DOC], tmp_path / "spacy")
    if edit is None:
        return path
    (doc,) = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
    edit(doc)
    DocBin(store_user_data=True, docs=[doc]).to_disk(path)
    return path


def _events(doc: Any) -> None:
    doc.user_data["layers"] = [*doc.user_data["layers"], "events"]
    trigger = {"start": 4, "end": 7.0, "text": "met"}
    doc.user_data["events"] = [{"id": "v1", "type": "Conflict.Attack", "trigger": trigger}]


DOCBIN_CASES: dict[str, tuple[Callable[[Any], None], str, str, tuple[str, ...]]] = {
    "float offset in a JSON layer": (
        _events,
        "schema-type",
        "/events/0/trigger",
        ("(4, 7.0)", "not whole numbers"),
    ),
    "layers not a list": (
        lambda doc: doc.user_data.__setitem__("layers", 5),
        "schema-type",
        "/docs/0/user_data/layers",
        ("5 is a int", "a list of layer names"),
    ),
    "unknown layer": (
        lambda doc: doc.user_data.__setitem__("layers", ["mentions", "mentoins"]),
        "schema-enum",
        "/docs/0/user_data/layers/1",
        ("'mentoins'", "did you mean 'mentions'"),
    ),
    "mention entry not an object": (
        lambda doc: doc.user_data.__setitem__("mentions", [5, 6]),
        "schema-type",
        "/docs/0/user_data/mentions/0",
        ("5 is a int", "an object"),
    ),
    "unknown key in a mention entry": (
        lambda doc: doc.user_data["mentions"][0].__setitem__("head", 1),
        "schema-unknown-key",
        "/docs/0/user_data/mentions/0/head",
        ("unknown key 'head'",),
    ),
    "bytes in user_data": (
        lambda doc: doc.user_data["mentions"][0].__setitem__("entity", b"e1"),
        "schema-type",
        "/docs/0/user_data/mentions/0/entity",
        ("a bytes value",),
    ),
    "events missing": (
        lambda doc: doc.user_data.__setitem__("layers", ["mentions", "events"]),
        "schema-required",
        "/docs/0/user_data/events",
        ("user_data['events'] is missing",),
    ),
}


@pytest.mark.parametrize("name", sorted(DOCBIN_CASES))
def test_docbin_hostile_user_data(name: str, tmp_path: Path, capsys: Any) -> None:
    edit, code, pointer, words = DOCBIN_CASES[name]
    path = _docbin(tmp_path, edit)
    out = tmp_path / "back.jsonl"
    argv = ["import", "--format", "spacy", "--kind", "prediction", "--out", str(out)]
    status, problems, err = _run([*argv, str(path)], capsys)
    assert status == 1, err
    problem = _one(problems, code)
    assert problem.where == str(path) and problem.path == pointer
    assert problem.document == "d1"
    for word in words:
        assert word in problem.text, (word, problem.text)
    assert not out.exists()


def test_docbin_token_head_out_of_range_in_import_and_score(tmp_path: Path, capsys: Any) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.attrs import HEAD
    from spacy.tokens import DocBin

    reference = gold_path()
    doc = spacy.blank("en")(load_documents(reference, "document")[0].text)
    doc.user_data["id"] = load_documents(reference, "document")[0].id
    docbin = DocBin(attrs=["ORTH", "HEAD", "DEP", "SPACY"], store_user_data=True, docs=[doc])
    docbin.tokens[0][0, docbin.attrs.index(HEAD)] = 1_000_000
    path = tmp_path / "heads.spacy"
    docbin.to_disk(path)
    out = tmp_path / "back.jsonl"
    for argv in (
        ["import", "--format", "spacy", "--out", str(out), str(path)],
        ["score", "--gold", str(reference), "--pred", str(path), "--pred-format", "docbin"],
    ):
        status, problems, err = _run(argv, capsys)
        assert status == 1, err
        problem = _one(problems, "file-unreadable")
        assert problem.where == str(path) and problem.path == "/docs/0"
        assert "Doc 0 of the DocBin cannot be rebuilt" in problem.text
        assert "Token head out of range" in problem.text
    assert not out.exists()


def test_docbin_empty_file_in_import_and_score(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    reference = gold_path()
    path = tmp_path / "empty.spacy"
    DocBin(store_user_data=True).to_disk(path)
    for argv in (
        ["import", "--format", "spacy", "--out", str(tmp_path / "x.jsonl"), str(path)],
        ["score", "--gold", str(reference), "--pred", str(path), "--pred-format", "docbin"],
    ):
        status, problems, _ = _run(argv, capsys)
        assert status == 1
        assert _one(problems, "file-empty").where == str(path)


def _metrics(report: Path) -> dict[str, Any]:
    return json.loads(report.read_text("utf-8"))["metrics"]


def test_own_docbin_export_scores_one(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("spacy")
    gold = gold_path()
    out = tmp_path / "spacy"
    assert main(["export", "--format", "spacy", "--out", str(out), str(gold)]) == 0
    (path,) = out.glob("*.spacy")
    report = tmp_path / "report.json"
    argv = ["score", "--gold", str(gold), "--pred", str(path), "--pred-format", "docbin"]
    # The export's layout: every mention in the span group "mentions", the time
    # expressions in the span group "timex", the named mentions (again) as ents.
    full = [*argv, "--span-key", "mentions", "--timex-from-ents", "--resamples", "10"]
    status, problems, err = _run([*full, "--out", str(report)], capsys)
    assert status == 0 and not problems, err
    metrics = _metrics(report)
    for name in (
        "entities.strict",
        "entities.NAM.strict",
        "timex.strict",
        "timex.value_accuracy",
        "coref.entities.conll",
    ):
        assert (metrics[name]["precision"], metrics[name]["recall"]) == (1.0, 1.0), name
    # The ents alone: the outermost named mentions, each once.
    status, _, err = _run([*argv, "--resamples", "10", "--out", str(report)], capsys)
    assert status == 0, err
    assert _metrics(report)["entities.NAM.strict"]["precision"] == 1.0
    documents = load_documents(gold, "document")
    imported = tmp_path / "imported.jsonl"
    assert main(["import", "--format", "spacy", "--out", str(imported), str(path)]) == 0
    assert [document_to_dict(d) for d in load_documents(imported, "document")] == [
        document_to_dict(d) for d in documents
    ]


# --- CoNLL exports of a prediction pair with the gold sentence by sentence -----------------


def test_prediction_conll_exports_follow_the_gold_sentences(tmp_path: Path, capsys: Any) -> None:
    gold = gold_path()
    documents = load_documents(gold, "document")
    prediction = tmp_path / "pred.jsonl"
    write_jsonl(
        prediction,
        [
            {"id": d.id, "text": d.text, "mentions": document_to_dict(d)["mentions"]}
            for d in documents
        ],
    )
    for fmt in ("conll2012", "conll"):
        assert main(["export", "--format", fmt, "--out", str(tmp_path / "g"), str(gold)]) == 0
        argv = ["export", "--format", fmt, "--kind", "prediction", "--out"]
        assert main([*argv, str(tmp_path / "p"), str(prediction)]) == 0
    gold_blocks = read_conll2012_sentences(tmp_path / "g" / f"{gold.stem}.conll2012")
    pred_blocks = read_conll2012_sentences(tmp_path / "p" / "pred.conll2012")
    assert list(gold_blocks) == [d.id for d in documents]
    for doc in documents:
        assert len(gold_blocks[doc.id]) >= len(doc.sentences)
        assert len(pred_blocks[doc.id]) == len(gold_blocks[doc.id]), doc.id
        assert pred_blocks[doc.id] == gold_blocks[doc.id]
    gold_iob2 = [s.tokens for s in read_conll_columns(tmp_path / "g" / f"{gold.stem}.conll")]
    pred_iob2 = [s.tokens for s in read_conll_columns(tmp_path / "p" / "pred.conll")]
    assert pred_iob2 == gold_iob2
    assert len(gold_iob2) == sum(len(blocks) for blocks in gold_blocks.values())


def test_prediction_export_with_a_changed_text_is_refused(tmp_path: Path, capsys: Any) -> None:
    doc = load_documents(gold_path(), "document")[0]
    prediction = tmp_path / "pred.jsonl"
    write_jsonl(prediction, [{"id": doc.id, "text": doc.text + " More.", "mentions": []}])
    argv = ["export", "--format", "conll2012", "--kind", "prediction", "--out"]
    status, _, err = _run([*argv, str(tmp_path / "p"), str(prediction)], capsys)
    assert status == 1
    assert f"{doc.id}: the text differs from the reference document's text" in err


def test_an_import_that_finds_no_document_writes_nothing(tmp_path, capsys) -> None:
    from newsbench.eval.cli import main

    empty = tmp_path / "empty.conll"
    empty.write_text("")
    out = tmp_path / "o.jsonl"
    assert main(["import", "--format", "conll2012", str(empty), "--out", str(out)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{empty}: error[file-empty]: no document was found in it as --format conll2012"
    )
    assert not out.exists()


def test_the_conll_export_says_how_many_nested_mentions_it_leaves_out(tmp_path, capsys) -> None:
    from newsbench.corpus import gold_path
    from newsbench.corpus.interchange.conll import iob2_mentions
    from newsbench.eval.cli import main
    from newsbench.schema.validate import load_documents

    documents = load_documents(gold_path("test"), "document")
    names = [m for d in documents for m in d.layer("mentions") if m.mention_type == "NAM"]
    kept = sum(len(iob2_mentions(d, ("NAM",))) for d in documents)
    assert len(names) > kept  # the test split nests names
    assert main(["export", "--format", "conll", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"note: {len(names) - kept} mention(s) nested in or overlapping another are not in "
        "test.conll: IOB2 holds one non-nested layer (the outermost mention is kept); "
        "conll2012 holds them all"
    ]
