"""Label inventories: packaged files, validation under an inventory, signatures, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest

from newsbench.eval.cli import main
from newsbench.eval.gate import SignatureMismatch, check_same_signature
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.schema import contract
from newsbench.schema.inventory import (
    PACKAGED_INVENTORIES,
    inventory_from_dict,
    inventory_to_dict,
    load_inventory,
)
from newsbench.schema.model import document_from_dict
from newsbench.schema.problems import DataError
from newsbench.schema.validate import validate_record

TEXT = "Oslo backs Danish plan to inspect Finnish ferries ."


def _ner(doc_id: str = "d1", types: tuple[str, str, str] = ("ORG", "MISC", "MISC")) -> dict:
    spans = [(0, 4), (11, 17), (34, 41)]
    return {
        "id": doc_id,
        "text": TEXT,
        "mentions": [
            {"id": f"m{i}", "start": s, "end": e, "text": TEXT[s:e], "type": t}
            for i, ((s, e), t) in enumerate(zip(spans, types, strict=True))
        ],
    }


def test_the_newsbench_inventory_file_is_the_schema_enums(repo_root):
    on_disk = json.loads((repo_root / "schema/inventories/newsbench.json").read_text("utf-8"))
    derived = inventory_to_dict(contract.newsbench_inventory())
    assert on_disk == derived, "run: python -m newsbench.schema.contract"
    assert load_inventory() == load_inventory("newsbench") == contract.newsbench_inventory()
    assert load_inventory().entity_types == contract.ENTITY_TYPES
    assert dict(load_inventory().event_roles) == contract.roles_by_event_type()


def test_every_packaged_inventory_is_shipped_and_loads(repo_root):
    files = sorted(p.stem for p in (repo_root / "schema/inventories").glob("*.json"))
    assert files == sorted(PACKAGED_INVENTORIES)
    sizes = {
        name: (len(i.entity_types), len(i.event_types), len(i.timex_types))
        for name in PACKAGED_INVENTORIES
        for i in [load_inventory(name)]
    }
    assert sizes == {
        "newsbench": (7, 4, 4),
        "conll2003": (4, 0, 0),
        "ontonotes5": (18, 0, 0),
        "ace2005": (12, 33, 4),
        "timeml": (0, 7, 4),
    }


def test_ace2005_declares_subtypes_and_the_roles_of_each_event_type():
    ace = load_inventory("ace2005")
    subtypes = dict(ace.entity_subtypes)
    assert set(subtypes) >= {"PER", "ORG", "GPE", "LOC", "FAC", "VEH", "WEA"}
    assert len(subtypes["ORG"]) == 9 and "Population-Center" in subtypes["GPE"]
    assert ace.roles_of("Justice.Arrest-Jail")[:4] == ("Person", "Agent", "Crime", "Place")
    assert "Time-Within" in ace.roles_of("Conflict.Attack")
    assert ace.roles_of("no such type") == ()
    # Description and subtypes are documentation: they do not change the digest.
    bare = inventory_from_dict({**inventory_to_dict(ace), "description": "x"})
    bare_dict = inventory_to_dict(bare)
    bare_dict.pop("entity_subtypes")
    assert inventory_from_dict(bare_dict).sha256 == ace.sha256


def test_signatures_name_the_inventory_and_differ_between_inventories():
    names = {load_inventory(n).signature for n in PACKAGED_INVENTORIES}
    assert len(names) == len(PACKAGED_INVENTORIES)
    assert load_inventory("conll2003").signature.startswith("conll2003@")


def test_a_label_outside_the_declared_inventory_is_a_located_error_with_a_hint():
    conll = load_inventory("conll2003")
    assert validate_record(_ner(), inventory=conll)[1] == []
    _, problems = validate_record(_ner(types=("ORG", "MISC", "GPE")), inventory=conll)
    (problem,) = problems
    assert problem.code == "schema-enum" and problem.path == "/mentions/2/type"
    assert "not a label of the conll2003 inventory" in problem.message
    assert problem.expected == "one of PER, ORG, LOC, MISC"
    _, problems = validate_record(_ner(types=("ORG", "MISCC", "MISC")), inventory=conll)
    assert "(did you mean 'MISC'?)" in problems[0].message
    # The same file under the default inventory: MISC is not a newsbench label.
    _, problems = validate_record(_ner())
    assert [p.path for p in problems] == ["/mentions/1/type", "/mentions/2/type"]
    assert "newsbench inventory" in problems[0].message


def test_event_types_and_roles_follow_the_inventory():
    ace = load_inventory("ace2005")
    trigger = {"start": 5, "end": 10, "text": TEXT[5:10]}
    record = _ner(types=("ORG", "GPE", "GPE"))
    record["events"] = [
        {
            "id": "ev1",
            "type": "Justice.Arrest-Jail",
            "trigger": trigger,
            "arguments": [{"role": "Agent", "ref": "m0"}],
        }
    ]
    assert validate_record(record, inventory=ace)[1] == []
    record["events"][0]["arguments"][0]["role"] = "Attacker"
    (problem,) = validate_record(record, inventory=ace)[1]
    assert "not allowed for events of type Justice.Arrest-Jail" in problem.message
    assert "Agent" in problem.expected
    timeml = load_inventory("timeml")
    record["mentions"] = []
    record["events"] = [
        {
            "id": "ev1",
            "type": "OCCURRENCE",
            "trigger": trigger,
            "arguments": [{"role": "X", "ref": "t"}],
        }
    ]
    problems = validate_record(record, inventory=timeml)[1]
    assert any("gives OCCURRENCE no roles" in p.expected for p in problems)


def test_an_empty_label_set_says_the_inventory_declares_none():
    (problem,) = [
        p
        for p in validate_record(
            _ner(types=("ORG", "MISC", "MISC")), inventory=load_inventory("timeml")
        )[1]
        if p.path == "/mentions/0/type"
    ]
    assert "declares no labels" in problem.expected


def test_every_derived_schema_is_valid_json_schema():
    for name in PACKAGED_INVENTORIES:
        for kind in ("document", "prediction"):
            schema = contract.schema_for(kind, load_inventory(name))
            assert jsonschema_rs.meta.is_valid(schema)
    assert contract.schema_for("document", load_inventory()) is contract.load_schema("document")


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ("not an object", "", "holds a JSON object"),
        ({"name": "x", "entity_types": [], "entity_typs": []}, "/entity_typs", "did you mean"),
        ({"entity_types": []}, "/name", "missing or not a short name"),
        ({"name": "a b", "entity_types": []}, "/name", "not a short name"),
        ({"name": "x"}, "/entity_types", "'entity_types' is missing"),
        ({"name": "x", "entity_types": "PER"}, "/entity_types", "not a list of labels"),
        ({"name": "x", "entity_types": ["PER", "PER"]}, "/entity_types", "listed twice"),
        ({"name": "x", "entity_types": [], "event_types": []}, "/event_types", "object of event"),
        (
            {"name": "x", "entity_types": [], "event_types": {"A": [1]}},
            "/event_types/A",
            "not a list of labels",
        ),
    ],
)
def test_an_invalid_inventory_is_refused_with_located_problems(data, path, message):
    with pytest.raises(DataError) as info:
        inventory_from_dict(data, file="inv.json")
    problem = info.value.problems[0]
    assert problem.code == "inventory-invalid" and problem.file == "inv.json"
    assert problem.path == path and message in problem.message


def test_an_unknown_inventory_name_gets_a_did_you_mean():
    with pytest.raises(DataError) as info:
        load_inventory("conl2003")
    (problem,) = info.value.problems
    assert problem.code == "inventory-unknown" and "did you mean 'conll2003'" in problem.message


def test_an_inventory_file_is_read_and_its_problems_located(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"name": "mine", "entity_types": ["A", "B"]}), "utf-8")
    assert load_inventory(str(path)).entity_types == ("A", "B")
    path.write_text('{"name": "mine",\n "entity_types": [}', "utf-8")
    with pytest.raises(DataError) as info:
        load_inventory(str(path))
    assert info.value.problems[0].code == "invalid-json" and info.value.problems[0].line == 2
    with pytest.raises(DataError) as info:
        load_inventory(str(tmp_path / "absent.json"))
    assert info.value.problems[0].code == "file-not-found"


def _write(tmp_path: Path, name: str, *records: dict) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_the_cli_validates_and_scores_under_an_inventory(tmp_path, capsys):
    gold = _write(tmp_path, "gold.jsonl", _ner())
    pred = _write(tmp_path, "pred.jsonl", _ner(types=("ORG", "MISC", "LOC")))
    assert main(["validate", str(gold)]) == 1
    assert main(["validate", "--inventory", "conll2003", str(gold)]) == 0
    out = tmp_path / "report.json"
    code = main(
        [
            "score",
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--inventory",
            "conll2003",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads(out.read_text("utf-8"))
    assert "|inventory:conll2003@" in report["signature"]
    assert report["config"]["inventory"] == load_inventory("conll2003").signature
    per_type = report["entities"]["entities"]["strict"]["per_type"]
    assert sorted(per_type) == ["LOC", "MISC", "ORG", "PER"]
    assert per_type["MISC"]["support"] == 2
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:  # refused as it is parsed
        main(["validate", "--inventory", "conl2003", str(gold)])
    assert refused.value.code == 2
    assert "did you mean 'conll2003'" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "bad"}', "utf-8")
    assert main(["validate", "--inventory", str(bad), str(gold)]) == 1
    assert "inventory-invalid" in capsys.readouterr().err


def test_reports_under_different_inventories_are_never_compared():
    gold = [document_from_dict(_ner())]
    pred = [document_from_dict(_ner(types=("ORG", "MISC", "LOC")))]
    pairs = pair_documents(gold, pred)
    a = score_documents(pairs, ScoringConfig(n_resamples=10, inventory=load_inventory("conll2003")))
    mine = inventory_from_dict({"name": "mine", "entity_types": ["PER", "ORG", "LOC", "MISC", "X"]})
    b = score_documents(pairs, ScoringConfig(n_resamples=10, inventory=mine))
    assert a["headline"]["entities.strict"]["f1"] == b["headline"]["entities.strict"]["f1"]
    with pytest.raises(SignatureMismatch, match="inventory"):
        check_same_signature(a, b, "the two reports")


def test_export_reads_under_an_inventory_where_the_format_passes_labels_through(tmp_path, capsys):
    gold = _write(tmp_path, "gold.jsonl", _ner())
    out = tmp_path / "out"
    assert main(["export", "--format", "conll", str(gold), "--out", str(out)]) == 1
    assert "not a label of the newsbench inventory" in capsys.readouterr().err
    args = ["export", "--format", "conll", str(gold), "--inventory", "conll2003"]
    assert main([*args, "--out", str(out), "--mention-types", "all"]) == 0
    assert "B-MISC" in (out / "gold.conll").read_text("utf-8")
    capsys.readouterr()
    brat = ["export", "--format", "brat", str(gold), "--inventory", "conll2003"]
    assert main([*brat, "--out", str(tmp_path / "brat")]) == 2
    assert "labeling configuration for the newsbench labels" in capsys.readouterr().err


def test_a_label_map_maps_onto_the_declared_inventory(tmp_path) -> None:
    import json

    import newsbench
    from newsbench.schema.problems import DataError

    gold = {"id": "d1", "text": "Obama visited Paris.", "mentions": [
        {"id": "m1", "start": 0, "end": 5, "text": "Obama", "type": "PER", "mention_type": "NAM"},
        {"id": "m2", "start": 14, "end": 19, "text": "Paris", "type": "LOC",
         "mention_type": "NAM"}]}  # fmt: skip
    pred = json.loads(json.dumps(gold))
    pred["mentions"][0]["type"], pred["mentions"][1]["type"] = "PERSON", "LOCATION"
    mapping = tmp_path / "mine.json"
    mapping.write_text(json.dumps({"name": "mine", "map": {"PERSON": "PER", "LOCATION": "LOC"}}))
    report = newsbench.score([gold], [pred], inventory="conll2003", label_map=mapping)
    assert report["entities.strict"].f1 == 1.0  # LOC was refused: "not a corpus type"
    with pytest.raises(DataError) as refused:  # the packaged map targets newsbench types
        newsbench.score([gold], [gold], inventory="conll2003", label_map="conll2003")
    problem = refused.value.problems[0]
    assert problem.code == "label-map-unknown-target"
    assert "which is not a type of the conll2003 inventory" in problem.message


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "x.jsonl"],
        ["score", "--pred", "x.jsonl"],
        ["stats"],
        ["perturb", "--out-dir", "o"],
        ["export", "--format", "conll", "--out", "o"],
        ["import", "--format", "conll2003", "x.txt", "--out", "o.jsonl"],
    ],
    ids=lambda command: command[0],
)
def test_every_command_refuses_an_unknown_inventory_as_it_parses(command, capsys):
    with pytest.raises(SystemExit) as refused:
        main([*command, "--inventory", "conl2003"])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "argument --inventory: 'conl2003': neither a packaged inventory" in err
    assert "(did you mean 'conll2003'?)" in err
