"""One broken example per validation rule: each asserts the code, the path and the message."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from newsbench.schema.io import write_jsonl
from newsbench.schema.problems import PROBLEM_CODES, DataError, Problem
from newsbench.schema.validate import load_documents, validate_file, validate_record

Record = dict[str, Any]


def _set(path: list[Any], value: Any) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: list[Any]) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        node = record
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _shift_mention(record: Record) -> None:
    # UTF-16 confusion: prefix the text with an emoji and move the mention by 2 units.
    record["text"] = "\U0001f600 " + record["text"]
    for layer in ("paragraphs", "zones", "sentences", "mentions", "time_expressions"):
        for item in record[layer]:
            item["start"] += 2
            item["end"] += 2
    for event in record["events"]:
        event["trigger"]["start"] += 2
        event["trigger"]["end"] += 2
    for attribution in record["attributions"]:
        for key in ("cue", "content"):
            for span in attribution[key]:
                span["start"] += 2
                span["end"] += 2
        attribution["source"]["start"] += 2
        attribution["source"]["end"] += 2
    record["mentions"][0]["start"] += 1
    record["mentions"][0]["end"] += 1


def _cycle(record: Record) -> None:
    record["attributions"][0]["parent"] = record["attributions"][1]["id"]
    record["attributions"][1]["parent"] = record["attributions"][0]["id"]


def _source_mention_elsewhere(record: Record) -> None:
    record["attributions"][0]["source"]["mention"] = "m1_4"


def _overlapping_content(record: Record) -> None:
    first = record["attributions"][0]["content"][0]
    second = dict(first)
    second["start"], second["end"], second["text"] = first["start"], first["start"] + 4, "they"
    record["attributions"][0]["content"].append(second)


def _extra_key(record: Record) -> None:
    record["mentions"][0]["entity_type"] = "GPE"


CASES: list[tuple[str, Callable[[Record], None], str, str, str]] = [
    # (name, mutation, code, JSON path, message regex)
    ("missing text", _delete(["text"]), "schema-required", "", "required key 'text'"),
    ("unknown key", _extra_key, "schema-unknown-key", "/mentions/0", r"'entity_type'"),
    (
        "unknown label",
        _set(["mentions", 0, "type"], "GPEE"),
        "schema-enum",
        "/mentions/0/type",
        r"'GPEE' is not a label of the newsbench inventory \(did you mean 'GPE'\?\)",
    ),
    (
        "role not allowed for type",
        _set(["events", 0, "arguments", 0, "role"], "Attacker"),
        "schema-enum",
        "/events/0/arguments/0/role",
        "role 'Attacker' is not allowed for events of type Movement.TransportPerson",
    ),
    (
        "offset as string",
        _set(["mentions", 0, "start"], "0"),
        "schema-type",
        "/mentions/0/start",
        "number written as a string",
    ),
    (
        "negative offset",
        _set(["mentions", 0, "start"], -1),
        "schema-range",
        "/mentions/0/start",
        "minimum",
    ),
    (
        "bad date",
        _set(["metadata", "dct"], "08/12/2024"),
        "schema-pattern",
        "/metadata/dct",
        "not in the expected format",
    ),
    (
        "empty cue list",
        _set(["attributions", 0, "cue"], []),
        "schema-range",
        "/attributions/0/cue",
        "less than 1 item",
    ),
    (
        "reversed span",
        _set(["mentions", 1, "end"], 3),
        "span-empty",
        "/mentions/1",
        r"\[7, 3\) is empty or reversed",
    ),
    (
        "zero-length span",
        _set(["mentions", 1, "end"], 7),
        "span-empty",
        "/mentions/1",
        r"\[7, 7\) is empty or reversed",
    ),
    (
        "float offset",
        _set(["mentions", 0, "end"], 6.0),
        "schema-type",
        "/mentions/0",
        "not whole numbers",
    ),
    (
        "span beyond text",
        _set(["mentions", 0, "end"], 10_000),
        "span-out-of-range",
        "/mentions/0",
        "ends beyond the text",
    ),
    (
        "inclusive end",
        _set(["mentions", 0, "end"], 5),
        "span-text-mismatch",
        "/mentions/0",
        "end offset looks inclusive",
    ),
    ("utf-16 offsets", _shift_mention, "span-text-mismatch", "/mentions/0", "UTF-16 code units"),
    (
        "outer whitespace",
        lambda r: r["mentions"][0].update(end=7, text="Syrian "),
        "span-outer-whitespace",
        "/mentions/0",
        "outer whitespace",
    ),
    (
        "splits a word",
        lambda r: r["mentions"][0].update(end=3, text="Syr"),
        "span-splits-word",
        "/mentions/0",
        "inside a word",
    ),
    (
        "duplicate id",
        _set(["mentions", 1, "id"], "m1_1"),
        "duplicate-id",
        "/mentions/1/id",
        "'m1_1' is already used at /mentions/0/id",
    ),
    (
        "dangling argument",
        _set(["events", 0, "arguments", 0, "ref"], "m1_33"),
        "dangling-reference",
        "/events/0/arguments/0/ref",
        r"does not exist.*did you mean 'm1_3'",
    ),
    (
        "time role on a mention",
        _set(["events", 0, "arguments", 2, "ref"], "m1_4"),
        "wrong-reference-kind",
        "/events/0/arguments/2/ref",
        "names an object in mentions",
    ),
    (
        "source head outside source",
        _source_mention_elsewhere,
        "source-mention-outside-source",
        "/attributions/0/source/mention",
        "outside the source span",
    ),
    (
        "overlapping content",
        _overlapping_content,
        "overlapping-spans",
        "/attributions/0/content/0",
        "content spans of one attribution",
    ),
    ("parent cycle", _cycle, "parent-cycle", "/attributions/0/parent", "form a cycle"),
]


@pytest.mark.parametrize(
    ("name", "mutate", "code", "path", "pattern"), CASES, ids=[c[0] for c in CASES]
)
def test_each_rule_reports_its_problem(mini_record, name, mutate, code, path, pattern):
    mutate(mini_record)
    _, problems = validate_record(mini_record, "document", file="gold.jsonl", line=1)
    matching = [p for p in problems if p.code == code and p.path == path]
    assert matching, f"no {code} at {path}; got {[(p.code, p.path) for p in problems]}"
    problem = matching[0]
    assert problem.file == "gold.jsonl" and problem.line == 1 and problem.document == "mini_seed"
    assert problem.expected and problem.fix
    with pytest.raises(DataError, match=pattern):
        raise DataError([problem])


def test_the_valid_document_has_no_problem(mini_record):
    assert validate_record(mini_record, "document")[1] == []


def test_every_problem_is_reported_at_once(mini_record):
    mini_record["mentions"][0]["type"] = "XXX"
    mini_record["mentions"][1]["type"] = "YYY"
    del mini_record["mentions"][2]["text"]
    _, problems = validate_record(mini_record)
    assert [p.code for p in problems].count("schema-enum") == 2
    assert "schema-required" in [p.code for p in problems]


def test_prediction_may_omit_layers_and_attributes(mini_record):
    prediction = {
        "id": mini_record["id"],
        "text": mini_record["text"],
        "mentions": [
            {k: v for k, v in m.items() if k not in ("entity", "mention_type")}
            for m in mini_record["mentions"]
        ],
    }
    document, problems = validate_record(prediction, "prediction")
    assert problems == []
    assert document is not None and document.events is None and document.mentions[0].entity is None


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (
            _set(["metadata", "dct"], "2024-02-30"),
            "/metadata/dct",
            r"the DCT is '2024-02-30', which names no day or week of the calendar \(day is out",
        ),
        (
            _set(["time_expressions", 0, "value"], "2023-02-29T10:00"),
            "/time_expressions/0/value",
            r"the value of time expression 't1_1' is '2023-02-29T10:00', which names no day",
        ),
        (
            _set(["time_expressions", 0, "value"], "2023-W53"),
            "/time_expressions/0/value",
            r"is '2023-W53', which names no day or week of the calendar \(Invalid week: 53\)",
        ),
    ],
    ids=["dct", "timex-day", "timex-week"],
)
def test_a_date_that_is_no_day_of_the_calendar(mini_record, mutate, path, message):
    mutate(mini_record)
    _, problems = validate_record(mini_record)
    assert [(p.code, p.path) for p in problems] == [("date-invalid", path)]
    assert re.search(message, problems[0].message), problems[0].message
    assert validate_record(mini_record, "prediction")[1] == []  # a system's wrong value
    for fine in ("2024-02-29", "2020-W53", "2023-W52-WE", "2023-02", "PRESENT_REF"):
        mini_record["time_expressions"][0]["value"] = fine
        mini_record["metadata"]["dct"] = "2024-02-29"
        assert validate_record(mini_record)[1] == [], fine


def test_prediction_spans_may_split_words(mini_record):
    mini_record["mentions"][0].update(end=3, text="Syr")
    assert validate_record(mini_record, "prediction")[1] == []


# --- file-level problems -----------------------------------------------------------


def _codes(path) -> list[str]:
    return [p.code for p in validate_file(path)]


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert _codes(path) == ["file-empty"]
    with pytest.raises(DataError, match="holds no JSON lines"):
        load_documents(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="cannot read the file"):
        load_documents(tmp_path / "nope.jsonl")


@pytest.mark.parametrize(
    ("content", "code", "pattern"),
    [
        (b"{}\n\n", "blank-line", "the line is blank"),
        (b'{"id": "x", "text": \n', "invalid-json", "not valid JSON"),
        (b'{"id": "x", "n": NaN}\n', "invalid-json", "not valid JSON"),
        (b'{"id": "caf\xe9"}\n', "invalid-utf8", "not valid UTF-8"),
        (b"[1, 2]\n", "not-an-object", "JSON list, not an object"),
        (b"null\n", "not-an-object", "JSON null"),
    ],
    ids=["blank", "truncated", "nan", "latin1", "array", "null"],
)
def test_line_problems(tmp_path, mini_record, content, code, pattern):
    path = tmp_path / "bad.jsonl"
    write_jsonl(path, [mini_record])
    path.write_bytes(path.read_bytes() + content)
    problems = validate_file(path)
    bad = [p for p in problems if p.code == code]
    assert bad and bad[0].line is not None and bad[0].line >= 2
    with pytest.raises(DataError, match=pattern):
        load_documents(path)


def test_duplicate_document_id(tmp_path, mini_record):
    path = tmp_path / "dup.jsonl"
    write_jsonl(path, [mini_record, mini_record])
    problems = validate_file(path)
    assert [(p.code, p.line) for p in problems] == [("duplicate-document-id", 2)]
    with pytest.raises(DataError, match="already used on line 1"):
        load_documents(path)


def test_problem_codes_are_registered():
    with pytest.raises(ValueError, match="unregistered problem code"):
        Problem("no-such-code", "m", "e", "f")
    assert len(PROBLEM_CODES) >= 25


def test_an_untranslated_schema_error_is_still_located():
    from types import SimpleNamespace

    from newsbench.schema.validate import schema_problem

    error = SimpleNamespace(
        kind=type("UniqueItems", (), {})(),
        instance_path=["mentions", 0],
        instance=[1, 1],
        message="[1,1] has non-unique elements",
        schema_path=["properties", "mentions"],
    )
    problem = schema_problem(error, "document")
    assert problem.code == "schema-other" and problem.path == "/mentions/0"
    assert "non-unique" in problem.message and problem.fix


def test_every_problem_code_is_exercised_by_a_test(repo_root):
    sources = "\n".join(p.read_text("utf-8") for p in (repo_root / "tests").rglob("*.py"))
    assert [c for c in PROBLEM_CODES if f'"{c}"' not in sources] == []
