"""``newsbench.score``: paths, dicts or documents in, a :class:`Report` out."""

from __future__ import annotations

import copy
import csv
import io
import json

import pandas
import pytest

import newsbench
from newsbench.eval.api import Report, Score
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.eval.report import read_report
from newsbench.eval.report_files import read_error_listing
from newsbench.schema.io import write_jsonl
from newsbench.schema.problems import DataError
from tests.path_like import PathLike


@pytest.fixture
def files(tmp_path, mini_record):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    write_jsonl(gold, [mini_record])
    prediction = copy.deepcopy(mini_record)
    first = prediction["mentions"][0]
    first["type"] = "ORG" if first["type"] != "ORG" else "PER"  # one type error
    write_jsonl(pred, [prediction])
    return gold, pred, prediction


def test_three_lines_from_paths(files, mini_document):
    gold, pred, prediction = files
    report = newsbench.score(gold, pred, n_resamples=100)
    assert isinstance(report, Report)
    strict = report["entities.strict"]
    assert isinstance(strict, Score) and strict.precision == strict.recall < 1.0
    assert strict.ci_low is not None and strict.ci_low <= strict.f1 <= strict.ci_high
    # The same numbers as the harness on the same documents, with the file's digest.
    from newsbench.schema.model import document_from_dict

    direct = score_documents(
        pair_documents([mini_document], [document_from_dict(prediction)]),
        ScoringConfig(n_resamples=100),
    )
    assert report.data["headline"] == json.loads(json.dumps(direct["headline"]))
    assert report.signature.split("|gold:")[0] == direct["signature"].split("|gold:")[0]


def test_dicts_and_documents_score_the_same(files, mini_record, mini_document):
    gold, pred, prediction = files
    from_paths = newsbench.score(gold, pred, n_resamples=50)
    from_dicts = newsbench.score([mini_record], [prediction], n_resamples=50)
    from_docs = newsbench.score([mini_document], [prediction], n_resamples=50)
    assert from_dicts.data["headline"] == from_paths.data["headline"] == from_docs.data["headline"]
    # A list has no file: the signature's gold digest is that of the documents' JSONL.
    assert from_dicts.signature == from_docs.signature == from_paths.signature


def test_layers_and_settings(mini_record):
    report = newsbench.score([mini_record], [mini_record], ["mentions"], seed=7, n_resamples=20)
    assert report.data["layers"]["scored"] == ["mentions"]
    assert "|seed:7|" in report.signature and "|boot:20|" in report.signature
    assert report["coref.entities.conll"].f1 == 1.0
    with pytest.raises(TypeError, match=r"unknown setting\(s\) 'n_resample' \(did you mean"):
        newsbench.score([mini_record], [mini_record], n_resample=20)
    with pytest.raises(KeyError, match=r"did you mean 'entities\.strict'"):
        report["entities.strictt"]


def test_an_incomplete_dict_gets_located_problems_never_a_key_error(mini_record):
    broken = copy.deepcopy(mini_record)
    del broken["mentions"][0]["type"]
    broken["mentions"][1]["start"] = "3"
    with pytest.raises(DataError) as info:
        newsbench.score([mini_record], [broken])
    problems = info.value.problems
    assert {(p.file, p.line, p.document) for p in problems} == {("<predictions>", 1, "mini_seed")}
    assert {p.path for p in problems} == {"/mentions/0", "/mentions/1/start"}
    with pytest.raises(DataError) as info:
        newsbench.score([{"text": "x"}], [mini_record])
    assert info.value.problems[0].file == "<gold>" and "'id'" in info.value.problems[0].message
    with pytest.raises(DataError, match="not a path or a list"):
        newsbench.score(mini_record, [mini_record])
    with pytest.raises(DataError, match="item 1 is a str"):
        newsbench.score([mini_record, "x"], [mini_record])


def test_inventory_and_label_map(mini_record):
    ontonotes = copy.deepcopy(mini_record)
    for mention in ontonotes["mentions"]:
        mention["type"] = {"PER": "PERSON", "GPE": "GPE"}.get(mention["type"], "ORG")
    report = newsbench.score([mini_record], [ontonotes], ["mentions"], label_map="ontonotes")
    assert "|labelmap:ontonotes5@" in report.signature
    with pytest.raises(DataError):
        newsbench.score([mini_record], [ontonotes], ["mentions"])


