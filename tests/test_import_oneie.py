"""``newsbench import --format oneie``: OneIE/TextEE JSON, gold data and system output."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from newsbench.corpus.interchange import import_documents
from newsbench.schema.problems import DataError
from tests.importing import import_and_score

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "interchange" / "samples"
GOLD = SAMPLES / "oneie-gold.json"
SYSTEM = SAMPLES / "oneie-system.json"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _write(tmp_path: Path, items: list[dict], name: str = "x.json") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(i) + "\n" for i in items), "utf-8")
    return path


def _the_problem(path: Path):
    """The one problem importing ``path`` raises."""
    with pytest.raises(DataError) as caught:
        import_documents("oneie", path)
    (problem,) = caught.value.problems
    return problem


def test_the_data_layout_gives_sentences_mentions_and_events():
    (doc,) = import_documents("oneie", GOLD)
    assert doc.id == "D1"
    assert doc.text == "Rebels attacked the base in Gao .\nTwo soldiers died ."
    assert [(s.id, s.text) for s in doc.sentences] == [
        ("D1-0", "Rebels attacked the base in Gao ."),
        ("D1-1", "Two soldiers died ."),
    ]
    assert [(m.id, m.text, m.type, m.mention_type) for m in doc.mentions] == [
        ("D1-0-E0", "Rebels", "PER", "NOM"),
        ("D1-0-E1", "the base", "FAC", "NOM"),
        ("D1-0-E2", "Gao", "GPE", "NAM"),
        ("D1-1-E0", "Two soldiers", "PER", "NOM"),
    ]
    attack, die = doc.events
    assert (attack.type, attack.trigger.text) == ("Conflict.Attack", "attacked")
    assert [(a.role, a.ref) for a in attack.arguments] == [
        ("Attacker", "D1-0-E0"),
        ("Target", "D1-0-E1"),
        ("Place", "D1-0-E2"),
    ]
    assert (die.type, die.trigger.text) == ("Life.Die", "died")
    assert all(m.entity is None for m in doc.mentions)


def test_the_prediction_layout_gives_the_same_text():
    (gold,) = import_documents("oneie", GOLD)
    (pred,) = import_documents("oneie", SYSTEM, kind="prediction")
    assert pred.text == gold.text and pred.id == gold.id
    assert [(m.id, m.text) for m in pred.mentions][:2] == [
        ("D1-0-E0", "Rebels"),
        ("D1-0-E1", "base"),
    ]
    assert [(e.id, e.type) for e in pred.events] == [
        ("D1-0-EV0", "Conflict.Attack"),
        ("D1-1-EV0", "Life.Injure"),
    ]
    assert [(a.role, a.ref) for a in pred.events[1].arguments] == [("Victim", "D1-1-E0")]


def test_textee_windows_and_generated_ids(tmp_path):
    items = _lines(GOLD)
    for item in items:
        item["wnd_id"] = item.pop("sent_id")
        for mention in item["entity_mentions"]:
            del mention["id"], mention["mention_type"]
        for event in item["event_mentions"]:
            event["arguments"] = []
            del event["id"]
    (doc,) = import_documents("oneie", _write(tmp_path, items))
    assert [s.id for s in doc.sentences] == ["D1-0", "D1-1"]
    assert [m.id for m in doc.mentions] == ["D1-0-E0", "D1-0-E1", "D1-0-E2", "D1-1-E0"]
    assert [e.id for e in doc.events] == ["D1-0-EV0", "D1-1-EV0"]
    assert all(m.mention_type is None for m in doc.mentions)


def test_every_problem_is_located(tmp_path):
    items = _lines(SYSTEM)
    items[0]["graph"]["entities"][1] = [3, 9, "FAC", "NOM", 0.9]  # beyond the tokens
    items[0]["graph"]["roles"].append([0, 7, "Place", 1.0])  # no entity 7
    items[1]["graph"]["triggers"][0][2] = "Life:Injur"
    path = _write(tmp_path, items)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
        handle.write(json.dumps({"doc_id": "D2", "tokens": []}) + "\n")
    with pytest.raises(DataError) as info:
        import_documents("oneie", path, kind="prediction")
    found = [(p.code, p.line) for p in info.value.problems]
    assert ("oneie-malformed", 1) in found  # span beyond the tokens
    assert [c for c, line in found if line == 1].count("oneie-malformed") == 2  # and the role
    assert ("invalid-json", 3) in found and ("oneie-malformed", 4) in found
    (enum,) = [p for p in info.value.problems if p.code == "schema-enum"]
    assert enum.line == 2 and "did you mean 'Life.Injure'" in enum.message


def test_an_empty_file(tmp_path):
    with pytest.raises(DataError) as info:
        import_documents("oneie", _write(tmp_path, []))
    assert info.value.problems[0].code == "file-empty"


def test_the_samples_score_end_to_end(tmp_path):
    report = import_and_score(tmp_path, "oneie", GOLD, SYSTEM, "ace2005")
    head = report["headline"]
    # 4 gold mentions; "the base" predicted as "base": 3 strict.
    assert Fraction(head["entities.strict"]["f1"]).limit_denominator(100) == Fraction(3, 4)
    # 2 triggers at the right place; "died" typed Life.Injure.
    assert head["events.trigger_id"]["f1"] == 1.0
    assert Fraction(head["events.trigger_cls"]["f1"]).limit_denominator(100) == Fraction(1, 2)
    # 4 gold arguments: "base" is not "the base", and the Victim hangs off a wrong type.
    assert Fraction(head["events.arg_cls"]["recall"]).limit_denominator(100) == Fraction(2, 4)
    assert set(report["layers"]["skipped"]) == {
        "events.realis",
        "coreference.events",
        "coreference.entities",
    }


BASE = {"doc_id": "D1", "sent_id": "D1-0", "tokens": ["Rebels", "attacked", "Gao", "."]}
MALFORMED = {
    "a layer that is a string": ({"entity_mentions": "x"}, "/entity_mentions"),
    "a layer that is null": ({"entity_mentions": None}, "/entity_mentions"),
    "a mention that is a list": ({"entity_mentions": [[0, 1, "PER"]]}, "/entity_mentions/0"),
    "an offset that is a string": (
        {"entity_mentions": [{"start": "0", "end": 1, "entity_type": "PER"}]},
        "/entity_mentions/0/start",
    ),
    "a trigger that is a list": (
        {"event_mentions": [{"event_type": "Conflict:Attack", "trigger": [1, 2]}]},
        "/event_mentions/0/trigger",
    ),
    "an argument that is a string": (
        {"event_mentions": [{"event_type": "Conflict:Attack",
                             "trigger": {"start": 1, "end": 2}, "arguments": ["x"]}]},
        "/event_mentions/0/arguments/0",
    ),
    "events that are a number": ({"event_mentions": 3}, "/event_mentions"),
    "a graph role that is a number": ({"graph": {"roles": [5]}}, "/graph/roles/0"),
    "graph entities that are an object": ({"graph": {"entities": {"a": 1}}}, "/graph/entities"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_layer_is_a_located_problem(tmp_path: Path, case: str) -> None:
    extra, pointer = MALFORMED[case]
    path = _write(tmp_path, [BASE, {**BASE, "sent_id": "D1-1", **extra}])
    problem = _the_problem(path)
    assert (problem.code, problem.line, problem.document, problem.path) == (
        "oneie-malformed", 2, "D1", pointer
    )  # fmt: skip


def test_keys_neither_layout_reads_are_named_in_a_note(tmp_path: Path) -> None:
    path = _write(tmp_path, [{**BASE, "entity_mentionz": [], "pieces": ["x"]}])
    notes: list[str] = []
    import_documents("oneie", path, notes=notes)
    assert notes == [
        "keys not read (neither OneIE nor TextEE layers): 'entity_mentionz' on 1 line(s)"
    ]


@pytest.mark.parametrize(
    ("line", "pointer"),
    [
        ('{"doc_id": "D1", "sent_id": "D1-0", "tokens": ["Hi"], "\\ud800": 1}', ""),
        ('{"doc_id": "D1", "sent_id": "D1-0", "tokens": ["H\\udc00i"]}', "/tokens/0"),
    ],
    ids=["in a key", "in a token"],
)
def test_a_lone_surrogate_escape_is_a_located_problem(tmp_path: Path, line: str, pointer: str):
    path = tmp_path / "x.json"
    path.write_text(line + "\n", "utf-8")  # the escape is ASCII: the file is valid UTF-8
    problem = _the_problem(path)
    assert (problem.code, problem.line, problem.document, problem.path) == (
        "not-json", 1, "D1", pointer
    )  # fmt: skip
    assert "holds a lone surrogate" in problem.message
    assert problem.fix == "replace the lone surrogate escape by the character it was meant for"


def test_booleans_are_no_token_offsets_in_the_graph_layout(tmp_path: Path) -> None:
    graph = {"entities": [[False, True, "PER", "NAM", 1.0]], "triggers": [], "roles": []}
    path = _write(tmp_path, [{**BASE, "graph": graph}])
    with pytest.raises(DataError) as caught:
        import_documents("oneie", path)
    (problem,) = caught.value.problems
    assert problem.code == "oneie-malformed"
    assert "graph entity 0 has the token span [False, True)" in problem.message


def test_a_mention_text_that_is_not_its_tokens_is_a_located_problem(tmp_path: Path) -> None:
    mention = {"id": "E0", "text": "Soldiers", "entity_type": "PER", "start": 0, "end": 1}
    path = _write(tmp_path, [{**BASE, "entity_mentions": [mention]}])
    with pytest.raises(DataError) as caught:
        import_documents("oneie", path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.line, problem.document) == ("span-text-mismatch", 1, "D1")
    assert "says its text is 'Soldiers', but its tokens are 'Rebels'" in problem.message
    agreeing = {**mention, "text": "Rebels"}  # and spaces aside: "New York" over New, York
    (document,) = import_documents("oneie", _write(tmp_path, [{**BASE, "entity_mentions": [
        agreeing]}], "ok.json"))  # fmt: skip
    assert document.mentions[0].text == "Rebels"