def test_tables(mini_record):
    report = newsbench.score([mini_record], [mini_record], n_resamples=20)
    frame = report.table()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.index) == report.headline
    assert list(frame.columns) == ["precision", "recall", "f1", "ci_low", "ci_high"]
    assert frame.loc["entities.strict", "f1"] == 1.0
    assert len(report.table("all")) > len(frame)
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [r["metric"] for r in rows] == report.headline and rows[0]["f1"] == "1.0"
    markdown = report.to_markdown()
    assert markdown.startswith("| metric | P | R | F1 | 95% CI |")
    assert "| entities.strict | 100.0 | 100.0 | 100.0 | [100.0, 100.0] |" in markdown
    assert report.signature in markdown
    latex = report.to_latex()
    assert r"\begin{tabular}{lrrrl}" in latex and r"entities.strict & 100.0" in latex
    assert r"95\% CI" in latex and r"attr.content.partial" in latex
    page = report._repr_html_()
    assert page.startswith("<table>") and "<td>entities.strict</td>" in page
    assert "entities.strict" in repr(report) and len(report) == len(list(report))


def test_tables_are_written_where_asked(tmp_path, mini_record):
    report = newsbench.score([mini_record], [mini_record], n_resamples=20)
    for method, name in (("to_csv", "t.csv"), ("to_markdown", "t.md"), ("to_latex", "t.tex")):
        text = getattr(report, method)(tmp_path / name)
        assert (tmp_path / name).read_text("utf-8") == text
    report.write_json(tmp_path / "r.json")
    written = read_report(tmp_path / "r.json")
    listing = written.pop("error_listing")
    assert written == {k: v for k, v in report.data.items() if k != "errors"}
    assert listing["file"] == "r.errors.jsonl" and listing["records"] == len(report.data["errors"])
    assert read_error_listing(tmp_path / "r.json") == report.data["errors"]


def test_the_table_without_pandas_is_the_rows(monkeypatch, mini_record):
    import sys

    report = newsbench.score([mini_record], [mini_record], n_resamples=20)
    monkeypatch.setitem(sys.modules, "pandas", None)
    assert report.table() == report.rows()


def test_the_package_exposes_its_version_and_nothing_else_eagerly():
    from importlib.metadata import version

    assert newsbench.__version__ == version("newsbench")
    assert newsbench.Report is Report
    with pytest.raises(AttributeError, match="no attribute 'scores'"):
        newsbench.scores  # noqa: B018


def _codes(exc: pytest.ExceptionInfo[DataError]) -> list[tuple[str, str | None, int | None]]:
    return [(p.code, p.file, p.line) for p in exc.value.problems]


def test_lists_with_a_repeated_document_are_refused_at_its_item(mini_record):
    prediction = copy.deepcopy(mini_record)
    with pytest.raises(DataError) as repeated_prediction:
        newsbench.score([mini_record], [mini_record, prediction], n_resamples=10)
    assert _codes(repeated_prediction) == [("duplicate-document-id", "<predictions>", 2)]
    with pytest.raises(DataError) as repeated_gold:
        newsbench.score([mini_record, mini_record], [prediction], n_resamples=10)
    assert _codes(repeated_gold) == [("duplicate-document-id", "<gold>", 2)]


def test_empty_lists_are_refused_as_empty_files_are(mini_record):
    with pytest.raises(DataError) as both:
        newsbench.score([], [], n_resamples=10)
    assert _codes(both) == [("file-empty", "<gold>", None), ("file-empty", "<predictions>", None)]
    with pytest.raises(DataError) as predictions:
        newsbench.score([mini_record], [], allow_missing=True, n_resamples=10)
    assert _codes(predictions) == [("file-empty", "<predictions>", None)]


def test_problems_of_both_inputs_are_reported_together(tmp_path, mini_record):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text('{"id": "x"}\n', "utf-8")
    write_jsonl(pred, [mini_record])
    with pred.open("a", encoding="utf-8") as handle:
        handle.write("{oops\n")
    with pytest.raises(DataError) as both:
        newsbench.score(gold, pred, n_resamples=10)
    found = _codes(both)
    assert ("schema-required", str(gold), 1) in found
    assert ("invalid-json", str(pred), 2) in found


def test_a_pairing_problem_on_files_names_the_prediction_file(tmp_path, mini_record):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    other = {**copy.deepcopy(mini_record), "id": "other"}
    write_jsonl(gold, [mini_record, other])
    write_jsonl(pred, [mini_record])
    with pytest.raises(DataError) as missing:
        newsbench.score(gold, pred, n_resamples=10)
    assert [(p.code, p.file, p.document) for p in missing.value.problems] == [
        ("prediction-missing-document", str(pred), "other")
    ]


def test_pair_documents_refuses_repeated_documents(mini_document):
    with pytest.raises(DataError) as repeated:
        pair_documents([mini_document, mini_document], [mini_document, mini_document])
    assert [(p.code, p.document) for p in repeated.value.problems] == [
        ("duplicate-document-id", mini_document.id),
        ("duplicate-document-id", mini_document.id),
    ]


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ({"zones": "body"}, "zones='body': give a non-empty tuple of zone types"),
        ({"zones": 3}, "zones=3: give a non-empty tuple"),
        ({"zones": ["nope"]}, "zones=('nope',): give a non-empty tuple"),
        ({"unit": "bogus"}, "unit='bogus': choose 'auto', 'sentence' or 'document'"),
        ({"content_threshold": 5}, "content_threshold=5: give a number from 0 to 1"),
        ({"content_threshold": float("nan")}, "content_threshold=nan: give a number"),
        ({"zero_division": "x"}, "zero_division='x': give a number from 0 to 1"),
        ({"allow_missing": "no"}, "allow_missing='no': give True or False"),
        ({"jobs": "2"}, "jobs must be >= 1, got '2'"),
        ({"jobs": 0}, "jobs must be >= 1, got 0"),
    ],
)
def test_a_setting_out_of_its_range_is_refused_before_scoring(setting, words, mini_document):
    with pytest.raises(ValueError) as caught:
        newsbench.score([mini_document], [mini_document], n_resamples=10, **setting)
    assert words in str(caught.value)


def test_zones_on_a_gold_without_zones_skip_the_entities_instead_of_scoring_zero(mini_document):
    from dataclasses import replace

    bare = [replace(mini_document, zones=None)]
    report = newsbench.score(bare, bare, n_resamples=10, zones=["body"])
    assert report.data["layers"]["skipped"]["mentions"] == (
        f"--zone body needs the gold's zones layer, absent in {len(bare)} of {len(bare)} "
        "gold documents"
    )
    assert not any(name.startswith("entities.") for name in report.data["metrics"])


def test_a_value_json_cannot_hold_is_a_located_problem(mini_record):
    import datetime

    import numpy as np

    from newsbench.schema.problems import DataError

    gold = copy.deepcopy(mini_record)
    gold["metadata"]["dct"] = datetime.date(2024, 1, 1)  # as a datasets row holds it
    pred = copy.deepcopy(mini_record)
    pred["mentions"][0]["start"] = np.int64(pred["mentions"][0]["start"])
    with pytest.raises(DataError) as caught:
        newsbench.score([gold], [pred], n_resamples=10)
    assert [(p.code, p.file, p.path) for p in caught.value.problems] == [
        ("not-json", "<gold>", "/metadata/dct"),
        ("not-json", "<predictions>", "/mentions/0/start"),
    ]
    assert caught.value.problems[0].message == "date datetime.date(2024, 1, 1) is not a JSON value"


@pytest.mark.parametrize(
    ("where", "change", "path", "message"),
    [
        ("text", lambda r: r.update(text="Syr\ud800" + r["text"][4:]), "/text",
         "the string 'Syr\\ud800"),
        ("a key", lambda r: r.update({"\udc00x": 1}), "",
         "the key '\\udc00x' holds a lone surrogate '\\udc00' at index 0"),
        ("a label", lambda r: r["mentions"][0].update(type="G\ud801PE"), "/mentions/0/type",
         "the string 'G\\ud801PE' holds a lone surrogate '\\ud801' at index 1"),
        ("a numpy string", lambda r: r.update(id=__import__("numpy").str_(r["id"])), "/id",
         "str_ np.str_("),
        ("a numpy key", lambda r: r.update({__import__("numpy").str_("k"): 1}), "",
         "the key np.str_('k') is not a str but a str_"),
        ("infinity", lambda r: r["mentions"][0].update(start=float("inf")), "/mentions/0/start",
         "the number inf is not a JSON value (RFC 8259 has no NaN or Infinity)"),
        ("nan", lambda r: r["mentions"][0].update(mention_type=float("nan")),
         "/mentions/0/mention_type", "the number nan is not a JSON value"),
    ],
    ids=["text", "key", "label", "numpy string", "numpy key", "infinity", "nan"],
)  # fmt: skip
def test_a_string_json_cannot_hold_is_a_located_problem(mini_record, where, change, path, message):
    from newsbench.schema.problems import DataError

    pred = copy.deepcopy(mini_record)
    change(pred)
    with pytest.raises(DataError) as caught:
        newsbench.score([mini_record], [pred], n_resamples=10)
    (problem,) = caught.value.problems
    assert (problem.code, problem.file, problem.path) == ("not-json", "<predictions>", path)
    assert message in problem.message, where
    assert problem.document == (None if where == "a numpy string" else mini_record["id"])


def test_assert_scores_takes_the_report_score_returns(files, tmp_path):
    from newsbench.eval.gate import GateUsageError, assert_scores

    gold, pred, _ = files
    report = newsbench.score(gold, pred, n_resamples=10)
    assert newsbench.assert_scores is assert_scores  # the package's own name for it
    assert_scores(report, {"entities.strict.f1": 0.1}, baseline=report, max_drop=0.0)
    with pytest.raises(AssertionError, match="below the threshold"):
        assert_scores(report, {"entities.strict.f1": 1.0})
    with pytest.raises(GateUsageError, match="the report is not a newsbench report"):
        assert_scores({"headline": {}}, {"entities.strict.f1": 0.1})
    data = report.data
    for odd in ({**data, "metrics": [1]}, {k: v for k, v in data.items() if k != "signature"}):
        with pytest.raises(GateUsageError, match="the baseline is not a newsbench report"):
            assert_scores(report, {"entities.strict.f1": 0.1}, baseline=odd, max_drop=0.1)
    with pytest.raises(GateUsageError, match=r"fail_under must map METRIC\.FIELD to a minimum"):
        assert_scores(report, ["entities.strict.f1=0.1"])  # type: ignore[arg-type]
    with pytest.raises(GateUsageError, match="max_drop needs a baseline"):
        assert_scores(report, {"entities.strict.f1": 0.1}, max_drop=0.1)
    report.write_json(tmp_path / "r.json")
    path_like = PathLike(str(tmp_path / "r.json"))  # any os.PathLike, as pytest's tmpdir
    assert_scores(path_like, {"entities.strict.f1": 0.1}, baseline=path_like, max_drop=0)
    with pytest.raises(GateUsageError, match=r"--max-drop '0\.1' is not a number"):
        assert_scores(report, baseline=report, max_drop="0.1")


def test_settings_of_the_wrong_type_are_named(mini_record):
    with pytest.raises(
        TypeError,
        match=r"layers must be a list of layer names, such as "
        r"\['mentions'\], not a string",
    ):
        newsbench.score([mini_record], [mini_record], layers="mentions")
    with pytest.raises(TypeError, match=r"label_map must be a packaged map's name .* not int"):
        newsbench.score([mini_record], [mini_record], label_map=3)


def test_a_record_json_cannot_hold_still_counts_its_id(mini_record):
    from newsbench.schema.problems import DataError

    first = copy.deepcopy(mini_record)
    first["metadata"]["title"] = "lone \ud800"
    with pytest.raises(DataError) as caught:
        newsbench.score([mini_record], [first, copy.deepcopy(mini_record)], n_resamples=10)
    assert [(p.code, p.line) for p in caught.value.problems] == [
        ("not-json", 1),
        ("duplicate-document-id", 2),
    ]


def test_values_orjson_writes_stay_valid_beside_a_null(mini_record):
    import enum

    class Label(enum.StrEnum):
        GPE = "GPE"

    pred = copy.deepcopy(mini_record)
    pred["metadata"]["title"] = "annulled"  # "null" in what orjson writes: NaN is looked for
    pred["mentions"][0]["type"] = Label(pred["mentions"][0]["type"])
    pred["mentions"] = tuple(pred["mentions"])
    report = newsbench.score([mini_record], [pred], n_resamples=10)
    assert report["entities.strict"].f1 == 1.0
